"""Injected steps for the archive tests: a verifier that reads a marker, a time-stamper that appends.

They live in an importable module so worker processes (and Dask workers) can unpickle them.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edoc.archive import AugmentResult

#: A document containing this marker fails verification.
FORGED = b"FORGED-SIGNATURE"
#: Appended by the fake time-stamper (after the original bytes).
TS_MARK = b"\n%EDOC-TEST-DOC-TIMESTAMP\n"
EXPIRY = dt.datetime(2036, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class FakeReport:
    verdict: str
    file: str

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "file": self.file, "verifier": "fake"}


def fake_verify(path: Path) -> FakeReport:
    data = Path(path).read_bytes()
    delay = float(os.environ.get("EDOC_TEST_VERIFY_DELAY", "0"))
    if delay:
        time.sleep(delay)
    if FORGED in data:
        return FakeReport("TOTAL_FAILED", Path(path).name)
    if b"UNSIGNED" in data:
        return FakeReport("INDETERMINATE", Path(path).name)
    return FakeReport("TOTAL_PASSED", Path(path).name)


def fake_timestamp(src: Path, dst: Path) -> AugmentResult:
    dst.write_bytes(Path(src).read_bytes() + TS_MARK)
    return AugmentResult("document time-stamp (test)", EXPIRY, "test TSA")


def fake_evidence(document: Path, folder: Path) -> AugmentResult:
    """Adds ``test-stamp-N.txt`` (the document's SHA-256) beside an edXML message; never writes the document."""
    import hashlib

    folder.mkdir(parents=True, exist_ok=True)
    n = len(list(folder.glob("test-stamp-*.txt"))) + 1
    (folder / f"test-stamp-{n}.txt").write_text(hashlib.sha256(Path(document).read_bytes()).hexdigest())
    return AugmentResult("evidence time-stamp (test)", EXPIRY, "test TSA")


def bad_augment(src: Path, dst: Path) -> AugmentResult:
    """Rewrites instead of appending: must be refused."""
    dst.write_bytes(b"%PDF-1.7 rewritten")
    return AugmentResult("B-LTA")


def interrupting_verify(path: Path) -> FakeReport:
    """Presses Ctrl-C on the main process (the worker's parent) while verifying ``cv-003.pdf``."""
    if Path(path).name == "cv-003.pdf":
        os.kill(os.getppid(), 2)  # SIGINT
        time.sleep(0.3)  # still in flight when the main process sees it
    return fake_verify(path)


def counting_timestamp(src: Path, dst: Path) -> AugmentResult:
    """``fake_timestamp`` that also notes, in ``$EDOC_TEST_AUGMENT_LOG``, which process augmented what."""
    log = os.environ.get("EDOC_TEST_AUGMENT_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {Path(src).name}\n")
    return fake_timestamp(src, dst)


@dataclass(frozen=True)
class FullDisk:
    """A time-stamper whose disk is full while the file ``flag`` exists: it writes part of its output, then
    fails with ENOSPC, as a write on a full file system does."""

    flag: str

    def __call__(self, src: Path, dst: Path) -> AugmentResult:
        import errno

        data = Path(src).read_bytes() + TS_MARK
        if Path(self.flag).exists():
            with open(dst, "wb") as fh:
                fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        Path(dst).write_bytes(data)
        return AugmentResult("document time-stamp (test)", EXPIRY, "test TSA")
