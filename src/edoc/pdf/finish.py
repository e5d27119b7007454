"""The one place where fpdf2's output is finished into PDF/A with pypdf.

fpdf2 writes the page content, the embedded font subsets, the output intent, the trailer ``/ID`` and a
first XMP packet. This step adds what fpdf2 cannot:

- the reserved places as empty form fields (signature fields ``/FT /Sig`` for boxes 7c and 8, text fields
  for the number and the date), each widget with the print flag and an appearance dictionary holding only
  ``/N`` (PDF/A-2 6.3.2/6.3.3), no ``NeedAppearances`` (6.4.1). What an empty text field shows in a draft
  (``ngày   tháng   năm 2026``, the label ``Số:``) is drawn by fpdf2 on scratch pages after the document, with
  the document's own fonts; here each scratch page becomes the form XObject of its widgets' appearance and
  is removed. Text fields are read-only (filled by the issuance act, not by hand), name the document's
  regular or italic font in ``/DA`` (``/EdocF0``, ``/EdocF1`` in ``/DR``) and their alignment in ``/Q``;
- for PDF/A-3b, the associated files the factur-x way: an ``/EmbeddedFile`` stream with ``/Subtype`` and
  ``/Params`` (``Size``, ``CreationDate``, ``ModDate``, ``CheckSum``), a file specification with ``/F``,
  ``/UF``, ``/Desc`` and ``/AFRelationship``, listed in the ``/EmbeddedFiles`` name tree and in the
  catalog's ``/AF`` array;
- the XMP packet, rewritten whole (``pdfaid`` part and conformance, Dublin Core, the PDF/A extension schema
  describing edoc's own properties) and stored uncompressed, so a later incremental signature leaves it
  readable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from edoc._adapters.pypdf import add_object, drop_unreachable
from edoc.pdf.places import FIELD_AGENCY, FIELD_PERSON, ReservedPlace
from edoc.util.namespaces import EDOC_XMP

__all__ = ["Associated", "DocInfo", "FieldLook", "finish_pdf"]

#: resource names of the fonts in the form's ``/DR`` that text fields name in ``/DA``
FONT_REGULAR = "/EdocF0"
FONT_ITALIC = "/EdocF1"
#: widget key of the label a text field prints before its value (``Số: ``)
LABEL_KEY = "/EdocLabel"

EDOC_NS = EDOC_XMP


@dataclass(frozen=True)
class Associated:
    """A file to carry inside a PDF/A-3 as an associated file."""

    name: str
    data: bytes
    mime: str
    description: str
    relationship: str = "Data"


@dataclass(frozen=True)
class DocInfo:
    """What the XMP packet says about the document."""

    title: str
    author: str
    subject: str
    keywords: str
    created: dt.datetime
    document_id: str
    language: str = "vi-VN"


@dataclass(frozen=True)
class FieldLook:
    """How a reserved text field's widget prints: style, alignment, and the draft's appearance.

    :param italic: the value is set in italic (``/DA`` names :data:`FONT_ITALIC`).
    :param right: the value ends at the right edge of the widget (``/Q 2``: the number before ``/``).
    :param scratch: index of the scratch page whose content is the empty field's appearance, and the box
        on it (points) that the widget shows; ``None``: the empty field shows nothing.
    :param label: printed before the value (``Số: ``), kept in the widget as ``/EdocLabel``.
    """

    italic: bool = False
    right: bool = False
    scratch: tuple[int, tuple[float, float, float, float]] | None = None
    label: str = ""


def _pdf_date(when: dt.datetime) -> str:
    off = when.utcoffset() or dt.timedelta(0)
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    return when.strftime("D:%Y%m%d%H%M%S") + f"{sign}{hh:02d}'{mm:02d}'"


def _xmp(info: DocInfo, part: int, files: Sequence[Associated]) -> bytes:
    created = info.created.isoformat(timespec="seconds")
    ext = ""
    own = ""
    if files:
        ext = f"""
   <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
     xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
    <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
     <pdfaSchema:schema>edoc official document attachments</pdfaSchema:schema>
     <pdfaSchema:namespaceURI>{EDOC_NS}</pdfaSchema:namespaceURI>
     <pdfaSchema:prefix>edoc</pdfaSchema:prefix>
     <pdfaSchema:property><rdf:Seq>
      <rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentId</pdfaProperty:name>
       <pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category>
       <pdfaProperty:description>edXML DocumentId of the official document</pdfaProperty:description></rdf:li>
      <rdf:li rdf:parseType="Resource"><pdfaProperty:name>EdxmlFileName</pdfaProperty:name>
       <pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category>
       <pdfaProperty:description>name of the embedded edXML message</pdfaProperty:description></rdf:li>
      <rdf:li rdf:parseType="Resource"><pdfaProperty:name>MetadataFileName</pdfaProperty:name>
       <pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category>
       <pdfaProperty:description>name of the embedded national metadata XML</pdfaProperty:description></rdf:li>
     </rdf:Seq></pdfaSchema:property>
    </rdf:li></rdf:Bag></pdfaExtension:schemas>
   </rdf:Description>"""
        names = {f.mime: f.name for f in files}
        own = f"""
   <rdf:Description rdf:about="" xmlns:edoc="{EDOC_NS}">
    <edoc:DocumentId>{escape(info.document_id)}</edoc:DocumentId>
    <edoc:EdxmlFileName>{escape(names.get("application/edxml+xml", ""))}</edoc:EdxmlFileName>
    <edoc:MetadataFileName>{escape(names.get("text/xml", ""))}</edoc:MetadataFileName>
   </rdf:Description>"""
    text = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
   <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
    <pdfaid:part>{part}</pdfaid:part>
    <pdfaid:conformance>B</pdfaid:conformance>
   </rdf:Description>
   <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:format>application/pdf</dc:format>
    <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(info.title)}</rdf:li></rdf:Alt></dc:title>
    <dc:creator><rdf:Seq><rdf:li>{escape(info.author)}</rdf:li></rdf:Seq></dc:creator>
    <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(info.subject)}</rdf:li></rdf:Alt></dc:description>
    <dc:language><rdf:Bag><rdf:li>{escape(info.language)}</rdf:li></rdf:Bag></dc:language>
   </rdf:Description>
   <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
    <pdf:Producer>edoc (fpdf2, pypdf)</pdf:Producer>
    <pdf:Keywords>{escape(info.keywords)}</pdf:Keywords>
   </rdf:Description>
   <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
    <xmp:CreatorTool>edoc</xmp:CreatorTool>
    <xmp:CreateDate>{created}</xmp:CreateDate>
    <xmp:ModifyDate>{created}</xmp:ModifyDate>
    <xmp:MetadataDate>{created}</xmp:MetadataDate>
   </rdf:Description>
   <rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">
    <xmpMM:DocumentID>uuid:{uuid.uuid5(uuid.NAMESPACE_URL, info.document_id or info.title)}</xmpMM:DocumentID>
   </rdf:Description>{ext}{own}
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return text.encode("utf-8")


def _empty_appearance(writer: PdfWriter, w: float, h: float) -> DictionaryObject:
    stream = DecodedStreamObject()
    stream.set_data(b"")
    stream.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(w), FloatObject(h)]),
        NameObject("/Resources"): DictionaryObject(),
    })
    return DictionaryObject({NameObject("/N"): add_object(writer, stream)})


def _field_node(writer: PdfWriter, top: ArrayObject, nodes: dict[str, DictionaryObject],
                refs: dict[str, object], path: list[str]) -> tuple[DictionaryObject | None, object]:
    """The non-terminal field for the dotted ``path`` (created on first use): ``(node, its reference)``."""
    parent: DictionaryObject | None = None
    parent_ref: object = None
    for depth in range(len(path)):
        key = ".".join(path[: depth + 1])
        if key not in nodes:
            node = DictionaryObject({NameObject("/T"): TextStringObject(path[depth]),
                                     NameObject("/Kids"): ArrayObject()})
            if parent is not None:
                node[NameObject("/Parent")] = parent_ref  # type: ignore[assignment]
            ref = add_object(writer, node)
            nodes[key], refs[key] = node, ref
            (parent["/Kids"] if parent is not None else top).append(ref)  # type: ignore[attr-defined]
        parent, parent_ref = nodes[key], refs[key]
    return parent, parent_ref


def _draft_appearance(writer: PdfWriter, scratch: dict[int, tuple[bytes, object]], look: FieldLook | None,
                      w: float, h: float) -> DictionaryObject:
    if look is None or look.scratch is None:
        return _empty_appearance(writer, w, h)
    index, box = look.scratch
    content, resources = scratch[index]
    stream = DecodedStreamObject()
    stream.set_data(content)
    stream.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        # the box of the scratch page the widget shows (PDF maps it onto the widget's rectangle)
        NameObject("/BBox"): ArrayObject([FloatObject(round(v, 3)) for v in box]),
        NameObject("/Resources"): resources,  # type: ignore[dict-item]
    })
    return DictionaryObject({NameObject("/N"): add_object(writer, stream)})


def _add_fields(writer: PdfWriter, places: Sequence[ReservedPlace], looks: Sequence[FieldLook | None],
                scratch: dict[int, tuple[bytes, object]], fonts: dict[str, object]) -> None:
    """Reserved places as form fields, each field its own widget. Names such as ``edoc.sig.person`` are
    written as the hierarchy edoc → sig → person: a partial field name must not contain a period (ISO
    32000-1, 12.7.3.2)."""
    if not places:
        return
    fields = ArrayObject()
    nodes: dict[str, DictionaryObject] = {}
    refs: dict[str, object] = {}
    for place, look in zip(places, looks, strict=True):
        page = writer.pages[place.page]
        x1, y1, x2, y2 = place.rect
        *parents, last = place.field.split(".")
        text = place.field not in (FIELD_PERSON, FIELD_AGENCY)
        widget = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([FloatObject(round(v, 2)) for v in (x1, y1, x2, y2)]),
            NameObject("/F"): NumberObject(4),  # Print
            NameObject("/T"): TextStringObject(last),
            NameObject("/P"): page.indirect_reference,
            NameObject("/AP"): _draft_appearance(writer, scratch, look if text else None, x2 - x1, y2 - y1),
        })
        if text:
            font = FONT_ITALIC if look is not None and look.italic else FONT_REGULAR
            widget[NameObject("/FT")] = NameObject("/Tx")
            widget[NameObject("/Ff")] = NumberObject(1)  # ReadOnly: filled by the issuance act, not by hand
            widget[NameObject("/V")] = TextStringObject("")
            widget[NameObject("/DA")] = TextStringObject(f"{font} {place.font_size:g} Tf 0 g")
            widget[NameObject("/Q")] = NumberObject(2 if look is not None and look.right else 0)
            if look is not None and look.label:
                widget[NameObject(LABEL_KEY)] = TextStringObject(look.label)
        else:
            widget[NameObject("/FT")] = NameObject("/Sig")
        parent, parent_ref = _field_node(writer, fields, nodes, refs, parents)
        if parent is not None:
            widget[NameObject("/Parent")] = parent_ref  # type: ignore[assignment]
        ref = add_object(writer, widget)
        annots = page.get("/Annots")
        if annots is None:
            page[NameObject("/Annots")] = ArrayObject([ref])
        else:
            annots.get_object().append(ref)
        (parent["/Kids"] if parent is not None else fields).append(ref)  # type: ignore[attr-defined]
    form = DictionaryObject({
        NameObject("/Fields"): fields,
        # SignaturesExist is set by the signer; fields only here. No /NeedAppearances (PDF/A 6.4.1).
        NameObject("/DA"): TextStringObject(f"{FONT_REGULAR} 0 Tf 0 g"),
    })
    if fonts:
        form[NameObject("/DR")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject(k): v for k, v in fonts.items()})})  # type: ignore[misc]
    writer.root_object[NameObject("/AcroForm")] = add_object(writer, form)


def _take_scratch_pages(writer: PdfWriter, count: int) -> dict[int, tuple[bytes, object]]:
    """The content and resources of the last ``count`` pages (keyed by page index), removed from the file."""
    out: dict[int, tuple[bytes, object]] = {}
    total = len(writer.pages)
    for index in range(total - count, total):
        page = writer.pages[index]
        contents = page.get_contents()
        out[index] = (contents.get_data() if contents is not None else b"", page.raw_get("/Resources"))
    for index in range(total - 1, total - count - 1, -1):
        del writer.pages[index]  # type: ignore[attr-defined]  # pypdf's page list supports it
    return out


def _fonts(writer: PdfWriter, names: dict[str, str]) -> dict[str, object]:
    """The page fonts fpdf2 named ``/F<n>`` as the form's ``/DR`` entries (``/EdocF0`` → ``/F1``…)."""
    out: dict[str, object] = {}
    for page in writer.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        if fonts is None:
            continue
        fonts = fonts.get_object()
        for dr_name, page_name in names.items():
            if dr_name not in out and page_name in fonts:
                out[dr_name] = fonts.raw_get(page_name)
        if len(out) == len(names):
            break
    return out


def _add_associated(writer: PdfWriter, files: Sequence[Associated], when: dt.datetime) -> None:
    if not files:
        return
    names = ArrayObject()
    af = ArrayObject()
    date = TextStringObject(_pdf_date(when))
    for f in sorted(files, key=lambda f: f.name):
        plain = DecodedStreamObject()
        plain.set_data(f.data)
        stream = plain.flate_encode()
        stream.update({
            NameObject("/Type"): NameObject("/EmbeddedFile"),
            NameObject("/Subtype"): NameObject("/" + f.mime.replace("/", "#2F").replace("+", "#2B")),
            NameObject("/Params"): DictionaryObject({
                NameObject("/Size"): NumberObject(len(f.data)),
                NameObject("/CreationDate"): date,
                NameObject("/ModDate"): date,
                NameObject("/CheckSum"): ByteStringObject(hashlib.md5(f.data).digest()),  # noqa: S324 - PDF's own
            }),
        })
        ef = add_object(writer, stream)
        spec = DictionaryObject({
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject(f.name),
            NameObject("/UF"): TextStringObject(f.name),
            NameObject("/Desc"): TextStringObject(f.description),
            NameObject("/AFRelationship"): NameObject("/" + f.relationship),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): ef, NameObject("/UF"): ef}),
        })
        ref = add_object(writer, spec)
        names.extend([TextStringObject(f.name), ref])
        af.append(ref)
    root = writer.root_object
    name_tree = root.get("/Names")
    if name_tree is None:
        name_tree = DictionaryObject()
        root[NameObject("/Names")] = name_tree
    name_tree = name_tree.get_object()
    assert isinstance(name_tree, DictionaryObject)
    name_tree[NameObject("/EmbeddedFiles")] = DictionaryObject({NameObject("/Names"): names})
    root[NameObject("/AF")] = af


def finish_pdf(data: bytes, *, part: int, info: DocInfo, places: Sequence[ReservedPlace] = (),
               files: Sequence[Associated] = (), looks: Sequence[FieldLook | None] = (), scratch_pages: int = 0,
               font_names: dict[str, str] | None = None) -> bytes:
    """fpdf2's bytes made PDF/A-``part``\\ b with the places as fields and the associated files.

    :param looks: per place, how its text field prints (:class:`FieldLook`); default: regular, left, empty.
    :param scratch_pages: the last pages of ``data`` are scratch pages holding the drafts' appearances.
    :param font_names: ``/DR`` font name → fpdf2's page font name (``{"/EdocF0": "/F1"}``).
    """
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)  # keeps fpdf2's trailer /ID, as byte strings (tests/adapters)
    scratch = _take_scratch_pages(writer, scratch_pages) if scratch_pages else {}
    fonts = _fonts(writer, font_names or {})
    _add_fields(writer, places, list(looks) or [None] * len(places), scratch, fonts)
    _add_associated(writer, files, info.created)
    meta = DecodedStreamObject()
    meta.set_data(_xmp(info, part, files))
    meta.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer.root_object[NameObject("/Metadata")] = add_object(writer, meta)
    writer.root_object[NameObject("/Lang")] = TextStringObject(info.language)
    writer.add_metadata({
        "/Title": info.title, "/Author": info.author, "/Subject": info.subject, "/Keywords": info.keywords,
        "/Creator": "edoc", "/Producer": "edoc (fpdf2, pypdf)",
        "/CreationDate": _pdf_date(info.created), "/ModDate": _pdf_date(info.created),
    })
    if scratch:
        drop_unreachable(writer)  # the scratch pages' objects
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
