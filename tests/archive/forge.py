"""Documents of the national signing acts made with the live test PKI (tests/pki), and the changes an attacker
makes after the last signature (issue 13 point 2): a rewritten /Info and XMP, reserved fields filled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

#: The anchors the test PKI's signers chain to (files of the ``pki_files`` fixture).
TRUST_FILES = ("gov-root.cert.pem", "national-root.cert.pem")

FORGED_SUBJECT = "Giả mạo trích yếu FORGEDSUBJECT"
FORGED_AUTHOR = "Cơ quan giả FORGEDAUTHOR"


@dataclass(frozen=True)
class Acts:
    """A draft, the person's approval of it, and the agency's issue of that (number 17, 2026-03-09)."""

    draft: bytes
    approved: bytes
    issued: bytes
    number: int = 17
    date: dt.date = dt.date(2026, 3, 9)


def make_acts(pki_files: Path, folder: Path) -> Acts:
    from edoc.pdf import render_pdf
    from edoc.samples import make_seal_png, make_signature_png, thuan_nam_decision
    from edoc.sign import KeySessionFactory, approve, issue
    from pki import pem_uri

    doc = thuan_nam_decision(numbered=False)
    render_pdf(doc, folder / "draft.pdf")
    person = KeySessionFactory(pem_uri(pki_files, "person-rsa")).open()
    agency = KeySessionFactory(pem_uri(pki_files, "agency-rsa")).open()
    approved = approve(folder / "draft.pdf", session=person, image=make_signature_png(folder / "sig.png")).data
    issued = issue(approved, session=agency, seal=make_seal_png(folder / "seal.png"), number=17,
                   date=dt.date(2026, 3, 9)).data
    return Acts((folder / "draft.pdf").read_bytes(), approved, issued)


def trust_paths(pki_files: Path) -> tuple[str, ...]:
    return tuple(str(pki_files / f) for f in TRUST_FILES)


def _out(w: IncrementalPdfFileWriter) -> bytes:
    buf = BytesIO()
    w.write(buf)
    return buf.getvalue()


def rewrite_info(data: bytes, subject: str = FORGED_SUBJECT, author: str = FORGED_AUTHOR) -> bytes:
    """An incremental update after the last signature that rewrites /Info and puts a new XMP packet."""
    w = IncrementalPdfFileWriter(BytesIO(data))
    n = generic.NameObject
    info = w.trailer["/Info"]
    info[n("/Subject")] = generic.TextStringObject(subject)
    info[n("/Title")] = generic.TextStringObject(subject)
    info[n("/Author")] = generic.TextStringObject(author)
    w.update_container(info)
    xmp = (f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
           f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
           f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">{subject}'
           f'</rdf:li></rdf:Alt></dc:title><dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>'
           f'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()
    stream = generic.StreamObject({n("/Type"): n("/Metadata"), n("/Subtype"): n("/XML")}, stream_data=xmp)
    w.root[n("/Metadata")] = w.add_object(stream)
    w.update_root()
    return _out(w)


def fill_field(data: bytes, name: str, value: str) -> bytes:
    """Fill the text field ``name`` (dotted) in a new revision, as anyone with the file can."""
    w = IncrementalPdfFileWriter(BytesIO(data))
    stack: list[tuple[Any, str]] = [(ref, "") for ref in w.root["/AcroForm"]["/Fields"]]
    while stack:
        ref, prefix = stack.pop()
        node = ref.get_object()
        part = node.get("/T")
        full = f"{prefix}.{part}" if prefix and part is not None else str(part or prefix)
        if full == name:
            node[generic.NameObject("/V")] = generic.TextStringObject(value)
            w.update_container(node)
            return _out(w)
        stack.extend((kid, full) for kid in node.get("/Kids", ()))
    raise LookupError(name)


def fill_number_and_date(data: bytes, number: str = "127", date: str = "ngày 03 tháng 02 năm 2026") -> bytes:
    from edoc.sign import FIELD_DATE, FIELD_NUMBER

    return fill_field(fill_field(data, FIELD_NUMBER, number), FIELD_DATE, date)


def change_page_content(data: bytes) -> bytes:
    """The incremental saving attack: new content drawn on page 1 after the signatures (pyHanko logs the
    refused revision with a traceback)."""
    w = IncrementalPdfFileWriter(BytesIO(data))
    page_ref = w.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    extra = w.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (FORGED) Tj ET"))
    contents = page.get("/Contents")
    items = list(contents) if isinstance(contents, generic.ArrayObject) else [page.raw_get("/Contents")]
    page[generic.NameObject("/Contents")] = generic.ArrayObject([*items, extra])
    w.update_container(page)
    return _out(w)
