"""What the edXML reader and writer both name: the two shapes of a status message, and an attachment's content
type from its file name (here, so that the reader does not import the writer)."""

from __future__ import annotations

import mimetypes
from enum import Enum

from edoc.errors import InvalidInput

__all__ = ["StatusShape", "guess_content_type"]


class StatusShape(Enum):
    """How a status message is written (edXML spec section 6); the reader accepts both.

    - ``SDK``: the status inside ``edXMLHeader/MessageHeader`` (``From``, ``ResponseFor``, ``StaffInfo``,
      ``StatusCode``, ``Description``, ``Timestamp``), as the national-axis SDK writes it and receivers on the
      axis parse it: the default.
    - ``STATUS_ELEMENT``: an ``edXMLHeader/Status`` element with the same children.
    """

    SDK = "sdk"
    STATUS_ELEMENT = "status-element"

    @classmethod
    def parse(cls, value: object, *, field: str | None = "shape") -> StatusShape:
        """A member from itself or its value (``sdk``, ``status-element``)."""
        if isinstance(value, cls):
            return value
        for member in cls:
            if value == member.value or value == member.name:
                return member
        raise InvalidInput(f"unknown status message shape {value!r} (sdk or status-element)", field=field,
                           message_vi=f"Dạng thông điệp trạng thái {value!r} không hợp lệ (sdk hoặc status-element)")


def guess_content_type(name: str) -> str:
    """The MIME type of a file name (``application/octet-stream`` when unknown)."""
    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
