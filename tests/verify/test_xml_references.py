"""XML references that cover nothing (issue 13 point 4): transforms are accepted only from an allow-list for
the reference's place, with xmlsec1 as the independent oracle on the same files."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

import needs
from edoc.verify import Indication, SubIndication

from . import xml_attacks as xa
from .conftest import NOW, VerifyPKI, make_edxml

Build = Callable[..., Any]

_FILTER2_SUBTRACT = (xa.FILTER2, '<dsig-xpath:XPath xmlns:dsig-xpath="http://www.w3.org/2002/06/xmldsig-filter2" '
                                 'Filter="subtract">//*[local-name()="Subject"]</dsig-xpath:XPath>')
_XPATH_NOT_SUBJECT = (xa.XPATH, '<ds:XPath>not(ancestor-or-self::*[local-name()="Subject"])</ds:XPath>')


@pytest.fixture(scope="module")
def message() -> bytes:
    return make_edxml(None)


def _keys(report: Any) -> set[str]:
    return {m.key for s in report.signatures for m in s.messages} | {m.key for m in report.messages}


def _xmlsec1(data: bytes, vpki: VerifyPKI, tmp_path: Path) -> int:
    needs.require_tools("xmlsec1")  # the independent oracle
    root = tmp_path / "root.pem"
    root.write_bytes(vpki.root.cert.public_bytes(serialization.Encoding.PEM))
    doc = tmp_path / "signed.edxml"
    doc.write_bytes(data)
    return subprocess.run(
        ["xmlsec1", "--verify", "--trusted-pem", str(root), "--verification-gmt-time",
         NOW.strftime("%Y-%m-%d %H:%M:%S"), str(doc)],
        capture_output=True, timeout=60, check=False).returncode


def _inclusive_digest(data: bytes) -> bytes:
    root = etree.fromstring(data)
    root.text = "\n"
    return hashlib.sha256(etree.tostring(root, method="c14n")).digest()


@pytest.mark.parametrize("transforms", [[xa.ENVELOPED, xa.EXC_C14N], [xa.ENVELOPED, xa.C14N10], [xa.ENVELOPED]],
                         ids=["enveloped+exc-c14n", "enveloped+c14n", "enveloped"])
def test_allowed_transforms_pass_in_edoc_and_xmlsec1(message: bytes, vpki: VerifyPKI, verifier_for: Build,
                                                     tmp_path: Path, transforms: list[str]) -> None:
    """Control: the hand-made signature is a real one; both verifiers accept it and reject it once changed."""
    digest = None if xa.EXC_C14N in transforms else _inclusive_digest(message)
    signed = xa.sign_with_transforms(message, vpki.agency, transforms, digest=digest)
    assert _xmlsec1(signed, vpki, tmp_path) == 0
    report = verifier_for().verify_edxml(signed)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    forged = xa.change_subject(signed)
    assert _xmlsec1(forged, vpki, tmp_path) != 0
    assert verifier_for().verify_edxml(forged).verdict is Indication.TOTAL_FAILED


def test_reference_covering_nothing_fails(message: bytes, vpki: VerifyPKI, verifier_for: Build,
                                         tmp_path: Path) -> None:
    """The issue's attack: URI="" with [enveloped-signature, base64] digests the empty string, so the Subject
    and the sender can be changed after signing. xmlsec1 rejects it; edoc used to say TOTAL_PASSED."""
    signed = xa.sign_with_transforms(message, vpki.agency, [xa.ENVELOPED, xa.BASE64],
                                     digest=hashlib.sha256(b"").digest())
    forged = xa.change_subject(signed)
    assert _xmlsec1(forged, vpki, tmp_path) != 0
    report = verifier_for().verify_edxml(forged)
    assert report.verdict is Indication.TOTAL_FAILED
    assert report.subindication is SubIndication.FORMAT_FAILURE
    assert "envelope.transforms_refused" in _keys(report)
    assert report.signed_content is None


def _without_subject(data: bytes) -> bytes:
    """The digest XPath Filter 2.0 "subtract //Subject" gives: the document less the signature and Subject."""
    root = etree.fromstring(data)
    root.text = "\n"
    for el in list(root.iter("{*}Subject")):
        prev, parent = el.getprevious(), el.getparent()
        assert prev is not None and parent is not None
        prev.tail = (prev.tail or "") + (el.tail or "")  # lxml's remove() drops the tail; the filter keeps it
        parent.remove(el)
    return hashlib.sha256(etree.tostring(root, method="c14n", exclusive=True)).digest()


@pytest.mark.parametrize(("transforms", "xmlsec1_accepts"), [
    ([xa.ENVELOPED, _FILTER2_SUBTRACT, xa.EXC_C14N], True),
    ([xa.ENVELOPED, _XPATH_NOT_SUBJECT, xa.EXC_C14N], False),
    ([xa.ENVELOPED, xa.XSLT], False),
    ([xa.ENVELOPED, "urn:example:unknown-transform"], False),
    ([xa.ENVELOPED, xa.BASE64, xa.EXC_C14N], False),
    ([xa.ENVELOPED, xa.EXC_C14N, xa.EXC_C14N], True),
    ([xa.EXC_C14N, xa.ENVELOPED], False),
    ([xa.EXC_C14N], False),
    ([], False),
    ([xa.ENVELOPED, (xa.EXC_C14N, "<ds:XPath>1</ds:XPath>")], None),
], ids=["xpath-filter2", "xpath", "xslt", "unknown", "base64-then-c14n", "two-c14n", "c14n-before-enveloped",
        "no-enveloped", "no-transforms", "c14n-with-foreign-parameter"])
def test_transforms_outside_the_allow_list_fail(message: bytes, vpki: VerifyPKI, verifier_for: Build,
                                                tmp_path: Path, transforms: Sequence[xa.Transform],
                                                xmlsec1_accepts: bool | None) -> None:
    """Each list signed for real (the Filter 2.0 one over the digest its filter gives): edoc refuses the
    reference by its transforms and never skips one. Where xmlsec1 rejects, edoc fails too; where xmlsec1
    accepts (a Filter 2.0 that leaves the Subject unsigned, a second C14N), edoc is stricter on purpose."""
    digest = _without_subject(message) if transforms[1:2] == [_FILTER2_SUBTRACT] else None
    signed = xa.sign_with_transforms(message, vpki.agency, transforms, digest=digest)
    if xmlsec1_accepts is not None:
        assert (_xmlsec1(signed, vpki, tmp_path) == 0) is xmlsec1_accepts
    report = verifier_for().verify_edxml(signed)
    assert report.verdict is Indication.TOTAL_FAILED, report.problems()
    assert report.subindication is SubIndication.FORMAT_FAILURE
    assert "envelope.transforms_refused" in _keys(report)


def test_reference_of_another_shape_fails(message: bytes, vpki: VerifyPKI, verifier_for: Build) -> None:
    """Two DigestValue (or Transforms) elements: verifiers read different ones; refused before any digest."""
    signed = xa.sign_with_transforms(message, vpki.agency, [xa.ENVELOPED, xa.EXC_C14N])
    doubled = signed.replace(b"</ds:DigestValue>", b"</ds:DigestValue><ds:DigestValue>AAAA</ds:DigestValue>", 1)
    report = verifier_for().verify_edxml(doubled)
    assert report.verdict is Indication.TOTAL_FAILED
    assert any("DigestMethod, DigestValue" in m.text("en") for s in report.signatures for m in s.messages)


@pytest.mark.parametrize(("place", "transforms", "ok"), [
    ("document", [xa.ENVELOPED, xa.EXC_C14N], True),
    ("document", [xa.ENVELOPED], True),
    ("document", [xa.EXC_C14N], False),
    ("document", [xa.ENVELOPED, xa.BASE64], False),
    ("element", [], True),
    ("element", [xa.C14N10], True),
    ("element", [xa.ENVELOPED, xa.EXC_C14N], True),  # EU DSS's XSW-enveloped-fake-content keeps it
    ("element", [xa.BASE64], False),
    ("element", [xa.FILTER2], False),
    ("enveloping-element", [xa.EXC_C14N], False),
    ("enveloping-element", [xa.ENVELOPED, xa.EXC_C14N], True),
])
def test_allow_list_by_place(place: str, transforms: list[str], ok: bool) -> None:
    from edoc.verify import xmldsig

    where = {"document": xmldsig._WHOLE_DOCUMENT, "element": xmldsig._ELEMENT,
             "enveloping-element": xmldsig._ENVELOPING_ELEMENT}[place]
    if ok:
        xmldsig._check_transforms("#x", transforms, where)
    else:
        with pytest.raises(xmldsig._Refused):
            xmldsig._check_transforms("#x", transforms, where)
