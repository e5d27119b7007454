"""The attachments of an edXML message, as the verifier sees them (issue 13 point 1).

Rule: a message can be TOTAL_PASSED only when every attachment that could carry a signature was read and its
signatures verified. An attachment that cannot be read is a finding with the verdict INDETERMINATE /
SIGNED_DATA_NOT_FOUND: the data a signature inside it would cover could not be obtained, so nothing is known
about those signatures (not FAILED: nothing was shown to be wrong). A signature in a format edoc does not
verify (CMS/PKCS#7 files, signed office documents) is INDETERMINATE / FORMAT_FAILURE: the building block
cannot process that format. Neither is ever silently dropped.

Attachments are read as bytes (``read_edxml(..., keep_data=True)``, nothing written to disk) and recognised by
their content; names and declared content types are ignored:

=====================  ==================================================  ====================================
kind                   recognised by                                       outcome
=====================  ==================================================  ====================================
PDF                    ``%PDF-`` in the first 1024 bytes                   verified (PAdES): a nested report
XML with a signature,  XML (any encoding) holding the XML-DSig namespace,  verified; an edXML with its own
or an edXML            or whose root is ``edXML``                          attachments, recursively
zip                    ``PK\\x03\\x04``                                      opened with the limits of
                                                                           ``edoc edxml show --extract``
                                                                           (:class:`~edoc.edxml.ReadLimits`);
                                                                           each entry judged as here; a zip
                                                                           in a zip is not opened (unread)
office package         a zip with ``[Content_Types].xml`` or ``mimetype``  signed (``_xmlsignatures/``,
                                                                           ``META-INF/*signatures*.xml``):
                                                                           not supported; else no signature
CMS / PKCS#7           DER or PEM ``SignedData``                           not supported
anything else                                                              no signature format: an info note
=====================  ==================================================  ====================================
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace

from edoc.edxml.reader import ReadLimits, read_edxml
from edoc.edxml.zipsafe import checked_entries, expand_entry, open_zip
from edoc.errors import EdocError
from edoc.util.namespaces import DS
from edoc.util.xml import as_utf8, looks_like_xml, root_name
from edoc.verify.report import DocumentReport, Indication, Message, MessageLevel, SubIndication

__all__ = ["AttachmentsOutcome", "examine_attachments", "unread"]

_DSIG = DS.encode()
_ZIP = b"PK\x03\x04"
#: DER of the SignedData content type OID 1.2.840.113549.1.7.2
_SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")
_UNREAD = (Indication.INDETERMINATE, SubIndication.SIGNED_DATA_NOT_FOUND)
_UNSUPPORTED = (Indication.INDETERMINATE, SubIndication.FORMAT_FAILURE)

VerifyBytes = Callable[[bytes, str], DocumentReport]
#: verifies a PDF: (bytes, name shown, issuing body to compare with the agency certificate)
VerifyPdf = Callable[[bytes, str, "str | None"], DocumentReport]


@dataclass(frozen=True)
class AttachmentsOutcome:
    """What the attachments of one message gave: a report per attachment (or zip entry) that carries or may
    carry a signature, notes for the message, and the verdict the message can reach at best."""

    reports: tuple[DocumentReport, ...] = ()
    notes: tuple[Message, ...] = ()
    ceiling: tuple[Indication, SubIndication] | None = None

    def apply(self, report: DocumentReport) -> DocumentReport:
        """``report`` (the message's) with the notes added and its verdict no better than :attr:`ceiling`."""
        out = replace(report, messages=(*report.messages, *self.notes)) if self.notes else report
        if self.ceiling is not None and self.ceiling[0].severity > out.verdict.severity:
            out = replace(out, verdict=self.ceiling[0], subindication=self.ceiling[1])
        return out


def examine_attachments(data: bytes, *, verify_pdf: VerifyPdf, verify_xml: VerifyBytes,
                        limits: ReadLimits | None = None, issuing_body: str | None = None) -> AttachmentsOutcome:
    """Read every attachment of the edXML message ``data`` and verify those that carry signatures.

    :param verify_pdf: verifies a PDF (bytes, name shown, issuing body).
    :param issuing_body: the body a PDF's agency signature must belong to (default: the message's sender,
        ``From/OrganName``: a document sent by a body is issued by it).
    :param verify_xml: verifies an XML document with an XML signature (bytes, name shown).
    :param limits: the reader's limits (default: those ``edoc edxml show`` uses).
    """
    limits = limits or ReadLimits()
    try:
        result = read_edxml(data, limits=limits, keep_data=True)
    except EdocError as exc:
        return AttachmentsOutcome(notes=(Message.of("attachments.unreadable", MessageLevel.ERROR, reason=exc.message),),
                                  ceiling=_UNREAD)
    reports: list[DocumentReport] = []
    notes: list[Message] = []
    sender = result.document.organ.name if result.document is not None else None
    body = issuing_body or sender or None

    def pdf(content: bytes, name: str) -> DocumentReport:
        return verify_pdf(content, name, body)

    for att in result.attachments:
        if att.data is None:
            problem = att.problem.message if att.problem is not None else "not decoded"
            reports.append(unread(att.name, problem))
            continue
        _judge(att.name, att.data, pdf, verify_xml, limits, reports, notes, in_zip=False)
    return AttachmentsOutcome(tuple(reports), tuple(notes))


def _judge(name: str, data: bytes, verify_pdf: VerifyBytes, verify_xml: VerifyBytes, limits: ReadLimits,
           reports: list[DocumentReport], notes: list[Message], *, in_zip: bool) -> None:
    if b"%PDF-" in data[:1024]:
        reports.append(verify_pdf(data, name))
    elif data.startswith(_ZIP):
        if in_zip:
            reports.append(unread(name, "a zip inside a zip attachment is not opened"))
        else:
            _judge_zip(name, data, verify_pdf, verify_xml, limits, reports, notes)
    elif looks_like_xml(data[:64]) and (_DSIG in as_utf8(data) or _is_edxml(data)):
        reports.append(verify_xml(data, name))  # a signed XML, or an edXML whose own attachments may be signed
    elif _is_cms(data):
        reports.append(_unsupported(name, "CMS/PKCS#7"))
    else:
        notes.append(Message.of("attachment.unsigned", name=name))


def _judge_zip(name: str, data: bytes, verify_pdf: VerifyBytes, verify_xml: VerifyBytes, limits: ReadLimits,
               reports: list[DocumentReport], notes: list[Message]) -> None:
    try:
        with open_zip(io.BytesIO(data), limits.zip, where=name) as zf:
            entries = checked_entries(zf, limits.zip, where=name)
            names = {info.filename for info in entries}
            if "[Content_Types].xml" in names or "mimetype" in names:  # an office package (OOXML, ODF)
                signed = [n for n in names if n.startswith("_xmlsignatures/")
                          or (n.startswith("META-INF/") and "signatures" in n.lower())]
                if signed:
                    reports.append(_unsupported(name, "OOXML/ODF"))
                else:
                    notes.append(Message.of("attachment.unsigned", name=name))
                return
            for info in entries:
                sink = io.BytesIO()
                expand_entry(zf, info, sink, where=name)
                _judge(f"{name}/{info.filename}", sink.getvalue(), verify_pdf, verify_xml, limits, reports,
                       notes, in_zip=True)
    except EdocError as exc:
        reports.append(unread(name, exc.message))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        reports.append(unread(name, f"the zip cannot be opened: {type(exc).__name__}: {str(exc)[:200]}"))


def _is_edxml(data: bytes) -> bool:
    root = root_name(data)
    return root is not None and root[1] == "edXML"


def _is_cms(data: bytes) -> bool:
    head = data[:64]
    if head.lstrip().startswith((b"-----BEGIN PKCS7", b"-----BEGIN CMS")):
        return True
    return head[:1] == b"\x30" and _SIGNED_DATA_OID in head


def unread(name: str, reason: str) -> DocumentReport:
    """The report of an attachment that could not be read: INDETERMINATE / SIGNED_DATA_NOT_FOUND."""
    return DocumentReport.combine(name, "attachment", (), failure=_UNREAD, messages=(
        Message.of("attachment.unreadable", MessageLevel.ERROR, name=name, reason=reason),))


def _unsupported(name: str, kind: str) -> DocumentReport:
    return DocumentReport.combine(name, "attachment", (), failure=_UNSUPPORTED, messages=(
        Message.of("attachment.signature_unsupported", MessageLevel.ERROR, name=name, kind=kind),))
