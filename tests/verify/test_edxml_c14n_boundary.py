"""Issue 13 class 7, end to end: a padded character reference across the canonicaliser's 1 MiB read boundary.

A message signed elsewhere (signxml, canonical form from a parsed tree) whose text holds ``&#x000…51;`` cut by
the first 1 MiB read must verify on the streamed path; and edoc's streamed signature over such a message
must verify on the tree path (lxml's C14N, as xmlsec1 computes it). Before the fix the first was a
HASH_FAILURE and the second verified nowhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import edoc.verify.xmldsig as xmldsig
from edoc.edxml import c14n
from edoc.keys import open_key
from edoc.sign.xades import sign_edxml
from edoc.verify import Check

_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
_MARK = "QQQQ-marker-QQQQ"


@pytest.fixture(scope="module")
def message(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A message whose second attachment's Description (after the first payload) sits just below 1 MiB."""
    from edoc import Attachment
    from edoc.edxml import edxml_bytes
    from edoc.samples import thuan_nam_decision

    folder = tmp_path_factory.mktemp("c14n-boundary")
    big, small = folder / "a.pdf", folder / "b.pdf"
    big.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 3000)  # ~1 MiB of base64 once encoded
    small.write_bytes(b"%PDF-1.7\n%%EOF\n")
    doc = thuan_nam_decision().replace(attachments=(
        Attachment(name=big.name, path=big, content_type="application/pdf"),
        Attachment(name=small.name, path=small, content_type="application/pdf", description=_MARK)))
    data = edxml_bytes(doc)
    assert data.index(_MARK.encode()) < c14n.CHUNK - 2000
    return data


def _cross_boundary(data: bytes) -> bytes:
    """Write the marker's first ``Q`` as ``&#x000…51;``, long enough to run from its place over 1 MiB."""
    at = data.index(_MARK.encode())
    zeros = c14n.CHUNK - at + 40
    ref = b"&#x" + b"0" * zeros + b"51;"
    out = data[:at] + ref + data[at + 1:]
    assert at < c14n.CHUNK - 16 and at + len(ref) > c14n.CHUNK
    return out


@pytest.fixture(scope="module")
def context(pki: Any) -> Any:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=[pki.cert("gov-root"), pki.cert("national-root")],
                             other_certs=[pki.cert("public-ca")], allow_fetching=False, revocation_mode="soft-fail")


def test_other_signer_verifies_on_the_streamed_path(context: Any, message: bytes, pki_files: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
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
    signed = etree.tostring(signer.sign(root, key=key, cert=[(pki_files / "agency-rsa.cert.pem").read_text()]))
    data = _cross_boundary(signed)  # the same canonical form, written as another signer might

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the tree path was used")

    monkeypatch.setattr(xmldsig, "_verify_signature", refuse)
    report = xmldsig.verify_xml(data, context=context)
    assert report.signatures[0].integrity is Check.PASSED, report.problems()


def test_edoc_signature_over_it_verifies_on_the_tree_path(pki: Any, context: Any, message: bytes,
                                                          pki_files: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from pki import pem_uri

    out = tmp_path / "signed.edxml"
    with open_key(pem_uri(pki_files, "agency-rsa")) as key:
        sign_edxml(_cross_boundary(message), out, key=key)
    monkeypatch.setattr(xmldsig, "_looks_edxml", lambda source: False)  # lxml's C14N of a parsed tree
    report = xmldsig.verify_xml(out.read_bytes(), context=context)
    assert report.signatures[0].integrity is Check.PASSED, report.problems()
