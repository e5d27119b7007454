"""Places reserved in a rendered PDF for the acts that follow: signatures, seal, number and date.

The renderer records each place twice: in :attr:`RenderResult.places <edoc.pdf.RenderResult.places>` and
inside the PDF as an empty form field, so a later act (another program, another day) finds it with
:func:`find_places`:

==================  =========  ==========================================================================
field name          kind       what goes there
==================  =========  ==========================================================================
``edoc.sig.person``  signature  box 7c: the competent person's signature (image of the handwritten signature)
``edoc.sig.agency``  seal       box 8: the agency signature (image of the seal, over the left third of 7c)
``edoc.number``      number     box 3: ``Số:`` and the number, before ``/notation`` (not yet numbered)
``edoc.date``        date       box 4: ``ngày … tháng … năm …`` after the place (not yet dated)
``edoc.refN.number``  number     the heading of appendix N: ``số`` and the number in "(Kèm theo … số …)"
``edoc.refN.date``    date       the heading of appendix N: the date in "(Kèm theo … ngày … tháng … năm …)"
==================  =========  ==========================================================================

The number fields print a label with their value (``/EdocLabel`` in the widget: ``Số: `` or ``số ``) and end
at the ``/`` of the notation; the empty date fields show ``ngày   tháng   năm 2026``. All are filled with
the same number and date by the issuance act (:func:`edoc.sign.issue`).

Rectangles are ``(x1, y1, x2, y2)`` in PDF points, origin at the bottom left of the page; pages are 0-based.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

from edoc.errors import MalformedFile, ResourceError
from edoc.model.fields import FIELD_AGENCY, FIELD_DATE, FIELD_NUMBER, FIELD_PERSON

__all__ = [
    "PlaceKind",
    "ReservedPlace",
    "find_places",
    "FIELD_PERSON",
    "FIELD_AGENCY",
    "FIELD_NUMBER",
    "FIELD_DATE",
    "baseline_offset",
    "reference_fields",
    "text_field_kind",
]

# FIELD_PERSON, FIELD_AGENCY, FIELD_NUMBER, FIELD_DATE: defined once in edoc.model.fields (the verifier reads
# them too), exported here with the places they name.

Rect = tuple[float, float, float, float]


class PlaceKind(enum.Enum):
    """What a reserved place is for."""

    SIGNATURE = "signature"
    SEAL = "seal"
    NUMBER = "number"
    DATE = "date"


_REFERENCE_RE = re.compile(r"^edoc\.ref[1-9][0-9]{0,3}\.(number|date)$")


def reference_fields(index: int) -> tuple[str, str]:
    """The number and date fields of the heading of appendix ``index`` (0-based): ``edoc.ref1.number``…"""
    return f"edoc.ref{index + 1}.number", f"edoc.ref{index + 1}.date"


def text_field_kind(name: str) -> PlaceKind | None:
    """:attr:`PlaceKind.NUMBER` or :attr:`PlaceKind.DATE` for edoc's reserved text fields, else ``None``."""
    if name in (FIELD_NUMBER, FIELD_DATE):
        return _KIND_OF[name]
    m = _REFERENCE_RE.match(name)
    if m is None:
        return None
    return PlaceKind.NUMBER if m.group(1) == "number" else PlaceKind.DATE


def baseline_offset(height: float, size: float) -> float:
    """Where the text of a reserved number or date field sits: its baseline above the bottom of the widget,
    in points, for a widget ``height`` points high and text of ``size`` points.

    The one convention shared by the renderer (which puts the widget so that this baseline is the baseline
    of the line around it) and the issuance act (which writes the value on it); for a widget found around
    a text run it is that run's baseline too (Times-compatible ascent and descent).
    """
    return max((height - 0.68 * size) / 2, 0.5)


_KIND_OF = {FIELD_PERSON: PlaceKind.SIGNATURE, FIELD_AGENCY: PlaceKind.SEAL, FIELD_NUMBER: PlaceKind.NUMBER,
            FIELD_DATE: PlaceKind.DATE}


@dataclass(frozen=True)
class ReservedPlace:
    """A reserved rectangle on a page, and the form field that marks it in the PDF."""

    field: str
    kind: PlaceKind
    page: int
    rect: Rect
    #: font size of the text around the place (number/date), 0 for images
    font_size: float = 0.0

    @property
    def width(self) -> float:
        return self.rect[2] - self.rect[0]

    @property
    def height(self) -> float:
        return self.rect[3] - self.rect[1]


_MAX_FIELDS = 10_000


def find_places(pdf: str | Path | bytes) -> list[ReservedPlace]:
    """The places reserved by edoc in a PDF (its ``edoc.*`` form fields), in page order.

    Fields already filled or signed are still listed (their rectangle does not change).

    :raises MalformedFile: the PDF cannot be read.
    :raises ResourceError: the file cannot be opened.
    """
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        data = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
    except OSError as exc:
        raise ResourceError(f"cannot read the PDF: {exc.strerror}", path=str(pdf)) from exc
    where = None if isinstance(pdf, bytes) else str(pdf)
    out: list[ReservedPlace] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        for index, page in enumerate(reader.pages):
            annots = page.get("/Annots")
            if annots is None:
                continue
            for ref in list(annots.get_object())[:_MAX_FIELDS]:
                annot = ref.get_object()
                if annot.get("/Subtype") != "/Widget":
                    continue
                name = _qualified_name(annot)
                kind = _KIND_OF.get(name) or text_field_kind(name)
                if kind is None:
                    continue
                r = [float(v) for v in annot["/Rect"]]
                rect = (min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3]))
                size = _font_size(str(annot.get("/DA", "")))
                out.append(ReservedPlace(name, kind, index, rect, size))
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise MalformedFile(f"cannot read the PDF's form fields: {exc}", path=where) from exc
    return out


def _qualified_name(annot: object) -> str:
    parts: list[str] = []
    node = annot
    for _ in range(32):
        t = node.get("/T")  # type: ignore[attr-defined]
        if t is not None:
            parts.append(str(t))
        parent = node.get("/Parent")  # type: ignore[attr-defined]
        if parent is None:
            break
        node = parent.get_object()
    return ".".join(reversed(parts))


def _font_size(da: str) -> float:
    tokens = da.split()
    for i, tok in enumerate(tokens):
        if tok == "Tf" and i >= 1:
            try:
                return float(tokens[i - 1])
            except ValueError:
                return 0.0
    return 0.0
