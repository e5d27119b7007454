"""``edoc demo``: the whole chain on a sample decision of the People's Committee of Thuận Nam district.

Each step that this version of edoc can do runs for real and prints one line; the files are left in the
output folder for a person to open. Steps: the document model → the Decree 30 PDF/A (when rendering is
available) → the edXML message carrying it → validation → reading it back.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

import click

from edoc.cli import lang_of
from edoc.errors import EdocError
from edoc.model import Attachment, Document, save_document
from edoc.samples import thuan_nam_decision

__all__ = ["demo"]


def _say(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


class _Steps:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.failed = 0

    def run(self, vi: str, en: str, fn: Callable[[], str]) -> None:
        start = time.perf_counter()
        try:
            detail = fn()
        except EdocError as exc:
            self.failed += 1
            click.secho(f"  ✗ {_say(self.lang, vi, en)}: {exc.describe(self.lang)}", fg="red")
            return
        ms = (time.perf_counter() - start) * 1000
        click.echo(f"  ✓ {_say(self.lang, vi, en)} ({ms:.0f} ms){': ' + detail if detail else ''}")


@click.command("demo")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-output"),
              show_default=True, help="Folder for the files the demo makes.")
@click.pass_context
def demo(ctx: click.Context, out_dir: Path) -> None:
    """Build, validate and read back a sample document (Thuận Nam district decision)."""
    lang = lang_of(ctx)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from edoc.errors import ResourceError

        raise ResourceError(f"cannot create the output folder: {exc.strerror}", path=out_dir) from exc
    doc = thuan_nam_decision()
    steps = _Steps(lang)
    click.echo(_say(lang, "edoc — minh họa: Quyết định của UBND huyện Thuận Nam",
                    "edoc — demo: a decision of the Thuận Nam district People's Committee"))
    state: dict[str, object] = {"doc": doc}

    def model_step() -> str:
        doc.check()
        save_document(doc, out_dir / "quyet-dinh.yaml")
        return f"{doc.number_line} · {doc.place_date_line} → {out_dir / 'quyet-dinh.yaml'}"

    steps.run("Mô hình văn bản", "Document model", model_step)

    if importlib.util.find_spec("edoc.pdf") is not None:
        def render_step() -> str:
            from edoc.pdf import render_pdf

            pdf = out_dir / "quyet-dinh.pdf"
            result = render_pdf(doc, pdf)
            state["pdf"] = pdf
            return (f"{pdf} ({result.conformance}, {result.pages} {_say(lang, 'trang', 'page(s)')}, "
                    f"{_say(lang, 'phông', 'font')} {result.face})")

        steps.run("Kết xuất PDF/A theo Nghị định 30", "Render Decree 30 PDF/A", render_step)

        if importlib.util.find_spec("edoc.pdfa") is not None and "pdf" in state:
            def pdfa_step() -> str:
                from edoc.pdfa import check_pdfa

                findings = check_pdfa(state["pdf"])  # type: ignore[arg-type]
                if findings:
                    raise EdocError(f"{len(findings)} PDF/A findings: {findings[0]}",
                                    message_vi=f"{len(findings)} lỗi PDF/A: {findings[0]}")
                return _say(lang, "không có lỗi", "no findings")

            steps.run("Tự kiểm tra PDF/A-2b", "PDF/A-2b self-check", pdfa_step)

    def build_step() -> str:
        from edoc.edxml import write_edxml

        message_doc: Document = doc
        pdf = state.get("pdf")
        if isinstance(pdf, Path):
            message_doc = doc.replace(attachments=(Attachment(name=pdf.name, path=pdf.resolve(),
                                                              content_type="application/pdf",
                                                              description=doc.summary),))
        target = out_dir / "quyet-dinh.edxml"
        write_edxml(message_doc, target, zip_attachments=True)
        state["edxml"] = target
        return f"{target} ({target.stat().st_size:,} bytes)"

    steps.run("Đóng gói thông điệp edXML", "Build the edXML message", build_step)

    def validate_step() -> str:
        from edoc.edxml import Severity, validate

        findings = [f for f in validate(state["edxml"]) if f.severity is not Severity.INFO]  # type: ignore[arg-type]
        if findings:
            raise EdocError(f"{len(findings)} findings: {findings[0].text('en')}",
                            message_vi=f"{len(findings)} lỗi: {findings[0].text('vi')}")
        return _say(lang, "hợp lệ (XSD và quy tắc QCVN 102)", "valid (XSD and QCVN 102 rules)")

    if "edxml" in state:
        steps.run("Kiểm tra thông điệp", "Validate the message", validate_step)

    def read_step() -> str:
        from edoc.edxml import read_edxml

        result = read_edxml(state["edxml"], extract_to=out_dir / "extracted")  # type: ignore[arg-type]
        back = result.document
        if back is None:
            raise EdocError("the message read back is not a document message")
        same = back.document_id == doc.document_id and back.summary == doc.summary
        names = ", ".join(a.name for a in result.attachments) or "—"
        return _say(
            lang,
            f"DocumentId {back.document_id}, {len(result.attachments)} tệp đính kèm ({names}), "
            f"{'khớp' if same else 'KHÔNG khớp'} với bản gốc",
            f"DocumentId {back.document_id}, {len(result.attachments)} attachment(s) ({names}), "
            f"{'matches' if same else 'does NOT match'} the original",
        )

    if "edxml" in state:
        steps.run("Đọc lại thông điệp", "Read the message back", read_step)

    click.echo(_say(lang, f"Các tệp nằm trong {out_dir}/", f"The files are in {out_dir}/"))
    if steps.failed:
        ctx.exit(1)
