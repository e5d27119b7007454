"""edoc's fast hex-string reader for pyHanko reads exactly what pyHanko's own reader reads.

The patch is installed only inside these tests (fixture ``readers``) and pyHanko's own reader is put back
afterwards, so importing this module changes nothing for the other tests (the differential tests compare edoc
with pyHanko as shipped, see tests/oracles.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic

from edoc import _pyhanko
from oracles import assert_stock_pyhanko, stock_pyhanko

Reader = Callable[[Any], Any]


@pytest.fixture()
def readers() -> Iterator[tuple[Reader, Reader]]:
    """(edoc's reader, pyHanko's own) with the patch installed for the test only."""
    with stock_pyhanko():
        original = generic.read_hex_string_from_stream
        _pyhanko.install()
        try:
            fast = generic.read_hex_string_from_stream
            assert fast is not original and fast.edoc_original is original  # type: ignore[attr-defined]
            yield fast, original
        finally:
            _pyhanko.uninstall()


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
def test_fast_reader_agrees_with_pyhanko(readers: tuple[Reader, Reader], data: bytes) -> None:
    fast, original = readers
    assert _read(fast, data) == _read(original, data)


def test_a_long_signature_contents_is_read_whole(readers: tuple[Reader, Reader]) -> None:
    raw = bytes(range(256)) * 200
    value, pos = _read(readers[0], b"<" + raw.hex().encode() + b">  /ByteRange")
    assert bytes(value) == raw and pos == len(raw) * 2 + 2


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=64).map(lambda b: b.hex()), st.lists(st.sampled_from(" \n\r\t"), max_size=8),
       st.sampled_from([b">", b"> /Key", b">>"]))
def test_random_hex_strings(readers: tuple[Reader, Reader], hexdigits: str, spaces: list[str],
                            tail: bytes) -> None:
    fast, original = readers
    body = hexdigits
    for i, s in enumerate(spaces):
        pos = (i * 7) % (len(body) + 1)
        body = body[:pos] + s + body[pos:]
    data = b"<" + body.encode() + tail
    assert _read(fast, data) == _read(original, data)


def test_install_and_uninstall_round_trip() -> None:
    """What the fixture above and tests/oracles.py rely on: installing is idempotent, uninstalling gives
    pyHanko's own reader back, and a later install (a new signing session) patches again."""
    with stock_pyhanko():
        own = generic.read_hex_string_from_stream
        _pyhanko.install()
        patched = generic.read_hex_string_from_stream
        _pyhanko.install()
        assert generic.read_hex_string_from_stream is patched and _pyhanko.installed()
        _pyhanko.uninstall()
        assert generic.read_hex_string_from_stream is own and not _pyhanko.installed()
        assert_stock_pyhanko()
        _pyhanko.install()
        assert _pyhanko.installed()
        _pyhanko.uninstall()


def test_importing_this_module_did_not_patch_pyhanko() -> None:
    """In a process where nothing made a signing session, pyHanko is as shipped (run in a fresh interpreter,
    since this worker may have made sessions already)."""
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).resolve().parents[1]
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import util.test_pyhanko_patch; "
            "from oracles import assert_stock_pyhanko; assert_stock_pyhanko(); print('stock')")
    proc = subprocess.run([sys.executable, "-c", code, str(tests)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "stock" in proc.stdout, proc.stderr[-2000:]
