"""XAdES enveloped signatures for edXML messages (XAdES-B-B and B-T, ETSI EN 319 132-1).

The common case::

    from edoc.keys import open_key
    from edoc.sign.xades import sign_edxml

    with open_key("pkcs12:agency.p12?pin-source=env:EDOC_PIN") as key:
        sign_edxml("message.edxml", "signed.edxml", key=key, level="B-T", tsa_url="http://tsa.example/")

The signature is an XML-DSig ``ds:Signature`` appended as the last child of ``edXMLHeader``. Its first
reference is ``URI=""`` with the enveloped-signature transform and exclusive C14N, so it covers the whole
message including every ``AttachmentEncoded``; the second reference covers the XAdES ``SignedProperties``
(``SigningTime`` in +07:00, ``SigningCertificateV2`` with the certificate digest and ``IssuerSerialV2``).
``KeyInfo`` carries the signer's certificate chain. B-T adds a ``SignatureTimeStamp`` (RFC 3161) over the
exclusive canonical form of ``ds:SignatureValue``.

An SDK placeholder (a ``Signature`` outside the XML-DSig namespace) or an empty ``DigitalSignature`` in the
header is removed before signing; a message that already has an XML-DSig signature is refused.

Why an own implementation rather than signxml: signxml's ``XMLSigner``/``XAdESSigner`` sign with a
``cryptography`` private key object, which a PKCS#11 token cannot give (no external signing callable), it
has no public ``huge_tree`` switch, and it serialises, re-parses and canonicalises the whole document twice
(measured: 20 MiB attachment, ~375 ms and ~150 MB peak growth). Here the message is not parsed into a tree
at all: the digest of the whole document through the enveloped transform equals the exclusive C14N of the
document *before* the signature is inserted, which :func:`edoc.edxml.c14n.canonicalize` streams from the file
into the hash (well-formedness checked by the hardened parser on the same bytes); the output is the input's
bytes with the signature inserted before the end tag of ``edXMLHeader``. The signature element itself is
built as a small standalone tree (exclusive C14N of its parts does not depend on where it is placed). Inputs
the streaming canonicaliser does not handle fall back to :func:`sign_edxml_tree`. The signing itself goes
through :meth:`edoc.keys.KeyBackend.sign`, so files and tokens work alike. Numbers: ``benchmarks/
xades_bench.py``.

RSA keys sign with PKCS#1 v1.5 by default here (not the backends' PSS default): the RSA-PSS ``SignatureMethod``
URIs (RFC 6931 ``sha256-rsa-MGF1``) are not understood by xmlsec1 1.2 or by many national verifiers; pass
``algorithm=RSA_PSS_SHA256`` to choose PSS.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from lxml import etree

from edoc.edxml.c14n import CHUNK, Element, NotStreamable, canonicalize
from edoc.errors import EdocError, InvalidInput, MalformedFile
from edoc.keys import KeyBackend
from edoc.keys.algorithms import HashAlgorithm, SignatureAlgorithm, SignatureScheme
from edoc.keys.errors import AlgorithmRefused
from edoc.util.aio import run_coroutine
from edoc.util.fs import atomic_writer
from edoc.util.xml import parse_xml

__all__ = ["XADES_LEVELS", "XadesLevel", "sign_edxml", "sign_edxml_tree"]

XadesLevel = Literal["B-B", "B-T"]
XADES_LEVELS: tuple[str, ...] = ("B-B", "B-T")

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SIGNED_PROPS_TYPE = "http://uri.etsi.org/01903#SignedProperties"
_VN = dt.timezone(dt.timedelta(hours=7))

_DIGEST_URI = {
    HashAlgorithm.SHA256: "http://www.w3.org/2001/04/xmlenc#sha256",
    HashAlgorithm.SHA384: "http://www.w3.org/2001/04/xmldsig-more#sha384",
    HashAlgorithm.SHA512: "http://www.w3.org/2001/04/xmlenc#sha512",
}
_SIG_URI = {
    (SignatureScheme.RSA_PKCS1V15, HashAlgorithm.SHA256): "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    (SignatureScheme.RSA_PKCS1V15, HashAlgorithm.SHA384): "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    (SignatureScheme.RSA_PKCS1V15, HashAlgorithm.SHA512): "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    (SignatureScheme.RSA_PSS, HashAlgorithm.SHA256): "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
    (SignatureScheme.RSA_PSS, HashAlgorithm.SHA384): "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1",
    (SignatureScheme.RSA_PSS, HashAlgorithm.SHA512): "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1",
    (SignatureScheme.ECDSA, HashAlgorithm.SHA256): "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    (SignatureScheme.ECDSA, HashAlgorithm.SHA384): "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    (SignatureScheme.ECDSA, HashAlgorithm.SHA512): "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
}


class _HashSink:
    """A file-like object that hashes what lxml writes into it (no copy of the canonical form is kept)."""

    def __init__(self, name: str) -> None:
        self.hash = hashlib.new(name)

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return len(data)


def _ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


def _xa(tag: str) -> str:
    return f"{{{XADES}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = etree.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def _c14n(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n", exclusive=True, with_comments=False)


def _choose_algorithm(key: KeyBackend, algorithm: SignatureAlgorithm | None) -> SignatureAlgorithm:
    if algorithm is None:
        default = key.default_algorithm
        if default.scheme is SignatureScheme.RSA_PSS:  # interoperability: see the module docstring
            default = SignatureAlgorithm(SignatureScheme.RSA_PKCS1V15, default.hash)
        algorithm = default
    if algorithm.hash is HashAlgorithm.SHA1 or (algorithm.scheme, algorithm.hash) not in _SIG_URI:
        raise AlgorithmRefused(f"{algorithm.name} is refused for XML signatures: use SHA-256 or stronger",
                               message_vi=f"Không chấp nhận {algorithm.name} cho chữ ký XML: "
                                          "hãy dùng SHA-256 trở lên", field="algorithm")
    return algorithm


def _header(root: etree._Element, where: str) -> etree._Element:
    if etree.QName(root).namespace != EDXML_NS:
        raise MalformedFile(f"not an edXML envelope (root element {root.tag})",
                            message_vi="Không phải thông điệp edXML", path=where, field="edXML")
    header = root.find(f"{{{EDXML_NS}}}edXMLEnvelope/{{{EDXML_NS}}}edXMLHeader")
    if header is None:
        header = root.find(f"{{{EDXML_NS}}}edXMLHeader")
    if header is None:
        raise MalformedFile("the edXML envelope has no edXMLHeader", message_vi="Thông điệp edXML thiếu edXMLHeader",
                            path=where, field="edXMLHeader")
    return header


def _clear_placeholders(header: etree._Element, where: str) -> list[str]:
    removed: list[str] = []
    for child in list(header):
        if not isinstance(child.tag, str):
            continue
        q = etree.QName(child)
        if q.localname == "Signature" and q.namespace == DS:
            raise InvalidInput("the message already carries an XML-DSig envelope signature",
                               message_vi="Thông điệp đã có chữ ký XML-DSig", path=where,
                               field="edXMLHeader/Signature")
        if q.localname in ("Signature", "DigitalSignature"):
            removed.append(q.localname)
            if child.tail:  # only the element goes (as in the streamed path): its tail text stays
                prev = child.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + child.tail
                else:
                    header.text = (header.text or "") + child.tail
            header.remove(child)
    return removed


def _timestamp(data: bytes, hash_alg: HashAlgorithm, tsa_url: str | None, timestamper: Any) -> bytes:
    if timestamper is None:
        if not tsa_url:
            raise InvalidInput("level B-T needs a time-stamp server (tsa_url) or a timestamper",
                               message_vi="Mức B-T cần máy chủ cấp dấu thời gian (tsa_url)", field="tsa_url")
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(tsa_url)
    digest = hashlib.new(hash_alg.value, data).digest()
    try:
        token = run_coroutine(timestamper.async_timestamp(digest, hash_alg.value))
    except EdocError:
        raise
    except Exception as exc:  # network, TSA refusal, malformed response
        server = tsa_url or type(timestamper).__name__
        raise EdocError(f"the time-stamp server {server} failed: {type(exc).__name__}: {exc}",
                        message_vi=f"Máy chủ cấp dấu thời gian {server} lỗi: {type(exc).__name__}: {exc}",
                        field="tsa_url") from exc
    return bytes(token.dump())


def _build_signature(
    doc_digest: bytes, *, key: KeyBackend, alg: SignatureAlgorithm, level: str, tsa_url: str | None,
    timestamper: Any, signing_time: dt.datetime | None,
) -> etree._Element:
    """The complete ``ds:Signature`` over a document whose enveloped digest is ``doc_digest``.

    Built as a standalone element: every canonical form computed here is exclusive C14N of a subtree that
    declares its own prefixes, so it is the same once the element is placed in the document.
    """
    hname = alg.hash.value
    digest_uri = _DIGEST_URI[alg.hash]
    when = (signing_time or dt.datetime.now(dt.timezone.utc))
    if when.tzinfo is None:
        raise InvalidInput("signing_time must be timezone-aware", message_vi="Thời điểm ký phải có múi giờ",
                           field="signing_time")

    sid = "edoc-sig-" + hashlib.sha256(doc_digest).hexdigest()[:16]
    sig = etree.Element(_ds("Signature"), {"Id": sid}, nsmap={"ds": DS})
    signed_info = _sub(sig, _ds("SignedInfo"))
    _sub(signed_info, _ds("CanonicalizationMethod"), Algorithm=EXC_C14N)
    _sub(signed_info, _ds("SignatureMethod"), Algorithm=_SIG_URI[(alg.scheme, alg.hash)])
    ref = _sub(signed_info, _ds("Reference"), Id=f"{sid}-ref0", URI="")
    transforms = _sub(ref, _ds("Transforms"))
    _sub(transforms, _ds("Transform"), Algorithm=ENVELOPED)
    _sub(transforms, _ds("Transform"), Algorithm=EXC_C14N)
    _sub(ref, _ds("DigestMethod"), Algorithm=digest_uri)
    _sub(ref, _ds("DigestValue"), base64.b64encode(doc_digest).decode("ascii"))
    sp_ref = _sub(signed_info, _ds("Reference"), Type=SIGNED_PROPS_TYPE, URI=f"#{sid}-signedprops")
    sp_transforms = _sub(sp_ref, _ds("Transforms"))
    _sub(sp_transforms, _ds("Transform"), Algorithm=EXC_C14N)
    _sub(sp_ref, _ds("DigestMethod"), Algorithm=digest_uri)
    sp_digest_el = _sub(sp_ref, _ds("DigestValue"))
    sig_value = _sub(sig, _ds("SignatureValue"), Id=f"{sid}-value")

    key_info = _sub(sig, _ds("KeyInfo"))
    x509_data = _sub(key_info, _ds("X509Data"))
    cert = key.certificate
    for c in (cert, *key.chain):
        _sub(x509_data, _ds("X509Certificate"), base64.b64encode(c.dump()).decode("ascii"))

    obj = _sub(sig, _ds("Object"))
    qp = etree.SubElement(obj, _xa("QualifyingProperties"), {"Target": f"#{sid}"}, nsmap={"xades": XADES})
    sp = _sub(qp, _xa("SignedProperties"), Id=f"{sid}-signedprops")
    ssp = _sub(sp, _xa("SignedSignatureProperties"))
    _sub(ssp, _xa("SigningTime"), when.astimezone(_VN).replace(microsecond=0).isoformat())
    scv2 = _sub(ssp, _xa("SigningCertificateV2"))
    cert_el = _sub(scv2, _xa("Cert"))
    cert_digest = _sub(cert_el, _xa("CertDigest"))
    _sub(cert_digest, _ds("DigestMethod"), Algorithm=digest_uri)
    _sub(cert_digest, _ds("DigestValue"), base64.b64encode(hashlib.new(hname, cert.dump()).digest()).decode())
    # IssuerSerialV2: base64 of the DER IssuerSerial of RFC 5035 (GeneralNames{directoryName}, serial)
    from asn1crypto import x509 as ax509
    from asn1crypto.cms import IssuerSerial

    issuer_serial = IssuerSerial({"issuer": [ax509.GeneralName(name="directory_name", value=cert.issuer)],
                                  "serial": cert.serial_number})
    _sub(cert_el, _xa("IssuerSerialV2"), base64.b64encode(issuer_serial.dump()).decode("ascii"))

    # the digest of SignedProperties, then the signature over SignedInfo
    sp_digest_el.text = base64.b64encode(hashlib.new(hname, _c14n(sp)).digest()).decode("ascii")
    raw = key.sign(_c14n(signed_info), algorithm=alg)
    if alg.scheme is SignatureScheme.ECDSA:  # XML-DSig wants r||s, each as long as the curve order
        r, s = decode_dss_signature(raw)
        size = (key.public_key.curve.key_size + 7) // 8  # type: ignore[union-attr]
        raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    sig_value.text = base64.b64encode(raw).decode("ascii")

    # B-T: the signature time-stamp over the canonical SignatureValue
    if level == "B-T":
        token = _timestamp(_c14n(sig_value), alg.hash, tsa_url, timestamper)
        usp = _sub(qp, _xa("UnsignedProperties"))
        usig = _sub(usp, _xa("UnsignedSignatureProperties"))
        sts = _sub(usig, _xa("SignatureTimeStamp"), Id=f"{sid}-ts")
        _sub(sts, _ds("CanonicalizationMethod"), Algorithm=EXC_C14N)
        _sub(sts, _xa("EncapsulatedTimeStamp"), base64.b64encode(token).decode("ascii"))
    return sig


def _check_options(key: KeyBackend, level: str, tsa_url: str | None, timestamper: Any,
                   algorithm: SignatureAlgorithm | None, signing_time: dt.datetime | None = None,
                   allow_outside_validity: bool = False) -> SignatureAlgorithm:
    if not allow_outside_validity:
        from edoc.keys.checks import check_validity_period

        when = signing_time or dt.datetime.now(dt.timezone.utc)
        if when.tzinfo is None:
            raise InvalidInput("signing_time must be timezone-aware", message_vi="Thời điểm ký phải có múi giờ",
                               field="signing_time")
        check_validity_period(key.certificate, when)
    if level not in XADES_LEVELS:
        raise InvalidInput(f"unknown XAdES level {level!r} (B-B or B-T)", message_vi=f"Mức XAdES không hợp lệ: {level}",
                           field="level")
    alg = _choose_algorithm(key, algorithm)
    if level == "B-T" and timestamper is None and not tsa_url:
        _timestamp(b"", alg.hash, None, None)  # raises the clear error before any work
    return alg


def sign_edxml_tree(
    tree: etree._ElementTree, *, key: KeyBackend, level: str = "B-B", tsa_url: str | None = None,
    timestamper: Any = None, algorithm: SignatureAlgorithm | None = None,
    signing_time: dt.datetime | None = None, where: str = "<edXML>", allow_outside_validity: bool = False,
) -> etree._Element:
    """Sign a parsed edXML tree in place and return the new ``ds:Signature`` element.

    :func:`sign_edxml` does the same on a file without building a tree; this form is for callers that hold
    one already (and is the fallback for inputs the streaming path does not handle).

    :param key: an open key backend (file or token); only :meth:`KeyBackend.sign` is used.
    :param level: ``"B-B"`` or ``"B-T"``.
    :param tsa_url: RFC 3161 server for B-T (or give ``timestamper``, a pyHanko ``TimeStamper``).
    :param algorithm: signature algorithm (default: the key's, PKCS#1 v1.5 for RSA); SHA-1 is refused.
    :param signing_time: the claimed signing time (default: now); written in +07:00.
    :param allow_outside_validity: sign even when the signing time is outside the certificate's validity
        period (expired or not yet valid); for tests only, such a signature never validates.
    :raises AlgorithmRefused: SHA-1 or an unsupported scheme.
    :raises CertificateNotUsable: the signing time is outside the certificate's validity period.
    :raises InvalidInput: an unknown level, an already signed message, B-T without a TSA.
    :raises MalformedFile: not an edXML envelope.
    :raises EdocError: the time-stamp server failed (B-T), naming it in ``field="tsa_url"``.
    """
    alg = _check_options(key, level, tsa_url, timestamper, algorithm, signing_time, allow_outside_validity)
    header = _header(tree.getroot(), where)
    _clear_placeholders(header, where)
    # the enveloped reference: exclusive C14N of the document without the signature, written into the hash
    sink = _HashSink(alg.hash.value)
    tree.write_c14n(sink, exclusive=True, with_comments=False)  # type: ignore[call-arg,arg-type]
    sig = _build_signature(sink.hash.digest(), key=key, alg=alg, level=level, tsa_url=tsa_url,
                           timestamper=timestamper, signing_time=signing_time)
    header.append(sig)
    return sig


class _HeaderScan:
    """Observer of the streaming canonicaliser: finds edXMLHeader and the SDK placeholders in it."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.headers: list[Element] = []
        self.placeholders: list[Element] = []

    def _is_header(self, el: Element) -> bool:
        parent = el.parent
        if el.uri != EDXML_NS or el.local != "edXMLHeader" or parent is None:
            return False
        return parent.depth == 0 or (parent.depth == 1 and parent.uri == EDXML_NS
                                     and parent.local == "edXMLEnvelope")

    def start(self, el: Element) -> bool:
        if el.depth == 0 and el.uri != EDXML_NS:
            raise MalformedFile(f"not an edXML envelope (root element {{{el.uri}}}{el.local})",
                                message_vi="Không phải thông điệp edXML", path=self.where, field="edXML")
        if self._is_header(el):
            self.headers.append(el)
            if len(self.headers) > 1:
                raise NotStreamable("more than one edXMLHeader")  # the tree path decides which one
            return False
        if el.parent is not None and el.parent in self.headers:
            if el.local == "Signature" and el.uri == DS:
                raise InvalidInput("the message already carries an XML-DSig envelope signature",
                                   message_vi="Thông điệp đã có chữ ký XML-DSig", path=self.where,
                                   field="edXMLHeader/Signature")
            if el.local in ("Signature", "DigitalSignature"):
                self.placeholders.append(el)
                return True
        return False

    def end(self, el: Element) -> None:
        if el in self.headers and el.close < 0:
            raise NotStreamable("self-closing edXMLHeader")


def _copy_pieces(source: str | Path | bytes, fh: Any, pieces: list[tuple[int, int | None] | bytes]) -> None:
    """Write into ``fh`` the byte ranges of ``source`` (end ``None``: to its end) and the ``bytes`` pieces."""
    src = None if isinstance(source, bytes) else open(source, "rb")
    try:
        for piece in pieces:
            if isinstance(piece, bytes):
                fh.write(piece)
                continue
            a, b = piece
            if src is None:
                fh.write(memoryview(source)[a:b])  # type: ignore[arg-type]
                continue
            src.seek(a)
            left = None if b is None else b - a
            while left is None or left > 0:
                data = src.read(CHUNK if left is None else min(CHUNK, left))
                if not data:
                    break
                fh.write(data)
                if left is not None:
                    left -= len(data)
    finally:
        if src is not None:
            src.close()


def sign_edxml(
    source: str | Path | bytes, target: str | Path, *, key: KeyBackend, level: str = "B-B",
    tsa_url: str | None = None, timestamper: Any = None, algorithm: SignatureAlgorithm | None = None,
    signing_time: dt.datetime | None = None, allow_outside_validity: bool = False,
) -> Path:
    """Sign an edXML file (or its bytes) and write the signed message to ``target`` atomically.

    The message is not parsed into a tree: its canonical form streams into the hash
    (:mod:`edoc.edxml.c14n`), and the output is the input's bytes with the signature inserted before the
    end tag of ``edXMLHeader`` (SDK placeholders left out), which is exactly the document the enveloped
    transform sees. Inputs the streaming path does not handle (not UTF-8, unusual markup) are signed through
    a parsed tree (:func:`sign_edxml_tree`) with the same result.

    Parameters as :func:`sign_edxml_tree`.

    :returns: the target path.
    :raises MalformedFile: unreadable XML or not an edXML envelope.
    """
    where = "<bytes>" if isinstance(source, bytes) else str(source)
    alg = _check_options(key, level, tsa_url, timestamper, algorithm, signing_time, allow_outside_validity)
    out = Path(target)
    scan = _HeaderScan(where)
    sink = _HashSink(alg.hash.value)
    try:
        canonicalize(source, sink.write, scan, path=None if isinstance(source, bytes) else source)
    except NotStreamable:
        tree = parse_xml(source, huge_tree=True, path=None if isinstance(source, bytes) else source)
        sign_edxml_tree(tree, key=key, level=level, tsa_url=tsa_url, timestamper=timestamper, algorithm=alg,
                        signing_time=signing_time, where=where, allow_outside_validity=True)  # checked above
        with atomic_writer(out) as fh:
            tree.write(fh, xml_declaration=True, encoding="UTF-8")
        return out
    if not scan.headers:
        raise MalformedFile("the edXML envelope has no edXMLHeader", message_vi="Thông điệp edXML thiếu edXMLHeader",
                            path=where, field="edXMLHeader")
    sig = _build_signature(sink.hash.digest(), key=key, alg=alg, level=level, tsa_url=tsa_url,
                           timestamper=timestamper, signing_time=signing_time)
    at = scan.headers[0].close
    pieces: list[tuple[int, int | None] | bytes] = []
    pos = 0
    for el in sorted(scan.placeholders, key=lambda e: e.offset):
        pieces.append((pos, el.offset))
        pos = el.end
    pieces += [(pos, at), etree.tostring(sig), (at, None)]
    with atomic_writer(out) as fh:
        _copy_pieces(source, fh, pieces)
    return out
