"""Fuzz the shapes of issue 13 points 1, 3, 4 and 9: attachment names (long, non-ASCII, controls), reference
transforms, control and bidi characters in reports, ToUnicode CMaps (ranges, arrays, widths)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic

from edoc.edxml.zipsafe import MAX_NAME_BYTES, safe_file_name
from edoc.util.text import visible
from edoc.verify import (
    DocumentReport,
    Indication,
    Message,
    SignatureReport,
    SignatureRole,
    SignerFacts,
    SubIndication,
)
from edoc.verify.appearance_text import TextUnreadable, Work, appearance_text
from edoc.verify.render import to_html, to_json, to_text

from . import xml_attacks as xa
from .conftest import NOW, VerifyPKI, make_edxml

_SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")

# -- names ---------------------------------------------------------------------------------------------------
_XML_TEXT = st.characters(blacklist_categories=("Cs", "Cn"), blacklist_characters="\x00\ufffe\uffff").filter(
    lambda c: c in "\t\n\r" or c >= " ")
_NAMES = st.text(_XML_TEXT, min_size=1, max_size=300) | st.text(st.sampled_from(
    "ạảãáàăằẳẵắặâầẩẫấậđêềểễếệỳỷỹýỵ ./\\\u202e\u200b\x85"), min_size=150, max_size=260).map(lambda s: s + ".pdf")


@_SETTINGS
@given(name=st.text(min_size=0, max_size=400), index=st.integers(0, 5))
def test_safe_names_fit_every_file_system(name: str, index: int) -> None:
    taken: set[str] = set()
    first = safe_file_name(name, index, taken)
    second = safe_file_name(name, index, taken)
    for out in (first, second):
        assert out and len(out.encode("utf-8", "surrogatepass")) <= MAX_NAME_BYTES
        assert not set(out) & set('/\\\x00<>:"|?*') and not out.startswith(".")
        assert visible(out) == out  # no control or format character survives
    assert first.casefold() != second.casefold()


@_SETTINGS
@given(name=_NAMES)
def test_no_name_makes_verify_skip_or_show_fail(name: str, tmp_path_factory: Any, verifier_for: Any) -> None:
    """Whatever the AttachmentName, ``show --extract`` writes the attachment and ``verify`` reads it."""
    from edoc.edxml import read_edxml
    from edoc.edxml.writer import edxml_bytes
    from edoc.model import Attachment
    from edoc.samples import thuan_nam_decision

    pdf = b"%PDF-1.7\n% not really a PDF, only its header\n"
    doc = replace(thuan_nam_decision(), attachments=(Attachment(name=name, data=pdf,
                                                                content_type="application/pdf"),))
    message = edxml_bytes(doc, check=False)
    folder = Path(tmp_path_factory.mktemp("x"))
    result = read_edxml(message, extract_to=folder)
    (att,) = result.attachments
    assert att.path is not None and att.path.read_bytes() == pdf and att.path.parent == folder
    report = verifier_for().verify_edxml(message)
    assert [a.format for a in report.attachments] == ["pdf"]  # read and judged, never skipped
    # the envelope is not signed; its attachment is a PDF header and nothing else: unreadable, failed (the
    # message's own verdict: tests/verify/test_edxml.py::test_unsigned_envelope_with_a_failed_attachment_fails)
    (att,) = report.attachments
    assert (att.verdict, att.subindication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert report.verdict is not Indication.TOTAL_PASSED


# -- transforms ----------------------------------------------------------------------------------------------
_POOL = [xa.ENVELOPED, xa.EXC_C14N, xa.C14N10, "http://www.w3.org/2006/12/xml-c14n11", xa.BASE64, xa.XPATH,
         xa.FILTER2, xa.XSLT, "urn:x-unknown", xa.EXC_C14N + "WithComments"]
_C14N = {xa.EXC_C14N, xa.C14N10, "http://www.w3.org/2006/12/xml-c14n11", xa.EXC_C14N + "WithComments"}


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(transforms=st.lists(st.sampled_from(_POOL), max_size=3))
def test_only_allowed_transform_lists_can_pass(transforms: list[str], vpki: VerifyPKI, verifier_for: Any) -> None:
    message = make_edxml(None)
    allowed = transforms[:1] == [xa.ENVELOPED] and len(transforms) <= 2 and all(t in _C14N for t in transforms[1:])
    for digest in (None, hashlib.sha256(b"").digest()):  # the honest digest, and one over nothing
        report = verifier_for().verify_edxml(xa.sign_with_transforms(message, vpki.agency, transforms, digest=digest))
        keys = {m.key for s in report.signatures for m in s.messages}
        outcome = (report.verdict, report.subindication)
        if not allowed:
            assert outcome == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE), transforms
            assert "envelope.transforms_refused" in keys, transforms
        elif digest is None and transforms == [xa.ENVELOPED, xa.EXC_C14N]:  # the honest digest of this list
            assert outcome == (Indication.TOTAL_PASSED, None), (transforms, report.problems())
        elif digest is None:  # the exclusive-C14N digest under another allowed canonicalisation: equal or not
            assert outcome in ((Indication.TOTAL_PASSED, None),
                               (Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)), transforms
        else:  # an allowed list, but the digest of nothing: the content does not match
            assert outcome == (Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE), transforms


# -- control characters in reports ---------------------------------------------------------------------------
_ANY = st.text(min_size=0, max_size=60)


@_SETTINGS
@given(name=_ANY, org=_ANY, field=_ANY, file=_ANY, reason=_ANY)
def test_reports_are_inert_whatever_the_strings(name: str, org: str, field: str, file: str, reason: str) -> None:
    facts = SignerFacts(name=name, organisation=org, identifiers=(), subject=name, issuer=org, serial=reason,
                        not_before=NOW, not_after=NOW)
    sig = SignatureReport(role=SignatureRole.PERSON, indication=Indication.INDETERMINATE, subindication=None,
                          field_name=field, signer=facts,
                          messages=(Message.of("chain.problem", reason=reason),))
    report = DocumentReport.combine(file, "pdf", (sig,), messages=(Message.of("document.unreadable", reason=reason),))
    for lang in ("vi", "en"):
        text = to_text(report, lang)
        assert not _ACTIVE.search(text)
        assert len(text.split("\n")) == len(to_text(replace(report, file="f", signatures=(replace(
            sig, field_name="x" if field else None, signer=replace(facts, name="n" if name else None,
                                                                   organisation="o" if org else None)),)),
            lang).split("\n"))  # the data adds no line
        assert not _ACTIVE.search(to_html([report], lang))
        line = to_json(report, lang)
        assert not _ACTIVE.search(line) and "\n" not in line
        data = json.loads(line)
        assert data["file"] == file and data["signatures"][0]["signer"]["name"] == name


# -- ToUnicode CMaps ----------------------------------------------------------------------------------------
_RANGE = st.tuples(st.integers(0, 0xFFFF), st.integers(0, 400), st.integers(0x20, 0xFF00))


def _naive(chars: dict[int, int], ranges: list[tuple[int, int, int]], code: int) -> str:
    if code in chars:
        return chr(chars[code])
    for lo, hi, dst in reversed(ranges):  # the reader takes the nearest range starting at or before the code
        if lo <= code <= hi:
            return chr(dst + code - lo)
    return "\ufffd"


@_SETTINGS
@given(chars=st.dictionaries(st.integers(0, 0xFFFF), st.integers(0x20, 0xD7FF), max_size=50),
       spans=st.lists(_RANGE, max_size=40), shown=st.lists(st.integers(0, 0xFFFF), max_size=40))
def test_cmap_lookup_matches_expansion(chars: dict[int, int], spans: list[tuple[int, int, int]],
                                       shown: list[int]) -> None:
    """Ranges looked up by bisection give what expanding them would, for disjoint ranges."""
    ranges: list[tuple[int, int, int]] = []
    for lo, span, dst in sorted(spans):
        hi = min(lo + span, 0xFFFF)
        if (not ranges or lo > ranges[-1][1]) and dst + hi - lo < 0xD800:
            ranges.append((lo, hi, dst))
    cmap = b"%d beginbfchar\n" % len(chars) + b"".join(b"<%04X> <%04X>\n" % kv for kv in chars.items())
    cmap += b"endbfchar\n%d beginbfrange\n" % len(ranges) + b"".join(
        b"<%04X> <%04X> <%04X>\n" % r for r in ranges) + b"endbfrange\n"
    font = generic.DictionaryObject({generic.NameObject("/Subtype"): generic.NameObject("/Type0"),
                                     generic.NameObject("/ToUnicode"): generic.StreamObject(stream_data=cmap)})
    form = generic.StreamObject({generic.NameObject("/Resources"): generic.DictionaryObject({
        generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/F1"): font})})},
        stream_data=b"BT /F1 9 Tf <" + b"".join(b"%04X" % c for c in shown) + b"> Tj ET")
    work = Work()
    text = appearance_text(form, work=work) if shown else ""
    if shown:
        assert text == "".join(_naive(chars, ranges, c) for c in shown)
        assert work.lookups == len(shown) and work.cmap_entries == len(chars) + len(ranges)


@_SETTINGS
@given(data=st.binary(max_size=4000))
def test_any_content_bytes_read_or_refused(data: bytes) -> None:
    work = Work()
    try:
        appearance_text(generic.StreamObject(stream_data=data), work=work)
    except TextUnreadable:
        pass
    assert work.tokens <= len(data) + 1
