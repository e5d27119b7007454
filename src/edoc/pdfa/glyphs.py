"""Glyphs the content streams use, checked against the embedded font programs (6.2.11.4.1, 6.2.11.5, 6.2.11.8).

The text-showing operators of every page (and of the form XObjects they draw) are scanned, with the font
selected by ``Tf``, to collect the character codes each font shows. For each code the glyph is looked up in
the embedded program (TrueType ``glyf`` through its ``cmap``, CFF through its charset) and:

- a code whose glyph the program lacks is a 6.2.11.4.1 finding (the program must define every glyph used);
- a code that shows ``.notdef`` is a 6.2.11.8 finding;
- a width in ``/Widths`` or ``/W`` that differs from the program's advance by more than one unit is a
  6.2.11.5 finding.

Supported programs: simple TrueType (FontFile2), CIDFontType2 with ``Identity-H``/``Identity-V``, and bare CFF
(FontFile3 ``Type1C``). Other programs are not judged. Work is bounded by :data:`MAX_OPERATIONS`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from edoc.pdfa.checks import MAX_PAGES, Context, PdfaFinding

__all__ = ["check_glyphs", "MAX_OPERATIONS"]

MAX_OPERATIONS = 2_000_000
_MAX_DEPTH = 8


@dataclass
class _Use:
    ref: str
    font: DictionaryObject
    codes: set[int] = field(default_factory=set)
    #: a two-byte font was given a string of odd length (an incomplete code)
    partial: bool = False


def _obj(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _ref(obj: Any, fallback: str) -> str:
    ind = getattr(obj, "indirect_reference", None)
    return f"{ind.idnum} {ind.generation} R" if ind is not None else fallback


def _bytes(operand: Any) -> bytes:
    raw = getattr(operand, "original_bytes", None)
    if raw is not None:
        return bytes(raw)
    if isinstance(operand, bytes):
        return operand
    return str(operand).encode("latin-1", "replace")


def _two_byte(font: DictionaryObject) -> bool:
    return bool(_obj(font.get("/Subtype")) == "/Type0")


def _collect(ctx: Context) -> dict[int, _Use]:
    uses: dict[int, _Use] = {}
    budget = [MAX_OPERATIONS]
    seen_forms: set[int] = set()

    def scan(content: Any, resources: Any, depth: int) -> None:
        if depth > _MAX_DEPTH or budget[0] <= 0 or content is None:
            return
        resources = _obj(resources)
        fonts = _obj(resources.get("/Font")) if isinstance(resources, DictionaryObject) else None
        xobjects = _obj(resources.get("/XObject")) if isinstance(resources, DictionaryObject) else None
        try:
            ops = ContentStream(content, ctx.reader).operations
        except Exception:  # unreadable content is not judged here
            return
        current: _Use | None = None
        for operands, operator in ops:
            budget[0] -= 1
            if budget[0] <= 0:
                return
            if operator == b"Tf" and operands and isinstance(fonts, DictionaryObject):
                font = _obj(fonts.get(str(operands[0])))
                if isinstance(font, DictionaryObject):
                    current = uses.setdefault(id(font), _Use(_ref(font, str(operands[0])), font))
                else:
                    current = None
            elif operator in (b"Tj", b"'", b'"', b"TJ") and current is not None and operands:
                items = operands[0] if operator == b"TJ" else [operands[-1]]
                for item in items if isinstance(items, (list, ArrayObject)) else []:
                    if isinstance(item, (int, float)) or not hasattr(item, "__len__"):
                        continue
                    data = _bytes(item)
                    if _two_byte(current.font):
                        if len(data) % 2:
                            current.partial = True
                        current.codes.update(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2))
                    else:
                        current.codes.update(data)
            elif operator == b"Do" and operands and isinstance(xobjects, DictionaryObject):
                xo = _obj(xobjects.get(str(operands[0])))
                if isinstance(xo, StreamObject) and _obj(xo.get("/Subtype")) == "/Form" and id(xo) not in seen_forms:
                    seen_forms.add(id(xo))
                    scan(xo, xo.get("/Resources") or resources, depth + 1)

    for page in ctx.reader.pages[:MAX_PAGES]:
        try:
            contents = page.get_contents()
        except Exception:  # noqa: S112 - a page without readable content is skipped
            continue
        scan(contents, page.get("/Resources"), 0)
    return uses


# -- font programs ---------------------------------------------------------------------------------------


@dataclass
class _Program:
    """code -> (glyph present?, is .notdef?, advance in 1/1000 em or None)."""

    lookup: Any


def _truetype(data: bytes) -> Any:
    from fontTools.ttLib import TTFont

    return TTFont(io.BytesIO(data), lazy=True, recalcBBoxes=False)


def _cp1252(code: int) -> int | None:
    try:
        return ord(bytes([code]).decode("cp1252"))
    except UnicodeDecodeError:
        return None


def _check_simple_truetype(use: _Use, desc: DictionaryObject) -> Iterator[PdfaFinding]:
    font = use.font
    tt = _truetype(_obj(desc["/FontFile2"]).get_data())
    upem = tt["head"].unitsPerEm
    order = tt.getGlyphOrder()
    hmtx = tt["hmtx"].metrics
    cmaps = {(t.platformID, t.platEncID): t.cmap for t in tt["cmap"].tables}
    flags = int(_obj(desc.get("/Flags", 0)) or 0)
    symbolic = bool(flags & 4)
    widths = _obj(font.get("/Widths"))
    first = int(_obj(font.get("/FirstChar", 0)) or 0)
    for code in sorted(use.codes):
        glyph = None
        if symbolic or (3, 1) not in cmaps:
            for key, c in (((3, 0), code), ((3, 0), 0xF000 + code), ((1, 0), code)):
                glyph = cmaps.get(key, {}).get(c)
                if glyph is not None:
                    break
        else:
            uni = _cp1252(code)
            glyph = cmaps[(3, 1)].get(uni) if uni is not None else None
        if glyph is None or glyph == order[0]:
            yield PdfaFinding("6.2.11.8", use.ref, f"character code {code} shows .notdef")
            continue
        char = _cp1252(code)
        blank = char is not None and (chr(char).isspace() or chr(char) in "\u00a0\u200b")
        if not symbolic and "glyf" in tt and not blank:
            if tt["glyf"][glyph].numberOfContours == 0:
                yield PdfaFinding("6.2.11.4.1", use.ref, f"character code {code}: the glyph {glyph} has no outline "
                                                         "in the embedded program")
                continue
        if isinstance(widths, ArrayObject) and 0 <= code - first < len(widths):
            expected = hmtx[glyph][0] * 1000 / upem
            given = float(_obj(widths[code - first]))
            if abs(given - expected) > 1:
                yield PdfaFinding("6.2.11.5", use.ref,
                                  f"width of code {code} is {given:g}, the font program says {expected:.0f}")


def _cid_widths(cid_font: DictionaryObject) -> tuple[dict[int, float], float]:
    out: dict[int, float] = {}
    w = _obj(cid_font.get("/W"))
    items = list(w) if isinstance(w, ArrayObject) else []
    i = 0
    while i < len(items) and len(out) < 1_000_000:
        start = int(_obj(items[i]))
        nxt = _obj(items[i + 1]) if i + 1 < len(items) else None
        if isinstance(nxt, ArrayObject):
            for k, v in enumerate(nxt):
                out[start + k] = float(_obj(v))
            i += 2
        elif i + 2 < len(items):
            end, value = int(_obj(items[i + 1])), float(_obj(items[i + 2]))
            for c in range(start, min(end, start + 65536) + 1):
                out[c] = value
            i += 3
        else:
            break
    return out, float(_obj(cid_font.get("/DW", 1000)))


def _check_cid_truetype(use: _Use, cid_font: DictionaryObject, desc: DictionaryObject) -> Iterator[PdfaFinding]:
    enc = _obj(use.font.get("/Encoding"))
    if not (isinstance(enc, NameObject) and str(enc) in ("/Identity-H", "/Identity-V")):
        return
    tt = _truetype(_obj(desc["/FontFile2"]).get_data())
    upem = tt["head"].unitsPerEm
    order = tt.getGlyphOrder()
    hmtx = tt["hmtx"].metrics
    c2g = _obj(cid_font.get("/CIDToGIDMap"))
    table = c2g.get_data() if isinstance(c2g, StreamObject) else None
    widths, default = _cid_widths(cid_font)
    for cid in sorted(use.codes):
        if table is not None:
            gid = int.from_bytes(table[2 * cid:2 * cid + 2], "big") if 2 * cid + 2 <= len(table) else 0
        else:
            gid = cid
        if gid >= len(order):
            yield PdfaFinding("6.2.11.4.1", use.ref, f"CID {cid} maps to glyph {gid}, missing from the program")
            continue
        if gid == 0:
            yield PdfaFinding("6.2.11.8", use.ref, f"CID {cid} shows .notdef")
            continue
        expected = hmtx[order[gid]][0] * 1000 / upem
        given = widths.get(cid, default)
        if abs(given - expected) > 1:
            yield PdfaFinding("6.2.11.5", use.ref, f"width of CID {cid} is {given:g}, the font program says "
                                                   f"{expected:.0f}")


def _glyph_name_for(code: int, font: DictionaryObject, builtin: dict[int, str]) -> str | None:
    from fontTools.agl import UV2AGL

    enc = _obj(font.get("/Encoding"))
    if isinstance(enc, DictionaryObject):
        diffs = _obj(enc.get("/Differences"))
        if isinstance(diffs, ArrayObject):
            current = 0
            names: dict[int, str] = {}
            for item in diffs:
                item = _obj(item)
                if isinstance(item, NameObject):
                    names[current] = str(item)[1:]
                    current += 1
                else:
                    current = int(item)
            if code in names:
                return names[code]
        enc = _obj(enc.get("/BaseEncoding"))
    if isinstance(enc, NameObject) and str(enc) == "/WinAnsiEncoding":
        uni = _cp1252(code)
        return UV2AGL.get(uni) if uni is not None else None
    return builtin.get(code)


def _check_cff(use: _Use, desc: DictionaryObject) -> Iterator[PdfaFinding]:
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(_obj(desc["/FontFile3"]).get_data()), None)
    top = cff[cff.fontNames[0]]
    charstrings = top.CharStrings
    encoding = getattr(top, "Encoding", None)
    builtin = {i: n for i, n in enumerate(encoding) if n != ".notdef"} if isinstance(encoding, list) else {}
    scale = float(top.FontMatrix[0]) * 1000 if hasattr(top, "FontMatrix") else 1.0
    widths = _obj(use.font.get("/Widths"))
    first = int(_obj(use.font.get("/FirstChar", 0)) or 0)
    for code in sorted(use.codes):
        name = _glyph_name_for(code, use.font, builtin)
        if name is None or name not in charstrings:
            yield PdfaFinding("6.2.11.4.1", use.ref, f"character code {code} ({name}) has no glyph in the program")
            continue
        if name == ".notdef":
            yield PdfaFinding("6.2.11.8", use.ref, f"character code {code} shows .notdef")
            continue
        cs = charstrings[name]
        cs.decompile()
        from fontTools.pens.basePen import NullPen

        cs.draw(NullPen())
        width = getattr(cs, "width", None)
        if width is None or not (isinstance(widths, ArrayObject) and 0 <= code - first < len(widths)):
            continue
        expected = float(width) * scale
        given = float(_obj(widths[code - first]))
        if abs(given - expected) > 1:
            yield PdfaFinding("6.2.11.5", use.ref, f"width of code {code} is {given:g}, the font program says "
                                                   f"{expected:.0f}")


def _check_truetype_encoding(use: _Use, desc: DictionaryObject) -> Iterator[PdfaFinding]:
    """6.2.11.6: encodings of TrueType fonts (non-symbolic: WinAnsi/MacRoman, AGL names in Differences)."""
    from fontTools.agl import AGL2UV

    flags = int(_obj(desc.get("/Flags", 0)) or 0)
    enc = _obj(use.font.get("/Encoding"))
    tt = _truetype(_obj(desc["/FontFile2"]).get_data())
    cmaps = {(t.platformID, t.platEncID) for t in tt["cmap"].tables}
    if flags & 4:
        if enc is not None:
            yield PdfaFinding("6.2.11.6", use.ref, "a symbolic TrueType font has an /Encoding")
        if (3, 0) not in cmaps and len(cmaps) != 1:
            yield PdfaFinding("6.2.11.6", use.ref, "a symbolic TrueType font needs a (3,0) cmap or exactly one cmap")
        return
    base = enc
    if isinstance(enc, DictionaryObject):
        base = _obj(enc.get("/BaseEncoding"))
        diffs = _obj(enc.get("/Differences"))
        if isinstance(diffs, ArrayObject):
            names = [str(_obj(d))[1:] for d in diffs if isinstance(_obj(d), NameObject)]
            bad = [n for n in names if n not in AGL2UV]
            if bad:
                yield PdfaFinding("6.2.11.6", use.ref, f"Differences names {bad[0]!r}, not in the Adobe Glyph List")
            elif (3, 1) not in cmaps:
                yield PdfaFinding("6.2.11.6", use.ref, "Differences in a font program without a (3,1) cmap")
    if not (isinstance(base, NameObject) and str(base) in ("/WinAnsiEncoding", "/MacRomanEncoding")):
        yield PdfaFinding("6.2.11.6", use.ref, "a non-symbolic TrueType font's encoding is not WinAnsiEncoding or "
                                               "MacRomanEncoding")


def check_glyphs(ctx: Context) -> Iterator[PdfaFinding]:
    """6.2.11.4.1 (glyphs present), 6.2.11.5 (widths), 6.2.11.6, 6.2.11.8 (no .notdef) for the codes shown."""
    for use in _collect(ctx).values():
        if use.partial:
            yield PdfaFinding("6.2.11.4.1", use.ref, "a string of odd length shown with a two-byte font")
        if not use.codes:
            continue
        font = use.font
        sub = _obj(font.get("/Subtype"))
        try:
            if sub == "/Type0":
                kids = _obj(font.get("/DescendantFonts"))
                cid_font = _obj(kids[0]) if isinstance(kids, ArrayObject) and kids else None
                desc = _obj(cid_font.get("/FontDescriptor")) if isinstance(cid_font, DictionaryObject) else None
                if isinstance(cid_font, DictionaryObject) and isinstance(desc, DictionaryObject) \
                        and "/FontFile2" in desc:
                    yield from _check_cid_truetype(use, cid_font, desc)
            else:
                desc = _obj(font.get("/FontDescriptor"))
                if not isinstance(desc, DictionaryObject):
                    continue
                if sub == "/TrueType" and "/FontFile2" in desc:
                    yield from _check_truetype_encoding(use, desc)
                    yield from _check_simple_truetype(use, desc)
                elif sub in ("/Type1", "/MMType1") and "/FontFile3" in desc and \
                        _obj(_obj(desc["/FontFile3"]).get("/Subtype")) == "/Type1C":
                    yield from _check_cff(use, desc)
        except Exception:  # noqa: S112 - a program edoc cannot parse is not judged
            continue
