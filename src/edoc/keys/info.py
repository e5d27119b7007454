"""Facts about a certificate for reports: names with Vietnamese text intact, the ``UID`` identifiers
(``MST:``, ``CMND:``, ``CCCD:``), serial, validity, key, policies and fingerprints."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509
from cryptography import x509 as cx509

from edoc.keys.algorithms import key_description
from edoc.keys.certs import to_asn1, to_cryptography

__all__ = ["CertificateInfo", "format_name"]

_SHORT = {
    "common_name": "CN", "organization_name": "O", "organizational_unit_name": "OU", "country_name": "C",
    "state_or_province_name": "ST", "locality_name": "L", "user_id": "UID", "serial_number": "SERIALNUMBER",
    "email_address": "E", "title": "T", "street_address": "STREET", "domain_component": "DC",
    "given_name": "GN", "surname": "SN",
}


def _text(value: object) -> str:
    return unicodedata.normalize("NFC", str(value))


def _attrs(name: x509.Name, attr: str) -> tuple[str, ...]:
    out: list[str] = []
    for rdn in name.chosen:
        for ava in rdn:
            if ava["type"].native == attr:
                out.append(_text(ava["value"].native))
    return tuple(out)


def format_name(name: x509.Name) -> str:
    """``CN=…, O=…, C=VN`` with the attributes in the certificate's order (most specific first)."""
    parts: list[str] = []
    for rdn in reversed(list(name.chosen)):
        for ava in rdn:
            key = ava["type"].native
            label = _SHORT.get(key, ava["type"].dotted if key == ava["type"].dotted else key)
            parts.append(f"{label}={_text(ava['value'].native)}")
    return ", ".join(parts)


@dataclass(frozen=True)
class CertificateInfo:
    """What a report says about a certificate.

    :param subject: the subject name (``CN=…, O=…``), Vietnamese text intact (NFC).
    :param subject_common_name: the subject's CN (the person or body).
    :param organization: the subject's O, or ``None``.
    :param issuer: the issuer name.
    :param issuer_common_name: the issuer's CN (the CA).
    :param identifiers: the ``UID`` values (``MST:0101234567``, ``CCCD:…``, ``CMND:…``).
    :param serial_number: the serial number in upper-case hex.
    :param not_before: start of validity (UTC).
    :param not_after: end of validity (UTC).
    :param key_type: ``"RSA"`` or ``"EC"`` (or another algorithm name).
    :param key_size: modulus or curve size in bits.
    :param key: ``"RSA-2048"``, ``"EC-P-256"`` …
    :param signature_algorithm: the CA's signature algorithm (``sha256_rsa`` …).
    :param policies: certificate policy OIDs.
    :param key_usage: key usage names (``digital_signature``, ``non_repudiation`` …).
    :param sha256_fingerprint: ``AA:BB:…``.
    :param sha1_fingerprint: ``AA:BB:…`` (shown by older Vietnamese tools; not a security check).
    """

    subject: str
    subject_common_name: str | None
    organization: str | None
    issuer: str
    issuer_common_name: str | None
    identifiers: tuple[str, ...]
    serial_number: str
    not_before: datetime
    not_after: datetime
    key_type: str
    key_size: int
    key: str
    signature_algorithm: str
    policies: tuple[str, ...]
    key_usage: tuple[str, ...]
    sha256_fingerprint: str
    sha1_fingerprint: str

    @property
    def tax_code(self) -> str | None:
        """The ``MST:`` identifier without its prefix, or ``None``."""
        return self._identifier("MST")

    @property
    def id_number(self) -> str | None:
        """The ``CCCD:`` (or older ``CMND:``) identifier without its prefix, or ``None``."""
        return self._identifier("CCCD") or self._identifier("CMND")

    def _identifier(self, prefix: str) -> str | None:
        for ident in self.identifiers:
            head, sep, rest = ident.partition(":")
            if sep and head.strip().upper() == prefix:
                return rest.strip()
        return None

    @classmethod
    def from_cert(cls, cert: x509.Certificate | cx509.Certificate) -> CertificateInfo:
        """Extract the facts of ``cert`` (asn1crypto or ``cryptography``)."""
        a = to_asn1(cert)
        der = a.dump()
        subject, issuer = a.subject, a.issuer
        cns = _attrs(subject, "common_name")
        orgs = _attrs(subject, "organization_name")
        icn = _attrs(issuer, "common_name")
        pub = to_cryptography(a).public_key()
        policies = tuple(p["policy_identifier"].dotted for p in (a.certificate_policies_value or []))
        ku = tuple(sorted(a.key_usage_value.native)) if a.key_usage_value is not None else ()
        validity = a["tbs_certificate"]["validity"]
        algo = a.public_key.algorithm
        return cls(
            subject=format_name(subject),
            subject_common_name=cns[0] if cns else None,
            organization=orgs[0] if orgs else None,
            issuer=format_name(issuer),
            issuer_common_name=icn[0] if icn else None,
            identifiers=_attrs(subject, "user_id"),
            serial_number=f"{a.serial_number:X}",
            not_before=validity["not_before"].native,
            not_after=validity["not_after"].native,
            key_type=algo.upper() if algo in ("rsa", "ec") else algo,
            key_size=int(a.public_key.bit_size),
            key=key_description(pub),
            signature_algorithm=str(a["signature_algorithm"]["algorithm"].native),
            policies=policies,
            key_usage=ku,
            sha256_fingerprint=":".join(f"{b:02X}" for b in hashlib.sha256(der).digest()),
            sha1_fingerprint=":".join(f"{b:02X}" for b in hashlib.sha1(der, usedforsecurity=False).digest()),
        )
