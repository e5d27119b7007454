"""Support for the signing tests: a small test PKI, Pillow-drawn seal and signature images, foreign PDFs.

The PKI is made here with ``cryptography`` (root → person, agency) so these tests do not depend on the
shared certomancer PKI being present; keys are generated once per test session.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf")


@dataclass(frozen=True)
class Identity:
    cert: x509.Certificate
    key: Any
    chain: tuple[x509.Certificate, ...]

    def signer(self, **kw: Any) -> Any:
        from edoc.sign import file_signer

        return file_signer(self.cert, self.key, self.chain, **kw)


@dataclass(frozen=True)
class SignPki:
    root: x509.Certificate
    root_key: Any
    person: Identity
    agency: Identity
    person_ec: Identity
    weak: Identity

    def root_pem(self, folder: Path) -> Path:
        path = folder / "root.pem"
        path.write_bytes(self.root.public_bytes(serialization.Encoding.PEM))
        return path


def _name(cn: str, org: str = "UBND tỉnh Thử nghiệm") -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def _issue(subject: x509.Name, key: Any, issuer: x509.Name, issuer_key: Any, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=3650))  # signing times in the tests lie in the past
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False),
            critical=True).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="session")
def sign_pki() -> SignPki:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name("Edoc Test Root CA", "Edoc test PKI")
    root = _issue(root_name, root_key, root_name, root_key, ca=True)

    def leaf(cn: str, key: Any) -> Identity:
        return Identity(_issue(_name(cn), key, root_name, root_key, ca=False), key, (root,))

    return SignPki(
        root=root,
        root_key=root_key,
        person=leaf("Nguyễn Văn An", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        agency=leaf("UBND tỉnh Thử nghiệm", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        person_ec=leaf("Trần Thị Bình", ec.generate_private_key(ec.SECP256R1())),
        weak=leaf("Weak Key", rsa.generate_private_key(public_exponent=65537, key_size=1024)),
    )


def make_seal_png(mm: float = 36.0) -> bytes:
    """A red round seal with text, transparent background, whose DPI makes it ``mm`` wide."""
    from PIL import Image, ImageDraw, ImageFont

    px = 300
    img = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    red = (220, 20, 30, 255)
    d.ellipse((4, 4, px - 4, px - 4), outline=red, width=10)
    d.ellipse((40, 40, px - 40, px - 40), outline=red, width=4)
    font = ImageFont.truetype(str(FONT_BOLD), 28) if FONT_BOLD.exists() else ImageFont.load_default()
    d.text((px / 2, px / 2), "ỦY BAN\nNHÂN DÂN", fill=red, font=font, anchor="mm", align="center")
    dpi = px / (mm / 25.4)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def make_signature_png() -> bytes:
    """A blue scribble on a transparent background."""
    import math

    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (400, 160), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    pts = [(20 + i * 3.6, 80 + 45 * math.sin(i / 9) * math.cos(i / 23)) for i in range(100)]
    d.line(pts, fill=(20, 40, 200, 255), width=6, joint="curve")
    d.line([(60, 130), (340, 110)], fill=(20, 40, 200, 255), width=4)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def seal_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("img") / "seal.png"
    path.write_bytes(make_seal_png())
    return path


@pytest.fixture(scope="session")
def signature_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("img") / "signature.png"
    path.write_bytes(make_signature_png())
    return path


def make_foreign_pdf(*, with_anchors: bool = True, pages: int = 1) -> bytes:
    """A Word-export-like PDF made with fpdf2: "Số:", "ngày … tháng … năm", the signer's name."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font("serif", "", str(FONT))
    pdf.add_font("serif", "B", str(FONT_BOLD))
    pdf.set_margins(30, 20, 15)
    for p in range(pages):
        pdf.add_page()
        if p == 0:
            pdf.set_font("serif", "B", 12)
            pdf.set_xy(30, 20)
            pdf.cell(70, 6, "ỦY BAN NHÂN DÂN", align="C")
            pdf.set_xy(100, 20)
            pdf.cell(95, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
            pdf.set_font("serif", "", 13)
            if with_anchors:
                pdf.set_xy(30, 34)
                pdf.cell(70, 6, "Số:        /QĐ-UBND", align="C")
                pdf.set_xy(100, 34)
                pdf.cell(95, 6, "Hà Nội, ngày      tháng      năm 2026", align="C")
            pdf.set_xy(30, 50)
            pdf.set_font("serif", "B", 14)
            pdf.cell(165, 7, "QUYẾT ĐỊNH", align="C")
            pdf.set_font("serif", "", 13)
            pdf.set_xy(30, 62)
            pdf.multi_cell(165, 7, "Về việc thử nghiệm ký số văn bản điện tử. " * 4)
            if with_anchors:
                pdf.set_font("serif", "B", 13)
                pdf.set_xy(110, 120)
                pdf.cell(85, 6, "CHỦ TỊCH", align="C")
                pdf.set_xy(110, 150)
                pdf.cell(85, 6, "Nguyễn Văn An", align="C")
        else:
            pdf.set_font("serif", "", 13)
            pdf.set_xy(30, 30)
            pdf.multi_cell(165, 7, f"Trang {p + 1}. " + "Nội dung văn bản. " * 60)
    return bytes(pdf.output())


@pytest.fixture
def foreign_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "foreign.pdf"
    path.write_bytes(make_foreign_pdf())
    return path







@dataclass(frozen=True)
class SigCheck:
    field: str
    intact: bool
    valid: bool
    trusted: bool
    modification: ModificationLevel | None
    docmdp_ok: bool | None
    signing_time: Any
    md_algorithm: str
    mechanism: str


def validate_all(data: bytes, root: Any) -> list[SigCheck]:
    """pyHanko's validator (as shipped: edoc's reader patch removed, tests/oracles.py) on every signature."""
    from oracles import stock_pyhanko

    anchor = asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
    out = []
    with stock_pyhanko():
        reader = PdfFileReader(BytesIO(data))
        for sig in reader.embedded_signatures:
            st = validate_pdf_signature(sig, ValidationContext(trust_roots=[anchor]))
            out.append(SigCheck(sig.field_name, st.intact, st.valid, st.trusted, st.modification_level,
                                st.docmdp_ok, sig.self_reported_timestamp, st.md_algorithm,
                                st.pkcs7_signature_mechanism))
    return out
