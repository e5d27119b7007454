"""Key files: PKCS#12 (``pkcs12:PATH``) and PEM/DER keys with their certificates
(``pem:KEY_PATH?cert=CERT_PATH&chain=CHAIN_PATH``).

The key is parsed once in :meth:`open` and the ``cryptography`` key object is reused for every signature
(re-parsing an RSA key costs ~30 ms, 100 times the signature itself). ``cryptography`` keys are immutable and
thread-safe, so these backends sign from many threads at once without a lock.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import pkcs12

from edoc.errors import MalformedFile
from edoc.keys.algorithms import SignatureAlgorithm, SignatureScheme
from edoc.keys.base import KeyBackend
from edoc.keys.certs import load_certificates, order_chain, read_certificates, read_limited, same_public_key, to_asn1
from edoc.keys.errors import AlgorithmRefused, KeyMismatch, KeyNotFound, WrongPassword
from edoc.keys.pins import PinArg, resolve_secret
from edoc.keys.uri import KeyURI

__all__ = ["SoftwareKeyBackend", "PKCS12Backend", "PEMBackend"]


class SoftwareKeyBackend(KeyBackend):
    """Base of backends whose key is a ``cryptography`` private key in memory."""

    def __init__(self, *, name: str) -> None:
        super().__init__(name=name)
        self._key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None
        self._sign_fns: dict[SignatureAlgorithm, Callable[[bytes], bytes]] = {}

    def _use_key(self, key: PrivateKeyTypes) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
        if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
            raise AlgorithmRefused(f"unsupported private key type {type(key).__name__} (RSA or EC expected)",
                                   message_vi=f"Loại khóa bí mật {type(key).__name__} không được hỗ trợ (cần RSA "
                                              "hoặc EC)", backend=self._name)
        return key

    def _close(self) -> None:
        self._key = None
        self._sign_fns = {}

    def _sign_digest(self, digest: bytes, algorithm: SignatureAlgorithm) -> bytes:
        fn = self._sign_fns.get(algorithm)
        if fn is None:
            fn = self._sign_fns[algorithm] = self._make_sign_fn(algorithm)
        return fn(digest)

    def _make_sign_fn(self, algorithm: SignatureAlgorithm) -> Callable[[bytes], bytes]:
        """A signing function with its padding objects built once per algorithm (they are immutable)."""
        key = self._key
        if key is None:
            self._require_open()
            raise AssertionError("unreachable")
        prehashed = Prehashed(algorithm.hash.cryptography_hash())
        if algorithm.scheme is SignatureScheme.ECDSA:
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            ecdsa = ec.ECDSA(prehashed)
            return lambda digest: key.sign(digest, ecdsa)
        assert isinstance(key, rsa.RSAPrivateKey)
        pad = algorithm.cryptography_padding()
        return lambda digest: key.sign(digest, pad, prehashed)


class PKCS12Backend(SoftwareKeyBackend):
    """A PKCS#12 (``.p12``/``.pfx``) file: ``pkcs12:PATH[?pin-source=env:NAME]``.

    :param path: the file.
    :param password: the password, a callback asked for it, or ``None`` (try no password, then the URI's
        ``pin-source``, then a prompt).
    :param pin_source: ``env:NAME``, ``file:PATH``, ``prompt`` (from the URI).
    """

    scheme = "pkcs12"
    query_attributes = frozenset({"pin-source"})

    def __init__(self, path: str | Path, *, password: PinArg = None, pin_source: str | None = None) -> None:
        super().__init__(name=f"pkcs12:{path}")
        self._path = Path(path)
        self._password = password
        self._pin_source = pin_source

    @classmethod
    def from_uri(cls, uri: KeyURI, *, pin: PinArg = None) -> PKCS12Backend:
        return cls(uri.path, password=pin, pin_source=uri.pin_source)

    def _open(self) -> None:
        data = read_limited(self._path, what="PKCS#12 file")
        try:
            pfx = asn1_pkcs12.Pfx.load(data, strict=True)
            _ = pfx["version"].native, pfx["auth_safe"]["content_type"].native
        except (ValueError, TypeError, KeyError) as exc:
            raise MalformedFile("not a PKCS#12 file", path=self._path,
                                message_vi="Tệp không phải PKCS#12") from exc
        loaded = None
        if self._password is None and self._pin_source is None:
            for candidate in (None, b""):  # files exported without a password
                try:
                    loaded = pkcs12.load_key_and_certificates(data, candidate)
                    break
                except ValueError:
                    continue
        if loaded is None:
            secret = resolve_secret(self._password, self._pin_source, prompt=f"Password of {self._path.name}: ",
                                    backend=self._name)
            try:
                loaded = pkcs12.load_key_and_certificates(data, secret.reveal().encode("utf-8"))
            except ValueError:
                raise WrongPassword("wrong PKCS#12 password", message_vi="Mật khẩu tệp PKCS#12 không đúng",
                                    path=self._path, backend=self.scheme) from None
            finally:
                del secret
        key, cert, extra = loaded
        if key is None:
            raise KeyNotFound("the PKCS#12 file holds no private key", path=self._path, backend=self.scheme,
                              message_vi="Tệp PKCS#12 không chứa khóa bí mật")
        self._key = self._use_key(key)
        if cert is None:
            if any(same_public_key(c, key.public_key()) for c in extra):
                cert = next(c for c in extra if same_public_key(c, key.public_key()))
            else:
                raise KeyMismatch("the PKCS#12 file holds no certificate for its private key",
                                  message_vi="Tệp PKCS#12 không chứa chứng thư số của khóa bí mật",
                                  path=self._path, backend=self.scheme)
        leaf = to_asn1(cert)
        self._set_identity(leaf, order_chain(leaf, [to_asn1(c) for c in extra]), key.public_key())


class PEMBackend(SoftwareKeyBackend):
    """A key file with its certificate: ``pem:KEY_PATH?cert=CERT_PATH&chain=CHAIN_PATH``.

    The key is PEM or DER (PKCS#8, PKCS#1 or SEC1), encrypted or not. Without ``cert=``, the certificate is
    looked for in the key file itself. ``chain=`` is a PEM bundle (or DER/PKCS#7) of issuers.

    :param key_path: the private key file.
    :param cert_path: the certificate file (``None``: inside the key file).
    :param chain_path: a bundle of issuer certificates.
    :param password: password of an encrypted key, or a callback.
    :param pin_source: ``env:NAME``, ``file:PATH``, ``prompt`` (from the URI).
    """

    scheme = "pem"
    query_attributes = frozenset({"pin-source", "cert", "chain"})

    def __init__(self, key_path: str | Path, *, cert_path: str | Path | None = None,
                 chain_path: str | Path | None = None, password: PinArg = None,
                 pin_source: str | None = None) -> None:
        super().__init__(name=f"pem:{key_path}")
        self._key_path = Path(key_path)
        self._cert_path = Path(cert_path) if cert_path else None
        self._chain_path = Path(chain_path) if chain_path else None
        self._password = password
        self._pin_source = pin_source

    @classmethod
    def from_uri(cls, uri: KeyURI, *, pin: PinArg = None) -> PEMBackend:
        return cls(uri.path, cert_path=uri.param("cert"), chain_path=uri.param("chain"), password=pin,
                   pin_source=uri.pin_source)

    def _load_key(self, data: bytes, password: bytes | None) -> PrivateKeyTypes:
        if b"-----BEGIN" in data:
            return serialization.load_pem_private_key(data, password)
        return serialization.load_der_private_key(data, password)

    def _open(self) -> None:
        data = read_limited(self._key_path, what="key file")
        try:
            try:
                key = self._load_key(data, None)
            except TypeError:  # encrypted: a password is needed
                secret = resolve_secret(self._password, self._pin_source,
                                        prompt=f"Password of {self._key_path.name}: ", backend=self._name)
                try:
                    key = self._load_key(data, secret.reveal().encode("utf-8"))
                except ValueError as exc:
                    if "password" in str(exc).lower() or "decrypt" in str(exc).lower():
                        raise WrongPassword("wrong password for the key file", path=self._key_path,
                                            message_vi="Mật khẩu tệp khóa không đúng",
                                            backend=self.scheme) from None
                    raise
                finally:
                    del secret
        except (ValueError, TypeError) as exc:
            if isinstance(exc, WrongPassword):
                raise
            raise MalformedFile("not a private key file (PEM or DER)", path=self._key_path,
                                message_vi="Tệp không phải khóa bí mật") from None
        self._key = self._use_key(key)
        if self._cert_path is not None:
            certs = read_certificates(self._cert_path)
        elif b"CERTIFICATE-----" in data:
            certs = load_certificates(data, source=self._key_path)
        else:
            raise KeyNotFound("no certificate: add ?cert=CERT_PATH to the pem: URI", path=self._key_path,
                              message_vi="Thiếu chứng thư số: thêm ?cert=TỆP vào địa chỉ pem:",
                              backend=self.scheme)
        leaf = next((c for c in certs if same_public_key(c, key.public_key())), None)
        if leaf is None:
            raise KeyMismatch("the certificate does not belong to the private key",
                              message_vi="Chứng thư số không khớp với khóa bí mật",
                              path=self._cert_path or self._key_path, backend=self.scheme)
        pool: list[x509.Certificate] = [c for c in certs if c is not leaf]
        if self._chain_path is not None:
            pool.extend(read_certificates(self._chain_path))
        self._set_identity(leaf, order_chain(leaf, pool), key.public_key())
