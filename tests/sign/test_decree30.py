"""Issue 12 §2: Decree 30 details of the rendered and issued document, read back by independent readers.

Documents are rendered as drafts, approved by the person and issued by the clerk with numbers of 1, 2, 3 and
11 characters; then the page text is read with poppler's ``pdftotext`` and with pypdf (the page content, and
the page "as printed": the widgets' appearances placed where they are drawn), the appearances' font sizes are
read from their streams, and the signatures are checked with pyHanko, edoc's verifier and ``pdfsig``.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.diff_analysis import ModificationLevel
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

import needs
from edoc._adapters.pypdf import add_object
from edoc.errors import InvalidInput
from edoc.model import DocumentType, format_date
from edoc.model.document import Appendix, Document, Paragraph
from edoc.pdf import RenderOptions, render_bytes, render_pdf
from edoc.pdf.layout import vv_line
from edoc.samples import thuan_nam_decision
from edoc.sign import PdfSigningSession, appendix, approve, issue

from ._support import SignPki, make_seal_png, make_signature_png, validate_all

ISSUED_ON = dt.date(2026, 2, 3)
SIGNED_AT = dt.datetime(2026, 2, 3, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))

needs_pdftotext = needs.tools("pdftotext")  # poppler-utils


def cong_van() -> Document:
    """A công văn whose subject already starts with "V/v", with an appendix."""
    return thuan_nam_decision(numbered=False).replace(
        type=DocumentType.CONG_VAN, notation="UBND-VX", summary="V/v tiếp nhận văn bản điện tử qua Trục liên thông",
        greeting=("Các cơ quan, đơn vị thuộc huyện",),
        appendices=(Appendix("Danh sách cơ quan nhận", (Paragraph("Văn phòng HĐND và UBND huyện."),)),))


@pytest.fixture(scope="module")
def sessions(sign_pki: SignPki) -> tuple[PdfSigningSession, PdfSigningSession]:
    return PdfSigningSession(sign_pki.person.signer()), PdfSigningSession(sign_pki.agency.signer())


def _issue(doc: Document, number: int | str, sessions: tuple[PdfSigningSession, PdfSigningSession]) -> bytes:
    person, agency = sessions
    approved = approve(render_bytes(doc), session=person, image=make_signature_png(), signing_time=SIGNED_AT).data
    return issue(approved, session=agency, seal=make_seal_png(), number=number, date=ISSUED_ON,  # type: ignore[no-any-return]
                 signing_time=SIGNED_AT + dt.timedelta(minutes=5)).data


# numbers as written: 1 character (a string number, no padding), 2 (7 → "07"), 3 and 11 characters
NUMBERS = {"1": "5", "2": 7, "3": 127, "11": "12345678901"}


@pytest.fixture(scope="module")
def issued(sessions: tuple[PdfSigningSession, PdfSigningSession]) -> dict[str, bytes]:
    out = {f"qd-{k}": _issue(thuan_nam_decision(numbered=False), n, sessions) for k, n in NUMBERS.items()}
    out["cv-2"] = _issue(cong_van(), 7, sessions)
    return out


def _expected(key: str) -> tuple[str, str, str]:
    number = {"1": "5", "2": "07", "3": "127", "11": "12345678901"}[key.split("-")[1]]
    notation = "UBND-VX" if key.startswith("cv") else "QĐ-UBND"
    kind = "Công văn" if key.startswith("cv") else "Quyết định"
    return number, notation, kind


def _pdftotext(data: bytes, tmp_path: Path, page: int) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    res = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"], capture_output=True,
                         text=True, timeout=60, check=True)
    return res.stdout


def _runs(page: PageObject) -> list[tuple[int, float, str]]:
    runs: list[tuple[int, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            runs.append((round(tm[4] * cm[1] + tm[5] * cm[3] + cm[5]), tm[4] * cm[0] + tm[5] * cm[2] + cm[4], text))

    page.extract_text(visitor_text=visit)
    return runs


def printed_lines(data: bytes, index: int) -> list[str]:
    """pypdf's text of a page as printed: the page's runs and those of its widgets' normal appearances,
    each where it is drawn, joined line by line (same baseline) from left to right."""
    page = PdfReader(BytesIO(data)).pages[index]
    runs = _runs(page)
    for ref in page.get("/Annots", []) or []:
        annot = ref.get_object()
        ap = annot.get("/AP")
        if ap is None or "/N" not in ap or int(annot.get("/F", 0)) & 2:
            continue
        stream = ap["/N"].get_object()
        x1, y1 = (float(v) for v in list(annot["/Rect"])[:2])
        bx1, by1 = (float(v) for v in list(stream.get("/BBox", [0, 0]))[:2])
        blank = PageObject.create_blank_page(width=1000, height=1000)
        content = DecodedStreamObject()
        content.set_data(f"q 1 0 0 1 {x1 - bx1:.3f} {y1 - by1:.3f} cm\n".encode() + stream.get_data() + b"\nQ")
        blank[NameObject("/Contents")] = add_object(PdfWriter(), content)
        if "/Resources" in stream:
            blank[NameObject("/Resources")] = stream["/Resources"]
        runs += _runs(blank)
    lines: dict[int, list[tuple[float, str]]] = {}
    for y, x, text in runs:
        lines.setdefault(y, []).append((x, text))
    return [re.sub(r"\s+", " ", "".join(t for _, t in sorted(v))).strip()
            for _, v in sorted(lines.items(), reverse=True)]


def _widget_sizes(data: bytes) -> dict[str, float]:
    """Reserved text field → the font size its appearance stream sets (``… Tf``)."""
    from edoc.pdf.places import text_field_kind

    out = {}
    for name, field in (PdfReader(BytesIO(data)).get_fields() or {}).items():
        if text_field_kind(name) is None:
            continue
        widget = field.indirect_reference.get_object() if field.indirect_reference else None
        assert widget is not None
        content = widget["/AP"]["/N"].get_object().get_data().decode("latin-1")
        out[name] = float(re.findall(r"([\d.]+) Tf", content)[-1])
    return out


# -- the pieces ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("subject", "printed"), [
    ("tiếp nhận văn bản", "V/v tiếp nhận văn bản"),
    ("V/v tiếp nhận văn bản", "V/v tiếp nhận văn bản"),
    ("v/v tiếp nhận văn bản", "V/v tiếp nhận văn bản"),
    ("V/V: tiếp nhận văn bản", "V/v tiếp nhận văn bản"),
    ("  V / v  tiếp nhận văn bản", "V/v tiếp nhận văn bản"),
    ("V/v. tiếp nhận văn bản", "V/v tiếp nhận văn bản"),
    ("Về việc tiếp nhận văn bản", "V/v tiếp nhận văn bản"),
    ("Vv tiếp nhận", "V/v Vv tiếp nhận"),  # not the prefix
])
def test_vv_line_prints_the_prefix_once(subject: str, printed: str) -> None:
    assert vv_line(subject) == printed


@pytest.mark.parametrize(("day", "text"), [
    (dt.date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
    (dt.date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
    (dt.date(2026, 3, 1), "ngày 01 tháng 3 năm 2026"),
    (dt.date(2026, 9, 28), "ngày 28 tháng 9 năm 2026"),
    (dt.date(2026, 10, 10), "ngày 10 tháng 10 năm 2026"),
    (dt.date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
])
def test_one_date_rule(day: dt.date, text: str) -> None:
    assert format_date(day) == text


@needs_pdftotext
def test_numbered_rendering_prints_dates_by_the_rule_everywhere(tmp_path: Path) -> None:
    doc = thuan_nam_decision().replace(date=dt.date(2026, 9, 8))
    data = render_bytes(doc)
    page1, page2 = _pdftotext(data, tmp_path, 1), _pdftotext(data, tmp_path, 2)
    assert "Thuận Nam, ngày 08 tháng 9 năm 2026" in page1
    assert "ngày 08 tháng 9 năm 2026" in " ".join(page2.split())
    assert "tháng 09" not in page1 + page2


# -- issued documents ------------------------------------------------------------------------------------

@needs_pdftotext
@pytest.mark.parametrize("key", ["qd-1", "qd-2", "qd-3", "qd-11", "cv-2"])
def test_issued_text_reads_as_printed(issued: dict[str, bytes], key: str, tmp_path: Path) -> None:
    number, notation, kind = _expected(key)
    data = issued[key]
    date = format_date(ISSUED_ON)
    # poppler: the number line and the date line, once each, in reading order
    page1 = _pdftotext(data, tmp_path, 1)
    assert f"Số: {number}/{notation}\n" in page1, page1[:400]
    assert f"Thuận Nam, {date}\n" in page1
    appendix_text = " ".join(_pdftotext(data, tmp_path, 2).split())
    assert f"(Kèm theo {kind} số {number}/{notation} {date} của Ủy ban nhân dân huyện Thuận Nam)" \
        in appendix_text, appendix_text
    for text in (page1, appendix_text):
        assert not re.search(r"\b(ngày|tháng|năm|Số:|số) \1\b", text)
    # pypdf: the page content carries each fixed word once and no blank of the draft…
    content = PdfReader(BytesIO(data)).pages[0].extract_text()
    assert content.count(f"/{notation}") == 1 and "Số:" not in content and "ngày tháng" not in content
    # … and the page as printed (with the field appearances where they are drawn) reads as poppler does
    lines = printed_lines(data, 0)
    assert any(f"Số: {number}/{notation}" in line for line in lines), lines[:6]
    assert any(f"Thuận Nam, {date}" in line for line in lines)
    assert f"số {number}/{notation} {date}" in printed_lines(data, 1)


@pytest.mark.parametrize("key", ["qd-1", "qd-3", "qd-11", "cv-2"])
def test_numbers_of_every_width_at_the_body_size(issued: dict[str, bytes], key: str) -> None:
    sizes = _widget_sizes(issued[key])
    assert sizes["edoc.number"] == 13 and sizes["edoc.date"] == 13  # page 1: box 3 and box 4 are 13 pt
    assert sizes["edoc.ref1.number"] == 14 and sizes["edoc.ref1.date"] == 14  # the appendix heading: 14 pt


def test_field_values_are_the_issued_ones(issued: dict[str, bytes]) -> None:
    for key, data in issued.items():
        number = _expected(key)[0]
        values = {k: str(v.get("/V", "")) for k, v in (PdfReader(BytesIO(data)).get_fields() or {}).items()}
        assert values["edoc.number"] == values["edoc.ref1.number"] == number
        assert values["edoc.date"] == values["edoc.ref1.date"] == "ngày 03 tháng 02 năm 2026"


@pytest.mark.parametrize("key", ["qd-1", "qd-3", "qd-11", "cv-2"])
def test_the_person_signature_stays_valid(issued: dict[str, bytes], key: str, sign_pki: SignPki) -> None:
    checks = {c.field: c for c in validate_all(issued[key], sign_pki.root)}
    person, agency = checks["edoc.sig.person"], checks["edoc.sig.agency"]
    assert person.intact and person.valid and person.trusted and person.docmdp_ok
    assert person.modification == ModificationLevel.FORM_FILLING
    assert agency.intact and agency.valid and agency.trusted


def test_edoc_verifier_sees_form_filling(issued: dict[str, bytes], sign_pki: SignPki) -> None:
    from edoc.verify import Verifier
    from edoc.verify.report import Check

    verifier = Verifier(trust=[sign_pki.root], online=False)
    for key in ("qd-11", "cv-2"):
        report = verifier.verify_pdf(issued[key])
        person, agency = report.signatures
        for sig in (person, agency):
            assert (sig.integrity, sig.crypto, sig.chain) == (Check.PASSED, Check.PASSED, Check.PASSED), key
        assert person.modifications is not None and person.modifications.level == "form_filling"


@pytest.mark.tools
def test_pdfsig_finds_both_signatures_valid(issued: dict[str, bytes], sign_pki: SignPki, tmp_path: Path) -> None:
    needs.require_tools("pdfsig", "certutil")
    root = tmp_path / "root.pem"
    root.write_bytes(sign_pki.root.public_bytes(serialization.Encoding.PEM))
    db = tmp_path / "nss"
    db.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True, timeout=60,
                   capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{db}", "-n", "root", "-t", "CT,C,C", "-i", str(root)],
                   check=True, timeout=60, capture_output=True)
    for key in ("qd-1", "qd-11", "cv-2"):
        path = tmp_path / f"{key}.pdf"
        path.write_bytes(issued[key])
        res = subprocess.run(["pdfsig", "-nssdir", f"sql:{db}", str(path)], capture_output=True, text=True,
                             timeout=60)
        assert res.stdout.count("Signature is Valid.") == 2, res.stdout
        assert res.stdout.count("Certificate is Trusted.") == 2, res.stdout


@needs_pdftotext
def test_cong_van_prints_v_v_once(issued: dict[str, bytes], tmp_path: Path) -> None:
    page1 = _pdftotext(issued["cv-2"], tmp_path, 1)
    assert "V/v tiếp nhận văn bản điện tử" in page1
    assert "V/v V/v" not in page1 and page1.count("V/v") == 1


def test_edoc_metadata_reads_the_issued_number_date_and_notation(issued: dict[str, bytes], tmp_path: Path) -> None:
    from edoc.archive.meta import read_metadata

    for key in ("qd-11", "cv-2"):
        number, notation, _ = _expected(key)
        path = tmp_path / f"{key}.pdf"
        path.write_bytes(issued[key])
        fields = read_metadata(path).fields
        assert (fields["CodeNumber"], fields["CodeNotation"], fields["IssuedDate"]) == (
            number.lstrip("0"), notation, "2026-02-03")


# -- drafts and numbered documents ---------------------------------------------------------------------

@needs_pdftotext
def test_the_draft_shows_blanks_once(tmp_path: Path) -> None:
    data = render_bytes(thuan_nam_decision(numbered=False))
    page1 = _pdftotext(data, tmp_path, 1)
    year = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).year
    assert "Số: /QĐ-UBND\n" in page1 and f"Thuận Nam, ngày tháng năm {year}\n" in page1, page1[:300]
    assert "(Kèm theo Quyết định số /QĐ-UBND ngày tháng năm" in " ".join(_pdftotext(data, tmp_path, 2).split())


def test_a_numbered_document_is_issued_without_a_number(
        sessions: tuple[PdfSigningSession, PdfSigningSession], sign_pki: SignPki) -> None:
    person, agency = sessions
    approved = approve(render_bytes(thuan_nam_decision()), session=person, image=make_signature_png()).data
    fields = set(PdfReader(BytesIO(approved)).get_fields() or {})
    assert not fields & {"edoc.number", "edoc.date"}  # nothing reserved: page 1 prints 05 and the date
    calls: list[int] = []

    def numbering() -> int:
        calls.append(1)
        return 6

    with pytest.raises(InvalidInput, match="already carries its number 05") as err:
        issue(approved, session=agency, seal=make_seal_png(), number=6)
    assert "đã có số 05" in (err.value.message_vi or "")
    with pytest.raises(InvalidInput, match="already carries its number"):
        issue(approved, session=agency, seal=make_seal_png(), numbering=numbering)
    assert calls == []
    with pytest.raises(InvalidInput, match="already carries its date"):
        issue(approved, session=agency, seal=make_seal_png(), date=dt.date(2026, 1, 6))
    done = issue(approved, session=agency, seal=make_seal_png()).data  # the agency signature alone
    same = issue(approved, session=agency, seal=make_seal_png(), number=5, date=dt.date(2026, 1, 5)).data
    for data in (done, same):
        checks = {c.field: c for c in validate_all(data, sign_pki.root)}
        assert checks["edoc.sig.person"].intact and checks["edoc.sig.person"].docmdp_ok
        assert checks["edoc.sig.agency"].valid


def test_a_draft_needs_its_number_at_issue(sessions: tuple[PdfSigningSession, PdfSigningSession]) -> None:
    person, agency = sessions
    approved = approve(render_bytes(thuan_nam_decision(numbered=False)), session=person,
                       image=make_signature_png()).data
    with pytest.raises(InvalidInput, match="give the document number"):
        issue(approved, session=agency, seal=make_seal_png())
    for bad in ("123456789012", "1/2", "5 a", ""):
        with pytest.raises(InvalidInput, match="1 to 11 characters"):
            issue(approved, session=agency, seal=make_seal_png(), number=bad)


def test_embedding_the_edxml_in_a_draft_says_why_not(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as err:
        render_pdf(thuan_nam_decision(numbered=False), tmp_path / "d.pdf", options=RenderOptions(embed_xml=True))
    assert "draft cannot carry its edXML message" in err.value.message
    assert "number and date" in err.value.message and err.value.message.count(". ") == 0  # one sentence
    assert "dự thảo" in (err.value.message_vi or "")
    assert not (tmp_path / "d.pdf").exists()


def test_cli_render_embed_xml_on_a_draft(tmp_path: Path) -> None:
    import sys

    from edoc.model import save_document

    src = tmp_path / "draft.json"
    save_document(thuan_nam_decision(numbered=False), src)
    res = subprocess.run([sys.executable, "-m", "edoc", "--lang", "en", "render", str(src), "-o",
                          str(tmp_path / "d.pdf"), "--embed-xml"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 4, res.stderr
    assert "a draft cannot carry its edXML message" in res.stderr and "cannot be sent as edXML" not in res.stderr
    assert "Traceback" not in res.stderr


# -- an appendix in its own file ------------------------------------------------------------------------

@needs_pdftotext
def test_separate_appendix_reference_is_filled_by_the_appendix_act(
        sessions: tuple[PdfSigningSession, PdfSigningSession], sign_pki: SignPki, tmp_path: Path) -> None:
    _, agency = sessions
    result = render_pdf(thuan_nam_decision(numbered=False), tmp_path / "qd.pdf",
                        options=RenderOptions(appendix_separate=True))
    [apath] = result.appendix_paths
    signed = appendix(apath, session=agency, main_number="127/QĐ-UBND", main_date=dt.date(2026, 9, 28)).data
    text = " ".join(_pdftotext(signed, tmp_path, 1).split())
    assert "(Kèm theo Quyết định số 127/QĐ-UBND ngày 28 tháng 9 năm 2026 của Ủy ban nhân dân huyện Thuận Nam)" \
        in text, text
    [check] = validate_all(signed, sign_pki.root)
    assert check.intact and check.valid


@needs_pdftotext
def test_a_word_export_reads_as_printed_too(sessions: tuple[PdfSigningSession, PdfSigningSession],
                                            tmp_path: Path) -> None:
    """A PDF made elsewhere ("Số:        /QĐ-UBND", "ngày      tháng      năm 2026" typed with spaces): the number
    ends at the "/" and the date replaces the typed template on the line."""
    from ._support import make_foreign_pdf

    person, agency = sessions
    approved = approve(make_foreign_pdf(), session=person, image=make_signature_png()).data
    done = issue(approved, session=agency, seal=make_seal_png(), number=127, date=dt.date(2026, 9, 28)).data
    page1 = _pdftotext(done, tmp_path, 1)
    assert "Số: 127/QĐ-UBND\n" in page1, page1[:300]
    assert "Hà Nội, ngày 28 tháng 9 năm 2026\n" in page1
