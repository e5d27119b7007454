"""Sample documents for the demo, the docs and the tests (fictional content, real shapes)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from edoc.model import (
    Appendix,
    Authority,
    DocumentType,
    Heading,
    HeadingLevel,
    Organ,
    Paragraph,
    Point,
    Priority,
    Signer,
    SteeringType,
)
from edoc.model.document import Document
from edoc.util.fs import atomic_write_bytes

__all__ = ["THUAN_NAM", "NINH_THUAN", "thuan_nam_decision", "DemoPKI", "make_demo_pki",
           "demo_signing_extras", "DEMO_CRL_URL", "make_signature_png",
           "make_seal_png"]

#: People's Committee of Thuận Nam district (fictional identifier of the right shape).
THUAN_NAM = Organ(
    organ_id="000.10.32.H43",
    name="Ủy ban nhân dân huyện Thuận Nam",
    parent_name="",
    organization_in_charge="Ủy ban nhân dân tỉnh Ninh Thuận",
    address="Thị trấn Phước Nam, huyện Thuận Nam, tỉnh Ninh Thuận",
    email="ubndthuannam@ninhthuan.gov.vn",
    telephone="0259 3864 123",
    fax="0259 3864 124",
    website="https://thuannam.ninhthuan.gov.vn",
)

#: The province's People's Committee (a recipient).
NINH_THUAN = Organ(organ_id="000.00.00.H43", name="Ủy ban nhân dân tỉnh Ninh Thuận")


def thuan_nam_decision(*, numbered: bool = True) -> Document:
    """Decision of the Thuận Nam district People's Committee, as the demo and the docs use it."""
    return Document(
        organ=THUAN_NAM,
        type=DocumentType.QUYET_DINH,
        number=5 if numbered else None,
        notation="QĐ-UBND",
        place="Thuận Nam",
        date=date(2026, 1, 5) if numbered else None,
        summary="Về việc ban hành Quy chế tiếp nhận và xử lý văn bản điện tử trên địa bàn huyện",
        description="Ban hành Quy chế tiếp nhận, xử lý văn bản điện tử của Ủy ban nhân dân huyện Thuận Nam",
        content=(
            Heading("ỦY BAN NHÂN DÂN HUYỆN THUẬN NAM", HeadingLevel.HEADING),
            Paragraph(
                "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025;"
            ),
            Paragraph("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;"),
            Paragraph("Theo đề nghị của Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện."),
            Heading("QUYẾT ĐỊNH:", HeadingLevel.HEADING),
            Heading("Điều 1. Ban hành kèm theo Quyết định này Quy chế tiếp nhận và xử lý văn bản điện tử "
                    "trên địa bàn huyện Thuận Nam.", HeadingLevel.ARTICLE),
            Heading("Điều 2. Trách nhiệm thi hành", HeadingLevel.ARTICLE),
            Point("1.", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện chủ trì, hướng dẫn thực hiện;"),
            Point("2.", "Các cơ quan, đơn vị thuộc huyện:"),
            Point("a)", "Tiếp nhận văn bản điện tử qua Trục liên thông văn bản và gửi thông báo đã đến trong ngày;"),
            Point("b)", "Kiểm tra tính xác thực, toàn vẹn của văn bản điện tử trước khi đăng ký."),
            Heading("Điều 3. Hiệu lực thi hành", HeadingLevel.ARTICLE),
            Paragraph("Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Hội đồng nhân dân và Ủy ban "
                      "nhân dân huyện, Thủ trưởng các cơ quan, đơn vị và Chủ tịch Ủy ban nhân dân các xã, thị "
                      "trấn chịu trách nhiệm thi hành Quyết định này./."),
        ),
        recipients=(NINH_THUAN,),
        to_places=(
            "Như Điều 3",
            "UBND tỉnh (b/c)",
            "CT, các PCT UBND huyện",
            "Lưu: VT, VP",
        ),
        signer=Signer(
            full_name="Nguyễn Văn An",
            position="Phó Chủ tịch",
            authority=Authority.KT,
            authority_of="Chủ tịch",
        ),
        priority=Priority.NORMAL,
        steering_type=SteeringType.NOT_DIRECTIVE,
        drafter_initials="NVB",
        copies=15,
        page_amount=1,
        appendices=(Appendix("Quy chế tiếp nhận và xử lý văn bản điện tử"),),
    )


# -- demo keys and images (NOT for real use: a throwaway PKI made on the spot) -------------------------


def make_demo_pki(folder: Path, *, password: str = "demo") -> DemoPKI:  # noqa: S107 - throwaway demo keys
    """A throwaway PKI for the demo: a root, a person (UID ``CCCD:``), an agency (O, UID ``MST:``), a
    time-stamping authority, and the root's CRL.

    Written to ``folder`` as ``demo-root.pem``, ``person.p12``, ``agency.p12`` and ``tsa.p12`` (protected by
    ``password``) and ``demo-root.crl`` (DER; it revokes nobody and stays current as long as the signers'
    certificates). The root is made here and trusted by nobody: it only lets the demo show a full chain.
    The certificates name the CRL at ``http://crl.edoc-demo.invalid/demo-root.crl``, a name that never
    resolves (RFC 2606): the demo's signatures carry the CRL itself (PAdES B-LT, see
    :func:`demo_signing_extras`), so they verify anywhere with no server.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)

    def name(*attrs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
        return x509.Name([x509.NameAttribute(oid, value) for oid, value in attrs])

    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, "edoc demo"),
                     (NameOID.COMMON_NAME, "edoc demo root (không dùng thật)"))
    root = (
        x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
        .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(days=1)).not_valid_after(now + _dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )

    lifetime = _dt.timedelta(days=730)
    crl_point = x509.CRLDistributionPoints([x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(DEMO_CRL_URL)], relative_name=None, reasons=None,
        crl_issuer=None)])

    def leaf(subject: x509.Name, file: str, *, tsa: bool = False) -> Path:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        builder = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(root_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(days=1)).not_valid_after(now + lifetime)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=not tsa, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                           critical=False)
            .add_extension(crl_point, critical=False)
        )
        if tsa:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                                            critical=True)
        cert = builder.sign(root_key, hashes.SHA256())
        path = folder / file
        data = pkcs12.serialize_key_and_certificates(
            file.encode(), key, cert, [root],
            serialization.BestAvailableEncryption(password.encode()),
        )
        atomic_write_bytes(path, data, private=True)  # key material: 0600 whatever the umask
        return path

    uid = NameOID.USER_ID
    person = leaf(name((NameOID.COUNTRY_NAME, "VN"), (NameOID.STATE_OR_PROVINCE_NAME, "Ninh Thuận"),
                       (uid, "CCCD:058090001234"), (NameOID.COMMON_NAME, "Nguyễn Văn An")), "person.p12")
    agency = leaf(name((NameOID.COUNTRY_NAME, "VN"), (NameOID.STATE_OR_PROVINCE_NAME, "Ninh Thuận"),
                       (NameOID.ORGANIZATION_NAME, "Ủy ban nhân dân huyện Thuận Nam"), (uid, "MST:4500123456"),
                       (NameOID.COMMON_NAME, "Ủy ban nhân dân huyện Thuận Nam")), "agency.p12")
    tsa = leaf(name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, "edoc demo"),
                    (NameOID.COMMON_NAME, "edoc demo TSA (không dùng thật)")), "tsa.p12", tsa=True)
    root_path = folder / "demo-root.pem"
    atomic_write_bytes(root_path, root.public_bytes(serialization.Encoding.PEM))
    crl = (x509.CertificateRevocationListBuilder().issuer_name(root_name)
           .last_update(now - _dt.timedelta(minutes=5)).next_update(now + lifetime)
           .add_extension(x509.CRLNumber(1), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
           .sign(root_key, hashes.SHA256()))
    crl_path = folder / "demo-root.crl"
    atomic_write_bytes(crl_path, crl.public_bytes(serialization.Encoding.DER))
    return DemoPKI(root=root_path, person=person, agency=agency, password=password, tsa=tsa, crl=crl_path)


#: Where the demo certificates say their CRL is: a name that never resolves (``.invalid``, RFC 2606).
DEMO_CRL_URL = "http://crl.edoc-demo.invalid/demo-root.crl"


def demo_signing_extras(pki: DemoPKI) -> dict[str, Any]:
    """Keyword arguments for :meth:`edoc.sign.KeySessionFactory.open` that make a demo signature PAdES B-LT
    with no server: an in-process time-stamping authority with the demo TSA key (pyHanko's
    ``DummyTimeStamper``, a real RFC 3161 token signed by that key) and a validation context holding the
    demo root and its CRL, which the signature's DSS then carries."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import keys as asn1_keys
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    assert pki.tsa is not None and pki.crl is not None, "a DemoPKI made by make_demo_pki"
    key, cert, _chain = pkcs12.load_key_and_certificates(pki.tsa.read_bytes(), pki.password.encode())
    assert key is not None and cert is not None
    tsa_key = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    tsa_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    root = asn1_x509.Certificate.load(asn1_pem.unarmor(pki.root.read_bytes())[2])
    stamper = DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=tsa_key,
                               certs_to_embed=SimpleCertificateStore.from_certs([root]))  # type: ignore[no-untyped-call]
    context = ValidationContext(trust_roots=[root], allow_fetching=False,
                                crls=[asn1_crl.CertificateList.load(pki.crl.read_bytes())])
    return {"timestamper": stamper, "validation_context": context}


@dataclass(frozen=True)
class DemoPKI:
    """Files of :func:`make_demo_pki`."""

    root: Path
    person: Path
    agency: Path
    password: str = field(repr=False, default="demo")
    tsa: Path | None = None
    crl: Path | None = None


def make_signature_png(path: Path) -> Path:
    """A blue handwritten-like signature on a transparent background (demo image)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (360, 140), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    points = [(20, 100), (60, 30), (90, 110), (130, 40), (170, 95), (210, 50), (260, 90), (340, 35)]
    draw.line(points, fill=(20, 40, 170, 255), width=6, joint="curve")
    draw.line([(40, 120), (320, 112)], fill=(20, 40, 170, 255), width=4)
    img.save(path, dpi=(300, 300))
    return path


def make_seal_png(path: Path) -> Path:
    """A red round seal on a transparent background, 36 mm across at 300 dpi (demo image)."""
    from PIL import Image, ImageDraw

    size = round(36 / 25.4 * 300)
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    red = (200, 20, 30, 235)
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=18)
    draw.ellipse((70, 70, size - 70, size - 70), outline=red, width=8)
    c = size // 2
    draw.polygon([(c, c - 60), (c + 18, c - 18), (c + 60, c - 18), (c + 26, c + 10), (c + 38, c + 55),
                  (c, c + 28), (c - 38, c + 55), (c - 26, c + 10), (c - 60, c - 18), (c - 18, c - 18)], fill=red)
    img.save(path, dpi=(300, 300))
    return path
