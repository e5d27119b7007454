"""Independent oracles stay independent: pyHanko as shipped, without edoc's hex reader.

edoc reads hexadecimal strings with its own whole-string reader in the PDFs it opens itself (its readers are
made on :class:`edoc._adapters.pyhanko.FastHexStream`; any other stream is read by pyHanko's own function even
while edoc's dispatcher is installed). A test that uses pyHanko as the oracle ("decides as pyHanko", "same file
as pyHanko's signer", pyHanko's validator) on edoc's own objects, such as an edoc signing session driving
pyHanko's ``PdfSigner``, would otherwise compare edoc with pyHanko reading through edoc. Run the oracle's part
inside :func:`stock_pyhanko`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from edoc._adapters import pyhanko as adapter

__all__ = ["assert_stock_pyhanko", "stock_pyhanko"]


def assert_stock_pyhanko() -> None:
    """Fail unless pyHanko reads hexadecimal strings with its own reader."""
    from pyhanko.pdf_utils import generic

    reader = generic.read_hex_string_from_stream
    assert reader.__module__ == "pyhanko.pdf_utils.generic" and not hasattr(reader, "edoc_original"), (
        f"pyHanko's reader is patched ({reader.__module__}.{reader.__qualname__}): the oracle is not pyHanko's own")


@contextmanager
def stock_pyhanko() -> Iterator[None]:
    """pyHanko exactly as shipped inside the block (asserted on entry and on exit), for edoc's streams too:
    edoc's dispatcher is removed and not installed again until the block ends (then it is, if it was before)."""
    with adapter.as_shipped():
        assert_stock_pyhanko()
        yield
        assert_stock_pyhanko()
