"""Signatures the reader did not reach, and cross-reference sections it had to read leniently.

pyHanko finds the signatures of a PDF as a viewer does: through the cross-reference sections, the catalog's
``/AcroForm`` and its ``/Fields``. That path can be cut without touching what the remaining signatures cover.
Found by fuzzing (issue 18): one changed byte in the last cross-reference section (``13 1`` then ``S`` instead
of a line end) made pyHanko's lenient table parser drop the entry of the agency's signature field; the field
read as its earlier, empty version, the agency's signature dictionary was reachable from nothing, and the
document passed on the person's signature alone. Two checks here do not depend on that path:

- :func:`unreached_signatures` scans the file's bytes (one linear pass, a bounded number of hits) for the keys
  only a signature dictionary carries (``/ByteRange``, ``/Type /Sig``, ``/Type /DocTimeStamp``) and places
  each in the object that holds it: the nearest object the cross-reference sections of *any* revision locate
  before it, when no ``endobj`` lies between. Each key must lie in a signature dictionary the verifier read
  (same object number and generation; for ``/ByteRange``, the same four numbers). Anything else is a
  signature present in the file and not verified: an object no section lists (orphaned, or in a revision the
  chain of ``/Prev`` no longer reaches), an object listed but reachable from no signature field (a field
  removed from ``/Fields``, an entry damaged), an older version of a signature dictionary with another byte
  range. Keys inside the data of a stream that a section lists (a signed PDF embedded uncompressed) are that
  stream's content. A signature dictionary inside a compressed object stream is not seen; it could not be a
  valid signature either, its ``/Contents`` having no place among the file's bytes for a ``/ByteRange``.
- :func:`damaged_xref_sections` reads each cross-reference table with the grammar of ISO 32000-1 §7.5.4
  (subsection headers, then 20-byte entries ``nnnnnnnnnn ggggg n|f`` and a two-byte line end; a one-byte
  line end is tolerated) and checks that each cross-reference stream holds exactly the entries its ``/Index``
  and ``/W`` announce. An entry the lenient parser skipped, or a count that does not match, is a damaged
  section: another viewer, rebuilding the table by scanning the objects, may show objects the verifier never
  analysed.

:class:`~edoc.verify.pdf.Verifier` reports the first as a signature TOTAL_FAILED/FORMAT_FAILURE (ETSI EN 319
102-1: a signature that exists but cannot be processed) and the second as a document finding
(INDETERMINATE/GENERIC, like bytes appended after the last signature).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import XRefSectionType

__all__ = ["MAX_KEYS", "Unreached", "damaged_xref_sections", "unreached_signatures"]

#: keys of signature dictionaries looked at, at most (a file with more is judged by that fact alone)
MAX_KEYS = 1000
#: occurrences of the names looked at, at most (``/Sig`` is also the type of every signature field)
_MAX_HITS = 100_000

_WS = rb"[\x00\t\n\x0c\r ]"
_DELIMITERS = frozenset(b"\x00\t\n\x0c\r ()<>[]{}/%")
_TYPE_BEFORE = re.compile(rb"/Type" + _WS + rb"*\Z")
_OBJECT_HEADER = re.compile(_WS + rb"*(\d{1,10})" + _WS + rb"+(\d{1,5})" + _WS + rb"+obj" + _WS + rb"*")
_STREAM_KEYWORD = re.compile(rb">>" + _WS + rb"*stream(?:\r\n|\n)")
_BYTE_RANGE = re.compile(rb"/ByteRange" + _WS + rb"*\[" + _WS + rb"*" + (rb"(\d{1,20})" + _WS + rb"+") * 3
                         + rb"(\d{1,20})" + _WS + rb"*\]")
#: a cross-reference table between ``xref`` and ``trailer``: subsections of fixed-size entries
_SUBSECTION = re.compile(rb"(\d{1,10})[ ]+(\d{1,10})[ \t]*(?:\r\n|\r|\n)"
                         rb"((?:\d{10} \d{5} [fn] ?(?:\r\n|\r|\n))*)")
_TABLE_END = re.compile(_WS + rb"*trailer" + _WS + rb"*")
_ENTRY = re.compile(rb"\d{10} \d{5} [fn]")


@dataclass(frozen=True)
class Unreached:
    """A signature dictionary found in the file's bytes that the verifier did not read.

    :param offset: where its first signature key lies in the file.
    :param obj: the object (number, generation) the cross-reference sections place there, if any.
    :param byte_range: its ``/ByteRange`` as written, if it has a readable one.
    :param why: ``orphaned`` (no section lists an object there), ``unreached`` (listed, reached from no
        signature field) or ``other_byte_range`` (another version of a signature that was read).
    """

    offset: int
    obj: tuple[int, int] | None
    byte_range: tuple[int, int, int, int] | None
    why: str


@dataclass(frozen=True)
class _Located:
    offset: int
    ref: tuple[int, int]
    revision: int


def unreached_signatures(
    data: bytes, reader: PdfFileReader, read: Mapping[tuple[int, int], tuple[int, int, int, int] | None],
) -> list[Unreached] | None:
    """The signature dictionaries of ``data`` that are not among ``read``.

    :param read: the signature dictionaries the verifier read: object (number, generation) → the
        ``/ByteRange`` it verified (``None`` when the signature failed before one was read: any matches).
    :returns: one entry per object (or orphaned place), in file order; ``None`` when the file holds more than
        :data:`MAX_KEYS` signature keys (more than any document has signatures).
    """
    keys = _signature_keys(data)
    if keys is None:
        return None
    if not keys:
        return []
    located = _located_objects(reader)
    offsets = [o.offset for o in located]
    found: dict[Any, Unreached] = {}
    streams: dict[int, tuple[int, int] | None] = {}
    for p, is_byte_range in keys:
        i = bisect.bisect_right(offsets, p) - 1
        owner = located[i] if i >= 0 else None
        if owner is not None:
            if owner.offset not in streams:
                streams[owner.offset] = _stream_data(data, reader, owner, p)
            span = streams[owner.offset]
            if span is not None and span[0] <= p < span[1]:
                continue  # content of a stream the sections list
            if data.find(b"endobj", owner.offset, p) >= 0:
                owner = None  # after the end of that object: in no object the sections list
        byte_range = _byte_range(data, p) if is_byte_range else None
        if owner is not None and owner.ref in read:
            expected = read[owner.ref]
            if byte_range is None or expected is None or byte_range == expected:
                continue
            why = "other_byte_range"
        else:
            why = "unreached" if owner is not None else "orphaned"
        key = owner.offset if owner is not None else ("orphan", _orphan_start(data, p))
        previous = found.get(key)
        if previous is None or (previous.byte_range is None and byte_range is not None):
            found[key] = Unreached(previous.offset if previous else p, owner.ref if owner else None,
                                   byte_range, why)
    return sorted(found.values(), key=lambda u: u.offset)


def _signature_keys(data: bytes) -> list[tuple[int, bool]] | None:
    """Offsets of ``/ByteRange`` and of ``/Type /Sig`` or ``/Type /DocTimeStamp`` (whole names), in file
    order, with whether each is a ``/ByteRange``; ``None`` past :data:`MAX_KEYS` keys or :data:`_MAX_HITS`
    names. ``bytes.find`` runs at memory speed; only its hits are looked at."""
    out: list[tuple[int, bool]] = []
    hits = 0
    for token in (b"/ByteRange", b"/Sig", b"/DocTimeStamp"):
        i = data.find(token)
        while i >= 0:
            hits += 1
            if hits > _MAX_HITS:
                return None
            end = i + len(token)
            if end == len(data) or data[end] in _DELIMITERS:
                if token == b"/ByteRange" or _TYPE_BEFORE.search(data, max(0, i - 64), i) is not None:
                    out.append((i, token == b"/ByteRange"))
                    if len(out) > MAX_KEYS:
                        return None
            i = data.find(token, end)
    out.sort()
    return out


def _located_objects(reader: PdfFileReader) -> list[_Located]:
    """Every object any cross-reference section places at a file offset, sorted by offset."""
    out: list[_Located] = []
    xrefs = reader.xrefs
    try:
        for revision in range(xrefs.total_revisions):
            for ref in xrefs.explicit_refs_in_revision(revision):
                where = xrefs.get_historical_ref(ref, revision)
                if isinstance(where, int) and where >= 0:
                    out.append(_Located(where, (ref.idnum, ref.generation), revision))
    except PdfDecodeLimitError:
        raise
    except Exception:  # sections that cannot be listed place nothing: every key is then orphaned
        return []
    out.sort(key=lambda o: o.offset)
    return out


def _stream_data(data: bytes, reader: PdfFileReader, owner: _Located, p: int) -> tuple[int, int] | None:
    """The span of the raw data of the stream at ``owner`` (``None`` if it is not a readable stream)."""
    if data.find(b"stream", owner.offset, p) < 0:
        return None  # no stream keyword before the key: not inside stream data (cheap, the common case)
    try:
        ref = generic.Reference(owner.ref[0], owner.ref[1], reader)
        obj = reader.get_historical_resolver(owner.revision).get_object(ref)
        if not isinstance(obj, generic.StreamObject):
            return None
        m = _STREAM_KEYWORD.search(data, owner.offset, p)
        if m is None:
            return None
        return m.end(), m.end() + len(obj.encoded_data)
    except PdfDecodeLimitError:
        raise
    except Exception:
        return None


def _byte_range(data: bytes, p: int) -> tuple[int, int, int, int] | None:
    m = _BYTE_RANGE.match(data, p)
    if m is None:
        return None
    a, b, c, d = (int(x) for x in m.groups())
    return a, b, c, d


def _orphan_start(data: bytes, p: int) -> int:
    """Where the orphaned object holding ``p`` starts, as far as the bytes tell: just after the nearest
    ``endobj`` before it (keys of one orphaned dictionary are one finding)."""
    end = data.rfind(b"endobj", 0, p)
    return end + 6 if end >= 0 else 0


def damaged_xref_sections(data: bytes, reader: PdfFileReader) -> list[tuple[int, str]]:
    """The cross-reference sections the reader found that do not follow the grammar (see the module
    docstring): ``(offset, what is wrong)`` for each, oldest revision first. Never raises (a decompression
    bomb excepted)."""
    out: list[tuple[int, str]] = []
    xrefs = reader.xrefs
    for revision in range(xrefs.total_revisions):
        try:
            info = xrefs.get_xref_container_info(revision)
            if info.xref_section_type in (XRefSectionType.STANDARD, XRefSectionType.HYBRID_MAIN):
                problem = _table_problem(data[info.start_location:info.end_location])
                where = info.start_location
            else:
                problem = _stream_problem(data, reader, info.start_location)
                where = info.start_location
        except PdfDecodeLimitError:
            raise
        except Exception as exc:
            problem, where = f"{type(exc).__name__}", -1
        if problem is not None:
            out.append((where, problem))
    return out


def _table_problem(text: bytes) -> str | None:
    """What is wrong with a cross-reference table's bytes (after ``xref``, up to and with ``trailer``)."""
    pos = 0
    while pos < len(text) and text[pos] in b"\x00\t\n\x0c\r ":
        pos += 1
    subsections = 0
    while True:
        m = _SUBSECTION.match(text, pos)
        if m is None:
            break
        first, count, entries = int(m[1]), int(m[2]), m[3]
        have = len(_ENTRY.findall(entries))
        if have != count:
            return f"the subsection of objects {first}–{first + count - 1} holds {have} entries, not {count}"
        subsections += 1
        pos = m.end()
    if _TABLE_END.fullmatch(text, pos) is None:
        line = text[pos:pos + 24].split(b"\n")[0]
        return f"unreadable bytes {line!r} after {subsections} subsection(s)"
    return None


def _stream_problem(data: bytes, reader: PdfFileReader, at: int) -> str | None:
    """What is wrong with the cross-reference stream at ``at``: entries missing. The stream is read where
    the section is (a cross-reference stream need not be listed in any section)."""
    head = _OBJECT_HEADER.match(data, at)
    if head is None:
        return "no object header"
    source = BytesIO(data)
    source.seek(head.end())
    stream: Any = generic.read_object(source, generic.Reference(int(head[1]), int(head[2]), reader))
    if not isinstance(stream, generic.StreamObject):
        return "not a stream"
    widths = [int(w) for w in stream["/W"]]
    index = stream.get("/Index", [0, stream["/Size"]])
    counts = [int(index[i + 1]) for i in range(0, len(index) - 1, 2)]
    expected = sum(counts) * sum(widths)
    size = len(stream.data)
    if size < expected:  # bytes left over name no object; missing ones lose entries
        return f"the cross-reference stream holds {size} bytes, its /Index and /W announce {expected}"
    return None
