"""edoc's whole-string hex reader for pyHanko reads exactly what pyHanko's own reader reads, and only edoc's
own streams are read with it: a user's pyHanko calls in the same process read as without edoc.

The dispatcher is installed by the first edoc reader (:func:`edoc._adapters.pyhanko.stream`); these tests
compare the two readers directly, and check the dispatch on both kinds of stream.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from edoc._adapters import pyhanko as adapter
from oracles import assert_stock_pyhanko, stock_pyhanko

Reader = Callable[[Any], Any]


def _own() -> Reader:
    """pyHanko's own reader, whether or not the dispatcher is installed."""
    current = generic.read_hex_string_from_stream
    return getattr(current, "edoc_original", current)  # type: ignore[no-any-return]


def _fast(stream: Any) -> Any:
    return adapter._read_hex_string(stream, _own())


def _read(reader: Reader, data: bytes) -> tuple[Any, int | None]:
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
    assert _read(_fast, data) == _read(_own(), data)


def test_a_long_signature_contents_is_read_whole() -> None:
    raw = bytes(range(256)) * 200
    value, pos = _read(_fast, b"<" + raw.hex().encode() + b">  /ByteRange")
    assert bytes(value) == raw and pos == len(raw) * 2 + 2


@given(st.binary(max_size=64).map(lambda b: b.hex()), st.lists(st.sampled_from(" \n\r\t"), max_size=8),
       st.sampled_from([b">", b"> /Key", b">>"]))
def test_random_hex_strings(hexdigits: str, spaces: list[str], tail: bytes) -> None:
    body = hexdigits
    for i, s in enumerate(spaces):
        pos = (i * 7) % (len(body) + 1)
        body = body[:pos] + s + body[pos:]
    data = b"<" + body.encode() + tail
    assert _read(_fast, data) == _read(_own(), data)


_PDF = (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Big <" + b"0123456789abcdef" * 4096 + b"> >>\n"
        b"endobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")


def _pdf() -> bytes:
    offsets = [_PDF.index(b"1 0 obj"), _PDF.index(b"2 0 obj")]
    xref = len(_PDF)
    table = b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return _PDF + table + b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def _big(reader: PdfFileReader) -> bytes:
    return bytes(reader.root["/Big"])


def test_only_edocs_streams_are_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the dispatcher installed (an edoc reader exists), pyHanko on a user's own ``BytesIO`` reads with
    its own function and gets the same objects; edoc's reader reads with the whole-string one."""
    data = _pdf()
    ours = adapter.reader(data)  # installs the dispatcher
    assert adapter.installed()
    calls: list[str] = []
    real = adapter._read_hex_string
    monkeypatch.setattr(adapter, "_read_hex_string", lambda s, o: calls.append("edoc") or real(s, o))
    theirs = PdfFileReader(io.BytesIO(data))
    value = _big(theirs)
    assert calls == []  # the user's reader never reached edoc's code
    assert _big(ours) == value == bytes.fromhex("0123456789abcdef" * 4096)
    assert calls == ["edoc"]


def test_stock_block_reads_edocs_streams_with_pyhankos_reader() -> None:
    """Inside tests/oracles.stock_pyhanko, even an edoc stream is read by pyHanko's own function, and making one
    does not install the dispatcher again; after the block it is back."""
    adapter.reader(_pdf())
    with stock_pyhanko():
        reader = adapter.reader(_pdf())
        assert _big(reader) and not adapter.installed()
        assert_stock_pyhanko()
    assert adapter.installed()


def test_install_and_uninstall_round_trip() -> None:
    with stock_pyhanko():
        own = generic.read_hex_string_from_stream
    adapter.uninstall()
    assert generic.read_hex_string_from_stream is own and not adapter.installed()
    adapter.install()
    patched = generic.read_hex_string_from_stream
    adapter.install()
    assert generic.read_hex_string_from_stream is patched and adapter.installed()
    assert patched.edoc_original is own  # type: ignore[attr-defined]


def test_importing_edoc_does_not_touch_pyhanko() -> None:
    """A process that imported edoc (and this test module) but opened no PDF with edoc has pyHanko as shipped
    (run in a fresh interpreter, since this worker has made edoc readers already)."""
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).resolve().parents[1]
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import edoc, edoc.sign, edoc.verify; "
            "import adapters.test_pyhanko_hex_reader; "
            "from oracles import assert_stock_pyhanko; assert_stock_pyhanko(); print('stock')")
    proc = subprocess.run([sys.executable, "-c", code, str(tests)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "stock" in proc.stdout, proc.stderr[-2000:]
