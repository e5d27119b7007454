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
hexadecimal string, within the noise (measured: a 16-byte ``/ID`` 19.3 µs with pyHanko's reader, 19.4 µs
through the dispatcher; a 16 KiB ``/Contents`` 17 ms either way, and 0.57 ms on an edoc stream).
``tests/adapters`` checks both sides; :func:`uninstall` removes the dispatcher (the differential tests run
their pyHanko oracle without it, ``tests/oracles.py``).

**PdfSigner's steps, driven by edoc.** With pyHanko's ``PdfSigner`` a tuned invisible signature cost
~25-30 ms, ~80 % of it asn1crypto building the CMS. For B-B and B-T with the signers edoc knows, the signing
engine makes the CMS from DER pieces encoded once per session and lets :class:`CmsEmbedder` do what
``PdfSigner`` does around it with pyHanko's low-level ``PdfCMSEmbedder`` (DocMDP refusals, developer
extensions, field, appearance, signature dictionary, byte ranges, ``/Contents``): ``issue`` ~12-15 ms. Where
``PdfSigner`` itself runs (B-LT/B-LTA, seed values, locks, signers edoc does not know), :func:`run_pdf_signer`
is its ``async_sign_pdf`` step by step with the signing time set on the session (so the appearance, ``/M``
and the CMS agree) and ``/Contents`` sized by edoc rather than by a dry-run signature. :func:`stamp_style`
lets edoc draw a visible signature's appearance into the revision pyHanko is writing.

Private or undocumented pyHanko names this module relies on (each in :data:`PRIVATE_NAMES`, with the
parameters used):

- the hex reader: ``pyhanko.pdf_utils.generic.read_hex_string_from_stream(stream)``, looked up as a module
  global by ``read_object`` (replaced by the dispatcher), with ``HEX_DIGITS``, ``pdf_string`` and
  ``pyhanko.pdf_utils.misc.PDF_WHITESPACE`` / ``PdfStreamError``; ``PdfFileReader`` reading every indirect
  object from the stream it was given, which is what makes the dispatch by stream type reach the signature
  dictionaries;
- :class:`CmsEmbedder`: the ``PdfCMSEmbedder.write_cms`` generator protocol (``SigObjSetup``, ``SigIOSetup``,
  then the CMS bytes), ``SignatureObject``, ``SigMDPSetup``, ``SigAppearanceSetup``,
  ``DEFAULT_SIGNING_STAMP_STYLE``, ``PdfSigner.register_extensions`` and ``read_certification_data`` — and
  the order ``PdfSigner`` calls them in, with its two refusal messages;
- :func:`run_pdf_signer`: ``PdfSigner.init_signing_session``, ``PdfSigningSession.system_time``,
  ``perform_presign_validation``, ``prepare_tbs_document``, ``PdfTBSDocument.digest_tbs_document``,
  ``perform_signature``, ``PdfPostSignatureDocument.post_signature_processing`` — public methods, in the
  order of ``async_sign_pdf``;
- :func:`stamp_style`: pyHanko asking ``BaseStampStyle.create_stamp`` for the widget's content and then only
  calling its ``register()`` (through ``AppearanceContent.apply_appearance``).

Still outside this adapter (to move here; listed so that nobody adds to them):

- ``edoc.sign.engine`` (being split by house-async, issue 14 §1): the CMS template (``_CmsTemplate.build``
  reproduces ``Signer._package_signature``: which certificates, ``embed_roots``, ``signed_attrs`` with
  ``use_pades=True``) and ``_CachedKeySigner.sign_raw`` (``pyhanko_certvalidator.util`` hash and PSS
  helpers); their pyHanko-facing parts come here once the split has landed;
- ``edoc.verify.pdf`` (house-verify moves these, issue 14 §2): the fast path's reading of a signature
  dictionary (``reader.xrefs[ref]``, ``xrefs.get_last_change``, ``xrefs.get_startxref_for_revision``,
  ``xrefs.get_xref_container_info``, ``process_data_at_eof``, ``generic.read_object`` on a spliced copy),
  its status built by hand (``PdfSignatureStatus(**kwargs)`` from ``generic_cms.collect_timing_info``,
  ``collect_signer_attr_status``, ``validate_algorithm_protection``, ``handle_certvalidator_errors``,
  ``get_signing_cert_attr``; ``context.sig_validator``, ``context.path_builder``,
  ``context.certificate_registry``; ``PdfSignatureStatus.default_usage_constraints``), and ``_DiffReader``,
  which relies on pyHanko's lenient reader going on after a moved ``endobj``;
- ``edoc.verify.fetch``: ``pyhanko_certvalidator.fetchers.common_utils`` (``enumerate_delivery_point_urls``,
  ``format_ocsp_request``, ``process_ocsp_response_data``), helpers of pyhanko-certvalidator's own fetchers
  that its documentation does not list;
- ``edoc.verify.changes``: rules subclassing ``pyhanko.sign.diff_analysis`` (``QualifiedWhitelistRule``,
  ``FieldMDPRule``, ``GenericFieldModificationRule``) and walking ``HistoricalResolver`` (``trailer_view``,
  ``xrefs.total_revisions``): pyHanko's documented extension point for difference analysis, subclassed with
  its internal call protocol.
"""

from __future__ import annotations

import binascii
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version as _installed_version
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.content import AppearanceContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.cms_embedder import (
    PdfCMSEmbedder,
    SigAppearanceSetup,
    SigIOSetup,
    SigMDPSetup,
    SigObjSetup,
)
from pyhanko.sign.signers.constants import DEFAULT_SIGNING_STAMP_STYLE
from pyhanko.sign.signers.pdf_byterange import SignatureObject
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes, Signer
from pyhanko.sign.validation import read_certification_data
from pyhanko.stamp.base import BaseStampStyle

__all__ = [
    "CERTVALIDATOR_VERSIONS",
    "PRIVATE_NAMES",
    "PYHANKO_VERSIONS",
    "CmsEmbedder",
    "FastHexStream",
    "PreparedSignature",
    "as_shipped",
    "incremental_writer",
    "install",
    "installed",
    "reader",
    "run_pdf_signer",
    "signatures_exist",
    "stamp_style",
    "stream",
    "uninstall",
    "version_problems",
]

#: pyHanko versions this adapter was written for: ``>=`` the first, ``<`` the second (as ``pyproject.toml``)
PYHANKO_VERSIONS = ("0.38", "0.39")
#: pyhanko-certvalidator versions this adapter was written for (pyHanko 0.38 pins the same range)
CERTVALIDATOR_VERSIONS = ("0.33", "0.34")

#: Every pyHanko name this adapter uses beyond the documented API, or in an order pyHanko does not document:
#: ``(module, name, parameters)``, where ``parameters`` are names the callable (or dataclass) must accept
#: (``None``: not a callable, or nothing to check). The adapter tests check each one on the installed pyHanko.
PRIVATE_NAMES: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    # the hex reader
    ("pyhanko.pdf_utils.generic", "read_hex_string_from_stream", ("stream",)),
    ("pyhanko.pdf_utils.generic", "read_object", ("stream", "container_ref")),
    ("pyhanko.pdf_utils.generic", "HEX_DIGITS", None),
    ("pyhanko.pdf_utils.generic", "pdf_string", None),
    ("pyhanko.pdf_utils.misc", "PDF_WHITESPACE", None),
    ("pyhanko.pdf_utils.misc", "PdfStreamError", None),
    # CmsEmbedder: PdfSigner's steps for a plain field
    ("pyhanko.sign.signers.cms_embedder", "PdfCMSEmbedder", ("new_field_spec",)),
    ("pyhanko.sign.signers.cms_embedder", "PdfCMSEmbedder.write_cms", ("field_name", "writer")),
    ("pyhanko.sign.signers.cms_embedder", "SigObjSetup", ("sig_placeholder", "mdp_setup", "appearance_setup")),
    ("pyhanko.sign.signers.cms_embedder", "SigMDPSetup", ("md_algorithm", "certify", "docmdp_perms")),
    ("pyhanko.sign.signers.cms_embedder", "SigAppearanceSetup", ("style", "timestamp", "name")),
    ("pyhanko.sign.signers.cms_embedder", "SigIOSetup", ("md_algorithm", "output")),
    ("pyhanko.sign.signers.pdf_byterange", "SignatureObject",
     ("bytes_reserved", "subfilter", "timestamp", "location", "reason")),
    ("pyhanko.sign.signers.constants", "DEFAULT_SIGNING_STAMP_STYLE", None),
    ("pyhanko.sign.signers.pdf_signer", "PdfSigner.register_extensions", ("pdf_out", "md_algorithm")),
    ("pyhanko.sign.validation", "read_certification_data", ("reader",)),
    # run_pdf_signer: PdfSigner.async_sign_pdf step by step, with the session's clock set
    ("pyhanko.sign.signers.pdf_signer", "PdfSigner.init_signing_session", ("pdf_out",)),
    ("pyhanko.sign.signers.pdf_signer", "PdfSigningSession", ("system_time",)),
    ("pyhanko.sign.signers.pdf_signer", "PdfSigningSession.perform_presign_validation", ("pdf_out",)),
    ("pyhanko.sign.signers.pdf_signer", "PdfSigningSession.prepare_tbs_document",
     ("validation_info", "bytes_reserved")),
    ("pyhanko.sign.signers.pdf_signer", "PdfTBSDocument.digest_tbs_document", ("output",)),
    ("pyhanko.sign.signers.pdf_signer", "PdfTBSDocument.perform_signature",
     ("document_digest", "pdf_cms_signed_attrs")),
    ("pyhanko.sign.signers.pdf_signer", "PdfPostSignatureDocument.post_signature_processing", ("output",)),
    ("pyhanko.sign.signers.pdf_cms", "PdfCMSSignedAttributes", ("signing_time", "cades_signed_attrs")),
    # stamp_style: pyHanko calls create_stamp, then register() on what it returned
    ("pyhanko.stamp.base", "BaseStampStyle.create_stamp", ("writer", "box", "text_params")),
    ("pyhanko.pdf_utils.content", "AppearanceContent", ("writer", "box")),
    ("pyhanko.pdf_utils.content", "AppearanceContent.register", ()),
    ("pyhanko.pdf_utils.content", "AppearanceContent.as_appearances", ()),
    ("pyhanko.pdf_utils.content", "AppearanceContent.apply_appearance", ("annot_dict",)),
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


# ---------------------------------------------------------------- PdfSigner's steps, driven by edoc


class _Appearance(AppearanceContent):  # type: ignore[misc]
    """The content pyHanko asks a stamp style for; its form XObject is whatever ``register`` writes."""

    def __init__(self, writer: Any, box: BoxConstraints, register: Callable[[], Any]) -> None:
        super().__init__(writer=writer, box=box)
        self._register = register

    def register(self) -> Any:
        return self._register()


@dataclass(frozen=True)
class _StampStyle(BaseStampStyle):  # type: ignore[misc]
    """A pyHanko stamp style drawing with edoc's functions (one per signature call).

    Relies on pyHanko asking ``create_stamp`` for the widget's content and then only calling its
    ``register()`` (through ``apply_appearance``) for the form XObject (``SigAppearanceSetup.apply``).
    """

    make: Callable[[float, float], Any] | None = None
    register: Callable[[Any], Any] | None = None

    def create_stamp(self, writer: Any, box: BoxConstraints, text_params: dict[str, Any]) -> Any:
        assert self.make is not None and self.register is not None
        drawn, register = self.make(float(box.width), float(box.height)), self.register
        return _Appearance(writer, box, lambda: register(drawn))


def stamp_style(make: Callable[[float, float], Any], register: Callable[[Any], Any]) -> Any:
    """A pyHanko stamp style for a visible signature: pyHanko calls ``make(width, height)`` once with the
    widget's size, then ``register(what make returned)``, which writes the appearance as a form XObject into
    the revision and returns its reference."""
    return _StampStyle(make=make, register=register)


@dataclass(frozen=True)
class PreparedSignature:
    """A signature prepared by :meth:`CmsEmbedder.prepare`: the document's digest to sign, and the step that
    writes the CMS into ``/Contents``."""

    #: the digest of the byte ranges (the ``messageDigest`` the CMS signs)
    document_digest: bytes
    _embedder: Any = field(repr=False)
    _output: Any = field(repr=False)

    def finish(self, cms: bytes) -> bytes:
        """Write the DER ``ContentInfo`` into ``/Contents``; the signed file's bytes."""
        self._embedder.send(cms)
        return bytes(self._output.getvalue())


class CmsEmbedder:
    """What ``PdfSigner`` does for a B-B/B-T PAdES signature on a field without seed values or lock, with the
    CMS made by the caller (edoc's template) instead of pyHanko's ``Signer``: refuse what DocMDP forbids,
    register the developer extensions, write the field, its appearance, the signature dictionary (for a
    certification the DocMDP reference and ``/Perms``), hash the byte ranges, fill ``/Contents``.

    Drives pyHanko's low-level ``PdfCMSEmbedder`` (a generator protocol: ``SigObjSetup``, ``SigIOSetup``,
    then the CMS) step by step as ``PdfSigner`` does, and ``PdfSigner.register_extensions``; one instance per
    signer and digest serves every document (immutable).

    :param signer: the pyHanko ``Signer`` (its subject name goes into the appearance's text parameters).
    :param digest: the message digest.
    :param bytes_reserved: the size of ``/Contents`` in bytes of hex digits.
    """

    def __init__(self, signer: Signer, *, digest: str, bytes_reserved: int) -> None:
        self.digest = digest
        self.bytes_reserved = bytes_reserved
        self._name = signer.subject_name
        # the ESIC / ISO 32001-2 developer extensions depend only on the signer and the sub-filter
        self._extensions = PdfSigner(PdfSignatureMetadata(field_name="-", md_algorithm=digest,
                                                          subfilter=SigSeedSubFilter.PADES), signer)

    def prepare(self, writer: IncrementalPdfFileWriter, *, field_name: str, new_field_spec: Any, style: Any,
                certify: bool, reason: str | None, location: str | None, when: datetime) -> PreparedSignature:
        """Write the signature's revision with ``/Contents`` reserved; hash it.

        :raises SigningError: the document forbids the signature (pyHanko's own messages).
        """
        if certify and signatures_exist(writer.prev):
            raise SigningError("Certification signatures must be the first signature in a given document.")
        docmdp = read_certification_data(writer.prev)  # cheap: the dictionary was preloaded
        if docmdp is not None and docmdp.permission == MDPPerm.NO_CHANGES:
            raise SigningError("Author signature forbids all changes")
        embedder = PdfCMSEmbedder(new_field_spec=new_field_spec).write_cms(field_name=field_name, writer=writer)
        next(embedder)  # the field, found or created
        self._extensions.register_extensions(writer, md_algorithm=self.digest)
        sig_obj = SignatureObject(bytes_reserved=self.bytes_reserved, subfilter=SigSeedSubFilter.PADES,
                                  timestamp=when, location=location, reason=reason)
        embedder.send(SigObjSetup(
            sig_placeholder=sig_obj,
            mdp_setup=SigMDPSetup(md_algorithm=self.digest, certify=True, docmdp_perms=MDPPerm.FILL_FORMS)
            if certify else None,
            appearance_setup=SigAppearanceSetup(style=style or DEFAULT_SIGNING_STAMP_STYLE, timestamp=when,
                                                name=self._name),
        ))
        prepared, output = embedder.send(SigIOSetup(md_algorithm=self.digest))
        return PreparedSignature(bytes(prepared.document_digest), embedder, output)


def signatures_exist(reader: Any) -> bool:
    """Whether any signature field has a value, read without resolving the values (pyHanko's check for a
    certification signature resolves, and so parses, every signature's ``/Contents``)."""
    form = reader.root.get("/AcroForm")
    if form is None:
        return False
    pending = [(ref, 0) for ref in form.get_object().get("/Fields", []) or []]
    while pending:
        ref, depth = pending.pop()
        node = ref.get_object()
        if node.get("/FT") == "/Sig" and "/V" in node:
            return True
        if depth < 16:
            pending.extend((kid, depth + 1) for kid in node.get("/Kids", []) or [])
    return False


async def run_pdf_signer(pdf_signer: PdfSigner, writer: IncrementalPdfFileWriter, *, signing_time: datetime,
                         bytes_reserved: int) -> bytes:
    """pyHanko's ``PdfSigner.async_sign_pdf``, step by step, with two changes: the signing session's
    ``system_time`` is ``signing_time`` (so the appearance, ``/M`` and the CMS agree), and ``/Contents`` is
    ``bytes_reserved`` long, never estimated by a dry-run signature. The output is an edoc stream, so a B-LTA
    document time-stamp reads the signature just made with the whole-string hex reader."""
    session = pdf_signer.init_signing_session(writer)
    session.system_time = signing_time
    validation_info = await session.perform_presign_validation(writer)
    tbs = session.prepare_tbs_document(validation_info=validation_info, bytes_reserved=bytes_reserved)
    digest, output = tbs.digest_tbs_document(output=stream())
    post = await tbs.perform_signature(
        document_digest=digest.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(
            signing_time=signing_time,
            cades_signed_attrs=pdf_signer.signature_meta.cades_signed_attr_spec,
        ),
    )
    await post.post_signature_processing(output)
    output.seek(0)
    return bytes(output.read())
