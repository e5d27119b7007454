"""A deliberately broken verifier: the proof that the corpus, attack and fuzz tests can fail.

With ``EDOC_TEST_BROKEN_VERIFIER=passed`` (or ``failed``) in the environment, ``tests/conftest.py`` installs
this module's wrappers when pytest starts: every report that :meth:`edoc.verify.Verifier.verify_pdf`,
:meth:`~edoc.verify.Verifier.verify_edxml` or :func:`edoc.verify.xmldsig.verify_xml` returns comes back with
its verdict, every signature's indication and every attachment's verdict turned into TOTAL_PASSED (no
sub-indication) or TOTAL_FAILED (the sub-indication kept when it was already a failure one, FORMAT_FAILURE
otherwise) — a verifier that says yes, or no, to everything while everything else in the report looks as
usual. ``tests/test_tests_can_fail.py`` runs the corpus, attack and fuzz tests under each and asserts that
they fail. Nothing here is active in an ordinary run.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

__all__ = ["ENV", "MODES", "break_report", "install", "install_from_environment"]

ENV = "EDOC_TEST_BROKEN_VERIFIER"
MODES = ("passed", "failed")
_FAILED_SUBS = frozenset({"FORMAT_FAILURE", "HASH_FAILURE", "SIG_CRYPTO_FAILURE", "REVOKED", "EXPIRED",
                          "NOT_YET_VALID"})


def break_report(report: Any, mode: str) -> Any:
    """``report`` (a :class:`~edoc.verify.DocumentReport`) with every verdict forced to ``mode``."""
    from edoc.verify import Indication, SubIndication

    def forced(indication: Indication, sub: SubIndication | None) -> tuple[Indication, SubIndication | None]:
        if mode == "passed":
            return Indication.TOTAL_PASSED, None
        return Indication.TOTAL_FAILED, sub if sub is not None and sub.value in _FAILED_SUBS \
            else SubIndication.FORMAT_FAILURE

    verdict, sub = forced(report.verdict, report.subindication)
    signatures = []
    for sig in report.signatures:
        indication, sig_sub = forced(sig.indication, sig.subindication)
        signatures.append(replace(sig, indication=indication, subindication=sig_sub))
    return replace(report, verdict=verdict, subindication=sub, signatures=tuple(signatures),
                   attachments=tuple(break_report(a, mode) for a in report.attachments))


def _wrap(function: Callable[..., Any], mode: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def broken(*args: Any, **kwargs: Any) -> Any:
        return break_report(function(*args, **kwargs), mode)

    broken.edoc_broken = mode  # type: ignore[attr-defined]
    return broken


def install(mode: str) -> None:
    """Break the verifier process-wide (for a pytest run in a subprocess only)."""
    if mode not in MODES:
        raise ValueError(f"{ENV} must be one of {MODES}, not {mode!r}")
    from edoc.verify import pdf, xmldsig

    for owner, name in ((pdf.Verifier, "verify_pdf"), (pdf.Verifier, "verify_edxml"), (xmldsig, "verify_xml")):
        function = getattr(owner, name)
        if not hasattr(function, "edoc_broken"):
            setattr(owner, name, _wrap(function, mode))


def install_from_environment() -> str | None:
    """Install the broken verifier named by ``EDOC_TEST_BROKEN_VERIFIER``, if set; returns the mode."""
    mode = os.environ.get(ENV)
    if mode:
        install(mode)
    return mode or None
