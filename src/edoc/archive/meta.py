"""Where a document's national metadata comes from: the edXML header, else a sidecar, else the PDF.

Every source ends as a :class:`~edoc.model.document.Document` (plus the record's ``FileCode`` when the
source names one), so the national metadata XML is always written by :mod:`edoc.metadata`.

Only signed content is read (issue 13 point 2): given the :class:`SignedScope` the verifier established
(:func:`signed_scope`), metadata comes from the revision covered by the last signature that vouches for the
document, never from bytes added after it (a rewritten ``/Info`` or XMP, a filled field, a new attachment);
the number and date of issue come only from the revision the agency signed (a number no agency signed is
not an issued number). An edXML message without an envelope signature has an unsigned header: its metadata
comes from the signed PDF it carries. A sidecar is the archivist's own statement and is taken as given.

Sidecars use the national tag names of ``archive.md`` §2 (``OrganId``, ``FileCatalog``, ``FileNotation``,
``CodeNumber``, ``CodeNotation``, ``IssuedDate``, ``OrganName``, ``Subject``, ``TypeName``, ``FullName``,
``Position``…): ``NAME.json`` / ``NAME.yaml`` / ``NAME.yml`` beside ``NAME``, or one ``metadata.csv`` in the
document's folder with a ``File`` column naming the document. Values longer than the national maximum are a
:class:`~edoc.errors.ValidationError` naming the national field.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edoc.errors import EdocError, HostileInput, InvalidInput, MalformedFile, Problem, ResourceError, ValidationError
from edoc.metadata import LIMITS, FileCode, document_metadata_xml
from edoc.model.document import Document, Organ, Signer
from edoc.model.vocab import DocumentType, Priority

__all__ = ["DocumentMeta", "NATIONAL_FIELDS", "read_metadata", "SIDECAR_SUFFIXES", "SignedScope", "signed_scope"]

#: Largest sidecar read (bytes).
MAX_SIDECAR = 1 << 20

#: Sidecar file suffixes tried beside a document, in order.
SIDECAR_SUFFIXES = (".json", ".yaml", ".yml")

#: National field names a sidecar may carry (anything else is an error naming the field).
NATIONAL_FIELDS = (
    "File", "OrganId", "FileCatalog", "FileNotation", "DocOrdinal", "TypeName", "CodeNumber", "CodeNotation",
    "IssuedDate", "OrganName", "Subject", "Language", "PageAmount", "Description", "Position", "FullName",
    "Priority", "IssuedAmount", "DueDate",
)


@dataclass(frozen=True)
class DocumentMeta:
    """The national metadata of one document, as found, and where it came from.

    :param fields: national field name → value (strings; dates ISO), what the catalogue indexes.
    :param xml: the national metadata XML (:func:`edoc.metadata.document_metadata_xml`).
    :param source: ``edxml``, ``sidecar`` or ``pdf``.
    """

    fields: dict[str, str]
    xml: bytes
    source: str

    def get(self, name: str) -> str:
        """A field by national name (``FileCode`` is ``OrganId.FileCatalog.FileNotation``), ``""`` if absent."""
        if name == "FileCode":
            parts = [self.fields.get(k, "") for k in ("OrganId", "FileCatalog", "FileNotation")]
            return ".".join(parts) if all(parts) else ""
        if name == "Year":
            return self.fields.get("FileCatalog") or self.fields.get("IssuedDate", "")[:4]
        return self.fields.get(name, "")


@dataclass(frozen=True)
class SignedScope:
    """How much of a document its signatures vouch for, as the verifier found.

    :param content: length of the prefix of the file covered by the last signature that vouches for it
        (``None``: the whole file; ``0``: nothing is signed).
    :param issued: length of the prefix the issuing agency signed, where the number and date of issue may
        be read (``None``: as ``content``; ``0``: no agency signature, so no number or date).
    :param attachment: for an edXML message whose envelope is not signed, the name of the attached PDF whose
        signed content gives the metadata, and ``inner`` the scope within that PDF.
    """

    content: int | None = None
    issued: int | None = None
    attachment: str | None = None
    inner: SignedScope | None = None

    @property
    def whole(self) -> bool:
        return self.content is None and self.issued is None


#: The whole file vouched for: an injected verifier that says nothing about signatures, or a sidecar.
WHOLE_FILE = SignedScope()
#: Nothing signed: no metadata is read from the document's own bytes.
NOTHING_SIGNED = SignedScope(0, 0)


def _vouching(sigs: list[Any], roles: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """The signatures (report JSON) that vouch for the bytes they cover: intact and cryptographically valid,
    not failed; the TOTAL_PASSED ones when there are any (an untrusted signature added after a trusted one
    does not get to vouch for what it added), else the INDETERMINATE ones."""
    ok = [s for s in sigs if isinstance(s, dict) and s.get("role") != "timestamp"
          and (roles is None or s.get("role") in roles)
          and isinstance(s.get("checks"), dict) and s["checks"].get("integrity") == "passed"
          and s["checks"].get("crypto") == "passed" and s.get("indication") != "TOTAL_FAILED"]
    passed = [s for s in ok if s.get("indication") == "TOTAL_PASSED"]
    return passed or ok


def _signature_ends(source: Path | bytes) -> dict[str, list[int]]:
    """For each signature field (by the dotted name the verifier reports), where its /ByteRange ends."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    out: dict[str, list[int]] = {}
    try:
        size = len(source) if isinstance(source, bytes) else source.stat().st_size
        with (BytesIO(source) if isinstance(source, bytes) else open(source, "rb")) as fh:
            reader = PdfFileReader(fh, strict=False)
            for name, value, _field in enumerate_sig_fields(reader, filled_status=True):
                try:
                    br = [int(x) for x in value.get_object()["/ByteRange"]]
                except (KeyError, TypeError, ValueError, AttributeError):
                    continue
                if len(br) == 4 and br[0] == 0 and min(br) >= 0 and br[2] + br[3] <= size:
                    out.setdefault(str(name), []).append(br[2] + br[3])
    except Exception:  # any failure to read the fields: nothing is known to be signed
        return {}
    return out


def signed_scope(path: Path, report: dict[str, Any]) -> SignedScope:
    """The part of ``path`` its signatures vouch for, from the verifier's report (the JSON of
    :meth:`edoc.verify.DocumentReport.to_dict`).

    A report without a ``signatures`` list (an injected verifier that judges the whole file) gives the whole
    file. A PDF gives the prefix up to the end of the last vouching signature's ``/ByteRange`` (document
    time-stamps vouch for nothing: a TSA attests a time, not the content), and for the number and date the
    prefix the last vouching ``agency`` signature covers. An edXML is signed as a whole by its envelope; one
    without an envelope signature is vouched for by the first attached PDF whose signatures vouch for it.
    A signature whose field cannot be matched to one byte range vouches for the shortest it may mean.
    """
    sigs = report.get("signatures")
    if not isinstance(sigs, list):
        return WHOLE_FILE
    fmt = report.get("format")
    if fmt == "edxml":
        if _vouching(sigs, ("envelope",)):
            return WHOLE_FILE
        for att in report.get("attachments") or ():
            if not isinstance(att, dict) or att.get("format") != "pdf" or not isinstance(att.get("file"), str):
                continue
            data = _attachment(path, att["file"])
            inner = _pdf_scope(data, att) if data is not None else NOTHING_SIGNED
            if inner.content:
                return SignedScope(0, 0, att["file"], inner)
        return NOTHING_SIGNED
    if fmt != "pdf":
        return NOTHING_SIGNED
    return _pdf_scope(path, report)


def _pdf_scope(source: Path | bytes, report: dict[str, Any]) -> SignedScope:
    sigs = report.get("signatures")
    content = _vouching(sigs if isinstance(sigs, list) else [], None)
    if not content:
        return NOTHING_SIGNED
    ends = _signature_ends(source)

    def reach(chosen: list[dict[str, Any]]) -> int:
        return max((min(ends[s["field"]]) for s in chosen if s.get("field") in ends), default=0)

    issuing = [s for s in _vouching(sigs if isinstance(sigs, list) else [], ("agency",)) if not _personal(s)]
    if any(isinstance(m, dict) and m.get("key") == "profile.not_issued" for m in report.get("messages") or ()):
        issuing = []  # the profile found a number or date no agency signed: nothing here is issued
    return SignedScope(reach(content), reach(issuing))


def _attachment(path: Path, name: str) -> bytes | None:
    """The bytes of the attachment ``name`` of the edXML message at ``path``, as the verifier named it: an
    attachment's name, or ``ZIP/ENTRY`` for an entry of a zipped attachment (read with the same limits)."""
    import io
    import zipfile

    from edoc.edxml import read_edxml
    from edoc.edxml.reader import ReadLimits
    from edoc.edxml.zipsafe import checked_entries, expand_entry, open_zip

    limits = ReadLimits()
    try:
        result = read_edxml(path, limits=limits, keep_data=True)
        for att in result.attachments:
            if att.data is None:
                continue
            if att.name == name:
                return att.data
            if name.startswith(att.name + "/") and att.data.startswith(b"PK\x03\x04"):
                entry = name[len(att.name) + 1:]
                with open_zip(io.BytesIO(att.data), limits.zip, where=att.name) as zf:
                    for info in checked_entries(zf, limits.zip, where=att.name):
                        if info.filename == entry:
                            sink = io.BytesIO()
                            expand_entry(zf, info, sink, where=att.name)
                            return sink.getvalue()
    except (EdocError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return None
    return None


def _personal(sig: dict[str, Any]) -> bool:
    """An ``agency`` signature made with a personal certificate (the verifier's profile rule)."""
    from edoc.verify.profile import personal_only

    signer = sig.get("signer")
    if not isinstance(signer, dict):
        return False
    kinds = {str(i).split(":", 1)[0] for i in signer.get("identifiers") or () if ":" in str(i)}
    return personal_only(kinds)


def _nfc(value: object) -> str:
    return unicodedata.normalize("NFC", str(value).strip())


def _check_lengths(values: dict[str, str], path: Path) -> None:
    problems = [Problem(k, f"{k} is longer than {LIMITS[k]} characters ({len(v)})")
                for k, v in values.items() if k in LIMITS and len(v) > LIMITS[k]]
    if problems:
        raise ValidationError("the metadata breaks the national field lengths", problems, path=path)


def _date(value: str, name: str, path: Path) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise InvalidInput(f"{name} is not a date (YYYY-MM-DD): {value!r}", path=path, field=name) from exc


def _int(value: str, name: str, path: Path) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput(f"{name} is not a number: {value!r}", path=path, field=name)
    return int(value)


def _from_fields(values: dict[str, str], path: Path, source: str) -> DocumentMeta:
    unknown = sorted(set(values) - set(NATIONAL_FIELDS))
    if unknown:
        raise ValidationError("unknown metadata fields", [Problem(k, "not a national field name") for k in unknown],
                              path=path)
    _check_lengths(values, path)
    doc_type = DocumentType.CONG_VAN
    if values.get("TypeName"):
        try:
            doc_type = DocumentType(values["TypeName"])
        except ValueError as exc:
            raise InvalidInput(f"TypeName is not a document type of Decree 30: {values['TypeName']!r}",
                               path=path, field="TypeName") from exc
    priority = Priority.NORMAL
    if values.get("Priority"):
        try:
            priority = Priority(_int(values["Priority"], "Priority", path))
        except ValueError as exc:
            raise InvalidInput("Priority must be 0 to 4", path=path, field="Priority") from exc
    signer = None
    if values.get("FullName") or values.get("Position"):
        signer = Signer(full_name=values.get("FullName", ""), position=values.get("Position", ""))
    doc = Document(
        organ=Organ(organ_id=values.get("OrganId", ""), name=values.get("OrganName", "")),
        type=doc_type, summary=values.get("Subject", ""), number=_int(values.get("CodeNumber", ""), "CodeNumber", path),
        notation=values.get("CodeNotation", ""), date=_date(values.get("IssuedDate", ""), "IssuedDate", path),
        description=values.get("Description", ""), signer=signer, priority=priority,
        due_date=_date(values.get("DueDate", ""), "DueDate", path),
        copies=_int(values.get("IssuedAmount", ""), "IssuedAmount", path),
        page_amount=_int(values.get("PageAmount", ""), "PageAmount", path),
        language=values.get("Language") or "Tiếng Việt",
    )
    return _finish(doc, values, path, source)


def _finish(doc: Document, values: dict[str, str], path: Path, source: str) -> DocumentMeta:
    file_code = None
    if values.get("OrganId") and values.get("FileCatalog") and values.get("FileNotation"):
        catalog = _int(values["FileCatalog"], "FileCatalog", path)
        assert catalog is not None
        file_code = FileCode(values["OrganId"], catalog, values["FileNotation"])
    try:
        xml = document_metadata_xml(doc, file_code=file_code,
                                    doc_ordinal=_int(values.get("DocOrdinal", ""), "DocOrdinal", path))
    except ValidationError as exc:
        raise ValidationError("the metadata breaks the national field lengths", exc.problems, path=path) from exc
    fields = {k: v for k, v in values.items() if v and k != "File"}
    fields.setdefault("OrganId", doc.organ.organ_id)
    fields.setdefault("OrganName", doc.organ.name)
    fields.setdefault("TypeName", doc.type.value)
    fields.setdefault("CodeNumber", doc.code_number)
    fields.setdefault("CodeNotation", doc.notation)
    fields.setdefault("IssuedDate", doc.date.isoformat() if doc.date else "")
    fields.setdefault("Subject", doc.summary)
    return DocumentMeta({k: v for k, v in fields.items() if v}, xml, source)


def _from_edxml(path: Path, sidecar: dict[str, str]) -> DocumentMeta:
    from edoc.edxml import read_edxml

    result = read_edxml(path)
    if result.document is None:
        raise InvalidInput("an edXML status message is not a document to archive", path=path)
    doc = result.document
    # the header gives the document; a sidecar may add the record's FileCode, which edXML does not carry
    values = {k: v for k, v in sidecar.items() if k in ("OrganId", "FileCatalog", "FileNotation", "DocOrdinal")}
    values["OrganId"] = values.get("OrganId") or doc.organ.organ_id
    _check_lengths(values, path)
    return _finish(doc, values, path, "edxml")


#: Largest associated edXML file read from a PDF for its metadata.
MAX_EMBEDDED_EDXML = 16 * 1024 * 1024
# "Số: 05/QĐ-UBND"; on a page rendered by edoc before numbering, "Số:" and the number are printed by the
# number field, and the page itself begins the line with "/QĐ-UBND"
_NUMBER_RE = re.compile(r"(?:Số\s*:\s*(\d{1,11})?\s*|^[ \t]*)/\s*([0-9A-Za-zÀ-ỹĐđ][0-9A-Za-zÀ-ỹĐđ./\-]*)", re.M)
_DATE_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)


def _vn_date(text: str) -> str:
    m = _DATE_RE.search(text)
    if not m:
        return ""
    try:
        return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    except ValueError:
        return ""


def _field_values(reader: Any) -> dict[str, str]:
    """Values of edoc's number and date fields (filled by ``edoc sign issue``)."""
    from edoc.model.fields import FIELD_DATE, FIELD_NUMBER

    out: dict[str, str] = {}
    fields = reader.get_fields() or {}
    for name, key in ((FIELD_NUMBER, "number"), (FIELD_DATE, "date")):
        value = (fields.get(name) or {}).get("/V")
        if isinstance(value, str) and value.strip():
            out[key] = _nfc(value.strip())
    return out


def _embedded_document(reader: Any, path: Path) -> Document | None:
    """The document of an associated ``edxml.xml`` (a PDF/A-3b rendered with ``embed_xml``)."""
    from edoc.edxml import read_edxml

    for name, contents in (reader.attachments or {}).items():
        if name != "edxml.xml":
            continue
        for data in contents:
            if len(data) > MAX_EMBEDDED_EDXML:
                continue
            try:
                result = read_edxml(bytes(data))
            except EdocError:
                continue
            if result.document is not None:
                return result.document
    return None


def _page_text_values(reader: Any) -> dict[str, str]:
    """Number, notation, date, type and subject read off page 1 (PDFs from elsewhere, Word exports)."""
    try:
        text = _nfc(reader.pages[0].extract_text() or "")[:20_000]
    except Exception:  # text extraction is best effort; the verifier judges the file
        return {}
    values: dict[str, str] = {}
    m = _NUMBER_RE.search(text)
    if m:
        if m[1]:
            values["CodeNumber"] = m[1]
        values["CodeNotation"] = m[2].rstrip(".-/")
    if date := _vn_date(text):
        values["IssuedDate"] = date
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    types = {t.value.upper(): t.value for t in DocumentType}
    for i, line in enumerate(lines[:40]):
        if line.upper() == line and line in types:
            values["TypeName"] = types[line]
            if i + 1 < len(lines) and not lines[i + 1].isupper():
                values["Subject"] = lines[i + 1]
            break
    return values


def _pdf_reader(source: Path | bytes, length: int | None) -> Any:
    """A pypdf reader of the whole file, or of its first ``length`` bytes (a signed revision)."""
    from io import BytesIO

    from pypdf import PdfReader

    if isinstance(source, bytes):
        return PdfReader(BytesIO(source if length is None else source[:length]))
    if length is None:
        return PdfReader(source)
    with open(source, "rb") as fh:
        return PdfReader(BytesIO(fh.read(length)))


def _from_pdf(path: Path, scope: SignedScope = WHOLE_FILE, *, data: bytes | None = None,
              extra: dict[str, str] | None = None) -> DocumentMeta:
    """Metadata of a PDF without edXML or sidecar: the edXML it carries (PDF/A-3b made by edoc), else the
    number and date fields ``edoc sign issue`` filled and what page 1 says ("Số: 05/QĐ-UBND", "ngày …
    tháng … năm …", the type heading), else the document information dictionary — all read from the
    signed prefix ``scope`` gives, the number and date from the prefix the agency signed.

    :param data: the PDF's bytes when it is not the file at ``path`` (a PDF attached to an edXML message).
    :param extra: record code values (``OrganId``, ``FileCatalog``…) from the archivist's sidecar.
    """
    from pypdf.errors import PyPdfError

    extra = extra or {}
    if scope.content == 0:  # nothing signed: nothing of the file's own is taken
        return _from_fields({"Subject": path.stem} | extra, path, "pdf")
    issued = scope.content if scope.issued is None else scope.issued
    source: Path | bytes = path if data is None else data
    try:
        reader = _pdf_reader(source, scope.content)
        info: Any = reader.metadata or {}
        pages = len(reader.pages)
        filled = {} if issued == 0 else _field_values(
            reader if issued == scope.content else _pdf_reader(source, issued))
        doc = _embedded_document(reader, path)
        text_values = {} if doc is not None else _page_text_values(reader)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise MalformedFile(f"cannot read the PDF for its metadata: {exc}", path=path) from exc
    number = filled.get("number", "").lstrip("0") or ("0" if filled.get("number") else "")
    date = _vn_date(filled.get("date", ""))
    unissued = issued == 0  # no agency signature: a number or date anywhere in it was never issued
    if doc is not None:
        doc = doc.replace(page_amount=doc.page_amount or pages)
        if unissued:
            doc = doc.replace(number=None, date=None)
        if number.isdigit():
            doc = doc.replace(number=int(number))
        if date:
            doc = doc.replace(date=dt.date.fromisoformat(date))
        return _finish(doc, {"OrganId": doc.organ.organ_id} | extra, path, "pdf")
    values = {"Subject": _nfc(info.get("/Subject") or info.get("/Title") or ""),
              "OrganName": _nfc(info.get("/Author") or ""), "PageAmount": str(pages)}
    created = getattr(info, "creation_date", None)
    if isinstance(created, dt.datetime):
        values["IssuedDate"] = created.date().isoformat()
    values |= {k: v for k, v in text_values.items() if v and not (k == "Subject" and values["Subject"])}
    if unissued:
        values.pop("CodeNumber", None)
        values.pop("IssuedDate", None)
    if number.isdigit():
        values["CodeNumber"] = number
    if date:
        values["IssuedDate"] = date
    values["Subject"] = values["Subject"] or path.stem
    return _from_fields({k: v for k, v in values.items() if v} | extra, path, "pdf")


def _pdf_pages(path: Path) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return len(PdfReader(path).pages)
    except (PyPdfError, ValueError, KeyError) as exc:
        raise MalformedFile(f"cannot read the PDF: {exc}", path=path) from exc


def _load_sidecar(path: Path) -> dict[str, str] | None:
    for suffix in SIDECAR_SUFFIXES:
        side = path.with_name(path.name + suffix)
        if not side.is_file():
            continue
        try:
            if side.stat().st_size > MAX_SIDECAR:
                raise HostileInput(f"a sidecar larger than {MAX_SIDECAR} bytes is refused", path=side)
            text = side.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ResourceError(f"cannot read the sidecar: {exc}", path=side) from exc
        try:
            if suffix == ".json":
                data: Any = json.loads(text)
            else:
                import yaml

                data = yaml.safe_load(text)
        except (ValueError, Exception) as exc:  # yaml.YAMLError has no common base with ValueError
            raise MalformedFile(f"the sidecar is not valid {suffix[1:].upper()}: {exc}", path=side) from exc
        if not isinstance(data, dict):
            raise MalformedFile("a sidecar must be a mapping of national field names", path=side)
        for k, v in data.items():
            if not isinstance(v, (str, int, float, dt.date)) and v is not None:
                raise InvalidInput("a sidecar value must be a single text, number or date", path=side,
                                   field=str(k))
        return {str(k): _nfc(v) for k, v in data.items() if v is not None}
    table = path.parent / "metadata.csv"
    if table.is_file():
        try:
            with open(table, encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    if row.get("File") == path.name:
                        return {str(k): _nfc(v) for k, v in row.items() if k and v}
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise MalformedFile(f"cannot read the metadata table: {exc}", path=table) from exc
    return None


def read_metadata(path: Path, *, scope: SignedScope | None = None) -> DocumentMeta:
    """The national metadata of the document at ``path`` (edXML header, else sidecar, else the PDF).

    :param scope: what the document's signatures vouch for (:func:`signed_scope` of the verifier's report);
        only that is read. ``None`` reads the whole file as it is (a preview: nothing says who wrote it);
        :func:`edoc.archive.build_archive` always passes the scope.
    :raises ValidationError: a field longer than its national maximum (the problem names the field).
    :raises InvalidInput: a value of the wrong kind (the error names the field).
    :raises MalformedFile: a sidecar or document that cannot be parsed.
    """
    from edoc.verify import detect_format

    scope = scope or WHOLE_FILE
    sidecar = _load_sidecar(path) or {}
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ResourceError.from_os(exc, path, action=("cannot read the document", "Không đọc được văn bản")) from exc
    fmt = detect_format(head)  # the verifier's one detector: what it verified as edXML is read as edXML here
    if fmt == "edxml":
        if scope.content == 0:  # an edXML whose envelope signature does not vouch for its header
            codes = {k: v for k, v in sidecar.items() if k in ("OrganId", "FileCatalog", "FileNotation",
                                                                 "DocOrdinal")}
            data = _attachment(path, scope.attachment) if scope.attachment else None
            if data is not None and scope.inner is not None:  # the signed PDF it carries
                return _from_pdf(path, scope.inner, data=data, extra=codes)
            return _from_fields(sidecar or {"Subject": path.stem}, path, "sidecar" if sidecar else "edxml")
        return _from_edxml(path, sidecar)
    if sidecar:
        if fmt == "pdf" and "PageAmount" not in sidecar:
            sidecar = sidecar | {"PageAmount": str(_pdf_pages(path))}
        return _from_fields(sidecar, path, "sidecar")
    if fmt == "pdf":
        return _from_pdf(path, scope)
    raise InvalidInput("neither edXML nor PDF, and no sidecar gives its metadata", path=path)
