"""The archive's journal and catalogue: one SQLite file inside the archive (WAL, one writer).

A document's row is written once its outcome is known (``ingested``, ``rejected``, ``failed``) and becomes
``archived`` in the same transaction that marks its package done, so re-running after any crash does each
document exactly once. A failure (or a TRY_LATER rejection) carries its class: ``environment`` (a full disk,
an I/O error, a TSA or responder that did not answer) is tried again by every run; ``content`` (the document
cannot be archived as it is) only with ``retry_failed``. The catalogue (with FTS5 when SQLite has it)
answers :func:`edoc.archive.find`.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from edoc.errors import ResourceError

__all__ = ["Journal"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, status TEXT NOT NULL,
    record TEXT, verdict TEXT, report TEXT, fields TEXT, meta_xml BLOB, error TEXT, package TEXT,
    ts_expiry TEXT, staged TEXT, failure TEXT, updated TEXT DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX IF NOT EXISTS documents_record ON documents(record, status);
CREATE TABLE IF NOT EXISTS packages (
    name TEXT PRIMARY KEY, record TEXT NOT NULL, documents INTEGER NOT NULL, created TEXT DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, package TEXT, document TEXT, type TEXT, detail TEXT, at TEXT DEFAULT CURRENT_TIMESTAMP);
"""


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open the journal without writing anything: read-only, and on read-only media (where SQLite cannot make
    the WAL index beside it) as an immutable file."""
    uri = path.resolve().as_uri()
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=30)
        try:
            db.execute("SELECT 1 FROM documents LIMIT 1")
        except sqlite3.OperationalError:
            db.close()
            raise
    except sqlite3.OperationalError:
        db = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        db.execute("SELECT 1 FROM documents LIMIT 1")
    return db


class Journal:
    """The SQLite journal of an archive; open it with ``with Journal(root) as j``.

    :param root: the archive folder.
    :param write: take the archive's writer lock (one writer at a time). ``False`` opens the journal read-only
        and writes nothing (no lock, no schema): searching works beside a running build and on read-only media.
    """

    def __init__(self, root: Path, *, write: bool = True) -> None:
        self.root = root
        self._lock_fd: int | None = None
        try:
            if write:
                root.mkdir(parents=True, exist_ok=True)
                self._lock_fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    # a POSIX record lock: not inherited by forked workers, so an orphaned worker of a
                    # killed run never blocks the run that resumes it
                    fcntl.lockf(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    os.close(self._lock_fd)
                    self._lock_fd = None
                    raise ResourceError("another edoc process is writing this archive", path=root) from exc
            if not write:
                self.db = _connect_read_only(root / "journal.sqlite")
                self.fts = self.db.execute("SELECT 1 FROM sqlite_master WHERE name='catalogue' AND sql LIKE "
                                           "'%fts5%'").fetchone() is not None
                return
            self.db = sqlite3.connect(root / "journal.sqlite", isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process; an OS crash can lose only the last outcomes, and
            # those are redone (ingest has no side effects; a package already renamed into place is reused)
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(documents)")}
            if "staged" not in columns:  # archives made before augmentation moved to ingest
                self.db.execute("ALTER TABLE documents ADD COLUMN staged TEXT")
            if "failure" not in columns:  # archives made before failures had a class
                self.db.execute("ALTER TABLE documents ADD COLUMN failure TEXT")
            self.fts = self._make_fts()
        except sqlite3.Error as exc:
            raise ResourceError(f"cannot open the archive journal: {exc}", path=root / "journal.sqlite") from exc

    def _make_fts(self) -> bool:
        try:
            self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS catalogue USING fts5("
                            "source UNINDEXED, text, tokenize='unicode61 remove_diacritics 2')")
            return True
        except sqlite3.OperationalError:
            self.db.execute("CREATE TABLE IF NOT EXISTS catalogue (source TEXT, text TEXT)")
            return False

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- documents -----------------------------------------------------------------------------------

    def known(self, *, retry_failed: bool = False) -> set[str]:
        """Sources a run does not process again: every outcome but the environmental failures and TRY_LATER
        rejections (and, with ``retry_failed``, but every failure). A failure of an archive made before
        failures had a class counts as environmental."""
        retry = "(status IN ('failed', 'rejected') AND COALESCE(failure, " \
                "CASE status WHEN 'failed' THEN 'environment' ELSE 'content' END) = 'environment')"
        if retry_failed:
            retry += " OR status = 'failed'"
        return {r[0] for r in self.db.execute(f"SELECT source FROM documents WHERE NOT ({retry})")}  # noqa: S608

    def record_outcome(self, source: str, name: str, sha256: str, status: str, *, record: str | None = None,
                       verdict: str | None = None, report: dict[str, Any] | None = None,
                       fields: dict[str, str] | None = None, meta_xml: bytes | None = None,
                       error: str | None = None, ts_expiry: str | None = None,
                       staged: dict[str, Any] | None = None, failure: str | None = None) -> None:
        """Write a document's outcome; ``failure`` is the class of a failure (``environment``/``content``)."""
        self.db.execute(
            "INSERT OR REPLACE INTO documents(source, name, sha256, status, record, verdict, report, fields,"
            " meta_xml, error, ts_expiry, staged, failure) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (source, name, sha256, status, record, verdict,
             json.dumps(report, ensure_ascii=False, default=str) if report is not None else None,
             json.dumps(fields, ensure_ascii=False) if fields is not None else None, meta_xml, error, ts_expiry,
             json.dumps(staged) if staged is not None else None, failure))

    def pending_records(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT record FROM documents WHERE status='ingested' ORDER BY record")]

    def record_documents(self, record: str) -> list[sqlite3.Row]:
        cur = self.db.cursor()
        cur.row_factory = sqlite3.Row
        return list(cur.execute("SELECT * FROM documents WHERE record=? AND status IN ('ingested','archived')"
                                " ORDER BY name", (record,)))

    def package_of(self, record: str) -> str | None:
        row = self.db.execute("SELECT name FROM packages WHERE record=?", (record,)).fetchone()
        return str(row[0]) if row else None

    def mark_packaged(self, record: str, package: str, docs: list[dict[str, Any]]) -> None:
        """Mark a record's package done and its documents archived, in one transaction."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for d in docs:
                self.db.execute("UPDATE documents SET status='archived', package=?, ts_expiry=COALESCE(?, ts_expiry) "
                                "WHERE record=? AND name=? AND status IN ('ingested','archived')",
                                (package, d.get("timestamp_expiry"), record, d["name"]))
                row = self.db.execute("SELECT source, fields FROM documents WHERE record=? AND name=?",
                                      (record, d["name"])).fetchone()
                self.db.execute("DELETE FROM catalogue WHERE source=?", (row[0],))
                fields = json.loads(row[1] or "{}")
                self.db.execute("INSERT INTO catalogue(source, text) VALUES (?,?)",
                                (row[0], " ".join(str(v) for v in fields.values())))
            total = self.db.execute("SELECT COUNT(*) FROM documents WHERE package=?", (package,)).fetchone()[0]
            self.db.execute("INSERT OR REPLACE INTO packages(name, record, documents) VALUES (?,?,?)",
                            (package, record, total))
            self.event(package, None, "ingestion", f"{len(docs)} documents")

    def event(self, package: str | None, document: str | None, type_: str, detail: str = "") -> None:
        self.db.execute("INSERT INTO events(package, document, type, detail) VALUES (?,?,?,?)",
                        (package, document, type_, detail))

    def rows(self, where: str = "1", params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        cur = self.db.cursor()
        cur.row_factory = sqlite3.Row
        return list(cur.execute(f"SELECT * FROM documents WHERE {where} ORDER BY source", params))  # noqa: S608

    def iter_rows(self, where: str = "1", params: tuple[Any, ...] = ()) -> Iterator[sqlite3.Row]:
        """Document rows, streamed (every one by default)."""
        cur = self.db.cursor()
        cur.row_factory = sqlite3.Row
        yield from cur.execute(f"SELECT * FROM documents WHERE {where} ORDER BY source", params)  # noqa: S608

    def packages(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.db.execute("SELECT name, record FROM packages ORDER BY name")]
