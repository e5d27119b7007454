"""``edoc pdfa check``: the PDF/A-2b/3b self-check."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from edoc.cli import lang_of
from edoc.cli.i18n import Group, tr

__all__ = ["pdfa"]


@click.group("pdfa", cls=Group, help=tr(
    "Kiểm tra chuẩn PDF/A (tự kiểm tra bằng pypdf; veraPDF vẫn là công cụ chuẩn).",
    "PDF/A conformance (a self-check on pypdf; veraPDF remains the reference)."))
def pdfa() -> None:
    """The PDF/A commands."""


@pdfa.command("check", help=tr(
    "Kiểm tra FILES; mã thoát 0 khi không vi phạm điều khoản nào được kiểm tra, 1 khi có vi phạm.",
    "Check FILES; exit 0 when no clause checked is violated, 1 with findings."))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help=tr("In các vi phạm dạng JSON.", "Print the findings as JSON."))
@click.pass_context
def check(ctx: click.Context, files: tuple[Path, ...], as_json: bool) -> None:
    from edoc.pdfa import check_pdfa

    en = lang_of(ctx) == "en"
    report: dict[str, list[dict[str, str]]] = {}
    for path in files:
        report[str(path)] = [{"clause": f.clause, "object": f.object, "message": f.message}
                             for f in check_pdfa(path)]
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for name, findings in report.items():
            if not findings:
                click.echo(f"{name}: {'no findings' if en else 'không có vi phạm'}")
            for f in findings:
                click.echo(f"{name}: {f['clause']} {f['object']}: {f['message']}")
    if any(report.values()):
        sys.exit(1)
