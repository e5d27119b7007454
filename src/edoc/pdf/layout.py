"""The Decree 30 page layout (Appendix I), drawn with fpdf2, box by box.

Coordinates here are fpdf2's: millimetres from the top left corner of the page. Every box is drawn by one
method named after it; the boxes' numbers are those of ``spec/decree30-pdf.md`` §2. The layout records the
reserved places (signature, seal, number, date) as rectangles in millimetres; :mod:`edoc.pdf.render`
converts them to PDF points and turns them into form fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from edoc.model.document import Appendix, Block, Document, Heading, Point, Table
from edoc.model.vocab import HeadingLevel
from edoc.pdf.places import FIELD_AGENCY, FIELD_DATE, FIELD_NUMBER, FIELD_PERSON

__all__ = ["Layout", "PAGE_W", "PAGE_H", "PT", "Margins", "MmPlace", "document_texts", "ROMAN"]

PAGE_W = 210.0
PAGE_H = 297.0
#: one typographic point in millimetres
PT = 25.4 / 72
FAMILY = "EdocSerif"
RED = (200, 0, 0)
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
    yield "summary", f"V/v {doc.summary}", ""
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
        yield f"appendices[{i}].title", f"PHỤ LỤC {app.title.upper()} (Kèm theo)", "B"
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
        self.set_margins(margins.left, margins.top, margins.right)
        self.set_auto_page_break(True, margins.bottom)
        self.set_creator("edoc")
        self.set_producer("edoc (fpdf2)")

    def header(self) -> None:
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

    def box3_number(self, doc: Document, y: float) -> float:
        x, w = self.left_x, self.left_w
        text = doc.number_line
        size = 13
        y2 = self.centred(text, x, w, y, "", size, factor=1.3)
        if doc.number is None and self.reserve:
            full = self.pdf.get_string_width(text)
            start = x + (w - full) / 2
            head, _, _ = text.partition("/")
            label = "Số: "
            x1 = start + self.pdf.get_string_width(label)
            x2 = start + self.pdf.get_string_width(head)
            self.places.append(MmPlace(FIELD_NUMBER, self.pdf.page, x1, y, x2 - x1, _lh(size, 1.3), size))
        return y2

    def box4_place_date(self, doc: Document, y: float) -> None:
        x, w = self.right_x, self.right_w
        text = doc.place_date_line
        size = 13
        self.centred(text, x, w, y, "I", size, factor=1.3)
        if doc.date is None and self.reserve:
            full = self.pdf.get_string_width(text)
            start = x + (w - full) / 2
            x1 = start + self.pdf.get_string_width(f"{doc.place}, ") if doc.place else start
            self.places.append(MmPlace(FIELD_DATE, self.pdf.page, x1, y, start + full - x1, _lh(size, 1.3), size))

    def box5b_vv(self, doc: Document, y: float) -> float:
        if not doc.summary:
            return y
        return self.centred(f"V/v {doc.summary}", self.left_x, self.left_w, y, "", 12)

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
        ref = f"(Kèm theo {doc.type.value} số {doc.code}"
        if doc.date is not None:
            ref += f" ngày {doc.date.day:02d} tháng {doc.date.month:02d} năm {doc.date.year}"
        ref += f" của {doc.organ.name})" if doc.organ.name else ")"
        y = self.centred(ref, self.left_x, self.text_w, y, "I", 14)
        self.font("B", 14)
        self.rule(self.left_x + self.text_w / 2, y + 0.5, 40)
        self.pdf.set_y(y + 4)

    def appendix(self, doc: Document, app: Appendix, index: int, count: int) -> None:
        self.pdf.add_page()
        self.appendix_heading(doc, app, index, count)
        self.box6_content(app.content)

    def draw_appendix_alone(self, doc: Document, app: Appendix, index: int, count: int) -> None:
        self.pdf.add_page()
        self.appendix_heading(doc, app, index, count)
        self.box6_content(app.content)
