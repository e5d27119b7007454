"""End to end with the signing acts of :mod:`edoc.sign`: approve → issue, appendix, copy, then verify."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from edoc.verify import Indication, SignatureRole, SubIndication
from sign import _support as support

from . import attacks
from .conftest import VerifyPKI, make_crl

Build = Callable[..., Any]


@pytest.fixture(scope="module")
def sessions(vpki: VerifyPKI) -> tuple[Any, Any]:
    from edoc.sign import PdfSigningSession, file_signer

    return (PdfSigningSession(file_signer(vpki.person.cert, vpki.person.key, (vpki.root.cert,))),
            PdfSigningSession(file_signer(vpki.agency.cert, vpki.agency.key, (vpki.root.cert,))))


@pytest.fixture(scope="module")
def issued(sessions: tuple[Any, Any]) -> bytes:
    from edoc.sign import approve, issue

    person, agency = sessions
    approved = approve(support.make_foreign_pdf(), session=person, image=support.make_signature_png()).data
    return issue(approved, session=agency, seal=support.make_seal_png(36.0), number=5,  # type: ignore[no-any-return]
                 date=dt.date(2026, 1, 5)).data


def _verifier(vpki: VerifyPKI) -> Any:
    """Offline, with a current CRL of the test root (revocation checked, no network)."""
    from edoc.verify import Verifier

    return Verifier(trust=[vpki.root.cert], online=False, revocation_data=[make_crl(vpki, [])])


def test_issued_document_passes_with_roles(issued: bytes, vpki: VerifyPKI) -> None:

    report = _verifier(vpki).verify_pdf(issued, issuing_body="UBND tỉnh Hà Giang")
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    person, agency = report.signatures
    assert (person.role, agency.role) == (SignatureRole.PERSON, SignatureRole.AGENCY)
    assert person.modifications is not None and person.modifications.level == "form_filling"
    keys = {m.key for s in report.signatures for m in s.messages}
    assert not keys & {"profile.order", "profile.time_order", "profile.organisation_mismatch",
                        "profile.number_missing", "profile.date_missing"}


@pytest.mark.attack
def test_changing_the_number_after_issue_fails(issued: bytes, vpki: VerifyPKI) -> None:
    from edoc.sign import FIELD_NUMBER

    forged = attacks.set_field_value(issued, FIELD_NUMBER, "99")
    verifier = _verifier(vpki)
    assert verifier.verify_pdf(issued).verdict is Indication.TOTAL_PASSED
    report = verifier.verify_pdf(forged)
    assert (report.verdict, report.subindication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert report.signatures[1].indication is Indication.TOTAL_FAILED


def test_appendix_and_copy_acts(sessions: tuple[Any, Any], vpki: VerifyPKI) -> None:
    from edoc.sign import CopyForm, appendix, copy

    _, agency = sessions
    verifier = _verifier(vpki)
    source = support.make_foreign_pdf()
    app = verifier.verify_pdf(appendix(source, session=agency, main_number="05/QĐ-UBND").data)
    assert app.verdict is Indication.TOTAL_PASSED and app.signatures[0].role is SignatureRole.APPENDIX
    form = next(iter(CopyForm))
    cp = verifier.verify_pdf(copy(source, session=agency, form=form, copying_body="Văn phòng UBND tỉnh").data)
    assert cp.verdict is Indication.TOTAL_PASSED and cp.signatures[0].role is SignatureRole.COPY


def test_agency_signature_without_number_is_flagged(sessions: tuple[Any, Any], vpki: VerifyPKI) -> None:
    from edoc.sign import approve, sign

    person, agency = sessions
    approved = approve(support.make_foreign_pdf(), session=person, image=support.make_signature_png()).data
    signed = sign(approved, session=agency, field_name="edoc.sig.agency").data
    report = _verifier(vpki).verify_pdf(signed)
    keys = {m.key for s in report.signatures for m in s.messages}
    assert {"profile.number_missing", "profile.date_missing"} <= keys
