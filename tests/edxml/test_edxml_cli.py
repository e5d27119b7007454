"""`edoc edxml build|show|validate|status` through click's CliRunner, and once through `python -m edoc`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from edoc.cli import cli
from edoc.edxml import read_edxml
from edoc.model import StatusCode, save_document
from edoc.samples import thuan_nam_decision

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def built(tmp_path: Path) -> Path:
    save_document(thuan_nam_decision(), tmp_path / "qd.yaml")
    (tmp_path / "qd-05.pdf").write_bytes(b"%PDF-1.7 fictional")
    out = tmp_path / "qd.edxml"
    res = CliRunner().invoke(cli, ["edxml", "build", str(tmp_path / "qd.yaml"), "--attach",
                                   str(tmp_path / "qd-05.pdf"), "--zip-attachments", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "Đã ghi" in res.output
    return out


def test_show_text_vi_and_en(built: Path) -> None:
    res = CliRunner().invoke(cli, ["edxml", "show", str(built)])
    assert res.exit_code == 0 and "Trích yếu" in res.output and "Quyết định 05/QĐ-UBND" in res.output
    res = CliRunner().invoke(cli, ["--lang", "en", "edxml", "show", str(built)])
    assert res.exit_code == 0 and "Summary" in res.output and "qd-05.pdf" in res.output


def test_show_json_edit_rebuild(built: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["edxml", "show", str(built), "--json", "--extract", str(tmp_path / "ex")])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["attachments"][0]["path"] == str((tmp_path / "ex" / "qd-05.pdf").resolve())
    assert (tmp_path / "ex" / "qd-05.pdf").read_bytes() == b"%PDF-1.7 fictional"
    data["summary"] = "Về việc sửa đổi Quy chế"
    data["number"] = 6
    (tmp_path / "edited.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    res = runner.invoke(cli, ["edxml", "build", str(tmp_path / "edited.json"), "-o", str(tmp_path / "v2.edxml")])
    assert res.exit_code == 0, res.output
    again = read_edxml(tmp_path / "v2.edxml")
    assert again.document is not None and again.document.summary == "Về việc sửa đổi Quy chế"
    assert again.document_id == "000.10.32.H43,2026/01/05,06/QĐ-UBND"
    assert again.attachments[0].sha256 == read_edxml(built).attachments[0].sha256


def test_validate_exit_codes(built: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["edxml", "validate", str(built)])
    assert res.exit_code == 0 and "hợp lệ" in res.output
    bad = tmp_path / "bad.edxml"
    bad.write_bytes(built.read_bytes().replace(b"000.00.00.H43", b"000.00.H43"))
    res = runner.invoke(cli, ["--lang", "en", "edxml", "validate", str(bad), "--json"])
    assert res.exit_code == 1
    report = json.loads(res.output)
    assert report["valid"] is False
    assert report["findings"][0]["code"] == "organ-id" and report["findings"][0]["line"]


def test_status_command(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "st.edxml"
    res = CliRunner().invoke(cli, ["edxml", "status", str(built), "--code", "03", "--description", "Đã vào sổ",
                                   "--from-organ", "000.00.00.H43", "-o", str(out)])
    assert res.exit_code == 0, res.output
    st = read_edxml(out).status
    assert st is not None and st.code is StatusCode.ACCEPTED and st.description == "Đã vào sổ"
    assert st.sender.name == "Ủy ban nhân dân tỉnh Ninh Thuận"  # the recipient's details, found by OrganId
    assert st.response_for.document_id == "000.10.32.H43,2026/01/05,05/QĐ-UBND"


def test_errors_are_one_paragraph(tmp_path: Path) -> None:
    from edoc.cli import main

    bad = tmp_path / "bad.json"
    bad.write_text('{"summary": 3, "nonsense": true}', encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["edxml", "build", str(bad), "-o", str(tmp_path / "x.edxml")])
    assert info.value.code == 4
    hostile = tmp_path / "h.edxml"
    hostile.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><edXML/>')
    with pytest.raises(SystemExit) as info:
        main(["edxml", "show", str(hostile)])
    assert info.value.code == 6
    with pytest.raises(SystemExit) as info:
        main(["edxml", "status", str(hostile), "--code", "03", "--from-organ", "bad", "-o", str(tmp_path / "s")])
    assert info.value.code == 4


def test_python_dash_m(built: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "edoc", "--lang", "en", "edxml", "validate", str(built)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "edoc", "edxml", "show", str(built) + ".missing"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 9 and "Traceback" not in proc.stderr and proc.stderr.startswith("Lỗi:")
