"""The suite can fail: each test here runs pytest on part of the suite in a subprocess.

With ``EDOC_REQUIRE_ALL=1`` (as CI runs), a test skipped because a tool or ``../shared`` is missing makes the
run fail and is named (tests/needs.py, tests/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _pytest(args: list[str], env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("PYTEST_", "EDOC_REQUIRE_ALL", "EDOC_TEST_", "HYPOTHESIS"))}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=timeout)


_MISSING = ["tests/verify/test_corpus.py", "tests/pdfa/test_corpus.py",
            "tests/verify/test_interop.py::test_edxml_signed_by_xmlsec1"]


@pytest.mark.slow
@pytest.mark.parametrize("require_all", [True, False], ids=["EDOC_REQUIRE_ALL=1", "default"])
def test_a_skip_for_a_missing_part_fails_the_run_when_required(tmp_path: Path, require_all: bool) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {"EDOC_TEST_SHARED": str(empty), "PATH": str(empty)}  # no ../shared, no tool on PATH
    if require_all:
        env["EDOC_REQUIRE_ALL"] = "1"
    proc = _pytest(["-n", "2", "-q", *_MISSING], env)
    out = proc.stdout
    assert "passed" not in out.splitlines()[-1] and "skipped" in out.splitlines()[-1], out[-3000:]
    for nodeid in ("tests/verify/test_corpus.py::test_dss_corpus_verdict[corpus-absent]",
                   "tests/verify/test_corpus.py::test_every_corpus_file_is_pinned_as_its_label_allows",
                   "tests/pdfa/test_corpus.py::test_verapdf_file[corpus-absent]",
                   "tests/verify/test_interop.py::test_edxml_signed_by_xmlsec1"):
        assert f"{nodeid}: " in out, out[-3000:]
    assert "tool xmlsec1 not installed" in out
    if require_all:
        assert proc.returncode == 1 and "EDOC_REQUIRE_ALL=1: the run FAILS" in out, out[-3000:]
    else:
        assert proc.returncode == 0, out[-3000:]
