"""Attachments that are not verified never turn an edXML verdict green (issue 13 point 1), and one format
detector and one set of limits for ``edoc verify`` and ``edoc edxml show`` (UTF-16 messages, long names)."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edoc.edxml.zipsafe import MAX_NAME_BYTES, ZipLimits, open_zip, safe_file_name
from edoc.errors import HostileInput
from edoc.verify import Indication, SubIndication

from . import attacks
from .conftest import VerifyPKI, make_pdf, sign, sign_edxml

Build = Callable[..., Any]

#: the review's name: 198 characters, 261 bytes in UTF-8 (more than the 255 a Linux file name may have)
LONG_NAME = ("Quyết định về việc phê duyệt kế hoạch chuyển đổi số năm 2026 của Ủy ban nhân dân huyện Thuận Nam, "
             "tỉnh Ninh Thuận, kèm theo danh mục dự án và phụ lục kinh phí thực hiện giai đoạn 2026–2030 hệ số.pdf")


def _message(*attachments: tuple[str, bytes]) -> bytes:
    from edoc.edxml import edxml_bytes
    from edoc.model import Attachment
    from edoc.samples import thuan_nam_decision

    doc = replace(thuan_nam_decision(), attachments=tuple(
        Attachment(name=name, data=data, content_type="application/octet-stream") for name, data in attachments))
    return edxml_bytes(doc, check=False)


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _keys(report: Any) -> set[str]:
    return {m.key for r in report.walk() for m in r.messages} | {
        m.key for r in report.walk() for s in r.signatures for m in s.messages}


@pytest.fixture(scope="module")
def good_pdf(vpki: VerifyPKI) -> bytes:
    return sign(make_pdf(), vpki.person, vpki, field="edoc.sig.person")


@pytest.fixture(scope="module")
def expired_pdf(vpki: VerifyPKI) -> bytes:
    return sign(make_pdf(), vpki.expired, vpki, field="edoc.sig.person")


def test_the_reviews_message_is_not_passed(expired_pdf: bytes, vpki: VerifyPKI, verifier_for: Build) -> None:
    """The issue's file: a PDF signed with an expired certificate under a 198-character / 261-byte name, and
    a zip with more entries than the limit. Both used to be skipped and the envelope said TOTAL_PASSED."""
    assert (len(LONG_NAME), len(LONG_NAME.encode())) == (198, 261)
    many = _zip({f"phu-luc-{i}.txt": b"x" for i in range(ZipLimits().max_entries + 1)})
    signed = sign_edxml(_message((LONG_NAME, expired_pdf), ("phu-luc.zip", many)), vpki.agency)
    report = verifier_for().verify_edxml(signed)
    assert report.signatures[0].passed  # the envelope itself is fine: only the attachments decide
    # the worst of them, the first met: the PDF signed with an expired certificate (no proof of existence)
    assert (report.verdict, report.subindication) == (Indication.INDETERMINATE, SubIndication.OUT_OF_BOUNDS_NO_POE)
    pdf, archive = report.attachments
    assert pdf.file == LONG_NAME and pdf.format == "pdf" and "cert.expired" in _keys(pdf)
    assert pdf.verdict is Indication.INDETERMINATE and pdf.subindication is not None
    assert archive.file == "phu-luc.zip" and archive.verdict is Indication.INDETERMINATE
    assert archive.subindication is SubIndication.SIGNED_DATA_NOT_FOUND
    assert "attachment.unreadable" in _keys(archive)
    assert "1024" in archive.messages[0].text("en") and "1024" in archive.messages[0].text("vi")


def test_a_long_name_is_verified_not_skipped(good_pdf: bytes, vpki: VerifyPKI, verifier_for: Build) -> None:
    signed = sign_edxml(_message((LONG_NAME, good_pdf)), vpki.agency)
    report = verifier_for().verify_edxml(signed)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    (att,) = report.attachments
    assert att.file == LONG_NAME and len(att.signatures) == 1


def test_show_extract_and_verify_accept_the_same_name(good_pdf: bytes, vpki: VerifyPKI, tmp_path: Path) -> None:
    """One name policy: what ``show --extract`` writes, ``verify`` verifies (no file name too long)."""
    from edoc.cli import cli

    message = tmp_path / "msg.edxml"
    message.write_bytes(sign_edxml(_message((LONG_NAME, good_pdf)), vpki.agency))
    root = tmp_path / "root.pem"
    from cryptography.hazmat.primitives import serialization

    root.write_bytes(vpki.root.cert.public_bytes(serialization.Encoding.PEM))
    runner = CliRunner()
    shown = runner.invoke(cli, ["--lang", "en", "edxml", "show", str(message), "--extract", str(tmp_path / "out")])
    assert shown.exit_code == 0, shown.output
    (written,) = (tmp_path / "out").iterdir()
    assert written.read_bytes() == good_pdf and written.suffix == ".pdf"
    assert len(written.name.encode()) <= MAX_NAME_BYTES and written.name.startswith("Quyết định")
    checked = runner.invoke(cli, ["--lang", "en", "verify", "--no-installed-trust", "--trust", str(root),
                                  "--at", "2026-11-26T14:00:00", "--format", "json", str(message)])
    assert '"file":"' + LONG_NAME + '","format":"pdf"' in checked.output


def test_a_zip_with_an_expired_signature_inside_fails_the_message(expired_pdf: bytes, good_pdf: bytes,
                                                                   vpki: VerifyPKI, verifier_for: Build) -> None:
    packed = _zip({"quyet-dinh.pdf": good_pdf, "phu-luc.pdf": expired_pdf, "ghi-chu.txt": b"x"})
    report = verifier_for().verify_edxml(sign_edxml(_message(("ho-so.zip", packed)), vpki.agency))
    assert report.verdict is Indication.INDETERMINATE
    assert [a.file for a in report.attachments] == ["ho-so.zip/quyet-dinh.pdf", "ho-so.zip/phu-luc.pdf"]
    assert report.attachments[0].passed and not report.attachments[1].passed
    assert "attachment.unsigned" in _keys(report)  # the text file: read, noted, not a failure


def test_a_tampered_pdf_in_a_zip_fails_the_message(good_pdf: bytes, vpki: VerifyPKI, verifier_for: Build) -> None:
    packed = _zip({"a.pdf": good_pdf, "b.pdf": attacks.signed_range_flip(good_pdf)})
    report = verifier_for().verify_edxml(_message(("ho-so.zip", packed)))
    assert report.verdict is Indication.TOTAL_FAILED


@pytest.mark.parametrize(("payload", "key", "sub"), [
    (_zip({"x.zip": _zip({"a.pdf": b"%PDF-1.7"})}), "attachment.unreadable", SubIndication.SIGNED_DATA_NOT_FOUND),
    (b"PK\x03\x04 not really a zip", "attachment.unreadable", SubIndication.SIGNED_DATA_NOT_FOUND),
    (_zip({"../../etc/passwd": b"x"}), "attachment.unreadable", SubIndication.SIGNED_DATA_NOT_FOUND),
    (bytes.fromhex("308006092a864886f70d010702a080") + bytes(40), "attachment.signature_unsupported",
     SubIndication.FORMAT_FAILURE),
    (_zip({"[Content_Types].xml": b"<Types/>", "_xmlsignatures/sig1.xml": b"<Signature/>"}),
     "attachment.signature_unsupported", SubIndication.FORMAT_FAILURE),
], ids=["zip-in-zip", "broken-zip", "traversing-zip", "cms", "signed-docx"])
def test_attachments_not_verified_are_indeterminate(good_pdf: bytes, vpki: VerifyPKI, verifier_for: Build,
                                                    payload: bytes, key: str, sub: SubIndication) -> None:
    signed = sign_edxml(_message(("quyet-dinh.pdf", good_pdf), ("kem-theo.bin", payload)), vpki.agency)
    report = verifier_for().verify_edxml(signed)
    assert report.attachments[0].passed
    assert report.verdict is Indication.INDETERMINATE and report.subindication is sub
    assert key in _keys(report.attachments[1])


def test_plain_attachments_do_not_block_a_pass(good_pdf: bytes, vpki: VerifyPKI, verifier_for: Build) -> None:
    """Control: an unsigned docx, a picture and a text are read and noted; the message still passes."""
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    signed = sign_edxml(_message(("quyet-dinh.pdf", good_pdf), ("bao-cao.docx", docx), ("anh.png", b"\x89PNG"),
                                 ("ghi-chu.txt", "Ghi chú".encode())), vpki.agency)
    report = verifier_for().verify_edxml(signed)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    assert [m.params for m in report.messages if m.key == "attachment.unsigned"] == [
        (("name", "bao-cao.docx"),), (("name", "anh.png"),), (("name", "ghi-chu.txt"),)]


def test_undecodable_base64_is_indeterminate(good_pdf: bytes, vpki: VerifyPKI, verifier_for: Build) -> None:
    message = _message(("quyet-dinh.pdf", good_pdf), ("hong.pdf", b"%PDF-1.7 broken"))
    b64 = base64.b64encode(b"%PDF-1.7 broken")
    message = message.replace(b64, b"!!" + b64[2:])
    report = verifier_for().verify_edxml(sign_edxml(message, vpki.agency))
    assert report.verdict is Indication.INDETERMINATE
    assert report.attachments[1].file == "hong.pdf" and "attachment.unreadable" in _keys(report.attachments[1])


def test_attachments_the_reader_refuses_are_indeterminate(good_pdf: bytes, vpki: VerifyPKI,
                                                          verifier_for: Build) -> None:
    """More attachments than the reader accepts: none is read, the message cannot pass."""
    from edoc.edxml import ReadLimits

    many = _message(*[(f"{i}.txt", b"x") for i in range(ReadLimits().max_attachments + 1)])
    report = verifier_for().verify_edxml(sign_edxml(many, vpki.agency))
    assert report.signatures[0].passed
    assert report.verdict is Indication.INDETERMINATE
    assert report.subindication is SubIndication.SIGNED_DATA_NOT_FOUND
    assert "attachments.unreadable" in _keys(report)


def test_a_nested_message_is_verified_with_its_attachments(good_pdf: bytes, vpki: VerifyPKI,
                                                           verifier_for: Build) -> None:
    inner = _message(("tampered.pdf", attacks.signed_range_flip(good_pdf)))
    signed_inner = sign_edxml(inner, vpki.agency)
    outer = sign_edxml(_message(("chuyen-tiep.edxml", signed_inner)), vpki.agency)
    report = verifier_for().verify_edxml(outer)
    assert report.verdict is Indication.TOTAL_FAILED
    (nested,) = report.attachments
    assert nested.format == "edxml" and nested.attachments[0].verdict is Indication.TOTAL_FAILED


def _utf16(data: bytes) -> bytes:
    text = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').replace(
        "encoding='UTF-8'", "encoding='UTF-16'")
    return text.encode("utf-16")


def test_utf16_messages_are_verified_like_utf8(good_pdf: bytes, vpki: VerifyPKI, verifier_for: Build,
                                               tmp_path: Path) -> None:
    """``verify`` called a UTF-16 edXML an unknown format (and, given the bytes, skipped its attachments)
    while ``show`` and ``validate`` read it."""
    from edoc.edxml import read_edxml, validate
    from edoc.verify import detect_format
    from edoc.verify.dispatch import verify_with

    path = tmp_path / "utf16.edxml"
    path.write_bytes(_utf16(sign_edxml(_message(("quyet-dinh.pdf", good_pdf)), vpki.agency)))
    assert len(read_edxml(path).attachments) == 1 and not [f for f in validate(path) if f.severity.value == "error"]
    assert detect_format(path.read_bytes()[:4096]) == "edxml"
    report = verify_with(verifier_for(), path)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    assert len(report.attachments) == 1 and report.attachments[0].passed
    tampered = tmp_path / "tampered.edxml"
    tampered.write_bytes(_utf16(_message(("quyet-dinh.pdf", attacks.signed_range_flip(good_pdf)))))
    assert verify_with(verifier_for(), tampered).verdict is Indication.TOTAL_FAILED


@pytest.mark.parametrize("head", [b"\xef\xbb\xbf<a/>", "<a/>".encode("utf-16-le"), "<a/>".encode("utf-16-be"),
                                  "<a/>".encode("utf-16"), "<a/>".encode("utf-32"), b"  \n<a/>"])
def test_one_detector_for_every_xml_encoding(head: bytes) -> None:
    from edoc.verify import detect_format

    assert detect_format(head) == "edxml"


def test_safe_names_are_bounded_in_bytes() -> None:
    taken: set[str] = set()
    first = safe_file_name(LONG_NAME, 0, taken)
    second = safe_file_name(LONG_NAME, 1, taken)
    assert first.endswith(".pdf") and second.endswith("-2.pdf") and first != second
    assert all(len(n.encode()) <= MAX_NAME_BYTES for n in (first, second))
    assert safe_file_name("\u202egpj.exe", 2, taken) == "gpj.exe"  # a right-to-left override removed
    assert safe_file_name("a\x1b[2J\x85b.pdf", 3, taken) == "a[2Jb.pdf"


def test_a_zip_declaring_more_entries_than_the_limit_is_refused_before_it_is_parsed() -> None:
    data = bytearray(_zip({"a.pdf": b"x"}))
    eocd = data.rindex(b"PK\x05\x06")
    data[eocd + 8:eocd + 12] = (60000).to_bytes(2, "little") * 2  # entries on this disk, entries in total
    with pytest.raises(HostileInput, match="60000"):
        open_zip(io.BytesIO(bytes(data)), ZipLimits())


def test_an_unsigned_attached_message_still_has_its_pdfs_verified(good_pdf: bytes, vpki: VerifyPKI,
                                                                  verifier_for: Build) -> None:
    """An attached edXML without an envelope signature can carry signed PDFs: they are verified too."""
    inner = _message(("tampered.pdf", attacks.signed_range_flip(good_pdf)))  # not signed itself
    outer = sign_edxml(_message(("chuyen-tiep.edxml", inner)), vpki.agency)
    report = verifier_for().verify_edxml(outer)
    assert report.verdict is Indication.TOTAL_FAILED
    assert report.attachments[0].attachments[0].verdict is Indication.TOTAL_FAILED


def test_a_utf16_signed_xml_attachment_is_verified(good_pdf: bytes, vpki: VerifyPKI, verifier_for: Build) -> None:
    """The XML-DSig namespace is looked for in the decoded text, not in the bytes (UTF-16 hides it)."""
    signed = sign_edxml(_message(), vpki.agency)
    tampered = signed.decode().replace("Thuận Nam", "Thuan Nam", 1).encode()
    for attached, verdict in ((_utf16(signed), Indication.TOTAL_PASSED), (_utf16(tampered), Indication.TOTAL_FAILED)):
        report = verifier_for().verify_edxml(sign_edxml(_message(("quyet-dinh.pdf", good_pdf),
                                                                 ("goi-tin.xml", attached)), vpki.agency))
        assert report.attachments[1].format == "edxml" and report.attachments[1].verdict is verdict
