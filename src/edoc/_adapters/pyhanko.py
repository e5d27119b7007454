"""The one adapter between edoc and pyHanko's internals (tests: ``tests/adapters/test_pyhanko_adapter.py``).

Written for **pyHanko 0.38.x** with **pyhanko-certvalidator 0.33.x** (:data:`PYHANKO_VERSIONS`,
:data:`CERTVALIDATOR_VERSIONS`; ``pyproject.toml`` pins the same range). Everything edoc does with pyHanko
beyond its documented API goes through this module, and :data:`PRIVATE_NAMES` lists what that is; the
adapter tests check the installed versions and each of those names, so an upgrade that breaks the adapter
fails there, loudly, and not somewhere in a signature.

What this module holds, and why:

**A whole-string reader for hexadecimal strings, for edoc's own readers only.** pyHanko reads a hexadecimal
string (a signature's ``/Contents``, 16–64 KiB of hex digits) one byte at a time through a generator:
measured 55 ms of the 314 ms of a B-LTA augmentation of a one-page document, and 6–11 ms per signature added
after a certification signature. :func:`_read_hex_string` does the same job on the whole string at once
(``bytes.translate`` + ``binascii.unhexlify``), falling back to pyHanko's own reader for anything unusual (a
``%`` inside the string, which pyHanko treats as a comment), so what it accepts and refuses is unchanged
(``tests/adapters/test_pyhanko_hex_reader.py`` checks both readers agree, with hypothesis).

pyHanko calls the module-level function ``pyhanko.pdf_utils.generic.read_hex_string_from_stream`` from
``read_object``; there is no per-reader hook. :func:`install` (called by :func:`stream`) therefore puts a
dispatcher in its place that looks at the stream being read: a :class:`FastHexStream` — what edoc's readers
and writers are made on (:func:`stream`, :func:`reader`, :func:`incremental_writer`) — is read whole; any
other stream goes to pyHanko's own function, called as is. A user's own pyHanko calls in the same process
(their own ``BytesIO`` or file) thus read exactly as without edoc; the cost for them is one type check per
hexadecimal string, below measurement. ``tests/adapters`` checks both sides; :func:`uninstall` removes the
dispatcher (the differential tests run their pyHanko oracle without it, ``tests/oracles.py``).

Private or undocumented pyHanko names this module relies on (also in :data:`PRIVATE_NAMES`):

- ``pyhanko.pdf_utils.generic.read_hex_string_from_stream(stream)``, looked up as a module global by
  ``read_object`` (replaced by the dispatcher), with ``HEX_DIGITS``, ``pdf_string`` and
  ``pyhanko.pdf_utils.misc.PDF_WHITESPACE`` / ``PdfStreamError``;
- ``PdfFileReader`` reading every indirect object from the stream it was given (``self.stream``), which is
  what makes the dispatch by stream type reach the signature dictionaries.

Still outside this adapter (to move here; listed so that nobody adds to them):

- ``edoc.sign.engine``: the copied ``PdfSigner`` steps (``_sign_embedded``: ``PdfCMSEmbedder`` driven by
  hand, ``PdfSigner.register_extensions``, ``DEFAULT_SIGNING_STAMP_STYLE``; ``_sign_async``: the steps of
  ``PdfSigner.async_sign_pdf`` with ``session.system_time`` set), the CMS template (``_CmsTemplate``, which
  reproduces ``Signer._package_signature``), ``_CachedKeySigner`` (``pyhanko_certvalidator.util``) and the
  appearance hook (``_StampStyle``/``_Appearance``: pyHanko calls ``create_stamp`` then ``register``);
- ``edoc.verify.pdf`` (house-verify moves these): the fast path's reading of a signature dictionary
  (``reader.xrefs[ref]``, ``xrefs.get_last_change``, ``xrefs.get_startxref_for_revision``,
  ``xrefs.get_xref_container_info``, ``process_data_at_eof``, ``generic.read_object`` on a spliced copy), its
  status built by hand (``PdfSignatureStatus(**kwargs)`` from ``generic_cms.collect_timing_info``,
  ``collect_signer_attr_status``, ``validate_algorithm_protection``, ``handle_certvalidator_errors``,
  ``get_signing_cert_attr``; ``context.sig_validator``, ``context.path_builder``,
  ``context.certificate_registry``; ``PdfSignatureStatus.default_usage_constraints``), and the
  ``_DiffReader`` that relies on pyHanko's lenient reader going on after a moved ``endobj``;
- ``edoc.verify.changes``: rules subclassing ``pyhanko.sign.diff_analysis`` (``QualifiedWhitelistRule``,
  ``FieldMDPRule``, ``GenericFieldModificationRule``) and walking ``HistoricalResolver`` (``trailer_view``,
  ``xrefs.total_revisions``): pyHanko's documented extension point for difference analysis, whose classes
  are nonetheless subclassed with their internal call protocol.
"""

from __future__ import annotations

import binascii
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version as _installed_version
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

__all__ = [
    "CERTVALIDATOR_VERSIONS",
    "PRIVATE_NAMES",
    "PYHANKO_VERSIONS",
    "FastHexStream",
    "as_shipped",
    "incremental_writer",
    "install",
    "installed",
    "reader",
    "stream",
    "uninstall",
    "version_problems",
]

#: pyHanko versions this adapter was written for: ``>=`` the first, ``<`` the second (as ``pyproject.toml``)
PYHANKO_VERSIONS = ("0.38", "0.39")
#: pyhanko-certvalidator versions this adapter was written for (pyHanko 0.38 pins the same range)
CERTVALIDATOR_VERSIONS = ("0.33", "0.34")

#: Every pyHanko name this adapter uses beyond the documented API: ``(module, name, parameters)``, where
#: ``parameters`` are the leading parameter names of a callable (``None``: not a callable, or not checked).
#: The adapter tests check each one on the installed pyHanko.
PRIVATE_NAMES: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("pyhanko.pdf_utils.generic", "read_hex_string_from_stream", ("stream",)),
    ("pyhanko.pdf_utils.generic", "read_object", ("stream", "container_ref")),
    ("pyhanko.pdf_utils.generic", "HEX_DIGITS", None),
    ("pyhanko.pdf_utils.generic", "pdf_string", None),
    ("pyhanko.pdf_utils.misc", "PDF_WHITESPACE", None),
    ("pyhanko.pdf_utils.misc", "PdfStreamError", None),
)

_CHUNK = 64 * 1024
_WHITESPACE = bytes(misc.PDF_WHITESPACE)


def _version_tuple(text: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
        if not piece.isdigit():  # "0rc1": a pre-release of the number it starts with
            break
    return tuple(parts)


def _within(installed: str, bounds: tuple[str, str]) -> bool:
    return _version_tuple(bounds[0]) <= _version_tuple(installed) < _version_tuple(bounds[1])


def version_problems() -> list[str]:
    """What is installed outside the versions this adapter was written for (empty when all is well)."""
    out = []
    for dist, bounds in (("pyHanko", PYHANKO_VERSIONS), ("pyhanko-certvalidator", CERTVALIDATOR_VERSIONS)):
        have = _installed_version(dist)
        if not _within(have, bounds):
            out.append(f"{dist} {have} is outside >={bounds[0]},<{bounds[1]}: check edoc._adapters.pyhanko")
    return out


# ---------------------------------------------------------------- the whole-string hex reader


class FastHexStream(io.BytesIO):
    """The input of edoc's own pyHanko readers: hexadecimal strings read from it are read whole.

    An ordinary :class:`io.BytesIO` in every other respect; make it with :func:`stream`.
    """


def stream(data: bytes = b"") -> FastHexStream:
    """A stream over ``data`` that pyHanko reads with edoc's hex reader (installed on first use)."""
    install()
    return FastHexStream(data)


def reader(data: bytes, **kwargs: Any) -> PdfFileReader:
    """pyHanko's ``PdfFileReader`` over ``data``, reading hexadecimal strings whole (``kwargs`` are its own)."""
    return PdfFileReader(stream(data), **kwargs)


def incremental_writer(data: bytes, **kwargs: Any) -> IncrementalPdfFileWriter:
    """pyHanko's ``IncrementalPdfFileWriter`` over ``data``, reading hexadecimal strings whole."""
    return IncrementalPdfFileWriter(stream(data), **kwargs)


#: inside :func:`as_shipped` (a count, blocks may nest): :func:`install` does nothing
_suspended = 0


def installed() -> bool:
    """Whether pyHanko's hex-string reader is currently edoc's dispatcher."""
    return hasattr(generic.read_hex_string_from_stream, "edoc_original")


def uninstall() -> None:
    """Put pyHanko's own reader back (idempotent); the next :func:`stream` installs the dispatcher again."""
    original = getattr(generic.read_hex_string_from_stream, "edoc_original", None)
    if original is not None:
        generic.read_hex_string_from_stream = original


def install() -> None:
    """Install the dispatcher (idempotent): :class:`FastHexStream` read whole, every other stream as before."""
    if _suspended or hasattr(generic.read_hex_string_from_stream, "edoc_original"):
        return
    original = generic.read_hex_string_from_stream

    def read_hex_string_from_stream(stream: Any) -> Any:
        if type(stream) is FastHexStream:
            return _read_hex_string(stream, original)
        return original(stream)

    read_hex_string_from_stream.__doc__ = original.__doc__
    read_hex_string_from_stream.edoc_original = original  # type: ignore[attr-defined]
    generic.read_hex_string_from_stream = read_hex_string_from_stream


@contextmanager
def as_shipped() -> Iterator[None]:
    """pyHanko exactly as shipped inside the block, for every stream (edoc's own too): the dispatcher is
    removed and not installed again until the block ends (then it is, if it was before). The differential
    tests run their pyHanko oracle in such a block (``tests/oracles.py``). Not thread-safe: for tests."""
    global _suspended
    was_installed = installed()
    uninstall()
    _suspended += 1
    try:
        yield
    finally:
        _suspended -= 1
        if was_installed:
            install()


def _read_hex_string(stream: Any, original: Any) -> Any:
    """``read_hex_string_from_stream`` on the whole string at once; ``original`` decides anything unusual."""
    start = stream.tell()
    stream.read(1)  # the opening "<"
    chunks: list[bytes] = []
    while True:
        buf = stream.read(_CHUNK)
        if not buf:
            raise misc.PdfStreamError("Stream ended prematurely inside a hex string")
        end = buf.find(b">")
        if end >= 0:
            chunks.append(buf[:end])
            stream.seek(end + 1 - len(buf), os.SEEK_CUR)
            break
        chunks.append(buf)
    digits = b"".join(chunks).translate(None, _WHITESPACE)
    if digits.translate(None, generic.HEX_DIGITS):  # a "%" comment or a bad byte: let pyHanko decide
        stream.seek(start)
        return original(stream)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))
