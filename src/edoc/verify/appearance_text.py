"""The text a visible signature shows, read within bounds (issue 13 point 9).

The appendix and copy acts print their signing time in the signature's appearance; the verifier reads that
text back (:func:`shown_time`) to compare it with the signed time. The appearance comes from the file, so
every part of the reading is bounded *before* the work is done (:class:`TextLimits`): the bytes of each
content and ToUnicode CMap stream, the operators interpreted, the form XObjects entered and their depth, the
CMap entries, the characters collected. Beyond a bound the reading stops with :class:`TextUnreadable` and
the report says the shown time could not be read: a finding, never a long computation.

Work is linear in the bytes read:

- one tokenizer for content streams and CMaps, matched token by token at a position (never a regular
  expression searched across the stream, which backtracks quadratically on ``[[[[`` or ``((((``); literal
  strings are scanned for their closing parenthesis with nesting and escapes;
- a ``bfrange`` is never expanded: ranges are kept sorted and a code is looked up by bisection, so
  ``<0000> <FFFF> <0000>`` costs one entry, not 65,536 (the review's 113 KB CMap of such ranges took the whole
  60 s guard when they were expanded into a dictionary).

:class:`Work` counts what a reading did; tests assert on it instead of on time.
"""

from __future__ import annotations

import bisect
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfDecodeLimitError

__all__ = ["TextLimits", "TextUnreadable", "Work", "appearance_text", "shown_time"]


@dataclass(frozen=True)
class TextLimits:
    """Bounds on reading one appearance.

    :param max_stream_bytes: decoded bytes of one content or CMap stream (an appearance is a few KB).
    :param max_operators: content operators interpreted, nested forms included.
    :param max_forms: form XObjects entered.
    :param max_depth: nesting of form XObjects.
    :param max_cmap_entries: ``bfchar`` pairs plus ``bfrange`` ranges, all fonts together.
    :param max_chars: characters of text collected.
    :param bomb_bytes: what a compressed stream may inflate to before it is a decompression bomb
        (:class:`~pyhanko.pdf_utils.misc.PdfDecodeLimitError`, which fails the whole file, as anywhere else
        in it); between ``max_stream_bytes`` and this, the stream is only too large to read as text.
    """

    max_stream_bytes: int = 256 * 1024
    max_operators: int = 20_000
    max_forms: int = 16
    max_depth: int = 4
    max_cmap_entries: int = 20_000
    max_chars: int = 65_536
    bomb_bytes: int = 64 * 1024 * 1024


@dataclass
class Work:
    """What one reading did (the counters the bounds apply to)."""

    stream_bytes: int = 0
    tokens: int = 0
    operators: int = 0
    forms: int = 0
    cmap_entries: int = 0
    chars: int = 0
    lookups: int = 0


class TextUnreadable(Exception):
    """The appearance cannot be read within :class:`TextLimits` (``reason`` says which bound)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})")


def shown_time(sig_field: Any, *, limits: TextLimits | None = None,
               work: Work | None = None) -> tuple[datetime | None, str | None]:
    """The first ISO 8601 time (``2026-11-26T14:05:09+07:00``) the normal appearance of signature field
    ``sig_field`` shows (final revision), and ``None``, or ``(None, reason)`` when the appearance cannot be
    read within ``limits``. An appearance that is absent or malformed shows no time: ``(None, None)``.

    :raises PdfDecodeLimitError: a stream of the appearance is a decompression bomb.
    """
    try:
        node = _deref(sig_field)
        if "/AP" not in node:
            kids: Any = node.get("/Kids") or []
            node = _deref(kids[0]) if len(kids) == 1 else node
        appearance = _deref(_deref(node["/AP"])["/N"])
    except Exception:
        return None, None
    try:
        text = appearance_text(appearance, limits=limits, work=work)
    except TextUnreadable as exc:
        return None, exc.reason
    found = _ISO_TIME.search(text)
    if found is None:
        return None, None
    try:
        return datetime.fromisoformat(found.group(0).replace("Z", "+00:00")), None
    except ValueError:
        return None, None


def appearance_text(form: Any, *, limits: TextLimits | None = None, work: Work | None = None) -> str:
    """The text form XObject ``form`` shows, in stream order, one line per text-showing operator.

    :raises TextUnreadable: a bound of ``limits`` was reached.
    :raises PdfDecodeLimitError: a stream inflates past ``limits.bomb_bytes``.
    """
    reader = _Reader(limits or TextLimits(), work if work is not None else Work())
    lines: list[str] = []
    reader.form(form, 0, lines)
    return "\n".join(lines)


# -- tokens ------------------------------------------------------------------------------------------
_WS = b"\x00\t\n\x0c\r "
_TOKEN = re.compile(
    rb"[\x00\t\n\x0c\r ]+"  # white space
    rb"|%[^\r\n]*"  # comment
    rb"|/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*"  # name
    rb"|<<|>>"  # dictionary
    rb"|<[0-9A-Fa-f\x00\t\n\x0c\r ]*>"  # hex string
    rb"|[\[\]{}]"  # array, procedure
    rb"|[^\x00\t\n\x0c\r ()<>\[\]{}/%]+"  # number, operator, keyword
)
_LITERAL_STOP = re.compile(rb"[()\\]")
_INLINE_END = re.compile(rb"[\x00\t\n\x0c\r ]EI(?=[\x00\t\n\x0c\r ]|$)")
_HEX_SPACE = re.compile(rb"[^0-9A-Fa-f]")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_OCTAL = re.compile(rb"\\([0-7]{1,3})|\\(\r\n|\r|\n)|\\(.)", re.DOTALL)


@dataclass(frozen=True)
class _Str:
    """A string operand (hex or literal), its bytes decoded from the PDF syntax."""

    raw: bytes


def _literal_end(data: bytes, start: int) -> int:
    """The index just after the literal string opening at ``start`` (nesting, escapes); -1 if unclosed."""
    depth, pos = 0, start
    while True:
        found = _LITERAL_STOP.search(data, pos)
        if found is None:
            return -1
        ch, pos = found.group(), found.end()
        if ch == b"\\":
            pos += 1
        elif ch == b"(":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return pos


def _unescape(body: bytes) -> bytes:
    def one(m: re.Match[bytes]) -> bytes:
        if m.group(1) is not None:
            return bytes([int(m.group(1), 8) & 0xFF])
        if m.group(2) is not None:
            return b""  # a line continuation
        return _ESCAPES.get(m.group(3), m.group(3))

    return _OCTAL.sub(one, body) if b"\\" in body else body


class _Reader:
    def __init__(self, limits: TextLimits, work: Work) -> None:
        self.limits = limits
        self.work = work
        self.fonts: dict[int, _FontMap] = {}

    # tokens ------------------------------------------------------------------------------------------
    def tokens(self, data: bytes) -> Iterator[Any]:
        """Tokens of ``data``: ``_Str``, names (``str`` starting with ``/``), ``[`` ``]`` ``<<`` ``>>``,
        and other words as ``bytes``; stops at the first byte that starts no token."""
        pos, end = 0, len(data)
        while pos < end:
            self.work.tokens += 1
            if data[pos] == 0x28:  # "("
                stop = _literal_end(data, pos)
                if stop < 0:
                    return
                yield _Str(_unescape(data[pos + 1:stop - 1]))
                pos = stop
                continue
            m = _TOKEN.match(data, pos)
            if m is None:
                return
            tok, pos = m.group(), m.end()
            if tok == b"ID":  # inline image data, binary, up to white space + EI
                image_end = _INLINE_END.search(data, pos)
                if image_end is None:
                    return
                pos = image_end.end()
            first = tok[:1]
            if first in (b"%",) or first[0] in _WS:
                continue
            if first == b"/":
                yield tok.decode("latin-1")
            elif first == b"<" and tok != b"<<":
                hexed = _HEX_SPACE.sub(b"", tok[1:-1])
                yield _Str(bytes.fromhex((hexed + b"0" * (len(hexed) % 2)).decode()))
            else:
                yield tok

    # content streams ---------------------------------------------------------------------------------
    def form(self, form: Any, depth: int, lines: list[str]) -> None:
        if not isinstance(form, generic.StreamObject):
            return
        if depth > self.limits.max_depth:
            raise TextUnreadable(f"form XObjects nested deeper than {self.limits.max_depth}")
        self.work.forms += 1
        if self.work.forms > self.limits.max_forms:
            raise TextUnreadable(f"more than {self.limits.max_forms} form XObjects")
        content = self.data(form)
        resources: Any = _deref(form.get("/Resources")) or {}
        fonts: Any = _deref(resources.get("/Font")) or {}
        xobjects: Any = _deref(resources.get("/XObject")) or {}
        font = _FontMap.latin1()
        stack: list[Any] = []
        arrays: list[list[Any]] = []
        for tok in self.tokens(content):
            if tok == b"[":
                if len(arrays) >= 8:
                    raise TextUnreadable("arrays nested deeper than 8")
                arrays.append([])
                continue
            if tok == b"]":
                if arrays:
                    done = arrays.pop()
                    (arrays[-1] if arrays else stack).append(done)
                continue
            if arrays:
                arrays[-1].append(tok)
                continue
            if not isinstance(tok, bytes) or tok[:1] in b"+-.0123456789" or tok in (b"<<", b">>", b"{", b"}"):
                stack.append(tok)
                if len(stack) > 64:
                    del stack[:32]
                continue
            self.work.operators += 1
            if self.work.operators > self.limits.max_operators:
                raise TextUnreadable(f"more than {self.limits.max_operators} content operators")
            if tok == b"Tf" and len(stack) >= 2 and isinstance(stack[-2], str):
                font = self.font(_deref(fonts.get(stack[-2])))
            elif tok in (b"Tj", b"'", b'"') and stack and isinstance(stack[-1], _Str):
                self.emit(font.decode(stack[-1].raw, self), lines)
            elif tok == b"TJ" and stack and isinstance(stack[-1], list):
                self.emit("".join(font.decode(item.raw, self) for item in stack[-1] if isinstance(item, _Str)),
                          lines)
            elif tok == b"Do" and stack and isinstance(stack[-1], str):
                self.form(_deref(xobjects.get(stack[-1])), depth + 1, lines)
            stack.clear()

    def emit(self, text: str, lines: list[str]) -> None:
        self.work.chars += len(text)
        if self.work.chars > self.limits.max_chars:
            raise TextUnreadable(f"more than {self.limits.max_chars} characters of text")
        lines.append(text)

    def data(self, stream: Any) -> bytes:
        """The decoded data of a content or CMap stream, at most ``max_stream_bytes`` (unfiltered or one
        /FlateDecode without parameters; anything else reads as empty)."""
        limit = self.limits.max_stream_bytes
        filters = stream.get("/Filter")
        if isinstance(filters, generic.ArrayObject):
            filters = filters[0] if len(filters) == 1 else "/Unsupported"
        raw = stream.encoded_data
        if filters is None:
            out = bytes(raw[:limit + 1])
        elif filters == "/FlateDecode" and stream.get("/DecodeParms") is None:
            inflater = zlib.decompressobj()
            try:
                out = inflater.decompress(raw, limit + 1)
                if len(out) > limit:  # too large to read; a bomb if it inflates past bomb_bytes
                    size = len(out)
                    while inflater.unconsumed_tail and size <= self.limits.bomb_bytes:
                        size += len(inflater.decompress(inflater.unconsumed_tail, 1 << 20))
                    if size > self.limits.bomb_bytes:
                        raise PdfDecodeLimitError(f"a stream inflates beyond {self.limits.bomb_bytes} bytes")
            except zlib.error:
                return b""
        else:
            return b""
        if len(out) > limit:
            raise TextUnreadable(f"a stream of the appearance is larger than {limit} bytes")
        self.work.stream_bytes += len(out)
        return out

    # fonts -------------------------------------------------------------------------------------------
    def font(self, font: Any) -> _FontMap:
        if not isinstance(font, generic.DictionaryObject):
            return _FontMap.latin1()
        key = id(font)
        if key not in self.fonts:
            width = 2 if font.get("/Subtype") == "/Type0" else 1
            cmap = _deref(font.get("/ToUnicode"))
            self.fonts[key] = self.cmap(cmap, width) if isinstance(cmap, generic.StreamObject) \
                else _FontMap(width, {}, [], mapped=False)
        return self.fonts[key]

    def cmap(self, stream: Any, width: int) -> _FontMap:
        """A ToUnicode CMap's ``bfchar`` and ``bfrange`` entries; ranges kept as ranges."""
        chars: dict[bytes, str] = {}
        ranges: list[_Range] = []
        mode: bytes | None = None
        operands: list[Any] = []
        for value in self.values(self.tokens(self.data(stream))):
            if value in (b"beginbfchar", b"beginbfrange", b"endbfchar", b"endbfrange"):
                mode, operands = (value if value.startswith(b"begin") else None), []
                continue
            if mode is None:
                continue
            operands.append(value)
            if len(operands) < (2 if mode == b"beginbfchar" else 3):
                continue
            self.work.cmap_entries += 1
            if self.work.cmap_entries > self.limits.max_cmap_entries:
                raise TextUnreadable(f"ToUnicode CMaps of more than {self.limits.max_cmap_entries} entries")
            if mode == b"beginbfchar":
                src, dst = operands
                if isinstance(src, _Str) and isinstance(dst, _Str):
                    chars[src.raw] = dst.raw.decode("utf-16-be", "replace")
            else:
                lo, hi, dst = operands
                if isinstance(lo, _Str) and isinstance(hi, _Str) and len(lo.raw) == len(hi.raw) and lo.raw:
                    target: bytes | list[str] | None = dst.raw if isinstance(dst, _Str) else [
                        d.raw.decode("utf-16-be", "replace") for d in dst if isinstance(d, _Str)
                    ] if isinstance(dst, list) else None
                    if target is not None:
                        ranges.append(_Range(len(lo.raw), int.from_bytes(lo.raw, "big"),
                                             int.from_bytes(hi.raw, "big"), target))
            operands = []
        return _FontMap(width, chars, ranges)

    @staticmethod
    def values(tokens: Iterator[Any]) -> Iterator[Any]:
        """``tokens`` with one level of ``[ … ]`` gathered into a list (at most 256 items each)."""
        array: list[Any] | None = None
        for tok in tokens:
            if tok == b"[":
                array = []
            elif tok == b"]":
                if array is not None:
                    yield array
                array = None
            elif array is not None:
                array.append(tok)
                if len(array) > 256:
                    raise TextUnreadable("an array of more than 256 items in a CMap")
            else:
                yield tok


@dataclass(frozen=True)
class _Range:
    width: int
    lo: int
    hi: int
    dst: bytes | list[str]

    def char(self, code: int) -> str:
        offset = code - self.lo
        if isinstance(self.dst, list):
            return self.dst[offset] if offset < len(self.dst) else "\ufffd"
        if len(self.dst) < 2:
            return "\ufffd"
        prefix = self.dst[:-2].decode("utf-16-be", "replace")
        last = int.from_bytes(self.dst[-2:], "big") + offset
        return prefix + chr(last) if last <= 0x10FFFF else "\ufffd"


@dataclass
class _FontMap:
    """How a font's codes become text: bytes per code and its ToUnicode entries (none: codes are Latin-1)."""

    width: int
    chars: dict[bytes, str]
    ranges: list[_Range]
    mapped: bool = True
    starts: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ranges.sort(key=lambda r: (r.width, r.lo))
        self.starts = [(r.width, r.lo) for r in self.ranges]

    @classmethod
    def latin1(cls) -> _FontMap:
        return cls(1, {}, [], mapped=False)

    def decode(self, raw: bytes, reader: _Reader) -> str:
        if not self.mapped or (not self.chars and not self.ranges):
            return raw.decode("latin-1")
        w = self.width
        return "".join(self.lookup(raw[i:i + w], reader) for i in range(0, len(raw) - w + 1, w))

    def lookup(self, code: bytes, reader: _Reader) -> str:
        reader.work.lookups += 1
        found = self.chars.get(code)
        if found is not None:
            return found
        value, width = int.from_bytes(code, "big"), len(code)
        at = bisect.bisect_right(self.starts, (width, value)) - 1
        for _ in range(64):  # ranges that start at or before the code, nearest first (bounded walk)
            if at < 0 or self.ranges[at].width != width:
                break
            if self.ranges[at].hi >= value:
                return self.ranges[at].char(value)
            at -= 1
        return "\ufffd"


def _deref(obj: Any) -> Any:
    """``obj``, or the object an indirect reference points to (in the final revision)."""
    if isinstance(obj, generic.IndirectObject):
        target: Any = obj
        return target.get_object()
    return obj
