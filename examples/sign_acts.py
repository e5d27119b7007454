"""The four national signing acts and a plain signature, end to end, with throw-away test keys.

Run from the repo root: ``.venv/bin/python examples/sign_acts.py [--out DIR]``. Without ``--out`` the files go
to a temporary folder that is removed at the end. Never use keys like these for anything real.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw

from edoc.samples import thuan_nam_decision
from edoc.sign import PdfSigningSession, appendix, approve, copy, file_signer, issue, sign


def test_identity(cn: str, root: tuple[x509.Certificate, rsa.RSAPrivateKey] | None = None):  # type: ignore[no-untyped-def]
    """A key and a certificate (self-signed when no root is given)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    issuer_cert, issuer_key = root if root else (None, key)
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name)
            .issuer_name(issuer_cert.subject if issuer_cert else name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=root is None, path_length=None), critical=True)
            .sign(issuer_key, hashes.SHA256()))
    return cert, key


def png(draw: str) -> bytes:
    """A seal (red circle, 36 mm at its DPI) or a signature (blue stroke), transparent background."""
    if draw == "seal":
        img = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
        ImageDraw.Draw(img).ellipse((5, 5, 295, 295), outline=(220, 20, 30, 255), width=10)
        ImageDraw.Draw(img).ellipse((45, 45, 255, 255), outline=(220, 20, 30, 255), width=4)
        dpi = 300 / (36 / 25.4)
    else:
        img = Image.new("RGBA", (400, 160), (0, 0, 0, 0))
        ImageDraw.Draw(img).line([(20, 90), (90, 30), (160, 120), (250, 40), (380, 80)], fill=(20, 40, 200, 255),
                                 width=6)
        dpi = 96
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, help="keep the signed files in this folder")
    args = parser.parse_args()

    root = test_identity("Example Root CA")
    person_cert, person_key = test_identity("Nguyễn Văn An", root)
    agency_cert, agency_key = test_identity("UBND huyện Thuận Nam", root)
    # One session per key, reused for every document of a batch (edoc.keys.open_key(uri).pyhanko_signer()
    # or KeySessionFactory(uri).open() for keys in files and tokens).
    person = PdfSigningSession(file_signer(person_cert, person_key, [root[0]]))
    agency = PdfSigningSession(file_signer(agency_cert, agency_key, [root[0]]))

    from edoc.pdf import render_bytes

    draft = render_bytes(thuan_nam_decision(numbered=False))  # Decree 30 PDF/A with reserved places
    approved = approve(draft, session=person, image=png("signature"))  # box 7c, certification (DocMDP P=2)
    issued = issue(approved.data, session=agency, seal=png("seal"), number=5,  # number, date, seal (box 8)
                   date=dt.date(2026, 1, 5))
    annex = appendix(draft, session=agency, main_number="05/QĐ-UBND")  # a separate-file appendix
    copied = copy(draft, session=agency, form="SAO Y", copying_body="Văn phòng UBND huyện Thuận Nam")
    plain = sign(draft, session=person, page=0, rect=(60, 40, 240, 100), text="Ký bởi: {signer}\n{time}")

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        for name, result in (("approved", approved), ("issued", issued), ("appendix", annex), ("copy", copied),
                             ("plain", plain)):
            path = result.save(out / f"sign-{name}.pdf")
            print(f"{path.name}: field {result.field_name}, signed at {result.signing_time.isoformat()}")


if __name__ == "__main__":
    main()
