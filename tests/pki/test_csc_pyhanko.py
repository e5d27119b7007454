"""The CSC test service driven by an independent client, pyHanko's ``CSCSigner``: PDFs it signs verify with
edoc's verifier and with poppler's pdfsig (the test root trusted through an NSS database).

pyHanko's client was written for CSC API 1.0.4 and leaves OAuth2 and ``credentials/authorize`` to its user:
``V2Signer`` renames the two signHash fields that v2 renamed (``hash`` → ``hashes``, ``hashAlgo`` →
``hashAlgorithmOID``) and ``PinOtpAuthorization`` asks for the OTP (``credentials/sendOTP``), reads it from
the service's "phone" and authorizes with v2 ``authData``.
"""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)

import needs
from edoc.verify import Indication, Verifier
from pki.csc import CLIENT_ID, CLIENT_SECRET, PIN, SHA256, USERS, Credential, CSCService


class V2Signer(CSCSigner):  # type: ignore[misc]
    """pyHanko's CSCSigner with the signHash field names of CSC API v2."""

    async def format_csc_signing_req(self, tbs_hashes: list[str], digest_algorithm: str) -> dict[str, Any]:
        request: dict[str, Any] = await super().format_csc_signing_req(tbs_hashes, digest_algorithm)
        request["hashes"] = request.pop("hash")
        request["hashAlgorithmOID"] = request.pop("hashAlgo")
        return request


class PinOtpAuthorization(CSCAuthorizationManager):  # type: ignore[misc]
    """``credentials/authorize`` with the PIN and the OTP the service sent, for exactly the hashes to sign."""

    def __init__(self, session_info: CSCServiceSessionInfo, credential_info: Any, http: aiohttp.ClientSession,
                 read_otp: Callable[[], str | None], pin: str = PIN) -> None:
        super().__init__(session_info, credential_info)
        self.http, self.read_otp, self.pin = http, read_otp, pin

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        info = self.csc_session_info
        async with self.http.post(info.endpoint_url("credentials/sendOTP"), headers=self.auth_headers,
                                  json={"credentialID": info.credential_id}, raise_for_status=True):
            pass
        otp = self.read_otp()
        assert otp is not None
        request = {"credentialID": info.credential_id, "numSignatures": len(hash_b64s), "hashes": hash_b64s,
                   "hashAlgorithmOID": SHA256,
                   "authData": [{"id": "PIN", "value": self.pin}, {"id": "OTP", "value": otp}]}
        async with self.http.post(info.endpoint_url("credentials/authorize"), headers=self.auth_headers,
                                  json=request, raise_for_status=True) as response:
            return self.parse_csc_auth_response(await response.json())


def _pdf(text: str = "Văn bản thử nghiệm") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, text.encode("ascii", "replace").decode())
    return bytes(pdf.output())


async def _token(http: aiohttp.ClientSession, service: CSCService, user: str | None) -> str:
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    if user is not None:
        form.update(grant_type="password", username=user, password=USERS[user])
    async with http.post(service.token_url, data=form, raise_for_status=True) as response:
        return str((await response.json())["access_token"])


async def _sign_with_pyhanko(service: CSCService, credential: str, documents: list[bytes], *, user: str | None = None,
                             prefer_pss: bool = False, ssl_context: ssl.SSLContext | None = None) -> list[bytes]:
    """Sign ``documents`` with one CSCSigner whose batch is the whole list (one authorization, one signHash)."""
    connector = aiohttp.TCPConnector(ssl=ssl_context) if ssl_context is not None else None
    async with aiohttp.ClientSession(connector=connector) as http:
        session_info = CSCServiceSessionInfo(service.root, credential, oauth_token=await _token(http, service, user),
                                             api_ver="v2")
        credential_info = await fetch_certs_in_csc_credential(http, session_info)
        auth = PinOtpAuthorization(session_info, credential_info, http, lambda: service.last_otp(credential))
        signer = V2Signer(http, auth, prefer_pss=prefer_pss, batch_size=len(documents))

        async def one(data: bytes, index: int) -> bytes:
            out = BytesIO()
            meta = signers.PdfSignatureMetadata(field_name=f"Signature{index}")
            await signers.PdfSigner(meta, signer=signer).async_sign_pdf(IncrementalPdfFileWriter(BytesIO(data)),
                                                                        output=out)
            return out.getvalue()

        return list(await asyncio.gather(*(one(d, i) for i, d in enumerate(documents))))


CASES = [("person-rsa", False, "an"), ("person-ec", False, "binh"), ("agency-rsa", True, None)]


@pytest.mark.parametrize(("credential", "pss", "user"), CASES, ids=["rsa-pkcs1-password", "ecdsa-password",
                                                                    "rsa-pss-client-credentials"])
def test_pyhanko_signs_through_the_service_and_edoc_verifies(pki: Any, csc: CSCService, credential: str, pss: bool,
                                                             user: str | None) -> None:
    (signed,) = asyncio.run(_sign_with_pyhanko(csc, credential, [_pdf()], user=user, prefer_pss=pss))
    report = Verifier(trust=[pki.root(credential)], online=True).verify_pdf(signed)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    assert csc.counts() == {"oauth2/token": 1, "credentials/info": 1, "credentials/sendOTP": 1,
                            "credentials/authorize": 1, "signatures/signHash": 1}
    from pyhanko.pdf_utils.reader import PdfFileReader

    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    mechanism = embedded.signer_info["signature_algorithm"]["algorithm"].native
    assert mechanism == {"person-rsa": "sha256_rsa", "person-ec": "sha256_ecdsa", "agency-rsa": "rsassa_pss"}[
        credential]
    assert embedded.signer_cert.dump() == pki.cert(credential).dump()


def test_a_batch_of_documents_is_one_authorization_and_one_sign_hash(pki: Any, csc: CSCService) -> None:
    documents = [_pdf(f"Document {i}") for i in range(5)]
    signed = asyncio.run(_sign_with_pyhanko(csc, "agency-ec", documents))
    verifier = Verifier(trust=[pki.root("agency-ec")], online=True)
    for data in signed:
        report = verifier.verify_pdf(data)
        assert report.verdict is Indication.TOTAL_PASSED, report.problems()
    counts = csc.counts()
    assert counts["credentials/authorize"] == 1 and counts["signatures/signHash"] == 1, counts


def test_a_batch_above_multisign_is_refused_at_authorization(csc: CSCService) -> None:
    """pyHanko does not cut a batch by the credential's ``multisign``: the service refuses the authorization."""
    csc.set_credential("agency-ec", multisign=2)
    with pytest.raises(SigningError):
        asyncio.run(_sign_with_pyhanko(csc, "agency-ec", [_pdf(), _pdf(), _pdf()]))
    counts = csc.counts()
    assert counts["credentials/authorize"] == 1 and "signatures/signHash" not in counts, counts


def test_pyhanko_over_https_needs_the_test_ca(pki: Any, csc_https: CSCService, csc_tls: Any) -> None:
    with pytest.raises(aiohttp.ClientConnectorCertificateError):  # the system's CAs do not include the test CA
        asyncio.run(_sign_with_pyhanko(csc_https, "person-rsa", [_pdf()], ssl_context=ssl.create_default_context()))
    (signed,) = asyncio.run(_sign_with_pyhanko(csc_https, "person-rsa", [_pdf()],
                                               ssl_context=csc_tls.client_context()))
    report = Verifier(trust=[pki.root("person-rsa")], online=True).verify_pdf(signed)
    assert report.verdict is Indication.TOTAL_PASSED, report.problems()


def _nss_db(folder: Path, roots: list[Any]) -> Path:
    needs.require_tools("pdfsig", "certutil")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True, timeout=60,
                   capture_output=True)
    for i, root in enumerate(roots):
        pem = folder / f"root{i}.pem"
        pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
        subprocess.run(["certutil", "-A", "-d", f"sql:{folder}", "-n", f"root{i}", "-t", "CT,C,C", "-i", str(pem)],
                       check=True, timeout=60, capture_output=True)
    return folder


def _pdfsig(nss: Path, data: bytes, path: Path) -> str:
    path.write_bytes(data)
    res = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True, text=True, timeout=60)
    return res.stdout + res.stderr


@pytest.fixture(scope="module")
def nss_plain(pki: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Credential]]:
    """Credentials with the test PKI's person keys under certificates of a root without AIA/CRL distribution
    points, and an NSS database trusting that root.

    Why not the certomancer certificates: poppler 22.12's pdfsig reads NSS's last error even after
    ``CERT_PKIXVerifyCert`` succeeded, and NSS leaves one behind when an OCSP URL is in the certificate (it tries
    GET, which certomancer's responder does not serve, before POST): a valid chain then shows "Unknown issue
    with Certificate". Certificates without AIA/CDP (as the other pdfsig tests use) avoid that path.
    """
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = datetime.now(timezone.utc)
    root_key = rsa.generate_private_key(65537, 2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                           x509.NameAttribute(NameOID.COMMON_NAME, "edoc CSC pdfsig root (THỬ NGHIỆM)")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=30)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .sign(root_key, hashes.SHA256()))
    credentials = []
    for label, owner in (("person-rsa", "an"), ("person-ec", "binh")):
        key = pki.private_key(label)
        cert = (x509.CertificateBuilder().subject_name(pki.cert_crypto(label).subject).issuer_name(root_name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=30)).not_valid_after(now + timedelta(days=365))
                .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                               critical=True)
                .sign(root_key, hashes.SHA256()))
        credentials.append(Credential(f"nss-{label}", label, owner, key=key, certificate=cert, chain=(root,)))
    return _nss_db(tmp_path_factory.mktemp("nss-csc"), [root]), credentials


@pytest.mark.tools
@pytest.mark.parametrize(("label", "pss"), [("person-rsa", False), ("person-ec", False), ("person-rsa", True)],
                         ids=["rsa-pkcs1", "ecdsa", "rsa-pss"])
def test_pdfsig_verifies_and_trusts_what_pyhanko_signed_through_the_service(
        pki: Any, nss_plain: tuple[Path, list[Credential]], tmp_path: Path, label: str, pss: bool) -> None:
    nss, credentials = nss_plain
    with CSCService(pki, credentials=credentials) as service:
        (signed,) = asyncio.run(_sign_with_pyhanko(service, f"nss-{label}", [_pdf()], prefer_pss=pss))
    out = _pdfsig(nss, signed, tmp_path / "signed.pdf")
    assert "Signature is Valid." in out and "Certificate is Trusted." in out, out
    # pdfsig is not just agreeing: without the root it does not trust, and a changed byte breaks the signature
    untrusting = _nss_db(tmp_path / "nss-empty", [])
    assert "Certificate is Trusted." not in _pdfsig(untrusting, signed, tmp_path / "untrusted.pdf")
    tampered = signed.replace(b"/Type /Page", b"/Type /Xage", 1)
    assert tampered != signed
    assert "Signature is Valid." not in _pdfsig(nss, tampered, tmp_path / "tampered.pdf")


@pytest.mark.tools
@pytest.mark.parametrize(("credential", "pss", "user"), CASES, ids=["rsa-pkcs1", "ecdsa", "rsa-pss"])
def test_pdfsig_verifies_the_signature_made_with_the_test_pki_certificates(
        pki: Any, csc: CSCService, tmp_path: Path, credential: str, pss: bool, user: str | None) -> None:
    """The certomancer certificates (with AIA/CDP): pdfsig checks the signature value; trust is asserted above."""
    (signed,) = asyncio.run(_sign_with_pyhanko(csc, credential, [_pdf()], user=user, prefer_pss=pss))
    nss = _nss_db(tmp_path / "nss", [pki.cert_crypto(pki.chain_labels(credential)[-1])])
    out = _pdfsig(nss, signed, tmp_path / "signed.pdf")
    assert "Signature is Valid." in out, out
    common_name = pki.cert_crypto(credential).subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert f"Signer Certificate Common Name: {common_name}" in out, out
