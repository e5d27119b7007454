"""Root conftest: the shared test PKI, live PKI services and SoftHSM2 fixtures (tests/pki), the enforcement of
skips for missing parts (tests/needs.py) and the switch that installs a deliberately broken verifier
(tests/broken_verifier.py).

``EDOC_REQUIRE_ALL=1``: a test skipped because an independent tool or a ``../shared`` file is missing makes the
run fail, naming the tests (CI installs the tools and has ``../shared``, so such a skip there is a defect).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:  # so that `import pki` works under every pytest import mode
    sys.path.insert(0, _TESTS)

import broken_verifier  # noqa: E402
import needs  # noqa: E402

pytest_plugins = ["pki.fixtures"]

# The suite expects the default language (Vietnamese) whatever the developer's locale; the choice of language
# by --lang, EDOC_LANG and the locale is tested in tests/cli/test_i18n.py.
os.environ["EDOC_LANG"] = "vi"

_REQUIRE_ALL = os.environ.get("EDOC_REQUIRE_ALL") == "1"
_missing: list[tuple[str, str]] = []


def pytest_configure(config: pytest.Config) -> None:
    for marker in ("corpus: pins a labelled third-party file's verdict (../shared/corpora)",
                   "attack: an attack the verifier must refuse, with its indication and sub-indication",
                   "fuzz: hypothesis-driven mutations of signed files, each with its expected outcome"):
        config.addinivalue_line("markers", marker)  # tests/test_tests_can_fail.py selects by these
    broken_verifier.install_from_environment()


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str | None:
    if not report.skipped:
        return None
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _note(report: pytest.TestReport | pytest.CollectReport) -> None:
    reason = _skip_reason(report)
    if reason is not None and needs.MISSING in reason:
        _missing.append((report.nodeid, reason[reason.index(needs.MISSING) + len(needs.MISSING):].strip()))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _note(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    _note(report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    ok = (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    if _REQUIRE_ALL and _missing and session.exitstatus in ok and not hasattr(session.config, "workerinput"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int,
                            config: pytest.Config) -> None:
    if not _missing:
        return
    title = ("EDOC_REQUIRE_ALL=1: the run FAILS, tests skipped for a missing tool or ../shared file"
             if _REQUIRE_ALL else "tests skipped for a missing tool or ../shared file (EDOC_REQUIRE_ALL=1 fails)")
    terminalreporter.section(title, sep="=", red=_REQUIRE_ALL, yellow=not _REQUIRE_ALL, bold=True)
    for nodeid, reason in sorted(set(_missing)):
        terminalreporter.line(f"{nodeid}: {reason}")
