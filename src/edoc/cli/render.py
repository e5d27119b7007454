"""``edoc render``: a document (JSON/YAML) as the Decree 30 PDF/A."""

from __future__ import annotations

from pathlib import Path

import click

from edoc.cli import lang_of
from edoc.cli.i18n import Command, tr

__all__ = ["render"]


@click.command("render", cls=Command, help=tr(
    "Kết xuất DOCUMENT (.json hoặc .yaml) thành PDF/A-2b theo Nghị định 30 (PDF/A-3b với --embed-xml).",
    "Render DOCUMENT (.json or .yaml) as the Decree 30 PDF/A-2b (PDF/A-3b with --embed-xml)."))
@click.argument("document", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help=tr("Tệp PDF cần ghi.", "The PDF to write."))
@click.option("--embed-xml", is_flag=True, help=tr("PDF/A-3b mang theo thông điệp edXML và XML siêu dữ liệu.",
                                                  "PDF/A-3b carrying the edXML message and the metadata XML."))
@click.option("--font", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=tr("Tệp phông TrueType dùng thay cho Times New Roman / Liberation Serif.",
                      "A TrueType font file to use instead of Times New Roman / Liberation Serif."))
@click.option("--appendix-separate", is_flag=True, help=tr("Ghi mỗi phụ lục thành một tệp PDF riêng.",
                                                          "Write each appendix as its own PDF."))
@click.pass_context
def render(ctx: click.Context, document: Path, output: Path, embed_xml: bool, font: Path | None,
           appendix_separate: bool) -> None:
    from edoc.model import load_document
    from edoc.pdf import RenderOptions, render_pdf

    doc = load_document(document)
    result = render_pdf(doc, output, options=RenderOptions(font=font, embed_xml=embed_xml,
                                                           appendix_separate=appendix_separate))
    en = lang_of(ctx) == "en"
    click.echo(f"{'Font' if en else 'Phông chữ'}: {result.face}")
    click.echo(f"{result.conformance}: {result.path} ({result.pages} {'pages' if en else 'trang'})")
    for path in result.appendix_paths:
        click.echo(f"{'Appendix' if en else 'Phụ lục'}: {path}")
    for name in result.embedded:
        click.echo(f"{'Embedded' if en else 'Tệp đính kèm'}: {name}")
