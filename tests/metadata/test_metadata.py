"""National metadata XML: valid against our XSD, lengths enforced with the field named."""

from __future__ import annotations

import datetime as dt

import pytest

from edoc.errors import ValidationError
from edoc.metadata import FileCode, Record, document_metadata_xml, record_metadata_xml, schema
from edoc.samples import thuan_nam_decision
from edoc.util.xml import parse_xml


def test_document_metadata_validates() -> None:
    data = document_metadata_xml(thuan_nam_decision(), file_code=FileCode("000.10.32.H43", 2026, "01.VP"),
                                 doc_ordinal=1)
    tree = parse_xml(data)
    schema().assertValid(tree)
    text = data.decode()
    assert "<CodeNumber>05</CodeNumber>" in text and "<IssuedDate>2026-01-05</IssuedDate>" in text


def test_record_metadata_validates() -> None:
    rec = Record(FileCode("000.10.32.H43", 2026, "01.VP"), "Hồ sơ văn bản đi năm 2026", "Vĩnh viễn",
                 start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31), doc_total=3, page_total=9)
    schema().assertValid(parse_xml(record_metadata_xml(rec)))


def test_too_long_is_an_error_naming_the_field() -> None:
    doc = thuan_nam_decision()
    doc = doc.replace(signer=doc.signer.replace(full_name="Nguyễn " * 10))  # type: ignore[union-attr]
    with pytest.raises(ValidationError) as info:
        document_metadata_xml(doc)
    assert [p.field for p in info.value.problems] == ["signer.full_name"]


def test_schema_refuses_a_long_value() -> None:
    data = record_metadata_xml(Record(FileCode("X", 2026, "1"), "T", "10 năm"))
    bad = data.replace(b"<Maintenance>10 n", b"<Maintenance>" + b"x" * 40 + b"10 n")
    assert not schema().validate(parse_xml(bad))
