"""edoc trust add|list|remove: roots admitted only by pin, used by edoc verify."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import edoc.data
from edoc.trust import PinMismatch
from edoc.trust.installed import install_root, installed_roots, remove_root

# the copies shipped inside the package (edoc/data/trust), so these tests run with nothing beside the clone
PACKAGED = Path(edoc.data.__file__).parent / "trust"
VGCA_ROOT = PACKAGED / "vgca-root-g2.crt"
NATIONAL_ROOT = PACKAGED / "neac-vietnam-national-root-ca.der"
VNPT = PACKAGED / "vnpt-ca-sha2.crt"


def run(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edoc", "--lang", "en", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    import os

    return {**os.environ, "EDOC_TRUST_DIR": str(tmp_path / "trust")}


def test_published_roots_are_admitted_by_their_pin(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    gov = install_root(VGCA_ROOT, folder=folder)
    nat = install_root(NATIONAL_ROOT, folder=folder)
    assert gov.sha256.startswith("F0:4B:A4") and nat.sha256.startswith("BA:C8:BF")
    assert [r.sha256 for r in installed_roots(folder)] == sorted([gov.sha256, nat.sha256],
                                                               key=lambda f: f.replace(":", ""))


def test_an_intermediate_is_not_a_root(tmp_path: Path) -> None:
    from edoc.errors import InvalidInput

    with pytest.raises(InvalidInput, match="self-signed root"):
        install_root(VNPT, folder=tmp_path)


def test_an_unpinned_root_is_refused_and_a_wrong_pin_too(tmp_path: Path) -> None:
    from edoc.samples import make_demo_pki

    pki = make_demo_pki(tmp_path / "pki")
    with pytest.raises(PinMismatch, match="--pin"):
        install_root(pki.root, folder=tmp_path / "store")
    with pytest.raises(PinMismatch):
        install_root(pki.root, pin="00" * 32, folder=tmp_path / "store")
    assert installed_roots(tmp_path / "store") == []


def test_a_file_changed_on_disk_is_refused(tmp_path: Path) -> None:
    from edoc.keys.certs import read_certificates, sha256_fingerprint
    from edoc.samples import make_demo_pki

    a = make_demo_pki(tmp_path / "a")
    b = make_demo_pki(tmp_path / "b")
    pin = sha256_fingerprint(read_certificates(a.root)[0])
    root = install_root(a.root, pin=pin, folder=tmp_path / "store")
    root.path.write_bytes(read_certificates(b.root)[0].dump())
    with pytest.raises(PinMismatch, match="changed on disk"):
        installed_roots(tmp_path / "store")
    remove_root(pin, folder=tmp_path / "store")
    assert installed_roots(tmp_path / "store") == []


def test_verify_uses_the_installed_store(tmp_path: Path, env: dict[str, str]) -> None:
    from edoc.keys.certs import read_certificates, sha256_fingerprint

    demo = run("demo", "-o", str(tmp_path / "demo"), env=env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    signed = tmp_path / "demo" / "quyet-dinh.pdf"
    root = tmp_path / "demo" / "demo-keys" / "demo-root.pem"

    before = run("verify", "--format", "json", str(signed), env=env)
    assert json.loads(before.stdout)["verdict"] != "TOTAL_PASSED"

    refused = run("trust", "add", str(root), env=env)
    assert refused.returncode == PinMismatch.exit_code and "--pin" in refused.stderr

    pin = sha256_fingerprint(read_certificates(root)[0])
    added = run("trust", "add", str(root), "--pin", pin.replace(":", "").lower(), env=env)
    assert added.returncode == 0, added.stderr
    assert pin in run("trust", "list", env=env).stdout

    after = run("verify", "--format", "json", str(signed), env=env)
    assert after.returncode == 0 and json.loads(after.stdout)["verdict"] == "TOTAL_PASSED"
    ignored = run("verify", "--no-installed-trust", "--format", "json", str(signed), env=env)
    assert json.loads(ignored.stdout)["verdict"] != "TOTAL_PASSED"

    assert run("trust", "remove", pin, env=env).returncode == 0
    assert "No roots" in run("trust", "list", env=env).stdout


def test_trust_add_national_installs_the_shipped_roots_offline(env: dict[str, str]) -> None:
    added = run("trust", "add", "--national", env={**env, "no_proxy": "", "http_proxy": "http://127.0.0.1:9"})
    assert added.returncode == 0, added.stderr
    assert added.stdout.count("Added: ") == 2
    listed = run("trust", "list", env=env).stdout
    assert "Vietnam National Root CA" in listed and "RootCA chuyên dùng Chính phủ G2" in listed
    assert "BA:C8:BF:60:9A:B4:20:A8:EE:17:80:D7:4F:4D:E5:C7:F7:18:49:59:D2:A7:37:5B:0A:75:E4:C2:9F:09:08:E7" in listed
    assert listed.count("origin: from the copy shipped with edoc (edoc/data/trust/") == 2
    assert "matches the published pin of vgca-root-g2" in listed
    assert run("trust", "add", "--national", str(VGCA_ROOT), env=env).returncode == 2
    assert run("trust", "add", env=env).returncode == 2


def test_trust_list_says_a_file_and_a_given_pin(tmp_path: Path, env: dict[str, str]) -> None:
    from edoc.keys.certs import read_certificates, sha256_fingerprint
    from edoc.samples import make_demo_pki

    pki = make_demo_pki(tmp_path / "pki")
    pin = sha256_fingerprint(read_certificates(pki.root)[0])
    assert run("trust", "add", str(pki.root), "--pin", pin, env=env).returncode == 0
    listed = run("trust", "list", env=env).stdout
    assert f"origin: from the file {pki.root.resolve()}; by the pin the user gave; added 20" in listed


def test_shipped_certificates_match_their_pins_and_chain() -> None:
    from edoc.trust import TrustStore
    from edoc.trust.published import PUBLISHED, published_intermediates, published_roots

    assert {p.file for p in PUBLISHED} == {p.name for p in PACKAGED.iterdir()}
    store = TrustStore(roots=[cert for _, cert in published_roots()])
    for entry, cert in published_intermediates():
        path = store.build_path(cert)
        assert len(path) == 2, entry.name


def test_a_damaged_packaged_copy_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from edoc.trust import published

    published.load_published.cache_clear()
    monkeypatch.setattr(published, "_data", lambda file: (PACKAGED / "vnpt-ca-sha2.crt").read_bytes())
    try:
        with pytest.raises(PinMismatch, match="reinstall edoc"):
            published.load_published("vgca-root-g2")
    finally:
        published.load_published.cache_clear()
