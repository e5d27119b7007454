"""edoc trust add|list|remove: roots admitted only by pin, used by edoc verify."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from edoc.trust import PinMismatch
from edoc.trust.installed import install_root, installed_roots, remove_root

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "trust"
VGCA_ROOT = SHARED / "vgca-root-g2.crt"
NATIONAL_ROOT = SHARED / "neac-vietnam-national-root-ca.der"
VNPT = SHARED / "vnpt-ca-sha2.crt"
needs_shared = pytest.mark.skipif(not VGCA_ROOT.exists(), reason="../shared/trust is not beside the clone")


def run(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edoc", "--lang", "en", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    import os

    return {**os.environ, "EDOC_TRUST_DIR": str(tmp_path / "trust")}


@needs_shared
def test_published_roots_are_admitted_by_their_pin(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    gov = install_root(VGCA_ROOT, folder=folder)
    nat = install_root(NATIONAL_ROOT, folder=folder)
    assert gov.sha256.startswith("F0:4B:A4") and nat.sha256.startswith("BA:C8:BF")
    assert [r.sha256 for r in installed_roots(folder)] == sorted([gov.sha256, nat.sha256],
                                                               key=lambda f: f.replace(":", ""))


@needs_shared
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
