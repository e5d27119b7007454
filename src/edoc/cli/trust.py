"""``edoc trust add|list|remove``: the installed trust store that ``edoc verify`` uses."""

from __future__ import annotations

from pathlib import Path

import click

from edoc.cli.i18n import Group, say, tr
from edoc.util.text import visible

__all__ = ["trust"]


@click.group("trust", cls=Group, help=tr(
    "Các chứng thư gốc tin cậy mà edoc verify dùng.", "The trusted roots edoc verify uses."))
def trust() -> None:
    """The installed trust store."""


@trust.command("add", help=tr(
    "Thêm chứng thư gốc: FILE sau khi đối chiếu dấu vân tay SHA-256 với dấu vân tay đã công bố (hoặc --pin); "
    "hoặc --national: các chứng thư gốc Việt Nam đi kèm edoc (Root CA quốc gia của NEAC, RootCA chuyên dùng "
    "Chính phủ G2), không cần mạng.",
    "Admit a root: FILE after checking its SHA-256 fingerprint against the published pins (or --pin); or "
    "--national: the Vietnamese roots shipped with edoc (NEAC's national root CA, the government RootCA G2), "
    "offline."))
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pin", default=None, metavar="SHA256",
              help=tr("Tin cậy một chứng thư gốc không nằm trong danh sách đã công bố, nếu dấu vân tay SHA-256 "
                      "của nó đúng là giá trị này.",
                      "Trust a root that is not a published Vietnamese root, if its SHA-256 fingerprint is this."))
@click.option("--national", is_flag=True,
              help=tr("Thêm các chứng thư gốc Việt Nam đi kèm edoc, sau khi đối chiếu dấu vân tay đã công bố.",
                      "Install the Vietnamese roots shipped with edoc, after checking their published pins."))
@click.pass_context
def add(ctx: click.Context, file: Path | None, pin: str | None, national: bool) -> None:
    from edoc.trust.installed import install_published, install_root

    if national == (file is not None) or (national and pin):
        raise click.UsageError(say("cần FILE hoặc --national (không dùng cả hai; --pin chỉ đi với FILE)",
                                   "give FILE or --national (not both; --pin goes only with FILE)"))
    roots = install_published() if national else [install_root(file, pin=pin)]  # type: ignore[arg-type]
    for root in roots:
        name = visible(root.common_name)  # the certificate's field, made visible
        click.echo(say("Đã thêm", "Added") + f": {name} ({_origin_text(root.origin, root.sha256)})\n"
                   f"  SHA-256 {root.sha256}\n  → {root.path}")


def _origin_text(origin: dict[str, str] | None, sha256: str) -> str:
    from edoc.trust.installed import published_pin

    known = published_pin(sha256)
    if known:
        pin = say(f"khớp dấu vân tay đã công bố của {known.name}", f"matches the published pin of {known.name}")
    else:
        pin = say("theo dấu vân tay người dùng đã cho", "by the pin the user gave")
    if not origin:
        return say(f"{pin}; không ghi nguồn", f"{pin}; origin not recorded")
    if origin.get("source") == "edoc":
        where = say(f"bản đi kèm edoc ({origin.get('file', '')}, công bố tại {origin.get('published', '')})",
                    f"the copy shipped with edoc ({origin.get('file', '')}, published at "
                    f"{origin.get('published', '')})")
    else:
        where = say(f"tệp {origin.get('file', '')}", f"the file {origin.get('file', '')}")
    added = origin.get("added", "")
    return say(f"từ {where}; {pin}; thêm lúc {added}", f"from {where}; {pin}; added {added}")


@trust.command("list", help=tr("Liệt kê các chứng thư gốc đã thêm và nguồn của chúng.",
                               "List the installed roots and where each came from."))
@click.pass_context
def list_roots(ctx: click.Context) -> None:
    from edoc.trust.installed import installed_roots, trust_dir

    roots = installed_roots()
    if not roots:
        click.echo(say(f"Chưa có chứng thư gốc nào trong {trust_dir()}; thêm các chứng thư gốc Việt Nam bằng: "
                       "edoc trust add --national",
                       f"No roots in {trust_dir()}; add the Vietnamese roots with: edoc trust add --national"))
        return
    for r in roots:
        click.echo(f"{visible(r.common_name)}\n  SHA-256 {r.sha256}\n  " + say("hết hạn", "expires")
                   + f" {r.not_after}\n  " + say("nguồn", "origin") + f": {_origin_text(r.origin, r.sha256)}")


@trust.command("remove", help=tr(
    "Gỡ một chứng thư gốc đã thêm, theo dấu vân tay SHA-256.",
    "Remove an installed root by its SHA-256 fingerprint."))
@click.argument("fingerprint")
@click.pass_context
def remove(ctx: click.Context, fingerprint: str) -> None:
    from edoc.trust.installed import remove_root

    path = remove_root(fingerprint)
    click.echo(say("Đã xóa", "Removed") + f": {path}")
