"""The Vietnamese public CA certificates shipped inside edoc, each checked against its SHA-256 pin when read.

They are public data every verifier needs: the roots of the two Vietnamese hierarchies (the national root of
the licensed public CAs, published by NEAC; the government root G2 of the official-duty PKI, published by the
Government Cipher Committee) and two intermediates under them (VNPT-CA SHA2; the state-bodies CA G2), copied
from the official publications with their fingerprints recomputed and signatures checked. ``edoc trust add
--national`` installs the roots offline from here; the intermediates serve path building
(:meth:`edoc.trust.TrustStore.build_path`) and tests.

A packaged file whose fingerprint differs from its pin (a damaged or altered installation) is refused with
:class:`~edoc.trust.PinMismatch`, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from asn1crypto import x509

from edoc.keys.certs import load_certificates, sha256_fingerprint
from edoc.trust import VIETNAM_ROOT_PINS, PinMismatch, normalize_fingerprint

__all__ = ["PublishedCertificate", "PUBLISHED", "load_published", "published_roots", "published_intermediates"]


@dataclass(frozen=True)
class PublishedCertificate:
    """A certificate shipped with edoc.

    :param name: short key (``vgca-root-g2``), also the pin's name for a root.
    :param file: file name under ``edoc/data/trust``.
    :param sha256: its pinned SHA-256 fingerprint (``AA:BB:…``).
    :param kind: ``"root"`` or ``"intermediate"``.
    :param source: where it is officially published.
    """

    name: str
    file: str
    sha256: str
    kind: str
    source: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", normalize_fingerprint(self.sha256))


_ROOTS = {p.name: p for p in VIETNAM_ROOT_PINS}

#: Every certificate shipped, roots first (pins of ``../shared/trust/README.md``).
PUBLISHED: tuple[PublishedCertificate, ...] = (
    PublishedCertificate("neac-vietnam-national-root-ca", "neac-vietnam-national-root-ca.der",
                         _ROOTS["neac-vietnam-national-root-ca"].sha256, "root",
                         _ROOTS["neac-vietnam-national-root-ca"].source),
    PublishedCertificate("vgca-root-g2", "vgca-root-g2.crt", _ROOTS["vgca-root-g2"].sha256, "root",
                         _ROOTS["vgca-root-g2"].source),
    PublishedCertificate("vnpt-ca-sha2", "vnpt-ca-sha2.crt",
                         "7D:6B:A5:24:53:17:F9:ED:5D:8B:C7:65:A4:63:4D:26:AC:63:40:D3:6B:9F:58:4D:F3:B5:2D:9C:4A:81:A3:06",
                         "intermediate", "VNPT-CA, under the national root"),
    PublishedCertificate("vgca-state-bodies-g2", "vgca-state-bodies-g2.crt",
                         "D8:CA:B7:A4:AE:F9:2E:6B:B2:50:9D:7C:61:CE:E7:B4:4F:37:31:B2:D2:10:74:96:35:30:27:7B:36:6F:AE:4B",
                         "intermediate", "http://ca.gov.vn/pki/pub/crt/cpcag2.crt"),
)


def _data(file: str) -> bytes:
    return resources.files("edoc.data").joinpath("trust").joinpath(file).read_bytes()


@cache
def load_published(name: str) -> x509.Certificate:
    """The shipped certificate ``name``, after checking its pin.

    :raises KeyError: no certificate of that name is shipped.
    :raises PinMismatch: the packaged file does not hold the pinned certificate (a damaged installation).
    """
    entry = next((p for p in PUBLISHED if p.name == name), None)
    if entry is None:
        raise KeyError(name)
    path = Path("edoc/data/trust") / entry.file
    certs = load_certificates(_data(entry.file), source=path)
    if len(certs) != 1 or sha256_fingerprint(certs[0]) != entry.sha256:
        raise PinMismatch(f"the packaged certificate {entry.file} does not match its pin {entry.sha256}; "
                          "reinstall edoc",
                          message_vi=f"Chứng thư {entry.file} đi kèm edoc không khớp dấu vân tay {entry.sha256}; "
                                     "hãy cài lại edoc", path=path)
    return certs[0]


def published_roots() -> list[tuple[PublishedCertificate, x509.Certificate]]:
    """The shipped roots with their entries, each checked against its pin."""
    return [(p, load_published(p.name)) for p in PUBLISHED if p.kind == "root"]


def published_intermediates() -> list[tuple[PublishedCertificate, x509.Certificate]]:
    """The shipped intermediates with their entries, each checked against its pin."""
    return [(p, load_published(p.name)) for p in PUBLISHED if p.kind == "intermediate"]
