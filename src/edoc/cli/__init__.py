"""The ``edoc`` command line.

Every :class:`~edoc.errors.EdocError` becomes one paragraph on standard error (Vietnamese by default,
English with ``--lang en``) and the exit code of its class (docs/cli.md); ``--debug`` shows the traceback.
Sub-command groups live in their own modules and are imported only when used.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from edoc.errors import EdocError

__all__ = ["main", "cli"]

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


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              envvar="EDOC_LANG", help="Language of messages and reports.")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an error.")
@click.version_option(package_name="edoc")
@click.pass_context
def cli(ctx: click.Context, lang: str, debug: bool) -> None:
    """edoc: văn bản điện tử — build, sign, verify and archive Vietnamese official documents."""
    ctx.ensure_object(dict)
    ctx.obj["lang"] = lang
    ctx.obj["debug"] = debug


def lang_of(ctx: click.Context) -> str:
    """The ``--lang`` chosen on the main command (``vi`` when none)."""
    root = ctx.find_root()
    return str((root.obj or {}).get("lang", "vi"))


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``edoc`` console script."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    lang = "en" if _lang_arg(args) == "en" else "vi"
    try:
        return cli.main(args=args, prog_name="edoc", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted." if lang == "en" else "Đã hủy.", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except EdocError as exc:
        if debug:
            raise
        label = "Error" if lang == "en" else "Lỗi"
        click.echo(f"{label}: {exc.describe(lang)}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


def _lang_arg(args: list[str]) -> str:
    import os

    for i, a in enumerate(args):
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
        if a == "--lang" and i + 1 < len(args):
            return args[i + 1]
    return os.environ.get("EDOC_LANG", "vi")
