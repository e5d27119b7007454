"""One record (hồ sơ) as one BagIt bag, built complete or not at all, and changed copy-on-write.

Layout of a package (``ARCHIVE/packages/NAME``)::

    bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
    preservation/events.jsonl          PREMIS-like events, one JSON object a line (a tag file)
    data/documents/<file>              the documents under their own names (original bytes a prefix)
    data/metadata/record.xml           national metadata of the record (Decree 30 Appendix VI)
    data/metadata/documents/<file>.xml national metadata of each document
    data/reports/<file>.json           the validation report made at ingest
    data/evidence/<file>/…             time-stamps kept beside an edXML message (:mod:`edoc.archive.evidence`)

A package is built in ``ARCHIVE/.tmp``, every file and folder fsynced, then renamed into ``packages/``.
Changes (events, renewed time-stamps) are made on a copy (payload files hard-linked, replaced never written
in place), validated, then swapped in; :func:`recover` finishes or undoes a swap a crash interrupted.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit

from edoc.errors import InvalidInput, ResourceError
from edoc.util.fs import atomic_write_bytes, fsync_dir

__all__ = ["Event", "BagProblems", "build_package", "check_package", "mutate_package", "recover", "read_events",
           "EVENTS", "DOCS", "append_to_package", "DocFile"]

logging.getLogger("bagit").setLevel(logging.ERROR)

EVENTS = "preservation/events.jsonl"
DOCS = "data/documents"
AGENT = "edoc"


@dataclass(frozen=True)
class Event:
    """A preservation event (PREMIS 3 semantic units, JSON names).

    :param type: ``ingestion``, ``validation``, ``augmentation``, ``augmentation pending``,
        ``timestamp renewal`` (``failure`` when a document's renewal failed) or ``fixity check``.
    :param outcome: ``success``, ``pending``, ``failure``.
    :param obj: the file the event is about (bag-relative), empty for the whole package.
    """

    type: str
    outcome: str = "success"
    detail: str = ""
    obj: str = ""
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    def to_dict(self) -> dict[str, str]:
        return {"eventIdentifier": f"urn:uuid:{uuid.uuid4()}", "eventType": self.type,
                "eventDateTime": self.at.isoformat(timespec="seconds"), "eventOutcome": self.outcome,
                "eventDetail": self.detail, "linkingObject": self.obj, "linkingAgent": AGENT}


def _events_bytes(events: Iterable[Event]) -> bytes:
    return b"".join(json.dumps(e.to_dict(), ensure_ascii=False).encode() + b"\n" for e in events)


def read_events(package: Path) -> list[dict[str, Any]]:
    """The events of a package, oldest first."""
    try:
        text = (package / EVENTS).read_text("utf-8")
    except OSError as exc:
        raise ResourceError(f"cannot read the event log: {exc.strerror}", path=package / EVENTS) from exc
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _fsync_tree(root: Path) -> None:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(folder))


@dataclass(frozen=True)
class DocFile:
    """One document going into a package: its source, name, metadata XML and report."""

    source: Path
    name: str
    metadata_xml: bytes
    report: dict[str, Any]
    verdict: str
    #: the augmentation a worker already made at ingest: ``{"path", "level", "timestamp_expiry", "detail"}``
    staged: dict[str, Any] | None = None


def _use_staged(d: DocFile, target: Path) -> dict[str, Any] | None:
    """Put the augmented file made at ingest in place (hard link, else copy); ``None`` when it is gone or no
    longer extends the source (then the caller augments again)."""
    if not d.staged:
        return None
    staged = Path(d.staged["path"])
    try:
        check_prefix(d.source, staged)
        try:
            os.link(staged, target)
        except OSError:
            shutil.copyfile(staged, target)
    except (OSError, InvalidInput):
        target.unlink(missing_ok=True)
        return None
    return d.staged


def _link_tree(src: Path, dst: Path) -> None:
    """``dst`` made with the files of ``src`` (hard links, else copies)."""
    dst.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.iterdir()):
        try:
            os.link(f, dst / f.name)
        except OSError:
            shutil.copyfile(f, dst / f.name)


def _stage_beside(payload: Path, d: DocFile, target: Path, evidence: Callable[[Path, Path], Any] | None,
                  info: dict[str, Any], obj: str) -> Event:
    """A document kept as it is (an edXML message): copied unchanged, its evidence beside it."""
    shutil.copyfile(d.source, target)
    folder = payload / "evidence" / d.name
    staged = Path(d.staged["evidence"]) if d.staged and d.staged.get("evidence") else None
    if staged is not None and staged.is_dir():
        _link_tree(staged, folder)
        result: Any = d.staged
        level, detail, expiry = result["level"], result.get("detail", ""), result.get("timestamp_expiry")
    elif evidence is None:
        return Event("augmentation pending", "pending", "no time-stamping authority given", obj)
    else:
        made = evidence(target, folder)
        level, detail = made.level, made.detail
        expiry = made.timestamp_expiry.isoformat() if made.timestamp_expiry else None
    info["augmented"], info["timestamp_expiry"] = level, expiry
    return Event("augmentation", detail=f"{level} {detail}".strip(), obj=obj)


def _stage(payload: Path, docs: list[DocFile], augment: Callable[[Path, Path], Any] | None,
           evidence: Callable[[Path, Path], Any] | None = None) -> tuple[list[Event], list[dict[str, Any]]]:
    """Write the documents, their metadata and reports under ``payload`` (new files only). A PDF is augmented
    by appending (``augment``); any other document is kept unchanged with its evidence beside it."""
    from edoc.archive.evidence import document_format

    events: list[Event] = []
    out: list[dict[str, Any]] = []
    for sub in ("documents", "metadata/documents", "reports"):
        (payload / sub).mkdir(parents=True, exist_ok=True)
    for d in docs:
        target = payload / "documents" / d.name
        if target.exists():
            raise InvalidInput(f"the package already holds a document named {d.name}", path=d.source)
        obj = f"{DOCS}/{d.name}"
        events.append(Event("ingestion", detail=f"from {d.source.name}", obj=obj))
        events.append(Event("validation", "success", f"verdict {d.verdict} at ingest", obj))
        info: dict[str, Any] = {"name": d.name, "augmented": None, "timestamp_expiry": None}
        if document_format(d.source) != "pdf":
            events.append(_stage_beside(payload, d, target, evidence, info, obj))
            _write_meta(payload, d)
            out.append(info)
            continue
        staged = _use_staged(d, target)
        if staged is not None:
            info["augmented"] = staged["level"]
            info["timestamp_expiry"] = staged.get("timestamp_expiry")
            events.append(Event("augmentation", detail=f"{staged['level']} {staged.get('detail', '')}".strip(),
                                obj=obj))
        elif augment is None:
            shutil.copyfile(d.source, target)
            events.append(Event("augmentation pending", "pending", "no time-stamping authority given", obj))
        else:
            result = augment(d.source, target)
            check_prefix(d.source, target)
            info["augmented"] = result.level
            expiry = result.timestamp_expiry
            info["timestamp_expiry"] = expiry.isoformat() if expiry else None
            events.append(Event("augmentation", detail=f"{result.level} {result.detail}".strip(), obj=obj))
        out.append(info)
        _write_meta(payload, d)
    return events, out


def _write_meta(payload: Path, d: DocFile) -> None:
    (payload / "metadata" / "documents" / f"{d.name}.xml").write_bytes(d.metadata_xml)
    (payload / "reports" / f"{d.name}.json").write_text(
        json.dumps(d.report, ensure_ascii=False, indent=1, default=str), "utf-8")


def build_package(
    tmp_root: Path,
    final: Path,
    docs: list[DocFile],
    record_xml: bytes,
    bag_info: dict[str, str],
    augment: Callable[[Path, Path], Any] | None,
    evidence: Callable[[Path, Path], Any] | None = None,
) -> list[dict[str, Any]]:
    """Build the bag for one record in ``tmp_root`` and rename it to ``final``.

    :returns: per document ``{"name", "augmented", "timestamp_expiry"}``.
    :raises ResourceError: the bag cannot be written; nothing is left at ``final``.
    """
    work = tmp_root / f"{final.name}.{uuid.uuid4().hex[:8]}.build"
    try:
        work.mkdir(parents=True)
        events, out = _stage(work, docs, augment, evidence)
        (work / "metadata" / "record.xml").write_bytes(record_xml)
        bagit.make_bag(str(work), bag_info=dict(bag_info), checksums=["sha256"])
        (work / "preservation").mkdir()
        (work / EVENTS).write_bytes(_events_bytes(events))
        bagit.Bag(str(work)).save()  # tag manifest now covers the event log
        _fsync_tree(work)
        os.rename(work, final)
        fsync_dir(final.parent)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise ResourceError(f"cannot build the package: {exc}", path=final) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out


def append_to_package(
    tmp_root: Path,
    package: Path,
    docs: list[DocFile],
    record_xml: bytes,
    augment: Callable[[Path, Path], Any] | None,
    evidence: Callable[[Path, Path], Any] | None = None,
) -> list[dict[str, Any]]:
    """Add documents to an existing package (copy-on-write, manifests re-made, swapped in)."""
    out: list[dict[str, Any]] = []

    def change(copy: Path) -> list[Event]:
        events, info = _stage(copy / "data", docs, augment, evidence)
        atomic_write_bytes(copy / "data" / "metadata" / "record.xml", record_xml)  # a new inode, never in place
        out.extend(info)
        return events

    try:
        mutate_package(package, tmp_root, change, payload_changed=True)
    except OSError as exc:
        raise ResourceError(f"cannot add to the package: {exc}", path=package) from exc
    return out


def check_prefix(original: Path, augmented: Path) -> None:
    """Augmentation may only append: the original bytes must be a prefix of the result."""
    with open(original, "rb") as a, open(augmented, "rb") as b:
        while chunk := a.read(1 << 20):
            if b.read(len(chunk)) != chunk:
                raise InvalidInput("the augmented file does not keep the original bytes as its prefix",
                                   path=augmented, field="augment")


@dataclass(frozen=True)
class BagProblems:
    """What a fixity check found, by bag-relative file name."""

    changed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    other: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.extra or self.other)


def check_package(package: Path) -> BagProblems:
    """Re-hash every file of the bag and compare with its manifests."""
    try:
        bag = bagit.Bag(str(package))
        # Payload-Oxum (a count and a size) would fail first without naming a file; the completeness and
        # hash checks that follow are strictly stronger and name each file.
        bag.info.pop("Payload-Oxum", None)
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        changed, missing, extra, other = [], [], [], []
        for d in exc.details or ():
            if isinstance(d, bagit.ChecksumMismatch):
                changed.append(d.path)
            elif isinstance(d, bagit.FileMissing):
                missing.append(d.path)
            elif isinstance(d, bagit.UnexpectedFile):
                extra.append(d.path)
            else:
                other.append(str(d))
        if not exc.details:
            other.append(str(exc))
        return BagProblems(tuple(sorted(set(changed))), tuple(sorted(set(missing))), tuple(sorted(set(extra))),
                           tuple(other))
    except bagit.BagError as exc:
        return BagProblems(other=(str(exc),))
    return BagProblems()


def _copy_for_change(package: Path, work: Path) -> None:
    """Copy ``package`` to ``work``: payload files hard-linked (never written in place), tag files copied."""
    for folder, _dirs, files in os.walk(package):
        rel = Path(folder).relative_to(package)
        (work / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            src, dst = Path(folder) / name, work / rel / name
            if rel.parts[:1] == ("data",):
                try:
                    os.link(src, dst)
                    continue
                except OSError:
                    pass
            shutil.copy2(src, dst)


def mutate_package(
    package: Path,
    tmp_root: Path,
    change: Callable[[Path], list[Event]],
    *,
    payload_changed: bool,
) -> None:
    """Apply ``change`` to a copy of ``package``, update the manifests, validate, then swap it in.

    ``change(copy)`` edits the copy (replacing files, never writing into them) and returns the events to log.
    """
    name = package.name
    new, old = tmp_root / f"{name}.new", tmp_root / f"{name}.old"
    shutil.rmtree(new, ignore_errors=True)
    try:
        _copy_for_change(package, new)
        events = change(new)
        log = new / EVENTS
        previous = log.read_bytes() if log.exists() else b""
        atomic_write_bytes(log, previous + _events_bytes(events))
        bagit.Bag(str(new)).save(manifests=payload_changed)
        problems = check_package(new)
        if not problems.ok:
            raise ResourceError(f"the changed package does not validate: {problems}", path=package)
        _fsync_tree(new)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    os.rename(package, old)
    os.rename(new, package)
    fsync_dir(package.parent)
    fsync_dir(tmp_root)
    shutil.rmtree(old, ignore_errors=True)


def recover(tmp_root: Path, packages: Path) -> list[str]:
    """Finish or undo what a crash interrupted in ``tmp_root``; remove half-built packages.

    :returns: the names of packages a swap was completed or undone for.
    """
    touched: list[str] = []
    if not tmp_root.is_dir():
        return touched
    for entry in sorted(tmp_root.iterdir()):
        if entry.name.endswith(".old"):
            name = entry.name[: -len(".old")]
            final, new = packages / name, tmp_root / f"{name}.new"
            if not final.exists():
                if new.is_dir() and check_package(new).ok:
                    os.rename(new, final)
                else:
                    os.rename(entry, final)
                touched.append(name)
            fsync_dir(packages)
    for entry in sorted(tmp_root.iterdir()):
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return touched
