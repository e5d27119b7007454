"""A signature present in the file and not verified is a finding: the document is never TOTAL_PASSED.

Found by fuzzing (issue 18, tests/verify/fuzz_regressions/pdf-flip-xref-hides-the-last-signature): one
changed byte in the last cross-reference section hid the agency's signature, and the document passed on the
person's signature alone. Each attack below cuts a signature off the path a reader follows (cross-reference
sections → catalog → /AcroForm → /Fields → the field's /V) in another way; each was TOTAL_PASSED before the
fix except where noted. A signature that exists and cannot be processed is TOTAL_FAILED/FORMAT_FAILURE (ETSI
EN 319 102-1); a damaged cross-reference section of an unsigned update is INDETERMINATE/GENERIC (another
viewer may rebuild it and show what was not analysed). Honest files with several signatures, document
time-stamps, revocation data, or a signed PDF embedded uncompressed still pass.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from edoc.verify import DocumentReport, Indication, SignatureRole, SubIndication
from edoc.verify.unreached import MAX_KEYS, damaged_xref_sections, unreached_signatures

from . import attacks
from .conftest import VerifyPKI, add_dss, doc_timestamp, make_crl, make_pdf, sign

Build = Callable[..., Any]
FORMAT = (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)


def _keys(report: DocumentReport) -> set[str]:
    return {m.key for s in report.signatures for m in s.messages} | {m.key for m in report.messages}


def _unreached(report: DocumentReport) -> list[Any]:
    return [s for s in report.signatures if s.role is SignatureRole.UNKNOWN and s.field_name is None]


def _passes(verifier: Any, data: bytes) -> None:
    report = verifier.verify_pdf(data)
    assert (report.verdict, report.subindication) == (Indication.TOTAL_PASSED, None), report.problems()
    assert not _unreached(report) and "document.xref_damaged" not in _keys(report)


ATTACKS: dict[str, tuple[Callable[[bytes], bytes], str, set[str]]] = {
    # name: (attack, the key that names the hidden signature, other keys that must be there)
    "xref: the field's subsection header (the fuzz finding)": (
        lambda d: attacks.damage_xref_entry(d, "field", "subsection"), "signature.unreached",
        {"document.xref_damaged"}),
    "xref: the field's entry marker": (
        lambda d: attacks.damage_xref_entry(d, "field", "marker"), "signature.unreached", {"document.xref_damaged"}),
    "xref: the dictionary's subsection header": (
        lambda d: attacks.damage_xref_entry(d, "dictionary", "subsection"), "signature.orphaned",
        {"document.xref_damaged"}),
    "xref: the dictionary's entry marker": (
        lambda d: attacks.damage_xref_entry(d, "dictionary", "marker"), "signature.orphaned",
        {"document.xref_damaged"}),
    "the field's /V blanked in place": (attacks.drop_field_value, "signature.unreached", set()),
    "the field taken out of the form (an update)": (attacks.remove_field_from_form, "signature.unreached", set()),
    "the signature's revision orphaned (/Prev skips it)": (attacks.orphan_last_revision, "signature.orphaned", set()),
}


@pytest.mark.attack
@pytest.mark.parametrize("name", list(ATTACKS))
def test_a_hidden_signature_fails_the_document(name: str, signed_two: bytes, verifier_for: Build) -> None:
    attack, key, others = ATTACKS[name]
    verifier = verifier_for()
    _passes(verifier, signed_two)
    report = verifier.verify_pdf(attack(signed_two))
    assert (report.verdict, report.subindication) == FORMAT, report.problems()
    (hidden,) = _unreached(report)
    assert (hidden.indication, hidden.subindication) == FORMAT
    assert [m.key for m in hidden.messages] == [key]
    assert others <= _keys(report)
    agency = [s for s in report.signatures if s.role is SignatureRole.AGENCY]
    assert all(s.indication is not Indication.TOTAL_PASSED for s in agency)  # never the agency passing


@pytest.mark.attack
def test_the_only_signature_hidden_is_a_failure_not_no_signature(signed_one: bytes, verifier_for: Build) -> None:
    """Before: INDETERMINATE/SIGNED_DATA_NOT_FOUND ("no signature"); a signature exists and cannot be
    processed: TOTAL_FAILED/FORMAT_FAILURE."""
    report = verifier_for().verify_pdf(attacks.drop_field_value(signed_one))
    assert (report.verdict, report.subindication) == FORMAT, report.problems()
    assert "document.no_signature" not in _keys(report) and "signature.unreached" in _keys(report)


@pytest.mark.attack
def test_a_damaged_table_in_an_unsigned_update_is_not_passed(signed_two: bytes, vpki: VerifyPKI,
                                                             verifier_for: Build) -> None:
    """A revocation-data update (permitted) whose table lost the catalog's entry: pyHanko reads the signed
    catalog, a viewer rebuilding the table reads the new one. Before: TOTAL_PASSED."""
    updated = add_dss(signed_two, make_crl(vpki, []))
    verifier = verifier_for()
    _passes(verifier, updated)
    report = verifier.verify_pdf(attacks.damage_first_entry(updated))
    assert (report.verdict, report.subindication) == (Indication.INDETERMINATE, SubIndication.GENERIC)
    assert "document.xref_damaged" in _keys(report)
    assert [s.indication for s in report.signatures] == [Indication.TOTAL_PASSED] * 2  # the signatures hold


def test_honest_documents_with_many_signatures_pass(signed_two: bytes, vpki: VerifyPKI,
                                                    verifier_for: Build) -> None:
    """Several signatures, a document time-stamp, revocation data and a signature after them: every
    signature dictionary is reached, every table reads by the grammar."""
    crl = make_crl(vpki, [])
    verifier = verifier_for()
    lta = doc_timestamp(add_dss(signed_two, crl), vpki)
    _passes(verifier, lta)
    third = sign(lta, vpki.person, vpki, field="edoc.sig.copy")
    report = verifier.verify_pdf(third)
    assert len(report.signatures) == 4 and not _unreached(report), report.problems()


def test_a_signed_pdf_embedded_uncompressed_is_content(signed_two: bytes, vpki: VerifyPKI,
                                                       verifier_for: Build) -> None:
    """The keys of a signed PDF embedded as an uncompressed file are the data of a stream the sections
    list, not signatures of this document."""
    carrier = attacks.embed_uncompressed(make_pdf(), signed_two)
    assert carrier.count(b"/ByteRange") == 2
    data = sign(sign(carrier, vpki.person, vpki, field="edoc.sig.person"), vpki.agency, vpki,
                field="edoc.sig.agency")
    _passes(verifier_for(), data)


def test_the_scan_is_bounded(signed_two: bytes) -> None:
    """More signature keys than any document has signatures: the scan stops and says so (``None``)."""
    flood = signed_two + b"%" + b"/ByteRange " * (MAX_KEYS + 1) + b"\n"
    reader = PdfFileReader(BytesIO(signed_two), strict=False)
    assert unreached_signatures(flood, reader, {}) is None
    assert unreached_signatures(b"%PDF-1.7\n/Sig /SigFlags /SigRef (/Type /Sigil)", reader, {}) == []


def test_too_many_keys_fail_the_document(signed_two: bytes, verifier_for: Build) -> None:
    end = signed_two.rindex(b"startxref")
    flood = signed_two + b"%" + b"/ByteRange " * (MAX_KEYS + 1) + b"\n" + signed_two[end:]
    report = verifier_for().verify_pdf(flood)
    assert report.verdict is Indication.TOTAL_FAILED and "signature.too_many" in _keys(report)


@pytest.mark.parametrize(("table", "problem"), [
    (b"0 1\n0000000000 65535 f \n3 2\n0000000015 00000 n\r\n0000000099 00000 n \n", None),
    (b"0 1\r\n0000000000 65535 f\r\n3 1\n0000000015 00000 n\n", None),  # one-byte line ends: tolerated
    (b"0 1\n0000000000 65535 f \n3 2\n0000000015 00000 n \n", "holds 1 entries, not 2"),
    (b"0 1\n0000000000 65535 f \n3 1S0000000015 00000 n \n", "unreadable bytes"),
    (b"0 1\n0000000000 65535 f \n3 1\n0000000015 00000 x \n", "holds 0 entries, not 1"),
    (b"0 1\n0000000000 65535 f \n3 1\n   15 00000 n \n", "holds 0 entries, not 1"),
])
def test_the_table_grammar(table: bytes, problem: str | None) -> None:
    from edoc.verify.unreached import _table_problem

    found = _table_problem(table + b"trailer\n")
    assert (found is None) if problem is None else (found is not None and problem in found), found


def test_the_fuzz_finding_is_named_in_both_checks() -> None:
    from pathlib import Path

    doc = (Path(__file__).parent / "fuzz_regressions" / "pdf-flip-xref-hides-the-last-signature.pdf").read_bytes()
    reader = PdfFileReader(BytesIO(doc), strict=False)
    read = {(15, 0): (0, 2820, 7484, 1055)}  # the person's signature, the one pyHanko reaches
    (hidden,) = unreached_signatures(doc, reader, read) or [None]
    assert hidden is not None and (hidden.obj, hidden.why) == ((18, 0), "unreached")
    ((at, what),) = damaged_xref_sections(doc, reader)
    assert doc[at - 5:at] == b"xref\n" and "13 1S" in what
