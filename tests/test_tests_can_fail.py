"""The suite can fail: each test here runs pytest on part of the suite in a subprocess.

- With ``EDOC_REQUIRE_ALL=1`` (as CI runs), a test skipped because a tool or ``../shared`` is missing makes
  the run fail and is named (tests/needs.py, tests/conftest.py).
- With a deliberately broken verifier (tests/broken_verifier.py) that answers TOTAL_PASSED, or TOTAL_FAILED,
  to everything, the corpus, attack and fuzz tests of the verifier fail (issue 18, "Done means").
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


def _outcomes(junit: Path) -> dict[str, str]:
    """test id -> passed / failed / skipped / xfailed, from a JUnit XML report."""
    from xml.etree import ElementTree

    out: dict[str, str] = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        kinds = {child.tag for child in case}
        skipped = case.find("skipped")
        if "failure" in kinds or "error" in kinds:
            out[name] = "failed"
        elif skipped is not None:
            out[name] = "xfailed" if skipped.get("type") == "pytest.xfail" else "skipped"
        else:
            out[name] = "passed"
    return out


@pytest.mark.slow
def test_a_broken_verifier_fails_the_corpus_attack_and_fuzz_tests(tmp_path: Path) -> None:
    """The Done-means of issue 18: the corpus, attack and fuzz tests of the verifier, run against a verifier
    that answers TOTAL_PASSED to everything and against one that answers TOTAL_FAILED to everything. Under
    the first, every test of these groups fails (or is an expected failure); under both, each group fails,
    and no test passes under both."""
    from broken_verifier import ENV

    runs = {}
    for mode in ("passed", "failed"):
        junit = tmp_path / f"{mode}.xml"
        proc = _pytest(["-n", "2", "-q", "-m", "corpus or attack or fuzz", "tests/verify", f"--junitxml={junit}",
                        "-W", "ignore::pytest.PytestUnraisableExceptionWarning"], {ENV: mode})
        assert proc.returncode == 1, proc.stdout[-3000:]
        runs[mode] = _outcomes(junit)
    everything, broken_yes, broken_no = set(runs["passed"]), runs["passed"], runs["failed"]
    assert everything == set(broken_no) and len(everything) > 60, sorted(everything)
    groups = {"corpus": {t for t in everything if ".test_corpus::" in t},
              "fuzz": {t for t in everything if ".test_fuzz::" in t}}
    groups["attack"] = everything - groups["corpus"] - groups["fuzz"]
    for name, tests in groups.items():
        counts = {mode: sum(runs[mode][t] in ("failed", "xfailed") for t in tests) for mode in runs}
        print(f"{name}: {len(tests)} tests; failing against TOTAL_PASSED-for-all {counts['passed']}, "
              f"against TOTAL_FAILED-for-all {counts['failed']}")
        assert tests, f"no {name} test was selected"
        for mode, outcomes in runs.items():
            assert any(outcomes[t] == "failed" for t in tests), f"no {name} test failed against a verifier " \
                                                                f"that says {mode} to everything"
    # a verifier that passes everything: every attack and fuzz test fails, and every corpus file that is not
    # labelled VALID-and-passing fails; a verifier that fails everything: every VALID corpus file fails
    passing_under_yes = sorted(t for t in groups["attack"] | groups["fuzz"] if broken_yes[t] == "passed")
    assert passing_under_yes == [], passing_under_yes
    both = sorted(t for t in everything if broken_yes[t] == "passed" and broken_no[t] == "passed")
    assert both == [], f"tests that no broken verifier makes fail: {both}"


def test_tool_and_package_checks_go_through_needs() -> None:
    """A bare ``shutil.which`` or ``importorskip`` in a test would skip (or pass) without the enforcement of
    EDOC_REQUIRE_ALL=1 seeing it: tool, package and ../shared checks go through tests/needs.py."""
    import re

    pattern = re.compile(r"shutil\.which\(|importorskip\((?!\"tomllib\")")  # tomllib: a Python version gate
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name == "needs.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "use needs.tools/require_tools/module instead:\n" + "\n".join(offenders)
