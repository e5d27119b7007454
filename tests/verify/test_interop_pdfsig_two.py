"""Two signatures made by poppler's pdfsig (NSS), person then agency, in the Decree 30 order."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

import needs
from edoc.verify import Check, Indication, SignatureRole, SubIndication

from .conftest import NOW, Identity, VerifyPKI, _issue, make_pdf

pytestmark = needs.tools("pdfsig", "certutil", "pk12util")


def _run(*args: str) -> None:
    proc = subprocess.run(args, capture_output=True, timeout=60, text=True)
    assert proc.returncode == 0, (args[0], proc.returncode, proc.stdout[-500:], proc.stderr[-1000:])


def _pdfsig(src: Path, out: Path, nss: Path, nick: str) -> None:
    # pdfsig's own field names (a random ID): edoc's dotted names are not valid partial names for a field
    # pdfsig creates at the top level, and a document from elsewhere has no reserved fields anyway
    args = ["pdfsig", str(src), str(out), "-add-signature", "-nssdir", f"sql:{nss}", "-nick", nick]
    proc = subprocess.run(args, capture_output=True, timeout=60, text=True)
    assert proc.returncode == 0, proc.stderr[-1000:]


def _import(nss: Path, tmp: Path, who: Identity, nick: str, vpki: VerifyPKI) -> None:
    p12 = tmp / f"{nick}.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        nick.encode(), who.key, who.cert, [vpki.root.cert],  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(b"pw")))
    _run("pk12util", "-i", str(p12), "-d", f"sql:{nss}", "-W", "pw", "-K", "")


def test_two_signatures_by_pdfsig(tmp_path: Path, vpki: VerifyPKI, verifier_for: Callable[..., Any]) -> None:
    nss = tmp_path / "nss"
    nss.mkdir()
    _run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
    # RSA keys: poppler sizes /Contents from a trial signature, and an ECDSA value a byte longer than the
    # trial makes it fail ("unable update signature"), which made this test flaky with the ECDSA test keys
    start = NOW - timedelta(days=30)
    person = _issue(vpki.person.cert.subject, rsa.generate_private_key(public_exponent=65537, key_size=2048),
                    vpki.root, ca=False, start=start, days=365)
    agency = _issue(vpki.agency.cert.subject, rsa.generate_private_key(public_exponent=65537, key_size=2048),
                    vpki.root, ca=False, start=start, days=365)
    _import(nss, tmp_path, person, "person", vpki)
    _import(nss, tmp_path, agency, "agency", vpki)
    src, one, two = tmp_path / "in.pdf", tmp_path / "one.pdf", tmp_path / "two.pdf"
    src.write_bytes(make_pdf(sig_fields=()))
    _pdfsig(src, one, nss, "person")
    _pdfsig(one, two, nss, "agency")
    report = verifier_for().verify_pdf(two)
    assert report.verdict is Indication.TOTAL_PASSED, "\n".join(report.problems())
    person, agency = report.signatures
    assert person.integrity is Check.PASSED and agency.integrity is Check.PASSED
    # no edoc field names: the roles come from the certificates (a person's CCCD, an agency's MST/O)
    assert person.role is SignatureRole.PERSON and agency.role is SignatureRole.AGENCY
    # the agency's revision, made by another tool, added only a signature: the person's stays intact
    assert person.indication is Indication.TOTAL_PASSED
    # and a byte changed inside the person's signed range is caught in a pdfsig-made document too
    data = bytearray(two.read_bytes())
    at = data.index(b"/MediaBox")
    data[at + 1] = ord("m")
    broken = verifier_for().verify_pdf(bytes(data))
    assert (broken.verdict, broken.subindication) == (Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
    assert [s.integrity for s in broken.signatures] == [Check.FAILED, Check.FAILED]
