"""XML signatures (XML-DSig/XAdES) and the edXML envelope, with the signature-wrapping defences.

The rules, in the order they are applied:

1. the file is parsed once with the hardened parser (:mod:`edoc.util.xml`): no DTD, no entities;
2. ``Id`` attributes must be unique in the whole file (duplicates are how wrapping attacks hide the node
   that was really signed);
3. there is exactly one ``ds:Signature`` (for edXML: the last child of ``edXMLHeader``; a non-XML-DSig
   ``Signature`` placeholder or an empty ``DigitalSignature`` means "no envelope signature");
4. every ``ds:Reference`` points inside the document (``""`` or ``#id``) at exactly one element; an
   enveloping target must be a direct ``ds:Object`` child of the signature (or its content), and the
   XAdES ``SignedProperties`` must sit at ``ds:Object/QualifyingProperties/SignedProperties``;
5. signxml checks digests and the signature value with the key of the certificate in ``KeyInfo``; the
   certificate's path to a trust anchor is then validated by pyhanko-certvalidator (the same
   ``ValidationContext`` as for PDF);
6. what was signed is returned (:attr:`DocumentReport.signed_content`), never the surrounding document.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from lxml import etree

from edoc.errors import EdocError
from edoc.util.xml import parse_xml, xml_parser
from edoc.verify.profile import signer_facts
from edoc.verify.report import (
    Check,
    DocumentReport,
    Indication,
    Level,
    Message,
    SignatureReport,
    SignatureRole,
    SubIndication,
)

__all__ = ["verify_xml", "EDXML_NS"]

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
_SIGNED_PROPS_TYPE = "http://uri.etsi.org/01903#SignedProperties"
_WEAK = ("sha1", "md5")
_ID_ATTRS = ("Id", "ID", "id", "{http://www.w3.org/XML/1998/namespace}id",
             "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd}Id")
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
    try:
        tree = parse_xml(source, huge_tree=True, path=None if isinstance(source, bytes) else source)
    except EdocError as exc:
        return DocumentReport.combine(name, fmt or "edxml", (), attachments=attachments,
                                      failure=(_FAIL, SubIndication.FORMAT_FAILURE),
                                      messages=(Message.of("document.unreadable", Level.ERROR,
                                                           reason=exc.message),))
    root = tree.getroot()
    is_edxml = etree.QName(root).namespace == EDXML_NS
    fmt = fmt or "edxml"
    try:
        sig = _find_signature(root, is_edxml)
    except _Refused as ref:
        report = SignatureReport(role=SignatureRole.ENVELOPE, indication=ref.indication,
                                 subindication=ref.sub, integrity=Check.UNKNOWN, messages=(ref.message,))
        return DocumentReport.combine(name, fmt, (report,), attachments=attachments)
    if sig is None:
        msg = Message.of("envelope.no_signature", Level.WARNING if attachments else Level.ERROR)
        signed_atts = [a for a in attachments if a.signatures]
        if signed_atts:  # the legal signature travels in the PDF attachments (spec, edXML section 5)
            return DocumentReport.combine(name, fmt, (), attachments=attachments, messages=(msg,),
                                          failure=(Indication.TOTAL_PASSED, None))
        return DocumentReport.combine(name, fmt, (), attachments=attachments, messages=(msg,))
    report, content = _verify_signature(root, sig, context, is_edxml)
    return DocumentReport.combine(name, fmt, (report,), attachments=attachments, signed_content=content)


# -- structure ---------------------------------------------------------------------------------------
def _find_signature(root: etree._Element, is_edxml: bool) -> etree._Element | None:
    seen: dict[str, int] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in _ID_ATTRS:
            value = el.get(attr)
            if value is not None:
                seen[value] = seen.get(value, 0) + 1
                if seen[value] > 1:
                    raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                                   Message.of("envelope.duplicate_id", Level.ERROR, id=value))
    sigs = list(root.iter(f"{{{DS}}}Signature"))
    if len(sigs) > 1:
        raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                       Message.of("envelope.multiple_signatures", Level.ERROR))
    if not is_edxml:
        return sigs[0] if sigs else None
    header = root.find(f"{{{EDXML_NS}}}edXMLEnvelope/{{{EDXML_NS}}}edXMLHeader")
    if not sigs:
        return None  # placeholders (no XML-DSig namespace, empty DigitalSignature): no envelope signature
    sig = sigs[0]
    children = [c for c in header if isinstance(c.tag, str)] if header is not None else []
    if not children or children[-1] is not sig:
        raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                       Message.of("envelope.misplaced_signature", Level.ERROR))
    return sig


def _check_references(root: etree._Element, sig: etree._Element, is_edxml: bool) -> list[Message]:
    notes: list[Message] = []
    refs = sig.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    if not refs:
        raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                       Message.of("signature.format", Level.ERROR, reason="no ds:Reference"))
    covers_document = False
    for ref in refs:
        uri = ref.get("URI")
        if uri is None or (uri and not uri.startswith("#")) or uri.startswith("#xpointer"):
            raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                           Message.of("envelope.external_reference", Level.ERROR, uri=uri or "(none)"))
        for tr in ref.iterfind(f"{{{DS}}}Transforms/{{{DS}}}Transform"):
            if "xslt" in (tr.get("Algorithm") or "").lower() or "xpath" in (tr.get("Algorithm") or "").lower():
                raise _Refused(_FAIL, SubIndication.FORMAT_FAILURE,
                               Message.of("signature.format", Level.ERROR,
                                          reason=f"transform not accepted: {tr.get('Algorithm')}"))
        if uri == "":
            covers_document = True
            continue
        ident = uri[1:]
        targets = [el for el in root.iter() if isinstance(el.tag, str)
                   and any(el.get(a) == ident for a in _ID_ATTRS)]
        if len(targets) != 1:
            raise _Refused(_INDET, SubIndication.SIGNED_DATA_NOT_FOUND,
                           Message.of("envelope.reference_not_found", Level.ERROR, uri=uri))
        target = targets[0]
        if target is root:
            covers_document = True
            continue
        if ref.get("Type") == _SIGNED_PROPS_TYPE or target.tag == f"{{{XADES}}}SignedProperties":
            qp = target.getparent()
            obj = qp.getparent() if qp is not None else None
            if (qp is None or qp.tag != f"{{{XADES}}}QualifyingProperties" or obj is None
                    or obj.tag != f"{{{DS}}}Object" or obj.getparent() is not sig
                    or target.tag != f"{{{XADES}}}SignedProperties"
                    or len(sig.findall(f".//{{{XADES}}}SignedProperties")) != 1):
                raise _Refused(_INDET, SubIndication.SIGNED_DATA_NOT_FOUND,
                               Message.of("envelope.reference_not_found", Level.ERROR, uri=uri))
            continue
        inside = any(a is sig for a in target.iterancestors()) or target is sig
        if inside:
            parent = target.getparent()
            direct_object = target.tag == f"{{{DS}}}Object" and parent is sig
            content_of_object = (target.tag != f"{{{DS}}}Object" and parent is not None
                                 and parent.tag == f"{{{DS}}}Object" and parent.getparent() is sig)
            if not (direct_object or content_of_object):
                raise _Refused(_INDET, SubIndication.SIGNED_DATA_NOT_FOUND,
                               Message.of("envelope.reference_not_found", Level.ERROR, uri=uri))
        notes.append(Message.of("envelope.partial_scope", Level.ERROR if is_edxml else Level.WARNING,
                                scope=f"{etree.QName(target).localname} {uri}"))
    return [] if covers_document else notes  # when the whole document is signed, nothing is partial


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
                               messages=(Message.of("signature.no_certificate", Level.ERROR),)), None
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
        except (InvalidDigest, InvalidSignature, InvalidInput) as exc:
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
                               messages=(Message.of(key, Level.ERROR, reason=reason),)), None
    facts = signer_facts(signer)
    msgs: list[Message] = [Message.of("signature.intact"), *scope_notes]
    verdicts: list[tuple[Indication, SubIndication]] = []
    if any(n.level is Level.ERROR for n in scope_notes):
        verdicts.append((_INDET, SubIndication.SIG_CONSTRAINTS_FAILURE))
    for w in weak:
        verdicts.append((_INDET, SubIndication.CRYPTO_CONSTRAINTS_FAILURE))
        msgs.append(Message.of("algorithm.weak_digest", Level.ERROR, algorithm=w.upper()))
    chain, problem = _validate_chain(signer, [c for c in certs if c is not signer], context)
    if problem is not None:
        verdicts.append(problem[0])
        msgs.append(problem[1])
    else:
        msgs.append(Message.of("chain.trusted", anchor="-"))
        msgs.append(Message.of("revocation.unchecked", Level.WARNING))
    indication, subindication = Indication.TOTAL_PASSED, None
    for ind, sub in verdicts:
        if ind.severity > indication.severity:
            indication, subindication = ind, sub
    content = _signed_bytes(results)
    digests = sig.iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference/{{{DS}}}DigestMethod")
    digest = next((str(d.get("Algorithm", "")).rsplit("#", 1)[-1] for d in digests), None)
    method = sig.find(f"{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod")
    mechanism = str(method.get("Algorithm", "")).rsplit("#", 1)[-1] if method is not None else None
    return SignatureReport(role=role, indication=indication, subindication=subindication, signer=facts,
                           integrity=Check.PASSED, crypto=Check.PASSED, chain=chain,
                           revocation=Check.UNKNOWN, digest_algorithm=digest, signature_algorithm=mechanism,
                           messages=tuple(msgs)), content


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
                              Message.of("revocation.revoked", Level.ERROR, date="?"))
    except ExpiredError:
        return Check.FAILED, ((_INDET, SubIndication.OUT_OF_BOUNDS_NO_POE), Message.of("cert.expired", Level.ERROR))
    except NotYetValidError:
        return Check.FAILED, ((_INDET, SubIndication.NOT_YET_VALID),
                              Message.of("cert.not_yet_valid", Level.ERROR))
    except (PathBuildingError, InvalidCertificateError):
        return Check.FAILED, ((_INDET, SubIndication.NO_CERTIFICATE_CHAIN_FOUND),
                              Message.of("chain.not_found", Level.ERROR))
    except PathValidationError as exc:
        return Check.FAILED, ((_INDET, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE),
                              Message.of("chain.problem", Level.ERROR, reason=str(exc)[:200]))
    except Exception as exc:
        return Check.FAILED, ((_INDET, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE),
                              Message.of("chain.problem", Level.ERROR, reason=type(exc).__name__))


