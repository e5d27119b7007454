"""Bounded work (issue 13 point 9): a signature appearance is read within bounds counted before the work is
done, and the time guard stops the verification it limits instead of abandoning a running thread.

No timing assertions: the tests assert on work counters and findings; the one end-to-end run uses a
generous subprocess timeout as a hang detector only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from edoc.verify import Indication, VerifyPolicy
from edoc.verify.appearance_text import TextLimits, TextUnreadable, Work, appearance_text, shown_time
from edoc.verify.guard import run_with_limit

from . import attacks
from .conftest import NOW, VerifyPKI, make_pdf, sign

Build = Callable[..., Any]
SHOWN = "2026-11-26T14:05:09+07:00"
FIELD = "edoc.sig.appendix"


def _utf16_hex(text: str) -> bytes:
    return text.encode("utf-16-be").hex().upper().encode()


@pytest.fixture(scope="module")
def reviews_pdf(vpki: VerifyPKI) -> bytes:
    """The review's file: an appendix signature whose appearance font has a 113 KB ToUnicode CMap of 5,400
    ranges ``<0000> <FFFF> <0000>`` (expanded, 354 million entries), showing a time through it."""
    cmap = attacks.tounicode_cmap(ranges=5400)
    assert 110_000 < len(cmap) < 120_000
    content = b"BT /F1 9 Tf 5 5 Td <" + _utf16_hex(SHOWN) + b"> Tj ET"
    return sign(attacks.field_with_appearance(make_pdf(sig_fields=()), FIELD, content, cmap), vpki.person, vpki,
                field=FIELD)


def _field(pdf: bytes) -> Any:
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    (field,) = [f for name, _v, f in enumerate_sig_fields(reader, filled_status=True) if name == FIELD]
    return field


def test_large_bfranges_are_looked_up_not_expanded(reviews_pdf: bytes) -> None:
    work = Work()
    moment, problem = shown_time(_field(reviews_pdf), work=work)
    assert problem is None and moment == datetime.fromisoformat(SHOWN)
    assert work.cmap_entries == 5400  # one entry per range, however wide
    assert work.lookups == len(SHOWN)  # one lookup per code shown


def test_the_reviews_file_is_verified_without_a_guard(reviews_pdf: bytes, verifier_for: Build) -> None:
    """With no time limit at all the verification ends: the work is bounded by itself."""
    report = verifier_for(policy=VerifyPolicy(timeout=None)).verify_pdf(reviews_pdf)
    assert report.signatures[0].integrity.value == "passed"
    assert "document.timeout" not in {m.key for m in report.messages}


def test_the_reviews_file_through_the_cli(reviews_pdf: bytes, vpki: VerifyPKI, tmp_path: Path) -> None:
    """The CLI on the file, in a process of its own; the subprocess timeout only detects a hang (the guard's
    60 s would otherwise answer INDETERMINATE/timeout, which is asserted against)."""
    doc = tmp_path / "appendix.pdf"
    doc.write_bytes(reviews_pdf)
    root = tmp_path / "root.pem"
    root.write_bytes(vpki.root.cert.public_bytes(serialization.Encoding.PEM))
    env = {**os.environ, "EDOC_LANG": "en"}
    proc = subprocess.run([sys.executable, "-m", "edoc", "verify", "--no-installed-trust", "--offline", "--trust",
                           str(root), "--at", NOW.isoformat(), "--format", "json", str(doc)],
                          capture_output=True, text=True, timeout=300, env=env, check=False)
    assert proc.returncode in (0, 3), proc.stderr
    assert "document.timeout" not in proc.stdout and '"integrity":"passed"' in proc.stdout


def _form(content: bytes, cmap: bytes | None = None) -> generic.StreamObject:
    font = generic.DictionaryObject({generic.NameObject("/Subtype"): generic.NameObject("/Type0")})
    if cmap is not None:
        font[generic.NameObject("/ToUnicode")] = generic.StreamObject(stream_data=cmap)
    return generic.StreamObject({generic.NameObject("/Resources"): generic.DictionaryObject({
        generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/F1"): font})})},
        stream_data=content)


@pytest.mark.parametrize("content", [
    b"[" * 200_000, b"(" * 200_000, b"<" * 200_000, b"<<" * 100_000, b"[(" * 100_000, b"<0" * 100_000,
    b"BT /F1 9 Tf [" + b"(a" * 100_000, b"BI /W 1 ID " + b"\x00" * 200_000, b"%" * 200_000, b")" * 200_000,
], ids=["brackets", "parens", "angles", "dicts", "arrays-of-strings", "open-hex", "open-array", "inline-image",
        "comment", "closing-parens"])
def test_content_shapes_cost_linear_work(content: bytes) -> None:
    """Shapes on which a regular expression searched across the stream backtracks quadratically."""
    work = Work()
    try:
        appearance_text(_form(content), work=work)
    except TextUnreadable:
        pass
    assert work.tokens <= len(content) // 2 + 2


@pytest.mark.parametrize(("cmap", "content", "bound"), [
    (attacks.tounicode_cmap(chars=1_001), b"", "entries"),
    (attacks.tounicode_cmap(ranges=20_001, span=b"<00> <FF> <0041>"), b"", "bytes"),
    (None, b"BT /F1 9 Tf " + b"(a) Tj " * 20_001, "operators"),
    (None, b"(a) Tj " * 40_000, "bytes"),
], ids=["cmap-entries", "cmap-bytes", "operators", "content-bytes"])
def test_beyond_the_bounds_the_text_is_unreadable(cmap: bytes | None, content: bytes, bound: str) -> None:
    limits = TextLimits(max_cmap_entries=1_000)
    work = Work()
    with pytest.raises(TextUnreadable, match=bound):
        appearance_text(_form(content + b" BT /F1 9 Tf <0041> Tj ET", cmap), limits=limits, work=work)
    assert work.cmap_entries <= limits.max_cmap_entries + 1 and work.operators <= limits.max_operators + 1
    assert work.stream_bytes <= limits.max_stream_bytes


def test_an_unreadable_appearance_is_a_finding(vpki: VerifyPKI, verifier_for: Build) -> None:
    cmap = attacks.tounicode_cmap(ranges=20_000)  # 400 KB: over the 256 KB a stream of an appearance may have
    content = b"BT /F1 9 Tf <" + _utf16_hex(SHOWN) + b"> Tj ET"
    pdf = sign(attacks.field_with_appearance(make_pdf(sig_fields=()), FIELD, content, cmap), vpki.person, vpki,
               field=FIELD)
    report = verifier_for().verify_pdf(pdf)
    (sig,) = report.signatures
    assert "profile.shown_time_unreadable" in {m.key for m in sig.messages}
    assert "profile.shown_time_missing" not in {m.key for m in sig.messages}


def test_cmap_entries_decode() -> None:
    cmap = (b"2 beginbfchar <0001> <1EA0> <0002> <0111> endbfchar\n"
            b"2 beginbfrange <0010> <0012> [<0058> <0059> <005A>] <0030> <0039> <0030> endbfrange")
    text = appearance_text(_form(b"BT /F1 9 Tf <000100020010001100120031> Tj (\\(x\\)) Tj ET", cmap))
    assert text.split("\n")[0] == "Ạđ" + "XYZ1"


def _spin(counter: list[int]) -> None:
    while True:
        counter[0] += 1


def test_the_guard_stops_the_work_it_limits() -> None:
    counter = [0]
    out = run_with_limit(lambda: _spin(counter), 0.2, name="edoc-test-spin")
    assert out.timed_out and out.stopped
    assert not [t for t in threading.enumerate() if t.name == "edoc-test-spin"]
    settled = counter[0]
    assert run_with_limit(lambda: counter[0], 5.0, name="edoc-test-read").value == settled  # nothing moves


def test_a_stuck_verification_is_stopped_not_abandoned(signed_one: bytes, verifier_for: Build,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from edoc.verify import Verifier

    def stuck(self: Any, data: bytes, label: str, issuing_body: str | None) -> Any:
        _spin([0])

    monkeypatch.setattr(Verifier, "_verify_pdf_bytes", stuck)
    report = verifier_for(policy=VerifyPolicy(timeout=0.3)).verify_pdf(signed_one, name="stuck.pdf")
    assert report.verdict is Indication.INDETERMINATE
    assert [m.key for m in report.messages] == ["document.timeout"]
    assert not [t for t in threading.enumerate() if t.name.startswith("edoc-verify:stuck.pdf")]


def test_the_guard_returns_values_and_errors() -> None:
    assert run_with_limit(lambda: 42, 5.0, name="edoc-test").value == 42
    out = run_with_limit(lambda: 1 // 0, 5.0, name="edoc-test")
    assert isinstance(out.error, ZeroDivisionError) and not out.timed_out
    assert run_with_limit(lambda: 7, None, name="edoc-test").value == 7
