"""Fuzz: one-byte changes and truncations of signed PDFs and edXML, each with the outcome the rules allow.

Offsets are drawn uniformly over the whole file, or uniformly inside the interesting regions (``/ByteRange``,
every ``/Contents``, the cross-reference sections; the edXML header, signature parts, certificate, attachment
and XML declaration); the new byte is any byte, or one of the characters that move PDF tokens or that XML
normalises (tab, CR, LF, quotes, markup). The oracle (``fuzzing.py``) judges each case from the file's own
structure, independently of the verifier, and every case asserts a verdict *and* a sub-indication.

CI runs a fixed number of examples with a fixed seed (``derandomize``). ``scripts/fuzz.sh`` runs 10,000+ with
a new seed (``EDOC_FUZZ_EXAMPLES``, ``EDOC_FUZZ_SEED``) and saves each failure under
``tests/verify/fuzz_regressions/`` (``EDOC_FUZZ_SAVE``), which :func:`test_fuzz_regression` replays for ever;
a failure that is a known, open verifier defect gets a ``defect`` naming the issue (a strict xfail).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from edoc.verify import Indication, Verifier

from . import fuzzing as fz
from .conftest import NOW

pytestmark = pytest.mark.fuzz

_EXAMPLES = int(os.environ.get("EDOC_FUZZ_EXAMPLES") or 0)
_SEED = os.environ.get("EDOC_FUZZ_SEED")
_SAVE = os.environ.get("EDOC_FUZZ_SAVE")


def _fuzz(ci_examples: int) -> Callable[[Any], Any]:
    """CI: ``ci_examples`` with a fixed seed; scripts/fuzz.sh: its count and seed."""
    configured = settings(max_examples=_EXAMPLES or ci_examples, deadline=None, derandomize=_SEED is None,
                          database=None, suppress_health_check=list(HealthCheck),
                          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink])

    def apply(test: Any) -> Any:
        test = configured(test)
        return seed(int(_SEED))(test) if _SEED else test

    return apply


_PASSED_BEFORE: set[bytes] = set()


def _untouched_passes(subject: fz.Subject) -> None:
    """The untouched file passes (checked once per file): a mutation's verdict means something only then."""
    digest = hashlib.sha256(subject.data).digest()
    if digest not in _PASSED_BEFORE:
        report = subject.verify(subject.data)
        assert report.verdict is Indication.TOTAL_PASSED and report.subindication is None, report.problems()
        _PASSED_BEFORE.add(digest)


def _judge(subject: fz.Subject, kind: str, expect: fz.Expect, document: bytes, context: str) -> None:
    report = subject.verify(document)
    try:
        expect.check(report, context)
    except AssertionError:
        if _SAVE:
            fz.save_regression(Path(_SAVE), f"{kind}-seed{_SEED}", kind=kind, document=document,
                               trust_pem=subject.vpki.root.cert.public_bytes(serialization.Encoding.PEM), at=NOW,
                               expect=expect, got=report, found=f"scripts/fuzz.sh, seed {_SEED}: {context}")
        raise


def _around(data: bytes, index: int) -> bytes:
    return data[max(0, index - 20):index + 20]


def _changed(data: bytes, index: int, new: int) -> tuple[bytes, str]:
    if new == data[index]:
        new ^= 0x01
    context = f"byte {index}: {data[index:index + 1]!r} -> {bytes([new])!r} in {_around(data, index)!r}"
    return data[:index] + bytes([new]) + data[index + 1:], context


_PDF_BYTES = st.one_of(st.integers(0, 255), st.sampled_from(list(b"0123456789abcdefABCDEF \t\r\n<>/[]()%")))
_XML_BYTES = st.one_of(st.integers(0, 255), st.sampled_from(list(fz.XML_SPECIAL + b"AZaz09+/")))


@_fuzz(50)
@given(data=st.data(), new=_PDF_BYTES)
def test_pdf_byte_changes(fuzz_pdf: fz.Subject, data: st.DataObject, new: int) -> None:
    assert fuzz_pdf.pdf is not None
    _untouched_passes(fuzz_pdf)
    index = data.draw(fz.pdf_offsets(fuzz_pdf.pdf), label="index")
    mutated, context = _changed(fuzz_pdf.data, index, new)
    _judge(fuzz_pdf, "pdf-flip", fz.expect_pdf_flip(fuzz_pdf.pdf, mutated, index), mutated, context)


@_fuzz(25)
@given(data=st.data())
def test_pdf_truncations(fuzz_pdf: fz.Subject, data: st.DataObject) -> None:
    assert fuzz_pdf.pdf is not None
    _untouched_passes(fuzz_pdf)
    keep = data.draw(fz.truncations(fuzz_pdf.pdf), label="keep")
    _judge(fuzz_pdf, "pdf-truncation", fz.expect_pdf_truncation(fuzz_pdf.pdf, keep), fuzz_pdf.data[:keep],
           f"first {keep} of {len(fuzz_pdf.data)} bytes")


@_fuzz(50)
@given(data=st.data(), new=_XML_BYTES)
def test_edxml_byte_changes(fuzz_edxml: fz.Subject, data: st.DataObject, new: int) -> None:
    assert fuzz_edxml.xml is not None
    _untouched_passes(fuzz_edxml)
    index = data.draw(fz.xml_offsets(fuzz_edxml.data), label="index")
    mutated, context = _changed(fuzz_edxml.data, index, new)
    _judge(fuzz_edxml, "edxml-flip", fz.expect_xml_change(fuzz_edxml.xml, mutated), mutated, context)


@_fuzz(15)
@given(keep=st.integers(0, 10**9))
def test_edxml_truncations(fuzz_edxml: fz.Subject, keep: int) -> None:
    assert fuzz_edxml.xml is not None
    _untouched_passes(fuzz_edxml)
    keep %= len(fuzz_edxml.data)
    cut = fuzz_edxml.data[:keep]
    _judge(fuzz_edxml, "edxml-truncation", fz.expect_xml_change(fuzz_edxml.xml, cut), cut,
           f"first {keep} of {len(fuzz_edxml.data)} bytes")


def _regressions() -> list[Any]:
    cases = []
    for path in sorted(fz.REGRESSIONS.glob("*.json")):
        record, _doc, _expect = fz.load_regression(path)
        marks = [pytest.mark.xfail(strict=True, reason=record["defect"])] if record["defect"] else []
        cases.append(pytest.param(path, id=path.stem, marks=marks))
    return cases


@pytest.mark.parametrize("path", _regressions())
def test_fuzz_regression(path: Path) -> None:
    """A failure found by scripts/fuzz.sh, replayed with the anchor and time it was found with."""
    record, document, expect = fz.load_regression(path)
    from datetime import datetime

    verifier = Verifier(trust=[record["trust"].encode("ascii")], at=datetime.fromisoformat(record["at"]),
                        online=False)
    report = verifier.verify_pdf(document) if record["kind"].startswith("pdf") else verifier.verify_edxml(document)
    expect.check(report, record["found"])
