"""``edoc verify``: output formats and the exit-status contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from edoc.cli import cli

from . import attacks
from .conftest import VerifyPKI, make_crl


@pytest.fixture()
def files(tmp_path: Path, vpki: VerifyPKI, signed_two: bytes) -> dict[str, Path]:
    root = tmp_path / "root.pem"
    root.write_bytes(vpki.root.cert.public_bytes(serialization.Encoding.PEM))
    crl = tmp_path / "root.crl"  # a current CRL of the test root (the test certificates name no live server)
    crl.write_bytes(make_crl(vpki, []))
    good = tmp_path / "in" / "good.pdf"
    good.parent.mkdir()
    good.write_bytes(signed_two)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(attacks.signed_range_flip(signed_two))
    return {"root": root, "good": good, "bad": bad, "folder": good.parent, "crl": crl}


def _status(files: dict[str, Path]) -> list[str]:
    """Offline, with the root's CRL given: the B-B test documents' revocation status is established."""
    return ["--offline", "--revocation-data", str(files["crl"])]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_exit_codes(files: dict[str, Path]) -> None:
    trust = ["--trust", str(files["root"]), "--at", "2026-11-26T14:00:00", *_status(files)]
    assert _run("verify", str(files["good"]), *trust)[0] == 0
    assert _run("verify", str(files["good"]), *_status(files))[0] == 3  # no anchor: indeterminate
    assert _run("verify", str(files["good"]), str(files["bad"]), *trust)[0] == 1
    assert _run("verify", str(files["good"]), "--at", "yesterday")[0] == 2
    assert _run("verify")[0] == 2


def test_offline_without_revocation_data_is_try_later_and_says_how_to_check(files: dict[str, Path]) -> None:
    """Revocation is required for TOTAL_PASSED: offline, a document that embeds none (PAdES B-B) is
    INDETERMINATE/TRY_LATER (exit 3) with a message saying how to check it; with a current CRL given it
    passes. ``--require-revocation`` (the old opt-in) is still accepted."""
    trust = ["--trust", str(files["root"]), "--no-installed-trust", "--at", "2026-11-26T14:00:00"]
    assert _run("verify", str(files["good"]), *trust, *_status(files))[0] == 0
    for extra in ([], ["--require-revocation"]):
        code, out = _run("--lang", "en", "verify", str(files["good"]), *trust, "--offline", *extra, "--format", "json")
        assert code == 3
        report = json.loads(out.splitlines()[0])
        assert report["subindication"] == "TRY_LATER"
        texts = [m["text"] for s in report["signatures"] for m in s["messages"] if m["key"] == "revocation.unchecked"]
        assert texts and "without --offline" in texts[0]


def test_revocation_data_that_is_not_is_an_input_error(files: dict[str, Path],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from edoc.cli import main
    from edoc.errors import InvalidInput

    with pytest.raises(SystemExit) as info:
        main(["--lang", "en", "verify", str(files["good"]), "--revocation-data", str(files["root"])])
    assert info.value.code == InvalidInput.exit_code
    err = capsys.readouterr().err
    assert "root.pem" in err and "neither a CRL nor an OCSP response" in err and "Traceback" not in err


def test_json_lines_and_folder_walk(files: dict[str, Path]) -> None:
    code, out = _run("--lang", "en", "verify", str(files["folder"]), str(files["bad"]), "--format", "json",
                     "--trust", str(files["root"]), *_status(files))
    lines = [json.loads(x) for x in out.splitlines()]
    assert [Path(x["file"]).name for x in lines] == ["good.pdf", "bad.pdf"]
    assert [x["verdict"] for x in lines] == ["TOTAL_PASSED", "TOTAL_FAILED"]
    assert lines[0]["signatures"][0]["role"] == "person" and code == 1
    assert lines[0]["signatures"][0]["messages"][0]["text"].startswith("Integrity")


def test_html_to_file_and_jobs(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, _ = _run("verify", str(files["good"]), str(files["bad"]), "--format", "html", "-o", str(out),
                   "--jobs", "2", "--trust", str(files["root"]), *_status(files))
    page = out.read_text(encoding="utf-8")
    assert code == 1 and "HỢP LỆ" in page and "KHÔNG HỢP LỆ" in page


def test_text_default_is_vietnamese(files: dict[str, Path]) -> None:
    _code, out = _run("verify", str(files["good"]), "--trust", str(files["root"]), *_status(files))
    assert "Kết luận: HỢP LỆ" in out and "Người ký: Nguyễn Văn An" in out


def test_edxml_with_attachment(files: dict[str, Path], tmp_path: Path, signed_two: bytes) -> None:
    from .conftest import make_edxml

    msg = tmp_path / "msg.edxml"
    msg.write_bytes(make_edxml(signed_two))
    code, out = _run("verify", str(msg), "--format", "json", "--trust", str(files["root"]), *_status(files))
    data = json.loads(out)
    assert code == 0 and data["format"] == "edxml" and data["attachments"][0]["verdict"] == "TOTAL_PASSED"
