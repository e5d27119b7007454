"""edoc's fast hex-string reader for pyHanko reads exactly what pyHanko's own reader reads."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edoc._pyhanko import install

install()

from pyhanko.pdf_utils import generic  # noqa: E402

FAST = generic.read_hex_string_from_stream
ORIGINAL = FAST.edoc_original  # type: ignore[attr-defined]


def _read(reader, data: bytes):  # type: ignore[no-untyped-def]
    stream = io.BytesIO(data)
    try:
        value = reader(stream)
    except generic.PdfStreamError:
        return "error", None
    return value, stream.tell()


@pytest.mark.parametrize("data", [
    b"<>", b"<00>", b"<ABCDEF01>", b"<abc>", b"<4 1\n4\r2\t4\x0c3\x00>", b"< 30 31 >rest",
    b"<3031% a comment\n32>", b"<30zz>", b"<" + b"ab" * 100_000 + b">trailer", b"<30 31",
])
def test_fast_reader_agrees_with_pyhanko(data: bytes) -> None:
    assert _read(FAST, data) == _read(ORIGINAL, data)


def test_a_long_signature_contents_is_read_whole() -> None:
    raw = bytes(range(256)) * 200
    value, pos = _read(FAST, b"<" + raw.hex().encode() + b">  /ByteRange")
    assert bytes(value) == raw and pos == len(raw) * 2 + 2


@given(st.binary(max_size=64).map(lambda b: b.hex()), st.lists(st.sampled_from(" \n\r\t"), max_size=8),
       st.sampled_from([b">", b"> /Key", b">>"]))
def test_random_hex_strings(hexdigits: str, spaces: list[str], tail: bytes) -> None:
    body = hexdigits
    for i, s in enumerate(spaces):
        pos = (i * 7) % (len(body) + 1)
        body = body[:pos] + s + body[pos:]
    data = b"<" + body.encode() + tail
    assert _read(FAST, data) == _read(ORIGINAL, data)
