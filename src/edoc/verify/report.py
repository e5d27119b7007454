"""The verdict model: what a verification found, in the ETSI EN 319 102-1 vocabulary.

A verification never raises for a bad document; it returns a :class:`DocumentReport` holding one
:class:`SignatureReport` per signature or document time-stamp (and, for edXML, nested reports of the PDF
attachments). :meth:`DocumentReport.raise_for_problems` is the opt-in strict mode.

The JSON shape (:meth:`DocumentReport.to_dict`) is versioned by :data:`SCHEMA_VERSION` and documented in
``docs/verify.md``. All times are ISO 8601 with the Vietnam offset ``+07:00``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from edoc.errors import EdocError
from edoc.model.document import VIETNAM_TZ
from edoc.verify.messages import render_message

__all__ = [
    "SCHEMA_VERSION",
    "Indication",
    "SubIndication",
    "SignatureRole",
    "MessageLevel",
    "Check",
    "Message",
    "Identifier",
    "SignerFacts",
    "ModificationReport",
    "SignatureReport",
    "DocumentReport",
    "VerificationFailed",
    "iso_vn",
]

#: Version of the JSON report shape; bumped on any incompatible change.
SCHEMA_VERSION = "1"


class Indication(enum.Enum):
    """Main status indication (ETSI EN 319 102-1, 5.1.3)."""

    TOTAL_PASSED = "TOTAL_PASSED"
    TOTAL_FAILED = "TOTAL_FAILED"
    INDETERMINATE = "INDETERMINATE"

    @property
    def severity(self) -> int:
        """0 passed, 1 indeterminate, 2 failed: the worst wins when reports are combined."""
        return {"TOTAL_PASSED": 0, "INDETERMINATE": 1, "TOTAL_FAILED": 2}[self.value]


class SubIndication(enum.Enum):
    """Sub-indications of ETSI EN 319 102-1 (table 5); each belongs to one :class:`Indication`."""

    # with TOTAL_FAILED
    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    # with INDETERMINATE
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"
    POLICY_PROCESSING_ERROR = "POLICY_PROCESSING_ERROR"
    SIGNATURE_POLICY_NOT_AVAILABLE = "SIGNATURE_POLICY_NOT_AVAILABLE"
    TIMESTAMP_ORDER_FAILURE = "TIMESTAMP_ORDER_FAILURE"
    NO_SIGNING_CERTIFICATE_FOUND = "NO_SIGNING_CERTIFICATE_FOUND"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOKED_CA_NO_POE = "REVOKED_CA_NO_POE"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    OUT_OF_BOUNDS_NOT_REVOKED = "OUT_OF_BOUNDS_NOT_REVOKED"
    REVOCATION_OUT_OF_BOUNDS_NO_POE = "REVOCATION_OUT_OF_BOUNDS_NO_POE"
    CRYPTO_CONSTRAINTS_FAILURE_NO_POE = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
    NO_POE = "NO_POE"
    TRY_LATER = "TRY_LATER"
    SIGNED_DATA_NOT_FOUND = "SIGNED_DATA_NOT_FOUND"
    GENERIC = "GENERIC"


class SignatureRole(enum.Enum):
    """What a signature stands for under Decree 30 (and the edXML envelope)."""

    PERSON = "person"
    AGENCY = "agency"
    APPENDIX = "appendix"
    COPY = "copy"
    ENVELOPE = "envelope"
    TIMESTAMP = "timestamp"
    UNKNOWN = "unknown"


class MessageLevel(enum.Enum):
    """Weight of a message: an ``error`` always comes with a non-passed indication."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Check(enum.Enum):
    """Outcome of one check inside a signature's validation."""

    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"
    NOT_CHECKED = "not_checked"


@dataclass(frozen=True)
class Message:
    """One finding: a stable ``key`` of :data:`~edoc.verify.messages.CATALOGUE` and its parameters."""

    key: str
    level: MessageLevel = MessageLevel.INFO
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, key: str, level: MessageLevel = MessageLevel.INFO, **params: object) -> Message:
        """Build a message; parameter values are turned into strings."""
        return cls(key, level, tuple((k, str(v)) for k, v in params.items()))

    def text(self, lang: str = "vi") -> str:
        """The message for a person, in ``lang`` (``vi`` or ``en``)."""
        return render_message(self.key, dict(self.params), lang)

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {"key": self.key, "level": self.level.value, "params": dict(self.params),
                "text": self.text(lang)}


@dataclass(frozen=True)
class Identifier:
    """An identifier from a certificate's UID attribute, e.g. ``MST`` ``0101234567``."""

    kind: str
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class SignerFacts:
    """What the signer's certificate says (the facts the Vietnamese rules require on a report)."""

    name: str | None
    organisation: str | None
    identifiers: tuple[Identifier, ...]
    subject: str
    issuer: str
    serial: str
    not_before: datetime | None
    not_after: datetime | None
    key_algorithm: str | None = None
    key_bits: int | None = None

    def identifier(self, kind: str) -> str | None:
        """The value of the first identifier of ``kind`` (``MST``, ``CCCD``, ``CMND``…), if any."""
        for ident in self.identifiers:
            if ident.kind == kind:
                return ident.value
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "organisation": self.organisation,
            "identifiers": [str(i) for i in self.identifiers],
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "not_before": iso_vn(self.not_before),
            "not_after": iso_vn(self.not_after),
            "key_algorithm": self.key_algorithm,
            "key_bits": self.key_bits,
        }


@dataclass(frozen=True)
class ModificationReport:
    """What changed in the file after a signature (the modification analysis).

    :param level: ``none``, ``lta_updates``, ``form_filling``, ``annotations``, ``other`` or ``unknown``.
    :param coverage: ``entire_file``, ``entire_revision``, ``contiguous_block_from_start`` or ``unclear``.
    :param permitted: whether the changes are permitted (``None`` when it could not be decided).
    :param detail: the analyser's reason when changes are not permitted.
    """

    level: str
    coverage: str
    permitted: bool | None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "coverage": self.coverage, "permitted": self.permitted,
                "detail": self.detail}


@dataclass(frozen=True)
class SignatureReport:
    """The verdict on one signature (or document time-stamp)."""

    role: SignatureRole
    indication: Indication
    subindication: SubIndication | None
    field_name: str | None = None
    revision: int | None = None
    signer: SignerFacts | None = None
    signing_time: datetime | None = None
    timestamp_time: datetime | None = None
    integrity: Check = Check.NOT_CHECKED
    crypto: Check = Check.NOT_CHECKED
    chain: Check = Check.NOT_CHECKED
    revocation: Check = Check.NOT_CHECKED
    digest_algorithm: str | None = None
    signature_algorithm: str | None = None
    modifications: ModificationReport | None = None
    messages: tuple[Message, ...] = ()

    @property
    def passed(self) -> bool:
        return self.indication is Indication.TOTAL_PASSED

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "role": self.role.value,
            "field": self.field_name,
            "revision": self.revision,
            "indication": self.indication.value,
            "subindication": self.subindication.value if self.subindication else None,
            "signer": self.signer.to_dict() if self.signer else None,
            "signing_time": iso_vn(self.signing_time),
            "timestamp_time": iso_vn(self.timestamp_time),
            "checks": {"integrity": self.integrity.value, "crypto": self.crypto.value,
                       "chain": self.chain.value, "revocation": self.revocation.value},
            "algorithms": {"digest": self.digest_algorithm, "signature": self.signature_algorithm},
            "modifications": self.modifications.to_dict() if self.modifications else None,
            "messages": [m.to_dict(lang) for m in self.messages],
        }


@dataclass(frozen=True)
class DocumentReport:
    """The verdict on one file: its signatures, its attachments (edXML) and document-level findings."""

    file: str
    format: str
    verdict: Indication
    subindication: SubIndication | None
    signatures: tuple[SignatureReport, ...] = ()
    attachments: tuple[DocumentReport, ...] = ()
    messages: tuple[Message, ...] = ()
    validation_time: datetime | None = None
    signed_content: bytes | None = field(default=None, repr=False, compare=False)

    @classmethod
    def combine(
        cls,
        file: str,
        format: str,
        signatures: tuple[SignatureReport, ...],
        *,
        attachments: tuple[DocumentReport, ...] = (),
        messages: tuple[Message, ...] = (),
        validation_time: datetime | None = None,
        failure: tuple[Indication, SubIndication | None] | None = None,
        signed_content: bytes | None = None,
    ) -> DocumentReport:
        """The document's verdict is the worst of its signatures, attachments and ``failure``.

        A document with no signature of its own and no ``failure`` says so (``document.no_signature``) and
        is INDETERMINATE/SIGNED_DATA_NOT_FOUND at best: a failed attachment still makes it TOTAL_FAILED (the
        worst wins); between equally bad outcomes the first is kept (``failure``, then "no signature", then
        the signatures and attachments in order).
        """
        worst: tuple[Indication, SubIndication | None] = (Indication.TOTAL_PASSED, None)
        candidates: list[tuple[Indication, SubIndication | None]] = [
            (s.indication, s.subindication) for s in signatures
        ] + [(a.verdict, a.subindication) for a in attachments]
        if not signatures and failure is None:
            candidates.insert(0, (Indication.INDETERMINATE, SubIndication.SIGNED_DATA_NOT_FOUND))
            if not any(m.key == "document.no_signature" for m in messages):
                messages = (*messages, Message.of("document.no_signature", MessageLevel.ERROR))
        if failure is not None:
            candidates.insert(0, failure)
        for cand in candidates:
            if cand[0].severity > worst[0].severity:
                worst = cand
        return cls(file, format, worst[0], worst[1], signatures, attachments, messages,
                   validation_time, signed_content)

    @property
    def passed(self) -> bool:
        return self.verdict is Indication.TOTAL_PASSED

    def walk(self) -> Iterator[DocumentReport]:
        """This report and every nested attachment report, depth first."""
        yield self
        for att in self.attachments:
            yield from att.walk()

    def problems(self) -> list[str]:
        """Error and warning messages of the document, its signatures and attachments (English)."""
        out: list[str] = []
        for rep in self.walk():
            out += [f"{rep.file}: {m.text('en')}" for m in rep.messages if m.level is not MessageLevel.INFO]
            for i, sig in enumerate(rep.signatures, 1):
                out += [f"{rep.file}: signature {i}: {m.text('en')}" for m in sig.messages
                        if m.level is not MessageLevel.INFO]
        return out

    def raise_for_problems(self) -> DocumentReport:
        """Strict mode: raise :class:`VerificationFailed` unless the verdict is TOTAL_PASSED.

        :returns: ``self`` when the document passed, so calls chain.
        :raises VerificationFailed: carrying this report as ``report``.
        """
        if self.verdict is not Indication.TOTAL_PASSED:
            raise VerificationFailed(self)
        return self

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        """The versioned JSON shape (see ``docs/verify.md``)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "file": self.file,
            "format": self.format,
            "verdict": self.verdict.value,
            "subindication": self.subindication.value if self.subindication else None,
            "validation_time": iso_vn(self.validation_time),
            "signatures": [s.to_dict(lang) for s in self.signatures],
            "attachments": [a.to_dict(lang) for a in self.attachments],
            "messages": [m.to_dict(lang) for m in self.messages],
        }


class VerificationFailed(EdocError, ValueError):
    """Raised by :meth:`DocumentReport.raise_for_problems` when a document did not pass.

    ``report`` holds the full :class:`DocumentReport`; the exit code is that of a failed (1) or
    indeterminate (3) verdict.
    """

    kind_vi = "Văn bản không đạt kiểm tra chữ ký"

    def __init__(self, report: DocumentReport) -> None:
        sub = f"/{report.subindication.value}" if report.subindication else ""
        detail = "; ".join(report.problems()[:5])
        super().__init__(
            f"verification result {report.verdict.value}{sub}" + (f": {detail}" if detail else ""),
            message_vi=f"Kết quả kiểm tra: {report.verdict.value}{sub}",
            path=report.file,
        )
        self.report = report
        self.exit_code = 1 if report.verdict is Indication.TOTAL_FAILED else 3


def iso_vn(moment: datetime | None) -> str | None:
    """ISO 8601 in Vietnam time (``2026-11-26T14:05:09+07:00``); naive times are taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VIETNAM_TZ).replace(microsecond=0).isoformat()
