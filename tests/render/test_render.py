"""Rendering: layout positions, fonts and sizes, text extraction, PDF/A self-check and qpdf on our output."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

import needs
from edoc import InvalidInput, Paragraph
from edoc.model import Heading, HeadingLevel, Table
from edoc.pdf import PlaceKind, Renderer, RenderOptions, find_places, render_pdf
from edoc.pdfa import check_pdfa
from edoc.samples import thuan_nam_decision

A4 = (595.28, 841.89)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.fixture(scope="module")
def decision(renderer: Renderer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("render") / "decision.pdf"
    return out, renderer.render(thuan_nam_decision(), out)


def _runs(path: Path, page: int = 0) -> list[tuple[str, float, float, float]]:
    """(text, x, y, size) of each text run on a page (pypdf visitor, PDF points)."""
    runs: list[tuple[str, float, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((text.strip(), x, y, size * abs(tm[0] * cm[0]) or size))

    PdfReader(path).pages[page].extract_text(visitor_text=visit)
    return runs


def _find(runs: list[tuple[str, float, float, float]], start: str) -> tuple[str, float, float, float]:
    hits = [r for r in runs if _norm(r[0]).startswith(start)]
    assert hits, f"{start!r} not found in {[r[0] for r in runs][:40]}"
    return hits[0]


def test_face_and_page(decision: tuple[Path, object]) -> None:
    path, result = decision
    assert result.face in ("Times New Roman", "Liberation Serif", "Tinos")  # type: ignore[attr-defined]
    reader = PdfReader(path)
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (round(A4[0], 1), round(A4[1], 1))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            f = font.get_object()
            assert "+" in str(f["/BaseFont"]), "fonts are embedded as subsets"


def test_boxes_where_the_spec_puts_them(decision: tuple[Path, object]) -> None:
    path, _ = decision
    runs = _runs(path)
    mid = A4[0] / 2
    title = _find(runs, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    motto = _find(runs, "Độc lập - Tự do - Hạnh phúc")
    body = _find(runs, "ỦY BAN NHÂN DÂN HUYỆN")
    number = _find(runs, "Số: 05/QĐ-UBND")
    place = _find(runs, "Thuận Nam, ngày 05 tháng 01 năm 2026")
    type_name = _find(runs, "QUYẾT ĐỊNH")
    recipients = _find(runs, "Nơi nhận:")
    store = _find(runs, "- Lưu: VT, VP.")
    # box 1 top right, box 2 top left, same band
    assert title[1] > mid - 60 and body[1] < mid - 60
    assert title[2] > A4[1] - 25 / 25.4 * 72 - 20 and abs(title[2] - body[2]) < 3
    assert motto[2] < title[2]
    # boxes 3 and 4 on one line, left and right
    assert abs(number[2] - place[2]) < 1 and number[1] < mid < place[1] + 150
    # box 5a under them and centred
    assert type_name[2] < number[2]
    # sizes: title 12, motto 13, number 13, Nơi nhận 12, list 11
    assert round(title[3]) == 12 and round(motto[3]) == 13 and round(number[3]) == 13
    assert round(recipients[3]) == 12 and round(store[3]) == 11
    # left margin 30 mm for the Nơi nhận block
    assert abs(recipients[1] - 30 / 25.4 * 72) < 4  # 30 mm margin plus the 1 mm cell padding


def test_text_extraction_equals_the_model(decision: tuple[Path, object]) -> None:
    path, _ = decision
    needs.require_tools("pdftotext")
    text = _norm(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                check=True).stdout)
    flat = _norm(" ".join(PdfReader(path).pages[i].extract_text() for i in range(len(PdfReader(path).pages))))
    doc = thuan_nam_decision()
    for block in doc.content:
        want = _norm(f"{block.label} {block.text}" if hasattr(block, "label") else block.text)  # type: ignore[union-attr]
        assert want in flat or want in text, want
    for line in (doc.number_line, doc.place_date_line, doc.signer.full_name):  # type: ignore[union-attr]
        assert _norm(line) in flat


def test_pdfa_self_check_and_qpdf_clean(decision: tuple[Path, object]) -> None:
    path, _ = decision
    assert check_pdfa(path) == []
    needs.require_tools("qpdf")  # the self-check above ran; the independent check needs the tool
    proc = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_places_reserved_for_an_unnumbered_document(renderer: Renderer, tmp_path: Path) -> None:
    out = tmp_path / "draft.pdf"
    result = renderer.render(thuan_nam_decision(numbered=False), out)
    kinds = {p.kind for p in result.places}
    assert kinds == {PlaceKind.SIGNATURE, PlaceKind.SEAL, PlaceKind.NUMBER, PlaceKind.DATE}
    found = find_places(out)
    assert {(p.field, p.rect) for p in found} == {(p.field, p.rect) for p in result.places}
    sig, seal = result.place(PlaceKind.SIGNATURE), result.place(PlaceKind.SEAL)
    assert sig is not None and seal is not None
    assert seal.rect[0] < sig.rect[0] < seal.rect[2] < sig.rect[2]  # the seal overlaps the left of 7c
    number = result.place(PlaceKind.NUMBER)
    assert number is not None and number.rect[1] > A4[1] / 2
    assert check_pdfa(out) == []
    reader = PdfReader(out)
    assert "/NeedAppearances" not in reader.trailer["/Root"]["/AcroForm"]


def test_numbered_document_reserves_no_number(decision: tuple[Path, object]) -> None:
    _, result = decision
    assert {p.kind for p in result.places} == {PlaceKind.SIGNATURE, PlaceKind.SEAL}  # type: ignore[attr-defined]


def test_missing_glyph_names_character_and_field(tmp_path: Path) -> None:
    doc = thuan_nam_decision().replace(content=(Paragraph("Ký tự lạ: \U0001d11e"),))
    with pytest.raises(InvalidInput) as info:
        render_pdf(doc, tmp_path / "x.pdf")
    assert info.value.field == "content[0]"
    assert "U+1D11E" in str(info.value)
    assert not (tmp_path / "x.pdf").exists()


def test_long_content_flows_with_page_numbers_and_no_orphan_heading(renderer: Renderer, tmp_path: Path) -> None:
    blocks: list[object] = []
    for i in range(1, 25):
        blocks.append(Heading(f"Điều {i}. Quy định số {i}", HeadingLevel.ARTICLE))
        blocks.append(Paragraph("Cơ quan, tổ chức có trách nhiệm thực hiện quy định này một cách đầy đủ. " * 4))
    blocks.append(Table((("STT", "Nội dung"), ("1", "Tiếp nhận"), ("2", "Xử lý"))))
    doc = thuan_nam_decision().replace(content=tuple(blocks))
    out = tmp_path / "long.pdf"
    result = renderer.render(doc, out)
    assert result.pages >= 3
    reader = PdfReader(out)
    for index in range(1, result.pages):
        runs = _runs(out, index)
        top = max(runs, key=lambda r: r[2])
        assert top[0] == str(index + 1) and abs(top[1] + 3 - A4[0] / 2 - 15 / 2 / 25.4 * 72) < 20
        headings = [r for r in runs if r[0].startswith("Điều ")]
        lowest_text = min(r[2] for r in runs)
        for h in headings:
            assert h[2] > lowest_text, f"heading {h[0]!r} is the last line of page {index + 1}"
    assert "Tiếp nhận" in reader.pages[-1].extract_text() or any(
        "Tiếp nhận" in p.extract_text() for p in reader.pages)
    assert check_pdfa(out) == []


def test_embed_xml_is_pdfa3_with_associated_files(renderer: Renderer, tmp_path: Path) -> None:
    out = tmp_path / "a3.pdf"
    result = Renderer(RenderOptions(embed_xml=True)).render(thuan_nam_decision(), out)
    assert result.conformance == "PDF/A-3b"
    reader = PdfReader(out)
    root = reader.trailer["/Root"]
    assert len(root["/AF"]) == 2
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    specs = {str(names[i]): names[i + 1].get_object() for i in range(0, len(names), 2)}
    assert set(specs) == {"edxml.xml", "metadata.xml"}
    for spec in specs.values():
        assert spec["/AFRelationship"] == "/Data"
        params = spec["/EF"]["/F"].get_object()["/Params"]
        assert {"/Size", "/CreationDate", "/ModDate", "/CheckSum"} <= set(params)
    xmp = root["/Metadata"].get_object()
    assert "/Filter" not in xmp
    assert b"<pdfaid:part>3</pdfaid:part>" in xmp.get_data()
    assert b"pdfaExtension:schemas" in xmp.get_data()
    assert check_pdfa(out) == []
    edxml = specs["edxml.xml"]["/EF"]["/F"].get_object().get_data()
    assert b"05/Q" in edxml or "QĐ-UBND".encode() in edxml


def test_appendix_separate(tmp_path: Path) -> None:
    out = tmp_path / "main.pdf"
    result = render_pdf(thuan_nam_decision(), out, options=RenderOptions(appendix_separate=True))
    assert len(result.appendix_paths) == 1
    text = PdfReader(result.appendix_paths[0]).pages[0].extract_text()
    assert "PHỤ LỤC" in text and "QUY CHẾ TIẾP NHẬN" in text
    assert check_pdfa(result.appendix_paths[0]) == []
    inline = render_pdf(thuan_nam_decision(), tmp_path / "inline.pdf")
    assert inline.pages == result.pages + 1


def test_options_refuse_values_outside_the_decree() -> None:
    with pytest.raises(InvalidInput) as info:
        RenderOptions(body_size=10)
    assert info.value.field == "body_size"
