"""The document model: national strings, rules, NFC, immutability."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date

import pytest

from edoc.errors import EdocError, InvalidInput, ValidationError
from edoc.model import (
    Authority,
    Document,
    DocumentType,
    Organ,
    Priority,
    Secrecy,
    Signer,
    StatusCode,
    format_document_id,
    format_number_line,
    format_place_date,
)
from edoc.samples import thuan_nam_decision


@pytest.mark.parametrize(
    ("number", "notation", "expected"),
    [
        (5, "QĐ-UBND", "Số: 05/QĐ-UBND"),
        (12, "UBND-VX", "Số: 12/UBND-VX"),
        (7816, "VPCP-TTĐT", "Số: 7816/VPCP-TTĐT"),
        (None, "QĐ-UBND", "Số:     /QĐ-UBND"),
    ],
)
def test_number_line(number: int | None, notation: str, expected: str) -> None:
    assert format_number_line(number, notation) == expected


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (date(2026, 1, 5), "Thuận Nam, ngày 05 tháng 01 năm 2026"),
        (date(2020, 2, 29), "Thuận Nam, ngày 29 tháng 02 năm 2020"),
        (date(2020, 3, 5), "Thuận Nam, ngày 05 tháng 3 năm 2020"),
        (date(2025, 12, 31), "Thuận Nam, ngày 31 tháng 12 năm 2025"),
    ],
)
def test_place_date(when: date, expected: str) -> None:
    assert format_place_date("Thuận Nam", when) == expected


def test_undated_place_date_leaves_blanks_for_the_clerk() -> None:
    line = format_place_date("Hà Nội", None)
    assert line.startswith("Hà Nội, ngày ") and " tháng " in line and " năm 20" in line
    assert not any(ch.isdigit() for ch in line.split("năm")[0])


def test_document_id() -> None:
    assert format_document_id("000.00.00.G22", date(2015, 9, 30), 7816, "VPCP-TTĐT") == (
        "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    )
    doc = thuan_nam_decision()
    assert doc.document_id == "000.10.32.H43,2026/01/05,05/QĐ-UBND"
    assert doc.replace(document_id_override="x").document_id == "x"


def test_sample_is_complete_and_frozen() -> None:
    doc = thuan_nam_decision()
    assert doc.problems() == []
    assert doc.check() is doc
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.summary = "x"  # type: ignore[misc]


def test_text_is_normalised_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Quyết định")
    organ = Organ(name=decomposed)
    assert organ.name == "Quyết định" and unicodedata.is_normalized("NFC", organ.name)
    doc = Document(organ=organ, to_places=[decomposed])  # type: ignore[arg-type]
    assert doc.to_places == ("Quyết định",)


def test_problems_name_each_field() -> None:
    doc = Document(
        organ=Organ(organ_id="000.00.G22", name=""),
        type=DocumentType.QUYET_DINH,
        notation="CV UBND",
        summary="x" * 501,
        recipients=(Organ(organ_id="000.00.00.H43"), Organ(organ_id="000.00.00.H43")),
    )
    fields = {p.field for p in doc.problems()}
    assert {"organ.name", "organ.organ_id", "notation", "summary", "recipients[1].organ_id"} <= fields
    with pytest.raises(ValidationError) as info:
        doc.check()
    assert isinstance(info.value, ValueError) and isinstance(info.value, EdocError)
    assert len(info.value.problems) >= 5


def test_letter_needs_no_type_abbreviation() -> None:
    doc = Document(organ=Organ(name="UBND"), type=DocumentType.CONG_VAN, notation="UBND-VX", number=12)
    assert doc.problems() == []
    assert DocumentType.CONG_VAN.abbreviation is None and DocumentType.CONG_VAN.is_letter


def test_signer_lines_and_competence() -> None:
    signer = Signer(full_name="Nguyễn Văn An", position="Phó Chủ tịch", authority=Authority.KT,
                    authority_of="Chủ tịch")
    assert signer.title_lines() == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert signer.competence == "KT. Chủ tịch"
    assert Signer(full_name="A", position="Chủ tịch").title_lines() == ("CHỦ TỊCH",)


@pytest.mark.parametrize(
    ("cls", "value", "member"),
    [
        (DocumentType, "QĐ", DocumentType.QUYET_DINH),
        (DocumentType, "quyết định", DocumentType.QUYET_DINH),
        (DocumentType, "QUYET_DINH", DocumentType.QUYET_DINH),
        (DocumentType, "QyĐ", DocumentType.QUY_DINH),
        (Authority, "TM", Authority.TM),
        (Authority, "KT.", Authority.KT),
        (Priority, 3, Priority.EXPRESS),
        (Priority, "HỎA TỐC", Priority.EXPRESS),
        (Secrecy, "TỐI MẬT", Secrecy.TOI_MAT),
        (StatusCode, "03", StatusCode.ACCEPTED),
        (StatusCode, "3", StatusCode.ACCEPTED),
        (StatusCode, "Đã đến", StatusCode.ARRIVED),
    ],
)
def test_enum_parsing_accepts_names_codes_and_vietnamese(cls, value, member) -> None:  # type: ignore[no-untyped-def]
    assert cls.parse(value) is member


def test_unknown_enum_value_is_an_input_error_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as info:
        DocumentType.parse("Sắc lệnh", field="type")
    assert info.value.field == "type" and "Sắc lệnh" in str(info.value)


def test_every_type_but_letters_has_an_abbreviation() -> None:
    for t in DocumentType:
        assert (t.abbreviation is None) == t.is_letter
