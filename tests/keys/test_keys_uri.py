"""Key URIs and PIN sources."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edoc.errors import EdocError
from edoc.keys import InvalidKeyURI, PINUnavailable, Secret, parse_key_uri
from edoc.keys.pins import resolve_secret


def test_pkcs11_uri_attributes_are_percent_decoded() -> None:
    uri = parse_key_uri("pkcs11:token=UBND%20Thu%E1%BA%ADn%20Nam;object=ch%E1%BB%AF%20k%C3%BD;id=%0a%FF;"
                        "slot-id=3?module-path=/usr/lib/x.so&pin-source=env:PIN")
    assert uri.scheme == "pkcs11"
    assert uri.attr("token") == "UBND Thuận Nam"
    assert uri.attr("object") == "chữ ký"
    assert uri.attr_bytes("id") == b"\x0a\xff"
    assert uri.attr("slot-id") == "3"
    assert uri.param("module-path") == "/usr/lib/x.so"
    assert uri.pin_source == "env:PIN"


def test_non_ascii_label_is_normalised_to_nfc() -> None:
    decomposed = "Thua\u0323\u0302n"  # "Thuận" in NFD
    uri = parse_key_uri("pkcs11:token=" + decomposed)
    assert uri.attr("token") == "Thuận"


def test_file_uris() -> None:
    uri = parse_key_uri("pem:/keys/k%C3%BD.pem?cert=/c/ch%E1%BB%A9ng.pem&chain=/c/chain.pem")
    assert (uri.scheme, uri.path, uri.param("cert"), uri.param("chain")) == (
        "pem", "/keys/ký.pem", "/c/chứng.pem", "/c/chain.pem")
    assert parse_key_uri("PKCS12:signer.p12").scheme == "pkcs12"


@pytest.mark.parametrize("text, field", [
    ("pkcs11:token=a?pin-value=1234", "pin-value"),
    ("pkcs11:tokn=a", "tokn"),
    ("pkcs11:token=a;token=b", "token"),
    ("pem:k.pem?cert=a&cert=b", "cert"),
])
def test_bad_attributes_are_refused(text: str, field: str) -> None:
    with pytest.raises(InvalidKeyURI) as info:
        parse_key_uri(text)
    assert info.value.field == field
    assert "1234" not in str(info.value)


@pytest.mark.parametrize("text", ["signer.p12", "", ":x", "1abc:x", "pkcs11:token", "pkcs11:token=%FF"])
def test_malformed_uris(text: str) -> None:
    with pytest.raises(InvalidKeyURI):
        parse_key_uri(text)


def test_unknown_query_attribute_for_a_scheme() -> None:
    with pytest.raises(InvalidKeyURI, match="unknown query attribute 'certt'"):
        parse_key_uri("pem:k.pem?certt=x", allowed_query=frozenset({"cert", "pin-source"}))


@given(st.text(max_size=300))
def test_any_text_parses_or_raises_edoc_error(text: str) -> None:
    try:
        parse_key_uri(text)
    except EdocError:
        pass


def test_pin_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDOC_TEST_PIN", "9876")
    secret = resolve_secret(None, "env:EDOC_TEST_PIN", prompt="PIN: ", backend="t")
    assert secret.reveal() == "9876"
    assert "9876" not in repr(secret) and "9876" not in str(secret)
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_pin_from_missing_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDOC_NO_SUCH_PIN", raising=False)
    with pytest.raises(PINUnavailable, match="EDOC_NO_SUCH_PIN"):
        resolve_secret(None, "env:EDOC_NO_SUCH_PIN", prompt="PIN: ", backend="t")


def test_pin_from_file(tmp_path: Path) -> None:
    path = tmp_path / "pin.txt"
    path.write_text("mật-khẩu\n", encoding="utf-8")
    assert resolve_secret(None, f"file:{path}", prompt="PIN: ", backend="t").reveal() == "mật-khẩu"
    with pytest.raises(PINUnavailable):
        resolve_secret(None, f"file:{tmp_path / 'missing'}", prompt="PIN: ", backend="t")


def test_string_wins_then_pin_source_then_callback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDOC_TEST_PIN", "from-env")
    asked: list[str] = []

    def callback(prompt: str) -> str:
        asked.append(prompt)
        return "from-callback"

    assert resolve_secret("given", "env:EDOC_TEST_PIN", prompt="p", backend="t").reveal() == "given"
    assert resolve_secret(callback, "env:EDOC_TEST_PIN", prompt="p", backend="t").reveal() == "from-env"
    assert resolve_secret(callback, None, prompt="PIN of token X: ", backend="t").reveal() == "from-callback"
    assert asked == ["PIN of token X: "]
    with pytest.raises(PINUnavailable, match="cancelled"):
        resolve_secret(lambda _p: None, None, prompt="p", backend="t")


def test_no_terminal_no_source(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(PINUnavailable, match="pin-source=env:NAME"):
        resolve_secret(None, None, prompt="PIN: ", backend="t")


def test_protected_authentication_path() -> None:
    secret = resolve_secret(None, "protected", prompt="PIN: ", backend="t")
    assert secret.protected and repr(secret) == "<secret: PIN pad>"
    assert isinstance(secret, Secret)
