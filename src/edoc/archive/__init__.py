"""Archiving: records (hồ sơ) as BagIt packages that stay verifiable, built by resumable parallel batches.

- :func:`build_archive` verifies and packages documents (one bag per record) with a SQLite journal, so a
  killed run finishes when run again; rejected documents are listed with their verdict.
- :func:`audit_archive` re-hashes every bag and re-verifies every document.
- :func:`renew_archive` adds document time-stamps before the last one expires (needs a time-stamper).
- :func:`find` searches the catalogue.

The verification, augmentation and time-stamp steps are injected through :class:`ArchivePolicy`.
See ``docs/archive.md``.
"""

from edoc.archive.batch import (
    AuditReport,
    BuildSummary,
    Found,
    PackageAudit,
    RenewSummary,
    audit_archive,
    build_archive,
    collect_sources,
    find,
    package_name,
    renew_archive,
)
from edoc.archive.meta import DocumentMeta, read_metadata
from edoc.archive.package import BagProblems, Event, check_package, read_events
from edoc.archive.policy import ArchivePolicy, AugmentResult, RealVerifier, default_verifier

__all__ = [
    "ArchivePolicy",
    "AugmentResult",
    "AuditReport",
    "BagProblems",
    "BuildSummary",
    "DocumentMeta",
    "Event",
    "Found",
    "PackageAudit",
    "RealVerifier",
    "RenewSummary",
    "audit_archive",
    "build_archive",
    "check_package",
    "collect_sources",
    "default_verifier",
    "find",
    "package_name",
    "read_events",
    "read_metadata",
    "renew_archive",
]
