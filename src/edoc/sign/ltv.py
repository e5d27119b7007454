"""Long-term validation of signed PDFs: augment to PAdES B-LTA, and renew with a new document time-stamp.

Both only append incremental updates, so the original bytes stay a prefix of the result (an archive keeps
what was signed). Augmentation adds, for every signature and for the time-stamps, the certificates and the
OCSP/CRL responses of the whole chain to the DSS (fetched: a TSA is being contacted anyway, so the caller
has asked for the network), then a document time-stamp over all of it. Renewal adds the validation data of
the newest document time-stamp and a new one over it (pyHanko's archival time-stamp chain).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edoc.errors import EdocError, InvalidInput, MalformedFile, ResourceError
from edoc.util.fs import atomic_write_bytes

__all__ = ["LtvResult", "augment_to_lta", "add_document_timestamp"]

#: Largest PDF accepted here (archives hold documents, not scans of whole books).
MAX_PDF_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class LtvResult:
    """What an augmentation or a renewal added (the archive records it as an event).

    :param level: ``B-LTA`` after augmentation, ``renewed`` after a renewal.
    :param timestamp_expiry: when the certificate of the newest document time-stamp expires.
    :param detail: one line for the event log.
    """

    level: str
    timestamp_expiry: dt.datetime | None = None
    detail: str = ""


def _read(src: str | Path) -> bytes:
    path = Path(src)
    try:
        if path.stat().st_size > MAX_PDF_BYTES:
            raise InvalidInput(f"PDF larger than {MAX_PDF_BYTES} bytes", path=path)
        return path.read_bytes()
    except OSError as exc:
        raise ResourceError(f"cannot read the PDF: {exc.strerror}", path=path) from exc


def _certificates(items: Iterable[Any]) -> list[Any]:
    from asn1crypto import x509

    from edoc.keys.certs import read_certificates, to_asn1

    out: list[Any] = []
    for item in items:
        if isinstance(item, (str, Path)):
            out.extend(read_certificates(item))
        elif isinstance(item, (bytes, bytearray)):
            out.append(x509.Certificate.load(bytes(item)))
        else:
            out.append(to_asn1(item))
    return out


#: One validation context per set of anchors and process, reused across a batch: OCSP responses, CRLs and
#: issuer certificates fetched for one document serve the next ones (a batch of one agency's documents asks
#: the responders once per worker instead of once per document).
_CONTEXTS: dict[tuple[Any, ...], Any] = {}


def _context(trust: Iterable[Any], intermediates: Iterable[Any]) -> Any:
    trust, intermediates = tuple(trust), tuple(intermediates)
    key = (tuple(str(t) if isinstance(t, Path) else t for t in trust),
           tuple(str(t) if isinstance(t, Path) else t for t in intermediates))
    cacheable = all(isinstance(t, (str, bytes)) for t in key[0] + key[1])
    if cacheable and key in _CONTEXTS:
        return _CONTEXTS[key]
    context = _new_context(trust, intermediates)
    if cacheable:
        _CONTEXTS[key] = context
    return context


def _context_kwargs(trust: Iterable[Any], intermediates: Iterable[Any]) -> dict[str, Any]:
    roots = _certificates(trust)
    if not roots:
        raise InvalidInput("long-term validation data needs the trust anchors the signatures chain to",
                           message_vi="Cần chứng thư gốc tin cậy để thu thập dữ liệu kiểm tra dài hạn",
                           field="trust")
    # the context is cached for the whole batch and its moment is when it was made: without
    # retroactive_revinfo, an OCSP answer fetched more than a second later (a document of another chain met
    # later in the batch, or one slow request) is refused as "too recent" and the augmentation fails
    return {"trust_roots": roots, "other_certs": _certificates(intermediates), "allow_fetching": True,
            "revocation_mode": "require", "retroactive_revinfo": True}


def _new_context(trust: Iterable[Any], intermediates: Iterable[Any]) -> Any:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(**_context_kwargs(trust, intermediates))


#: Fetchers (OCSP, CRL, certificates, with their caches) per thread for the contexts made per document; the
#: requests-based ones outlive the event loop of the document that filled them.
_FETCHERS = threading.local()


def _document_context(reader: Any, trust: Iterable[Any], intermediates: Iterable[Any]) -> Any:
    """The batch's context, or, for a document that carries validation data of its own (a DSS: PAdES B-LT,
    as ``edoc demo`` signs), a context that knows that data as well (on the shared fetchers): a CRL whose
    address answers nothing (an offline CA, the demo's) is in the document, and B-LTA needs it."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return _context(trust, intermediates)
    if not (dss.crls or dss.ocsps):
        return _context(trust, intermediates)
    return dss.as_validation_context(_context_kwargs(trust, intermediates) | {"fetchers": _shared_fetchers()})


def _shared_fetchers() -> Any:
    """This thread's fetchers (requests-based, with their caches; nothing to close per context)."""
    fetchers = getattr(_FETCHERS, "fetchers", None)
    if fetchers is None:
        from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

        fetchers = _FETCHERS.fetchers = RequestsFetcherBackend().get_fetchers()
    return fetchers


def fresh_context(trust: Iterable[Any], intermediates: Iterable[Any] = ()) -> Any:
    """A validation context of its own (its fetched CRLs and OCSP responses are this caller's alone, e.g. to
    store them as evidence) on the shared fetchers."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(**_context_kwargs(trust, intermediates), fetchers=_shared_fetchers())


#: One time-stamper per TSA URL and thread: pyHanko sizes the time-stamp's /Contents from a first "dummy"
#: answer it keeps per time-stamper, so a fresh one per document costs a second TSA request per document
#: (per thread: the time-stamper records the expiry of its last token).
_TIMESTAMPERS: dict[tuple[str, int], Any] = {}


def _timestamper(tsa_url: str) -> Any:
    if not tsa_url.startswith(("http://", "https://")):
        raise InvalidInput(f"the TSA URL {tsa_url!r} is not http(s)", field="tsa_url")
    key = (tsa_url, threading.get_ident())
    stamper = _TIMESTAMPERS.get(key)
    if stamper is None:
        stamper = _TIMESTAMPERS[key] = _new_timestamper(tsa_url)
    return stamper


def _new_timestamper(tsa_url: str) -> Any:
    # pyHanko's default HTTPTimeStamper (aiohttp) builds a TLS context with the whole CA bundle for every
    # request, ~40 ms each even for http:// (measured: 80 of 465 ms per augmented document); the
    # requests-based client does not.
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    class _Recording(RequestsHTTPTimeStamper):  # type: ignore[misc]
        """Keeps the expiry of the last token's TSA certificate (saves re-reading the output PDF)."""

        last_expiry: dt.datetime | None = None

        async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> Any:
            token = await super().async_timestamp(message_digest, md_algorithm)
            self.last_expiry = _token_expiry(token)
            return token

    return _Recording(tsa_url, timeout=10)  # type: ignore[no-untyped-call]


def _token_expiry(token: Any) -> dt.datetime | None:
    """``notAfter`` of the certificate that signed an RFC 3161 token (a CMS ContentInfo)."""
    try:
        signed = token["content"]
        sid = signed["signer_infos"][0]["sid"]
        for choice in signed["certificates"]:
            cert = choice.chosen
            if sid.name == "issuer_and_serial_number":
                ias = sid.chosen
                if cert.issuer == ias["issuer"] and cert.serial_number == ias["serial_number"].native:
                    return cert.not_valid_after  # type: ignore[no-any-return]
            elif cert.key_identifier == sid.chosen.native:
                return cert.not_valid_after  # type: ignore[no-any-return]
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None
    return None


def _newest_timestamp_expiry(data: bytes) -> dt.datetime | None:
    from edoc._adapters import pyhanko as pyhanko_adapter

    sigs = pyhanko_adapter.reader(data).embedded_signatures
    for sig in reversed(sigs):
        if sig.sig_object.get("/Type") == "/DocTimeStamp":
            expiry: dt.datetime = sig.signer_cert.not_valid_after
            return expiry
    return None


def _wrap(exc: Exception, src: str | Path, what: str) -> EdocError:
    if isinstance(exc, EdocError):
        return exc
    from pyhanko.pdf_utils.misc import PdfError

    if isinstance(exc, PdfError):
        return MalformedFile(f"cannot {what}: {exc}", path=src)
    action_vi = "bổ sung dữ liệu kiểm tra dài hạn" if "augment" in what else "gia hạn dấu thời gian"
    return EdocError(f"cannot {what}: {type(exc).__name__}: {exc}", message_vi=f"Không thể {action_vi}: {exc}",
                     path=src)


def augment_to_lta(src: str | Path, dst: str | Path, *, tsa_url: str, trust: Iterable[Any] = (),
                   intermediates: Iterable[Any] = (), md_algorithm: str = "sha256") -> LtvResult:
    """Append the validation data of every signature and a document time-stamp (PAdES B-LTA).

    :param trust: the trust anchors (paths, DER bytes or certificates) the signatures chain to.
    :raises InvalidInput: no trust anchors, or a document without signatures.
    :raises EdocError: the validation data or the time-stamp could not be obtained (the message says why).
    """
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko.sign.validation import add_validation_info

    from edoc._adapters import pyhanko as pyhanko_adapter

    data = _read(src)
    try:
        reader = pyhanko_adapter.reader(data)
        vc = _document_context(reader, trust, intermediates)
        first = reader.embedded_signatures  # parsed once for the count and the 1st
        count = len(first)
        if count == 0:
            raise InvalidInput("the PDF has no signature to augment", path=src)
        for index in range(count):
            sig = first[0] if index == 0 else pyhanko_adapter.reader(data).embedded_signatures[index]
            out = add_validation_info(sig, vc, in_place=False, output=pyhanko_adapter.stream())
            data = out.getvalue()
        out = pyhanko_adapter.stream()
        stamper = _timestamper(tsa_url)
        stamper.last_expiry = None
        PdfTimeStamper(stamper).timestamp_pdf(
            pyhanko_adapter.incremental_writer(data), md_algorithm, validation_context=vc, output=out)
        result = out.getvalue()
        expiry = stamper.last_expiry or _newest_timestamp_expiry(result)
    except Exception as exc:
        raise _wrap(exc, src, "augment the signatures to B-LTA") from exc
    atomic_write_bytes(dst, result)
    return LtvResult("B-LTA", expiry,
                     f"validation data of {count} signature(s) and a document time-stamp added")


def add_document_timestamp(src: str | Path, dst: str | Path, *, tsa_url: str, trust: Iterable[Any] = (),
                           intermediates: Iterable[Any] = ()) -> LtvResult:
    """Renew: append the validation data of the newest document time-stamp and a new document time-stamp.

    A document without a document time-stamp gets its first one (with the validation data of its signatures,
    as :func:`augment_to_lta`).
    """
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    from edoc._adapters import pyhanko as pyhanko_adapter

    data = _read(src)
    try:
        reader = pyhanko_adapter.reader(data)
        if not any(s.sig_object.get("/Type") == "/DocTimeStamp" for s in reader.embedded_signatures):
            return augment_to_lta(src, dst, tsa_url=tsa_url, trust=trust, intermediates=intermediates)
        vc = _document_context(reader, trust, intermediates)
        stamper = _timestamper(tsa_url)
        stamper.last_expiry = None
        out = PdfTimeStamper(stamper).update_archival_timestamp_chain(reader, vc, in_place=False,
                                                                      output=pyhanko_adapter.stream())
        result = out.getvalue()
        expiry = stamper.last_expiry or _newest_timestamp_expiry(result)
    except Exception as exc:
        raise _wrap(exc, src, "renew the document time-stamp") from exc
    atomic_write_bytes(dst, result)
    return LtvResult("renewed", expiry, "document time-stamp renewed")
