"""A tiny PKI made at test time (root, signer, TSA) and pyHanko's in-process TSA, for the real-verifier test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from edoc.archive import AugmentResult


@dataclass(frozen=True)
class Ident:
    cert: x509.Certificate
    key: Any


def _issue(cn: str, key: Any, issuer: Ident | None, *, ca: bool = False, tsa: bool = False) -> Ident:
    now = dt.datetime.now(dt.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer.cert.subject if issuer else name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(days=30))
         .not_valid_after(now + dt.timedelta(days=365 * (10 if ca else 2)))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
         .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                                      data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                                      encipher_only=False, decipher_only=False), critical=True))
    if issuer:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                            critical=False)
    if tsa:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    if not ca:  # the CA says where its CRL is (a name that never resolves); signatures carry the CRL itself
        b = b.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier("http://crl.archive-test.invalid/root.crl")],
            relative_name=None, reasons=None, crl_issuer=None)]), critical=False)
    return Ident(b.sign((issuer or Ident(None, key)).key, hashes.SHA256()), key)  # type: ignore[arg-type]


@dataclass(frozen=True)
class MiniPKI:
    root: Ident
    signer: Ident
    tsa: Ident

    def root_pem(self, folder: Path) -> Path:
        path = folder / "root.pem"
        path.write_bytes(self.root.cert.public_bytes(serialization.Encoding.PEM))
        return path

    def crl(self) -> bytes:
        """The root's current CRL (DER; it revokes nobody)."""
        now = dt.datetime.now(dt.timezone.utc)
        crl = (x509.CertificateRevocationListBuilder().issuer_name(self.root.cert.subject)
               .last_update(now - dt.timedelta(minutes=5)).next_update(now + dt.timedelta(days=30))
               .sign(self.root.key, hashes.SHA256()))
        return crl.public_bytes(serialization.Encoding.DER)

    def signing_session(self) -> Any:
        """An edoc signing session at PAdES B-LT: the signatures carry the root's CRL (their revocation status
        is established when they are made, as a received document's should be)."""
        from asn1crypto import crl as acrl
        from asn1crypto import keys
        from asn1crypto import x509 as ax509
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        from pyhanko_certvalidator import ValidationContext
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        from edoc.sign import PdfSigningSession, file_signer

        der = serialization.Encoding.DER
        root = ax509.Certificate.load(self.root.cert.public_bytes(der))
        tsa_key = self.tsa.key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        stamper = DummyTimeStamper(tsa_cert=ax509.Certificate.load(self.tsa.cert.public_bytes(der)),
                                   tsa_key=keys.PrivateKeyInfo.load(tsa_key),
                                   certs_to_embed=SimpleCertificateStore.from_certs([root]))
        context = ValidationContext(trust_roots=[root], allow_fetching=False,
                                    crls=[acrl.CertificateList.load(self.crl())])
        return PdfSigningSession(file_signer(self.signer.cert, self.signer.key, (self.root.cert,)), level="B-LT",
                                 timestamper=stamper, validation_context=context)


def make_pki() -> MiniPKI:
    root = _issue("edoc Archive Test Root", ec.generate_private_key(ec.SECP256R1()), None, ca=True)
    signer = _issue("Nguyễn Văn An", ec.generate_private_key(ec.SECP256R1()), root)
    tsa = _issue("edoc Archive Test TSA", rsa.generate_private_key(public_exponent=65537, key_size=2048), root,
                 tsa=True)
    return MiniPKI(root, signer, tsa)


_STAMPERS: dict[Any, Any] = {}


@dataclass(frozen=True)
class PyhankoDocTimestamper:
    """A document time-stamp (PAdES B-LTA renewal) from pyHanko's in-process TSA."""

    tsa_cert: bytes
    tsa_key: bytes
    root_cert: bytes

    @classmethod
    def of(cls, pki: MiniPKI) -> PyhankoDocTimestamper:
        der = serialization.Encoding.DER
        key = pki.tsa.key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        return cls(pki.tsa.cert.public_bytes(der), key, pki.root.cert.public_bytes(der))

    def __call__(self, src: Path, dst: Path) -> AugmentResult:
        from asn1crypto import keys
        from asn1crypto import x509 as ax509
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        cert = ax509.Certificate.load(self.tsa_cert)
        stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=keys.PrivateKeyInfo.load(self.tsa_key),
                                   certs_to_embed=SimpleCertificateStore.from_certs(
                                       [ax509.Certificate.load(self.root_cert)]))
        out = BytesIO()
        PdfTimeStamper(stamper).timestamp_pdf(IncrementalPdfFileWriter(BytesIO(Path(src).read_bytes())),
                                              md_algorithm="sha256", output=out)
        dst.write_bytes(out.getvalue())
        return AugmentResult("document time-stamp", cert.not_valid_after, "pyHanko in-process TSA")
