"""Independent oracles stay independent: pyHanko as shipped, without edoc's reader patch.

edoc installs its whole-string hex reader into pyHanko process-wide when a signing session is made
(:mod:`edoc._pyhanko`), so in a full run any test that uses pyHanko as the oracle ("decides as pyHanko",
"same file as pyHanko's signer", pyHanko's validator) would otherwise compare edoc with edoc-patched pyHanko.
Run the oracle's part inside :func:`stock_pyhanko`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from edoc import _pyhanko

__all__ = ["assert_stock_pyhanko", "stock_pyhanko"]


def assert_stock_pyhanko() -> None:
    """Fail unless pyHanko reads hexadecimal strings with its own reader."""
    from pyhanko.pdf_utils import generic

    reader = generic.read_hex_string_from_stream
    assert reader.__module__ == "pyhanko.pdf_utils.generic" and not hasattr(reader, "edoc_original"), (
        f"pyHanko's reader is patched ({reader.__module__}.{reader.__qualname__}): the oracle is not pyHanko's own")


@contextmanager
def stock_pyhanko() -> Iterator[None]:
    """pyHanko exactly as shipped inside the block (asserted on entry and on exit); edoc's patch is put back
    afterwards if it was installed before. Make edoc signing sessions *before* the block: making one
    installs the patch."""
    was_installed = _pyhanko.installed()
    _pyhanko.uninstall()
    try:
        assert_stock_pyhanko()
        yield
        assert_stock_pyhanko()
    finally:
        if was_installed:
            _pyhanko.install()
