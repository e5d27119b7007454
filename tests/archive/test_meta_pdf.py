"""Metadata of a PDF archived without edXML or sidecar: what edoc embedded or filled, else what page 1 says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fpdf import FPDF

from edoc.archive.meta import read_metadata
from edoc.pdf import RenderOptions, render_pdf
from edoc.samples import make_demo_pki, make_seal_png, make_signature_png, thuan_nam_decision

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def test_rendered_pdf_gives_number_notation_date_and_type(tmp_path: Path) -> None:
    doc = thuan_nam_decision(numbered=True)
    render_pdf(doc, tmp_path / "qd.pdf")
    meta = read_metadata(tmp_path / "qd.pdf")
    assert meta.source == "pdf"
    assert meta.fields["CodeNumber"] == "05" and meta.fields["CodeNotation"] == "QĐ-UBND"
    assert meta.fields["TypeName"] == "Quyết định"
    assert meta.fields["IssuedDate"] == doc.date.isoformat()
    assert meta.fields["OrganName"] == doc.organ.name


def test_pdfa3_with_embedded_edxml_gives_the_whole_document(tmp_path: Path) -> None:
    doc = thuan_nam_decision(numbered=True)
    render_pdf(doc, tmp_path / "qd.pdf", options=RenderOptions(embed_xml=True))
    meta = read_metadata(tmp_path / "qd.pdf")
    assert meta.fields["OrganId"] == doc.organ.organ_id  # only the edXML carries the organ's code
    assert meta.fields["Subject"] == doc.summary
    assert (meta.fields["CodeNumber"], meta.fields["CodeNotation"]) == ("05", "QĐ-UBND")


def test_issued_pdf_gives_the_number_and_date_the_clerk_filled(tmp_path: Path) -> None:
    """Rendered unnumbered, approved, then issued with number 17 on 2026-03-09: the page text has no number
    (it is in the field the issue act filled), the metadata has it."""
    from edoc.sign import KeySessionFactory, approve, issue

    doc = thuan_nam_decision(numbered=False)
    render_pdf(doc, tmp_path / "draft.pdf")
    pki = make_demo_pki(tmp_path / "keys")
    person = KeySessionFactory(f"pkcs12:{pki.person}", pin=pki.password).open()
    approved = approve(tmp_path / "draft.pdf", session=person,
                       image=make_signature_png(tmp_path / "sig.png")).save(tmp_path / "approved.pdf")
    assert "CodeNumber" not in read_metadata(approved).fields
    agency = KeySessionFactory(f"pkcs12:{pki.agency}", pin=pki.password).open()
    issued = issue(approved, session=agency, seal=make_seal_png(tmp_path / "seal.png"), number=17,
                   date=dt.date(2026, 3, 9)).save(tmp_path / "issued.pdf")
    meta = read_metadata(issued)
    assert (meta.fields["CodeNumber"], meta.fields["CodeNotation"]) == ("17", "QĐ-UBND")
    assert meta.fields["IssuedDate"] == "2026-03-09"


@pytest.mark.parametrize(("lines", "expected"), [
    (["UBND TỈNH NINH THUẬN", "Số: 125/UBND-VP", "Ninh Thuận, ngày 7 tháng 10 năm 2025", "V/v triển khai"],
     {"CodeNumber": "125", "CodeNotation": "UBND-VP", "IssuedDate": "2025-10-07"}),
    (["BỘ TÀI CHÍNH", "Số: 12/2025/QĐ-BTC", "Hà Nội, ngày 31 tháng 12 năm 2025", "QUYẾT ĐỊNH",
      "Về việc quy định phí"],
     {"CodeNumber": "12", "CodeNotation": "2025/QĐ-BTC", "IssuedDate": "2025-12-31", "TypeName": "Quyết định",
      "Subject": "Về việc quy định phí"}),
    (["Không có số", "ngày 31 tháng 02 năm 2025"], {}),  # no number; an impossible date is not taken
])
def test_pdf_from_elsewhere(tmp_path: Path, lines: list[str], expected: dict[str, str]) -> None:
    pdf = FPDF()
    pdf.add_font("serif", fname=FONT)
    pdf.set_font("serif", size=12)
    pdf.add_page()
    for line in lines:
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "word.pdf"))
    fields = read_metadata(tmp_path / "word.pdf").fields
    for key, value in expected.items():
        assert fields.get(key) == value, (key, fields)
    if not expected:
        assert "CodeNumber" not in fields and fields.get("IssuedDate", "").startswith("20")
        assert fields.get("IssuedDate") != "2025-02-31"
