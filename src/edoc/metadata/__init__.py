"""The national metadata XML of a document and of a record (Decree 30/2020 Appendix VI, Circular 02/2019).

:func:`document_metadata_xml` and :func:`record_metadata_xml` write the national tag names
(``FileCode``, ``CodeNumber``, ``IssuedDate``…) with the field lengths of ``archive.md`` §2 enforced: a value
longer than its maximum is a :class:`~edoc.errors.ValidationError` naming the field, never a silent cut.
The output validates against the XSD shipped in ``edoc/data/metadata/metadata.xsd`` (:func:`schema`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

from lxml import etree

from edoc.errors import Problem, ValidationError
from edoc.model.document import Document
from edoc.util.namespaces import EDOC_METADATA

__all__ = ["FileCode", "Record", "document_metadata_xml", "record_metadata_xml", "schema", "NS", "LIMITS"]

#: Namespace of edoc's metadata XML (no national namespace is published):
#: :data:`edoc.util.namespaces.EDOC_METADATA`.
NS = EDOC_METADATA

#: Maximum lengths (characters for String, digits for Number) of archive.md §2.
LIMITS: dict[str, int] = {
    "OrganId": 13, "FileCatalog": 4, "FileNotation": 20, "DocOrdinal": 3, "TypeName": 100, "CodeNumber": 11,
    "CodeNotation": 30, "OrganName": 200, "Subject": 500, "Language": 30, "PageAmount": 3, "Description": 500,
    "Position": 100, "FullName": 50, "Priority": 1, "IssuedAmount": 3, "ToPlaces": 1000, "ArrivalNumber": 10,
    "Title": 500, "Maintenance": 30, "Rights": 30, "Creator": 30, "RecordLanguage": 50, "DocTotal": 4,
    "PageTotal": 4,
}


@dataclass(frozen=True)
class FileCode:
    """Mã hồ sơ: the body, the year of the record list and the record's notation."""

    organ_id: str
    file_catalog: int
    file_notation: str


@dataclass(frozen=True)
class Record:
    """A record (hồ sơ) for the record metadata."""

    file_code: FileCode
    title: str
    maintenance: str
    rights: str = "Công khai"
    creator: str = ""
    language: str = "Tiếng Việt"
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    doc_total: int = 0
    page_total: int = 0
    description: str = ""


class _Builder:
    def __init__(self, root: str) -> None:
        self.root = etree.Element(f"{{{NS}}}{root}", nsmap={None: NS})  # type: ignore[dict-item]
        self.problems: list[Problem] = []

    def add(self, parent: etree._Element, tag: str, value: object, *, limit: str | None = None,
            field: str = "") -> None:
        if value is None or value == "":
            return
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        maximum = LIMITS.get(limit or tag)
        if maximum is not None and len(text) > maximum:
            self.problems.append(Problem(field or tag, f"{tag} is longer than {maximum} ({len(text)})"))
        etree.SubElement(parent, f"{{{NS}}}{tag}").text = text

    def sub(self, parent: etree._Element, tag: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{NS}}}{tag}")

    def file_code(self, code: FileCode | None, field: str) -> None:
        if code is None:
            return
        fc = self.sub(self.root, "FileCode")
        self.add(fc, "OrganId", code.organ_id, field=f"{field}.organ_id")
        self.add(fc, "FileCatalog", code.file_catalog, field=f"{field}.file_catalog")
        self.add(fc, "FileNotation", code.file_notation, field=f"{field}.file_notation")

    def done(self) -> bytes:
        if self.problems:
            raise ValidationError("the metadata breaks the national field lengths", self.problems)
        data: bytes = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        return data


def document_metadata_xml(doc: Document, *, file_code: FileCode | None = None, doc_ordinal: int | None = None,
                          page_amount: int | None = None) -> bytes:
    """The national metadata of an outgoing document (``<Document>``), UTF-8.

    :raises ValidationError: a value longer than its field's maximum (each problem names the field).
    """
    b = _Builder("Document")
    b.file_code(file_code, "file_code")
    r = b.root
    b.add(r, "DocOrdinal", doc_ordinal, field="doc_ordinal")
    b.add(r, "TypeName", doc.type.value, field="type")
    b.add(r, "CodeNumber", doc.code_number, field="number")
    b.add(r, "CodeNotation", doc.notation, field="notation")
    b.add(r, "IssuedDate", doc.date, field="date")
    b.add(r, "OrganName", doc.organ.name, field="organ.name")
    b.add(r, "Subject", doc.summary, field="summary")
    b.add(r, "Language", doc.language, field="language")
    b.add(r, "PageAmount", page_amount if page_amount is not None else doc.page_amount, field="page_amount")
    b.add(r, "Description", doc.description, field="description")
    if doc.signer is not None:
        s = b.sub(r, "SignerInfo")
        b.add(s, "Position", " ".join(doc.signer.title_lines()), field="signer.position")
        b.add(s, "FullName", doc.signer.full_name, field="signer.full_name")
    for i, rec in enumerate(doc.recipients):
        t = b.sub(r, "To")
        b.add(t, "OrganId", rec.organ_id, field=f"recipients[{i}].organ_id")
        b.add(t, "OrganName", rec.name, field=f"recipients[{i}].name")
    b.add(r, "Priority", doc.priority.value, field="priority")
    b.add(r, "IssuedAmount", doc.copies, field="copies")
    b.add(r, "DueDate", doc.due_date, field="due_date")
    return b.done()


def record_metadata_xml(record: Record) -> bytes:
    """The national metadata of a record (``<Record>``), UTF-8.

    :raises ValidationError: a value longer than its field's maximum (each problem names the field).
    """
    b = _Builder("Record")
    b.file_code(record.file_code, "file_code")
    r = b.root
    b.add(r, "Title", record.title, field="title")
    b.add(r, "Maintenance", record.maintenance, field="maintenance")
    b.add(r, "Rights", record.rights, field="rights")
    b.add(r, "Creator", record.creator, field="creator")
    b.add(r, "Language", record.language, limit="RecordLanguage", field="language")
    b.add(r, "StartDate", record.start_date, field="start_date")
    b.add(r, "EndDate", record.end_date, field="end_date")
    b.add(r, "DocTotal", record.doc_total, field="doc_total")
    b.add(r, "PageTotal", record.page_total, field="page_total")
    b.add(r, "Description", record.description, field="description")
    return b.done()


@cache
def schema() -> etree.XMLSchema:
    """The XSD of the metadata XML (``edoc/data/metadata/metadata.xsd``)."""
    from edoc.util.xml import parse_xml

    data = resources.files("edoc.data").joinpath("metadata/metadata.xsd").read_bytes()
    return etree.XMLSchema(parse_xml(data))
