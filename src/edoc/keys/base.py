"""The one interface every certificate backend implements: :class:`KeyBackend`."""

from __future__ import annotations

import abc
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar

from asn1crypto import x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from edoc.keys.algorithms import SignatureAlgorithm, key_description
from edoc.keys.certs import same_public_key, to_cryptography
from edoc.keys.errors import BackendClosed, KeyMismatch

if TYPE_CHECKING:
    from typing_extensions import Self

    from edoc.keys.info import CertificateInfo
    from edoc.keys.pins import PinArg
    from edoc.keys.uri import KeyURI

__all__ = ["KeyBackend"]


class KeyBackend(abc.ABC):
    """A private key with its certificate and chain, wherever the key lives (file, token, HSM, service).

    Lifecycle: construct (cheap, no I/O), :meth:`open` (loads or logs in once), sign as often as needed,
    :meth:`close`. It is a context manager; :func:`edoc.keys.open_key` returns it already open.

    Signing: :meth:`sign` hashes ``data`` and signs; :meth:`sign_digest` signs a digest computed elsewhere.
    Both take a :class:`~edoc.keys.algorithms.SignatureAlgorithm` (default :attr:`default_algorithm`) and
    refuse SHA-1 and weak keys. PAdES/CMS signing uses :meth:`pyhanko_signer`; the XML signer calls
    :meth:`sign` directly.

    Thread safety: once open, :meth:`sign` and :meth:`sign_digest` may be called from many threads at once
    (file backends sign concurrently; a PKCS#11 backend serialises calls on its session with a lock).
    :meth:`open` and :meth:`close` are serialised too, but closing while other threads sign is the caller's
    error (they get :class:`~edoc.keys.errors.BackendClosed`).

    Writing a backend: subclass, set :attr:`scheme`, implement :meth:`from_uri`, :meth:`_open`,
    :meth:`_close` and :meth:`_sign_digest` (optionally :meth:`_sign_data` when the device hashes itself);
    ``_open`` calls :meth:`_set_identity`. Register the class in the entry-point group ``edoc.backends``.
    """

    #: URI scheme the backend serves (``"pkcs12"``, ``"pem"``, ``"pkcs11"``, a plug-in's).
    scheme: ClassVar[str] = ""
    #: Query attributes the scheme accepts (``None``: any). ``pin-source`` is always accepted.
    query_attributes: ClassVar[frozenset[str] | None] = None

    def __init__(self, *, name: str) -> None:
        self._name = name
        self._state_lock = threading.RLock()
        self._opened = False
        self._cert: x509.Certificate | None = None
        self._cert_crypto: cx509.Certificate | None = None
        self._chain: tuple[x509.Certificate, ...] = ()
        self._public_key: PublicKeyTypes | None = None
        self._checked: frozenset[SignatureAlgorithm] = frozenset()

    # -- construction -------------------------------------------------------------------------------------
    @classmethod
    @abc.abstractmethod
    def from_uri(cls, uri: KeyURI, *, pin: PinArg = None) -> KeyBackend:
        """Build an (unopened) backend from a parsed URI; no I/O yet."""

    # -- lifecycle ------------------------------------------------------------------------------------------
    def open(self) -> Self:
        """Load the key / log in. Idempotent; returns ``self``."""
        with self._state_lock:
            if not self._opened:
                self._open()
                if self._cert is None or self._public_key is None:
                    raise RuntimeError(f"{type(self).__name__}._open() did not call _set_identity()")
                self._opened = True
        return self

    def close(self) -> None:
        """Forget the key / log out. Idempotent."""
        with self._state_lock:
            if self._opened:
                self._opened = False
                self._close()

    @property
    def closed(self) -> bool:
        """``True`` until :meth:`open` and after :meth:`close`."""
        return not self._opened

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @abc.abstractmethod
    def _open(self) -> None:
        """Load the key or log in, then call :meth:`_set_identity`."""

    @abc.abstractmethod
    def _close(self) -> None:
        """Release what :meth:`_open` took."""

    def _set_identity(
        self, certificate: x509.Certificate | cx509.Certificate,
        chain: Sequence[x509.Certificate | cx509.Certificate], public_key: PublicKeyTypes | None = None,
    ) -> None:
        """Record the signing certificate and its chain; check the certificate matches ``public_key``.

        Certificates may be given as asn1crypto or cryptography objects; they are kept as asn1crypto.

        :raises KeyMismatch: the certificate does not certify ``public_key``.
        """
        from edoc.keys.certs import to_asn1

        cert_crypto = to_cryptography(certificate)
        if public_key is not None and not same_public_key(cert_crypto, public_key):
            raise KeyMismatch("the certificate does not belong to the private key",
                              message_vi="Chứng thư số không khớp với khóa bí mật", backend=self._name)
        self._cert = to_asn1(certificate)
        self._cert_crypto = cert_crypto
        self._chain = tuple(to_asn1(c) for c in chain)  # plug-ins may pass cryptography certificates
        self._public_key = public_key if public_key is not None else cert_crypto.public_key()

    # -- identity ---------------------------------------------------------------------------------------------
    def _require_open(self) -> None:
        if not self._opened:
            raise BackendClosed("the key is not open: call open() or use it in a with block", backend=self._name)

    @property
    def name(self) -> str:
        """What the backend is, for messages (``pkcs12:signer.p12``, ``pkcs11:token=…``); never a secret."""
        return self._name

    @property
    def certificate(self) -> x509.Certificate:
        """The signing certificate (asn1crypto, as pyHanko uses it)."""
        self._require_open()
        assert self._cert is not None
        return self._cert

    @property
    def certificate_crypto(self) -> cx509.Certificate:
        """The signing certificate as a ``cryptography`` object."""
        self._require_open()
        assert self._cert_crypto is not None
        return self._cert_crypto

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The issuers of the signing certificate known to the backend, nearest first."""
        self._require_open()
        return self._chain

    @property
    def public_key(self) -> PublicKeyTypes:
        """The public key (``cryptography``)."""
        self._require_open()
        assert self._public_key is not None
        return self._public_key

    @property
    def default_algorithm(self) -> SignatureAlgorithm:
        """RSA-PSS/SHA-256 for RSA keys, ECDSA with the curve's hash for EC keys."""
        return SignatureAlgorithm.default_for(self.public_key)

    def info(self) -> CertificateInfo:
        """Facts about the signing certificate for reports."""
        from edoc.keys.info import CertificateInfo

        return CertificateInfo.from_cert(self.certificate)

    # -- signing ------------------------------------------------------------------------------------------------
    def _algorithm(self, algorithm: SignatureAlgorithm | None) -> SignatureAlgorithm:
        self._require_open()
        alg = self.default_algorithm if algorithm is None else algorithm
        if alg not in self._checked:
            if not isinstance(alg, SignatureAlgorithm):
                raise TypeError(f"algorithm must be a SignatureAlgorithm, not {type(alg).__name__}")
            alg.check_new_signature(self.public_key)
            self._checked = self._checked | {alg}
        return alg

    def sign(self, data: bytes, *, algorithm: SignatureAlgorithm | None = None) -> bytes:
        """Sign ``data`` (hashed with the algorithm's hash).

        :returns: the signature: PKCS#1 bytes for RSA, DER ``ECDSA-Sig-Value`` for ECDSA.
        :raises AlgorithmRefused: SHA-1, a scheme not fitting the key, or a weak key.
        :raises BackendClosed: the backend is not open.
        """
        alg = self._algorithm(algorithm)
        return self._sign_data(bytes(data), alg)

    def sign_digest(self, digest: bytes, *, algorithm: SignatureAlgorithm | None = None) -> bytes:
        """Sign a digest computed elsewhere with ``algorithm.hash``.

        :raises ValueError: the digest length does not fit the hash.
        """
        alg = self._algorithm(algorithm)
        if len(digest) != alg.hash.digest_size:
            raise ValueError(f"digest must be {alg.hash.digest_size} bytes for {alg.hash.value}, not {len(digest)}")
        return self._sign_digest(bytes(digest), alg)

    def _sign_data(self, data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        """Sign whole data; by default hash in software and call :meth:`_sign_digest`."""
        return self._sign_digest(algorithm.hash.digest(data), algorithm)

    @abc.abstractmethod
    def _sign_digest(self, digest: bytes, algorithm: SignatureAlgorithm) -> bytes:
        """Sign ``digest`` (already checked against ``algorithm``)."""

    # -- adapters -------------------------------------------------------------------------------------------------
    def pyhanko_signer(self, *, algorithm: SignatureAlgorithm | None = None, embed_roots: bool = True) -> object:
        """This backend as a pyHanko ``Signer`` (for PAdES and CMS); see :func:`edoc.keys.pyhanko.as_pyhanko_signer`."""
        from edoc.keys.pyhanko import as_pyhanko_signer

        return as_pyhanko_signer(self, algorithm=algorithm, embed_roots=embed_roots)

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"open, {key_description(self._public_key)}"
        return f"<{type(self).__name__} {self._name} ({state})>"
