"""Exclusive XML Canonicalization 1.0 (without comments) of a whole document, streamed.

The enveloped XML signature of an edXML message covers the whole document (``URI=""``, enveloped-signature
transform, exclusive C14N). Building an lxml tree for that holds a 20 MiB base64 attachment several times
over (the parser's text node, the canonical copy, the serialised output); this module instead reads the
document in chunks and writes its canonical form into a ``write`` callable (normally ``hash.update``). Text
that needs no change in canonical form (base64 never does: no ``&``, ``<``, ``>`` or CR) is passed on as a
zero-copy slice of the input, so the cost is little more than hashing the file.

The canonicaliser tokenises markup itself because the lxml event interfaces do not tell which *prefix* an
element was written with (edXML binds its namespace both as the default and to ``edXML:``, and canonical
form keeps the prefix). It is not a validating parser: the same bytes are fed, chunk by chunk, to a hardened
lxml parser with an empty target (:func:`edoc.util.xml.xml_target_parser`), so input that is not well-formed,
declares a DTD or is otherwise refused by the one parser factory raises exactly as a tree parse would.
Anything outside the shapes handled here (a non-UTF-8 encoding, a self-closing element the caller wants to
insert into, a tag, processing instruction or character reference longer than 1 MiB) raises
:class:`NotStreamable`; callers then fall back to a parsed tree.

Read boundaries: the source is read in :data:`CHUNK` pieces (short reads are fine), and a token cut by a
boundary is completed before it is written: a character or entity reference of any length (leading zeros are
allowed: ``&#x0000000041;``), a CR of a CR-LF pair, a UTF-8 sequence, a tag. Comments and CDATA sections are
consumed as they are read, so their length costs no memory. ``tests/edxml/test_c14n_boundaries.py`` checks
the output against lxml's at every offset of a document holding every token kind.

An :class:`Observer` sees every element start and end (with byte offsets, namespace context and ``Id``-like
attributes) and may leave an element's subtree out of the canonical form (the signature being verified, an SDK
placeholder being replaced); the raw bytes of such subtrees are captured on request.

Canonical form, as in the W3C recommendation ``http://www.w3.org/2001/10/xml-exc-c14n#``: UTF-8; the XML
declaration and comments dropped; processing instructions outside the root element kept on their own line;
line ends normalised to LF; empty elements written as start/end pairs; a namespace declaration written on an
element only when the element or one of its attributes uses the prefix and the nearest written ancestor did
not already declare it with the same value; declarations sorted by prefix before attributes sorted by
(namespace URI, local name); attribute values and text escaped as the recommendation says.
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NoReturn, Protocol, cast

from lxml import etree

from edoc.errors import MalformedFile, UnsupportedFeature
from edoc.util.namespaces import XML
from edoc.util.xml import MAX_XML_BYTES, check_prolog, xml_target_parser

__all__ = ["CHUNK", "Element", "NotStreamable", "Observer", "canonicalize", "XML_NS"]

#: Bytes read (and fed to the validating parser) at a time.
CHUNK = 1 << 20
XML_NS = XML  # the xml: prefix's namespace (edoc.util.namespaces)
_MAX_TAG = 1 << 20  # a start tag longer than this is not streamed (the tree path takes it)

_START = re.compile(rb"""<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(/?)>""")
_ATTR = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_DECL_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class NotStreamable(UnsupportedFeature):
    """The document uses a shape the streaming canonicaliser does not handle; use a parsed tree instead."""


@dataclass(eq=False)
class Element:
    """An element seen while streaming (the observer's view; no text or children are kept).

    :param qname: the name as written (``edXML:edXMLHeader``).
    :param uri: its namespace URI (``""`` for none); ``local`` its local name.
    :param depth: 0 for the root element.
    :param offset: byte offset of its ``<``; ``close`` of its end tag's ``<`` (``-1`` when self-closing);
        ``end`` the offset just after its last byte (both set when the element ends).
    :param attrs: ``(namespace URI, local name, value)`` of its attributes (not the namespace declarations).
    :param ns: the namespace bindings in scope (prefix → URI, ``""`` for the default namespace), a mapping
        that shares its ancestors' bindings (a :class:`~collections.ChainMap`: no copy per element).
    :param skipped: whether it lies in a subtree left out of the canonical form.
    :param children: number of element children seen so far.
    :param raw: the element's bytes, when it was left out and the observer asked for them.
    """

    qname: str
    uri: str
    local: str
    depth: int
    offset: int
    parent: Element | None
    attrs: list[tuple[str, str, str]]
    ns: Mapping[str, str]
    skipped: bool = False
    children: int = 0
    close: int = -1
    end: int = -1
    raw: bytes | None = None
    rendered: ChainMap[str, str] = field(default_factory=ChainMap, repr=False)

    def get(self, local: str, uri: str = "") -> str | None:
        """The value of attribute ``{uri}local``, or ``None``."""
        for a_uri, a_local, value in self.attrs:
            if a_local == local and a_uri == uri:
                return value
        return None


class Observer(Protocol):
    """What a caller of :func:`canonicalize` learns while the document streams by."""

    def start(self, el: Element) -> bool | str:
        """Called at each start tag. Return ``True`` to leave the element and its subtree out of the canonical
        form, ``"capture"`` to leave it out *and* keep its raw bytes in :attr:`Element.raw`, else ``False``."""
        ...

    def end(self, el: Element) -> None:
        """Called at each end tag (``el.close`` and ``el.end`` are set)."""
        ...


class _NullTarget:
    """An lxml parser target that keeps nothing: the parser only checks well-formedness and the refusals."""

    def close(self) -> None:
        return None


def _char(m: re.Match[str]) -> str:
    hexa, dec, name = m.groups()
    if name:
        return _NAMED[name]
    return chr(int(hexa, 16) if hexa else int(dec))


def _attr_value(raw: bytes) -> str:
    """The normalised value of an attribute (XML 1.0 §3.3.3, every attribute being CDATA without a DTD)."""
    s = raw.decode("utf-8")
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" in s or "\t" in s:
        s = s.replace("\n", " ").replace("\t", " ")
    if "&" in s:
        s = _REF.sub(_char, s)
    return s


def _escape_attr(s: str) -> str:
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if '"' in s:
        s = s.replace('"', "&quot;")
    if "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\t", "&#x9;").replace("\n", "&#xA;").replace("\r", "&#xD;")
    return s


def _escape_text(s: str) -> str:
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if "\r" in s:
        s = s.replace("\r", "&#xD;")
    return s


def _canon_text(raw: bytes, *, refs: bool = True) -> bytes:
    """Canonical form of character data (``refs=False`` for a CDATA section's content)."""
    if b"&" not in raw or not refs:
        if b"\r" in raw:
            raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if b"&" in raw:
            raw = raw.replace(b"&", b"&amp;")
        if b"<" in raw:
            raw = raw.replace(b"<", b"&lt;")
        if b">" in raw:
            raw = raw.replace(b">", b"&gt;")
        return raw
    s = raw.decode("utf-8")
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _escape_text(_REF.sub(_char, s)).encode("utf-8")


def _pi(body: bytes) -> bytes:
    """Canonical form of a processing instruction ``<?body?>``."""
    body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    parts = body.split(None, 1)
    if not parts:
        raise NotStreamable("empty processing instruction")
    target = parts[0]
    data = parts[1].lstrip() if len(parts) > 1 else b""
    return b"<?" + target + (b" " + data if data else b"") + b"?>"


class _Stream:
    """The tokenizer and writer; one per call of :func:`canonicalize`."""

    def __init__(self, read: Callable[[int], bytes], write: Callable[[Any], Any], observer: Observer,
                 path: str | Path | None) -> None:
        self.read, self.write, self.observer, self.path = read, write, observer, path
        self.validator = xml_target_parser(_NullTarget())
        self.buf = b""
        self.base = 0  # absolute offset of buf[0]
        self.pos = 0
        self.final = False
        self.stack: list[Element] = []
        self.root_done = False
        self.root_seen = False
        self.skip_depth = 0  # > 0 inside a subtree left out
        self.capture: Element | None = None
        self.capture_parts: list[bytes] = []
        self.capture_from = 0  # index in buf where the captured bytes not yet saved start
        self.total = 0

    # -- input ---------------------------------------------------------------------------------------
    def _feed_validator(self, data: bytes) -> None:
        try:
            self.validator.feed(data)
        except etree.XMLSyntaxError as exc:
            raise MalformedFile(f"not well-formed XML: {exc.msg}", path=self.path, line=exc.lineno or None,
                                message_vi=f"XML không đúng cú pháp: {exc.msg}") from exc

    def refill(self) -> bool:
        """Drop the consumed part of the buffer and read more; ``False`` at the end of the input."""
        if self.final:
            return False
        chunk = self.read(CHUNK)
        if not chunk:
            self.final = True
            self._close_validator()
            return False
        self.total += len(chunk)
        if self.total > MAX_XML_BYTES:
            raise NotStreamable("document too large")
        if self.total == len(chunk):
            check_prolog(chunk[:65536], path=self.path)
        self._feed_validator(chunk)
        if self.capture is not None:
            self.capture_parts.append(self.buf[self.capture_from:self.pos])
            self.capture_from = 0
        self.buf = self.buf[self.pos:] + chunk if self.pos < len(self.buf) else chunk
        self.base += self.pos
        self.pos = 0
        return True

    def _close_validator(self) -> None:
        try:
            self.validator.close()
        except etree.XMLSyntaxError as exc:
            raise MalformedFile(f"not well-formed XML: {exc.msg}", path=self.path, line=exc.lineno or None,
                                message_vi=f"XML không đúng cú pháp: {exc.msg}") from exc

    def invalid_utf8(self, exc: UnicodeDecodeError) -> NoReturn:
        """Text, a name or an attribute value that is not UTF-8 (found by a decoding here): every byte decoded
        was fed to the validating parser, so closing it reports the error where libxml2 locates it (its push
        parser may not have reached the bytes yet). Should it accept them, the fault is this module's cut of
        the text: :class:`NotStreamable`, and the tree path decides."""
        if not self.final:
            self.final = True
            self._close_validator()  # raises MalformedFile with libxml2's line and column
        raise NotStreamable(f"text not decoded as UTF-8 here ({exc.reason}) although the XML parser accepts it",
                            message_vi="văn bản không giải mã được theo UTF-8 tại đây dù bộ phân tích XML chấp nhận")

    def need(self, n: int) -> bool:
        """Make ``n`` bytes from ``pos`` available if the input has them."""
        while len(self.buf) - self.pos < n:
            if not self.refill():
                return False
        return True

    def find(self, token: bytes, start: int) -> int:
        """Index in ``buf`` of ``token`` at or after ``pos + start``, reading on as needed; -1 at the end.

        The bytes from ``pos`` are kept until the token is found, so a construct longer than ``_MAX_TAG`` (a
        processing instruction, an end tag, the XML declaration) is not streamed: keeping it would copy the
        growing buffer at every read.
        """
        while True:
            i = self.buf.find(token, self.pos + start)
            if i >= 0:
                return i
            if len(self.buf) - self.pos > _MAX_TAG:
                raise NotStreamable("markup longer than the streaming bound")
            start = max(0, len(self.buf) - self.pos - len(token) + 1)
            if not self.refill():
                return -1

    def skip_to(self, token: bytes, start: int, emit: Callable[[int, int], None] | None = None) -> int:
        """Like :meth:`find`, but the bytes before the token are consumed as the input is read (``emit`` sees
        each consumed range ``buf[a:b]`` first), so a comment or CDATA section of any length needs one read
        buffer. A CR just before a read boundary is kept back with the token's possible start, so ``emit``
        never sees a CR-LF pair cut in two."""
        keep = len(token) - 1
        a = self.pos + start
        while True:
            i = self.buf.find(token, a)
            if i >= 0:
                if emit is not None:
                    emit(a, i)
                return i
            cut = max(a, len(self.buf) - keep)
            if cut > a and self.buf[cut - 1] == 0x0D:
                cut -= 1
            if emit is not None:
                emit(a, cut)
            self.pos = cut
            if not self.refill():
                return -1
            a = self.pos

    # -- output --------------------------------------------------------------------------------------
    def emit_text(self, a: int, b: int) -> None:
        """Character data ``buf[a:b]`` (complete: no reference or CR-LF cut at ``b``)."""
        if a >= b or self.skip_depth or not self.stack:
            return
        buf = self.buf
        if buf.find(b"&", a, b) < 0 and buf.find(b"\r", a, b) < 0 and buf.find(b">", a, b) < 0:
            self.write(memoryview(buf)[a:b])
        else:
            self.write(_canon_text(buf[a:b]))

    def _cdata(self, a: int, b: int) -> None:
        if a < b:
            self.write(_canon_text(self.buf[a:b], refs=False))

    # -- the loop ------------------------------------------------------------------------------------
    def run(self) -> None:
        self.need(8)
        if self.buf.startswith(b"\xef\xbb\xbf"):
            self.pos = 3
        if self.buf[self.pos:self.pos + 2] in (b"\xfe\xff", b"\xff\xfe") or self.buf[self.pos:self.pos + 1] == b"\x00":
            raise NotStreamable("not UTF-8")
        self.need(8)
        if self.buf.startswith(b"<?xml", self.pos) and self.buf[self.pos + 5:self.pos + 6].isspace():
            end = self.find(b"?>", 5)
            if end < 0:
                raise NotStreamable("unterminated XML declaration")
            m = _DECL_ENCODING.search(self.buf, self.pos, end)
            if m is not None and m.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
                raise NotStreamable(f"encoding {m.group(1).decode('ascii', 'replace')}")
            self.pos = end + 2
        while True:
            lt = self.buf.find(b"<", self.pos)
            if lt < 0:
                if self.final:
                    self.emit_text(self.pos, len(self.buf))
                    self.pos = len(self.buf)
                    break
                self._text_to_end()
                continue
            self.emit_text(self.pos, lt)
            self.pos = lt
            self._markup()
        if self.stack or not self.root_done:
            self._close_validator()  # reports the real error
            raise NotStreamable("the document ended inside an element")

    def _text_to_end(self) -> None:
        """Emit the text up to the end of the buffer, keeping back a reference or CR cut at the boundary.

        A character reference may be of any length (``&#x0000000041;``: leading zeros are allowed), so the
        whole unterminated reference is kept back, however far before the boundary it starts."""
        buf, a = self.buf, self.pos
        cut = len(buf)
        amp = buf.rfind(b"&", a, cut)
        if amp >= 0 and buf.find(b";", amp, cut) < 0:
            if cut - amp > _MAX_TAG:
                raise NotStreamable("a reference longer than the streaming bound")
            cut = amp
        if cut > a and buf[cut - 1] == 0x0D:
            cut -= 1
        j = cut - 1  # do not cut a UTF-8 sequence (the slow path decodes)
        while j > a and j > cut - 4 and 0x80 <= buf[j] < 0xC0:
            j -= 1
        if j >= a and buf[j] >= 0xC0 and j + (2 if buf[j] < 0xE0 else 3 if buf[j] < 0xF0 else 4) > cut:
            cut = j
        self.emit_text(a, cut)
        self.pos = cut
        self.refill()

    def _markup(self) -> None:
        if not self.need(9) and len(self.buf) - self.pos < 2:
            raise NotStreamable("truncated markup")
        buf, pos = self.buf, self.pos
        if buf.startswith(b"<!--", pos):
            end = self.skip_to(b"-->", 4)
            if end < 0:
                raise NotStreamable("unterminated comment")
            self.pos = end + 3
        elif buf.startswith(b"<![CDATA[", pos):
            end = self.skip_to(b"]]>", 9, self._cdata if self.stack and not self.skip_depth else None)
            if end < 0:
                raise NotStreamable("unterminated CDATA section")
            self.pos = end + 3
        elif buf.startswith(b"<?", pos):
            end = self.find(b"?>", 2)
            if end < 0:
                raise NotStreamable("unterminated processing instruction")
            pi = _pi(self.buf[self.pos + 2:end])
            if not self.skip_depth:
                if self.stack:
                    self.write(pi)
                elif self.root_done:
                    self.write(b"\n" + pi)
                else:
                    self.write(pi + b"\n")
            self.pos = end + 2
        elif buf.startswith(b"</", pos):
            end = self.find(b">", 2)
            if end < 0:
                raise NotStreamable("unterminated end tag")
            self._end_tag(self.buf[self.pos + 2:end].rstrip().decode("utf-8"), self.pos, end + 1)
        elif buf.startswith(b"<!", pos):
            raise NotStreamable("markup declaration")  # a DOCTYPE: check_prolog refuses it first
        else:
            m = _START.match(self.buf, self.pos)
            while m is None:
                if self.final or len(self.buf) - self.pos > _MAX_TAG:
                    raise NotStreamable("start tag not understood")
                self.refill()
                m = _START.match(self.buf, self.pos)
            self._start_tag(m)

    def _start_tag(self, m: re.Match[bytes]) -> None:
        if self.root_done:
            raise NotStreamable("content after the root element")
        qname = m.group(1).decode("utf-8")
        parent = self.stack[-1] if self.stack else None
        scope = cast("ChainMap[str, str]", parent.ns) if parent is not None else ChainMap({"": "", "xml": XML_NS})
        decls: dict[str, str] = {}
        plain: list[tuple[str, str]] = []
        for name_b, v1, v2 in _ATTR.findall(m.group(2)):
            name = name_b.decode("utf-8")
            value = _attr_value(v1 if v1 or not v2 else v2)
            if name == "xmlns":
                decls[""] = value
            elif name.startswith("xmlns:"):
                decls[name[6:]] = value
            else:
                plain.append((name, value))
        # shared with the ancestors, not copied: a root declaring many prefixes over many elements that declare
        # one more each would otherwise cost their product
        ns = scope.new_child(decls) if decls else scope
        prefix, _, local = qname.rpartition(":")
        uri = ns.get(prefix, "" if not prefix else None)  # type: ignore[arg-type]
        if uri is None:
            raise NotStreamable(f"unbound prefix {prefix}")
        attrs: list[tuple[str, str, str]] = []
        used = {prefix}
        qnames: list[tuple[str, str, str, str]] = []
        for name, value in plain:
            a_prefix, _, a_local = name.rpartition(":")
            if a_prefix:
                a_uri = ns.get(a_prefix)
                if a_uri is None:
                    raise NotStreamable(f"unbound prefix {a_prefix}")
                if a_prefix != "xml":
                    used.add(a_prefix)
            else:
                a_uri = ""
            attrs.append((a_uri, a_local, value))
            qnames.append((a_uri, a_local, name, value))
        depth = len(self.stack)
        el = Element(qname, uri, local, depth, self.base + m.start(), parent, attrs, ns)
        if parent is not None:
            parent.children += 1
        else:
            self.root_seen = True
        el.skipped = self.skip_depth > 0
        choice = self.observer.start(el)
        self_closing = bool(m.group(3))
        if choice and not self.skip_depth:
            el.skipped = True
            if choice == "capture":
                self.capture = el
                self.capture_parts = []
                self.capture_from = m.start()
        if el.skipped:
            self.skip_depth += 1
        else:
            rendered: ChainMap[str, str] = parent.rendered if parent is not None else ChainMap()
            out = []
            for p in sorted(used):
                value = ns.get(p, "")
                if rendered.get(p, "") != value or (p and p not in rendered):
                    out.append((p, value))
            if out:
                rendered = rendered.new_child(dict(out))
            el.rendered = rendered
            parts = ["<", qname]
            for p, value in out:
                parts += [" xmlns:" if p else " xmlns", p, '="', _escape_attr(value), '"']
            for _a_uri, _a_local, name, value in sorted(qnames):
                parts += [" ", name, '="', _escape_attr(value), '"']
            parts.append(">")
            self.write("".join(parts).encode("utf-8"))
        self.stack.append(el)
        self.pos = m.end()
        if self_closing:
            self._end_tag(qname, -1, m.end())

    def _end_tag(self, qname: str, close: int, end: int) -> None:
        if not self.stack or self.stack[-1].qname != qname:
            raise NotStreamable("mismatched end tag")
        el = self.stack.pop()
        el.close = self.base + close if close >= 0 else -1
        el.end = self.base + end
        if el.skipped:
            self.skip_depth -= 1
            if self.capture is el:
                self.capture_parts.append(self.buf[self.capture_from:end])
                el.raw = b"".join(self.capture_parts)
                self.capture, self.capture_parts = None, []
        else:
            self.write(b"</" + qname.encode("utf-8") + b">")
        self.pos = end
        if not self.stack:
            self.root_done = True
        self.observer.end(el)


def canonicalize(source: bytes | str | Path | IO[bytes], write: Callable[[Any], Any], observer: Observer, *,
                 path: str | Path | None = None) -> int:
    """Stream the exclusive canonical form (without comments) of the document ``source`` into ``write``.

    :param source: the document's bytes, a path or a binary file object positioned at its start.
    :param write: receives ``bytes`` or ``memoryview`` pieces (``hashlib`` objects' ``update`` accepts both);
        a memoryview is only valid during the call.
    :param observer: sees the elements and may leave subtrees out (see :class:`Observer`).
    :returns: the size of the document in bytes.
    :raises MalformedFile: the document is not well-formed (found by the hardened lxml parser), bytes that
        are not UTF-8 included.
    :raises HostileInput: it declares a DTD or entities.
    :raises NotStreamable: a shape this module does not handle; parse a tree instead.
    :raises ResourceError: a path that cannot be read.
    """
    if isinstance(source, bytes):
        view = memoryview(source)
        offset = 0

        def read(n: int) -> bytes:
            nonlocal offset
            piece = view[offset:offset + n].tobytes()
            offset += len(piece)
            return piece

        return _run(_Stream(read, write, observer, path))
    if isinstance(source, (str, Path)):
        from edoc.errors import ResourceError

        try:
            fh = open(source, "rb")
        except OSError as exc:
            raise ResourceError(f"cannot read the XML file: {exc.strerror}", path=source) from exc
        with fh:
            return _run(_Stream(fh.read, write, observer, path or source))
    return _run(_Stream(source.read, write, observer, path))


def _run(stream: _Stream) -> int:
    """Run the stream; bytes that are not UTF-8 are a malformed document wherever the tokenizer decodes them
    (text with references or CR, attribute values, names), never a ``UnicodeDecodeError``."""
    try:
        stream.run()
    except UnicodeDecodeError as exc:
        stream.invalid_utf8(exc)
    return stream.total
