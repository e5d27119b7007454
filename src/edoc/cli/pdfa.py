"""``edoc pdfa check``: the PDF/A-2b/3b self-check."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from edoc.cli._json import echo_json
from edoc.cli._progress import Bar
from edoc.cli.i18n import Group, current, say, tr
from edoc.errors import EdocError, MalformedFile, ResourceError

__all__ = ["pdfa"]


@click.group("pdfa", cls=Group, help=tr(
    "Kiểm tra chuẩn PDF/A (tự kiểm tra bằng pypdf; veraPDF vẫn là công cụ chuẩn).",
    "PDF/A conformance (a self-check on pypdf; veraPDF remains the reference)."))
def pdfa() -> None:
    """The PDF/A commands."""


@pdfa.command("check", help=tr(
    "Kiểm tra FILES (tệp PDF, hoặc thư mục: mọi tệp .pdf bên trong); mã thoát 0 khi không vi phạm điều khoản nào "
    "được kiểm tra, 1 khi có vi phạm, 5 khi có tệp không phải PDF, 9 khi không đọc được tệp.",
    "Check FILES (PDF files, or folders: every .pdf file inside); exit 0 when no clause checked is violated, 1 "
    "with findings, 5 when a file is not a PDF at all, 9 when a file cannot be read."))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help=tr("In các vi phạm dạng JSON.", "Print the findings as JSON."))
@click.pass_context
def check(ctx: click.Context, files: tuple[Path, ...], as_json: bool) -> None:
    from edoc.pdfa import check_pdfa

    paths = list(_walk(files))
    report: dict[str, list[dict[str, str]]] = {}
    errors: dict[str, EdocError] = {}
    with Bar(len(paths), say("Đang kiểm tra PDF/A", "Checking PDF/A")) as bar:
        for path in paths:
            try:
                report[str(path)] = [{"clause": f.clause, "object": f.object, "message": f.message}
                                     for f in _check_one(path, check_pdfa)]
            except EdocError as exc:
                errors[str(path)] = exc
            bar.advance()
            if not as_json:
                _echo(bar, str(path), report.get(str(path)), errors.get(str(path)))
    if as_json:
        data: dict[str, object] = dict(report)
        data.update({name: {"error": exc.describe(current()), "exit_code": exc.exit_code}
                     for name, exc in errors.items()})
        order = {str(p): i for i, p in enumerate(paths)}
        echo_json(dict(sorted(data.items(), key=lambda kv: order[kv[0]])), indent=2)
    if errors:
        sys.exit(max(exc.exit_code for exc in errors.values()))
    if any(report.values()):
        sys.exit(1)


def _walk(files: tuple[Path, ...]) -> list[Path]:
    out: list[Path] = []
    for p in files:
        if p.is_dir():
            out.extend(c for c in sorted(p.rglob("*")) if c.suffix.lower() == ".pdf" and c.is_file()
                       and not c.is_symlink())
        else:
            out.append(p)
    return out


def _check_one(path: Path, check_pdfa: Callable[[Path], list[Any]]) -> list[Any]:
    """The findings of one file; a file that is not a PDF at all is :class:`MalformedFile` (exit 5)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise ResourceError.from_os(exc, path, action=("cannot read the file", "Không đọc được tệp")) from exc
    if b"%PDF-" not in head:
        raise MalformedFile("not a PDF file (no %PDF- header in its first 1024 bytes)",
                            message_vi="Không phải tệp PDF (không có đầu %PDF- trong 1024 byte đầu)", path=path)
    return check_pdfa(path)


def _echo(bar: Bar, name: str, findings: list[dict[str, str]] | None, error: EdocError | None) -> None:
    if error is not None:
        text = error.message_vi if current() == "vi" and error.message_vi else error.message
        bar.echo(f"{name}: {say('LỖI', 'ERROR')}: {text}")
    elif not findings:
        bar.echo(f"{name}: {say('không có vi phạm', 'no findings')}")
    else:
        for f in findings:
            bar.echo(f"{name}: {f['clause']} {f['object']}: {f['message']}")
