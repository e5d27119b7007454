"""``edoc demo``: the whole chain on a sample decision of the People's Committee of Thuận Nam district.

Each step runs for real and prints one line; the files are left in the output folder for a person to open.
Steps, in the order of Decree 30 (Articles 13–18): the document model → the Decree 30 PDF/A, not yet
numbered → PDF/A self-check → the competent person's approval signature → issuance by the clerk (number,
date, agency signature with the seal) → verification of both signatures → the edXML message carrying the
signed PDF → validation → reading it back. The keys come from a throwaway PKI made on the spot
(:func:`edoc.samples.make_demo_pki`), trusted by nobody but this demo.
"""

from __future__ import annotations

import importlib.util
import logging
import shlex
import time
from collections.abc import Callable
from pathlib import Path

import click

from edoc.cli import lang_of
from edoc.cli.i18n import Command, tr
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


@click.command("demo", cls=Command, help=tr(
    "Chạy cả chuỗi trên một quyết định mẫu của UBND huyện Thuận Nam: tạo văn bản, kết xuất PDF/A theo Nghị định "
    "30, ký duyệt và ban hành bằng khóa minh họa (ký số), kiểm tra chữ ký, đóng gói edXML, kiểm tra và đọc lại "
    "thông điệp. Cuối cùng in các lệnh để thử tiếp, với chứng thư gốc và mật khẩu khóa của bản minh họa.",
    "Run the whole chain on a sample decision of the Thuận Nam district People's Committee: build the document, "
    "render the Decree 30 PDF/A, approve and issue it with demo keys (digital signatures), verify the "
    "signatures, pack the edXML message, validate and read it back. Ends with the next commands to try, with "
    "the demo's trust anchor and key password."))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-output"),
              show_default=True, help=tr("Thư mục chứa các tệp bản minh họa tạo ra.",
                                         "Folder for the files the demo makes."))
@click.pass_context
def demo(ctx: click.Context, out_dir: Path) -> None:
    """The demo."""
    lang = lang_of(ctx)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from edoc.errors import ResourceError

        raise ResourceError.from_os(exc, out_dir, action=("cannot create the output folder",
                                                          "Không tạo được thư mục kết quả")) from exc
    doc = thuan_nam_decision()
    draft = thuan_nam_decision(numbered=False)
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

            pdf = out_dir / "quyet-dinh-du-thao.pdf"
            result = render_pdf(draft, pdf)
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

        if "pdf" in state:
            _sign_and_verify(steps, state, out_dir, doc, lang)

    def build_step() -> str:
        from edoc.edxml import write_edxml

        message_doc: Document = doc
        pdf = state.get("signed", state.get("pdf"))
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
            raise EdocError("the message read back is not a document message",
                            message_vi="Thông điệp đọc lại không phải là thông điệp văn bản")
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

    if "edxml" in state and "pki" in state:
        def verify_message_step() -> str:
            from edoc.verify import Indication, verify_file

            pki = state["pki"]
            report = verify_file(state["edxml"], trust=[pki.root.read_bytes()],  # type: ignore[arg-type, attr-defined]
                                 online=False)
            inner = ", ".join(f"{a.file}: {a.verdict.value}" for a in report.attachments) or "—"
            if report.verdict is Indication.TOTAL_FAILED:
                raise EdocError(f"verdict {report.verdict.value} ({inner})",
                                message_vi=f"kết quả {report.verdict.value} ({inner})")
            return f"{report.verdict.value} ({_say(lang, 'tệp đính kèm', 'attachments')}: {inner})"

        steps.run("Kiểm tra thông điệp nhận được (cả PDF bên trong)", "Verify the received message (PDF inside too)",
                  verify_message_step)

    if steps.failed:
        click.echo(_say(lang, f"Các tệp nằm trong {out_dir}/", f"The files are in {out_dir}/"))
        ctx.exit(1)
    _next_steps(lang, out_dir, state)


def _next_steps(lang: str, out_dir: Path, state: dict[str, object]) -> None:
    """What the demo did, where its files are, and the commands to try next (with the demo's anchor and password)."""
    q = shlex.quote
    click.echo("")
    click.echo(_say(lang, "Bản minh họa đã tạo văn bản, kết xuất PDF/A, ký số hai chữ ký (duyệt, ban hành), kiểm tra "
                          "chữ ký, đóng gói và đọc lại thông điệp edXML.",
                    "The demo built the document, rendered the PDF/A, signed it twice (approval, issuance), "
                    "verified the signatures, packed the edXML message and read it back."))
    click.echo(_say(lang, f"Các tệp nằm trong {out_dir}/", f"The files are in {out_dir}/"))
    from edoc.samples import DemoPKI

    pki = state.get("pki")
    if not isinstance(pki, DemoPKI):
        return
    root = q(str(pki.root))
    person = str(pki.person)
    click.echo(_say(lang, f"Chứng thư gốc của bản minh họa (chỉ để thử, không ai tin cậy): {pki.root}",
                    f"The demo's trust anchor (for trying only, trusted by nobody): {pki.root}"))
    click.echo(_say(lang, f"Mật khẩu của các khóa minh họa (person.p12, agency.p12): {pki.password}",
                    f"Password of the demo keys (person.p12, agency.p12): {pki.password}"))
    click.echo(_say(lang, "Thử tiếp:", "Try next:"))
    commands = [
        f"edoc verify {q(str(state.get('signed', out_dir / 'quyet-dinh.pdf')))} --trust {root}",
        f"edoc verify {q(str(out_dir / 'quyet-dinh.edxml'))} --trust {root} --format html -o "
        f"{q(str(out_dir / 'bao-cao.html'))}",
        f"edoc edxml show {q(str(out_dir / 'quyet-dinh.edxml'))}",
        f"edoc keys show --key {q('pkcs12:' + person)}",
        f"edoc sign pdf {q(str(out_dir / 'quyet-dinh-du-thao.pdf'))} -o {q(str(out_dir / 'ky-thu.pdf'))} "
        f"--key {q('pkcs12:' + person)}",
        f"edoc {'--lang en ' if lang == 'en' else ''}--help",
    ]
    for command in commands:
        click.echo(f"  {command}")


def _sign_and_verify(steps: _Steps, state: dict[str, object], out_dir: Path, doc: Document, lang: str) -> None:
    from edoc.samples import demo_signing_extras, make_demo_pki, make_seal_png, make_signature_png

    keys_dir = out_dir / "demo-keys"

    def approve_step() -> str:
        from edoc.sign import KeySessionFactory, approve

        pki = make_demo_pki(keys_dir)
        state["pki"] = pki
        image = make_signature_png(keys_dir / "chu-ky.png")
        # PAdES B-LT: the signature carries the demo CA's CRL, so it verifies anywhere with no server (pyHanko
        # warns that it may not fetch: it need not, the CRL is given)
        logging.getLogger("pyhanko.sign.signers.pdf_signer").setLevel(logging.ERROR)
        session = KeySessionFactory(f"pkcs12:{pki.person}", pin=pki.password, level="B-LT").open(
            **demo_signing_extras(pki))
        signed = approve(state["pdf"], session=session, image=image)  # type: ignore[arg-type]
        target = signed.save(out_dir / "quyet-dinh-da-duyet.pdf")
        state["approved"] = target
        return _say(lang, f"{target} (Nguyễn Văn An, khóa PKCS#12, ký chứng nhận DocMDP)",
                    f"{target} (Nguyễn Văn An, PKCS#12 key, DocMDP certification)")

    steps.run("Ký duyệt của người có thẩm quyền", "Approval signature of the competent person", approve_step)
    if "approved" not in state:
        return

    def issue_step() -> str:
        from edoc.sign import KeySessionFactory, issue

        pki = state["pki"]
        seal = make_seal_png(keys_dir / "con-dau.png")
        session = KeySessionFactory(f"pkcs12:{pki.agency}", pin=pki.password,  # type: ignore[attr-defined]
                                    level="B-LT").open(**demo_signing_extras(pki))  # type: ignore[arg-type]
        signed = issue(state["approved"], session=session, seal=seal, number=doc.number,  # type: ignore[arg-type]
                       date=doc.date)
        target = signed.save(out_dir / "quyet-dinh.pdf")
        state["signed"] = target
        return _say(lang, f"{target} ({doc.number_line}, ngày {doc.date:%d/%m/%Y}, chữ ký số cơ quan và dấu)",
                    f"{target} ({doc.number_line}, {doc.date:%Y-%m-%d}, agency signature with the seal)")

    steps.run("Ban hành: cấp số, ngày và ký số cơ quan", "Issuance: number, date and agency signature", issue_step)
    if "signed" not in state:
        return

    def verify_step() -> str:
        from edoc.verify import Indication, verify_file

        pki = state["pki"]
        # offline: the revocation data travels inside the signatures (B-LT)
        report = verify_file(state["signed"], trust=[pki.root.read_bytes()],  # type: ignore[arg-type, attr-defined]
                             online=False)
        roles = ", ".join(f"{s.role.value}: {s.indication.value}" for s in report.signatures)
        if report.verdict is not Indication.TOTAL_PASSED:
            raise EdocError(f"verdict {report.verdict.value} ({roles})",
                            message_vi=f"kết quả {report.verdict.value} ({roles})")
        return f"{report.verdict.value} ({roles})"

    steps.run("Kiểm tra chữ ký số", "Verify the signatures", verify_step)
