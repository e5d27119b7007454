"""One language per run: --lang, EDOC_LANG and the locale choose messages, --help texts and click's own texts."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from edoc.cli import _COMMANDS, _click, cli
from edoc.cli.i18n import Command, Group, language_from_env, language_in_args, localize, translated

# Vietnamese letters that English never has: a help text shown in English must contain none of them except in
# proper names and examples (Thuận Nam, SAO Y, 05/QĐ-UBND, văn bản điện tử), which are removed first.
_VI_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_NAMES = re.compile(r"Thuận Nam|SAO Y|SAO LỤC|TRÍCH SAO|QĐ-UBND|văn bản điện tử|\[[^]]*\]")
_ENGLISH_WORDS = re.compile(r"\b(the|and|with|file|folder|when|this|of|to|or|from)\b")


def _walk(group: click.Group, ctx: click.Context, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield " ".join((*path, name)), command
        if isinstance(command, click.Group):
            yield from _walk(command, ctx, (*path, name))


def _all_commands() -> list[tuple[str, click.Command]]:
    with click.Context(cli) as ctx:
        return list(_walk(cli, ctx))


COMMANDS = _all_commands()


def test_every_command_is_localised() -> None:
    assert len(COMMANDS) >= 30
    for name, command in COMMANDS:
        assert isinstance(command, (Command, Group)), f"edoc {name}: use cls=Command/Group from edoc.cli.i18n"


@pytest.mark.parametrize("name", [n for n, _ in COMMANDS])
def test_every_help_text_has_both_languages(name: str) -> None:
    command = dict(COMMANDS)[name]
    texts = [command.help or ""] + [p.help or "" for p in command.params if isinstance(p, click.Option)]
    missing = [t for t in texts if not t or not translated(t)]
    assert not missing, f"edoc {name}: help without Vietnamese (use tr(vi, en)): {missing}"


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", [n for n, _ in COMMANDS])
def test_help_is_in_one_language(name: str, lang: str) -> None:
    out = CliRunner().invoke(cli, ["--lang", lang, *name.split(), "--help"]).output
    assert ("Usage:" if lang == "en" else "Cách dùng:") in out
    assert ("Options:" if lang == "en" else "Tùy chọn:") in out
    for line in out.splitlines():
        text = _NAMES.sub("", line)
        if lang == "en":
            assert not _VI_LETTERS.search(text), f"Vietnamese in English help of edoc {name}: {line!r}"
        else:
            assert not _ENGLISH_WORDS.search(text.split("  ")[-1]), f"English in the help of edoc {name}: {line!r}"


def test_language_sources_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("EDOC_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()
    assert "Cách dùng:" in runner.invoke(cli, ["--help"]).output  # nothing set: Vietnamese
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "Usage:" in runner.invoke(cli, ["--help"]).output  # the locale
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert "Cách dùng:" in runner.invoke(cli, ["--help"]).output
    monkeypatch.setenv("LC_ALL", "vi_VN.UTF-8")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "Cách dùng:" in runner.invoke(cli, ["--help"]).output  # LC_ALL before LANG
    monkeypatch.setenv("EDOC_LANG", "en")
    assert "Usage:" in runner.invoke(cli, ["--help"]).output  # EDOC_LANG before the locale
    assert "Cách dùng:" in runner.invoke(cli, ["--lang", "vi", "--help"]).output  # --lang before all
    assert "Cách dùng:" in runner.invoke(cli, ["--help", "--lang", "vi"]).output  # wherever it stands


def test_language_helpers() -> None:
    assert language_in_args(["verify", "--lang=en", "x.pdf"]) == "en"
    assert language_in_args(["verify", "--", "--lang", "en"]) is None
    assert language_from_env({"LANGUAGE": "fr:en", "LANG": "fr_FR"}) == "vi"
    assert language_from_env({"EDOC_LANG": "xx", "LANG": "en_GB.UTF-8"}) == "en"


def test_clicks_own_usage_errors_follow_the_language() -> None:
    runner = CliRunner()
    vi = runner.invoke(cli, ["verify", "--format", "pdfx", "a.pdf"])
    assert vi.exit_code == 2
    assert "Lỗi: Giá trị không hợp lệ cho '--format'" in vi.output and "Invalid value" not in vi.output
    en = runner.invoke(cli, ["--lang", "en", "verify", "--format", "pdfx", "a.pdf"])
    assert "Error: Invalid value for '--format'" in en.output
    missing = runner.invoke(cli, ["sign", "pdf", "x.pdf"])
    assert "Thiếu" in missing.output or "không tồn tại" in missing.output, missing.output
    unknown = runner.invoke(cli, ["verfy"])
    assert "Không có lệnh 'verfy'" in unknown.output
    # the sub-command's --lang (edoc verify --lang en) sets the language of the whole run
    sub = runner.invoke(cli, ["verify", "--lang", "en", "--format", "pdfx", "a.pdf"])
    assert "Invalid value for '--format'" in sub.output


def test_default_and_required_markers_are_translated() -> None:
    out = CliRunner().invoke(cli, ["sign", "pdf", "--help"]).output
    assert "[mặc định: B-B]" in out and "[bắt buộc]" in out and "default:" not in out


def test_outside_a_run_click_speaks_english() -> None:
    # another click program in the same process is not affected by edoc's translation
    CliRunner().invoke(cli, ["--help"])

    @click.command()
    @click.option("--n", type=int)
    def other(n: int) -> None:
        """Another program."""

    out = CliRunner().invoke(other, ["--n", "x"]).output
    assert "Invalid value for '--n'" in out and "Usage:" in out


def _click_message_ids() -> set[str | tuple[str, str]]:
    ids: set[str | tuple[str, str]] = set()
    for name in _click.MODULES:
        module = importlib.import_module(name)
        tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if node.func.id == "_" and len(args) == 1:
                    ids.add(args[0])
                elif node.func.id == "ngettext" and len(args) == 2:
                    ids.add((args[0], args[1]))
    return ids


def test_click_adapter_covers_every_click_text() -> None:
    """Fails loudly on a click upgrade that adds a text (translate it in edoc/cli/_click.py) or drops gettext."""
    ids = _click_message_ids()
    assert len(ids) > 40, "click no longer marks its texts with _(): edoc/cli/_click.py needs a new approach"
    untranslated = sorted(str(i) for i in ids if (i not in _click.PLURALS if isinstance(i, tuple)
                                                 else i not in _click.CATALOG))
    assert not untranslated, f"click texts without Vietnamese (add them to edoc/cli/_click.py): {untranslated}"
    for name in _click.MODULES:
        module = importlib.import_module(name)
        assert getattr(module, "_", _click.translate) is _click.translate, f"{name}._ is not edoc's translation"


def test_localize_leaves_unknown_text() -> None:
    assert localize("no such text anywhere", "vi") == "no such text anywhere"
    assert localize("Show this message and exit.", "vi") == "Hiển thị trợ giúp này rồi thoát."
    assert set(_COMMANDS) == {n for n, _ in COMMANDS if " " not in n}
