"""The one pyHanko adapter: PAdES signatures made through any backend validate with pyHanko."""

from __future__ import annotations

import io
from typing import Any

import pytest

from edoc.keys import RSA_PKCS1_SHA256, open_key
from pki import TestPKI


def _blank_pdf() -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    w = PdfFileWriter()

    page = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
    })
    w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _sign_and_validate(key: Any, pki: TestPKI, algorithm: Any = None) -> Any:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    signer = key.pyhanko_signer(algorithm=algorithm)
    meta = signers.PdfSignatureMetadata(field_name="Sig1", md_algorithm="sha256")
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(_blank_pdf())), meta, signer=signer)
    root = key.chain[-1]
    embedded = PdfFileReader(out).embedded_signatures[0]
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root], allow_fetching=False,
                                                                revocation_mode="soft-fail"))
    return status, embedded.signer_info


def test_pades_through_every_backend(any_key: tuple[str, str | None], pki: TestPKI, frozen_now: Any) -> None:
    uri, pin = any_key
    with open_key(uri, pin=pin) as key:
        status, signer_info = _sign_and_validate(key, pki)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.signing_cert.dump() == key.certificate.dump()
        expected = key.default_algorithm.cms_signature_algorithm()["algorithm"].native
        assert signer_info["signature_algorithm"]["algorithm"].native == expected


def test_pades_rsa_pkcs1(pki: TestPKI, pki_files: Any, frozen_now: Any) -> None:
    from pki import pem_uri

    with open_key(pem_uri(pki_files, "person-rsa")) as key:
        status, signer_info = _sign_and_validate(key, pki, RSA_PKCS1_SHA256)
        assert status.valid and status.trusted
        assert signer_info["signature_algorithm"]["algorithm"].native == "sha256_rsa"


def test_digest_mismatch_is_refused(pki_files: Any) -> None:
    import asyncio

    from edoc.keys import AlgorithmRefused
    from pki import pem_uri

    with open_key(pem_uri(pki_files, "person-rsa")) as key:
        signer = key.pyhanko_signer()
        assert asyncio.run(signer.async_sign_raw(b"x", "sha256", dry_run=True)) == bytes(256)
        with pytest.raises(AlgorithmRefused, match="sha384"):
            asyncio.run(signer.async_sign_raw(b"x", "sha384"))
