"""Adapter: click's own texts ("Usage:", "Missing argument", "[default: …]") in Vietnamese.

click marks its texts for :mod:`gettext` with module-level ``_`` and ``ngettext`` names bound at import time
(``from gettext import gettext as _``). Installing a gettext catalog would change the process-wide default
domain for every library, so instead :func:`install` rebinds those two names in click's modules to functions
that translate only while an ``edoc`` command runs in Vietnamese (:func:`edoc.cli.i18n.active_language`);
anywhere else they call :mod:`gettext` as before.

Written for click 8.1–8.5. ``tests/cli/test_i18n.py`` extracts every text click marks and fails loudly when a
new click version adds one this catalog lacks (translate it here) or drops the ``_`` names.
"""

from __future__ import annotations

import gettext
import importlib
from collections.abc import Callable

__all__ = ["CATALOG", "PLURALS", "MODULES", "install", "translate"]

#: click modules whose texts a user can meet (prompts, parsing, help, errors).
MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
           "click.termui", "click.types", "click.utils", "click._termui_impl")

#: click's message id -> Vietnamese (placeholders kept as click formats them).
CATALOG: dict[str, str] = {
    "Aborted!": "Đã hủy!",
    "deprecated": "không còn dùng",
    "Missing command.": "Thiếu lệnh.",
    "Options": "Tùy chọn",
    "Positional arguments": "Đối số",
    "Commands": "Lệnh",
    "Usage:": "Cách dùng:",
    "Value must be an iterable.": "Giá trị phải là một dãy.",
    "env var: {var}": "biến môi trường: {var}",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "(dynamic)": "(tính khi chạy)",
    "Do you want to continue?": "Tiếp tục?",
    "Confirm the action without prompting.": "Xác nhận mà không hỏi.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "Show the version and exit.": "Hiển thị phiên bản rồi thoát.",
    "Show this message and exit.": "Hiển thị trợ giúp này rồi thoát.",
    "Missing argument": "Thiếu đối số",
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing {param_type}": "Thiếu {param_type}",
    "unknown error": "lỗi không xác định",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem '{command} {option}' để được trợ giúp.",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "Invalid start character for option ({option})": "Ký tự đầu của tùy chọn không hợp lệ ({option})",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Đối số {name!r} nhận {nargs} giá trị.",
    "Press any key to continue...": "Nhấn phím bất kỳ để tiếp tục...",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "Lỗi: hai giá trị đã nhập không khớp nhau.",
    "Error: invalid input": "Lỗi: dữ liệu nhập không hợp lệ",
    "Unknown color {colour!r}": "Màu không xác định {colour!r}",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "Choice({choices})": "Lựa chọn({choices})",
    "{value} is not in the range {range}.": "{value} không nằm trong khoảng {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} không phải giá trị đúng/sai. Các giá trị nhận được: {states}",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải {number_type} hợp lệ.",
    "{value!r} is not a valid UUID.": "{value!r} không phải UUID hợp lệ.",
    "{name} {filename!r} is a file.": "{name} {filename!r} là một tệp.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} là một thư mục.",
    "{name} {filename!r} is not readable.": "Không đọc được {name} {filename!r}.",
    "{name} {filename!r} is not writable.": "Không ghi được vào {name} {filename!r}.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} không chạy được.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} không tồn tại.",
    "Unknown standard stream '{name}'": "Không có luồng chuẩn '{name}'",
    "{editor}: Editing failed": "{editor}: sửa không thành công",
    "{editor}: Editing failed: {e}": "{editor}: sửa không thành công: {e}",
    "d": "d",
    # texts that only a programming mistake in edoc itself can show; translated so the check stays whole
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Cảnh báo: lệnh {name!r} không còn dùng.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Cảnh báo: {param_type} {name!r} không còn dùng.{extra_message}",
    "Could not determine name for option with declarations {decls!r}":
        "Không xác định được tên tùy chọn từ {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?": "Chưa khai báo tùy chọn nhưng có tên ({name}).",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.":
        "Mỗi đối số chỉ có một khai báo, nhận được {length}: {decls}.",
    "Name '{name}' defined twice": "Tên '{name}' được khai báo hai lần",
    "Boolean option {decl!r} cannot use the same flag for true/false.":
        "Tùy chọn đúng/sai {decl!r} không thể dùng cùng một cờ cho cả hai.",
}

#: (singular, plural) -> Vietnamese (Vietnamese nouns do not inflect for number: one text serves both).
PLURALS: dict[tuple[str, str], str] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        "Thừa đối số ({args})",
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        "Cần {nargs} giá trị nhưng nhận được {len}.",
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        "(Có phải ý bạn là: {possibilities}?)",
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        "Tùy chọn {name!r} cần {nargs} giá trị.",
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        "{value!r} không phải là một trong: {choices}.",
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        "{value!r} không đúng dạng {formats}.",
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        "Cần {len_type} giá trị nhưng nhận được {len_value}.",
}

_installed = False
_language: Callable[[], str | None] = lambda: None  # noqa: E731 - replaced by install()


class _Blank(dict[str, object]):
    """``str.format_map`` mapping that leaves out the placeholders a text does not get."""

    def __missing__(self, key: str) -> str:
        return ""


def translate(message: str) -> str:
    """click's text ``message`` in the language of the running ``edoc`` command."""
    if _language() == "vi":
        return CATALOG.get(message, message)
    return gettext.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    if _language() == "vi":
        vi = PLURALS.get((singular, plural))
        if vi is not None:
            return _PluralText(vi)
    return gettext.ngettext(singular, plural, n)


class _PluralText(str):
    """A Vietnamese plural text whose ``format`` accepts the singular's and the plural's placeholders."""

    def format(self, *args: object, **kwargs: object) -> str:
        return str.format_map(str(self), _Blank(kwargs))


def install(language: Callable[[], str | None]) -> None:
    """Rebind click's ``_``/``ngettext`` to the edoc translation (once per process).

    :param language: returns ``"vi"`` or ``"en"`` while an edoc command runs, ``None`` otherwise.
    """
    global _installed, _language
    _language = language
    if _installed:
        return
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a click without this module
            continue
        if hasattr(module, "_"):
            module._ = translate  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
    _installed = True
