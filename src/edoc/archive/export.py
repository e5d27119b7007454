"""Export a record (hồ sơ) as the PDF + XML pair of Decree 30 Appendix VI.

The record's documents in chronological order (by ``IssuedDate``, then name), each prefixed with its
ordinal (``01-``, ``02-``…), beside their national metadata XML, the record's metadata XML (``record.xml``)
and a SHA-256 list. The export is written under a temporary name, fsynced and renamed: it is complete or
absent. The package itself is read only after its bag checks clean, so a damaged record is not exported.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from edoc.archive.package import check_package
from edoc.errors import InvalidInput, ResourceError
from edoc.util.fs import fsync_dir
from edoc.util.xml import parse_xml

__all__ = ["ExportedRecord", "export_record", "find_package"]


@dataclass(frozen=True)
class ExportedRecord:
    """What :func:`export_record` wrote."""

    folder: Path
    documents: tuple[Path, ...]
    record_xml: Path


def find_package(archive: str | Path, record: str) -> Path:
    """The package of a record, by package name or by its FileCode (the name's prefix)."""
    packages = Path(archive) / "packages"
    if not packages.is_dir():
        raise ResourceError("not an edoc archive (no packages folder)", path=archive)
    exact = packages / record
    if (exact / "bagit.txt").is_file():
        return exact
    matches = sorted(p for p in packages.iterdir() if p.name.startswith(record + "-") and (p / "bagit.txt").exists())
    if len(matches) != 1:
        names = ", ".join(p.name for p in sorted(packages.iterdir()))[:2000]
        raise InvalidInput(f"{len(matches)} packages match {record!r} (packages: {names})",
                           message_vi=f"Có {len(matches)} gói khớp với {record!r}", field="record")
    return matches[0]


def _issued(xml: Path) -> str:
    root = parse_xml(xml).getroot()
    for elem in root.iter():
        if isinstance(elem.tag, str) and etree.QName(elem).localname == "IssuedDate":
            return (elem.text or "").strip()
    return ""


def export_record(archive: str | Path, record: str, out: str | Path) -> ExportedRecord:
    """Write the record's documents and metadata, in chronological order, into the new folder ``out``.

    :raises InvalidInput: the record is unknown or ambiguous, or ``out`` exists.
    :raises ResourceError: the package fails its fixity check, or the export cannot be written.
    """
    package = find_package(archive, record)
    problems = check_package(package)
    if not problems.ok:
        raise ResourceError(f"the package fails its fixity check ({problems}); audit the archive first",
                            message_vi="Gói hồ sơ không còn toàn vẹn; hãy chạy edoc archive audit", path=package)
    target = Path(out)
    if target.exists():
        raise InvalidInput("the export folder exists already", path=target, field="out")
    data = package / "data"
    docs = sorted((p for p in (data / "documents").iterdir() if p.is_file()),
                  key=lambda p: (_issued(data / "metadata" / "documents" / f"{p.name}.xml"), p.name))
    tmp = target.with_name(f".{target.name}.part")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        written: list[Path] = []
        sums: list[str] = []
        width = max(2, len(str(len(docs))))
        for n, doc in enumerate(docs, 1):
            name = f"{n:0{width}d}-{doc.name}"
            shutil.copyfile(doc, tmp / name)
            meta = data / "metadata" / "documents" / f"{doc.name}.xml"
            if meta.exists():
                shutil.copyfile(meta, tmp / f"{name}.xml")
            written.append(target / name)
            sums.append(f"{hashlib.sha256(doc.read_bytes()).hexdigest()}  {name}")
        shutil.copyfile(data / "metadata" / "record.xml", tmp / "record.xml")
        (tmp / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        fsync_dir(tmp)
        os.rename(tmp, target)
        fsync_dir(target.parent)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ResourceError(f"cannot write the export: {exc.strerror}", path=target) from exc
    return ExportedRecord(target, tuple(written), target / "record.xml")
