"""Terminal spoofing (issue 13 point 3): strings from files (certificate fields, names, titles) are data in
every medium: shown as escapes in text, escaped in HTML, exact in JSON; no file can print a verdict line."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from edoc.cli import cli
from edoc.util.text import json_safe, visible
from edoc.verify import Indication
from edoc.verify.render import to_html, to_json, to_text

from .conftest import NOW, Identity, VerifyPKI, _issue, _name, make_pdf, sign

#: a subject that, printed raw, erases the line, returns, and prints a green verdict of its own
EVIL_CN = "Kẻ Lạ\x1b[2K\r\nVerdict: VALID (TOTAL_PASSED)\n\u202eDILAV\x1b[8m"
EVIL_ORG = "Cơ quan\r\nKết luận: HỢP LỆ (TOTAL_PASSED)\x85"
EVIL_UID = "CCCD:001\x1b]0;pwned\x07"
EVIL_FILE = "quyết định\x1b[1A\rVerdict: VALID (TOTAL_PASSED)\u2028.pdf"
#: what a terminal acts on: C0 but LF/TAB of our own lines, DEL, C1, bidi and zero-width format characters,
#: line and paragraph separators
_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


@pytest.fixture(scope="module")
def evil(vpki: VerifyPKI) -> Identity:
    """A signer chained to the untrusted root, its certificate fields written to spoof a terminal."""
    return _issue(_name(EVIL_CN, org=EVIL_ORG, uid=EVIL_UID), ec.generate_private_key(ec.SECP256R1()),
                  vpki.other_root, ca=False, start=NOW - timedelta(days=1), days=30)


@pytest.fixture(scope="module")
def spoof_pdf(evil: Identity, vpki: VerifyPKI) -> bytes:
    return sign(make_pdf(), evil, replace(vpki, stranger=evil), field="edoc.sig.person")


def _assert_inert(text: str) -> None:
    """No character a terminal acts on, and no line of the output claims a pass."""
    assert not _ACTIVE.search(text), repr(_ACTIVE.search(text))
    for line in text.split("\n"):
        if line.strip().startswith(("Verdict:", "Kết luận:")):
            assert "TOTAL_PASSED" not in line and "VALID (" not in line.replace("INVALID", ""), line


def _report(pdf: bytes, verifier_for: object) -> object:
    report = verifier_for().verify_pdf(pdf, name=EVIL_FILE)  # type: ignore[operator]
    assert report.verdict is Indication.INDETERMINATE  # the chain ends at an untrusted root
    return report


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_text_report_shows_controls_as_escapes(spoof_pdf: bytes, verifier_for: object, lang: str) -> None:
    text = to_text(_report(spoof_pdf, verifier_for), lang)  # type: ignore[arg-type]
    _assert_inert(text)
    assert "Kẻ Lạ\\x1b[2K\\r\\nVerdict: VALID (TOTAL_PASSED)\\n\\u202eDILAV\\x1b[8m" in text
    assert "CCCD:001\\x1b]0;pwned\\x07" in text and "\\u2028.pdf" in text


def test_html_report_escapes_and_shows_controls(spoof_pdf: bytes, verifier_for: object) -> None:
    page = to_html([_report(spoof_pdf, verifier_for)], "en")  # type: ignore[list-item]
    _assert_inert(page)
    assert "Kẻ Lạ\\x1b[2K\\r\\nVerdict: VALID (TOTAL_PASSED)" in page


def test_json_report_keeps_the_data_exactly(spoof_pdf: bytes, verifier_for: object) -> None:
    line = to_json(_report(spoof_pdf, verifier_for), "en")  # type: ignore[arg-type]
    assert not _ACTIVE.search(line) and "\n" not in line
    data = json.loads(line)
    assert data["file"] == EVIL_FILE
    signer = data["signatures"][0]["signer"]
    assert signer["name"] == EVIL_CN and signer["organisation"] == EVIL_ORG
    assert "CCCD:001\x1b]0;pwned\x07" in signer["identifiers"]


def test_cli_output_cannot_print_a_verdict(spoof_pdf: bytes, vpki: VerifyPKI, tmp_path: Path) -> None:
    doc = tmp_path / "văn bản.pdf"
    doc.write_bytes(spoof_pdf)
    root = tmp_path / "root.pem"
    root.write_bytes(vpki.root.cert.public_bytes(serialization.Encoding.PEM))
    for fmt in ("text", "json", "html"):
        result = CliRunner().invoke(cli, ["--lang", "en", "verify", "--no-installed-trust", "--trust", str(root),
                                          "--at", "2026-11-26T14:00:00", "--format", fmt, str(doc)])
        assert result.exit_code == 3, result.output
        _assert_inert(result.output)


def test_edxml_show_and_verify_make_message_data_visible(spoof_pdf: bytes, vpki: VerifyPKI, verifier_for: object,
                                                        tmp_path: Path) -> None:
    from edoc.edxml import edxml_bytes
    from edoc.model import Attachment
    from edoc.samples import thuan_nam_decision

    doc = thuan_nam_decision()  # XML 1.0 cannot hold ESC: CR, LF, C1 (0x9B is CSI) and bidi still can
    name = "quyết định\x9b1A\rVerdict: VALID (TOTAL_PASSED)\u2028.pdf"
    doc = replace(doc, summary=doc.summary + "\x9b2J\r\nVerdict: VALID (TOTAL_PASSED)\u202e", attachments=(
        Attachment(name=name, data=spoof_pdf, content_type="application/pdf"),))
    message = tmp_path / "msg.edxml"
    message.write_bytes(edxml_bytes(doc, check=False))
    shown = CliRunner().invoke(cli, ["--lang", "en", "edxml", "show", str(message)])
    assert shown.exit_code == 0, shown.output
    _assert_inert(shown.output)
    assert "\\x9b2J\\" in shown.output and "Verdict: VALID (TOTAL_PASSED)\\u202e" in shown.output
    report = verifier_for().verify_edxml(message.read_bytes())  # type: ignore[operator]
    assert report.attachments[0].file.startswith("quyết định\x9b1A")
    _assert_inert(to_text(report, "en"))


@pytest.mark.parametrize(("raw", "shown"), [
    ("Nguyễn Văn An", "Nguyễn Văn An"),
    ("Ủy\xa0ban", "Ủy\xa0ban"),  # a no-break space is a space, kept
    ("a\x1bb", "a\\x1bb"), ("a\r\nb\t", "a\\r\\nb\\t"), ("\x7f\x85\x9b", "\\x7f\\x85\\x9b"),
    ("\u202egpj.exe", "\\u202egpj.exe"), ("a\u200bb\u2066c\u2069", "a\\u200bb\\u2066c\\u2069"),
    ("x\u2028y\u2029", "x\\u2028y\\u2029"), ("\U000e0041", "\\U000e0041"), ("\ud800", "\\ud800"),
])
def test_visible(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert json.loads(json_safe(json.dumps(raw, ensure_ascii=False))) == raw
    assert not _ACTIVE.search(json_safe(json.dumps(raw, ensure_ascii=False)))


def test_keys_show_makes_certificate_fields_visible(evil: Identity, tmp_path: Path) -> None:
    key = tmp_path / "evil.key"
    key.write_bytes(evil.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert = tmp_path / "evil.pem"
    cert.write_bytes(evil.cert.public_bytes(serialization.Encoding.PEM))
    result = CliRunner().invoke(cli, ["--lang", "en", "keys", "show", "--key", f"pem:{key}?cert={cert}"])
    assert result.exit_code == 0, result.output
    _assert_inert(result.output)
    assert "\\x1b[2K\\r\\nVerdict: VALID (TOTAL_PASSED)" in result.output
