"""``edoc trust add|list|remove``: the installed trust store that ``edoc verify`` uses."""

from __future__ import annotations

from pathlib import Path

import click

from edoc.cli import lang_of
from edoc.cli.i18n import Group, tr

__all__ = ["trust"]


@click.group("trust", cls=Group, help=tr(
    "Các chứng thư gốc tin cậy mà edoc verify dùng.", "The trusted roots edoc verify uses."))
def trust() -> None:
    """The installed trust store."""


@trust.command("add", help=tr(
    "Thêm một chứng thư gốc sau khi đối chiếu dấu vân tay SHA-256 với dấu vân tay đã công bố (hoặc --pin).",
    "Admit a root after checking its SHA-256 fingerprint against the published pins (or --pin)."))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pin", default=None, metavar="SHA256",
              help=tr("Tin cậy một chứng thư gốc không nằm trong danh sách đã công bố, nếu dấu vân tay SHA-256 "
                      "của nó đúng là giá trị này.",
                      "Trust a root that is not a published Vietnamese root, if its SHA-256 fingerprint is this."))
@click.pass_context
def add(ctx: click.Context, file: Path, pin: str | None) -> None:
    from edoc.trust.installed import install_root, published_pin

    root = install_root(file, pin=pin)
    known = published_pin(root.sha256)
    vi = lang_of(ctx) == "vi"
    label = (f"chứng thư gốc đã công bố {known.name}" if vi else f"published root {known.name}") if known else (
        "theo dấu vân tay đã cho" if vi else "by the pin given")
    click.echo(("Đã thêm" if vi else "Added") + f": {root.common_name} ({label})\n  SHA-256 {root.sha256}\n"
               f"  → {root.path}")


@trust.command("list", help=tr("Liệt kê các chứng thư gốc đã thêm.", "List the installed roots."))
@click.pass_context
def list_roots(ctx: click.Context) -> None:
    from edoc.trust.installed import installed_roots, trust_dir

    roots = installed_roots()
    vi = lang_of(ctx) == "vi"
    if not roots:
        click.echo(f"Chưa có chứng thư gốc nào trong {trust_dir()}" if vi else f"No roots in {trust_dir()}")
        return
    for r in roots:
        click.echo(f"{r.common_name}\n  SHA-256 {r.sha256}\n  " + ("hết hạn" if vi else "expires") + f" {r.not_after}")


@trust.command("remove", help=tr(
    "Gỡ một chứng thư gốc đã thêm, theo dấu vân tay SHA-256.",
    "Remove an installed root by its SHA-256 fingerprint."))
@click.argument("fingerprint")
@click.pass_context
def remove(ctx: click.Context, fingerprint: str) -> None:
    from edoc.trust.installed import remove_root

    path = remove_root(fingerprint)
    click.echo(("Đã xóa" if lang_of(ctx) == "vi" else "Removed") + f": {path}")
