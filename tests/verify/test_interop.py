"""Documents signed by independent tools: poppler's pdfsig (NSS) and xmlsec1. Skipped when absent."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

import needs
from edoc.verify import Check, Indication, SignatureRole

from .conftest import VerifyPKI, make_edxml, make_pdf

Build = Callable[..., Any]


def _run(*args: str) -> None:
    proc = subprocess.run(args, capture_output=True, timeout=60, text=True)
    assert proc.returncode == 0, (args[0], proc.returncode, proc.stdout[-500:], proc.stderr[-1000:])


@needs.tools("pdfsig", "certutil", "pk12util")
def test_pdf_signed_by_pdfsig(tmp_path: Path, vpki: VerifyPKI, verifier_for: Build) -> None:
    nss = tmp_path / "nss"
    nss.mkdir()
    _run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
    p12 = tmp_path / "person.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"person", vpki.person.key, vpki.person.cert, [vpki.root.cert],  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(b"pw")))
    _run("pk12util", "-i", str(p12), "-d", f"sql:{nss}", "-W", "pw", "-K", "")
    src, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(make_pdf(sig_fields=()))
    args = ["pdfsig", str(src), str(out), "-add-signature", "-nssdir", f"sql:{nss}", "-nick", "person",
            "-new-signature-field-name", "edoc.sig.person"]
    # adbe.pkcs7.detached (poppler 22 cannot add ETSI.CAdES.detached signatures). poppler sizes /Contents
    # from a trial signature; an ECDSA value one byte longer than the trial fails ("unable update
    # signature"), so retry a few times
    for _attempt in range(8):
        proc = subprocess.run(args, capture_output=True, timeout=60, text=True)
        if proc.returncode == 0 or "unable update signature" not in proc.stderr:
            break
    assert proc.returncode == 0, proc.stderr[-1000:]
    report = verifier_for().verify_pdf(out)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    (sig,) = report.signatures
    assert sig.role is SignatureRole.PERSON and sig.integrity is Check.PASSED


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
