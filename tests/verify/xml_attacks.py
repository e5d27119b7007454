"""Builders of hostile XML signatures: an enveloped edXML signature written by hand, with any transform list
and any digest, signed for real with a test key (signxml cannot be asked for such references)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from lxml import etree

from .conftest import Identity

DS = "http://www.w3.org/2000/09/xmldsig#"
EDXML = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
BASE64 = "http://www.w3.org/2000/09/xmldsig#base64"
XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
FILTER2 = "http://www.w3.org/2002/06/xmldsig-filter2"
XSLT = "http://www.w3.org/TR/1999/REC-xslt-19991116"

#: a transform: an algorithm URI, or (URI, child elements as XML text)
Transform = str | tuple[str, str]


def _el(parent: etree._Element, local: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{DS}}}{local}", attrs)


def sign_with_transforms(data: bytes, who: Identity, transforms: Sequence[Transform], *,
                         digest: bytes | None = None, uri: str = "") -> bytes:
    """Sign edXML ``data`` with one reference ``uri`` and ``transforms``, the signature placed last in
    ``edXMLHeader`` (ECDSA P-256, SHA-256, exclusive C14N of SignedInfo).

    :param digest: the reference's DigestValue; default: the honest digest of the document less the
        signature under exclusive C14N (right for ``[enveloped, exc-c14n]``, and what an attacker writes when
        the verifier skips the other transforms).
    """
    assert isinstance(who.key, ec.EllipticCurvePrivateKey)
    root = etree.fromstring(data)
    if not (root.text or "").strip():
        root.text = "\n"  # the whitespace a pretty-printed message has before its first child
    header = root.find(f"{{{EDXML}}}edXMLEnvelope/{{{EDXML}}}edXMLHeader")
    assert header is not None
    if digest is None:
        digest = hashlib.sha256(etree.tostring(root, method="c14n", exclusive=True)).digest()
    sig = etree.SubElement(header, f"{{{DS}}}Signature", nsmap={"ds": DS})
    info = _el(sig, "SignedInfo")
    _el(info, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _el(info, "SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256")
    ref = _el(info, "Reference", URI=uri)
    if transforms:
        node = _el(ref, "Transforms")
        for tr in transforms:
            algo, inner = (tr, "") if isinstance(tr, str) else tr
            el = _el(node, "Transform", Algorithm=algo)
            if inner:
                for child in etree.fromstring(f'<w xmlns:ds="{DS}">{inner}</w>'):
                    el.append(child)
    _el(ref, "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    _el(ref, "DigestValue").text = base64.b64encode(digest).decode()
    signed_info = etree.tostring(info, method="c14n", exclusive=True)
    r, s = decode_dss_signature(who.key.sign(signed_info, ec.ECDSA(hashes.SHA256())))
    _el(sig, "SignatureValue").text = base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()
    x509_data = _el(_el(sig, "KeyInfo"), "X509Data")
    _el(x509_data, "X509Certificate").text = base64.b64encode(
        who.cert.public_bytes(serialization.Encoding.DER)).decode()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")  # type: ignore[no-any-return]


def change_subject(data: bytes) -> bytes:
    """The message's Subject and sender changed after signing (what the issue's attacker did)."""
    out = data.replace(b"Subject>V", "Subject>GIẢ MẠO: V".encode(), 1)
    out = out.replace("huyện Thuận Nam</".encode(), "huyện Kẻ Gian</".encode(), 1)
    assert out.count("GIẢ MẠO".encode()) == 1 and "Kẻ Gian".encode() in out
    return out
