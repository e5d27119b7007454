"""Regenerate the test PKI's private keys (test keys only; never use them for anything real).

Run from the repo root: ``.venv/bin/python tests/pki/make_keys.py``. The keys are shipped so that the test
PKI builds in milliseconds; certomancer derives every certificate from them at fixture time.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

HERE = Path(__file__).resolve().parent / "keys"

#: key label -> ("rsa", bits) | ("ec", curve name)
KEYS: dict[str, tuple[str, int | str]] = {
    "national-root": ("rsa", 2048),
    "public-ca": ("rsa", 2048),
    "public-ca-ocsp": ("rsa", 2048),
    "gov-root": ("rsa", 2048),
    "state-bodies": ("rsa", 2048),
    "state-bodies-ocsp": ("rsa", 2048),
    "tsa": ("rsa", 2048),
    "person-rsa": ("rsa", 2048),
    "person-ec": ("ec", "secp256r1"),
    "agency-rsa": ("rsa", 2048),
    "agency-ec": ("ec", "secp256r1"),
    "misc": ("rsa", 2048),
    "weak-rsa1024": ("rsa", 1024),
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for label, (kind, size) in KEYS.items():
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
        if kind == "rsa":
            assert isinstance(size, int)
            key = rsa.generate_private_key(public_exponent=65537, key_size=size)
        else:
            key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        (HERE / f"{label}.key.pem").write_bytes(pem)
    print(f"wrote {len(KEYS)} keys to {HERE}")


if __name__ == "__main__":
    main()
