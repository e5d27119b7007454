"""The PDF/A-2b/3b checks, one function per clause of ISO 19005-2 (numbering of the veraPDF rules).

Each check receives a :class:`Context` (the raw bytes and a pypdf reader) and yields :class:`PdfaFinding`\\ s.
The walk over the file's objects is bounded (:data:`MAX_OBJECTS`, :data:`MAX_PAGES`), so a hostile file
costs bounded time; an object that cannot be read is itself a finding, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from edoc.util.namespaces import RDF

__all__ = ["PdfaFinding", "Context", "CHECKS", "MAX_OBJECTS", "MAX_PAGES"]

MAX_OBJECTS = 50_000
MAX_PAGES = 5_000
MAX_STREAM = 64 << 20


@dataclass(frozen=True)
class PdfaFinding:
    """One violation: the clause of ISO 19005-2, the object at fault and what is wrong."""

    clause: str
    object: str
    message: str

    def __str__(self) -> str:
        return f"{self.clause} {self.object}: {self.message}"


@dataclass
class Context:
    data: bytes
    reader: PdfReader
    part: int = 2
    _objects: list[tuple[str, Any]] | None = field(default=None, repr=False)

    @property
    def root(self) -> DictionaryObject:
        root = self.reader.trailer["/Root"].get_object()
        if not isinstance(root, DictionaryObject):
            raise TypeError("the trailer's /Root is not a dictionary")
        return root

    def objects(self) -> list[tuple[str, Any]]:
        """Every dictionary and stream reachable from the trailer (bounded), with its reference."""
        if self._objects is None:
            out: list[tuple[str, Any]] = []
            seen: set[tuple[int, int]] = set()
            stack: list[tuple[str, Any]] = [("trailer", self.reader.trailer)]
            while stack and len(out) < MAX_OBJECTS:
                ref, obj = stack.pop()
                if isinstance(obj, IndirectObject):
                    key = (obj.idnum, obj.generation)
                    if key in seen:
                        continue
                    seen.add(key)
                    ref = f"{obj.idnum} {obj.generation} R"
                    try:
                        obj = obj.get_object()
                    except Exception:  # noqa: S112 - a broken reference is skipped, not fatal
                        continue
                if isinstance(obj, DictionaryObject):
                    out.append((ref, obj))
                    for k, v in obj.items():
                        if k in ("/Parent", "/P"):
                            continue
                        stack.append((ref, v))
                elif isinstance(obj, ArrayObject):
                    stack.extend((ref, v) for v in obj[:MAX_OBJECTS])
            self._objects = out
        return self._objects


def _name(obj: Any) -> str | None:
    obj = obj.get_object() if isinstance(obj, IndirectObject) else obj
    return str(obj) if isinstance(obj, NameObject) else None


def _ref(obj: Any, fallback: str) -> str:
    ind = getattr(obj, "indirect_reference", None)
    if ind is not None:
        return f"{ind.idnum} {ind.generation} R"
    return fallback


# -- 6.1 file structure -------------------------------------------------------------------------------

_HEADER = re.compile(rb"%PDF-1\.[0-7]\r?\n?")


def check_header(ctx: Context) -> Iterator[PdfaFinding]:
    """6.1.2: ``%PDF-1.n`` at offset 0, then a comment line of at least four bytes above 127."""
    data = ctx.data
    if not re.match(rb"%PDF-1\.[0-7](\r\n|\r|\n)", data):
        yield PdfaFinding("6.1.2", "header", "the file does not start with %PDF-1.n and an end of line")
        return
    eol = re.match(rb"%PDF-1\.[0-7](\r\n|\r|\n)", data)
    assert eol is not None
    rest = data[eol.end():eol.end() + 256]
    m = re.match(rb"%([^\r\n]*)(\r\n|\r|\n)", rest)
    if m is None or len(m.group(1)) < 4 or sum(1 for b in m.group(1)[:4] if b > 127) < 4:
        yield PdfaFinding("6.1.2", "header", "the header is not followed by a comment of four bytes above 127")


def check_trailer(ctx: Context) -> Iterator[PdfaFinding]:
    """6.1.3: trailer ``/ID``; no ``/Encrypt``; nothing but an end of line after the last ``%%EOF``."""
    trailer = ctx.reader.trailer
    ident = trailer.get("/ID")
    if not isinstance(ident, ArrayObject) or len(ident) != 2:
        yield PdfaFinding("6.1.3", "trailer", "the trailer has no file identifier /ID")
    if b"/Linearized" in ctx.data[:1024]:
        first = ctx.data.find(b"trailer")
        if 0 <= first and b"/ID" not in ctx.data[first:first + 2048].split(b"startxref")[0]:
            yield PdfaFinding("6.1.3", "first-page trailer", "linearized file: the first-page trailer has no /ID")
    if "/Encrypt" in trailer:
        yield PdfaFinding("6.1.3", "trailer", "the file is encrypted (/Encrypt)")
    end = ctx.data.rfind(b"%%EOF")
    if end < 0:
        yield PdfaFinding("6.1.3", "trailer", "no %%EOF marker")
    elif ctx.data[end + 5:] not in (b"", b"\n", b"\r", b"\r\n"):
        yield PdfaFinding("6.1.3", "trailer", "data after the last %%EOF marker")
    if end >= 0 and not re.search(rb"startxref\s+\d+\s+%%EOF", ctx.data[max(0, end - 40):end + 5]):
        yield PdfaFinding("6.1.3", "trailer", "startxref does not precede the last %%EOF")


def check_permissions(ctx: Context) -> Iterator[PdfaFinding]:
    """6.1.12: a ``/Perms`` dictionary holds only ``/DocMDP`` and ``/UR3``."""
    perms = ctx.root.get("/Perms")
    if perms is None:
        return
    perms = perms.get_object()
    if isinstance(perms, DictionaryObject):
        extra = [k for k in perms if k not in ("/DocMDP", "/UR3")]
        if extra:
            yield PdfaFinding("6.1.12", _ref(perms, "catalog /Perms"), f"/Perms holds {', '.join(extra)}")
        for key in ("/DocMDP", "/UR3"):
            sig = perms.get(key)
            sig = sig.get_object() if sig is not None else None
            refs = sig.get("/Reference") if isinstance(sig, DictionaryObject) else None
            refs = refs.get_object() if refs is not None else None
            for r in refs if isinstance(refs, ArrayObject) else []:
                r = r.get_object()
                if isinstance(r, DictionaryObject) and any(
                        k in r for k in ("/DigestLocation", "/DigestMethod", "/DigestValue")):
                    yield PdfaFinding("6.1.12", _ref(sig, key), "the signature reference has DigestLocation, "
                                      "DigestMethod or DigestValue")


# -- 6.2 graphics: output intent and fonts --------------------------------------------------------------


def _icc_header(stream: Any) -> tuple[int, bytes, bytes] | None:
    try:
        data = stream.get_data()
    except Exception:
        return None
    if len(data) < 128:
        return None
    return data[8], data[12:16], data[16:20]


def check_output_intent(ctx: Context) -> Iterator[PdfaFinding]:
    """6.2.3: the output intents share one ICC profile (output device class prtr/mntr, RGB/CMYK/GRAY)."""
    intents = ctx.root.get("/OutputIntents")
    if intents is None:
        return
    intents = intents.get_object()
    profiles: list[Any] = []
    for intent in intents if isinstance(intents, ArrayObject) else []:
        intent = intent.get_object()
        if not isinstance(intent, DictionaryObject):
            continue
        ref = _ref(intent, "output intent")
        if "/DestOutputProfileRef" in intent:
            yield PdfaFinding("6.2.3", ref, "the output intent uses /DestOutputProfileRef")
        prof = intent.get("/DestOutputProfile")
        if prof is None:
            continue
        profiles.append(prof)
        head = _icc_header(prof.get_object())
        if head is None:
            yield PdfaFinding("6.2.3", ref, "the ICC profile of the output intent cannot be read")
            continue
        major, cls, space = head
        if cls not in (b"prtr", b"mntr"):
            yield PdfaFinding("6.2.3", ref, f"the ICC profile's device class is {cls!r}, not prtr or mntr")
        if major > 4:
            yield PdfaFinding("6.2.3", ref, f"the ICC profile has version {major}")
        n = prof.get_object().get("/N")
        want = {b"RGB ": 3, b"CMYK": 4, b"GRAY": 1}.get(space)
        if want is None:
            yield PdfaFinding("6.2.3", ref, f"the ICC profile's colour space is {space!r}")
        elif n is not None and int(n) != want:
            yield PdfaFinding("6.2.3", ref, f"/N is {n} but the ICC profile has {want} components")
    ids = {(p.idnum, p.generation) if isinstance(p, IndirectObject) else id(p) for p in profiles}
    if len(ids) > 1:
        yield PdfaFinding("6.2.3", "catalog /OutputIntents", "the output intents have different ICC profiles")


def _fonts(ctx: Context) -> Iterator[tuple[str, DictionaryObject]]:
    """Fonts used for rendering: in the resources of pages, form XObjects, patterns and appearances."""
    seen: set[int] = set()
    stack: list[Any] = []
    for page in ctx.reader.pages[:MAX_PAGES]:
        stack.append(page.get("/Resources"))
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else None
        for a in annots[:MAX_OBJECTS] if isinstance(annots, ArrayObject) else []:
            a = a.get_object()
            ap = a.get("/AP") if isinstance(a, DictionaryObject) else None
            ap = ap.get_object() if ap is not None else None
            if isinstance(ap, DictionaryObject):
                for v in ap.values():
                    v = v.get_object()
                    if isinstance(v, StreamObject):
                        stack.append(v.get("/Resources"))
                    elif isinstance(v, DictionaryObject):
                        stack.extend(x.get_object().get("/Resources") for x in v.values()
                                     if isinstance(x.get_object(), StreamObject))
    budget = MAX_OBJECTS
    while stack and budget > 0:
        budget -= 1
        res = stack.pop()
        if res is None:
            continue
        res = res.get_object()
        if not isinstance(res, DictionaryObject) or id(res) in seen:
            continue
        seen.add(id(res))
        fonts = res.get("/Font")
        fonts = fonts.get_object() if fonts is not None else None
        for f in fonts.values() if isinstance(fonts, DictionaryObject) else []:
            fo = f.get_object()
            if isinstance(fo, DictionaryObject):
                yield _ref(fo, "font"), fo
                if _name(fo.get("/Subtype")) == "/Type3":
                    stack.append(fo.get("/Resources"))
        for key in ("/XObject", "/Pattern"):
            group = res.get(key)
            group = group.get_object() if group is not None else None
            for x in group.values() if isinstance(group, DictionaryObject) else []:
                xo = x.get_object()
                if isinstance(xo, DictionaryObject):
                    stack.append(xo.get("/Resources"))


def check_fonts_embedded(ctx: Context) -> Iterator[PdfaFinding]:
    """6.2.11.4.1: every font program is embedded (Type 3 fonts excepted)."""
    for ref, font in _fonts(ctx):
        sub = _name(font.get("/Subtype"))
        if sub == "/Type3":
            continue
        if sub == "/Type0":
            kids = font.get("/DescendantFonts")
            kids = kids.get_object() if kids is not None else None
            if not isinstance(kids, ArrayObject) or not kids:
                yield PdfaFinding("6.2.11.4.1", ref, "a Type0 font has no descendant font")
                continue
            font = kids[0].get_object()
            ref = _ref(font, ref)
            if not isinstance(font, DictionaryObject):
                continue
        desc = font.get("/FontDescriptor")
        desc = desc.get_object() if desc is not None else None
        if not isinstance(desc, DictionaryObject) or not any(
                k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            yield PdfaFinding("6.2.11.4.1", ref, f"the font {font.get('/BaseFont')} is not embedded")


def check_cidfonts(ctx: Context) -> Iterator[PdfaFinding]:
    """6.2.11.3.1–3: CIDSystemInfo agrees with the CMap; CIDFontType2 has a CIDToGIDMap; CMaps embedded."""
    for ref, font in _fonts(ctx):
        if _name(font.get("/Subtype")) != "/Type0":
            continue
        desc = font.get("/DescendantFonts")
        desc = desc.get_object() if desc is not None else None
        if not isinstance(desc, ArrayObject) or not desc:
            continue
        cid = desc[0].get_object()
        if not isinstance(cid, DictionaryObject):
            continue
        cref = _ref(cid, ref)
        if _name(cid.get("/Subtype")) == "/CIDFontType2":
            c2g = cid.get("/CIDToGIDMap")
            if c2g is None:
                yield PdfaFinding("6.2.11.3.2", cref, "a CIDFontType2 font has no /CIDToGIDMap")
            elif not isinstance(c2g.get_object(), StreamObject) and _name(c2g) != "/Identity":
                yield PdfaFinding("6.2.11.3.2", cref, f"/CIDToGIDMap is {c2g}, neither /Identity nor a stream")
        enc = font.get("/Encoding")
        enc = enc.get_object() if enc is not None else None
        info = cid.get("/CIDSystemInfo")
        info = info.get_object() if info is not None else None
        if isinstance(enc, StreamObject):
            cinfo = enc.get("/CIDSystemInfo")
            cinfo = cinfo.get_object() if cinfo is not None else None
            if isinstance(info, DictionaryObject) and isinstance(cinfo, DictionaryObject):
                if (str(info.get("/Registry")) != str(cinfo.get("/Registry"))
                        or str(info.get("/Ordering")) != str(cinfo.get("/Ordering"))):
                    yield PdfaFinding("6.2.11.3.1", cref, "CIDSystemInfo of the font and of its CMap differ")
            wmode = enc.get("/WMode")
            try:
                body = enc.get_data()[:MAX_STREAM]
            except Exception:
                body = b""
            m = re.search(rb"/WMode\s+(\d)", body)
            if m is not None and int(m.group(1)) != int(wmode or 0):
                yield PdfaFinding("6.2.11.3.3", _ref(enc, ref), "the CMap's /WMode differs from its program")
        elif isinstance(enc, NameObject) and str(enc) not in ("/Identity-H", "/Identity-V"):
            yield PdfaFinding("6.2.11.3.3", ref, f"the CMap {enc} is not embedded")


def check_widths(ctx: Context) -> Iterator[PdfaFinding]:
    """6.2.11.5: the ``/Widths`` (or ``/W``) agree with the embedded TrueType program (within 1/1000 em)."""
    import io

    from fontTools.ttLib import TTFont

    for ref, font in _fonts(ctx):
        sub = _name(font.get("/Subtype"))
        if sub != "/TrueType":
            continue
        desc = font.get("/FontDescriptor")
        desc = desc.get_object() if desc is not None else None
        if not isinstance(desc, DictionaryObject) or "/FontFile2" not in desc:
            continue
        widths = font.get("/Widths")
        first = font.get("/FirstChar")
        if widths is None or first is None:
            continue
        try:
            prog = desc["/FontFile2"].get_object().get_data()  # type: ignore[union-attr]
            tt = TTFont(io.BytesIO(prog), lazy=True)
            upem = tt["head"].unitsPerEm
            cmap = None
            for table in tt["cmap"].tables:
                if (table.platformID, table.platEncID) in ((3, 0), (1, 0), (3, 1)):
                    cmap = table.cmap
                    if (table.platformID, table.platEncID) == (3, 0):
                        break
            hmtx = tt["hmtx"].metrics
            order = tt.getGlyphOrder()
        except Exception:  # noqa: S112 - an unreadable font program is not judged here
            continue
        if not cmap:
            continue
        for i, w in enumerate(widths.get_object()[:256]):
            code = int(first) + i
            gname = cmap.get(code) or cmap.get(0xF000 + code)
            if gname is None or gname not in hmtx or gname == order[0]:
                continue
            expected = hmtx[gname][0] * 1000 / upem
            if abs(float(w) - expected) > 1:
                yield PdfaFinding("6.2.11.5", ref, f"width of code {code} is {w}, the font program says {expected:.0f}")
                break


# -- 6.3 annotations ----------------------------------------------------------------------------------

_FORBIDDEN_ANNOTS = {"/3D", "/Sound", "/Screen", "/Movie", "/RichMedia"}
_KNOWN_ANNOTS = {"/Text", "/Link", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine",
                 "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/Popup",
                 "/FileAttachment", "/Widget", "/PrinterMark", "/TrapNet", "/Watermark", "/Redact"}


def _annotations(ctx: Context) -> Iterator[tuple[str, DictionaryObject]]:
    for index, page in enumerate(ctx.reader.pages[:MAX_PAGES]):
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else None
        if not isinstance(annots, ArrayObject):
            continue
        for a in annots[:MAX_OBJECTS]:
            obj = a.get_object()
            if isinstance(obj, DictionaryObject):
                yield _ref(obj, f"page {index + 1} annotation"), obj


def _zero_rect(annot: DictionaryObject) -> bool:
    try:
        r = [float(v) for v in annot["/Rect"]]  # type: ignore[attr-defined]
    except (KeyError, TypeError, ValueError):
        return False
    return r[0] == r[2] and r[1] == r[3]


def check_annotations(ctx: Context) -> Iterator[PdfaFinding]:
    """6.3.2: allowed annotation types; ``/F`` with Print set and Hidden, Invisible, NoView clear; ``/CA`` 1."""
    for ref, annot in _annotations(ctx):
        sub = _name(annot.get("/Subtype"))
        if sub in _FORBIDDEN_ANNOTS or sub not in _KNOWN_ANNOTS:
            yield PdfaFinding("6.3.2", ref, f"annotation type {sub} is not allowed")
            continue
        if sub == "/Popup":
            continue
        flags = annot.get("/F")
        try:
            f = int(flags) if flags is not None else 0
        except (TypeError, ValueError):
            f = 0
        if flags is None or not f & 4 or f & (1 | 2 | 32):
            yield PdfaFinding("6.3.2", ref, f"annotation flags /F {flags}: Print must be set, Hidden/Invisible/"
                                            "NoView clear")
        if sub == "/Text" and flags is not None and (f & 24) != 24:
            yield PdfaFinding("6.3.2", ref, "a text annotation must have NoZoom and NoRotate set")
        ca = annot.get("/CA")
        if ca is not None and float(ca) != 1.0:
            yield PdfaFinding("6.3.2", ref, f"annotation /CA is {ca}, not 1.0")


def check_appearances(ctx: Context) -> Iterator[PdfaFinding]:
    """6.3.3: an appearance dictionary with only ``/N`` (a stream, or a dictionary for check boxes)."""
    for ref, annot in _annotations(ctx):
        sub = _name(annot.get("/Subtype"))
        if sub in ("/Popup", "/Link"):
            continue
        ap = annot.get("/AP")
        ap = ap.get_object() if ap is not None else None
        if ap is None:
            if not _zero_rect(annot):
                yield PdfaFinding("6.3.3", ref, "the annotation has no appearance dictionary /AP")
            continue
        if not isinstance(ap, DictionaryObject):
            yield PdfaFinding("6.3.3", ref, "/AP is not a dictionary")
            continue
        keys = set(ap)
        if keys != {"/N"}:
            yield PdfaFinding("6.3.3", ref, f"/AP holds {', '.join(sorted(keys))}; only /N is allowed")
        n = ap.get("/N")
        n = n.get_object() if n is not None else None
        ft = annot.get("/FT")
        parent = annot.get("/Parent")
        if ft is None and parent is not None:
            ft = parent.get_object().get("/FT")
        if sub == "/Widget" and _name(ft) == "/Btn":
            if not isinstance(n, DictionaryObject) or isinstance(n, StreamObject):
                yield PdfaFinding("6.3.3", ref, "a button's /AP /N is not a dictionary of states")
        elif n is not None and not isinstance(n, StreamObject):
            yield PdfaFinding("6.3.3", ref, "/AP /N is not a stream")


# -- 6.4 forms, 6.5 actions ------------------------------------------------------------------------------


def check_forms(ctx: Context) -> Iterator[PdfaFinding]:
    """6.4.1: no ``NeedAppearances`` true; widgets have no ``/A`` or ``/AA``."""
    form = ctx.root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    if isinstance(form, DictionaryObject) and form.get("/NeedAppearances") in (True, "true"):
        yield PdfaFinding("6.4.1", _ref(form, "catalog /AcroForm"), "/NeedAppearances is true")
    for ref, annot in _annotations(ctx):
        if _name(annot.get("/Subtype")) == "/Widget" and ("/A" in annot or "/AA" in annot):
            yield PdfaFinding("6.4.1", ref, "a widget annotation has an action (/A or /AA)")


_FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/JavaScript", "/Hide",
                      "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView"}
_ALLOWED_ACTIONS = {"/GoTo", "/GoToR", "/GoToE", "/Thread", "/URI", "/Named", "/SubmitForm"}
_NAMED = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}


def check_actions(ctx: Context) -> Iterator[PdfaFinding]:
    """6.5.1: no Launch, JavaScript, … actions; named actions only NextPage, PrevPage, FirstPage, LastPage."""
    for ref, obj in ctx.objects():
        s = _name(obj.get("/S"))
        if s is None or (obj.get("/Type") not in (None, "/Action")):
            continue
        if s in _FORBIDDEN_ACTIONS or (s not in _ALLOWED_ACTIONS and obj.get("/Type") == "/Action"):
            yield PdfaFinding("6.5.1", ref, f"{s[1:]} actions are not allowed")
        elif s == "/Named" and _name(obj.get("/N")) not in _NAMED:
            yield PdfaFinding("6.5.1", ref, f"named action {obj.get('/N')} is not allowed")
    names = ctx.root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject) and "/JavaScript" in names:
        yield PdfaFinding("6.5.1", "catalog /Names", "the document has a JavaScript name tree")


# -- 6.6 metadata ----------------------------------------------------------------------------------------


def _xmp(ctx: Context) -> tuple[Any, bytes | None]:
    meta = ctx.root.get("/Metadata")
    if meta is None:
        return None, None
    meta = meta.get_object()
    try:
        return meta, meta.get_data()[:MAX_STREAM]
    except Exception:
        return meta, None


def check_metadata_stream(ctx: Context) -> Iterator[PdfaFinding]:
    """6.6.2.1: the catalog has an XMP metadata stream, not filtered, well-formed, in an xpacket."""
    meta, data = _xmp(ctx)
    if meta is None:
        yield PdfaFinding("6.6.2.1", "catalog", "the catalog has no /Metadata stream")
        return
    ref = _ref(meta, "catalog /Metadata")
    if data is None:
        yield PdfaFinding("6.6.2.1", ref, "the metadata stream cannot be decoded")
        return
    if "/Filter" in meta:
        yield PdfaFinding("6.6.2.1", ref, "the metadata stream is compressed (/Filter)")
    if b"<?xpacket" not in data[:4096] and b"<?xpacket" not in data:
        yield PdfaFinding("6.6.2.1", ref, "the XMP is not wrapped in an xpacket")
    else:
        m = re.search(rb"<\?xpacket\s+begin=([\"'])(.*?)\1", data)
        if m and m.group(2) not in (b"", b"\xef\xbb\xbf"):
            yield PdfaFinding("6.6.2.1", ref, "the xpacket's begin attribute is not empty or a byte order mark")
        if re.search(rb"<\?xpacket[^>]*\b(bytes|encoding)=", data):
            yield PdfaFinding("6.6.2.1", ref, "the xpacket header has bytes or encoding attributes")


def _parse_xmp(data: bytes) -> Any:
    from lxml import etree

    from edoc.util.xml import xml_parser

    body = data.strip()
    try:
        return etree.fromstring(body, xml_parser())
    except etree.XMLSyntaxError:
        return None


_PDFAID = "http://www.aiim.org/pdfa/ns/id/"


def check_identification(ctx: Context) -> Iterator[PdfaFinding]:
    """6.6.4: ``pdfaid:part`` is this part and ``pdfaid:conformance`` A, B or U, in the pdfaid namespace."""
    meta, data = _xmp(ctx)
    if meta is None or data is None:
        yield PdfaFinding("6.6.4", "catalog", "no XMP metadata with the PDF/A identification")
        return
    ref = _ref(meta, "catalog /Metadata")
    if re.search(rb"<!(DOCTYPE|ENTITY)", data):
        yield PdfaFinding("6.6.4", ref, "the XMP declares a DTD")
        return
    tree = _parse_xmp(data)
    if tree is None:
        yield PdfaFinding("6.6.4", ref, "the XMP is not well-formed XML")
        return
    for el in tree.iter():
        for prefix, uri in (el.nsmap or {}).items():
            if uri == _PDFAID and prefix != "pdfaid":
                yield PdfaFinding("6.6.4", ref, f"the pdfaid namespace has the prefix {prefix!r}, not 'pdfaid'")
                return
    values: dict[str, list[str]] = {"part": [], "conformance": []}
    for desc in tree.iter(f"{{{RDF}}}Description"):
        for key in values:
            attr = desc.get(f"{{{_PDFAID}}}{key}")
            if attr is not None:
                values[key].append(attr.strip())
            for el in desc.findall(f"{{{_PDFAID}}}{key}"):
                values[key].append((el.text or "").strip())
    if len(values["part"]) != 1:
        yield PdfaFinding("6.6.4", ref, "the XMP has no (or several) pdfaid:part in the pdfaid namespace")
    elif values["part"][0] not in ("2", "3"):
        yield PdfaFinding("6.6.4", ref, f"pdfaid:part is {values['part'][0]}, not 2 or 3")
    if len(values["conformance"]) != 1 or values["conformance"][0] not in ("A", "B", "U"):
        yield PdfaFinding("6.6.4", ref, "pdfaid:conformance is missing or not A, B or U")
    if values["part"] and values["part"][0] in ("2", "3"):
        ctx.part = int(values["part"][0])


_RDF = RDF
_EXT = {
    "http://www.aiim.org/pdfa/ns/extension/": "pdfaExtension",
    "http://www.aiim.org/pdfa/ns/schema#": "pdfaSchema",
    "http://www.aiim.org/pdfa/ns/property#": "pdfaProperty",
    "http://www.aiim.org/pdfa/ns/type#": "pdfaType",
    "http://www.aiim.org/pdfa/ns/field#": "pdfaField",
}
_REQUIRED = {
    "pdfaSchema": ("schema", "namespaceURI", "prefix"),
    "pdfaProperty": ("name", "valueType", "category", "description"),
    "pdfaType": ("type", "namespaceURI", "prefix", "description"),
    "pdfaField": ("name", "valueType", "description"),
}


def _resources(container: Any) -> list[Any]:
    """The resource nodes of an rdf:Bag/rdf:Seq under ``container`` (li with parseType or a Description)."""
    out = []
    lis = [li for coll in container for li in coll.findall(f"{{{_RDF}}}li")]
    for li in lis:
        if li.get(f"{{{_RDF}}}parseType") == "Resource":
            out.append(li)
        else:
            out.extend(li.findall(f"{{{_RDF}}}Description"))
    return out


def _has(node: Any, uri: str, name: str) -> bool:
    return node.find(f"{{{uri}}}{name}") is not None or node.get(f"{{{uri}}}{name}") is not None


def check_extension_schemas(ctx: Context) -> Iterator[PdfaFinding]:
    """6.6.2.3.3: PDF/A extension schemas are complete and use the prescribed prefixes."""
    meta, data = _xmp(ctx)
    if meta is None or data is None or re.search(rb"<!(DOCTYPE|ENTITY)", data):
        return
    tree = _parse_xmp(data)
    if tree is None:
        return
    ref = _ref(meta, "catalog /Metadata")
    for el in tree.iter():
        for prefix, uri in (el.nsmap or {}).items():
            want = _EXT.get(uri)
            if want is not None and prefix != want:
                yield PdfaFinding("6.6.2.3.3", ref, f"the namespace {uri} has the prefix {prefix!r}, not {want!r}")
                return
    uris = {v: k for k, v in _EXT.items()}

    def missing(node: Any, kind: str) -> Iterator[PdfaFinding]:
        for name in _REQUIRED[kind]:
            if not _has(node, uris[kind], name):
                yield PdfaFinding("6.6.2.3.3", ref, f"an extension schema lacks {kind}:{name}")

    for schemas in tree.iter(f"{{{uris['pdfaExtension']}}}schemas"):
        for schema in _resources(schemas):
            yield from missing(schema, "pdfaSchema")
            for prop in schema.findall(f"{{{uris['pdfaSchema']}}}property"):
                for node in _resources(prop):
                    yield from missing(node, "pdfaProperty")
            for vt in schema.findall(f"{{{uris['pdfaSchema']}}}valueType"):
                for node in _resources(vt):
                    yield from missing(node, "pdfaType")
                    for fld in node.findall(f"{{{uris['pdfaType']}}}field"):
                        for fnode in _resources(fld):
                            yield from missing(fnode, "pdfaField")


def check_xmp_property_types(ctx: Context) -> Iterator[PdfaFinding]:
    """6.6.2.3.1: properties of the predefined XMP schemas have the value types of XMP 2005."""
    from edoc.pdfa.xmp_types import check_xmp_types

    meta, data = _xmp(ctx)
    if meta is None or data is None or re.search(rb"<!(DOCTYPE|ENTITY)", data):
        return
    tree = _parse_xmp(data)
    if tree is None:
        return
    ref = _ref(meta, "catalog /Metadata")
    for name, problem in check_xmp_types(tree):
        yield PdfaFinding("6.6.2.3.1", ref, f"the XMP property {name} {problem}")


def check_embedded_files(ctx: Context) -> Iterator[PdfaFinding]:
    """6.8 (PDF/A-2: only PDF/A files embedded; PDF/A-3: file specifications with /AFRelationship, /F, /UF,
    the embedded file with /Subtype and /Params /ModDate)."""
    for ref, obj in ctx.objects():
        if obj.get("/Type") != "/Filespec" and "/EF" not in obj:
            continue
        ef = obj.get("/EF")
        ef = ef.get_object() if ef is not None else None
        if not isinstance(ef, DictionaryObject):
            continue
        if ctx.part == 3:
            for key in ("/F", "/UF", "/AFRelationship"):
                if key not in obj:
                    yield PdfaFinding("6.8", ref, f"the file specification has no {key}")
            for stream in ef.values():
                s = stream.get_object()
                if isinstance(s, StreamObject):
                    if "/Subtype" not in s:
                        yield PdfaFinding("6.8", _ref(s, ref), "the embedded file has no /Subtype (MIME type)")
                    params = s.get("/Params")
                    params = params.get_object() if params is not None else None
                    if not isinstance(params, DictionaryObject) or "/ModDate" not in params:
                        yield PdfaFinding("6.8", _ref(s, ref), "the embedded file has no /Params /ModDate")
        else:
            for stream in ef.values():
                s = stream.get_object()
                if isinstance(s, StreamObject):
                    try:
                        head = s.get_data()[:1024]
                    except Exception:
                        head = b""
                    if not head.startswith(b"%PDF-"):
                        yield PdfaFinding("6.8", _ref(s, ref), "PDF/A-2 embeds only PDF/A files")


CHECKS: tuple[tuple[str, Callable[[Context], Iterator[PdfaFinding]]], ...] = (
    ("6.1.2", check_header),
    ("6.1.3", check_trailer),
    ("6.1.12", check_permissions),
    ("6.2.3", check_output_intent),
    ("6.2.11.3", check_cidfonts),
    ("6.2.11.4.1", check_fonts_embedded),
    ("6.3.2", check_annotations),
    ("6.3.3", check_appearances),
    ("6.4.1", check_forms),
    ("6.5.1", check_actions),
    ("6.6.2.1", check_metadata_stream),
    ("6.6.2.3.1", check_xmp_property_types),
    ("6.6.2.3.3", check_extension_schemas),
    ("6.6.4", check_identification),
    ("6.8", check_embedded_files),
)
