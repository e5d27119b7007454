"""Measured speed fixes for pyHanko, installed once when edoc first uses pyHanko.

pyHanko reads a hexadecimal string (a signature's ``/Contents``, 16–64 KiB of hex digits) one byte at a
time through a generator: measured 55 ms of the 314 ms of a B-LTA augmentation of a one-page document, and
the same cost again for every revision the verifier reads. :func:`_read_hex_string` does the same job on the
whole string at once (``bytes.translate`` + ``binascii.unhexlify``), falling back to pyHanko's own reader for
anything unusual (a ``%`` inside the string, which pyHanko treats as a comment), so what it accepts and
refuses is unchanged; ``tests/util/test_pyhanko_patch.py`` checks both readers agree.

:func:`uninstall` puts pyHanko's own reader back: the differential tests run their pyHanko oracle with it, so
that they compare edoc with pyHanko as shipped, not with pyHanko patched by edoc.
"""

from __future__ import annotations

import binascii
import os
from typing import Any

__all__ = ["install", "installed", "uninstall"]

_CHUNK = 64 * 1024


def installed() -> bool:
    """Whether pyHanko currently reads hexadecimal strings with edoc's reader."""
    from pyhanko.pdf_utils import generic

    return hasattr(generic.read_hex_string_from_stream, "edoc_original")


def uninstall() -> None:
    """Put pyHanko's own reader back (idempotent)."""
    from pyhanko.pdf_utils import generic

    original = getattr(generic.read_hex_string_from_stream, "edoc_original", None)
    if original is not None:
        generic.read_hex_string_from_stream = original


def install() -> None:
    """Install the fast readers into pyHanko (idempotent, process-wide)."""
    if installed():
        return
    from pyhanko.pdf_utils import generic, misc

    original = generic.read_hex_string_from_stream
    whitespace = bytes(misc.PDF_WHITESPACE)
    hex_digits = generic.HEX_DIGITS
    pdf_string = generic.pdf_string
    stream_error = misc.PdfStreamError

    def _read_hex_string(stream: Any) -> Any:
        start = stream.tell()
        stream.read(1)  # the opening "<"
        chunks: list[bytes] = []
        while True:
            buf = stream.read(_CHUNK)
            if not buf:
                raise stream_error("Stream ended prematurely inside a hex string")
            end = buf.find(b">")
            if end >= 0:
                chunks.append(buf[:end])
                stream.seek(end + 1 - len(buf), os.SEEK_CUR)
                break
            chunks.append(buf)
        digits = b"".join(chunks).translate(None, whitespace)
        if digits.translate(None, hex_digits):  # a "%" comment or a bad byte: let pyHanko decide
            stream.seek(start)
            return original(stream)
        if len(digits) % 2:
            digits += b"0"
        return pdf_string(binascii.unhexlify(digits))

    _read_hex_string.__doc__ = original.__doc__
    _read_hex_string.edoc_original = original  # type: ignore[attr-defined]
    generic.read_hex_string_from_stream = _read_hex_string
