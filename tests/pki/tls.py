"""TLS material for the test PKI's HTTPS services (test material): a throw-away TLS CA and a server certificate
for 127.0.0.1 and ``localhost``, made with ``cryptography`` when asked for (nothing is stored in the repository).

A client that does not trust :attr:`TlsMaterial.ca_file` fails certificate verification (the "TLS failure" a
remote-signing backend must report); one that trusts it connects.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import ssl
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: Names the server certificate is made for by default.
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


@dataclasses.dataclass(frozen=True)
class TlsMaterial:
    """PEM files of a test TLS CA and of a server certificate (with its key) issued by it."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        """A server-side context presenting the server certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client-side context that trusts the test CA (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.ca_file))


def make_tls(directory: Path, names: tuple[str, ...] = LOOPBACK_NAMES) -> TlsMaterial:
    """Make a TLS CA and a server certificate for ``names`` (IP addresses or DNS names) in ``directory``.

    The validity spans ~400 days either side of the real clock, which OpenSSL reads (time-machine does not
    move it), so tests that freeze the clock at ``pki.NOW`` still connect.
    """
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc)
    start, end = now - timedelta(days=400), now + timedelta(days=400)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "edoc test"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "edoc test TLS CA (THỬ NGHIỆM)")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))

    key = ec.generate_private_key(ec.SECP256R1())
    alt_names: list[x509.GeneralName] = []
    for name in names:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt_names.append(x509.DNSName(name))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))

    material = TlsMaterial(directory / "tls-ca.pem", directory / "tls-server.pem", directory / "tls-server.key")
    material.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    material.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    material.key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    material.key_file.chmod(0o600)
    return material
