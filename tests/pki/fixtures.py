"""pytest fixtures of the test PKI, its live services and the SoftHSM2 tokens (registered by tests/conftest.py).

- ``pki`` (session): :class:`pki.TestPKI` whose OCSP responders, CRLs and TSA are served over HTTP on
  127.0.0.1 (certomancer's Animator under werkzeug, port 0, a daemon thread) while the session lasts.
- ``pki_files`` (session): a directory with every certificate, key, chain and PKCS#12 file exported.
- ``frozen_now`` (function): the clock frozen (ticking) at :data:`pki.NOW` with time-machine.
- ``softhsm`` (session): SoftHSM2 tokens made by scripts/softhsm-setup.sh in a temporary directory;
  ``SOFTHSM2_CONF`` is set for the whole session. Skips when softhsm2-util or pkcs11-tool is missing.
- ``csc`` (function): a CSC API v2 remote-signing service (:class:`pki.csc.CSCService`) over the PKI's signers on
  ``http://127.0.0.1:PORT/csc/v2``, fresh for each test (its switches change its state);
  ``csc_https``: the same over HTTPS with the session's test TLS CA (``csc_tls``, :mod:`pki.tls`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

import needs
from pki import NOW, TestPKI

REPO = Path(__file__).resolve().parents[2]


class _Dispatch:
    """A WSGI app whose target is set once the PKI (which needs the server's port) is built; it records the
    path of every request (``pki.requests``: tests check what was, and was not, asked)."""

    def __init__(self) -> None:
        self.app: Any = None
        self.requests: list[str] = []

    def __call__(self, environ: Any, start_response: Any) -> Any:
        self.requests.append(str(environ.get("PATH_INFO", "")))
        return self.app(environ, start_response)


@dataclass
class PKIServer:
    url: str
    server: Any
    thread: threading.Thread


@pytest.fixture(scope="session")
def pki() -> Iterator[TestPKI]:
    """The test PKI with live OCSP/CRL/TSA services on 127.0.0.1 (``pki.url_prefix``)."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from werkzeug.serving import make_server

    dispatch = _Dispatch()
    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    test_pki = TestPKI(url)
    test_pki.requests = dispatch.requests  # type: ignore[attr-defined]
    dispatch.app = Animator(AnimatorArchStore(test_pki.config.pki_archs), with_web_ui=False)
    thread = threading.Thread(target=server.serve_forever, name="edoc-test-pki", daemon=True)
    thread.start()
    try:
        yield test_pki
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def pki_files(pki: TestPKI, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every certificate (``LABEL.cert.pem``/``.der``), key, chain and PKCS#12 file of the PKI."""
    return pki.export(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def frozen_now() -> Iterator[Any]:
    """Freeze the clock (ticking) at ``pki.NOW``."""
    import time_machine

    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@dataclass(frozen=True)
class SoftHSM:
    """The SoftHSM2 tokens of scripts/softhsm-setup.sh."""

    module: str
    conf: Path
    pki_dir: Path
    pin: str = "1234"

    def uri(self, token: str = "edoc-test", obj: str | None = None, **attrs: str) -> str:
        """``pkcs11:token=…;object=…?module-path=…`` (values percent-encoded)."""
        parts = [f"token={quote(token, safe='')}"]
        if obj is not None:
            parts.append(f"object={quote(obj, safe='')}")
        parts.extend(f"{k.replace('_', '-')}={v}" for k, v in attrs.items())
        return "pkcs11:" + ";".join(parts) + f"?module-path={self.module}"


@pytest.fixture(scope="session")
def softhsm(pki: TestPKI, pki_files: Path, tmp_path_factory: pytest.TempPathFactory) -> SoftHSM:
    """SoftHSM2 tokens ``edoc-test`` (signer-rsa, signer-ec), ``UBND Thuận Nam`` and ``edoc-mismatch``."""
    from edoc.keys.pkcs11 import find_softhsm_module

    needs.require_tools("softhsm2-util", "pkcs11-tool")
    module = find_softhsm_module()
    if module is None:
        needs.skip("SoftHSM2's PKCS#11 module libsofthsm2.so not found (install it with scripts/setup-system.sh)")
    directory = tmp_path_factory.mktemp("softhsm")
    env = dict(os.environ, PYTHON=sys.executable, EDOC_PKI_DIR=str(pki_files))
    subprocess.run(["bash", str(REPO / "scripts" / "softhsm-setup.sh"), str(directory), pki.url_prefix],
                   check=True, env=env, capture_output=True, timeout=120)
    conf = directory / "softhsm2.conf"
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read by SoftHSM when the module is first loaded
    return SoftHSM(module, conf, pki_files)


@pytest.fixture(scope="session")
def csc_tls(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A test TLS CA and a server certificate for 127.0.0.1/localhost (:class:`pki.tls.TlsMaterial`)."""
    from pki.tls import make_tls

    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def csc(pki: TestPKI) -> Iterator[Any]:
    """A CSC v2 signing service over the PKI's signers on http://127.0.0.1:PORT (:class:`pki.csc.CSCService`)."""
    from pki.csc import CSCService

    with CSCService(pki) as service:
        yield service


@pytest.fixture
def csc_https(pki: TestPKI, csc_tls: Any) -> Iterator[Any]:
    """The CSC v2 signing service over HTTPS; clients must trust ``csc_tls.ca_file``."""
    from pki.csc import CSCService

    with CSCService(pki, tls=csc_tls) as service:
        yield service
