"""The signing acts on a Word-export-like PDF (anchors) and the issuance order approve → issue."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.sign.diff_analysis import ModificationLevel
from pypdf import PdfReader

import needs
from edoc.errors import InvalidInput, MalformedFile
from edoc.model.document import VIETNAM_TZ, format_date
from edoc.sign import CopyForm, PdfSigningSession, appendix, approve, copy, find_text, iso_time, issue, sign
from edoc.sign.appearance import default_font

from ._support import SignPki, make_foreign_pdf, make_seal_png, make_signature_png, validate_all


@pytest.fixture(scope="module")
def sessions(sign_pki: SignPki) -> tuple[PdfSigningSession, PdfSigningSession]:
    return PdfSigningSession(sign_pki.person.signer()), PdfSigningSession(sign_pki.agency.signer())


@pytest.fixture(scope="module")
def issued(sessions: tuple[PdfSigningSession, PdfSigningSession]) -> tuple[bytes, bytes]:
    person, agency = sessions
    approved = approve(make_foreign_pdf(), session=person, image=make_signature_png()).data
    done = issue(approved, session=agency, seal=make_seal_png(36.0), number=5, date=dt.date(2026, 1, 5)).data
    return approved, done


def _page_text(data: bytes) -> str:
    return PdfReader(BytesIO(data)).pages[0].extract_text()


def _annot_values(data: bytes) -> dict[str, str]:
    reader = PdfReader(BytesIO(data))
    return {k: str(v.get("/V", "")) for k, v in (reader.get_fields() or {}).items()}


def test_approve_certifies_and_reserves_the_places(issued: tuple[bytes, bytes], sign_pki: SignPki) -> None:
    approved, _ = issued
    [check] = validate_all(approved, sign_pki.root)
    assert check.field == "edoc.sig.person"
    assert check.intact and check.valid and check.trusted
    fields = _annot_values(approved)
    assert {"edoc.number", "edoc.date", "edoc.sig.agency"} <= set(fields)
    assert fields["edoc.number"] == ""
    reader = PdfReader(BytesIO(approved))
    widget = (reader.get_fields() or {})["edoc.sig.person"].indirect_reference.get_object()
    widget = widget["/Kids"][0].get_object() if "/Kids" in widget else widget
    top, bottom = float(widget["/Rect"][3]), float(widget["/Rect"][1])
    [position] = find_text(approved, "CHỦ TỊCH", default_font())
    [name] = find_text(approved, "Nguyễn Văn An", default_font())
    assert name.rect[3] < bottom < top < position.rect[1]  # between the position line and the name
    perms = reader.trailer["/Root"]["/Perms"]["/DocMDP"].get_object()
    assert perms["/Reference"][0]["/TransformParams"]["/P"] == 2


def test_issue_keeps_the_person_valid_and_is_permitted(issued: tuple[bytes, bytes], sign_pki: SignPki) -> None:
    _, done = issued
    checks = {c.field: c for c in validate_all(done, sign_pki.root)}
    person, agency = checks["edoc.sig.person"], checks["edoc.sig.agency"]
    assert person.intact and person.valid and person.trusted
    assert person.docmdp_ok is True
    assert person.modification == ModificationLevel.FORM_FILLING
    assert agency.intact and agency.valid and agency.trusted
    assert agency.modification == ModificationLevel.NONE
    values = _annot_values(done)
    assert values["edoc.number"] == "05"
    assert values["edoc.date"] == "ngày 05 tháng 01 năm 2026"


def test_seal_is_real_size_and_overlaps_the_left_third(issued: tuple[bytes, bytes]) -> None:
    _, done = issued
    reader = PdfReader(BytesIO(done))
    fields = reader.get_fields() or {}
    person = [float(v) for v in fields["edoc.sig.person"].indirect_reference.get_object()["/Kids"][0]
              .get_object()["/Rect"]] if "/Kids" in fields["edoc.sig.person"].indirect_reference.get_object() \
        else [float(v) for v in fields["edoc.sig.person"].indirect_reference.get_object()["/Rect"]]
    agency_widget = fields["edoc.sig.agency"].indirect_reference.get_object()
    ap = agency_widget["/AP"]["/N"].get_object()
    data = ap.get_data().decode("latin-1")
    m = re.search(r"q ([\d.]+) 0 0 ([\d.]+) ([-\d.]+) ([-\d.]+) cm /Im0 Do Q", data)
    assert m, data
    w, _h, x, _y = (float(g) for g in m.groups())
    assert w == pytest.approx(36.0 * 72 / 25.4, abs=0.1)  # 36 mm
    arect = [float(v) for v in agency_widget["/Rect"]]
    seal_right = arect[0] + x + w
    person_third = person[0] + (person[2] - person[0]) / 3
    assert seal_right == pytest.approx(person_third, abs=0.5)


def test_issue_numbering_callback_is_called_once(sessions: tuple[PdfSigningSession, PdfSigningSession]) -> None:
    person, agency = sessions
    approved = approve(make_foreign_pdf(), session=person, image=make_signature_png()).data
    calls: list[int] = []

    def next_number() -> int:
        calls.append(1)
        return 12

    out = issue(approved, session=agency, seal=make_seal_png(), numbering=next_number)
    assert calls == [1]
    values = _annot_values(out.data)
    assert values["edoc.number"] == "12"
    today = out.signing_time.astimezone(VIETNAM_TZ).date()
    assert values["edoc.date"] == format_date(today)  # the decree's rule: months 1 and 2 padded, others not


def test_appearance_time_equals_signing_time(sessions: tuple[PdfSigningSession, PdfSigningSession],
                                             sign_pki: SignPki) -> None:
    _, agency = sessions
    out = appendix(make_foreign_pdf(with_anchors=False), session=agency, main_number="05/QĐ-UBND")
    [check] = validate_all(out.data, sign_pki.root)
    assert check.valid and check.field == "edoc.sig.appendix"
    assert check.signing_time == out.signing_time
    text = _page_text(out.data) + "\n" + _widget_text(out.data, "edoc.sig.appendix")
    assert iso_time(out.signing_time) in text
    assert "Số: 05/QĐ-UBND" in text
    assert iso_time(out.signing_time).endswith("+07:00")


def _widget_text(data: bytes, field: str) -> str:
    """Text shown by a widget's appearance: its hex strings decoded through the font's ToUnicode map."""
    reader = PdfReader(BytesIO(data))
    widget = (reader.get_fields() or {})[field].indirect_reference.get_object()
    ap = widget["/AP"]["/N"].get_object()
    font = ap["/Resources"]["/Font"]["/F0"].get_object()
    cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
    table = {int(g, 16): chr(int(u, 16)) for g, u in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})>", cmap)}
    lines = []
    for hexstr in re.findall(r"<([0-9A-F]+)> Tj", ap.get_data().decode("latin-1")):
        lines.append("".join(table[int(hexstr[i:i + 4], 16)] for i in range(0, len(hexstr), 4)))
    return "\n".join(lines)


def test_copy_text_and_form(sessions: tuple[PdfSigningSession, PdfSigningSession], sign_pki: SignPki) -> None:
    _, agency = sessions
    out = copy(make_foreign_pdf(), session=agency, form="sao lục", copying_body="Văn phòng UBND tỉnh")
    text = _widget_text(out.data, "edoc.sig.copy")
    assert "SAO LỤC" in text and "Văn phòng UBND tỉnh" in text and iso_time(out.signing_time) in text
    [check] = validate_all(out.data, sign_pki.root)
    assert check.valid and check.trusted
    with pytest.raises(InvalidInput):
        copy(make_foreign_pdf(), session=agency, form=CopyForm.SAO_Y, copying_body="  ")
    with pytest.raises(InvalidInput):
        copy(make_foreign_pdf(), session=agency, form="BẢN CHỤP", copying_body="X")


def test_plain_sign_invisible_rect_and_anchor(sessions: tuple[PdfSigningSession, PdfSigningSession],
                                              sign_pki: SignPki, signature_png: Path) -> None:
    person, _ = sessions
    invisible = sign(make_foreign_pdf(), session=person)
    reader = PdfReader(BytesIO(invisible.data))
    widget = (reader.get_fields() or {})["Signature1"].indirect_reference.get_object()
    assert [float(v) for v in widget["/Rect"]] == [0, 0, 0, 0]
    boxed = sign(make_foreign_pdf(), session=person, page=0, rect=(100, 100, 260, 160), image=signature_png,
                 text="Người ký: {signer}\n{time}")
    text = _widget_text(boxed.data, "Signature1")
    assert "Nguyễn Văn An" in text and iso_time(boxed.signing_time) in text
    anchored = sign(make_foreign_pdf(), session=person, anchor="QUYẾT ĐỊNH", field_name="Ký")
    widget = (PdfReader(BytesIO(anchored.data)).get_fields() or {})["Ký"].indirect_reference.get_object()
    rect = [float(v) for v in widget["/Rect"]]
    assert rect[3] < 842 - 50 * 72 / 25.4  # under the title line (50 mm from the top)
    for data in (invisible.data, boxed.data, anchored.data):
        assert all(c.valid and c.trusted for c in validate_all(data, sign_pki.root))


def test_no_place_is_a_clear_error(sessions: tuple[PdfSigningSession, PdfSigningSession]) -> None:
    person, agency = sessions
    bare = make_foreign_pdf(with_anchors=False)
    with pytest.raises(InvalidInput, match="no place for the signature"):
        approve(bare, session=person, image=make_signature_png())
    with pytest.raises(InvalidInput, match="anchor text"):
        sign(bare, session=person, anchor="không có ở đây")
    with pytest.raises(InvalidInput, match="no place for the seal"):
        issue(bare, session=agency, seal=make_seal_png(), number=1)


def test_issue_refuses_what_would_break_the_person(sessions: tuple[PdfSigningSession, PdfSigningSession]) -> None:
    person, agency = sessions
    signed_elsewhere = sign(make_foreign_pdf(), session=person).data  # signed, no reserved places
    with pytest.raises(InvalidInput, match="no reserved places"):
        issue(signed_elsewhere, session=agency, seal=make_seal_png(), number=3, box=(0, (300, 300, 400, 400)))


def test_approve_refuses_second_certification(issued: tuple[bytes, bytes],
                                              sessions: tuple[PdfSigningSession, PdfSigningSession]) -> None:
    with pytest.raises(InvalidInput, match="already signed"):
        approve(issued[0], session=sessions[0], image=make_signature_png())


@pytest.mark.parametrize("junk", [b"", b"%PDF-1.7\n", b"not a pdf at all", b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF"])
def test_hostile_input_is_malformed_file(junk: bytes, sessions: tuple[PdfSigningSession, PdfSigningSession]) -> None:
    with pytest.raises((MalformedFile, InvalidInput)):
        sign(junk, session=sessions[0])


def test_multi_page_incremental_only(sessions: tuple[PdfSigningSession, PdfSigningSession]) -> None:
    original = make_foreign_pdf(pages=3)
    out = sign(original, session=sessions[0]).data
    assert out.startswith(original)  # an incremental update: the original bytes are untouched


@pytest.mark.tools
@needs.tools("qpdf")
def test_qpdf_check_after_every_act(issued: tuple[bytes, bytes], tmp_path: Path) -> None:
    for i, data in enumerate(issued):
        path = tmp_path / f"{i}.pdf"
        path.write_bytes(data)
        res = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stdout + res.stderr


def test_places_on_a_later_page(sessions: tuple[PdfSigningSession, PdfSigningSession], sign_pki: SignPki) -> None:
    person, agency = sessions
    approved = approve(make_foreign_pdf(pages=3), session=person, image=make_signature_png(),
                       box=(2, (320.0, 150.0, 500.0, 230.0))).data
    done = issue(approved, session=agency, seal=make_seal_png(), number=9).data
    reader = PdfReader(BytesIO(done))
    fields = reader.get_fields() or {}
    for name in ("edoc.sig.person", "edoc.sig.agency"):
        widget = fields[name].indirect_reference.get_object()
        widget = widget["/Kids"][0].get_object() if "/Kids" in widget else widget
        assert widget.raw_get("/P").idnum == reader.pages[2].indirect_reference.idnum, name
    assert all(c.valid and c.trusted for c in validate_all(done, sign_pki.root))


def test_after_certification_only_invisible_signatures(issued: tuple[bytes, bytes], sign_pki: SignPki,
                                                       sessions: tuple[PdfSigningSession, PdfSigningSession]) -> None:
    person, _ = sessions
    with pytest.raises(InvalidInput, match="certified"):
        sign(issued[1], session=person, page=0, rect=(50, 50, 150, 100))
    out = sign(issued[1], session=person, field_name="Reviewer").data
    checks = {c.field: c for c in validate_all(out, sign_pki.root)}
    assert checks["edoc.sig.person"].docmdp_ok and checks["edoc.sig.person"].valid
    assert checks["Reviewer"].valid
