"""Skips for missing parts, in one place, so that a run can refuse them (``EDOC_REQUIRE_ALL=1``).

A test that needs an independent tool (xmlsec1, pdfsig, qpdf, SoftHSM2…), a Python package of the test extras
or a file beside the clone in ``../shared`` (corpora, trust certificates) says so with one of these helpers:

- ``@needs.tools("qpdf")`` / ``@needs.shared("corpora/dss")``: marks;
- ``needs.require_tools(...)`` / ``needs.require_shared(...)`` / ``needs.skip(what)``: the same inside a test
  or a fixture; ``needs.module(name)`` imports a package of the test extras or skips;
- ``needs.corpus(items, where=...)``: parameters for a test parametrised over a corpus — when the corpus is
  absent, one case that skips with the reason instead of zero cases that vanish without a trace.

Every such skip's reason starts with :data:`MISSING`; ``tests/conftest.py`` lists those tests at the end of a
run, and with ``EDOC_REQUIRE_ALL=1`` (CI sets it: it installs the tools and has ``../shared``) makes the run
fail. Never check a tool with a bare ``if shutil.which(...)``: a test that passes without its oracle cannot fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import pytest

__all__ = [
    "MISSING",
    "SHARED",
    "corpus",
    "missing_shared",
    "missing_tools",
    "module",
    "require_shared",
    "require_tools",
    "shared",
    "skip",
    "tools",
]

#: The prefix of every skip reason for a missing part; the enforcement in ``tests/conftest.py`` looks for it.
MISSING = "missing part:"
#: ``../shared`` beside the clone (CI puts it there); ``EDOC_TEST_SHARED`` names another place (the tests of
#: this enforcement point it at an empty folder).
SHARED = Path(os.environ.get("EDOC_TEST_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
_HINT = "install it with scripts/setup-system.sh"


def missing_tools(*names: str) -> list[str]:
    """The commands among ``names`` not found on ``PATH``."""
    return [name for name in names if shutil.which(name) is None]


def _tool_reason(missing: Sequence[str]) -> str:
    return f"{MISSING} tool {', '.join(missing)} not installed ({_HINT})"


def tools(*names: str) -> pytest.MarkDecorator:
    """Mark: the test needs the commands ``names``; without them it is skipped with a :data:`MISSING` reason."""
    missing = missing_tools(*names)
    return pytest.mark.skipif(bool(missing), reason=_tool_reason(missing))


def require_tools(*names: str) -> None:
    """Skip the running test (or fixture) unless the commands ``names`` are installed."""
    missing = missing_tools(*names)
    if missing:
        pytest.skip(_tool_reason(missing))


def skip(what: str) -> NoReturn:
    """Skip the running test (or fixture) for another missing part, e.g. a shared library; ``what`` says which."""
    pytest.skip(f"{MISSING} {what}")


def missing_shared(relative: str) -> Path | None:
    """``../shared/relative`` when it is absent, else ``None``."""
    path = SHARED / relative
    return None if path.exists() else path


def _shared_reason(path: Path) -> str:
    return f"{MISSING} {path} is absent (../shared must sit beside the clone, as in CI)"


def shared(relative: str) -> pytest.MarkDecorator:
    """Mark: the test reads ``../shared/relative``; skipped with a :data:`MISSING` reason when it is absent."""
    absent = missing_shared(relative)
    return pytest.mark.skipif(absent is not None, reason=_shared_reason(absent or SHARED / relative))


def require_shared(relative: str) -> Path:
    """``../shared/relative``, or skip the running test (or fixture) when it is absent."""
    absent = missing_shared(relative)
    if absent is not None:
        pytest.skip(_shared_reason(absent))
    return SHARED / relative


def module(name: str) -> ModuleType:
    """Import the Python package ``name`` (of the test extras), or skip the test or module that needs it."""
    return pytest.importorskip(name, reason=f"{MISSING} Python package {name} not installed "
                                            "(pip install -e '.[test,pkcs11,dask]')")


def corpus(items: Iterable[Any], *, where: str, ids: Iterable[str] | None = None, width: int = 1) -> list[Any]:
    """Parameters for a test parametrised over the corpus at ``../shared/where``.

    :param items: the cases (values, or ``pytest.param`` objects kept as they are).
    :param width: how many arguments each case gives the test (for the stand-in case).
    :returns: one parameter per item, or — when the corpus is absent or empty — a single case that skips with
        a :data:`MISSING` reason, so the cases never disappear silently.
    """
    values = list(items)
    names = list(ids) if ids is not None else [None] * len(values)
    if values:
        return [v if isinstance(v, type(pytest.param(None))) else pytest.param(v, id=i)
                for v, i in zip(values, names, strict=True)]
    path = SHARED / where
    reason = _shared_reason(path) if not path.exists() else f"{MISSING} {path} holds no case"
    stand_in = (None,) * width
    return [pytest.param(*stand_in, id="corpus-absent", marks=pytest.mark.skip(reason=reason))]
