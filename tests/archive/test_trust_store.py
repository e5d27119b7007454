"""Issue 12 §5: an archive remembers whom it trusts. ``build`` stores its trust anchors, pinned by SHA-256,
with its options; ``audit`` and ``renew`` use them with no ``--trust``; ``--trust`` adds to them; a stored
anchor that no longer matches its pin is an audit error; no library traceback on the way."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edoc.archive import ArchivePolicy, audit_archive, build_archive
from edoc.archive.trust import MANIFEST, read_trust
from edoc.cli import cli

from .forge import trust_paths


def _pem_der(path: str) -> bytes:
    from edoc.verify.policy import load_certificates

    (cert,) = load_certificates([path])
    return cert.dump()


@pytest.fixture
def archive(acts, pki_files, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    src = tmp_path / "src"
    src.mkdir()
    (src / "qd-17.pdf").write_bytes(acts.issued)
    root = tmp_path / "arc"
    summary = build_archive([src], root, policy=ArchivePolicy(trust=trust_paths(pki_files), online=True), jobs=0)
    assert summary.archived == 1
    return root


def _cli(*args: str) -> Any:
    return CliRunner().invoke(cli, ["--lang", "en", "archive", *args])


def test_build_stores_its_anchors_pinned(archive, pki_files):
    stored, problems = read_trust(archive)
    assert problems == []
    expected = {hashlib.sha256(_pem_der(p)).hexdigest() for p in trust_paths(pki_files)}
    assert {a.sha256 for a in stored.anchors} == expected
    for a in stored.anchors:  # each anchor is a DER certificate named by, and hashing to, its pin
        assert (archive / a.file).read_bytes() == next(_pem_der(p) for p in trust_paths(pki_files)
                                                      if hashlib.sha256(_pem_der(p)).hexdigest() == a.sha256)
        assert a.subject and a.origin.endswith(".cert.pem")
    manifest = json.loads((archive / MANIFEST).read_text("utf-8"))
    assert manifest["verification"]["online"] is True
    assert manifest["verification"]["policy"]["min_rsa_bits"] == 2048


def test_audit_with_no_trust_uses_the_stored_anchors(archive):
    report = audit_archive(archive, jobs=0)
    assert report.ok, report.to_dict()
    assert len(report.trust) == 2 and report.trust_problems == []
    (pkg,) = report.packages
    assert pkg.verdicts == {"qd-17.pdf": "TOTAL_PASSED"} and not pkg.degraded
    out = _cli("audit", str(archive), "--jobs", "0")
    assert out.exit_code == 0, out.output
    assert "Traceback" not in out.output and "PROBLEM" not in out.output


def test_an_archive_without_stored_trust_degrades(archive):
    """What issue 12 §5 saw: without the anchors, every document comes back INDETERMINATE."""
    import shutil

    shutil.rmtree(archive / "trust")
    report = audit_archive(archive, jobs=0)
    (pkg,) = report.packages
    assert pkg.degraded == {"qd-17.pdf": "TOTAL_PASSED -> INDETERMINATE"} and not report.ok
    out = _cli("audit", str(archive), "--jobs", "0")
    assert out.exit_code == 1 and "Traceback" not in out.output, out.output


def test_a_stored_anchor_that_no_longer_matches_its_pin_is_an_audit_error(archive, pki_files):
    stored, _ = read_trust(archive)
    victim = archive / stored.anchors[0].file
    victim.write_bytes(_pem_der(str(pki_files / "public-ca.cert.pem")))  # another certificate in its place
    report = audit_archive(archive, jobs=0)
    assert not report.ok
    assert len(report.trust_problems) == 1 and stored.anchors[0].file in report.trust_problems[0]
    assert "no longer matches its pin" in report.trust_problems[0]
    assert len(report.trust) == 1  # the other anchor is still used
    out = _cli("audit", str(archive), "--jobs", "0")
    assert out.exit_code == 1 and f"PROBLEM  {stored.anchors[0].file}" in out.output, out.output
    # --trust adds to the stored anchors: the documents verify again, the broken pin stays an error
    original = next(p for p in trust_paths(pki_files)
                    if hashlib.sha256(_pem_der(p)).hexdigest() == stored.anchors[0].sha256)
    again = audit_archive(archive, policy=ArchivePolicy(trust=(original,)), jobs=0)
    assert not again.packages[0].degraded and again.trust_problems == report.trust_problems
    victim.unlink()
    gone = audit_archive(archive, jobs=0)
    assert "missing" in gone.trust_problems[0] and not gone.ok


def test_renew_with_no_trust_uses_the_stored_anchors(archive, pki):
    url = f"{pki.url_prefix}/vn-test/tsa/tsa"
    out = _cli("renew", str(archive), "--before", "2099-01-01", "--tsa", url)
    assert out.exit_code == 0, out.output
    assert "Renewed the time-stamp of 1 documents" in out.output
    doc = next(archive.glob("packages/*/data/documents/qd-17.pdf")).read_bytes()
    assert b"/DocTimeStamp" in doc
    assert audit_archive(archive, jobs=0).ok
