"""Options of a verification: the algorithm policy, resource guards, and trust anchors.

Secure defaults: revocation required for TOTAL_PASSED (the document's embedded data first, then OCSP/CRL
fetched from the certificate authority unless ``online=False``, within :class:`~edoc.verify.fetch.FetchLimits`),
SHA-1/MD5 and RSA keys under 2048 bits flagged as CRYPTO_CONSTRAINTS_FAILURE,
files over 512 MiB refused, streams inflating beyond 64 MiB refused, 60 s per document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import pem, x509

from edoc.errors import InvalidInput, ResourceError, os_reason
from edoc.keys.certs import CertificateSource, certificates
from edoc.verify.fetch import FetchLimits

__all__ = ["VerifyPolicy", "CertificateSource", "load_certificates", "load_revocation_data"]


@dataclass(frozen=True)
class VerifyPolicy:
    """The tunable rules a verification applies beyond cryptography.

    :param weak_digests: digest algorithms flagged as too weak (lower-case names as asn1crypto spells them).
    :param min_rsa_bits: smallest accepted RSA modulus.
    :param min_ec_bits: smallest accepted elliptic-curve key size.
    :param weak_is_failure: report a weak algorithm as TOTAL_FAILED instead of INDETERMINATE.
    :param allow_annotations: treat annotations added after signing as permitted (with a warning), as
        PAdES and the EU DSS do; ``False`` fails such documents (stricter against overlay attacks).
    :param require_revocation: a certificate of the chain (below the trust anchor) whose revocation
        status neither the document's embedded data (DSS, CMS ``adbe-revocationInfoArchival``) nor, online,
        its certificate authority gives makes the signature INDETERMINATE/TRY_LATER (default). ``False``
        is the named opt-out that reports it as a warning and lets the verdict stand.
    :param fetch_limits: timeouts, answer size cap, redirects and request budget of the revocation
        fetching of one run (:class:`~edoc.verify.fetch.FetchLimits`).
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
    require_revocation: bool = True
    fetch_limits: FetchLimits = field(default_factory=FetchLimits)
    max_bytes: int = 512 * 1024 * 1024
    max_stream_bytes: int = 64 * 1024 * 1024
    timeout: float | None = 60.0

    def __post_init__(self) -> None:
        if self.min_rsa_bits < 0 or self.min_ec_bits < 0:
            raise InvalidInput("key size minimums must not be negative", field="min_rsa_bits",
                               message_vi="Độ dài khóa tối thiểu không được âm")
        if self.max_bytes <= 0:
            raise InvalidInput("max_bytes must be positive", field="max_bytes",
                               message_vi="max_bytes phải là số dương")
        if self.max_stream_bytes <= 0:
            raise InvalidInput("max_stream_bytes must be positive", field="max_stream_bytes",
                               message_vi="max_stream_bytes phải là số dương")
        if self.timeout is not None and self.timeout <= 0:
            raise InvalidInput("timeout must be positive or None", field="timeout",
                               message_vi="timeout phải là số dương hoặc None")


def load_certificates(sources: Iterable[CertificateSource]) -> list[x509.Certificate]:
    """Load trust anchors from certificates, bytes or files (DER, PEM with one or several certificates, or a
    PKCS#7 bundle): :func:`edoc.keys.certs.certificates`, edoc's one certificate loader.

    :raises ResourceError: for a file that cannot be read.
    :raises InvalidInput: for data that holds no certificate (:class:`~edoc.errors.MalformedFile`).
    :raises TypeError: for a source of another type.
    """
    return certificates(sources)


def load_revocation_data(
    sources: Iterable[bytes | str | Path],
) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """Split CRLs and OCSP responses given as bytes or files (DER or PEM) into two lists.

    :raises ResourceError: for a file that cannot be read.
    :raises InvalidInput: for data that is neither a CRL nor an OCSP response.
    """
    crls: list[asn1_crl.CertificateList] = []
    ocsps: list[asn1_ocsp.OCSPResponse] = []
    for src in sources:
        where: str | None = None
        if isinstance(src, (str, Path)):
            where = str(src)
            try:
                data = Path(src).read_bytes()
            except OSError as exc:
                en, vi = os_reason(exc)
                raise ResourceError(f"cannot read the revocation data: {en}", path=where,
                                    message_vi=f"Không đọc được dữ liệu thu hồi: {vi}") from exc
        elif isinstance(src, bytes):
            data = src
        else:
            raise TypeError(f"revocation data of unsupported type {type(src).__name__}")
        if pem.detect(data):
            _kind, _headers, data = pem.unarmor(data)
        try:
            crl = asn1_crl.CertificateList.load(data)
            crl.native  # noqa: B018 - a full parse: broken DER fails here
            crls.append(crl)
            continue
        except (ValueError, TypeError):
            pass
        try:
            resp = asn1_ocsp.OCSPResponse.load(data)
            if resp["response_status"].native != "successful":
                raise ValueError("not a successful OCSP response")
            resp.native  # noqa: B018
            ocsps.append(resp)
        except (ValueError, TypeError, KeyError) as exc:
            raise InvalidInput("neither a CRL nor an OCSP response (DER or PEM)", path=where,
                               field="revocation_data",
                               message_vi="Không phải danh sách thu hồi (CRL) hay phản hồi OCSP") from exc
    return crls, ocsps
