"""Every backend signs through the same interface; every error class is provoked for real."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

import needs
from edoc.errors import KeyBackendError, MalformedFile, ResourceError
from edoc.keys import (
    ECDSA_SHA256,
    ECDSA_SHA384,
    ECDSA_SHA512,
    RSA_PKCS1_SHA256,
    RSA_PKCS1_SHA512,
    RSA_PSS_SHA256,
    RSA_PSS_SHA384,
    AlgorithmRefused,
    AmbiguousKey,
    BackendClosed,
    HashAlgorithm,
    InvalidKeyURI,
    KeyBackend,
    KeyMismatch,
    KeyNotFound,
    ModuleNotFound,
    SignatureAlgorithm,
    SignatureScheme,
    TokenNotFound,
    WrongPassword,
    WrongPIN,
    open_key,
)
from pki import P12_PASSWORD, TestPKI, p12_uri, pem_uri


def _verify_digest(cert_key: object, sig: bytes, digest: bytes, alg: SignatureAlgorithm) -> None:
    pre = Prehashed(alg.hash.cryptography_hash())
    if isinstance(cert_key, ec.EllipticCurvePublicKey):
        cert_key.verify(sig, digest, ec.ECDSA(pre))
    else:
        assert isinstance(cert_key, rsa.RSAPublicKey)
        cert_key.verify(sig, digest, alg.cryptography_padding(), pre)


def _algorithms(key: KeyBackend) -> list[SignatureAlgorithm]:
    if key.default_algorithm.scheme is SignatureScheme.ECDSA:
        return [ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512]
    return [RSA_PSS_SHA256, RSA_PSS_SHA384, RSA_PKCS1_SHA256, RSA_PKCS1_SHA512]


def test_every_backend_signs_data_and_digests(any_key: tuple[str, str | None]) -> None:
    uri, pin = any_key
    with open_key(uri, pin=pin) as key:
        assert isinstance(key, KeyBackend) and not key.closed
        public = key.certificate_crypto.public_key()  # verify with the certificate, not the backend's key
        for alg in _algorithms(key):
            data = os.urandom(100)
            alg.verify(public, key.sign(data, algorithm=alg), data) or pytest.fail(f"{alg} data signature")
            digest = alg.hash.digest(data)
            _verify_digest(public, key.sign_digest(digest, algorithm=alg), digest, alg)
        with pytest.raises(InvalidSignature):
            digest = os.urandom(32)
            _verify_digest(public, key.sign_digest(digest), os.urandom(32), key.default_algorithm)
    assert key.closed
    with pytest.raises(BackendClosed):
        key.sign(b"x")


def test_certificate_and_chain(any_key: tuple[str, str | None], pki: TestPKI) -> None:
    uri, pin = any_key
    with open_key(uri, pin=pin) as key:
        info = key.info()
        assert info.identifiers and info.identifiers[0].split(":")[0] in {"CCCD", "MST"}
        if not uri.startswith("memkey:"):
            assert key.chain[-1].self_issued and len(key.chain) == 2
        assert "1234" not in repr(key) and P12_PASSWORD not in repr(key)


def test_sha1_and_wrong_scheme_refused(any_key: tuple[str, str | None]) -> None:
    uri, pin = any_key
    with open_key(uri, pin=pin) as key:
        scheme = key.default_algorithm.scheme
        with pytest.raises(AlgorithmRefused, match="SHA-1"):
            key.sign(b"x", algorithm=SignatureAlgorithm(scheme, HashAlgorithm.SHA1))
        other = RSA_PSS_SHA256 if scheme is SignatureScheme.ECDSA else ECDSA_SHA256
        with pytest.raises(AlgorithmRefused):
            key.sign(b"x", algorithm=other)
        with pytest.raises(ValueError, match="digest must be 32 bytes"):
            key.sign_digest(b"short", algorithm=key.default_algorithm)


def test_weak_rsa_key_refused(pki_files: Path) -> None:
    with open_key(pem_uri(pki_files, "rsa1024")) as key:
        with pytest.raises(AlgorithmRefused, match="1024 bits"):
            key.sign(b"x")


def test_wrong_pkcs12_password(pki_files: Path) -> None:
    with pytest.raises(WrongPassword) as info:
        open_key(p12_uri(pki_files, "person-rsa"), pin="wrong-password")
    assert "wrong-password" not in str(info.value) and "wrong-password" not in repr(info.value)
    assert info.value.backend and info.value.path


def test_pkcs12_password_from_env_and_callback(pki_files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDOC_P12", P12_PASSWORD)
    with open_key(p12_uri(pki_files, "person-ec") + "?pin-source=env:EDOC_P12") as key:
        assert key.info().subject_common_name == "Trần Thị Bình"
    prompts: list[str] = []
    with open_key(p12_uri(pki_files, "person-ec"), pin=lambda p: prompts.append(p) or P12_PASSWORD):
        pass
    assert prompts == ["Password of person-ec.p12: "]


def test_pem_certificate_key_mismatch(pki_files: Path) -> None:
    uri = f"pem:{pki_files / 'person-rsa.key.pem'}?cert={pki_files / 'agency-rsa.cert.pem'}"
    with pytest.raises(KeyMismatch):
        open_key(uri)


def test_pem_without_certificate(pki_files: Path) -> None:
    with pytest.raises(KeyNotFound, match="cert="):
        open_key(f"pem:{pki_files / 'person-rsa.key.pem'}")


def test_missing_and_malformed_files(pki_files: Path, tmp_path: Path) -> None:
    with pytest.raises(ResourceError):
        open_key(f"pkcs12:{tmp_path / 'absent.p12'}", pin="x")
    junk = tmp_path / "junk.p12"
    junk.write_bytes(b"\x30\x03\x02\x01" + os.urandom(200))
    with pytest.raises(MalformedFile):
        open_key(f"pkcs12:{junk}", pin="x")
    with pytest.raises(MalformedFile):
        open_key(f"pem:{junk}?cert={pki_files / 'person-rsa.cert.pem'}")


def test_unknown_scheme_and_query() -> None:
    with pytest.raises(InvalidKeyURI, match="no key backend"):
        open_key("nosuchscheme:x")
    with pytest.raises(InvalidKeyURI, match="unknown query attribute"):
        open_key("pkcs12:x.p12?cert=y")


def test_builtin_backends_come_from_entry_points() -> None:
    from edoc.keys import available_schemes, backend_class
    from edoc.keys.files import PEMBackend, PKCS12Backend
    from edoc.keys.pkcs11 import PKCS11Backend

    assert {"pem", "pkcs12", "pkcs11"} <= set(available_schemes())
    assert backend_class("pkcs12") is PKCS12Backend
    assert backend_class("pem") is PEMBackend
    assert backend_class("pkcs11") is PKCS11Backend


def test_plugin_is_found_through_entry_points(memkey_plugin: str) -> None:
    from edoc.keys import available_schemes

    assert memkey_plugin in available_schemes()


def test_file_backend_threads(pki_files: Path) -> None:
    _hammer(pem_uri(pki_files, "person-ec"), None)


@pytest.mark.softhsm
def test_softhsm_threads_share_one_session(softhsm: object) -> None:
    _hammer(softhsm.uri("edoc-test", "signer-rsa"), softhsm.pin)  # type: ignore[attr-defined]
    _hammer(softhsm.uri("edoc-test", "signer-ec"), softhsm.pin)  # type: ignore[attr-defined]


def _hammer(uri: str, pin: str | None) -> None:
    errors: list[BaseException] = []
    with open_key(uri, pin=pin) as key:
        public = key.certificate_crypto.public_key()
        alg = key.default_algorithm
        barrier = threading.Barrier(8)

        def work() -> None:
            try:
                barrier.wait()
                for _ in range(25):
                    digest = os.urandom(32)
                    _verify_digest(public, key.sign_digest(digest, algorithm=alg), digest, alg)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors, errors[:3]


# -- PKCS#11 errors provoked against SoftHSM -----------------------------------------------------------------


@pytest.mark.softhsm
def test_wrong_pin(softhsm: object) -> None:
    with pytest.raises(WrongPIN) as info:
        open_key(softhsm.uri("edoc-test", "signer-rsa"), pin="0000")  # type: ignore[attr-defined]
    assert "0000" not in str(info.value) and "0000" not in repr(info.value.args)
    assert isinstance(info.value, ValueError)


@pytest.mark.softhsm
def test_several_candidate_keys_are_listed(softhsm: object) -> None:
    with pytest.raises(AmbiguousKey) as info:
        open_key(softhsm.uri("edoc-test"), pin="1234")  # type: ignore[attr-defined]
    assert len(info.value.candidates) == 2
    assert any("signer-rsa" in c and "Nguyễn Văn An" in c for c in info.value.candidates)


@pytest.mark.softhsm
def test_no_such_key(softhsm: object) -> None:
    with pytest.raises(KeyNotFound, match="signer-rsa"):
        open_key(softhsm.uri("edoc-test", "không-có"), pin="1234")  # type: ignore[attr-defined]


@pytest.mark.softhsm
def test_key_by_id(softhsm: object) -> None:
    with open_key(softhsm.uri("edoc-test", id="%02"), pin="1234") as key:  # type: ignore[attr-defined]
        assert key.default_algorithm == ECDSA_SHA256


@pytest.mark.softhsm
def test_token_absent(softhsm: object) -> None:
    with pytest.raises(TokenNotFound, match="edoc-test"):
        open_key(softhsm.uri("no-such-token"), pin="1234")  # type: ignore[attr-defined]


@pytest.mark.softhsm
def test_token_certificate_mismatch(softhsm: object) -> None:
    with pytest.raises(KeyMismatch):
        open_key(softhsm.uri("edoc-mismatch"), pin="1234")  # type: ignore[attr-defined]


def test_module_not_found(tmp_path: Path) -> None:
    needs.module("pkcs11")  # python-pkcs11 (the edoc[pkcs11] extra)
    with pytest.raises(ModuleNotFound):
        open_key(f"pkcs11:token=x?module-path={tmp_path / 'libnothing.so'}", pin="1")
    bogus = tmp_path / "libbogus.so"
    bogus.write_bytes(b"not a shared object")
    with pytest.raises(ModuleNotFound):
        open_key(f"pkcs11:token=x?module-path={bogus}", pin="1")
    with pytest.raises(ModuleNotFound, match="module-path"):
        open_key("pkcs11:token=x?module-name=edoc-no-such-module", pin="1")


def test_errors_are_key_backend_errors() -> None:
    import edoc.keys.errors as errors

    for name in errors.__all__:
        assert issubclass(getattr(errors, name), KeyBackendError)


@pytest.mark.softhsm
def test_two_backends_on_one_token_share_the_login(softhsm: object) -> None:
    """PKCS#11 keeps the login per application: a second backend on the same token must not log in again,
    and closing the first must not log the second out."""
    first = open_key(softhsm.uri("edoc-test", "signer-rsa"), pin="1234")  # type: ignore[attr-defined]
    second = open_key(softhsm.uri("edoc-test", "signer-ec"), pin="1234")  # type: ignore[attr-defined]
    first.close()
    digest = os.urandom(32)
    _verify_digest(second.certificate_crypto.public_key(), second.sign_digest(digest), digest, ECDSA_SHA256)
    second.close()
    with pytest.raises(WrongPIN):  # the session is gone: a new open logs in (and checks the PIN) again
        open_key(softhsm.uri("edoc-test", "signer-rsa"), pin="9999")  # type: ignore[attr-defined]


@pytest.mark.softhsm
def test_context_specific_login_for_always_authenticate_keys(softhsm: object) -> None:
    """SoftHSM refuses to sign with a CKA_ALWAYS_AUTHENTICATE key without C_Login(CKU_CONTEXT_SPECIFIC)."""
    with open_key(softhsm.uri("edoc-always-auth"), pin="1234") as key:  # type: ignore[attr-defined]
        public = key.certificate_crypto.public_key()
        for _ in range(3):
            data = os.urandom(64)
            assert key.default_algorithm.verify(public, key.sign(data), data)


def test_missing_python_pkcs11_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    from edoc.errors import MissingDependency

    monkeypatch.setitem(sys.modules, "pkcs11", None)  # import pkcs11 -> ImportError
    with pytest.raises(MissingDependency, match=r"edoc\[pkcs11\]"):
        open_key(f"pkcs11:token=x?module-path={tmp_path / 'lib.so'}", pin="1")
