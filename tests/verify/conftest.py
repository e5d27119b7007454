"""A small test PKI and signed PDFs, made at test time, for the verification tests.

This module builds its own small PKI with ``cryptography`` (fixture ``vpki``; the shared certomancer PKI of
``tests/pki`` is the ``pki`` fixture, with live services, not needed here): a root,
a person certificate (``UID=CCCD:…``), an agency certificate (``O`` + ``UID=MST:…``), a 1024-bit RSA
certificate (weak), an expired one, and an unrelated root. The clock is frozen at :data:`NOW`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

import needs

from . import fuzzing

ROOT = Path(__file__).resolve().parents[2]
CORPUS = needs.SHARED / "corpora" / "dss"
NOW = datetime(2026, 11, 26, 7, 0, tzinfo=timezone.utc)

logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Identity:
    """A certificate with its private key, in both cryptography and asn1crypto form."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @property
    def asn1_cert(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))

    @property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(self.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def _name(cn: str, org: str | None = None, uid: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    if uid:
        attrs.append(x509.NameAttribute(NameOID.USER_ID, uid))
    return x509.Name(attrs)


def _issue(subject: x509.Name, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
           issuer: Identity | None, *, ca: bool, start: datetime, days: int, tsa: bool = False) -> Identity:
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer.cert.subject if issuer else subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(start)
               .not_valid_after(start + timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),  # type: ignore[arg-type]
            critical=False)
    usage = dict(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                 data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                 encipher_only=False, decipher_only=False)
    builder = builder.add_extension(x509.KeyUsage(**usage), critical=True)
    if tsa:
        builder = builder.add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.TIME_STAMPING]),
                                        critical=True)
    if not ca:  # a CRL pointer (never fetched: tests run offline) so revocation checks apply
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier("http://127.0.0.1:9/root.crl")], relative_name=None,
            reasons=None, crl_issuer=None)]), critical=False)
    signer_key = issuer.key if issuer else key
    return Identity(builder.sign(signer_key, hashes.SHA256()), key)


@dataclass(frozen=True)
class VerifyPKI:
    root: Identity
    person: Identity
    agency: Identity
    weak: Identity
    expired: Identity
    other_root: Identity
    stranger: Identity
    tsa: Identity


@pytest.fixture(scope="session")
def vpki() -> VerifyPKI:
    return make_vpki()


def make_vpki() -> VerifyPKI:
    """A fresh test PKI (new keys every call)."""
    start = NOW - timedelta(days=30)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _issue(_name("edoc Test Root CA", "edoc test"), root_key, None, ca=True,
                  start=start - timedelta(days=365), days=3650)
    person = _issue(_name("Nguyễn Văn An", uid="CCCD:001099012345"), ec.generate_private_key(ec.SECP256R1()),
                    root, ca=False, start=start, days=365)
    agency = _issue(_name("Ủy ban nhân dân tỉnh Hà Giang", "Ủy ban nhân dân tỉnh Hà Giang",
                          "MST:0101234567"), ec.generate_private_key(ec.SECP256R1()),
                    root, ca=False, start=start, days=365)
    weak = _issue(_name("Trần Thị Bình", uid="CCCD:001099099999"),
                  rsa.generate_private_key(public_exponent=65537, key_size=1024),
                  root, ca=False, start=start, days=365)
    expired = _issue(_name("Lê Văn Cũ", uid="CMND:012345678"), ec.generate_private_key(ec.SECP256R1()),
                     root, ca=False, start=start - timedelta(days=400), days=365)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_root = _issue(_name("Untrusted Root"), other_key, None, ca=True,
                        start=start - timedelta(days=365), days=3650)
    stranger = _issue(_name("Kẻ Lạ", uid="CCCD:999"), ec.generate_private_key(ec.SECP256R1()),
                      other_root, ca=False, start=start, days=365)
    tsa = _issue(_name("edoc Test TSA", "edoc test"),  # pyhanko's dummy TSA signs with RSA only
                 rsa.generate_private_key(public_exponent=65537, key_size=2048), root,
                 ca=False, start=start, days=365, tsa=True)
    return VerifyPKI(root, person, agency, weak, expired, other_root, stranger, tsa)


def make_pdf(pages: int = 1, *, form_field: str | None = None, form_value: str | None = "01/QĐ-UBND",
             sig_fields: tuple[str, ...] = ("edoc.sig.person", "edoc.sig.agency")) -> bytes:
    """A PDF of ``pages`` pages (fpdf2) with empty signature fields reserved for the signatures to come
    (as Decree 30 documents are prepared), optionally with a filled text form field."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for i in range(pages):
        pdf.add_page()
        pdf.cell(text=f"Quyet dinh so 01/QD-UBND - trang {i + 1}")
    data = bytes(pdf.output())
    if sig_fields:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields

        w = IncrementalPdfFileWriter(BytesIO(data))
        for name in sig_fields:
            fields.append_signature_field(w, fields.SigFieldSpec(name))
        buf = BytesIO()
        w.write(buf)
        data = buf.getvalue()
    if form_field is None:
        return data
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(BytesIO(data))
    field = generic.DictionaryObject({
        generic.NameObject("/FT"): generic.NameObject("/Tx"),
        generic.NameObject("/T"): generic.TextStringObject(form_field),
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
        generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (50, 700, 200, 720)]),
        generic.NameObject("/P"): w.find_page_for_modification(0)[0],
    })
    if form_value is not None:
        field[generic.NameObject("/V")] = generic.TextStringObject(form_value)
    ref = w.add_object(field)
    page = w.find_page_for_modification(0)[0].get_object()
    page[generic.NameObject("/Annots")] = generic.ArrayObject([ref])
    w.update_container(page)
    form = w.root["/AcroForm"]
    form["/Fields"].append(ref)
    w.update_container(form)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def timestamper(vpki: VerifyPKI) -> object:
    """pyhanko's in-process time-stamping authority, with the test TSA certificate."""
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return DummyTimeStamper(tsa_cert=vpki.tsa.asn1_cert, tsa_key=vpki.tsa.asn1_key,
                            certs_to_embed=SimpleCertificateStore.from_certs([vpki.root.asn1_cert]),
                            fixed_dt=NOW - timedelta(minutes=5))


def doc_timestamp(data: bytes, vpki: VerifyPKI) -> bytes:
    """Add a document time-stamp (PAdES B-LTA style) in a new revision."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    out = BytesIO()
    PdfTimeStamper(timestamper(vpki)).timestamp_pdf(  # type: ignore[arg-type]
        IncrementalPdfFileWriter(BytesIO(data)), md_algorithm="sha256", output=out)
    return out.getvalue()


def sign(data: bytes, who: Identity, vpki: VerifyPKI, *, field: str = "Signature1",
         md: str = "sha256", embed_root: bool = True, with_timestamp: bool = False) -> bytes:
    """Sign ``data`` (an incremental update) with pyhanko, as the signing acts will."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    issuer_root = vpki.other_root if who is vpki.stranger else vpki.root
    registry = SimpleCertificateStore.from_certs([issuer_root.asn1_cert] if embed_root else [])
    signer = signers.SimpleSigner(signing_cert=who.asn1_cert, signing_key=who.asn1_key,
                                  cert_registry=registry)
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm=md)
    out = BytesIO()
    tsa = timestamper(vpki) if with_timestamp else None
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=tsa)  # type: ignore[arg-type]
    pdf_signer.sign_pdf(IncrementalPdfFileWriter(BytesIO(data), strict=False), output=out)
    return out.getvalue()


@pytest.fixture(scope="session")
def signed_two(vpki: VerifyPKI) -> bytes:
    """A one-page document signed by the person, then by the agency (the Decree 30 order)."""
    return make_signed_two(vpki)


def make_signed_two(vpki: VerifyPKI) -> bytes:
    one = sign(make_pdf(), vpki.person, vpki, field="edoc.sig.person")
    return sign(one, vpki.agency, vpki, field="edoc.sig.agency")


@pytest.fixture(scope="session")
def signed_one(vpki: VerifyPKI) -> bytes:
    return sign(make_pdf(), vpki.person, vpki, field="edoc.sig.person")


@pytest.fixture()
def verifier_for(vpki: VerifyPKI) -> Callable[..., object]:
    from edoc.verify import Verifier

    def build(**kwargs: object) -> object:
        """A verifier of the test root at :data:`NOW`, offline (the test certificates name an address where
        nothing listens), with a current CRL of the root that revokes nobody: revocation is really checked,
        and tests about revocation itself pass their own ``online``/``revocation_data``."""
        kwargs.setdefault("trust", [vpki.root.cert])
        kwargs.setdefault("at", NOW)
        kwargs.setdefault("online", False)
        kwargs.setdefault("revocation_data", [make_crl(vpki, [])])
        return Verifier(**kwargs)  # type: ignore[arg-type]

    return build


def make_crl(vpki: VerifyPKI, revoked: list[Identity]) -> bytes:
    """A CRL of the test root (DER) listing ``revoked``, revoked two days before :data:`NOW`."""
    builder = (x509.CertificateRevocationListBuilder().issuer_name(vpki.root.cert.subject)
               .last_update(NOW - timedelta(days=1)).next_update(NOW + timedelta(days=30)))
    for who in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(who.cert.serial_number)
            .revocation_date(NOW - timedelta(days=2)).build())
    return builder.sign(vpki.root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def add_dss(data: bytes, crl_der: bytes) -> bytes:
    """Append a DSS revision holding ``crl_der`` (as a B-LT augmentation would)."""
    from asn1crypto import crl as asn1_crl
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    w = IncrementalPdfFileWriter(BytesIO(data))
    DocumentSecurityStore.supply_dss_in_writer(w, None, crls=[asn1_crl.CertificateList.load(crl_der)])
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def make_edxml(pdf: bytes | None) -> bytes:
    """An edXML message (the Thuận Nam sample) carrying ``pdf`` as its attachment."""
    from dataclasses import replace

    from edoc.edxml import edxml_bytes
    from edoc.model import Attachment
    from edoc.samples import thuan_nam_decision

    doc = thuan_nam_decision()
    if pdf is not None:
        doc = replace(doc, attachments=(Attachment(name="05-QD-UBND.pdf", data=pdf,
                                                   content_type="application/pdf", description="Quyết định"),))
    return edxml_bytes(doc, check=False)


def sign_edxml(data: bytes, who: Identity) -> bytes:
    """Sign an edXML message with signxml: enveloped, exclusive C14N, placed last in ``edXMLHeader``."""
    from lxml import etree
    from signxml import XMLSigner, methods
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

    from edoc.util.xml import parse_xml

    root = parse_xml(data, huge_tree=True).getroot()
    ns = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
    header = root.find(f"{{{ns}}}edXMLEnvelope/{{{ns}}}edXMLHeader")
    assert header is not None
    etree.SubElement(header, "{http://www.w3.org/2000/09/xmldsig#}Signature", Id="placeholder")
    signer = XMLSigner(method=methods.enveloped, signature_algorithm=SignatureMethod.ECDSA_SHA256,
                       digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    cert_pem = who.cert.public_bytes(serialization.Encoding.PEM).decode()
    signed = signer.sign(root, key=who.key, cert=[cert_pem])
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")  # type: ignore[no-any-return]


# -- fuzzing (tests/verify/test_fuzz.py, fuzzing.py) ---------------------------------------------------
@pytest.fixture(scope="module")
def fuzz_verifier(vpki: VerifyPKI) -> Any:
    from edoc.verify import Verifier

    # offline with a current CRL of the root: the untouched documents pass with revocation checked
    return Verifier(trust=[vpki.root.cert], at=NOW, online=False, revocation_data=[make_crl(vpki, [])])


@pytest.fixture(scope="module")
def fuzz_pdf(signed_two: bytes, fuzz_verifier: Any, vpki: VerifyPKI) -> fuzzing.Subject:
    """The person+agency PDF under fuzzing (tests/verify/fuzzing.py)."""
    return fuzzing.Subject("the person+agency PDF", signed_two, fuzz_verifier, vpki, pdf=fuzzing.pdf_layout(signed_two))


@pytest.fixture(scope="module")
def fuzz_edxml(signed_two: bytes, fuzz_verifier: Any, vpki: VerifyPKI) -> fuzzing.Subject:
    """The signed edXML carrying it, under fuzzing."""
    data = sign_edxml(make_edxml(signed_two), vpki.agency)
    view = fuzzing.xml_view(data)
    assert view is not None
    return fuzzing.Subject("the signed edXML carrying it", data, fuzz_verifier, vpki, xml=view)
