"""Fuzz: byte flips and truncations of signed files never raise, and never pass when signed bytes changed."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edoc.verify import DocumentReport, Indication

from .conftest import NOW, VerifyPKI, make_edxml, sign_edxml

_SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


def _signed_ranges(pdf: bytes) -> list[tuple[int, int]]:
    ranges = []
    for m in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf):
        a, b, c, d = (int(x) for x in m.groups())
        ranges += [(a, a + b), (c, c + d)]
    return ranges


def _verifier(vpki: VerifyPKI) -> Any:
    from edoc.verify import Verifier

    return Verifier(trust=[vpki.root.cert], at=NOW)


def _flip(data: bytes, index: int, mask: int) -> bytes:
    return data[:index] + bytes([data[index] ^ mask]) + data[index + 1:]


@_SETTINGS
@given(where=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
def test_pdf_byte_flips(signed_two: bytes, vpki: VerifyPKI, where: float, mask: int) -> None:
    verifier = _verifier(vpki)
    assert verifier.verify_pdf(signed_two).verdict is Indication.TOTAL_PASSED
    index = int(where * len(signed_two))
    report = verifier.verify_pdf(_flip(signed_two, index, mask))
    assert isinstance(report, DocumentReport)
    if any(lo <= index < hi for lo, hi in _signed_ranges(signed_two)):
        assert report.verdict is not Indication.TOTAL_PASSED, index


@_SETTINGS
@given(keep=st.floats(0, 1, exclude_max=True))
def test_pdf_truncations(signed_two: bytes, vpki: VerifyPKI, keep: float) -> None:
    report = _verifier(vpki).verify_pdf(signed_two[: int(keep * len(signed_two))])
    assert report.verdict is not Indication.TOTAL_PASSED


def _edxml(signed_two: bytes, vpki: VerifyPKI, cache: dict[str, bytes] = {}) -> bytes:  # noqa: B006
    if "x" not in cache:
        cache["x"] = sign_edxml(make_edxml(signed_two), vpki.agency)
    return cache["x"]


@_SETTINGS
@given(where=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
def test_edxml_byte_flips(signed_two: bytes, vpki: VerifyPKI, where: float, mask: int) -> None:
    data = _edxml(signed_two, vpki)
    verifier = _verifier(vpki)
    index = int(where * len(data))
    report = verifier.verify_edxml(_flip(data, index, mask))
    assert isinstance(report, DocumentReport)
    root_start = data.index(b"<edXML ")
    start = re.search(rb"<(\w+:)?Signature[\s>]", data)
    end = re.search(rb"</(\w+:)?Signature>", data)
    assert start is not None and end is not None
    sig_start, sig_end = start.start(), end.end()
    if root_start <= index and not (sig_start <= index < sig_end):
        assert report.verdict is not Indication.TOTAL_PASSED, (index, data[index - 20:index + 20])


@_SETTINGS
@given(keep=st.floats(0, 1, exclude_max=True))
def test_edxml_truncations(signed_two: bytes, vpki: VerifyPKI, keep: float) -> None:
    data = _edxml(signed_two, vpki)
    report = _verifier(vpki).verify_edxml(data[: int(keep * len(data))])
    assert report.verdict is not Indication.TOTAL_PASSED
