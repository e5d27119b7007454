"""The exceptions edoc raises.

Every failure edoc reports is an :class:`EdocError`. Each subclass also inherits the builtin exception a
caller would catch without knowing edoc, and carries its context as attributes (``path``, ``field``,
``line``, ``backend``), not only in the message::

    EdocError
    ├── InvalidInput (ValueError)            input that breaks a rule: a field, a file, a value
    │   ├── ValidationError                  several field-by-field problems at once (``.problems``)
    │   ├── MalformedFile                    a file that cannot be parsed at all (XML, PDF, zip)
    │   └── HostileInput                     input refused as an attack or a resource bomb
    ├── UnsupportedFeature (NotImplementedError)
    ├── MissingDependency (ImportError)      an optional extra is not installed (names the extra)
    ├── ResourceError (OSError)              a file that cannot be read or written
    └── KeyBackendError (RuntimeError)       certificate backends (see :mod:`edoc.keys`)

The command line turns every ``EdocError`` into one paragraph and the exit code of :attr:`EdocError.exit_code`.
Secrets (PINs, passwords) never appear in messages or attributes.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EdocError",
    "InvalidInput",
    "ValidationError",
    "Problem",
    "MalformedFile",
    "HostileInput",
    "UnsupportedFeature",
    "MissingDependency",
    "ResourceError",
    "KeyBackendError",
    "EXIT_CODES",
    "os_reason",
]


class EdocError(Exception):
    """Root of every error edoc raises.

    :param message: English text, one sentence or a short paragraph.
    :param message_vi: Vietnamese text of the same message (shown by default on the command line).
    :param path: the file at fault, when there is one.
    :param field: the field or element at fault (a dotted path such as ``signer.full_name``).
    :param line: the line in ``path``, when known.
    """

    #: Exit status of the command line for this class of error (documented in docs/cli.md).
    exit_code = 10
    #: Short Vietnamese name of the class of error, used when no Vietnamese message is given.
    kind_vi = "Lỗi"

    def __init__(
        self,
        message: str,
        *,
        message_vi: str | None = None,
        path: str | Path | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi
        # a stream or buffer is not a place a person can look at: never show its repr
        self.path = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else None
        self.field = field
        self.line = line

    def where(self) -> str:
        """``file:line (field)`` as far as known, or an empty string."""
        parts = []
        if self.path:
            parts.append(self.path + (f":{self.line}" if self.line else ""))
        elif self.line:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def describe(self, lang: str = "vi") -> str:
        """One paragraph for a person: where, then what."""
        text = self.message
        if lang == "vi":
            text = self.message_vi or f"{self.kind_vi}: {self.message}"
        where = self.where()
        return f"{where}: {text}" if where else text

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class InvalidInput(EdocError, ValueError):
    """Input that breaks a rule (a field, a value, a file's content)."""

    exit_code = 4
    kind_vi = "Dữ liệu không hợp lệ"


@dataclass(frozen=True)
class Problem:
    """One field-by-field problem found while loading or validating."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        at = f" (line {self.line})" if self.line else ""
        return f"{self.field}{at}: {self.message}"


class ValidationError(InvalidInput):
    """Several problems at once; ``problems`` lists each with its field."""

    def __init__(
        self, message: str, problems: list[Problem] | tuple[Problem, ...], **context: object
    ) -> None:
        self.problems = tuple(problems)
        detail = "; ".join(str(p) for p in self.problems)
        super().__init__(f"{message}: {detail}" if detail else message, **context)  # type: ignore[arg-type]


class MalformedFile(InvalidInput):
    """A file that cannot be parsed at all."""

    exit_code = 5
    kind_vi = "Tệp bị lỗi, không đọc được"


class HostileInput(InvalidInput):
    """Input refused as an attack or a resource bomb (entities, DTDs, zip bombs, path traversal)."""

    exit_code = 6
    kind_vi = "Dữ liệu bị từ chối vì không an toàn"


class UnsupportedFeature(EdocError, NotImplementedError):
    """A feature of the input that edoc does not support."""

    exit_code = 7
    kind_vi = "Tính năng chưa được hỗ trợ"


class MissingDependency(EdocError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    exit_code = 8
    kind_vi = "Thiếu thư viện tùy chọn"

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is not installed; install it with: pip install 'edoc[{extra}]'",
            message_vi=f"Chưa cài {package}; hãy cài bằng lệnh: pip install 'edoc[{extra}]'",
        )
        self.package = package
        self.extra = extra


class ResourceError(EdocError, OSError):
    """A file that cannot be read or written."""

    exit_code = 9
    kind_vi = "Lỗi đọc/ghi tệp"

    @classmethod
    def from_os(cls, exc: OSError, path: str | Path | None = None, *,
                action: tuple[str, str] = ("cannot read or write the file", "Không đọc/ghi được tệp"),
                ) -> ResourceError:
        """Wrap an operating-system error: ``action`` (English, Vietnamese) and the reason in each language."""
        en, vi = os_reason(exc)
        where = path if path is not None else exc.filename
        return cls(f"{action[0]}: {en}", message_vi=f"{action[1]}: {vi}",
                   path=os.fsdecode(where) if isinstance(where, (str, bytes, os.PathLike)) else None)


class KeyBackendError(EdocError, RuntimeError):
    """A certificate backend failed; ``backend`` names it (never the PIN)."""

    exit_code = 11
    kind_vi = "Lỗi khóa/chứng thư số"

    def __init__(self, message: str, *, backend: str | None = None, **context: object) -> None:
        super().__init__(message, **context)  # type: ignore[arg-type]
        self.backend = backend

    def where(self) -> str:
        base = super().where()
        if self.backend:
            return f"{self.backend}: {base}" if base else self.backend
        return base


#: Exit codes of the command line: 0 success, 1 findings/failed verdict, 2 usage error, 3 indeterminate
#: verdict; every ``EdocError`` class its own code from 4 on.
EXIT_CODES: dict[str, int] = {
    "ok": 0,
    "findings": 1,
    "usage": 2,
    "indeterminate": 3,
    "InvalidInput": InvalidInput.exit_code,
    "MalformedFile": MalformedFile.exit_code,
    "HostileInput": HostileInput.exit_code,
    "UnsupportedFeature": UnsupportedFeature.exit_code,
    "MissingDependency": MissingDependency.exit_code,
    "ResourceError": ResourceError.exit_code,
    "EdocError": EdocError.exit_code,
    "KeyBackendError": KeyBackendError.exit_code,
}


_OS_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("no such file or folder", "không có tệp hay thư mục này"),
    errno.EACCES: ("permission denied", "không có quyền truy cập"),
    errno.EPERM: ("operation not permitted", "thao tác không được phép"),
    errno.ENOSPC: ("no space left on the device", "thiết bị đã hết chỗ trống"),
    errno.EDQUOT: ("disk quota exceeded", "đã vượt hạn mức dung lượng"),
    errno.EROFS: ("read-only file system", "hệ thống tệp chỉ cho phép đọc"),
    errno.EISDIR: ("it is a folder", "đây là một thư mục"),
    errno.ENOTDIR: ("a part of the path is not a folder", "một phần của đường dẫn không phải là thư mục"),
    errno.EEXIST: ("it already exists", "đã tồn tại"),
    errno.ENOTEMPTY: ("the folder is not empty", "thư mục không rỗng"),
    errno.ENAMETOOLONG: ("the name is too long", "tên quá dài"),
    errno.ELOOP: ("too many levels of symbolic links", "quá nhiều tầng liên kết tượng trưng"),
    errno.EMFILE: ("too many open files", "quá nhiều tệp đang mở"),
    errno.EBUSY: ("the device or resource is busy", "thiết bị hoặc tài nguyên đang bận"),
    errno.EIO: ("input/output error of the device", "lỗi vào/ra của thiết bị"),
    errno.EXDEV: ("not on the same file system", "không cùng một hệ thống tệp"),
    errno.ETXTBSY: ("the file is in use", "tệp đang được sử dụng"),
    errno.EFBIG: ("the file is too large", "tệp quá lớn"),
}


def os_reason(exc: OSError) -> tuple[str, str]:
    """The reason of an operating-system error in English and Vietnamese (never a Python repr)."""
    known = _OS_REASONS.get(exc.errno or -1)
    if known:
        return known
    name = errno.errorcode.get(exc.errno or -1, "")
    text = exc.strerror or name or type(exc).__name__
    return text, f"lỗi hệ thống {name or text}"
