"""Certificate backends: one interface for keys in files, PKCS#11 tokens, HSMs and plug-ins.

The common case is one call::

    from edoc.keys import open_key

    with open_key("pkcs12:signer.p12?pin-source=env:EDOC_PIN") as key:
        signature = key.sign(b"data")                 # RSA-PSS/SHA-256 or ECDSA by default
        signer = key.pyhanko_signer()                 # the same key for PAdES/CMS through pyHanko

A key is named by a URI (:mod:`edoc.keys.uri`); the scheme is looked up in the entry-point group
``edoc.backends``, where the built-in ``pkcs12``, ``pem`` and ``pkcs11`` backends are registered exactly as a
third-party plug-in would be. Errors: :mod:`edoc.keys.errors`.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from edoc.errors import MissingDependency
from edoc.keys.algorithms import (
    ECDSA_SHA256,
    ECDSA_SHA384,
    ECDSA_SHA512,
    RSA_PKCS1_SHA256,
    RSA_PKCS1_SHA384,
    RSA_PKCS1_SHA512,
    RSA_PSS_SHA256,
    RSA_PSS_SHA384,
    RSA_PSS_SHA512,
    HashAlgorithm,
    SignatureAlgorithm,
    SignatureScheme,
)
from edoc.keys.base import KeyBackend
from edoc.keys.checks import CertificateCheck, RevocationCheck, RevocationStatus, check_signing_certificate
from edoc.keys.errors import (
    AlgorithmRefused,
    AmbiguousKey,
    BackendClosed,
    CertificateNotUsable,
    InvalidKeyURI,
    KeyBackendError,
    KeyMismatch,
    KeyNotFound,
    MechanismUnsupported,
    ModuleNotFound,
    PINLocked,
    PINUnavailable,
    TokenNotFound,
    WrongPassword,
    WrongPIN,
)
from edoc.keys.info import CertificateInfo
from edoc.keys.pins import PinArg, Secret
from edoc.keys.uri import KeyURI, parse_key_uri

__all__ = [
    "open_key",
    "backend_class",
    "available_schemes",
    "ENTRY_POINT_GROUP",
    "KeyBackend",
    "KeyURI",
    "parse_key_uri",
    "PinArg",
    "Secret",
    "SignatureAlgorithm",
    "SignatureScheme",
    "HashAlgorithm",
    "RSA_PKCS1_SHA256",
    "RSA_PKCS1_SHA384",
    "RSA_PKCS1_SHA512",
    "RSA_PSS_SHA256",
    "RSA_PSS_SHA384",
    "RSA_PSS_SHA512",
    "ECDSA_SHA256",
    "ECDSA_SHA384",
    "ECDSA_SHA512",
    "CertificateInfo",
    "CertificateCheck",
    "RevocationCheck",
    "RevocationStatus",
    "check_signing_certificate",
    # errors
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

#: The entry-point group where backends (built-in and third-party) register under their URI scheme.
ENTRY_POINT_GROUP = "edoc.backends"


def available_schemes() -> list[str]:
    """The URI schemes registered in ``edoc.backends``, sorted."""
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def backend_class(scheme: str) -> type[KeyBackend]:
    """The backend class registered for ``scheme``.

    :raises InvalidKeyURI: no backend serves the scheme.
    :raises KeyBackendError: the plug-in cannot be imported or is not a :class:`KeyBackend`.
    """
    matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == scheme.lower()]
    if not matches:
        raise InvalidKeyURI(f"no key backend for the scheme {scheme!r} (known: {', '.join(available_schemes())})",
                            message_vi=f"Không có bộ xử lý khóa cho kiểu {scheme!r}", field="scheme")
    ep = matches[0]
    try:
        cls = ep.load()
    except ImportError as exc:
        if isinstance(exc, MissingDependency):
            raise
        raise KeyBackendError(f"the backend plug-in {ep.value} cannot be imported: {exc}",
                              backend=scheme) from exc
    if not (isinstance(cls, type) and issubclass(cls, KeyBackend)):
        raise KeyBackendError(f"the entry point {ep.value} is not a KeyBackend subclass", backend=scheme)
    return cls


def open_key(uri: str, *, pin: PinArg = None) -> KeyBackend:
    """Open the key a URI names and return the open backend (use it as a context manager to close it).

    :param uri: ``pkcs12:PATH``, ``pem:KEY?cert=CERT&chain=CHAIN``, ``pkcs11:…`` (RFC 7512) or a plug-in's.
    :param pin: the PIN/password, a callback ``(prompt) -> str | None`` asked when needed, or ``None`` (the
        URI's ``pin-source``, else a prompt on the terminal).
    :raises KeyBackendError: a subclass naming what went wrong (:mod:`edoc.keys.errors`).
    """
    scheme = uri.partition(":")[0].strip().lower() if isinstance(uri, str) else ""
    if not isinstance(uri, str):
        raise TypeError(f"uri must be str, not {type(uri).__name__}")
    parse_key_uri(uri)  # syntax errors first, with the generic message
    cls = backend_class(scheme)
    allowed = None if cls.query_attributes is None else cls.query_attributes | {"pin-source"}
    parsed = parse_key_uri(uri, allowed_query=allowed)
    backend = cls.from_uri(parsed, pin=pin)
    return backend.open()
