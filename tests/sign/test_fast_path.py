"""The engine's own CMS assembly and its fast reading of signature dictionaries, against pyHanko's.

B-B and B-T signatures with the signers edoc makes go through :class:`edoc.sign.engine._CmsTemplate` and
pyHanko's ``PdfCMSEmbedder``; anything else through pyHanko's ``PdfSigner``. These tests pin that both paths
write the same signed attributes and certificates, that the refusals are the same, and that the pyHanko
internals the fast paths use still behave (so an upgrade fails here, loudly, rather than silently slower).
"""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers

from edoc.errors import InvalidInput
from edoc.model.document import VIETNAM_TZ
from edoc.sign import Padding, PdfSigningSession, SignJob, approve, issue, sign
from edoc.sign.engine import _CachedKeySigner, _der
from oracles import stock_pyhanko

from ._support import Identity, SignPki, make_foreign_pdf, make_seal_png, make_signature_png, validate_all

WHEN = dt.datetime(2026, 3, 2, 9, 30, 0, tzinfo=VIETNAM_TZ)


class _OpaqueSigner(_CachedKeySigner):
    """A signer type the engine does not know: it must take pyHanko's ``PdfSigner`` path."""


def _opaque(ident: Identity, padding: Padding = Padding.PKCS1V15) -> _OpaqueSigner:
    known = ident.signer(padding=padding)
    return _OpaqueSigner(signing_cert=known.signing_cert, signing_key=known.signing_key,
                         cert_registry=known.cert_registry, prefer_pss=padding is Padding.PSS,
                         private_key=ident.key)


def _signer_info(data: bytes, index: int = -1) -> tuple[cms.SignerInfo, set[bytes]]:
    sig = PdfFileReader(BytesIO(data)).embedded_signatures[index]
    certs = {c.chosen.dump() for c in sig.signed_data["certificates"]}
    return sig.signer_info, certs


def test_fast_path_is_taken_only_for_known_signers(sign_pki: SignPki) -> None:
    assert PdfSigningSession(sign_pki.agency.signer())._cms is not None
    assert PdfSigningSession(_opaque(sign_pki.agency))._cms is None


def _layout(data: bytes, original: bytes) -> bytes:
    """The incremental update with the CMS, the (random) second file identifier and the writer's clock blanked."""
    update = re.sub(rb"/Contents <[0-9A-Fa-f]+>", b"/Contents <>", data[len(original):])
    update = re.sub(rb"/ModDate \([^)]*\)", b"/ModDate ()", update)
    return re.sub(rb"/ID \[ <[0-9a-f]+> <[0-9a-f]+> \]", b"/ID []", update)


def _attributes(info: cms.SignerInfo) -> dict[str, bytes]:
    return {a["type"].native: a.dump() for a in info["signed_attrs"] if a["type"].native != "message_digest"}


@pytest.mark.parametrize("padding", [Padding.PKCS1V15, Padding.PSS])
def test_same_file_and_cms_as_pyhankos_signer(sign_pki: SignPki, padding: Padding) -> None:
    pdf = make_foreign_pdf()
    ours = sign(pdf, session=PdfSigningSession(sign_pki.agency.signer(padding=padding)), signing_time=WHEN).data
    pyhankos = PdfSigningSession(_opaque(sign_pki.agency, padding))
    with stock_pyhanko():  # pyHanko's PdfSigner reading with its own reader, not edoc's patch
        theirs = sign(pdf, session=pyhankos, signing_time=WHEN).data
    assert _layout(ours, pdf) == _layout(theirs, pdf)  # same objects, same offsets, same /ByteRange
    (a, certs_a), (b, certs_b) = _signer_info(ours), _signer_info(theirs)
    assert _attributes(a) == _attributes(b) and set(_attributes(a)) == {"content_type", "signing_certificate_v2"}
    for key in ("version", "sid", "digest_algorithm", "signature_algorithm"):
        assert a[key].dump() == b[key].dump(), key
    assert certs_a == certs_b  # pyHanko may repeat the signing certificate; we write each once
    for data in (ours, theirs):
        [check] = validate_all(data, sign_pki.root)
        assert check.intact and check.valid and check.trusted


def test_approve_and_issue_write_what_pyhanko_would(sign_pki: SignPki) -> None:
    draft, image = make_foreign_pdf(), make_signature_png()
    person, pyhankos_person = PdfSigningSession(sign_pki.person.signer()), PdfSigningSession(_opaque(sign_pki.person))
    agency, pyhankos_agency = PdfSigningSession(sign_pki.agency.signer()), PdfSigningSession(_opaque(sign_pki.agency))
    approved = approve(draft, session=person, image=image, signing_time=WHEN).data
    with stock_pyhanko():  # pyHanko's PdfSigner reading with its own reader, not edoc's patch
        theirs_approved = approve(draft, session=pyhankos_person, image=image, signing_time=WHEN).data
    assert _layout(approved, draft) == _layout(theirs_approved, draft)  # certification: /Perms, DocMDP reference
    seal = make_seal_png()
    ours = issue(approved, session=agency, seal=seal, number=7, signing_time=WHEN).data
    with stock_pyhanko():
        theirs = issue(approved, session=pyhankos_agency, seal=seal, number=7, signing_time=WHEN).data
    assert _layout(ours, approved) == _layout(theirs, approved)
    checks = validate_all(ours, sign_pki.root)
    assert all(c.intact and c.valid and c.trusted for c in checks)
    assert checks[0].docmdp_ok and checks[1].signing_time == WHEN


def test_der_lengths_round_trip() -> None:
    from asn1crypto.core import OctetString

    for size in (0, 1, 127, 128, 255, 256, 65535, 65536, 300_000):
        payload = bytes(size)
        encoded = _der(0x04, payload)
        assert encoded == OctetString(payload).dump()
        assert OctetString.load(encoded).native == payload


def test_a_session_reads_with_the_whole_string_hex_reader(sign_pki: SignPki) -> None:
    """Existing signatures' /Contents are read whole in the writers a session makes (edoc._adapters.pyhanko;
    tests/adapters/test_pyhanko_hex_reader.py checks it reads what pyHanko's reader reads), and an issued
    document still reads as pyHanko reads it."""
    from edoc._adapters import pyhanko as adapter

    person, agency = PdfSigningSession(sign_pki.person.signer()), PdfSigningSession(sign_pki.agency.signer())
    approved = approve(make_foreign_pdf(), session=person, image=make_signature_png()).data
    assert adapter.installed() and type(agency.writer_for(approved).prev.stream) is adapter.FastHexStream
    issued = issue(approved, session=agency, seal=make_seal_png(), number=3).data
    sigs = PdfFileReader(BytesIO(issued), strict=False).embedded_signatures
    assert len(sigs) == 2 and all(len(s.pkcs7_content) > 100 for s in sigs)


def _certified(sign_pki: SignPki, perm: fields.MDPPerm) -> bytes:
    meta = signers.PdfSignatureMetadata(field_name="Author", certify=True, docmdp_permissions=perm,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = signers.PdfSigner(meta, sign_pki.person.signer()).sign_pdf(
        IncrementalPdfFileWriter(BytesIO(make_foreign_pdf())))
    return bytes(out.getvalue())


def test_docmdp_no_changes_is_refused(sign_pki: SignPki) -> None:
    locked = _certified(sign_pki, fields.MDPPerm.NO_CHANGES)
    with pytest.raises(InvalidInput, match="forbids all changes"):
        sign(locked, session=PdfSigningSession(sign_pki.agency.signer()))


def test_approval_after_form_filling_certification_is_permitted(sign_pki: SignPki) -> None:
    certified = _certified(sign_pki, fields.MDPPerm.FILL_FORMS)
    out = sign(certified, session=PdfSigningSession(sign_pki.agency.signer()), field_name="Second").data
    checks = validate_all(out, sign_pki.root)
    assert [c.valid and c.intact and c.trusted for c in checks] == [True, True]
    assert checks[0].docmdp_ok


def test_second_certification_is_refused(sign_pki: SignPki) -> None:
    certified = _certified(sign_pki, fields.MDPPerm.FILL_FORMS)
    session = PdfSigningSession(sign_pki.agency.signer())
    with pytest.raises(InvalidInput, match="first signature"):
        session.sign(certified, field_name="Again", certify=True)


def test_locked_field_takes_pyhankos_path(sign_pki: SignPki, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(make_foreign_pdf()))
    fields.append_signature_field(writer, fields.SigFieldSpec(
        "Locked", box=(100, 100, 200, 150),
        field_mdp_spec=fields.FieldMDPSpec(fields.FieldMDPAction.ALL)))
    out = BytesIO()
    writer.write(out)
    session = PdfSigningSession(sign_pki.agency.signer())
    monkeypatch.setattr(PdfSigningSession, "_sign_embedded", None)  # would fail if called
    signed = session.sign(out.getvalue(), field_name="Locked").data
    [check] = validate_all(signed, sign_pki.root)
    assert check.valid and check.intact


def _jobs(tmp_path: Path, count: int) -> list[SignJob]:
    jobs = []
    for i in range(count):
        src = tmp_path / f"{i}.pdf"
        src.write_bytes(make_foreign_pdf())
        jobs.append(SignJob(src, tmp_path / f"{i}.signed.pdf"))
    return jobs


_FORK_SCRIPT = """
import functools, sys
from pathlib import Path
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from edoc.sign import PdfSigningSession, SignJob, batch, file_signer, sign, sign_many

folder = Path(sys.argv[1])
key = serialization.load_pem_private_key((folder / "key.pem").read_bytes(), None)
cert, root = (x509.load_pem_x509_certificate((folder / n).read_bytes()) for n in ("cert.pem", "root.pem"))
session = PdfSigningSession(file_signer(cert, key, (root,)))
assert batch._pool_context(session, None)[1], "this single-threaded process should fork its workers"
jobs = [SignJob(p, p.with_suffix(".signed.pdf")) for p in sorted(folder.glob("*.pdf"))]
results = sign_many(jobs, act=functools.partial(sign), session=session, workers=2)  # no factory needed
assert [r.source for r in results] == [j.source for j in jobs] and all(r.ok for r in results), results
assert batch._worker_session is None  # the parent's global is restored
print("forked", len(results))
"""


def test_forked_workers_inherit_a_key_in_memory(tmp_path: Path, sign_pki: SignPki) -> None:
    """Run in a fresh process: the test process itself may run threads (pytest-xdist), and then edoc
    rightly refuses to fork."""
    import subprocess
    import sys

    from cryptography.hazmat.primitives import serialization

    agency = sign_pki.agency
    (tmp_path / "key.pem").write_bytes(agency.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp_path / "cert.pem").write_bytes(agency.cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "root.pem").write_bytes(sign_pki.root.public_bytes(serialization.Encoding.PEM))
    for i in range(9):
        (tmp_path / f"{i}.pdf").write_bytes(make_foreign_pdf())
    proc = subprocess.run([sys.executable, "-c", _FORK_SCRIPT, str(tmp_path)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0 and "forked 9" in proc.stdout, proc.stderr[-2000:]
    for i in range(9):
        assert all(c.valid for c in validate_all((tmp_path / f"{i}.signed.pdf").read_bytes(), sign_pki.root))


def test_sessions_with_network_clients_are_not_inherited(sign_pki: SignPki) -> None:
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    from edoc.sign import batch

    assert batch._inheritable(PdfSigningSession(sign_pki.agency.signer()))
    tsa: Any = DummyTimeStamper(tsa_cert=sign_pki.agency.signer().signing_cert,
                                tsa_key=sign_pki.agency.signer().signing_key)
    timed = PdfSigningSession(sign_pki.agency.signer(), level="B-T", timestamper=tsa, timestamp_reserve=4096)
    assert not batch._inheritable(timed)
    assert batch._inheritable(PdfSigningSession(_opaque(sign_pki.agency)))  # a SimpleSigner: memory only


def test_token_keys_are_never_forked(sign_pki: SignPki, monkeypatch: pytest.MonkeyPatch) -> None:
    from edoc.sign import KeySessionFactory, batch

    monkeypatch.setattr(batch.threading, "active_count", lambda: 1)
    in_memory = PdfSigningSession(sign_pki.agency.signer())
    assert batch._pool_context(in_memory, None)[0].get_start_method() == "fork"
    token = KeySessionFactory("pkcs11:token=edoc-test;object=signer")
    assert batch._pool_context(None, token)[0].get_start_method() == "spawn"
    assert batch._pool_context(None, KeySessionFactory("pkcs12:agency.p12")) == (
        batch._pool_context(None, None)[0], False)
    monkeypatch.setattr(batch.threading, "active_count", lambda: 3)
    assert batch._pool_context(in_memory, None) == (batch.multiprocessing.get_context("spawn"), False)



@pytest.mark.parametrize("cache", [True, False])
def test_b_lt_batch_fetches_revocation_data_once(pki: Any, pki_files: Path, frozen_now: Any, cache: bool,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    from edoc.sign import KeySessionFactory
    from pki import ARCH, P12_PASSWORD, ROOTS

    def fetches() -> int:  # OCSP and CRL requests the live PKI's server answered so far
        return sum(("/ocsp/" in r.getMessage() or "/crls/" in r.getMessage()) for r in caplog.records)

    session = KeySessionFactory(f"pkcs12:{pki_files / 'agency-rsa.p12'}", pin=P12_PASSWORD, level="B-LT",
                                tsa_url=f"{pki.url_prefix}/{ARCH}/tsa/tsa").open(
                                    trust=[pki.cert(label) for label in ROOTS], intermediates=[pki.cert("public-ca")])
    if not cache:
        session.revocation_cache = None
    counts, outputs = [], []
    with caplog.at_level("INFO", logger="werkzeug"):
        try:
            for _ in range(3):
                before = fetches()
                outputs.append(sign(make_foreign_pdf(), session=session).data)
                counts.append(fetches() - before)
        finally:
            session.backend.close()  # type: ignore[attr-defined]
    assert counts[0] > 0
    assert counts[1:] == ([0, 0] if cache else counts[:1] * 2)
    for data in outputs:
        dss = PdfFileReader(BytesIO(data)).root["/DSS"]
        assert len(dss.get("/OCSPs", [])) + len(dss.get("/CRLs", [])) >= 2
    # the last document, signed with reused revocation data, reaches TOTAL_PASSED offline (DSS only)
    from edoc.verify.pdf import verify_pdf
    from edoc.verify.report import Indication

    report = verify_pdf(outputs[-1], trust=[pki.cert(r).dump() for r in ROOTS], online=False)
    assert report.verdict is Indication.TOTAL_PASSED, report


def test_issue_without_reserved_agency_field_uses_the_persons_page(sign_pki: SignPki) -> None:
    from pypdf import PdfReader

    writer = IncrementalPdfFileWriter(BytesIO(make_foreign_pdf(pages=2)))
    fields.append_signature_field(writer, fields.SigFieldSpec("edoc.sig.person", on_page=1,
                                                              box=(330, 300, 500, 380)))
    out = BytesIO()
    writer.write(out)
    issued = issue(out.getvalue(), session=PdfSigningSession(sign_pki.agency.signer()), seal=make_seal_png(),
                   number=4).data
    reader = PdfReader(BytesIO(issued))
    pages = [[a.get_object().get("/T") for a in page.get("/Annots", [])] for page in reader.pages]
    assert "agency" in pages[1] and "agency" not in pages[0]
    [check] = validate_all(issued, sign_pki.root)
    assert check.valid and check.intact
