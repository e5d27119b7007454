"""Revocation checked by default (issue 12 §6): the live test OCSP/CRL services of tests/pki, and a recording
HTTP server for what must never be fetched and for responders that fail.

- good, revoked before signing (TOTAL_FAILED/REVOKED), revoked after a time-stamp (TOTAL_PASSED with the
  proof of existence), responder down (INDETERMINATE/TRY_LATER): live services / the recording server;
- a certificate from an untrusted chain naming URLs: nothing is fetched (the servers saw no request);
- embedded data first; redirects to another host, oversized answers and a request budget refused; one
  answer per URL and run.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

import pki as pki_module
from edoc.verify import Check, Indication, SubIndication, Verifier, VerifyPolicy
from edoc.verify.fetch import FetchLimits

from .conftest import add_dss, make_pdf

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


# -- a recording HTTP server ---------------------------------------------------------------------------------
@dataclass
class Recorder:
    """Answers each path as told (default 503) and records every request."""

    url: str
    answers: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)


@pytest.fixture()
def recorder() -> Iterator[Recorder]:
    rec = Recorder("")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            rec.seen.append(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            status, headers, body = rec.answers.get(self.path, (503, {}, b"down for maintenance"))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()


# -- a small PKI whose certificates name the recording server --------------------------------------------------
@dataclass(frozen=True)
class Ident:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def _ident(cn: str, issuer: Ident | None, url: str | None = None, *, ca: bool = False) -> Ident:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer.cert.subject if issuer else name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(NOW - dt.timedelta(days=10)).not_valid_after(NOW + dt.timedelta(days=365))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                                      data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                                      encipher_only=False, decipher_only=False), critical=True))
    if url is not None:
        b = b.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(f"{url}/crl")], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
        b = b.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(f"{url}/ocsp")),
            x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                   x509.UniformResourceIdentifier(f"{url}/issuer.crt"))]), critical=False)
    return Ident(b.sign((issuer or Ident(None, key)).key, hashes.SHA256()), key)  # type: ignore[arg-type]


def _crl(ca: Ident, revoked: list[Ident] = ()) -> bytes:  # type: ignore[assignment]
    b = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
         .last_update(NOW - dt.timedelta(hours=1)).next_update(NOW + dt.timedelta(days=7)))
    for who in revoked:
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(who.cert.serial_number)
                                      .revocation_date(NOW - dt.timedelta(days=1)).build())
    return b.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _der(cert: x509.Certificate) -> Any:
    from asn1crypto import x509 as ax509

    return ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _sign(who: Ident, chain: list[x509.Certificate], *, timestamper: Any = None, data: bytes | None = None) -> bytes:
    from asn1crypto import keys as akeys
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = signers.SimpleSigner(
        signing_cert=_der(who.cert) if isinstance(who.cert, x509.Certificate) else who.cert,
        signing_key=akeys.PrivateKeyInfo.load(who.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs([_der(c) if isinstance(c, x509.Certificate) else c
                                                         for c in chain]))
    out = BytesIO()
    signers.PdfSigner(signers.PdfSignatureMetadata(field_name="edoc.sig.person"), signer=signer,
                      timestamper=timestamper).sign_pdf(IncrementalPdfFileWriter(BytesIO(data or make_pdf())),
                                                        output=out)
    return out.getvalue()


@dataclass(frozen=True)
class Small:
    root: Ident
    leaf: Ident
    stranger_root: Ident
    stranger: Ident


@pytest.fixture()
def small(recorder: Recorder) -> Small:
    root = _ident("Trusted test root", None, ca=True)
    stranger_root = _ident("Untrusted root", None, ca=True)
    return Small(root, _ident("Nguyễn Văn An", root, recorder.url), stranger_root,
                 _ident("Kẻ Lạ", stranger_root, recorder.url))


def _reasons(report: Any) -> list[str]:
    return [m.key for s in report.signatures for m in s.messages]


# -- nothing named by an untrusted file is fetched -----------------------------------------------------------
def test_untrusted_chain_naming_urls_is_never_fetched(small: Small, recorder: Recorder) -> None:
    doc = _sign(small.stranger, [small.stranger_root.cert])
    for trust in ([small.root.cert], []):
        report = Verifier(trust=trust).verify_pdf(doc)  # online: the default
        assert report.verdict is Indication.INDETERMINATE
        assert report.subindication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert recorder.seen == []  # neither its CRL, its OCSP responder nor its issuer (AIA) was asked
    # the control: a certificate of the trusted chain naming the same server is asked about
    Verifier(trust=[small.root.cert]).verify_pdf(_sign(small.leaf, [small.root.cert]))
    assert recorder.seen and set(recorder.seen) <= {"/crl", "/ocsp"}


def test_untrusted_chain_naming_the_live_services_is_never_fetched(pki: Any) -> None:
    """A certificate from an untrusted chain that names the test PKI's own OCSP responder and CRL: the
    test PKI's server sees no request while edoc verifies it, online."""
    ocsp = f"{pki.url_prefix}/vn-test/ocsp/public-ca"
    crl = f"{pki.url_prefix}/vn-test/crls/public-ca/latest.crl"
    root = _ident("Untrusted root", None, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = Ident(x509.CertificateBuilder().subject_name(pki.cert_crypto("person-ec").subject)
                 .issuer_name(root.cert.subject).public_key(key.public_key())
                 .serial_number(x509.random_serial_number())
                 .not_valid_before(NOW - dt.timedelta(days=1)).not_valid_after(NOW + dt.timedelta(days=30))
                 .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                     full_name=[x509.UniformResourceIdentifier(crl)], relative_name=None, reasons=None,
                     crl_issuer=None)]), critical=False)
                 .add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
                     AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp))]), critical=False)
                 .sign(root.key, hashes.SHA256()), key)
    doc = _sign(leaf, [root.cert])
    before = len(pki.requests)
    report = Verifier(trust=[pki.root("person-ec"), pki.root("agency-ec")]).verify_pdf(doc)
    assert report.verdict is Indication.INDETERMINATE
    assert pki.requests[before:] == []


# -- responders ------------------------------------------------------------------------------------------------
def test_responder_down_is_try_later_and_asked_once_per_run(small: Small, recorder: Recorder) -> None:
    verifier = Verifier(trust=[small.root.cert])
    doc = _sign(small.leaf, [small.root.cert])
    first = verifier.verify_pdf(doc)
    assert (first.verdict, first.subindication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)
    assert "revocation.try_later" in _reasons(first) and first.signatures[0].integrity is Check.PASSED
    asked = len(recorder.seen)
    assert asked >= 1
    second = verifier.verify_pdf(_sign(small.leaf, [small.root.cert]))  # another document, same signer
    assert second.subindication is SubIndication.TRY_LATER
    assert len(recorder.seen) == asked  # the failure is the answer for this run: no second timeout


def test_crl_fetched_from_the_ca(small: Small, recorder: Recorder) -> None:
    recorder.answers["/crl"] = (200, {"Content-Type": "application/pkix-crl"}, _crl(small.root))
    report = Verifier(trust=[small.root.cert]).verify_pdf(_sign(small.leaf, [small.root.cert]))
    assert report.verdict is Indication.TOTAL_PASSED, _reasons(report)
    assert report.signatures[0].revocation is Check.PASSED
    recorder.answers["/crl"] = (200, {}, _crl(small.root, [small.leaf]))
    revoked = Verifier(trust=[small.root.cert]).verify_pdf(_sign(small.leaf, [small.root.cert]))
    assert revoked.verdict is not Indication.TOTAL_PASSED and revoked.signatures[0].revocation is Check.FAILED


def test_embedded_data_first(small: Small, recorder: Recorder) -> None:
    doc = add_dss(_sign(small.leaf, [small.root.cert]), _crl(small.root))
    report = Verifier(trust=[small.root.cert]).verify_pdf(doc)
    assert report.verdict is Indication.TOTAL_PASSED, _reasons(report)
    assert recorder.seen == []  # the document's CRL answered: nothing asked


def test_redirects_stay_on_the_host(small: Small, recorder: Recorder) -> None:
    port = recorder.url.rsplit(":", 1)[1]
    recorder.answers["/crl"] = (302, {"Location": f"http://localhost:{port}/elsewhere.crl"}, b"")
    recorder.answers["/elsewhere.crl"] = (200, {}, _crl(small.root))
    away = Verifier(trust=[small.root.cert]).verify_pdf(_sign(small.leaf, [small.root.cert]))
    assert away.subindication is SubIndication.TRY_LATER
    assert "/elsewhere.crl" not in recorder.seen  # "localhost" is another host name: not followed
    recorder.answers["/crl"] = (302, {"Location": "/elsewhere.crl"}, b"")
    same = Verifier(trust=[small.root.cert]).verify_pdf(_sign(small.leaf, [small.root.cert]))
    assert same.verdict is Indication.TOTAL_PASSED, _reasons(same)


def test_oversized_answer_refused(small: Small, recorder: Recorder) -> None:
    recorder.answers["/crl"] = (200, {}, _crl(small.root))
    tight = VerifyPolicy(fetch_limits=FetchLimits(max_bytes=64))
    report = Verifier(trust=[small.root.cert], policy=tight).verify_pdf(_sign(small.leaf, [small.root.cert]))
    assert report.subindication is SubIndication.TRY_LATER
    assert Verifier(trust=[small.root.cert]).verify_pdf(_sign(small.leaf, [small.root.cert])).verdict \
        is Indication.TOTAL_PASSED


def test_offline_never_asks(small: Small, recorder: Recorder) -> None:
    report = Verifier(trust=[small.root.cert], online=False).verify_pdf(_sign(small.leaf, [small.root.cert]))
    assert (report.verdict, report.subindication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)
    assert "revocation.unchecked" in _reasons(report) and recorder.seen == []


# -- the live test PKI: good, revoked before signing, revoked after a time-stamp ------------------------------
def _live_sign(pki: Any, label: str) -> bytes:
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    key = pki.private_key(label)
    stamper = RequestsHTTPTimeStamper(f"{pki.url_prefix}/vn-test/tsa/tsa")
    return _sign(Ident(pki.cert(label), key), list(pki.chain(label)), timestamper=stamper)


def _live_roots(pki: Any) -> list[Any]:
    return [pki.cert(r) for r in pki_module.ROOTS]


def test_live_good_certificate(pki: Any, frozen_now: Any) -> None:
    report = Verifier(trust=_live_roots(pki)).verify_pdf(_live_sign(pki, "person-ec"))
    assert report.verdict is Indication.TOTAL_PASSED, _reasons(report)
    assert report.signatures[0].revocation is Check.PASSED


def test_live_revoked_before_signing_fails(pki: Any, frozen_now: Any) -> None:
    """revoked-early was revoked on 2025-01-01; the TSA proves the signature was made on 2026-06-01."""
    report = Verifier(trust=_live_roots(pki)).verify_pdf(_live_sign(pki, "revoked-early"))
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.REVOKED)
    assert report.signatures[0].revocation is Check.FAILED


def test_live_revoked_after_the_timestamp_passes(pki: Any, frozen_now: Any) -> None:
    """revoked-late is revoked on 2027-01-01; signed (and time-stamped) on 2026-06-01, verified in 2027: the
    time-stamp is the proof of existence before the revocation, so the signature stands."""
    import time_machine

    doc = _live_sign(pki, "revoked-late")
    with time_machine.travel(dt.datetime(2027, 6, 1, tzinfo=dt.timezone.utc), tick=True):
        report = Verifier(trust=_live_roots(pki)).verify_pdf(doc)
        without_proof = Verifier(trust=_live_roots(pki)).verify_pdf(
            _sign(Ident(pki.cert("revoked-late"), pki.private_key("revoked-late")), list(pki.chain("revoked-late"))))
    assert report.verdict is Indication.TOTAL_PASSED, _reasons(report)
    assert "revocation.revoked_after_timestamp" in _reasons(report)
    assert report.signatures[0].revocation is Check.PASSED
    # the same certificate without a time-stamp: nothing proves when it signed
    assert without_proof.verdict is not Indication.TOTAL_PASSED
    assert without_proof.signatures[0].revocation is Check.FAILED


@pytest.mark.parametrize("label", ["person-ec", "revoked-early"])
def test_fast_path_decides_as_pyhanko_with_live_revocation(pki: Any, frozen_now: Any, label: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Time-stamped by the live TSA (its answer carries only the TSA's own certificate: the signature's
    certificates complete the chain, on both paths), verified online and offline."""
    from .test_fastpath import _both

    doc = _live_sign(pki, label)
    for online in (False, True):
        fast, slow = _both(doc, monkeypatch, trust=_live_roots(pki), online=online)
        assert fast == slow
