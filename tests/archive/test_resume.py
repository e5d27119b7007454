"""Resumable and exactly-once: SIGKILL at random points, crash windows simulated, swaps recovered."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from edoc.archive import build_archive, check_package
from edoc.archive.journal import Journal
from edoc.archive.package import recover

from .conftest import make_sources

TESTS = Path(__file__).resolve().parents[1]


def _assert_exactly_once(src: Path, root: Path, counts: dict[str, int]) -> None:
    sources = sorted(str(p.resolve()) for p in src.rglob("*") if p.suffix in (".pdf", ".xml"))
    lines = [json.loads(x) for x in (root / "outcomes.jsonl").read_text("utf-8").splitlines()]
    assert sorted(x["source"] for x in lines) == sources  # every document once in the log
    archived = sorted(x["name"] for x in lines if x["outcome"] == "archived")
    assert len(archived) == counts["total"] - counts["forged"]
    assert Counter(x["outcome"] for x in lines) == +Counter(archived=len(archived), rejected=counts["forged"])
    in_bags = []
    originals = {Path(s).name: Path(s).read_bytes() for s in sources}
    for pkg in sorted((root / "packages").iterdir()):
        assert check_package(pkg).ok, pkg
        for doc in (pkg / "data/documents").iterdir():
            in_bags.append(doc.name)
            assert doc.read_bytes() == originals[doc.name]
    assert sorted(in_bags) == archived  # every archived document in exactly one package
    assert not list((root / ".tmp").iterdir())


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume(tmp_path):
    src = tmp_path / "src"
    # 54 documents at 0.1 s each on 2 workers: a run needs > 2 s, so the first two kills always land
    counts = make_sources(src, records=6, pdfs_per_record=8, forged=2)
    root = tmp_path / "arc"
    env = os.environ | {"PYTHONPATH": str(TESTS), "EDOC_TEST_VERIFY_DELAY": "0.1"}
    cmd = [sys.executable, "-m", "edoc", "archive", "build", str(src), "--into", str(root), "--jobs", "2",
           "--verifier", "archive.fakes:fake_verify"]
    rng = random.Random(int(os.environ.get("EDOC_KILL_SEED", "7")))
    kills = 0
    for _ in range(6):  # bounded: each round kills one run at a random moment
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(rng.uniform(0.5, 2.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert final.returncode == 1, final.stderr  # 1: the forged documents were rejected
    assert kills >= 2
    _assert_exactly_once(src, root, counts)


def test_package_renamed_but_not_journaled_is_reused(tmp_path):
    """The crash window between the rename of a package and its journal commit."""
    from edoc.archive import ArchivePolicy

    from .fakes import fake_verify

    src = tmp_path / "src"
    counts = make_sources(src, records=2, pdfs_per_record=2, forged=0)
    root = tmp_path / "arc"
    policy = ArchivePolicy(verify=fake_verify)
    build_archive([src], root, policy=policy, jobs=0)
    manifests = {p.name: (p / "manifest-sha256.txt").read_bytes() for p in (root / "packages").iterdir()}
    with Journal(root) as j:
        j.db.execute("UPDATE documents SET status='ingested', package=NULL")
        j.db.execute("DELETE FROM packages")
    again = build_archive([src], root, policy=policy, jobs=0)
    assert again.archived == counts["total"] and again.new_this_run == 0
    assert {p.name: (p / "manifest-sha256.txt").read_bytes() for p in (root / "packages").iterdir()} == manifests
    _assert_exactly_once(src, root, counts)


def test_half_built_package_is_discarded_and_rebuilt(tmp_path):
    from edoc.archive import ArchivePolicy

    from .fakes import fake_verify

    src = tmp_path / "src"
    counts = make_sources(src, records=1, pdfs_per_record=2, forged=0)
    root = tmp_path / "arc"
    policy = ArchivePolicy(verify=fake_verify)
    build_archive([src], root, policy=policy, jobs=0)
    pkg = next((root / "packages").iterdir())
    # a package that is there but incomplete (cannot happen through rename, but a person may break one)
    (pkg / "data/documents" / "cv-001.pdf").unlink()
    with Journal(root) as j:
        j.db.execute("UPDATE documents SET status='ingested', package=NULL")
        j.db.execute("DELETE FROM packages")
    build_archive([src], root, policy=policy, jobs=0)
    _assert_exactly_once(src, root, counts)


@pytest.mark.parametrize("stage", ["renamed_away", "both_present", "only_new_partial"])
def test_interrupted_swap_is_recovered(tmp_path, stage):
    from edoc.archive import ArchivePolicy

    from .fakes import fake_verify

    src = tmp_path / "src"
    make_sources(src, records=1, pdfs_per_record=1, forged=0, edxml=False)
    root = tmp_path / "arc"
    build_archive([src], root, policy=ArchivePolicy(verify=fake_verify), jobs=0)
    pkg = next((root / "packages").iterdir())
    before = (pkg / "manifest-sha256.txt").read_bytes()
    tmp = root / ".tmp"
    if stage == "renamed_away":  # killed after final -> .old, before .new -> final
        import shutil

        shutil.copytree(pkg, tmp / f"{pkg.name}.new")
        os.rename(pkg, tmp / f"{pkg.name}.old")
    elif stage == "both_present":  # killed before the old copy was removed
        import shutil

        shutil.copytree(pkg, tmp / f"{pkg.name}.old")
    else:  # .new incomplete: the old one must come back
        (tmp / f"{pkg.name}.new").mkdir()
        os.rename(pkg, tmp / f"{pkg.name}.old")
    recover(tmp, root / "packages")
    assert check_package(pkg).ok and (pkg / "manifest-sha256.txt").read_bytes() == before
    assert not list(tmp.iterdir())


def test_ctrl_c_finishes_in_flight_work_and_exits_cleanly(tmp_path):
    src = tmp_path / "src"
    counts = make_sources(src, records=4, pdfs_per_record=6, forged=2)
    root = tmp_path / "arc"
    env = os.environ | {"PYTHONPATH": str(TESTS)}
    cmd = [sys.executable, "-m", "edoc", "--lang", "en", "archive", "build", str(src), "--into", str(root),
           "--jobs", "2", "--verifier"]
    first = subprocess.run([*cmd, "archive.fakes:interrupting_verify"], env=env, capture_output=True, text=True,
                           timeout=120)
    assert first.returncode == 130, first.stderr
    assert "run the same command again" in first.stdout
    with Journal(root, write=False) as j:
        done = {Path(r["source"]).name: r["status"] for r in j.rows()}
    assert 0 < len(done) < counts["total"]  # stopped submitting ...
    assert done["cv-003.pdf"] == "ingested"  # ... and the document in flight when Ctrl-C came was journaled
    assert not list((root / "packages").iterdir()) and not list((root / ".tmp").iterdir())
    second = subprocess.run([*cmd, "archive.fakes:fake_verify"], env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 1, second.stderr
    _assert_exactly_once(src, root, counts)


def test_one_writer_at_a_time(tmp_path):
    code = ("import sys; from pathlib import Path; from edoc.archive.journal import Journal; "
            "Journal(Path(sys.argv[1])).close()")
    with Journal(tmp_path / "arc"):
        busy = subprocess.run([sys.executable, "-c", code, str(tmp_path / "arc")], capture_output=True, text=True,
                              timeout=60)
    assert busy.returncode != 0 and "another edoc process is writing this archive" in busy.stderr
    free = subprocess.run([sys.executable, "-c", code, str(tmp_path / "arc")], capture_output=True, timeout=60)
    assert free.returncode == 0
