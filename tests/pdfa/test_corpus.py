"""The PDF/A self-check measured against the labelled veraPDF corpus (../shared/corpora/verapdf-pdfa2b).

Per clause: the share of ``-fail-`` files flagged for that clause and of ``-pass-`` files flagged at all.
The table is printed (``pytest -s``) and the targets are asserted for the clauses edoc claims.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from edoc.pdfa import CLAUSES, check_pdfa

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "verapdf-pdfa2b"
NAME = re.compile(r"suite (\d+(?:-\d+)*)-t\d+-(pass|fail)-")


def _covers(finding: str, clause: str) -> bool:
    return finding == clause or finding.startswith(clause + ".") or clause.startswith(finding + ".")


@pytest.fixture(scope="module")
def table() -> dict[str, list[int]]:
    if not CORPUS.is_dir():
        pytest.skip(f"the veraPDF corpus is not at {CORPUS}")
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for f in sorted(CORPUS.rglob("*.pdf")):
        m = NAME.search(f.name)
        if m is None:
            continue
        clause = m.group(1).replace("-", ".")
        findings = check_pdfa(f)
        row = stats[clause]
        if m.group(2) == "fail":
            row[0] += 1
            row[1] += any(_covers(x.clause, clause) for x in findings)
        else:
            row[2] += 1
            row[3] += bool(findings)
    print("\nclause        fail flagged     pass flagged   claimed")
    for clause, (ft, ff, pt, pf) in sorted(stats.items(), key=lambda kv: [int(p) for p in kv[0].split(".")]):
        share = f"{ff}/{ft} ({100 * ff / ft:.0f} %)" if ft else "-"
        print(f"{clause:12}  {share:15}  {pf}/{pt:<12}  {'yes' if clause in CLAUSES else 'no'}")
    return dict(stats)


def test_claimed_clauses_meet_the_targets(table: dict[str, list[int]]) -> None:
    for clause in CLAUSES:
        ft, ff, _pt, _pf = table.get(clause, [0, 0, 0, 0])
        assert ft > 0, f"claimed clause {clause} has no failing sample in the corpus"
        assert ff / ft >= 0.9, f"{clause}: only {ff}/{ft} failing files flagged"


def test_no_passing_file_flagged(table: dict[str, list[int]]) -> None:
    flagged = {c: row[3] for c, row in table.items() if row[3]}
    assert flagged == {}
