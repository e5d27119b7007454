"""Issue 18 "crash safety with the real parts": ``archive build`` with edoc's verifier (online, against the
live test PKI's OCSP/CRL) and B-LTA augmentation by the live test TSA, killed with SIGKILL at random moments
over several seeds, then run again: every document exactly once, every bag valid (bagit's full validation),
every archived document the original bytes followed by its validation data and a document time-stamp."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import bagit
import pytest

from .forge import change_page_content, trust_paths

TESTS = Path(__file__).resolve().parents[1]
GOOD, BAD = 12, 2
#: Journal progress of a complete run: every outcome written, then every good document archived.
PROGRESS = 2 * GOOD + BAD


def _progress(root: Path) -> int:
    """Outcomes journaled plus documents archived so far (read-only; 0 before the journal exists)."""
    import sqlite3

    path = root / "journal.sqlite"
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            rows = db.execute("SELECT COUNT(*), COALESCE(SUM(status = 'archived'), 0) FROM documents").fetchone()
        finally:
            db.close()
    except sqlite3.Error:  # not made yet
        return 0
    return int(rows[0]) + int(rows[1])


def _sources(acts, folder: Path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    folder.mkdir()
    originals = {}
    for i in range(GOOD):  # three records, from the archivist's sidecars
        name = f"qd-{i + 1:02d}.pdf"
        originals[name] = acts.issued
        (folder / name).write_bytes(acts.issued)
        (folder / f"{name}.json").write_text(json.dumps({
            "OrganId": "000.00.31.H41", "FileCatalog": "2026", "FileNotation": f"HS-{i % 3 + 1:02d}",
            "CodeNumber": str(i + 1), "Subject": f"Quyết định số {i + 1}"}, ensure_ascii=False), "utf-8")
    for i in range(BAD):
        (folder / f"forged-{i + 1}.pdf").write_bytes(change_page_content(acts.issued))
    return originals


def _check(root: Path, src: Path, originals: dict[str, bytes]) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    from edoc.archive import read_events

    lines = [json.loads(x) for x in (root / "outcomes.jsonl").read_text("utf-8").splitlines()]
    sources = sorted(str(p.resolve()) for p in src.glob("*.pdf"))
    assert sorted(x["source"] for x in lines) == sources  # every document once in the log
    assert Counter(x["outcome"] for x in lines) == Counter(archived=GOOD, rejected=BAD), lines
    in_bags = []
    for pkg in sorted((root / "packages").iterdir()):
        bagit.Bag(str(pkg)).validate()  # manifests, tag manifests and Payload-Oxum
        events = read_events(pkg)
        for doc in (pkg / "data/documents").iterdir():
            in_bags.append(doc.name)
            data = doc.read_bytes()
            assert data.startswith(originals[doc.name]) and len(data) > len(originals[doc.name])
            with open(doc, "rb") as fh:
                kinds = [s.sig_object.get("/Type") for s in PdfFileReader(fh).embedded_signatures]
            assert kinds[-1] == "/DocTimeStamp", doc.name  # B-LTA
            mine = [e["eventType"] for e in events if e["linkingObject"].endswith("/" + doc.name)]
            assert mine == ["ingestion", "validation", "augmentation"], (doc.name, mine)  # once each
    assert sorted(in_bags) == sorted(originals)  # every archived document in exactly one package
    assert not list((root / ".tmp").iterdir()) and not (root / ".staged").exists()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_sigkill_with_real_verifier_and_lta(acts, pki, pki_files, tmp_path, seed):
    src = tmp_path / "src"
    originals = _sources(acts, src)
    root = tmp_path / "arc"
    trust = [a for t in trust_paths(pki_files) for a in ("--trust", t)]
    cmd = [sys.executable, "-m", "edoc", "archive", "build", str(src), "--into", str(root), *trust, "--online",
           "--tsa", f"{pki.url_prefix}/vn-test/tsa/tsa", "--jobs", "2"]
    env = os.environ | {"PYTHONPATH": str(TESTS)}
    rng = random.Random(seed)
    kills: list[int] = []
    for round_ in range(8):  # each round kills one run at a random point of its work, then the next resumes
        if round_ >= 3 and any(0 < k < PROGRESS for k in kills):
            break  # three rounds, and more only until one kill has landed mid-work (a loaded machine may race)
        done = _progress(root)
        if done >= PROGRESS - 1:  # (nearly) finished: start again from an empty archive
            shutil.rmtree(root)
            done = 0
        target = rng.randint(done + 1, PROGRESS - 1)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        deadline = time.monotonic() + 300
        while proc.poll() is None and _progress(root) < target and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.02))
        if proc.poll() is None:
            at = _progress(root)
            # the main process alone (its workers must follow it) or the whole group, as a power cut
            if rng.random() < 0.5:
                os.kill(proc.pid, signal.SIGKILL)
            else:
                os.killpg(proc.pid, signal.SIGKILL)
            kills.append(at)
        _out, err = proc.communicate(timeout=300)
        assert b"Traceback" not in err, err.decode()
    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert final.returncode == 1, final.stderr  # 1: the forged documents were rejected
    assert "Traceback" not in final.stderr, final.stderr
    assert kills and any(0 < k < PROGRESS for k in kills), kills  # at least one kill landed mid-work
    _check(root, src, originals)
