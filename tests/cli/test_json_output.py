"""Every ``--json`` output keeps strings from files as exact data, with the characters a terminal acts on
written as ``\\uXXXX`` escapes (the writer of ``edoc verify --format json``); and an error message shows a
line break or control character that came from a file visibly, on its one line (issue 13 point 3)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from edoc.cli import cli, main

#: what a terminal acts on (C0 but the LF/TAB of our own lines, DEL, C1, bidi and zero-width format characters,
#: line and paragraph separators): none may reach standard output or standard error raw
_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
#: a subject built to spoof a terminal: CSI (C1) erase, a line of its own, a right-to-left override
EVIL = "Quy chế\x9b2J\u2028Verdict: VALID (TOTAL_PASSED)\u202e\x85 tiếp nhận"


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--lang", "en", *args])
    return result.exit_code, result.stdout, result.stderr


def _inert_json(out: str) -> object:
    assert not _ACTIVE.search(out), repr(_ACTIVE.search(out))
    return json.loads(out)


def test_keys_show_and_list_json_keep_certificate_fields_exact(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn\x1b[2K\r\nVerdict: VALID\u202e An"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, EVIL)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    (tmp_path / "k.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    (tmp_path / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    uri = f"pem:{tmp_path / 'k.pem'}?cert={tmp_path / 'c.pem'}"
    code, out, err = _invoke("keys", "show", "--key", uri, "--json")
    assert code == 0, err
    data = _inert_json(out)
    assert "\\u202e" in out and "\\u009b" in out and "\\u2028" in out
    assert EVIL in data["certificate"]["subject"]  # type: ignore[index]  # the exact data, once parsed
    code, out, err = _invoke("keys", "list", "--key", uri, "--json")
    assert code == 0, err
    listed = _inert_json(out)
    assert "CN=Nguyễn\x1b[2K\r\nVerdict: VALID\u202e An" in listed[0]["subject"]  # type: ignore[index]


def test_edxml_show_and_validate_json_keep_message_data_exact(tmp_path: Path) -> None:
    from edoc.edxml import edxml_bytes
    from edoc.samples import thuan_nam_decision

    doc = thuan_nam_decision()
    message = tmp_path / "msg.edxml"
    message.write_bytes(edxml_bytes(replace(doc, summary=EVIL), check=False))
    code, out, err = _invoke("edxml", "show", str(message), "--json")
    assert code == 0, err
    assert _inert_json(out)["summary"] == EVIL  # type: ignore[index]
    assert not _ACTIVE.search(err)
    code, out, err = _invoke("edxml", "validate", str(message), "--json")
    _inert_json(out)


class _Passed:
    verdict = "TOTAL_PASSED"


def _passes(_path: Path) -> _Passed:
    return _Passed()


def test_archive_find_json_keeps_catalogued_fields_exact(tmp_path: Path) -> None:
    from fpdf import FPDF

    from edoc.archive import ArchivePolicy, build_archive

    src = tmp_path / "src"
    src.mkdir()
    pdf = FPDF()
    pdf.add_page()
    (src / "cv.pdf").write_bytes(bytes(pdf.output()))
    (src / "cv.pdf.json").write_text(json.dumps({"OrganId": "000.10.32.H43", "Subject": EVIL, "CodeNumber": "7",
                                                 "IssuedDate": "2026-03-01"}), "utf-8")
    summary = build_archive([src], tmp_path / "a", policy=ArchivePolicy(verify=_passes), jobs=0)
    assert summary.archived == 1
    code, out, err = _invoke("archive", "find", str(tmp_path / "a"), "--number", "7", "--json")
    assert code == 0, err
    assert _inert_json(out)["Subject"] == EVIL  # type: ignore[index]
    code, out, err = _invoke("archive", "find", str(tmp_path / "a"), "--number", "7")
    assert code == 0 and not _ACTIVE.search(out)


def test_pdfa_check_json_keeps_file_names_exact(tmp_path: Path) -> None:
    bad = tmp_path / "x\u202efdp.exe"
    bad.write_bytes(b"not a pdf")
    code, out, _err = _invoke("pdfa", "check", str(bad), "--json")
    assert code != 0
    assert list(_inert_json(out)) == [str(bad)]  # type: ignore[call-overload]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_an_error_shows_a_line_break_from_a_file_name_visibly(tmp_path: Path, lang: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A file name with CR/LF in an error message: one line on standard error, the break shown as an escape."""
    evil = tmp_path / "tin nhắn\r\nLỗi: không có lỗi, văn bản HỢP LỆ\x1b[8m.edxml"
    evil.write_bytes(b"<edXML><unclosed>")
    with pytest.raises(SystemExit) as info:
        main(["--lang", lang, "edxml", "show", str(evil)])
    assert info.value.code == 5
    err = capsys.readouterr().err
    assert not _ACTIVE.search(err), repr(err)
    assert err.count("\n") == 1  # one paragraph, one line
    assert "tin nhắn\\r\\nLỗi: không có lỗi, văn bản HỢP LỆ\\x1b[8m.edxml" in err
