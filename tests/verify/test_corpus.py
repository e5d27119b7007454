"""The labelled EU DSS corpus (../shared/corpora/dss): every file's verdict pinned.

Each file is verified twice: with no trust anchor, and trusting every certificate embedded in it — then trust
cannot be what stops an INVALID file from passing, only integrity and the modification analysis can, and a
VALID file must reach TOTAL_PASSED unless a rule other than trust says why not. :data:`PINS` holds the
expected (indication, sub-indication) of each file in each mode, what DSS asserts about its signatures'
integrity, and whether changes after signing are refused. The expectations come from the corpus labels
(``expectations.csv``, README), from ETSI EN 319 102-1 and from DSS's own assertion where it gives one; where
edoc's answer differs from DSS's, ``note`` says why the label and the rules admit it. A known defect is an
``xfail(strict=True)`` naming the issue that fixes it: the fix turns the test red until the mark goes.

Verification is offline (``online=False``): the corpus's certificates point at foreign services.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import x509

import needs
from edoc.verify import Check, DocumentReport, Indication, SubIndication, Verifier

from .conftest import CORPUS

P, F, I = Indication.TOTAL_PASSED, Indication.TOTAL_FAILED, Indication.INDETERMINATE  # noqa: E741
Outcome = tuple[Indication, SubIndication | None]
PASSED: Outcome = (P, None)
NO_CHAIN: Outcome = (I, SubIndication.NO_CERTIFICATE_CHAIN_FOUND)
FORMAT: Outcome = (F, SubIndication.FORMAT_FAILURE)
HASH: Outcome = (F, SubIndication.HASH_FAILURE)
WEAK: Outcome = (I, SubIndication.CRYPTO_CONSTRAINTS_FAILURE)
OK, BAD, UNREAD = Check.PASSED, Check.FAILED, Check.UNKNOWN


@dataclass(frozen=True)
class Pin:
    """What a verifier following the rules answers for one corpus file."""

    untrusted: Outcome  # no trust anchor
    trusted: Outcome  # every certificate embedded in the file trusted
    integrity: tuple[Check, ...]  # per signature, in file order; () when no signature can be read
    refused_changes: bool = False  # some signature's later changes are not permitted
    keys: frozenset[str] = frozenset()  # message keys that must be present (the reason, as DSS states it)
    note: str = ""  # why this answer where it differs from DSS's
    defect: str | None = None  # the issue that fixes today's wrong answer: xfail(strict=True)


PINS: dict[str, Pin] = {
    # INVALID: failed, whatever the trust
    "pades/siwa.pdf": Pin(FORMAT, FORMAT, (OK, UNREAD), True, frozenset({"signature.byterange", "signature.orphaned"}),
                          "DSS: /ByteRange not valid; the digest over the wrapped range matches; the original "
                          "signature dictionary the attack moved lies in no object the cross-reference lists "
                          "(a second, unverified signature: failed)"),
    "pades/pdf-signed-out-of-byteRange.pdf": Pin(HASH, HASH, (BAD,), True, frozenset({"signature.byterange"})),
    "pades/pdf-signed-corrupted.pdf": Pin(
        FORMAT, FORMAT, (), note="DSS (PDFBox rebuilds the cross-reference table): not intact; edoc does not "
                                 "rebuild an xref that the cut text broke, so the file is unreadable: a format "
                                 "failure, failed all the same"),
    "pades/pdf-signed-added-page.pdf": Pin(FORMAT, FORMAT, (OK,), True),  # DSS: TOTAL_FAILED/FORMAT_FAILURE
    "pades/pades-spoofing-replaced-reason.pdf": Pin(FORMAT, FORMAT, (OK,), True),
    "pades/dss-2236/replace.pdf": Pin(FORMAT, FORMAT, (OK,), True),
    "pades/modified_after_signature.pdf": Pin(FORMAT, FORMAT, (OK,), True),
    "pades/pades_infinite_loop.pdf": Pin(
        FORMAT, FORMAT, (), note="its /ByteRange reaches past the end of the file and its widget is its own "
                                 "/Parent: unreadable, within the time guard"),
    # INDETERMINATE-OK: never passed
    "pades/BadEncodedCMS.pdf": Pin(
        FORMAT, FORMAT, (UNREAD,), note="DSS: NO_SIGNATURE_FOUND (not an ETSI sub-indication); a CMS that "
                                        "cannot be decoded is a format failure in EN 319 102-1"),
    # VALID: intact; INDETERMINATE only from trust or the algorithm policy
    "pades/pdf-signed-original.pdf": Pin(NO_CHAIN, PASSED, (OK,)),
    "pades/hello_signed_INCSAVE_signed.pdf": Pin(
        WEAK, WEAK, (OK, OK), note="both signing keys are 1024-bit RSA, refused by the algorithm policy"),
    "pades/pdf-structtreeroot-changes.pdf": Pin(NO_CHAIN, PASSED, (OK, OK)),
    "pades/pades-signed-annot-added.pdf": Pin(NO_CHAIN, PASSED, (OK,)),
    "pades/signature-referenced-from-multiple-fields.pdf": Pin(NO_CHAIN, PASSED, (OK,)),
    "pades/doc-firmado-T.pdf": Pin(
        NO_CHAIN, NO_CHAIN, (OK,), keys=frozenset({"time.timestamp_invalid"}),
        note="its signature time-stamp's TSA (Costa Rica) is neither embedded nor trusted: indeterminate "
             "from trust, which the VALID label admits"),
    # the XSW set: XAdES (anchors = the certificates of the signature's KeyInfo)
    "xades-xsw/original.xml": Pin(NO_CHAIN, PASSED, (OK,)),
    "xades-xsw/TSL-CY-sign.xml": Pin(
        WEAK, WEAK, (OK,), keys=frozenset({"algorithm.weak_digest"}),
        note="its SigningCertificate digest is SHA-1, refused by the algorithm policy (the label admits it)"),
    "xades-xsw/XSW-enveloped-fake-content.xml": Pin(NO_CHAIN, PASSED, (OK,),
                                                    keys=frozenset({"envelope.partial_scope"})),
    "xades-xsw/XSW-enveloped-fake-signedProperties.xml": Pin(
        FORMAT, FORMAT, (UNREAD,), keys=frozenset({"envelope.transforms_refused"}),
        note="DSS: INDETERMINATE/SIGNED_DATA_NOT_FOUND; the reference uses an XPath transform, outside the "
             "allow-list of issue 13 point 4: failed (the label admits failed)"),
    "xades-xsw/XSW-enveloping-fake-object.xml": Pin(
        FORMAT, FORMAT, (UNREAD,), keys=frozenset({"envelope.transforms_refused"}),
        note="DSS: INDETERMINATE/SIGNED_DATA_NOT_FOUND; its reference to the ds:Object carries a base64 "
             "transform, outside the allow-list of issue 13 point 4: failed (the label admits failed)"),
}

_ROWS = {r["path"]: r for r in csv.DictReader((CORPUS / "expectations.csv").open(encoding="utf-8"))} \
    if (CORPUS / "expectations.csv").exists() else {}


def _cases() -> list[object]:
    cases = []
    for path, pin in sorted(PINS.items()) if _ROWS else ():
        marks = [pytest.mark.xfail(strict=True, reason=pin.defect)] if pin.defect else []
        for mode in ("no-anchors", "embedded-anchors"):
            cases.append(pytest.param(path, mode, id=f"{path}-{mode}", marks=marks))
    return needs.corpus(cases, where="corpora/dss/expectations.csv", width=2)


def embedded_certs(path: Path) -> list[x509.Certificate]:
    """The certificates a file carries: a PDF's CMS certificate sets, an XML signature's KeyInfo."""
    if path.suffix == ".xml":
        from edoc.util.xml import parse_xml
        from edoc.verify.xmldsig import _keyinfo_certs

        root = parse_xml(path, huge_tree=True).getroot()
        return _keyinfo_certs(next(root.iter("{http://www.w3.org/2000/09/xmldsig#}Signature")))
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(BytesIO(path.read_bytes()), strict=False)
        return [c.chosen for emb in reader.embedded_signatures for c in emb.signed_data["certificates"]
                if c.name == "certificate"]
    except Exception:
        return []


def verify_corpus_file(path: Path, trusting: bool) -> DocumentReport:
    verifier = Verifier(trust=embedded_certs(path) if trusting else (), online=False)
    return verifier.verify_edxml(path) if path.suffix == ".xml" else verifier.verify_pdf(path)


def _keys(report: DocumentReport) -> set[str]:
    return {m.key for s in report.signatures for m in s.messages} | {m.key for m in report.messages}


@pytest.mark.corpus
@pytest.mark.parametrize(("path", "mode"), _cases())
def test_dss_corpus_verdict(path: str, mode: str) -> None:
    pin = PINS[path]
    report = verify_corpus_file(CORPUS / path, mode == "embedded-anchors")
    expected = pin.trusted if mode == "embedded-anchors" else pin.untrusted
    assert (report.verdict, report.subindication) == expected, (_ROWS[path]["reason"], report.problems())
    assert tuple(s.integrity for s in report.signatures) == pin.integrity, report.problems()
    refused = any(s.modifications is not None and s.modifications.permitted is False for s in report.signatures)
    assert refused is pin.refused_changes, [s.modifications for s in report.signatures]
    assert pin.keys <= _keys(report), sorted(_keys(report))
    if path.endswith("XSW-enveloped-fake-content.xml"):  # only the wrapped list is signed, never the root
        assert report.signed_content is not None
        assert b'Id="TLISK-102"' in report.signed_content[:300] and b'Id="EVIL"' not in report.signed_content


@needs.shared("corpora/dss/expectations.csv")
def test_every_corpus_file_is_pinned_as_its_label_allows() -> None:
    """The pins cover exactly the labelled files, and each pin is one the file's label allows."""
    assert set(PINS) == set(_ROWS)
    for path, pin in PINS.items():
        label = _ROWS[path]["expected"]
        for indication, sub in (pin.untrusted, pin.trusted):
            if label == "INVALID":
                assert indication is F, path
            elif label == "INDETERMINATE-OK":
                assert indication is not P, path
            else:
                assert indication is not F and all(c is OK for c in pin.integrity) and pin.integrity, path
                assert not pin.refused_changes, path
                assert indication is P or sub in (SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
                                                  SubIndication.CRYPTO_CONSTRAINTS_FAILURE), path
        if label == "VALID" and pin.trusted != PASSED:
            assert pin.note, f"{path}: a VALID file that does not pass when trusted needs a note saying why"
