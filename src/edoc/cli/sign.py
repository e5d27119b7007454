"""``edoc sign``: the signing acts on PDF files (approve, issue, appendix, copy, plain signature).

``edoc sign ACT IN.pdf... -o OUT --key URI``: with one input ``-o`` names the output file, with several it
names a folder (same file names). ``--jobs N`` signs with N worker processes; the key is opened once per
worker and a PIN is asked once. One line per document tells its outcome; the exit status is 0 when every
document was signed, 1 otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from edoc.cli import lang_of
from edoc.cli._progress import Bar, InOrder
from edoc.cli._terminal import ask_secret
from edoc.cli.i18n import Group, say, tr
from edoc.errors import InvalidInput, ResourceError

__all__ = ["sign"]

_T = {
    "ok": ("đã ký", "signed"),
    "fail": ("LỖI", "FAILED"),
    "summary": ("{ok}/{total} văn bản đã ký", "{ok}/{total} documents signed"),
}


_KEY_HELP = tr("Địa chỉ khóa: pkcs12:…, pem:…, pkcs11:…", "Key URI: pkcs12:…, pem:…, pkcs11:…")


def _t(ctx: click.Context, key: str) -> str:
    vi, en = _T[key]
    return en if lang_of(ctx) == "en" else vi


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False,
                                                                          path_type=Path)),
        click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
                     help=tr("Tệp kết quả (một tệp vào) hoặc thư mục (nhiều tệp vào).",
                             "Output file (one input) or folder (several inputs).")),
        click.option("--key", "key_uri", required=True, help=_KEY_HELP),
        click.option("--level", type=click.Choice(["B-B", "B-T", "B-LT", "B-LTA"]), default="B-B",
                     show_default=True, help=tr("Mức PAdES.", "PAdES level.")),
        click.option("--tsa", "tsa_url", help=tr("Địa chỉ máy chủ dấu thời gian RFC 3161 (từ B-T trở lên).",
                                                  "RFC 3161 time-stamp server URL (B-T and above).")),
        click.option("--trust", "trust", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help=tr("Chứng thư gốc tin cậy cho B-LT/B-LTA (lặp lại được).",
                             "Trust anchor certificate for B-LT/B-LTA (repeatable).")),
        click.option("--intermediate", "intermediates", multiple=True,
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help=tr("Chứng thư trung gian bổ sung cho B-LT/B-LTA (lặp lại được).",
                             "Extra intermediate certificate for B-LT/B-LTA (repeatable).")),
        click.option("--padding", type=click.Choice(["pss", "pkcs1v15"]), default=None,
                     help=tr("Kiểu đệm RSA (mặc định: của kho khóa, PSS).",
                             "RSA padding (default: the key backend's, PSS).")),
        click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
                     help=tr("Số tiến trình làm việc song song.", "Worker processes.")),
        click.option("--allow-outside-validity", is_flag=True, help=tr(
    "Ký cả khi chứng thư số đã hết hạn hoặc chưa có hiệu lực (chỉ để kiểm thử: chữ ký đó không bao giờ hợp lệ).",
    "Sign even when the certificate is expired or not yet valid (for tests only: such a signature never "
    "validates).")),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.group(cls=Group, help=tr(
    "Ký số văn bản PDF (PAdES): approve (ký duyệt), issue (ban hành), appendix (phụ lục), copy (bản sao), "
    "pdf (chữ ký thông thường); ký thông điệp edXML (XAdES): edxml.",
    "Sign PDF documents (PAdES): approve, issue, appendix, copy, pdf (a plain signature); sign edXML messages "
    "(XAdES): edxml."))
def sign() -> None:
    """The signing acts."""


def _jobs(inputs: tuple[Path, ...], output: Path,
          options: Callable[[int], dict[str, object]] | None = None) -> list[Any]:
    from edoc.sign import SignJob

    def opts(i: int) -> dict[str, object]:
        return options(i) if options else {}

    if len(inputs) == 1 and not output.is_dir():
        return [SignJob(inputs[0], output, opts(0))]
    if output.exists() and not output.is_dir():
        raise InvalidInput("with several inputs, -o must name a folder", path=output, field="output",
                           message_vi="Khi có nhiều tệp vào, -o phải là một thư mục")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResourceError.from_os(exc, output, action=("cannot create the output folder",
                                                         "Không tạo được thư mục kết quả")) from exc
    return [SignJob(p, output / p.name, opts(i)) for i, p in enumerate(inputs)]


def _run(ctx: click.Context, act: Any, inputs: tuple[Path, ...], output: Path, key_uri: str, level: str,
         tsa_url: str | None, padding: str | None, jobs: int, trust: tuple[Path, ...] = (),
         intermediates: tuple[Path, ...] = (), options: Callable[[int], dict[str, object]] | None = None,
         allow_outside_validity: bool = False) -> None:
    from edoc.sign import KeySessionFactory, sign_many

    todo = _jobs(inputs, output, options)
    asked: list[str] = []

    def ask(prompt: str) -> str:
        value = ask_secret(prompt)
        asked.append(value)
        return value

    try:
        anchors = tuple(p.read_bytes() for p in trust)
        extra = tuple(p.read_bytes() for p in intermediates)
    except OSError as exc:
        raise ResourceError.from_os(exc, action=("cannot read a certificate", "Không đọc được chứng thư số")) from exc
    factory = KeySessionFactory(key_uri, level=level, tsa_url=tsa_url, padding=padding, trust=anchors,
                                intermediates=extra, allow_outside_validity=allow_outside_validity)
    session = factory.open(pin=ask)  # the one PIN entry (also checks the key before any worker starts)
    if asked:
        factory = dataclasses.replace(factory, pin=asked[-1])
    lang = lang_of(ctx)
    total = len(todo)
    bar = Bar(total, say("Đang ký", "Signing"))

    def line(i: int, outcome: Any) -> None:  # one line per file, in the order the files were given
        number = todo[i].options.get("number")
        issued = say(f"số {number}, ", f"number {number}, ") if number is not None else ""
        if outcome.ok:
            bar.echo(f"[{i + 1}/{total}] {_t(ctx, 'ok')}: {outcome.source} -> {outcome.output} "
                     f"({issued}{outcome.signing_time.isoformat()}, {outcome.ms:.0f} ms)")
        else:
            text = outcome.error_vi if lang == "vi" and outcome.error_vi else outcome.error
            bar.echo(f"[{i + 1}/{total}] {_t(ctx, 'fail')}: {text}", err=True)

    ordered: InOrder[Any] = InOrder([job.source for job in todo], line)

    def progress(_done: int, _total: int, outcome: Any) -> None:
        bar.advance()
        ordered.done(outcome.source, outcome)

    try:
        # forked workers inherit a key held in memory; token keys (spawned workers) open it from the factory
        with bar:
            results = sign_many(todo, act=act, session=session, session_factory=factory if jobs > 1 else None,
                                workers=jobs, progress=progress)
    finally:
        backend = getattr(session, "backend", None)
        if backend is not None:
            backend.close()
    ok = sum(r.ok for r in results)
    click.echo(_t(ctx, "summary").format(ok=ok, total=len(results)), err=True)
    if ok != len(results):
        ctx.exit(1)


@sign.command("approve", help=tr(
    "Chữ ký của người có thẩm quyền (ô 7c): chữ ký chứng nhận kèm hình chữ ký.",
    "Signature of the competent person (box 7c): a certification signature with the signature image."))
@_common
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help=tr("Hình chữ ký của người ký (PNG nền trong suốt).",
                      "The person's signature image (PNG with transparency)."))
@click.option("--signer-name", help=tr("Họ tên in dưới ô 7c, để tìm vị trí ký (mặc định: tên trong chứng thư số).",
                      "Name printed under box 7c, to find the place (default: the certificate's)."))
@click.pass_context
def approve_cmd(ctx: click.Context, /, image: Path, signer_name: str | None, **kw: Any) -> None:
    from edoc.sign import PreparedImage, approve

    act = functools.partial(approve, image=PreparedImage.load(image), signer_name=signer_name)
    _run(ctx, act, **kw)


@sign.command("issue", help=tr(
    "Phát hành: số, ngày và chữ ký của cơ quan với hình con dấu (ô 8).",
    "Issuance: number, date and the agency's signature with the seal image (box 8)."))
@_common
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help=tr("Hình con dấu của cơ quan (PNG màu đỏ, nền trong suốt).",
                      "The agency seal (red PNG with transparency)."))
@click.option("--number", type=click.IntRange(1), default=None,
              help=tr("Số văn bản (nhiều tệp: số của tệp đầu, rồi tăng 1 theo thứ tự đã cho); bỏ trống khi văn "
                      "bản đã in sẵn số.",
                      "Document number (with several inputs: the first, then +1 each, in the given order); left out "
                      "when the document already prints its number."))
@click.option("--date", "date_", type=click.DateTime(["%Y-%m-%d"]),
              help=tr("Ngày ban hành (mặc định: hôm nay).", "Date of issue (default: today)."))
@click.option("--seal-mm", type=click.FloatRange(5, 80),
              help=tr("Chiều rộng thật của con dấu, mm (mặc định: theo DPI của PNG).",
                      "Real width of the seal in mm (default: PNG DPI)."))
@click.pass_context
def issue_cmd(ctx: click.Context, /, image: Path, number: int | None, date_: dt.datetime | None,
              seal_mm: float | None, **kw: Any) -> None:
    from edoc.sign import PreparedImage, issue
    from edoc.sign.acts import seal_width_mm

    act = functools.partial(issue, seal=PreparedImage.load(image), date=date_.date() if date_ else None,
                            seal_mm=seal_mm or seal_width_mm(image))
    _run(ctx, act, options=lambda i: {"number": None if number is None else number + i}, **kw)


@sign.command("appendix", help=tr(
    "Phụ lục là tệp riêng: chữ ký của cơ quan, dòng chữ ở góc trên bên phải trang 1.",
    "An appendix in its own file: the agency's signature, a line at the top right of page 1."))
@_common
@click.option("--main-number", required=True, help=tr("Số và ký hiệu của văn bản chính, ví dụ 05/QĐ-UBND.",
                      "Number and notation of the main document, e.g. 05/QĐ-UBND."))
@click.option("--main-date", "main_date", type=click.DateTime(["%Y-%m-%d"]),
              help=tr("Ngày ban hành văn bản chính (mặc định: hôm nay).",
                      "Date of issue of the main document (default: today)."))
@click.pass_context
def appendix_cmd(ctx: click.Context, /, main_number: str, main_date: dt.datetime | None, **kw: Any) -> None:
    from edoc.sign import appendix

    _run(ctx, functools.partial(appendix, main_number=main_number,
                                main_date=main_date.date() if main_date else None), **kw)


@sign.command("copy", help=tr(
    "Bản sao điện tử: SAO Y / SAO LỤC / TRÍCH SAO, cơ quan sao, thời gian ký.",
    "Electronic copy: SAO Y / SAO LỤC / TRÍCH SAO, the copying body, the signing time."))
@_common
@click.option("--form", "form", type=click.Choice(["SAO Y", "SAO LỤC", "TRÍCH SAO"], case_sensitive=False),
              required=True, help=tr("Hình thức sao.", "Copy form."))
@click.option("--body", "copying_body", required=True,
              help=tr("Tên cơ quan sao.", "Name of the copying body."))
@click.pass_context
def copy_cmd(ctx: click.Context, /, form: str, copying_body: str, **kw: Any) -> None:
    from edoc.sign import copy

    _run(ctx, functools.partial(copy, form=form, copying_body=copying_body), **kw)


@sign.command("pdf", help=tr(
    "Chữ ký thông thường: ẩn, hoặc trong ô theo tọa độ hay dưới dòng chữ neo.",
    "A plain signature: invisible, or in a box given by coordinates or under an anchor text."))
@_common
@click.option("--page", type=click.IntRange(1),
              help=tr("Trang của ô chữ ký (đếm từ 1).", "Page of a visible box (1-based)."))
@click.option("--rect", help=tr("Ô x1,y1,x2,y2 tính bằng point.", "Box x1,y1,x2,y2 in points."))
@click.option("--anchor", help=tr("Đặt ô dưới dòng chữ này.", "Put the box under this text."))
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=tr("Hình trong ô.", "Image in the box."))
@click.option("--text", help=tr("Chữ trong ô ({signer} và {time} được thay; \\n để xuống dòng).",
                                       "Text in the box ({signer} and {time} are replaced; \\n for new lines)."))
@click.option("--field", "field_name", default="Signature1", show_default=True,
              help=tr("Tên trường chữ ký.", "Signature field name."))
@click.pass_context
def pdf_cmd(ctx: click.Context, /, page: int | None, rect: str | None, anchor: str | None, image: Path | None,
            text: str | None, field_name: str, **kw: Any) -> None:
    from edoc.sign import PreparedImage
    from edoc.sign import sign as plain

    box = None
    if rect is not None:
        try:
            parts = tuple(float(v) for v in rect.split(","))
        except ValueError as exc:
            raise InvalidInput("--rect must be x1,y1,x2,y2", field="rect",
                               message_vi="--rect phải có dạng x1,y1,x2,y2") from exc
        if len(parts) != 4 or parts[2] <= parts[0] or parts[3] <= parts[1]:
            raise InvalidInput("--rect must be x1,y1,x2,y2 with x2 > x1 and y2 > y1", field="rect",
                               message_vi="--rect phải có dạng x1,y1,x2,y2 với x2 > x1 và y2 > y1")
        box = parts
    act = functools.partial(plain, page=None if page is None else page - 1, rect=box, anchor=anchor,
                            image=PreparedImage.load(image) if image else None,
                            text=text.replace("\\n", "\n") if text else None, field_name=field_name)
    _run(ctx, act, **kw)


@sign.command("edxml", help=tr(
    "Ký thông điệp edXML (XAdES, chữ ký nằm trong edXMLHeader).",
    "Sign an edXML message (XAdES, the signature inside edXMLHeader)."))
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help=tr("Tệp edXML đã ký.", "Signed edXML file."))
@click.option("--key", "key_uri", required=True, help=_KEY_HELP)
@click.option("--level", type=click.Choice(["B-B", "B-T"]), default="B-B", show_default=True,
              help=tr("Mức XAdES.", "XAdES level."))
@click.option("--tsa", "tsa_url", help=tr("Địa chỉ máy chủ dấu thời gian RFC 3161 (B-T).",
                                          "RFC 3161 time-stamp server URL (B-T)."))
@click.option("--allow-outside-validity", is_flag=True, help=tr(
    "Ký cả khi chứng thư số đã hết hạn hoặc chưa có hiệu lực (chỉ để kiểm thử: chữ ký đó không bao giờ hợp lệ).",
    "Sign even when the certificate is expired or not yet valid (for tests only: such a signature never "
    "validates)."))
@click.pass_context
def edxml_cmd(ctx: click.Context, /, source: Path, output: Path, key_uri: str, level: str,
              tsa_url: str | None, allow_outside_validity: bool) -> None:
    from edoc.keys import open_key
    from edoc.sign.xades import sign_edxml

    with open_key(key_uri, pin=ask_secret) as key:
        sign_edxml(source, output, key=key, level=level, tsa_url=tsa_url,
                   allow_outside_validity=allow_outside_validity)
    click.echo(f"{_t(ctx, 'ok')}: {source} -> {output}")
