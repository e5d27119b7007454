"""``edoc verify FILE...``: check the signatures of received PDF and edXML documents.

Exit status: 0 when every document is TOTAL_PASSED, 1 when any is TOTAL_FAILED, 3 when any is
INDETERMINATE and none failed, 2 for a usage error (docs/verify.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from edoc.cli import lang_of
from edoc.cli._progress import Bar
from edoc.cli.i18n import Command, say, set_language, tr
from edoc.model import VIETNAM_TZ

__all__ = ["verify"]

_SUFFIXES = {".pdf", ".xml", ".edxml"}
_VERDICT = {"vi": {"TOTAL_PASSED": "hợp lệ", "TOTAL_FAILED": "KHÔNG HỢP LỆ", "INDETERMINATE": "chưa xác định được"},
            "en": {"TOTAL_PASSED": "valid", "TOTAL_FAILED": "NOT VALID", "INDETERMINATE": "indeterminate"}}


def _parse_at(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(say(f"không phải thời điểm ISO 8601: {value}",
                                     f"not an ISO 8601 time: {value}")) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM_TZ)


def _walk(paths: tuple[str, ...]) -> Iterator[Path]:
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and not child.is_symlink() and child.suffix.lower() in _SUFFIXES:
                    yield child
        else:
            yield p


# -- worker processes: one verifier per process, reused for every document it gets --------------------
_WORKER: Any = None


def _init_worker(trust: list[str], online: bool, at: datetime | None, revocation_data: list[str]) -> None:
    global _WORKER
    from edoc.verify import Verifier

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    _WORKER = Verifier(trust=trust, online=online, at=at, revocation_data=revocation_data)


def _work(path: str, issuing_body: str | None) -> Any:
    from edoc.verify.dispatch import verify_with

    return verify_with(_WORKER, path, issuing_body=issuing_body)


@click.command("verify", cls=Command, help=tr(
    "Kiểm tra chữ ký số của văn bản PDF và thông điệp edXML nhận được.",
    "Verify the signatures of received PDF documents and edXML messages."))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True, help=tr("Định dạng báo cáo (json: mỗi tệp một đối tượng trên một dòng).",
                                         "Report format (json: one object per file per line)."))
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None, is_eager=True,
              callback=lambda _c, _p, v: set_language(v) if v else None,
              help=tr("Ngôn ngữ của báo cáo và thông báo (mặc định: --lang của lệnh chính).",
                      "Language of the report and messages (default: the main command's --lang)."))
@click.option("--trust", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help=tr("Chứng thư gốc tin cậy (DER hoặc PEM) cho lần chạy này; lặp lại được.",
                      "A trust anchor certificate (DER or PEM) for this run; repeatable."))
@click.option("--installed-trust/--no-installed-trust", default=True, show_default=True,
              help=tr("Tin cậy cả các chứng thư gốc đã thêm bằng 'edoc trust add'.",
                      "Also trust the roots admitted with 'edoc trust add'."))
@click.option("--offline/--online", default=False, show_default=True,
              help=tr("--offline không dùng mạng: tình trạng thu hồi văn bản không kèm sẵn thành "
                      "INDETERMINATE/TRY_LATER. Mặc định (--online) hỏi OCSP/CRL ghi trong các chứng thư số đã "
                      "xác thực được tới chứng thư gốc tin cậy.",
                      "--offline never uses the network: a revocation status the document does not embed is "
                      "INDETERMINATE/TRY_LATER. By default (--online) OCSP/CRL are asked at the addresses in "
                      "certificates already chained to a trusted root."))
@click.option("--revocation-data", "revocation_data", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help=tr("CRL hoặc phản hồi OCSP (DER hoặc PEM) lấy bằng cách khác, ví dụ từ máy chủ CRL nội bộ; "
                      "dùng như dữ liệu kèm trong văn bản; lặp lại được.",
                      "A CRL or OCSP response (DER or PEM) obtained another way, e.g. from an internal CRL "
                      "mirror; used like data the document embeds; repeatable."))
@click.option("--require-revocation", is_flag=True, default=False, hidden=True,
              help=tr("Đã là mặc định (giữ để tương thích).", "Now the default (kept for compatibility)."))
@click.option("--at", "at", callback=_parse_at, default=None, metavar="TIME",
              help=tr("Thời điểm kiểm tra, ISO 8601 (không có múi giờ: giờ Việt Nam).",
                      "Validation time, ISO 8601 (no offset: Vietnam time)."))
@click.option("--issuing-body", "issuing_body", metavar="NAME",
              help=tr("Cơ quan ban hành (tên, ví dụ \"UBND huyện Thuận Nam\"): chữ ký cơ quan phải thuộc cơ quan "
                      "này. Với thông điệp edXML, mặc định là cơ quan gửi (From/OrganName).",
                      "The issuing body, by name as in the agency certificate's organisation (O): the agency "
                      "signature must belong to it. For an edXML message the default is the sender "
                      "(From/OrganName)."))
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help=tr("Kiểm tra song song bằng ngần này tiến trình.",
                      "Verify this many documents in parallel worker processes."))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None,
              help=tr("Ghi báo cáo vào tệp này thay vì đầu ra chuẩn.",
                      "Write the report to this file instead of standard output."))
@click.pass_context
def verify(ctx: click.Context, files: tuple[str, ...], fmt: str, lang: str | None, trust: tuple[str, ...],
           installed_trust: bool, offline: bool, revocation_data: tuple[str, ...], require_revocation: bool,
           at: datetime | None, issuing_body: str | None, jobs: int, out: str | None) -> None:
    from edoc.verify import Indication, Verifier
    from edoc.verify.dispatch import verify_with
    from edoc.verify.render import to_html, to_json, to_text

    language = lang or lang_of(ctx)
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    paths = list(_walk(files))
    if not paths:
        raise click.UsageError(say("không tìm thấy tệp PDF hay edXML nào trong các thư mục đã cho",
                                   "no PDF or edXML file found in the given folders"))
    if installed_trust:
        from edoc.trust.installed import installed_roots

        trust = (*trust, *(str(r.path) for r in installed_roots()))
    del require_revocation  # the default now
    # loads --trust and --revocation-data once; errors exit here
    verifier = Verifier(trust=trust, online=not offline, at=at, revocation_data=revocation_data)
    reports: list[Any] = []

    def run() -> Iterator[Any]:  # reports in the order of the files
        if jobs == 1 or len(paths) == 1:
            for p in paths:
                yield verify_with(verifier, p, issuing_body=issuing_body)
        else:
            with ProcessPoolExecutor(jobs, initializer=_init_worker,
                                     initargs=(list(trust), not offline, at, list(revocation_data))) as pool:
                yield from pool.map(_work, [str(p) for p in paths], [issuing_body] * len(paths), chunksize=8)

    # a bar on a terminal when there are several files or the report goes to a file; with -o, one line per
    # file (in the order given) says its verdict, since the report itself is not on the screen
    with Bar(len(paths), say("Đang kiểm tra", "Verifying"), minimum=0 if out else 1) as bar:
        for i, report in enumerate(run(), 1):
            reports.append(report)
            bar.advance()
            if out:
                bar.echo(f"[{i}/{len(paths)}] {report.file}: {_VERDICT[language][report.verdict.value]}"
                         f" ({report.verdict.value})")

    if fmt == "json":
        text = "\n".join(to_json(r, language) for r in reports) + "\n"
    elif fmt == "html":
        text = to_html(reports, language)
    else:
        text = "\n\n".join(to_text(r, language) for r in reports) + "\n"
    if out:
        from edoc.util.fs import atomic_write_text

        atomic_write_text(out, text)
    else:
        click.echo(text, nl=False)
    verdicts = {r.verdict for r in reports}
    if Indication.TOTAL_FAILED in verdicts:
        ctx.exit(1)
    if Indication.INDETERMINATE in verdicts:
        ctx.exit(3)
