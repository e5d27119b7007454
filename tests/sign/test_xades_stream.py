"""The streamed XAdES signer: its canonical form equals lxml's, the output equals what the tree path signs,
and shapes it does not handle fall back to the tree.

The reference for canonical form is lxml's (libxml2's) exclusive C14N of a parsed tree, which xmlsec1 and
every verifier in the tests use; hypothesis draws documents with the features canonicalisation changes
(namespaces and prefixes, attribute order, escapes, CR/LF, CDATA, comments, PIs) and chunk sizes that cut
tokens, references and UTF-8 sequences.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import edoc.edxml.c14n as c14n
import needs
from edoc.errors import HostileInput, MalformedFile
from edoc.keys import open_key
from edoc.sign.xades import DS, sign_edxml, sign_edxml_tree

_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
_WHEN = dt.datetime(2026, 6, 1, 8, tzinfo=dt.timezone.utc)


class _All:
    def start(self, el: c14n.Element) -> bool:
        return False

    def end(self, el: c14n.Element) -> None:
        return None


def _stream(data: bytes, chunk: int | None = None) -> bytes:
    out: list[bytes] = []
    old = c14n.CHUNK
    try:
        if chunk:
            c14n.CHUNK = chunk
        c14n.canonicalize(data, lambda b: out.append(bytes(b)), _All())
    finally:
        c14n.CHUNK = old
    return b"".join(out)


def _lxml(data: bytes) -> bytes:
    tree = etree.ElementTree(etree.fromstring(data, etree.XMLParser(huge_tree=True)))
    sink = io.BytesIO()
    tree.write_c14n(sink, exclusive=True, with_comments=False)
    return sink.getvalue()


_CASES = {
    "declaration-pis-comments": b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><?pi   x  y ?>'
                                b'<r xmlns="urn:a" xmlns:e="urn:a" b="2" a="1"><e:x/><y e:z="1" xml:lang="vi">'
                                b' t&amp;&lt;&gt;&#13;&#x41;\r\n\r>x</y><!-- c2 --><![CDATA[<&>\r\n]]></r>\n'
                                b"<?after?>\n<!-- z -->",
    "default-undeclared": b'<r><a xmlns="urn:x"><b xmlns=""><c/></b></a></r>',
    "attribute-normalisation": b'<r><d xmlns:p="urn:p" p:q="&quot;\'&#9;\t\n&#10;&#13;\r\nx &lt;&gt;"/></r>',
    "prefix-rebinding": b'<p:r xmlns:p="urn:p" xmlns:q="urn:q"><p:a xmlns:p="urn:p2"><p:b xmlns:p="urn:p"/></p:a>'
                        b'<q:c q:a="1" p:b="2" c="3" xmlns:z="urn:z"/></p:r>',
    "vietnamese": "<r attr='Thuận \"q\"'>Thuận Nam ]]&gt; é &#x1EA1;</r>".encode(),
    "default-changes": b'<r xmlns="urn:d"><a xmlns=""/><b xmlns="urn:d"/><c xmlns="urn:e"><d xmlns="urn:d"/></c></r>',
    "bom": b'\xef\xbb\xbf<?xml version="1.0"?><r>x</r>',
    "edxml-like": (b'<edXML xmlns="' + _NS.encode() + b'" xmlns:edXML="' + _NS.encode() + b'"><edXML:edXMLEnvelope>'
                   b"<edXML:edXMLHeader><edXML:A>1</edXML:A></edXML:edXMLHeader></edXML:edXMLEnvelope>"
                   b"<AttachmentEncoded><Attachment><ContentTransferEncoded>"
                   + b"QUJD\r\n" * 40 + b"</ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>"),
}


@pytest.mark.parametrize("chunk", [None, 1, 2, 3, 7, 64])
@pytest.mark.parametrize("name", sorted(_CASES))
def test_canonical_form_equals_lxml(name: str, chunk: int | None) -> None:
    assert _stream(_CASES[name], chunk) == _lxml(_CASES[name])


_PREFIXES = st.sampled_from(["", "a", "b", "edXML"])
_URIS = st.sampled_from(["urn:x", "urn:y", _NS, ""])
#: pieces of character data as written (escapes included); "]]>" can appear: then both must refuse
_TEXT = st.lists(st.sampled_from(["a", "b", " ", "&lt;", "&gt;", ">", "&amp;", '"', "'", "\r", "\n", "\t", "]",
                                  "ờ", "&#13;", "&#x1EA1;", "\r\n", "&quot;"]), max_size=8).map("".join)


@st.composite
def _documents(draw: Any, depth: int = 0) -> str:
    prefix = draw(_PREFIXES)
    uri = draw(_URIS)
    decls = ""
    if prefix:
        uri = uri or "urn:z"
        decls = f' xmlns:{prefix}="{uri}"'
    elif draw(st.booleans()):
        decls = f' xmlns="{uri}"'
    if draw(st.booleans()):
        decls += ' xmlns:unused="urn:unused"'
    name = f"{prefix}:e{depth}" if prefix else f"e{depth}"
    attrs = ""
    for i, (a_prefix, value) in enumerate(draw(st.lists(st.tuples(st.sampled_from(["", "q", "xml"]), _TEXT),
                                                         max_size=3))):
        value = value.replace('"', "&quot;")
        if a_prefix == "q":
            decls += ' xmlns:q="urn:q"' if ' xmlns:q="urn:q"' not in decls else ""
            attrs += f' q:a{i}="{value}"'
        elif a_prefix == "xml":
            attrs += f' xml:lang="{value}"' if "xml:lang" not in attrs else ""
        else:
            attrs += f" a{i}='{value.replace(chr(39), '&apos;').replace('&quot;', chr(34))}'"
    body = ""
    for kind in draw(st.lists(st.sampled_from(["text", "child", "comment", "pi", "cdata"]), max_size=4)):
        if kind == "text":
            body += draw(_TEXT)
        elif kind == "child" and depth < 3:
            body += draw(_documents(depth + 1))
        elif kind == "comment":
            body += "<!-- x -->"
        elif kind == "pi":
            body += "<?p d?>"
        elif kind == "cdata":
            body += "<![CDATA[" + draw(_TEXT).replace("]]>", "") + "]]>"  # raw: the references stay text
    return f"<{name}{decls}{attrs}>{body}</{name}>" if body or draw(st.booleans()) else f"<{name}{decls}{attrs}/>"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_documents(), chunk=st.sampled_from([None, 1, 3, 5, 11]))
def test_canonical_form_equals_lxml_property(doc: str, chunk: int | None) -> None:
    data = doc.encode("utf-8")
    try:
        expected = _lxml(data)
    except etree.XMLSyntaxError:
        with pytest.raises((MalformedFile, c14n.NotStreamable)):
            _stream(data, chunk)
        return
    assert _stream(data, chunk) == expected


@pytest.mark.parametrize("data", [
    b"<r><a></r>", b"<r>x", b"", b"<r a='1' a='2'/>", b"<r>&unknown;</r>", b"<r>\x00</r>",
    b"<r>" + b"QUJD" * 300_000 + b"</x>",
], ids=["mismatched", "truncated", "empty", "duplicate-attribute", "undefined-entity", "nul", "late-error"])
def test_malformed_is_refused(data: bytes) -> None:
    with pytest.raises((MalformedFile, c14n.NotStreamable)):
        _stream(data)


def test_dtd_is_refused() -> None:
    with pytest.raises(HostileInput):
        _stream(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>')


# -- the signer --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def message(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from edoc import Attachment
    from edoc.edxml import edxml_bytes
    from edoc.samples import thuan_nam_decision

    folder = tmp_path_factory.mktemp("xades-stream")
    pdf = folder / "05-QD-UBND.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 3000)
    doc = thuan_nam_decision().replace(attachments=(Attachment(name=pdf.name, path=pdf,
                                                               content_type="application/pdf"),))
    return edxml_bytes(doc)


def _variants(message: bytes) -> dict[str, bytes]:
    text = message.decode("utf-8")
    start = text.index("<ContentTransferEncoded>") + len("<ContentTransferEncoded>")
    end = text.index("</ContentTransferEncoded>")
    payload = text[start:end]
    wrapped = "\r\n".join(payload[i:i + 76] for i in range(0, len(payload), 76))  # MIME-style base64
    return {
        "as-written": message,
        "crlf-base64": (text[:start] + wrapped + text[end:]).encode(),
        "placeholders": text.replace(
            "</edXML:edXMLHeader>",
            "\n<Signature><SignedInfo>sha1</SignedInfo></Signature>\n<edXML:DigitalSignature/>\n"
            "</edXML:edXMLHeader>").encode(),
        "comments-and-pi": text.replace("<edXML:edXMLBody>", "<!-- ghi chú --><?edoc x?><edXML:edXMLBody>").encode(),
        "crlf-everywhere": text.replace("\n", "\r\n").encode(),
    }


@pytest.mark.parametrize("variant", ["as-written", "crlf-base64", "placeholders", "comments-and-pi",
                                     "crlf-everywhere"])
def test_streamed_signature_equals_tree_signature(pki: Any, pki_files: Path, message: bytes, tmp_path: Path,
                                                  variant: str) -> None:
    from edoc.util.xml import parse_xml
    from pki import pem_uri

    data = _variants(message)[variant]
    src = tmp_path / "in.edxml"
    src.write_bytes(data)
    out = tmp_path / "streamed.edxml"
    with open_key(pem_uri(pki_files, "agency-rsa")) as key:
        sign_edxml(src, out, key=key, signing_time=_WHEN)
        tree = parse_xml(data, huge_tree=True)
        by_tree = sign_edxml_tree(tree, key=key, signing_time=_WHEN)
    streamed = parse_xml(out, huge_tree=True).getroot()
    sig = streamed.find(f"{{{_NS}}}edXMLEnvelope/{{{_NS}}}edXMLHeader")[-1]
    assert sig.tag == f"{{{DS}}}Signature"
    # PKCS#1 v1.5 is deterministic: same digests, same signed properties, same signature value
    assert etree.tostring(sig, method="c14n", exclusive=True) == etree.tostring(by_tree, method="c14n",
                                                                                exclusive=True)
    # the output is the input with the signature inserted (and the placeholders left out)
    signed = out.read_bytes()
    raw_sig = signed[signed.index(b"<ds:Signature"):signed.index(b"</ds:Signature>") + len(b"</ds:Signature>")]
    rest = signed.replace(raw_sig, b"")
    if variant == "placeholders":
        assert b"DigitalSignature" not in signed and b"<Signature>" not in signed
    else:
        assert rest == data
    needs.require_tools("xmlsec1")  # what edoc checked above ran; the independent check needs the tool
    proc = subprocess.run(
        ["xmlsec1", "--verify", "--trusted-pem", str(pki_files / "gov-root.cert.pem"), "--untrusted-pem",
         str(pki_files / "state-bodies.cert.pem"), "--id-attr:Id", "SignedProperties", str(out)],
        capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("encoding", ["utf-16", "iso-8859-1"])
def test_other_encodings_fall_back_to_the_tree(pki: Any, pki_files: Path, message: bytes, tmp_path: Path,
                                               encoding: str) -> None:
    from edoc.util.xml import parse_xml
    from pki import pem_uri

    root = parse_xml(message, huge_tree=True).getroot()
    src = tmp_path / "in.edxml"
    src.write_bytes(etree.tostring(root, xml_declaration=True, encoding=encoding))
    out = tmp_path / "signed.edxml"
    with open_key(pem_uri(pki_files, "agency-rsa")) as key:
        sign_edxml(src, out, key=key, signing_time=_WHEN)
    from pyhanko_certvalidator import ValidationContext

    from edoc.verify.xmldsig import verify_xml

    ctx = ValidationContext(trust_roots=[pki.cert("gov-root")], allow_fetching=False, revocation_mode="soft-fail")
    report = verify_xml(out, context=ctx)
    assert [s.integrity.value for s in report.signatures] == ["passed"], report.problems()


def test_bytes_source_and_insertion_point(pki_files: Path, message: bytes, tmp_path: Path) -> None:
    from pki import pem_uri

    out = tmp_path / "signed.edxml"
    with open_key(pem_uri(pki_files, "person-ec")) as key:
        sign_edxml(message, out, key=key)
    signed = out.read_bytes()
    assert signed.index(b"</ds:Signature></edXML:edXMLHeader>") > 0
    value = signed[signed.index(b"<ds:SignatureValue"):]
    value = value[value.index(b">") + 1:value.index(b"</ds:SignatureValue>")]
    assert len(base64.b64decode(value)) == 64  # ECDSA P-256 as r||s
