"""Certificate helpers shared by the backends, the trust store, signing and verification: loading PEM/DER/PKCS#7
bundles, converting between asn1crypto and ``cryptography``, ordering a chain, fingerprints.

This is edoc's one certificate loader: :func:`load_certificates` parses bytes, :func:`read_certificates` a
file, :func:`certificates` anything a caller may hand over (loaded certificates, bytes, paths); the trust
anchors of :class:`~edoc.verify.Verifier` and :func:`~edoc.verify.load_certificates`, the chain of a signing
session and the key files' certificates all go through them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeAlias

from asn1crypto import cms, pem, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from edoc.errors import MalformedFile, ResourceError

__all__ = [
    "CertificateSource",
    "certificates",
    "load_certificates",
    "read_certificates",
    "to_cryptography",
    "to_asn1",
    "order_chain",
    "sha256_fingerprint",
    "same_public_key",
    "read_limited",
]

#: Anything a certificate can be given as: a loaded certificate (asn1crypto or cryptography), DER/PEM/PKCS#7
#: bytes, or the path of such a file (a PEM or PKCS#7 file may hold several certificates).
CertificateSource: TypeAlias = "x509.Certificate | cx509.Certificate | bytes | str | Path"

#: Largest key, certificate or PKCS#12 file read (a real one is a few KiB).
MAX_FILE_BYTES = 16 * 1024 * 1024


def read_limited(path: str | Path, *, what: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a small file whole, refusing anything over ``limit`` bytes.

    :raises ResourceError: the file cannot be read.
    :raises MalformedFile: it is larger than ``limit``.
    """
    path = Path(path)
    what_vi = _WHAT_VI.get(what, "tệp")
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ResourceError.from_os(exc, path, action=(f"cannot read the {what}", f"Không đọc được {what_vi}")
                                    ) from exc
    if len(data) > limit:
        raise MalformedFile(f"the {what} is larger than {limit} bytes", path=path,
                            message_vi=f"{what_vi[0].upper()}{what_vi[1:]} lớn hơn {limit} byte")
    return data


#: what :func:`read_limited` reads, in Vietnamese (a message is in one language, names included)
_WHAT_VI = {"PKCS#12 file": "tệp PKCS#12", "key file": "tệp khóa", "certificate file": "tệp chứng thư số"}


def load_certificates(data: bytes, *, source: str | Path | None = None) -> list[x509.Certificate]:
    """Parse every certificate in PEM (one or many), DER, or a PKCS#7 certs-only bundle (``.p7b``).

    :raises MalformedFile: nothing parses as a certificate.
    """
    ders: list[bytes] = []
    try:
        if pem.detect(data):
            for object_type, _headers, der in pem.unarmor(data, multiple=True):
                if object_type in ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"):
                    ders.append(der)
                elif object_type in ("PKCS7", "CMS"):
                    ders.extend(_p7_certs(der))
        else:
            ders.append(data)
        certs: list[x509.Certificate] = []
        for der in ders:
            info = cms.ContentInfo.load(der) if _looks_like_p7(der) else None
            if info is not None:
                certs.extend(x509.Certificate.load(d) for d in _p7_certs(der))
                continue
            cert = x509.Certificate.load(der, strict=True)
            cert.native  # noqa: B018 - a full parse now: broken DER fails here, not during a validation
            certs.append(cert)
    except (ValueError, TypeError, KeyError) as exc:
        raise MalformedFile(f"not a certificate ({exc})", path=source,
                            message_vi="Tệp không phải chứng thư số") from exc
    if not certs:
        raise MalformedFile("no certificate found", path=source, message_vi="Không tìm thấy chứng thư số")
    return certs


def _looks_like_p7(der: bytes) -> bool:
    # id-signedData OID 1.2.840.113549.1.7.2 right after the outer SEQUENCE header
    return b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" in der[:32]


def _p7_certs(der: bytes) -> list[bytes]:
    info = cms.ContentInfo.load(der, strict=True)
    if info["content_type"].native != "signed_data":
        raise ValueError("PKCS#7 content is not signed-data")
    return [c.chosen.dump() for c in info["content"]["certificates"] or []]


def read_certificates(path: str | Path) -> list[x509.Certificate]:
    """:func:`load_certificates` on a file."""
    return load_certificates(read_limited(path, what="certificate file"), source=path)


def certificates(sources: Iterable[CertificateSource]) -> list[x509.Certificate]:
    """The certificates of each source, in order: loaded certificates as they are (in asn1crypto form), bytes
    through :func:`load_certificates`, paths through :func:`read_certificates`.

    :raises ResourceError: a file cannot be read. :raises MalformedFile: bytes or a file hold no certificate.
    :raises TypeError: a source of another type.
    """
    out: list[x509.Certificate] = []
    for src in sources:
        if isinstance(src, (x509.Certificate, cx509.Certificate)):
            out.append(to_asn1(src))
        elif isinstance(src, (bytes, bytearray)):
            out.extend(load_certificates(bytes(src)))
        elif isinstance(src, (str, Path)):
            out.extend(read_certificates(src))
        else:
            raise TypeError(f"a certificate cannot be given as {type(src).__name__}")
    return out


def to_cryptography(cert: x509.Certificate | cx509.Certificate) -> cx509.Certificate:
    """The ``cryptography`` form of a certificate."""
    if isinstance(cert, cx509.Certificate):
        return cert
    return cx509.load_der_x509_certificate(cert.dump())


def to_asn1(cert: x509.Certificate | cx509.Certificate) -> x509.Certificate:
    """The asn1crypto form of a certificate (what pyHanko uses)."""
    if isinstance(cert, x509.Certificate):
        return cert
    return x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def sha256_fingerprint(cert: x509.Certificate | cx509.Certificate) -> str:
    """Upper-case hex SHA-256 fingerprint with colons, as CAs publish it (``F0:4B:…``)."""
    der = cert.dump() if isinstance(cert, x509.Certificate) else cert.public_bytes(serialization.Encoding.DER)
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def same_public_key(cert: x509.Certificate | cx509.Certificate, public_key: PublicKeyTypes) -> bool:
    """Whether ``cert`` certifies ``public_key``."""
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return bool(to_cryptography(cert).public_key().public_bytes(enc, fmt) == public_key.public_bytes(enc, fmt))


def order_chain(leaf: x509.Certificate, pool: Iterable[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    """The issuers of ``leaf`` found in ``pool``, nearest first, by issuer name and key identifier.

    Stops at a self-signed certificate or when no issuer is found; certificates of the pool that are not on
    the path are left out. ``leaf`` itself is not in the result.
    """
    candidates: Sequence[x509.Certificate] = [c for c in pool if c.dump() != leaf.dump()]
    path: list[x509.Certificate] = []
    current = leaf
    seen = {leaf.dump()}
    while current.self_issued is False:
        issuer = _find_issuer(current, candidates, seen)
        if issuer is None:
            break
        path.append(issuer)
        seen.add(issuer.dump())
        current = issuer
    return tuple(path)


def _find_issuer(
    cert: x509.Certificate, candidates: Sequence[x509.Certificate], seen: set[bytes]
) -> x509.Certificate | None:
    aki = cert.authority_key_identifier
    by_name = [c for c in candidates if c.subject == cert.issuer and c.dump() not in seen]
    if aki is not None:
        for c in by_name:
            if c.key_identifier == aki:
                return c
    return by_name[0] if by_name else None
