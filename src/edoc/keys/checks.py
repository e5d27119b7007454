"""The check of a signing certificate before a new signature, as the Vietnamese rules ask of signing
software: inside its validity period, key usage allows signing, algorithms in force, not revoked when
revocation can be checked.

Revocation (OCSP, then CRL, through pyhanko-certvalidator) is only checked when asked
(:attr:`RevocationCheck.SOFT` or :attr:`RevocationCheck.HARD`): no network unless asked, and
``offline=True`` always wins.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from asn1crypto import x509
from cryptography import x509 as cx509

from edoc.keys.algorithms import MIN_EC_BITS, MIN_RSA_BITS
from edoc.keys.certs import to_asn1
from edoc.keys.errors import CertificateNotUsable
from edoc.keys.info import CertificateInfo
from edoc.util.aio import run_coroutine

__all__ = ["RevocationCheck", "RevocationStatus", "CertificateCheck", "check_signing_certificate",
           "check_validity_period"]

class RevocationCheck(enum.Enum):
    """Whether to ask OCSP/CRL services before signing."""

    #: do not check (no network); the default.
    SKIP = "skip"
    #: check; when no service answers, sign anyway with a warning.
    SOFT = "soft"
    #: check; when no service answers, refuse to sign.
    HARD = "hard"


class RevocationStatus(enum.Enum):
    """What the revocation check found."""

    NOT_CHECKED = "not_checked"
    GOOD = "good"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CertificateCheck:
    """The result of a successful :func:`check_signing_certificate`.

    :param info: facts about the certificate.
    :param at: the time checked against.
    :param revocation: the revocation status found.
    :param warnings: things a report should show (e.g. revocation could not be checked).
    """

    info: CertificateInfo
    at: datetime
    revocation: RevocationStatus
    warnings: tuple[str, ...] = ()


_WEAK_SIG_ALGOS = {"md2_rsa", "md5_rsa", "sha1_rsa", "sha1_ecdsa", "sha1_dsa"}


def check_signing_certificate(
    cert: x509.Certificate | cx509.Certificate,
    *,
    at: datetime | None = None,
    chain: Sequence[x509.Certificate | cx509.Certificate] = (),
    revocation: RevocationCheck = RevocationCheck.SKIP,
    offline: bool = False,
    timeout: float = 10.0,
) -> CertificateCheck:
    """Check that ``cert`` may make a new signature at ``at``.

    :param cert: the signing certificate.
    :param at: the signing time (default: now, UTC).
    :param chain: its issuers up to the root (needed for revocation checks).
    :param revocation: whether to ask OCSP/CRL services.
    :param offline: never use the network (overrides ``revocation``).
    :param timeout: seconds per OCSP/CRL request.
    :raises CertificateNotUsable: with ``reason`` ``expired``, ``not_yet_valid``, ``key_usage``, ``weak_key``,
        ``weak_algorithm``, ``revoked`` or ``revocation_unknown`` (HARD mode only).
    """
    a = to_asn1(cert)
    info = CertificateInfo.from_cert(a)
    when = at or datetime.now(timezone.utc)
    if when.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    who = info.subject_common_name or info.subject
    _check_period(info, when, who)
    if info.key_usage and not {"digital_signature", "non_repudiation"} & set(info.key_usage):
        raise CertificateNotUsable(
            f"the key usage of the certificate of {who} does not allow signing ({', '.join(info.key_usage)})",
            message_vi=f"Chứng thư số của {who} không được phép dùng để ký (mục đích sử dụng khóa)",
            reason="key_usage")
    if (info.key_type == "RSA" and info.key_size < MIN_RSA_BITS) or (
            info.key_type == "EC" and info.key_size < MIN_EC_BITS):
        raise CertificateNotUsable(f"the key of the certificate of {who} ({info.key}) is too weak to sign",
                                   message_vi=f"Khóa của chứng thư số {who} ({info.key}) quá yếu để ký",
                                   reason="weak_key")
    if info.signature_algorithm in _WEAK_SIG_ALGOS:
        raise CertificateNotUsable(
            f"the certificate of {who} is signed with {info.signature_algorithm}, no longer allowed",
            message_vi=f"Chứng thư số của {who} dùng thuật toán {info.signature_algorithm} không còn được phép",
            reason="weak_algorithm")
    if offline or revocation is RevocationCheck.SKIP:
        return CertificateCheck(info, when, RevocationStatus.NOT_CHECKED)
    status, warning = _check_revocation(a, [to_asn1(c) for c in chain], when, revocation, timeout, who)
    return CertificateCheck(info, when, status, (warning,) if warning else ())


def check_validity_period(cert: x509.Certificate | cx509.Certificate | CertificateInfo, at: datetime) -> None:
    """Refuse a signing time outside the certificate's validity period (the signature would never validate).

    :param cert: the signing certificate (or its :class:`CertificateInfo`, read once for a batch).
    :param at: the signing time (timezone-aware).
    :raises CertificateNotUsable: ``reason`` ``"expired"`` or ``"not_yet_valid"``; the message names the
        certificate and both ends of its validity period (ISO 8601, Vietnam time).
    """
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    info = cert if isinstance(cert, CertificateInfo) else CertificateInfo.from_cert(to_asn1(cert))
    _check_period(info, at, info.subject_common_name or info.subject)


def _check_period(info: CertificateInfo, when: datetime, who: str) -> None:
    if info.not_before <= when <= info.not_after:
        return
    from edoc.model.document import VIETNAM_TZ

    def iso(t: datetime) -> str:
        return t.astimezone(VIETNAM_TZ).replace(microsecond=0).isoformat()

    period_en = f"valid from {iso(info.not_before)} to {iso(info.not_after)}"
    period_vi = f"có hiệu lực từ {iso(info.not_before)} đến {iso(info.not_after)}"
    if when < info.not_before:
        raise CertificateNotUsable(
            f"the certificate of {who} is not yet valid at the signing time {iso(when)} ({period_en}); "
            "a signature made now would never validate",
            message_vi=f"Chứng thư số của {who} chưa có hiệu lực tại thời điểm ký {iso(when)} ({period_vi}); "
                       "chữ ký tạo ra sẽ không bao giờ hợp lệ",
            reason="not_yet_valid")
    raise CertificateNotUsable(
        f"the certificate of {who} has expired at the signing time {iso(when)} ({period_en}); "
        "a signature made now would never validate",
        message_vi=f"Chứng thư số của {who} đã hết hạn tại thời điểm ký {iso(when)} ({period_vi}); "
                   "chữ ký tạo ra sẽ không bao giờ hợp lệ",
        reason="expired")


def _check_revocation(cert: x509.Certificate, chain: list[x509.Certificate], when: datetime,
                      mode: RevocationCheck, timeout: float, who: str) -> tuple[RevocationStatus, str | None]:
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import InsufficientRevinfoError, PathBuildingError, RevokedError
    from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

    roots = [c for c in chain if c.self_signed in ("yes", "maybe")]
    unknown_msg = f"the revocation status of the certificate of {who} could not be checked"
    if not roots:
        if mode is RevocationCheck.HARD:
            raise CertificateNotUsable(f"{unknown_msg}: the chain does not reach a root",
                                       reason="revocation_unknown")
        return RevocationStatus.UNKNOWN, f"{unknown_msg}: the chain does not reach a root"
    ctx = ValidationContext(
        trust_roots=roots, other_certs=[c for c in chain if c not in roots], allow_fetching=True,
        revocation_mode="hard-fail", moment=when,
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=int(max(1, timeout))),
    )
    validator = CertificateValidator(cert, intermediate_certs=chain, validation_context=ctx)
    try:
        run_coroutine(validator.async_validate_path())
    except RevokedError as exc:
        raise CertificateNotUsable(f"the certificate of {who} is revoked: {exc}",
                                   message_vi=f"Chứng thư số của {who} đã bị thu hồi", reason="revoked") from exc
    except (InsufficientRevinfoError, PathBuildingError) as exc:
        if mode is RevocationCheck.HARD:
            raise CertificateNotUsable(f"{unknown_msg}: {exc}", reason="revocation_unknown",
                                       message_vi=f"Không kiểm tra được tình trạng thu hồi của chứng thư số "
                                                  f"của {who}") from exc
        return RevocationStatus.UNKNOWN, f"{unknown_msg}: {exc}"
    except Exception as exc:
        if mode is RevocationCheck.HARD:
            raise CertificateNotUsable(f"{unknown_msg}: {exc}", reason="revocation_unknown") from exc
        return RevocationStatus.UNKNOWN, f"{unknown_msg}: {exc}"
    return RevocationStatus.GOOD, None
