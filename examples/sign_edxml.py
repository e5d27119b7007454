"""Sign an edXML message (XAdES-B-B, enveloped XML-DSig) and verify it, with throw-away test keys.

Run from the repo root: ``.venv/bin/python examples/sign_edxml.py [--out DIR]``. Without ``--out`` the files
go to a temporary folder that is removed at the end. Never use keys like these for anything real: a signer
uses a PKCS#12 file or a token (``pkcs12:…``/``pkcs11:…`` URIs, see docs/keys.md), and B-T adds
``level="B-T", tsa_url=…`` (an RFC 3161 server; not used here, the example stays offline).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from edoc import Attachment
from edoc.edxml import edxml_bytes
from edoc.keys import open_key
from edoc.samples import thuan_nam_decision
from edoc.sign.xades import sign_edxml
from edoc.verify import Verifier


def make_keys(folder: Path) -> tuple[Path, Path, Path]:
    """A throw-away root and an agency certificate (O + UID=MST:…) issued by it, as PEM files."""
    now = dt.datetime.now(dt.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                           x509.NameAttribute(NameOID.COMMON_NAME, "Example Root (test only)")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(root_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ủy ban nhân dân huyện Thuận Nam"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Ủy ban nhân dân huyện Thuận Nam"),
                      x509.NameAttribute(NameOID.USER_ID, "MST:0101234567")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(root_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(root_key, hashes.SHA256()))
    key_pem, cert_pem, root_pem = folder / "agency.key.pem", folder / "agency.cert.pem", folder / "root.cert.pem"
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    root_pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return key_pem, cert_pem, root_pem


def run(folder: Path) -> None:
    key_pem, cert_pem, root_pem = make_keys(folder)

    # 1. an edXML message with one attachment (in real life the signed PDF; a text appendix keeps this short)
    appendix = folder / "phu-luc.txt"
    appendix.write_text("Phụ lục: danh sách đơn vị nhận văn bản điện tử.\n" * 200, encoding="utf-8")
    doc = thuan_nam_decision().replace(attachments=(Attachment(name=appendix.name, path=appendix,
                                                               content_type="text/plain"),))
    message = folder / "quyet-dinh.edxml"
    message.write_bytes(edxml_bytes(doc))

    # 2. sign: the key goes through edoc's one key interface (a token would be a pkcs11: URI)
    signed = folder / "quyet-dinh.signed.edxml"
    with open_key(f"pem:{key_pem}?cert={cert_pem}") as key:
        sign_edxml(message, signed, key=key, level="B-B")
    print(f"signed: {signed.name} ({signed.stat().st_size} bytes)")

    # 3. verify against the trust anchor; the report says what was checked
    verifier = Verifier(trust=[root_pem])
    report = verifier.verify_edxml(signed)
    envelope = report.signatures[0]
    print(f"verdict: {report.verdict.value}; envelope signature: integrity {envelope.integrity.value}, "
          f"chain {envelope.chain.value}")
    print(f"signer: {envelope.signer.organisation if envelope.signer else '?'} "
          f"(MST {envelope.signer.identifier('MST') if envelope.signer else '?'}), "
          f"signing time {envelope.signing_time}")
    for line in report.problems():
        print("  note:", line)
    assert report.verdict.value == "TOTAL_PASSED"

    # 4. one changed letter in the message breaks the signature
    tampered = folder / "quyet-dinh.tampered.edxml"
    tampered.write_bytes(signed.read_bytes().replace("Thuận Nam".encode(), b"Thuan Nam", 1))
    bad = verifier.verify_edxml(tampered)
    print(f"tampered copy: {bad.verdict.value} / {bad.subindication.value if bad.subindication else '-'}")
    assert bad.verdict.value == "TOTAL_FAILED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the files in this folder")
    args = parser.parse_args()
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        run(args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp))


if __name__ == "__main__":
    main()
