"""The archive's metadata reader tells edXML from PDF with the verifier's one detector (issue 13 'Also'):
what ``edoc verify`` reads as edXML (UTF-16/UTF-32, with or without a byte order mark, white space before
the root) is read as edXML here too, and a PDF is a PDF wherever the verifier finds its header."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from edoc.archive.meta import read_metadata
from edoc.edxml import edxml_bytes
from edoc.samples import thuan_nam_decision
from edoc.verify import detect_format


def _body() -> str:
    """The sample message without its XML declaration (white space may then precede the root)."""
    text = edxml_bytes(thuan_nam_decision()).decode("utf-8")
    return text.split("?>", 1)[1].lstrip()


SHAPES = {
    "utf-16-le bom, 40 blank lines": b"\xff\xfe" + ("\n" * 40 + _body()).encode("utf-16-le"),
    "utf-16-be bom, 40 blank lines": b"\xfe\xff" + ("\n" * 40 + _body()).encode("utf-16-be"),
    "utf-8 bom, 200 spaces": b"\xef\xbb\xbf" + (" " * 200 + _body()).encode("utf-8"),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_edxml_the_verifier_detects_is_read_as_edxml(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "message.edxml"
    path.write_bytes(SHAPES[shape])
    assert detect_format(path.read_bytes()[:4096]) == "edxml"
    meta = read_metadata(path)
    assert meta.source == "edxml"
    assert meta.fields["OrganId"] == thuan_nam_decision().organ.organ_id


def test_a_pdf_after_leading_bytes_is_a_pdf(tmp_path: Path) -> None:
    """Leading bytes before ``%PDF-`` (a mail gateway's or a scanner's): the verifier calls it a PDF, so the
    metadata reader does too (with a sidecar it counts the pages of the PDF)."""
    from pypdf import PdfReader

    from edoc.pdf import render_bytes

    path = tmp_path / "qd.pdf"
    pdf = render_bytes(thuan_nam_decision())
    path.write_bytes(b"X-Gateway: scanned\r\n" + pdf)
    assert detect_format(path.read_bytes()[:4096]) == "pdf"
    (tmp_path / "qd.pdf.json").write_text('{"OrganId": "000.10.32.H43", "Subject": "Quy chế"}', "utf-8")
    meta = read_metadata(path)
    assert meta.source == "sidecar" and meta.fields["PageAmount"] == str(len(PdfReader(io.BytesIO(pdf)).pages))
