"""Unpack an untrusted zip attachment within bounds.

A zip inside an edXML attachment comes from outside: before anything is expanded the entry count, the
declared sizes and the compression ratio are checked, names that could escape the target folder (absolute,
``..``, backslashes, drive letters, NUL) and symlinks are refused, and while expanding the real byte count is
checked again (declared sizes can lie). Every refusal is a :class:`~edoc.errors.HostileInput`.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
from dataclasses import dataclass
from typing import IO
from zlib import error as zlib_error

from edoc.errors import HostileInput, MalformedFile, UnsupportedFeature

__all__ = ["ZipLimits", "checked_entries", "expand_entry"]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ZipLimits:
    """Bounds for zip attachments.

    :param max_entries: entries in one zip (the Java SDK writes one).
    :param max_total: declared expanded size of all entries, in bytes.
    :param max_ratio: expanded size over compressed size for an entry larger than ``ratio_floor``.
    :param ratio_floor: entries smaller than this are not ratio-checked (tiny files compress well).
    """

    max_entries: int = 16
    max_total: int = 512 * 1024 * 1024
    max_ratio: int = 200
    ratio_floor: int = 1024 * 1024


def _hostile(message: str, message_vi: str, name: str | None) -> HostileInput:
    return HostileInput(message, message_vi=message_vi, field=name)


def _check_name(name: str, where: str | None) -> None:
    parts = name.replace("\\", "/").split("/")
    bad = (name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or ".." in parts
           or (len(name) > 1 and name[1] == ":"))
    if bad:
        raise _hostile(f"zip entry name {name!r} could escape the target folder (path traversal)",
                       f"Tên mục trong tệp zip {name!r} có thể thoát khỏi thư mục đích (path traversal)", where)


def checked_entries(zf: zipfile.ZipFile, limits: ZipLimits, *, where: str | None = None) -> list[zipfile.ZipInfo]:
    """The file entries of ``zf`` once every bound holds (directories are skipped).

    :raises HostileInput: too many entries, too large, too high a ratio, a traversing name or a symlink.
    :raises UnsupportedFeature: an encrypted entry.
    """
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise _hostile(f"the zip has {len(infos)} entries; at most {limits.max_entries} are accepted",
                       f"Tệp zip có {len(infos)} mục; chỉ chấp nhận tối đa {limits.max_entries}", where)
    total = 0
    out = []
    for info in infos:
        _check_name(info.filename, where)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise _hostile(f"zip entry {info.filename!r} is a symbolic link",
                           f"Mục {info.filename!r} trong tệp zip là liên kết tượng trưng (symlink)", where)
        if info.flag_bits & 0x1:
            raise UnsupportedFeature(f"zip entry {info.filename!r} is encrypted", field=where,
                                     message_vi=f"Mục {info.filename!r} trong tệp zip bị mã hóa")
        if info.is_dir():
            continue
        total += info.file_size
        if total > limits.max_total:
            raise _hostile(f"the zip declares {total} bytes expanded; at most {limits.max_total} are accepted",
                           f"Tệp zip khai báo {total} byte khi giải nén; tối đa {limits.max_total} byte", where)
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _hostile(f"zip entry {info.filename!r} expands {info.file_size // max(info.compress_size, 1)} "
                           f"times (zip bomb); at most {limits.max_ratio} is accepted",
                           f"Mục {info.filename!r} giải nén lớn gấp "
                           f"{info.file_size // max(info.compress_size, 1)} lần (bom zip); tối đa "
                           f"{limits.max_ratio} lần", where)
        out.append(info)
    return out


def expand_entry(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, dst: IO[bytes], *, where: str | None = None
) -> tuple[int, str]:
    """Expand one checked entry into ``dst``, counting real bytes; returns (size, sha256 hex).

    :raises HostileInput: when the entry expands beyond its declared size.
    :raises MalformedFile: a corrupt entry (bad CRC, truncated data).
    """
    digest = hashlib.sha256()
    size = 0
    # reading only: OSError here is a seek to an offset the corrupt archive names (dst.write is outside)
    errors = (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib_error)
    try:
        src = zf.open(info)
    except errors as exc:
        raise _corrupt(info, exc, where) from exc
    with src:
        while True:
            try:
                chunk = src.read(_CHUNK)
            except errors as exc:
                raise _corrupt(info, exc, where) from exc
            if not chunk:
                break
            size += len(chunk)
            if size > info.file_size:
                raise _hostile(f"zip entry {info.filename!r} expands beyond its declared size",
                               f"Mục {info.filename!r} giải nén vượt kích thước đã khai báo", where)
            digest.update(chunk)
            dst.write(chunk)
    return size, digest.hexdigest()


def _corrupt(info: zipfile.ZipInfo, exc: BaseException, where: str | None) -> MalformedFile:
    return MalformedFile(f"zip entry {info.filename!r} is corrupt: {exc}", field=where,
                         message_vi=f"Mục {info.filename!r} trong tệp zip bị hỏng: {exc}")
