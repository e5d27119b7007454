"""``edoc verify``: output formats and the exit-status contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from edoc.cli import cli

from . import attacks
from .conftest import VerifyPKI


@pytest.fixture()
def files(tmp_path: Path, vpki: VerifyPKI, signed_two: bytes) -> dict[str, Path]:
    root = tmp_path / "root.pem"
    root.write_bytes(vpki.root.cert.public_bytes(serialization.Encoding.PEM))
    good = tmp_path / "in" / "good.pdf"
    good.parent.mkdir()
    good.write_bytes(signed_two)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(attacks.signed_range_flip(signed_two))
    return {"root": root, "good": good, "bad": bad, "folder": good.parent}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_exit_codes(files: dict[str, Path]) -> None:
    trust = ["--trust", str(files["root"]), "--at", "2026-11-26T14:00:00"]
    assert _run("verify", str(files["good"]), *trust)[0] == 0
    assert _run("verify", str(files["good"]))[0] == 3  # no anchor: indeterminate
    assert _run("verify", str(files["good"]), str(files["bad"]), *trust)[0] == 1
    assert _run("verify", str(files["good"]), "--at", "yesterday")[0] == 2
    assert _run("verify")[0] == 2


def test_require_revocation_makes_a_b_b_document_try_later(files: dict[str, Path]) -> None:
    trust = ["--trust", str(files["root"]), "--no-installed-trust", "--at", "2026-11-26T14:00:00"]
    assert _run("verify", str(files["good"]), *trust)[0] == 0
    code, out = _run("verify", str(files["good"]), *trust, "--require-revocation", "--format", "json")
    assert code == 3
    assert json.loads(out.splitlines()[0])["subindication"] == "TRY_LATER"


def test_json_lines_and_folder_walk(files: dict[str, Path]) -> None:
    code, out = _run("--lang", "en", "verify", str(files["folder"]), str(files["bad"]), "--format", "json",
                     "--trust", str(files["root"]))
    lines = [json.loads(x) for x in out.splitlines()]
    assert [Path(x["file"]).name for x in lines] == ["good.pdf", "bad.pdf"]
    assert [x["verdict"] for x in lines] == ["TOTAL_PASSED", "TOTAL_FAILED"]
    assert lines[0]["signatures"][0]["role"] == "person" and code == 1
    assert lines[0]["signatures"][0]["messages"][0]["text"].startswith("Integrity")


def test_html_to_file_and_jobs(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, _ = _run("verify", str(files["good"]), str(files["bad"]), "--format", "html", "-o", str(out),
                   "--jobs", "2", "--trust", str(files["root"]))
    page = out.read_text(encoding="utf-8")
    assert code == 1 and "HỢP LỆ" in page and "KHÔNG HỢP LỆ" in page


def test_text_default_is_vietnamese(files: dict[str, Path]) -> None:
    _code, out = _run("verify", str(files["good"]), "--trust", str(files["root"]))
    assert "Kết luận: HỢP LỆ" in out and "Người ký: Nguyễn Văn An" in out


def test_edxml_with_attachment(files: dict[str, Path], tmp_path: Path, signed_two: bytes) -> None:
    from .conftest import make_edxml

    msg = tmp_path / "msg.edxml"
    msg.write_bytes(make_edxml(signed_two))
    code, out = _run("verify", str(msg), "--format", "json", "--trust", str(files["root"]))
    data = json.loads(out)
    assert code == 0 and data["format"] == "edxml" and data["attachments"][0]["verdict"] == "TOTAL_PASSED"
