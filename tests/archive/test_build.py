"""A record through build → audit → renew → audit; rejections; metadata; corruption; idempotence."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner

from edoc.archive import (
    ArchivePolicy,
    audit_archive,
    build_archive,
    check_package,
    find,
    read_events,
    read_metadata,
    renew_archive,
)
from edoc.cli import cli
from edoc.errors import UnsupportedFeature, ValidationError
from edoc.metadata import schema
from edoc.util.xml import parse_xml

from .conftest import make_pdf
from .fakes import EXPIRY, TS_MARK, bad_augment, fake_evidence, fake_timestamp, fake_verify


def _outcomes(root: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in (root / "outcomes.jsonl").read_text("utf-8").splitlines()]


def _packages(root: Path) -> list[Path]:
    return sorted((root / "packages").iterdir())


def test_build_audit_renew_audit(sources, policy, tmp_path):
    src, counts = sources
    root = tmp_path / "arc"
    summary = build_archive([src], root, policy=policy, jobs=0)
    assert (summary.archived, summary.rejected, summary.failed) == (counts["total"] - 1, 1, 0)
    assert summary.packages == 2
    originals = {p.name: p.read_bytes() for p in src.rglob("*") if p.suffix in (".pdf", ".xml")}
    for pkg in _packages(root):
        assert check_package(pkg).ok
        bag = bagit.Bag(str(pkg))
        assert "sha256" in bag.algorithms and (pkg / "tagmanifest-sha256.txt").is_file()
        for doc in (pkg / "data/documents").iterdir():
            assert doc.read_bytes() == originals[doc.name]  # kept byte-identical under its own name
            assert json.loads((pkg / "data/reports" / f"{doc.name}.json").read_text())["verdict"] == "TOTAL_PASSED"
            schema().assertValid(parse_xml((pkg / "data/metadata/documents" / f"{doc.name}.xml").read_bytes()))
        schema().assertValid(parse_xml((pkg / "data/metadata/record.xml").read_bytes()))
        types = [e["eventType"] for e in read_events(pkg)]
        assert types.count("ingestion") == types.count("augmentation pending") == len(list(
            (pkg / "data/documents").iterdir()))

    first = audit_archive(root, policy=policy, jobs=0)
    assert first.ok and len(first.packages) == 2

    policy = dataclasses.replace(policy, evidence=fake_evidence)  # edXML messages: time-stamps beside them
    renewed = renew_archive(root, dt.date(2030, 1, 1), policy=policy)
    assert renewed.count == counts["total"] - 1 and renewed.ok
    for pkg in _packages(root):
        for doc in (pkg / "data/documents").iterdir():
            data = doc.read_bytes()
            if doc.suffix == ".pdf":  # a PDF gets its document time-stamp appended
                assert data.startswith(originals[doc.name]) and data.endswith(TS_MARK)
            else:  # an edXML message is never written: its time-stamp is kept beside it
                assert data == originals[doc.name]
                assert [p.name for p in (pkg / "data/evidence" / doc.name).iterdir()] == ["test-stamp-1.txt"]
        assert [e["eventType"] for e in read_events(pkg)][-1] == "timestamp renewal"
    assert renew_archive(root, dt.date(2030, 1, 1), policy=policy).count == 0  # new expiry is 2036
    assert renew_archive(root, EXPIRY.date() + dt.timedelta(days=1), policy=policy).count == counts["total"] - 1

    second = audit_archive(root, policy=policy, jobs=0)
    assert second.ok
    assert all(read_events(p)[-1]["eventType"] == "fixity check" for p in _packages(root))
    assert not list((root / ".tmp").iterdir())


def test_rejected_documents_are_listed_with_their_verdict(sources, policy, tmp_path):
    src, _ = sources
    root = tmp_path / "arc"
    seen: list[dict[str, object]] = []
    build_archive([src], root, policy=policy, jobs=0, on_outcome=seen.append)
    assert sorted(str(x["status"]) for x in seen) == ["ingested"] * 5 + ["rejected"]
    rejected = [json.loads(x) for x in (root / "rejected.jsonl").read_text().splitlines()]
    assert [(r["name"], r["verdict"], r["report"]["verdict"]) for r in rejected] == [
        ("cv-002.pdf", "TOTAL_FAILED", "TOTAL_FAILED")]
    archived = {d.name for p in _packages(root) for d in (p / "data/documents").iterdir()}
    assert "cv-002.pdf" not in archived


def test_indeterminate_is_rejected_unless_accepted(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    make_pdf(src / "a.pdf", "x", marker=b"UNSIGNED")
    s = build_archive([src], tmp_path / "a1", policy=ArchivePolicy(verify=fake_verify), jobs=0)
    assert (s.archived, s.rejected) == (0, 1)
    s = build_archive([src], tmp_path / "a2", policy=ArchivePolicy(verify=fake_verify, accept_indeterminate=True),
                      jobs=0)
    assert (s.archived, s.rejected) == (1, 0)


def test_one_bad_document_never_stops_the_batch(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    make_pdf(src / "good.pdf", "good")
    (src / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    (src / "long.pdf").write_bytes((src / "good.pdf").read_bytes())
    (src / "long.pdf.json").write_text(json.dumps({"Subject": "x" * 501, "OrganId": "H41"}))
    s = build_archive([src], tmp_path / "arc", policy=ArchivePolicy(verify=fake_verify), jobs=0)
    assert (s.archived, s.failed) == (1, 2)
    by_name = {o["name"]: o for o in _outcomes(tmp_path / "arc")}
    assert "Subject" in str(by_name["long.pdf"]["error"])
    assert by_name["broken.pdf"]["outcome"] == "failed"


def test_field_lengths_name_the_field(tmp_path):
    doc = tmp_path / "a.pdf"
    make_pdf(doc, "x")
    (tmp_path / "a.pdf.yaml").write_text("CodeNotation: " + "Q" * 31 + "\nOrganId: H41\n", "utf-8")
    with pytest.raises(ValidationError) as err:
        read_metadata(doc)
    assert [p.field for p in err.value.problems] == ["CodeNotation"]


def test_metadata_sources_edxml_sidecar_csv_pdf(sources, tmp_path):
    src, _ = sources
    assert read_metadata(next(src.rglob("qd-*.xml"))).source == "edxml"
    assert read_metadata(src / "record1" / "cv-001.pdf").source == "sidecar"
    bare = tmp_path / "bare"
    bare.mkdir()
    make_pdf(bare / "b.pdf", "Báo cáo tổng kết năm")
    meta = read_metadata(bare / "b.pdf")
    assert (meta.source, meta.fields["Subject"], meta.fields["PageAmount"]) == ("pdf", "Báo cáo tổng kết năm", "1")
    (bare / "metadata.csv").write_text("File,OrganId,CodeNumber,Subject\nb.pdf,H41,7,Tờ trình\n", "utf-8")
    meta = read_metadata(bare / "b.pdf")
    assert (meta.source, meta.fields["CodeNumber"], meta.fields["Subject"]) == ("sidecar", "7", "Tờ trình")


def test_rerun_is_idempotent(sources, policy, tmp_path):
    src, counts = sources
    root = tmp_path / "arc"
    build_archive([src], root, policy=policy, jobs=0)
    before = {p.name: (p / "manifest-sha256.txt").read_bytes() for p in _packages(root)}
    seen: list[dict[str, object]] = []
    again = build_archive([src], root, policy=policy, jobs=0, progress=True, on_outcome=seen.append)
    assert again.new_this_run == 0 and seen == [] and again.archived == counts["total"] - 1
    assert {p.name: (p / "manifest-sha256.txt").read_bytes() for p in _packages(root)} == before


@pytest.mark.parametrize("damage", ["flip", "delete", "add", "tag"])
def test_audit_names_the_damaged_file(sources, policy, tmp_path, damage):
    src, _ = sources
    root = tmp_path / "arc"
    build_archive([src], root, policy=policy, jobs=0)
    pkg = _packages(root)[0]
    target = pkg / "data/documents/cv-001.pdf"
    if damage == "flip":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
    elif damage == "delete":
        target.unlink()
    elif damage == "add":
        (pkg / "data/documents/intruder.pdf").write_bytes(b"%PDF")
    else:
        (pkg / "bag-info.txt").write_text((pkg / "bag-info.txt").read_text() + "Note: x\n")
    report = audit_archive(root, policy=policy, jobs=0)
    assert not report.ok
    bad = next(p for p in report.packages if p.package == pkg.name)
    found = {"flip": bad.problems.changed, "delete": bad.problems.missing, "add": bad.problems.extra,
             "tag": bad.problems.changed}[damage]
    expected = {"flip": "data/documents/cv-001.pdf", "delete": "data/documents/cv-001.pdf",
                "add": "data/documents/intruder.pdf", "tag": "bag-info.txt"}[damage]
    assert found == (expected,)
    assert all(p.ok for p in report.packages if p.package != pkg.name)
    # a damaged bag is never re-sealed: a second audit still names the file
    again = next(p for p in audit_archive(root, policy=policy, jobs=0).packages if p.package == pkg.name)
    assert again.problems == bad.problems


def test_augmentation_must_only_append(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    make_pdf(src / "a.pdf", "x")
    s = build_archive([src], tmp_path / "arc", policy=ArchivePolicy(verify=fake_verify, augment=bad_augment), jobs=0)
    assert (s.archived, s.failed) == (0, 1)
    assert "prefix" in str(_outcomes(tmp_path / "arc")[0]["error"])
    assert not list((tmp_path / "arc" / "packages").iterdir())


def test_augmentation_recorded(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    make_pdf(src / "a.pdf", "x")
    build_archive([src], tmp_path / "arc", policy=ArchivePolicy(verify=fake_verify, augment=fake_timestamp), jobs=0)
    pkg = _packages(tmp_path / "arc")[0]
    assert [e["eventType"] for e in read_events(pkg)] == ["ingestion", "validation", "augmentation"]
    assert renew_archive(tmp_path / "arc", dt.date(2030, 1, 1),
                         policy=ArchivePolicy(verify=fake_verify, timestamper=fake_timestamp)).count == 0


def test_renew_without_timestamper_says_what_is_missing(sources, tmp_path):
    src, _ = sources
    build_archive([src], tmp_path / "arc", policy=ArchivePolicy(verify=fake_verify), jobs=0)
    with pytest.raises(UnsupportedFeature, match="time-stamper"):
        renew_archive(tmp_path / "arc", dt.date(2030, 1, 1), policy=ArchivePolicy(verify=fake_verify))


def test_find(sources, policy, tmp_path):
    src, _ = sources
    root = tmp_path / "arc"
    build_archive([src], root, policy=policy, jobs=0)
    assert [f.name for f in find(root, number="101/UBND-VP")] == ["cv-101.pdf"]
    assert {f.name for f in find(root, number="10")} == {"qd-10.xml"}
    assert len(find(root, text="luu tru ho so")) == 3  # diacritics ignored; the rejected one is not listed
    assert {f.name for f in find(root, text="Quy chế", year="2026")} == {"qd-10.xml", "qd-11.xml"}
    assert find(root, organ="Thuận Nam", year="1999") == []


def test_find_writes_nothing_and_works_beside_a_writer(sources, policy, tmp_path):
    """Searching takes no lock and writes nothing: it works while a build holds the archive, and on an
    archive whose journal cannot be written (SQLite's immutable mode when no WAL index can be made)."""
    import hashlib
    import sqlite3

    from edoc.archive.journal import Journal, _connect_read_only

    src, _ = sources
    root = tmp_path / "arc"
    build_archive([src], root, policy=policy, jobs=0)
    with Journal(root):  # a writer holds the archive
        assert [f.name for f in find(root, number="101/UBND-VP")] == ["cv-101.pdf"]
        assert len(find(root, text="luu tru ho so")) == 3
    (root / ".lock").unlink()
    for extra in ("journal.sqlite-wal", "journal.sqlite-shm"):
        (root / extra).unlink(missing_ok=True)
    before = hashlib.sha256((root / "journal.sqlite").read_bytes()).hexdigest()
    assert len(find(root, text="Quy chế")) == 2
    assert hashlib.sha256((root / "journal.sqlite").read_bytes()).hexdigest() == before  # nothing written
    assert not (root / ".lock").exists()  # no writer's lock taken
    # read-only media: the read-only open falls back to SQLite's immutable mode
    real_connect = sqlite3.connect

    def no_wal_index(target, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "mode=ro" in str(target):
            raise sqlite3.OperationalError("unable to open database file")
        return real_connect(target, *args, **kwargs)

    sqlite3.connect = no_wal_index  # type: ignore[assignment]
    try:
        db = _connect_read_only(root / "journal.sqlite")
    finally:
        sqlite3.connect = real_connect  # type: ignore[assignment]
    assert db.execute("SELECT COUNT(*) FROM documents WHERE status='archived'").fetchone()[0] == 5
    db.close()


def test_cli_build_audit_find(sources, tmp_path, monkeypatch):
    src, _ = sources
    root = tmp_path / "arc"
    runner = CliRunner()
    res = runner.invoke(cli, ["--lang", "en", "archive", "build", str(src), "--into", str(root), "--jobs", "0",
                              "--verifier", "archive.fakes:fake_verify", "--json"])
    assert res.exit_code == 1, res.output  # one document was rejected
    assert json.loads(res.output)["archived"] == 5
    res = runner.invoke(cli, ["archive", "audit", str(root), "--jobs", "0", "--verifier", "archive.fakes:fake_verify"])
    assert res.exit_code == 0 and res.output.count("OK ") == 2, res.output
    res = runner.invoke(cli, ["archive", "find", str(root), "--number", "102"])
    assert res.exit_code == 0 and "cv-102.pdf" in res.output
    res = runner.invoke(cli, ["--lang", "en", "archive", "renew", str(root), "--before", "2030-01-01",
                              "--timestamper", "archive.fakes:fake_timestamp"])
    # a PDF time-stamper cannot renew the edXML messages: each is a finding, the PDFs are renewed
    assert res.exit_code == 1, res.output
    assert "Renewed the time-stamp of 3 documents in 2 packages." in res.output
    problems = [line for line in res.output.splitlines() if line.startswith("PROBLEM")]
    assert len(problems) == 2 and all(".xml: UnsupportedFeature" in p and "--tsa" in p for p in problems), problems
    pkg = _packages(root)[0]
    (pkg / "data/documents/cv-001.pdf").write_bytes(b"tampered")
    res = runner.invoke(cli, ["archive", "audit", str(root), "--jobs", "0", "--verifier", "archive.fakes:fake_verify"])
    assert res.exit_code == 1 and "changed: data/documents/cv-001.pdf" in res.output


def test_new_documents_are_added_to_a_sealed_record(sources, policy, tmp_path):
    src, counts = sources
    root = tmp_path / "arc"
    build_archive([src], root, policy=policy, jobs=0)
    pkg = next(p for p in _packages(root) if "HS-01" in p.name)
    first_doc = (pkg / "data/documents/cv-001.pdf").read_bytes()
    make_pdf(src / "record1" / "cv-050.pdf", "late")
    side = json.loads((src / "record1" / "cv-001.pdf.json").read_text("utf-8")) | {"CodeNumber": "50"}
    (src / "record1" / "cv-050.pdf.json").write_text(json.dumps(side, ensure_ascii=False), "utf-8")
    s = build_archive([src], root, policy=policy, jobs=0)
    assert (s.new_this_run, s.archived, s.packages) == (1, counts["total"], 2)
    assert sorted(p.name for p in (pkg / "data/documents").iterdir()) == ["cv-001.pdf", "cv-050.pdf", "qd-10.xml"]
    assert (pkg / "data/documents/cv-001.pdf").read_bytes() == first_doc and check_package(pkg).ok
    assert b"<DocTotal>3</DocTotal>" in (pkg / "data/metadata/record.xml").read_bytes()
    assert [e["linkingObject"] for e in read_events(pkg)][-3:] == ["data/documents/cv-050.pdf"] * 3


def test_timestamp_expiry_from_a_verification_report():
    from edoc.archive.batch import timestamp_expiry

    def ts(when: str, not_after: str, digest: str = "sha256") -> dict[str, object]:
        return {"role": "timestamp", "timestamp_time": when, "signer": {"not_after": not_after},
                "algorithms": {"digest": digest}}

    person = {"role": "person", "signing_time": "2026-01-01T00:00:00+07:00", "signer": {"not_after": "2027-01-01"}}
    assert timestamp_expiry({"signatures": [person]}) is None
    report = {"signatures": [person, ts("2026-01-02T00:00:00+07:00", "2030-01-01T00:00:00+07:00"),
                             ts("2026-06-01T00:00:00+07:00", "2035-01-01T00:00:00+07:00")]}
    assert timestamp_expiry(report) == "2035-01-01T00:00:00+07:00"  # the newest time-stamp counts
    weak = {"signatures": [ts("2026-06-01T00:00:00+07:00", "2035-01-01T00:00:00+07:00", "sha1")]}
    assert timestamp_expiry(weak, frozenset({"sha1"})).startswith("1970")  # a weak digest: renew now


@pytest.mark.parametrize("text", ["a: &x [1, 2]\nb: [*x, *x]\n", "- not a mapping\n", "Subject: [unclosed\n"])
def test_hostile_or_broken_sidecars_end_in_a_clear_error(tmp_path, text):
    from edoc.errors import InvalidInput

    doc = tmp_path / "a.pdf"
    make_pdf(doc, "x")
    (tmp_path / "a.pdf.yaml").write_text(text, "utf-8")
    with pytest.raises(InvalidInput):
        read_metadata(doc)


def test_failed_documents_are_retried_on_request(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    make_pdf(src / "a.pdf", "x")
    (src / "a.pdf.json").write_text(json.dumps({"Subject": "x" * 600}), "utf-8")
    policy = ArchivePolicy(verify=fake_verify)
    assert build_archive([src], tmp_path / "arc", policy=policy, jobs=0).failed == 1
    (src / "a.pdf.json").write_text(json.dumps({"Subject": "Đã sửa"}), "utf-8")
    assert build_archive([src], tmp_path / "arc", policy=policy, jobs=0).failed == 1  # not retried by default
    s = build_archive([src], tmp_path / "arc", policy=policy, jobs=0, retry_failed=True)
    assert (s.archived, s.failed) == (1, 0)


def test_augmentation_runs_at_ingest_on_every_worker(tmp_path, monkeypatch):
    """One record of many documents: the TSA work is spread over the workers, not done by the one packaging
    the record; the staging folder is gone once the package is sealed."""
    from .fakes import counting_timestamp

    src = tmp_path / "src"
    src.mkdir()
    for i in range(24):
        make_pdf(src / f"cv-{i:02d}.pdf", f"văn bản {i}")
    log = tmp_path / "augment.log"
    monkeypatch.setenv("EDOC_TEST_AUGMENT_LOG", str(log))
    monkeypatch.setenv("EDOC_TEST_VERIFY_DELAY", "0.02")  # long enough for both workers to take documents
    policy = ArchivePolicy(verify=fake_verify, augment=counting_timestamp)
    s = build_archive([src], tmp_path / "arc", policy=policy, jobs=2)
    assert (s.archived, s.packages) == (24, 1)
    assert "augment" in s.stage_seconds
    lines = log.read_text().splitlines()
    assert len(lines) == 24  # each document augmented once
    assert len({line.split()[0] for line in lines}) == 2  # by both workers
    pkg = _packages(tmp_path / "arc")[0]
    for i in range(24):
        assert (pkg / "data" / "documents" / f"cv-{i:02d}.pdf").read_bytes().endswith(TS_MARK)
    assert bagit.Bag(str(pkg)).is_valid()
    assert not (tmp_path / "arc" / ".staged").exists()


def test_a_resumed_run_packages_what_was_augmented_before(tmp_path, monkeypatch):
    """Documents augmented and journaled before a crash are packaged from the staging folder without asking
    the TSA again; a staged file that no longer extends its source is made again."""
    from edoc.archive.batch import _ingest
    from edoc.archive.journal import Journal

    from .fakes import counting_timestamp

    src = tmp_path / "src"
    src.mkdir()
    for name in ("a.pdf", "b.pdf"):
        make_pdf(src / name, name)
    root = (tmp_path / "arc").resolve()
    policy = ArchivePolicy(verify=fake_verify, augment=counting_timestamp)
    log = tmp_path / "augment.log"
    monkeypatch.setenv("EDOC_TEST_AUGMENT_LOG", str(log))
    # the state a killed run leaves: both ingested and augmented, nothing packaged; b's staged copy damaged
    with Journal(root) as journal:
        for name in ("a.pdf", "b.pdf"):
            r = _ingest(policy, (src / name).resolve(), str(root))
            journal.record_outcome(r["source"], r["name"], r["sha256"], r["status"], record=r["record"],
                                   verdict=r["verdict"], report=r["report"], fields=r["fields"],
                                   meta_xml=r["meta_xml"], ts_expiry=r["ts_expiry"], staged=r["staged"])
            if name == "b.pdf":
                Path(r["staged"]["path"]).write_bytes(b"%PDF-1.7 not an extension of b.pdf")
    assert len(log.read_text().splitlines()) == 2
    s = build_archive([src], root, policy=policy, jobs=0)
    assert s.archived == 2
    assert [line.split()[1] for line in log.read_text().splitlines()][2:] == ["b.pdf"]  # only b again
    pkg = _packages(root)[0]
    for name in ("a.pdf", "b.pdf"):
        data = (pkg / "data" / "documents" / name).read_bytes()
        assert data == (src / name).read_bytes() + TS_MARK
    assert bagit.Bag(str(pkg)).is_valid()
    assert not (root / ".staged").exists()
