"""The real verifier (edoc.verify) plugged in unchanged: signed PDFs archived, unsigned ones rejected,
a real PAdES document time-stamp added by renewal, and the archive still verifying afterwards."""

from __future__ import annotations

import datetime as dt
import json

from edoc import sign as sign_mod
from edoc.archive import ArchivePolicy, audit_archive, build_archive, renew_archive

from .conftest import make_pdf
from .realpki import PyhankoDocTimestamper, make_pki


def test_real_verifier_build_audit_renew_audit(tmp_path):
    pki = make_pki()
    src = tmp_path / "src"
    src.mkdir()
    session = pki.signing_session()  # B-LT: the documents carry their revocation data
    for i in (1, 2):
        make_pdf(src / f"signed-{i}.pdf", "x")
        signed = sign_mod.sign((src / f"signed-{i}.pdf").read_bytes(), session=session)
        (src / f"signed-{i}.pdf").write_bytes(signed.data)
        (src / f"signed-{i}.pdf.json").write_text(json.dumps(
            {"OrganId": "H41", "FileCatalog": "2026", "FileNotation": "HS-01", "CodeNumber": str(i),
             "Subject": "Văn bản đã ký số"}, ensure_ascii=False), "utf-8")
    make_pdf(src / "unsigned.pdf", "x")
    trust = (str(pki.root_pem(tmp_path)),)
    policy = ArchivePolicy(trust=trust, timestamper=PyhankoDocTimestamper.of(pki))
    root = tmp_path / "arc"
    summary = build_archive([src], root, policy=policy, jobs=0)
    lines = {json.loads(x)["name"]: json.loads(x) for x in (root / "outcomes.jsonl").read_text().splitlines()}
    assert lines["unsigned.pdf"]["outcome"] == "rejected" and lines["unsigned.pdf"]["verdict"] == "INDETERMINATE"
    assert (summary.archived, summary.rejected) == (2, 1), lines
    pkg = next((root / "packages").iterdir())
    report = json.loads((pkg / "data/reports/signed-1.pdf.json").read_text("utf-8"))
    assert report["verdict"] == "TOTAL_PASSED" and report["signatures"]  # the real report is stored
    assert audit_archive(root, policy=policy, jobs=0).ok
    assert renew_archive(root, dt.date.today() + dt.timedelta(days=1), policy=policy).count == 2
    data = (pkg / "data/documents/signed-1.pdf").read_bytes()
    assert data.startswith((src / "signed-1.pdf").read_bytes()) and len(data) > (src / "signed-1.pdf").stat().st_size
    after = audit_archive(root, policy=policy, jobs=0)
    assert after.ok, after.to_dict()  # still TOTAL_PASSED with the added document time-stamp


def test_build_passes_at_and_online_to_the_verifier(tmp_path):
    """``edoc archive build --at T`` has edoc's verifier validate as at T (the stored report says so);
    ``--offline``/``--online`` are accepted; a bad time is a usage error."""
    from click.testing import CliRunner

    from edoc.cli import cli

    pki = make_pki()
    src = tmp_path / "src"
    src.mkdir()
    session = pki.signing_session()
    make_pdf(src / "cv.pdf", "x")
    (src / "cv.pdf").write_bytes(sign_mod.sign((src / "cv.pdf").read_bytes(), session=session).data)
    root_pem = str(pki.root_pem(tmp_path))
    moment = (dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) + dt.timedelta(hours=1)).replace(microsecond=0)
    runner = CliRunner()
    for flag, into in (("--offline", "a"), ("--at", "b")):
        extra = [flag] if flag == "--offline" else [flag, moment.strftime("%Y-%m-%dT%H:%M:%S")]  # +07:00 implied
        out = runner.invoke(cli, ["archive", "build", str(src), "--into", str(tmp_path / into), "--trust",
                                  root_pem, "--jobs", "0", "--json", *extra])
        assert out.exit_code == 0, out.output
        assert json.loads(out.output.splitlines()[-1])["archived"] == 1
        pkg = next((tmp_path / into / "packages").iterdir())
        report = json.loads((pkg / "data/reports/cv.pdf.json").read_text("utf-8"))
        when = dt.datetime.fromisoformat(report["validation_time"])
        if flag == "--at":
            assert when == moment
        else:
            assert abs(when - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)
    bad = runner.invoke(cli, ["archive", "build", str(src), "--into", str(tmp_path / "x"), "--at", "yesterday"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output
