"""edoc: Vietnamese electronic official documents (văn bản điện tử).

Build, sign, verify and archive official documents in the national formats: edXML (QCVN 102:2016/BTTTT),
Decree 30/2020 PDF/A with PAdES signatures, and archival packages. The layers, lowest first:

- :mod:`edoc.model` — the document model (one model for edXML, national metadata and the PDF layout);
- :mod:`edoc.edxml` — the edXML message format; :mod:`edoc.pdf`, :mod:`edoc.pdfa` — rendering and PDF/A;
- :mod:`edoc.keys`, :mod:`edoc.trust` — certificate backends and trust anchors;
- :mod:`edoc.verify` — verification reports; :mod:`edoc.cli` — the ``edoc`` command.

Errors: every failure is an :class:`edoc.errors.EdocError` (see :mod:`edoc.errors`).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from edoc.errors import (
    EdocError,
    HostileInput,
    InvalidInput,
    KeyBackendError,
    MalformedFile,
    MissingDependency,
    Problem,
    ResourceError,
    UnsupportedFeature,
    ValidationError,
)
from edoc.model import (
    Appendix,
    Attachment,
    Authority,
    Business,
    BusinessType,
    Document,
    DocumentType,
    Heading,
    HeadingLevel,
    Organ,
    Paragraph,
    Point,
    Priority,
    ResponseFor,
    Secrecy,
    Signer,
    StaffInfo,
    StatusCode,
    StatusMessage,
    SteeringType,
    Table,
    TraceHeader,
    dumps_document,
    load_document,
    loads_document,
    save_document,
)

#: Functions of the format and signing layers, imported on first use so that ``import edoc`` stays light
#: (pyHanko, fpdf2 and python-pkcs11 load only when their part is used).
_LAZY = {
    "read_edxml": "edoc.edxml",
    "write_edxml": "edoc.edxml",
    "validate_edxml": ("edoc.edxml", "validate"),
    "open_key": "edoc.keys",
    "render_pdf": "edoc.pdf",
    "check_pdfa": "edoc.pdfa",
    "verify_file": "edoc.verify",
    "approve": "edoc.sign",
    "issue": "edoc.sign",
    "sign_pdf": ("edoc.sign", "sign"),
}


def __getattr__(name: str) -> object:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'edoc' has no attribute {name!r}")
    module, attr = (target, name) if isinstance(target, str) else target
    import importlib

    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


try:
    #: The installed version of edoc (``0+unknown`` when run from a source tree that is not installed).
    __version__ = version("edoc")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    # errors
    "EdocError",
    "HostileInput",
    "InvalidInput",
    "KeyBackendError",
    "MalformedFile",
    "MissingDependency",
    "Problem",
    "ResourceError",
    "UnsupportedFeature",
    "ValidationError",
    # model
    "Appendix",
    "Attachment",
    "Authority",
    "Business",
    "BusinessType",
    "Document",
    "DocumentType",
    "Heading",
    "HeadingLevel",
    "Organ",
    "Paragraph",
    "Point",
    "Priority",
    "ResponseFor",
    "Secrecy",
    "Signer",
    "StaffInfo",
    "StatusCode",
    "StatusMessage",
    "SteeringType",
    "Table",
    "TraceHeader",
    "dumps_document",
    "load_document",
    "loads_document",
    "save_document",
    # formats, keys, signing, verification (imported on first use)
    "read_edxml",
    "write_edxml",
    "validate_edxml",
    "open_key",
    "render_pdf",
    "check_pdfa",
    "verify_file",
    "approve",
    "issue",
    "sign_pdf",
]
