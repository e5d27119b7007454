"""Atomic writes: a temporary file beside the target, fsync, rename, fsync of the folder.

A reader never sees a half-written file; a crash leaves either the old file or the new one.

edoc writes **regular files only**: an output path that names a symbolic link, a folder, a device node, a
FIFO or a socket is refused (:class:`~edoc.errors.ResourceError`) before anything is written, so ``-o
/dev/null`` or ``-o link-to-elsewhere`` can never replace the special file or write through the link
(docs/security.md). A folder in the path may be a link; only the last name is checked.

Permissions: documents, reports and packages get ``0666`` less the process's umask, like any file a program
creates; private key material (``private=True``) gets ``0600`` whatever the umask.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from edoc.errors import ResourceError

__all__ = ["atomic_writer", "atomic_write_bytes", "atomic_write_text", "check_output", "create_temp", "fsync_dir"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename is durable only once its folder is synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def check_output(path: str | Path) -> None:
    """Refuse an output path that exists and is not a regular file (a link, folder, device, FIFO, socket).

    :raises ResourceError: naming the path and what it is.
    """
    target = Path(path)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ResourceError.from_os(exc, target, action=("cannot check the output", "Không kiểm tra được tệp kết quả")
                                    ) from exc
    if stat.S_ISREG(mode):
        return
    if stat.S_ISLNK(mode):
        what = ("a symbolic link; edoc does not write through links: give the path of a regular file",
                "một liên kết tượng trưng; edoc không ghi qua liên kết: hãy chỉ đường dẫn của một tệp thường")
    elif stat.S_ISDIR(mode):
        what = ("a folder, not a file", "một thư mục, không phải tệp")
    else:
        what = ("a device, FIFO or socket, not a regular file; edoc writes only regular files",
                "một thiết bị, FIFO hoặc socket, không phải tệp thường; edoc chỉ ghi tệp thường")
    raise ResourceError(f"the output is {what[0]}", message_vi=f"Đích ghi là {what[1]}", path=target)


def create_temp(folder: Path, name: str, *, private: bool = False) -> tuple[int, Path]:
    """Create a new temporary file ``.NAME.XXXXXXXX.part`` in ``folder``, open for writing.

    Its mode is ``0666`` less the umask, or ``0600`` with ``private`` (key material).

    :raises OSError: the folder cannot be written.
    """
    mode = 0o600 if private else 0o666
    stem = name[:120]
    while True:
        tmp = folder / f".{stem}.{secrets.token_hex(4)}.part"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, mode), tmp
        except FileExistsError:  # pragma: no cover - 2**32 names
            continue


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "wb", *, sync_dir: bool = True,
                  private: bool = False) -> Iterator[IO]:  # type: ignore[type-arg]
    """Open a temporary file beside ``path``; on a clean exit it replaces ``path`` atomically.

    On an exception the temporary file is removed and ``path`` is left as it was.

    :param sync_dir: fsync the folder after the rename (what makes the new name durable). A batch writing
        many files into one folder may pass ``False`` and call :func:`fsync_dir` once before it reports the
        files written.
    :param private: the content is key material: mode ``0600`` whatever the umask.
    :raises ResourceError: ``path`` is not a regular file (:func:`check_output`), or cannot be written.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    check_output(target)
    try:
        fd, tmp = create_temp(folder, target.name, private=private)
    except OSError as exc:
        raise ResourceError.from_os(exc, folder, action=("cannot write into the folder",
                                                         "Không ghi được vào thư mục")) from exc
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        check_output(target)  # still nothing special there (a link may have appeared since)
        os.replace(tmp, target)
        if sync_dir:
            fsync_dir(folder)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, ResourceError):
            raise ResourceError.from_os(exc, target, action=("cannot write the file", "Không ghi được tệp")) from exc
        raise


def atomic_write_bytes(path: str | Path, data: bytes, *, sync_dir: bool = True, private: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, "wb", sync_dir=sync_dir, private=private) as fh:
        fh.write(data)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, "w") as fh:
        fh.write(text)
