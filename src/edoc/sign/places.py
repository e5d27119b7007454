"""Where the acts write: reserved form fields, or anchor texts found on the page.

Documents rendered by edoc carry reserved fields (signature fields for box 7c and box 8, text fields for the
number and the date). PDFs from elsewhere (Word exports) have none: the places are found by anchor text
("Số:", "ngày … tháng … năm", the signer's name) with pypdf's text positions. Text widths inside a line are
estimated with the appearance font's metrics (Times-compatible, as the Decree requires of the document).
"""

# pyHanko's PDF object constructors are untyped: calling them is the point of this module.
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from edoc.errors import MalformedFile
from edoc.model.fields import FIELD_AGENCY, FIELD_DATE, FIELD_NUMBER, FIELD_PERSON
from edoc.sign.appearance import PreparedFont

__all__ = [
    "Place", "TextHit", "find_text", "find_fields",
    "FIELD_PERSON", "FIELD_AGENCY", "FIELD_NUMBER", "FIELD_DATE",
]

# FIELD_PERSON, FIELD_AGENCY, FIELD_NUMBER, FIELD_DATE: the reserved field names, defined once in
# edoc.model.fields and exported here too for the acts that fill them.

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Place:
    """A rectangle ``(x1, y1, x2, y2)`` in points on page ``page`` (0-based); ``field`` when it is one."""

    page: int
    rect: Rect
    field: str | None = None
    #: font size of the text the place was found from (0 when unknown)
    size: float = 0.0
    #: a date template found on the page ("ngày      tháng      năm 2026"): the blanks for the day and the
    #: month and where the year is, as offsets (d1, d2, m1, m2, y1, y2) in points from the place's left edge
    parts: tuple[float, ...] = ()
    #: the year the template prints ("" when it has none)
    year: str = ""

    @property
    def width(self) -> float:
        return self.rect[2] - self.rect[0]

    @property
    def height(self) -> float:
        return self.rect[3] - self.rect[1]


@dataclass(frozen=True)
class TextHit:
    """A piece of text found on a page: its rectangle and the matched text."""

    page: int
    rect: Rect
    text: str
    size: float


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _chunks(data: bytes, pages: range | None, max_pages: int) -> Iterator[tuple[int, str, float, float, float]]:
    """(page, text, x, y, size) of each text run pypdf reports."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(BytesIO(data), strict=False)
        count = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise MalformedFile(f"cannot read the PDF's pages: {exc}") from exc
    for index in pages if pages is not None else range(min(count, max_pages)):
        if index >= count:
            break
        found: list[tuple[str, float, float, float]] = []

        def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float,
                  found: list[tuple[str, float, float, float]] = found) -> None:
            if not text.strip():
                return
            a, b, _c, _d, e, f = tm
            x = e * cm[0] + f * cm[2] + cm[4]
            y = e * cm[1] + f * cm[3] + cm[5]
            scale = abs(a * cm[0] + b * cm[2]) or 1.0
            found.append((text, x, y, size * scale))

        try:
            reader.pages[index].extract_text(visitor_text=visit)
        except (PyPdfError, ValueError, KeyError, TypeError, IndexError, RecursionError) as exc:
            raise MalformedFile(f"cannot read the text of page {index + 1}: {exc}") from exc
        for text, x, y, size in found:
            yield index, text, x, y, size


def find_text(
    data: bytes,
    pattern: str | re.Pattern[str],
    font: PreparedFont,
    *,
    pages: range | None = None,
    max_pages: int = 50,
) -> list[TextHit]:
    """Every match of ``pattern`` (a regular expression, NFC) on the pages, with its estimated rectangle.

    :param font: metrics used to estimate where inside a text run the match starts and ends.
    :param max_pages: pages searched when ``pages`` is not given (bounded time on huge files).
    """
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    hits: list[TextHit] = []
    for page, raw, x, y, size in _chunks(data, pages, max_pages):
        text = _norm(raw).lstrip()
        text = text.rstrip("\n")
        for m in regex.finditer(text):
            x1 = x + font.width(text[: m.start()], size)
            x2 = x + font.width(text[: m.end()], size)
            hits.append(TextHit(page, (x1, y + font.descent * size / 1000, x2, y + font.ascent * size / 1000),
                                m.group(0), size))
    return hits


def find_fields(reader: Any, *, pages: bool = True) -> dict[str, Place]:
    """Terminal form fields of a pyHanko reader with their first widget: fully qualified name → place.

    :param pages: find each widget's page. Finding it reads the page tree node above the page, which in a
        flat tree of a long document holds a reference to every page (~4 ms for 200 pages); with ``False``
        that is skipped and every place's ``page`` is ``-1``.
    """
    out: dict[str, Place] = {}
    index_of: dict[tuple[int, int], int] = {}
    annots_of: dict[tuple[int, int], int] = {}

    def walk_pages() -> None:
        # one walk of the page tree, only when a widget needs it (pyHanko's lookup per page is O(n))
        if index_of:
            return
        count = min(int(reader.root["/Pages"].get("/Count", 0)), 100_000)
        for i, (page_obj, page_ref) in enumerate(_walk_pages(reader.root.raw_get("/Pages"), count)):
            index_of[(page_ref.idnum, page_ref.generation)] = i
            for annot in page_obj.get("/Annots", []) or []:
                if hasattr(annot, "idnum"):
                    annots_of[(annot.idnum, annot.generation)] = i

    def page_index(ref: Any) -> int:
        found = _page_index_upwards(ref)
        if found is not None:
            return found
        walk_pages()
        return index_of.get((ref.idnum, ref.generation), 0)

    def annot_page(ref: Any) -> int:
        walk_pages()
        return annots_of.get((getattr(ref, "idnum", -1), getattr(ref, "generation", 0)), 0)

    try:
        form = reader.root.get("/AcroForm")
        if form is None:
            return out
        stack: list[tuple[str, Any, int]] = [("", f, 0) for f in form.get_object().get("/Fields", [])]
        while stack:
            prefix, ref, depth = stack.pop()
            if depth > 16:
                continue
            node = ref.get_object()
            part = node.get("/T")
            name = f"{prefix}.{part}" if prefix and part is not None else (str(part) if part is not None
                                                                            else prefix)
            kids = node.get("/Kids")
            if kids is not None and any("/T" in k.get_object() for k in kids):
                stack.extend((name, k, depth + 1) for k in kids)
                continue
            widget_ref = kids[0] if kids else ref
            widget = widget_ref.get_object()
            rect = widget.get("/Rect")
            page_ref = widget.raw_get("/P") if "/P" in widget else None
            if not pages:
                page = -1
            elif page_ref is not None and hasattr(page_ref, "idnum"):
                page = page_index(page_ref)
            else:
                page = annot_page(widget_ref)
            if rect is not None:
                r = [float(v) for v in rect]
                out[name] = Place(page, (min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])),
                                  field=name)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedFile(f"cannot read the form fields: {exc}") from exc
    return out


def _walk_pages(root_ref: Any, limit: int) -> Iterator[tuple[Any, Any]]:
    """(page dictionary, reference) in document order, iteratively, at most ``limit`` pages."""
    stack = [root_ref]
    seen: set[tuple[int, int]] = set()
    found = 0
    while stack and found < limit:
        ref = stack.pop()
        key = (getattr(ref, "idnum", -1), getattr(ref, "generation", 0))
        if key in seen:
            continue
        seen.add(key)
        node = ref.get_object()
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            stack.extend(reversed(list(node.get("/Kids", []))))
        else:
            found += 1
            yield node, ref


def _page_index_upwards(page_ref: Any) -> int | None:
    """A page's index from its /Parent chain, reading only the page-tree nodes above it (not every page).

    At a node whose /Count equals its number of kids, every kid is one page and the position is the index;
    elsewhere the earlier kids' counts are added. ``None`` when the tree is not what it claims to be.
    """
    index = 0
    node_ref = page_ref
    node = page_ref.get_object()
    for _ in range(64):
        parent_ref = node.raw_get("/Parent") if "/Parent" in node else None
        if parent_ref is None:
            return index
        parent = parent_ref.get_object()
        kids = parent.get("/Kids")
        if kids is None:
            return None
        keys = [(getattr(k, "idnum", -1), getattr(k, "generation", 0)) for k in kids]
        try:
            pos = keys.index((node_ref.idnum, node_ref.generation))
        except ValueError:
            return None
        if int(parent.get("/Count", -1)) == len(keys):
            index += pos
        else:
            for kid in list(kids)[:pos]:
                obj = kid.get_object()
                index += int(obj.get("/Count", 0)) if "/Kids" in obj else 1
        node_ref, node = parent_ref, parent
    return None
