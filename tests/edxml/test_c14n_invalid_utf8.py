"""Bytes that are not UTF-8 make the streaming C14N say "malformed", wherever the tokenizer decodes them.

Found by fuzzing (issue 18): one byte of a signed message's text changed to a lone continuation byte made
``edoc.edxml.c14n`` raise ``UnicodeDecodeError`` (the text held a reference, so it was decoded), and the
verifier reported INDETERMINATE/GENERIC "internal error". libxml2's push parser had been fed those bytes but
had not reached them yet. Every place the tokenizer decodes (text with references or CR, attribute values,
element and attribute names, end tags) is tried with every kind of bad sequence, with the read boundary at
every offset around it and past the first 1 MiB read; the oracle is lxml refusing the same bytes.
"""

from __future__ import annotations

import io

import pytest
from lxml import etree

from edoc.edxml import c14n
from edoc.errors import MalformedFile

#: where the tokenizer decodes; ``@`` marks the place of the bad bytes
PLACES = {
    "text with a reference": b"<r><a>x@ &amp; y</a></r>",
    "text with a CR": b"<r><a>x@\r\ny</a></r>",
    "after an ampersand (the fuzz finding)": b"<r><a>Thu&@n</a></r>",
    "after an ampersand in an attribute": b'<r><a b="Thu&@n"/></r>',
    "a reference's name": b"<r><a>&am@;</a></r>",
    "plain text": b"<r><a>x@y</a></r>",
    "attribute value": b'<r><a b="x@y"/></r>',
    "attribute value with a reference": b'<r><a b="x@ &#x41;"/></r>',
    "element name": b"<r><a@b>t</a@b></r>",
    "attribute name": b'<r><a b@c="1"/></r>',
    "CDATA": b"<r><a><![CDATA[x@\r\n]]></a></r>",
    "processing instruction": b"<r><?pi x@ ?></r>",
}
#: sequences that are not UTF-8: a lone continuation byte, a cut 3-byte sequence, an overlong form, a
#: surrogate, a byte that never occurs
BAD = {"continuation": b"\xba", "cut": b"\xe1\x80", "overlong": b"\xc0\x80", "surrogate": b"\xed\xa0\x80",
       "ff": b"\xff"}


class _Keep:
    def start(self, el: c14n.Element) -> bool:
        return False

    def end(self, el: c14n.Element) -> None:
        return None


class _Cut(io.RawIOBase):
    """A source whose first read ends at ``cut`` (a read boundary anywhere)."""

    def __init__(self, data: bytes, cut: int) -> None:
        self.data, self.pos, self.cut = data, 0, cut

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        end = self.pos + n if n >= 0 else len(self.data)
        if self.pos < self.cut:
            end = min(end, self.cut)
        piece = self.data[self.pos:end]
        self.pos += len(piece)
        return piece


def _refused_by_lxml(data: bytes) -> None:
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(data)


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("bad", list(BAD))
def test_bytes_not_utf8_are_malformed_at_every_read_boundary(place: str, bad: str) -> None:
    data = PLACES[place].replace(b"@", BAD[bad])
    _refused_by_lxml(data)
    at = data.index(BAD[bad])
    for cut in range(max(1, at - 4), min(len(data), at + 6)):
        with pytest.raises(MalformedFile) as info:
            c14n.canonicalize(_Cut(data, cut), lambda _b: None, _Keep())
        assert "not well-formed" in str(info.value) and info.value.line == 1, (place, bad, cut)


@pytest.mark.parametrize("place", ["text with a reference", "attribute value", "element name"])
def test_bytes_not_utf8_after_the_first_read(place: str) -> None:
    """Past the first 1 MiB read (the validating parser has been fed more than it has parsed), with the
    line libxml2 finds."""
    filler = b"<f>" + b"A" * 76 + b"</f>\n"
    body = filler * (c14n.CHUNK // len(filler) + 10)
    data = b"<r>\n" + body + PLACES[place].replace(b"@", b"\xba")[3:]
    _refused_by_lxml(data)
    with pytest.raises(MalformedFile) as info:
        c14n.canonicalize(data, lambda _b: None, _Keep())
    assert info.value.line == body.count(b"\n") + 2


def test_good_utf8_cut_anywhere_still_canonicalises() -> None:
    """The same places with good multi-byte text: the error path is taken only for bad bytes."""
    for place, template in PLACES.items():
        if b"&@" in template or b"&am@" in template:
            continue  # malformed with any character there
        data = template.replace(b"@", "ờ𝄞".encode())
        for cut in range(1, len(data)):
            out: list[bytes] = []
            c14n.canonicalize(_Cut(data, cut), lambda b, out=out: out.append(bytes(b)), _Keep())  # type: ignore[misc]
            sink = io.BytesIO()
            etree.ElementTree(etree.fromstring(data)).write_c14n(sink, exclusive=True, with_comments=False)
            assert b"".join(out) == sink.getvalue(), (place, cut)
