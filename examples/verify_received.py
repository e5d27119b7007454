"""Check a received document: sign a one-page PDF as the person then the agency (a throw-away test PKI whose
CA publishes a CRL; each signature carries it), verify it with edoc, print the Vietnamese and English
reports, and write the printable HTML report.

Run from the repository root: ``.venv/bin/python examples/verify_received.py``.
"""

import json
import logging
import tempfile
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fpdf import FPDF
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from edoc.verify import Indication, Verifier, to_html, to_json, to_text

NOW = datetime.now(timezone.utc)
logging.getLogger("pyhanko.sign.signers.pdf_signer").setLevel(logging.ERROR)  # "fetching is not allowed": no need
CRL_URL = "http://crl.example.invalid/demo-root.crl"  # where the certificates say the CRL is (never resolves)


def issue(cn: str, uid: str | None, org: str | None, issuer=None):
    """A certificate (and key) for the demo; real ones come from a licensed CA on a token."""
    key = ec.generate_private_key(ec.SECP256R1())
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    attrs += [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)] if org else []
    attrs += [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    attrs += [x509.NameAttribute(NameOID.USER_ID, uid)] if uid else []
    name = x509.Name(attrs)
    cert = (x509.CertificateBuilder().subject_name(name)
            .issuer_name(issuer[0].subject if issuer else name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=issuer is not None,
                                         content_commitment=issuer is not None, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         key_cert_sign=issuer is None, crl_sign=issuer is None,
                                         encipher_only=False, decipher_only=False), critical=True))
    if issuer is not None:  # the CA says where its CRL is; the signatures below carry that CRL
        cert = cert.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(CRL_URL)], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
    return cert.sign(issuer[1] if issuer else key, hashes.SHA256()), key


def crl_of(ca) -> asn1_crl.CertificateList:
    """The CA's current CRL (it revokes nobody)."""
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca[0].subject)
           .last_update(NOW - timedelta(minutes=5)).next_update(NOW + timedelta(days=30))
           .sign(ca[1], hashes.SHA256()))
    return asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))


def sign(pdf: bytes, who, root, field: str) -> bytes:
    """Sign with pyHanko; the signature carries the CA's CRL (its DSS), so it can be checked offline."""
    cert, key = who
    anchor = asn1_x509.Certificate.load(root[0].public_bytes(serialization.Encoding.DER))
    context = ValidationContext(trust_roots=[anchor], crls=[crl_of(root)], allow_fetching=False)
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(root[0].public_bytes(serialization.Encoding.DER))]))
    out = BytesIO()
    meta = signers.PdfSignatureMetadata(field_name=field, embed_validation_info=True, validation_context=context)
    signers.PdfSigner(meta, signer=signer).sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), output=out)
    return out.getvalue()


root = issue("Demo Root CA", None, "edoc demo")
person = issue("Nguyễn Văn An", "CCCD:001099012345", None, root)
agency = issue("Ủy ban nhân dân huyện Thuận Nam", "MST:4500123456", "Ủy ban nhân dân huyện Thuận Nam", root)

page = FPDF()
page.add_page()
page.set_font("helvetica", size=12)
page.cell(text="Quyet dinh so 05/QD-UBND")
w = IncrementalPdfFileWriter(BytesIO(bytes(page.output())))
for name in ("edoc.sig.person", "edoc.sig.agency"):  # both fields reserved before the first signature
    fields.append_signature_field(w, fields.SigFieldSpec(name))
buf = BytesIO()
w.write(buf)
document = sign(sign(buf.getvalue(), person, root, "edoc.sig.person"), agency, root, "edoc.sig.agency")

# one verifier serves a whole batch; offline is enough here: the revocation data travels in the signatures
# (online, the default, edoc would ask the CA only for what a document does not carry)
verifier = Verifier(trust=[root[0]], online=False)
report = verifier.verify_pdf(document, name="05-QD-UBND.pdf", issuing_body="UBND huyện Thuận Nam")
print(to_text(report))  # Vietnamese by default
print(to_text(report, "en"))
assert report.verdict is Indication.TOTAL_PASSED, report.problems()
assert all(s.revocation.value == "passed" for s in report.signatures)  # checked against the embedded CRL
assert [s.role.value for s in report.signatures] == ["person", "agency"]

at = len(document) // 4  # a byte inside the first signed revision (the page content is compressed)
tampered = document[:at] + bytes([document[at] ^ 0x20]) + document[at + 1:]
bad = verifier.verify_pdf(tampered, name="tampered.pdf")
print(json.dumps(json.loads(to_json(bad, "en")), ensure_ascii=False)[:300], "...")
assert bad.verdict is Indication.TOTAL_FAILED

with tempfile.TemporaryDirectory() as tmp:
    html = Path(tmp) / "report.html"
    html.write_text(to_html([report, bad]), encoding="utf-8")
    print("HTML report:", html.stat().st_size, "bytes")
