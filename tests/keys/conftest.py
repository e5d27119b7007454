"""Fixtures of the key backend tests: one URI per backend, all signing through the same interface."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pki import P12_PASSWORD, p12_uri, pem_uri

PLUGIN_SOURCE = '''
"""A tiny third-party backend: memkey:KEY_PATH?cert=CERT_PATH[&chain=CHAIN_PATH] (from scratch on the public
interface)."""
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from edoc.keys import KeyBackend, SignatureScheme


class MemKeyBackend(KeyBackend):
    scheme = "memkey"
    query_attributes = frozenset({"cert", "chain"})

    def __init__(self, key_path, cert_path, chain_path=None):
        super().__init__(name=f"memkey:{key_path}")
        self._paths = (key_path, cert_path, chain_path)
        self._key = None

    @classmethod
    def from_uri(cls, uri, *, pin=None):
        return cls(uri.path, uri.param("cert"), uri.param("chain"))

    def _open(self):
        key_path, cert_path, chain_path = self._paths
        with open(key_path, "rb") as fh:
            self._key = serialization.load_pem_private_key(fh.read(), None)
        with open(cert_path, "rb") as fh:
            cert = x509.load_pem_x509_certificate(fh.read())
        chain = ()
        if chain_path:
            with open(chain_path, "rb") as fh:
                chain = tuple(x509.load_pem_x509_certificates(fh.read()))
        self._set_identity(cert, chain, self._key.public_key())

    def _close(self):
        self._key = None

    def _sign_digest(self, digest, algorithm):
        pre = Prehashed(algorithm.hash.cryptography_hash())
        if algorithm.scheme is SignatureScheme.ECDSA:
            return self._key.sign(digest, ec.ECDSA(pre))
        return self._key.sign(digest, algorithm.cryptography_padding(), pre)
'''


@pytest.fixture(scope="session")
def memkey_plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Install the ``memkey`` plug-in for the session: a module and a dist-info with entry_points.txt on
    sys.path, found through ``importlib.metadata`` exactly as a pip-installed plug-in would be."""
    site = tmp_path_factory.mktemp("plugin-site")
    (site / "edoc_test_memkey.py").write_text(textwrap.dedent(PLUGIN_SOURCE), encoding="utf-8")
    dist = site / "edoc_test_memkey-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: edoc-test-memkey\nVersion: 1.0\n",
                                   encoding="utf-8")
    (dist / "entry_points.txt").write_text("[edoc.backends]\nmemkey = edoc_test_memkey:MemKeyBackend\n",
                                           encoding="utf-8")
    sys.path.insert(0, str(site))
    try:
        yield "memkey"
    finally:
        sys.path.remove(str(site))
        sys.modules.pop("edoc_test_memkey", None)


@pytest.fixture(params=["pem-rsa", "pem-ec", "pkcs12-rsa", "pkcs12-ec", "softhsm-rsa", "softhsm-ec",
                        "softhsm-agency", "plugin-rsa", "plugin-ec"])
def any_key(request: pytest.FixtureRequest, pki_files: Path) -> tuple[str, str | None]:
    """``(uri, pin)`` of every backend kind with RSA and EC keys."""
    kind = request.param
    if kind.startswith("pem"):
        return pem_uri(pki_files, "person-rsa" if kind.endswith("rsa") else "person-ec"), None
    if kind.startswith("pkcs12"):
        return p12_uri(pki_files, "agency-rsa" if kind.endswith("rsa") else "agency-ec"), P12_PASSWORD
    if kind.startswith("plugin"):
        request.getfixturevalue("memkey_plugin")
        label = "person-rsa" if kind.endswith("rsa") else "agency-ec"
        return (f"memkey:{pki_files / (label + '.key.pem')}?cert={pki_files / (label + '.cert.pem')}"
                f"&chain={pki_files / (label + '.chain.pem')}", None)
    request.applymarker(pytest.mark.softhsm)
    hsm = request.getfixturevalue("softhsm")
    if kind == "softhsm-agency":
        return hsm.uri("UBND Thuận Nam"), hsm.pin  # the only key on a token with a non-ASCII label
    return hsm.uri("edoc-test", "signer-rsa" if kind.endswith("rsa") else "signer-ec"), hsm.pin
