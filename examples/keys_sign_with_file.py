"""Sign with a key file through edoc's one key interface, then with the same key through pyHanko.

Runs from the repo root: ``.venv/bin/python examples/keys_sign_with_file.py``. It makes a throw-away
self-signed certificate (a real signer would use a CA-issued PKCS#12 file or a token).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from edoc.keys import RSA_PKCS1_SHA256, AlgorithmRefused, WrongPassword, check_signing_certificate, open_key


def make_p12(folder: Path, password: str) -> Path:
    """A P-256 key with a self-signed certificate for "Nguyễn Văn An" (UID CCCD:…) in a PKCS#12 file."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.USER_ID, "CCCD:001085012345"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn An"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
    ])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    path = folder / "signer.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"signer", key, cert, None, serialization.BestAvailableEncryption(password.encode())))
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p12 = make_p12(Path(tmp), "mật-khẩu")
        os.environ["EDOC_EXAMPLE_PIN"] = "mật-khẩu"
        uri = f"pkcs12:{p12}?pin-source=env:EDOC_EXAMPLE_PIN"

        with open_key(uri) as key:  # parsed once; every signature reuses the key
            info = key.info()
            print(f"{info.subject_common_name} ({', '.join(info.identifiers)}), {info.key}, "
                  f"valid until {info.not_after:%Y-%m-%d}")
            check_signing_certificate(key.certificate)  # validity and key usage (no network)
            data = "Văn bản cần ký".encode()
            signature = key.sign(data)  # ECDSA with SHA-256 for a P-256 key
            assert key.default_algorithm.verify(key.certificate_crypto.public_key(), signature, data)
            print(f"signed with {key.default_algorithm}: {len(signature)} bytes, verified")

            signer = key.pyhanko_signer()  # the same key for PAdES/CMS through pyHanko
            print(f"pyHanko signer for: {signer.subject_name}")

            try:
                key.sign(data, algorithm=RSA_PKCS1_SHA256)
            except AlgorithmRefused as exc:
                print(f"refused as expected: {exc}")

        try:
            open_key(f"pkcs12:{p12}", pin="wrong")
        except WrongPassword as exc:
            print(f"wrong password: {exc.describe('vi')}")


if __name__ == "__main__":
    main()
