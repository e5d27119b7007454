"""Atomic writes: a temporary file beside the target, fsync, rename, fsync of the folder.

A reader never sees a half-written file; a crash leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from edoc.errors import ResourceError

__all__ = ["atomic_writer", "atomic_write_bytes", "atomic_write_text", "fsync_dir"]


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


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "wb", *, sync_dir: bool = True) -> Iterator[IO]:  # type: ignore[type-arg]
    """Open a temporary file beside ``path``; on a clean exit it replaces ``path`` atomically.

    On an exception the temporary file is removed and ``path`` is left as it was.

    :param sync_dir: fsync the folder after the rename (what makes the new name durable). A batch writing
        many files into one folder may pass ``False`` and call :func:`fsync_dir` once before it reports the
        files written.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ResourceError(f"cannot write into {folder}: {exc.strerror}", path=target) from exc
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        if sync_dir:
            fsync_dir(folder)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, ResourceError):
            raise ResourceError(f"cannot write the file: {exc.strerror}", path=target) from exc
        raise


def atomic_write_bytes(path: str | Path, data: bytes, *, sync_dir: bool = True) -> None:
    with atomic_writer(path, "wb", sync_dir=sync_dir) as fh:
        fh.write(data)


def atomic_write_text(path: str | Path, text: str) -> None:
    with atomic_writer(path, "w") as fh:
        fh.write(text)
