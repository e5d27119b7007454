"""Untrusted attachments within bounds: zip limits and file names, one definition for every reader.

A zip inside an edXML attachment comes from outside: before anything is expanded the entry count, the
declared sizes and the compression ratio are checked, names that could escape the target folder (absolute,
``..``, backslashes, drive letters, NUL) and symlinks are refused, and while expanding the real byte count is
checked again (declared sizes can lie). Every refusal is a :class:`~edoc.errors.HostileInput`.

``edoc edxml show --extract`` and ``edoc verify`` apply the same :class:`ZipLimits` (through
:class:`~edoc.edxml.ReadLimits`), and an ``AttachmentName`` becomes a file name only through
:func:`safe_file_name`, bounded in UTF-8 bytes (not characters: 198 Vietnamese characters are 261 bytes, more
than the 255 a Linux file name may have).
"""

from __future__ import annotations

import hashlib
import stat
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO
from zlib import error as zlib_error

from edoc.errors import HostileInput, MalformedFile, UnsupportedFeature

__all__ = ["MAX_NAME_BYTES", "ZipLimits", "checked_entries", "expand_entry", "open_zip", "safe_file_name"]

_CHUNK = 1 << 20
#: Longest file name made from an attachment name, in UTF-8 bytes: under the 255 of ext4, XFS, Btrfs and
#: NTFS-3G, with room for the ``-k`` of a repeated name.
MAX_NAME_BYTES = 240
#: Characters never kept in a file name besides control and format characters: those Windows reserves.
_RESERVED = frozenset('<>:"|?*')
#: Unicode categories never kept: controls, format characters (bidi embeddings, overrides and isolates,
#: zero-width marks, which make ``gpj.exe`` look like ``exe.jpg``), line and paragraph separators, surrogates.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


@dataclass(frozen=True)
class ZipLimits:
    """Bounds for zip attachments.

    :param max_entries: entries in one zip (the Java SDK writes one; an office document, which is a zip,
        holds tens to hundreds of parts).
    :param max_total: declared expanded size of all entries, in bytes.
    :param max_ratio: expanded size over compressed size for an entry larger than ``ratio_floor``.
    :param ratio_floor: entries smaller than this are not ratio-checked (tiny files compress well).
    """

    max_entries: int = 1024
    max_total: int = 512 * 1024 * 1024
    max_ratio: int = 200
    ratio_floor: int = 1024 * 1024


def safe_file_name(name: str, index: int, taken: set[str]) -> str:
    """A plain file name for attachment ``name`` (the ``index``-th of its message): the last path part,
    without control or format characters nor those Windows reserves, no leading dot, at most
    :data:`MAX_NAME_BYTES` UTF-8 bytes (cut on a character boundary, the extension kept), made unique against
    ``taken`` (case-insensitively; the result is added to it)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base
                   if ch not in _RESERVED and unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    base = base.strip().lstrip(".") or f"attachment-{index + 1}"
    candidate, k = _fit(base, ""), 1
    while candidate.casefold() in taken:
        k += 1
        candidate = _fit(base, f"-{k}")
    taken.add(candidate.casefold())
    return candidate


def _fit(base: str, suffix: str) -> str:
    """``base`` with ``suffix`` before its extension, the stem cut to fit :data:`MAX_NAME_BYTES`."""
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem or len(ext.encode()) > 16:
        stem, ext = base, ""
    tail = (suffix + ("." + ext if ext else "")).encode()
    room = MAX_NAME_BYTES - len(tail)
    cut = stem.encode()[:room].decode("utf-8", "ignore").rstrip()
    return (cut or "attachment") + tail.decode()


def _hostile(message: str, message_vi: str, name: str | None) -> HostileInput:
    return HostileInput(message, message_vi=message_vi, field=name)


def _check_name(name: str, where: str | None) -> None:
    parts = name.replace("\\", "/").split("/")
    bad = (name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or ".." in parts
           or (len(name) > 1 and name[1] == ":"))
    if bad:
        raise _hostile(f"zip entry name {name!r} could escape the target folder (path traversal)",
                       f"Tên mục trong tệp zip {name!r} có thể thoát khỏi thư mục đích (path traversal)", where)


#: bytes of central directory accepted per entry (46 fixed, then name, extra field and comment)
_CD_BYTES_PER_ENTRY = 1024
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


def open_zip(fh: IO[bytes], limits: ZipLimits, *, where: str | None = None) -> zipfile.ZipFile:
    """``zipfile.ZipFile(fh)`` once the end-of-central-directory record says the entry count and the central
    directory's size are within ``limits``: zipfile reads the whole central directory into objects before
    any entry can be counted, so a zip declaring millions of entries would cost memory first.

    :raises HostileInput: too many entries, or a central directory too large for their number.
    :raises zipfile.BadZipFile: not a zip (as ``zipfile.ZipFile``).
    """
    fh.seek(0, 2)
    size = fh.tell()
    fh.seek(max(0, size - _EOCD.size - 0xFFFF))
    tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at >= 0 and at + _EOCD.size <= len(tail):
        _sig, _disk, _cd_disk, _here, count, cd_size, _cd_offset, _comment = _EOCD.unpack_from(tail, at)
        locator = at - _ZIP64_LOCATOR.size
        if (count == 0xFFFF or cd_size == 0xFFFFFFFF) and locator >= 0 \
                and tail[locator:locator + 4] == b"PK\x06\x07":
            offset = _ZIP64_LOCATOR.unpack_from(tail, locator)[2]
            fh.seek(offset)
            record = fh.read(_ZIP64_EOCD.size)
            if len(record) == _ZIP64_EOCD.size and record[:4] == b"PK\x06\x06":
                count, cd_size = _ZIP64_EOCD.unpack(record)[6:8]
        if count > limits.max_entries or cd_size > max(count, 1) * _CD_BYTES_PER_ENTRY:
            raise _hostile(f"the zip declares {count} entries in {cd_size} bytes of directory; at most "
                           f"{limits.max_entries} entries are accepted",
                           f"Tệp zip khai báo {count} mục trong {cd_size} byte thư mục; chỉ chấp nhận tối đa "
                           f"{limits.max_entries} mục", where)
    fh.seek(0)
    return zipfile.ZipFile(fh)


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
