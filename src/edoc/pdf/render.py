"""Rendering a :class:`~edoc.model.Document` as the Decree 30 PDF/A: :func:`render_pdf` and :class:`Renderer`.

``render_pdf`` is the plain call for one document. A :class:`Renderer` chooses and prepares the fonts once
and renders many documents with them (a batch pays font parsing and reduction once, not per document).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO

from fpdf.enums import OutputIntentSubType
from fpdf.errors import FPDFException
from fpdf.output import PDFICCProfile

from edoc.errors import EdocError, InvalidInput, MissingDependency, ResourceError, UnsupportedFeature
from edoc.model.document import VIETNAM_TZ, Document
from edoc.pdf._fpdf import PreparedFonts, font_resource_name
from edoc.pdf.finish import FONT_ITALIC, FONT_REGULAR, Associated, DocInfo, FieldLook, finish_pdf
from edoc.pdf.fonts import FontFace, check_coverage, face_from_file, find_face
from edoc.pdf.layout import FAMILY, PAGE_H, PT, DecreePDF, Layout, Margins, MmPlace, document_texts
from edoc.pdf.places import PlaceKind, ReservedPlace, baseline_offset, text_field_kind
from edoc.util.fs import atomic_write_bytes

__all__ = ["RenderOptions", "RenderResult", "Renderer", "render_pdf", "render_bytes", "Margins", "srgb_profile"]

_MM_TO_PT = 72 / 25.4
_KINDS = {"edoc.sig.person": PlaceKind.SIGNATURE, "edoc.sig.agency": PlaceKind.SEAL}
#: Largest document rendered (pages); a bound against runaway input.
MAX_PAGES = 2000

logging.getLogger("fpdf").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


@cache
def srgb_profile() -> bytes:
    """The sRGB ICC profile of the output intent (shipped in ``edoc/data/pdf``)."""
    return resources.files("edoc.data").joinpath("pdf/sRGB.icc").read_bytes()


@dataclass(frozen=True)
class RenderOptions:
    """How to render.

    :param font: a TrueType file to use instead of the installed Times-compatible face.
    :param embed_xml: PDF/A-3b carrying the edXML message and the national metadata XML as associated files.
    :param appendix_separate: appendices as separate PDF files beside the main one (else in the same file).
    :param reserve_places: record the signature, seal, number and date places as empty form fields.
    :param body_size: body text size in points (13–14).
    :param margins: page margins in millimetres.
    :param created: creation time written into the PDF (now when ``None``; fix it for byte-stable output).
    """

    font: Path | None = None
    embed_xml: bool = False
    appendix_separate: bool = False
    reserve_places: bool = True
    body_size: float = 14.0
    margins: Margins = field(default_factory=Margins)
    created: dt.datetime | None = None

    def __post_init__(self) -> None:
        if not 13 <= self.body_size <= 14:
            raise InvalidInput("body_size must be 13 to 14 points (Decree 30)", field="body_size")
        m = self.margins
        for name, value, lo, hi in (("top", m.top, 20, 25), ("bottom", m.bottom, 20, 25),
                                    ("left", m.left, 30, 35), ("right", m.right, 15, 20)):
            if not lo <= value <= hi:
                raise InvalidInput(f"the {name} margin must be {lo}–{hi} mm (Decree 30)", field=f"margins.{name}")
        if self.font is not None and not isinstance(self.font, Path):
            object.__setattr__(self, "font", Path(self.font))


@dataclass(frozen=True)
class RenderResult:
    """What :func:`render_pdf` wrote."""

    #: the main PDF (``None`` when written to a file object)
    path: Path | None
    #: the typeface used, e.g. ``Liberation Serif``
    face: str
    font_files: tuple[Path, ...]
    pages: int
    #: ``PDF/A-2b`` or ``PDF/A-3b``
    conformance: str
    places: tuple[ReservedPlace, ...]
    #: separate appendix PDFs (with ``appendix_separate``)
    appendix_paths: tuple[Path, ...] = ()
    #: names of the associated files embedded (with ``embed_xml``)
    embedded: tuple[str, ...] = ()

    def place(self, kind: PlaceKind) -> ReservedPlace | None:
        """The first reserved place of ``kind``."""
        return next((p for p in self.places if p.kind is kind), None)


def _to_points(p: MmPlace) -> ReservedPlace:
    x1 = p.x * _MM_TO_PT
    x2 = (p.x + p.w) * _MM_TO_PT
    y1 = (PAGE_H - p.y - p.h) * _MM_TO_PT
    y2 = (PAGE_H - p.y) * _MM_TO_PT
    kind = _KINDS.get(p.field) or text_field_kind(p.field)
    assert kind is not None, p.field
    return ReservedPlace(p.field, kind, p.page - 1, (round(x1, 2), round(y1, 2), round(x2, 2),
                                                                 round(y2, 2)), p.font_size)


def _draft_looks(pdf: DecreePDF, places: list[MmPlace]) -> tuple[tuple[FieldLook | None, ...], int]:
    """Draw what each empty text field shows in a draft on scratch pages after the document.

    One scratch page per distinct text, style and box; :func:`~edoc.pdf.finish.finish_pdf` turns each into
    the appearance of its widgets and removes it. Returns a look per place and the number of scratch pages.
    """
    looks: list[FieldLook | None] = []
    drawn: dict[tuple[str, str, float, float, float, float], tuple[int, tuple[float, float, float, float]]] = {}
    for p in places:
        if text_field_kind(p.field) is None:
            looks.append(None)
            continue
        scratch = None
        if p.template:
            key = (p.template, p.style, p.font_size, round(p.w, 3), round(p.h, 3), round(p.template_x, 3))
            if key not in drawn:
                pdf.scratch = True
                pdf.add_page()
                pdf.set_font(FAMILY, p.style, p.font_size)
                x0, y0 = 20.0, 20.0
                pdf.text(x0 + p.template_x, y0 + p.h - baseline_offset(p.h / PT, p.font_size) * PT, p.template)
                box = (x0 * _MM_TO_PT, (PAGE_H - y0 - p.h) * _MM_TO_PT, (x0 + p.w) * _MM_TO_PT,
                       (PAGE_H - y0) * _MM_TO_PT)
                drawn[key] = (pdf.page - 1, box)
            scratch = drawn[key]
        looks.append(FieldLook(italic=p.style == "I", right=p.align == "R", scratch=scratch, label=p.label))
    return tuple(looks), len(drawn)


def _font_names(pdf: DecreePDF) -> dict[str, str]:
    return {FONT_REGULAR: font_resource_name(pdf, FAMILY, ""), FONT_ITALIC: font_resource_name(pdf, FAMILY, "I")}


class Renderer:
    """Renders documents with one prepared face; immutable options, fonts prepared once.

    A renderer holds prepared fonts that it extends when a document needs characters the batch has not
    seen; use one renderer per thread or process.
    """

    def __init__(self, options: RenderOptions | None = None) -> None:
        self.options = options or RenderOptions()
        self.face: FontFace = face_from_file(self.options.font) if self.options.font else find_face()
        self._fonts: dict[Path, PreparedFonts] = {self.face.files[""]: PreparedFonts(self.face)}

    def _face_for(self, doc: Document, texts: list[tuple[str, str, str]]) -> FontFace:
        try:
            check_coverage(self.face, texts)
            return self.face
        except InvalidInput:
            if self.options.font is not None:
                raise
            try:
                other = find_face("".join(t for _, t, _ in texts))
            except ResourceError:
                check_coverage(self.face, texts)  # re-raise naming the character and its field
                raise
            self._fonts.setdefault(other.files[""], PreparedFonts(other))
            return other

    def _new_pdf(self, face: FontFace, chars: Iterable[str], part: int) -> DecreePDF:
        pdf = DecreePDF(margins=self.options.margins, footer_height=0.0, number_size=self.options.body_size,
                        enforce_compliance=f"PDFA_{part}B")
        self._fonts[face.files[""]].install(pdf, chars)
        pdf.set_font("EdocSerif", "", self.options.body_size)
        pdf.add_output_intent(OutputIntentSubType.PDFA, "sRGB IEC61966-2.1", "sRGB IEC61966-2.1",
                              "http://www.color.org", PDFICCProfile(contents=srgb_profile(), n=3,
                                                                    alternate="DeviceRGB"), "sRGB IEC61966-2.1")
        pdf.set_lang("vi-VN")
        return pdf

    def render(self, doc: Document, target: str | Path | IO[bytes]) -> RenderResult:
        """Render ``doc`` into ``target`` (a path, written atomically, or a binary file object).

        :raises InvalidInput: the document cannot be laid out (a character the font lacks names its field).
        :raises ResourceError: the output cannot be written.
        """
        opts = self.options
        if opts.appendix_separate and not isinstance(target, (str, Path)):
            raise InvalidInput("separate appendices need a file path as the target", field="target")
        if opts.embed_xml and (doc.number is None or doc.date is None):
            raise InvalidInput(
                "a draft cannot carry its edXML message, because edXML requires the number and date that the "
                "document only gets at issuance: render the draft without embed_xml (--embed-xml)",
                message_vi="Bản dự thảo không thể mang thông điệp edXML vì edXML bắt buộc có số và ngày mà văn bản "
                           "chỉ có khi ban hành: hãy kết xuất bản dự thảo không kèm --embed-xml",
                field="number" if doc.number is None else "date")
        texts = list(document_texts(doc))
        face = self._face_for(doc, texts)
        chars = set(itertools.chain.from_iterable(t for _, t, _ in texts))
        chars.update("0123456789")
        part = 3 if opts.embed_xml else 2
        created = opts.created or dt.datetime.now(VIETNAM_TZ).replace(microsecond=0)
        info = self._info(doc, created)
        pdf = self._new_pdf(face, chars, part)
        layout = Layout(pdf, body_size=opts.body_size, reserve=opts.reserve_places)
        try:
            layout.draw(doc, appendices_inline=not opts.appendix_separate)
            pages = pdf.page
            if pages > MAX_PAGES:
                raise InvalidInput(f"the document needs more than {MAX_PAGES} pages", field="content")
            looks, scratch = _draft_looks(pdf, layout.places)
            pdf.set_creation_date(created)
            raw = bytes(pdf.output())
        except FPDFException as exc:
            raise InvalidInput(f"the document cannot be laid out: {exc}", field="content") from exc
        places = tuple(_to_points(p) for p in layout.places)
        files = self._associated(doc, created) if opts.embed_xml else ()
        data = finish_pdf(raw, part=part, info=info, places=places, files=files, looks=looks,
                          scratch_pages=scratch, font_names=_font_names(pdf))
        path = self._write(target, data)
        appendix_paths: list[Path] = []
        if opts.appendix_separate and path is not None:
            for i, app in enumerate(doc.appendices):
                apdf = self._new_pdf(face, chars, 2)
                alayout = Layout(apdf, body_size=opts.body_size, reserve=opts.reserve_places)
                alayout.draw_appendix_alone(doc, app, i, len(doc.appendices))
                alooks, ascratch = _draft_looks(apdf, alayout.places)
                apdf.set_creation_date(created)
                araw = bytes(apdf.output())
                apath = path.with_name(f"{path.stem}-phu-luc-{i + 1}{path.suffix}")
                ainfo = DocInfo(f"Phụ lục {i + 1}: {app.title}", info.author, info.subject, info.keywords, created,
                                info.document_id)
                atomic_write_bytes(apath, finish_pdf(araw, part=2, info=ainfo,
                                                     places=tuple(_to_points(p) for p in alayout.places),
                                                     looks=alooks, scratch_pages=ascratch,
                                                     font_names=_font_names(apdf)))
                appendix_paths.append(apath)
        return RenderResult(path=path, face=face.family, font_files=tuple(dict.fromkeys(face.files.values())),
                            pages=pages, conformance=f"PDF/A-{part}b", places=places,
                            appendix_paths=tuple(appendix_paths), embedded=tuple(f.name for f in files))

    @staticmethod
    def _write(target: str | Path | IO[bytes], data: bytes) -> Path | None:
        if isinstance(target, (str, Path)):
            atomic_write_bytes(target, data)
            return Path(target)
        try:
            target.write(data)
        except OSError as exc:
            raise ResourceError(f"cannot write the PDF: {exc}") from exc
        return None

    @staticmethod
    def _info(doc: Document, created: dt.datetime) -> DocInfo:
        title = f"{doc.type.value} {doc.code}".strip() if doc.number is not None else doc.type.value
        if doc.summary:
            title = f"{title}: {doc.summary}"
        return DocInfo(title=title, author=doc.organ.name, subject=doc.description or doc.summary,
                       keywords=doc.code if doc.number is not None else "", created=created,
                       document_id=doc.document_id)

    @staticmethod
    def _associated(doc: Document, created: dt.datetime) -> tuple[Associated, ...]:
        try:
            from edoc.edxml import edxml_bytes
        except ImportError as exc:  # pragma: no cover - edoc ships edxml
            raise MissingDependency("edoc.edxml", "edxml") from exc
        from edoc.metadata import document_metadata_xml

        try:
            edxml = edxml_bytes(doc.replace(attachments=()))
        except EdocError:
            raise
        except (ValueError, TypeError) as exc:
            raise UnsupportedFeature(f"cannot write the edXML message of this document: {exc}") from exc
        meta = document_metadata_xml(doc)
        return (
            Associated("edxml.xml", edxml, "application/edxml+xml",
                       "edXML message of the document (QCVN 102:2016/BTTTT)"),
            Associated("metadata.xml", meta, "text/xml",
                       "National metadata of the document (Decree 30/2020, Appendix VI)"),
        )


def render_pdf(doc: Document, target: str | Path | IO[bytes], *, options: RenderOptions | None = None) -> RenderResult:
    """Render ``doc`` as a Decree 30 PDF/A-2b (PDF/A-3b with ``options.embed_xml``) into ``target``.

    :param doc: the document.
    :param target: a path (written atomically) or a binary file object.
    :param options: how to render (:class:`RenderOptions`).
    :returns: the face used, the pages, the reserved places and the files written.
    :raises InvalidInput: a character the font lacks (naming the field), or content that cannot be laid out.
    """
    return Renderer(options).render(doc, target)


def render_bytes(doc: Document, *, options: RenderOptions | None = None) -> bytes:
    """The PDF of ``doc`` as bytes (no separate appendices)."""
    buf = io.BytesIO()
    Renderer(options).render(doc, buf)
    return buf.getvalue()
