"""``edoc keys list/show/test``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edoc.cli import cli
from pki import P12_PASSWORD, p12_uri, pem_uri


def _run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def test_show_pem_in_vietnamese_and_english(pki_files: Path) -> None:
    uri = pem_uri(pki_files, "agency-rsa")
    vi = _run("keys", "show", "--key", uri)
    assert vi.exit_code == 0, vi.output
    assert "Tổ chức: Ủy ban nhân dân huyện Thuận Nam" in vi.output and "MST:4500123456" in vi.output
    en = _run("--lang", "en", "keys", "show", "--key", uri, "--json")
    data = json.loads(en.output)
    assert data["certificate"]["identifiers"] == ["MST:4500123456"] and len(data["chain"]) == 2


def test_test_signs_and_verifies_with_pin_from_env(pki_files: Path) -> None:
    result = _run("--lang", "en", "keys", "test", "--key", p12_uri(pki_files, "person-ec") + "?pin-source=env:P",
                  env={"P": P12_PASSWORD})
    assert result.exit_code == 0 and "ecdsa-sha256: Test signature made and verified: OK" in result.output
    assert P12_PASSWORD not in result.output


def test_no_terminal_and_no_pin_source_is_pin_unavailable(pki_files: Path) -> None:
    # CliRunner's standard input is not a terminal: nobody could type the password (the hidden prompt on a
    # real terminal is tested in tests/cli/test_terminal.py)
    from edoc.keys.errors import PINUnavailable

    result = CliRunner().invoke(cli, ["keys", "test", "--key", p12_uri(pki_files, "person-rsa")],
                                input=P12_PASSWORD + "\n")
    assert isinstance(result.exception, PINUnavailable), result.output
    assert "pin-source" in str(result.exception) and P12_PASSWORD not in result.output


def test_errors_become_messages_and_exit_codes(pki_files: Path) -> None:
    from edoc.cli import main

    with pytest.raises(SystemExit) as info:
        main(["keys", "test", "--key", pem_uri(pki_files, "rsa1024")])
    assert info.value.code == 4  # AlgorithmRefused
    with pytest.raises(SystemExit) as info:
        main(["keys", "show", "--key", p12_uri(pki_files, "person-rsa") + "?pin-source=env:EDOC_NO_SUCH_VAR"])
    assert info.value.code == 11


def test_list_file_key(pki_files: Path) -> None:
    result = _run("keys", "list", "--key", pem_uri(pki_files, "person-rsa"))
    assert result.exit_code == 0 and "Nguyễn Văn An" in result.output
    assert "Vietnam National Root CA (TEST)" in result.output


@pytest.mark.softhsm
def test_list_token_without_login(softhsm: Any) -> None:
    uri = "pkcs11:?module-path=" + softhsm.module
    result = _run("keys", "list", "--key", uri)
    assert result.exit_code == 0, result.output
    assert "Token 'UBND Thuận Nam'" in result.output and "object=chữ ký số" in result.output
    assert "private key" not in result.output  # private objects need a login
    logged = _run("keys", "list", "--key", softhsm.uri("edoc-test") + "&pin-source=env:PIN", "--login", "--json",
                  env={"PIN": softhsm.pin})
    objects = json.loads(logged.output)[0]["objects"]
    assert {o["label"] for o in objects if o["kind"] == "private key"} == {"signer-rsa", "signer-ec"}


@pytest.mark.softhsm
def test_test_with_token(softhsm: Any) -> None:
    result = _run("--lang", "en", "keys", "test", "--key", softhsm.uri("UBND Thuận Nam") + "&pin-source=env:PIN",
                  env={"PIN": softhsm.pin})
    assert result.exit_code == 0 and "rsa-pss-sha256" in result.output
