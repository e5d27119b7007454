"""PDF verification: documents we sign, and the attack classes built from them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from edoc.verify import (
    Check,
    DocumentReport,
    Indication,
    SignatureRole,
    SubIndication,
    VerifyPolicy,
    verify_pdf,
)
from edoc.verify.pdf import _guarded

from . import attacks
from .conftest import NOW, VerifyPKI, make_pdf, sign

Build = Callable[..., Any]


def _keys(report: DocumentReport) -> set[str]:
    return {m.key for s in report.signatures for m in s.messages} | {m.key for m in report.messages}


def _outcome(report: DocumentReport) -> tuple[Indication, SubIndication | None]:
    return report.verdict, report.subindication


def _attacked(verifier: Any, original: bytes, attacked: bytes) -> DocumentReport:
    """The attacked file's report, once the untouched file is shown to pass: an attack's verdict means
    something only if the same document without the attack is TOTAL_PASSED."""
    before = verifier.verify_pdf(original)
    assert _outcome(before) == (Indication.TOTAL_PASSED, None), before.problems()
    return verifier.verify_pdf(attacked)  # type: ignore[no-any-return]


F, I = Indication.TOTAL_FAILED, Indication.INDETERMINATE  # noqa: E741
FORMAT, HASH = (F, SubIndication.FORMAT_FAILURE), (F, SubIndication.HASH_FAILURE)
UNSIGNED_TAIL = (I, SubIndication.GENERIC)


def test_person_then_agency_passes_with_roles(signed_two: bytes, verifier_for: Build) -> None:
    report = verifier_for().verify_pdf(signed_two, name="qd.pdf")
    assert report.verdict is Indication.TOTAL_PASSED and report.subindication is None
    person, agency = report.signatures
    assert (person.role, agency.role) == (SignatureRole.PERSON, SignatureRole.AGENCY)
    assert person.signer is not None and person.signer.identifier("CCCD") == "001099012345"
    assert agency.signer is not None and agency.signer.identifier("MST") == "0101234567"
    assert agency.signer.organisation == "Ủy ban nhân dân tỉnh Hà Giang"
    assert person.integrity is Check.PASSED and person.chain is Check.PASSED
    assert person.modifications is not None and person.modifications.level == "form_filling"
    assert agency.modifications is not None and agency.modifications.level == "none"
    assert person.revocation is Check.PASSED and agency.revocation is Check.PASSED  # the root's current CRL
    assert "profile.order" not in _keys(report)


def test_without_trust_anchor_is_indeterminate(signed_two: bytes) -> None:
    report = verify_pdf(signed_two, at=NOW)
    assert report.verdict is Indication.INDETERMINATE
    assert report.subindication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_untrusted_root(vpki: VerifyPKI, verifier_for: Build) -> None:
    report = verifier_for().verify_pdf(sign(make_pdf(), vpki.stranger, vpki))
    assert report.verdict is Indication.INDETERMINATE
    assert report.signatures[0].chain is Check.FAILED


def test_roles_by_certificate_and_wrong_order(vpki: VerifyPKI, verifier_for: Build) -> None:
    doc = make_pdf(sig_fields=("Signature1", "Signature2"))
    doc = sign(doc, vpki.agency, vpki, field="Signature1")
    doc = sign(doc, vpki.person, vpki, field="Signature2")
    report = verifier_for().verify_pdf(doc)
    assert [s.role for s in report.signatures] == [SignatureRole.AGENCY, SignatureRole.PERSON]
    assert "profile.order" in _keys(report)
    assert report.verdict is Indication.TOTAL_PASSED  # a profile finding is a warning, not a verdict


def test_issuing_body_mismatch_is_flagged(signed_two: bytes, verifier_for: Build) -> None:
    report = verifier_for().verify_pdf(signed_two, issuing_body="Bộ Tài chính")
    assert "profile.organisation_mismatch" in _keys(report)
    same = verifier_for().verify_pdf(signed_two, issuing_body="ỦY BAN NHÂN DÂN TỈNH HÀ GIANG")
    assert "profile.organisation_mismatch" not in _keys(same)


@pytest.mark.attack
@pytest.mark.parametrize(
    ("attack", "outcome", "key"),
    [
        (attacks.signed_range_flip, HASH, "signature.hash_mismatch"),
        (attacks.incremental_content_change, FORMAT, "modification.other"),
        (attacks.added_page, FORMAT, "modification.other"),
        # an opaque annotation over the whole page (issue 12 §3: annotations are permitted, an overlay is not)
        (attacks.overlay_annotation, FORMAT, "modification.other"),
        # bytes after the last revision that form no update: covered by no signature, so never passed
        (attacks.append_garbage, UNSIGNED_TAIL, "document.unsigned_tail"),
    ],
    ids=["byte-flip-in-signed-range", "incremental-saving", "added-page", "overlay-annotation", "appended-garbage"],
)
def test_attacks_fail(signed_two: bytes, verifier_for: Build, attack: Callable[[bytes], bytes],
                      outcome: tuple[Indication, SubIndication], key: str) -> None:
    report = _attacked(verifier_for(), signed_two, attack(signed_two))
    assert _outcome(report) == outcome, report.problems()
    assert key in _keys(report)


@pytest.mark.attack
def test_overlay_annotation_fails_whatever_the_annotation_policy(signed_two: bytes, verifier_for: Build) -> None:
    strict = verifier_for(policy=VerifyPolicy(allow_annotations=False))
    report = _attacked(strict, signed_two, attacks.overlay_annotation(signed_two))
    assert _outcome(report) == FORMAT and "modification.other" in _keys(report)


def test_filling_reserved_field_is_permitted_but_replacing_is_not(vpki: VerifyPKI, verifier_for: Build) -> None:
    empty = sign(make_pdf(form_field="so_ky_hieu", form_value=None), vpki.person, vpki, field="edoc.sig.person")
    filled = attacks.set_field_value(empty, "so_ky_hieu", "15/QĐ-UBND")
    ok = verifier_for().verify_pdf(filled)
    assert ok.verdict is Indication.TOTAL_PASSED, [m.key for m in ok.signatures[0].messages]
    assert ok.signatures[0].modifications.level == "form_filling"  # type: ignore[union-attr]

    prefilled = sign(make_pdf(form_field="so_ky_hieu"), vpki.person, vpki, field="edoc.sig.person")
    shadow = attacks.set_field_value(prefilled, "so_ky_hieu", "99/QĐ-UBND")
    bad = _attacked(verifier_for(), prefilled, shadow)
    assert _outcome(bad) == FORMAT
    assert "modification.other" in _keys(bad)


def test_sha1_and_small_rsa_are_crypto_constraints(vpki: VerifyPKI, verifier_for: Build) -> None:
    sha1 = verifier_for().verify_pdf(sign(make_pdf(), vpki.person, vpki, md="sha1"))
    assert sha1.verdict is Indication.INDETERMINATE
    assert sha1.subindication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    weak = verifier_for().verify_pdf(sign(make_pdf(), vpki.weak, vpki))
    assert weak.subindication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert "algorithm.weak_key" in _keys(weak)
    tuned = verifier_for(policy=VerifyPolicy(min_rsa_bits=1024)).verify_pdf(sign(make_pdf(), vpki.weak, vpki))
    assert tuned.verdict is Indication.TOTAL_PASSED


def test_expired_certificate_is_not_passed(vpki: VerifyPKI, verifier_for: Build) -> None:
    """EN 319 102-1: a certificate expired at the validation time, with no proof of existence of the signature
    before then, is INDETERMINATE/OUT_OF_BOUNDS_NO_POE."""
    report = verifier_for().verify_pdf(sign(make_pdf(), vpki.expired, vpki))
    assert _outcome(report) == (I, SubIndication.OUT_OF_BOUNDS_NO_POE) and "cert.expired" in _keys(report)
    doc = sign(make_pdf(), vpki.person, vpki)
    assert _outcome(verifier_for().verify_pdf(doc)) == (Indication.TOTAL_PASSED, None)
    later = verifier_for(at=NOW + timedelta(days=3650)).verify_pdf(doc)
    assert _outcome(later) == (I, SubIndication.OUT_OF_BOUNDS_NO_POE) and "cert.expired" in _keys(later)


def test_unsigned_pdf(verifier_for: Build) -> None:
    report = verifier_for().verify_pdf(make_pdf(sig_fields=()))
    assert report.verdict is Indication.INDETERMINATE
    assert report.subindication is SubIndication.SIGNED_DATA_NOT_FOUND
    assert "document.no_signature" in _keys(report)


@pytest.mark.parametrize(
    "data",
    [b"", b"not a pdf", b"%PDF-1.7\n", b"%PDF-1.7\n" + b"\x00" * 4096, b"%PDF-1.4\n1 0 obj <<" * 2000,
     b"%PDF-1.7\n1 0 obj\n" + b"[" * 100_000 + b"\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
     b"%PDF-1.7\n1 0 obj << /Length 99999999999 >> stream\nxx\nendstream endobj\n"
     b"trailer << /Root 1 0 R /Size 2 >>\nstartxref\n9\n%%EOF\n"],
    ids=["empty", "text", "header-only", "zeros", "unclosed-dicts", "deep-nesting", "huge-length"],
)
@pytest.mark.attack
def test_malformed_input_fails_cleanly(data: bytes, verifier_for: Build) -> None:
    report = verifier_for().verify_pdf(data)
    assert _outcome(report) == FORMAT
    assert "document.unreadable" in _keys(report)


@pytest.mark.attack
def test_truncated_signed_pdf(signed_two: bytes, verifier_for: Build) -> None:
    report = _attacked(verifier_for(), signed_two, signed_two[: len(signed_two) * 2 // 3])
    assert _outcome(report) == FORMAT and "document.unreadable" in _keys(report)


def test_size_guard(signed_two: bytes, verifier_for: Build) -> None:
    report = verifier_for(policy=VerifyPolicy(max_bytes=100)).verify_pdf(signed_two)
    assert report.verdict is Indication.INDETERMINATE
    assert "document.too_large" in _keys(report)


def test_wall_clock_guard_returns_indeterminate() -> None:
    import threading

    gate = threading.Event()
    report = _guarded(lambda: gate.wait(30), "slow.pdf", "pdf", 0.05)
    gate.set()
    assert report.verdict is Indication.INDETERMINATE
    assert "document.timeout" in _keys(report)


def test_unexpected_exception_becomes_indeterminate() -> None:
    def boom() -> DocumentReport:
        raise RuntimeError("bug")

    report = _guarded(boom, "x.pdf", "pdf", None)
    assert report.verdict is Indication.INDETERMINATE
    assert "document.internal_error" in _keys(report)


def test_strict_mode(signed_two: bytes, verifier_for: Build) -> None:
    from edoc.verify import VerificationFailed

    good = verifier_for().verify_pdf(signed_two)
    assert good.raise_for_problems() is good
    bad = verifier_for().verify_pdf(attacks.signed_range_flip(signed_two))
    assert _outcome(bad) == HASH
    with pytest.raises(VerificationFailed) as info:
        bad.raise_for_problems()
    assert info.value.report is bad and info.value.exit_code == 1
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("revoked", [False, True], ids=["good-crl", "revoked-crl"])
def test_revocation_from_embedded_dss(vpki: VerifyPKI, verifier_for: Build, signed_one: bytes,
                                      revoked: bool) -> None:
    from .conftest import add_dss, make_crl

    doc = add_dss(signed_one, make_crl(vpki, [vpki.person] if revoked else []))
    report = verifier_for().verify_pdf(doc)
    sig = report.signatures[0]
    if revoked:  # EN 319 102-1: revoked, and no proof that the signature existed before the revocation
        assert _outcome(report) == (I, SubIndication.REVOKED_NO_POE)
        assert sig.revocation is Check.FAILED and "revocation.revoked" in _keys(report)
    else:
        assert report.verdict is Indication.TOTAL_PASSED, [m.key for m in sig.messages]
        assert sig.revocation is Check.PASSED and "revocation.unchecked" not in _keys(report)
        assert sig.modifications is not None and sig.modifications.level == "lta_updates"


def test_signature_and_document_timestamps(vpki: VerifyPKI, verifier_for: Build) -> None:
    from .conftest import doc_timestamp

    doc = sign(make_pdf(), vpki.person, vpki, field="edoc.sig.person", with_timestamp=True)
    doc = doc_timestamp(doc, vpki)
    report = verifier_for().verify_pdf(doc)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    person, stamp = report.signatures
    assert person.timestamp_time == NOW - timedelta(minutes=5)
    assert person.modifications is not None and person.modifications.level == "lta_updates"
    assert stamp.role is SignatureRole.TIMESTAMP and stamp.timestamp_time is not None
    flipped = verifier_for().verify_pdf(attacks.append_garbage(doc))
    assert _outcome(flipped) == UNSIGNED_TAIL and "document.unsigned_tail" in _keys(flipped)


def test_revoked_before_a_trusted_timestamp_is_failed(vpki: VerifyPKI, verifier_for: Build) -> None:
    from .conftest import add_dss, make_crl

    doc = sign(make_pdf(), vpki.person, vpki, field="edoc.sig.person", with_timestamp=True)
    report = verifier_for().verify_pdf(add_dss(doc, make_crl(vpki, [vpki.person])))
    assert report.verdict is Indication.TOTAL_FAILED and report.subindication is SubIndication.REVOKED


@pytest.mark.attack
@pytest.mark.parametrize(
    ("forge", "outcome", "key"),
    [(lambda d: attacks.forge_byte_range(d, b"[0 0 0 0]"), HASH, "signature.byterange"),
     (lambda d: attacks.forge_byte_range(d, b"[0 100 200 300]"), HASH, "signature.byterange"),
     (lambda d: attacks.forge_byte_range(d, b"[]"), HASH, "signature.byterange"),
     (attacks.empty_contents, FORMAT, "signature.format")],
    ids=["byterange-zero", "byterange-elsewhere", "byterange-empty", "contents-zeroed"],
)
def test_universal_signature_forgery_fails(signed_one: bytes, verifier_for: Build, forge: Callable[[bytes], bytes],
                                           outcome: tuple[Indication, SubIndication], key: str) -> None:
    report = _attacked(verifier_for(), signed_one, forge(signed_one))
    assert _outcome(report) == outcome, report.problems()
    assert key in _keys(report)
