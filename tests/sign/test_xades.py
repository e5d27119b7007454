"""XAdES enveloped signatures of edXML messages: backends, xmlsec1 and edoc.verify interop, B-T, refusals."""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import needs
from edoc.errors import InvalidInput
from edoc.keys import (
    RSA_PKCS1_SHA256,
    RSA_PSS_SHA256,
    AlgorithmRefused,
    HashAlgorithm,
    SignatureAlgorithm,
    SignatureScheme,
    open_key,
)
from edoc.sign.xades import DS, XADES, sign_edxml

# signer label -> (trust root, intermediate)
_ISSUERS = {"agency-rsa": ("gov-root", "state-bodies"), "agency-ec": ("gov-root", "state-bodies"),
            "person-rsa": ("national-root", "public-ca"), "person-ec": ("national-root", "public-ca")}
_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


@pytest.fixture(scope="module")
def message(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from edoc import Attachment
    from edoc.edxml import edxml_bytes
    from edoc.samples import thuan_nam_decision

    folder = tmp_path_factory.mktemp("xades")
    pdf = folder / "05-QD-UBND.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    doc = thuan_nam_decision().replace(attachments=(Attachment(name=pdf.name, path=pdf,
                                                               content_type="application/pdf"),))
    path = folder / "in.edxml"
    path.write_bytes(edxml_bytes(doc))
    return path


def _xmlsec1(signed: Path, pki_files: Path, label: str) -> subprocess.CompletedProcess[str]:
    root, inter = _ISSUERS[label]
    return subprocess.run(
        ["xmlsec1", "--verify", "--trusted-pem", str(pki_files / f"{root}.cert.pem"),
         "--untrusted-pem", str(pki_files / f"{inter}.cert.pem"), "--id-attr:Id", "SignedProperties", str(signed)],
        capture_output=True, text=True, timeout=60, check=False)


def _edoc_verify(pki: Any, signed: Path) -> Any:
    from pyhanko_certvalidator import ValidationContext

    from edoc.verify.xmldsig import verify_xml

    ctx = ValidationContext(trust_roots=[pki.cert("gov-root"), pki.cert("national-root")], allow_fetching=False,
                            revocation_mode="soft-fail")
    return verify_xml(signed, context=ctx)


def _check_structure(signed: Path) -> etree._Element:
    from edoc.util.xml import parse_xml

    root = parse_xml(signed, huge_tree=True).getroot()
    header = root.find(f"{{{_NS}}}edXMLEnvelope/{{{_NS}}}edXMLHeader")
    assert header is not None
    sig = header[-1]
    assert sig.tag == f"{{{DS}}}Signature"
    refs = sig.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    assert refs[0].get("URI") == ""
    assert refs[1].get("Type") == "http://uri.etsi.org/01903#SignedProperties"
    assert sig.find(f".//{{{XADES}}}SigningCertificateV2/{{{XADES}}}Cert/{{{XADES}}}IssuerSerialV2") is not None
    when = sig.findtext(f".//{{{XADES}}}SigningTime")
    assert when is not None and when.endswith("+07:00")
    assert len(sig.findall(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")) >= 2
    return sig


@pytest.mark.parametrize("label", ["agency-rsa", "person-ec"])
@pytest.mark.parametrize("kind", ["pem", "p12"])
def test_sign_file_keys(pki: Any, pki_files: Path, message: Path, tmp_path: Path, label: str, kind: str) -> None:
    from pki import P12_PASSWORD, p12_uri, pem_uri

    uri = pem_uri(pki_files, label) if kind == "pem" else p12_uri(pki_files, label)
    out = tmp_path / "signed.edxml"
    with open_key(uri, pin=P12_PASSWORD if kind == "p12" else None) as key:
        sign_edxml(message, out, key=key, signing_time=dt.datetime(2026, 6, 1, 8, tzinfo=dt.timezone.utc))
    sig = _check_structure(out)
    assert sig.findtext(f".//{{{XADES}}}SigningTime") == "2026-06-01T15:00:00+07:00"
    report = _edoc_verify(pki, out)
    assert [(s.integrity.value, s.chain.value) for s in report.signatures] == [("passed", "passed")], report
    from edoc.edxml import read_edxml, validate

    result = read_edxml(out)
    assert "envelope-signature" in [f.code for f in result.findings]
    assert "no-envelope-signature" not in [f.code for f in result.findings]
    assert result.document is not None
    assert not [f for f in validate(out) if f.severity.name == "ERROR"]
    needs.require_tools("xmlsec1")  # what edoc checked above ran; the independent check needs the tool
    proc = _xmlsec1(out, pki_files, label)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.tools
@needs.tools("xmlsec1")
@pytest.mark.parametrize("label", ["agency-rsa", "agency-ec", "person-rsa", "person-ec"])
def test_xmlsec1_accepts_and_detects_tampering(pki_files: Path, message: Path, tmp_path: Path, label: str) -> None:
    from pki import pem_uri

    out = tmp_path / "signed.edxml"
    with open_key(pem_uri(pki_files, label)) as key:
        sign_edxml(message, out, key=key)
    proc = _xmlsec1(out, pki_files, label)
    assert proc.returncode == 0, proc.stderr
    # change one byte of the attachment's base64 (another valid base64 letter)
    data = bytearray(out.read_bytes())
    start = data.index(b"<AttachmentEncoded") if b"<AttachmentEncoded" in data else data.index(b"AttachmentEncoded>")
    pos = data.index(b">", start) + 20
    data[pos] = ord("B") if data[pos] != ord("B") else ord("C")
    bad = tmp_path / "tampered.edxml"
    bad.write_bytes(bytes(data))
    assert _xmlsec1(bad, pki_files, label).returncode != 0


@pytest.mark.softhsm
@pytest.mark.parametrize(("obj", "label"), [("signer-rsa", "person-rsa"), ("signer-ec", "person-ec")])
def test_sign_with_token(pki: Any, pki_files: Path, softhsm: Any, message: Path, tmp_path: Path, obj: str,
                         label: str) -> None:
    out = tmp_path / "signed.edxml"
    with open_key(softhsm.uri("edoc-test", obj), pin=softhsm.pin) as key:
        sign_edxml(message, out, key=key)
    _check_structure(out)
    report = _edoc_verify(pki, out)
    assert [(s.integrity.value, s.chain.value) for s in report.signatures] == [("passed", "passed")], report
    needs.require_tools("xmlsec1")  # what edoc checked above ran; the independent check needs the tool
    proc = _xmlsec1(out, pki_files, label)
    assert proc.returncode == 0, proc.stderr


def test_b_t_timestamp(pki: Any, pki_files: Path, message: Path, tmp_path: Path) -> None:
    from asn1crypto import cms, tsp

    from pki import pem_uri

    out = tmp_path / "signed-bt.edxml"
    with open_key(pem_uri(pki_files, "agency-rsa")) as key:
        sign_edxml(message, out, key=key, level="B-T", tsa_url=f"{pki.url_prefix}/vn-test/tsa/tsa")
    sig = _check_structure(out)
    token_b64 = sig.findtext(f".//{{{XADES}}}SignatureTimeStamp/{{{XADES}}}EncapsulatedTimeStamp")
    assert token_b64
    token = cms.ContentInfo.load(base64.b64decode(token_b64))
    tst = token["content"]["encap_content_info"]["content"].parsed
    assert isinstance(tst, tsp.TSTInfo)
    value = sig.find(f"{{{DS}}}SignatureValue")
    import hashlib

    canon = etree.tostring(value, method="c14n", exclusive=True)
    assert tst["message_imprint"]["hashed_message"].native == hashlib.sha256(canon).digest()
    report = _edoc_verify(pki, out)
    assert [s.integrity.value for s in report.signatures] == ["passed"], report
    needs.require_tools("xmlsec1")
    assert _xmlsec1(out, pki_files, "agency-rsa").returncode == 0


def test_refusals(pki_files: Path, message: Path, tmp_path: Path) -> None:
    from pki import pem_uri

    with open_key(pem_uri(pki_files, "agency-rsa")) as key:
        with pytest.raises(AlgorithmRefused):
            sign_edxml(message, tmp_path / "x.edxml", key=key,
                       algorithm=SignatureAlgorithm(SignatureScheme.RSA_PKCS1V15, HashAlgorithm.SHA1))
        with pytest.raises(InvalidInput):
            sign_edxml(message, tmp_path / "x.edxml", key=key, level="B-T")  # no TSA
        with pytest.raises(InvalidInput):
            sign_edxml(message, tmp_path / "x.edxml", key=key, level="B-LTA")
        once = tmp_path / "once.edxml"
        sign_edxml(message, once, key=key, algorithm=RSA_PKCS1_SHA256)
        with pytest.raises(InvalidInput, match="already"):
            sign_edxml(once, tmp_path / "twice.edxml", key=key)
    assert not (tmp_path / "x.edxml").exists() and not (tmp_path / "twice.edxml").exists()


def test_placeholder_replaced_and_pss(pki: Any, pki_files: Path, message: Path, tmp_path: Path) -> None:
    from pki import pem_uri

    text = message.read_text(encoding="utf-8")
    placeholder = "<Signature><SignedInfo>sha1</SignedInfo></Signature><edXML:DigitalSignature/>"
    src = tmp_path / "sdk.edxml"
    src.write_text(text.replace("</edXML:edXMLHeader>", placeholder + "</edXML:edXMLHeader>"), encoding="utf-8")
    out = tmp_path / "signed.edxml"
    with open_key(pem_uri(pki_files, "agency-rsa")) as key:
        sign_edxml(src, out, key=key, algorithm=RSA_PSS_SHA256)
    sig = _check_structure(out)
    assert sig.find(f"{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod").get("Algorithm", "").endswith("sha256-rsa-MGF1")
    signed = out.read_text(encoding="utf-8")
    assert "DigitalSignature" not in signed and "<Signature>" not in signed
    report = _edoc_verify(pki, out)
    assert [s.integrity.value for s in report.signatures] == ["passed"], report


def test_cli_sign_edxml(pki_files: Path, message: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from edoc.cli import cli
    from pki import pem_uri

    out = tmp_path / "cli.edxml"
    result = CliRunner().invoke(cli, ["sign", "edxml", str(message), "-o", str(out), "--key",
                                       pem_uri(pki_files, "person-ec")])
    assert result.exit_code == 0, result.output
    _check_structure(out)
    needs.require_tools("xmlsec1")
    assert _xmlsec1(out, pki_files, "person-ec").returncode == 0


@pytest.mark.parametrize("case", ["missing-input", "bad-key-uri", "missing-key-file", "not-edxml"])
def test_cli_sign_edxml_errors(pki_files: Path, message: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               case: str) -> None:
    from edoc.cli import main
    from pki import pem_uri

    source, key = str(message), pem_uri(pki_files, "agency-rsa")
    if case == "missing-input":
        source = str(tmp_path / "nowhere.edxml")
    elif case == "bad-key-uri":
        key = "nosuchscheme:whatever"
    elif case == "missing-key-file":
        key = f"pem:{tmp_path / 'absent.key.pem'}?cert={tmp_path / 'absent.cert.pem'}"
    else:
        plain = tmp_path / "plain.xml"
        plain.write_text("<r>not an edXML message</r>", encoding="utf-8")
        source = str(plain)
    out = tmp_path / "out.edxml"
    with pytest.raises(SystemExit) as exit_info:
        main(["--lang=en", "sign", "edxml", source, "-o", str(out), "--key", key])
    err = capsys.readouterr().err
    assert exit_info.value.code not in (0, None)
    assert "Traceback" not in err and err.strip()
    if case == "missing-input":
        assert exit_info.value.code == 2 and "nowhere.edxml" in err
    else:
        assert err.startswith("Error:"), err
    if case == "not-edxml":
        assert "edXML" in err
    assert not out.exists()


def test_b_t_with_unreachable_tsa(pki_files: Path, message: Path, tmp_path: Path) -> None:
    import socket

    from edoc.errors import EdocError
    from pki import pem_uri

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tsa = f"http://127.0.0.1:{port}/tsa"
    out = tmp_path / "bt.edxml"
    with open_key(pem_uri(pki_files, "agency-rsa")) as key, pytest.raises(EdocError) as info:
        sign_edxml(message, out, key=key, level="B-T", tsa_url=tsa)
    assert tsa in str(info.value) and info.value.field == "tsa_url"
    assert not out.exists()
