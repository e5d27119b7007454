"""Long work as people see it: one line per file in input order without a terminal, a bar on one;
``verify --issuing-body`` and the sender of an edXML; unknown formats; ``pdfa check`` on folders and non-PDFs."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from edoc.cli import cli
from edoc.errors import MalformedFile

from .test_terminal import _run_on_terminal


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PW", "demo")


def test_issue_lines_in_input_order_with_their_numbers(demo_dir: Path, tmp_path: Path, demo_env: None) -> None:
    names = ["e.pdf", "a.pdf", "d.pdf", "b.pdf", "c.pdf"]  # not sorted: the order given is the order printed
    for name in names:
        shutil.copy(demo_dir / "quyet-dinh-da-duyet.pdf", tmp_path / name)
    key = f"pkcs12:{demo_dir / 'demo-keys' / 'agency.p12'}?pin-source=env:DEMO_PW"
    res = CliRunner().invoke(cli, ["--lang", "en", "sign", "issue", *(str(tmp_path / n) for n in names), "-o",
                                   str(tmp_path / "out"), "--key", key, "--image",
                                   str(demo_dir / "demo-keys" / "con-dau.png"), "--number", "7", "--date",
                                   "2026-03-02", "--jobs", "2"])
    assert res.exit_code == 0, res.output
    lines = [line for line in res.output.splitlines() if line.startswith("[")]
    assert [re.match(r"\[(\d)/5\] signed: (.*?) ->", line).groups() for line in lines] == [  # type: ignore[union-attr]
        (str(i), str(tmp_path / n)) for i, n in enumerate(names, 1)]
    assert [re.search(r"\(number (\d+), ", line).group(1) for line in lines] == ["7", "8", "9", "10", "11"]  # type: ignore[union-attr]
    assert "\x1b[" not in res.output  # no bar, no escape sequences without a terminal


def test_verify_to_a_file_prints_one_line_per_file(demo_dir: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a document")
    files = [demo_dir / "quyet-dinh.edxml", junk, demo_dir / "quyet-dinh.pdf"]
    res = CliRunner().invoke(cli, ["--lang", "en", "verify", *map(str, files), "--trust",
                                   str(demo_dir / "demo-keys" / "demo-root.pem"), "--offline", "--jobs", "2",
                                   "--format", "json", "-o", str(tmp_path / "r.json")])
    assert res.exit_code == 1, res.output
    assert res.output.splitlines() == [
        f"[1/3] {files[0]}: valid (TOTAL_PASSED)",
        f"[2/3] {junk}: NOT VALID (TOTAL_FAILED)",
        f"[3/3] {files[2]}: valid (TOTAL_PASSED)",
    ]
    reports = [json.loads(line) for line in (tmp_path / "r.json").read_text().splitlines()]
    assert [r["file"] for r in reports] == list(map(str, files))


def test_unknown_format_is_called_so(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01 nothing edoc knows")
    en = CliRunner().invoke(cli, ["--lang", "en", "verify", str(junk), "--offline"])
    assert en.exit_code == 1
    assert f"File: {junk} (unknown format)" in en.output and "(pdf)" not in en.output
    vi = CliRunner().invoke(cli, ["verify", str(junk), "--offline"])
    assert f"Tệp: {junk} (định dạng không nhận ra)" in vi.output


def test_a_bar_on_a_terminal(demo_dir: Path, tmp_path: Path) -> None:
    files = [str(demo_dir / "quyet-dinh.pdf")] * 3
    code, out = _run_on_terminal(["--lang", "en", "verify", *files, "--trust",
                                  str(demo_dir / "demo-keys" / "demo-root.pem"), "--offline", "-o",
                                  str(tmp_path / "r.txt")], "", wait_for=b"\x00never")
    text = out.decode("utf-8", "replace")
    assert code == 0, text
    assert "Verifying" in text and "\x1b[" in text  # rich's bar, drawn with escape sequences
    assert text.count("valid (TOTAL_PASSED)") == 3


def test_issuing_body_given_and_from_the_edxml_sender(demo_dir: Path, tmp_path: Path) -> None:
    root = str(demo_dir / "demo-keys" / "demo-root.pem")
    runner = CliRunner()

    def warnings(*args: str) -> str:
        res = runner.invoke(cli, ["--lang", "en", "verify", *args, "--trust", root, "--offline"])
        assert res.exit_code == 0, res.output
        return "\n".join(line for line in res.output.splitlines() if "is not the issuing body" in line)

    pdf = str(demo_dir / "quyet-dinh.pdf")
    assert warnings(pdf) == ""
    assert warnings(pdf, "--issuing-body", "UBND huyện Thuận Nam") == ""  # UBND = Ủy ban nhân dân
    assert "(UBND tỉnh Ninh Thuận)" in warnings(pdf, "--issuing-body", "UBND tỉnh Ninh Thuận")
    # the same signed PDF sent in a message from another body: the sender is the issuing body
    assert warnings(str(demo_dir / "quyet-dinh.edxml")) == ""
    doc = (demo_dir / "quyet-dinh.yaml").read_text(encoding="utf-8")
    forged = tmp_path / "forged.yaml"
    forged.write_text(doc.replace("Ủy ban nhân dân huyện Thuận Nam", "Ủy ban nhân dân huyện Ninh Phước"),
                      encoding="utf-8")
    message = tmp_path / "forged.edxml"
    built = runner.invoke(cli, ["edxml", "build", str(forged), "--attach", pdf, "-o", str(message)])
    assert built.exit_code == 0, built.output
    assert "Ninh Phước" in warnings(str(message))
    assert warnings(str(message), "--issuing-body", "UBND huyện Thuận Nam") == ""  # given beats the sender


def test_pdfa_check_folders_and_non_pdfs(demo_dir: Path, tmp_path: Path) -> None:
    junk = tmp_path / "notes.pdf"
    junk.write_text("just text")
    res = CliRunner().invoke(cli, ["--lang", "en", "pdfa", "check", str(junk), str(demo_dir)])
    assert res.exit_code == MalformedFile.exit_code == 5, res.output
    lines = res.output.splitlines()
    assert lines[0] == f"{junk}: ERROR: not a PDF file (no %PDF- header in its first 1024 bytes)"
    assert lines[1:] == [f"{p}: no findings" for p in sorted(demo_dir.rglob("*.pdf"))]
    clean = CliRunner().invoke(cli, ["pdfa", "check", str(demo_dir)])
    assert clean.exit_code == 0 and "\x1b[" not in clean.output


@pytest.mark.skipif(sys.platform != "linux", reason="uses /proc/self/mem, which cannot be read at offset 0")
def test_pdfa_unreadable_file_is_exit_9() -> None:
    res = CliRunner().invoke(cli, ["--lang", "en", "pdfa", "check", "/proc/self/mem"])
    assert res.exit_code == 9, res.output
    assert res.output.startswith("/proc/self/mem: ERROR: cannot read the file: ")


def test_archive_audit_reports_each_package(demo_dir: Path, tmp_path: Path) -> None:
    from edoc.archive import audit_archive
    from edoc.archive.policy import ArchivePolicy

    root = str(demo_dir / "demo-keys" / "demo-root.pem")
    built = CliRunner().invoke(cli, ["archive", "build", str(demo_dir / "quyet-dinh.pdf"), "--into",
                                     str(tmp_path / "arch"), "--trust", root, "--jobs", "1"])
    assert built.exit_code == 0, built.output
    seen: list[tuple[int, int]] = []
    report = audit_archive(tmp_path / "arch", policy=ArchivePolicy(trust=(root,)), jobs=1,
                           on_package=lambda done, total: seen.append((done, total)))
    assert report.ok and seen == [(1, 1)]
    audited = CliRunner().invoke(cli, ["archive", "audit", str(tmp_path / "arch"), "--trust", root, "--jobs", "1"])
    assert audited.exit_code == 0 and "\x1b[" not in audited.output  # no bar without a terminal
