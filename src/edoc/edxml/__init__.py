"""edXML (QCVN 102:2016/BTTTT): the national XML package for exchanging official documents.

Write document messages (new, revoke, update, replace) and status messages, byte-stable, with attachments
streamed raw or zipped; read real-world messages tolerantly, streaming attachments to disk, with a list of
findings instead of failures; validate against our XSD and the national rules. See ``docs/edxml.md``.

- :func:`write_edxml` / :func:`edxml_bytes`, :func:`write_status` / :func:`status_bytes` (:class:`StatusShape`),
  :func:`status_for`
- :func:`read_edxml` → :class:`ReadResult` (``document`` or ``status``, ``findings``, ``attachments``)
- :func:`validate` → list of :class:`EdxmlFinding`
"""

from edoc.edxml.findings import EdxmlFinding, Severity
from edoc.edxml.reader import AttachmentInfo, ReadLimits, ReadResult, read_edxml
from edoc.edxml.schema import schema, validate
from edoc.edxml.writer import (
    NS,
    StatusShape,
    document_problems,
    edxml_bytes,
    edxml_subset,
    status_bytes,
    status_for,
    write_edxml,
    write_status,
)
from edoc.edxml.zipsafe import ZipLimits
from edoc.util.deprecation import renamed

__all__ = [
    "NS",
    "AttachmentInfo",
    "EdxmlFinding",
    "ReadLimits",
    "ReadResult",
    "Severity",
    "StatusShape",
    "ZipLimits",
    "document_problems",
    "edxml_bytes",
    "edxml_subset",
    "read_edxml",
    "schema",
    "status_bytes",
    "status_for",
    "validate",
    "write_edxml",
    "write_status",
]

#: ``Finding`` is the old name of :class:`EdxmlFinding` (deprecated: it read the same as PDF/A's findings)
__getattr__ = renamed(__name__, globals(), {"Finding": "EdxmlFinding"})
