"""Load and save the model as JSON or YAML, with field-by-field validation errors.

The document form is plain data: enums by member name (Vietnamese names and national codes are accepted on
load), except status codes, written as their two-digit national code (``"02"``) with the status's Vietnamese
``name`` beside it (read back as a check); dates ``YYYY-MM-DD``, times ISO 8601, content blocks as objects
with a ``kind``. Unknown keys and
wrong types are reported together in one :class:`~edoc.errors.ValidationError` whose ``problems`` name each
field (``signer.full_name``, ``content[3].text``).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

from edoc.errors import InvalidInput, MalformedFile, Problem, ResourceError, ValidationError
from edoc.model.document import Block, Document, Heading, Paragraph, Point, StatusMessage, Table
from edoc.model.vocab import StatusCode

__all__ = ["from_data", "to_data", "load_document", "save_document", "loads_document", "dumps_document"]

T = TypeVar("T")

_BLOCKS: dict[str, type] = {"paragraph": Paragraph, "heading": Heading, "point": Point, "table": Table}
#: Largest document file edoc loads (the content is text; attachments travel by path).
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []  # collected in input order

    def add(self, where: str, message: str) -> None:
        self.items.append(Problem(where or "(document)", message))


@cache
def _hints(cls: type) -> dict[str, Any]:
    import edoc.model.document as mod

    return typing.get_type_hints(cls, vars(mod), vars(mod))


def _convert(tp: Any, value: Any, where: str, problems: _Problems, base: Path | None) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if value is None:
            return None
        if set(args) == set(get_args(Block)):
            return _block(value, where, problems, base)
        return _convert(args[0], value, where, problems, base)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            problems.add(where, f"expected a list, got {type(value).__name__}")
            return ()
        item_tp = get_args(tp)[0]
        return tuple(_convert(item_tp, v, f"{where}[{i}]", problems, base) for i, v in enumerate(value))
    if tp is Any:
        return value
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp.parse(value, field=where)  # type: ignore[attr-defined]
        except InvalidInput as exc:
            problems.add(where, exc.message)
            return None
    if dataclasses.is_dataclass(tp):
        return _dataclass(tp, value, where, problems, base)  # type: ignore[arg-type]
    if tp is bool:
        if isinstance(value, bool):
            return value
        if value in ("true", "false", "1", "0", 0, 1):
            return value in ("true", "1", 1)
        problems.add(where, f"expected true or false, got {value!r}")
        return False
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            problems.add(where, f"expected a whole number, got {value!r}")
            return None
        try:
            return int(value)
        except ValueError:
            problems.add(where, f"expected a whole number, got {value!r}")
            return None
    if tp is str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            problems.add(where, f"expected text, got {type(value).__name__}")
            return ""
        return value
    if tp is datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            problems.add(where, f"expected an ISO 8601 time such as 2026-01-05T09:30:00+07:00, got {value!r}")
            return None
        if parsed.tzinfo is None:
            from edoc.model.document import VIETNAM_TZ

            parsed = parsed.replace(tzinfo=VIETNAM_TZ)
        return parsed
    if tp is date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            return date.fromisoformat(str(value).replace("/", "-"))
        except ValueError:
            problems.add(where, f"expected a date YYYY-MM-DD, got {value!r}")
            return None
    if tp is Path:
        if not isinstance(value, str):
            problems.add(where, f"expected a file path, got {type(value).__name__}")
            return None
        p = Path(value)
        return p if p.is_absolute() or base is None else base / p
    if tp is bytes:
        if isinstance(value, bytes):
            return value
        try:
            return base64.b64decode(str(value), validate=True)
        except ValueError:
            problems.add(where, "expected base64 data")
            return None
    problems.add(where, f"cannot read a value of type {tp!r}")  # pragma: no cover - model types only
    return None


def _block(value: Any, where: str, problems: _Problems, base: Path | None) -> Any:
    if isinstance(value, str):
        return Paragraph(text=value)
    if not isinstance(value, dict):
        problems.add(where, "a content block is text or an object with a 'kind'")
        return Paragraph()
    kind = value.get("kind", "paragraph")
    cls = _BLOCKS.get(kind)
    if cls is None:
        problems.add(f"{where}.kind", f"unknown block kind {kind!r} (one of: {', '.join(_BLOCKS)})")
        return Paragraph()
    data = {k: v for k, v in value.items() if k != "kind"}
    return _dataclass(cls, data, where, problems, base)


def _dataclass(cls: type[T], value: Any, where: str, problems: _Problems, base: Path | None) -> T:
    if not isinstance(value, dict):
        problems.add(where, f"expected an object, got {type(value).__name__}")
        return cls()
    hints = _hints(cls)  # type: ignore[arg-type]
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, raw in value.items():
        sub = f"{where}.{key}" if where else str(key)
        if key not in fields:
            if key == "kind" and "kind" in hints:
                continue
            if key == "name" and cls is StatusMessage:  # derived from the code: checked, not stored
                code = _convert(StatusCode, value.get("code", StatusCode.ARRIVED.value), sub, _Problems(), None)
                if code is not None and raw not in (code.name_vi, code.name):
                    problems.add(sub, f"{raw!r} is not the name of status {code.value} ({code.name_vi})")
                continue
            problems.add(sub, "unknown field")
            continue
        converted = _convert(hints[key], raw, sub, problems, base)
        if converted is not None or raw is None:
            kwargs[key] = converted
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:  # pragma: no cover - conversions above keep types right
        problems.add(where, str(exc))
        return cls()


def from_data(cls: type[T], data: Any, *, base: Path | None = None) -> T:
    """An instance of the model class ``cls`` built from plain data; every problem reported at once.

    :param base: folder that relative attachment paths are resolved against.
    :raises ValidationError: with one :class:`~edoc.errors.Problem` per faulty field.
    """
    problems = _Problems()
    obj = _dataclass(cls, data, "", problems, base)
    if problems.items:
        raise ValidationError(f"invalid {cls.__name__}", problems.items)
    return obj


def _plain(value: Any, *, base: Path | None) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if f.name == "kind":
                out["kind"] = v
                continue
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            if isinstance(value, StatusMessage) and f.name == "code":  # always there, with its name
                out["code"] = v.value
                out["name"] = v.name_vi
                continue
            if v == default:
                continue
            out[f.name] = _plain(v, base=base)
        return out
    if isinstance(value, StatusCode):
        return value.value
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, (tuple, list)):
        return [_plain(v, base=base) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        if base is not None:
            try:
                return value.relative_to(base).as_posix()
            except ValueError:
                pass
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def to_data(obj: Any, *, base: Path | None = None) -> Any:
    """Plain data (dicts, lists, strings, numbers) for a model object; defaults are left out."""
    return _plain(obj, base=base)


def _parse_text(text: str, fmt: str, path: str | None) -> Any:
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise MalformedFile(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno,
                                message_vi=f"JSON không hợp lệ: {exc.msg}") from exc
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - pyyaml is a core dependency
        from edoc.errors import MissingDependency

        raise MissingDependency("PyYAML", "yaml") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise MalformedFile(
            f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
            message_vi=f"YAML không hợp lệ: {getattr(exc, 'problem', exc)}",
            line=mark.line + 1 if mark is not None else None,
        ) from exc


def _format_of(path: Path) -> str:
    return "yaml" if path.suffix.lower() in (".yaml", ".yml") else "json"


def loads_document(text: str, *, fmt: str = "json", base: Path | None = None, path: str | None = None) -> Document:
    """A :class:`Document` from JSON or YAML text."""
    data = _parse_text(text, fmt, path)
    try:
        return from_data(Document, data, base=base)
    except ValidationError as exc:
        exc.path = path
        raise


def load_document(path: str | Path) -> Document:
    """A :class:`Document` from a ``.json``, ``.yaml`` or ``.yml`` file; attachment paths are relative to it."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_DOCUMENT_BYTES:
            raise InvalidInput(f"document file larger than {MAX_DOCUMENT_BYTES} bytes", path=p,
                               message_vi=f"Tệp văn bản lớn hơn {MAX_DOCUMENT_BYTES} byte")
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedFile("the document file is not UTF-8 text", path=p,
                            message_vi="Tệp văn bản không phải văn bản UTF-8") from exc
    except OSError as exc:
        raise ResourceError.from_os(exc, p, action=("cannot read the document file", "Không đọc được tệp văn bản")
                                    ) from exc
    return loads_document(text, fmt=_format_of(p), base=p.parent.resolve(), path=str(p))


def dumps_document(doc: Document | StatusMessage, *, fmt: str = "json", base: Path | None = None) -> str:
    """JSON (indented, keys in model order) or YAML text of a document."""
    data = to_data(doc, base=base)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    import yaml

    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def save_document(doc: Document, path: str | Path) -> None:
    """Write ``doc`` to ``path`` (format by suffix), atomically."""
    from edoc.util.fs import atomic_write_text

    p = Path(path)
    atomic_write_text(p, dumps_document(doc, fmt=_format_of(p), base=p.parent.resolve()))
