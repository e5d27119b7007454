"""The one adapter between edoc and fpdf2's font internals (tested in ``tests/render/test_fpdf_adapter.py``).

fpdf2 parses a TrueType file for every ``FPDF.add_font`` and subsets the parsed font *in place* when the
document is written, so a parsed font cannot serve two documents. A batch would parse (and fully subset)
the same 400 KB font for every document. Here a face is prepared once:

1. its fonts are reduced once, with fontTools, to the characters a batch may need (the Vietnamese alphabet
   plus the characters of the documents seen so far), and kept as bytes;
2. fpdf2's ``TTFFont`` is built once from those bytes (cmap, widths, descriptor);
3. for each document, a shallow copy of that ``TTFFont`` gets a fresh (lazily loaded, small) fontTools
   font and a fresh subset map: the only per-document state fpdf2 keeps on a font.

Should fpdf2 change these internals, :func:`clone_font` fails with a clear error and the adapter test
fails loudly; :class:`PreparedFonts` then falls back to ``add_font`` (correct, only slower).
"""

from __future__ import annotations

import copy
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from edoc.pdf.fonts import STYLES, FontFace

__all__ = ["PreparedFonts", "BASE_CHARSET", "clone_font", "font_resource_name"]

#: Characters prepared for every batch: ASCII, Latin-1, the Vietnamese letters, common punctuation.
BASE_CHARSET: frozenset[int] = frozenset(
    set(range(0x20, 0x7F))
    | set(range(0xA0, 0x100))
    | {0x102, 0x103, 0x110, 0x111, 0x128, 0x129, 0x168, 0x169, 0x1A0, 0x1A1, 0x1AF, 0x1B0}
    | set(range(0x1EA0, 0x1EFA))
    | set(range(0x0300, 0x0310))
    | {0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x2116, 0x2264, 0x2265}
)

_PER_DOCUMENT = ("ttfont", "subset", "missing_glyphs", "biggest_size_pt", "i", "_hbfont")


def _reduce(path: str, charset: frozenset[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    font = TTFont(path, recalcTimestamp=False)
    cmap = font.getBestCmap() or {}
    opts = subset.Options()
    opts.notdef_outline = True
    opts.recommended_glyphs = True
    opts.hinting = False  # PDF viewers rasterise themselves; hinting only adds bytes and subsetting time
    opts.layout_features = []
    opts.name_IDs = ["*"]
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "DSIG", "FFTM", "hdmx", "kern", "gasp", "LTSH", "VDMX", "PCLT"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[c for c in charset if c in cmap])
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def clone_font(proto: TTFFont, data: bytes, index: int) -> TTFFont:
    """A copy of ``proto`` with the per-document state of fpdf2 reset (fresh fontTools font and subset)."""
    from fontTools.ttLib import TTFont

    missing = [a for a in _PER_DOCUMENT if not hasattr(type(proto), a) and a not in getattr(proto, "__slots__", ())]
    if missing:  # pragma: no cover - only on an fpdf2 upgrade
        raise RuntimeError(f"fpdf2's TTFFont no longer has {missing}: update edoc.pdf._fpdf")
    font = copy.copy(proto)
    # recalcBBoxes=False: the subset keeps each glyph's bounds, and fontTools then copies the glyph data
    # instead of decompiling and recompiling every outline (~6x faster per document)
    font.ttfont = TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.i = index
    font._hbfont = None
    font.subset = SubsetMap(font)
    return font


def font_resource_name(pdf: FPDF, family: str, style: str) -> str:
    """The name (``/F3``) under which fpdf2 lists a font of ``pdf`` in the page resources.

    fpdf2 names a font ``/F{font.i}`` when it sets it on a page (``FPDF._set_font_for_page``).
    """
    font = pdf.fonts.get(f"{family.lower()}{style.upper()}")
    if font is None or not isinstance(getattr(font, "i", None), int):  # pragma: no cover - fpdf2 upgrade
        raise RuntimeError(f"fpdf2 has no font {family} {style!r} with an index: update edoc.pdf._fpdf")
    return f"/F{font.i}"


@dataclass
class _Prepared:
    data: dict[str, bytes]
    protos: dict[str, TTFFont]
    charset: frozenset[int]


class PreparedFonts:
    """A face's four styles reduced and parsed once, installed into each new document cheaply.

    Not shared between threads: a :class:`~edoc.pdf.Renderer` holds one per face and renders sequentially
    (make one ``Renderer`` per worker).
    """

    FAMILY = "EdocSerif"

    def __init__(self, face: FontFace) -> None:
        self.face = face
        self._prepared: _Prepared | None = None

    def _prepare(self, charset: frozenset[int]) -> _Prepared:
        data = {s: _reduce(str(self.face.files[s]), charset) for s in STYLES}
        scratch = FPDF()
        protos: dict[str, TTFFont] = {}
        for s in STYLES:
            key = f"{self.FAMILY.lower()}{s}"
            protos[s] = TTFFont(scratch, io.BytesIO(data[s]), key, s)  # type: ignore[arg-type]
        return _Prepared(data, protos, charset)

    def install(self, pdf: FPDF, chars: Iterable[str]) -> None:
        """Register the four styles in ``pdf`` under :attr:`FAMILY`, covering ``chars``."""
        needed = frozenset(ord(c) for c in chars)
        prep = self._prepared
        if prep is None or not needed <= prep.charset:
            base = prep.charset if prep is not None else BASE_CHARSET
            prep = self._prepared = self._prepare(base | needed)
        registry: Any = pdf.fonts
        for s in STYLES:
            registry[f"{self.FAMILY.lower()}{s}"] = clone_font(prep.protos[s], prep.data[s], len(registry) + 1)
