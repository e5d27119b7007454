"""The edoc test PKI (certomancer, ``certomancer.yml``) and helpers to use it from tests, benchmarks and scripts.

See ``tests/pki/README.md``. Everything here is test material: the keys in ``keys/`` are public test keys.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from asn1crypto import x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from edoc.util.fs import atomic_write_bytes

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "certomancer.yml"
ARCH = "vn-test"
#: The clock tests freeze at when validity windows matter (signers valid 2024-01-01 .. 2030-01-01;
#: ``revoked-early`` revoked 2025-01-01, ``revoked-late`` 2027-01-01).
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)
#: Signers with good certificates: RSA-2048 and ECDSA P-256, a person (CCCD) and an agency (MST) each.
SIGNERS = ("person-rsa", "person-ec", "agency-rsa", "agency-ec")
#: Certificates for negative tests (all with the RSA-2048 key ``misc`` except ``rsa1024``).
NEGATIVE = ("expired", "not-yet-valid", "revoked-early", "revoked-late", "wrong-ku", "sha1", "rsa1024")
ROOTS = ("national-root", "gov-root")
#: Password of the exported PKCS#12 files (non-ASCII on purpose).
P12_PASSWORD = "mật-khẩu-1234"


class TestPKI:
    """The test PKI, with its services announced at ``url_prefix`` (the live server's address).

    :param url_prefix: base URL written into AIA/CRL extensions (``http://127.0.0.1:PORT``).
    """

    __test__ = False  # not a test class

    def __init__(self, url_prefix: str = "http://127.0.0.1:1") -> None:
        from certomancer.registry import ArchLabel, CertomancerConfig

        self.url_prefix = url_prefix.rstrip("/")
        _install_cached_key_backend()
        with _fast_key_loading():
            self.config = CertomancerConfig.from_file(str(CONFIG), external_url_prefix=self.url_prefix)
            self.arch = self.config.get_pki_arch(ArchLabel(ARCH))
            for label in _labels():
                self.cert(label)
            # certomancer builds its certificates as asn1crypto objects and re-serialises them whole each time
            # one is copied into an answer (~50 ms per time-stamp); parsed copies dump their stored bytes
            cache = getattr(self.arch, "_cert_cache", None)
            if isinstance(cache, dict):
                for key, cert in list(cache.items()):
                    cache[key] = x509.Certificate.load(cert.dump())

    @functools.cache  # noqa: B019 - one PKI object per session
    def cert(self, label: str) -> x509.Certificate:
        """The certificate labelled ``label`` (asn1crypto)."""
        from certomancer.registry import CertLabel

        return self.arch.get_cert(CertLabel(label))

    def cert_crypto(self, label: str) -> cx509.Certificate:
        """The certificate as a ``cryptography`` object."""
        return cx509.load_der_x509_certificate(self.cert(label).dump())

    def chain_labels(self, label: str) -> tuple[str, ...]:
        """Labels of the issuers of ``label``, nearest first, root last."""
        from certomancer.registry import CertLabel

        return tuple(str(x) for x in self.arch.get_chain(CertLabel(label)))

    def chain(self, label: str) -> tuple[x509.Certificate, ...]:
        """The issuers of ``label``, nearest first, root last."""
        return tuple(self.cert(x) for x in self.chain_labels(label))

    def root(self, label: str) -> x509.Certificate:
        """The root above ``label``."""
        return self.chain(label)[-1]

    def key_path(self, label: str) -> Path:
        """The private key file of the certificate ``label`` (PKCS#8 PEM)."""
        from certomancer.registry import CertLabel

        spec = self.arch.get_cert_spec(CertLabel(label))
        return HERE / "keys" / f"{spec.subject_key}.key.pem"

    def private_key(self, label: str) -> Any:
        """The ``cryptography`` private key of ``label``."""
        return serialization.load_pem_private_key(self.key_path(label).read_bytes(), None,
                                                  unsafe_skip_rsa_key_validation=True)  # our own test keys

    def export(self, directory: Path) -> Path:
        """Write every certificate (``LABEL.cert.pem``/``.cert.der``), key (``LABEL.key.pem``), chain
        (``LABEL.chain.pem``) and a PKCS#12 file (``LABEL.p12``, password :data:`P12_PASSWORD`) per signer."""
        directory.mkdir(parents=True, exist_ok=True)
        for label in _labels():
            cert = self.cert(label)
            (directory / f"{label}.cert.der").write_bytes(cert.dump())
            (directory / f"{label}.cert.pem").write_bytes(_pem(cert))
            chain = self.chain(label)
            (directory / f"{label}.chain.pem").write_bytes(b"".join(_pem(c) for c in chain))
            if label in SIGNERS or label in NEGATIVE:
                atomic_write_bytes(directory / f"{label}.key.pem", self.key_path(label).read_bytes(), private=True)
                p12 = pkcs12.serialize_key_and_certificates(
                    label.encode(), self.private_key(label), self.cert_crypto(label),
                    [cx509.load_der_x509_certificate(c.dump()) for c in chain],
                    serialization.BestAvailableEncryption(P12_PASSWORD.encode()),
                )
                atomic_write_bytes(directory / f"{label}.p12", p12, private=True)  # key material: 0600
        return directory


def pem_uri(files: Path, label: str) -> str:
    """``pem:`` URI of an exported signer (key, certificate and chain files in ``files``)."""
    return (f"pem:{files / (label + '.key.pem')}?cert={files / (label + '.cert.pem')}"
            f"&chain={files / (label + '.chain.pem')}")


def p12_uri(files: Path, label: str) -> str:
    """``pkcs12:`` URI of an exported signer (password :data:`P12_PASSWORD`)."""
    return f"pkcs12:{files / (label + '.p12')}"


@dataclasses.dataclass(frozen=True)
class Services:
    """The test PKI's services running in another process: their URL prefix and process id."""

    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time the service process has used so far (user + system, Linux ``/proc``)."""
        import os

        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def serve_in_subprocess(directory: Path) -> Iterator[Services]:
    """Serve the PKI's OCSP/CRL/TSA from a process of its own; yields where (:class:`Services`).

    The certificates, keys and PKCS#12 files (made for that URL) are exported to ``directory`` first. A
    benchmark uses this so the services do not share the measuring process's interpreter (and GIL).
    """
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve_child, args=(child, str(directory)), daemon=True)
    proc.start()
    try:
        if not parent.poll(120):
            raise RuntimeError("the test PKI service process did not start")
        url = parent.recv()
        yield Services(url, proc.pid or 0)
    finally:
        proc.terminate()
        proc.join(10)


def _serve_child(conn: Any, directory: str) -> None:
    import logging

    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    class Dispatch:
        app: Any = None

        def __call__(self, environ: Any, start_response: Any) -> Any:
            return self.app(environ, start_response)

    dispatch = Dispatch()
    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    test_pki = TestPKI(f"http://127.0.0.1:{server.server_port}")
    dispatch.app = Animator(AnimatorArchStore(test_pki.config.pki_archs), with_web_ui=False)
    test_pki.export(Path(directory))
    conn.send(test_pki.url_prefix)
    server.serve_forever()


@contextlib.contextmanager
def _fast_key_loading() -> Iterator[None]:
    """While the PKI is built, let certomancer's key loads skip OpenSSL's RSA key check and reuse parsed
    keys (it parses every key at load and the issuer key again for every certificate: ~60 ms each). Test
    keys only; the patch is undone at once. If certomancer changes how it loads keys, this only stops
    being faster."""
    originals = {name: getattr(serialization, name) for name in ("load_der_private_key", "load_pem_private_key")}
    cache: dict[tuple[str, bytes], Any] = {}

    def patched(name: str) -> Any:
        original = originals[name]

        def load(data: bytes, password: bytes | None = None, **kwargs: Any) -> Any:
            if password is not None:
                return original(data, password, **kwargs)
            key = cache.get((name, data))
            if key is None:
                key = cache[(name, data)] = original(data, None, unsafe_skip_rsa_key_validation=True)
            return key

        return load

    for name in originals:
        setattr(serialization, name, patched(name))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(serialization, name, original)


def _install_cached_key_backend() -> None:
    """Let certomancer's services (OCSP, TSA) sign with keys parsed once.

    certomancer parses the responder's private key (with OpenSSL's RSA key check) for every answer it
    signs: ~60 ms of the ~130 ms one time-stamp costs, which made the live test services, not edoc, the
    bottleneck of the tests and of ``benchmarks/archive_bench.py``. Test keys only; process-wide.
    """
    from certomancer import crypto_utils

    if isinstance(crypto_utils.CRYPTO_BACKEND, _cached_backend_class()):
        return
    crypto_utils.CRYPTO_BACKEND = _cached_backend_class()()


@functools.cache
def _cached_backend_class() -> type:
    from certomancer.crypto_utils import PycaCryptographyBackend
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    class CachedKeyBackend(PycaCryptographyBackend):  # type: ignore[misc]
        def __init__(self) -> None:
            self._keys: dict[bytes, Any] = {}

        def generic_sign(self, private_key: Any, tbs_bytes: bytes, sd_algo: Any) -> bytes:
            der = private_key.dump()
            key = self._keys.get(der)
            if key is None:
                key = self._keys[der] = serialization.load_der_private_key(
                    der, None, unsafe_skip_rsa_key_validation=True)
            algo = sd_algo.signature_algo
            if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
                return key.sign(tbs_bytes, padding.PKCS1v15(), getattr(hashes, sd_algo.hash_algo.upper())())
            if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
                return key.sign(tbs_bytes, ec.ECDSA(getattr(hashes, sd_algo.hash_algo.upper())()))
            return super().generic_sign(private_key, tbs_bytes, sd_algo)  # type: ignore[no-any-return]

    return CachedKeyBackend


@functools.lru_cache(maxsize=1)
def _labels() -> list[str]:
    import yaml

    cfg = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return list(cfg["pki-architectures"][ARCH]["certs"])


def _pem(cert: x509.Certificate) -> bytes:
    from asn1crypto import pem

    return pem.armor("CERTIFICATE", cert.dump())


def main(argv: list[str] | None = None) -> int:
    """``python -m pki DIR [--url PREFIX]``: export the test PKI (used by scripts/softhsm-setup.sh)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:1")
    args = parser.parse_args(argv)
    TestPKI(args.url).export(args.directory)
    return 0
