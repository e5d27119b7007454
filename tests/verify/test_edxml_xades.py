"""XAdES envelope signatures of edXML: the streamed verifier agrees with the tree verifier on good, tampered
and wrapped messages, and the SignatureTimeStamp is validated (imprint, TSA signature, path to trust) against
the live test TSA."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import edoc.verify.xmldsig as xmldsig
from edoc.keys import open_key
from edoc.sign.xades import sign_edxml
from edoc.verify import Check, Indication, SubIndication

_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


@pytest.fixture(scope="module")
def message(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from edoc import Attachment
    from edoc.edxml import edxml_bytes
    from edoc.samples import thuan_nam_decision

    folder = tmp_path_factory.mktemp("edxml-xades")
    pdf = folder / "05-QD-UBND.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 2000)
    doc = thuan_nam_decision().replace(attachments=(Attachment(name=pdf.name, path=pdf,
                                                               content_type="application/pdf"),))
    return edxml_bytes(doc)


def _sign(pki_files: Path, data: bytes, folder: Path, label: str = "agency-rsa", **kw: Any) -> bytes:
    from pki import pem_uri

    out = folder / f"signed-{label}.edxml"
    with open_key(pem_uri(pki_files, label)) as key:
        sign_edxml(data, out, key=key, **kw)
    return out.read_bytes()


@pytest.fixture(scope="module")
def signed(pki: Any, pki_files: Path, message: bytes, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return _sign(pki_files, message, tmp_path_factory.mktemp("signed"))


@pytest.fixture(scope="module")
def context(pki: Any) -> Any:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=[pki.cert("gov-root"), pki.cert("national-root")],
                             other_certs=[pki.cert("public-ca")], allow_fetching=False, revocation_mode="soft-fail")


def _keys(report: Any) -> list[str]:
    return sorted({m.key for s in report.signatures for m in s.messages} | {m.key for m in report.messages})


def _tree_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmldsig, "_looks_edxml", lambda source: False)


def _no_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the tree path was used")

    monkeypatch.setattr(xmldsig, "_verify_signature", refuse)


def test_edoc_signature_takes_the_streamed_path(signed: bytes, context: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _no_tree(monkeypatch)
    path = tmp_path / "m.edxml"
    path.write_bytes(signed)
    for source in (signed, path):
        report = xmldsig.verify_xml(source, context=context)
        assert report.verdict is Indication.TOTAL_PASSED, report.problems()
        (sig,) = report.signatures
        assert sig.integrity is Check.PASSED and sig.chain is Check.PASSED and sig.signing_time is not None
        assert "time.signing" in _keys(report)
        # what was signed: the message without its signature, byte for byte
        start = signed.index(b"<ds:Signature")
        end = signed.index(b"</ds:Signature>") + len(b"</ds:Signature>")
        assert report.signed_content == signed[:start] + signed[end:]


def _sig_bytes(data: bytes) -> bytes:
    start = data.index(b"<ds:Signature")
    return data[start:data.index(b"</ds:Signature>") + len(b"</ds:Signature>")]


def _flip_attachment(data: bytes) -> bytes:
    pos = data.index(b"<ContentTransferEncoded>") + 30
    return data[:pos] + (b"B" if data[pos:pos + 1] != b"B" else b"C") + data[pos + 1:]


def _other_cert(pki: Any) -> Callable[[bytes], bytes]:
    def swap(data: bytes) -> bytes:
        first = re.search(rb"<ds:X509Certificate>([^<]+)</ds:X509Certificate>", data)
        assert first is not None
        other = base64.b64encode(pki.cert("person-rsa").dump())
        return data.replace(first.group(1), other)

    return swap


_VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    "intact": lambda d: d,
    "header-text-changed": lambda d: d.replace("Thuận Nam".encode(), b"Thuan Nam", 1),
    "attachment-changed": _flip_attachment,
    "signed-properties-changed": lambda d: re.sub(rb"(<xades:SigningTime>)\d{4}", rb"\g<1>1999", d),
    "signature-value-changed": lambda d: re.sub(rb"(<ds:SignatureValue[^>]*>)(.)", lambda m: m.group(1) + (
        b"A" if m.group(2) != b"A" else b"B"), d),
    "moved-to-body": lambda d: d.replace(_sig_bytes(d), b"").replace(b"</edXML:edXMLBody>",
                                                                     _sig_bytes(d) + b"</edXML:edXMLBody>"),
    "two-signatures": lambda d: d.replace(_sig_bytes(d), _sig_bytes(d).replace(b'Id="', b'Id="x') + _sig_bytes(d)),
    "element-after-signature": lambda d: d.replace(b"</ds:Signature>", b"</ds:Signature><edXML:Extra/>"),
    "duplicate-id": lambda d: d.replace(b"<edXML:edXMLBody>", b'<edXML:edXMLBody Id="a"><edXML:X Id="a"/>'),
    "signed-properties-id-reused": lambda d: d.replace(
        b"<edXML:edXMLBody>",
        b'<edXML:edXMLBody Id="' + re.search(rb'SignedProperties Id="([^"]+)"', d).group(1) + b'">'),  # type: ignore[union-attr]
    "truncated": lambda d: d[:-200],
    "dtd": lambda d: d.replace(b"?>", b'?><!DOCTYPE edXML [<!ENTITY e "x">]>', 1),
    "no-signature": lambda d: d.replace(_sig_bytes(d), b""),
}


@pytest.mark.parametrize("variant", [*sorted(_VARIANTS), "other-certificate"])
def test_streamed_and_tree_paths_agree(pki: Any, signed: bytes, context: Any, variant: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    change = _other_cert(pki) if variant == "other-certificate" else _VARIANTS[variant]
    data = change(signed)
    streamed = xmldsig.verify_xml(data, context=context)
    with monkeypatch.context() as m:
        _tree_only(m)
        tree = xmldsig.verify_xml(data, context=context)
    assert (streamed.verdict, streamed.subindication) == (tree.verdict, tree.subindication)
    assert _keys(streamed) == _keys(tree)
    if variant == "intact":
        assert streamed.verdict is Indication.TOTAL_PASSED
    else:
        assert streamed.verdict is not Indication.TOTAL_PASSED
    expected = {
        "header-text-changed": SubIndication.HASH_FAILURE, "attachment-changed": SubIndication.HASH_FAILURE,
        "signed-properties-changed": SubIndication.HASH_FAILURE,
        "signature-value-changed": SubIndication.SIG_CRYPTO_FAILURE,
        "other-certificate": SubIndication.SIG_CRYPTO_FAILURE,
        "moved-to-body": SubIndication.FORMAT_FAILURE, "two-signatures": SubIndication.FORMAT_FAILURE,
        "element-after-signature": SubIndication.FORMAT_FAILURE, "duplicate-id": SubIndication.FORMAT_FAILURE,
        "signed-properties-id-reused": SubIndication.FORMAT_FAILURE, "truncated": SubIndication.FORMAT_FAILURE,
        "dtd": SubIndication.FORMAT_FAILURE,
    }.get(variant)
    if expected is not None:
        assert streamed.subindication is expected, _keys(streamed)


def test_signxml_signature_verifies(context: Any, message: bytes, pki_files: Path) -> None:
    """A signature made elsewhere (signxml: no XAdES, other layout) still verifies (streamed or tree path)."""
    from cryptography.hazmat.primitives import serialization
    from lxml import etree
    from signxml import XMLSigner, methods
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

    from edoc.util.xml import parse_xml

    root = parse_xml(message, huge_tree=True).getroot()
    header = root.find(f"{{{_NS}}}edXMLEnvelope/{{{_NS}}}edXMLHeader")
    etree.SubElement(header, "{http://www.w3.org/2000/09/xmldsig#}Signature", Id="placeholder")
    key = serialization.load_pem_private_key((pki_files / "agency-rsa.key.pem").read_bytes(), None)
    signer = XMLSigner(method=methods.enveloped, signature_algorithm=SignatureMethod.RSA_SHA256,
                       digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    data = etree.tostring(signer.sign(root, key=key, cert=[(pki_files / "agency-rsa.cert.pem").read_text()]))
    report = xmldsig.verify_xml(data, context=context)
    assert report.signatures[0].integrity is Check.PASSED, report.problems()


# -- B-T: the SignatureTimeStamp ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def signed_bt(pki: Any, pki_files: Path, message: bytes, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return _sign(pki_files, message, tmp_path_factory.mktemp("bt"), level="B-T",
                 tsa_url=f"{pki.url_prefix}/vn-test/tsa/tsa")


def _token(data: bytes) -> bytes:
    m = re.search(rb"<xades:EncapsulatedTimeStamp>([^<]+)</xades:EncapsulatedTimeStamp>", data)
    assert m is not None
    return m.group(1)


@pytest.mark.parametrize("path", ["streamed", "tree"])
def test_signature_timestamp_is_validated(signed_bt: bytes, context: Any, path: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from asn1crypto import cms

    if path == "tree":
        _tree_only(monkeypatch)
    else:
        _no_tree(monkeypatch)
    report = xmldsig.verify_xml(signed_bt, context=context)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    (sig,) = report.signatures
    token = cms.ContentInfo.load(base64.b64decode(_token(signed_bt)))
    gen_time = token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    assert sig.timestamp_time == gen_time
    assert sig.signing_time is not None and abs((gen_time - sig.signing_time).total_seconds()) < 120
    assert "time.timestamp" in _keys(report)
    assert report.to_dict()["signatures"][0]["timestamp_time"] is not None


def test_timestamp_of_another_signature_is_refused(pki: Any, pki_files: Path, signed_bt: bytes, message: bytes,
                                                   context: Any, tmp_path: Path) -> None:
    other = _sign(pki_files, message.replace(b"Thu", b"Thu", 1), tmp_path, label="person-rsa", level="B-T",
                  tsa_url=f"{pki.url_prefix}/vn-test/tsa/tsa")
    data = signed_bt.replace(_token(signed_bt), _token(other))  # unsigned properties: the signature still holds
    report = xmldsig.verify_xml(data, context=context)
    (sig,) = report.signatures
    assert sig.integrity is Check.PASSED
    assert report.verdict is Indication.INDETERMINATE and sig.timestamp_time is None
    assert {"time.timestamp_invalid", "envelope.timestamp_problem"} <= set(_keys(report))
    problem = next(m for m in sig.messages if m.key == "envelope.timestamp_problem")
    assert "imprint" in problem.text("en")


def test_untrusted_tsa_is_not_a_proof(pki: Any, signed_bt: bytes) -> None:
    from pyhanko_certvalidator import ValidationContext

    only_gov = ValidationContext(trust_roots=[pki.cert("gov-root")], allow_fetching=False,
                                 revocation_mode="soft-fail")  # the TSA chains to the national root
    report = xmldsig.verify_xml(signed_bt, context=only_gov)
    (sig,) = report.signatures
    assert sig.integrity is Check.PASSED and sig.chain is Check.PASSED
    assert report.verdict is Indication.INDETERMINATE and sig.timestamp_time is None
    assert "time.timestamp_invalid" in _keys(report)


def test_garbage_timestamp_fails_cleanly(signed_bt: bytes, context: Any) -> None:
    data = signed_bt.replace(_token(signed_bt), base64.b64encode(b"not a token"))
    report = xmldsig.verify_xml(data, context=context)
    assert report.verdict is Indication.INDETERMINATE
    assert "envelope.timestamp_problem" in _keys(report)


def test_large_message_streams(pki: Any, pki_files: Path, context: Any, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A message over the canonicaliser's chunk size (attachment text across chunks) signs and verifies."""
    from edoc import Attachment
    from edoc.edxml import edxml_bytes
    from edoc.samples import thuan_nam_decision

    pdf = tmp_path / "big.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 12_000)  # ~3 MiB, ~4 MiB of base64
    doc = thuan_nam_decision().replace(attachments=(Attachment(name=pdf.name, path=pdf,
                                                               content_type="application/pdf"),))
    src = tmp_path / "big.edxml"
    src.write_bytes(edxml_bytes(doc))
    data = _sign(pki_files, src.read_bytes(), tmp_path)
    path = tmp_path / "signed-big.edxml"
    path.write_bytes(data)
    _no_tree(monkeypatch)
    assert xmldsig.verify_xml(path, context=context).verdict is Indication.TOTAL_PASSED
    assert xmldsig.verify_xml(_flip_attachment(data), context=context).subindication is SubIndication.HASH_FAILURE


def test_signing_certificate_is_the_signed_one(pki: Any, signed: bytes) -> None:
    """XAdES SigningCertificateV2 names the signer: another certificate (say, of the same key) is refused."""
    from edoc.util.xml import parse_xml

    root = parse_xml(signed, huge_tree=True).getroot()
    sig = root.find(f"{{{_NS}}}edXMLEnvelope/{{{_NS}}}edXMLHeader")[-1]
    assert xmldsig._signing_certificate_matches(sig, pki.cert("agency-rsa"))
    assert not xmldsig._signing_certificate_matches(sig, pki.cert("person-rsa"))
