"""Appearance material prepared once per batch: a Vietnamese font subset and PNG images.

pyHanko's own text stamps subset a TrueType font again for every signature (~80 ms each, see
``measured-pitfalls.md``). Here the font is subset once, to the whole Vietnamese alphabet, when a
:class:`PreparedFont` is made; every signature then only writes the finished, already compressed font
program into its document. Images are decoded and compressed once by :class:`PreparedImage`.

The appearance itself is a plain form XObject drawn by :class:`Stamp` (images and text lines at given
positions, in points). The font is embedded as a CIDFontType2 with ``Identity-H`` and a ``ToUnicode`` map,
images as RGB with an ``SMask``: both allowed by PDF/A-2 and -3.
"""

# pyHanko's PDF object constructors are untyped: calling them is the point of this module.
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edoc.errors import InvalidInput, MissingDependency, ResourceError

__all__ = [
    "PreparedFont",
    "PreparedImage",
    "TextLine",
    "ImagePlacement",
    "Stamp",
    "default_font",
    "VIETNAMESE_CHARSET",
]

#: Every character an appearance may need: ASCII, Latin-1 letters and the whole Vietnamese alphabet.
VIETNAMESE_CHARSET: frozenset[int] = frozenset(
    set(range(0x20, 0x7F))
    | set(range(0xA0, 0x100))
    | {0x102, 0x103, 0x110, 0x111, 0x128, 0x129, 0x168, 0x169, 0x1A0, 0x1A1, 0x1AF, 0x1B0}
    | set(range(0x1EA0, 0x1EFA))
    | {0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026}
)

_FONT_CANDIDATES = {
    "regular": (
        "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/croscore/Tinos-Regular.ttf",
    ),
    "italic": (
        "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Italic.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Italic.ttf",
        "/usr/share/fonts/truetype/croscore/Tinos-Italic.ttf",
    ),
}


@dataclass(frozen=True)
class PreparedFont:
    """A TrueType font subset once to :data:`VIETNAMESE_CHARSET`, ready to embed in any document.

    Make one with :meth:`load`; it is immutable and can be shared by a whole batch (and pickled to workers).
    """

    name: str
    #: FlateDecode-compressed font program (``FontFile2``).
    program: bytes = field(repr=False)
    program_length: int
    #: unicode code point -> glyph id in the subset
    gids: dict[int, int] = field(repr=False)
    #: glyph id -> advance width in 1/1000 em
    widths: dict[int, int] = field(repr=False)
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    #: FlateDecode-compressed ToUnicode CMap
    to_unicode: bytes = field(repr=False)

    @classmethod
    def load(cls, path: str | Path | None = None, *, style: str = "regular") -> PreparedFont:
        """Subset a TrueType font (default: Times New Roman if installed, else Liberation Serif).

        :param path: a ``.ttf`` file with Vietnamese coverage.
        :param style: ``regular`` or ``italic``, for the default font.
        :raises ResourceError: no usable font file.
        :raises InvalidInput: the font lacks Vietnamese letters.
        """
        try:
            from fontTools import subset
            from fontTools.ttLib import TTFont, TTLibError
        except ImportError as exc:  # pragma: no cover - fontTools comes with pyhanko[opentype]
            raise MissingDependency("fontTools", "opentype") from exc
        if path is None:
            found = next((p for p in _FONT_CANDIDATES[style] if Path(p).is_file()), None)
            if found is None:
                raise ResourceError(
                    "no Times-compatible font with Vietnamese letters found; install fonts-liberation2",
                    message_vi="Không tìm thấy phông chữ Times có dấu tiếng Việt; hãy cài fonts-liberation2",
                )
            path = found
        try:
            font = TTFont(str(path))
        except (OSError, TTLibError) as exc:
            raise ResourceError(f"cannot read the font: {exc}", path=path) from exc
        cmap = font.getBestCmap() or {}
        needed = {c for c in "ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậếềểễệọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"}
        missing = [c for c in needed if ord(c) not in cmap]
        if missing:
            raise InvalidInput(f"the font has no Vietnamese letters ({''.join(sorted(missing))[:10]}…)", path=path)
        opts = subset.Options()
        opts.hinting = False
        opts.layout_features = []
        opts.retain_gids = False
        opts.notdef_outline = True
        opts.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG", "FFTM"]
        opts.name_IDs = [1, 2, 3, 4, 6]
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=[c for c in VIETNAMESE_CHARSET if c in cmap])
        import logging

        logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
        sub.subset(font)
        buf = io.BytesIO()
        font.save(buf)
        raw = buf.getvalue()
        upem = font["head"].unitsPerEm
        scale = 1000 / upem
        order = {name: i for i, name in enumerate(font.getGlyphOrder())}
        gids = {cp: order[name] for cp, name in (font.getBestCmap() or {}).items()}
        hmtx = font["hmtx"]
        widths = {order[name]: round(hmtx[name][0] * scale) for name in font.getGlyphOrder()}
        head = font["head"]
        hhea = font["hhea"]
        os2 = font["OS/2"] if "OS/2" in font else None
        cap = getattr(os2, "sCapHeight", 0) or round(0.66 * upem)
        ps_name = str(font["name"].getDebugName(6) or "EdocSerif").replace(" ", "")
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(raw).digest()[:6])
        return cls(
            name=f"{tag}+{ps_name}",
            program=zlib.compress(raw, 9),
            program_length=len(raw),
            gids=gids,
            widths=widths,
            ascent=round(hhea.ascent * scale),
            descent=round(hhea.descent * scale),
            cap_height=round(cap * scale),
            bbox=(round(head.xMin * scale), round(head.yMin * scale),
                  round(head.xMax * scale), round(head.yMax * scale)),
            to_unicode=zlib.compress(_to_unicode_cmap(gids), 9),
        )

    def encode(self, text: str) -> bytes:
        """The text as a PDF hex string of glyph ids (``<…>``) for ``Identity-H``.

        :raises InvalidInput: a character the font subset cannot show.
        """
        out = []
        for ch in text:
            gid = self.gids.get(ord(ch))
            if gid is None:
                raise InvalidInput(f"the appearance font cannot show the character {ch!r}", field="text")
            out.append(f"{gid:04X}")
        return ("<" + "".join(out) + ">").encode("ascii")

    def width(self, text: str, size: float) -> float:
        """Advance width of ``text`` at ``size`` points."""
        return sum(self.widths.get(self.gids.get(ord(c), 0), 500) for c in text) * size / 1000

    def pdf_objects(self, writer: Any) -> Any:
        """Add the font's objects to a pyHanko writer; return a reference to the Type0 font dictionary."""
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.generic import pdf_name

        n = generic.NameObject
        program = generic.StreamObject(
            {n("/Length1"): generic.NumberObject(self.program_length), n("/Filter"): n("/FlateDecode")},
            encoded_data=self.program,
        )
        descriptor = generic.DictionaryObject({
            n("/Type"): n("/FontDescriptor"),
            n("/FontName"): pdf_name("/" + self.name),
            n("/Flags"): generic.NumberObject(32 + 2),
            n("/FontBBox"): generic.ArrayObject([generic.NumberObject(v) for v in self.bbox]),
            n("/ItalicAngle"): generic.NumberObject(0),
            n("/Ascent"): generic.NumberObject(self.ascent),
            n("/Descent"): generic.NumberObject(self.descent),
            n("/CapHeight"): generic.NumberObject(self.cap_height),
            n("/StemV"): generic.NumberObject(80),
            n("/FontFile2"): writer.add_object(program),
        })
        widths = _W_ARRAYS.get(self.name)
        if widths is None:  # built once per font and process: it holds no references, so writers can share it
            widths = generic.ArrayObject()
            gids = sorted(self.widths)
            if gids == list(range(len(gids))):
                widths.append(generic.NumberObject(0))
                widths.append(generic.ArrayObject([generic.NumberObject(self.widths[g]) for g in gids]))
            else:
                for gid in gids:
                    widths.append(generic.NumberObject(gid))
                    widths.append(generic.ArrayObject([generic.NumberObject(self.widths[gid])]))
            _W_ARRAYS[self.name] = widths
        cid_font = generic.DictionaryObject({
            n("/Type"): n("/Font"),
            n("/Subtype"): n("/CIDFontType2"),
            n("/BaseFont"): pdf_name("/" + self.name),
            n("/CIDSystemInfo"): generic.DictionaryObject({
                n("/Registry"): generic.TextStringObject("Adobe"),
                n("/Ordering"): generic.TextStringObject("Identity"),
                n("/Supplement"): generic.NumberObject(0),
            }),
            n("/FontDescriptor"): writer.add_object(descriptor),
            n("/DW"): generic.NumberObject(1000),
            n("/W"): widths,
            n("/CIDToGIDMap"): n("/Identity"),
        })
        to_unicode = generic.StreamObject({n("/Filter"): n("/FlateDecode")}, encoded_data=self.to_unicode)
        type0 = generic.DictionaryObject({
            n("/Type"): n("/Font"),
            n("/Subtype"): n("/Type0"),
            n("/BaseFont"): pdf_name("/" + self.name),
            n("/Encoding"): n("/Identity-H"),
            n("/DescendantFonts"): generic.ArrayObject([writer.add_object(cid_font)]),
            n("/ToUnicode"): writer.add_object(to_unicode),
        })
        return writer.add_object(type0)


_W_ARRAYS: dict[str, Any] = {}


def _to_unicode_cmap(gids: dict[int, int]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
    ]
    pairs = sorted((gid, cp) for cp, gid in gids.items())
    seen: set[int] = set()
    uniq = [(g, c) for g, c in pairs if not (g in seen or seen.add(g))]  # type: ignore[func-returns-value]
    for i in range(0, len(uniq), 100):
        chunk = uniq[i:i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{g:04X}> <{c:04X}>" for g, c in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


_DEFAULT_FONTS: dict[str, PreparedFont] = {}


def default_font(style: str = "regular") -> PreparedFont:
    """The default appearance font (``regular`` or ``italic``), subset once per process."""
    font = _DEFAULT_FONTS.get(style)
    if font is None:
        if style not in _FONT_CANDIDATES:
            raise InvalidInput(f"unknown font style {style!r}", field="style")
        font = _DEFAULT_FONTS[style] = PreparedFont.load(style=style)
    return font


def seed_default_fonts(fonts: dict[str, PreparedFont]) -> None:
    """Install fonts prepared elsewhere (a batch's parent process) as this process's defaults."""
    _DEFAULT_FONTS.update(fonts)


@dataclass(frozen=True)
class PreparedImage:
    """A PNG decoded and compressed once: RGB samples plus an alpha soft mask.

    :param width_px: pixel width; :param height_px: pixel height.
    """

    width_px: int
    height_px: int
    rgb: bytes = field(repr=False)
    alpha: bytes | None = field(repr=False)
    digest: str

    @classmethod
    def load(cls, source: str | Path | bytes, *, max_pixels: int = 16_000_000) -> PreparedImage:
        """Decode a PNG (or any image Pillow reads) once.

        :param source: a path or the file's bytes.
        :param max_pixels: refuse larger images (decompression bombs).
        :raises InvalidInput: not an image, or too large.
        """
        try:
            from PIL import Image, UnidentifiedImageError
        except ImportError as exc:  # pragma: no cover
            raise MissingDependency("Pillow", "image-support") from exc
        label = "<bytes>" if isinstance(source, bytes) else str(source)
        try:
            data = source if isinstance(source, bytes) else Path(source).read_bytes()
        except OSError as exc:
            raise ResourceError(f"cannot read the image: {exc.strerror}", path=label) from exc
        try:
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > max_pixels:
                    raise InvalidInput(f"the image has more than {max_pixels} pixels", path=label)
                rgba = img.convert("RGBA")
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise InvalidInput(f"not a readable image: {exc}", path=label) from exc
        r, g, b, a = rgba.split()
        rgb = Image.merge("RGB", (r, g, b)).tobytes()
        alpha_raw = a.tobytes()
        alpha = None if a.getextrema() == (255, 255) else zlib.compress(alpha_raw, 6)
        return cls(
            width_px=rgba.width,
            height_px=rgba.height,
            rgb=zlib.compress(rgb, 6),
            alpha=alpha,
            digest=hashlib.sha256(data).hexdigest()[:16],
        )

    def pdf_object(self, writer: Any) -> Any:
        """Add the image (and its soft mask) to a pyHanko writer; return the image XObject reference."""
        from pyhanko.pdf_utils import generic

        n = generic.NameObject

        def xobj(data: bytes, colour: str) -> Any:
            return generic.StreamObject({
                n("/Type"): n("/XObject"), n("/Subtype"): n("/Image"),
                n("/Width"): generic.NumberObject(self.width_px),
                n("/Height"): generic.NumberObject(self.height_px),
                n("/ColorSpace"): n(colour), n("/BitsPerComponent"): generic.NumberObject(8),
                n("/Filter"): n("/FlateDecode"),
            }, encoded_data=data)

        image = xobj(self.rgb, "/DeviceRGB")
        if self.alpha is not None:
            image[n("/SMask")] = writer.add_object(xobj(self.alpha, "/DeviceGray"))
        return writer.add_object(image)


@dataclass(frozen=True)
class TextLine:
    """One line of text in an appearance: baseline position in points from the box's lower left."""

    text: str
    x: float
    y: float
    size: float = 10.0
    #: RGB 0–1
    colour: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class ImagePlacement:
    """An image drawn at ``(x, y)`` with size ``w`` × ``h`` points, relative to the box's lower left."""

    image: PreparedImage
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Stamp:
    """What a signature widget shows: images, then text lines, in a box of ``width`` × ``height`` points.

    :param background: fill the box with this RGB colour first (to cover text under a filled field).
    :param covers: white rectangles ``(x, y, w, h)`` drawn first (to cover only a part of the box).
    """

    width: float
    height: float
    images: tuple[ImagePlacement, ...] = ()
    lines: tuple[TextLine, ...] = ()
    font: PreparedFont | None = None
    background: tuple[float, float, float] | None = None
    covers: tuple[tuple[float, float, float, float], ...] = ()

    def content(self) -> bytes:
        """The content stream (resource names ``/Im0…``, ``/F0``)."""
        ops: list[str] = []
        if self.background is not None:
            r, g, b = self.background
            ops.append(f"{r:.3f} {g:.3f} {b:.3f} rg 0 0 {self.width:.2f} {self.height:.2f} re f")
        for x, y, w, h in self.covers:
            ops.append(f"1 1 1 rg {x:.3f} {y:.3f} {w:.3f} {h:.3f} re f")
        for i, placement in enumerate(self.images):
            ops.append(f"q {placement.w:.3f} 0 0 {placement.h:.3f} {placement.x:.3f} {placement.y:.3f} cm "
                       f"/Im{i} Do Q")
        font = self.font
        if self.lines:
            if font is None:
                raise InvalidInput("an appearance with text needs a font", field="font")
            for line in self.lines:
                r, g, b = line.colour
                ops.append(f"BT {r:.3f} {g:.3f} {b:.3f} rg /F0 {line.size:.2f} Tf {line.x:.3f} {line.y:.3f} Td "
                           f"{font.encode(line.text).decode('ascii')} Tj ET")
        return " ".join(ops).encode("ascii")

    def form_xobject(self, writer: Any, *, font_ref: Any = None) -> Any:
        """Add this appearance as a form XObject to a pyHanko writer; return its reference.

        :param font_ref: a reference to the font already written in this revision (shared between widgets).
        """
        from pyhanko.pdf_utils import generic

        n = generic.NameObject
        resources = generic.DictionaryObject()
        if self.images:
            resources[n("/XObject")] = generic.DictionaryObject(
                {n(f"/Im{i}"): p.image.pdf_object(writer) for i, p in enumerate(self.images)})
        if self.lines:
            assert self.font is not None
            ref = font_ref if font_ref is not None else self.font.pdf_objects(writer)
            resources[n("/Font")] = generic.DictionaryObject({n("/F0"): ref})
        stream = generic.StreamObject({
            n("/Type"): n("/XObject"), n("/Subtype"): n("/Form"),
            n("/BBox"): generic.ArrayObject([generic.FloatObject(0), generic.FloatObject(0),
                                             generic.FloatObject(round(self.width, 3)),
                                             generic.FloatObject(round(self.height, 3))]),
            n("/Resources"): resources,
        }, stream_data=self.content())
        stream.compress()
        return writer.add_object(stream)


def wrap_lines(text: Iterable[str], font: PreparedFont, size: float, max_width: float) -> list[str]:
    """Greedy word wrap of each given line to ``max_width`` points."""
    out: list[str] = []
    for para in text:
        words = para.split()
        cur = ""
        for w in words:
            trial = f"{cur} {w}" if cur else w
            if cur and font.width(trial, size) > max_width:
                out.append(cur)
                cur = w
            else:
                cur = trial
        out.append(cur)
    return out
