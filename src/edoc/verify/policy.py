"""Options of a verification: the algorithm policy, resource guards, and trust anchors.

Secure defaults: no network (revocation data embedded in the document is used; online OCSP/CRL only when
asked with ``online=True``), SHA-1/MD5 and RSA keys under 2048 bits flagged as CRYPTO_CONSTRAINTS_FAILURE,
files over 512 MiB refused, streams inflating beyond 64 MiB refused, 60 s per document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from asn1crypto import pem, x509
from cryptography import x509 as cg_x509

from edoc.errors import InvalidInput, ResourceError

__all__ = ["VerifyPolicy", "CertificateSource", "load_certificates"]

#: Anything a trust anchor can be given as: a loaded certificate (asn1crypto or cryptography), DER/PEM
#: bytes, or the path of a DER/PEM file (a PEM file may hold several certificates).
CertificateSource: TypeAlias = "x509.Certificate | cg_x509.Certificate | bytes | str | Path"


@dataclass(frozen=True)
class VerifyPolicy:
    """The tunable rules a verification applies beyond cryptography.

    :param weak_digests: digest algorithms flagged as too weak (lower-case names as asn1crypto spells them).
    :param min_rsa_bits: smallest accepted RSA modulus.
    :param min_ec_bits: smallest accepted elliptic-curve key size.
    :param weak_is_failure: report a weak algorithm as TOTAL_FAILED instead of INDETERMINATE.
    :param allow_annotations: treat annotations added after signing as permitted (with a warning), as
        PAdES and the EU DSS do; ``False`` fails such documents (stricter against overlay attacks).
    :param require_revocation: offline, a certificate of the chain (below the trust anchor) whose
        revocation status the document's embedded data (DSS, CMS ``adbe-revocationInfoArchival``) does not
        give makes the signature INDETERMINATE/TRY_LATER; by default it is a warning and the verdict
        stands (a PAdES B-B document embeds no revocation data at all).
    :param max_bytes: largest file verified at all.
    :param max_stream_bytes: largest size a compressed stream of the file may inflate to when the
        verification reads it (a decompression bomb beyond it makes the file TOTAL_FAILED/FORMAT_FAILURE);
        all the streams read for one file together may inflate to four times as much, or 100 times the
        file's size if that is more.
    :param timeout: wall-clock seconds per document before the verdict becomes INDETERMINATE
        (``None``: no limit).
    """

    weak_digests: frozenset[str] = field(default_factory=lambda: frozenset({"md5", "sha1"}))
    min_rsa_bits: int = 2048
    min_ec_bits: int = 256
    weak_is_failure: bool = False
    allow_annotations: bool = True
    require_revocation: bool = False
    max_bytes: int = 512 * 1024 * 1024
    max_stream_bytes: int = 64 * 1024 * 1024
    timeout: float | None = 60.0

    def __post_init__(self) -> None:
        if self.min_rsa_bits < 0 or self.min_ec_bits < 0:
            raise InvalidInput("key size minimums must not be negative", field="min_rsa_bits")
        if self.max_bytes <= 0:
            raise InvalidInput("max_bytes must be positive", field="max_bytes")
        if self.max_stream_bytes <= 0:
            raise InvalidInput("max_stream_bytes must be positive", field="max_stream_bytes")
        if self.timeout is not None and self.timeout <= 0:
            raise InvalidInput("timeout must be positive or None", field="timeout")


def load_certificates(sources: Iterable[CertificateSource]) -> list[x509.Certificate]:
    """Load trust anchors from certificates, bytes or files (DER or PEM, several per PEM file).

    :raises ResourceError: for a file that cannot be read.
    :raises InvalidInput: for data that holds no certificate.
    """
    out: list[x509.Certificate] = []
    for src in sources:
        if isinstance(src, x509.Certificate):
            out.append(src)
            continue
        if isinstance(src, cg_x509.Certificate):
            from cryptography.hazmat.primitives.serialization import Encoding

            out.append(x509.Certificate.load(src.public_bytes(Encoding.DER)))
            continue
        where: str | None = None
        if isinstance(src, (str, Path)):
            where = str(src)
            try:
                data = Path(src).read_bytes()
            except OSError as exc:
                raise ResourceError(f"cannot read the certificate: {exc.strerror}", path=where) from exc
        elif isinstance(src, bytes):
            data = src
        else:
            raise TypeError(f"trust anchor of unsupported type {type(src).__name__}")
        out.extend(_parse_cert_bytes(data, where))
    return out


def _parse_cert_bytes(data: bytes, where: str | None) -> list[x509.Certificate]:
    try:
        if pem.detect(data):
            certs = [x509.Certificate.load(der) for kind, _h, der in pem.unarmor(data, multiple=True)
                     if kind == "CERTIFICATE"]
        else:
            certs = [x509.Certificate.load(data)]
        for c in certs:
            c.native  # noqa: B018 - force a full parse so broken DER fails here, not during validation
    except (ValueError, TypeError) as exc:
        raise InvalidInput("not a DER or PEM certificate", path=where,
                           message_vi="Không phải chứng thư số dạng DER hoặc PEM") from exc
    if not certs:
        raise InvalidInput("no certificate found", path=where,
                           message_vi="Không tìm thấy chứng thư số trong tệp")
    return certs
