"""The pypdf adapter (edoc._adapters.pypdf) fails here, loudly, on an upgrade that breaks it: the installed pypdf
is the one it was written for, the private names it uses keep their shape, and the public behaviour edoc
relies on instead of a private name (a cloned writer keeps the file identifier) still holds."""

from __future__ import annotations

import importlib
import inspect
import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, IndirectObject, NameObject

from edoc._adapters import pypdf as adapter


def test_installed_version_is_the_one_the_adapter_was_written_for() -> None:
    assert adapter.version_problems() == []


def test_the_range_matches_pyproject() -> None:
    from pathlib import Path

    project = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8")
    lo, hi = adapter.PYPDF_VERSIONS
    assert f'"pypdf>={lo},<{hi}"' in project


@pytest.mark.parametrize(("cls", "name", "params"), adapter.PRIVATE_NAMES,
                         ids=[f"{c}.{n}" for c, n, _ in adapter.PRIVATE_NAMES])
def test_private_name_still_has_its_shape(cls: str, name: str, params: tuple[str, ...] | None) -> None:
    module, _, klass = cls.rpartition(".")
    owner = getattr(importlib.import_module(module), klass)
    if params is None:
        assert hasattr(owner(), name), f"{cls}().{name} is gone: update edoc._adapters.pypdf"
    else:
        assert list(inspect.signature(getattr(owner, name)).parameters)[:len(params)] == list(params)


def test_add_object_makes_an_indirect_object_once() -> None:
    writer = PdfWriter()
    stream = DecodedStreamObject()
    stream.set_data(b"q Q")
    ref = adapter.add_object(writer, stream)
    assert isinstance(ref, IndirectObject) and ref.get_object() is stream
    assert adapter.add_object(writer, stream) == ref  # already the writer's: the same reference


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_drop_unreachable_forgets_a_removed_page_and_its_content() -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    page = writer.add_blank_page(100, 100)
    content = DecodedStreamObject()
    content.set_data(b"% the scratch page's content")
    page[NameObject("/Contents")] = adapter.add_object(writer, content)
    kept = DictionaryObject({NameObject("/Edoc"): NameObject("/Kept")})
    writer.root_object[NameObject("/EdocKept")] = adapter.add_object(writer, kept)
    writer.add_metadata({"/Title": "info stays"})
    del writer.pages[1]
    assert b"scratch page's content" in _written(writer)  # pypdf writes what nothing reaches any more
    adapter.drop_unreachable(writer)
    data = _written(writer)
    assert b"scratch page's content" not in data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 and reader.metadata is not None and reader.metadata.title == "info stays"
    assert reader.trailer["/Root"]["/EdocKept"]["/Edoc"] == "/Kept"


# A trailer /ID whose bytes pypdf reads as text (PDFDocEncoding), as in fpdf2's output.
_ID = "99c1c814a618e8fd8d0a3058dade0a9d"


def _with_id() -> bytes:
    body = (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
    offsets = [body.index(b"1 0 obj"), body.index(b"2 0 obj")]
    table = b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"trailer\n<< /Size 3 /Root 1 0 R /ID [<%s> <%s>] >>\n" % (_ID.encode(), _ID.encode())
    return body + table + trailer + b"startxref\n%d\n%%%%EOF\n" % len(body)


def test_a_cloned_writer_keeps_the_file_identifier_as_bytes() -> None:
    """edoc.pdf.finish relies on this instead of setting ``PdfWriter._ID``: the identifier fpdf2 wrote is the
    one in the finished file, as hexadecimal byte strings."""
    reader = PdfReader(io.BytesIO(_with_id()))
    out = _written(PdfWriter(clone_from=reader))
    assert b"/ID [ <%s> <%s> ]" % (_ID.encode(), _ID.encode()) in out
