"""The PDF/A self-check against the labelled veraPDF corpus (../shared/corpora/verapdf-pdfa2b), file by file.

A file's name says its label (``…-t01-fail-a.pdf`` violates the clause in its name, ``-pass-`` files conform
to it). Pinned for every file: a ``-fail-`` file of a clause edoc claims (:data:`edoc.pdfa.CLAUSES`) is
flagged for that clause; a ``-pass-`` file gets no finding at all (a conforming file is never flagged, issue
12 §4). ``-fail-`` files of clauses edoc does not claim are listed, never silently dropped: claiming a
clause makes its files count. The per-clause table is printed with ``pytest -s``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

import needs
from edoc.pdfa import CLAUSES, check_pdfa

CORPUS = needs.SHARED / "corpora" / "verapdf-pdfa2b"
NAME = re.compile(r"suite (\d+(?:-\d+)*)-t\d+-(pass|fail)-")


def _label(path: Path) -> tuple[str, str] | None:
    m = NAME.search(path.name)
    return (m.group(1).replace("-", "."), m.group(2)) if m else None


_FILES = sorted(CORPUS.rglob("*.pdf")) if CORPUS.is_dir() else []
_LABELLED = [f for f in _FILES if _label(f) is not None]
#: clauses with failing samples in the corpus that edoc does not claim to check (their -fail- files are not
#: asserted; their -pass- files are)
UNCLAIMED: frozenset[str] = frozenset()


def _covers(finding: str, clause: str) -> bool:
    return finding == clause or finding.startswith(clause + ".") or clause.startswith(finding + ".")


@pytest.mark.corpus
@pytest.mark.parametrize("path", needs.corpus(_LABELLED, where="corpora/verapdf-pdfa2b",
                                              ids=[str(f.relative_to(CORPUS)) for f in _LABELLED]))
def test_verapdf_file(path: Path) -> None:
    clause, outcome = _label(path)  # type: ignore[misc]
    findings = check_pdfa(path)
    if outcome == "pass":
        assert findings == [], f"a conforming file ({clause}) is flagged: {[str(f) for f in findings]}"
    elif clause in CLAUSES:
        assert any(_covers(f.clause, clause) for f in findings), (
            f"violates {clause}, flagged only for {sorted({f.clause for f in findings})}")
    else:
        assert clause in UNCLAIMED, f"{clause} has failing samples: claim it (edoc.pdfa.CLAUSES) or list it"


@needs.shared("corpora/verapdf-pdfa2b")
def test_every_claimed_clause_has_failing_samples_and_every_file_a_label() -> None:
    """And the table of docs/pdfa.md (``pytest -s``): per clause, failing files flagged for it, passing files
    flagged at all."""
    assert [f for f in _FILES if _label(f) is None] == []
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for path in _LABELLED:
        clause, outcome = _label(path)  # type: ignore[misc]
        findings = check_pdfa(path)
        row = stats[clause]
        if outcome == "fail":
            row[0] += 1
            row[1] += any(_covers(f.clause, clause) for f in findings)
        else:
            row[2] += 1
            row[3] += bool(findings)
    assert {c for c in CLAUSES if not stats[c][0]} == set(), "a claimed clause with no failing sample proves nothing"
    print("\n| clause | fail files flagged | pass files flagged | claimed |\n|---|---|---|---|")
    for clause, (ft, ff, pt, pf) in sorted(stats.items(), key=lambda kv: [int(p) for p in kv[0].split(".")]):
        share = f"{ff}/{ft} ({100 * ff / ft:.0f} %)" if ft else "-"
        print(f"| {clause} | {share} | {pf}/{pt} | {'yes' if clause in CLAUSES else 'no'} |")
