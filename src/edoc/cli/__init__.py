"""The ``edoc`` command line.

Every :class:`~edoc.errors.EdocError` becomes one paragraph on standard error in the language of the run
(:mod:`edoc.cli.i18n`: Vietnamese by default, English with ``--lang en``, ``EDOC_LANG`` or an English locale)
and the exit code of its class (docs/cli.md). No command prints a Python traceback unless ``--debug`` is
given: an operating-system error that edoc did not wrap is reported like a :class:`~edoc.errors.ResourceError`
and anything else as an internal error (exit 70) asking for a report. Sub-command groups live in their own
modules and are imported only when used.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Sequence
from typing import Any

import click

from edoc.cli.i18n import Group, current, language_from_env, language_in_args, running, say, set_language, tr
from edoc.errors import EdocError, ResourceError
from edoc.util.text import visible

__all__ = ["main", "cli", "lang_of", "EXIT_INTERNAL"]

#: Exit status of an error that is a bug in edoc (``EX_SOFTWARE`` of sysexits.h).
EXIT_INTERNAL = 70

#: sub-command name -> "module:attribute"
_COMMANDS = {
    "archive": "edoc.cli.archive:archive",
    "demo": "edoc.cli.demo:demo",
    "edxml": "edoc.cli.edxml:edxml",
    "keys": "edoc.cli.keys:keys",
    "render": "edoc.cli.render:render",
    "pdfa": "edoc.cli.pdfa:pdfa",
    "sign": "edoc.cli.sign:sign",
    "verify": "edoc.cli.verify:verify",
    "trust": "edoc.cli.trust:trust",
}


class _LazyGroup(Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]

    def main(self, args: Sequence[str] | None = None, *pargs: Any, **kwargs: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        with running(language_in_args(argv) or language_from_env()):
            return super().main(argv, *pargs, **kwargs)


def _set_lang(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    if value:
        set_language(value)
    return current()


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             help=tr("edoc: văn bản điện tử — tạo, ký số, kiểm tra và lưu trữ văn bản hành chính Việt Nam.",
                     "edoc: văn bản điện tử — build, sign, verify and archive Vietnamese official documents."))
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None, is_eager=True, callback=_set_lang,
              help=tr("Ngôn ngữ của thông báo, trợ giúp và báo cáo (mặc định: biến EDOC_LANG, ngôn ngữ của "
                      "hệ thống, nếu không thì vi).",
                      "Language of messages, help and reports (default: EDOC_LANG, the locale, else vi)."))
@click.option("--debug", is_flag=True, help=tr("Hiển thị traceback Python khi có lỗi.",
                                               "Show the Python traceback of an error."))
@click.version_option(package_name="edoc", help="Show the version and exit.")
@click.pass_context
def cli(ctx: click.Context, lang: str, debug: bool) -> None:
    """The ``edoc`` command group (its ``--help`` text is the ``help=`` above, in the language of the run)."""
    ctx.ensure_object(dict)
    ctx.obj["lang"] = lang
    ctx.obj["debug"] = debug


def lang_of(ctx: click.Context | None = None) -> str:
    """The language of this run (``vi`` or ``en``; see :mod:`edoc.cli.i18n`)."""
    return current()


_REPR = re.compile(r"<[^<>\n]{1,200}? (?:object )?at 0x[0-9a-fA-F]+>")


def _plain(text: str) -> str:
    """A message as one paragraph: no Python object reprs, and every control or format character shown as an
    escape (:func:`edoc.util.text.visible`), a newline or carriage return too: edoc's messages are one line,
    so a line break in one comes from a file's data (a file or attachment name, a field) and must not start a
    line of its own on the terminal."""
    return visible(_REPR.sub("…", text))


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``edoc`` console script."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    with running(language_in_args(args) or language_from_env()):
        try:
            return cli.main(args=args, prog_name="edoc", standalone_mode=False)
        except click.exceptions.Abort:
            click.echo(say("Đã hủy.", "Aborted."), err=True)
            sys.exit(130)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
        except KeyboardInterrupt:
            sys.exit(130)
        except BrokenPipeError:  # the reader of our output went away (edoc … | head)
            sys.exit(1)
        except Exception as exc:
            if debug:
                raise
            _report(exc)


def _report(exc: Exception) -> None:
    label = say("Lỗi", "Error")
    if isinstance(exc, OSError) and not isinstance(exc, EdocError):
        exc = ResourceError.from_os(exc, exc.filename)
    if isinstance(exc, EdocError):
        click.echo(f"{label}: {_plain(exc.describe(current()))}", err=True)
        sys.exit(exc.exit_code)
    detail = _plain(f"{type(exc).__name__}: {exc}")
    click.echo(say(f"Lỗi nội bộ của edoc ({detail}). Đây là lỗi của chương trình: hãy chạy lại với --debug và "
                   "gửi báo lỗi kèm kết quả.",
                   f"Internal error in edoc ({detail}). This is a bug: run again with --debug and report it with "
                   "the output."), err=True)
    sys.exit(EXIT_INTERNAL)
