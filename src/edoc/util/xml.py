"""The one hardened XML parser factory of edoc.

Every XML edoc reads goes through :func:`parse_xml` / :func:`xml_parser`: no DTD, no entity expansion, no
network, no XInclude; ``huge_tree`` only when the caller says a large base64 attachment needs it (lxml
refuses a text node over 10 MB otherwise). A document that declares a DTD or an entity is refused as
:class:`~edoc.errors.HostileInput` before lxml sees it, so billion-laughs and XXE end at once.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import IO, Any

from lxml import etree

from edoc.errors import HostileInput, MalformedFile, ResourceError

__all__ = ["xml_parser", "xml_target_parser", "parse_xml", "check_prolog", "looks_like_xml", "root_name",
           "as_utf8", "MAX_XML_BYTES"]

#: Largest XML file edoc parses into a tree (edXML with tens of MB of attachments fits well within).
MAX_XML_BYTES = 1 << 30

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


#: The hardened settings every edoc parser uses: resolve nothing, load nothing, no network.
_HARDENED: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_blank_text": False,
    "collect_ids": False,
}


@cache
def xml_parser(*, huge_tree: bool = False) -> etree.XMLParser:
    """A shared lxml parser that resolves nothing and loads nothing.

    lxml parsers may be shared by threads for ``etree.fromstring``/``etree.parse`` (each call uses its own
    context), so the factory caches one per setting.
    """
    return etree.XMLParser(huge_tree=huge_tree, **_HARDENED)


def check_prolog(head: bytes, *, path: str | Path | None = None) -> None:
    """Refuse a DTD or entity declaration in the prolog (before the root element).

    A DOCTYPE cannot appear after the root element starts, so the head of the document suffices; the caller
    passes the first 64 KiB. Comments and processing instructions are skipped, so a ``<x>`` inside a comment
    cannot hide a DOCTYPE that follows it.
    """
    if _declares_dtd(_as_utf8(head)):
        raise HostileInput(
            "the XML declares a DTD or entities, which edoc refuses (XXE and entity-expansion attacks)",
            message_vi="Tệp XML khai báo DTD hoặc thực thể (entity); edoc từ chối để phòng tấn công XXE "
            "và bom thực thể",
            path=path,
        )


def looks_like_xml(head: bytes) -> bool:
    """Whether the first bytes of a file start like an XML document: ``<`` after an optional byte order mark
    and white space, in UTF-8, UTF-16 or UTF-32 (with or without a BOM), as libxml2 detects them. The one
    detector behind ``edoc verify``'s choice of format; ``show`` and ``validate`` parse what it admits."""
    return _as_utf8(head).removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<")


class _Root(Exception):
    def __init__(self, tag: str) -> None:
        super().__init__(tag)
        self.tag = tag


class _FirstStart:
    """Parser target that stops the parse at the first start tag."""

    def start(self, tag: str, attrib: Any) -> None:
        raise _Root(tag)

    def close(self) -> None:
        return None


def root_name(data: bytes) -> tuple[str, str] | None:
    """The (namespace, local name) of the root element of the XML document ``data``, read with the hardened
    settings up to the root's start tag only (whatever comments or encoding come first); ``None`` when the
    bytes are not XML up to there or declare a DTD."""
    if not looks_like_xml(data[:64]):
        return None
    try:
        check_prolog(data[:65536])
        parser = xml_target_parser(_FirstStart())
        for at in range(0, len(data), 1 << 16):
            parser.feed(data[at:at + (1 << 16)])
        parser.close()
    except _Root as found:
        ns, _, local = found.tag[1:].partition("}") if found.tag.startswith("{") else ("", "", found.tag)
        return ns, local
    except (HostileInput, etree.LxmlError, LookupError, UnicodeError, ValueError):
        return None
    return None


def as_utf8(data: bytes) -> bytes:
    """The XML document ``data`` re-encoded as UTF-8 when it is UTF-16 or UTF-32 (detected as
    :func:`looks_like_xml` does), else unchanged: for searching its bytes whatever its encoding."""
    return _as_utf8(data)


def _as_utf8(head: bytes) -> bytes:
    """The head re-encoded as UTF-8 when it is UTF-16 or UTF-32 (so the scan below sees ``<!DOCTYPE``)."""
    for bom, codec in ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                       (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, errors="ignore").encode("utf-8")
    for pattern, codec in ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
                           (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le")):
        if head.startswith(pattern):
            return head.decode(codec, errors="ignore").encode("utf-8")
    return head


def _declares_dtd(head: bytes) -> bool:
    """True when a ``<!DOCTYPE`` or ``<!ENTITY`` comes before the first element (comments and PIs skipped)."""
    i = 0
    while True:
        i = head.find(b"<", i)
        if i < 0 or i + 1 >= len(head):
            return False
        if head.startswith(b"<!--", i):
            end = head.find(b"-->", i + 4)
            if end < 0:
                return False
            i = end + 3
        elif head.startswith(b"<?", i):
            end = head.find(b"?>", i + 2)
            if end < 0:
                return False
            i = end + 2
        elif head.startswith(b"<!", i):
            return bool(_DOCTYPE.match(head, i))
        else:
            return False


def parse_xml(
    source: bytes | str | Path | IO[bytes], *, huge_tree: bool = False, path: str | Path | None = None
) -> etree._ElementTree:
    """Parse ``source`` (bytes, a path, or a binary file) with the hardened parser.

    :raises HostileInput: for a DTD or entity declaration.
    :raises MalformedFile: for XML that is not well-formed (with the line).
    """
    if isinstance(source, (str, Path)):
        path = path or source
        try:
            with open(source, "rb") as fh:
                check_prolog(fh.read(65536), path=path)
                if fh.seek(0, 2) > MAX_XML_BYTES:
                    raise HostileInput(f"XML file larger than {MAX_XML_BYTES} bytes", path=path,
                                       message_vi=f"Tệp XML lớn hơn {MAX_XML_BYTES} byte")
                fh.seek(0)
                return _parse(fh, huge_tree, path)
        except OSError as exc:
            raise ResourceError.from_os(exc, path, action=("cannot read the XML file", "Không đọc được tệp XML")
                                        ) from exc
    if isinstance(source, bytes):
        check_prolog(source[:65536], path=path)
        if len(source) > MAX_XML_BYTES:
            raise HostileInput(f"XML larger than {MAX_XML_BYTES} bytes", path=path,
                               message_vi=f"XML lớn hơn {MAX_XML_BYTES} byte")
        return _parse(source, huge_tree, path)
    pos = source.tell()
    check_prolog(source.read(65536), path=path)
    source.seek(pos)
    return _parse(source, huge_tree, path)


def _parse(src: bytes | IO[bytes], huge_tree: bool, path: str | Path | None) -> etree._ElementTree:
    parser = xml_parser(huge_tree=huge_tree)
    try:
        if isinstance(src, bytes):
            return etree.ElementTree(etree.fromstring(src, parser))
        return etree.parse(src, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise MalformedFile(f"not well-formed XML: {exc.msg}", path=path, line=line,
                            message_vi=f"XML không đúng cú pháp: {exc.msg}") from exc


def xml_target_parser(target: Any, *, huge_tree: bool = False) -> etree.XMLParser:
    """A parser with the settings of :func:`xml_parser` that feeds a parser *target* instead of building a tree.

    Used for streaming (the edXML reader decodes attachments as their text arrives). Not cached: a target
    parser holds per-document state. The caller still runs :func:`check_prolog` on the first bytes.
    """
    return etree.XMLParser(target=target, huge_tree=huge_tree, **_HARDENED)
