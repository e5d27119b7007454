"""The verdict model, the message catalogue and the renderers."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timezone

import pytest

from edoc.verify import (
    DocumentReport,
    Indication,
    Message,
    MessageLevel,
    SignatureReport,
    SignatureRole,
    SubIndication,
)
from edoc.verify.messages import CATALOGUE
from edoc.verify.render import to_html, to_json, to_text
from edoc.verify.report import iso_vn


def _sig(ind: Indication, sub: SubIndication | None = None) -> SignatureReport:
    return SignatureReport(role=SignatureRole.PERSON, indication=ind, subindication=sub,
                           signing_time=datetime(2026, 11, 26, 7, 5, 9, tzinfo=timezone.utc),
                           messages=(Message.of("time.signing", time="x"),))


def test_catalogue_has_both_languages_in_nfc_with_diacritics() -> None:
    for key, (vi, en) in CATALOGUE.items():
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", key)
        assert vi and en and vi != en, key
        assert unicodedata.normalize("NFC", vi) == vi
        assert set(re.findall(r"\{(\w+)\}", vi)) == set(re.findall(r"\{(\w+)\}", en)), key
    assert "Chữ ký" in CATALOGUE["envelope.misplaced_signature"][0]


def test_unknown_key_or_missing_param_never_raises() -> None:
    assert "nope.key" in Message.of("nope.key", a=1).text()
    assert Message.of("revocation.revoked").text("en").startswith("The certificate was revoked")


@pytest.mark.parametrize(
    ("sigs", "expected"),
    [
        ((Indication.TOTAL_PASSED, Indication.TOTAL_PASSED), Indication.TOTAL_PASSED),
        ((Indication.TOTAL_PASSED, Indication.INDETERMINATE), Indication.INDETERMINATE),
        ((Indication.INDETERMINATE, Indication.TOTAL_FAILED), Indication.TOTAL_FAILED),
    ],
)
def test_document_verdict_is_the_worst(sigs: tuple[Indication, ...], expected: Indication) -> None:
    subs = {Indication.TOTAL_FAILED: SubIndication.HASH_FAILURE,
            Indication.INDETERMINATE: SubIndication.NO_CERTIFICATE_CHAIN_FOUND}
    report = DocumentReport.combine("a.pdf", "pdf", tuple(_sig(i, subs.get(i)) for i in sigs))
    assert report.verdict is expected
    assert report.subindication is subs.get(expected)


def test_no_signature_is_never_passed() -> None:
    report = DocumentReport.combine("a.pdf", "pdf", ())
    assert report.verdict is Indication.INDETERMINATE
    assert report.messages[0].key == "document.no_signature" and report.messages[0].level is MessageLevel.ERROR


@pytest.mark.parametrize(("attachment", "expected"), [
    ((Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE), (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)),
    ((Indication.INDETERMINATE, SubIndication.TRY_LATER),
     (Indication.INDETERMINATE, SubIndication.SIGNED_DATA_NOT_FOUND)),
    ((Indication.TOTAL_PASSED, None), (Indication.INDETERMINATE, SubIndication.SIGNED_DATA_NOT_FOUND)),
])
def test_no_signature_of_its_own_is_the_worst_of_it_and_the_attachments(
        attachment: tuple[Indication, SubIndication | None],
        expected: tuple[Indication, SubIndication | None]) -> None:
    """Issue 13 §1: "no signature" (INDETERMINATE) never hides a failed attachment (FAILED wins); between
    equals, the document's own finding is named."""
    inner = DocumentReport.combine("a.pdf", "pdf", (_sig(*attachment),))
    report = DocumentReport.combine("m.edxml", "edxml", (), attachments=(inner,))
    assert (report.verdict, report.subindication) == expected
    assert [m.key for m in report.messages] == ["document.no_signature"]


def test_json_shape_is_versioned_and_times_are_vietnam_time() -> None:
    inner = DocumentReport.combine("b.pdf", "pdf", (_sig(Indication.TOTAL_PASSED),))
    report = DocumentReport.combine("a.xml", "edxml", (_sig(Indication.TOTAL_PASSED),), attachments=(inner,))
    line = to_json(report, "en")
    assert "\n" not in line
    data = json.loads(line)
    assert data["schema_version"] == "1"
    assert {"file", "format", "verdict", "subindication", "signatures", "attachments"} <= set(data)
    sig = data["signatures"][0]
    assert {"role", "indication", "subindication", "signer", "signing_time", "modifications",
            "messages"} <= set(sig)
    assert sig["signing_time"] == "2026-11-26T14:05:09+07:00"
    assert data["attachments"][0]["file"] == "b.pdf"
    assert iso_vn(datetime(2026, 1, 1)) == "2026-01-01T07:00:00+07:00"


def test_text_and_html_reports() -> None:
    report = DocumentReport.combine("qđ.pdf", "pdf", (_sig(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE),))
    text_vi = to_text(report)
    assert "KHÔNG HỢP LỆ" in text_vi and "TOTAL_FAILED/HASH_FAILURE" in text_vi
    assert "INVALID" in to_text(report, "en")
    page = to_html([report, DocumentReport.combine("<script>.pdf", "pdf", ())])
    assert page.startswith("<!DOCTYPE html>") and "<script>.pdf" not in page
    assert "<script" not in page and "http" not in page.lower().replace("http-equiv", "")
    assert 'charset="utf-8"' in page and "@media print" in page
