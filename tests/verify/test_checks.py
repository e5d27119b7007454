"""Checks beyond pyHanko's: revocation coverage, decompression bombs, the time an appendix or copy shows."""

from __future__ import annotations

import time
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from edoc.verify import Check, Indication, SubIndication, VerifyPolicy

from .conftest import NOW, VerifyPKI, add_dss, make_crl, make_pdf, sign

Build = Callable[..., Any]


def _keys(report: Any) -> set[str]:
    return {m.key for s in report.signatures for m in s.messages} | {m.key for m in report.messages}


# -- revocation coverage --------------------------------------------------------------------------------
def _foreign_crl(vpki: VerifyPKI) -> bytes:
    """A CRL of an unrelated issuer: revocation data that says nothing about our signers."""
    builder = (x509.CertificateRevocationListBuilder().issuer_name(vpki.other_root.cert.subject)
               .last_update(NOW - timedelta(days=1)).next_update(NOW + timedelta(days=30)))
    return builder.sign(vpki.other_root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def test_revocation_checked_only_when_the_embedded_data_covers_the_signer(
        vpki: VerifyPKI, verifier_for: Build, signed_one: bytes) -> None:
    covered = verifier_for(revocation_data=()).verify_pdf(add_dss(signed_one, make_crl(vpki, [])))
    assert covered.verdict is Indication.TOTAL_PASSED
    assert covered.signatures[0].revocation is Check.PASSED

    foreign = add_dss(signed_one, _foreign_crl(vpki))
    strict = verifier_for(revocation_data=()).verify_pdf(foreign)  # revocation required: the default
    assert (strict.verdict, strict.subindication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)
    assert strict.signatures[0].revocation is Check.UNKNOWN
    assert "revocation.unchecked" in _keys(strict)

    lenient = verifier_for(revocation_data=(), policy=VerifyPolicy(require_revocation=False)).verify_pdf(foreign)
    assert lenient.verdict is Indication.TOTAL_PASSED  # the named opt-out: a warning, not a verdict
    assert lenient.signatures[0].revocation is Check.UNKNOWN


def test_b_b_document_offline_is_try_later_unless_revocation_is_given(
        vpki: VerifyPKI, verifier_for: Build, signed_one: bytes) -> None:
    report = verifier_for(revocation_data=()).verify_pdf(signed_one)
    assert (report.verdict, report.subindication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)
    unchecked = [m for m in report.signatures[0].messages if m.key == "revocation.unchecked"]
    assert unchecked and unchecked[0].level.name == "ERROR"
    assert "Nguyễn Văn An" in unchecked[0].text("en") and "without --offline" in unchecked[0].text("en")
    lenient = verifier_for(revocation_data=(), policy=VerifyPolicy(require_revocation=False)).verify_pdf(signed_one)
    assert lenient.verdict is Indication.TOTAL_PASSED
    # the same document with a current CRL given (a mirror, a download elsewhere): checked, passed
    given = verifier_for(revocation_data=[make_crl(vpki, [])]).verify_pdf(signed_one)
    assert given.verdict is Indication.TOTAL_PASSED and given.signatures[0].revocation is Check.PASSED
    revoked = verifier_for(revocation_data=[make_crl(vpki, [vpki.person])]).verify_pdf(signed_one)
    assert revoked.verdict is not Indication.TOTAL_PASSED and revoked.signatures[0].revocation is Check.FAILED


def test_online_without_reachable_responder_is_try_later(verifier_for: Build, signed_one: bytes) -> None:
    # the test certificates point at http://127.0.0.1:9/root.crl, where nothing listens
    report = verifier_for(online=True, revocation_data=()).verify_pdf(signed_one)
    assert (report.verdict, report.subindication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)
    assert "revocation.try_later" in _keys(report)
    assert report.signatures[0].integrity is Check.PASSED


# -- decompression bombs ----------------------------------------------------------------------------------
def _bomb(gib: int = 1) -> bytes:
    """FlateDecode data that inflates to ``gib`` GiB of zeros (~1 MiB per GiB; the final checksum is left
    out: a bounded reader stops long before it)."""
    block = b"\0" * (1 << 20)
    c = zlib.compressobj(9)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    return first + again * (1024 * gib - 1)


def _with_bomb_in_dss(data: bytes) -> bytes:
    """A DSS revision whose one certificate stream is a 1 GiB bomb."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    stream = generic.StreamObject({generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")},
                                  encoded_data=_bomb())
    dss = generic.DictionaryObject({generic.NameObject("/Certs"): generic.ArrayObject([w.add_object(stream)])})
    w.root[generic.NameObject("/DSS")] = w.add_object(dss)
    w.update_root()
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def _with_bomb_as_page_content(data: bytes) -> bytes:
    """An incremental update that makes page 1's content a 1 GiB bomb."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    page_ref = w.find_page_for_modification(0)[0]
    page = page_ref.get_object()
    stream = generic.StreamObject({generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")},
                                  encoded_data=_bomb())
    page[generic.NameObject("/Contents")] = w.add_object(stream)
    w.update_container(page)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("plant", "key"), [(_with_bomb_in_dss, "document.decode_limit"),
                                            (_with_bomb_as_page_content, "modification.other")],
                         ids=["dss", "page-content"])
def test_decompression_bomb_fails_in_bounded_memory_and_time(
        plant: Callable[[bytes], bytes], key: str, verifier_for: Build, signed_two: bytes) -> None:
    """A bomb the verification reads fails the file; one it never needs to inflate (a page's content) fails
    through the modification analysis."""
    doc = plant(signed_two)
    tracemalloc.start()
    started = time.monotonic()
    try:
        report = verifier_for().verify_pdf(doc)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 30
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert report.verdict is Indication.TOTAL_FAILED
    assert report.subindication is SubIndication.FORMAT_FAILURE
    assert key in _keys(report)


def test_bomb_in_signed_page_content_is_never_inflated(vpki: VerifyPKI, verifier_for: Build) -> None:
    """A bomb the verification has no reason to read (a page's content, signed as it is) is not inflated:
    the verdict follows the signatures, in bounded memory and time (see docs/verify.md)."""
    unsigned = _with_bomb_as_page_content(make_pdf())
    doc = sign(unsigned, vpki.person, vpki, field="edoc.sig.person")
    tracemalloc.start()
    started = time.monotonic()
    try:
        report = verifier_for().verify_pdf(doc)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 30
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert report.signatures and report.signatures[0].integrity is Check.PASSED


def test_bomb_in_a_signature_appearance_fails(vpki: VerifyPKI, verifier_for: Build) -> None:
    """A copy signature whose normal appearance is a bomb: reading the time it shows must not inflate it."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = sign(make_pdf(sig_fields=("edoc.sig.copy",)), vpki.agency, vpki, field="edoc.sig.copy")
    w = IncrementalPdfFileWriter(BytesIO(signed), strict=False)
    field = w.root["/AcroForm"]["/Fields"][0].get_object()
    while "/Kids" in field:
        field = field["/Kids"][0].get_object()
    bomb = generic.StreamObject({generic.NameObject("/Type"): generic.NameObject("/XObject"),
                                 generic.NameObject("/Subtype"): generic.NameObject("/Form"),
                                 generic.NameObject("/BBox"): generic.ArrayObject([generic.NumberObject(0)] * 4),
                                 generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")},
                                encoded_data=_bomb())
    field[generic.NameObject("/AP")] = generic.DictionaryObject({generic.NameObject("/N"): w.add_object(bomb)})
    w.mark_update(field.container_ref)
    out = BytesIO()
    w.write(out)
    report = verifier_for().verify_pdf(out.getvalue())
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert "document.decode_limit" in _keys(report)


# -- the time an appendix or copy shows ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def agency_session(vpki: VerifyPKI) -> Any:
    from edoc.sign import PdfSigningSession, file_signer

    return PdfSigningSession(file_signer(vpki.agency.cert, vpki.agency.key, (vpki.root.cert,)))


def test_appendix_and_copy_show_their_signing_time(agency_session: Any, verifier_for: Build) -> None:
    from edoc.sign import appendix, copy

    for doc in (appendix(make_pdf(sig_fields=()), session=agency_session, main_number="05/QĐ-UBND").data,
                copy(make_pdf(sig_fields=()), session=agency_session, form="SAO Y",
                     copying_body="Văn phòng UBND tỉnh").data):
        report = verifier_for().verify_pdf(doc)
        assert report.verdict is Indication.TOTAL_PASSED, report.problems()
        assert not _keys(report) & {"profile.shown_time_mismatch", "profile.shown_time_missing"}


@pytest.mark.parametrize(("text", "key"), [
    ("SAO Y\nVăn phòng UBND tỉnh\n2026-11-20T09:00:00+07:00", "profile.shown_time_mismatch"),
    ("SAO Y\nVăn phòng UBND tỉnh", "profile.shown_time_missing"),
])
def test_copy_showing_another_time_or_none_is_flagged(agency_session: Any, verifier_for: Build,
                                                      text: str, key: str) -> None:
    from edoc.sign import sign as sign_act

    doc = sign_act(make_pdf(sig_fields=()), session=agency_session, field_name="edoc.sig.copy", page=0,
                   rect=(400.0, 760.0, 580.0, 810.0), text=text).data
    report = verifier_for().verify_pdf(doc)
    assert report.verdict is Indication.TOTAL_PASSED  # a profile finding is a warning
    assert key in _keys(report)


def test_policy_guards_are_validated() -> None:
    from edoc.errors import InvalidInput

    with pytest.raises(InvalidInput):
        VerifyPolicy(max_stream_bytes=0)
