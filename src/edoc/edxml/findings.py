"""Findings: what the edXML reader and :func:`~edoc.edxml.validate` report instead of failing.

A finding names the rule (``code``), the element (a path of local names from the root, e.g.
``edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId``, with ``[n]`` for the n-th repeated sibling
from the second on) and the line, in English and Vietnamese. The value checks here are shared by the reader
(on the raw text of a message) and by the writer's pre-flight check (on the model).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from edoc.model import ORGAN_ID_RE, VIETNAM_TZ

__all__ = ["Severity", "EdxmlFinding", "LIMITS", "check_organ_id", "check_length", "parse_date", "parse_timestamp",
           "check_document_id", "check_code_number"]


class Severity(Enum):
    """How much a finding matters: ``ERROR`` breaks a rule (``validate`` exits 1), ``WARNING`` is accepted
    but worth a look (a value one SDK writes, a placeholder signature), ``INFO`` is a note."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class EdxmlFinding:
    """One rule a message breaks, or one thing worth knowing about it.

    :param code: stable identifier of the rule, e.g. ``organ-id``, ``date-format``, ``xsd``.
    :param message: English text.
    :param message_vi: Vietnamese text.
    :param element: path of the element at fault (local names from the root).
    :param line: line of the element in the message, when known.
    :param severity: see :class:`Severity`.
    """

    code: str
    message: str
    message_vi: str
    element: str = ""
    line: int | None = None
    severity: Severity = Severity.ERROR

    def text(self, lang: str = "vi") -> str:
        """The message alone, in ``lang`` (``vi`` or ``en``)."""
        return self.message_vi if lang == "vi" else self.message

    def describe(self, lang: str = "vi") -> str:
        """``line 12: …/OrganId: message`` in ``lang`` (``vi`` or ``en``)."""
        text = self.message_vi if lang == "vi" else self.message
        where = []
        if self.line:
            where.append(f"{'dòng' if lang == 'vi' else 'line'} {self.line}")
        if self.element:
            where.append(self.element)
        return ": ".join([*where, text])

    def to_data(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {"code": self.code, "severity": self.severity.value, "element": self.element, "line": self.line,
                "message": self.message, "message_vi": self.message_vi}


#: Maximum lengths (characters) of the national rules (edXML section 2, archival metadata section 2).
LIMITS: dict[str, int] = {
    "CodeNumber": 11,
    "CodeNotation": 30,
    "Subject": 500,
    "Content": 500,
    "Place": 150,
    "Appendix": 250,
    "AttachmentName": 200,
    "OrganName": 200,
    "TypeName": 100,
    "Position": 100,
    "FullName": 50,
}

_DATE_RE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})$")
_TS_RE = re.compile(r"^(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})$")
_DIGITS_RE = re.compile(r"^[0-9]+$")


def check_organ_id(value: str) -> tuple[str, str] | None:
    """``None`` when ``value`` has the shape ``DDD.CC.BB.Xnn``; else (English, Vietnamese) messages."""
    if ORGAN_ID_RE.match(value):
        return None
    return (f"OrganId {value!r} is not of the shape DDD.CC.BB.Xnn (13 characters, e.g. 000.00.00.G22)",
            f"Mã định danh {value!r} không đúng dạng DDD.CC.BB.Xnn (13 ký tự, ví dụ 000.00.00.G22)")


def check_length(name: str, value: str) -> tuple[str, str] | None:
    """``None`` when ``value`` fits the national maximum for element ``name``."""
    limit = LIMITS.get(name)
    if limit is None or len(value) <= limit:
        return None
    return (f"{name} has {len(value)} characters; at most {limit} are allowed",
            f"{name} dài {len(value)} ký tự; tối đa {limit} ký tự")


def check_code_number(value: str) -> tuple[str, str] | None:
    """``None`` when the document number is digits only (at most 11)."""
    if not _DIGITS_RE.match(value):
        return (f"CodeNumber {value!r} is not a number", f"Số văn bản (CodeNumber) {value!r} không phải là số")
    return check_length("CodeNumber", value)


def parse_date(value: str) -> dt.date | None:
    """A ``yyyy/MM/dd`` date, or ``None`` when ``value`` is not one."""
    m = _DATE_RE.match(value)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_timestamp(value: str) -> dt.datetime | None:
    """A ``yyyy/MM/dd HH:mm:ss`` time in Vietnam time, or ``None`` when ``value`` is not one."""
    m = _TS_RE.match(value)
    if not m:
        return None
    try:
        return dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]), tzinfo=VIETNAM_TZ)
    except ValueError:
        return None


def check_document_id(value: str) -> tuple[str, str] | None:
    """``None`` when ``value`` has the shape ``{OrganId},{yyyy/MM/dd},{number}/{notation}``."""
    parts = value.split(",", 2)
    ok = (len(parts) == 3 and ORGAN_ID_RE.match(parts[0]) is not None and parse_date(parts[1]) is not None
          and "/" in parts[2] and _DIGITS_RE.match(parts[2].split("/", 1)[0]) is not None
          and parts[2].split("/", 1)[1] != "")
    if ok:
        return None
    return (f"DocumentId {value!r} is not of the shape {{OrganId}},{{yyyy/MM/dd}},{{number}}/{{notation}}",
            f"DocumentId {value!r} không đúng dạng {{Mã định danh}},{{yyyy/MM/dd}},{{số}}/{{ký hiệu}}")
