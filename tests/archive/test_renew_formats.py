"""Renewal by format (archive.md §3): a PDF gets a PAdES document time-stamp appended, an edXML message is
never written and gets the next RFC 3161 time-stamp of a chain kept beside it; one document that cannot be
renewed is a finding and never stops the run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import needs
from edoc.archive import ArchivePolicy, AugmentResult, audit_archive, build_archive, read_events, renew_archive
from edoc.archive.evidence import TsaEvidence, check_evidence
from edoc.archive.journal import Journal

from .conftest import make_sources
from .fakes import TS_MARK, fake_evidence, fake_timestamp, fake_verify


@dataclasses.dataclass(frozen=True)
class _FailsFor:
    """A PDF time-stamper whose TSA refuses one document."""

    name: str

    def __call__(self, src: Path, dst: Path) -> AugmentResult:
        if Path(src).name == self.name:
            raise OSError(104, "Connection reset by peer", "http://tsa.invalid")
        return fake_timestamp(src, dst)


def _package_of(root: Path, name: str) -> Path:
    return next(p.parents[2] for p in (root / "packages").rglob(f"data/documents/{name}"))


def _expiries(root: Path) -> dict[str, str | None]:
    with Journal(root, write=False) as j:
        return {r["name"]: r["ts_expiry"] for r in j.rows()}


def _tree(package: Path) -> dict[str, bytes]:
    return {str(p.relative_to(package)): p.read_bytes() for p in sorted(package.rglob("*")) if p.is_file()}


def test_one_document_that_cannot_be_renewed_is_a_finding_and_the_run_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_sources(src, records=2, pdfs_per_record=2, forged=0)
    root = tmp_path / "arc"
    build_archive([src], root, policy=ArchivePolicy(verify=fake_verify), jobs=0)
    originals = {p.name: p.read_bytes() for p in src.rglob("*") if p.suffix in (".pdf", ".xml")}
    alone = _package_of(root, "qd-11.xml")  # record 2: its edXML cannot be renewed without an evidence step
    before = _tree(alone)
    policy = ArchivePolicy(verify=fake_verify, timestamper=_FailsFor("cv-001.pdf"))
    summary = renew_archive(root, dt.date(2030, 1, 1), policy=policy)

    one = _package_of(root, "cv-001.pdf").name
    assert {p: sorted(f) for p, f in summary.failed.items()} == {one: ["cv-001.pdf", "qd-10.xml"],
                                                                 alone.name: ["qd-11.xml"]}
    assert "Connection reset" in summary.failed[one]["cv-001.pdf"]
    assert "UnsupportedFeature" in summary.failed[one]["qd-10.xml"] and "--tsa" in summary.failed[one]["qd-10.xml"]
    assert summary.renewed == {one: ["cv-002.pdf"], alone.name: ["cv-101.pdf", "cv-102.pdf"]}
    assert not summary.ok
    for name in ("cv-002.pdf", "cv-101.pdf", "cv-102.pdf"):
        assert (_package_of(root, name) / "data/documents" / name).read_bytes() == originals[name] + TS_MARK
    for name in ("cv-001.pdf", "qd-10.xml", "qd-11.xml"):  # untouched, and still due
        assert (_package_of(root, name) / "data/documents" / name).read_bytes() == originals[name]
        assert _expiries(root)[name] is None
    events = read_events(_package_of(root, "cv-001.pdf"))
    assert [(e["linkingObject"], e["eventOutcome"]) for e in events if e["eventType"] == "timestamp renewal"] == [
        ("data/documents/cv-001.pdf", "failure"), ("data/documents/cv-002.pdf", "success"),
        ("data/documents/qd-10.xml", "failure")]
    assert _tree(alone) != before  # its PDFs were renewed
    assert audit_archive(root, policy=policy, jobs=0).ok

    # a later run with every step renews exactly what is still due
    fixed = ArchivePolicy(verify=fake_verify, timestamper=fake_timestamp, evidence=fake_evidence)
    again = renew_archive(root, dt.date(2030, 1, 1), policy=fixed)
    assert again.ok and sorted(n for names in again.renewed.values() for n in names) == [
        "cv-001.pdf", "qd-10.xml", "qd-11.xml"]
    for name in ("qd-10.xml", "qd-11.xml"):
        package = _package_of(root, name)
        assert (package / "data/documents" / name).read_bytes() == originals[name]  # never written
        assert (package / "data/evidence" / name / "test-stamp-1.txt").is_file()
    assert audit_archive(root, policy=fixed, jobs=0).ok


def test_a_package_where_nothing_could_be_renewed_is_left_as_it_was(tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_sources(src, records=1, pdfs_per_record=1, forged=0, edxml=False)
    root = tmp_path / "arc"
    build_archive([src], root, policy=ArchivePolicy(verify=fake_verify), jobs=0)
    package = _package_of(root, "cv-001.pdf")
    before = _tree(package)
    summary = renew_archive(root, dt.date(2030, 1, 1),
                            policy=ArchivePolicy(verify=fake_verify, timestamper=_FailsFor("cv-001.pdf")))
    assert summary.renewed == {} and list(summary.failed) == [package.name]
    assert _tree(package) == before
    assert not list((root / ".tmp").iterdir())


def _edxml_archive(tmp_path: Path, evidence: Any) -> tuple[Path, bytes]:
    src = tmp_path / "src"
    make_sources(src, records=1, pdfs_per_record=0, forged=0)
    message = next(src.rglob("*.xml"))
    root = tmp_path / "arc"
    summary = build_archive([src], root, policy=ArchivePolicy(verify=fake_verify, evidence=evidence), jobs=0)
    assert summary.archived == 1, (root / "outcomes.jsonl").read_text()
    return root, message.read_bytes()


def test_edxml_evidence_chain_with_the_live_tsa(tmp_path: Path, pki: Any, pki_files: Path) -> None:
    """The first time-stamp at ingest, the second at renewal with the first one's revocation data; the
    message is never written; the chain checks offline, with edoc and with OpenSSL; a change is found."""
    trust = tuple(str(pki_files / f) for f in ("national-root.cert.pem", "public-ca.cert.pem"))
    evidence = TsaEvidence(f"{pki.url_prefix}/vn-test/tsa/tsa", trust)
    root, original = _edxml_archive(tmp_path, evidence)
    package = _package_of(root, "qd-10.xml")
    message, folder = package / "data/documents/qd-10.xml", package / "data/evidence/qd-10.xml"
    assert sorted(p.name for p in folder.iterdir()) == ["timestamp-0001.input.txt", "timestamp-0001.tst"]
    assert _expiries(root)["qd-10.xml"] is not None  # the TSA certificate's end: renewal is due before it
    assert not (root / ".staged").exists()

    summary = renew_archive(root, dt.date(2999, 1, 1), policy=ArchivePolicy(verify=fake_verify, evidence=evidence,
                                                                            trust=trust))
    assert summary.ok and summary.count == 1
    package = _package_of(root, "qd-10.xml")
    message, folder = package / "data/documents/qd-10.xml", package / "data/evidence/qd-10.xml"
    names = sorted(p.name for p in folder.iterdir())
    revinfo = [n for n in names if n.startswith("timestamp-0002.") and n.endswith(".der")]
    assert revinfo and names == sorted(["timestamp-0001.input.txt", "timestamp-0001.tst", "timestamp-0002.input.txt",
                                        "timestamp-0002.tst", *revinfo])
    assert message.read_bytes() == original
    text = (folder / "timestamp-0002.input.txt").read_text()
    assert all(f"  {n}\n" in text for n in ["document", "timestamp-0001.input.txt", "timestamp-0001.tst", *revinfo])
    assert check_evidence(message, folder) == []
    assert audit_archive(root, policy=ArchivePolicy(verify=fake_verify), jobs=0).ok

    needs.require_tools("openssl")
    chain = tmp_path / "tsa-chain.pem"
    chain.write_bytes(b"".join(Path(t).read_bytes() for t in trust))
    for step in ("0001", "0002"):  # an independent tool checks what each token covers
        proc = subprocess.run(["openssl", "ts", "-verify", "-data", str(folder / f"timestamp-{step}.input.txt"),
                               "-in", str(folder / f"timestamp-{step}.tst"), "-token_in", "-CAfile", str(chain)],
                              capture_output=True, text=True, timeout=60)
        assert "Verification: OK" in proc.stdout, proc.stdout + proc.stderr

    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / "timestamp-0001.tst").write_bytes((copy / "timestamp-0002.tst").read_bytes())
    assert any("does not cover timestamp-0001.input.txt" in p for p in check_evidence(message, copy))
    shutil.rmtree(copy)
    shutil.copytree(folder, copy)
    changed = tmp_path / "changed.xml"
    changed.write_bytes(original + b"<!-- changed -->")
    assert len(check_evidence(changed, copy)) == 2  # both time-stamps covered the message as it was


def test_renewal_of_a_token_the_trust_anchors_do_not_cover_is_a_finding(tmp_path: Path, pki: Any,
                                                                        pki_files: Path) -> None:
    evidence = TsaEvidence(f"{pki.url_prefix}/vn-test/tsa/tsa", (str(pki_files / "gov-root.cert.pem"),))
    root, original = _edxml_archive(tmp_path, evidence)
    package = _package_of(root, "qd-10.xml")
    before = _tree(package)
    summary = renew_archive(root, dt.date(2999, 1, 1), policy=ArchivePolicy(verify=fake_verify, evidence=evidence))
    assert list(summary.failed) == [package.name] and "--trust" in summary.failed[package.name]["qd-10.xml"]
    assert _tree(package) == before and (package / "data/documents/qd-10.xml").read_bytes() == original


def test_cli_renew_reports_each_finding_and_exits_1(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from edoc.cli import cli

    src = tmp_path / "src"
    make_sources(src, records=1, pdfs_per_record=1, forged=0)
    root = tmp_path / "arc"
    build_archive([src], root, policy=ArchivePolicy(verify=fake_verify), jobs=0)
    res = CliRunner().invoke(cli, ["--lang", "en", "archive", "renew", str(root), "--before", "2030-01-01",
                                   "--timestamper", "archive.fakes:fake_timestamp"])
    assert res.exit_code == 1, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "Renewed the time-stamp of 1 documents in 1 packages."
    assert lines[1].startswith("PROBLEM  ") and "/qd-10.xml: UnsupportedFeature" in lines[1]
    assert lines[2] == "1 documents were not renewed; run again to retry them."
    assert json.dumps(read_events(_package_of(root, "cv-001.pdf"))).count('"failure"') == 1
