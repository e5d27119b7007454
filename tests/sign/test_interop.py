"""End to end with the renderer and the shared test PKI; independent verifiers (pdfsig/NSS, qpdf, PDF/A)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.diff_analysis import ModificationLevel

import needs
from edoc import pdf as render
from edoc import pdfa
from edoc.errors import InvalidInput
from edoc.sign import KeySessionFactory, PdfSigningSession, appendix, approve, copy, issue, sign

from ._support import SignPki, make_foreign_pdf, make_seal_png, make_signature_png, validate_all


def _rendered() -> bytes:
    from edoc.samples import thuan_nam_decision

    return render.render_bytes(thuan_nam_decision(numbered=False))


@pytest.fixture(scope="module")
def acts(sign_pki: SignPki) -> dict[str, bytes]:
    """Every act on a rendered document (and appendix/copy on separate files)."""
    person = PdfSigningSession(sign_pki.person.signer())
    agency = PdfSigningSession(sign_pki.agency.signer())
    rendered = _rendered()
    approved = approve(rendered, session=person, image=make_signature_png()).data
    issued = issue(approved, session=agency, seal=make_seal_png(), number=5, date=dt.date(2026, 1, 5)).data
    return {
        "rendered": rendered,
        "approved": approved,
        "issued": issued,
        "appendix": appendix(rendered, session=agency, main_number="05/QĐ-UBND").data,
        "copy": copy(rendered, session=agency, form="SAO Y", copying_body="Văn phòng UBND huyện").data,
        "plain": sign(rendered, session=person, page=0, rect=(60, 60, 220, 120), text="{signer}\n{time}").data,
    }


def test_rendered_issuance_order(acts: dict[str, bytes], sign_pki: SignPki) -> None:
    checks = validate_all(acts["issued"], sign_pki.root)
    assert [c.field for c in checks] == ["edoc.sig.person", "edoc.sig.agency"]
    assert all(c.intact and c.valid and c.trusted for c in checks)
    assert checks[0].modification == ModificationLevel.FORM_FILLING and checks[0].docmdp_ok
    with pytest.raises(InvalidInput, match="certified"):
        copy(acts["issued"], session=PdfSigningSession(sign_pki.agency.signer()), form="SAO Y", copying_body="X")


def test_rendered_places_are_filled(acts: dict[str, bytes]) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    fields = PdfReader(BytesIO(acts["issued"])).get_fields() or {}
    assert str(fields["edoc.number"]["/V"]) == "05"
    assert str(fields["edoc.date"]["/V"]) == "ngày 05 tháng 01 năm 2026"


@pytest.mark.tools
@needs.tools("qpdf")
def test_qpdf_check(acts: dict[str, bytes], tmp_path: Path) -> None:
    for name, data in acts.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        res = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, f"{name}: {res.stdout}{res.stderr}"


def test_still_pdfa_after_every_act(acts: dict[str, bytes]) -> None:
    before = {str(f) for f in pdfa.check_pdfa_bytes(acts["rendered"], name="rendered")}
    for name, data in acts.items():
        after = {str(f) for f in pdfa.check_pdfa_bytes(data, name="rendered")}
        assert after <= before, f"{name} added PDF/A findings: {sorted(after - before)}"
    assert not before, f"the renderer's own output has PDF/A findings: {sorted(before)}"


@pytest.fixture(scope="module")
def nss_db(sign_pki: SignPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs.require_tools("pdfsig", "certutil")
    folder = tmp_path_factory.mktemp("nss")
    root = folder / "root.pem"
    root.write_bytes(sign_pki.root.public_bytes(serialization.Encoding.PEM))
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True, timeout=60,
                   capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{folder}", "-n", "edoc-test-root", "-t", "CT,C,C", "-i",
                    str(root)], check=True, timeout=60, capture_output=True)
    return folder


@pytest.mark.tools
def test_pdfsig_valid_and_trusted(acts: dict[str, bytes], nss_db: Path, tmp_path: Path) -> None:
    expected = {"approved": 1, "issued": 2, "appendix": 1, "copy": 1, "plain": 1}
    for name, count in expected.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(acts[name])
        res = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss_db}", str(path)], capture_output=True, text=True,
                             timeout=60)
        out = res.stdout
        assert out.count("Signature is Valid.") == count, f"{name}: {out}{res.stderr}"
        assert out.count("Certificate is Trusted.") == count, f"{name}: {out}"


@pytest.mark.tools
def test_pdfsig_on_foreign_ecdsa_and_pss(sign_pki: SignPki, nss_db: Path, tmp_path: Path) -> None:
    from edoc.sign import Padding

    for i, signer in enumerate((sign_pki.person_ec.signer(), sign_pki.person.signer(padding=Padding.PSS))):
        path = tmp_path / f"{i}.pdf"
        path.write_bytes(sign(make_foreign_pdf(), session=PdfSigningSession(signer)).data)
        res = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss_db}", str(path)], capture_output=True, text=True,
                             timeout=60)
        assert "Signature is Valid." in res.stdout, res.stdout


@pytest.mark.softhsm
def test_issuance_order_token_person_p12_agency(pki: Any, pki_files: Path, softhsm: Any, frozen_now: Any) -> None:
    """render → approve (person, PKCS#11 token) → issue (agency, PKCS#12): both intact and trusted."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from pki import P12_PASSWORD, ROOTS

    person = KeySessionFactory(softhsm.uri("edoc-test", "signer-rsa"), pin=softhsm.pin).open()
    agency = KeySessionFactory(f"pkcs12:{pki_files / 'agency-rsa.p12'}", pin=P12_PASSWORD).open()
    try:
        approved = approve(_rendered(), session=person, image=make_signature_png()).data
        issued = issue(approved, session=agency, seal=make_seal_png(), number=1).data
    finally:
        person.backend.close()
        agency.backend.close()
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    roots: list[asn1_x509.Certificate] = [pki.cert(label) for label in ROOTS]
    sigs = PdfFileReader(BytesIO(issued)).embedded_signatures
    assert [s.field_name for s in sigs] == ["edoc.sig.person", "edoc.sig.agency"]
    for s in sigs:
        status = validate_pdf_signature(s, ValidationContext(trust_roots=roots, allow_fetching=False))
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    first = validate_pdf_signature(sigs[0], ValidationContext(trust_roots=roots))
    assert first.modification_level == ModificationLevel.FORM_FILLING


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_long_term_levels_with_live_pki(pki: Any, pki_files: Path, frozen_now: Any, level: str) -> None:
    """B-LT: the DSS holds the chain's certificates, OCSP responses and CRLs; B-LTA adds a document time-stamp."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    from pki import ARCH, P12_PASSWORD, ROOTS
    roots = [pki.cert(label) for label in ROOTS]
    session = KeySessionFactory(f"pkcs12:{pki_files / 'agency-rsa.p12'}", pin=P12_PASSWORD, level=level,
                                tsa_url=f"{pki.url_prefix}/{ARCH}/tsa/tsa").open(
                                    trust=roots, intermediates=[pki.cert("public-ca")])
    try:
        out = sign(make_foreign_pdf(), session=session).data
        sign(make_foreign_pdf(), session=session)  # a second document with the same session (event loops)
    finally:
        session.backend.close()
    reader = PdfFileReader(BytesIO(out))
    dss = reader.root["/DSS"]
    assert len(dss["/Certs"]) >= 3 and (len(dss.get("/OCSPs", [])) + len(dss.get("/CRLs", []))) >= 2
    assert len(reader.embedded_timestamp_signatures) == (1 if level == "B-LTA" else 0)
    # edoc's verifier, offline: it can only reach TOTAL_PASSED with the embedded revocation data
    from edoc.verify.pdf import verify_pdf
    from edoc.verify.report import Indication

    report = verify_pdf(out, trust=[r.dump() for r in roots], online=False)
    assert report.verdict is Indication.TOTAL_PASSED, report
