"""Pick the verifier for a file by its content (PDF or edXML)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from edoc.errors import ResourceError
from edoc.util.xml import looks_like_xml
from edoc.verify.pdf import Verifier
from edoc.verify.policy import CertificateSource, VerifyPolicy
from edoc.verify.report import DocumentReport, Indication, Message, MessageLevel, SubIndication

__all__ = ["detect_format", "verify_file", "verify_with"]


def detect_format(head: bytes) -> str | None:
    """``pdf``, ``edxml`` or ``None`` from the first bytes of a file (names and extensions are ignored).

    XML is recognised in every encoding the edXML reader reads (UTF-8, UTF-16, UTF-32, with or without a
    byte order mark: :func:`edoc.util.xml.looks_like_xml`), so a message ``edoc edxml show`` and ``validate``
    read is never an "unknown format" to ``edoc verify``.
    """
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if looks_like_xml(head):
        return "edxml"
    return None


def verify_with(verifier: Verifier, path: str | Path, *, issuing_body: str | None = None) -> DocumentReport:
    """Verify the file at ``path`` with ``verifier``, whatever its format.

    :raises ResourceError: when the file cannot be read.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ResourceError.from_os(exc, str(path), action=("cannot read the file", "Không đọc được tệp")) from exc
    fmt = detect_format(head)
    if fmt == "pdf":
        return verifier.verify_pdf(path, issuing_body=issuing_body)
    if fmt == "edxml":
        return verifier.verify_edxml(path, issuing_body=issuing_body)
    return DocumentReport.combine(
        str(path), "unknown", (), failure=(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE),
        messages=(Message.of("document.unknown_format", MessageLevel.ERROR),))


def verify_file(
    path: str | Path,
    *,
    trust: Iterable[CertificateSource] = (),
    policy: VerifyPolicy | None = None,
    online: bool = True,
    at: datetime | None = None,
    issuing_body: str | None = None,
    revocation_data: Iterable[bytes | str | Path] = (),
) -> DocumentReport:
    """Verify a PDF or edXML file (format from its content); see :class:`~edoc.verify.pdf.Verifier`."""
    verifier = Verifier(trust=trust, policy=policy, online=online, at=at, revocation_data=revocation_data)
    return verify_with(verifier, path, issuing_body=issuing_body)
