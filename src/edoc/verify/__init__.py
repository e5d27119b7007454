"""Verification of received documents: one verdict for every PDF and edXML.

The common case is one call::

    from edoc.verify import verify_file
    report = verify_file("quyet-dinh.pdf", trust=["root.pem"])
    print(report.verdict, report.subindication)

For a batch, build one :class:`Verifier` and reuse it (path validation results are shared). Reports
(:mod:`edoc.verify.report`) are frozen dataclasses in the ETSI EN 319 102-1 vocabulary:
``report.to_dict(lang)`` is the versioned JSON shape as Python objects, and :func:`to_text`, :func:`to_json`
and :func:`to_html` (from :mod:`edoc.verify.render`) write what ``edoc verify`` prints. Nothing here raises
for a document's content: ``report.raise_for_problems()`` is the opt-in strict mode.
"""

from __future__ import annotations

from edoc.util.deprecation import renamed
from edoc.verify.dispatch import detect_format, verify_file
from edoc.verify.pdf import Verifier, verify_pdf
from edoc.verify.policy import VerifyPolicy, load_certificates
from edoc.verify.render import to_html, to_json, to_text
from edoc.verify.report import (
    SCHEMA_VERSION,
    Check,
    DocumentReport,
    Identifier,
    Indication,
    Message,
    MessageLevel,
    ModificationReport,
    SignatureReport,
    SignatureRole,
    SignerFacts,
    SubIndication,
    VerificationFailed,
)

__all__ = [
    "SCHEMA_VERSION",
    "Check",
    "DocumentReport",
    "Identifier",
    "Indication",
    "MessageLevel",
    "Message",
    "ModificationReport",
    "SignatureReport",
    "SignatureRole",
    "SignerFacts",
    "SubIndication",
    "VerificationFailed",
    "Verifier",
    "VerifyPolicy",
    "detect_format",
    "load_certificates",
    "to_html",
    "to_json",
    "to_text",
    "verify_file",
    "verify_pdf",
]

#: ``Level`` is the old name of :class:`MessageLevel` (deprecated: it read the same as the PAdES level)
__getattr__ = renamed(__name__, globals(), {"Level": "MessageLevel"})
