"""Write edXML document and status messages, streamed and byte-stable.

The serializer is a small one of our own rather than lxml's: the national validators care about the exact
prefixes (``edXML:`` on every element inside the envelope, the namespace also bound as the root's default,
the attachments outside the envelope unprefixed), and writing the bytes ourselves fixes them exactly and keeps
the output identical for the same input. Text is escaped here; characters XML 1.0 cannot carry are refused
as :class:`~edoc.errors.InvalidInput` naming the field.

Attachment payloads are streamed: read from their file in chunks of 768 KiB, base64-encoded chunk by chunk
and written out, so a 50 MiB attachment never sits in memory (only one chunk does). With
``zip_attachments=True`` each file is first packed into a temporary zip (one entry named after the SHA-256 of
the payload, fixed 1980-01-01 timestamp, fixed permissions, deflate) which is then streamed the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from edoc.edxml._b64 import b64encode
from edoc.edxml.findings import check_document_id, check_length, check_organ_id
from edoc.edxml.reader import ReadResult
from edoc.edxml.shapes import StatusShape
from edoc.errors import InvalidInput, Problem, ResourceError, ValidationError
from edoc.model import (
    VIETNAM_TZ,
    Attachment,
    Business,
    Document,
    DocumentType,
    Organ,
    ResponseFor,
    Signer,
    StaffInfo,
    StatusCode,
    StatusMessage,
    TraceHeader,
)
from edoc.util.namespaces import EDXML

__all__ = ["NS", "StatusShape", "write_edxml", "edxml_bytes", "write_status", "status_bytes", "status_for",
           "document_problems"]

#: The edXML namespace (QCVN 102:2016), bound as the root's default and to the prefix ``edXML``
#: (:data:`edoc.util.namespaces.EDXML`).
NS = EDXML
_P = "edXML:"
_CHUNK = 3 * 256 * 1024  # a multiple of 3: base64 of each chunk concatenates without padding in between
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_BAD_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_AUTHORITY_RE = re.compile(r"^(TM|KT|Q|TL|TUQ)\.(?:\s+|$)")

Target = str | Path | IO[bytes]


# -- the serializer -------------------------------------------------------------------------------------


class _Out:
    """Writes indented XML to a binary stream; every text value is checked and escaped."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.depth = 0

    def raw(self, text: str) -> None:
        self.fh.write(text.encode("utf-8"))

    def open(self, name: str, attrs: str = "") -> None:
        self.raw(f"{'  ' * self.depth}<{name}{attrs}>\n")
        self.depth += 1

    def close(self, name: str) -> None:
        self.depth -= 1
        self.raw(f"{'  ' * self.depth}</{name}>\n")

    def leaf(self, name: str, value: object, field: str) -> None:
        text = _text(value, field)
        if text:
            self.raw(f"{'  ' * self.depth}<{name}>{text}</{name}>\n")
        else:
            self.raw(f"{'  ' * self.depth}<{name}/>\n")

    @contextmanager
    def element(self, name: str, attrs: str = "") -> Iterator[None]:
        self.open(name, attrs)
        yield
        self.close(name)


def _text(value: object, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    bad = _BAD_XML_CHARS.search(text)
    if bad:
        raise InvalidInput(f"character U+{ord(bad.group()):04X} cannot be written in XML", field=field,
                           message_vi=f"Ký tự U+{ord(bad.group()):04X} không thể ghi vào XML")
    return text.translate(_ESCAPES)


def _date(value: dt.date | None) -> str:
    return "" if value is None else f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def _timestamp(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    v = value.astimezone(VIETNAM_TZ) if value.tzinfo is not None else value
    return f"{_date(v.date())} {v.hour:02d}:{v.minute:02d}:{v.second:02d}"


def competence(signer: Signer) -> str:
    """``SignerInfo/Competence``: ``KT. Chủ tịch``; the bare ``authority_of`` when there is no prefix."""
    if signer.authority is None:
        return signer.authority_of
    return signer.competence


# -- blocks shared by document and status messages ------------------------------------------------------


def _organ(out: _Out, name: str, organ: Organ, field: str) -> None:
    with out.element(_P + name):
        out.leaf(_P + "OrganId", organ.organ_id, f"{field}.organ_id")
        out.leaf(_P + "OrganizationInCharge", organ.organization_in_charge, f"{field}.organization_in_charge")
        out.leaf(_P + "OrganName", organ.name, f"{field}.name")
        out.leaf(_P + "OrganAdd", organ.address, f"{field}.address")
        out.leaf(_P + "Email", organ.email, f"{field}.email")
        out.leaf(_P + "Telephone", organ.telephone, f"{field}.telephone")
        out.leaf(_P + "Fax", organ.fax, f"{field}.fax")
        out.leaf(_P + "Website", organ.website, f"{field}.website")


def _staff(out: _Out, staff: StaffInfo, field: str, *, mobile_first: bool = False) -> None:
    """``StaffInfo``: Department, Staff, Email, Mobile in the business block (spec section 3); the SDK's
    status messages put Mobile before Email (section 6)."""
    with out.element(_P + "StaffInfo"):
        out.leaf(_P + "Department", staff.department, f"{field}.department")
        out.leaf(_P + "Staff", staff.staff, f"{field}.staff")
        contacts = [("Email", staff.email, "email"), ("Mobile", staff.mobile, "mobile")]
        for name, value, key in reversed(contacts) if mobile_first else contacts:
            out.leaf(_P + name, value, f"{field}.{key}")


def _response_for(out: _Out, rf: ResponseFor, field: str) -> None:
    with out.element(_P + "ResponseFor"):
        out.leaf(_P + "OrganId", rf.organ_id, f"{field}.organ_id")
        out.leaf(_P + "Code", rf.code, f"{field}.code")
        out.leaf(_P + "PromulgationDate", _date(rf.promulgation_date), f"{field}.promulgation_date")
        out.leaf(_P + "DocumentId", rf.document_id, f"{field}.document_id")


def _prologue(out: _Out) -> None:
    out.raw('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.open("edXML", f' xmlns="{NS}" xmlns:edXML="{NS}"')


# -- document messages ----------------------------------------------------------------------------------


def _message_header(out: _Out, doc: Document) -> None:
    with out.element(_P + "MessageHeader"):
        _organ(out, "From", doc.organ, "organ")
        for i, r in enumerate(doc.recipients):
            _organ(out, "To", r, f"recipients[{i}]")
        out.leaf(_P + "DocumentId", doc.document_id, "document_id_override")
        with out.element(_P + "Code"):
            out.leaf(_P + "CodeNumber", doc.code_number, "number")
            out.leaf(_P + "CodeNotation", doc.notation, "notation")
        with out.element(_P + "PromulgationInfo"):
            out.leaf(_P + "Place", doc.place, "place")
            out.leaf(_P + "PromulgationDate", _date(doc.date), "date")
        with out.element(_P + "DocumentType"):
            if doc.type_code is not None:
                out.leaf(_P + "Type", doc.type_code, "type_code")
            if doc.type_detail is not None:
                out.leaf(_P + "TypeDetail", doc.type_detail, "type_detail")
            out.leaf(_P + "TypeName", doc.type.value, "type")
        out.leaf(_P + "Subject", doc.summary, "summary")
        out.leaf(_P + "Content", doc.description, "description")
        if doc.signer is not None:
            with out.element(_P + "SignerInfo"):
                out.leaf(_P + "Competence", competence(doc.signer), "signer.authority_of")
                out.leaf(_P + "Position", doc.signer.position, "signer.position")
                out.leaf(_P + "FullName", doc.signer.full_name, "signer.full_name")
        if doc.due_date is not None:
            out.leaf(_P + "DueDate", _date(doc.due_date), "due_date")
        with out.element(_P + "ToPlaces"):
            for i, place in enumerate(doc.to_places):
                out.leaf(_P + "Place", place, f"to_places[{i}]")
        with out.element(_P + "OtherInfo"):
            out.leaf(_P + "Priority", doc.priority.value, "priority")
            out.leaf(_P + "SphereOfPromulgation", doc.sphere_of_promulgation, "sphere_of_promulgation")
            out.leaf(_P + "TyperNotation", doc.drafter_initials, "drafter_initials")
            if doc.copies is not None:
                out.leaf(_P + "PromulgationAmount", doc.copies, "copies")
            if doc.page_amount is not None:
                out.leaf(_P + "PageAmount", doc.page_amount, "page_amount")
            out.leaf(_P + "Direction", doc.direction, "direction")
            with out.element(_P + "Appendixes"):
                for i, app in enumerate(doc.appendices):
                    out.leaf(_P + "Appendix", app.title, f"appendices[{i}].title")
        out.leaf(_P + "SteeringType", doc.steering_type.value, "steering_type")
        for i, rf in enumerate(doc.response_for):
            _response_for(out, rf, f"response_for[{i}]")


def _trace(out: _Out, trace: tuple[TraceHeader, ...], business: Business) -> None:
    with out.element(_P + "TraceHeaderList"):
        for i, hop in enumerate(trace):
            with out.element(_P + "TraceHeader"):
                out.leaf(_P + "OrganId", hop.organ_id, f"trace[{i}].organ_id")
                out.leaf(_P + "Timestamp", _timestamp(hop.timestamp), f"trace[{i}].timestamp")
        with out.element(_P + "Bussiness"):
            b = business
            out.leaf(_P + "BussinessDocType", b.type.value, "business.type")
            out.leaf(_P + "BussinessDocReason", b.reason, "business.reason")
            out.leaf(_P + "DocumentId", b.document_id, "business.document_id")
            out.leaf(_P + "Paper", b.paper, "business.paper")
            if b.staff is not None:
                _staff(out, b.staff, "business.staff")
            if b.document_info or b.document_receiver or b.receivers:
                with out.element(_P + "BussinessDocumentInfo"):
                    out.leaf(_P + "DocumentInfo", b.document_info, "business.document_info")
                    out.leaf(_P + "DocumentReceiver", b.document_receiver, "business.document_receiver")
                    with out.element(_P + "ReceiverList"):
                        for i, rc in enumerate(b.receivers):
                            with out.element(_P + "Receiver"):
                                out.leaf(_P + "ReceiverType", 1 if rc.added else 0, f"business.receivers[{i}]")
                                out.leaf(_P + "OrganId", rc.organ_id, f"business.receivers[{i}].organ_id")
            if b.replacements:
                with out.element(_P + "ReplacementInfoList"):
                    for i, rep in enumerate(b.replacements):
                        with out.element(_P + "ReplacementInfo"):
                            out.leaf(_P + "DocumentId", rep.document_id, f"business.replacements[{i}].document_id")
                            with out.element(_P + "OrganIdList"):
                                for j, oid in enumerate(rep.organ_ids):
                                    out.leaf(_P + "OrganId", oid, f"business.replacements[{i}].organ_ids[{j}]")


def content_id(att: Attachment, index: int) -> str:
    """The ``ContentId`` written for ``att`` (without ``cid:``): its own, or one derived from its position
    and name (deterministic, so the same input gives the same bytes)."""
    cid = att.content_id.removeprefix("cid:")
    if cid:
        return cid
    return hashlib.sha256(f"{index}\x00{att.name}".encode()).hexdigest()[:32]


@contextmanager
def _payload(att: Attachment, field: str) -> Iterator[IO[bytes]]:
    if att.path is not None:
        try:
            fh = open(att.path, "rb")
        except OSError as exc:
            raise ResourceError(f"cannot read the attachment: {exc.strerror}", path=att.path,
                                field=field) from exc
        with fh:
            yield fh
    elif att.data is not None:
        yield io.BytesIO(att.data)
    else:
        raise InvalidInput("the attachment has neither a path nor data", field=field,
                           message_vi="Tệp đính kèm không có đường dẫn (path) cũng không có dữ liệu (data)")


def _zip_entry_name(src: IO[bytes], name: str) -> str:
    digest = hashlib.sha256()
    while chunk := src.read(_CHUNK):
        digest.update(chunk)
    src.seek(0)
    ext = Path(name).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,10}", ext):
        ext = ""
    return digest.hexdigest()[:32] + ext


def _zipped(src: IO[bytes], name: str) -> IO[bytes]:
    """A temporary file holding a zip of ``src`` with one deterministic entry (see the module docstring)."""
    entry = zipfile.ZipInfo(_zip_entry_name(src, name), date_time=_ZIP_TIME)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.create_system = 3
    entry.external_attr = 0o100644 << 16
    tmp = tempfile.TemporaryFile()
    with zipfile.ZipFile(tmp, "w") as zf, zf.open(entry, "w", force_zip64=False) as dst:
        shutil.copyfileobj(src, dst, _CHUNK)
    tmp.seek(0)
    return tmp


def _write_base64(out: _Out, src: IO[bytes]) -> None:
    while chunk := src.read(_CHUNK):
        out.fh.write(b64encode(chunk))


def _attachments(out: _Out, doc: Document, zip_attachments: bool) -> None:
    atts = doc.attachments
    with out.element(_P + "edXMLBody"), out.element(_P + "edXMLManifest", ' version="1.0"'):
        for i, att in enumerate(atts):
            with out.element(_P + "Reference"):
                out.leaf(_P + "ContentId", "cid:" + content_id(att, i), f"attachments[{i}].content_id")
                out.leaf(_P + "ContentType", att.content_type, f"attachments[{i}].content_type")
                out.leaf(_P + "Description", att.description, f"attachments[{i}].description")
                out.leaf(_P + "AttachmentName", att.name, f"attachments[{i}].name")
    out.close(_P + "edXMLEnvelope")
    if not atts:
        return
    with out.element("AttachmentEncoded"):
        for i, att in enumerate(atts):
            field = f"attachments[{i}]"
            with out.element("Attachment"):
                out.leaf("ContentId", "cid:" + content_id(att, i), f"{field}.content_id")
                out.leaf("AttachmentName", att.name, f"{field}.name")
                out.leaf("Description", att.description, f"{field}.description")
                out.leaf("ContentType", "application/zip" if zip_attachments else att.content_type,
                         f"{field}.content_type")
                out.raw(f"{'  ' * out.depth}<ContentTransferEncoded>")
                with _payload(att, field) as src:
                    if zip_attachments:
                        with _zipped(src, att.name) as packed:
                            _write_base64(out, packed)
                    else:
                        _write_base64(out, src)
                out.raw("</ContentTransferEncoded>\n")


def _write_document(fh: IO[bytes], doc: Document, zip_attachments: bool) -> None:
    out = _Out(fh)
    _prologue(out)
    out.open(_P + "edXMLEnvelope")
    with out.element(_P + "edXMLHeader"):
        _message_header(out, doc)
        _trace(out, doc.trace, doc.business)
    _attachments(out, doc, zip_attachments)  # closes the envelope before AttachmentEncoded
    out.close("edXML")


@contextmanager
def _sink(target: Target) -> Iterator[IO[bytes]]:
    if isinstance(target, (str, Path)):
        from edoc.util.fs import atomic_writer

        with atomic_writer(target, "wb") as fh:
            yield fh
    else:
        yield target


def document_problems(doc: Document) -> list[Problem]:
    """What stops ``doc`` from being a valid edXML message, field by field (the writer's pre-flight check).

    The same value checks as the reader's findings: OrganId shapes, lengths, a non-empty and duplicate-free
    recipient list, the DocumentId shape, a number and a date.
    """
    out: list[Problem] = []

    def organ_id(fieldname: str, value: str) -> None:
        msg = check_organ_id(value)
        if msg:
            out.append(Problem(fieldname, msg[0]))

    def length(fieldname: str, element: str, value: str) -> None:
        msg = check_length(element, value)
        if msg:
            out.append(Problem(fieldname, msg[0]))

    organ_id("organ.organ_id", doc.organ.organ_id)
    length("organ.name", "OrganName", doc.organ.name)
    if not doc.recipients:
        out.append(Problem("recipients", "an edXML message needs at least one recipient (To)"))
    seen: set[str] = set()
    for i, r in enumerate(doc.recipients):
        organ_id(f"recipients[{i}].organ_id", r.organ_id)
        if r.organ_id in seen:
            out.append(Problem(f"recipients[{i}].organ_id", f"duplicate recipient {r.organ_id}"))
        seen.add(r.organ_id)
    if doc.number is None:
        out.append(Problem("number", "the document has no number (CodeNumber)"))
    if doc.date is None:
        out.append(Problem("date", "the document has no date (PromulgationDate)"))
    msg = check_document_id(doc.document_id)
    if msg:
        out.append(Problem("document_id_override" if doc.document_id_override else "document_id", msg[0]))
    length("number", "CodeNumber", doc.code_number)
    length("notation", "CodeNotation", doc.notation)
    length("summary", "Subject", doc.summary)
    length("description", "Content", doc.description)
    if doc.signer is not None:
        length("signer.position", "Position", doc.signer.position)
        length("signer.full_name", "FullName", doc.signer.full_name)
    for i, place in enumerate(doc.to_places):
        length(f"to_places[{i}]", "Place", place)
    for i, app in enumerate(doc.appendices):
        length(f"appendices[{i}].title", "Appendix", app.title)
    for i, att in enumerate(doc.attachments):
        length(f"attachments[{i}].name", "AttachmentName", att.name)
        if not att.name:
            out.append(Problem(f"attachments[{i}].name", "the attachment has no name"))
    for i, rf in enumerate(doc.response_for):
        if rf.organ_id:
            organ_id(f"response_for[{i}].organ_id", rf.organ_id)
    for i, hop in enumerate(doc.trace):
        organ_id(f"trace[{i}].organ_id", hop.organ_id)
    for i, rc in enumerate(doc.business.receivers):
        organ_id(f"business.receivers[{i}].organ_id", rc.organ_id)
    for i, rep in enumerate(doc.business.replacements):
        for j, oid in enumerate(rep.organ_ids):
            organ_id(f"business.replacements[{i}].organ_ids[{j}]", oid)
    if doc.business.type.value != 0 and not doc.business.document_id:
        out.append(Problem("business.document_id", "a revoke/update/replace message names the DocumentId it "
                           "acts on"))
    return out


def write_edxml(doc: Document, target: Target, *, zip_attachments: bool = False, check: bool = True,
                type_codes: Mapping[DocumentType, tuple[int, int | None]] | None = None) -> None:
    """Write ``doc`` as an edXML document message to ``target`` (a path, written atomically, or a binary file).

    :param zip_attachments: pack each attachment into a zip (``ContentType`` ``application/zip``, the real
        type kept in the manifest ``Reference``), as the widely used Java SDK does.
    :param check: refuse a document that breaks the national rules (:func:`document_problems`).
    :param type_codes: the receiving system's numeric ``DocumentType/Type`` and ``TypeDetail`` per document
        type, used when the document sets no ``type_code`` (the national table is not published and SDKs
        disagree, e.g. 1 or 18 for Công văn), e.g. ``{DocumentType.CONG_VAN: (1, None)}``.
    :raises ValidationError: when ``check`` is on and the document breaks a rule (each problem names its field).
    :raises InvalidInput: for text XML cannot carry, or an attachment without payload.
    :raises ResourceError: when an attachment or the target cannot be read or written.
    """
    if not isinstance(doc, Document):
        raise TypeError(f"doc must be a Document, not {type(doc).__name__}")
    if type_codes is not None and doc.type_code is None and doc.type in type_codes:
        code, detail = type_codes[doc.type]
        doc = doc.replace(type_code=code, type_detail=detail if doc.type_detail is None else doc.type_detail)
    if check:
        problems = document_problems(doc)
        if problems:
            raise ValidationError("the document cannot be sent as edXML", problems)
    for i, a in enumerate(doc.attachments):  # fail before writing a byte
        if a.path is None and a.data is None:
            raise InvalidInput(
                "the attachment has neither a path nor data (for a received message, read it with "
                "extract_to / 'edoc edxml show --extract DIR' to get its files)", field=f"attachments[{i}]",
                message_vi="Tệp đính kèm không có đường dẫn (path) cũng không có dữ liệu (data); với thông điệp "
                "nhận được, hãy đọc kèm extract_to / 'edoc edxml show --extract THƯ_MỤC' để lấy các tệp")
    with _sink(target) as fh:
        _write_document(fh, doc, zip_attachments)


def edxml_bytes(doc: Document, *, zip_attachments: bool = False, check: bool = True,
                type_codes: Mapping[DocumentType, tuple[int, int | None]] | None = None) -> bytes:
    """The edXML document message of ``doc`` as bytes (see :func:`write_edxml`)."""
    buf = io.BytesIO()
    write_edxml(doc, buf, zip_attachments=zip_attachments, check=check, type_codes=type_codes)
    return buf.getvalue()


# -- status messages ------------------------------------------------------------------------------------


def _write_status(fh: IO[bytes], status: StatusMessage, shape: StatusShape) -> None:
    out = _Out(fh)
    _prologue(out)
    code = status.raw_code if status.code is StatusCode.UNKNOWN and status.raw_code else status.code.value
    with out.element(_P + "edXMLEnvelope"), out.element(_P + "edXMLHeader"):
        if shape is StatusShape.SDK:  # the order of the SDK's example output
            with out.element(_P + "MessageHeader"):
                _organ(out, "From", status.sender, "sender")
                _response_for(out, status.response_for, "response_for")
                if status.staff is not None:
                    _staff(out, status.staff, "staff", mobile_first=True)
                out.leaf(_P + "StatusCode", code, "code")
                out.leaf(_P + "Description", status.description, "description")
                out.leaf(_P + "Timestamp", _timestamp(status.timestamp), "timestamp")
        else:
            with out.element(_P + "Status"):
                _response_for(out, status.response_for, "response_for")
                _organ(out, "From", status.sender, "sender")
                out.leaf(_P + "StatusCode", code, "code")
                out.leaf(_P + "Description", status.description, "description")
                out.leaf(_P + "Timestamp", _timestamp(status.timestamp), "timestamp")
                if status.staff is not None:
                    _staff(out, status.staff, "staff")
    out.close("edXML")


def write_status(status: StatusMessage, target: Target, *, shape: StatusShape | str = StatusShape.SDK) -> None:
    """Write an edXML status message to ``target`` (a path, written atomically, or a binary file).

    :param shape: :attr:`StatusShape.SDK` (default: inside ``MessageHeader``, as the national-axis SDK writes
        it) or :attr:`StatusShape.STATUS_ELEMENT` (an ``edXML:Status`` element); also ``"sdk"`` /
        ``"status-element"``.
    :raises InvalidInput: for text XML cannot carry, or an unknown shape.
    """
    if not isinstance(status, StatusMessage):
        raise TypeError(f"status must be a StatusMessage, not {type(status).__name__}")
    kind = StatusShape.parse(shape)
    with _sink(target) as fh:
        _write_status(fh, status, kind)


def status_bytes(status: StatusMessage, *, shape: StatusShape | str = StatusShape.SDK) -> bytes:
    """The status message as bytes (see :func:`write_status`)."""
    buf = io.BytesIO()
    write_status(status, buf, shape=shape)
    return buf.getvalue()


def status_for(
    message: object,
    code: StatusCode | str,
    *,
    description: str = "",
    sender: Organ | str | None = None,
    timestamp: dt.datetime | None = None,
    staff: StaffInfo | None = None,
) -> StatusMessage:
    """A status message answering ``message`` (a :class:`~edoc.model.Document` or a
    :class:`~edoc.edxml.ReadResult` of a document message), repeating its DocumentId byte for byte.

    :param code: a :class:`~edoc.model.StatusCode` or its code (``"03"``), name or Vietnamese name.
    :param sender: the body reporting (an :class:`Organ` or an OrganId); default: the first recipient.
    :param timestamp: default: now, Vietnam time, to the second (the model then carries it, so writing the
        status again gives the same bytes).
    :param staff: the clerk handling it (``StaffInfo``: department, name, mobile, e-mail).
    """
    raw_id: str | None = None
    if isinstance(message, ReadResult):
        if message.document is None:
            raise InvalidInput("a status message answers a document message, not another status message",
                               message_vi="Thông điệp trạng thái chỉ trả lời thông điệp văn bản")
        raw_id = message.document_id
        doc = message.document
    elif isinstance(message, Document):
        doc = message
    else:
        raise TypeError(f"message must be a Document or a ReadResult, not {type(message).__name__}")
    status_code = code if isinstance(code, StatusCode) else StatusCode.parse(code, field="code")
    if sender is None:
        if not doc.recipients:
            raise InvalidInput("the message has no recipient to report as; give sender", field="sender",
                               message_vi="Thông điệp không có nơi nhận; hãy chỉ rõ cơ quan báo trạng thái")
        sender_organ = doc.recipients[0]
    elif isinstance(sender, str):
        sender_organ = Organ(organ_id=sender)
    else:
        sender_organ = sender
    when = timestamp if timestamp is not None else dt.datetime.now(VIETNAM_TZ).replace(microsecond=0)
    return StatusMessage(
        response_for=ResponseFor(organ_id=doc.organ.organ_id, code=doc.code, promulgation_date=doc.date,
                                 document_id=raw_id if raw_id is not None else doc.document_id),
        sender=sender_organ, code=status_code, description=description, timestamp=when, staff=staff,
    )


def edxml_subset(doc: Document) -> Document:
    """The part of ``doc`` an edXML message carries: what :func:`~edoc.edxml.read_edxml` returns for what
    :func:`write_edxml` wrote.

    edXML has no place for the full text (``content``), the greeting, secrecy and circulation marks, the
    language, parent body names or appendix content; attachments keep their metadata (with the ContentId
    written) but not their payload, which the reader extracts to files on request.
    """
    from edoc.model import Appendix

    derived = doc.replace(document_id_override="").document_id
    subset: Document = doc.replace(
        document_id_override="" if doc.document_id_override == derived else doc.document_id_override,
        content=(), greeting=(), secrecy=type(doc.secrecy)(0), circulation=(), language=Document().language,
        organ=doc.organ.replace(parent_name=""),
        recipients=tuple(r.replace(parent_name="") for r in doc.recipients),
        appendices=tuple(Appendix(title=a.title) for a in doc.appendices),
        attachments=tuple(a.replace(path=None, data=None, content_id=content_id(a, i))
                          for i, a in enumerate(doc.attachments)),
    )
    return subset
