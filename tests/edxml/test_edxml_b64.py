"""The base64 backends agree (pybase64 when installed, the standard library otherwise)."""

from __future__ import annotations

import binascii

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edoc.edxml import _b64


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_backends_agree(data: bytes) -> None:
    encoded = _b64.std_b64encode(data)
    assert _b64.b64encode(data) == encoded
    assert _b64.b64decode_strict(encoded) == _b64.std_b64decode_strict(encoded) == data
    text = encoded.decode("ascii")
    assert _b64.b64decode_strict(text) == _b64.std_b64decode_strict(text) == data


@pytest.mark.parametrize("bad", [b"AAA*", b"AA=A", b"A\nAA", b"\xff\xff\xff\xff", "AAA*", "AA=A"])
def test_both_strict(bad: bytes | str) -> None:
    for decode in (_b64.b64decode_strict, _b64.std_b64decode_strict):
        with pytest.raises((binascii.Error, ValueError)):
            decode(bad)
