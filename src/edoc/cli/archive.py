"""``edoc archive``: build, audit, renew and search an archive of records (docs/archive.md).

Exit status: 0 when every document was archived (or the audit found nothing), 1 when documents were
rejected or failed (or the audit found problems), 130 when interrupted with Ctrl-C (run again to finish).

A rejected document is a finding in ``rejected.jsonl`` with its report; the libraries' log records (pyHanko's
tracebacks) reach the terminal only with ``edoc --debug``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from edoc.cli import lang_of
from edoc.cli._json import echo_json
from edoc.cli._progress import Bar
from edoc.cli.i18n import Group, say, tr
from edoc.util.text import visible

__all__ = ["archive"]


def _policy(trust: tuple[str, ...], record_by: str, tsa: str | None, verifier: str | None,
            timestamper: str | None, accept_indeterminate: bool = False, *, online: bool | None = None,
            at: dt.datetime | None = None) -> Any:
    from edoc.archive.policy import ArchivePolicy, load_callable, tsa_evidence, tsa_steps

    augment = stamp = evidence = None
    if tsa:  # PDFs get PAdES B-LTA and document time-stamps; edXML messages time-stamps beside them
        augment, stamp = tsa_steps(tsa, tuple(trust))
        evidence = tsa_evidence(tsa, tuple(trust))
    if timestamper:
        stamp = load_callable(timestamper, "timestamper")
    return ArchivePolicy(verify=load_callable(verifier, "verifier") if verifier else None, augment=augment,
                         timestamper=stamp, evidence=evidence, trust=tuple(trust), record_by=record_by,
                         accept_indeterminate=accept_indeterminate, online=online, at=at)


class _PackageBar:
    """A bar over the packages on a terminal only (the total is known once the archive is read)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Bar | None = None

    def __enter__(self) -> _PackageBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def step(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = Bar(total, self.label, minimum=0).__enter__()
        self.bar.advance()


def _say(ctx: click.Context, vi: str, en: str) -> None:
    click.echo(vi if lang_of(ctx) == "vi" else en)


_verifier_opt = click.option("--verifier", metavar="MODULE:CALLABLE",
                             help=tr("Kiểm tra bằng hàm này (đường dẫn -> báo cáo có .verdict) thay cho "
                                     "edoc.verify.",
                                     "Verify with this callable (path -> report with .verdict) instead of "
                                     "edoc.verify."))
_TRUST_HELP = tr("Chứng thư gốc tin cậy (lặp lại được); được lưu, ghim bằng SHA-256, trong kho để kiểm tra và gia "
                 "hạn về sau.",
                 "Trust anchor (repeat); stored in the archive, pinned by SHA-256, for later audits and renewals.")
_TRUST_ADD_HELP = tr("Chứng thư gốc tin cậy, thêm vào các chứng thư kho đã lưu (lặp lại được).",
                     "Trust anchor added to those the archive stored (repeat).")
_JOBS_HELP = tr("Số tiến trình (mặc định: số CPU).", "Worker processes (default: CPU count).")
_SCHEDULER_HELP = tr("Chạy trên bộ lập lịch Dask distributed này (edoc[dask]).",
                     "Run on this Dask distributed scheduler (edoc[dask]).")


def _parse_at(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.datetime | None:
    from edoc.cli.verify import _parse_at as parse

    return parse(ctx, param, value)


def _verify_opts(f: Any) -> Any:
    """``--online`` and ``--at``, passed to edoc's verifier (as ``edoc verify`` takes them)."""
    f = click.option("--at", "at", callback=_parse_at, default=None, metavar="TIME",
                     help=tr("Kiểm tra như tại thời điểm ISO 8601 này (mặc định: bây giờ; +07:00 khi không có "
                             "múi giờ).",
                             "Validate as at this ISO 8601 time (default: now; +07:00 when no offset)."))(f)
    return click.option("--online/--offline", default=None,
                        help=tr("Lấy OCSP/CRL ghi trong các chứng thư số đã xác thực được tới chứng thư gốc tin cậy "
                                "cho những gì văn bản không kèm sẵn (build: mặc định có, như 'edoc verify'; audit: "
                                "như lần build của kho nếu không chỉ định).",
                                "Fetch OCSP/CRL named in certificates chained to the trust anchors for what a "
                                "document does not carry (build: on unless --offline, as 'edoc verify'; audit: as "
                                "the archive's build did unless given)."))(f)


@click.group(cls=Group, help=tr(
    "Lưu trữ hồ sơ điện tử: tạo (build), kiểm tra (audit), gia hạn (renew), tìm (find) và xuất (export) các gói "
    "BagIt của hồ sơ.",
    "Archive records: build, audit, renew, search (find) and export BagIt packages of records."))
@click.pass_context
def archive(ctx: click.Context) -> None:
    """The archive commands: the libraries' log records (pyHanko's tracebacks for rejected documents) reach
    the terminal only with ``--debug``; a rejected document is a finding with its report."""
    import logging

    from edoc.archive.workers import quiet_library_logs

    if (ctx.find_root().obj or {}).get("debug"):
        # the records, tracebacks included, on standard error (forked workers inherit the handler)
        logging.basicConfig(level=logging.WARNING, format="%(processName)s %(name)s: %(message)s")
    else:
        quiet_library_logs()


@archive.command(help=tr(
    "Kiểm tra SOURCES (tệp hoặc thư mục) và đóng gói vào ARCHIVE, mỗi hồ sơ một gói; chạy lại để tiếp tục.",
    "Verify SOURCES (files or folders) and package them into the archive, one bag per record; resumable."))
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--into", "into", required=True, type=click.Path(file_okay=False),
              help=tr("Thư mục lưu trữ.", "The archive folder."))
@click.option("--record-by", default="FileCode", show_default=True,
              help=tr("Trường quốc gia dùng để nhóm văn bản thành hồ sơ (FileCode, OrganId, Year, CodeNotation…).",
                      "National field grouping documents into records (FileCode, OrganId, Year, CodeNotation…)."))
@click.option("--trust", multiple=True, type=click.Path(exists=True, dir_okay=False), help=_TRUST_HELP)
@click.option("--tsa", metavar="URL", help=tr("Máy chủ dấu thời gian để nâng lên B-LTA.",
                                              "Time-stamping authority for B-LTA augmentation."))
@click.option("--jobs", type=click.IntRange(min=0), default=None, help=_JOBS_HELP)
@click.option("--scheduler", metavar="ADDRESS", help=_SCHEDULER_HELP)
@click.option("--accept-indeterminate", is_flag=True, help=tr("Lưu văn bản INDETERMINATE như văn bản hợp lệ.",
                                                              "Archive INDETERMINATE documents as valid."))
@click.option("--retry-failed", is_flag=True,
              help=tr("Xử lý lại mọi văn bản bị lỗi ở lần chạy trước (văn bản lỗi do môi trường, như đầy đĩa hay "
                      "không kết nối được TSA, luôn được xử lý lại).",
                      "Process again every document that failed in earlier runs (those that failed for "
                      "environmental reasons, such as a full disk or an unreachable TSA, are retried anyway)."))
@_verifier_opt
@_verify_opts
@click.option("--json", "as_json", is_flag=True, help=tr("In bản tóm tắt dạng JSON.", "Print the summary as JSON."))
@click.pass_context
def build(ctx: click.Context, sources: tuple[str, ...], into: str, record_by: str, trust: tuple[str, ...],
          tsa: str | None, jobs: int | None, scheduler: str | None, accept_indeterminate: bool,
          retry_failed: bool, verifier: str | None, online: bool | None, at: dt.datetime | None,
          as_json: bool) -> None:
    from edoc.archive import build_archive

    policy = _policy(trust, record_by, tsa, verifier, None, accept_indeterminate, online=online, at=at)
    s = build_archive(sources, into, policy=policy, jobs=jobs, scheduler=scheduler, retry_failed=retry_failed)
    if as_json:
        echo_json(s.to_dict())
    else:
        _say(ctx, f"Đã lưu {s.archived} văn bản vào {s.packages} hồ sơ; bị từ chối {s.rejected}; lỗi {s.failed}.",
             f"Archived {s.archived} documents in {s.packages} packages; rejected {s.rejected}; failed {s.failed}.")
        _say(ctx, f"Kết quả từng văn bản: {s.outcomes}", f"Per-document outcomes: {s.outcomes}")
    if s.interrupted:
        _say(ctx, "Đã dừng; chạy lại cùng lệnh để hoàn tất.", "Interrupted; run the same command again to finish.")
        sys.exit(130)
    sys.exit(1 if s.rejected or s.failed else 0)


@archive.command(help=tr(
    "Băm lại mọi gói và kiểm tra lại mọi văn bản bằng các chứng thư gốc kho đã lưu (và --trust); chỉ ra tệp bị "
    "thay đổi, bị thiếu và thừa, và chứng thư gốc đã lưu không còn khớp dấu vân tay.",
    "Re-hash every package and re-verify every document with the trust anchors the archive stored (and "
    "--trust); name changed, missing and extra files, and stored anchors that no longer match their pin."))
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(exists=True, file_okay=False))
@click.option("--jobs", type=click.IntRange(min=0), default=None, help=_JOBS_HELP)
@click.option("--scheduler", metavar="ADDRESS", help=_SCHEDULER_HELP)
@click.option("--trust", multiple=True, type=click.Path(exists=True, dir_okay=False), help=_TRUST_ADD_HELP)
@_verifier_opt
@_verify_opts
@click.option("--json", "as_json", is_flag=True, help=tr("In kết quả kiểm tra dạng JSON.", "Print the audit as JSON."))
@click.pass_context
def audit(ctx: click.Context, archive_dir: str, jobs: int | None, scheduler: str | None, trust: tuple[str, ...],
          verifier: str | None, online: bool | None, at: dt.datetime | None, as_json: bool) -> None:
    from edoc.archive import audit_archive

    with _PackageBar(say("Đang kiểm tra hồ sơ", "Auditing packages")) as bar:
        report = audit_archive(archive_dir, policy=_policy(trust, "FileCode", None, verifier, None, online=online,
                                                           at=at), jobs=jobs, scheduler=scheduler, on_package=bar.step)
    if as_json:
        echo_json(report.to_dict(), indent=1)
    else:
        for p in report.packages:
            status = "OK" if p.ok else ("LỖI" if lang_of(ctx) == "vi" else "PROBLEM")
            click.echo(f"{status}  {p.package}")
            for label, names in (("changed", p.problems.changed), ("missing", p.problems.missing),
                                 ("extra", p.problems.extra), ("other", p.problems.other)):
                for n in names:
                    click.echo(f"    {label}: {visible(n)}")
            for n, change in p.degraded.items():
                click.echo(f"    verdict: {visible(n)}: {visible(change)}")
        for m in [*report.missing_packages, *report.trust_problems]:
            click.echo(f"LỖI  {visible(m)}" if lang_of(ctx) == "vi" else f"PROBLEM  {visible(m)}")
    sys.exit(130 if report.interrupted else 0 if report.ok else 1)


def _date(_ctx: click.Context, _param: click.Parameter, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(say(f"không phải ngày (YYYY-MM-DD): {value}",
                                     f"not a date (YYYY-MM-DD): {value}")) from exc


@archive.command(help=tr(
    "Thêm dấu thời gian cho văn bản có dấu thời gian cuối hết hạn trước ngày đã cho: PDF được thêm dấu thời gian "
    "tài liệu (PAdES), thông điệp edXML giữ nguyên và có dấu thời gian mới bên cạnh. Văn bản không gia hạn được "
    "được báo lỗi, các văn bản khác vẫn được gia hạn (mã thoát 1).",
    "Add a time-stamp to documents whose last one expires before the date: a PDF gets a PAdES document "
    "time-stamp, an edXML message stays as it is with the next time-stamp beside it. A document that cannot "
    "be renewed is reported and the others are renewed (exit 1)."))
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(exists=True, file_okay=False))
@click.option("--before", required=True, callback=_date, help=tr("Gia hạn dấu thời gian hết hạn trước ngày này.",
                                                                  "Renew time-stamps expiring before this date."))
@click.option("--tsa", metavar="URL", help=tr("Máy chủ dấu thời gian.", "Time-stamping authority."))
@click.option("--timestamper", metavar="MODULE:CALLABLE", help=tr("Đóng dấu thời gian bằng hàm này (src, dst).",
                                                                  "Time-stamp with this callable (src, dst)."))
@click.option("--trust", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help=tr("Chứng thư gốc (và chứng thư trung gian còn thiếu trong chuỗi của TSA) cho dữ liệu kiểm tra, "
                      "thêm vào các chứng thư kho đã lưu; lặp lại được.",
                      "Trust anchor (and any intermediate the TSA's chain lacks) for the validation data, added to "
                      "those the archive stored; repeatable."))
@click.pass_context
def renew(ctx: click.Context, archive_dir: str, before: dt.date, tsa: str | None, timestamper: str | None,
          trust: tuple[str, ...]) -> None:
    from edoc.archive import renew_archive
    from edoc.archive.batch import with_stored_trust
    from edoc.archive.policy import ArchivePolicy

    stored, _pins, problems = with_stored_trust(Path(archive_dir).resolve(), ArchivePolicy(trust=trust))
    for m in problems:
        click.echo(say(f"Cảnh báo: {visible(m)}", f"Warning: {visible(m)}"), err=True)
    with _PackageBar(say("Đang gia hạn dấu thời gian", "Renewing time-stamps")) as bar:
        s = renew_archive(archive_dir, before, policy=_policy(stored.trust, "FileCode", tsa, None, timestamper),
                          on_package=bar.step)
    _say(ctx, f"Đã gia hạn dấu thời gian cho {s.count} văn bản trong {len(s.renewed)} hồ sơ.",
         f"Renewed the time-stamp of {s.count} documents in {len(s.renewed)} packages.")
    for package, failures in s.failed.items():  # each a finding; the others were renewed
        for name, error in failures.items():
            click.echo(f"{say('LỖI', 'PROBLEM')}  {package}/{visible(name)}: {visible(error)}")
    if s.failed:
        _say(ctx, f"Không gia hạn được {sum(len(f) for f in s.failed.values())} văn bản; chạy lại để thử lại.",
             f"{sum(len(f) for f in s.failed.values())} documents were not renewed; run again to retry them.")
        sys.exit(1)


@archive.command(help=tr("Tìm trong mục lục của kho lưu trữ; in các văn bản khớp và gói của chúng.",
                         "Search the archive's catalogue; print matching documents and their packages."))
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(exists=True, file_okay=False))
@click.option("--number", help=tr("Số, hoặc số/ký hiệu (05/QĐ-UBND).", "Number, or number/notation (05/QĐ-UBND)."))
@click.option("--year", help=tr("Năm ban hành.", "Year issued."))
@click.option("--organ", help=tr("Một phần tên cơ quan hoặc mã của cơ quan.", "Part of the organ's name or its code."))
@click.option("--text", help=tr("Các từ trong trích yếu (không phân biệt dấu).",
                               "Words of the subject (diacritics ignored)."))
@click.option("--json", "as_json", is_flag=True, help=tr("Mỗi dòng một đối tượng JSON.", "One JSON object a line."))
def find(archive_dir: str, number: str | None, year: str | None, organ: str | None, text: str | None,
         as_json: bool) -> None:
    from edoc.archive import find as find_docs

    for f in find_docs(archive_dir, number=number, year=year, organ=organ, text=text):
        if as_json:
            echo_json({"package": f.package, "name": f.name, "source": f.source} | f.fields)
        else:
            num = f"{f.fields.get('CodeNumber', '')}/{f.fields.get('CodeNotation', '')}".strip("/")
            click.echo("\t".join(visible(v) for v in (  # the documents' data, made visible
                Path("packages") / f.package / "data/documents" / f.name, num, f.fields.get("IssuedDate", ""),
                f.fields.get("Subject", ""))))


@archive.command(help=tr(
    "Xuất một hồ sơ (theo FileCode hoặc tên gói) thành cặp PDF + XML theo Phụ lục VI Nghị định 30.",
    "Export a record (by FileCode or package name) as the PDF + XML pair of Decree 30 Appendix VI."))
@click.argument("archive_dir", metavar="ARCHIVE", type=click.Path(exists=True, file_okay=False))
@click.argument("record")
@click.option("-o", "--out", required=True, type=click.Path(path_type=Path), help=tr("Thư mục mới cho bản xuất.",
                                                                                 "New folder for the export."))
@click.pass_context
def export(ctx: click.Context, archive_dir: str, record: str, out: Path) -> None:
    from edoc.archive.export import export_record

    result = export_record(archive_dir, record, out)
    _say(ctx, f"Đã xuất {len(result.documents)} văn bản theo thứ tự thời gian và siêu dữ liệu vào {result.folder}",
         f"Exported {len(result.documents)} documents in chronological order with their metadata to {result.folder}")
