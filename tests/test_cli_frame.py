"""The command-line frame: one-paragraph errors in two languages, documented exit codes, the demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from edoc.errors import ResourceError


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edoc", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_error_is_one_paragraph_without_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run("--lang", "en", "demo", "-o", str(blocker / "sub"))
    assert proc.returncode == ResourceError.exit_code
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Error: ") and str(blocker / "sub") in proc.stderr
    assert proc.stderr.strip().count("\n") == 0


def test_error_in_vietnamese_by_default(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run("demo", "-o", str(blocker / "sub"))
    assert proc.returncode == ResourceError.exit_code
    assert proc.stderr.startswith("Lỗi: ") and "Không tạo được thư mục kết quả" in proc.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run("--debug", "demo", "-o", str(blocker / "sub"))
    assert proc.returncode != 0 and "Traceback" in proc.stderr and "ResourceError" in proc.stderr


def test_usage_error_exits_2() -> None:
    proc = run("demo", "--no-such-option")
    assert proc.returncode == 2 and "no-such-option" in proc.stderr


def test_unknown_command_exits_2() -> None:
    assert run("frobnicate").returncode == 2


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    proc = run("--lang", "en", "demo", "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "✗" not in proc.stdout
    assert "000.10.32.H43,2026/01/05,05/QĐ-UBND" in proc.stdout
    assert (tmp_path / "out" / "quyet-dinh.edxml").stat().st_size > 0
    assert "TOTAL_PASSED (person: TOTAL_PASSED, agency: TOTAL_PASSED)" in proc.stdout
    # what the demo signs carries its revocation data (B-LT, the demo CA's CRL): TOTAL_PASSED offline, with
    # revocation checked, on any machine and with no server
    out, keys = tmp_path / "out", tmp_path / "out" / "demo-keys"
    for target in ("quyet-dinh.pdf", "quyet-dinh.edxml"):
        checked = run("--lang", "en", "verify", str(out / target), "--trust", str(keys / "demo-root.pem"),
                      "--no-installed-trust", "--offline", "--format", "json")
        assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(run("verify", str(out / "quyet-dinh.pdf"), "--trust", str(keys / "demo-root.pem"),
                            "--no-installed-trust", "--offline", "--format", "json").stdout)
    assert [s["checks"]["revocation"] for s in report["signatures"]] == ["passed", "passed"]
