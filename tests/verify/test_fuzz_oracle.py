"""The fuzz oracle (fuzzing.py) can fail: it refuses what the rules refuse, and admits what they admit."""

from __future__ import annotations

import pytest

from edoc.verify import Indication, SubIndication

from . import fuzzing as fz
from .test_fuzz import _changed


def test_a_pass_is_refused_where_signed_bytes_changed(fuzz_pdf: fz.Subject) -> None:
    """The oracle itself can fail: the original verdict (TOTAL_PASSED) is refused for a changed signed byte,
    and accepted for a change of hex case inside /Contents (the same bytes)."""
    assert fuzz_pdf.pdf is not None
    passed = fuzz_pdf.verify(fuzz_pdf.data)
    first = fuzz_pdf.pdf.ranges[-1][1] // 2
    with pytest.raises(AssertionError, match="signed by the last signature"):
        fz.expect_pdf_flip(fuzz_pdf.pdf, fuzz_pdf.data, first).check(passed)
    lo, hi = fuzz_pdf.pdf.gap
    at = next(i for i in range(lo + 1, hi - 1) if fuzz_pdf.data[i:i + 1] in b"ABCDEF")
    same, _context = _changed(fuzz_pdf.data, at, fuzz_pdf.data[at] | 0x20)
    fz.expect_pdf_flip(fuzz_pdf.pdf, same, at).check(fuzz_pdf.verify(same))


def test_revisions_and_regions_are_read_from_the_file(fuzz_pdf: fz.Subject) -> None:
    """Four revisions (the page, the reserved fields, the person's, the agency's signature), the two signed
    ones ending where their /ByteRange ends; the agency's CMS parts in order."""
    layout = fuzz_pdf.pdf
    assert layout is not None
    assert len(layout.revision_ends) == 4 and len(layout.ranges) == 2
    ends = fz.revision_outcomes(layout)
    person_end = layout.ranges[0][2] + layout.ranges[0][3]
    assert ends == {layout.revision_ends[0]: fz.NO_SIGNATURE, layout.revision_ends[1]: fz.NO_SIGNATURE,
                    person_end: fz.PASSED}
    c = layout.last_cms
    assert c.digest_algorithms[1] <= c.other_certs[0][0] < c.signer_cert[0] < c.signed_attrs[0]
    assert c.signed_attrs[0] <= c.message_digest[0] < c.signed_attrs[1] <= c.signature[0] < c.length


def test_xml_views_differ_exactly_where_the_canonical_form_does(fuzz_edxml: fz.Subject) -> None:
    original = fuzz_edxml.xml
    assert original is not None
    assert fz.xml_view(fuzz_edxml.data) == original
    lf_to_crlf = fuzz_edxml.data.replace(b"?>\n", b"?>\r\n", 1)  # outside the root: not in the canonical form
    assert fz.expect_xml_change(original, lf_to_crlf).allowed == {fz.PASSED}
    data = fuzz_edxml.data
    at = data.index(b"Header>")  # inside an element name of the signed envelope
    changed = data[:at] + b"Q" + data[at + 1:]
    assert fz.expect_xml_change(original, changed).allowed != {fz.PASSED}
    assert (Indication.TOTAL_PASSED, None) not in fz.expect_xml_change(original, fuzz_edxml.data[:-1]).allowed
    assert fz.FORMAT == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
