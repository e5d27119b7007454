"""The Decree 30 page layout (Appendix I), drawn with fpdf2, box by box.

Coordinates here are fpdf2's: millimetres from the top left corner of the page. Every box is drawn by one
method named after it; the boxes' numbers are those of ``spec/decree30-pdf.md`` §2. The layout records the
reserved places (signature, seal, number, date) as rectangles in millimetres; :mod:`edoc.pdf.render`
converts them to PDF points and turns them into form fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from edoc.model.document import Appendix, Block, Document, Heading, Point, Table, format_code_number, format_date
from edoc.model.vocab import HeadingLevel
from edoc.pdf.places import (
    FIELD_AGENCY,
    FIELD_DATE,
    FIELD_NUMBER,
    FIELD_PERSON,
    baseline_offset,
    reference_fields,
)

__all__ = ["Layout", "PAGE_W", "PAGE_H", "PT", "Margins", "MmPlace", "Slot", "BREAK", "document_texts", "ROMAN",
           "vv_line", "NUMBER_CHARS", "WIDEST_DATE"]

PAGE_W = 210.0
PAGE_H = 297.0
#: one typographic point in millimetres
PT = 25.4 / 72
FAMILY = "EdocSerif"
RED = (200, 0, 0)
#: characters the number blank holds at the size of its line (edXML ``CodeNumber`` is at most 11)
NUMBER_CHARS = 11
#: the number the line of a blank number is centred for (a longer one reaches further left)
TYPICAL_NUMBER = "0000"
#: the blank a draft shows between ``Số:`` and ``/`` (em): narrow enough that text readers keep the line
DRAFT_NUMBER_GAP = 0.6
#: the widest date the date blank holds (digits have one width in Times-compatible faces)
WIDEST_DATE = "ngày 00 tháng 00 năm 0000"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
         "XVI", "XVII", "XVIII", "XIX", "XX")


@dataclass(frozen=True)
class Margins:
    """Page margins in millimetres (Decree 30: top/bottom 20–25, left 30–35, right 15–20)."""

    top: float = 20.0
    bottom: float = 20.0
    left: float = 30.0
    right: float = 15.0


@dataclass(frozen=True)
class MmPlace:
    """A reserved place in fpdf2 coordinates (mm, from the top left)."""

    field: str
    page: int  # 1-based, as fpdf2 counts
    x: float
    y: float
    w: float
    h: float
    font_size: float = 0.0
    #: text style of the line around a text place (``""`` or ``"I"``)
    style: str = ""
    #: ``"L"`` or ``"R"``: where the value sits in the place (the number ends at the ``/``)
    align: str = "L"
    #: what the empty field shows in a draft (``ngày   tháng   năm 2026``), drawn by its appearance
    template: str = ""
    #: where the draft's text starts in the place (mm from its left edge)
    template_x: float = 0.0
    #: printed by the field before its value (``Số: ``)
    label: str = ""


@dataclass(frozen=True)
class Slot:
    """A blank inside a printed line: the widget of a reserved text field, or (``field`` ``None``) a blank
    printed as it is (``text`` with its spaces, or nothing).

    :param width: the width the blank takes in the line (mm).
    :param label: printed by the field with its value (``Số: `` before the number), so that no gap can
        open between the label and a short value; the draft shows the label alone.
    :param grow: how far the widget may reach left of ``width`` when the blank begins its line (mm): the
        line is centred for a typical value and a longer one extends into the free space before it.
    """

    width: float
    field: str | None = None
    text: str = ""
    align: str = "L"
    label: str = ""
    grow: float = 0.0


class Break:
    """A line break in :meth:`Layout.slotted` (when the line has text)."""


BREAK = Break()
_VV_RE = re.compile(r"^\s*(v\s*/\s*v|về\s+việc)(\s*[.:\-–]\s*|\s+|$)", re.IGNORECASE)


def vv_line(summary: str) -> str:
    """Box 5b of a công văn: ``V/v …``, printed once when the summary already starts with it.

    ``V/v``, ``v/v``, ``V / V``, ``V/v:`` and ``Về việc`` at the start are all read as the prefix.
    """
    text = summary.strip()
    m = _VV_RE.match(text)
    if m:
        text = text[m.end():].lstrip()
    return f"V/v {text}" if text else "V/v"


def _lines(pdf: FPDF, w: float, text: str) -> list[str]:
    """The lines ``text`` wraps to in width ``w`` with the current font (nothing drawn)."""
    out = pdf.multi_cell(w, 5, text, dry_run=True, output="LINES")
    return [str(line) for line in out] if isinstance(out, list) else [text]


def _lh(size: float, factor: float = 1.15) -> float:
    """Line height in mm of ``size`` points at ``factor`` line spacing."""
    return size * PT * factor


def to_places_lines(doc: Document) -> list[str]:
    """The "Nơi nhận" list as printed: ``- …;`` and the last line ``- Lưu: …``."""
    items = [p.strip().rstrip(";.") for p in doc.to_places if p.strip()]
    out = []
    for i, item in enumerate(items):
        end = "." if i == len(items) - 1 else ";"
        out.append(f"- {item}{end}")
    return out


def drafter_line(doc: Document) -> str:
    """Box 12: drafter's initials and copy count, e.g. ``NVB (15)``."""
    parts = []
    if doc.drafter_initials:
        parts.append(doc.drafter_initials.upper())
    if doc.copies is not None:
        parts.append(f"({doc.copies})")
    return " ".join(parts)


def contact_lines(doc: Document) -> list[str]:
    """Box 13: address, phone, fax; e-mail and website (empty when the body has none)."""
    o = doc.organ
    first = "; ".join(filter(None, (f"Địa chỉ: {o.address}" if o.address else "",
                                     f"Điện thoại: {o.telephone}" if o.telephone else "",
                                     f"Fax: {o.fax}" if o.fax else "")))
    second = "; ".join(filter(None, (f"E-mail: {o.email}" if o.email else "",
                                      f"Website: {o.website}" if o.website else "")))
    return [line for line in (first, second) if line]


def block_text(block: Block) -> str:
    if isinstance(block, Point):
        return f"{block.label} {block.text}".strip()
    if isinstance(block, Table):
        return " ".join(" ".join(row) for row in block.rows)
    return block.text


def document_texts(doc: Document) -> Iterator[tuple[str, str, str]]:
    """Every ``(field, text, style)`` the layout prints, for the glyph coverage check."""
    yield "national_title", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc 0123456789", "B"
    yield "organ.parent_name", doc.organ.parent_name.upper(), ""
    yield "organ.name", doc.organ.name.upper(), "B"
    yield "notation", doc.number_line, ""
    yield "place", doc.place_date_line, "I"
    yield "type", doc.type.value.upper(), "B"
    yield "summary", doc.summary, "B"
    yield "summary", vv_line(doc.summary), ""
    yield "date", format_date(None) + WIDEST_DATE, "I"
    yield "appendix reference", f"(Kèm theo {doc.type.value} số /{doc.notation} của {doc.organ.name})", "I"
    for i, g in enumerate(doc.greeting):
        yield f"greeting[{i}]", f"Kính gửi: - {g};", ""
    for i, block in enumerate(doc.content):
        yield f"content[{i}]", block_text(block), "B" if isinstance(block, Heading) else ""
    if doc.signer is not None:
        for line in doc.signer.title_lines():
            yield "signer.position", line, "B"
        yield "signer.full_name", doc.signer.full_name, "B"
    yield "to_places", "Nơi nhận:", "BI"
    for i, line in enumerate(to_places_lines(doc)):
        yield f"to_places[{i}]", line, ""
    for mark, name in ((doc.secrecy.mark, "secrecy"), (doc.priority.mark, "priority")):
        if mark:
            yield name, mark, "B"
    for i, note in enumerate(doc.circulation):
        yield f"circulation[{i}]", note.upper(), "B"
    yield "drafter_initials", drafter_line(doc), ""
    for line in contact_lines(doc):
        yield "organ.address", line, ""
    for i, app in enumerate(doc.appendices):
        yield f"appendices[{i}].title", f"PHỤ LỤC {app.title.upper()}", "B"
        for j, block in enumerate(app.content):
            yield f"appendices[{i}].content[{j}]", block_text(block), "B" if isinstance(block, Heading) else ""


class DecreePDF(FPDF):
    """fpdf2 document with the Decree 30 page furniture: page numbers from page 2, footer space on page 1."""

    def __init__(self, *, margins: Margins, footer_height: float, number_size: float, **kwargs: object) -> None:
        super().__init__(orientation="P", unit="mm", format="A4", **kwargs)  # type: ignore[arg-type]
        self.margins = margins
        self.footer_height = footer_height
        self.number_size = number_size
        self.first_numbered_page = 2
        #: pages after the document that only carry the drafts' field appearances (removed when finished)
        self.scratch = False
        self.set_margins(margins.left, margins.top, margins.right)
        self.set_auto_page_break(True, margins.bottom)
        self.set_creator("edoc")
        self.set_producer("edoc (fpdf2)")

    def header(self) -> None:
        if self.scratch:
            return
        if self.page == 1:
            self.set_auto_page_break(True, self.margins.bottom + self.footer_height)
        else:
            self.set_auto_page_break(True, self.margins.bottom)
        if self.page >= self.first_numbered_page:
            style, size = self.font_style, self.font_size_pt
            self.set_font(FAMILY, "", self.number_size)
            self.set_xy(self.l_margin, self.margins.top / 2 - _lh(self.number_size) / 2)
            self.cell(self.epw, _lh(self.number_size), str(self.page - self.first_numbered_page + 2), align="C")
            self.set_font(FAMILY, style, size)
            self.set_xy(self.l_margin, self.t_margin)


class Layout:
    """Draws one document (and its appendices) on a :class:`DecreePDF`."""

    def __init__(self, pdf: DecreePDF, *, body_size: float = 14.0, indent: float = 10.0,
                 reserve: bool = True) -> None:
        self.pdf = pdf
        self.body = body_size
        self.indent = indent
        self.reserve = reserve
        self.places: list[MmPlace] = []
        m = pdf.margins
        self.left_x = m.left
        self.text_w = PAGE_W - m.left - m.right
        # the two header columns: issuing body (left) and national title (right)
        self.left_w = self.text_w * 0.40
        self.right_x = self.left_x + self.left_w
        self.right_w = self.text_w - self.left_w

    # -- helpers ----------------------------------------------------------------------------------

    def font(self, style: str, size: float) -> None:
        self.pdf.set_font(FAMILY, style, size)

    def centred(self, text: str, x: float, w: float, y: float, style: str, size: float,
                factor: float = 1.15) -> float:
        """Centred lines (wrapped to ``w``); returns the y under them."""
        self.font(style, size)
        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(w, _lh(size, factor), text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        return self.pdf.get_y()

    def widest_line(self, text: str, w: float) -> float:
        return max((self.pdf.get_string_width(ln) for ln in _lines(self.pdf, w, text)), default=0.0)

    def rule(self, cx: float, y: float, length: float) -> None:
        self.pdf.set_line_width(0.3)
        self.pdf.set_draw_color(0, 0, 0)
        self.pdf.line(cx - length / 2, y, cx + length / 2, y)

    def framed(self, text: str, cx: float, y: float, size: float, colour: tuple[int, int, int]) -> float:
        """A framed mark (boxes 10a, 10b, 11); returns the y under the frame."""
        self.font("B", size)
        w = self.pdf.get_string_width(text) + 4
        h = _lh(size, 1.4)
        self.pdf.set_draw_color(*colour)
        self.pdf.set_text_color(*colour)
        self.pdf.set_line_width(0.4)
        self.pdf.set_xy(cx - w / 2, y)
        self.pdf.cell(w, h, text, border=1, align="C")
        self.pdf.set_text_color(0, 0, 0)
        self.pdf.set_draw_color(0, 0, 0)
        return y + h

    def space_left(self) -> float:
        return self.pdf.page_break_trigger - self.pdf.get_y()

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit on this one."""
        if height > self.space_left():
            self.pdf.add_page()

    def gap(self, points: float) -> None:
        y = self.pdf.get_y() + points * PT
        if y < self.pdf.page_break_trigger:
            self.pdf.set_y(y)

    # -- the boxes --------------------------------------------------------------------------------

    def draw(self, doc: Document, *, appendices_inline: bool) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.footer_height = self.footer_height(doc)
        pdf.set_auto_page_break(True, pdf.margins.bottom + pdf.footer_height)
        y_right = self.box1_national_title(pdf.margins.top)
        y_left = self.box2_issuing_body(doc, pdf.margins.top)
        y = max(y_left, y_right) + 3
        y_left = self.box3_number(doc, y)
        self.box4_place_date(doc, y)
        if doc.type.is_letter:
            y_left = self.box5b_vv(doc, y_left + 1)
        y_left = self.box10_marks(doc, y_left + 2)
        y = max(y_left, y + _lh(14)) + 4
        if not doc.type.is_letter:
            y = self.box5a_type_summary(doc, y + 2)
        pdf.set_y(y + 2)
        if doc.greeting:
            self.box9a_greeting(doc)
        self.box6_content(doc.content)
        self.box7_signature(doc)
        self.box11_circulation(doc)
        self.box13_contact(doc)
        if appendices_inline:
            for i, app in enumerate(doc.appendices):
                self.appendix(doc, app, i, len(doc.appendices))

    def box1_national_title(self, y: float) -> float:
        x, w = self.right_x, self.right_w
        y = self.centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", x, w, y, "B", 12)
        motto = "Độc lập - Tự do - Hạnh phúc"
        y = self.centred(motto, x, w, y, "B", 13)
        self.font("B", 13)
        self.rule(x + w / 2, y + 0.3, self.pdf.get_string_width(motto))
        return y + 1

    def box2_issuing_body(self, doc: Document, y: float) -> float:
        x, w = self.left_x, self.left_w
        if doc.organ.parent_name:
            y = self.centred(doc.organ.parent_name.upper(), x, w, y, "", 12)
        name = doc.organ.name.upper()
        y = self.centred(name, x, w, y, "B", 12)
        self.font("B", 12)
        self.rule(x + w / 2, y + 0.3, self.widest_line(name, w) / 3)
        return y + 1

    def number_parts(self, doc: Document, label: str, style: str, size: float,
                     field: str = FIELD_NUMBER) -> list[str | Slot | Break]:
        """``label`` + the number + ``/notation``: as printed, or a blank for any number of up to
        :data:`NUMBER_CHARS` characters at ``size``, reserved as a field (with its label) when the layout
        reserves."""
        if doc.number is not None:
            return [f"{label}{format_code_number(doc.number)}/{doc.notation}"]
        self.font(style, size)
        width = self.pdf.get_string_width
        full = width(label + "0" * NUMBER_CHARS) + PT
        if not self.reserve:
            return [label, Slot(width("0" * 3)), f"/{doc.notation}"]
        typical = width(label + TYPICAL_NUMBER) + PT
        return [Slot(typical, field, text=label.rstrip(), align="R", label=label, grow=full - typical),
                f"/{doc.notation}"]

    def date_parts(self, doc: Document, style: str, size: float,
                   field: str = FIELD_DATE) -> list[str | Slot | Break]:
        """The date as printed, or a blank for it (the draft shows ``ngày   tháng   năm 2026``)."""
        if doc.date is not None:
            return [format_date(doc.date)]
        self.font(style, size)
        template = format_date(None)
        width = max(self.pdf.get_string_width(WIDEST_DATE), self.pdf.get_string_width(template)) + 2 * PT
        return [Slot(width, field if self.reserve else None, text=template)]

    def box3_number(self, doc: Document, y: float) -> float:
        size = 13
        return self.slotted(self.number_parts(doc, "Số: ", "", size), self.left_x, self.left_w, y, "", size, 1.3)

    def box4_place_date(self, doc: Document, y: float) -> None:
        size = 13
        parts: list[str | Slot | Break] = [f"{doc.place}, "] if doc.place else []
        self.slotted(parts + self.date_parts(doc, "I", size), self.right_x, self.right_w, y, "I", size, 1.3)

    def box5b_vv(self, doc: Document, y: float) -> float:
        if not doc.summary:
            return y
        return self.centred(vv_line(doc.summary), self.left_x, self.left_w, y, "", 12)

    def slotted(self, parts: Sequence[str | Slot | Break], x: float, w: float, y: float, style: str,
                size: float, factor: float = 1.15) -> float:
        """Centred lines of text and blanks (wrapped to ``w`` at spaces); returns the y under them.

        Text is drawn on its baseline with the spaces that separate it from a blank, so a reader of the
        text layer finds the words once and in order; each blank with a field becomes a reserved place
        whose baseline is the line's (:func:`~edoc.pdf.places.baseline_offset`), so the value the issuance
        act writes there reads as part of the line.
        """
        pdf = self.pdf
        self.font(style, size)
        space = pdf.get_string_width(" ")
        # tokens: (text, blank or break; whether a space separates it from the token before)
        tokens: list[tuple[str | Slot | Break, bool]] = []
        pending = False
        for part in parts:
            if isinstance(part, (Slot, Break)):
                tokens.append((part, pending and bool(tokens)))
                pending = False
                continue
            for i, word in enumerate(part.split(" ")):
                pending = pending or i > 0
                if word:
                    tokens.append((word, pending and bool(tokens)))
                    pending = False

        def width(tok: str | Slot, full: bool = False) -> float:
            if isinstance(tok, Slot):
                return tok.width + (tok.grow if full else 0.0)
            return pdf.get_string_width(tok)

        lines: list[list[tuple[str | Slot, bool]]] = [[]]
        used = 0.0
        for tok, before in tokens:
            if isinstance(tok, Break):
                if lines[-1]:
                    lines.append([])
                    used = 0.0
                continue
            add = width(tok, True) + (space if before and lines[-1] else 0.0)
            if lines[-1] and before and used + add > w:
                lines.append([])
                used, add = 0.0, width(tok, True)
            lines[-1].append((tok, before))
            used += add
        lh = _lh(size, factor)
        for row in lines:
            first = row[0][0] if row else None
            grows = isinstance(first, Slot) and first.grow > 0
            rest = sum(width(t) + (space if b and i else 0.0) for i, (t, b) in enumerate(row)) - (
                first.width if grows and isinstance(first, Slot) else 0.0)
            lead = 0.0
            if grows and isinstance(first, Slot):
                full = first.width + first.grow
                # the blank's width in the centred line: the typical value, or more when the longest value
                # could not otherwise reach left inside the box
                nominal = min(full, max(first.width, 2 * full - w + rest))
                lead = full - nominal
                row = [(replace(first, width=nominal), row[0][1]), *row[1:]]
            total = sum(width(t) + (space if b and i else 0.0) for i, (t, b) in enumerate(row))
            cx = x + max(0.0, (w - total) / 2)
            base = y + lh / 2 + 0.3 * size * PT
            run, run_x = "", cx
            for i, (tok, before) in enumerate(row):
                sep = " " if before and i else ""
                if isinstance(tok, str):
                    if not run:
                        run_x = cx
                    run += sep + tok
                    cx += width(sep + tok) if sep else width(tok)
                    continue
                if sep:
                    if not run:
                        run_x = cx
                    run += sep
                    cx += space
                if run:
                    pdf.text(run_x, base, run)
                    run = ""
                reach = min(lead, cx - x) if i == 0 else 0.0
                self.blank(tok, cx - reach, tok.width + reach, base, style, size, lh)
                cx += tok.width
            if run:
                pdf.text(run_x, base, run)
            y += lh
        pdf.set_xy(self.left_x, y)
        return y

    def blank(self, slot: Slot, x: float, w: float, base: float, style: str, size: float, lh: float) -> None:
        """A blank ``w`` wide on a line whose baseline is ``base``: its printed text, or a reserved place."""
        if slot.field is None:
            if slot.text:
                self.pdf.text(x, base, slot.text)
            return
        bottom = base + baseline_offset(lh / PT, size) * PT
        self.font(style, size)
        if slot.label:  # the draft: the label, then a narrow blank before what follows
            text_x = w - self.pdf.get_string_width(slot.text) - DRAFT_NUMBER_GAP * size * PT
        else:
            text_x = 0.5 * PT
        self.places.append(MmPlace(slot.field, self.pdf.page, x, bottom - lh, w, lh, size, style, slot.align,
                                   slot.text, max(text_x, 0.0), slot.label))

    def box10_marks(self, doc: Document, y: float) -> float:
        cx = self.left_x + self.left_w / 2
        for mark in (doc.secrecy.mark, doc.priority.mark):
            if mark:
                y = self.framed(mark, cx, y, 13, RED) + 2
        return y

    def box5a_type_summary(self, doc: Document, y: float) -> float:
        y = self.centred(doc.type.value.upper(), self.left_x, self.text_w, y, "B", 14)
        if doc.summary:
            y = self.centred(doc.summary, self.left_x + 10, self.text_w - 20, y, "B", 14)
            self.font("B", 14)
            self.rule(self.left_x + self.text_w / 2, y + 0.5, self.widest_line(doc.summary, self.text_w - 20) / 3)
        return y + 2

    def box9a_greeting(self, doc: Document) -> None:
        pdf = self.pdf
        self.font("", self.body)
        label = "Kính gửi:"
        lh = _lh(self.body, 1.3)
        if len(doc.greeting) == 1:
            text = f"{label} {doc.greeting[0]}"
            pdf.set_x(self.left_x)
            pdf.multi_cell(self.text_w, lh, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            lw = pdf.get_string_width(label + " ")
            widest = max(pdf.get_string_width(f"- {g};") for g in doc.greeting)
            x = self.left_x + max(0.0, (self.text_w - lw - widest) / 2)
            pdf.set_x(x)
            pdf.cell(lw, lh, label)
            for i, g in enumerate(doc.greeting):
                end = "." if i == len(doc.greeting) - 1 else ";"
                pdf.set_x(x + lw)
                pdf.multi_cell(self.text_w - (x - self.left_x) - lw, lh, f"- {g}{end}", align="L",
                               new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.gap(6)

    # -- content (box 6) --------------------------------------------------------------------------

    def paragraph_height(self, text: str, style: str, indent: bool) -> float:
        self.font(style, self.body)
        lines = _lines(self.pdf, self.text_w, ("\u00a0" * 4 if indent else "") + text)
        return len(lines) * _lh(self.body) + 6 * PT

    def first_line_height(self) -> float:
        return 2 * _lh(self.body) + 6 * PT

    def box6_content(self, blocks: tuple[Block, ...]) -> None:
        for i, block in enumerate(blocks):
            if isinstance(block, Heading):
                # no heading alone at the foot of a page: it needs room for itself and two lines after it
                h = self.paragraph_height(block.text, "B", block.level is HeadingLevel.ARTICLE)
                nxt = blocks[i + 1] if i + 1 < len(blocks) else None
                self.need(h + (self.first_line_height() if nxt is not None else 0))
                self.heading(block)
            elif isinstance(block, Table):
                self.table(block)
            else:
                text = f"{block.label} {block.text}" if isinstance(block, Point) else block.text
                self.justified(text, "")

    def justified(self, text: str, style: str, *, indent: bool = True) -> None:
        self.font(style, self.body)
        with self.pdf.text_columns(text_align="J", line_height=1.15, l_margin=self.left_x,
                                   r_margin=self.pdf.r_margin) as cols:
            with cols.paragraph(first_line_indent=self.indent if indent else 0, bottom_margin=6 * PT) as par:
                par.write(text)

    def heading(self, block: Heading) -> None:
        if block.level is HeadingLevel.ARTICLE:
            self.justified(block.text, "B")
            return
        y = self.centred(block.text, self.left_x, self.text_w, self.pdf.get_y(), "B", self.body)
        self.pdf.set_y(y)
        self.gap(6)

    def table(self, block: Table) -> None:
        if not block.rows:
            return
        size = max(self.body - 1, 11)
        self.font("", size)
        self.need(_lh(size) * 3)
        from fpdf.fonts import FontFace as Style

        width = max(len(row) for row in block.rows)
        with self.pdf.table(text_align="LEFT", line_height=_lh(size, 1.2), padding=1,
                            first_row_as_headings=block.header,
                            headings_style=Style(emphasis="BOLD")) as table:
            for row in block.rows:
                cells = table.row()
                for cell in (*row, *([""] * (width - len(row)))):
                    cells.cell(cell)
        self.gap(6)

    # -- signature block (boxes 7, 8, 9b, 12) -----------------------------------------------------

    def box7_signature(self, doc: Document) -> None:
        pdf = self.pdf
        title = doc.signer.title_lines() if doc.signer else ()
        name = doc.signer.full_name if doc.signer else ""
        recipients = to_places_lines(doc)
        sig_h = 26.0
        right_h = len(title) * _lh(14, 1.2) + sig_h + _lh(14, 1.2)
        left_h = _lh(12) + len(recipients) * _lh(11, 1.2) + _lh(11, 1.2)
        self.gap(6)
        self.need(max(right_h, left_h) + 2)
        y0 = pdf.get_y()
        # box 9b: "Nơi nhận:" and the list, box 12 under it
        lx, lw = self.left_x, self.text_w * 0.45
        y = y0
        if recipients:
            self.font("BI", 12)
            pdf.set_xy(lx, y)
            pdf.cell(lw, _lh(12), "Nơi nhận:", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.font("", 11)
            for line in recipients:
                pdf.set_x(lx)
                pdf.multi_cell(lw, _lh(11, 1.2), line, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
            y = pdf.get_y()
        drafter = drafter_line(doc)
        if drafter:
            self.font("", 11)
            pdf.set_xy(lx, y)
            pdf.cell(lw, _lh(11, 1.2), drafter, new_x=XPos.LEFT, new_y=YPos.NEXT)
            y = pdf.get_y()
        y_left = y
        # boxes 7a, 7c, 7b: authority and position, signature, name
        rx = self.left_x + self.text_w * 0.45
        rw = self.text_w - (rx - self.left_x)
        y = y0
        for line in title:
            y = self.centred(line, rx, rw, y, "B", 14, factor=1.2)
        sig_w = 55.0
        sx = rx + (rw - sig_w) / 2
        if self.reserve and doc.signer is not None:
            self.places.append(MmPlace(FIELD_PERSON, pdf.page, sx, y + 1, sig_w, sig_h - 2))
            seal = 36.0
            seal_x = sx + sig_w / 3 - seal
            seal_y = y + (sig_h - seal) / 2
            self.places.append(MmPlace(FIELD_AGENCY, pdf.page, seal_x, seal_y, seal, seal))
        y += sig_h
        if name:
            y = self.centred(name, rx, rw, y, "B", 14, factor=1.2)
        pdf.set_y(max(y, y_left))

    def box11_circulation(self, doc: Document) -> None:
        if not doc.circulation:
            return
        self.gap(6)
        for note in doc.circulation:
            self.need(_lh(13, 1.4) + 2)
            y = self.framed(note.upper(), self.left_x + self.text_w / 2, self.pdf.get_y(), 13, (0, 0, 0))
            self.pdf.set_y(y + 2)

    def footer_height(self, doc: Document) -> float:
        """Height of box 13 (the contact footer of page 1), rule included."""
        lines = contact_lines(doc)
        if not lines:
            return 0.0
        self.font("", 11)
        count = sum(len(_lines(self.pdf, self.text_w, line)) for line in lines)
        return count * _lh(11) + 3

    def box13_contact(self, doc: Document) -> None:
        lines = contact_lines(doc)
        if not lines:
            return
        pdf = self.pdf
        page, x, y = pdf.page, pdf.get_x(), pdf.get_y()
        auto, margin = pdf.auto_page_break, pdf.b_margin
        pdf.set_auto_page_break(False)
        pdf.page = 1
        top = PAGE_H - pdf.margins.bottom - pdf.footer_height + 1
        pdf.set_line_width(0.3)
        pdf.line(self.left_x, top, self.left_x + self.text_w, top)
        yy = top + 1
        for line in lines:
            yy = self.centred(line, self.left_x, self.text_w, yy, "", 11)
        pdf.page = page
        pdf.set_auto_page_break(auto, margin)
        pdf.set_xy(x, y)

    # -- appendices -------------------------------------------------------------------------------

    def appendix_heading(self, doc: Document, app: Appendix, index: int, count: int) -> None:
        y = self.pdf.get_y()
        label = "PHỤ LỤC" + (f" {ROMAN[index]}" if count > 1 and index < len(ROMAN) else "")
        y = self.centred(label, self.left_x, self.text_w, y, "B", 14)
        if app.title:
            y = self.centred(app.title.upper(), self.left_x, self.text_w, y, "B", 14)
        size = 14
        # a blank number begins a line (after "(Kèm theo Quyết định") and the issuing body follows on the
        # next: a short number leaves its free space at the line's edge, never a gap inside the sentence
        parts: list[str | Slot | Break] = [f"(Kèm theo {doc.type.value} "]
        number_field, date_field = reference_fields(index)
        parts += ([BREAK] if doc.number is None and self.reserve else []) + self.number_parts(
            doc, "số ", "I", size, number_field)
        parts += [" ", *self.date_parts(doc, "I", size, date_field)]
        if doc.number is None and self.reserve:
            parts.append(BREAK)
        parts += [f" của {doc.organ.name})" if doc.organ.name else ")"]
        y = self.slotted(parts, self.left_x, self.text_w, y, "I", size)
        self.font("B", 14)
        self.rule(self.left_x + self.text_w / 2, y + 1.5, 40)
        self.pdf.set_y(y + 5)

    def appendix(self, doc: Document, app: Appendix, index: int, count: int) -> None:
        self.pdf.add_page()
        self.appendix_heading(doc, app, index, count)
        self.box6_content(app.content)

    def draw_appendix_alone(self, doc: Document, app: Appendix, index: int, count: int) -> None:
        self.pdf.add_page()
        self.appendix_heading(doc, app, index, count)
        self.box6_content(app.content)
