"""``edoc edxml``: build, show, validate and answer edXML messages.

- ``edoc edxml build DOC.(json|yaml) [--attach FILE]... [--zip-attachments] -o OUT.edxml``
- ``edoc edxml show FILE.edxml [--json] [--extract DIR]``
- ``edoc edxml validate FILE.edxml [--json]`` (exit 0 valid, 1 with findings of severity error)
- ``edoc edxml status FILE.edxml --code 03 [--description …] [--from-organ ORGANID] [--staff NAME …]
  [--shape sdk|status-element] -o STATUS.edxml``

The JSON of ``show --json`` is the document form ``build`` reads, so a received message can be read, edited
and rebuilt; with ``--extract`` its attachments point at the extracted files.
"""

from __future__ import annotations

from pathlib import Path

import click

from edoc.cli import lang_of
from edoc.cli._json import echo_json
from edoc.cli.i18n import Group, tr
from edoc.errors import InvalidInput
from edoc.util.text import json_safe, visible


def _t(ctx: click.Context, vi: str, en: str) -> str:
    return en if lang_of(ctx) == "en" else vi


@click.group("edxml", cls=Group, help=tr(
    "edXML (QCVN 102:2016): tạo, xem, kiểm tra thông điệp và trả lời bằng thông điệp trạng thái.",
    "edXML (QCVN 102:2016): build, show, validate messages and answer them with a status."))
def edxml() -> None:
    """The edXML commands."""


@edxml.command("build", help=tr("Tạo thông điệp edXML từ văn bản dạng JSON hoặc YAML.",
                                "Build an edXML message from a document in JSON or YAML."))
@click.argument("document", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--attach", "attachments", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help=tr("Tệp đính kèm (lặp lại được), sau các tệp văn bản đã liệt kê.",
                      "A file to attach (repeatable), after those the document lists."))
@click.option("--zip-attachments", is_flag=True, help=tr("Nén mỗi tệp đính kèm thành zip, như SDK Java.",
                                                          "Pack each attachment in a zip, as the Java SDK does."))
@click.option("--no-check", is_flag=True, help=tr("Vẫn ghi khi văn bản vi phạm quy định quốc gia.",
                                                   "Write even when the document breaks the national rules."))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help=tr("Tệp .edxml cần ghi.", "The .edxml file to write."))
@click.pass_context
def build(ctx: click.Context, document: Path, attachments: tuple[Path, ...], zip_attachments: bool,
          no_check: bool, output: Path) -> None:
    from edoc.edxml import write_edxml
    from edoc.edxml.shapes import guess_content_type
    from edoc.model import Attachment, load_document

    doc = load_document(document)
    extra = []
    for p in attachments:
        if not p.is_file():
            from edoc.errors import ResourceError

            raise ResourceError("the attachment does not exist or is not a file", path=p,
                                message_vi="Tệp đính kèm không tồn tại hoặc không phải là tệp")
        extra.append(Attachment(name=p.name, path=p.resolve(), content_type=guess_content_type(p.name)))
    if extra:
        doc = doc.replace(attachments=doc.attachments + tuple(extra))
    write_edxml(doc, output, zip_attachments=zip_attachments, check=not no_check)
    click.echo(_t(ctx, f"Đã ghi {output} ({doc.document_id}, {len(doc.attachments)} tệp đính kèm)",
                  f"Wrote {output} ({doc.document_id}, {len(doc.attachments)} attachments)"))


def _show_text(ctx: click.Context, result: object) -> None:
    from edoc.edxml import ReadResult

    assert isinstance(result, ReadResult)
    en = lang_of(ctx) == "en"

    def line(vi: str, eng: str, value: object) -> None:
        if value not in (None, "", ()):
            click.echo(f"{(eng if en else vi) + ':':<22}{visible(value)}")  # the message's data, made visible

    if result.status is not None:
        s = result.status
        line("Thông điệp", "Message", "trạng thái" if not en else "status")
        line("Trả lời văn bản", "Answers document", result.document_id)
        line("Cơ quan báo", "Reported by", f"{s.sender.organ_id} {s.sender.name}".strip())
        code = s.raw_code or s.code.value
        line("Trạng thái", "Status", f"{code} {s.code.name_vi if not en else s.code.name}")
        line("Mô tả", "Description", s.description)
        if s.staff is not None:
            staff = s.staff
            who = staff.staff + (f" ({staff.department})" if staff.department else "") if staff.staff \
                else staff.department
            line("Cán bộ xử lý", "Staff", ", ".join(filter(None, (who, staff.mobile, staff.email))))
        line("Thời điểm", "Time", s.timestamp.isoformat() if s.timestamp else "")
        if result.status_shape is not None:
            line("Dạng", "Shape", result.status_shape.value)
    else:
        d = result.document
        assert d is not None
        line("Văn bản", "Document", f"{d.type.value} {d.code}")
        line("DocumentId", "DocumentId", result.document_id)
        line("Cơ quan ban hành", "Issued by", f"{d.organ.organ_id} {d.organ.name}".strip())
        line("Ngày", "Date", d.place_date_line if d.date else "")
        line("Trích yếu", "Summary", d.summary)
        if d.signer:
            line("Người ký", "Signed by", " ".join(filter(None, (d.signer.competence, d.signer.position,
                                                              d.signer.full_name))))
        for r in d.recipients:
            line("Nơi nhận", "To", f"{r.organ_id} {r.name}".strip())
        line("Nghiệp vụ", "Business", d.business.type.name)
        for a in result.attachments:
            where = f" → {a.path}" if a.path else ""
            zipped = " (zip)" if a.zipped else ""
            line("Đính kèm", "Attachment", f"{a.name} [{a.content_type}] {a.size} B{zipped} sha256={a.sha256[:16]}…"
                 f"{where}")
    for f in result.findings:
        click.echo(f"  [{f.severity.value}] {visible(f.describe(lang_of(ctx)))}")


@edxml.command("show", help=tr("Hiển thị thông điệp edXML (văn bản hoặc trạng thái) và các phát hiện.",
                               "Show an edXML message (document or status) and its findings."))
@click.argument("message", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help=tr("In văn bản ở dạng mà 'build' đọc được.",
                                                         "Print the document form that 'build' reads."))
@click.option("--extract", type=click.Path(file_okay=False, path_type=Path),
              help=tr("Ghi các tệp đính kèm vào thư mục này (giải nén nếu được nén zip).",
                      "Write the attachments into this folder (unzipped when packed as zip)."))
@click.pass_context
def show(ctx: click.Context, message: Path, as_json: bool, extract: Path | None) -> None:
    from edoc.edxml import read_edxml
    from edoc.model import dumps_document

    result = read_edxml(message, extract_to=extract)
    if as_json:
        click.echo(json_safe(dumps_document(result.message)), nl=False)  # file data: terminal-safe JSON
        for f in result.findings:
            click.echo(f"[{f.severity.value}] {visible(f.describe(lang_of(ctx)))}", err=True)
    else:
        _show_text(ctx, result)


@edxml.command("validate", help=tr(
    "Kiểm tra thông điệp theo XSD và quy định quốc gia (mã thoát 1 khi có lỗi).",
    "Check a message against the XSD and the national rules (exit 1 when an error is found)."))
@click.argument("message", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help=tr("In các phát hiện dạng JSON.", "Print the findings as JSON."))
@click.pass_context
def validate_cmd(ctx: click.Context, message: Path, as_json: bool) -> None:
    from edoc.edxml import Severity, validate

    findings = validate(message)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if as_json:
        echo_json({"valid": not errors, "findings": [f.to_data() for f in findings]}, indent=2)
    else:
        for f in findings:
            click.echo(f"[{f.severity.value}] {visible(f.describe(lang_of(ctx)))}")
        if errors:
            click.echo(_t(ctx, f"{message}: {len(errors)} lỗi", f"{message}: {len(errors)} errors"))
        else:
            click.echo(_t(ctx, f"{message}: hợp lệ", f"{message}: valid"))
    if errors:
        ctx.exit(1)


@edxml.command("status", help=tr("Trả lời thông điệp văn bản đã nhận bằng một thông điệp trạng thái.",
                                 "Answer a received document message with a status message."))
@click.argument("message", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--code", required=True, help=tr(
    "Mã trạng thái: 01 đã đến, 02 từ chối, 03 đã tiếp nhận, 04 đã phân công, 05 đang xử lý, 06 hoàn thành, "
    "13 thu hồi, 15 đồng ý thu hồi, 16 từ chối thu hồi.",
    "Status code: 01 arrived, 02 refused, 03 accepted, 04 assigned, 05 processing, 06 completed, 13 recalled, "
    "15 recall agreed, 16 recall refused."))
@click.option("--description", default="", help=tr("Nội dung tự do (lý do, với 02 và 16).",
                                                  "Free text (the reason, for 02 and 16)."))
@click.option("--from-organ", "from_organ", default=None,
              help=tr("OrganId của cơ quan báo trạng thái (mặc định: nơi nhận đầu tiên của thông điệp).",
                      "OrganId of the body reporting (default: the message's first recipient)."))
@click.option("--staff", default="", help=tr("Tên cán bộ xử lý (StaffInfo/Staff).",
                                              "Name of the clerk handling it (StaffInfo/Staff)."))
@click.option("--department", default="", help=tr("Đơn vị của cán bộ (StaffInfo/Department).",
                                                   "The clerk's department (StaffInfo/Department)."))
@click.option("--mobile", default="", help=tr("Số di động của cán bộ.", "The clerk's mobile number."))
@click.option("--email", default="", help=tr("Thư điện tử của cán bộ.", "The clerk's e-mail address."))
@click.option("--shape", type=click.Choice(["sdk", "status-element"]), default="sdk", show_default=True,
              help=tr("sdk: trạng thái trong MessageHeader như SDK của trục liên thông quốc gia (bên nhận đọc "
                      "dạng này); status-element: phần tử edXML:Status.",
                      "sdk: the status inside MessageHeader, as the national-axis SDK writes it (what "
                      "receivers parse); status-element: an edXML:Status element."))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help=tr("Tệp .edxml trạng thái cần ghi.", "The status .edxml file to write."))
@click.pass_context
def status(ctx: click.Context, message: Path, code: str, description: str, from_organ: str | None, staff: str,
           department: str, mobile: str, email: str, shape: str, output: Path) -> None:
    from edoc.edxml import read_edxml, status_for, write_status
    from edoc.edxml.findings import check_organ_id
    from edoc.model import StaffInfo

    if from_organ is not None and check_organ_id(from_organ):
        msg = check_organ_id(from_organ)
        assert msg is not None
        raise InvalidInput(msg[0], message_vi=msg[1], field="--from-organ")
    result = read_edxml(message)
    sender: object = from_organ
    if from_organ is not None and result.document is not None:
        sender = next((r for r in result.document.recipients if r.organ_id == from_organ), from_organ)
    clerk = StaffInfo(department=department, staff=staff, email=email, mobile=mobile) \
        if staff or department or mobile or email else None
    st = status_for(result, code, description=description, sender=sender, staff=clerk)  # type: ignore[arg-type]
    write_status(st, output, shape=shape)
    click.echo(_t(ctx, f"Đã ghi {output} (trạng thái {st.code.value} {st.code.name_vi} cho {result.document_id})",
                  f"Wrote {output} (status {st.code.value} {st.code.name} for {result.document_id})"))
