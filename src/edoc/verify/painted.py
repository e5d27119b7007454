"""Where a signed page shows something: the overlay check of the ``annotation-added`` rule.

An annotation added after signing is a comment only if it hides nothing that was signed; an opaque box
drawn over a number or a seal is the *overlay* attack. :func:`covers_signed_content` answers the question
for one new annotation against the page as it was signed: the areas where the page's content streams show
text, images or drawings (a small interpreter of the content operators: the transformation matrix, the
text matrix and the paths; text width estimated generously from the number of glyphs, white fills and
invisible text ignored) and the rectangles of the annotations and fields present at signing.

The estimate errs on the side of refusing: content that cannot be read within the limits counts as covering
the whole page. Text-markup annotations (highlight, underline, strike-out, squiggly) are meant to lie over
text; they are admitted over content when their appearance cannot hide it (no appearance stream, so the
viewer draws the standard markup, or one that fills only with a multiply/darken blend or an alpha of at most
one half, strokes lines of at most 2.5 units and shows no text or image).

Content streams are tokenised with pypdf's ``ContentStream`` parser (pypdf's own parsing budget applies);
the objects come from pyHanko's reader of the signed revision (its decode limits apply).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfDecodeLimitError

__all__ = ["covers_signed_content", "painted_areas", "transparent_markup"]

Box = tuple[float, float, float, float]
Matrix = tuple[float, float, float, float, float, float]

_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_OPS = 200_000  # operators interpreted per page, forms included
_MAX_DEPTH = 6  # nested form XObjects
_GLYPH_WIDTH = 0.7  # text width per glyph, in units of the font size (generous: most glyphs are narrower)
_HIDDEN = 2 | 32  # annotation flags Hidden and NoView
_MIN_OVERLAP = 0.5  # user-space units both ways for two boxes to overlap
_MAX_MARKUP_LINE = 2.5
TEXT_MARKUP = frozenset({"/Highlight", "/Underline", "/Squiggly", "/StrikeOut"})


def _mul(m1: Matrix, m2: Matrix) -> Matrix:
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _box(m: Matrix, x1: float, y1: float, x2: float, y2: float) -> Box:
    pts = [_apply(m, x, y) for x, y in ((x1, y1), (x1, y2), (x2, y1), (x2, y2))]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def _overlap(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > _MIN_OVERLAP and min(a[3], b[3]) - max(a[1], b[1]) > _MIN_OVERLAP


def _deref(value: Any) -> Any:
    if isinstance(value, generic.IndirectObject):
        target: Any = value
        return target.get_object()
    return value


def _get(d: Any, key: str) -> Any:
    if not isinstance(d, generic.DictionaryObject):
        return None
    try:
        return _deref(d.raw_get(key))
    except KeyError:
        return None


def _rect(value: Any) -> Box | None:
    arr = _deref(value)
    try:
        x1, y1, x2, y2 = (float(_deref(v)) for v in arr)
    except (TypeError, ValueError):
        return None
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _inherited(page: Any, key: str) -> Any:
    node, hops = page, 0
    while isinstance(node, generic.DictionaryObject) and hops < 64:
        value = _get(node, key)
        if value is not None:
            return value
        node, hops = _get(node, "/Parent"), hops + 1
    return None


class _Budget:
    def __init__(self) -> None:
        self.left = _MAX_OPS


class _Unreadable(Exception):
    """Content the analysis cannot follow: it counts as covering the whole page."""


def _operations(stream: Any, budget: _Budget) -> list[tuple[Any, bytes]]:
    from pypdf.generic import ContentStream

    if isinstance(stream, generic.ArrayObject):
        data = b"\n".join(_deref(s).data for s in stream if isinstance(_deref(s), generic.StreamObject))
    elif isinstance(stream, generic.StreamObject):
        data = stream.data
    else:
        return []
    parsed = ContentStream(None, None)
    parsed.set_data(data)
    ops: list[tuple[Any, bytes]] = parsed.operations
    budget.left -= len(ops)
    if budget.left < 0:
        raise _Unreadable("too many operators")
    return ops


def _num(value: Any) -> float:
    return float(value)


def _string_bytes(value: Any) -> int:
    original = getattr(value, "get_original_bytes", None)
    if original is not None:
        return len(original())
    return len(bytes(value))


def painted_areas(page: Any, *, budget: _Budget | None = None) -> list[tuple[str, Box]]:
    """``(kind, box)`` for everything the page's content streams paint (``kind``: ``text``, ``an image``,
    ``a drawing``), boxes in default user space; raises :class:`_Unreadable` for content it cannot follow."""
    budget = budget or _Budget()
    out: list[tuple[str, Box]] = []
    _run(_get(page, "/Contents"), _inherited(page, "/Resources"), _IDENTITY, out, budget, 0,
         _rect(_inherited(page, "/MediaBox")) or (0.0, 0.0, 612.0, 792.0))
    return out


def _run(content: Any, resources: Any, ctm: Matrix, out: list[tuple[str, Box]], budget: _Budget, depth: int,
         page_box: Box) -> None:
    if depth > _MAX_DEPTH:
        raise _Unreadable("forms nested too deep")
    fonts = _get(resources, "/Font")
    xobjects = _get(resources, "/XObject")
    stack: list[tuple[Matrix, bool, bool, float, int, int]] = []
    fill_white = stroke_white = False
    tm = tlm = _IDENTITY
    size, leading, hscale, bytes_per_glyph, render = 1.0, 0.0, 1.0, 1, 0
    path: list[tuple[float, float]] = []

    def show(count: int) -> None:
        nonlocal tm
        width = count / bytes_per_glyph * _GLYPH_WIDTH * size * hscale
        if render != 3 and count:
            out.append(("text", _box(_mul(tm, ctm), 0.0, -0.25 * size, width, size)))
        tm = _mul((1.0, 0.0, 0.0, 1.0, width, 0.0), tm)

    def move(tx: float, ty: float) -> None:
        nonlocal tm, tlm
        tlm = _mul((1.0, 0.0, 0.0, 1.0, tx, ty), tlm)
        tm = tlm

    def paint(kind_white: bool) -> None:
        if path and not kind_white:
            xs, ys = [p[0] for p in path], [p[1] for p in path]
            out.append(("a drawing", (min(xs), min(ys), max(xs), max(ys))))

    def white(args: list[Any], cmyk: bool) -> bool:
        try:
            values = [_num(a) for a in args]
        except (TypeError, ValueError):
            return False  # a pattern or a named colour: paint
        if not values:
            return False
        return all(v <= 0.0 for v in values) if cmyk and len(values) == 4 else all(v >= 1.0 for v in values)

    for args, op in _operations(content, budget):
        if op == b"q":
            stack.append((ctm, fill_white, stroke_white, size, bytes_per_glyph, render))
        elif op == b"Q":
            if stack:
                ctm, fill_white, stroke_white, size, bytes_per_glyph, render = stack.pop()
        elif op == b"cm" and len(args) == 6:
            ctm = _mul(tuple(_num(a) for a in args), ctm)  # type: ignore[arg-type]
        elif op in (b"g", b"rg", b"sc", b"scn"):
            fill_white = white(args, False)
        elif op == b"k":
            fill_white = white(args, True)
        elif op in (b"G", b"RG", b"SC", b"SCN"):
            stroke_white = white(args, False)
        elif op == b"K":
            stroke_white = white(args, True)
        elif op == b"cs":
            fill_white = False
        elif op == b"CS":
            stroke_white = False
        elif op in (b"m", b"l") and len(args) == 2:
            path.append(_apply(ctm, _num(args[0]), _num(args[1])))
        elif op == b"c" and len(args) == 6:
            path.extend(_apply(ctm, _num(args[i]), _num(args[i + 1])) for i in (0, 2, 4))
        elif op in (b"v", b"y") and len(args) == 4:
            path.extend(_apply(ctm, _num(args[i]), _num(args[i + 1])) for i in (0, 2))
        elif op == b"re" and len(args) == 4:
            x, y, w, h = (_num(a) for a in args)
            x1, y1, x2, y2 = _box(ctm, x, y, x + w, y + h)
            path.extend([(x1, y1), (x2, y2)])
        elif op in (b"f", b"F", b"f*"):
            paint(fill_white)
            path = []
        elif op in (b"S", b"s"):
            paint(stroke_white)
            path = []
        elif op in (b"B", b"B*", b"b", b"b*"):
            paint(fill_white and stroke_white)
            path = []
        elif op == b"n":
            path = []
        elif op == b"BT":
            tm = tlm = _IDENTITY
        elif op == b"Tf" and len(args) == 2:
            size = _num(args[1])
            font = _get(fonts, str(args[0]))
            bytes_per_glyph = 2 if _get(font, "/Subtype") == "/Type0" else 1
        elif op == b"Tz" and args:
            hscale = _num(args[0]) / 100.0
        elif op == b"TL" and args:
            leading = _num(args[0])
        elif op == b"Tr" and args:
            render = int(_num(args[0]))
        elif op == b"Td" and len(args) == 2:
            move(_num(args[0]), _num(args[1]))
        elif op == b"TD" and len(args) == 2:
            leading = -_num(args[1])
            move(_num(args[0]), _num(args[1]))
        elif op == b"Tm" and len(args) == 6:
            tm = tlm = tuple(_num(a) for a in args)  # type: ignore[assignment]
        elif op == b"T*":
            move(0.0, -leading)
        elif op == b"Tj" and args:
            show(_string_bytes(args[0]))
        elif op in (b"'", b'"') and args:
            move(0.0, -leading)
            show(_string_bytes(args[-1]))
        elif op == b"TJ" and args:
            for item in args[0]:
                if isinstance(item, (int, float)) or type(item).__name__ in ("NumberObject", "FloatObject"):
                    tm = _mul((1.0, 0.0, 0.0, 1.0, -_num(item) / 1000.0 * size * hscale, 0.0), tm)
                else:
                    show(_string_bytes(item))
        elif op == b"Do" and args:
            xobject = _get(xobjects, str(args[0]))
            subtype = _get(xobject, "/Subtype")
            if subtype == "/Image":
                out.append(("an image", _box(ctm, 0.0, 0.0, 1.0, 1.0)))
            elif subtype == "/Form":
                matrix = _get(xobject, "/Matrix")
                inner = tuple(_num(_deref(v)) for v in matrix) if isinstance(matrix, generic.ArrayObject) \
                    and len(matrix) == 6 else _IDENTITY
                _run(xobject, _get(xobject, "/Resources") or resources, _mul(inner, ctm),  # type: ignore[arg-type]
                     out, budget, depth + 1, page_box)
        elif op == b"INLINE IMAGE":
            out.append(("an image", _box(ctm, 0.0, 0.0, 1.0, 1.0)))
        elif op == b"sh":
            out.append(("a drawing", page_box))


def transparent_markup(annot: Any) -> bool:
    """Whether a text-markup annotation's appearance cannot hide what lies under it."""
    if _get(annot, "/Subtype") not in TEXT_MARKUP:
        return False
    appearance = _get(_get(annot, "/AP"), "/N")
    if appearance is None:
        return True  # the viewer draws the standard (translucent) markup
    if isinstance(appearance, generic.DictionaryObject) and not isinstance(appearance, generic.StreamObject):
        appearance = _get(appearance, str(_get(annot, "/AS")))
        if appearance is None:
            return True
    if not isinstance(appearance, generic.StreamObject):
        return False
    states = _get(_get(appearance, "/Resources"), "/ExtGState")
    see_through = False
    width = 1.0
    stack: list[tuple[bool, float]] = []
    allowed = {b"q", b"Q", b"cm", b"m", b"l", b"c", b"v", b"y", b"re", b"h", b"n", b"W", b"W*", b"g", b"rg", b"k",
               b"G", b"RG", b"K", b"cs", b"CS", b"sc", b"scn", b"SC", b"SCN", b"J", b"j", b"M", b"d", b"ri", b"i"}
    try:
        for args, op in _operations(appearance, _Budget()):
            if op == b"q":
                stack.append((see_through, width))
            elif op == b"Q":
                if stack:
                    see_through, width = stack.pop()
            elif op == b"gs" and args:
                state = _get(states, str(args[0]))
                mode = _get(state, "/BM")
                alpha = _get(state, "/ca")
                if mode in ("/Multiply", "/Darken") or (alpha is not None and float(alpha) <= 0.5):
                    see_through = True
            elif op == b"w" and args:
                width = float(args[0])
            elif op in (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"):
                if not see_through:
                    return False
            elif op in (b"S", b"s"):
                if width > _MAX_MARKUP_LINE and not see_through:
                    return False
            elif op not in allowed:
                return False
    except PdfDecodeLimitError:
        raise
    except Exception:
        return False
    return True


def _annotations(page: Any) -> Iterator[tuple[str, Box]]:
    annots = _get(page, "/Annots")
    if not isinstance(annots, generic.ArrayObject):
        return
    for value in list(annots)[:10_000]:
        annot = _deref(value)
        if not isinstance(annot, generic.DictionaryObject):
            continue
        flags = _get(annot, "/F")
        if isinstance(flags, int) and flags & _HIDDEN:
            continue
        if _get(annot, "/Subtype") == "/Popup" and not _get(annot, "/Open"):
            continue
        box = _rect(_get(annot, "/Rect"))
        if box is None:
            continue
        name = _get(annot, "/T") or _get(_get(annot, "/Parent"), "/T")
        if _get(annot, "/FT") == "/Sig" or _get(_get(annot, "/Parent"), "/FT") == "/Sig":
            yield f"the signature field {name}", box
        elif _get(annot, "/Subtype") == "/Widget":
            yield f"the form field {name}", box
        else:
            yield f"a {_get(annot, '/Subtype')} annotation", box


def covers_signed_content(old: Any, page_ref: Any, annot: Any, cache: dict[Any, Any] | None = None) -> str | None:
    """What a new annotation ``annot`` covers of page ``page_ref`` as the signed revision ``old`` shows it,
    or ``None`` when it covers nothing (or is never shown)."""
    flags = _get(annot, "/F")
    if isinstance(flags, int) and flags & _HIDDEN:
        return None
    subtype = _get(annot, "/Subtype")
    if subtype == "/Popup" and not _get(annot, "/Open"):
        return None
    box = _rect(_get(annot, "/Rect"))
    if box is None:
        return "the page (its /Rect cannot be read)"
    if box[2] - box[0] <= _MIN_OVERLAP or box[3] - box[1] <= _MIN_OVERLAP:
        return None
    page = old(page_ref)
    if transparent_markup(annot):
        return None
    for what, other in _annotations(page):
        if _overlap(box, other):
            return what
    key = (id(old), page_ref)
    areas = cache.get(key) if cache is not None else None
    if areas is None:
        try:
            areas = painted_areas(page)
        except PdfDecodeLimitError:
            raise
        except Exception:  # unreadable content counts as covering the whole page
            areas = [("content that cannot be read", (-1e9, -1e9, 1e9, 1e9))]
        if cache is not None:
            cache[key] = areas
    for what, other in areas:
        if _overlap(box, other):
            return what
    return None
