"""One language per run of the command line: messages, ``--help`` texts and click's own texts.

The language of a run is, in order: ``--lang`` (on the main command or on ``edoc verify``), the environment
variable ``EDOC_LANG``, then the locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``vi…`` gives
Vietnamese, ``en…`` English); anything else gives Vietnamese, the default.

How a command module uses it::

    from edoc.cli.i18n import Command, Group, say, tr

    @click.group(cls=Group, help=tr("Ký số văn bản PDF", "Sign PDF documents"))
    def sign() -> None: ...

    @sign.command("pdf", help=tr("Chữ ký thông thường", "A plain signature"))
    @click.option("-o", "--output", help=tr("Tệp đầu ra", "Output file"))
    def pdf_cmd(...):
        click.echo(say(f"Đã ký {n} tệp", f"Signed {n} files"))

:func:`tr` returns the English text (what click stores) and records its Vietnamese; :class:`Command` and
:class:`Group` show the text of the run's language when they format help. ``tests/cli/test_i18n.py`` walks
every command and fails on a help text without its Vietnamese.
"""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar

import click

from edoc.cli import _click

__all__ = [
    "LANGUAGES",
    "Command",
    "Group",
    "active_language",
    "current",
    "language_from_env",
    "language_in_args",
    "localize",
    "running",
    "say",
    "translated",
    "tr",
]

LANGUAGES = ("vi", "en")

#: The language of the ``edoc`` command running now (``None`` outside a command).
_RUN: ContextVar[str | None] = ContextVar("edoc_cli_language", default=None)
#: English help text (as click stores it, after ``inspect.cleandoc``) -> Vietnamese.
_VI: dict[str, str] = {}


def _code(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().split(":")[0].split(".")[0].split("_")[0].split("-")[0].lower()
    return code if code in LANGUAGES else None


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``EDOC_LANG``, else the locale's language when it is Vietnamese or English, else ``"vi"``."""
    env = os.environ if environ is None else environ
    chosen = _code(env.get("EDOC_LANG"))
    if chosen:
        return chosen
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return _code(value) or "vi"
    return "vi"


def language_in_args(args: Sequence[str]) -> str | None:
    """The value of the first ``--lang`` in a command line, if any (before a ``--``)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            return _code(arg.split("=", 1)[1])
        if arg == "--lang" and i + 1 < len(args):
            return _code(args[i + 1])
    return None


def active_language() -> str | None:
    """The language of the running ``edoc`` command, ``None`` outside one."""
    return _RUN.get()


def current() -> str:
    """The language to speak now: the running command's, else the environment's."""
    return _RUN.get() or language_from_env()


@contextlib.contextmanager
def running(language: str) -> Iterator[None]:
    """Run a command in ``language`` (click's own texts follow it too)."""
    _click.install(active_language)
    token = _RUN.set(language)
    try:
        yield
    finally:
        _RUN.reset(token)


def set_language(language: str) -> None:
    """Switch the running command's language (``--lang`` given after the command name)."""
    if language in LANGUAGES:
        _RUN.set(language)


def tr(vi: str, en: str) -> str:
    """A help text in both languages: returns ``en`` (what click keeps) and records ``vi`` for it."""
    _VI[inspect.cleandoc(en)] = inspect.cleandoc(vi)
    return en


def translated(text: str) -> bool:
    """Whether ``text`` (a help text as click keeps it) has its Vietnamese."""
    return inspect.cleandoc(text) in _VI or text in _click.CATALOG


def localize(text: str, language: str | None = None) -> str:
    """``text`` (English, as click keeps it) in ``language`` (default: :func:`current`)."""
    if (language or current()) != "vi":
        return text
    clean = inspect.cleandoc(text)
    return _VI.get(clean) or _click.CATALOG.get(clean, text)


def say(vi: str, en: str, language: str | None = None) -> str:
    """The message in the language of the run."""
    return vi if (language or current()) == "vi" else en


def _short(text: str, limit: int) -> str:
    """The first sentence of ``text``, cut at a word to at most ``limit`` characters (as click does)."""
    words = inspect.cleandoc(text).partition("\n\n")[0].split()
    out = ""
    for word in words:
        candidate = f"{out} {word}" if out else word
        if len(candidate) > limit:
            return (out + "...") if out else word[: max(limit - 3, 1)] + "..."
        out = candidate
        if word.endswith("."):
            break
    return out


class _Localized:
    """Help formatting in the run's language (mixed into click's Command and Group)."""

    help: str | None
    short_help: str | None

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = inspect.cleandoc(localize(self.help)).partition("\f")[0] if self.help else ""
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help:
            return inspect.cleandoc(localize(self.short_help)).strip()
        if self.help:
            return _short(localize(self.help), limit)
        return ""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        assert isinstance(self, click.Command)
        option = click.Command.get_help_option(self, ctx)
        if option is not None:  # click caches it with the text of the first run's language
            option.help = "Show this message and exit."
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if isinstance(param, click.Argument):
                continue
            record = param.get_help_record(ctx)
            if record is None:
                continue
            spec, text = record
            own = param.help or ""
            if own and text.startswith(own):
                text = localize(own) + text[len(own):]
            rows.append((spec, text))
        if rows:
            with formatter.section(_click.translate("Options")):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class Command(_Localized, click.Command):
    """A click command whose help follows the run's language."""


class Group(_Localized, click.Group):
    """A click group whose help follows the run's language; its sub-commands are :class:`Command`/:class:`Group`."""

    command_class = Command
    group_class = type  # sub-groups are of the same class as their parent
