"""The document model: one set of frozen dataclasses for edXML, national metadata and the PDF layout."""

from edoc.model.document import (
    ORGAN_ID_RE,
    VIETNAM_TZ,
    Appendix,
    Attachment,
    Block,
    Business,
    Document,
    Heading,
    Organ,
    Paragraph,
    Point,
    ReceiverChange,
    ReplacementInfo,
    ResponseFor,
    Signer,
    StaffInfo,
    StatusMessage,
    Table,
    TraceHeader,
    format_date,
    format_document_id,
    format_number_line,
    format_place_date,
    nfc,
)
from edoc.model.serde import (
    dumps_document,
    from_data,
    load_document,
    loads_document,
    save_document,
    to_data,
)
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
    "ORGAN_ID_RE", "VIETNAM_TZ", "Appendix", "Attachment", "Block", "Business", "Document", "Heading",
    "Organ", "Paragraph", "Point", "ReceiverChange", "ReplacementInfo", "ResponseFor", "Signer", "StaffInfo",
    "StatusMessage", "Table", "TraceHeader", "format_date", "format_document_id", "format_number_line",
    "format_place_date",
    "nfc", "dumps_document", "from_data", "load_document", "loads_document", "save_document", "to_data",
    "Authority", "BusinessType", "DocumentType", "HeadingLevel", "Priority", "Secrecy", "StatusCode",
    "SteeringType",
]
