"""Signature algorithms: a frozen option naming the scheme (RSA PKCS#1 v1.5, RSA-PSS, ECDSA) and the hash.

Secure defaults live here: SHA-1, RSA keys under 2048 bits and EC keys under 256 bits are refused for new
signatures (:class:`~edoc.keys.errors.AlgorithmRefused`), as the 2025 circular on signing software asks.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from typing import Any

from asn1crypto import algos
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from edoc.keys.errors import AlgorithmRefused

__all__ = [
    "HashAlgorithm",
    "SignatureScheme",
    "SignatureAlgorithm",
    "RSA_PKCS1_SHA256",
    "RSA_PKCS1_SHA384",
    "RSA_PKCS1_SHA512",
    "RSA_PSS_SHA256",
    "RSA_PSS_SHA384",
    "RSA_PSS_SHA512",
    "ECDSA_SHA256",
    "ECDSA_SHA384",
    "ECDSA_SHA512",
    "MIN_RSA_BITS",
    "MIN_EC_BITS",
    "key_description",
]

#: Smallest RSA modulus accepted for a new signature.
MIN_RSA_BITS = 2048
#: Smallest EC field size accepted for a new signature.
MIN_EC_BITS = 256


_DIGEST_SIZES = {"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}


class HashAlgorithm(enum.Enum):
    """Digest algorithms. ``SHA1`` exists only so that it can be named and refused."""

    SHA1 = "sha1"
    SHA256 = "sha256"
    SHA384 = "sha384"
    SHA512 = "sha512"

    @property
    def digest_size(self) -> int:
        """Length of the digest in bytes."""
        return _DIGEST_SIZES[self.value]

    def cryptography_hash(self) -> hashes.HashAlgorithm:
        """The matching ``cryptography`` hash object."""
        if self is HashAlgorithm.SHA1:
            return hashes.SHA1()  # noqa: S303 - named only to be refused (check_new_signature)
        if self is HashAlgorithm.SHA384:
            return hashes.SHA384()
        if self is HashAlgorithm.SHA512:
            return hashes.SHA512()
        return hashes.SHA256()

    def digest(self, data: bytes) -> bytes:
        """Hash ``data`` with this algorithm."""
        return hashlib.new(self.value, data).digest()

    @classmethod
    def from_name(cls, name: str) -> HashAlgorithm:
        """Parse ``"sha256"``, ``"SHA-256"``, … ; unknown names raise :class:`AlgorithmRefused`."""
        key = name.lower().replace("-", "").replace("_", "")
        for member in cls:
            if member.value == key:
                return member
        raise AlgorithmRefused(f"unknown or unsupported digest algorithm {name!r}")


class SignatureScheme(enum.Enum):
    """How the digest is turned into a signature."""

    RSA_PKCS1V15 = "rsa-pkcs1v15"
    RSA_PSS = "rsa-pss"
    ECDSA = "ecdsa"

    @property
    def key_type(self) -> str:
        """``"rsa"`` or ``"ec"``."""
        return "ec" if self is SignatureScheme.ECDSA else "rsa"


@dataclass(frozen=True, eq=True)
class SignatureAlgorithm:
    """A signature algorithm for a new signature: a scheme and a hash.

    RSA-PSS uses MGF1 with the same hash and a salt as long as the digest (the choice of the ETSI profiles
    and of pyHanko). Construct through the constants (``RSA_PSS_SHA256`` …), :meth:`from_name` or
    :meth:`default_for`.

    :param scheme: RSA PKCS#1 v1.5, RSA-PSS or ECDSA.
    :param hash: the digest algorithm.
    """

    scheme: SignatureScheme
    hash: HashAlgorithm = HashAlgorithm.SHA256

    def __post_init__(self) -> None:
        if not isinstance(self.scheme, SignatureScheme):
            raise TypeError(f"scheme must be a SignatureScheme, not {type(self.scheme).__name__}")
        if not isinstance(self.hash, HashAlgorithm):
            raise TypeError(f"hash must be a HashAlgorithm, not {type(self.hash).__name__}")
        # computed once: the backends look algorithms up in a dict on every signature
        object.__setattr__(self, "_hash", hash((self.scheme.value, self.hash.value)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined,no-any-return]

    @property
    def name(self) -> str:
        """``"rsa-pss-sha256"``, ``"ecdsa-sha384"``, …"""
        return f"{self.scheme.value}-{self.hash.value}"

    def __str__(self) -> str:
        return self.name

    @property
    def salt_length(self) -> int:
        """RSA-PSS salt length in bytes (the digest length)."""
        return self.hash.digest_size

    @classmethod
    def from_name(cls, name: str) -> SignatureAlgorithm:
        """Parse a name such as ``"rsa-pss-sha256"``, ``"rsa-pkcs1v15-sha384"`` or ``"ecdsa-sha256"``."""
        text = name.strip().lower()
        scheme_text, _, hash_text = text.rpartition("-")
        for scheme in SignatureScheme:
            if scheme.value == scheme_text or (scheme is SignatureScheme.RSA_PKCS1V15 and scheme_text == "rsa"):
                return cls(scheme, HashAlgorithm.from_name(hash_text))
        raise AlgorithmRefused(f"unknown signature algorithm {name!r} (use e.g. rsa-pss-sha256 or ecdsa-sha256)")

    @classmethod
    def default_for(cls, public_key: PublicKeyTypes) -> SignatureAlgorithm:
        """The default for a key: RSA-PSS with SHA-256 for RSA (the circular's choice for new signatures),
        ECDSA with the hash matching the curve for EC keys."""
        if isinstance(public_key, rsa.RSAPublicKey):
            return RSA_PSS_SHA256
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            size = public_key.curve.key_size
            if size > 384:
                return ECDSA_SHA512
            if size > 256:
                return ECDSA_SHA384
            return ECDSA_SHA256
        raise AlgorithmRefused(f"unsupported key type {key_description(public_key)}")

    def check_new_signature(self, public_key: PublicKeyTypes) -> None:
        """Refuse what may not make a new signature with this key.

        :raises AlgorithmRefused: SHA-1, a scheme that does not fit the key, RSA < 2048 or EC < 256 bits.
        """
        if self.hash is HashAlgorithm.SHA1:
            raise AlgorithmRefused("SHA-1 may not be used for new signatures; use SHA-256 or stronger",
                                   message_vi="Không được dùng SHA-1 cho chữ ký mới; hãy dùng SHA-256 trở lên")
        if isinstance(public_key, rsa.RSAPublicKey):
            if self.scheme.key_type != "rsa":
                raise AlgorithmRefused(f"{self.name} cannot be used with an RSA key")
            if public_key.key_size < MIN_RSA_BITS:
                raise AlgorithmRefused(
                    f"RSA key of {public_key.key_size} bits is too weak for a new signature "
                    f"(at least {MIN_RSA_BITS})",
                    message_vi=f"Khóa RSA {public_key.key_size} bit quá yếu để ký (cần từ {MIN_RSA_BITS} bit)")
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            if self.scheme is not SignatureScheme.ECDSA:
                raise AlgorithmRefused(f"{self.name} cannot be used with an EC key")
            if public_key.curve.key_size < MIN_EC_BITS:
                raise AlgorithmRefused(
                    f"EC key on {public_key.curve.name} is too weak for a new signature (at least {MIN_EC_BITS} bits)",
                    message_vi=f"Khóa EC {public_key.curve.key_size} bit quá yếu để ký (cần từ {MIN_EC_BITS} bit)")
        else:
            raise AlgorithmRefused(f"unsupported key type {key_description(public_key)}")

    def cryptography_padding(self) -> padding.AsymmetricPadding:
        """The ``cryptography`` padding for an RSA scheme."""
        if self.scheme is SignatureScheme.RSA_PSS:
            return padding.PSS(mgf=padding.MGF1(self.hash.cryptography_hash()), salt_length=self.salt_length)
        if self.scheme is SignatureScheme.RSA_PKCS1V15:
            return padding.PKCS1v15()
        raise ValueError(f"{self.name} has no RSA padding")

    def verify(self, public_key: PublicKeyTypes, signature: bytes, data: bytes) -> bool:
        """Check ``signature`` over ``data`` with ``public_key``; ``True`` when it verifies."""
        from cryptography.exceptions import InvalidSignature

        try:
            if isinstance(public_key, rsa.RSAPublicKey):
                public_key.verify(signature, data, self.cryptography_padding(), self.hash.cryptography_hash())
            elif isinstance(public_key, ec.EllipticCurvePublicKey):
                public_key.verify(signature, data, ec.ECDSA(self.hash.cryptography_hash()))
            else:
                return False
        except InvalidSignature:
            return False
        return True

    def cms_signature_algorithm(self) -> algos.SignedDigestAlgorithm:
        """The CMS ``SignatureAlgorithmIdentifier`` (for pyHanko's ``signature_mechanism``)."""
        if self.scheme is SignatureScheme.RSA_PSS:
            params: dict[str, Any] = {
                "hash_algorithm": {"algorithm": self.hash.value},
                "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": self.hash.value}},
                "salt_length": self.salt_length,
            }
            return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": params})
        suffix = "rsa" if self.scheme is SignatureScheme.RSA_PKCS1V15 else "ecdsa"
        return algos.SignedDigestAlgorithm({"algorithm": f"{self.hash.value}_{suffix}"})


#: RSA PKCS#1 v1.5 with SHA-256 (``sha256_rsa``).
RSA_PKCS1_SHA256 = SignatureAlgorithm(SignatureScheme.RSA_PKCS1V15, HashAlgorithm.SHA256)
#: RSA PKCS#1 v1.5 with SHA-384.
RSA_PKCS1_SHA384 = SignatureAlgorithm(SignatureScheme.RSA_PKCS1V15, HashAlgorithm.SHA384)
#: RSA PKCS#1 v1.5 with SHA-512.
RSA_PKCS1_SHA512 = SignatureAlgorithm(SignatureScheme.RSA_PKCS1V15, HashAlgorithm.SHA512)
#: RSA-PSS with SHA-256 and MGF1-SHA-256 (the default for RSA keys).
RSA_PSS_SHA256 = SignatureAlgorithm(SignatureScheme.RSA_PSS, HashAlgorithm.SHA256)
#: RSA-PSS with SHA-384 and MGF1-SHA-384.
RSA_PSS_SHA384 = SignatureAlgorithm(SignatureScheme.RSA_PSS, HashAlgorithm.SHA384)
#: RSA-PSS with SHA-512 and MGF1-SHA-512.
RSA_PSS_SHA512 = SignatureAlgorithm(SignatureScheme.RSA_PSS, HashAlgorithm.SHA512)
#: ECDSA with SHA-256 (the default for EC keys; the signature DER-encoded).
ECDSA_SHA256 = SignatureAlgorithm(SignatureScheme.ECDSA, HashAlgorithm.SHA256)
#: ECDSA with SHA-384.
ECDSA_SHA384 = SignatureAlgorithm(SignatureScheme.ECDSA, HashAlgorithm.SHA384)
#: ECDSA with SHA-512.
ECDSA_SHA512 = SignatureAlgorithm(SignatureScheme.ECDSA, HashAlgorithm.SHA512)


def key_description(public_key: object) -> str:
    """``"RSA-2048"``, ``"EC-P-256"``, … for messages and reports."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return f"RSA-{public_key.key_size}"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        names = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
        return f"EC-{names.get(public_key.curve.name, public_key.curve.name)}"
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(public_key, ed448.Ed448PublicKey):
        return "Ed448"
    return type(public_key).__name__
