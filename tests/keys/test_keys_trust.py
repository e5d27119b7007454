"""Trust store pinned by SHA-256 fingerprints; path building on the real Vietnamese chains shipped in edoc/data/trust
(copies of ../shared/trust, so nothing beside the clone is needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

import edoc.data
from edoc.keys.certs import read_certificates
from edoc.trust import VIETNAM_ROOT_PINS, NoTrustedPath, PinMismatch, RootPin, TrustStore, normalize_fingerprint
from pki import TestPKI

TRUST = Path(edoc.data.__file__).parent / "trust"


def _cert(name: str) -> object:
    return read_certificates(TRUST / name)[0]


def test_real_roots_match_published_pins() -> None:
    store = TrustStore.from_directory(TRUST)
    assert len(store.roots) == 2
    names = {store.pin_of(r).name for r in store.roots}  # type: ignore[union-attr]
    assert names == {"vgca-root-g2", "neac-vietnam-national-root-ca"}


@pytest.mark.parametrize("leaf, expected", [
    ("vnpt-ca-sha2.crt", ["VNPT-CA SHA2", "Vietnam National Root CA"]),
    ("vgca-state-bodies-g2.crt", ["CA phục vụ các cơ quan Nhà nước G2", "RootCA chuyên dùng Chính phủ G2"]),
])
def test_path_building_on_real_chains(leaf: str, expected: list[str]) -> None:
    store = TrustStore.from_directory(TRUST)
    path = store.build_path(_cert(leaf))
    assert [c.subject.native["common_name"] for c in path] == expected


def test_path_to_an_untrusted_root_is_refused() -> None:
    only_gov = TrustStore(roots=[_cert("vgca-root-g2.crt")])
    with pytest.raises(NoTrustedPath, match="not a trusted root"):
        only_gov.build_path(_cert("vnpt-ca-sha2.crt"))


def test_lookalike_root_is_refused(pki: TestPKI) -> None:
    """A test root is not pinned; one claiming a pinned root's name is refused with the published pin named."""
    store = TrustStore()
    with pytest.raises(PinMismatch, match="not a pinned root"):
        store.add_root(pki.cert("gov-root"))
    fake_pin = RootPin("fake", "00" * 32, "RootCA chuyên dùng Chính phủ G2 (THỬ NGHIỆM)", "government", "test")
    strict = TrustStore(pins=(*VIETNAM_ROOT_PINS, fake_pin))
    with pytest.raises(PinMismatch, match="does not match the published pin"):
        strict.add_root(pki.cert("gov-root"))


def test_test_pki_paths_with_its_own_pins(pki: TestPKI) -> None:
    from edoc.keys.certs import sha256_fingerprint

    pins = [RootPin(r, sha256_fingerprint(pki.cert(r)), r, "test", "tests/pki") for r in ("national-root", "gov-root")]
    store = TrustStore(pins=pins, roots=[pki.cert("national-root"), pki.cert("gov-root")])
    path = store.build_path(pki.cert("agency-ec"), pki.chain("agency-ec")[:1])
    assert [c.dump() for c in path[1:]] == [c.dump() for c in pki.chain("agency-ec")]
    with pytest.raises(NoTrustedPath):  # the intermediate is missing
        store.build_path(pki.cert("agency-ec"))


def test_fingerprint_normalisation() -> None:
    assert normalize_fingerprint("ba c8 bf" + " 00" * 29) == "BA:C8:BF" + ":00" * 29
    with pytest.raises(ValueError):
        normalize_fingerprint("BA:C8")
