"""``online=True``: OCSP/CRL fetched from the shared test PKI's live services on 127.0.0.1 (tests/pki)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest

from edoc.verify import Check, Indication, SubIndication, Verifier
from pki import NOW as PKI_NOW

from .conftest import make_pdf


def _sign(pki: Any, label: str) -> bytes:
    from asn1crypto import keys as asn1_keys
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = asn1_keys.PrivateKeyInfo.load(pki.private_key(label).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    signer = signers.SimpleSigner(signing_cert=pki.cert(label), signing_key=key,
                                  cert_registry=SimpleCertificateStore.from_certs(pki.chain(label)))
    out = BytesIO()
    signers.PdfSigner(signers.PdfSignatureMetadata(field_name="edoc.sig.person"), signer=signer).sign_pdf(
        IncrementalPdfFileWriter(BytesIO(make_pdf())), output=out)
    return out.getvalue()


@pytest.mark.parametrize(("label", "revoked"), [("person-ec", False), ("revoked-early", True)])
def test_online_revocation(pki: Any, label: str, revoked: bool) -> None:
    doc = _sign(pki, label)
    offline = Verifier(trust=[pki.root(label)], at=PKI_NOW, online=False).verify_pdf(doc)
    online = Verifier(trust=[pki.root(label)], at=PKI_NOW, online=True).verify_pdf(doc)
    if revoked:
        # EN 319 102-1: revoked, no proof that the signature existed before the revocation
        assert (online.verdict, online.subindication) == (Indication.INDETERMINATE, SubIndication.REVOKED_NO_POE)
        assert online.signatures[0].revocation is Check.FAILED
    else:
        assert online.verdict is Indication.TOTAL_PASSED, online.problems()
        assert online.signatures[0].revocation is Check.PASSED
    assert offline.signatures[0].revocation is Check.UNKNOWN  # offline, nothing embedded: not known
    assert offline.verdict is Indication.INDETERMINATE and offline.subindication is SubIndication.TRY_LATER
    default = Verifier(trust=[pki.root(label)], at=PKI_NOW).verify_pdf(doc)  # online is the default
    assert default.signatures[0].revocation is online.signatures[0].revocation


def test_online_without_reachable_revocation_service_is_indeterminate(signed_one: bytes, vpki: Any) -> None:
    from .conftest import NOW

    # the test certificates point at http://127.0.0.1:9/root.crl, where nothing listens
    report = Verifier(trust=[vpki.root.cert], at=NOW).verify_pdf(signed_one)  # online: the default
    assert report.verdict is Indication.INDETERMINATE


def test_one_online_verifier_serves_a_batch_of_signers(pki: Any) -> None:
    """Documents of several signers (each fetching its own revocation data) through one verifier: every
    document runs in an event loop of its own, so fetching must not depend on the first one's loop."""
    labels = ("person-ec", "person-rsa", "agency-rsa", "agency-ec")
    verifier = Verifier(trust=[pki.root(label) for label in labels], at=PKI_NOW, online=True)
    for label in labels:
        report = verifier.verify_pdf(_sign(pki, label))
        assert report.verdict is Indication.TOTAL_PASSED, (label, report.problems())
        assert report.signatures[0].revocation is Check.PASSED
