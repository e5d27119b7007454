"""Issue 13 "Also": a run tries again what failed for environmental reasons (a full disk, an unreachable
TSA), never what was rejected on its content; the journal records the class of each failure."""

from __future__ import annotations

import errno
import http.server
import json
import os
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bagit
import pytest

from edoc.archive import ArchivePolicy, build_archive
from edoc.archive.journal import Journal

from .conftest import make_pdf, make_sources
from .fakes import TS_MARK, FullDisk, fake_verify
from .forge import change_page_content, trust_paths


def _run(src: Path, root: Path, policy: ArchivePolicy, **kw: Any) -> tuple[Any, dict[str, dict[str, Any]]]:
    seen: dict[str, dict[str, Any]] = {}
    summary = build_archive([src], root, policy=policy, jobs=0, on_outcome=lambda o: seen.update({
        Path(str(o["source"])).name: o}), **kw)
    return summary, seen


def _journal(root: Path) -> dict[str, dict[str, Any]]:
    with Journal(root, write=False) as j:
        return {Path(r["source"]).name: dict(r) for r in j.rows()}


def _bags_valid(root: Path) -> list[str]:
    names = []
    for pkg in sorted((root / "packages").iterdir()):
        bagit.Bag(str(pkg)).validate()  # the full check, Payload-Oxum included
        names += [d.name for d in (pkg / "data/documents").iterdir()]
    assert not list((root / ".tmp").iterdir())
    return sorted(names)


def test_full_disk_at_augmentation_is_retried_by_a_plain_rerun(tmp_path):
    src = tmp_path / "src"
    counts = make_sources(src, records=2, pdfs_per_record=3, forged=1, edxml=False)  # PDFs: augmented in place
    flag = tmp_path / "disk-full"
    flag.touch()
    policy = ArchivePolicy(verify=fake_verify, augment=FullDisk(str(flag)))
    root = tmp_path / "arc"
    first, seen = _run(src, root, policy)
    assert (first.archived, first.rejected, first.failed) == (0, 1, counts["total"] - 1)
    rows = _journal(root)
    failed = {n for n, r in rows.items() if r["status"] == "failed"}
    assert all(rows[n]["failure"] == "environment" and "No space left" in rows[n]["error"] for n in failed)
    assert [r["failure"] for r in rows.values() if r["status"] == "rejected"] == [None]
    assert not list((root / ".staged").glob("*.part"))  # the half-written file is gone

    flag.unlink()  # space freed
    second, seen = _run(src, root, policy)
    assert set(seen) == failed  # exactly what failed for want of space; the rejected one is not verified again
    assert (second.archived, second.rejected, second.failed) == (counts["total"] - 1, 1, 0)
    archived = _bags_valid(root)
    assert len(archived) == counts["total"] - 1
    for pkg in (root / "packages").iterdir():
        for doc in (pkg / "data/documents").iterdir():
            assert doc.read_bytes().endswith(TS_MARK)
    third, seen = _run(src, root, policy)
    assert seen == {} and third.archived == second.archived  # nothing left to retry


def test_full_disk_while_packaging_is_retried(tmp_path, monkeypatch):
    src = tmp_path / "src"
    counts = make_sources(src, records=2, pdfs_per_record=2, forged=0)
    root = tmp_path / "arc"
    policy = ArchivePolicy(verify=fake_verify)
    real_copy = shutil.copyfile

    def full(src_: Any, dst: Any, **kw: Any) -> Any:
        if "/packages" in str(dst) or ".build" in str(dst):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return real_copy(src_, dst, **kw)

    monkeypatch.setattr("edoc.archive.package.shutil.copyfile", full)
    first, _ = _run(src, root, policy)
    assert (first.archived, first.failed) == (0, counts["total"])
    assert not list((root / "packages").iterdir())  # no half-written package
    rows = _journal(root)
    assert {r["failure"] for r in rows.values() if r["status"] == "failed"} == {"environment"}
    monkeypatch.setattr("edoc.archive.package.shutil.copyfile", real_copy)
    second, seen = _run(src, root, policy)
    assert set(seen) == {n for n, r in rows.items() if r["status"] == "failed"}
    assert (second.archived, second.failed) == (counts["total"], 0)
    assert len(_bags_valid(root)) == counts["total"]


def test_content_failures_wait_for_retry_failed(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    make_pdf(src / "long.pdf", "x")
    (src / "long.pdf.json").write_text(json.dumps({"Subject": "x" * 501}), "utf-8")
    root = tmp_path / "arc"
    policy = ArchivePolicy(verify=fake_verify)
    first, _ = _run(src, root, policy)
    assert first.failed == 1 and _journal(root)["long.pdf"]["failure"] == "content"
    assert _run(src, root, policy)[1] == {}  # a plain rerun leaves it: the same input fails the same way
    (src / "long.pdf.json").write_text(json.dumps({"Subject": "Báo cáo"}), "utf-8")
    fixed, seen = _run(src, root, policy, retry_failed=True)
    assert set(seen) == {"long.pdf"} and fixed.archived == 1


class _Gate:
    """A TSA address that refuses connections (down) until :meth:`up`, then forwards to the live test TSA."""

    def __init__(self, target: str) -> None:
        gate = self

        class Forward(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                req = urllib.request.Request(gate.target, data=body, headers={
                    "Content-Type": self.headers.get("Content-Type", "application/timestamp-query")})
                with urllib.request.urlopen(req, timeout=30) as answer:
                    data = answer.read()
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.headers.get("Content-Type", ""))
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.target = target
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward, bind_and_activate=False)
        self.server.server_bind()  # the port is ours, but nothing listens: connections are refused
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self.thread: threading.Thread | None = None

    def up(self) -> None:
        self.server.server_activate()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        if self.thread is not None:
            self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gate(pki) -> Iterator[_Gate]:  # type: ignore[no-untyped-def]
    g = _Gate(f"{pki.url_prefix}/vn-test/tsa/tsa")
    yield g
    g.close()


def test_unreachable_tsa_then_up(acts, pki_files, gate, tmp_path):
    from edoc.archive.policy import tsa_steps

    src = tmp_path / "src"
    src.mkdir()
    (src / "qd-a.pdf").write_bytes(acts.issued)
    (src / "qd-b.pdf").write_bytes(acts.issued)
    (src / "overdrawn.pdf").write_bytes(change_page_content(acts.issued))
    trust = trust_paths(pki_files)
    augment, stamp = tsa_steps(gate.url, trust)
    policy = ArchivePolicy(trust=trust, online=True, augment=augment, timestamper=stamp)
    root = tmp_path / "arc"
    down, _ = _run(src, root, policy)
    assert (down.archived, down.rejected, down.failed) == (0, 1, 2)
    rows = _journal(root)
    assert {n: r["failure"] for n, r in rows.items()} == {"qd-a.pdf": "environment", "qd-b.pdf": "environment",
                                                           "overdrawn.pdf": None}
    gate.up()
    again, seen = _run(src, root, policy)
    assert set(seen) == {"qd-a.pdf", "qd-b.pdf"}  # the rejected document is not tried again
    assert (again.archived, again.rejected, again.failed) == (2, 1, 0)
    assert _bags_valid(root) == ["qd-a.pdf", "qd-b.pdf"]
    for doc in root.glob("packages/*/data/documents/*.pdf"):
        data = doc.read_bytes()
        assert data.startswith(acts.issued) and b"/DocTimeStamp" in data[len(acts.issued):]
