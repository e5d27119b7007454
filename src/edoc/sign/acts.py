"""The national signing acts (Decree 30/2020, Appendix I, section 3) as plain functions.

- :func:`approve` — the competent person (box 7c): blue signature image, certification signature (DocMDP P=2:
  form filling and signing stay allowed); reserves the number and date fields when it finds them by anchor;
- :func:`issue` — the clerk: number and date written into the reserved fields, then the agency signature with
  the red seal at its real size overlapping the left third of the person's image (box 8);
- :func:`appendix` and :func:`copy` — agency signatures on separate files: no image, text at the top right of
  page 1 (Times-compatible 10 pt, black) with the signing time in ISO 8601 +07:00;
- :func:`sign` — a plain signature, invisible or in a box placed by rectangle or by anchor text.

Every act takes a :class:`~edoc.sign.PdfSigningSession` (one opened key for a batch) and the PDF as bytes or a
path, and returns a :class:`~edoc.sign.SignedPdf`. The time printed in an appearance is the signing time of
the signature itself.
"""

# pyHanko's PDF object constructors are untyped: calling them is the point of this module.
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError

from edoc._adapters.pyhanko import signatures_exist as _has_signature  # read without resolving /V
from edoc.errors import InvalidInput, MalformedFile, ResourceError
from edoc.model.document import VIETNAM_TZ, format_date, nfc
from edoc.pdf.places import PlaceKind, text_field_kind
from edoc.sign.appearance import ImagePlacement, PreparedImage, Stamp, TextLine, wrap_lines
from edoc.sign.engine import PdfSigningSession, Revision, SignedPdf, signature_box
from edoc.sign.places import (
    FIELD_AGENCY,
    FIELD_DATE,
    FIELD_NUMBER,
    FIELD_PERSON,
    Place,
    find_fields,
    find_text,
)

__all__ = [
    "CopyForm",
    "approve",
    "issue",
    "appendix",
    "copy",
    "sign",
    "iso_time",
    "FIELD_APPENDIX",
    "FIELD_COPY",
]

FIELD_APPENDIX = "edoc.sig.appendix"
#: keys of a date field reserved over a typed template: where its blanks are, and the year it prints
DATE_PARTS_KEY = "/EdocDateParts"
DATE_YEAR_KEY = "/EdocDateYear"
FIELD_COPY = "edoc.sig.copy"
MM = 72 / 25.4
#: side of the square reserved for the seal by :func:`approve` (the largest seal it can take)
AGENCY_BOX_MM = 50.0

PdfInput = bytes | str | Path


class CopyForm(str, enum.Enum):
    """Form of an electronic copy (Decree 30, Article 25)."""

    SAO_Y = "SAO Y"
    SAO_LUC = "SAO LỤC"
    TRICH_SAO = "TRÍCH SAO"


def iso_time(when: dt.datetime) -> str:
    """ISO 8601 in Vietnam time, e.g. ``2026-11-26T14:05:09+07:00``."""
    return when.astimezone(VIETNAM_TZ).replace(microsecond=0).isoformat()


def _read(pdf: PdfInput) -> tuple[bytes, str | None]:
    if isinstance(pdf, bytes):
        return pdf, None
    try:
        return Path(pdf).read_bytes(), str(pdf)
    except OSError as exc:
        raise ResourceError(f"cannot read the PDF: {exc.strerror}", path=pdf) from exc


def _image(image: PreparedImage | PdfInput) -> PreparedImage:
    return image if isinstance(image, PreparedImage) else PreparedImage.load(image)


@dataclass(frozen=True)
class _Doc:
    fields: dict[str, Place]
    signed: bool
    certified: bool


def _inspect(reader: Any, source: str | None, *, pages: bool = True) -> _Doc:
    """The fields (with their pages unless ``pages`` is false, see :func:`find_fields`) and the signature state.

    Reads neither the page tree (unless asked) nor the signatures' ``/Contents``.
    """
    try:
        fields = find_fields(reader, pages=pages)
        signed = _has_signature(reader)
        perms = reader.root.get("/Perms")
        certified = perms is not None and "/DocMDP" in perms.get_object()
    except MalformedFile as exc:
        exc.path = exc.path or source
        raise
    except (PdfError, KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise MalformedFile(f"not a readable PDF: {exc}", path=source) from exc
    return _Doc(fields, signed, certified)


Rect4 = tuple[float, float, float, float]


def _first_page_box(reader: Any, source: str | None) -> Rect4:
    """Page 1's media box (A4 when it has none)."""
    try:
        box = reader.find_page_for_modification(0)[0].get_object().get("/MediaBox") or [0, 0, 595.28, 841.89]
        x0, y0, x1, y1 = (float(v) for v in box)
    except (PdfError, KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise MalformedFile(f"not a readable PDF: {exc}", path=source) from exc
    return (x0, y0, x1, y1)


def _fit(image: PreparedImage, box: Rect4, fill: float = 0.9) -> Rect4:
    """The largest rectangle with the image's aspect ratio centred in ``box`` (at most ``fill`` of it)."""
    x1, y1, x2, y2 = box
    bw, bh = (x2 - x1) * fill, (y2 - y1) * fill
    ratio = image.width_px / image.height_px
    w, h = (bw, bw / ratio) if bw / ratio <= bh else (bh * ratio, bh)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


# ---------------------------------------------------------------- reserved text fields (number, date)

def _field_parent(writer: Any, form: Any, parts: list[str]) -> tuple[Any, Any]:
    """Find or create the non-terminal parent fields for ``parts``; return (kids array, parent ref)."""
    kids = form["/Fields"]
    parent_ref = None
    for part in parts:
        match = None
        for ref in kids:
            node = ref.get_object()
            if str(node.get("/T", "")) == part:
                match = ref
                break
        if match is None:
            node = generic.DictionaryObject({generic.NameObject("/T"): generic.TextStringObject(part),
                                             generic.NameObject("/Kids"): generic.ArrayObject()})
            if parent_ref is not None:
                node[generic.NameObject("/Parent")] = parent_ref
            match = writer.add_object(node)
            kids.append(match)
        parent_ref = match
        node = match.get_object()
        if "/Kids" not in node:
            node[generic.NameObject("/Kids")] = generic.ArrayObject()
        kids = node["/Kids"]
        writer.update_container(node)
    return kids, parent_ref


def _split_dotted_names(rev: Revision) -> None:
    """Turn top-level fields named ``a.b.c`` into the hierarchy a → b → c.

    A partial field name must not contain a period (ISO 32000-1, 12.7.3.2) and pyHanko's validator refuses
    such files; documents written by older edoc renderers had flat names. Done only before the first
    signature (the approval), so nothing signed changes.
    """
    writer = rev.writer
    form_ref = writer.root.raw_get("/AcroForm") if "/AcroForm" in writer.root else None
    if form_ref is None:
        return
    form = form_ref.get_object()
    fields = form.get("/Fields")
    if fields is None:
        return
    dotted = [ref for ref in fields if "." in str(ref.get_object().get("/T", ""))]
    if not dotted:
        return
    for ref in dotted:
        fields.remove(ref)
    for ref in dotted:
        node = ref.get_object()
        *parents, last = str(node["/T"]).split(".")
        kids, parent = _field_parent(writer, form, parents)
        node[generic.NameObject("/T")] = generic.TextStringObject(last)
        node[generic.NameObject("/Parent")] = parent
        kids.append(ref)
        writer.update_container(node)
    if isinstance(form_ref, generic.IndirectObject):
        writer.update_container(form)
    else:
        writer.update_root()


def _add_text_field(rev: Revision, name: str, place: Place, size: float) -> None:
    """Create an empty text field (with its widget on the page) at a fully qualified name."""
    writer = rev.writer
    root = writer.root
    n = generic.NameObject
    if "/AcroForm" not in root:
        root[n("/AcroForm")] = writer.add_object(generic.DictionaryObject({n("/Fields"): generic.ArrayObject()}))
        writer.update_root()
    form_ref = root.raw_get("/AcroForm")
    form = form_ref.get_object() if isinstance(form_ref, generic.IndirectObject) else form_ref
    dr = form.setdefault(n("/DR"), generic.DictionaryObject())
    fonts = dr.setdefault(n("/Font"), generic.DictionaryObject())
    if "/EdocF0" not in fonts:
        fonts[n("/EdocF0")] = rev.font_ref()
    if isinstance(form_ref, generic.IndirectObject):
        writer.update_container(form)
    else:
        writer.update_root()
    *parents, last = name.split(".")
    page_ref = writer.find_page_for_modification(place.page)[0]
    kids, parent = _field_parent(writer, form, parents)
    field = generic.DictionaryObject({
        n("/FT"): n("/Tx"),
        n("/T"): generic.TextStringObject(last),
        n("/Type"): n("/Annot"),
        n("/Subtype"): n("/Widget"),
        n("/Rect"): generic.ArrayObject([generic.FloatObject(round(v, 2)) for v in place.rect]),
        n("/F"): generic.NumberObject(4),
        n("/P"): page_ref,
        n("/DA"): generic.TextStringObject(f"/EdocF0 {size:g} Tf 0 g"),
    })
    if parent is not None:
        field[n("/Parent")] = parent
    if place.parts:
        field[n(DATE_PARTS_KEY)] = generic.ArrayObject([generic.FloatObject(round(v, 2)) for v in place.parts])
        field[n(DATE_YEAR_KEY)] = generic.TextStringObject(place.year)
    field_ref = writer.add_object(field)
    kids.append(field_ref)
    page = page_ref.get_object()
    annots = page.get("/Annots")
    if annots is None:
        page[n("/Annots")] = generic.ArrayObject([field_ref])
        writer.update_container(page)
    else:
        annots = annots.get_object() if isinstance(annots, generic.IndirectObject) else annots
        annots.append(field_ref)
        ref = page.raw_get("/Annots")
        writer.update_container(ref.get_object() if isinstance(ref, generic.IndirectObject) else page)
    # give the empty field an (empty) appearance: PDF/A wants /AP with /N on every widget
    field[n("/AP")] = generic.DictionaryObject({n("/N"): rev.add_form(Stamp(place.width, place.height))})


def _fill_text_field(rev: Revision, name: str, value: str, *, cover: bool, right: bool = False,
                     italic: bool = False) -> None:
    """Set a text field's value and draw the appearance of each of its widgets with the revision's fonts.

    Each widget prints the value at the size its ``/DA`` names, in italic when ``/DA`` names the italic
    font (:data:`~edoc.pdf.finish.FONT_ITALIC`), at the right edge when its ``/Q`` is 2 (else as
    ``italic``/``right`` say, for fields reserved from anchors), on the baseline of
    :func:`~edoc.pdf.places.baseline_offset`. ``cover`` paints the widget white first, for fields reserved
    over printed text (anchors); widgets of edoc's renderer (with ``/Q``) cover nothing.
    """
    from edoc.pdf.finish import FONT_ITALIC, LABEL_KEY
    from edoc.pdf.places import baseline_offset

    writer = rev.writer
    n = generic.NameObject
    target = None
    form = writer.root["/AcroForm"]
    stack = [("", ref) for ref in form["/Fields"]]
    while stack:
        prefix, ref = stack.pop()
        node = ref.get_object()
        qualified = f"{prefix}.{node.get('/T')}" if prefix else str(node.get("/T", ""))
        if qualified == name:
            target = ref
            break
        for kid in node.get("/Kids", []) or []:
            if "/T" in kid.get_object():
                stack.append((qualified, kid))
    if target is None:
        raise InvalidInput(f"the reserved field {name} is missing", field=name)
    node = target.get_object()
    node[n("/V")] = generic.TextStringObject(value)
    widgets = [k for k in node.get("/Kids", []) or []] or [target]
    for wref in widgets:
        widget = wref.get_object()
        da = str(widget.get("/DA", node.get("/DA", "")))
        m = re.search(r"(/\S+)\s+([\d.]+)\s+Tf", da)
        size = float(m.group(2)) if m and float(m.group(2)) > 0 else 13.0
        slant = m.group(1) == FONT_ITALIC if m and m.group(1) in (FONT_ITALIC, "/EdocF0") else italic
        quad = widget.get("/Q", node.get("/Q"))
        flush_right = int(quad) == 2 if quad is not None else right
        # a widget edoc's renderer made (it carries /Q) has nothing under it on the page: no white cover
        # that could clip the accents of the line below
        hide = cover and quad is None
        r = [float(v) for v in widget["/Rect"]]
        w, h = abs(r[2] - r[0]), abs(r[3] - r[1])
        font = rev.italic if slant else rev.font
        label = str(widget.get(LABEL_KEY, ""))[:20]
        shown = nfc(label + value)
        natural = font.width(shown, size)
        size_fit = min(size, h * 0.9 if h > 0 else size, size * (w - 1.0) / natural if natural > 0 else size)
        y = baseline_offset(h, size_fit)
        parts = _typed_date(widget, value, font, size, y, h)
        if parts is not None:
            lines, covers = parts
            stamp = Stamp(w, h, lines=lines, font=font, covers=covers)
            widget[n("/AP")] = generic.DictionaryObject({n("/N"): rev.add_form(stamp)})
            writer.update_container(widget)
            continue
        # flush right ends at the widget's edge, where the "/" of the notation begins: a gap of even 0.4 pt
        # makes text readers put a space before it
        x = max(w - font.width(shown, size_fit), 0.0) if flush_right else 0.5
        stamp = Stamp(w, h, lines=(TextLine(shown, x, y, size_fit),), font=font,
                      background=(1.0, 1.0, 1.0) if hide else None)
        widget[n("/AP")] = generic.DictionaryObject({n("/N"): rev.add_form(stamp)})
        writer.update_container(widget)
    writer.update_container(node)


def _typed_date(widget: Any, value: str, font: Any, size: float, y: float,
                h: float) -> tuple[tuple[TextLine, ...], tuple[tuple[float, float, float, float], ...]] | None:
    """The day and month written into the blanks of a typed template (and the year, when the template has
    none or another one), or ``None`` when the widget has no template or the value is not a date."""
    raw = widget.get(DATE_PARTS_KEY)
    m = re.fullmatch(r"ngày (\d{2}) tháng (\d{1,2}) năm (\d{4})", value)
    if raw is None or m is None or len(raw) != 6:
        return None
    d1, d2, m1, m2, y1, y2 = (float(v) for v in raw)
    day, month, year = m.groups()

    def centred(text: str, a: float, b: float) -> TextLine:
        return TextLine(text, (a + b) / 2 - font.width(text, size) / 2, y, size)

    lines = [centred(day, d1, d2), centred(month, m1, m2)]
    covers: list[tuple[float, float, float, float]] = []
    printed = str(widget.get(DATE_YEAR_KEY, ""))
    if printed != year:
        if printed:
            covers.append((y1 - 0.5, 0.0, y2 - y1 + 1.0, h))
        lines.append(TextLine(year, y1, y, size))
    return tuple(lines), tuple(covers)


#: the longest number (edXML ``CodeNumber``)
MAX_NUMBER_CHARS = 11
_NUMBER_CHARS_RE = re.compile(r"^[0-9A-Za-zÀ-ỹĐđ.\-]+$")


def _number_text(number: int | str) -> str:
    """The number as printed: ``5`` → ``05``; at most :data:`MAX_NUMBER_CHARS` characters, no space or ``/``."""
    if isinstance(number, int):
        if number < 1:
            raise InvalidInput("the document number must be 1 or more", field="number",
                               message_vi="Số văn bản phải từ 1 trở lên")
        text = f"{number:02d}"
    else:
        text = nfc(str(number)).strip()
    if not text or len(text) > MAX_NUMBER_CHARS or not _NUMBER_CHARS_RE.match(text):
        raise InvalidInput(f"the document number {text[:20]!r} must be 1 to {MAX_NUMBER_CHARS} characters without "
                           "spaces or '/' (edXML CodeNumber)", field="number",
                           message_vi=f"Số văn bản phải có 1 đến {MAX_NUMBER_CHARS} ký tự, không có dấu cách "
                                      "hay dấu '/'")
    return text


def _date_text(when: dt.date) -> str:
    return format_date(when)


# ---------------------------------------------------------------- anchors

_ANY_TEXT_RE = re.compile(r"\S.*\S|\S")
_NUMBER_RE = re.compile(r"Số\s*:")
_NUMBER_GAP_RE = re.compile(r"Số\s*:\s*")
_DATE_RE = re.compile(r"ngày[\s.…_]*tháng[\s.…_]*năm(\s*\d{4})?")


_PRINTED_NUMBER_RE = re.compile(r"Số\s*:\s*([0-9][0-9A-Za-z.\-]{0,10})\s*/")
_PRINTED_DATE_RE = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})")


def _printed(session: PdfSigningSession, data: bytes) -> tuple[str | None, dt.date | None]:
    """The number and date already printed on page 1 (``Số: 05/…``, ``ngày 05 tháng 01 năm 2026``)."""
    number = date = None
    hits = find_text(data, _PRINTED_NUMBER_RE, session.font, pages=range(1))
    if hits:
        m = _PRINTED_NUMBER_RE.match(hits[0].text)
        number = m.group(1) if m else None
    for hit in find_text(data, _PRINTED_DATE_RE, session.font, pages=range(1)):
        m = _PRINTED_DATE_RE.match(hit.text)
        if m:
            try:
                date = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                continue
            break
    return number, date


def _anchor_places(session: PdfSigningSession, data: bytes) -> tuple[Place | None, Place | None]:
    """Places for the number and date found by their anchors on page 1: the blank after "Số:" (not when a
    number is printed there) and "ngày … tháng … năm" with blanks."""
    font = session.font
    number = date = None
    colons = find_text(data, _NUMBER_RE, font, pages=range(1))
    gaps = find_text(data, _NUMBER_GAP_RE, font, pages=range(1))
    if colons and gaps and not find_text(data, _PRINTED_NUMBER_RE, font, pages=range(1)):
        hit = colons[0]
        x1 = hit.rect[2] + 0.25 * hit.size
        # the number ends where the "/" begins: a gap of even 0.4 pt reads as a space in text extraction
        x2 = max(gaps[0].rect[2], x1 + 1.6 * hit.size)
        number = Place(hit.page, (x1, hit.rect[1] - 1, x2, hit.rect[3] + 1), size=hit.size)
    for hit in find_text(data, _DATE_RE, font, pages=range(1)):
        x2 = max(hit.rect[2], hit.rect[0] + font.width("ngày 00 tháng 00 năm 0000", hit.size) + 2)
        parts, year = _date_parts(hit.text, font, hit.size)
        date = Place(hit.page, (hit.rect[0] - 0.5, hit.rect[1] - 1, x2, hit.rect[3] + 1), size=hit.size,
                     parts=tuple(v + 0.5 for v in parts), year=year)
        break
    return number, date


_DATE_PARTS_RE = re.compile(r"ngày([\s.…_]*)tháng([\s.…_]*)năm(\s*)(\d{4})?")


def _date_parts(text: str, font: Any, size: float) -> tuple[tuple[float, ...], str]:
    """Where a typed date template ("ngày      tháng      năm 2026") leaves its blanks: (d1, d2, m1, m2, y1, y2)
    from its start, in points, and the year it prints. The issuance act writes the day and the month into
    the blanks and leaves the words, so no word is both on the page and in the field."""
    m = _DATE_PARTS_RE.match(text)
    if m is None:
        return (), ""

    def at(i: int) -> float:
        return float(font.width(text[:i], size))

    year_start = at(m.start(4)) if m.group(4) else at(m.end(3)) + font.width(" ", size)
    year_end = at(m.end(4)) if m.group(4) else year_start + font.width("0000", size)
    return (at(m.start(1)), at(m.end(1)), at(m.start(2)), at(m.end(2)), year_start, year_end), m.group(4) or ""


def _name_box(session: PdfSigningSession, data: bytes, name: str) -> Place | None:
    """Box 7c found from the signer's name: the space above the name line."""
    wanted = re.compile(re.escape(nfc(name)), re.IGNORECASE)
    hits = find_text(data, wanted, session.font)
    if not hits:
        return None
    hit = hits[-1]
    cx = (hit.rect[0] + hit.rect[2]) / 2
    bottom = hit.rect[3] + 2
    top = bottom + 70
    # between the position line and the name: stop under the nearest text above the name, in its column
    for above in find_text(data, _ANY_TEXT_RE, session.font, pages=range(hit.page, hit.page + 1)):
        x1, y1, x2, _y2 = above.rect
        if y1 > bottom + 12 and x1 < cx + 85 and x2 > cx - 85:
            top = min(top, y1 - 2)
    return Place(hit.page, (cx - 85, bottom, cx + 85, top), size=hit.size)


# ---------------------------------------------------------------- the acts

def approve(
    pdf: PdfInput,
    *,
    session: PdfSigningSession,
    image: PreparedImage | PdfInput,
    signer_name: str | None = None,
    box: tuple[int, tuple[float, float, float, float]] | None = None,
    reserve: bool = True,
    signing_time: dt.datetime | None = None,
) -> SignedPdf:
    """The competent person's signature (box 7c): certification with DocMDP P=2 and the signature image.

    The place is, in order: the reserved field ``edoc.sig.person``; ``box`` (page, rectangle); the space
    above the signer's name found on the page (``signer_name``, default the certificate's common name).
    When the number and date have no reserved fields, they are reserved here, found by their anchors
    ("Số:", "ngày … tháng … năm"), so that :func:`issue` can fill them as permitted form filling. A number
    or date already printed on page 1 (a document rendered numbered) gets no place: the document is then
    issued with the agency signature alone, and :func:`issue` refuses another number.

    :raises InvalidInput: no place for the signature could be found, or the document is already signed.
    """
    data, source = _read(pdf)
    img = _image(image)
    writer = session.writer_for(data, source)
    doc = _inspect(writer.prev, source)
    if doc.signed:
        raise InvalidInput("the document is already signed; the approval (certification) signature must be "
                           "the first", message_vi="Văn bản đã có chữ ký; chữ ký phê duyệt phải là chữ ký đầu "
                           "tiên", path=source)
    reserved = doc.fields.get(FIELD_PERSON)
    if reserved is not None:
        place = reserved
    elif box is not None:
        place = Place(box[0], box[1])
    else:
        name = signer_name or session.signer_name
        found = _name_box(session, data, name)
        if found is None:
            raise InvalidInput(
                f"no place for the signature: no reserved field {FIELD_PERSON}, no rectangle given, and the "
                f"signer's name {name!r} was not found on the page",
                message_vi=f"Không tìm thấy vị trí ký: không có trường {FIELD_PERSON}, không có tọa độ, và "
                           f"không thấy tên người ký {name!r} trên trang", path=source, field="box")
        place = found
    image_rect = _fit(img, place.rect)
    # box 8: reserved now, inside the certified revision (DocMDP P=2 permits signing an existing field but
    # not adding a visible one later): a square of AGENCY_BOX_MM whose right edge covers the image's left third
    side = AGENCY_BOX_MM * MM
    ax2 = image_rect[0] + (image_rect[2] - image_rect[0]) / 3
    acy = (image_rect[1] + image_rect[3]) / 2
    agency_rect = (ax2 - side, acy - side / 2, ax2, acy + side / 2)
    number_place = date_place = None
    if reserve and (FIELD_NUMBER not in doc.fields or FIELD_DATE not in doc.fields):
        number_place, date_place = _anchor_places(session, data)

    def prepare(rev: Revision) -> None:
        _split_dotted_names(rev)
        if reserved is not None:
            _set_widget_rect(rev, FIELD_PERSON, image_rect)
        if number_place is not None and FIELD_NUMBER not in doc.fields:
            _add_text_field(rev, FIELD_NUMBER, number_place, number_place.size or 13)
        if date_place is not None and FIELD_DATE not in doc.fields:
            _add_text_field(rev, FIELD_DATE, date_place, date_place.size or 13)
        if FIELD_AGENCY in doc.fields:
            _set_widget_rect(rev, FIELD_AGENCY, agency_rect)
        else:
            from pyhanko.sign.fields import SigFieldSpec, append_signature_field

            append_signature_field(rev.writer, SigFieldSpec(FIELD_AGENCY, on_page=place.page,
                                                            box=signature_box(agency_rect)))

    def appearance(rev: Revision, w: float, h: float) -> Stamp:
        return Stamp(w, h, images=(ImagePlacement(img, 0, 0, w, h),))

    return session.sign(writer, field_name=FIELD_PERSON, page=place.page, box=image_rect, appearance=appearance,
                        prepare=prepare, certify=True, signing_time=signing_time, source=source)


def _set_widget_rect(rev: Revision, name: str, rect: tuple[float, ...]) -> None:
    """Move an empty signature field's widget (only before the first signature) and reset its appearance."""
    from pyhanko.sign.fields import enumerate_sig_fields

    for fq_name, _value, ref in enumerate_sig_fields(rev.writer, filled_status=False):
        if fq_name == name:
            node = ref.get_object()
            widget_ref = (node.get("/Kids") or [ref])[0]
            widget = widget_ref.get_object()
            widget[generic.NameObject("/Rect")] = generic.ArrayObject(
                [generic.FloatObject(round(v, 2)) for v in rect])
            widget[generic.NameObject("/AP")] = generic.DictionaryObject(
                {generic.NameObject("/N"): rev.add_form(Stamp(rect[2] - rect[0], rect[3] - rect[1]))})
            rev.writer.update_container(widget)
            return


def issue(
    pdf: PdfInput,
    *,
    session: PdfSigningSession,
    seal: PreparedImage | PdfInput,
    number: int | str | None = None,
    date: dt.date | None = None,
    numbering: Callable[[], int | str] | None = None,
    seal_mm: float | None = None,
    box: tuple[int, tuple[float, float, float, float]] | None = None,
    signing_time: dt.datetime | None = None,
) -> SignedPdf:
    """The clerk's act: number and date into the reserved places, then the agency signature with the seal.

    The number and date go into every reserved place: ``edoc.number`` and ``edoc.date`` on page 1 and the
    references in the appendix headings (``edoc.refN.number``, ``edoc.refN.date``). A document whose number
    and date were printed before the person signed (rendered numbered) has no such places: it is issued
    with the agency signature alone, without ``number``; a different number is refused, as it cannot be
    written any more.

    :param number: the number (``5`` is written ``05``; at most 11 characters, as edXML ``CodeNumber``);
        or give ``numbering``, called once, only when the document is about to be signed (so a failure
        before that does not consume a number).
    :param date: the date of issue (default: the signing date, Vietnam time).
    :param seal_mm: the seal's real diameter/width in mm (default: from the PNG's DPI, else 36 mm).
    :param box: where to put the seal when the person's signature cannot be found: (page, rectangle).
    :raises InvalidInput: nowhere to write the number/date in a signed document, a number for a document
        that already printed its own, or no place for the seal.
    """
    data, source = _read(pdf)
    img = _image(seal)
    writer = session.writer_for(data, source)
    doc = _inspect(writer.prev, source, pages=False)  # a page is needed only for a new agency field (below)
    when = signing_time or session.now()
    width_mm = seal_mm or seal_width_mm(seal) or 36.0
    if not 5 <= width_mm <= 80:
        raise InvalidInput(f"a seal of {width_mm:g} mm is not plausible (5–80 mm)", field="seal_mm")
    seal_w = width_mm * MM
    seal_h = seal_w * img.height_px / img.width_px
    person = doc.fields.get(FIELD_PERSON)
    agency_field = doc.fields.get(FIELD_AGENCY)
    if person is not None:
        px1, py1, px2, py2 = person.rect
        x2 = px1 + (px2 - px1) / 3
        cy = (py1 + py2) / 2
        seal_rect = (x2 - seal_w, cy - seal_h / 2, x2, cy + seal_h / 2)
        page = find_fields(writer.prev)[FIELD_PERSON].page if agency_field is None else -1
    elif box is not None:
        page, (bx1, by1, bx2, by2) = box
        cx, cy = (bx1 + bx2) / 2, (by1 + by2) / 2
        seal_rect = (cx - seal_w / 2, cy - seal_h / 2, cx + seal_w / 2, cy + seal_h / 2)
    else:
        raise InvalidInput("no place for the seal: the person's signature field was not found and no rectangle "
                           "was given", message_vi="Không tìm thấy vị trí đóng dấu: không có chữ ký người "
                           "có thẩm quyền và không có tọa độ", path=source, field="box")
    number_fields = [n for n in doc.fields if text_field_kind(n) is PlaceKind.NUMBER]
    date_fields = [n for n in doc.fields if text_field_kind(n) is PlaceKind.DATE]
    number_place = date_place = None
    printed_number: str | None = None
    printed_date: dt.date | None = None
    if FIELD_NUMBER not in doc.fields or FIELD_DATE not in doc.fields:
        printed_number, printed_date = _printed(session, data)
    missing = [name for name, printed in ((FIELD_NUMBER, printed_number), (FIELD_DATE, printed_date))
               if name not in doc.fields and printed is None]
    if missing:
        if doc.signed:
            raise InvalidInput(
                "the signed document has no reserved places for the number and date; writing them now would "
                "invalidate the person's signature (sign the approval with edoc, which reserves them)",
                message_vi="Văn bản đã ký không có vị trí dành sẵn cho số và ngày; ghi vào sẽ làm mất hiệu lực "
                           "chữ ký của người có thẩm quyền", path=source, field=missing[0])
        number_place, date_place = _anchor_places(session, data)
        if (FIELD_NUMBER in missing and number_place is None) or (FIELD_DATE in missing and date_place is None):
            raise InvalidInput("no place for the number and date: no reserved fields and no \"Số:\" / "
                               "\"ngày … tháng … năm\" anchors on page 1", path=source, field=missing[0])
        number_place = number_place if FIELD_NUMBER in missing else None
        date_place = date_place if FIELD_DATE in missing else None
    if printed_number is not None and FIELD_NUMBER not in doc.fields:
        given = _number_text(number) if number is not None else None
        if numbering is not None or (given is not None and given != printed_number):
            raise InvalidInput(
                f"the document already carries its number {printed_number} on page 1, printed before the "
                f"person signed; it cannot be numbered again (issue it without a number)",
                message_vi=f"Văn bản đã có số {printed_number} in ở trang 1 trước khi người có thẩm quyền ký; "
                           "không thể cấp số lần nữa (ban hành không kèm số)", path=source, field="number")
    if printed_date is not None and FIELD_DATE not in doc.fields and date is not None and date != printed_date:
        raise InvalidInput(
            f"the document already carries its date {format_date(printed_date)} on page 1, printed before the "
            "person signed; it cannot be dated again",
            message_vi=f"Văn bản đã có ngày ban hành ({format_date(printed_date)}) in ở trang 1 trước khi người "
                       "có thẩm quyền ký; không thể ghi ngày khác", path=source, field="date")
    needs_number = FIELD_NUMBER in doc.fields or number_place is not None
    if needs_number and number is None and numbering is None:
        raise InvalidInput("give the document number or a numbering callback", field="number",
                           message_vi="Hãy cho số văn bản (hoặc hàm cấp số)")
    if agency_field is None and doc.certified:
        raise InvalidInput(f"the certified document has no reserved field {FIELD_AGENCY}; a new visible "
                           "signature would not be a permitted change", path=source, field=FIELD_AGENCY)
    if agency_field is not None and (seal_rect[0] < agency_field.rect[0] - 1 or seal_rect[1] < agency_field.rect[1] - 1
                                     or seal_rect[2] > agency_field.rect[2] + 1
                                     or seal_rect[3] > agency_field.rect[3] + 1):
        raise InvalidInput(f"the seal ({width_mm:g} mm) does not fit the reserved place {FIELD_AGENCY}",
                           path=source, field="seal_mm")
    session.check_signing_time(when)  # before a number is taken from the numbering callback
    number_text = date_text = ""
    if needs_number:
        value = number if number is not None else numbering() if numbering is not None else None
        assert value is not None
        number_text = _number_text(value)
    if FIELD_DATE in doc.fields or date_place is not None:
        date_text = _date_text(date or when.astimezone(VIETNAM_TZ).date())

    def prepare(rev: Revision) -> None:
        if number_place is not None:
            _add_text_field(rev, FIELD_NUMBER, number_place, number_place.size or 13)
        if date_place is not None:
            _add_text_field(rev, FIELD_DATE, date_place, date_place.size or 13)
        if number_text:
            for name in dict.fromkeys([FIELD_NUMBER, *number_fields]):
                _fill_text_field(rev, name, number_text, cover=False, right=True)
        if date_text:
            for name in dict.fromkeys([FIELD_DATE, *date_fields]):
                _fill_text_field(rev, name, date_text, cover=True, italic=True)

    def appearance(rev: Revision, w: float, h: float) -> Stamp:
        if agency_field is None:
            return Stamp(w, h, images=(ImagePlacement(img, 0, 0, w, h),))
        ax, ay = agency_field.rect[0], agency_field.rect[1]
        return Stamp(w, h, images=(ImagePlacement(img, seal_rect[0] - ax, seal_rect[1] - ay, seal_w, seal_h),))

    return session.sign(writer, field_name=FIELD_AGENCY, page=page, box=seal_rect, appearance=appearance,
                        prepare=prepare, signing_time=when, source=source)


def seal_width_mm(seal: PreparedImage | PdfInput) -> float | None:
    """A seal image's real width in mm from its DPI (PNG ``pHYs``), when the file says it."""
    if isinstance(seal, PreparedImage):
        return None
    try:
        from PIL import Image

        raw = seal if isinstance(seal, bytes) else Path(seal).read_bytes()
        with Image.open(BytesIO(raw)) as im:
            dpi = im.info.get("dpi")
            if dpi and float(dpi[0]) > 1:
                return float(im.width / float(dpi[0]) * 25.4)
    except (OSError, ValueError):
        return None
    return None


def _top_right_text(session: PdfSigningSession, data: bytes, source: str | None, field: str,
                    lines_of: Callable[[dt.datetime], list[str]], signing_time: dt.datetime | None,
                    fill: Callable[[_Doc, dt.datetime], Callable[[Revision], None] | None] | None = None,
                    ) -> SignedPdf:
    writer = session.writer_for(data, source)
    doc = _inspect(writer.prev, source, pages=False)
    if doc.certified:
        raise InvalidInput("the document is certified (DocMDP): a new visible signature would not be a permitted "
                           "change; sign a separate copy file (a new PDF made from the original)",
                           message_vi="Văn bản đã được ký chứng thực (DocMDP): không được thêm chữ ký hiển thị "
                                      "mới; hãy ký trên tệp bản sao riêng", path=source, field=field)
    _x0, _y0, x1, y1 = _first_page_box(writer.prev, source)
    when = signing_time or session.now()
    size, lead = 10.0, 11.5
    font = session.font
    texts = wrap_lines(lines_of(when), font, size, 75 * MM)
    w = max(font.width(t, size) for t in texts) + 4
    h = lead * len(texts) + 4
    right, top = x1 - 15 * MM, y1 - 4.5 * MM
    rect = (right - w, top - h, right, top)

    def appearance(rev: Revision, bw: float, bh: float) -> Stamp:
        lines = tuple(TextLine(t, bw - 2 - font.width(t, size), bh - 2 - lead * (i + 1) + 2.5, size)
                      for i, t in enumerate(texts))
        return Stamp(bw, bh, lines=lines, font=font)

    session.check_signing_time(when)
    prepare = fill(doc, when) if fill is not None else None
    return session.sign(writer, field_name=field, page=0, box=rect, appearance=appearance, signing_time=when,
                        prepare=prepare, source=source)


def appendix(
    pdf: PdfInput,
    *,
    session: PdfSigningSession,
    main_number: str,
    main_date: dt.date | None = None,
    signing_time: dt.datetime | None = None,
) -> SignedPdf:
    """Agency signature on an appendix in a separate file: text at the top right of page 1, no image.

    An appendix file rendered by edoc before the main document was numbered refers to it with blanks
    ("Kèm theo Quyết định số …/QĐ-UBND ngày … tháng … năm …"): those reserved fields are filled here, in the
    same revision, with the main document's number and date.

    :param main_number: the main document's number and notation, e.g. ``05/QĐ-UBND``.
    :param main_date: the main document's date of issue, for the reference (default: the signing date).
    """
    data, source = _read(pdf)
    ref = nfc(main_number).strip()
    if not ref:
        raise InvalidInput("the main document's number and notation are required", field="main_number")
    label = ref if ref.lower().startswith("số") else f"Số: {ref}"
    number_part = re.sub(r"^số\s*:?\s*", "", ref, flags=re.IGNORECASE).partition("/")[0].strip()

    def fill(doc: _Doc, when: dt.datetime) -> Callable[[Revision], None] | None:
        numbers = [n for n in doc.fields if text_field_kind(n) is PlaceKind.NUMBER]
        dates = [n for n in doc.fields if text_field_kind(n) is PlaceKind.DATE]
        if not numbers and not dates:
            return None
        number_text = _number_text(number_part) if numbers else ""
        date_text = _date_text(main_date or when.astimezone(VIETNAM_TZ).date())

        def prepare(rev: Revision) -> None:
            for name in numbers:
                _fill_text_field(rev, name, number_text, cover=False, right=True)
            for name in dates:
                _fill_text_field(rev, name, date_text, cover=True, italic=True)

        return prepare

    return _top_right_text(session, data, source, FIELD_APPENDIX, lambda when: [label, iso_time(when)],
                           signing_time, fill)


def copy(
    pdf: PdfInput,
    *,
    session: PdfSigningSession,
    form: CopyForm | str,
    copying_body: str,
    signing_time: dt.datetime | None = None,
) -> SignedPdf:
    """Agency signature on an electronic copy (box 14): copy form, copying body, signing time.

    :param form: SAO Y, SAO LỤC or TRÍCH SAO.
    :param copying_body: the name of the body that makes the copy.
    """
    data, source = _read(pdf)
    try:
        kind = CopyForm(nfc(form.value if isinstance(form, CopyForm) else form).upper())
    except ValueError as exc:
        raise InvalidInput(f"unknown copy form {form!r}; use SAO Y, SAO LỤC or TRÍCH SAO", field="form") from exc
    body = nfc(copying_body).strip()
    if not body:
        raise InvalidInput("the copying body is required", field="copying_body")
    return _top_right_text(session, data, source, FIELD_COPY,
                           lambda when: [kind.value, body, iso_time(when)], signing_time)


def sign(
    pdf: PdfInput,
    *,
    session: PdfSigningSession,
    field_name: str = "Signature1",
    page: int | None = None,
    rect: tuple[float, float, float, float] | None = None,
    anchor: str | None = None,
    size: tuple[float, float] = (160.0, 60.0),
    image: PreparedImage | PdfInput | None = None,
    text: str | None = None,
    signing_time: dt.datetime | None = None,
) -> SignedPdf:
    """A plain signature: invisible, or visible at ``page`` + ``rect`` or under a text found on the page.

    :param anchor: text to find (the first match on any page); the box of ``size`` is put under it, centred.
    :param text: lines of text; ``{signer}`` and ``{time}`` (ISO 8601 +07:00) are replaced.
    :raises InvalidInput: the anchor is not found, or ``rect`` without ``page``.
    """
    data, source = _read(pdf)
    img = _image(image) if image is not None else None
    when = signing_time or session.now()
    box: tuple[float, float, float, float] | None = None
    target_page = page or 0
    if rect is not None:
        if page is None:
            raise InvalidInput("a rectangle needs a page", field="page")
        box = rect
    elif anchor is not None:
        hits = find_text(data, re.compile(re.escape(nfc(anchor)), re.IGNORECASE), session.font,
                         pages=range(page, page + 1) if page is not None else None)
        if not hits:
            raise InvalidInput(f"the anchor text {anchor!r} was not found", path=source, field="anchor")
        hit = hits[0]
        cx = (hit.rect[0] + hit.rect[2]) / 2
        box = (cx - size[0] / 2, hit.rect[1] - 4 - size[1], cx + size[0] / 2, hit.rect[1] - 4)
        target_page = hit.page
    elif img is not None or text is not None:
        raise InvalidInput("a visible signature needs a page and rectangle, or an anchor text", field="rect")
    if box is None:
        return session.sign(data, field_name=field_name, signing_time=when, source=source)
    writer = session.writer_for(data, source)
    if _inspect(writer.prev, source, pages=False).certified:
        raise InvalidInput("the document is certified (DocMDP): only an invisible signature is a permitted change",
                           message_vi="Văn bản đã được ký chứng thực: chỉ được thêm chữ ký ẩn", path=source,
                           field="rect")
    template = text if text is not None else ("" if img is not None else "Ký bởi: {signer}\nThời gian: {time}")
    rendered = [ln for ln in nfc(template).replace("{signer}", session.signer_name)
                .replace("{time}", iso_time(when)).splitlines() if ln.strip()]

    def appearance(rev: Revision, w: float, h: float) -> Stamp:
        fsize = 9.0
        lines = wrap_lines(rendered, session.font, fsize, w - 4)
        text_h = len(lines) * fsize * 1.2
        images: tuple[ImagePlacement, ...] = ()
        if img is not None:
            ix1, iy1, ix2, iy2 = _fit(img, (0, text_h, w, h), fill=1.0)
            images = (ImagePlacement(img, ix1, iy1, ix2 - ix1, iy2 - iy1),)
        tl = tuple(TextLine(t, 2, text_h - fsize * 1.2 * (i + 1) + 2.5, fsize) for i, t in enumerate(lines))
        return Stamp(w, h, images=images, lines=tl, font=session.font if tl else None)

    return session.sign(writer, field_name=field_name, page=target_page, box=box, appearance=appearance,
                        signing_time=when, source=source)
