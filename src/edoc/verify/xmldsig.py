"""XML signatures (XML-DSig/XAdES) and the edXML envelope, with the signature-wrapping defences.

The rules, in the order they are applied:

1. the file is parsed once with the hardened parser (:mod:`edoc.util.xml`): no DTD, no entities;
2. ``Id`` attributes must be unique in the whole file (duplicates are how wrapping attacks hide the node
   that was really signed);
3. there is exactly one ``ds:Signature`` (for edXML: the last child of ``edXMLHeader``; a non-XML-DSig
   ``Signature`` placeholder or an empty ``DigitalSignature`` means "no envelope signature");
4. every ``ds:Reference`` points inside the document (``""`` or ``#id``) at exactly one element; an
   enveloping target must be a direct ``ds:Object`` child of the signature (or its content), and the
   XAdES ``SignedProperties`` must sit at ``ds:Object/QualifyingProperties/SignedProperties``; its
   transforms must be one of the lists allowed for its place (:func:`_check_transforms`): the reference to
   the whole document is ``enveloped-signature`` then at most one canonicalisation, so that it covers the
   whole document less the signature; any other transform (base64, XPath, XPath Filter 2.0, XSLT, an
   unknown URI) fails the signature instead of being skipped or misapplied;
5. signxml checks digests and the signature value with the key of the certificate in ``KeyInfo``; the
   certificate's path to a trust anchor is then validated by pyhanko-certvalidator (the same
   ``ValidationContext`` as for PDF);
6. what was signed is returned (:attr:`DocumentReport.signed_content`), never the surrounding document;
7. XAdES: the claimed ``SigningTime`` (only when ``SignedProperties`` is signed) is reported, and every
   ``SignatureTimeStamp`` is validated: its imprint must be the digest of ``ds:SignatureValue`` canonicalised
   as the time-stamp says, its signature must verify and the TSA's certificate must chain to a trust anchor
   (pyHanko's RFC 3161 validation, the same ``ValidationContext``); the time it proves is reported.

An edXML message is verified without a tree when it can be (:func:`_verify_streamed`): its canonical form
streams into the hash (:mod:`edoc.edxml.c14n`, well-formedness checked by the hardened lxml parser on the same
bytes) while the rules 2-3 are checked on the elements going by; the signature element alone is parsed,
inside a wrapper carrying the namespaces in scope, and rules 4-7 apply to it as to a tree. The digests and the
signature value are then checked here (RSA PKCS#1 v1.5, RSA-PSS, ECDSA; SHA-256/384/512, exclusive C14N).
Anything else (another canonicalisation, a reference to an element outside the signature, SHA-1, a file that
is not UTF-8) takes the tree path with signxml, with the same rules.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from asn1crypto import x509 as asn1_x509
from lxml import etree

from edoc.edxml.c14n import Element, NotStreamable, canonicalize
from edoc.errors import EdocError
from edoc.util.namespaces import DS, EDXML, EXC_C14N, WSU, XADES, XML
from edoc.util.xml import parse_xml, xml_parser
from edoc.verify.profile import signer_facts
from edoc.verify.report import (
    Check,
    DocumentReport,
    Indication,
    Message,
    MessageLevel,
    SignatureReport,
    SignatureRole,
    SubIndication,
    iso_vn,
)

__all__ = ["verify_xml", "EDXML_NS"]

#: the edXML namespace (:data:`edoc.util.namespaces.EDXML`)
EDXML_NS = EDXML
_SIGNED_PROPS_TYPE = "http://uri.etsi.org/01903#SignedProperties"
_ENVELOPED = f"{DS}enveloped-signature"
_EXC_C14N = EXC_C14N  # the algorithm's identifier is its namespace
_INCLUSIVE_NS = f"{{{EXC_C14N}}}InclusiveNamespaces"
_ID_KEYS = frozenset({("", "Id"), ("", "ID"), ("", "id"), (XML, "id"), (WSU, "Id")})
#: canonicalisation URI -> (exclusive, with comments), for the time-stamp's ds:CanonicalizationMethod
_C14N_METHODS = {
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": (False, False),
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments": (False, True),
    _EXC_C14N: (True, False),
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments": (True, True),
}
#: canonicalisations accepted as a reference transform (C14N 1.0, 1.1 and exclusive, with or without comments)
_C14N_TRANSFORMS = frozenset(_C14N_METHODS) | {"http://www.w3.org/2006/12/xml-c14n11",
                                               "http://www.w3.org/2006/12/xml-c14n11#WithComments"}
#: what the streamed path checks itself: digest URIs and signature method URIs
_FAST_DIGESTS = {
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
_FAST_METHODS = {
    f"http://www.w3.org/2001/04/xmldsig-more#{scheme}-{h}": (scheme, h)
    for scheme in ("rsa", "ecdsa") for h in ("sha256", "sha384", "sha512")
} | {f"http://www.w3.org/2007/05/xmldsig-more#{h}-rsa-MGF1": ("rsa-pss", h) for h in ("sha256", "sha384", "sha512")}
#: canonical bytes kept while the signature (which names the digest) has not been read yet
_MAX_PENDING = 8 << 20
_WEAK = ("sha1", "md5")
_ID_ATTRS = ("Id", "ID", "id", f"{{{XML}}}id", f"{{{WSU}}}Id")
_FAIL, _INDET = Indication.TOTAL_FAILED, Indication.INDETERMINATE


class _Refused(Exception):
    def __init__(self, indication: Indication, sub: SubIndication, message: Message) -> None:
        super().__init__(message.key)
        self.indication, self.sub, self.message = indication, sub, message


def verify_xml(
    source: bytes | str | Path, *, context: Any, label: str | None = None, fmt: str | None = None,
    attachments: tuple[DocumentReport, ...] = (),
) -> DocumentReport:
    """Verify the one XML signature of an XML file (an edXML envelope or any enveloped/enveloping
    XML-DSig). Never raises for the file's content.

    :param context: the pyhanko-certvalidator ``ValidationContext`` of the calling verifier.
    :param attachments: nested reports (the edXML's PDF attachments) to include in the document verdict.
    """
    name = label or (str(source) if not isinstance(source, bytes) else "<bytes>")
    if _looks_edxml(source):
        try:
            return _verify_streamed(source, context, name, fmt or "edxml", attachments)
        except NotStreamable:
            pass  # the tree path below decides
        except EdocError as exc:
            return DocumentReport.combine(name, fmt or "edxml", (), attachments=attachments,
                                          failure=(_FAIL, SubIndication.FORMAT_FAILURE),
                                          messages=(Message.of("document.unreadable", MessageLevel.ERROR,
                                                               reason=exc.message),))
    try:
        tree = parse_xml(source, huge_tree=True, path=None if isinstance(source, bytes) else source)
    except EdocError as exc:
        return DocumentReport.combine(name, fmt or "edxml", (), attachments=attachments,
                                      failure=(_FAIL, SubIndication.FORMAT_FAILURE),
                                      messages=(Message.of("document.unreadable", MessageLevel.ERROR,
                                                           reason=exc.message),))
    root = tree.getroot()
    is_edxml = etree.QName(root).namespace == EDXML_NS
    fmt = fmt or "edxml"
    try:
        sig = _find_signature(root, is_edxml)
    except _Refused as ref:
        return _refused(name, fmt, ref, attachments)
    if sig is None:
        return _no_signature(name, fmt, attachments)
    report, content = _verify_signature(root, sig, context, is_edxml)
    return DocumentReport.combine(name, fmt, (report,), attachments=attachments, signed_content=content)


def _no_signature(name: str, fmt: str, attachments: tuple[DocumentReport, ...]) -> DocumentReport:
    msg = Message.of("envelope.no_signature", MessageLevel.WARNING if attachments else MessageLevel.ERROR)
    if any(a.signatures for a in attachments):  # the legal signature travels in the PDF attachments
        return DocumentReport.combine(name, fmt, (), attachments=attachments, messages=(msg,),
                                      failure=(Indication.TOTAL_PASSED, None))
    return DocumentReport.combine(name, fmt, (), attachments=attachments, messages=(msg,))


def _refused(name: str, fmt: str, ref: _Refused, attachments: tuple[DocumentReport, ...]) -> DocumentReport:
    report = SignatureReport(role=SignatureRole.ENVELOPE, indication=ref.indication, subindication=ref.sub,
                             integrity=Check.UNKNOWN, messages=(ref.message,))
    return DocumentReport.combine(name, fmt, (report,), attachments=attachments)


# -- the streamed path (edXML) -----------------------------------------------------------------------
def _looks_edxml(source: bytes | str | Path) -> bool:
    if isinstance(source, bytes):
        head = source[:4096]
    else:
        try:
            with open(source, "rb") as fh:
                head = fh.read(4096)
        except OSError:
            return False  # the tree path reports it
    return EDXML_NS.encode() in head


class _EnvelopeScan:
    """Observer of the canonicaliser: Ids, signatures and their place, and the hash once the signature
    (which names the digest algorithm) has been read."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.ids: set[str] = set()
        self.outside_ids: set[str] = set()
        self.duplicate: str | None = None
        self.signatures = 0
        self.sig: Element | None = None
        self.header: Element | None = None
        self.after_signature = False
        self.hash: Any = None
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.overflow = False
        self.wrapper: etree._Element | None = None
        self.stray: str | None = None  # a signature's part outside the signature (see _stray_part)

    def write(self, data: Any) -> None:
        if self.hash is not None:
            self.hash.update(data)
        elif not self.overflow:
            self.pending.append(bytes(data))
            self.pending_size += len(data)
            if self.pending_size > _MAX_PENDING:  # no signature early in the file: digest not needed
                self.overflow, self.pending = True, []

    def start(self, el: Element) -> bool | str:
        if el.depth == 0 and el.uri != EDXML_NS:
            raise NotStreamable("not an edXML root")
        for uri, local, value in el.attrs:
            if (uri, local) in _ID_KEYS:
                if value in self.ids and self.duplicate is None:
                    self.duplicate = value
                self.ids.add(value)
                if not el.skipped:
                    self.outside_ids.add(value)
        parent = el.parent
        if (el.uri == EDXML_NS and el.local == "edXMLHeader" and parent is not None and parent.depth == 1
                and parent.uri == EDXML_NS and parent.local == "edXMLEnvelope"):
            if self.header is not None:
                raise NotStreamable("more than one edXMLHeader")
            self.header = el
        if parent is not None and parent is self.header and self.sig is not None and self.sig.end >= 0:
            self.after_signature = True
        if el.uri == DS and el.local == "Signature":
            self.signatures += 1
            if self.sig is None:
                self.sig = el
                return "capture"
        elif self.stray is None and _signature_part(el.uri, el.local) and not _inside(el, self.sig):
            self.stray = el.qname
        return False

    def end(self, el: Element) -> None:
        if el is self.sig and self.sig.raw is not None:
            self._signature_read(el)

    def _signature_read(self, el: Element) -> None:
        """Parse the signature alone (its namespace context restored), choose the digest, flush what waited."""
        scope = el.parent.ns if el.parent is not None else {}
        decls = "".join(f" xmlns{':' + p if p else ''}={quoteattr(u)}" for p, u in scope.items()
                        if p != "xml" and (p or u))
        assert el.raw is not None
        data = f"<edoc-wrapper{decls}>".encode() + el.raw + b"</edoc-wrapper>"
        try:
            self.wrapper = parse_xml(data, huge_tree=True).getroot()
        except EdocError as exc:
            raise NotStreamable("the signature element alone does not parse") from exc
        sig = self.wrapper[0]
        doc_refs = [r for r in sig.iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference") if r.get("URI") == ""]
        if len(doc_refs) != 1:
            raise NotStreamable("not one reference to the whole document")
        method = doc_refs[0].find(f"{{{DS}}}DigestMethod")
        name = _FAST_DIGESTS.get(method.get("Algorithm", "") if method is not None else "")
        if name is None:
            raise NotStreamable("digest algorithm")
        self.hash = hashlib.new(name)
        if self.overflow:
            raise NotStreamable("signature after the first megabytes")
        for part in self.pending:
            self.hash.update(part)
        self.pending = []


def _verify_streamed(source: bytes | str | Path, context: Any, name: str, fmt: str,
                     attachments: tuple[DocumentReport, ...]) -> DocumentReport:
    """Verify an edXML envelope signature without a tree of the document (see the module docstring)."""
    if not isinstance(source, bytes):  # read once: the bytes checked are the bytes handed back as signed
        from edoc.errors import HostileInput, ResourceError
        from edoc.util.xml import MAX_XML_BYTES

        where = Path(source)
        try:
            if where.stat().st_size > MAX_XML_BYTES:
                raise HostileInput(f"XML file larger than {MAX_XML_BYTES} bytes", path=where)
            source = where.read_bytes()
        except OSError as exc:
            raise ResourceError(f"cannot read the XML file: {exc.strerror}", path=where) from exc
    scan = _EnvelopeScan(name)
    canonicalize(source, scan.write, scan)
    try:
        if scan.duplicate is not None:
            raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                           Message.of("envelope.duplicate_id", MessageLevel.ERROR, id=scan.duplicate))
        if scan.signatures > 1:
            raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                           Message.of("envelope.multiple_signatures", MessageLevel.ERROR))
        if scan.stray is not None:
            raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                           Message.of("envelope.stray_signature", MessageLevel.ERROR, element=scan.stray))
        if scan.sig is None:
            return _no_signature(name, fmt, attachments)
        if scan.header is None or scan.sig.parent is not scan.header or scan.after_signature:
            raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                           Message.of("envelope.misplaced_signature", MessageLevel.ERROR))
    except _Refused as ref:
        return _refused(name, fmt, ref, attachments)
    if scan.wrapper is None or scan.hash is None:
        raise NotStreamable("signature not read")
    sig = scan.wrapper[0]
    try:
        scope_notes = _check_references(scan.wrapper, sig, True, outside=scan.outside_ids)
        _check_fast_shape(sig)
    except _Refused as ref:
        report = SignatureReport(role=SignatureRole.ENVELOPE, indication=ref.indication, subindication=ref.sub,
                                 integrity=Check.UNKNOWN, messages=(ref.message,))
        return DocumentReport.combine(name, fmt, (report,), attachments=attachments)
    certs = _keyinfo_certs(sig)
    if not certs:
        report = SignatureReport(role=SignatureRole.ENVELOPE, indication=_INDET,
                                 subindication=SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
                                 messages=(Message.of("signature.no_certificate", MessageLevel.ERROR),))
        return DocumentReport.combine(name, fmt, (report,), attachments=attachments)
    signer, failure = _check_crypto(sig, certs, scan.hash.digest())
    if signer is None:
        assert failure is not None
        return DocumentReport.combine(name, fmt, (failure,), attachments=attachments)
    report = _finish(sig, signer, certs, scope_notes, context, weak=[])
    content = _without(source, scan.sig.offset, scan.sig.end)
    return DocumentReport.combine(name, fmt, (report,), attachments=attachments, signed_content=content)


def _without(source: bytes, start: int, end: int) -> bytes:
    """The document's bytes without ``[start, end)`` (the signature): what the enveloped digest covers."""
    view = memoryview(source)
    return b"".join((view[:start], view[end:]))  # one copy


def _check_fast_shape(sig: etree._Element) -> None:
    """What the streamed path checks itself; anything else goes to the tree path (NotStreamable)."""
    c14n = sig.find(f"{{{DS}}}SignedInfo/{{{DS}}}CanonicalizationMethod")
    if c14n is None or c14n.get("Algorithm") != _EXC_C14N or len(c14n):
        raise NotStreamable("SignedInfo canonicalisation")
    method = sig.find(f"{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod")
    if method is None or method.get("Algorithm") not in _FAST_METHODS:
        raise NotStreamable("signature method")
    for ref in sig.iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference"):
        algos = [t.get("Algorithm") for t in ref.iterfind(f"{{{DS}}}Transforms/{{{DS}}}Transform")]
        if any(len(t) for t in ref.iterfind(f"{{{DS}}}Transforms/{{{DS}}}Transform")):
            raise NotStreamable("transform parameters")  # e.g. an InclusiveNamespaces prefix list
        expected = [_ENVELOPED, _EXC_C14N] if ref.get("URI") == "" else [_EXC_C14N]
        if algos != expected:
            raise NotStreamable("transforms")
        dm = ref.find(f"{{{DS}}}DigestMethod")
        if dm is None or dm.get("Algorithm") not in _FAST_DIGESTS:
            raise NotStreamable("digest algorithm")


def _b64(text: str | None) -> bytes:
    return base64.b64decode("".join((text or "").split()), validate=True)


def _check_crypto(sig: etree._Element, certs: list[asn1_x509.Certificate], doc_digest: bytes
                  ) -> tuple[asn1_x509.Certificate | None, SignatureReport | None]:
    """The signature value (with the first KeyInfo certificate whose key verifies it), then every digest."""
    from cryptography import x509 as cg_x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    role = SignatureRole.ENVELOPE
    signed_info = sig.find(f"{{{DS}}}SignedInfo")
    method = sig.find(f"{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod")
    assert signed_info is not None and method is not None
    scheme, hname = _FAST_METHODS[method.get("Algorithm", "")]
    algo: Any = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[hname]
    data = etree.tostring(signed_info, method="c14n", exclusive=True, with_comments=False)
    try:
        value = _b64(sig.findtext(f"{{{DS}}}SignatureValue"))
    except (binascii.Error, ValueError):
        value = b""
    signer = None
    for cert in certs:
        try:
            key = cg_x509.load_der_x509_certificate(cert.dump()).public_key()
            if scheme == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey) and value and len(value) % 2 == 0:
                half = len(value) // 2
                der = encode_dss_signature(int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big"))
                key.verify(der, data, ec.ECDSA(algo))
            elif scheme == "rsa" and isinstance(key, rsa.RSAPublicKey):
                key.verify(value, data, padding.PKCS1v15(), algo)
            elif scheme == "rsa-pss" and isinstance(key, rsa.RSAPublicKey):
                key.verify(value, data, padding.PSS(mgf=padding.MGF1(algo), salt_length=algo.digest_size), algo)
            else:
                continue
            signer = cert
            break
        except (InvalidSignature, ValueError):
            continue
    facts = None
    try:
        facts = signer_facts(signer or certs[0])
    except Exception:
        facts = None
    if signer is None:
        return None, SignatureReport(role=role, indication=_FAIL, subindication=SubIndication.SIG_CRYPTO_FAILURE,
                                     signer=facts, integrity=Check.UNKNOWN, crypto=Check.FAILED,
                                     messages=(Message.of("signature.crypto_invalid", MessageLevel.ERROR,
                                                          reason="InvalidSignature: signature mismatch"),))
    for ref in sig.iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference"):
        uri = ref.get("URI", "")
        dm = ref.find(f"{{{DS}}}DigestMethod")
        hname = _FAST_DIGESTS[dm.get("Algorithm", "") if dm is not None else ""]
        if uri == "":
            got = doc_digest
        else:
            target = next(el for el in sig.iter() if isinstance(el.tag, str)
                          and any(el.get(a) == uri[1:] for a in _ID_ATTRS))
            got = hashlib.new(hname, etree.tostring(target, method="c14n", exclusive=True,
                                                    with_comments=False)).digest()
        try:
            expected = _b64(ref.findtext(f"{{{DS}}}DigestValue"))
        except (binascii.Error, ValueError):
            expected = b""
        if got != expected:
            return None, SignatureReport(
                role=role, indication=_FAIL, subindication=SubIndication.HASH_FAILURE, signer=facts,
                integrity=Check.FAILED, crypto=Check.UNKNOWN,
                messages=(Message.of("signature.hash_mismatch", MessageLevel.ERROR,
                                     reason=f"InvalidDigest: digest mismatch for reference URI={uri!r}"),))
    return signer, None


# -- structure ---------------------------------------------------------------------------------------
def _find_signature(root: etree._Element, is_edxml: bool) -> etree._Element | None:
    sigs = list(root.iter(f"{{{DS}}}Signature"))
    if len(sigs) > 1:
        raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                       Message.of("envelope.multiple_signatures", MessageLevel.ERROR))
    inside = set(sigs[0].iter()) if sigs else set()
    seen: dict[str, int] = {}
    stray: str | None = None
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in _ID_ATTRS:
            value = el.get(attr)
            if value is not None:
                seen[value] = seen.get(value, 0) + 1
                if seen[value] > 1:
                    raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                                   Message.of("envelope.duplicate_id", MessageLevel.ERROR, id=value))
        if stray is None and el.tag.endswith(("SignatureValue", "SignedInfo")) and el not in inside:
            qname = etree.QName(el)
            if _signature_part(qname.namespace or "", qname.localname):
                stray = el.prefix + ":" + qname.localname if el.prefix else qname.localname
    if stray is not None:
        raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                       Message.of("envelope.stray_signature", MessageLevel.ERROR, element=stray))
    if not is_edxml:
        return sigs[0] if sigs else None
    header = root.find(f"{{{EDXML_NS}}}edXMLEnvelope/{{{EDXML_NS}}}edXMLHeader")
    if not sigs:
        return None  # placeholders (no XML-DSig namespace, empty DigitalSignature): no envelope signature
    sig = sigs[0]
    children = [c for c in header if isinstance(c.tag, str)] if header is not None else []
    if not children or children[-1] is not sig:
        raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                       Message.of("envelope.misplaced_signature", MessageLevel.ERROR))
    return sig


def _signature_part(uri: str, local: str) -> bool:
    """Whether an element is a part only a signature has: ``SignedInfo`` or ``SignatureValue`` of XML-DSig,
    or a ``SignatureValue`` in any namespace. Outside the one signature verified, such a part is a signature
    present and not verified (one changed byte in the namespace of ``<ds:Signature>`` made the envelope's
    signature read as an SDK placeholder, and the message passed on its PDF with the header unchecked);
    the SDKs' placeholders (``<Signature><SignedInfo>sha1</SignedInfo></Signature>`` in the edXML
    namespace, an empty ``DigitalSignature``) carry no signature value and no XML-DSig element."""
    return (uri == DS and local in ("SignedInfo", "SignatureValue")) or local == "SignatureValue"


def _inside(el: Element, ancestor: Element | None) -> bool:
    node: Element | None = el.parent
    while ancestor is not None and node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


def _check_references(root: etree._Element, sig: etree._Element, is_edxml: bool,
                      outside: set[str] | frozenset[str] = frozenset()) -> list[Message]:
    """Rule 4 of the module docstring. ``outside``: Ids of elements that are not in ``root`` (the streamed
    path parses the signature alone); a reference to one of them is left to the tree path."""
    notes: list[Message] = []
    refs = sig.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    if not refs:
        raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                       Message.of("signature.format", MessageLevel.ERROR, reason="no ds:Reference"))
    covers_document = False
    for ref in refs:
        uri = ref.get("URI")
        if uri is None or (uri and not uri.startswith("#")) or uri.startswith("#xpointer"):
            raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                           Message.of("envelope.external_reference", MessageLevel.ERROR, uri=uri or "(none)"))
        transforms = _transforms(ref)
        if uri == "":
            if sig is root:  # an enveloping signature cannot reference "the document" it is
                raise _Refused(_INDET, SubIndication.SIGNED_DATA_NOT_FOUND,
                               Message.of("envelope.reference_not_found", MessageLevel.ERROR, uri='""'))
            _check_transforms(uri, transforms, _WHOLE_DOCUMENT)
            covers_document = True
            continue
        ident = uri[1:]
        if ident in outside:
            raise NotStreamable("a reference to an element outside the signature")
        targets = [el for el in root.iter() if isinstance(el.tag, str)
                   and any(el.get(a) == ident for a in _ID_ATTRS)]
        if len(targets) != 1:
            raise _Refused(_INDET, SubIndication.SIGNED_DATA_NOT_FOUND,
                           Message.of("envelope.reference_not_found", MessageLevel.ERROR, uri=uri))
        target = targets[0]
        if target is root:
            _check_transforms(uri, transforms, _WHOLE_DOCUMENT)
            covers_document = True
            continue
        enveloping = any(a is target for a in sig.iterancestors())
        _check_transforms(uri, transforms, _ENVELOPING_ELEMENT if enveloping else _ELEMENT)
        if ref.get("Type") == _SIGNED_PROPS_TYPE or target.tag == f"{{{XADES}}}SignedProperties":
            qp = target.getparent()
            obj = qp.getparent() if qp is not None else None
            if (qp is None or qp.tag != f"{{{XADES}}}QualifyingProperties" or obj is None
                    or obj.tag != f"{{{DS}}}Object" or obj.getparent() is not sig
                    or target.tag != f"{{{XADES}}}SignedProperties"
                    or len(sig.findall(f".//{{{XADES}}}SignedProperties")) != 1):
                raise _Refused(_INDET, SubIndication.SIGNED_DATA_NOT_FOUND,
                               Message.of("envelope.reference_not_found", MessageLevel.ERROR, uri=uri))
            continue
        inside = any(a is sig for a in target.iterancestors()) or target is sig
        if inside:
            parent = target.getparent()
            direct_object = target.tag == f"{{{DS}}}Object" and parent is sig
            content_of_object = (target.tag != f"{{{DS}}}Object" and parent is not None
                                 and parent.tag == f"{{{DS}}}Object" and parent.getparent() is sig)
            if not (direct_object or content_of_object):
                raise _Refused(_INDET, SubIndication.SIGNED_DATA_NOT_FOUND,
                               Message.of("envelope.reference_not_found", MessageLevel.ERROR, uri=uri))
        notes.append(Message.of("envelope.partial_scope", MessageLevel.ERROR if is_edxml else MessageLevel.WARNING,
                                scope=f"{etree.QName(target).localname} {uri}"))
    return [] if covers_document else notes  # when the whole document is signed, nothing is partial


#: the transform lists accepted, by the place of the reference's target (``C`` is any canonicalisation of
#: :data:`_C14N_TRANSFORMS`): the whole document or an element holding the signature is ``enveloped-signature``
#: then at most one ``C`` (without ``enveloped-signature`` the digest would cover the signature itself, and
#: anything else could make it cover less than the document); any other element, a ``ds:Object`` or the
#: XAdES ``SignedProperties`` is at most one ``C``, after an ``enveloped-signature`` that removes nothing
#: (EU DSS keeps it when the signed element is moved out of the signature's ancestors).
_WHOLE_DOCUMENT = "the whole document"
_ENVELOPING_ELEMENT = "an element holding the signature"
_ELEMENT = "an element"


def _transforms(ref: etree._Element) -> list[str]:
    """The transform algorithms of ``ref``, once its shape is the schema's: ``Transforms?``, ``DigestMethod``,
    ``DigestValue``, each ``Transform`` empty but for the ``InclusiveNamespaces`` of exclusive C14N.

    :raises _Refused: any other shape (two ``Transforms``, two ``DigestValue``, an ``XPath`` parameter…),
        which verifiers may read differently.
    """
    kids = [c.tag for c in ref if isinstance(c.tag, str)]
    if kids not in ([f"{{{DS}}}DigestMethod", f"{{{DS}}}DigestValue"],
                    [f"{{{DS}}}Transforms", f"{{{DS}}}DigestMethod", f"{{{DS}}}DigestValue"]):
        raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE, Message.of(
            "signature.format", MessageLevel.ERROR,
            reason=f"ds:Reference URI={ref.get('URI')!r} is not Transforms?, DigestMethod, DigestValue"))
    node = ref.find(f"{{{DS}}}Transforms")
    out: list[str] = []
    for tr in node if node is not None else ():
        if not isinstance(tr.tag, str):
            continue
        algo = (tr.get("Algorithm") or "") if tr.tag == f"{{{DS}}}Transform" else f"<{etree.QName(tr).localname}>"
        params = [c for c in tr if isinstance(c.tag, str)]
        if params and not (algo in (_EXC_C14N, _EXC_C14N + "WithComments") and len(params) == 1
                           and params[0].tag == _INCLUSIVE_NS and not len(params[0])):
            algo += " (with parameters)"
        out.append(algo)
    return out


def _check_transforms(uri: str, algos: list[str], place: str) -> None:
    """Refuse a transform list that is not allowed for ``place`` (see :data:`_WHOLE_DOCUMENT`)."""
    rest = algos[1:] if algos[:1] == [_ENVELOPED] else algos
    if place in (_WHOLE_DOCUMENT, _ENVELOPING_ELEMENT) and algos[:1] != [_ENVELOPED]:
        ok = False
    else:
        ok = len(rest) <= 1 and all(a in _C14N_TRANSFORMS for a in rest)
    if not ok:
        raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE, Message.of(
            "envelope.transforms_refused", MessageLevel.ERROR, uri=uri or '""',
            transforms=", ".join(a.rsplit("/", 1)[-1] for a in algos) or "-"))


# -- cryptography and trust --------------------------------------------------------------------------
def _verify_signature(root: etree._Element, sig: etree._Element, context: Any, is_edxml: bool
                      ) -> tuple[SignatureReport, bytes | None]:
    role = SignatureRole.ENVELOPE
    try:
        scope_notes = _check_references(root, sig, is_edxml)
        certs = _keyinfo_certs(sig)
    except _Refused as ref:
        return SignatureReport(role=role, indication=ref.indication, subindication=ref.sub,
                               integrity=Check.UNKNOWN, messages=(ref.message,)), None
    if not certs:
        return SignatureReport(role=role, indication=_INDET,
                               subindication=SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
                               messages=(Message.of("signature.no_certificate", MessageLevel.ERROR),)), None
    algos = [(el.get("Algorithm") or "").lower() for el in sig.iter(f"{{{DS}}}DigestMethod",
                                                                     f"{{{DS}}}SignatureMethod")]
    weak = sorted({w for a in algos for w in _WEAK if w in a.rsplit("#", 1)[-1].replace("-", "")})

    from cryptography import x509 as cg_x509
    from signxml.algorithms import DigestAlgorithm, SignatureMethod
    from signxml.exceptions import InvalidDigest, InvalidInput, InvalidSignature
    from signxml.verifier import SignatureConfiguration, XMLVerifier

    results: Any = None
    facts = None
    last_error: Exception | None = None
    signer = None
    for cert in certs:
        try:
            cg = cg_x509.load_der_x509_certificate(cert.dump())
            # signxml only checks the cryptography here (any algorithm, so that a weak one is reported
            # as such, not as a broken signature); time validity and trust are checked by
            # pyhanko-certvalidator below, so signxml is asked about a moment inside the validity period
            config = SignatureConfiguration(
                expect_references=len(sig.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")),
                location=".//", signature_methods=frozenset(SignatureMethod),
                digest_algorithms=frozenset(DigestAlgorithm),
                verification_time=cg.not_valid_before_utc + (cg.not_valid_after_utc - cg.not_valid_before_utc) / 2,
            )
            results = XMLVerifier().verify(root, x509_cert=cg, expect_config=config,
                                           parser=xml_parser(huge_tree=True), validate_schema=False)
            signer = cert
            break
        except InvalidDigest as exc:  # signxml checks the signature value first: this is the signer's key
            last_error = exc
            break
        except (InvalidSignature, InvalidInput) as exc:
            last_error = exc
        except Exception as exc:
            last_error = exc
    if signer is None:
        from signxml.exceptions import InvalidDigest as _D

        try:
            facts = signer_facts(certs[0])
        except Exception:
            facts = None
        if isinstance(last_error, _D):
            ind, sub, key = _FAIL, SubIndication.HASH_FAILURE, "signature.hash_mismatch"
        elif isinstance(last_error, InvalidSignature):
            ind, sub, key = _FAIL, SubIndication.SIG_CRYPTO_FAILURE, "signature.crypto_invalid"
        else:
            ind, sub, key = _FAIL, SubIndication.FORMAT_FAILURE, "signature.format"
        reason = f"{type(last_error).__name__}: {str(last_error)[:200]}"
        return SignatureReport(role=role, indication=ind, subindication=sub, signer=facts,
                               integrity=Check.FAILED if sub is SubIndication.HASH_FAILURE else Check.UNKNOWN,
                               crypto=Check.FAILED if sub is SubIndication.SIG_CRYPTO_FAILURE else Check.UNKNOWN,
                               messages=(Message.of(key, MessageLevel.ERROR, reason=reason),)), None
    report = _finish(sig, signer, certs, scope_notes, context, weak=weak)
    return report, _signed_bytes(results)


def _finish(sig: etree._Element, signer: asn1_x509.Certificate, certs: list[asn1_x509.Certificate],
            scope_notes: list[Message], context: Any, *, weak: list[str]) -> SignatureReport:
    """The report of a signature whose value and digests verified: scope, algorithms, chain, XAdES times."""
    facts = signer_facts(signer)
    msgs: list[Message] = [Message.of("signature.intact"), *scope_notes]
    verdicts: list[tuple[Indication, SubIndication]] = []
    if any(n.level is MessageLevel.ERROR for n in scope_notes):
        verdicts.append((_INDET, SubIndication.SIG_CONSTRAINTS_FAILURE))
    for w in weak:
        verdicts.append((_INDET, SubIndication.CRYPTO_CONSTRAINTS_FAILURE))
        msgs.append(Message.of("algorithm.weak_digest", MessageLevel.ERROR, algorithm=w.upper()))
    chain, problem = _validate_chain(signer, [c for c in certs if c is not signer], context)
    if problem is not None:
        verdicts.append(problem[0])
        msgs.append(problem[1])
    else:
        msgs.append(Message.of("chain.trusted", anchor="-"))
        msgs.append(Message.of("revocation.unchecked", MessageLevel.WARNING))
    if not _signing_certificate_matches(sig, signer):
        verdicts.append((_INDET, SubIndication.NO_SIGNING_CERTIFICATE_FOUND))
        msgs.append(Message.of("envelope.signing_certificate_mismatch", MessageLevel.ERROR))
    signing_time = _signing_time(sig)
    if signing_time is not None:
        msgs.append(Message.of("time.signing", time=iso_vn(signing_time)))
    ts_time, ts_verdicts, ts_msgs = _signature_timestamps(sig, certs, context)
    verdicts += ts_verdicts
    msgs += ts_msgs
    indication, subindication = Indication.TOTAL_PASSED, None
    for ind, sub in verdicts:
        if ind.severity > indication.severity:
            indication, subindication = ind, sub
    digests = sig.iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference/{{{DS}}}DigestMethod")
    digest = next((str(d.get("Algorithm", "")).rsplit("#", 1)[-1] for d in digests), None)
    method = sig.find(f"{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod")
    mechanism = str(method.get("Algorithm", "")).rsplit("#", 1)[-1] if method is not None else None
    return SignatureReport(role=SignatureRole.ENVELOPE, indication=indication, subindication=subindication,
                           signer=facts, signing_time=signing_time, timestamp_time=ts_time,
                           integrity=Check.PASSED, crypto=Check.PASSED, chain=chain,
                           revocation=Check.UNKNOWN, digest_algorithm=digest, signature_algorithm=mechanism,
                           messages=tuple(msgs))


# -- XAdES properties --------------------------------------------------------------------------------
def _signed_properties(sig: etree._Element) -> etree._Element | None:
    """The XAdES SignedProperties, only when a Reference of SignedInfo covers it (else its content is a claim
    nobody signed)."""
    sps = sig.findall(f"{{{DS}}}Object/{{{XADES}}}QualifyingProperties/{{{XADES}}}SignedProperties")
    if len(sps) != 1:
        return None
    ident = sps[0].get("Id")
    uris = {r.get("URI") for r in sig.iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")}
    return sps[0] if ident and f"#{ident}" in uris else None


def _signing_certificate_matches(sig: etree._Element, signer: asn1_x509.Certificate) -> bool:
    """XAdES SigningCertificate(V2): when the signed properties name certificates, the signer is one of them
    (a KeyInfo substituted with another certificate of the same key is not accepted)."""
    sp = _signed_properties(sig)
    if sp is None:
        return True
    cert_els = sp.findall(f"{{{XADES}}}SignedSignatureProperties/{{{XADES}}}SigningCertificateV2/{{{XADES}}}Cert")
    cert_els += sp.findall(f"{{{XADES}}}SignedSignatureProperties/{{{XADES}}}SigningCertificate/{{{XADES}}}Cert")
    if not cert_els:
        return True
    der = signer.dump()
    for cert_el in cert_els:
        method = cert_el.find(f"{{{XADES}}}CertDigest/{{{DS}}}DigestMethod")
        uri = method.get("Algorithm", "") if method is not None else ""
        name = _FAST_DIGESTS.get(uri) or ("sha1" if uri.endswith("#sha1") else None)
        try:
            expected = _b64(cert_el.findtext(f"{{{XADES}}}CertDigest/{{{DS}}}DigestValue"))
        except (binascii.Error, ValueError):
            continue
        if name is not None and hashlib.new(name, der).digest() == expected:
            return True
    return False


def _signing_time(sig: etree._Element) -> dt.datetime | None:
    sp = _signed_properties(sig)
    text = sp.findtext(f"{{{XADES}}}SignedSignatureProperties/{{{XADES}}}SigningTime") if sp is not None else None
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


def _imprint(data: bytes) -> Callable[[str], bytes]:
    return lambda algo: hashlib.new(algo, data).digest()


def _signature_timestamps(sig: etree._Element, certs: list[asn1_x509.Certificate], context: Any
                          ) -> tuple[dt.datetime | None, list[tuple[Indication, SubIndication]], list[Message]]:
    """Validate every XAdES SignatureTimeStamp: imprint over the canonical ds:SignatureValue, the TSA's
    signature, its path to a trust anchor. Returns the earliest proven time, verdicts and messages."""
    stamps = sig.findall(f"{{{DS}}}Object/{{{XADES}}}QualifyingProperties/{{{XADES}}}UnsignedProperties/"
                         f"{{{XADES}}}UnsignedSignatureProperties/{{{XADES}}}SignatureTimeStamp")
    value = sig.find(f"{{{DS}}}SignatureValue")
    if not stamps or value is None:
        return None, [], []
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko.sign.validation.status import TimestampSignatureStatus

    proven: list[dt.datetime] = []
    verdicts: list[tuple[Indication, SubIndication]] = []
    msgs: list[Message] = []
    for stamp in stamps:
        method = stamp.find(f"{{{DS}}}CanonicalizationMethod")
        uri = method.get("Algorithm", "") if method is not None else "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
        problem: str | None = None
        status: Any = None
        if uri not in _C14N_METHODS:
            problem = f"canonicalisation not supported: {uri}"
        else:
            exclusive, comments = _C14N_METHODS[uri]
            canon = etree.tostring(value, method="c14n", exclusive=exclusive, with_comments=comments)
            try:
                token = cms.ContentInfo.load(_b64(stamp.findtext(f"{{{XADES}}}EncapsulatedTimeStamp")))
                if token["content_type"].native != "signed_data":
                    raise ValueError("not a CMS SignedData")
                kwargs = asyncio.run(validate_tst_signed_data(
                    token["content"], context, _imprint(canon)))
                status = TimestampSignatureStatus(**kwargs)
            except Exception as exc:  # unreadable token, unknown hash: the time-stamp proves nothing
                problem = f"{type(exc).__name__}: {str(exc)[:160]}"
        if status is not None and not status.intact:
            problem = "the time-stamp's imprint is not the digest of ds:SignatureValue"
        elif status is not None and (not status.valid or status.trust_problem_indic is not None):
            indic = status.trust_problem_indic
            sub = getattr(SubIndication, getattr(indic, "name", ""), None) if indic is not None else None
            verdicts.append((_INDET, sub or SubIndication.SIG_CONSTRAINTS_FAILURE))
            msgs.append(Message.of("time.timestamp_invalid", MessageLevel.ERROR))
            msgs.append(Message.of("envelope.timestamp_problem", MessageLevel.ERROR,
                                   reason=f"TSA: {getattr(indic, 'name', None) or 'signature not valid'}"))
            continue
        if problem is not None:
            verdicts.append((_INDET, SubIndication.SIG_CONSTRAINTS_FAILURE))
            msgs.append(Message.of("time.timestamp_invalid", MessageLevel.ERROR))
            msgs.append(Message.of("envelope.timestamp_problem", MessageLevel.ERROR, reason=problem))
            continue
        proven.append(status.timestamp)
        msgs.append(Message.of("time.timestamp", time=iso_vn(status.timestamp)))
    return (min(proven) if proven else None), verdicts, msgs


def _signed_bytes(results: Any) -> bytes | None:
    items = results if isinstance(results, list) else [results]
    for item in items:
        xml = getattr(item, "signed_xml", None)
        if xml is not None and etree.QName(xml).localname != "SignedProperties":
            return etree.tostring(xml)
    return None


def _keyinfo_certs(sig: etree._Element) -> list[asn1_x509.Certificate]:
    out = []
    for el in sig.iterfind(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate"):
        try:
            der = base64.b64decode("".join((el.text or "").split()), validate=True)
            cert = asn1_x509.Certificate.load(der)
            cert.native  # noqa: B018 - parse fully now
            out.append(cert)
        except (binascii.Error, ValueError, TypeError):
            continue
    return out


def _validate_chain(cert: asn1_x509.Certificate, others: list[asn1_x509.Certificate], context: Any
                    ) -> tuple[Check, tuple[tuple[Indication, SubIndication], Message] | None]:
    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        InvalidCertificateError,
        NotYetValidError,
        PathBuildingError,
        PathValidationError,
        RevokedError,
    )

    validator = CertificateValidator(cert, intermediate_certs=others, validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage(set()))  # type: ignore[no-untyped-call]
        return Check.PASSED, None
    except RevokedError:
        return Check.FAILED, ((_INDET, SubIndication.REVOKED_NO_POE),
                              Message.of("revocation.revoked", MessageLevel.ERROR, date="?"))
    except ExpiredError:
        return Check.FAILED, ((_INDET, SubIndication.OUT_OF_BOUNDS_NO_POE),
                              Message.of("cert.expired", MessageLevel.ERROR))
    except NotYetValidError:
        return Check.FAILED, ((_INDET, SubIndication.NOT_YET_VALID),
                              Message.of("cert.not_yet_valid", MessageLevel.ERROR))
    except (PathBuildingError, InvalidCertificateError):
        return Check.FAILED, ((_INDET, SubIndication.NO_CERTIFICATE_CHAIN_FOUND),
                              Message.of("chain.not_found", MessageLevel.ERROR))
    except PathValidationError as exc:
        return Check.FAILED, ((_INDET, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE),
                              Message.of("chain.problem", MessageLevel.ERROR, reason=str(exc)[:200]))
    except Exception as exc:
        return Check.FAILED, ((_INDET, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE),
                              Message.of("chain.problem", MessageLevel.ERROR, reason=type(exc).__name__))


