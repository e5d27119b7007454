"""Augmentation to B-LTA and renewal of the document time-stamp, against the live test PKI and TSA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edoc.errors import InvalidInput
from edoc.sign.ltv import add_document_timestamp, augment_to_lta


@pytest.fixture
def signed_pdf(tmp_path: Path, pki: Any, pki_files: Path, frozen_now: Any) -> Path:
    from edoc.pdf import render_pdf
    from edoc.samples import thuan_nam_decision
    from edoc.sign import KeySessionFactory, sign
    from pki import pem_uri

    draft = tmp_path / "doc.pdf"
    render_pdf(thuan_nam_decision(), draft)
    session = KeySessionFactory(pem_uri(pki_files, "agency-rsa")).open()
    return sign(draft, session=session).save(tmp_path / "signed.pdf")


def _verify(path: Path, roots: list[Path]) -> Any:
    from edoc.verify import verify_file

    return verify_file(path, trust=[str(r) for r in roots])


def test_augment_then_renew(signed_pdf: Path, tmp_path: Path, pki: Any, pki_files: Path) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    tsa = f"{pki.url_prefix}/vn-test/tsa/tsa"
    roots = [pki_files / "gov-root.cert.pem", pki_files / "national-root.cert.pem"]
    tsa_ca = [pki_files / "public-ca.cert.pem"]  # the TSA's response carries only its own certificate
    original = signed_pdf.read_bytes()

    lta = tmp_path / "lta.pdf"
    result = augment_to_lta(signed_pdf, lta, tsa_url=tsa, trust=roots, intermediates=tsa_ca)
    data = lta.read_bytes()
    assert data.startswith(original) and len(data) > len(original)
    assert result.level == "B-LTA" and result.timestamp_expiry is not None
    reader = PdfFileReader(lta.open("rb"))
    assert "/DSS" in reader.root
    kinds = [s.sig_object.get("/Type") for s in reader.embedded_signatures]
    assert kinds[-1] == "/DocTimeStamp"
    # the expiry reported (taken from the TSA's token) is that of the certificate in the file's time-stamp
    assert result.timestamp_expiry == reader.embedded_signatures[-1].signer_cert.not_valid_after
    report = _verify(lta, roots)
    assert report.verdict.value == "TOTAL_PASSED", [m.text("en") for m in report.messages]

    renewed = tmp_path / "renewed.pdf"
    again = add_document_timestamp(lta, renewed, tsa_url=tsa, trust=roots, intermediates=tsa_ca)
    assert renewed.read_bytes().startswith(data) and again.level == "renewed"
    stamps = [s for s in PdfFileReader(renewed.open("rb")).embedded_signatures
              if s.sig_object.get("/Type") == "/DocTimeStamp"]
    assert len(stamps) == 2
    assert again.timestamp_expiry == stamps[-1].signer_cert.not_valid_after
    assert _verify(renewed, roots).verdict.value == "TOTAL_PASSED"


def test_augmentation_needs_trust_anchors(signed_pdf: Path, tmp_path: Path, pki: Any) -> None:
    with pytest.raises(InvalidInput, match="trust anchors"):
        augment_to_lta(signed_pdf, tmp_path / "x.pdf", tsa_url=f"{pki.url_prefix}/vn-test/tsa/tsa")
    assert not (tmp_path / "x.pdf").exists()


def test_an_unsigned_pdf_is_refused(tmp_path: Path, pki: Any, pki_files: Path) -> None:
    from edoc.pdf import render_pdf
    from edoc.samples import thuan_nam_decision

    plain = tmp_path / "plain.pdf"
    render_pdf(thuan_nam_decision(), plain)
    with pytest.raises(InvalidInput, match="no signature"):
        augment_to_lta(plain, tmp_path / "x.pdf", tsa_url=f"{pki.url_prefix}/vn-test/tsa/tsa",
                       trust=[pki_files / "gov-root.cert.pem"])
