"""Errors of the certificate backends.

Every class is a :class:`~edoc.errors.KeyBackendError` (so also a ``RuntimeError``); those caused by a
wrong value the caller gave also inherit ``ValueError``. ``backend`` names the backend and the token or file,
never a PIN or password::

    KeyBackendError
    ├── InvalidKeyURI (ValueError)        a key URI that cannot be parsed, or an unknown scheme
    ├── PINUnavailable                    no PIN/password source, and no terminal to ask on
    ├── BackendClosed                     a backend used before open() or after close()
    ├── ModuleNotFound                    the PKCS#11 module (driver library) cannot be loaded
    ├── TokenNotFound                     no token (or slot) matches the URI, or none is inserted
    ├── WrongPIN (ValueError)             the token refused the PIN (``tries_left`` when it says)
    ├── PINLocked                         the token's user PIN is locked
    ├── WrongPassword (ValueError)        the PKCS#12 or encrypted key file refused the password
    ├── KeyNotFound                       no private key matches
    ├── AmbiguousKey                      several keys (or tokens) match; ``candidates`` lists them
    ├── KeyMismatch                       the certificate does not belong to the private key
    ├── MechanismUnsupported              the token cannot perform the signature algorithm asked for
    ├── AlgorithmRefused (ValueError)     SHA-1, RSA < 2048 or EC < 256 asked for a new signature
    └── CertificateNotUsable              expired, not yet valid, revoked, or key usage forbids signing
"""

from __future__ import annotations

from collections.abc import Sequence

from edoc.errors import KeyBackendError

__all__ = [
    "KeyBackendError",
    "InvalidKeyURI",
    "PINUnavailable",
    "BackendClosed",
    "ModuleNotFound",
    "TokenNotFound",
    "WrongPIN",
    "PINLocked",
    "WrongPassword",
    "KeyNotFound",
    "AmbiguousKey",
    "KeyMismatch",
    "MechanismUnsupported",
    "AlgorithmRefused",
    "CertificateNotUsable",
]


class InvalidKeyURI(KeyBackendError, ValueError):
    """A key URI that cannot be parsed, names an unknown scheme, or carries a forbidden attribute."""

    exit_code = 4
    kind_vi = "Địa chỉ khóa không hợp lệ"


class PINUnavailable(KeyBackendError):
    """A PIN or password is needed but no source gives one (no callback, no ``pin-source``, no terminal)."""

    kind_vi = "Thiếu mã PIN/mật khẩu"


class BackendClosed(KeyBackendError):
    """The backend was used before :meth:`~edoc.keys.KeyBackend.open` or after ``close()``."""

    kind_vi = "Khóa chưa được mở"


class ModuleNotFound(KeyBackendError):
    """The PKCS#11 module (the token's driver library) cannot be found or loaded."""

    kind_vi = "Không nạp được thư viện PKCS#11 của thiết bị ký"


class TokenNotFound(KeyBackendError):
    """No token matches the URI (or no token is inserted)."""

    kind_vi = "Không tìm thấy thiết bị ký (token)"


class WrongPIN(KeyBackendError, ValueError):
    """The token refused the PIN.

    :ivar tries_left: ``1`` when the token says the next try is the last one, else ``None``.
    :ivar count_low: ``True`` when the token says few tries are left (``CKF_USER_PIN_COUNT_LOW``).
    """

    kind_vi = "Mã PIN không đúng"

    def __init__(
        self, message: str, *, tries_left: int | None = None, count_low: bool = False, **context: object
    ) -> None:
        super().__init__(message, **context)  # type: ignore[arg-type]
        self.tries_left = tries_left
        self.count_low = count_low


class PINLocked(KeyBackendError):
    """The token's user PIN is locked; the token must be unlocked with its SO PIN/PUK."""

    kind_vi = "Mã PIN đã bị khóa"


class WrongPassword(KeyBackendError, ValueError):
    """The password of a PKCS#12 file or an encrypted key file is wrong."""

    kind_vi = "Mật khẩu tệp khóa không đúng"


class KeyNotFound(KeyBackendError):
    """No private key (with a certificate) matches what the URI names."""

    kind_vi = "Không tìm thấy khóa ký"


class AmbiguousKey(KeyBackendError):
    """Several keys (or tokens) match; :attr:`candidates` lists them so the user can name one.

    :ivar candidates: a description of each candidate (label, id, certificate subject).
    """

    kind_vi = "Có nhiều khóa phù hợp, cần chỉ rõ một khóa"

    def __init__(self, message: str, *, candidates: Sequence[str], **context: object) -> None:
        self.candidates = tuple(candidates)
        listing = "; ".join(self.candidates)
        super().__init__(f"{message}: {listing}" if listing else message, **context)  # type: ignore[arg-type]


class KeyMismatch(KeyBackendError):
    """The certificate's public key is not the public key of the private key."""

    kind_vi = "Chứng thư số không khớp với khóa bí mật"


class MechanismUnsupported(KeyBackendError):
    """The token (or the key) cannot perform the signature algorithm asked for."""

    kind_vi = "Thiết bị ký không hỗ trợ thuật toán"


class AlgorithmRefused(KeyBackendError, ValueError):
    """An algorithm or key too weak for a new signature (SHA-1, RSA < 2048 bits, EC < 256 bits)."""

    exit_code = 4
    kind_vi = "Thuật toán không còn được phép dùng để ký"


class CertificateNotUsable(KeyBackendError):
    """The certificate cannot be used for a new signature.

    :ivar reason: one of ``"expired"``, ``"not_yet_valid"``, ``"key_usage"``, ``"revoked"``,
        ``"revocation_unknown"``, ``"weak_key"``, ``"weak_algorithm"``.
    """

    kind_vi = "Chứng thư số không dùng được để ký"

    def __init__(self, message: str, *, reason: str, **context: object) -> None:
        super().__init__(message, **context)  # type: ignore[arg-type]
        self.reason = reason
