"""The signing engine: algorithms, levels, sizes, refusals."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import BytesIO

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from edoc.errors import InvalidInput
from edoc.sign import Level, Padding, PdfSigningSession, sign

from ._support import SignPki, _name, make_foreign_pdf, validate_all


def _tsa(sign_pki: SignPki) -> DummyTimeStamper:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(_name("Edoc Test TSA")).issuer_name(sign_pki.root.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(sign_pki.root_key, hashes.SHA256())
    )
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
    )


@pytest.fixture(scope="module")
def tsa(sign_pki: SignPki) -> DummyTimeStamper:
    return _tsa(sign_pki)


@pytest.fixture(scope="module")
def tsa_url(tsa: DummyTimeStamper) -> Iterator[str]:
    """An RFC 3161 server on 127.0.0.1 answering with the dummy TSA."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            req = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = tsa.request_tsa_response(req).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _signed_attrs_and_tst(data: bytes) -> tuple[list[str], bool]:
    sig = PdfFileReader(BytesIO(data)).embedded_signatures[0]
    info = sig.signer_info
    unsigned = info["unsigned_attrs"].native or []
    return ([a["type"].native for a in info["signed_attrs"]],
            any(a["type"] == "signature_time_stamp_token" for a in unsigned))


@pytest.mark.parametrize(("who", "padding", "digest", "mechanism"), [
    ("person", Padding.PKCS1V15, "sha256", "sha256_rsa"),
    ("person", Padding.PSS, "sha256", "rsassa_pss"),
    ("person", Padding.PKCS1V15, "sha512", "sha512_rsa"),
    ("person_ec", Padding.PKCS1V15, "sha256", "sha256_ecdsa"),
])
def test_algorithms(sign_pki: SignPki, who: str, padding: Padding, digest: str, mechanism: str) -> None:
    session = PdfSigningSession(getattr(sign_pki, who).signer(padding=padding), digest=digest)
    out = sign(make_foreign_pdf(), session=session)
    [check] = validate_all(out.data, sign_pki.root)
    assert check.valid and check.trusted
    assert check.md_algorithm == digest
    assert check.mechanism == mechanism
    attrs, has_tst = _signed_attrs_and_tst(out.data)
    assert "signing_time" not in attrs  # PAdES: the time is /M, not a CMS attribute
    assert "signing_certificate_v2" in attrs
    assert not has_tst


def test_b_t_with_timestamper_object(sign_pki: SignPki, tsa: DummyTimeStamper) -> None:
    session = PdfSigningSession(sign_pki.agency.signer(), level=Level.B_T, timestamper=tsa)
    out = sign(make_foreign_pdf(), session=session)
    assert out.level is Level.B_T
    _, has_tst = _signed_attrs_and_tst(out.data)
    assert has_tst
    [check] = validate_all(out.data, sign_pki.root)
    assert check.valid


def test_b_t_with_tsa_url(sign_pki: SignPki, tsa_url: str) -> None:
    session = PdfSigningSession(sign_pki.agency.signer(), level="B-T", tsa_url=tsa_url)
    out = sign(make_foreign_pdf(), session=session)
    assert _signed_attrs_and_tst(out.data)[1]


@pytest.mark.parametrize("digest", ["sha1", "SHA-1", "md5", "sha224"])
def test_weak_digests_are_refused(sign_pki: SignPki, digest: str) -> None:
    with pytest.raises(InvalidInput, match="not allowed"):
        PdfSigningSession(sign_pki.person.signer(), digest=digest)


def test_weak_key_is_refused(sign_pki: SignPki) -> None:
    with pytest.raises(InvalidInput, match="2048"):
        PdfSigningSession(sign_pki.weak.signer())


def test_levels(sign_pki: SignPki) -> None:
    with pytest.raises(InvalidInput, match="time-stamp"):
        PdfSigningSession(sign_pki.person.signer(), level="B-T")
    with pytest.raises(InvalidInput, match="time-stamp"):
        PdfSigningSession(sign_pki.person.signer(), level="B-LTA")
    with pytest.raises(InvalidInput, match="trust"):
        PdfSigningSession(sign_pki.person.signer(), level="B-LT", timestamper=_tsa(sign_pki))
    with pytest.raises(InvalidInput):
        PdfSigningSession(sign_pki.person.signer(), level="B-X")
    with pytest.raises(InvalidInput, match="http"):
        PdfSigningSession(sign_pki.person.signer(), level="B-T", tsa_url="file:///etc/passwd")


def test_reserved_size_fits_and_is_not_wasteful(sign_pki: SignPki, tsa: DummyTimeStamper) -> None:
    for session in (PdfSigningSession(sign_pki.person.signer()),
                    PdfSigningSession(sign_pki.person.signer(), level=Level.B_T, timestamper=tsa)):
        out = sign(make_foreign_pdf(), session=session)
        sig = PdfFileReader(BytesIO(out.data)).embedded_signatures[0]
        used = len(sig.pkcs7_content) if isinstance(sig.pkcs7_content, bytes) else len(sig.sig_object["/Contents"])
        der = len(sig.signed_data.dump())
        assert 2 * der <= session.bytes_reserved <= 2 * der * 2.5 + 4096, (der, used, session.bytes_reserved)


def test_signing_time_is_used_and_must_be_aware(sign_pki: SignPki) -> None:
    session = PdfSigningSession(sign_pki.person.signer())
    when = dt.datetime(2026, 11, 26, 14, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    out = sign(make_foreign_pdf(), session=session, signing_time=when)
    [check] = validate_all(out.data, sign_pki.root)
    assert check.signing_time == when
    with pytest.raises(InvalidInput):
        sign(make_foreign_pdf(), session=session, signing_time=dt.datetime(2026, 1, 1))


@pytest.mark.parametrize("blob", [b"", b"\x89PNG\r\n\x1a\nbroken", b"GIF89a" + b"\x00" * 10])
def test_bad_images_are_invalid_input(blob: bytes) -> None:
    from edoc.sign import PreparedImage

    with pytest.raises(InvalidInput):
        PreparedImage.load(blob)


def test_image_bomb_is_refused() -> None:
    import io

    from PIL import Image

    from edoc.sign import PreparedImage

    buf = io.BytesIO()
    Image.new("L", (5000, 5000)).save(buf, "PNG")  # compresses to a few KiB
    with pytest.raises(InvalidInput, match="pixels"):
        PreparedImage.load(buf.getvalue(), max_pixels=1_000_000)


def test_font_cannot_show_foreign_script() -> None:
    from edoc.sign.appearance import default_font

    with pytest.raises(InvalidInput, match="cannot show"):
        default_font().encode("日本")
    encoded = default_font().encode("ĐƯỢC ỹ")  # NFC Vietnamese: one glyph per letter, none is .notdef (0)
    gids = [int(encoded[i:i + 4], 16) for i in range(1, len(encoded) - 1, 4)]
    assert len(gids) == 6 and 0 not in gids and len(set(gids)) == 6
