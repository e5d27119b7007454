"""edXML envelopes and XML signatures: wrapping defences, recursion into PDF attachments, DSS XSW corpus."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from edoc.verify import Check, DocumentReport, Indication, SignatureRole, SubIndication

from . import attacks
from .conftest import VerifyPKI, make_edxml, sign_edxml

Build = Callable[..., Any]
DS = b"http://www.w3.org/2000/09/xmldsig#"


@pytest.fixture(scope="module")
def message(signed_two: bytes) -> bytes:
    return make_edxml(signed_two)


@pytest.fixture(scope="module")
def signed_message(message: bytes, vpki: VerifyPKI) -> bytes:
    return sign_edxml(message, vpki.agency)


def _keys(report: Any) -> set[str]:
    return {m.key for s in report.signatures for m in s.messages} | {m.key for m in report.messages}


def test_unsigned_envelope_takes_the_verdict_of_its_pdf(message: bytes, verifier_for: Build) -> None:
    report = verifier_for().verify_edxml(message, name="msg.edxml")
    assert report.format == "edxml" and report.verdict is Indication.TOTAL_PASSED
    assert "envelope.no_signature" in _keys(report)
    (att,) = report.attachments
    assert att.file == "05-QD-UBND.pdf" and att.verdict is Indication.TOTAL_PASSED
    assert [s.role for s in att.signatures] == [SignatureRole.PERSON, SignatureRole.AGENCY]


@pytest.mark.attack
def test_unsigned_envelope_with_a_failed_attachment_fails(signed_two: bytes, verifier_for: Build) -> None:
    report = verifier_for().verify_edxml(make_edxml(attacks.signed_range_flip(signed_two)[:-100]))
    assert (report.attachments[0].verdict, report.attachments[0].subindication) == (
        Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)


def test_no_signature_anywhere_is_not_passed(verifier_for: Build) -> None:
    report = verifier_for().verify_edxml(make_edxml(None))
    assert (report.verdict, report.subindication) == (Indication.INDETERMINATE, SubIndication.SIGNED_DATA_NOT_FOUND)


def test_signed_envelope_returns_signed_content(signed_message: bytes, verifier_for: Build) -> None:
    report = verifier_for().verify_edxml(signed_message)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    (env,) = report.signatures
    assert env.role is SignatureRole.ENVELOPE and env.integrity is Check.PASSED
    assert env.signer is not None and env.signer.identifier("MST") == "0101234567"
    assert report.signed_content is not None and b"edXMLEnvelope" in report.signed_content


def _attacked(verifier: Any, original: bytes, attacked: bytes) -> DocumentReport:
    """The attacked message's report, once the untouched one is shown to pass."""
    before = verifier.verify_edxml(original)
    assert (before.verdict, before.subindication) == (Indication.TOTAL_PASSED, None), before.problems()
    return verifier.verify_edxml(attacked)  # type: ignore[no-any-return]


@pytest.mark.attack
def test_tampered_envelope_fails(signed_message: bytes, verifier_for: Build) -> None:
    bad = signed_message.replace("Thuận Nam".encode(), b"Thuan Nam", 1)
    report = _attacked(verifier_for(), signed_message, bad)
    assert report.verdict is Indication.TOTAL_FAILED
    assert report.subindication is SubIndication.HASH_FAILURE


def _stray(signed_message: bytes, how: str) -> bytes:
    """The envelope's signature made unrecognisable as XML-DSig by one changed byte (``namespace``: the URI
    its element is bound to; ``+header``: the sender's name changed too, which the signature covered)."""
    start = signed_message.index(b"Signature xmlns:")
    at = signed_message.index(b"xmldsig#", start) + 6
    out = signed_message[:at] + b"G" + signed_message[at + 1:]
    if how.endswith("+header"):
        out = out.replace("Thuận Nam".encode(), b"Thuan Nam", 1)
    return out


@pytest.mark.attack
@pytest.mark.parametrize("path", ["streamed", "tree"])
@pytest.mark.parametrize("how", ["namespace", "namespace+header"])
def test_a_signature_no_longer_xmldsig_is_not_a_placeholder(signed_message: bytes, how: str, path: str,
                                                            verifier_for: Build,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13/18, the XML side of "a signature present and not verified": one byte of the namespace URI
    of ``<ds:Signature>`` made the envelope's signature read as an SDK placeholder ("no envelope
    signature"), and the message passed on its PDF's signatures with its header unchecked (TOTAL_PASSED
    before, on both paths). A part only a signature has (XML-DSig SignedInfo or SignatureValue, or a
    SignatureValue in any namespace) outside the signature verified is TOTAL_FAILED/FORMAT_FAILURE."""
    import edoc.verify.xmldsig as xmldsig
    from edoc.edxml.c14n import NotStreamable

    if path == "tree":
        def not_streamable(*_a: object, **_k: object) -> None:
            raise NotStreamable("the tree path, for the test")

        monkeypatch.setattr(xmldsig, "_verify_streamed", not_streamable)
    report = _attacked(verifier_for(), signed_message, _stray(signed_message, how))
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert "envelope.stray_signature" in _keys(report) and "envelope.no_signature" not in _keys(report)


@pytest.mark.parametrize("placeholder", [
    "<Signature><SignedInfo>sha1</SignedInfo></Signature>", "<edXML:DigitalSignature/>",
    "<Signature><SignedInfo>sha1</SignedInfo></Signature><edXML:DigitalSignature/>"])
def test_sdk_placeholders_still_mean_no_envelope_signature(message: bytes, placeholder: str,
                                                           verifier_for: Build) -> None:
    """The national SDK's placeholders carry no signature value and no XML-DSig element: an unsigned
    envelope, whose verdict is its PDF's."""
    text = message.decode("utf-8").replace("</edXML:edXMLHeader>", placeholder + "</edXML:edXMLHeader>")
    assert placeholder in text
    report = verifier_for().verify_edxml(text.encode("utf-8"))
    assert (report.verdict, report.subindication) == (Indication.TOTAL_PASSED, None), report.problems()
    assert "envelope.no_signature" in _keys(report)


@pytest.mark.attack
@pytest.mark.parametrize("bad", [b"Thu&\xba\xadn", b"Thu\xba\xadn &amp;", b"Thu\xe1\x80n\r\n", b"\xc0\x80"])
def test_bytes_not_utf8_in_signed_text_fail_as_malformed(signed_message: bytes, bad: bytes,
                                                         verifier_for: Build) -> None:
    """Issue 13/18 (fuzz finding): bytes that are not UTF-8 in the signed text, wherever the streamed C14N
    decodes them, are a malformed document (TOTAL_FAILED/FORMAT_FAILURE with the parser's line), never an
    internal error (INDETERMINATE/GENERIC)."""
    tampered = signed_message.replace("Thuận".encode(), bad, 1)
    report = _attacked(verifier_for(), signed_message, tampered)
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert "document.unreadable" in _keys(report) and "document.internal_error" not in _keys(report)


@pytest.mark.attack
def test_tampered_attachment_fails_the_message(signed_two: bytes, verifier_for: Build) -> None:
    report = _attacked(verifier_for(), make_edxml(signed_two), make_edxml(attacks.signed_range_flip(signed_two)))
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
    assert report.attachments[0].verdict is Indication.TOTAL_FAILED


def _tree(data: bytes) -> Any:
    from edoc.util.xml import parse_xml

    return parse_xml(data, huge_tree=True).getroot()


@pytest.mark.attack
def test_signature_elsewhere_than_the_header_is_refused(signed_message: bytes, verifier_for: Build) -> None:
    from lxml import etree

    root = _tree(signed_message)
    sig = next(root.iter("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    body = next(root.iter("{http://www.mic.gov.vn/TBT/QCVN_102_2016}edXMLBody"))
    body.append(sig)  # moved: still the same signed bytes under exclusive C14N, wrong place
    report = _attacked(verifier_for(), signed_message, etree.tostring(root))
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert "envelope.misplaced_signature" in _keys(report)


@pytest.mark.attack
def test_two_signatures_are_refused(signed_message: bytes, verifier_for: Build) -> None:
    import copy

    from lxml import etree

    root = _tree(signed_message)
    sig = next(root.iter("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    sig.addprevious(copy.deepcopy(sig))
    report = _attacked(verifier_for(), signed_message, etree.tostring(root))
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert "envelope.multiple_signatures" in _keys(report)


def test_duplicate_ids_are_refused(verifier_for: Build) -> None:
    xml = (b'<r><a Id="x">1</a><b Id="x">2</b><ds:Signature xmlns:ds="' + DS + b'"><ds:SignedInfo>'
           b'<ds:Reference URI="#x"/></ds:SignedInfo></ds:Signature></r>')
    report = verifier_for().verify_edxml(xml)
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert "envelope.duplicate_id" in _keys(report)


def test_external_reference_is_refused(verifier_for: Build) -> None:
    xml = (b'<r><ds:Signature xmlns:ds="' + DS + b'"><ds:SignedInfo>'
           b'<ds:Reference URI="http://127.0.0.1/x"/></ds:SignedInfo></ds:Signature></r>')
    report = verifier_for().verify_edxml(xml)
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert "envelope.external_reference" in _keys(report)


@pytest.mark.parametrize("xml", [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>',
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>',
    b"<r><unclosed></r>",
    b"",
], ids=["xxe", "entity-expansion", "not-well-formed", "empty"])
@pytest.mark.attack
def test_hostile_xml_fails_cleanly(xml: bytes, verifier_for: Build) -> None:
    report = verifier_for().verify_edxml(xml)
    assert report.verdict is Indication.TOTAL_FAILED
    assert report.subindication is SubIndication.FORMAT_FAILURE
