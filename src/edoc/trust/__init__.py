"""Trust anchors: a store that pins root certificates by SHA-256 fingerprint, the published pins of the
Vietnamese roots, and certification path building.

A root is trusted by its fingerprint, never by its name: :meth:`TrustStore.add_root` refuses a certificate
whose fingerprint is not pinned, and says so plainly when it carries the name of a pinned root (a lookalike
or a wrong download). Errors::

    InvalidInput (ValueError)
    ├── PinMismatch          a root whose fingerprint does not match a published pin
    └── NoTrustedPath        no path from a certificate to a trusted root
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509
from cryptography import x509 as cx509

from edoc.errors import InvalidInput
from edoc.keys.certs import order_chain, read_certificates, sha256_fingerprint, to_asn1, to_cryptography

__all__ = [
    "RootPin",
    "VIETNAM_ROOT_PINS",
    "TrustStore",
    "PinMismatch",
    "NoTrustedPath",
    "normalize_fingerprint",
    "load_certificates_from_directory",
]


class PinMismatch(InvalidInput):
    """A certificate offered as a root whose SHA-256 fingerprint matches no pin of the store."""

    kind_vi = "Chứng thư gốc không khớp dấu vân tay đã công bố"


class NoTrustedPath(InvalidInput):
    """No certification path leads from the certificate to a trusted root."""

    kind_vi = "Không xây dựng được chuỗi chứng thư đến chứng thư gốc tin cậy"


def normalize_fingerprint(text: str) -> str:
    """``ba c8 bf…``, ``BAC8BF…`` or ``BA:C8:…`` → ``BA:C8:BF:…``.

    :raises ValueError: not 32 bytes of hex.
    """
    hexdigits = "".join(ch for ch in text if ch not in ": \t\n-").upper()
    if len(hexdigits) != 64 or any(ch not in "0123456789ABCDEF" for ch in hexdigits):
        raise ValueError(f"not a SHA-256 fingerprint: {text[:80]!r}")
    return ":".join(hexdigits[i:i + 2] for i in range(0, 64, 2))


@dataclass(frozen=True)
class RootPin:
    """A published root: its SHA-256 fingerprint, common name and hierarchy.

    :param name: a short key (``vgca-root-g2``).
    :param sha256: the fingerprint, ``AA:BB:…``.
    :param common_name: the subject CN the root carries (used only to explain a mismatch).
    :param hierarchy: ``"public"`` (national root of licensed public CAs) or ``"government"``
        (official-duty, Decree 68/2024).
    :param source: where the fingerprint was published.
    """

    name: str
    sha256: str
    common_name: str
    hierarchy: str
    source: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", normalize_fingerprint(self.sha256))


#: Pins of the Vietnamese roots (fingerprints recomputed from the official publications; see
#: ``../shared/trust/README.md``). Other generations of the national root exist and are not pinned here.
VIETNAM_ROOT_PINS: tuple[RootPin, ...] = (
    RootPin("vgca-root-g2",
            "F0:4B:A4:B4:59:A7:C9:A1:B9:71:AD:9B:1C:B8:33:E6:95:A8:0C:79:AE:A6:3B:17:4B:66:A7:0E:DF:E2:FD:B8",
            "RootCA chuyên dùng Chính phủ G2", "government", "http://ca.gov.vn/pki/pub/crt/rootcag2.crt"),
    RootPin("neac-vietnam-national-root-ca",
            "BA:C8:BF:60:9A:B4:20:A8:EE:17:80:D7:4F:4D:E5:C7:F7:18:49:59:D2:A7:37:5B:0A:75:E4:C2:9F:09:08:E7",
            "Vietnam National Root CA", "public", "https://rootca.gov.vn/crt/vnrca256.p7b"),
)


def _cn(cert: x509.Certificate) -> str:
    for rdn in cert.subject.chosen:
        for ava in rdn:
            if ava["type"].native == "common_name":
                return str(ava["value"].native)
    return ""


def load_certificates_from_directory(directory: str | Path) -> list[x509.Certificate]:
    """Every certificate in ``*.crt``, ``*.cer``, ``*.pem``, ``*.der``, ``*.p7b`` files of ``directory``."""
    certs: list[x509.Certificate] = []
    for path in sorted(Path(directory).iterdir()):
        if path.suffix.lower() in {".crt", ".cer", ".pem", ".der", ".p7b", ".p7c"} and path.is_file():
            certs.extend(read_certificates(path))
    return certs


class TrustStore:
    """Trusted roots, each admitted only if its SHA-256 fingerprint is pinned.

    :param pins: the pins this store accepts (default: :data:`VIETNAM_ROOT_PINS`).
    :param roots: roots to add at once (each checked against ``pins``).
    """

    def __init__(self, pins: Iterable[RootPin] = VIETNAM_ROOT_PINS,
                 roots: Iterable[x509.Certificate | cx509.Certificate] = ()) -> None:
        self._pins = {p.sha256: p for p in pins}
        self._roots: dict[str, x509.Certificate] = {}
        for root in roots:
            self.add_root(root)

    @classmethod
    def from_directory(cls, directory: str | Path, pins: Iterable[RootPin] = VIETNAM_ROOT_PINS) -> TrustStore:
        """A store with the pinned roots found in ``directory`` (other certificates there are ignored)."""
        store = cls(pins)
        for cert in load_certificates_from_directory(directory):
            if cert.self_issued and sha256_fingerprint(cert) in store._pins:
                store.add_root(cert)
        return store

    @property
    def pins(self) -> tuple[RootPin, ...]:
        """The pins accepted."""
        return tuple(self._pins.values())

    @property
    def roots(self) -> tuple[x509.Certificate, ...]:
        """The roots admitted."""
        return tuple(self._roots.values())

    def pin_of(self, cert: x509.Certificate | cx509.Certificate) -> RootPin | None:
        """The pin of a trusted root, or ``None``."""
        return self._pins.get(sha256_fingerprint(cert)) if sha256_fingerprint(cert) in self._roots else None

    def add_root(self, cert: x509.Certificate | cx509.Certificate) -> RootPin:
        """Admit a root.

        :raises PinMismatch: its fingerprint is not pinned (the message says when it carries the name of a
            pinned root).
        """
        a = to_asn1(cert)
        fingerprint = sha256_fingerprint(a)
        pin = self._pins.get(fingerprint)
        if pin is None:
            cn = _cn(a)
            named = [p for p in self._pins.values() if p.common_name == cn]
            if named:
                raise PinMismatch(
                    f"the certificate named {cn!r} has fingerprint {fingerprint}, which does not match the "
                    f"published pin {named[0].sha256}: it is not the real root",
                    message_vi=f"Chứng thư {cn!r} có dấu vân tay khác với dấu vân tay đã công bố: không phải "
                               "chứng thư gốc thật", field="sha256")
            raise PinMismatch(f"the certificate {cn!r} ({fingerprint}) is not a pinned root", field="sha256",
                              message_vi=f"Chứng thư {cn!r} không nằm trong danh sách chứng thư gốc tin cậy")
        self._roots[fingerprint] = a
        return pin

    def build_path(
        self, cert: x509.Certificate | cx509.Certificate,
        intermediates: Sequence[x509.Certificate | cx509.Certificate] = (),
    ) -> tuple[x509.Certificate, ...]:
        """The certification path ``cert → … → trusted root`` (each signature checked).

        :raises NoTrustedPath: no path reaches a root of this store.
        """
        leaf = to_asn1(cert)
        pool = [to_asn1(c) for c in intermediates] + list(self._roots.values())
        path = (leaf, *order_chain(leaf, pool))
        for child, parent in itertools.pairwise(path):
            try:
                to_cryptography(child).verify_directly_issued_by(to_cryptography(parent))
            except (ValueError, TypeError, Exception) as exc:  # InvalidSignature is not a ValueError
                raise NoTrustedPath(f"{_cn(child)!r} is not validly signed by {_cn(parent)!r}",
                                    message_vi=f"Chữ ký trên chứng thư {_cn(child)!r} không hợp lệ") from exc
        top = path[-1]
        if sha256_fingerprint(top) not in self._roots:
            raise NoTrustedPath(f"the chain of {_cn(leaf)!r} ends at {_cn(top)!r}, which is not a trusted root",
                                message_vi=f"Chuỗi chứng thư của {_cn(leaf)!r} không dẫn đến chứng thư gốc tin cậy")
        return path
