"""Hostile input ends in a clear EdocError, with bounded memory (tracemalloc) and no files left behind."""

from __future__ import annotations

import base64
import io
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from edoc.edxml import ReadLimits, read_edxml, validate
from edoc.errors import EdocError, HostileInput, MalformedFile

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


def _message(payload_b64: str, name: str = "qd.pdf") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}" xmlns:edXML="{NS}"><edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId></edXML:From>
<edXML:To><edXML:OrganId>000.00.00.H47</edXML:OrganId></edXML:To>
<edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>
<edXML:Code><edXML:CodeNumber>7816</edXML:CodeNumber><edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation></edXML:Code>
<edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place><edXML:PromulgationDate>2015/09/30</edXML:PromulgationDate>
</edXML:PromulgationInfo>
<edXML:DocumentType><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType><edXML:Subject>x</edXML:Subject>
</edXML:MessageHeader><edXML:TraceHeaderList/></edXML:edXMLHeader></edXML:edXMLEnvelope>
<AttachmentEncoded><Attachment><ContentId>cid:1</ContentId><AttachmentName>{name}</AttachmentName>
<ContentType>application/zip</ContentType><ContentTransferEncoded>{payload_b64}</ContentTransferEncoded>
</Attachment></AttachmentEncoded></edXML>""".encode()


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return buf.getvalue()


def _refused(data: bytes, tmp_path: Path, exc: type[EdocError] = HostileInput, limit_mb: int = 16) -> EdocError:
    out = tmp_path / "out"
    tracemalloc.start()
    try:
        with pytest.raises(exc) as info:
            read_edxml(data, extract_to=out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit_mb * 1024 * 1024, f"peak Python memory {peak} bytes"
    assert list(out.iterdir()) == [], "nothing is left in the extraction folder"
    assert info.value.describe("vi") and info.value.describe("en")
    return info.value


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><x>&h;</x></edXML>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><x>&xxe;</x></edXML>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
@pytest.mark.parametrize("hide", [b"", b"<!-- <x> -->", b"<!--" + b" " * 70_000 + b"-->"],
                         ids=["plain", "comment-with-tag", "long-comment"])
def test_entities_refused(data: bytes, hide: bytes, tmp_path: Path) -> None:
    head, _, rest = data.partition(b"\n")
    err = _refused(head + hide + b"\n" + rest, tmp_path)
    assert "DTD" in str(err)
    with pytest.raises(HostileInput):
        validate(data)


def test_zip_bomb(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("bomb.pdf", "w") as dst:
        zero = bytes(1 << 20)
        for _ in range(64):
            dst.write(zero)
    err = _refused(_message(base64.b64encode(buf.getvalue()).decode()), tmp_path)
    assert "zip bomb" in str(err)


def _set_declared_size(data: bytes, size: int) -> bytes:
    """Patch the uncompressed size in the central directory and the local header."""
    out = bytearray(data)
    cd = out.rfind(b"PK\x01\x02")
    struct.pack_into("<I", out, cd + 24, size)
    struct.pack_into("<I", out, 22, size)
    return bytes(out)


def test_zip_declaring_2gb(tmp_path: Path) -> None:
    data = _set_declared_size(_zip([("big.pdf", b"%PDF small")]), 2 * 1024**3 - 1)
    err = _refused(_message(base64.b64encode(data).decode()), tmp_path)
    assert "declares" in str(err)


def test_zip_lying_about_its_size(tmp_path: Path) -> None:
    """Expansion stops at the declared size; the entry is then corrupt (CRC): a finding, the zip kept as is."""
    packed = _zip([("x.pdf", b"A" * 500_000)])
    data = _set_declared_size(packed, 1000)
    result = read_edxml(_message(base64.b64encode(data).decode()), extract_to=tmp_path)
    assert "attachment-zip" in {f.code for f in result.findings}
    assert [p.stat().st_size for p in tmp_path.iterdir()] == [len(data)]


@pytest.mark.parametrize("name", ["../../evil.pdf", "/etc/evil", "a\\..\\..\\evil", "C:evil", "ok/../../x"])
def test_zip_path_traversal(name: str, tmp_path: Path) -> None:
    err = _refused(_message(base64.b64encode(_zip([(name, b"x")])).decode()), tmp_path)
    assert "traversal" in str(err)


def test_zip_symlink(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("link.pdf")
    info.external_attr = 0o120777 << 16
    err = _refused(_message(base64.b64encode(_zip([(info, b"/etc/passwd")])).decode()), tmp_path)
    assert "symbolic link" in str(err)


def test_zip_too_many_entries(tmp_path: Path) -> None:
    from edoc.edxml.zipsafe import ZipLimits

    data = _zip([(f"f{i}.pdf", b"x") for i in range(ZipLimits().max_entries + 1)])
    _refused(_message(base64.b64encode(data).decode()), tmp_path)


def test_attachment_name_cannot_escape(tmp_path: Path) -> None:
    data = _message(base64.b64encode(b"%PDF").decode(), name="../../../escape.pdf")
    result = read_edxml(data, extract_to=tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["escape.pdf"]
    assert "attachment-name" in {f.code for f in result.findings}
    assert not (tmp_path / "escape.pdf").exists()


def test_oversized_attachment_bounded(tmp_path: Path) -> None:
    data = _message(base64.b64encode(bytes(300_000)).decode())
    with pytest.raises(HostileInput):
        read_edxml(data, limits=ReadLimits(max_attachment_bytes=100_000))


def test_element_flood_and_depth(tmp_path: Path) -> None:
    flood = b"<edXML>" + b"<a/>" * 2000 + b"</edXML>"
    with pytest.raises(HostileInput):
        read_edxml(flood, limits=ReadLimits(max_elements=1000))
    deep = b"<edXML>" + b"<a>" * 100 + b"</a>" * 100 + b"</edXML>"
    with pytest.raises(HostileInput):
        read_edxml(deep)


def test_huge_text_in_metadata_bounded(tmp_path: Path) -> None:
    data = b"<edXML><edXMLEnvelope><x>" + b"y" * (2 << 20) + b"</x></edXMLEnvelope></edXML>"
    _refused(data, tmp_path)


@pytest.mark.parametrize("data", [b"", b"not xml", b"<edXML>", b"<other/>", b"<edXML><edXMLEnvelope/></edXML>"])
def test_malformed(data: bytes) -> None:
    with pytest.raises(MalformedFile):
        read_edxml(data)


def test_large_attachment_streams_with_flat_memory(tmp_path: Path) -> None:
    """A 12 MiB attachment is read and extracted without holding it (or its base64) in memory."""
    payload = bytes(range(256)) * (12 * 4096)
    data = _message(base64.b64encode(payload).decode(), name="big.bin")
    src = tmp_path / "m.edxml"
    src.write_bytes(data)
    del data
    tracemalloc.start()
    try:
        result = read_edxml(src, extract_to=tmp_path / "out")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (tmp_path / "out" / "big.bin").read_bytes() == payload
    assert result.attachments[0].size == len(payload)
    assert peak < 8 * 1024 * 1024, f"peak Python memory {peak} bytes for a 12 MiB attachment"


def test_unwritable_extraction_folder(tmp_path: Path) -> None:
    from edoc.errors import ResourceError

    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(ResourceError):
        read_edxml(_message(base64.b64encode(b"%PDF").decode()), extract_to=blocker / "sub")


def test_zip_of_unsupported_version_is_a_finding(tmp_path: Path) -> None:
    """Found by fuzzing: zipfile raises NotImplementedError for a version it does not know."""
    data = bytearray(_zip([("x.pdf", b"%PDF")]))
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 6] = 148  # "version needed to extract" 14.8
    result = read_edxml(_message(base64.b64encode(bytes(data)).decode()), extract_to=tmp_path)
    assert "attachment-zip" in {f.code for f in result.findings}
