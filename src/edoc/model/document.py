"""The official document: one frozen model for edXML, the national archival metadata and the PDF layout.

Text is kept NFC-normalised (constructors normalise it), dates are :class:`datetime.date`, times are aware
:class:`datetime.datetime`. Helpers format the national strings (``Số: 05/QĐ-UBND``, ``Thuận Nam, ngày 05
tháng 01 năm 2026``, the edXML ``DocumentId``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from pathlib import Path

from edoc.errors import InvalidInput, Problem, ValidationError
from edoc.model.vocab import (
    Authority,
    BusinessType,
    DocumentType,
    HeadingLevel,
    Priority,
    Secrecy,
    StatusCode,
    SteeringType,
)

__all__ = [
    "VIETNAM_TZ",
    "Organ",
    "Signer",
    "Paragraph",
    "Heading",
    "Point",
    "Table",
    "Block",
    "Appendix",
    "Attachment",
    "ResponseFor",
    "TraceHeader",
    "StaffInfo",
    "ReceiverChange",
    "ReplacementInfo",
    "Business",
    "Document",
    "StatusMessage",
    "ORGAN_ID_RE",
    "format_number_line",
    "format_date",
    "format_place_date",
    "format_document_id",
    "nfc",
]

#: Vietnam time (UTC+07:00, no daylight saving).
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")

#: Shape of a body identifier (mã định danh): ``DDD.CC.BB.Xnn``, e.g. ``000.00.00.G22``.
ORGAN_ID_RE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$")


def nfc(text: str) -> str:
    """``text`` in Unicode normalisation form C (how Vietnamese text must be stored and compared)."""
    return unicodedata.normalize("NFC", text)


def _nfc_fields(obj: object) -> None:
    """Normalise every ``str`` field (and tuples of ``str``) of a frozen dataclass instance to NFC."""
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
            object.__setattr__(obj, f.name, nfc(value))
        elif isinstance(value, list):
            object.__setattr__(obj, f.name, tuple(value))
            value = getattr(obj, f.name)
        if isinstance(value, tuple) and any(isinstance(v, str) for v in value):
            object.__setattr__(obj, f.name, tuple(nfc(v) if isinstance(v, str) else v for v in value))


class _Model:
    def __post_init__(self) -> None:
        _nfc_fields(self)

    def replace(self, **changes: object):  # type: ignore[no-untyped-def]
        """A copy with ``changes`` applied (the model is immutable)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class Organ(_Model):
    """A body: the issuing body, a recipient, or the sender/receiver of an edXML message."""

    organ_id: str = ""
    name: str = ""
    #: The parent body printed above the issuing body (box 2), e.g. "UBND TỈNH NINH THUẬN".
    parent_name: str = ""
    #: edXML ``OrganizationInCharge``: the body in charge (often the parent body's name).
    organization_in_charge: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Signer(_Model):
    """The competent person (boxes 7a–7c).

    ``authority`` and ``authority_of`` give the first line (``TM. ỦY BAN NHÂN DÂN``, ``KT. CHỦ TỊCH``);
    ``position`` the second (``PHÓ CHỦ TỊCH``) or the only one; ``full_name`` the name under the signature.
    """

    full_name: str = ""
    position: str = ""
    authority: Authority | None = None
    authority_of: str = ""

    @property
    def competence(self) -> str:
        """edXML ``SignerInfo/Competence``: the authority line, e.g. ``TM. Ủy ban nhân dân``."""
        if self.authority is None:
            return ""
        return f"{self.authority.value} {self.authority_of}".strip()

    def title_lines(self) -> tuple[str, ...]:
        """The lines above the signature, upper case as printed: authority line, then position."""
        lines = []
        if self.authority is not None:
            lines.append(nfc(f"{self.authority.value} {self.authority_of}".strip().upper()))
        if self.position:
            lines.append(nfc(self.position.upper()))
        return tuple(lines)


@dataclass(frozen=True)
class Paragraph(_Model):
    """A paragraph of the content (justified, first-line indent)."""

    text: str = ""
    kind: str = field(default="paragraph", init=False, repr=False)


@dataclass(frozen=True)
class Heading(_Model):
    """A heading: ``Chương I``, ``Điều 1. Phạm vi điều chỉnh``… ``text`` is what is printed."""

    text: str = ""
    level: HeadingLevel = HeadingLevel.ARTICLE
    kind: str = field(default="heading", init=False, repr=False)


@dataclass(frozen=True)
class Point(_Model):
    """A point ``a) …`` or a numbered clause ``1. …``: ``label`` is ``a)`` or ``1.``."""

    label: str = ""
    text: str = ""
    kind: str = field(default="point", init=False, repr=False)


@dataclass(frozen=True)
class Table(_Model):
    """A table in the content; the first row is the header when ``header`` is true."""

    rows: tuple[tuple[str, ...], ...] = ()
    header: bool = True
    kind: str = field(default="table", init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(tuple(nfc(str(c)) for c in row) for row in self.rows))


#: A content block of a document: :class:`Paragraph`, :class:`Heading`, :class:`Point` or :class:`Table`.
Block = Paragraph | Heading | Point | Table


@dataclass(frozen=True)
class Appendix(_Model):
    """An appendix (phụ lục): its title, and its content when edoc renders it."""

    title: str = ""
    content: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Attachment(_Model):
    """A file carried with the document (the signed PDF, an appendix file…).

    The payload is read from ``path`` when given (streamed, never loaded whole), else taken from ``data``.
    """

    name: str = ""
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False)
    content_type: str = "application/octet-stream"
    description: str = ""
    content_id: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.path is not None and not isinstance(self.path, Path):
            object.__setattr__(self, "path", Path(self.path))


@dataclass(frozen=True)
class ResponseFor(_Model):
    """The document this one answers (edXML ``ResponseFor``)."""

    organ_id: str = ""
    code: str = ""
    promulgation_date: dt.date | None = None
    document_id: str = ""


@dataclass(frozen=True)
class TraceHeader(_Model):
    """One hop of the message (edXML ``TraceHeader``)."""

    organ_id: str = ""
    timestamp: dt.datetime | None = None


@dataclass(frozen=True)
class StaffInfo(_Model):
    """The handling clerk (edXML ``StaffInfo``)."""

    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class ReceiverChange(_Model):
    """A receiver added or removed by an update message (``ReceiverType`` 1 added, 0 removed)."""

    organ_id: str = ""
    added: bool = True


@dataclass(frozen=True)
class ReplacementInfo(_Model):
    """A replaced document and the bodies that must replace it."""

    document_id: str = ""
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Business(_Model):
    """The edXML business block (``Bussiness``): new, revoke, update or replace."""

    type: BusinessType = BusinessType.NEW
    reason: str = ""
    #: DocumentId of the document revoked, updated or replaced.
    document_id: str = ""
    paper: str = "0"
    staff: StaffInfo | None = None
    document_info: str = ""
    document_receiver: str = ""
    receivers: tuple[ReceiverChange, ...] = ()
    replacements: tuple[ReplacementInfo, ...] = ()


@dataclass(frozen=True)
class Document(_Model):
    """An administrative document (văn bản hành chính).

    Only ``organ``, ``type`` and ``summary`` are needed to start; :meth:`problems` lists what a complete
    document lacks. ``number`` is ``None`` while the document is not yet numbered (the number and date are
    written at issuance).
    """

    organ: Organ = field(default_factory=Organ)
    type: DocumentType = DocumentType.CONG_VAN
    summary: str = ""
    number: int | None = None
    notation: str = ""
    place: str = ""
    date: dt.date | None = None
    #: edXML ``Content``: a short description (≤ 500), not the full text.
    description: str = ""
    content: tuple[Block, ...] = ()
    #: "Kính gửi:" lines (công văn, tờ trình, báo cáo upward).
    greeting: tuple[str, ...] = ()
    #: Main recipients (edXML ``To``).
    recipients: tuple[Organ, ...] = ()
    #: The "Nơi nhận" list as printed (each without the leading "- " and the trailing ";").
    to_places: tuple[str, ...] = ()
    signer: Signer | None = None
    priority: Priority = Priority.NORMAL
    secrecy: Secrecy = Secrecy.NONE
    due_date: dt.date | None = None
    steering_type: SteeringType = SteeringType.NOT_DIRECTIVE
    #: Circulation notes (box 11), e.g. "XEM XONG TRẢ LẠI".
    circulation: tuple[str, ...] = ()
    #: Drafter's initials (box 12, edXML ``TyperNotation``).
    drafter_initials: str = ""
    #: Number of copies issued (box 12, edXML ``PromulgationAmount``).
    copies: int | None = None
    page_amount: int | None = None
    sphere_of_promulgation: str = ""
    direction: bool = False
    appendices: tuple[Appendix, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    response_for: tuple[ResponseFor, ...] = ()
    business: Business = field(default_factory=Business)
    trace: tuple[TraceHeader, ...] = ()
    language: str = "Tiếng Việt"
    #: edXML ``DocumentType/Type`` and ``TypeDetail``: the numeric code table is not published and SDKs
    #: disagree; set them for the receiving system (see docs/edxml.md).
    type_code: int | None = None
    type_detail: int | None = None
    #: Explicit edXML DocumentId (for messages read from elsewhere); derived when empty.
    document_id_override: str = ""

    # -- national strings ---------------------------------------------------------------------------

    @property
    def code_number(self) -> str:
        """The number as written: padded to two digits below 10 (``05``), empty when not numbered."""
        return format_code_number(self.number)

    @property
    def number_line(self) -> str:
        """Box 3: ``Số: 05/QĐ-UBND`` (``Số:    /QĐ-UBND`` while not numbered)."""
        return format_number_line(self.number, self.notation)

    @property
    def place_date_line(self) -> str:
        """Box 4: ``Thuận Nam, ngày 05 tháng 01 năm 2026`` (blanks for the day and month while undated)."""
        return format_place_date(self.place, self.date)

    @property
    def document_id(self) -> str:
        """edXML DocumentId: ``{OrganId},{yyyy/MM/dd},{number}/{notation}``."""
        if self.document_id_override:
            return self.document_id_override
        return format_document_id(self.organ.organ_id, self.date, self.number, self.notation)

    @property
    def code(self) -> str:
        """``05/QĐ-UBND``."""
        return f"{self.code_number}/{self.notation}"

    # -- checks -------------------------------------------------------------------------------------

    def problems(self) -> list[Problem]:
        """Rules of Decree 30 and edXML that this document breaks, field by field (empty when none)."""
        out: list[Problem] = []
        if not self.organ.name:
            out.append(Problem("organ.name", "the issuing body has no name"))
        if self.organ.organ_id and not ORGAN_ID_RE.match(self.organ.organ_id):
            out.append(Problem("organ.organ_id", f"{self.organ.organ_id!r} is not of the shape DDD.CC.BB.Xnn"))
        if not self.summary and not self.type.is_letter:
            out.append(Problem("summary", "a document of this type needs a summary (trích yếu)"))
        if self.number is not None and not (1 <= self.number <= 99_999_999_999):
            out.append(Problem("number", f"{self.number} is not a number between 1 and 11 digits"))
        if self.notation:
            if " " in self.notation:
                out.append(Problem("notation", "the notation has no spaces (groups joined by '-')"))
            abbr = self.type.abbreviation
            if abbr and not self.notation.startswith(abbr + "-") and self.notation != abbr:
                out.append(Problem("notation", f"a {self.type.value} notation starts with {abbr}-"))
            if len(self.notation) > 30:
                out.append(Problem("notation", "longer than 30 characters"))
        if len(self.summary) > 500:
            out.append(Problem("summary", "longer than 500 characters"))
        if len(self.description) > 500:
            out.append(Problem("description", "longer than 500 characters"))
        seen: set[str] = set()
        for i, r in enumerate(self.recipients):
            if r.organ_id and r.organ_id in seen:
                out.append(Problem(f"recipients[{i}].organ_id", f"duplicate recipient {r.organ_id}"))
            seen.add(r.organ_id)
        for i, a in enumerate(self.attachments):
            if len(a.name) > 200:
                out.append(Problem(f"attachments[{i}].name", "longer than 200 characters"))
        return out

    def check(self) -> Document:
        """``self`` when :meth:`problems` is empty; else a :class:`ValidationError` listing them."""
        problems = self.problems()
        if problems:
            raise ValidationError("the document breaks the national rules", problems)
        return self


@dataclass(frozen=True)
class StatusMessage(_Model):
    """An edXML status message: a receiver reports what became of a document."""

    response_for: ResponseFor = field(default_factory=ResponseFor)
    sender: Organ = field(default_factory=Organ)
    code: StatusCode = StatusCode.ARRIVED
    description: str = ""
    timestamp: dt.datetime | None = None
    staff: StaffInfo | None = None
    #: The code as it appeared in the message (kept for codes edoc does not know, read as UNKNOWN).
    raw_code: str = ""


# -- formatting helpers --------------------------------------------------------------------------------


def format_code_number(number: int | None) -> str:
    if number is None:
        return ""
    if number < 0:
        raise InvalidInput(f"document number {number} is negative", field="number")
    return f"{number:02d}"


def format_number_line(number: int | None, notation: str) -> str:
    """``Số: 05/QĐ-UBND``; while not numbered, spaces stand for the number: ``Số:      /QĐ-UBND``."""
    num = format_code_number(number) if number is not None else "    "
    return nfc(f"Số: {num}/{notation}")


def format_date(when: dt.date | None, *, year: int | None = None) -> str:
    """The date as Decree 30 prints it: ``ngày 05 tháng 01 năm 2026``, ``ngày 28 tháng 9 năm 2026``.

    The day below 10 and the months 1 and 2 are padded with a zero; months 3–12 are not (Appendix I, box 4,
    and the decree's examples). This is the one formatter for every printed date: page 1, the appendix
    headings, and the values the issuance act writes.

    While undated (``when`` is ``None``) the day and month are left blank for the clerk:
    ``ngày   tháng   năm 2026`` (``year``, default the current year in Vietnam).
    """
    if when is None:
        year = year if year is not None else dt.datetime.now(VIETNAM_TZ).year
        return f"ngày   tháng   năm {year}"
    month = f"{when.month:02d}" if when.month <= 2 else str(when.month)
    return f"ngày {when.day:02d} tháng {month} năm {when.year}"


def format_place_date(place: str, when: dt.date | None) -> str:
    """``Thuận Nam, ngày 05 tháng 01 năm 2026`` (see :func:`format_date`); blanks while undated."""
    date = format_date(when)
    return nfc(f"{place}, {date}") if place else date


def format_document_id(organ_id: str, when: dt.date | None, number: int | None, notation: str) -> str:
    """edXML DocumentId ``000.00.00.G22,2015/09/30,7816/VPCP-TTĐT``."""
    day = when.strftime("%Y/%m/%d") if when else ""
    return nfc(f"{organ_id},{day},{format_code_number(number)}/{notation}")
