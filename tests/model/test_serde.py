"""JSON/YAML load and save with field-by-field validation errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edoc.errors import EdocError, MalformedFile, ResourceError, ValidationError
from edoc.model import (
    Attachment,
    Document,
    DocumentType,
    dumps_document,
    load_document,
    loads_document,
    save_document,
)
from edoc.samples import thuan_nam_decision


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_save_and_load_round_trip(tmp_path: Path, suffix: str) -> None:
    doc = thuan_nam_decision()
    path = tmp_path / f"doc{suffix}"
    save_document(doc, path)
    assert load_document(path) == doc
    assert not list(tmp_path.glob(".*.part")), "atomic write left a temporary file"


def test_attachment_paths_are_relative_to_the_document_file(tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    pdf = tmp_path / "files" / "qd.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    doc = thuan_nam_decision().replace(attachments=(Attachment(name="qd.pdf", path=pdf,
                                                               content_type="application/pdf"),))
    save_document(doc, tmp_path / "doc.json")
    data = json.loads((tmp_path / "doc.json").read_text(encoding="utf-8"))
    assert data["attachments"][0]["path"] == "files/qd.pdf"
    assert load_document(tmp_path / "doc.json").attachments[0].path == pdf.resolve()


def test_vietnamese_text_is_written_as_text_not_escapes() -> None:
    text = dumps_document(thuan_nam_decision())
    assert "Thuận Nam" in text and "\\u" not in text


def test_every_problem_is_reported_with_its_field() -> None:
    bad = {
        "organ": {"name": "UBND", "colour": "red"},
        "type": "Sắc lệnh",
        "number": "năm",
        "date": "2026/02/30",
        "signer": {"full_name": ["x"]},
        "content": ["Đoạn văn", {"kind": "poem"}, {"kind": "point", "label": "a)", "txt": "x"}],
        "priority": 9,
    }
    with pytest.raises(ValidationError) as info:
        loads_document(json.dumps(bad))
    fields = [p.field for p in info.value.problems]
    assert fields == [
        "organ.colour", "type", "number", "date", "signer.full_name", "content[1].kind", "content[2].txt",
        "priority",
    ]


def test_malformed_json_and_yaml_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "doc.json"
    p.write_text('{\n "summary": "x",\n oops\n}', encoding="utf-8")
    with pytest.raises(MalformedFile) as info:
        load_document(p)
    assert info.value.line == 3 and info.value.path == str(p)
    y = tmp_path / "doc.yaml"
    y.write_text("summary: x\n  - : [\n", encoding="utf-8")
    with pytest.raises(MalformedFile) as yinfo:
        load_document(y)
    assert yinfo.value.line is not None


def test_missing_file_is_a_resource_error(tmp_path: Path) -> None:
    with pytest.raises(ResourceError) as info:
        load_document(tmp_path / "absent.json")
    assert isinstance(info.value, OSError)


def test_yaml_cannot_construct_python_objects() -> None:
    with pytest.raises(EdocError):
        loads_document("!!python/object/apply:os.system ['true']", fmt="yaml")


def test_top_level_must_be_an_object() -> None:
    with pytest.raises(ValidationError):
        loads_document("[1, 2]")


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@settings(max_examples=60, deadline=None)
@given(
    summary=_text,
    number=st.none() | st.integers(1, 10**6),
    notation=_text,
    type_=st.sampled_from(list(DocumentType)),
    places=st.lists(_text, max_size=4),
)
def test_property_round_trip(summary: str, number: int | None, notation: str, type_: DocumentType,
                             places: list[str]) -> None:
    doc = Document(summary=summary, number=number, notation=notation, type=type_, to_places=tuple(places))
    assert loads_document(dumps_document(doc)) == doc
    assert loads_document(dumps_document(doc, fmt="yaml"), fmt="yaml") == doc


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | _text,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                    max_leaves=12))
def test_only_edoc_errors_escape_the_loader(data: object) -> None:
    try:
        loads_document(json.dumps(data))
    except EdocError:
        pass
