"""Batch runs over an archive: build, audit, renew, find.

Work runs on a local process pool (``jobs``) or, with ``scheduler``, on an existing Dask distributed
cluster (the ``edoc[dask]`` extra; workers must see the same file system). The main process is the only
writer of the journal. Ctrl-C stops submitting, lets in-flight work finish, journals it and returns with
``interrupted`` set; SIGKILL at any moment is recovered by running the same command again, and the local
workers of a killed main process die with it (:mod:`edoc.archive.workers`).

A document's outcome is ``archived``, ``rejected`` (the verifier's verdict; its report says why) or
``failed`` with a class: ``environment`` (I/O, a full disk, a TSA or responder that did not answer: every run
tries it again) or ``content`` (it cannot be archived as it is: only ``retry_failed`` tries it again).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edoc.archive.evidence import EVIDENCE, check_evidence, document_format
from edoc.archive.journal import Journal
from edoc.archive.meta import read_metadata, signed_scope
from edoc.archive.package import (
    DOCS,
    BagProblems,
    DocFile,
    Event,
    append_to_package,
    build_package,
    check_package,
    check_prefix,
    mutate_package,
    recover,
)
from edoc.archive.policy import ArchivePolicy, AugmentResult, RealVerifier, _verifier, report_of, verdict_of
from edoc.archive.trust import read_trust, remember_trust
from edoc.archive.workers import worker_init
from edoc.errors import EdocError, InvalidInput, MissingDependency, ResourceError, UnsupportedFeature
from edoc.util.fs import atomic_writer

__all__ = ["BuildSummary", "AuditReport", "PackageAudit", "RenewSummary", "build_archive", "audit_archive",
           "renew_archive", "find", "collect_sources", "Found", "failure_class", "with_stored_trust"]

_DOC_SUFFIXES = {".pdf", ".xml", ".edxml"}


# -- executors --------------------------------------------------------------------------------------------


class _Inline(cf.Executor):
    """Runs each task at submission (``jobs=0``): for debugging and tiny runs."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        fut: cf.Future[Any] = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            fut.set_exception(exc)
        return fut


#: Failure classes: tried again by every run, or only when failures are retried.
ENVIRONMENT = "environment"
CONTENT = "content"


def failure_class(exc: BaseException) -> str:
    """``content`` when the document cannot be archived as it is (running again gives the same answer: bad
    input, an unsupported feature), else ``environment`` (I/O errors and a full disk, a TSA or responder that
    did not answer, a worker that died, anything unexpected)."""
    return CONTENT if isinstance(exc, (InvalidInput, UnsupportedFeature)) else ENVIRONMENT


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


@contextlib.contextmanager
def _executor(jobs: int, scheduler: str | None) -> Iterator[cf.Executor]:
    if scheduler:
        try:
            from distributed import Client
        except ImportError as exc:
            raise MissingDependency("dask[distributed]", "dask") from exc
        try:
            client: Any = Client(scheduler, timeout=30, set_as_default=False)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise ResourceError(f"cannot reach the Dask scheduler: {exc}",
                                message_vi=f"Không kết nối được bộ lập lịch Dask: {exc}", path=scheduler) from exc
        try:
            with client.get_executor(pure=False) as ex:
                yield ex
        finally:
            client.close()
    elif jobs <= 0:
        yield _Inline()
    else:
        with cf.ProcessPoolExecutor(max_workers=jobs, initializer=worker_init, initargs=(os.getpid(),)) as ex:
            yield ex


def _warm(policy: ArchivePolicy) -> None:
    """Import the heavy modules (and build the default verifier) before forking workers, so each worker
    starts with them instead of importing them again."""
    import pypdf  # noqa: F401

    import edoc.edxml
    import edoc.metadata  # noqa: F401

    verifier = policy.verifier()
    if isinstance(verifier, RealVerifier):
        _verifier(verifier.trust, verifier.online, verifier.at)


class _Stop:
    """Ctrl-C sets ``stop``: no new work is submitted, in-flight work is finished and journaled."""

    def __init__(self) -> None:
        self.stop = False
        self._old: Any = None

    def __enter__(self) -> _Stop:
        try:
            self._old = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread
            self._old = None
        return self

    def _handle(self, *_: object) -> None:
        self.stop = True

    def __exit__(self, *exc: object) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def _run(ex: cf.Executor, fn: Callable[..., Any], items: Iterable[tuple[Any, ...]], window: int,
         stop: _Stop, done: Callable[[tuple[Any, ...], cf.Future[Any]], None]) -> None:
    """Submit ``fn(*item)`` with at most ``window`` in flight (memory flat in the number of items)."""
    flight: dict[cf.Future[Any], tuple[Any, ...]] = {}
    it = iter(items)
    while True:
        while not stop.stop and len(flight) < window:
            item = next(it, None)
            if item is None:
                break
            flight[ex.submit(fn, *item)] = item
        if not flight:
            return
        finished, _ = cf.wait(list(flight), return_when=cf.FIRST_COMPLETED)
        for fut in finished:
            done(flight.pop(fut), fut)


class _Progress:
    def __init__(self, enabled: bool, label: str) -> None:
        self.bar: Any = None
        if enabled:
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=False)
            self.task = self.bar.add_task(label, total=None)
            self.bar.start()

    def total(self, n: int) -> None:
        if self.bar:
            self.bar.update(self.task, total=n)

    def advance(self) -> None:
        if self.bar:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar:
            self.bar.stop()


# -- build ------------------------------------------------------------------------------------------------


@dataclass
class BuildSummary:
    """What a build did, counting every document the archive knows (this run and earlier ones)."""

    archive: Path
    archived: int = 0
    rejected: int = 0
    failed: int = 0
    packages: int = 0
    new_this_run: int = 0
    interrupted: bool = False
    outcomes: Path | None = None
    #: worker seconds spent this run in each stage (``metadata``, ``verify``, ``package``), summed
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def _add_times(self, times: dict[str, float] | None) -> None:
        for k, v in (times or {}).items():
            self.stage_seconds[k] = self.stage_seconds.get(k, 0.0) + v

    def to_dict(self) -> dict[str, Any]:
        return {"archive": str(self.archive), "archived": self.archived, "rejected": self.rejected,
                "failed": self.failed, "packages": self.packages, "new_this_run": self.new_this_run,
                "interrupted": self.interrupted}


def collect_sources(sources: Iterable[str | Path]) -> list[Path]:
    """The documents under ``sources`` (files, or folders walked for ``.pdf``/``.xml``/``.edxml``), sorted."""
    out: set[Path] = set()
    for src in sources:
        p = Path(src)
        if p.is_file():
            out.add(p.resolve())
        elif p.is_dir():
            out.update(f.resolve() for f in p.rglob("*") if f.is_file() and not f.is_symlink()
                       and f.suffix.lower() in _DOC_SUFFIXES)
        else:
            raise ResourceError("no such file or folder", message_vi="Không có tệp hoặc thư mục này", path=p)
    return sorted(out)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


#: Augmented documents made by workers at ingest, waiting for their record's package (not wiped on resume,
#: unlike ``.tmp``: a resumed run packages them without asking the TSA again).
STAGED = ".staged"


def _staged_path(root: Path, source: Path) -> Path:
    return root / STAGED / (hashlib.sha256(str(source).encode()).hexdigest()[:32] + source.suffix.lower())


def _augment_staged(augment: Callable[[Path, Path], AugmentResult], root: Path, source: Path) -> dict[str, Any]:
    """Augment ``source`` into the staging folder, complete or not at all (temporary name, fsync, rename)."""
    final = _staged_path(root, source)
    final.parent.mkdir(exist_ok=True)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.part")
    try:
        result = augment(source, tmp)
        check_prefix(source, tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    expiry = result.timestamp_expiry
    return {"path": str(final), "level": result.level, "detail": result.detail,
            "timestamp_expiry": expiry.isoformat() if expiry else None}


def _evidence_staged(evidence: Callable[[Path, Path], AugmentResult], root: Path, source: Path) -> dict[str, Any]:
    """The first evidence time-stamp of ``source`` (an edXML message) in the staging folder, complete or not at
    all (made in a temporary folder, fsynced, renamed)."""
    final = _staged_path(root, source).with_suffix(".evidence")
    final.parent.mkdir(exist_ok=True)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.part")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        result = evidence(source, tmp)
        for f in tmp.iterdir():
            fd = os.open(f, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        shutil.rmtree(final, ignore_errors=True)  # a staged chain of an earlier, killed run
        os.rename(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    expiry = result.timestamp_expiry
    return {"evidence": str(final), "level": result.level, "detail": result.detail,
            "timestamp_expiry": expiry.isoformat() if expiry else None}


def _drop_staged(staged: dict[str, Any] | None) -> None:
    if staged and staged.get("path"):
        Path(staged["path"]).unlink(missing_ok=True)
    elif staged and staged.get("evidence"):
        shutil.rmtree(staged["evidence"], ignore_errors=True)


def _ingest(policy: ArchivePolicy, source: Path, root: str | None = None) -> dict[str, Any]:
    """Worker: verification, metadata (from what the signatures cover) and, with a TSA, augmentation of one
    document into the staging folder; never raises for the document's content.

    Augmenting here rather than when the record is packaged spreads the TSA round trips over every worker
    even when a whole batch is one record (measured: one 100-document record augmented at packaging ran at
    the speed of one worker whatever ``jobs`` was)."""
    out: dict[str, Any] = {"source": str(source), "name": source.name}
    clock = time.perf_counter()
    times: dict[str, float] = {}
    out["times"] = times
    try:
        out["sha256"] = _sha256(source)
        result = policy.verifier()(source)
        out["verdict"], out["report"] = verdict_of(result), report_of(result)
        times["verify"] = time.perf_counter() - clock
        accepted = policy.accepts(out["verdict"])
        clock = time.perf_counter()
        try:  # metadata only from the signed content the verifier established (issue 13 point 2)
            meta = read_metadata(source, scope=signed_scope(source, out["report"]))
        except EdocError:
            if accepted:
                raise
            meta = None  # a rejected document's metadata only groups it in the log
        times["metadata"] = time.perf_counter() - clock
        key = ""
        if meta is not None:
            out["fields"], out["meta_xml"] = meta.fields, meta.xml
            key = meta.get(policy.record_by)
            if not key:
                key = f"{meta.get('OrganId') or 'unknown'}.{meta.get('Year') or 'undated'}"
        out["record"] = key or "unknown.undated"
        out["status"] = "ingested" if accepted else "rejected"
        if not accepted and out["report"].get("subindication") == "TRY_LATER":
            out["failure"] = ENVIRONMENT  # the status could not be established now: a later run tries again
        out["ts_expiry"] = timestamp_expiry(out["report"], policy.weak_digests)
        if out["status"] == "ingested" and root is not None:
            # a PDF is raised to B-LTA by appending; anything else (an edXML message) is kept as it is and
            # gets its first time-stamp beside it
            pdf = document_format(source) == "pdf"
            step = policy.augment if pdf else policy.evidence
            if step is not None:
                clock = time.perf_counter()
                out["staged"] = (_augment_staged if pdf else _evidence_staged)(step, Path(root), source)
                out["ts_expiry"] = out["staged"]["timestamp_expiry"] or out["ts_expiry"]
                times["augment"] = time.perf_counter() - clock
    except Exception as exc:  # EdocError or not: one document's failure is its outcome, never the batch's
        out.update(status="failed", error=_error(exc), failure=failure_class(exc))
        out.setdefault("sha256", "")
    return out


def timestamp_expiry(report: dict[str, Any], weak_digests: frozenset[str] = frozenset()) -> str | None:
    """When the newest time-stamp in a verification report stops protecting the document (ISO), if any.

    The expiry of the latest time-stamp's certificate; a time-stamp made with a weak digest counts as
    expired already (renewal then re-stamps at once). Reads the JSON shape of :mod:`edoc.verify.report`.
    """
    latest: tuple[str, str | None] | None = None
    for sig in report.get("signatures") or ():
        if not isinstance(sig, dict) or sig.get("role") != "timestamp":
            continue
        when = str(sig.get("timestamp_time") or sig.get("signing_time") or "")
        not_after = (sig.get("signer") or {}).get("not_after")
        digest = str((sig.get("algorithms") or {}).get("digest") or "").lower()
        expiry = "1970-01-01T00:00:00+00:00" if digest in weak_digests else not_after
        if latest is None or when > latest[0]:
            latest = (when, expiry)
    return latest[1] if latest else None


def package_name(record: str) -> str:
    """A folder name for a record: ASCII letters, digits, ``.-_``, plus a short hash against collisions."""
    ascii_ = unicodedata.normalize("NFKD", record.replace("Đ", "D").replace("đ", "d"))
    ascii_ = ascii_.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_).strip("-.")[:60] or "record"
    return f"{slug}-{hashlib.sha256(record.encode()).hexdigest()[:8]}"


def _record_xml(record: str, policy: ArchivePolicy, rows: list[dict[str, Any]]) -> bytes:
    from edoc.metadata import FileCode, Record, record_metadata_xml

    fields = [r["fields"] for r in rows]
    dates = sorted(f["IssuedDate"] for f in fields if f.get("IssuedDate"))
    first = fields[0] if fields else {}
    code = None
    if all(first.get(k) for k in ("OrganId", "FileCatalog", "FileNotation")) and first["FileCatalog"].isdigit():
        code = FileCode(first["OrganId"], int(first["FileCatalog"]), first["FileNotation"])
    pages = sum(int(f["PageAmount"]) for f in fields if f.get("PageAmount", "").isdigit())
    if code is None:  # no national FileCode: the record key stands in, hashed when longer than FileNotation
        notation = record if len(record) <= 20 else hashlib.sha256(record.encode()).hexdigest()[:20]
        organ = first.get("OrganId", "") or "unknown"
        year = first.get("IssuedDate", "")[:4]
        code = FileCode(organ, int(year) if year.isdigit() else 0, notation)
    organ_name = first.get("OrganName", "")
    rec = Record(file_code=code, title=record, maintenance=policy.maintenance,
                 creator=organ_name if len(organ_name) <= 30 else first.get("OrganId", ""),
                 start_date=dt.date.fromisoformat(dates[0]) if dates else None,
                 end_date=dt.date.fromisoformat(dates[-1]) if dates else None,
                 doc_total=len(rows), page_total=pages)
    return record_metadata_xml(rec)


def _package(policy: ArchivePolicy, root: str, record: str, name: str, rows: list[dict[str, Any]],
             sealed: bool) -> dict[str, Any]:
    """Worker: build one record's package, add new documents to a sealed one, or accept the complete package
    a killed run already renamed into place."""
    base = Path(root)
    final = base / "packages" / name
    new_rows = [r for r in rows if r["status"] == "ingested"]
    docs = [DocFile(Path(r["source"]), r["name"], r["meta_xml"], r["report"], r["verdict"], r.get("staged"))
            for r in new_rows]
    record_xml = _record_xml(record, policy, rows)
    if final.exists():
        expected = {f"{DOCS}/{r['name']}" for r in rows}
        if check_package(final).ok and expected == _payload_docs(final):
            return {"record": record, "name": name, "docs": [{"name": r["name"]} for r in new_rows]}
        if sealed:  # journaled done: never rebuilt from sources, only added to, copy-on-write
            info = append_to_package(base / ".tmp", final, docs, record_xml, policy.augment, policy.evidence)
            return {"record": record, "name": name, "docs": info}
        stale = base / ".tmp" / f"{name}.stale"
        os.rename(final, stale)  # not journaled and not complete: its documents are packaged again
        shutil.rmtree(stale, ignore_errors=True)
        docs = [DocFile(Path(r["source"]), r["name"], r["meta_xml"], r["report"], r["verdict"], r.get("staged"))
                for r in rows]
    bag_info = {"Source-Organization": rows[0]["fields"].get("OrganName", "") or "unknown",
                "External-Identifier": record, "Bag-Software-Agent": "edoc",
                "Bagging-Date": dt.date.today().isoformat()}
    clock = time.perf_counter()
    info = build_package(base / ".tmp", final, docs, record_xml, bag_info, policy.augment, policy.evidence)
    return {"record": record, "name": name, "docs": info, "times": {"package": time.perf_counter() - clock}}


def _payload_docs(package: Path) -> set[str]:
    folder = package / DOCS
    return {f"{DOCS}/{p.name}" for p in folder.iterdir()} if folder.is_dir() else set()


def _layout(root: Path) -> None:
    for sub in ("packages", ".tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)


def build_archive(
    sources: Iterable[str | Path],
    into: str | Path,
    *,
    policy: ArchivePolicy | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    on_outcome: Callable[[dict[str, Any]], None] | None = None,
    retry_failed: bool = False,
) -> BuildSummary:
    """Verify and package every document under ``sources`` into the archive ``into``; resumable.

    :param policy: the steps (:class:`ArchivePolicy`); the real verifier by default.
    :param jobs: worker processes (default: the CPU count; ``0`` runs inline).
    :param scheduler: address of a Dask distributed scheduler instead of local processes.
    :param progress: show a progress bar (default: when standard error is a terminal).
    :param on_outcome: called in the main process with each document's outcome as it is journaled.
    :param retry_failed: process again every document that failed in earlier runs; without it, a run
        processes again only those that failed for environmental reasons (I/O, a full disk, an unreachable
        TSA) or were rejected as TRY_LATER. Documents rejected on their content stay rejected.
    :returns: the summary; ``outcomes.jsonl`` and ``rejected.jsonl`` in the archive list every document.
    :raises ResourceError: the archive cannot be written or another process is writing it.

    The trust anchors of ``policy.trust`` are stored in the archive (:mod:`edoc.archive.trust`) for later
    audits and renewals.
    """
    policy = policy or ArchivePolicy()
    root = Path(into).resolve()
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    show = sys.stderr.isatty() if progress is None else progress
    files = collect_sources(sources)
    summary = BuildSummary(root)
    try:
        return _build(files, root, policy, jobs, scheduler, show, on_outcome, retry_failed, summary)
    except sqlite3.Error as exc:
        raise ResourceError(f"cannot write the archive journal: {exc}; run the same command again once the "
                            "cause is removed", message_vi=f"Không ghi được nhật ký của kho: {exc}; khắc phục "
                            "nguyên nhân rồi chạy lại đúng lệnh này", path=root / "journal.sqlite") from exc
    except OSError as exc:
        if isinstance(exc, EdocError):
            raise
        raise ResourceError(f"cannot write the archive: {exc.strerror or exc}; run the same command again once "
                            "the cause is removed", message_vi=f"Không ghi được kho lưu trữ: {exc.strerror or exc}; "
                            "khắc phục nguyên nhân rồi chạy lại đúng lệnh này", path=exc.filename or root) from exc


def _build(files: list[Path], root: Path, policy: ArchivePolicy, jobs: int, scheduler: str | None, show: bool,
           on_outcome: Callable[[dict[str, Any]], None] | None, retry_failed: bool,
           summary: BuildSummary) -> BuildSummary:
    with Journal(root) as journal, _Stop() as stop:
        _layout(root)
        recover(root / ".tmp", root / "packages")
        (root / ".tmp").mkdir(exist_ok=True)
        if policy.trust:
            remember_trust(root, policy.trust, online=policy.online is not False,
                           accept_indeterminate=policy.accept_indeterminate)
        known = journal.known(retry_failed=retry_failed)
        todo = [f for f in files if str(f) not in known]
        del known
        bar = _Progress(show, "archiving")
        bar.total(len(todo))
        window = max(4, 4 * max(jobs, 1))

        def ingested(item: tuple[Any, ...], fut: cf.Future[Any]) -> None:
            try:
                r = fut.result()
            except BrokenProcessPool as exc:
                raise ResourceError("a worker process died (out of memory or killed); run the same command "
                                    "again to resume", message_vi="Một tiến trình xử lý đã dừng đột ngột (hết bộ "
                                    "nhớ hoặc bị dừng); chạy lại đúng lệnh này để tiếp tục", path=item[1]) from exc
            except Exception as exc:
                r = {"source": str(item[1]), "name": item[1].name, "sha256": "", "status": "failed",
                     "error": _error(exc), "failure": failure_class(exc)}
            journal.record_outcome(r["source"], r["name"], r["sha256"], r["status"], record=r.get("record"),
                                   verdict=r.get("verdict"), report=r.get("report"), fields=r.get("fields"),
                                   meta_xml=r.get("meta_xml"), error=r.get("error"), ts_expiry=r.get("ts_expiry"),
                                   staged=r.get("staged"), failure=r.get("failure"))
            summary.new_this_run += 1
            summary._add_times(r.get("times"))
            if on_outcome:
                on_outcome({k: r.get(k) for k in ("source", "status", "verdict", "record", "error", "failure")})
            bar.advance()

        if todo and jobs > 0 and not scheduler:
            _warm(policy)
        try:
            with _executor(jobs, scheduler) as ex:
                _run(ex, _ingest, ((policy, f, str(root)) for f in todo), window, stop, ingested)
                if not stop.stop:
                    _check_names(journal)
                    records = journal.pending_records()

                    def items() -> Iterator[tuple[Any, ...]]:
                        for rec in records:
                            rows = [dict(r) | {"fields": json.loads(r["fields"] or "{}"),
                                               "report": json.loads(r["report"] or "{}"),
                                               "staged": json.loads(r["staged"]) if r["staged"] else None}
                                    for r in journal.record_documents(rec)]
                            sealed = journal.package_of(rec)
                            yield (policy, str(root), rec, sealed or package_name(rec), rows, sealed is not None)

                    def packaged(item: tuple[Any, ...], fut: cf.Future[Any]) -> None:
                        try:
                            r = fut.result()
                        except BrokenProcessPool as exc:
                            raise ResourceError("a worker process died; run the same command again to resume",
                                                message_vi="Một tiến trình xử lý đã dừng đột ngột; chạy lại đúng "
                                                "lệnh này để tiếp tục", path=item[1]) from exc
                        except Exception as exc:
                            for row in (r for r in item[4] if r["status"] == "ingested"):
                                journal.record_outcome(row["source"], row["name"], row["sha256"], "failed",
                                                       record=item[2], verdict=row["verdict"],
                                                       error=_error(exc), failure=failure_class(exc))
                            return
                        journal.mark_packaged(r["record"], r["name"], r["docs"])
                        summary._add_times(r.get("times"))
                        for row in item[4]:  # packaged: the staged copies are no longer needed
                            _drop_staged(row.get("staged"))

                    _run(ex, _package, items(), max(2, jobs), stop, packaged)
        finally:
            bar.close()
        if not stop.stop and not journal.pending_records():
            shutil.rmtree(root / STAGED, ignore_errors=True)  # leftovers of documents packaged by a killed run
        summary.interrupted = stop.stop
        _write_logs(journal, root, summary)
    return summary


def _check_names(journal: Journal) -> None:
    """Two documents of one record with the same file name cannot both keep their names: fail the later."""
    dup = journal.db.execute("SELECT record, name FROM documents WHERE status IN ('ingested','archived') "
                             "GROUP BY record, name HAVING COUNT(*) > 1").fetchall()
    for record, name in dup:
        rows = journal.db.execute("SELECT source, status FROM documents WHERE record=? AND name=? ORDER BY source",
                                  (record, name)).fetchall()
        keep = next((s for s, st in rows if st == "archived"), rows[0][0])
        for source, _ in rows:
            if source != keep:
                journal.db.execute("UPDATE documents SET status='failed', failure=?, error=? WHERE source=?",
                                   (CONTENT, f"InvalidInput: another document of record {record} is named {name}",
                                    source))


def _write_logs(journal: Journal, root: Path, summary: BuildSummary) -> None:
    """Write ``outcomes.jsonl`` and ``rejected.jsonl`` from the journal, streamed (memory flat in N)."""
    counts = {"archived": 0, "rejected": 0, "failed": 0, "ingested": 0}
    with atomic_writer(root / "outcomes.jsonl", "w") as out, atomic_writer(root / "rejected.jsonl", "w") as rej:
        for r in journal.iter_rows():
            counts[r["status"]] = counts.get(r["status"], 0) + 1
            line = {"source": r["source"], "name": r["name"], "sha256": r["sha256"], "outcome": r["status"],
                    "verdict": r["verdict"], "record": r["record"], "package": r["package"], "error": r["error"],
                    "failure": r["failure"]}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            if r["status"] == "rejected":
                rej.write(json.dumps(line | {"report": json.loads(r["report"] or "null")}, ensure_ascii=False) + "\n")
    summary.archived, summary.rejected, summary.failed = counts["archived"], counts["rejected"], counts["failed"]
    summary.packages = len(journal.packages())
    summary.outcomes = root / "outcomes.jsonl"


# -- audit ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageAudit:
    """The audit of one package: fixity problems by file name, and verdicts that changed."""

    package: str
    problems: BagProblems
    verdicts: dict[str, str] = field(default_factory=dict)
    degraded: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problems.ok and not self.degraded

    def to_dict(self) -> dict[str, Any]:
        p = self.problems
        return {"package": self.package, "ok": self.ok, "changed": list(p.changed), "missing": list(p.missing),
                "extra": list(p.extra), "other": list(p.other), "degraded": self.degraded}


@dataclass
class AuditReport:
    """The audit of a whole archive.

    :param trust_problems: stored trust anchors that are missing or no longer match their pin (not used).
    :param trust: the SHA-256 pins of the stored anchors the re-verification used.
    """

    packages: list[PackageAudit] = field(default_factory=list)
    missing_packages: list[str] = field(default_factory=list)
    interrupted: bool = False
    trust_problems: list[str] = field(default_factory=list)
    trust: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing_packages and not self.trust_problems and all(p.ok for p in self.packages)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "missing_packages": self.missing_packages,
                "packages": [p.to_dict() for p in self.packages], "interrupted": self.interrupted,
                "trust": self.trust, "trust_problems": self.trust_problems}


def _audit(policy: ArchivePolicy, root: str, name: str, stored: dict[str, str]) -> PackageAudit:
    """Worker: re-hash a package, re-verify its documents, log a fixity event into it when it passed."""
    base = Path(root)
    package = base / "packages" / name
    problems = check_package(package)
    verdicts, degraded = {}, {}
    verify = policy.verifier()
    for doc in sorted((package / DOCS).iterdir()) if (package / DOCS).is_dir() else []:
        try:
            verdicts[doc.name] = verdict_of(verify(doc))
        except EdocError as exc:
            verdicts[doc.name] = f"error: {exc}"
        if verdicts[doc.name] != stored.get(doc.name) and stored.get(doc.name) is not None:
            degraded[doc.name] = f"{stored[doc.name]} -> {verdicts[doc.name]}"
        chain = check_evidence(doc, package / EVIDENCE / doc.name)  # time-stamps kept beside it
        if chain:
            degraded[doc.name] = "; ".join(filter(None, (degraded.get(doc.name), "evidence: " + "; ".join(chain))))
    result = PackageAudit(name, problems, verdicts, degraded)
    if problems.ok:  # never re-seal a bag that fails: that would bless the damage
        detail = "fixity and verdicts unchanged" if not degraded else f"verdicts changed: {degraded}"

        def change(_copy: Path) -> list[Event]:
            return [Event("fixity check", "success" if result.ok else "failure", detail)]

        mutate_package(package, base / ".tmp", change, payload_changed=False)
    return result


def with_stored_trust(root: Path, policy: ArchivePolicy) -> tuple[ArchivePolicy, list[str], list[str]]:
    """``policy`` verifying with the trust anchors the archive stored (before those of ``policy.trust``) and,
    when ``policy.online`` is ``None``, with the build's recorded choice.

    :returns: the policy, the pins of the stored anchors used, and the problems of the stored trust.
    """
    stored, problems = read_trust(root)
    paths = tuple(str(root / a.file) for a in stored.anchors)
    trust = tuple(dict.fromkeys((*paths, *(str(t) for t in policy.trust))))
    online = policy.online if policy.online is not None else stored.online
    return dataclasses.replace(policy, trust=trust, online=online), [a.sha256 for a in stored.anchors], problems


def audit_archive(archive: str | Path, *, policy: ArchivePolicy | None = None, jobs: int | None = None,
                  scheduler: str | None = None,
                  on_package: Callable[[int, int], None] | None = None) -> AuditReport:
    """Re-hash every package and re-verify every document; report changed, missing and extra files by name.

    Documents are verified with the trust anchors the archive stored at build time plus ``policy.trust``
    (:func:`with_stored_trust`); a stored anchor that no longer matches its pin is an audit problem.

    :param on_package: called after each package with (packages done, packages in all), e.g. for a progress bar.
    :raises ResourceError: the archive has no journal or another process is writing it.
    """
    policy = policy or ArchivePolicy()
    root = Path(archive).resolve()
    if not (root / "journal.sqlite").exists():
        raise ResourceError("not an edoc archive (no journal.sqlite)",
                            message_vi="Không phải kho lưu trữ của edoc (không có journal.sqlite)", path=root)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    report = AuditReport()
    policy, report.trust, report.trust_problems = with_stored_trust(root, policy)
    with Journal(root) as journal, _Stop() as stop:
        recover(root / ".tmp", root / "packages")
        (root / ".tmp").mkdir(exist_ok=True)
        items = []
        for name, _record in journal.packages():
            if not (root / "packages" / name).is_dir():
                report.missing_packages.append(name)
                continue
            stored = {r["name"]: r["verdict"] for r in journal.rows("package=?", (name,))}
            items.append((policy, str(root), name, stored))
        extra = sorted({p.name for p in (root / "packages").iterdir()} - {n for n, _ in journal.packages()})
        report.missing_packages += [f"unexpected package: {n}" for n in extra]

        def audited(item: tuple[Any, ...], fut: cf.Future[Any]) -> None:
            try:
                res: PackageAudit = fut.result()
            except BrokenProcessPool as exc:
                raise ResourceError("a worker process died during the audit",
                                    message_vi="Một tiến trình xử lý đã dừng đột ngột khi kiểm tra kho",
                                    path=item[2]) from exc
            except Exception as exc:
                res = PackageAudit(item[2], BagProblems(other=(_error(exc),)))
            report.packages.append(res)
            journal.event(res.package, None, "fixity check", json.dumps(res.to_dict(), ensure_ascii=False))
            if on_package is not None:
                on_package(len(report.packages), len(items))

        with _executor(jobs, scheduler) as ex:
            _run(ex, _audit, items, max(2, 2 * max(jobs, 1)), stop, audited)
        report.interrupted = stop.stop
    report.packages.sort(key=lambda p: p.package)
    return report


# -- renew ------------------------------------------------------------------------------------------------


@dataclass
class RenewSummary:
    """Documents given a new time-stamp, by package, and those whose renewal failed (with why).

    :param renewed: package -> names of the documents renewed.
    :param failed: package -> document name -> the error (each a finding; the rest of the run went on).
    """

    renewed: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.renewed.values())

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        return {"renewed": self.renewed, "failed": self.failed, "count": self.count}


class _NothingRenewed(Exception):
    """Every document of a package failed: the package is left as it was."""


def _renew_one(doc: Path, policy: ArchivePolicy) -> AugmentResult:
    """Renew one archived document in a package copy: a PDF gets a PAdES document time-stamp appended (a new
    file replaces it: the hard-linked original is untouched); an edXML message is never written, the next
    time-stamp of its chain is added beside it (:mod:`edoc.archive.evidence`)."""
    if document_format(doc) == "pdf":
        if policy.timestamper is None:
            raise UnsupportedFeature("a PDF's time-stamp renewal needs a document time-stamper (--tsa or "
                                     "--timestamper)", message_vi="Gia hạn dấu thời gian của PDF cần dịch vụ "
                                     "cấp dấu thời gian (--tsa hoặc --timestamper)", field="timestamper", path=doc)
        tmp = doc.with_name(f".{doc.name}.renew")
        try:
            result = policy.timestamper(doc, tmp)
            check_prefix(doc, tmp)
            os.replace(tmp, doc)
        finally:
            tmp.unlink(missing_ok=True)
        return result
    if policy.evidence is None:
        raise UnsupportedFeature("an edXML message keeps its time-stamps beside it: renewal needs a time-stamping "
                                 "authority (--tsa), not a PDF time-stamper", message_vi="Thông điệp edXML giữ dấu "
                                 "thời gian bên cạnh: gia hạn cần máy chủ dấu thời gian (--tsa)", field="tsa",
                                 path=doc)
    package = doc.parents[2]  # PACKAGE/data/documents/NAME
    return policy.evidence(doc, package / EVIDENCE / doc.name)


def renew_archive(archive: str | Path, before: dt.date | dt.datetime, *, policy: ArchivePolicy,
                  on_package: Callable[[int, int], None] | None = None) -> RenewSummary:
    """Add a time-stamp to archived documents whose last time-stamp expires before ``before``.

    :param on_package: called after each package due with (packages done, packages due).

    Each format is renewed its own way: a PDF gets a PAdES document time-stamp appended
    (``policy.timestamper``), an edXML message the next time-stamp of the chain kept beside it
    (``policy.evidence``). Documents with no time-stamp yet (augmentation pending) are renewed too. Each
    package is changed copy-on-write and its manifests re-made before the swap, with a ``timestamp renewal``
    event per document. A document that cannot be renewed (a TSA that does not answer, a file that is not
    what it claims, a missing step) is a finding in :attr:`RenewSummary.failed`, its event logged with outcome
    ``failure`` when other documents of its package were renewed, and the run goes on; it stays due, so the
    next run tries it again. The trust anchors of ``policy.trust`` (the TSA's among them) are stored in the
    archive, so later audits trust the new time-stamps.

    :raises UnsupportedFeature: neither ``policy.timestamper`` nor ``policy.evidence`` is set.
    :raises ResourceError: the archive has no journal or another process is writing it.
    """
    if policy.timestamper is None and policy.evidence is None:
        raise UnsupportedFeature("renewal needs a document time-stamper (policy.timestamper: give --tsa or "
                                 "--timestamper)", message_vi="Gia hạn cần một dịch vụ cấp dấu thời gian "
                                 "(--tsa hoặc --timestamper)", field="timestamper")
    root = Path(archive).resolve()
    if not (root / "journal.sqlite").exists():
        raise ResourceError("not an edoc archive (no journal.sqlite)",
                            message_vi="Không phải kho lưu trữ của edoc (không có journal.sqlite)", path=root)
    horizon = before if isinstance(before, dt.datetime) else dt.datetime.combine(before, dt.time(),
                                                                                   dt.timezone.utc)
    if horizon.tzinfo is None:
        horizon = horizon.replace(tzinfo=dt.timezone.utc)
    summary = RenewSummary()
    with Journal(root) as journal:
        recover(root / ".tmp", root / "packages")
        (root / ".tmp").mkdir(exist_ok=True)
        due: dict[str, list[str]] = {}
        for r in journal.rows("status='archived'"):
            expiry = dt.datetime.fromisoformat(r["ts_expiry"]) if r["ts_expiry"] else None
            if expiry is not None and expiry.tzinfo is None:
                expiry = expiry.replace(tzinfo=dt.timezone.utc)
            if expiry is None or expiry < horizon:
                due.setdefault(r["package"], []).append(r["name"])
        for done, (package, names) in enumerate(sorted(due.items()), 1):
            expiries: dict[str, str | None] = {}
            failed: dict[str, str] = {}

            def change(copy: Path, names: list[str] = names, expiries: dict[str, str | None] = expiries,
                       failed: dict[str, str] = failed) -> list[Event]:
                events = []
                for name in names:
                    obj = f"{DOCS}/{name}"
                    try:
                        result = _renew_one(copy / DOCS / name, policy)
                    except Exception as exc:  # one document's failure is a finding, never the run's
                        failed[name] = _error(exc)
                        events.append(Event("timestamp renewal", "failure", failed[name], obj))
                        continue
                    expiries[name] = result.timestamp_expiry.isoformat() if result.timestamp_expiry else None
                    events.append(Event("timestamp renewal", detail=f"{result.level} {result.detail}".strip(),
                                        obj=obj))
                if not expiries:
                    raise _NothingRenewed
                return events

            try:
                mutate_package(root / "packages" / package, root / ".tmp", change, payload_changed=True)
            except _NothingRenewed:
                pass
            except Exception as exc:  # the package could not be changed: each of its documents is a finding
                expiries.clear()
                failed.update({n: failed.get(n) or _error(exc) for n in names})
            with journal.db:
                journal.db.execute("BEGIN IMMEDIATE")
                for name, exp in expiries.items():
                    journal.db.execute("UPDATE documents SET ts_expiry=? WHERE package=? AND name=?",
                                       (exp, package, name))
                if expiries:
                    journal.event(package, None, "timestamp renewal", ", ".join(expiries))
                for name, error in failed.items():
                    journal.event(package, name, "timestamp renewal failure", error)
            if expiries:
                summary.renewed[package] = list(expiries)
            if failed:
                summary.failed[package] = dict(failed)
            if on_package is not None:
                on_package(done, len(due))
        if summary.renewed and policy.trust:  # the TSA's anchors too: a later audit trusts the new time-stamps
            stored, _problems = read_trust(root)
            remember_trust(root, policy.trust, online=bool(stored.online),
                           accept_indeterminate=stored.accept_indeterminate)
    return summary


# -- find -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A catalogued document and its package."""

    source: str
    name: str
    package: str
    fields: dict[str, str]


def find(archive: str | Path, *, number: str | None = None, year: str | None = None, organ: str | None = None,
         text: str | None = None) -> list[Found]:
    """Search the archive's catalogue (archived documents only).

    :param number: the document number (``05`` or ``5``) or number/notation (``05/QĐ-UBND``).
    :param year: the year issued (or of the record list).
    :param organ: part of the organ's name or its code.
    :param text: words of the subject or any metadata (FTS5 full-text search, diacritics ignored).
    """
    root = Path(archive).resolve()
    if not (root / "journal.sqlite").exists():
        raise ResourceError("not an edoc archive (no journal.sqlite)",
                            message_vi="Không phải kho lưu trữ của edoc (không có journal.sqlite)", path=root)
    out = []
    with Journal(root, write=False) as journal:
        allowed: set[str] | None = None
        if text:
            words = [w for w in re.split(r"\W+", unicodedata.normalize("NFC", text)) if w]
            if not words:
                raise InvalidInput("the search text has no words", message_vi="Chuỗi tìm kiếm không có từ nào",
                                   field="text")
            if journal.fts:
                query = " ".join('"' + w.replace('"', "") + '"' for w in words)
                allowed = {r[0] for r in journal.db.execute(
                    "SELECT source FROM catalogue WHERE catalogue MATCH ?", (query,))}
            else:
                allowed = {r[0] for r in journal.db.execute("SELECT source, text FROM catalogue")
                           if all(w.casefold() in r[1].casefold() for w in words)}
        for r in journal.iter_rows("status='archived'"):  # streamed: an archive may hold millions
            if allowed is not None and r["source"] not in allowed:
                continue
            f: dict[str, str] = json.loads(r["fields"] or "{}")
            if number:
                num, _, notation = number.partition("/")
                if f.get("CodeNumber", "").lstrip("0") != num.lstrip("0"):
                    continue
                if notation and f.get("CodeNotation", "").casefold() != notation.casefold():
                    continue
            if year and year not in (f.get("IssuedDate", "")[:4], f.get("FileCatalog", "")):
                continue
            if organ and organ.casefold() not in (f.get("OrganName", "") + " " + f.get("OrganId", "")).casefold():
                continue
            out.append(Found(r["source"], r["name"], r["package"], f))
    return out
