"""The PAdES signing engine on pyHanko: one :class:`PdfSigningSession` signs a whole batch.

A session is immutable after construction. It holds the opened pyHanko ``Signer`` (the key is opened once,
and with :func:`file_signer` parsed once), the certificate chain and its encoded size, the prepared
appearance font, and the time-stamper. Each call signs one document as an incremental update with a
computed ``/Contents`` size (no dry-run signature) and a signing time chosen before the appearance is drawn,
so the time printed in the appearance is the time in the signature dictionary.
"""

# pyHanko's PDF object constructors are untyped: calling them is the point of this module.
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

import asyncio
import enum
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.content import AppearanceContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_cms import Signer, SimpleSigner
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.stamp.base import BaseStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from edoc.errors import EdocError, InvalidInput, KeyBackendError, MalformedFile, UnsupportedFeature
from edoc.model.document import VIETNAM_TZ
from edoc.sign.appearance import PreparedFont, Stamp, default_font

__all__ = [
    "Level",
    "Padding",
    "PdfSigningSession",
    "SignedPdf",
    "Revision",
    "file_signer",
    "ALLOWED_DIGESTS",
]

#: Digests allowed for new signatures by the 2025 circular (SHA-1 refused).
ALLOWED_DIGESTS = frozenset({"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512"})


class Level(str, enum.Enum):
    """PAdES baseline level."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"


class Padding(str, enum.Enum):
    """RSA signature padding."""

    PKCS1V15 = "pkcs1v15"
    PSS = "pss"


@dataclass(frozen=True)
class SignedPdf:
    """The result of one signature: the new file's bytes and what was signed."""

    data: bytes = field(repr=False)
    field_name: str
    signing_time: datetime
    level: Level

    def save(self, path: str | Path) -> Path:
        """Write the signed file atomically; return its path."""
        from edoc.util.fs import atomic_write_bytes

        atomic_write_bytes(path, self.data)
        return Path(path)


class Revision:
    """Per-call context of one incremental update: the writer, the signing time, a font written once.

    Acts use it in their ``prepare`` hook to fill reserved fields in the same revision as the signature.
    """

    def __init__(self, writer: IncrementalPdfFileWriter, signing_time: datetime, font: PreparedFont,
                 italic: PreparedFont | None = None) -> None:
        self.writer = writer
        self.signing_time = signing_time
        self.font = font
        self.italic = italic or font
        self._font_refs: dict[str, Any] = {}

    def font_ref(self, font: PreparedFont | None = None) -> Any:
        """A font's objects in this revision (written on first use, then shared)."""
        font = font or self.font
        ref = self._font_refs.get(font.name)
        if ref is None:
            ref = self._font_refs[font.name] = font.pdf_objects(self.writer)
        return ref

    def add_form(self, stamp: Stamp) -> Any:
        """Write an appearance as a form XObject sharing this revision's fonts."""
        return stamp.form_xobject(self.writer, font_ref=self.font_ref(stamp.font) if stamp.lines else None)


class _Appearance(AppearanceContent):
    def __init__(self, writer: Any, box: BoxConstraints, revision: Revision, stamp: Stamp) -> None:
        super().__init__(writer=writer, box=box)
        self._revision = revision
        self._stamp = stamp

    def register(self) -> Any:
        return self._revision.add_form(self._stamp)


@dataclass(frozen=True)
class _StampStyle(BaseStampStyle):
    """pyHanko stamp style drawing an edoc :class:`Stamp` (one per signature call)."""

    make: Callable[[float, float], Stamp] | None = None
    revision: Revision | None = None

    def create_stamp(self, writer: Any, box: BoxConstraints, text_params: dict[str, Any]) -> Any:
        assert self.make is not None and self.revision is not None
        stamp = self.make(float(box.width), float(box.height))
        return _Appearance(writer, box, self.revision, stamp)


class _CachedKeySigner(SimpleSigner):
    """SimpleSigner that keeps the parsed ``cryptography`` key instead of re-parsing it per signature."""

    def __init__(self, *args: Any, private_key: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

        mech = self.get_signature_mechanism_for_digest(digest_algorithm)
        algo = mech.signature_algo
        key = self._private_key
        if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return bytes(key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)))
        if algo == "rsassa_pss" and isinstance(key, rsa.RSAPrivateKey):
            pss, hash_algo = process_pss_params(mech["parameters"])
            return bytes(key.sign(data, pss, hash_algo))
        if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return bytes(key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm))))
        raise SigningError(f"unsupported signature mechanism {algo}")


def file_signer(
    certificate: Any,
    private_key: Any,
    chain: Iterable[Any] = (),
    *,
    padding: Padding = Padding.PKCS1V15,
) -> Signer:
    """A pyHanko ``Signer`` for an in-memory key, parsed once.

    Interim helper until :mod:`edoc.keys` provides the shared adapter; accepts ``cryptography`` or
    ``asn1crypto`` certificates and a ``cryptography`` private key.

    :param certificate: the signer's certificate.
    :param private_key: its private key (RSA or EC).
    :param chain: intermediate (and optionally root) certificates to embed.
    :param padding: RSA padding (PSS or PKCS#1 v1.5).
    """
    from cryptography.hazmat.primitives import serialization

    def to_asn1(cert: Any) -> asn1_x509.Certificate:
        if isinstance(cert, asn1_x509.Certificate):
            return cert
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    der_key = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return _CachedKeySigner(
        signing_cert=to_asn1(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1(c) for c in chain]),
        prefer_pss=padding is Padding.PSS,
        private_key=private_key,
    )


class PdfSigningSession:
    """Signs many PDFs with one opened key: PAdES B-B or B-T, incremental updates only.

    :param signer: a pyHanko ``Signer`` (from :mod:`edoc.keys` or :func:`file_signer`); opened once.
    :param level: B-B, B-T (RFC 3161 signature time-stamp), B-LT (plus the DSS with the validation data of
        the signer's chain and the TSA's) or B-LTA (plus a document time-stamp).
    :param timestamper: a pyHanko ``TimeStamper`` for B-T; or give ``tsa_url``.
    :param tsa_url: RFC 3161 time-stamp server for B-T (``http://`` or ``https://``).
    :param digest: message digest; SHA-256 or stronger (SHA-1 is refused).
    :param font: the appearance font (default: Times/Liberation Serif subset once per process).
    :param italic: the italic font (the date of box 4); default: the italic of the default face.
    :param timestamp_reserve: bytes to reserve for the time-stamp token (default: measured once).
    :param trust: trust anchors (certificates) for B-LT/B-LTA: the chain is validated before signing and its
        certificates, OCSP responses and CRLs (and the TSA's) are written into the DSS.
    :param intermediates: intermediate certificates the signer's or the TSA's chain may need (B-LT/B-LTA).
    :param validation_context: a pyHanko ``ValidationContext`` instead of ``trust`` (B-LT/B-LTA).
    :raises InvalidInput: a weak digest or key, a level without its time-stamper.
    """

    def __init__(
        self,
        signer: Signer,
        *,
        level: Level | str = Level.B_B,
        timestamper: TimeStamper | None = None,
        tsa_url: str | None = None,
        digest: str = "sha256",
        font: PreparedFont | None = None,
        italic: PreparedFont | None = None,
        timestamp_reserve: int | None = None,
        trust: Iterable[Any] = (),
        intermediates: Iterable[Any] = (),
        validation_context: Any = None,
    ) -> None:
        try:
            self.level = Level(level)
        except ValueError as exc:
            raise InvalidInput(f"unknown PAdES level {level!r}; use B-B, B-T, B-LT or B-LTA",
                               field="level") from exc
        digest = digest.lower().replace("-", "")
        if digest not in ALLOWED_DIGESTS:
            raise InvalidInput(f"digest {digest!r} is not allowed for new signatures; use sha256 or stronger",
                               message_vi=f"Hàm băm {digest!r} không được phép; hãy dùng SHA-256 trở lên",
                               field="digest")
        if tsa_url is not None and timestamper is None:
            if not tsa_url.startswith(("http://", "https://")):
                raise InvalidInput("the TSA URL must be http:// or https://", field="tsa_url")
            from pyhanko.sign.timestamps import HTTPTimeStamper

            timestamper = HTTPTimeStamper(tsa_url, timeout=10)
        if self.level is not Level.B_B and timestamper is None:
            raise InvalidInput(f"PAdES {self.level.value} needs a time-stamp server (tsa_url) or a timestamper",
                               message_vi=f"Mức {self.level.value} cần máy chủ cấp dấu thời gian (--tsa)",
                               field="tsa_url")
        self._trust = tuple(_asn1_cert(c) for c in trust)
        self._intermediates = tuple(_asn1_cert(c) for c in intermediates)
        if self.level in (Level.B_LT, Level.B_LTA) and validation_context is None and not self._trust:
            raise InvalidInput(f"PAdES {self.level.value} needs the trust anchors (trust=…) or a validation "
                               "context to collect the chain's OCSP responses and CRLs", field="trust")
        #: a caller's pyHanko validation context for B-LT/B-LTA (else one is made, and closed, per document:
        #: its HTTP client belongs to the event loop of that document's signing)
        self.validation_context = validation_context if self.level in (Level.B_LT, Level.B_LTA) else None
        if self.level is Level.B_B:
            timestamper = None
        self.signer = signer
        self.digest = digest
        self.timestamper = timestamper
        self.font = font or default_font()
        self.italic = italic or (default_font("italic") if font is None else font)
        cert = signer.signing_cert
        if cert is None:
            raise KeyBackendError("the signer has no certificate")
        self.certificate: asn1_x509.Certificate = cert
        _check_key_strength(cert)
        mech = signer.get_signature_mechanism_for_digest(digest)
        if "sha1" in mech["algorithm"].native:
            raise InvalidInput("SHA-1 signatures are refused", field="digest")
        # every certificate pyHanko may embed (the registry can repeat the signing certificate)
        chain_size = sum(len(c.dump()) for c in {c.dump(): c for c in [cert, *signer.cert_registry]}.values())
        sig_size = math.ceil(cert.public_key.bit_size / 8) * (2 if cert.public_key.algorithm == "ec" else 1)
        if self.timestamper is not None and timestamp_reserve is None:
            timestamp_reserve = _measure_timestamp(self.timestamper, digest)
        # CMS = certificates + signature value + signed attributes and SignerInfo framing (< 1 KiB: content
        # type, message digest, signing-certificate-v2, algorithm protection) + the time-stamp token
        der = chain_size + sig_size + 1024 + (timestamp_reserve or 0)
        #: size of /Contents in the file: hex digits of the CMS's DER estimate plus 15 % headroom
        self.bytes_reserved = int(math.ceil(2 * der * 1.15 / 256) * 256)

    @property
    def signer_name(self) -> str:
        """The common name of the signer's certificate."""
        name = self.certificate.subject.native
        return str(name.get("common_name") or self.certificate.subject.human_friendly)

    def now(self) -> datetime:
        """A signing time: now in Vietnam time, whole seconds (the resolution of a PDF date)."""
        return datetime.now(VIETNAM_TZ).replace(microsecond=0)

    def writer_for(self, data: bytes, source: str | None = None) -> IncrementalPdfFileWriter:
        """Parse a PDF once for an incremental update (acts inspect ``writer.prev`` and then sign it).

        :raises MalformedFile: not a PDF pyHanko can read; :raises UnsupportedFeature: an encrypted PDF.
        """
        try:
            writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
        except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as exc:
            raise MalformedFile(f"not a readable PDF: {exc}", path=source) from exc
        if writer.prev.encrypted:
            raise UnsupportedFeature("encrypted PDFs cannot be signed", path=source)
        return writer

    def sign(
        self,
        data: bytes | IncrementalPdfFileWriter,
        *,
        field_name: str,
        page: int = 0,
        box: tuple[float, float, float, float] | None = None,
        appearance: Callable[[Revision, float, float], Stamp] | None = None,
        prepare: Callable[[Revision], None] | None = None,
        certify: bool = False,
        reason: str | None = None,
        location: str | None = None,
        signing_time: datetime | None = None,
        source: str | None = None,
    ) -> SignedPdf:
        """Sign one PDF (bytes, or a writer from :meth:`writer_for`) as one incremental update.

        :param field_name: the signature field: an existing empty one (reserved by the renderer) or a new one.
        :param page: page index (0-based) of a new visible field.
        :param box: ``(x1, y1, x2, y2)`` in points of a new visible field; ``None`` with no existing field
            gives an invisible signature.
        :param appearance: draws the widget's appearance for its width and height; gets the revision (and so
            the signing time).
        :param prepare: called with the revision before signing (fill reserved fields in the same update).
        :param certify: certification signature with DocMDP P=2 (form filling and signing allowed).
        :param signing_time: the time to put in the signature (default: now); an aware datetime.
        :param source: a file name for error messages.
        :raises MalformedFile: the input is not a PDF pyHanko can update.
        :raises InvalidInput: the document forbids this signature (e.g. DocMDP P=1).
        """
        when = signing_time or self.now()
        if when.tzinfo is None:
            raise InvalidInput("the signing time must carry a time zone", field="signing_time")
        writer = data if isinstance(data, IncrementalPdfFileWriter) else self.writer_for(data, source)
        revision = Revision(writer, when, self.font, self.italic)
        long_term = self.level in (Level.B_LT, Level.B_LTA)
        try:
            if prepare is not None:
                prepare(revision)
            spec = None
            existing = _has_field(writer, field_name)
            if not existing:
                spec = fields.SigFieldSpec(field_name, on_page=page, box=signature_box(box))
            meta = signers.PdfSignatureMetadata(
                field_name=field_name,
                md_algorithm=self.digest,
                subfilter=fields.SigSeedSubFilter.PADES,
                certify=certify,
                docmdp_permissions=fields.MDPPerm.FILL_FORMS,
                reason=reason,
                location=location,
                embed_validation_info=long_term,
                validation_context=None,
                use_pades_lta=self.level is Level.B_LTA,
            )
            style = None
            if appearance is not None:
                draw = appearance
                style = _StampStyle(make=lambda w, h: draw(revision, w, h), revision=revision)
            pdf_signer = signers.PdfSigner(meta, self.signer, timestamper=self.timestamper,
                                           stamp_style=style, new_field_spec=spec)
            out = asyncio.run(self._run(pdf_signer, writer, when, long_term))
        except EdocError:
            raise
        except SigningError as exc:
            raise InvalidInput(f"cannot sign this document: {exc}", path=source, field=field_name) from exc
        except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise MalformedFile(f"cannot update this PDF: {exc}", path=source) from exc
        return SignedPdf(data=out, field_name=field_name, signing_time=when, level=self.level)

    async def _run(self, pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter, when: datetime,
                   long_term: bool) -> bytes:
        owned = None
        if long_term:
            from dataclasses import replace

            from pyhanko_certvalidator import ValidationContext

            vc = self.validation_context
            if vc is None:
                vc = owned = ValidationContext(trust_roots=list(self._trust), other_certs=list(self._intermediates),
                                               allow_fetching=True)
            pdf_signer.signature_meta = replace(pdf_signer.signature_meta, validation_context=vc)
        try:
            return await self._sign_async(pdf_signer, writer, when)
        finally:
            if owned is not None:
                await owned.aclose()

    async def _sign_async(self, pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter,
                          when: datetime) -> bytes:
        # pyHanko's PdfSigner.async_sign_pdf with two changes: the session's system_time is our signing time
        # (so the appearance and /M agree) and bytes_reserved is computed, never estimated by a dry run.
        from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes as Attrs

        session = pdf_signer.init_signing_session(writer)
        session.system_time = when
        validation_info = await session.perform_presign_validation(writer)
        tbs = session.prepare_tbs_document(validation_info=validation_info, bytes_reserved=self.bytes_reserved)
        digest, output = tbs.digest_tbs_document()
        post = await tbs.perform_signature(
            document_digest=digest.document_digest,
            pdf_cms_signed_attrs=Attrs(
                signing_time=when,
                cades_signed_attrs=pdf_signer.signature_meta.cades_signed_attr_spec,
            ),
        )
        await post.post_signature_processing(output)
        output.seek(0)
        return bytes(output.read())


def _asn1_cert(cert: Any) -> asn1_x509.Certificate:
    from cryptography.hazmat.primitives import serialization

    if isinstance(cert, asn1_x509.Certificate):
        return cert
    if isinstance(cert, bytes):
        from asn1crypto import pem

        return asn1_x509.Certificate.load(pem.unarmor(cert)[2] if pem.detect(cert) else cert)
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def signature_box(box: tuple[float, float, float, float] | None) -> Any:
    """A rectangle for pyHanko (typed as int there, but any PDF number works), rounded to 0.01 pt."""
    if box is None:
        return None
    x1, y1, x2, y2 = (round(float(v), 2) for v in box)
    if x2 <= x1 or y2 <= y1:
        raise InvalidInput("a signature box needs x2 > x1 and y2 > y1", field="box")
    return (x1, y1, x2, y2)


def _has_field(writer: IncrementalPdfFileWriter, name: str) -> bool:
    try:
        for fq_name, _value, _ref in fields.enumerate_sig_fields(writer, filled_status=None):
            if fq_name == name:
                return True
    except (PdfError, KeyError, TypeError):
        return False
    return False


def _check_key_strength(cert: asn1_x509.Certificate) -> None:
    key = cert.public_key
    algo = key.algorithm
    bits = key.bit_size
    if algo == "rsa" and bits < 2048:
        raise InvalidInput(f"RSA keys below 2048 bits are refused (this one has {bits})", field="key")
    if algo == "ec" and bits < 256:
        raise InvalidInput(f"EC keys below 256 bits are refused (this one has {bits})", field="key")
    if algo not in ("rsa", "ec", "rsassa_pss"):
        raise InvalidInput(f"key algorithm {algo} is not allowed for Vietnamese signatures", field="key")


def _measure_timestamp(timestamper: TimeStamper, digest: str) -> int:
    try:
        token = asyncio.run(timestamper.async_dummy_response(digest))
    except Exception as exc:
        raise KeyBackendError(f"the time-stamp server did not answer: {exc}", backend="tsa") from exc
    return len(token.dump()) + 1024
