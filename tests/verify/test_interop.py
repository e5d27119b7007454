"""Documents signed by independent tools: poppler's pdfsig (NSS) and xmlsec1. Skipped when absent."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

import needs
from edoc.verify import Check, Indication, SignatureRole

from .conftest import NOW, VerifyPKI, _issue, make_edxml, make_pdf

Build = Callable[..., Any]


def _run(*args: str) -> None:
    proc = subprocess.run(args, capture_output=True, timeout=60, text=True)
    assert proc.returncode == 0, (args[0], proc.returncode, proc.stdout[-500:], proc.stderr[-1000:])


@needs.tools("pdfsig", "certutil", "pk12util")
def test_pdf_signed_by_pdfsig(tmp_path: Path, vpki: VerifyPKI, verifier_for: Build) -> None:
    """A signature made by poppler's pdfsig (NSS, adbe.pkcs7.detached: poppler 22 cannot add
    ETSI.CAdES.detached) verifies TOTAL_PASSED as the person's.

    The person's key is RSA here (the same subject, under the same root): poppler sizes /Contents from a trial
    signature, and an ECDSA value longer than the trial's fails ("unable update signature") — measured 27 of
    40 runs with the P-256 test key, so eight retries still all failed about one run in 25. An RSA value has
    the key's length every time: one run, no retry, the same checks."""
    nss = tmp_path / "nss"
    nss.mkdir()
    _run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
    person = _issue(vpki.person.cert.subject, rsa.generate_private_key(public_exponent=65537, key_size=2048),
                    vpki.root, ca=False, start=NOW - timedelta(days=30), days=365)
    p12 = tmp_path / "person.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"person", person.key, person.cert, [vpki.root.cert],  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(b"pw")))
    _run("pk12util", "-i", str(p12), "-d", f"sql:{nss}", "-W", "pw", "-K", "")
    src, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(make_pdf(sig_fields=()))
    _run("pdfsig", str(src), str(out), "-add-signature", "-nssdir", f"sql:{nss}", "-nick", "person",
         "-new-signature-field-name", "edoc.sig.person")
    report = verifier_for().verify_pdf(out)
    assert (report.verdict, report.subindication) == (Indication.TOTAL_PASSED, None), report.problems()
    (sig,) = report.signatures
    assert sig.role is SignatureRole.PERSON and sig.integrity is Check.PASSED and sig.crypto is Check.PASSED
    assert sig.signer is not None and sig.signer.identifier("CCCD") == "001099012345"
    assert sig.signer.key_algorithm == "rsa"


@needs.tools("xmlsec1")
def test_edxml_signed_by_xmlsec1(tmp_path: Path, vpki: VerifyPKI, verifier_for: Build, signed_two: bytes) -> None:
    ds = "http://www.w3.org/2000/09/xmldsig#"
    template = (f'<ds:Signature xmlns:ds="{ds}"><ds:SignedInfo>'
                f'<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
                f'<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>'
                f'<ds:Reference URI=""><ds:Transforms>'
                f'<ds:Transform Algorithm="{ds}enveloped-signature"/>'
                f'<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
                f'<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>'
                f'</ds:Reference></ds:SignedInfo><ds:SignatureValue/>'
                f'<ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>').encode()
    msg = make_edxml(signed_two)
    msg = msg.replace(b"</edXML:edXMLHeader>", template + b"</edXML:edXMLHeader>", 1)
    src, out = tmp_path / "in.edxml", tmp_path / "out.edxml"
    src.write_bytes(msg)
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    key.write_bytes(vpki.agency.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    cert.write_bytes(vpki.agency.cert.public_bytes(serialization.Encoding.PEM))
    _run("xmlsec1", "--sign", "--privkey-pem", f"{key},{cert}", "--output", str(out), str(src))
    report = verifier_for().verify_edxml(out)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    assert report.signatures[0].role is SignatureRole.ENVELOPE
    assert report.attachments[0].verdict is Indication.TOTAL_PASSED
