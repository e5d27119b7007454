"""The pre-signing certificate check (validity, key usage, algorithms, live OCSP/CRL) and certificate facts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from edoc.keys import (
    CertificateInfo,
    CertificateNotUsable,
    RevocationCheck,
    RevocationStatus,
    check_signing_certificate,
)
from pki import NOW, TestPKI


@pytest.mark.parametrize("label, reason", [
    ("expired", "expired"),
    ("not-yet-valid", "not_yet_valid"),
    ("wrong-ku", "key_usage"),
    ("rsa1024", "weak_key"),
    ("sha1", "weak_algorithm"),
])
def test_unusable_certificates(pki: TestPKI, label: str, reason: str) -> None:
    with pytest.raises(CertificateNotUsable) as info:
        check_signing_certificate(pki.cert(label), at=NOW)
    assert info.value.reason == reason
    assert info.value.message_vi


@pytest.mark.parametrize("label", ["person-rsa", "person-ec", "agency-rsa", "agency-ec"])
def test_good_signers_offline(pki: TestPKI, label: str) -> None:
    result = check_signing_certificate(pki.cert(label), at=NOW, revocation=RevocationCheck.HARD, offline=True)
    assert result.revocation is RevocationStatus.NOT_CHECKED and not result.warnings


def test_validity_edges(pki: TestPKI) -> None:
    cert = pki.cert("person-rsa")
    info = CertificateInfo.from_cert(cert)
    check_signing_certificate(cert, at=info.not_after)
    with pytest.raises(CertificateNotUsable):
        check_signing_certificate(cert, at=info.not_after + timedelta(seconds=1))
    with pytest.raises(ValueError, match="timezone"):
        check_signing_certificate(cert, at=NOW.replace(tzinfo=None))


@pytest.mark.parametrize("label", ["person-rsa", "agency-ec", "revoked-late"])
def test_live_ocsp_good(pki: TestPKI, frozen_now: Any, label: str) -> None:
    result = check_signing_certificate(pki.cert(label), chain=pki.chain(label), revocation=RevocationCheck.HARD)
    assert result.revocation is RevocationStatus.GOOD


def test_live_ocsp_revoked_before_signing_time(pki: TestPKI, frozen_now: Any) -> None:
    with pytest.raises(CertificateNotUsable) as info:
        check_signing_certificate(pki.cert("revoked-early"), chain=pki.chain("revoked-early"),
                                  revocation=RevocationCheck.SOFT)
    assert info.value.reason == "revoked"


def test_revoked_after_signing_time_is_revoked_later(pki: TestPKI) -> None:
    import time_machine

    with time_machine.travel(NOW.replace(year=2027, month=6), tick=True):
        with pytest.raises(CertificateNotUsable) as info:
            check_signing_certificate(pki.cert("revoked-late"), chain=pki.chain("revoked-late"),
                                      revocation=RevocationCheck.HARD)
    assert info.value.reason == "revoked"


def test_unreachable_revocation_soft_and_hard(pki: TestPKI, frozen_now: Any) -> None:
    from pki import TestPKI as Fresh

    elsewhere = Fresh("http://127.0.0.1:9")  # nothing listens on the discard port
    cert, chain = elsewhere.cert("person-rsa"), elsewhere.chain("person-rsa")
    soft = check_signing_certificate(cert, chain=chain, revocation=RevocationCheck.SOFT, timeout=2)
    assert soft.revocation is RevocationStatus.UNKNOWN and soft.warnings
    with pytest.raises(CertificateNotUsable) as info:
        check_signing_certificate(cert, chain=chain, revocation=RevocationCheck.HARD, timeout=2)
    assert info.value.reason == "revocation_unknown"


def test_crl_is_served(pki: TestPKI) -> None:
    import requests
    from asn1crypto import crl

    url = pki.cert("person-rsa").crl_distribution_points[0].url
    assert url.startswith("http://127.0.0.1:")
    listed = crl.CertificateList.load(requests.get(url, timeout=5).content)
    serials = {entry["user_certificate"].native for entry in listed["tbs_cert_list"]["revoked_certificates"]}
    assert 1203 in serials  # revoked-early


def test_certificate_facts(pki: TestPKI) -> None:
    agency = CertificateInfo.from_cert(pki.cert("agency-rsa"))
    assert agency.organization == "Ủy ban nhân dân huyện Thuận Nam"
    assert agency.subject_common_name == "Ủy ban nhân dân huyện Thuận Nam"
    assert agency.tax_code == "4500123456" and agency.id_number is None
    assert agency.identifiers == ("MST:4500123456",)
    assert agency.issuer_common_name == "CA phục vụ các cơ quan Nhà nước G2 (THỬ NGHIỆM)"
    assert (agency.key_type, agency.key_size, agency.key) == ("RSA", 2048, "RSA-2048")
    assert agency.policies == ("2.16.704.1.1.1.1.1",)
    assert agency.serial_number == f"{2101:X}"
    assert "digital_signature" in agency.key_usage and "non_repudiation" in agency.key_usage
    assert "ST=Ninh Thuận" in agency.subject and agency.subject.startswith("UID=MST:4500123456, CN=")
    person = CertificateInfo.from_cert(pki.cert_crypto("person-ec"))
    assert person.id_number == "079190001234" and person.key == "EC-P-256" and person.key_size == 256
    assert CertificateInfo.from_cert(pki.cert("expired")).id_number == "123456789"  # CMND
    assert len(person.sha256_fingerprint) == 95
