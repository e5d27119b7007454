"""Base64 for attachment payloads: pybase64 (SIMD; a core dependency) when importable, else the
standard library. Both are strict on decode (only the base64 alphabet, padding only at the end) and take
bytes or an ASCII str.

The standard library decodes at roughly 150 MB/s, pybase64 at several GB/s: for a 20 MiB attachment that is
the difference between ~190 ms and ~5 ms (see benchmarks/edxml_bench.py).
"""

from __future__ import annotations

import base64
import binascii
import sys
from collections.abc import Callable

__all__ = ["BACKEND", "b64encode", "b64decode_strict", "std_b64encode", "std_b64decode_strict"]


def std_b64encode(data: bytes) -> bytes:
    """Standard-library base64 (no line breaks)."""
    return binascii.b2a_base64(data, newline=False)


def std_b64decode_strict(data: bytes | str) -> bytes:
    """Standard-library strict decode; :class:`binascii.Error` on anything but base64."""
    if sys.version_info >= (3, 11):
        return binascii.a2b_base64(data, strict_mode=True)
    return base64.b64decode(data, validate=True)  # pragma: no cover - Python 3.10


b64encode: Callable[[bytes], bytes] = std_b64encode
b64decode_strict: Callable[[bytes | str], bytes] = std_b64decode_strict
BACKEND = "stdlib"

try:
    import pybase64 as _pybase64
except ImportError:  # pragma: no cover - depends on the installed extras
    pass
else:
    BACKEND = "pybase64"

    def _fast_encode(data: bytes) -> bytes:
        return _pybase64.b64encode(data)  # type: ignore[no-any-return]

    def _fast_decode(data: bytes | str) -> bytes:
        return _pybase64.b64decode(data, validate=True)  # type: ignore[no-any-return]

    b64encode = _fast_encode
    b64decode_strict = _fast_decode
