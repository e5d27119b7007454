"""The self-check never raises on hostile or broken input: a malformed file is a finding."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edoc.cli import cli
from edoc.pdf import render_bytes
from edoc.pdfa import CLAUSES, check_pdfa, check_pdfa_bytes
from edoc.samples import thuan_nam_decision


@pytest.fixture(scope="module")
def good() -> bytes:
    return render_bytes(thuan_nam_decision())


def test_our_output_is_clean(good: bytes) -> None:
    assert check_pdfa_bytes(good) == []


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n", b"not a pdf at all", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF",
                                  b"%PDF-1.7\n" + b"[" * 100_000])
def test_garbage_is_a_finding(data: bytes) -> None:
    """A file that cannot be parsed is one finding of clause 6.1 (file structure) saying so."""
    findings = check_pdfa_bytes(data)
    assert [f.clause for f in findings] == ["6.1"]
    assert "cannot be parsed" in findings[0].message


#: the clause ids the self-check can report (a finding outside them is a bug in the checker)
KNOWN = frozenset(CLAUSES) | {"6.1", "6.2.11", "6.2.11.3", "6.8"}


class _Doc:
    """The good file, printed short (Hypothesis prints a failing example's arguments)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"<the sample decision, {len(self.data)} bytes>"


@pytest.fixture(scope="module")
def sample(good: bytes) -> _Doc:
    return _Doc(good)


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=1, max_value=1_000_000))
def test_a_truncated_file_is_malformed(sample: _Doc, cut: int) -> None:
    good = sample.data
    cut = cut % (len(good) - 1) + 1
    data, lost = good[:len(good) - cut], good[len(good) - cut:]
    findings = check_pdfa_bytes(data)
    if lost.strip() == b"":  # only the end-of-line after %%EOF: the file is whole
        assert findings == []
    else:  # unreadable (6.1), or readable without its %%EOF marker (6.1.3, the file trailer)
        assert findings and {f.clause for f in findings} <= {"6.1", "6.1.3"}, [str(f) for f in findings]


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.integers(min_value=0, max_value=1_000_000), byte=st.integers(min_value=0, max_value=255))
def test_a_corrupted_byte_gives_known_findings_only(sample: _Doc, at: int, byte: int) -> None:
    """A changed byte may leave the file conforming (inside text, say); whatever it breaks is reported with a
    clause of ISO 19005-2 the checker knows, naming the object, never as an exception."""
    good = sample.data
    at %= len(good)
    data = good[:at] + bytes([byte]) + good[at + 1:]
    findings = check_pdfa_bytes(data)
    assert all(f.clause in KNOWN and f.object and f.message for f in findings), [str(f) for f in findings]
    if data == good:
        assert findings == []


def test_compressed_metadata_is_found(good: bytes) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    from edoc._adapters.pypdf import add_object

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good)))
    meta = writer.root_object["/Metadata"].get_object()
    writer.root_object[NameObject("/Metadata")] = add_object(writer, meta.flate_encode())
    buf = io.BytesIO()
    writer.write(buf)
    clauses = {f.clause for f in check_pdfa_bytes(buf.getvalue())}
    assert "6.6.2.1" in clauses


def test_cli_exit_codes(tmp_path: Path, good: bytes) -> None:
    ok = tmp_path / "ok.pdf"
    ok.write_bytes(good)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\ngarbage")
    runner = CliRunner()
    assert runner.invoke(cli, ["pdfa", "check", str(ok)]).exit_code == 0
    res = runner.invoke(cli, ["pdfa", "check", str(ok), str(bad), "--json"])
    assert res.exit_code == 1 and '"clause"' in res.output
    assert runner.invoke(cli, ["pdfa", "check"]).exit_code == 2
    assert check_pdfa(ok) == []


def _pdf(objs: list[bytes]) -> bytes:
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def _flate(data: bytes) -> bytes:
    import zlib

    packed = zlib.compress(data, 9)
    return b"<</Length %d/Filter/FlateDecode>>stream\n" % len(packed) + packed + b"\nendstream"


HOSTILE = {
    "page-tree-loop": _pdf([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[2 0 R]/Count 1>>"]),
    "deep-nesting": _pdf([b"<</Type/Catalog/Pages 2 0 R/X " + b"[" * 5000 + b"]" * 5000 + b">>",
                          b"<</Type/Pages/Kids[]/Count 0>>"]),
    "content-bomb": _pdf([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
                          b"<</Type/Page/Parent 2 0 R/Contents 4 0 R/MediaBox[0 0 10 10]>>",
                          _flate(b"0 0 m " * 5_000_000)]),
    "annotation-flood": _pdf([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
                              b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]/Annots[" + b"4 0 R " * 100_000
                              + b"]>>", b"<</Type/Annot/Subtype/Text/Rect[0 0 1 1]>>"]),
}


#: what each hostile structure must be reported for (beyond bounded time and no exception)
HOSTILE_FINDINGS = {
    # the cycle is found and named; the checks that need the pages say they could not run
    "page-tree-loop": {"6.1.3", "6.2.11", "6.2.11.3", "6.2.11.4.1", "6.3.2", "6.3.3", "6.4.1", "6.6.2.1", "6.6.4"},
    "deep-nesting": {"6.1"},  # unreadable: one file-structure finding
    # a 30 MB content stream is not parsed for these clauses; the file's own defects are still all reported
    "content-bomb": {"6.1.3", "6.6.2.1", "6.6.4"},
    "annotation-flood": {"6.1.3", "6.3.2", "6.3.3", "6.6.2.1", "6.6.4"},
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_structures_end_in_findings(name: str) -> None:
    findings = check_pdfa_bytes(HOSTILE[name])
    assert {f.clause for f in findings} == HOSTILE_FINDINGS[name], [str(f) for f in findings]
    if name == "page-tree-loop":
        assert any("cyclic" in f.message for f in findings)
