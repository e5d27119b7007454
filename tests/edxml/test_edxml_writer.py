"""The writer: prefixes, spelling, business types, deterministic zips, pre-flight checks, status messages."""

from __future__ import annotations

import base64
import datetime as dt
import io
import random
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from edoc.edxml import NS, document_problems, edxml_bytes, read_edxml, status_bytes, status_for, validate, write_edxml
from edoc.errors import InvalidInput, ResourceError, ValidationError
from edoc.model import VIETNAM_TZ, Attachment, Business, BusinessType, ReceiverChange, ReplacementInfo, StatusCode
from edoc.samples import thuan_nam_decision

PDF = Attachment(name="05-QĐ-UBND.pdf", data=b"%PDF-1.7\n" + bytes(range(256)) * 8, content_type="application/pdf")


def _tree(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(huge_tree=True, resolve_entities=False))


def test_prefix_rules_and_spelling() -> None:
    data = edxml_bytes(thuan_nam_decision().replace(attachments=(PDF,)))
    root = _tree(data)
    assert root.tag == f"{{{NS}}}edXML" and root.nsmap == {None: NS, "edXML": NS}
    envelope = root[0]
    assert all(el.prefix == "edXML" for el in envelope.iter())  # every element inside the envelope
    assert [el.prefix for el in root.find(f"{{{NS}}}AttachmentEncoded").iter()] == [None] * 7
    assert b"<edXML:Bussiness>" in data and b"Business" not in data
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')


@pytest.mark.parametrize("btype", list(BusinessType))
def test_business_types(btype: BusinessType) -> None:
    original = thuan_nam_decision()
    business = Business(
        type=btype, reason="Sai sót số liệu" if btype is not BusinessType.NEW else "",
        document_id="" if btype is BusinessType.NEW else original.document_id,
        receivers=(ReceiverChange("000.00.00.G22", added=True),) if btype is BusinessType.UPDATE else (),
        replacements=(ReplacementInfo(original.document_id, ("000.00.00.H43",)),)
        if btype is BusinessType.REPLACE else (),
    )
    doc = original.replace(number=6, business=business)
    data = edxml_bytes(doc)
    assert f"<edXML:BussinessDocType>{btype.value}</edXML:BussinessDocType>".encode() in data
    result = read_edxml(data)
    assert result.document is not None and result.document.business == business
    assert [f for f in validate(data) if f.severity.value == "error"] == []


def test_revoke_without_target_document_is_refused() -> None:
    doc = thuan_nam_decision().replace(business=Business(type=BusinessType.REVOKE))
    with pytest.raises(ValidationError) as info:
        edxml_bytes(doc)
    assert [p.field for p in info.value.problems] == ["business.document_id"]


def test_zip_is_deterministic_and_sdk_shaped() -> None:
    data = edxml_bytes(thuan_nam_decision().replace(attachments=(PDF,)), zip_attachments=True)
    b64 = re.search(rb"<ContentTransferEncoded>([^<]*)<", data)[1]  # type: ignore[index]
    zf = zipfile.ZipFile(io.BytesIO(base64.b64decode(b64)))
    (info,) = zf.infolist()
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", info.filename)
    assert info.date_time == (1980, 1, 1, 0, 0, 0)
    assert zf.read(info) == PDF.data
    assert b"<ContentType>application/zip</ContentType>" in data
    assert b"<edXML:ContentType>application/pdf</edXML:ContentType>" in data  # the real type in the manifest
    assert "<AttachmentName>05-QĐ-UBND.pdf</AttachmentName>".encode() in data


def test_preflight_problems_name_fields() -> None:
    doc = thuan_nam_decision().replace(recipients=(), number=None, notation="X" * 31)
    fields = {p.field for p in document_problems(doc)}
    assert {"recipients", "number", "notation"} <= fields
    with pytest.raises(ValidationError):
        write_edxml(doc, io.BytesIO())
    # check=False writes it anyway; the reader then reports the findings
    data = edxml_bytes(doc, check=False)
    assert "to-empty" in {f.code for f in read_edxml(data).findings}
    found = validate(data)
    assert any(f.code == "length" and f.element.endswith("Code/CodeNotation") for f in found)
    assert any(f.code == "empty-value" and f.element.endswith("Code/CodeNumber") for f in found)


def test_text_xml_cannot_carry() -> None:
    with pytest.raises(InvalidInput) as info:
        edxml_bytes(thuan_nam_decision().replace(summary="a\x00b"))
    assert info.value.field == "summary"


def test_escaping() -> None:
    doc = thuan_nam_decision().replace(summary="<b> & \"c\" 'd'\r\n")
    assert read_edxml(edxml_bytes(doc)).document.summary == doc.summary  # type: ignore[union-attr]


def test_attachment_without_payload_or_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        edxml_bytes(thuan_nam_decision().replace(attachments=(Attachment(name="x.pdf"),)))
    target = tmp_path / "out.edxml"
    with pytest.raises(ResourceError):
        write_edxml(thuan_nam_decision().replace(attachments=(Attachment(name="x.pdf", path=tmp_path / "no"),)),
                    target)
    assert not target.exists() and list(tmp_path.iterdir()) == []  # atomic: no partial file


def test_status_for_document_and_all_codes() -> None:
    doc = thuan_nam_decision()
    when = dt.datetime(2026, 1, 5, 16, 30, tzinfo=VIETNAM_TZ)
    for code in StatusCode:
        if code is StatusCode.UNKNOWN:
            continue
        st = status_for(doc, code.value, description="Đã nhận", timestamp=when)
        data = status_bytes(st)
        assert f"<edXML:StatusCode>{code.value}</edXML:StatusCode>".encode() in data
        assert b"<edXML:Timestamp>2026/01/05 16:30:00</edXML:Timestamp>" in data
        assert doc.document_id.encode() in data
        assert read_edxml(data).status == st
        assert [f for f in validate(data) if f.severity.value == "error"] == []
    assert status_for(doc, "ACCEPTED", timestamp=when).sender == doc.recipients[0]
    with pytest.raises(InvalidInput):
        status_for(doc, "99")
    with pytest.raises(InvalidInput):
        status_for(read_edxml(status_bytes(status_for(doc, "01", timestamp=when))), "03")


@pytest.mark.parametrize("zipped", [False, True])
def test_writer_streams_large_attachment(tmp_path: Path, zipped: bool) -> None:
    """A 12 MiB attachment is written without holding it (or its base64) in memory."""
    import tracemalloc

    src = tmp_path / "big.bin"
    with open(src, "wb") as fh:
        for i in range(12):  # incompressible, so the zipped case is not refused as a zip bomb on read
            fh.write(random.Random(i).randbytes(1 << 20))
    doc = thuan_nam_decision().replace(attachments=(Attachment(name="big.bin", path=src),))
    tracemalloc.start()
    try:
        write_edxml(doc, tmp_path / "m.edxml", zip_attachments=zipped)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * 1024 * 1024, f"peak Python memory {peak} bytes for a 12 MiB attachment"
    result = read_edxml(tmp_path / "m.edxml", extract_to=tmp_path / "out")
    assert (tmp_path / "out" / "big.bin").read_bytes() == src.read_bytes()
    assert result.attachments[0].zipped is zipped


def test_schema_is_package_data_and_cached() -> None:
    from importlib import resources

    from edoc.edxml import schema
    from edoc.edxml.schema import SCHEMA_RESOURCE

    assert resources.files("edoc").joinpath(SCHEMA_RESOURCE).is_file()
    assert schema() is schema()
    # the XSD itself refuses what it should: a status message with a three-digit code
    data = status_bytes(status_for(thuan_nam_decision(), "03", timestamp=dt.datetime(2026, 1, 5, tzinfo=VIETNAM_TZ)))
    assert schema().validate(_tree(data))
    assert not schema().validate(_tree(data.replace(b">03<", b">003<")))


def test_bytes_identical_across_processes(tmp_path: Path) -> None:
    """No hash-seed, time or uuid dependence: two interpreters write the same bytes."""
    import subprocess
    import sys

    code = ("import sys; from edoc.edxml import edxml_bytes; from edoc.model import Attachment; "
            "from edoc.samples import thuan_nam_decision; "
            "d = thuan_nam_decision().replace(attachments=(Attachment(name='qd.pdf', data=b'%PDF-1.7 x' * 99),)); "
            "sys.stdout.buffer.write(edxml_bytes(d, zip_attachments=True))")
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, timeout=120,
                           env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    assert outs[0] == outs[1] and outs[0].startswith(b"<?xml")


def test_type_codes_are_configurable() -> None:
    from edoc.model import DocumentType

    doc = thuan_nam_decision()
    table = {DocumentType.QUYET_DINH: (2, 5)}
    data = edxml_bytes(doc, type_codes=table)
    assert b"<edXML:Type>2</edXML:Type>" in data and b"<edXML:TypeDetail>5</edXML:TypeDetail>" in data
    back = read_edxml(data).document
    assert back is not None and (back.type_code, back.type_detail) == (2, 5)
    assert b"<edXML:Type>" not in edxml_bytes(doc)  # unset and no table: not written
    own = doc.replace(type_code=18)  # the document's own code wins over the table
    assert b"<edXML:Type>18</edXML:Type>" in edxml_bytes(own, type_codes=table)
