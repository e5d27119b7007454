"""Issue 13 points 10 and 11 for ``archive build``: pool workers die with a main process killed with
``kill -9``; rejected documents are findings with a message, and no library traceback reaches the terminal
without ``--debug``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import make_sources
from .forge import change_page_content, trust_paths

TESTS = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")


def _state(pid: int) -> tuple[int, str] | None:
    """(parent pid, state letter) of a live process, ``None`` once it is gone (a zombie is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[1]), fields[0]) if fields[0] != "Z" else None


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := _state(int(entry.name))) is not None and st[0] == pid:
            out.add(int(entry.name))
    return out


def _wait_gone(pids: set[int], seconds: float) -> set[int]:
    """Bounded wait (a liveness check, not a timing assertion): the pids still alive after ``seconds``."""
    deadline = time.monotonic() + seconds
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        alive = {p for p in alive if _state(p) is not None}
        time.sleep(0.1)
    return alive


def test_workers_exit_when_the_main_process_is_killed(tmp_path):
    src = tmp_path / "src"
    make_sources(src, records=4, pdfs_per_record=8, forged=0)
    env = os.environ | {"PYTHONPATH": str(TESTS), "EDOC_TEST_VERIFY_DELAY": "0.5"}
    cmd = [sys.executable, "-m", "edoc", "archive", "build", str(src), "--into", str(tmp_path / "arc"),
           "--jobs", "2", "--verifier", "archive.fakes:fake_verify"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the build never started its two workers"
        os.kill(proc.pid, signal.SIGKILL)  # the main process only, as `kill -9 PID` does
        proc.wait(timeout=30)
        left = _wait_gone(workers, 20)
        assert not left, f"workers {sorted(left)} outlived the killed main process"
    finally:
        for pid in workers | _children(proc.pid):
            if _state(pid) is not None:
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_portable_fallback_watches_the_parent(tmp_path):
    """Where the kernel offers no parent-death signal, a thread watching the parent id ends the worker."""
    code = ("import os, sys, time\n"
            "from edoc.archive import workers\n"
            "workers._parent_death_signal = lambda: False\n"
            "parent = os.getpid()\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    assert workers.die_with_parent(parent) == 'watch'\n"
            "    time.sleep(120)\n"
            "    os._exit(0)\n"
            "print(pid, flush=True)\n"
            "time.sleep(0.5)\n"
            "os._exit(0)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    child = int(out.stdout.strip())
    left = _wait_gone({child}, 20)
    if left:
        os.kill(child, signal.SIGKILL)
    assert not left, "the worker outlived its parent"


@pytest.fixture(scope="module")
def rejected_sources(acts, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Documents pyHanko refuses while logging tracebacks: content drawn after signing, a truncated file."""
    src = tmp_path_factory.mktemp("rejected")
    (src / "overdrawn.pdf").write_bytes(change_page_content(acts.issued))
    (src / "truncated.pdf").write_bytes(acts.issued[: len(acts.issued) // 2])
    (src / "issued.pdf").write_bytes(acts.issued)
    return src


@pytest.mark.parametrize("jobs", ["0", "2"])
def test_rejected_documents_are_findings_not_tracebacks(rejected_sources, pki_files, tmp_path, jobs):
    trust = [a for t in trust_paths(pki_files) for a in ("--trust", t)]
    env = os.environ | {"PYTHONPATH": str(TESTS)}

    def build(*extra: str, into: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "edoc", *extra, "--lang", "en", "archive", "build",
                               str(rejected_sources), "--into", str(tmp_path / into), *trust, "--online",
                               "--jobs", jobs], env=env, capture_output=True, text=True, timeout=300)

    quiet = build(into="quiet")
    assert quiet.returncode == 1, quiet.stderr
    assert "Traceback" not in quiet.stderr and "pyhanko" not in quiet.stderr.lower(), quiet.stderr
    assert "Archived 1 documents" in quiet.stdout and "rejected 2" in quiet.stdout, quiet.stdout
    rejected = {r["name"]: r for r in map(json.loads, (tmp_path / "quiet" / "rejected.jsonl").read_text(
        "utf-8").splitlines())}
    assert set(rejected) == {"overdrawn.pdf", "truncated.pdf"}
    for r in rejected.values():  # each rejection says why, in its report
        assert r["verdict"] != "TOTAL_PASSED"
        reasons = [m for m in r["report"]["messages"] + [m for s in r["report"]["signatures"]
                                                         for m in s["messages"]] if m["level"] == "error"]
        assert reasons and all(m["text"] for m in reasons), r["report"]
    debug = build("--debug", into="debug")  # the same run with --debug shows what the libraries logged
    assert debug.returncode == 1 and "Traceback" in debug.stderr, debug.stderr
