"""``edoc sign …`` and :func:`sign_many`: key URIs, one and several inputs, worker processes."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from edoc.cli import cli
from edoc.errors import InvalidInput
from edoc.sign import KeySessionFactory, PdfSigningSession, SignJob, sign, sign_many

from ._support import Identity, SignPki, make_foreign_pdf, make_seal_png, make_signature_png, validate_all


def _p12(tmp: Path, ident: Identity, password: bytes) -> Path:
    path = tmp / f"{ident.cert.serial_number}.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"signer", ident.key, ident.cert, list(ident.chain),
        serialization.BestAvailableEncryption(password)))
    return path


@pytest.fixture
def keys(tmp_path: Path, sign_pki: SignPki, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("EDOC_TEST_PIN", "1234")
    person = _p12(tmp_path, sign_pki.person, b"1234")
    agency = _p12(tmp_path, sign_pki.agency, b"1234")
    return f"pkcs12:{person}?pin-source=env:EDOC_TEST_PIN", f"pkcs12:{agency}?pin-source=env:EDOC_TEST_PIN"


def test_cli_approve_then_issue_batch(tmp_path: Path, keys: tuple[str, str], sign_pki: SignPki) -> None:
    person_uri, agency_uri = keys
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    for name in ("a.pdf", "b.pdf"):
        (drafts / name).write_bytes(make_foreign_pdf())
    (tmp_path / "sig.png").write_bytes(make_signature_png())
    (tmp_path / "seal.png").write_bytes(make_seal_png())
    runner = CliRunner()
    res = runner.invoke(cli, ["--lang", "en", "sign", "approve", str(drafts / "a.pdf"), str(drafts / "b.pdf"),
                              "-o", str(tmp_path / "approved"), "--key", person_uri, "--padding", "pkcs1v15",
                              "--image", str(tmp_path / "sig.png")])
    assert res.exit_code == 0, res.output
    assert res.output.count("signed:") == 2
    approved = sorted((tmp_path / "approved").glob("*.pdf"))
    res = runner.invoke(cli, ["--lang", "en", "sign", "issue", *map(str, approved), "-o", str(tmp_path / "out"),
                              "--key", agency_uri, "--image", str(tmp_path / "seal.png"), "--number", "7",
                              "--date", "2026-03-02", "--jobs", "2"])
    assert res.exit_code == 0, res.output
    from pypdf import PdfReader

    numbers = {}
    for path in sorted((tmp_path / "out").glob("*.pdf")):
        data = path.read_bytes()
        checks = validate_all(data, sign_pki.root)
        assert [c.field for c in checks] == ["edoc.sig.person", "edoc.sig.agency"]
        assert all(c.valid and c.trusted for c in checks)
        assert checks[0].mechanism == "sha256_rsa"  # --padding pkcs1v15
        numbers[path.name] = str((PdfReader(path).get_fields() or {})["edoc.number"]["/V"])
    assert numbers == {"a.pdf": "07", "b.pdf": "08"}  # numbered in input order


def test_cli_reports_failures_per_document(tmp_path: Path, keys: tuple[str, str]) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(make_foreign_pdf())
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7 not really")
    res = CliRunner().invoke(cli, ["--lang", "en", "sign", "pdf", str(good), str(bad), "-o", str(tmp_path / "o"),
                                   "--key", keys[0]])
    assert res.exit_code == 1
    assert "signed:" in res.output and "FAILED" in res.output
    assert (tmp_path / "o" / "good.pdf").exists() and not (tmp_path / "o" / "bad.pdf").exists()


def test_cli_single_output_file_and_bad_rect(tmp_path: Path, keys: tuple[str, str]) -> None:
    src = tmp_path / "in.pdf"
    src.write_bytes(make_foreign_pdf())
    res = CliRunner().invoke(cli, ["sign", "copy", str(src), "-o", str(tmp_path / "copy.pdf"), "--key", keys[1],
                                   "--form", "SAO Y", "--body", "Văn phòng"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "copy.pdf").read_bytes().startswith(src.read_bytes())
    res = CliRunner().invoke(cli, ["sign", "pdf", str(src), "-o", str(tmp_path / "x.pdf"), "--key", keys[0],
                                   "--page", "1", "--rect", "1,2,0,4"])
    assert res.exit_code != 0


def test_sign_many_two_workers_matches_one(tmp_path: Path, keys: tuple[str, str], sign_pki: SignPki) -> None:
    jobs = []
    for i in range(4):
        src = tmp_path / f"{i}.pdf"
        src.write_bytes(make_foreign_pdf())
        jobs.append(SignJob(src, tmp_path / f"{i}.signed.pdf"))
    seen: list[int] = []
    results = sign_many(jobs, act=functools.partial(sign), session_factory=KeySessionFactory(keys[0]), workers=2,
                        progress=lambda done, total, o: seen.append(done))
    assert [r.source for r in results] == [j.source for j in jobs]
    assert all(r.ok for r in results) and sorted(seen) == [1, 2, 3, 4]
    for job in jobs:
        assert all(c.valid for c in validate_all(job.output.read_bytes(), sign_pki.root))


def test_sign_many_refuses_clashing_outputs(tmp_path: Path, sign_pki: SignPki) -> None:
    src = tmp_path / "a.pdf"
    src.write_bytes(make_foreign_pdf())
    with pytest.raises(InvalidInput, match="same output"):
        sign_many([SignJob(src, tmp_path / "o.pdf"), SignJob(src, tmp_path / "o.pdf")], act=sign,
                  session=PdfSigningSession(sign_pki.person.signer()))
