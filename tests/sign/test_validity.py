"""Issue 13 point 12: no signature with a certificate outside its validity period, unless asked for.

The test PKI's ``expired`` certificate is valid 2020-01-01 .. 2023-01-01 and ``not-yet-valid`` 2029-01-01 ..
2032-01-01 (tests/pki/certomancer.yml); ``person-rsa`` 2024-01-01 .. 2030-01-01.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edoc.cli import cli
from edoc.keys import open_key
from edoc.keys.errors import CertificateNotUsable
from edoc.model.document import VIETNAM_TZ
from edoc.sign import PdfSigningSession, approve, issue, sign
from edoc.sign.xades import sign_edxml

from ._support import make_foreign_pdf, make_seal_png, make_signature_png

IN_2026 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=VIETNAM_TZ)


def _session(pki_files: Path, label: str, **kw: Any) -> PdfSigningSession:
    from pki import pem_uri

    key = open_key(pem_uri(pki_files, label))
    return PdfSigningSession(key.pyhanko_signer(), **kw)


@pytest.mark.parametrize(("label", "reason", "start", "end"), [
    ("expired", "expired", "2020-01-01T07:00:00+07:00", "2023-01-01T07:00:00+07:00"),
    ("not-yet-valid", "not_yet_valid", "2029-01-01T07:00:00+07:00", "2032-01-01T07:00:00+07:00"),
])
def test_pdf_signature_outside_the_validity_period_is_refused(pki_files: Path, label: str, reason: str,
                                                                start: str, end: str) -> None:
    session = _session(pki_files, label)
    with pytest.raises(CertificateNotUsable) as err:
        sign(make_foreign_pdf(), session=session, signing_time=IN_2026)
    exc = err.value
    assert exc.reason == reason
    # both ends of the validity period, in the English and the Vietnamese message
    for text in (exc.message, exc.message_vi or ""):
        assert start in text and end in text, text
        assert "2026-06-01T09:00:00+07:00" in text
    assert "hết hạn" in (exc.message_vi or "") if reason == "expired" else "chưa có hiệu lực" in (exc.message_vi or "")


def test_the_explicit_option_signs_anyway(pki_files: Path) -> None:
    session = _session(pki_files, "expired", allow_outside_validity=True)
    out = sign(make_foreign_pdf(), session=session, signing_time=IN_2026)
    assert out.data.startswith(b"%PDF") and out.signing_time == IN_2026


def test_a_valid_certificate_signs_at_its_edges(pki_files: Path) -> None:
    session = _session(pki_files, "person-rsa")
    sign(make_foreign_pdf(), session=session, signing_time=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    with pytest.raises(CertificateNotUsable):
        sign(make_foreign_pdf(), session=session,
             signing_time=dt.datetime(2023, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc))


def test_issue_refuses_before_taking_a_number(pki_files: Path) -> None:
    person = _session(pki_files, "person-rsa")
    approved = approve(make_foreign_pdf(), session=person, image=make_signature_png(), signer_name="Nguyễn Văn An",
                       signing_time=IN_2026).data
    calls: list[int] = []

    def numbering() -> int:
        calls.append(1)
        return 7

    with pytest.raises(CertificateNotUsable):
        issue(approved, session=_session(pki_files, "expired"), seal=make_seal_png(), numbering=numbering,
              signing_time=IN_2026)
    assert calls == []  # no number consumed by a signature that could not be made


def test_xades_refuses_and_signs_when_asked(pki_files: Path, tmp_path: Path) -> None:
    from edoc.edxml import edxml_bytes
    from edoc.samples import thuan_nam_decision
    from pki import pem_uri

    source = tmp_path / "in.edxml"
    source.write_bytes(edxml_bytes(thuan_nam_decision()))
    with open_key(pem_uri(pki_files, "expired")) as key:
        with pytest.raises(CertificateNotUsable) as err:
            sign_edxml(source, tmp_path / "out.edxml", key=key, signing_time=IN_2026)
        assert err.value.reason == "expired"
        assert not (tmp_path / "out.edxml").exists()
        sign_edxml(source, tmp_path / "out.edxml", key=key, signing_time=IN_2026, allow_outside_validity=True)
    assert b"SignatureValue" in (tmp_path / "out.edxml").read_bytes()


def test_cli_refuses_with_the_dates_and_signs_with_the_flag(pki_files: Path, tmp_path: Path) -> None:
    from pki import pem_uri

    src = tmp_path / "in.pdf"
    src.write_bytes(make_foreign_pdf())
    runner = CliRunner()
    args = ["sign", "pdf", str(src), "-o", str(tmp_path / "out.pdf"), "--key", pem_uri(pki_files, "expired")]
    res = runner.invoke(cli, ["--lang", "en", *args])
    assert res.exit_code != 0
    assert "expired" in res.output and "2023-01-01T07:00:00+07:00" in res.output, res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out.pdf").exists()
    res = runner.invoke(cli, ["--lang", "vi", *args])
    assert "đã hết hạn" in res.output, res.output
    res = runner.invoke(cli, ["--lang", "en", *args, "--allow-outside-validity"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
