"""Read edXML messages tolerantly and stream their attachments to disk.

The message is parsed with a *target* parser of the hardened factory (:func:`edoc.util.xml.xml_target_parser`):
no tree is built, the metadata elements are collected into a small tree of our own, and the base64 text of
each ``ContentTransferEncoded`` is decoded chunk by chunk as it arrives and written to a temporary file (or
only hashed when nothing is extracted). Memory therefore stays at a few MiB whatever the attachment size, and
``huge_tree`` is not needed (libxml2's 10 MB limit applies to tree text nodes, which are never built).

Line numbers: the bytes are scanned once and fed to the parser in pieces that end just after a start tag, so
each element's line is known (for a start tag spread over several lines, the line where it closes, as in
libxml2); text between start tags, however many lines it spans, goes in one piece per read. Lines are Python
ints end to end (libxml2 keeps an element's line in 16 bits).

Linear work, bounded memory: every callback does constant work (repeated siblings are numbered from a counter
per parent), the text between an element's children is counted but not kept, and :class:`ReadLimits` bounds
elements, depth, attributes, the length of a start tag (checked before the parser reads it) and the text kept.

Tolerance: children are matched by local name (prefixed or not, in the edXML namespace or none), either order
inside ``TraceHeaderList``, zipped or raw attachments (a zip is recognised by its magic bytes), and values that
break the rules become :class:`~edoc.edxml.findings.EdxmlFinding` objects. Input that cannot be read at all raises
:class:`~edoc.errors.MalformedFile`; DTDs, entities, oversized or over-deep input and zip bombs raise
:class:`~edoc.errors.HostileInput`.
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from lxml import etree

from edoc.edxml._b64 import b64decode_strict
from edoc.edxml.findings import (
    EdxmlFinding,
    Severity,
    check_code_number,
    check_document_id,
    check_length,
    check_organ_id,
    parse_date,
    parse_timestamp,
)
from edoc.edxml.shapes import StatusShape, guess_content_type
from edoc.edxml.zipsafe import ZipLimits, checked_entries, expand_entry, open_zip, safe_file_name
from edoc.errors import EdocError, HostileInput, InvalidInput, MalformedFile, ResourceError
from edoc.model import (
    Appendix,
    Attachment,
    Authority,
    Business,
    BusinessType,
    Document,
    DocumentType,
    Organ,
    Priority,
    ReceiverChange,
    ReplacementInfo,
    ResponseFor,
    Signer,
    StaffInfo,
    StatusCode,
    StatusMessage,
    SteeringType,
    TraceHeader,
    format_document_id,
)
from edoc.util.namespaces import DS
from edoc.util.namespaces import EDXML as NS
from edoc.util.xml import MAX_XML_BYTES, check_prolog, xml_target_parser

__all__ = ["ReadLimits", "AttachmentInfo", "ReadResult", "read_edxml"]

_CHUNK = 1 << 20
_ZIP_MAGIC = b"PK\x03\x04"
_AUTHORITY_RE = re.compile(r"^(TM|KT|Q|TL|TUQ)\.(?:\s+|$)")


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what the reader accepts (each breach is a :class:`~edoc.errors.HostileInput`).

    :param max_elements: elements in the message, attachments included.
    :param max_depth: nesting depth.
    :param max_attributes: attributes in the whole message (edXML uses a handful).
    :param max_start_tag: bytes of one start tag (refused before the XML parser reads it: libxml2's work on a
        tag of millions of attributes grows faster than its size).
    :param max_markup: bytes of one comment, processing instruction or declaration (libxml2 holds one whole in
        memory before it refuses one over 10 MB; edoc refuses it while reading).
    :param max_text: characters of text in one metadata element.
    :param max_text_total: characters of text in all metadata elements together (attachment payloads and the
        white space between elements apart).
    :param max_attachments: attachments in one message.
    :param max_attachment_bytes: decoded bytes of one attachment.
    :param zip: bounds for zip attachments.
    """

    max_elements: int = 100_000
    max_depth: int = 64
    max_attributes: int = 10_000
    max_start_tag: int = 1 << 20
    max_markup: int = 10_000_000
    max_text: int = 1 << 20
    max_text_total: int = 16 << 20
    max_attachments: int = 1_000
    max_attachment_bytes: int = 1 << 30
    zip: ZipLimits = field(default_factory=ZipLimits)


@dataclass(frozen=True)
class AttachmentInfo:
    """An attachment as found in the message.

    ``size`` and ``sha256`` are those of the file itself (after unzipping a zipped one); ``packed_size`` is the
    decoded size as carried (the zip's size when ``zipped``); ``path`` is where it was extracted, if it was.
    With ``read_edxml(..., keep_data=True)``, ``data`` holds the decoded bytes as carried (a zip is not
    unpacked) and an attachment that cannot be decoded is listed too, with ``data`` ``None`` and the
    ``problem`` found.
    """

    name: str
    content_type: str
    description: str
    content_id: str
    size: int
    sha256: str
    zipped: bool = False
    packed_size: int = 0
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False, compare=False)
    problem: EdxmlFinding | None = None


@dataclass(frozen=True)
class ReadResult:
    """What :func:`read_edxml` found: the document (or the status), the findings and the attachments.

    ``document_id`` is the DocumentId exactly as written in the message (for a status message, the one it
    answers), so a status or revoke message can repeat it byte for byte. ``status_shape`` says how a status
    message carried its status (the same :class:`~edoc.model.StatusMessage` either way).
    """

    document: Document | None
    status: StatusMessage | None
    findings: tuple[EdxmlFinding, ...]
    attachments: tuple[AttachmentInfo, ...]
    document_id: str
    status_shape: StatusShape | None = None

    @property
    def message(self) -> Document | StatusMessage:
        """The document, or the status for a status message."""
        msg = self.document if self.document is not None else self.status
        assert msg is not None
        return msg

    @property
    def is_status(self) -> bool:
        return self.status is not None

    @property
    def errors(self) -> tuple[EdxmlFinding, ...]:
        """The findings of severity ERROR."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)


# -- the streaming target -------------------------------------------------------------------------------


class _Node:
    """An element of the metadata tree. ``path`` counts repeated siblings by namespace and local name (as
    libxml2 does in the paths of its schema errors); ``line`` is the line where its start tag ends."""

    __slots__ = ("attrib", "blank", "children", "counts", "index", "line", "local", "ns", "parts", "path",
                 "payload", "size")

    def __init__(self, ns: str, local: str, attrib: dict[str, str] | None, line: int, path: str) -> None:
        self.ns = ns
        self.local = local
        self.attrib = attrib
        self.line = line
        self.path = path
        # containers made on first use: fewer objects for the garbage collector to walk
        self.children: list[_Node] | tuple[()] = ()
        self.counts: dict[tuple[str, str], int] | None = None
        self.index: dict[str, list[_Node]] | None = None
        self.parts: list[str] | None = None
        self.size = 0
        self.blank = True  # no text but white space so far
        self.payload: _Payload | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts) if self.parts else ""

    def kids(self, local: str) -> list[_Node]:
        """The children named ``local`` (any namespace), through an index built on first use."""
        if self.index is None:
            index: dict[str, list[_Node]] = {}
            for c in self.children:
                index.setdefault(c.local, []).append(c)
            self.index = index
        return self.index.get(local, [])


class _Payload:
    """Decodes base64 text as it arrives; hashes it and writes it to a temporary file when asked or when it
    turns out to be a zip."""

    def __init__(self, keep: bool, folder: Path | None, limits: ReadLimits, where: str) -> None:
        self.keep = keep
        self.folder = folder
        self.limits = limits
        self.where = where
        self.carry = ""
        self.size = 0
        self.digest = hashlib.sha256()
        self.head = b""
        self.fh: IO[bytes] | None = None
        self.tmp_path: Path | None = None
        self.padded = False
        self.error: tuple[str, str] | None = None

    def feed(self, text: str) -> None:
        if self.error:
            return
        # the text is decoded as str (both base64 backends take ASCII str): no extra bytes copy per chunk
        if not text.isascii():
            self.error = ("the attachment is not valid base64 (non-ASCII characters)",
                          "Tệp đính kèm không đúng mã base64 (có ký tự ngoài ASCII)")
            return
        raw = text
        if "\n" in raw or " " in raw or "\r" in raw or "\t" in raw:  # wrapped base64 (fast scans)
            raw = raw.replace("\n", "").replace("\r", "").replace(" ", "").replace("\t", "")
        if not raw:
            return
        if self.padded:
            self.error = ("the attachment's base64 continues after its padding",
                          "Mã base64 của tệp đính kèm còn dữ liệu sau ký tự đệm '='")
            return
        buf = self.carry + raw if self.carry else raw
        cut = len(buf) - len(buf) % 4
        self.carry = buf[cut:]
        if cut:
            self._decode(buf if cut == len(buf) else buf[:cut])

    def _decode(self, data: str) -> None:
        try:
            out = b64decode_strict(data)
        except (binascii.Error, ValueError):
            self.error = ("the attachment is not valid base64", "Tệp đính kèm không đúng mã base64")
            return
        self.padded = data.endswith("=")
        self.size += len(out)
        if self.size > self.limits.max_attachment_bytes:
            raise HostileInput(f"an attachment exceeds {self.limits.max_attachment_bytes} bytes",
                               message_vi=f"Tệp đính kèm vượt quá {self.limits.max_attachment_bytes} byte",
                               field=self.where)
        self.digest.update(out)
        if len(self.head) < 4:
            self.head += out[: 4 - len(self.head)]
            if self.fh is None and (self.keep or self.head.startswith(_ZIP_MAGIC[: len(self.head)])):
                self._open()
        if self.fh is not None:
            self.fh.write(out)
            if not self.keep and len(self.head) >= 4 and not self.head.startswith(_ZIP_MAGIC):
                self.discard()

    def _open(self) -> None:
        if self.folder is not None:
            fd, name = tempfile.mkstemp(prefix=".edoc-", suffix=".part", dir=self.folder)
            self.tmp_path = Path(name)
            self.fh = os.fdopen(fd, "w+b")
        elif self.keep:  # kept for the caller (keep_data): in memory, nothing written
            self.fh = io.BytesIO()
        else:
            self.fh = tempfile.TemporaryFile()

    def finish(self) -> None:
        if self.carry and not self.error:
            self.error = ("the attachment's base64 is truncated", "Mã base64 của tệp đính kèm bị cắt cụt")
        if self.fh is None and self.keep and not self.error:
            self._open()  # an empty attachment still becomes a file

    @property
    def zipped(self) -> bool:
        return self.head.startswith(_ZIP_MAGIC)

    def discard(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None
        if self.tmp_path is not None:
            with contextlib.suppress(OSError):
                self.tmp_path.unlink()
            self.tmp_path = None


class _Target:
    """lxml parser target: a small tree of metadata, attachment text streamed into :class:`_Payload`.

    Work per callback is constant (sibling numbers come from a counter per parent, not a scan), and what is
    kept is bounded by :class:`ReadLimits`: the text of a container element (white space between its
    children) is counted, not kept.
    """

    def __init__(self, limits: ReadLimits, folder: Path | None, keep: bool = False) -> None:
        self.limits = limits
        self.folder = folder
        self.keep = keep or folder is not None
        self.stack: list[_Node] = []
        self.root: _Node | None = None
        self.line = 1
        self.count = 0
        self.attributes = 0
        self.text_total = 0
        self.payloads: list[_Payload] = []
        self.payload: _Payload | None = None

    @property
    def in_payload(self) -> bool:
        return self.payload is not None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        limits = self.limits
        self.count += 1
        if self.count > limits.max_elements:
            raise HostileInput(f"the message has more than {limits.max_elements} elements",
                               message_vi=f"Thông điệp có hơn {limits.max_elements} phần tử", line=self.line)
        if len(self.stack) >= limits.max_depth:
            raise HostileInput(f"the message nests elements deeper than {limits.max_depth}",
                               message_vi=f"Thông điệp lồng phần tử sâu hơn {limits.max_depth} cấp",
                               line=self.line)
        if attrib:
            self.attributes += len(attrib)
            if self.attributes > limits.max_attributes:
                raise HostileInput(f"the message has more than {limits.max_attributes} attributes",
                                   message_vi=f"Thông điệp có hơn {limits.max_attributes} thuộc tính",
                                   line=self.line)
        ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        parent = self.stack[-1] if self.stack else None
        if parent is None:
            path = local
        else:
            counts = parent.counts
            if counts is None:  # the first child: the parent is a container, its text is not kept
                counts = parent.counts = {}
                parent.children = []
                if parent.parts:
                    self.text_total -= sum(len(p) for p in parent.parts)
                    parent.parts = None
            k = counts.get((ns, local), 0) + 1
            counts[(ns, local)] = k
            path = f"{parent.path}/{local}" + (f"[{k}]" if k > 1 else "")
        node = _Node(ns, local, dict(attrib) if attrib else None, self.line, path)
        if parent is None:
            self.root = node
        else:
            parent.children.append(node)  # type: ignore[union-attr]
        self.stack.append(node)
        if local == "ContentTransferEncoded" and parent is not None and parent.local == "Attachment":
            if len(self.payloads) >= limits.max_attachments:
                raise HostileInput(f"the message has more than {limits.max_attachments} attachments",
                                   message_vi=f"Thông điệp có hơn {limits.max_attachments} tệp đính kèm",
                                   line=self.line)
            self.payload = _Payload(self.keep, self.folder, limits, path)
            node.payload = self.payload
            self.payloads.append(self.payload)

    def _too_long(self, node: _Node) -> HostileInput:
        return HostileInput(f"element {node.local} holds more than {self.limits.max_text} characters of text",
                            message_vi=f"Phần tử {node.local} chứa hơn {self.limits.max_text} ký tự",
                            line=node.line, field=node.path)

    def data(self, text: str) -> None:
        if self.payload is not None:
            self.payload.feed(text)
            return
        if not self.stack:
            return
        node = self.stack[-1]
        if node.counts is not None:  # text between children: not kept
            return
        node.size += len(text)
        if node.size > self.limits.max_text:
            if node.blank and text.isspace():  # perhaps white space before a first child: counted, not kept
                return
            raise self._too_long(node)
        if node.blank and not text.isspace():
            node.blank = False
        self.text_total += len(text)
        if self.text_total > self.limits.max_text_total:
            raise HostileInput(f"the message's elements hold more than {self.limits.max_text_total} characters "
                               "of text (attachments apart)",
                               message_vi=f"Các phần tử của thông điệp chứa hơn {self.limits.max_text_total} ký tự "
                               "(không kể tệp đính kèm)", line=node.line, field=node.path)
        if node.parts is None:
            node.parts = [text]
        else:
            node.parts.append(text)

    def end(self, tag: str) -> None:
        node = self.stack.pop()
        if node.payload is not None:
            node.payload.finish()
            self.payload = None
        elif node.counts is None and node.size > self.limits.max_text:
            raise self._too_long(node)

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        # check_prolog looks at the first bytes only; a DOCTYPE hidden behind long or tricky comments ends here,
        # before libxml2 reads any entity declaration.
        raise HostileInput(
            "the XML declares a DTD or entities, which edoc refuses (XXE and entity-expansion attacks)",
            message_vi="Tệp XML khai báo DTD hoặc thực thể (entity); edoc từ chối để phòng tấn công XXE "
            "và bom thực thể", line=self.line)

    def comment(self, text: str) -> None:  # comments are ignored (and not kept)
        return

    def pi(self, target: str, data: str | None = None) -> None:
        return

    def close(self) -> _Node | None:
        return self.root


#: The rest of a start tag after ``<``: anything but quotes and ``>``, or quoted values (possessive: no
#: backtracking, so an unterminated tag costs one pass).
_TAG_BODY = re.compile(rb"""(?:[^"'>]++|"[^"]*+"|'[^']*+')*+""")
_TEXT, _TAG, _TAG_DQ, _TAG_SQ, _COMMENT, _CDATA, _PI, _DECL = range(8)
_ENDS = {_COMMENT: b"-->", _CDATA: b"]]>", _PI: b"?>", _DECL: b">"}


class _Feeder:
    """Feeds the parser in pieces that end just after a start tag, so the target knows each start tag's line.

    The bytes are scanned once (comments, CDATA sections, processing instructions and quoted attribute values
    are skipped as XML's grammar says, so a ``<`` or ``>`` inside them cuts nothing); text between start tags,
    however long or however many lines, is fed in one piece per read and its lines counted with
    ``bytes.count``. Work is linear in the input and the number of feeds is at most one per element plus one
    per read (it was one per line: 105 MB of newlines meant 105 million feeds).
    """

    def __init__(self, parser: etree.XMLParser, target: _Target) -> None:
        self.parser = parser
        self.target = target
        self.state = _TEXT
        self.pending = b""  # a token cut by the end of the read, kept for the next one
        self.line = 1  # line of the next byte fed
        self.base = 0  # offset in the file of the first byte of the data being scanned
        self.tag_at = 0  # offset of the "<" of the start tag, comment, PI or declaration being scanned
        self.max_tag = target.limits.max_start_tag
        self.max_markup = target.limits.max_markup

    def _markup_too_long(self, state: int) -> HostileInput:
        kind = {_COMMENT: ("comment", "chú thích"), _PI: ("processing instruction", "chỉ thị xử lý"),
                _DECL: ("declaration", "khai báo")}[state]
        return HostileInput(f"a {kind[0]} is longer than {self.max_markup} bytes", line=self.line,
                            message_vi=f"Một {kind[1]} dài hơn {self.max_markup} byte")

    def _tag_too_long(self) -> HostileInput:
        return HostileInput(f"a start tag is longer than {self.max_tag} bytes",
                            message_vi=f"Một thẻ mở dài hơn {self.max_tag} byte", line=self.line)

    def _give(self, data: bytes, a: int, b: int, tag_end: bool = False) -> None:
        if a >= b:
            return
        newlines = data.count(b"\n", a, b)
        self.target.line = self.line + newlines if tag_end else self.line
        self.parser.feed(data if a == 0 and b == len(data) else data[a:b])
        self.line += newlines

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self.pending + chunk if self.pending else chunk
        self.pending = b""
        n = len(data)
        i = start = 0
        keep = n  # bytes from here on wait for the next read
        while i < n:
            state = self.state
            if state == _TEXT:
                j = data.find(b"<", i)
                if j < 0:
                    break
                if n - j < 9 and not final:  # "<![CDATA[" may be cut: classify it with the next read
                    keep = j
                    break
                c = data[j + 1] if j + 1 < n else 0
                if c == 0x2F:  # "</": an end tag holds no "<"
                    i = j + 2
                    continue
                self.tag_at = self.base + j
                if c == 0x21:  # "<!"
                    if data.startswith(b"<!--", j):
                        self.state, i = _COMMENT, j + 4
                    elif data.startswith(b"<![CDATA[", j):  # libxml2 hands CDATA on as it reads it
                        self.state, i = _CDATA, j + 9
                    else:
                        self.state, i = _DECL, j + 2
                    continue
                if c == 0x3F:  # "<?"
                    self.state, i = _PI, j + 2
                    continue
                self.state, i = _TAG, j + 1
                state = _TAG
            if state == _TAG:
                e = _TAG_BODY.match(data, i).end()  # type: ignore[union-attr]
                if e >= n:
                    break
                if data[e] == 0x3E:  # ">": the start tag ends; its callback fires while this piece is fed
                    if self.base + e - self.tag_at >= self.max_tag:
                        raise self._tag_too_long()
                    self._give(data, start, e + 1, tag_end=True)
                    start = i = e + 1
                    self.state = _TEXT
                else:  # an attribute value continues in the next read
                    self.state = _TAG_DQ if data[e] == 0x22 else _TAG_SQ
                    i = e + 1
            elif state == _TAG_DQ or state == _TAG_SQ:
                k = data.find(b'"' if state == _TAG_DQ else b"'", i)
                if k < 0:
                    break
                self.state, i = _TAG, k + 1
            else:
                token = _ENDS[state]
                k = data.find(token, i)
                if k < 0:
                    if not final:
                        keep = max(i, n - len(token) + 1)
                    break
                if state != _CDATA and self.base + k - self.tag_at > self.max_markup:
                    raise self._markup_too_long(state)
                self.state, i = _TEXT, k + len(token)
        if self.state in (_TAG, _TAG_DQ, _TAG_SQ) and self.base + n - self.tag_at > self.max_tag:
            raise self._tag_too_long()
        if self.state in (_COMMENT, _PI, _DECL) and self.base + n - self.tag_at > self.max_markup:
            raise self._markup_too_long(self.state)
        self._give(data, start, keep)
        if keep < n:
            self.pending = data[keep:]
        self.base += keep


def _parse_stream(fh: IO[bytes], target: _Target, path: str | None) -> _Node:
    head = fh.read(65536)
    check_prolog(head, path=path)
    parser = xml_target_parser(target)
    feeder = _Feeder(parser, target)
    total = 0
    chunk = head
    try:
        while chunk:
            total += len(chunk)
            if total > MAX_XML_BYTES:
                raise HostileInput(f"XML larger than {MAX_XML_BYTES} bytes", path=path)
            feeder.feed(chunk)
            chunk = fh.read(_CHUNK)
        feeder.feed(b"", final=True)
        root: object = parser.close()
    except EdocError as exc:
        if exc.path is None:
            exc.path = path
        raise
    except etree.XMLSyntaxError as exc:
        raise MalformedFile(f"not well-formed XML: {exc.msg}", path=path, line=exc.lineno or None,
                            message_vi=f"XML không đúng cú pháp: {exc.msg}") from exc
    except (etree.LxmlError, LookupError, UnicodeError) as exc:
        raise MalformedFile(f"cannot parse the XML: {exc}", path=path,
                            message_vi=f"Không phân tích được XML: {exc}") from exc
    if not isinstance(root, _Node):  # pragma: no cover - lxml raises on an empty document
        raise MalformedFile("the file holds no XML element", path=path, message_vi="Tệp không có phần tử XML nào")
    return root


# -- interpretation -------------------------------------------------------------------------------------


class _Interpreter:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self.findings: list[EdxmlFinding] = []

    # helpers
    def add(self, code: str, msg: tuple[str, str], node: _Node | None, severity: Severity = Severity.ERROR,
            element: str | None = None) -> None:
        self.findings.append(EdxmlFinding(code, msg[0], msg[1], element if element is not None else
                                          (node.path if node else ""), node.line if node else None, severity))

    @staticmethod
    def kids(node: _Node | None, name: str) -> list[_Node]:
        return node.kids(name) if node is not None else []

    def kid(self, node: _Node | None, name: str, *, required: bool = False) -> _Node | None:
        found = self.kids(node, name)
        if not found:
            if required and node is not None:
                self.add("missing-element", (f"element {name} is missing", f"Thiếu phần tử {name}"), node,
                         element=f"{node.path}/{name}")
            return None
        return found[0]

    def text(self, node: _Node | None, name: str, *, strip: bool = True, required: bool = False) -> str:
        """The text of child ``name``; a required child that is absent or empty is a finding."""
        k = self.kid(node, name, required=required)
        if k is None:
            return ""
        value = k.text.strip() if strip else k.text
        if required and not value.strip():
            self.add("empty-value", (f"element {name} is empty", f"Phần tử {name} không có giá trị"), k)
        return value

    def length(self, node: _Node | None, name: str, value: str) -> None:
        msg = check_length(name, value)
        if msg:
            self.add("length", msg, self.kid(node, name) or node)

    def organ_id(self, node: _Node | None, name: str = "OrganId", *, required: bool = True) -> str:
        value = self.text(node, name, required=required)
        if value:  # an empty required one is already an "empty-value" finding
            msg = check_organ_id(value)
            if msg:
                self.add("organ-id", msg, self.kid(node, name) or node)
        return value

    def date(self, node: _Node | None, name: str, *, required: bool = False) -> Any:
        value = self.text(node, name, required=required)
        if not value:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.add("date-format", (f"{name} {value!r} is not a date yyyy/MM/dd",
                                     f"{name} {value!r} không đúng dạng ngày yyyy/MM/dd"), self.kid(node, name))
        return parsed

    def timestamp(self, node: _Node | None, name: str) -> Any:
        value = self.text(node, name)
        if not value:
            return None
        parsed = parse_timestamp(value)
        if parsed is None:
            self.add("date-format", (f"{name} {value!r} is not a time yyyy/MM/dd HH:mm:ss",
                                     f"{name} {value!r} không đúng dạng thời gian yyyy/MM/dd HH:mm:ss"),
                     self.kid(node, name))
        return parsed

    def integer(self, node: _Node | None, name: str) -> int | None:
        value = self.text(node, name)
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            self.add("number-format", (f"{name} {value!r} is not a whole number",
                                       f"{name} {value!r} không phải là số nguyên"), self.kid(node, name))
            return None

    def code_list(self, node: _Node | None, name: str, cls: Any, default: Any,
                  warn_values: tuple[int, ...] = ()) -> Any:
        value = self.integer(node, name)
        if value is None:
            return default
        try:
            member = cls(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in cls if m.value not in warn_values)
            self.add("code-list", (f"{name} {value} is not in the code list ({allowed})",
                                   f"{name} {value} không thuộc bảng mã ({allowed})"), self.kid(node, name))
            return default
        if value in warn_values:
            self.add("code-list", (f"{name} {value} is not in the code list; accepted as one SDK writes it",
                                   f"{name} {value} không thuộc bảng mã; vẫn chấp nhận vì một SDK ghi như vậy"),
                     self.kid(node, name), Severity.WARNING)
        return member

    # blocks
    def organ(self, node: _Node | None) -> Organ:
        if node is None:
            return Organ()
        o = Organ(
            organ_id=self.organ_id(node),
            organization_in_charge=self.text(node, "OrganizationInCharge", strip=False),
            name=self.text(node, "OrganName", strip=False),
            address=self.text(node, "OrganAdd", strip=False),
            email=self.text(node, "Email"),
            telephone=self.text(node, "Telephone"),
            fax=self.text(node, "Fax"),
            website=self.text(node, "Website"),
        )
        self.length(node, "OrganName", o.name)
        return o

    def staff(self, node: _Node | None) -> StaffInfo | None:
        if node is None:
            return None
        return StaffInfo(department=self.text(node, "Department", strip=False),
                         staff=self.text(node, "Staff", strip=False), email=self.text(node, "Email"),
                         mobile=self.text(node, "Mobile"))

    def response_for(self, node: _Node) -> ResponseFor:
        doc_id = self.text(node, "DocumentId")
        if doc_id:
            msg = check_document_id(doc_id)
            if msg:
                self.add("document-id", msg, self.kid(node, "DocumentId"))
        return ResponseFor(organ_id=self.organ_id(node, required=False), code=self.text(node, "Code"),
                           promulgation_date=self.date(node, "PromulgationDate"), document_id=doc_id)

    def signer(self, node: _Node | None) -> Signer | None:
        if node is None:
            return None
        comp = self.text(node, "Competence")
        position = self.text(node, "Position", strip=False)
        full_name = self.text(node, "FullName", strip=False)
        self.length(node, "Position", position)
        self.length(node, "FullName", full_name)
        authority = None
        authority_of = comp
        m = _AUTHORITY_RE.match(comp)
        if m:
            authority = Authority.parse(m[1])
            authority_of = comp[m.end():]
        if not (comp or position or full_name):
            return None
        return Signer(full_name=full_name, position=position, authority=authority, authority_of=authority_of)

    def business(self, node: _Node | None) -> Business:
        if node is None:
            return Business()
        btype = self.code_list(node, "BussinessDocType", BusinessType, BusinessType.NEW)
        info = self.kid(node, "BussinessDocumentInfo")
        receivers = []
        for r in self.kids(self.kid(info, "ReceiverList"), "Receiver"):
            rtype = self.text(r, "ReceiverType")
            if rtype not in ("0", "1"):
                self.add("code-list", (f"ReceiverType {rtype!r} is not 0 (removed) or 1 (added)",
                                       f"ReceiverType {rtype!r} không phải 0 (bỏ) hoặc 1 (thêm)"),
                         self.kid(r, "ReceiverType") or r)
            receivers.append(ReceiverChange(organ_id=self.organ_id(r), added=rtype != "0"))
        replacements = []
        for rep in self.kids(self.kid(node, "ReplacementInfoList"), "ReplacementInfo"):
            oids = []
            for o in self.kids(self.kid(rep, "OrganIdList"), "OrganId"):
                value = o.text.strip()
                msg = check_organ_id(value)
                if msg:
                    self.add("organ-id", msg, o)
                oids.append(value)
            replacements.append(ReplacementInfo(document_id=self.text(rep, "DocumentId"), organ_ids=tuple(oids)))
        doc_id = self.text(node, "DocumentId")
        if btype is not BusinessType.NEW:
            msg = check_document_id(doc_id)
            if msg:
                self.add("document-id", msg, self.kid(node, "DocumentId") or node)
        return Business(
            type=btype, reason=self.text(node, "BussinessDocReason", strip=False), document_id=doc_id,
            paper=self.text(node, "Paper"), staff=self.staff(self.kid(node, "StaffInfo")),
            document_info=self.text(info, "DocumentInfo", strip=False),
            document_receiver=self.text(info, "DocumentReceiver", strip=False),
            receivers=tuple(receivers), replacements=tuple(replacements),
        )

    def signature(self, header: _Node) -> None:
        for c in header.children:
            if c.local == "DigitalSignature" or (c.local == "Signature" and c.ns != DS):
                self.add("no-envelope-signature",
                         ("no envelope signature: the header carries an empty or placeholder signature that is "
                          "not XML-DSig; authenticity rests on the signed attachment",
                          "Không có chữ ký thông điệp: phần đầu chỉ có chữ ký rỗng hoặc giữ chỗ, không phải "
                          "XML-DSig; tính xác thực dựa vào tệp đính kèm đã ký"), c, Severity.WARNING)
            elif c.local == "Signature":
                self.add("envelope-signature",
                         ("the header carries an XML-DSig signature; check it with edoc verify",
                          "Phần đầu có chữ ký XML-DSig; hãy kiểm tra bằng edoc verify"), c, Severity.INFO)

    # messages
    def document(self, header: _Node, mh: _Node) -> tuple[Document, str]:
        organ = self.organ(self.kid(mh, "From", required=True))
        tos = self.kids(mh, "To")
        if not tos:
            self.add("to-empty", ("the message has no recipient (To)", "Thông điệp không có nơi nhận (To)"), mh,
                     element=f"{mh.path}/To")
        recipients = []
        seen: set[str] = set()
        for t in tos:
            r = self.organ(t)
            if r.organ_id in seen:
                self.add("to-duplicate", (f"recipient {r.organ_id} appears twice",
                                          f"Nơi nhận {r.organ_id} bị lặp"), self.kid(t, "OrganId") or t)
            seen.add(r.organ_id)
            recipients.append(r)
        doc_id = self.text(mh, "DocumentId", required=True)
        code = self.kid(mh, "Code", required=True)
        number_text = self.text(code, "CodeNumber", required=code is not None)
        number = None
        if number_text:
            msg = check_code_number(number_text)
            if msg:
                self.add("code-number", msg, self.kid(code, "CodeNumber"))
            if number_text.isdigit() and number_text.isascii():
                number = int(number_text)
        notation = self.text(code, "CodeNotation", required=code is not None)
        self.length(code, "CodeNotation", notation)
        info = self.kid(mh, "PromulgationInfo", required=True)
        place = self.text(info, "Place", strip=False)
        date = self.date(info, "PromulgationDate", required=info is not None)
        dtype = self.kid(mh, "DocumentType", required=True)
        type_name = self.text(dtype, "TypeName")
        doc_type = DocumentType.CONG_VAN
        if type_name:
            try:
                doc_type = DocumentType.parse(type_name)
            except EdocError:
                self.add("code-list", (f"TypeName {type_name!r} is not a document type of Decree 30 (read as "
                                       "Công văn)", f"TypeName {type_name!r} không phải loại văn bản theo Nghị "
                                       "định 30 (đọc là Công văn)"), self.kid(dtype, "TypeName"))
        summary = self.text(mh, "Subject", strip=False, required=True)
        description = self.text(mh, "Content", strip=False)
        self.length(mh, "Subject", summary)
        self.length(mh, "Content", description)
        places = [p.text for p in self.kids(self.kid(mh, "ToPlaces"), "Place")]
        for p in self.kids(self.kid(mh, "ToPlaces"), "Place"):
            msg = check_length("Place", p.text)
            if msg:
                self.add("length", msg, p)
        other = self.kid(mh, "OtherInfo")
        appendices = []
        for a in self.kids(self.kid(other, "Appendixes"), "Appendix"):
            msg = check_length("Appendix", a.text)
            if msg:
                self.add("length", msg, a)
            appendices.append(Appendix(title=a.text))
        direction_text = self.text(other, "Direction").lower()
        if direction_text not in ("", "true", "false", "0", "1"):
            self.add("number-format", (f"Direction {direction_text!r} is not true or false",
                                       f"Direction {direction_text!r} không phải true hoặc false"),
                     self.kid(other, "Direction"))
        trace_list = self.kid(header, "TraceHeaderList", required=True)
        trace = []
        for th in self.kids(trace_list, "TraceHeader"):
            trace.append(TraceHeader(organ_id=self.organ_id(th), timestamp=self.timestamp(th, "Timestamp")))
        bussiness = self.kids(trace_list, "Bussiness")
        if len(bussiness) > 1:
            self.add("duplicate-element", ("more than one Bussiness block", "Có nhiều hơn một khối Bussiness"),
                     bussiness[1])
        doc = Document(
            organ=organ, recipients=tuple(recipients), number=number, notation=notation, place=place,
            date=date, type=doc_type, type_code=self.integer(dtype, "Type"),
            type_detail=self.integer(dtype, "TypeDetail"), summary=summary, description=description,
            signer=self.signer(self.kid(mh, "SignerInfo")), due_date=self.date(mh, "DueDate"),
            to_places=tuple(places),
            priority=self.code_list(other, "Priority", Priority, Priority.NORMAL),
            sphere_of_promulgation=self.text(other, "SphereOfPromulgation", strip=False),
            drafter_initials=self.text(other, "TyperNotation", strip=False),
            copies=self.integer(other, "PromulgationAmount"), page_amount=self.integer(other, "PageAmount"),
            direction=direction_text in ("true", "1"), appendices=tuple(appendices),
            steering_type=self.code_list(mh, "SteeringType", SteeringType, SteeringType.NOT_DIRECTIVE,
                                         warn_values=(0,)),
            response_for=tuple(self.response_for(r) for r in self.kids(mh, "ResponseFor")),
            trace=tuple(trace), business=self.business(bussiness[0] if bussiness else None),
        )
        if doc_id:
            msg = check_document_id(doc_id)
            if msg:
                self.add("document-id", msg, self.kid(mh, "DocumentId"))
            derived = format_document_id(organ.organ_id, date, number, notation)
            if unicodedata.normalize("NFC", doc_id) != derived:
                doc = doc.replace(document_id_override=doc_id)
                if not msg and number is not None and date is not None:
                    self.add("document-id-mismatch", (
                        f"DocumentId {doc_id!r} differs from From/OrganId, PromulgationDate and Code ({derived!r})",
                        f"DocumentId {doc_id!r} không khớp với mã định danh, ngày ban hành và số, ký hiệu "
                        f"({derived!r})"), self.kid(mh, "DocumentId"), Severity.WARNING)
        return doc, doc_id

    def status(self, node: _Node) -> tuple[StatusMessage, str]:
        """The status of either shape: ``node`` is the SDK's ``MessageHeader`` or the ``Status`` element; both
        hold the same children, in an order the writers do not agree on."""
        for name in ("From", "ResponseFor", "StaffInfo", "StatusCode", "Description", "Timestamp"):
            extra = self.kids(node, name)[1:]
            if extra:
                self.add("duplicate-element", (f"more than one {name} in the status",
                                               f"Có nhiều hơn một phần tử {name} trong thông điệp trạng thái"),
                         extra[0])
        rf_node = self.kid(node, "ResponseFor", required=True)
        rf = self.response_for(rf_node) if rf_node is not None else ResponseFor()
        if rf_node is not None and not rf.document_id:  # receivers key on it
            self.text(rf_node, "DocumentId", required=True)
        self.kid(node, "Timestamp", required=True)
        raw = self.text(node, "StatusCode", required=True)
        code = StatusCode.UNKNOWN
        known = {m.value: m for m in StatusCode if m is not StatusCode.UNKNOWN}
        if raw in known:
            code = known[raw]
        elif raw.isdigit() and raw.isascii() and f"{int(raw):02d}" in known:
            code = known[f"{int(raw):02d}"]
        elif raw:
            self.add("unknown-status", (f"status code {raw!r} is not one the spec defines; read as unknown",
                                        f"Mã trạng thái {raw!r} không có trong quy định; đọc là không xác định"),
                     self.kid(node, "StatusCode"), Severity.WARNING)
        status = StatusMessage(
            response_for=rf, sender=self.organ(self.kid(node, "From", required=True)), code=code,
            description=self.text(node, "Description", strip=False),
            timestamp=self.timestamp(node, "Timestamp"), staff=self.staff(self.kid(node, "StaffInfo")),
            raw_code=raw if code is StatusCode.UNKNOWN or raw != code.value else "",
        )
        if code in (StatusCode.REJECTED, StatusCode.RECALL_REFUSED) and not status.description.strip():
            self.add("status-reason", (f"status {code.value} ({code.name_vi}) gives no reason in Description",
                                       f"Trạng thái {code.value} ({code.name_vi}) không nêu lý do trong Description"),
                     self.kid(node, "Description") or node, Severity.WARNING)
        return status, rf.document_id


# -- attachments ----------------------------------------------------------------------------------------


def _expand_single(interp: _Interpreter, zf: zipfile.ZipFile, entries: list[zipfile.ZipInfo], enc: _Node,
                   folder: Path | None, safe: str, where: str,
                   created: list[Path]) -> tuple[tuple[int, str] | None, Path | None] | None:
    """Expand the one file of a zip attachment (to ``folder/safe``, or only hashed).

    ``None`` when the zip does not hold exactly one file; ``(None, None)`` when the entry is corrupt (a
    finding; the caller keeps the zip as it came); else ``((size, sha256), path)``.
    """
    if len(entries) != 1:
        return None
    tmp: Path | None = None
    try:
        if folder is None:
            return expand_entry(zf, entries[0], cast(IO[bytes], _Discard()), where=where), None
        fd, name = tempfile.mkstemp(prefix=".edoc-", suffix=".part", dir=folder)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as dst:
            result = expand_entry(zf, entries[0], dst, where=where)
        final = folder / safe
        os.replace(tmp, final)
        created.append(final)
        return result, final
    except MalformedFile as exc:
        interp.add("attachment-zip", (exc.message, exc.message_vi or exc.message), enc)
        return None, None
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        return len(b)


def _attachments(interp: _Interpreter, root: _Node, envelope: _Node, target: _Target, folder: Path | None,
                 limits: ReadLimits, created: list[Path]) -> tuple[list[AttachmentInfo], list[Attachment]]:
    keep_data = target.keep and folder is None
    refs = {}
    manifest = interp.kid(interp.kid(envelope, "edXMLBody"), "edXMLManifest")
    for reference in interp.kids(manifest, "Reference"):
        cid = interp.text(reference, "ContentId") or (reference.attrib or {}).get(
            "{http://www.w3.org/1999/xlink}href", "").strip()
        refs[cid.removeprefix("cid:")] = reference
    infos: list[AttachmentInfo] = []
    models: list[Attachment] = []
    taken: set[str] = set()
    seen: set[str] = set()
    for i, att in enumerate(interp.kids(interp.kid(root, "AttachmentEncoded"), "Attachment")):
        cid = interp.text(att, "ContentId").removeprefix("cid:")
        seen.add(cid)
        ref: _Node | None = refs.get(cid)
        if ref is None:
            interp.add("manifest", (f"attachment {cid!r} has no Reference in the manifest",
                                    f"Tệp đính kèm {cid!r} không có Reference trong edXMLManifest"), att,
                       Severity.WARNING)
        name = interp.text(att, "AttachmentName", strip=False) or interp.text(ref, "AttachmentName", strip=False)
        msg = check_length("AttachmentName", name)
        if msg:
            interp.add("length", msg, interp.kid(att, "AttachmentName") or att)
        description = interp.text(att, "Description", strip=False) or interp.text(ref, "Description", strip=False)
        carried_type = interp.text(att, "ContentType")
        ref_type = interp.text(ref, "ContentType")
        enc = interp.kid(att, "ContentTransferEncoded", required=True)
        if enc is None or enc.payload is None:
            continue
        payload = enc.payload
        where = att.path
        if keep_data:  # as carried, for a caller that examines the bytes itself (zips not unpacked)
            problem = None
            if payload.error:
                interp.add("attachment-encoding", payload.error, enc)
                problem = interp.findings[-1]
            fh = payload.fh
            infos.append(AttachmentInfo(
                name=name, content_type=carried_type or ref_type or guess_content_type(name),
                description=description, content_id=cid, size=payload.size, sha256=payload.digest.hexdigest(),
                zipped=payload.zipped, packed_size=payload.size, problem=problem,
                data=None if problem else fh.getvalue() if isinstance(fh, io.BytesIO) else b""))
            payload.discard()
            continue
        if payload.error:
            interp.add("attachment-encoding", payload.error, enc)
            payload.discard()
            continue
        zipped = payload.zipped
        size, sha = payload.size, payload.digest.hexdigest()
        final: Path | None = None
        safe = safe_file_name(name, i, taken) if folder is not None else name
        if folder is not None and safe != name:
            interp.add("attachment-name", (f"attachment name {name!r} is not a plain file name; extracted as "
                                           f"{safe!r}", f"Tên tệp đính kèm {name!r} không phải tên tệp đơn "
                                           f"thuần; đã lưu thành {safe!r}"), interp.kid(att, "AttachmentName")
                       or att, Severity.WARNING)
        if zipped:
            assert payload.fh is not None
            payload.fh.seek(0)
            try:
                zf = open_zip(payload.fh, limits.zip, where=where)
            except HostileInput:
                raise
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                zf = None
                interp.add("attachment-zip", (f"the attachment looks like a zip but cannot be opened: {exc}",
                                              f"Tệp đính kèm có dạng zip nhưng không mở được: {exc}"), enc)
            if zf is not None:
                with zf:
                    entries = checked_entries(zf, limits.zip, where=where)
                    expanded = _expand_single(interp, zf, entries, enc, folder, safe, where, created)
                    if expanded is not None and expanded[0] is not None:
                        (size_sha, final), packed = expanded, size
                        assert size_sha is not None
                        size, sha = size_sha
                        payload.discard()
                        infos.append(AttachmentInfo(
                            name=name, description=description, content_id=cid, size=size, sha256=sha,
                            zipped=True, packed_size=packed, path=final,
                            content_type=ref_type if ref_type and ref_type != "application/zip"
                            else guess_content_type(name)))
                        models.append(Attachment(name=name, path=final, content_type=infos[-1].content_type,
                                                 description=description, content_id=cid))
                        continue
                    if expanded is None:  # (a corrupt entry was reported by _expand_single)
                        interp.add("attachment-zip", (f"the zip holds {len(entries)} files, not one; kept as a zip",
                                                      f"Tệp zip chứa {len(entries)} tệp, không phải một; giữ "
                                                      "nguyên tệp zip"), enc, Severity.WARNING)
        if folder is not None and payload.fh is not None and payload.tmp_path is not None:
            payload.fh.close()
            payload.fh = None
            final = folder / safe
            os.replace(payload.tmp_path, final)
            created.append(final)
            payload.tmp_path = None
        payload.discard()
        content_type = carried_type or ref_type or guess_content_type(name)
        infos.append(AttachmentInfo(name=name, content_type=content_type, description=description,
                                    content_id=cid, size=size, sha256=sha, zipped=False, packed_size=size,
                                    path=final))
        models.append(Attachment(name=name, path=final, content_type=content_type, description=description,
                                 content_id=cid))
    for cid, listed in refs.items():
        if cid not in seen:
            interp.add("manifest", (f"the manifest names {cid!r} but no attachment carries it",
                                    f"edXMLManifest nêu {cid!r} nhưng không có tệp đính kèm tương ứng"), listed)
    return infos, models


# -- entry point ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _open_source(source: str | Path | bytes | IO[bytes]) -> Any:
    if isinstance(source, (str, Path)):
        try:
            fh = open(source, "rb")
        except OSError as exc:
            raise ResourceError(f"cannot read the file: {exc.strerror}", path=source,
                                message_vi=f"Không đọc được tệp: {exc.strerror}") from exc
        with fh:
            yield fh, str(source)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        yield io.BytesIO(bytes(source)), None
    elif hasattr(source, "read"):
        yield source, getattr(source, "name", None) if isinstance(getattr(source, "name", None), str) else None
    else:
        raise TypeError(f"source must be a path, bytes or a binary file, not {type(source).__name__}")


def _read(source: str | Path | bytes | IO[bytes], extract_to: str | Path | None,
          limits: ReadLimits, keep_data: bool = False) -> tuple[ReadResult, _Node]:
    folder = Path(extract_to).resolve() if extract_to is not None else None
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ResourceError(f"cannot create the folder: {exc.strerror}", path=folder) from exc
    target = _Target(limits, folder, keep_data)
    created: list[Path] = []
    try:
        with _open_source(source) as (fh, path):
            root = _parse_stream(fh, target, path)
            interp = _Interpreter(path)
            if root.local != "edXML":
                raise MalformedFile(f"not an edXML message (root element {root.local})", path=path,
                                    line=root.line, message_vi=f"Không phải thông điệp edXML (phần tử gốc "
                                    f"{root.local})")
            if root.ns != NS:
                interp.add("namespace", (f"the root is in namespace {root.ns!r}, not {NS}",
                                         f"Phần tử gốc thuộc không gian tên {root.ns!r}, không phải {NS}"), root)
            envelope = interp.kid(root, "edXMLEnvelope")
            header = interp.kid(envelope, "edXMLHeader")
            if envelope is None or header is None:
                raise MalformedFile("the message has no edXMLEnvelope/edXMLHeader", path=path,
                                    message_vi="Thông điệp thiếu edXMLEnvelope/edXMLHeader")
            mh = interp.kid(header, "MessageHeader")
            st = interp.kid(header, "Status")
            interp.signature(header)
            document: Document | None = None
            status: StatusMessage | None = None
            shape: StatusShape | None = None
            infos: list[AttachmentInfo] = []
            if mh is not None and mh.kids("StatusCode"):  # the SDK's status: inside MessageHeader
                status, doc_id = interp.status(mh)
                shape = StatusShape.SDK
            elif mh is not None:
                document, doc_id = interp.document(header, mh)
                infos, models = _attachments(interp, root, envelope, target, folder, limits, created)
                if models:
                    document = document.replace(attachments=tuple(models))
            elif st is not None:
                status, doc_id = interp.status(st)
                shape = StatusShape.STATUS_ELEMENT
            else:
                raise MalformedFile("the header has neither a MessageHeader nor a Status", path=path,
                                    line=header.line, message_vi="Phần đầu thông điệp không có MessageHeader "
                                    "hoặc Status")
    except BaseException as exc:
        for p in created:
            with contextlib.suppress(OSError):
                p.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, EdocError):  # e.g. the extraction disk is full
            raise ResourceError(f"cannot write the attachments: {exc.strerror or exc}", path=folder,
                                message_vi=f"Không ghi được tệp đính kèm: {exc.strerror or exc}") from exc
        raise
    finally:
        for payload in target.payloads:
            payload.discard()
    findings = tuple(sorted(interp.findings, key=lambda f: f.line or 0))  # document order (stable)
    result = ReadResult(document=document, status=status, findings=findings,
                        attachments=tuple(infos), document_id=doc_id, status_shape=shape)
    return result, root


def read_edxml(source: str | Path | bytes | IO[bytes], *, extract_to: str | Path | None = None,
               limits: ReadLimits | None = None, keep_data: bool = False) -> ReadResult:
    """Read an edXML document or status message.

    :param source: a path, the bytes of the message, or a binary file.
    :param extract_to: folder to write the attachments into (unzipped when packed as zip, under their
        ``AttachmentName`` made safe); the document's attachments then point at these files.
    :param limits: bounds on the input (:class:`ReadLimits`).
    :param keep_data: keep every attachment's decoded bytes in memory, as carried (zips not unpacked), in
        :attr:`AttachmentInfo.data`, and list undecodable ones with their ``problem`` (the verifier reads
        attachments this way: nothing is written); not with ``extract_to``.
    :returns: a :class:`ReadResult`; rules the message breaks are in ``findings``.
    :raises MalformedFile: not XML, or not an edXML message at all.
    :raises HostileInput: DTD/entities, oversized input, a zip bomb or traversing zip entry.
    :raises ResourceError: the file cannot be read or the attachments cannot be written.
    """
    if keep_data and extract_to is not None:
        raise InvalidInput("keep_data and extract_to exclude each other", field="keep_data",
                           message_vi="Không dùng keep_data cùng với extract_to")
    result, _ = _read(source, extract_to, limits or ReadLimits(), keep_data)
    return result
