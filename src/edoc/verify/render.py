"""Reports for people and programs: plain text, JSON lines, and one self-contained printable HTML file.

Every string that comes from a file (file and attachment names, field names, certificate fields, the
parameters inside messages) is made safe for the medium (:mod:`edoc.util.text`): in text, control and bidi
characters are shown as escapes, so no certificate can print a line of its own (a fake verdict); in HTML the
same, then HTML-escaped; JSON carries the data exactly, with those characters spelled as ``\\uXXXX``.
"""

from __future__ import annotations

import html
import json
import unicodedata
from collections.abc import Iterable

from edoc.util.text import json_safe, visible
from edoc.verify.report import DocumentReport, Indication, Message, MessageLevel, SignatureReport, iso_vn

__all__ = ["to_text", "to_json", "to_html"]

_LABELS = {
    "vi": {
        "file": "Tệp", "format": "Định dạng", "verdict": "Kết luận", "signature": "Chữ ký",
        "timestamp": "Dấu thời gian văn bản", "role": "Vai trò", "signer": "Người ký",
        "organisation": "Tổ chức", "identifiers": "Mã định danh", "issuer": "Tổ chức cấp chứng thư",
        "serial": "Số hiệu chứng thư", "validity": "Thời hạn chứng thư", "signing_time": "Thời gian ký",
        "ts_time": "Thời gian theo dấu thời gian", "integrity": "Toàn vẹn", "chain": "Chuỗi chứng thực",
        "revocation": "Tình trạng thu hồi", "modifications": "Thay đổi sau khi ký",
        "attachments": "Tệp đính kèm", "title": "Kết quả kiểm tra chữ ký số", "checked_at": "Thời điểm kiểm tra",
        "none": "không có", "to": "đến", "format.unknown": "định dạng không nhận ra",
        Indication.TOTAL_PASSED.value: "HỢP LỆ", Indication.TOTAL_FAILED.value: "KHÔNG HỢP LỆ",
        Indication.INDETERMINATE.value: "CHƯA XÁC ĐỊNH ĐƯỢC",
        "passed": "đạt", "failed": "không đạt", "unknown": "chưa rõ", "not_checked": "chưa kiểm tra",
        "person": "người có thẩm quyền", "agency": "cơ quan", "appendix": "phụ lục", "copy": "bản sao",
        "envelope": "gói tin", "timestamp_role": "dấu thời gian",
        "mod.none": "không có", "mod.lta_updates": "chỉ bổ sung dữ liệu kiểm tra dài hạn (được phép)",
        "mod.form_filling": "chữ ký sau hoặc điền trường dành sẵn (được phép)",
        "mod.annotations": "thêm chú thích (cần xem lại)", "mod.other": "thay đổi không được phép",
        "mod.unknown": "chưa phân tích được",
    },
    "en": {
        "file": "File", "format": "Format", "verdict": "Verdict", "signature": "Signature",
        "timestamp": "Document time-stamp", "role": "Role", "signer": "Signer",
        "organisation": "Organisation", "identifiers": "Identifiers", "issuer": "Issuing CA",
        "serial": "Certificate serial", "validity": "Certificate validity", "signing_time": "Signing time",
        "ts_time": "Time-stamp time", "integrity": "Integrity", "chain": "Certificate chain",
        "revocation": "Revocation", "modifications": "Changes after signing",
        "attachments": "Attachments", "title": "Digital signature verification report",
        "checked_at": "Checked at", "none": "none", "to": "to", "format.unknown": "unknown format",
        Indication.TOTAL_PASSED.value: "VALID", Indication.TOTAL_FAILED.value: "INVALID",
        Indication.INDETERMINATE.value: "INDETERMINATE",
        "passed": "passed", "failed": "failed", "unknown": "unknown", "not_checked": "not checked",
        "person": "competent person", "agency": "agency", "appendix": "appendix", "copy": "copy",
        "envelope": "envelope", "timestamp_role": "time-stamp",
        "mod.none": "none", "mod.lta_updates": "long-term validation data only (permitted)",
        "mod.form_filling": "later signatures or reserved fields filled (permitted)",
        "mod.annotations": "annotations added (review them)", "mod.other": "changes not permitted",
        "mod.unknown": "could not be analysed",
    },
}


def _l(lang: str) -> dict[str, str]:
    return _LABELS["en" if lang == "en" else "vi"]


def _verdict(ind: Indication, sub: object, lang: str) -> str:
    s = getattr(sub, "value", None)
    return f"{_l(lang)[ind.value]} ({ind.value}{'/' + s if s else ''})"


def _role(sig: SignatureReport, lang: str) -> str:
    key = "timestamp_role" if sig.role.value == "timestamp" else sig.role.value
    return _l(lang).get(key, sig.role.value)


def _text(m: Message, lang: str) -> str:
    """A message's text with the file's data made visible (the templates themselves hold no controls)."""
    return visible(m.text(lang))


def _rows(sig: SignatureReport, lang: str) -> list[tuple[str, str]]:
    """The (label, value) rows of a signature, values made visible (certificate fields come from the file)."""
    lab = _l(lang)
    rows = [(lab["role"], _role(sig, lang)), (lab["verdict"], _verdict(sig.indication, sig.subindication, lang))]
    if sig.signer is not None:
        s = sig.signer
        rows += [
            (lab["signer"], s.name or s.subject),
            (lab["organisation"], s.organisation or lab["none"]),
            (lab["identifiers"], ", ".join(str(i) for i in s.identifiers) or lab["none"]),
            (lab["issuer"], s.issuer),
            (lab["serial"], s.serial),
            (lab["validity"], f"{iso_vn(s.not_before)} {lab['to']} {iso_vn(s.not_after)}"),
        ]
    if sig.signing_time:
        rows.append((lab["signing_time"], iso_vn(sig.signing_time) or ""))
    if sig.timestamp_time:
        rows.append((lab["ts_time"], iso_vn(sig.timestamp_time) or ""))
    rows += [(lab["integrity"], lab[sig.integrity.value]), (lab["chain"], lab[sig.chain.value]),
             (lab["revocation"], lab[sig.revocation.value])]
    if sig.modifications is not None:
        level = sig.modifications.level
        rows.append((lab["modifications"], lab.get(f"mod.{level}", level)))
    return [(k, visible(v)) for k, v in rows]


def _format(fmt: str, lab: dict[str, str]) -> str:
    """The format as shown: ``pdf``/``edxml`` as they are, a file not recognised in words."""
    return lab.get(f"format.{fmt}", fmt)


def to_text(report: DocumentReport, lang: str = "vi", *, indent: str = "") -> str:
    """A plain-text report for a terminal or a log, in ``lang``."""
    lab = _l(lang)
    out = [f"{indent}{lab['file']}: {visible(report.file)} ({visible(_format(report.format, lab))})",
           f"{indent}{lab['verdict']}: {_verdict(report.verdict, report.subindication, lang)}"]
    out += [f"{indent}  ! {_text(m, lang)}" for m in report.messages]
    for i, sig in enumerate(report.signatures, 1):
        title = lab["timestamp"] if sig.role.value == "timestamp" else lab["signature"]
        out.append(f"{indent}- {title} {i}" + (f" [{visible(sig.field_name)}]" if sig.field_name else ""))
        out += [f"{indent}    {k}: {v}" for k, v in _rows(sig, lang)]
        for m in sig.messages:
            mark = {"error": "✗", "warning": "!", "info": "·"}[m.level.value]
            out.append(f"{indent}    {mark} {_text(m, lang)}")
    if report.attachments:
        out.append(f"{indent}{lab['attachments']}:")
        for att in report.attachments:
            out.append(to_text(att, lang, indent=indent + "    "))
    return unicodedata.normalize("NFC", "\n".join(out))


def to_json(report: DocumentReport, lang: str = "vi") -> str:
    """One line of JSON (the versioned shape of :meth:`DocumentReport.to_dict`)."""
    return json_safe(json.dumps(report.to_dict(lang), ensure_ascii=False, separators=(",", ":")))


_CSS = """
body{font-family:"Times New Roman",serif;max-width:60em;margin:2em auto;color:#111}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}
table{border-collapse:collapse;width:100%;margin:.4em 0}td,th{border:1px solid #999;padding:.25em .5em;
text-align:left;vertical-align:top}th{width:30%;background:#f3f3f3}
.TOTAL_PASSED{color:#0a6b0a}.TOTAL_FAILED{color:#b00000}.INDETERMINATE{color:#a05a00}
.error{color:#b00000}.warning{color:#a05a00}.doc{border-left:3px solid #ccc;padding-left:1em;margin:1em 0}
@media print{body{margin:0}.doc{page-break-inside:avoid}}
"""


def to_html(reports: Iterable[DocumentReport], lang: str = "vi") -> str:
    """One self-contained, printable HTML page (no scripts, no external resources) for ``reports``."""
    lab = _l(lang)
    def e(value: object) -> str:
        return html.escape(visible(value))

    parts = [f'<!DOCTYPE html><html lang="{e(lang)}"><head><meta charset="utf-8">'
             f"<title>{e(lab['title'])}</title><style>{_CSS}</style></head><body>",
             f"<h1>{e(lab['title'])}</h1>"]

    def doc(rep: DocumentReport) -> None:
        parts.append('<section class="doc">')
        parts.append(f"<h2>{e(lab['file'])}: {e(rep.file)} ({e(_format(rep.format, lab))})</h2>")
        parts.append(f'<p><b>{e(lab["verdict"])}:</b> <span class="{rep.verdict.value}">'
                     f"{e(_verdict(rep.verdict, rep.subindication, lang))}</span>"
                     + (f" — {e(lab['checked_at'])}: {e(iso_vn(rep.validation_time) or '')}"
                        if rep.validation_time else "") + "</p>")
        if rep.messages:
            parts.append("<ul>" + "".join(f'<li class="{m.level.value}">{e(m.text(lang))}</li>'
                                          for m in rep.messages) + "</ul>")
        for i, sig in enumerate(rep.signatures, 1):
            title = lab["timestamp"] if sig.role.value == "timestamp" else lab["signature"]
            parts.append(f"<h3>{e(title)} {i}" + (f" ({e(sig.field_name)})" if sig.field_name else "")
                         + "</h3><table>")
            for k, v in _rows(sig, lang):
                cls = f' class="{sig.indication.value}"' if k == lab["verdict"] else ""
                parts.append(f"<tr><th>{e(k)}</th><td{cls}>{e(v)}</td></tr>")
            parts.append("</table><ul>" + "".join(
                f'<li class="{m.level.value}">{e(m.text(lang))}</li>' for m in sig.messages
                if m.level is not MessageLevel.INFO or m.key.startswith(("time.", "chain.trusted"))) + "</ul>")
        if rep.attachments:
            parts.append(f"<h3>{e(lab['attachments'])}</h3>")
            for att in rep.attachments:
                doc(att)
        parts.append("</section>")

    for rep in reports:
        doc(rep)
    parts.append("</body></html>")
    return unicodedata.normalize("NFC", "\n".join(parts))
