"""The fuzz oracle: where a mutation landed in a signed file, and the outcomes the rules allow there.

A mutation is judged from the original file's structure, read independently of edoc's verifier: the
``/ByteRange`` of each PDF signature and the DER layout of its CMS (asn1crypto), the revisions' ``%%EOF``
marks, and — for edXML — lxml's parse and exclusive canonical form (libxml2). Each region maps to a small set
of (indication, sub-indication) outcomes, from ETSI EN 319 102-1:

- a byte covered by the last signature's ``/ByteRange`` changed: TOTAL_FAILED with HASH_FAILURE (the digest
  differs), SIG_CRYPTO_FAILURE (an earlier signature's CMS changed under it) or FORMAT_FAILURE (the file or a
  signature can no longer be read, or a signature the file holds is no longer reached through its
  cross-reference sections and form: ETSI EN 319 102-1 makes a signature that exists and cannot be processed
  FORMAT_FAILURE) — never passed, and never "no signature" (issue 18: any change inside the signed ranges
  is TOTAL_FAILED);
- a byte of the last signature's ``/Contents`` (not covered by its own digest): by the CMS part it lands in —
  the signature value (SIG_CRYPTO_FAILURE), signed attributes (HASH_FAILURE for the message digest,
  SIG_CRYPTO_FAILURE otherwise), the signer's certificate (which then no longer matches the signature or the
  signed reference to it), the other certificates and the zero padding (not signed: the verdict may stay
  TOTAL_PASSED, since trust comes from the anchors, not from copies in the file);
- a truncation: at the exact end of a revision, that revision's verdict (a signed earlier revision passes,
  an unsigned one has no signature); anywhere else, never passed, and "no signature" only when the bytes
  kept hold no signature dictionary key (``/ByteRange``);
- an edXML byte: when lxml reads the same canonical document, signed info, signature value and certificates
  (XML normalises tab/CR/LF in attribute values and whitespace inside tags), the original verdict; otherwise
  not well-formed (or no longer one XML-DSig signature: a signature part outside it) → FORMAT_FAILURE, signed
  content changed → HASH_FAILURE, signature changed → SIG_CRYPTO_FAILURE/FORMAT_FAILURE/HASH_FAILURE, never
  passed and never "no signature".
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import cms
from asn1crypto import parser as asn1_parser
from hypothesis import strategies as st
from lxml import etree

from edoc.verify import DocumentReport, Indication, SubIndication

P, F, I = Indication.TOTAL_PASSED, Indication.TOTAL_FAILED, Indication.INDETERMINATE  # noqa: E741
S = SubIndication
Outcome = tuple[Indication, SubIndication | None]
PASSED: Outcome = (P, None)
FORMAT: Outcome = (F, S.FORMAT_FAILURE)
HASH: Outcome = (F, S.HASH_FAILURE)
CRYPTO: Outcome = (F, S.SIG_CRYPTO_FAILURE)
NO_SIGNATURE: Outcome = (I, S.SIGNED_DATA_NOT_FOUND)
#: a changed signer certificate: it no longer matches the signer identifier, the signed reference to it, or
#: the signature; or its own issuer's signature over it fails
SIGNER_CERT: frozenset[Outcome] = frozenset({
    FORMAT, CRYPTO, HASH, (I, S.NO_SIGNING_CERTIFICATE_FOUND), (I, S.NO_CERTIFICATE_CHAIN_FOUND),
    (I, S.CERTIFICATE_CHAIN_GENERAL_FAILURE), (I, S.SIG_CONSTRAINTS_FAILURE),
})
BROKEN: frozenset[Outcome] = frozenset({FORMAT, HASH, CRYPTO})
TDS = "http://www.w3.org/2000/09/xmldsig#"


#: "no signature": allowed only where the bytes hold no signature at all, and only when the report says so
UNREACHABLE = ((NO_SIGNATURE, "document.no_signature"),)
#: bytes after the last signed revision that form no revision (a cut inside an update)
UNSIGNED_TAIL = (((I, S.GENERIC), "document.unsigned_tail"),)


@dataclass(frozen=True)
class Expect:
    """Where a mutation landed and what the verifier may answer."""

    region: str
    allowed: frozenset[Outcome]
    when: tuple[tuple[Outcome, str], ...] = ()  # outcomes allowed only with the report message of that key

    def check(self, report: DocumentReport, context: object = None) -> None:
        got = (report.verdict, report.subindication)
        keys = {m.key for m in report.messages} | {m.key for s in report.signatures for m in s.messages}
        if any(got == outcome and key in keys for outcome, key in self.when):
            return
        allowed = sorted(f"{i.value}/{s.value if s else None}" for i, s in self.allowed)
        allowed += [f"{i.value}/{s.value if s else None} with {key}" for (i, s), key in self.when]
        assert got in self.allowed, (
            f"{self.region}: {got[0].value}/{got[1].value if got[1] else None} not among {allowed}; {context}; "
            f"{report.problems()[:4]}")


class Subject:
    """A signed file under test, with what the oracle knows of it. Not a dataclass: Hypothesis prints the
    arguments of a failing example, and a dataclass would be printed field by field (the whole file)."""

    def __init__(self, name: str, data: bytes, verifier: Any, vpki: Any, *,
                 pdf: PdfLayout | None = None, xml: XmlView | None = None) -> None:
        self.name, self.data, self.verifier, self.vpki, self.pdf, self.xml = name, data, verifier, vpki, pdf, xml

    def __repr__(self) -> str:
        return f"<{self.name}, {len(self.data)} bytes>"

    def verify(self, data: bytes) -> DocumentReport:
        return self.verifier.verify_pdf(data) if self.pdf is not None else self.verifier.verify_edxml(data)


# -- PDF ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cms:
    """Byte spans (in the decoded /Contents) of the parts of one CMS SignedData."""

    length: int  # the DER length; zero padding follows
    digest_algorithms: tuple[int, int]  # SignedData.digestAlgorithms: a hint for one-pass readers, not signed
    signature: tuple[int, int]
    signed_attrs: tuple[int, int]
    message_digest: tuple[int, int]
    signer_cert: tuple[int, int]
    other_certs: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class PdfLayout:
    data: bytes
    ranges: tuple[tuple[int, int, int, int], ...]  # each signature's /ByteRange, in file order
    byte_range_spans: tuple[tuple[int, int], ...]  # the "/ByteRange [...]" texts
    xref_spans: tuple[tuple[int, int], ...]  # "xref" … "%%EOF" of each revision
    revision_ends: tuple[int, ...]  # offsets just after each "%%EOF" and its line end
    last_cms: Cms

    @property
    def gap(self) -> tuple[int, int]:
        """The last signature's /Contents "<…>" (the part its own digest does not cover)."""
        a, b, c, _d = self.ranges[-1]
        return a + b, c

    def interesting(self) -> list[tuple[int, int]]:
        spans = [*self.byte_range_spans, *self.xref_spans]
        for a, b, c, _d in self.ranges:
            spans.append((a + b, c))  # every /Contents
        return spans


def _span(outer: bytes, inner: bytes, start: int = 0) -> tuple[int, int]:
    at = outer.index(inner, start)
    return at, at + len(inner)


def _cms(der: bytes) -> Cms:
    _cls, _method, _tag, header, contents, _trailer = asn1_parser.parse(der)
    length = len(header) + len(contents)
    sd = cms.ContentInfo.load(der[:length])["content"]
    si = sd["signer_infos"][0]
    sid = si["sid"].chosen
    certs = [c.chosen for c in sd["certificates"]]
    signer = next(c for c in certs if c.issuer == sid["issuer"] and c.serial_number == sid["serial_number"].native)
    attrs = si["signed_attrs"]
    digest = next(a for a in attrs if a["type"].native == "message_digest")["values"][0].native
    attrs_span = _span(der, attrs.contents)  # the attributes' contents, after their [0] header
    return Cms(
        length=length,
        digest_algorithms=_span(der, sd["digest_algorithms"].dump()),
        signature=_span(der, si["signature"].contents),
        signed_attrs=attrs_span,
        message_digest=_span(der, digest, attrs_span[0]),
        signer_cert=_span(der, signer.dump()),
        other_certs=tuple(_span(der, c.dump()) for c in certs if c is not signer),
    )


def pdf_layout(data: bytes) -> PdfLayout:
    ranges, spans = [], []
    for m in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data):
        ranges.append(tuple(int(x) for x in m.groups()))
        spans.append(m.span())
    xrefs = [(m.start(), data.index(b"%%EOF", m.start()) + 5) for m in re.finditer(rb"\nxref\n", data)]
    ends = tuple(m.end() for m in re.finditer(rb"%%EOF\r?\n?", data))
    a, b, c, _d = ranges[-1]
    der = binascii.unhexlify(data[a + b + 1:c - 1])
    return PdfLayout(data, tuple(ranges), tuple(spans), tuple(xrefs), ends, _cms(der))  # type: ignore[arg-type]


def pdf_offsets(layout: PdfLayout) -> st.SearchStrategy[int]:
    """Offsets uniform over the whole file, or uniform inside an interesting region (/ByteRange, /Contents,
    the cross-reference sections)."""
    size = len(layout.data)
    regions = layout.interesting()
    return st.one_of(st.integers(0, size - 1),
                     st.sampled_from(regions).flatmap(lambda r: st.integers(r[0], r[1] - 1)))


def _unhex(text: bytes) -> bytes | None:
    digits = text.translate(None, b" \t\r\n\x0c\x00")
    if digits.translate(None, b"0123456789abcdefABCDEF"):
        return None
    return binascii.unhexlify(digits + b"0" * (len(digits) % 2))


def _inside(p: int, span: tuple[int, int]) -> bool:
    return span[0] <= p < span[1]


def expect_pdf_flip(layout: PdfLayout, mutated: bytes, index: int) -> Expect:
    """The outcomes the rules allow for ``mutated`` (``layout.data`` with the byte at ``index`` changed)."""
    lo, hi = layout.gap
    if not lo <= index < hi:
        return Expect("signed by the last signature", BROKEN)
    if index in (lo, hi - 1):
        return Expect("/Contents delimiter", frozenset({FORMAT, HASH}))
    before, after = _unhex(layout.data[lo + 1:hi - 1]), _unhex(mutated[lo + 1:hi - 1])
    if after is None:
        return Expect("/Contents: not a hexadecimal digit", frozenset({FORMAT}))
    if after == before:
        return Expect("/Contents: same bytes (hex case, whitespace)", frozenset({PASSED}))
    assert before is not None
    p = next(i for i, (x, y) in enumerate(zip(before, after, strict=False)) if x != y) \
        if len(after) == len(before) else min(len(before), len(after))
    c = layout.last_cms
    if len(after) != len(before) and p < c.length:  # whitespace shifted the digits: the CMS is garbled
        return Expect("/Contents: digits shifted", frozenset({FORMAT}) | BROKEN | SIGNER_CERT)
    if p >= c.length:
        return Expect("/Contents: padding after the CMS", frozenset({PASSED, FORMAT}))
    if _inside(p, c.signature):
        return Expect("CMS: signature value", frozenset({CRYPTO, FORMAT}))
    if _inside(p, c.message_digest):
        return Expect("CMS: message digest", frozenset({HASH, FORMAT}))
    if _inside(p, c.signed_attrs):
        return Expect("CMS: signed attributes", BROKEN | SIGNER_CERT)
    if _inside(p, c.signer_cert):
        return Expect("CMS: signer's certificate", SIGNER_CERT)
    if _inside(p, c.digest_algorithms):
        return Expect("CMS: digestAlgorithms (not signed)", frozenset({PASSED, FORMAT}) | BROKEN)
    if any(_inside(p, span) for span in c.other_certs):
        return Expect("CMS: other certificates (not signed)", frozenset({PASSED, FORMAT}) | SIGNER_CERT)
    return Expect("CMS: structure", BROKEN | SIGNER_CERT)


def revision_outcomes(layout: PdfLayout) -> dict[int, Outcome]:
    """Each earlier revision's own verdict, by the rules: a revision that ends where a signature's
    ``/ByteRange`` ends is that signed document (TOTAL_PASSED); one before any signature carries none."""
    out: dict[int, Outcome] = {}
    size = len(layout.data)
    for end in layout.revision_ends:
        if end >= size:
            continue
        if any(c + d == end for _a, _b, c, d in layout.ranges):
            out[end] = PASSED
        elif all(c + d > end for _a, _b, c, d in layout.ranges):
            out[end] = NO_SIGNATURE
    return out


def truncations(layout: PdfLayout) -> st.SearchStrategy[int]:
    """Lengths uniform over the file, or at a revision's end and a few bytes either side."""
    size = len(layout.data)
    near = sorted({e + d for e in layout.revision_ends for d in range(-3, 4) if 0 <= e + d < size})
    return st.one_of(st.integers(0, size - 1), st.sampled_from(near))


def expect_pdf_truncation(layout: PdfLayout, keep: int) -> Expect:
    outcome = revision_outcomes(layout).get(keep)
    if outcome == NO_SIGNATURE:
        return Expect(f"the end of unsigned revision ({keep})", frozenset(), when=UNREACHABLE)
    if outcome is not None:
        return Expect(f"the end of a signed revision ({keep})", frozenset({outcome}))
    if b"/ByteRange" not in layout.data[:keep]:
        return Expect("cut inside a revision, before any signature", BROKEN, when=UNREACHABLE + UNSIGNED_TAIL)
    return Expect("cut inside a revision", BROKEN, when=UNSIGNED_TAIL)


# -- edXML ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class XmlView:
    """What a signature verifier reads from an edXML, by lxml (None when lxml cannot read one signature)."""

    content: bytes  # exclusive C14N of the document (top-level PIs and comments included) without its signature
    signed_info: bytes
    value: bytes  # the base64 text, whitespace removed
    certs: tuple[bytes, ...]  # idem
    other: bytes  # the rest of the signature element (KeyInfo structure, Object, ids), canonical


def xml_view(data: bytes) -> XmlView | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
    if root.getroottree().docinfo.internalDTD is not None:
        return None
    sigs = list(root.iter(f"{{{TDS}}}Signature"))
    if len(sigs) != 1:
        return None
    sig = sigs[0]
    info, value = sig.find(f"{{{TDS}}}SignedInfo"), sig.find(f"{{{TDS}}}SignatureValue")
    if info is None or value is None:
        return None

    def c14n(node: etree._Element | etree._ElementTree) -> bytes:
        return etree.tostring(node, method="c14n", exclusive=True)

    def text(el: etree._Element) -> bytes:
        return "".join((el.text or "").split()).encode()

    certs = tuple(text(c) for c in sig.iter(f"{{{TDS}}}X509Certificate"))
    parent = sig.getparent()
    assert parent is not None
    position, tail = parent.index(sig), sig.tail
    parent.remove(sig)
    content = c14n(root.getroottree())
    parent.insert(position, sig)
    sig.tail = tail
    rest = etree.fromstring(c14n(sig))
    for name in ("SignedInfo", "SignatureValue"):
        for el in rest.findall(f"{{{TDS}}}{name}"):
            rest.remove(el)
    for el in rest.iter(f"{{{TDS}}}X509Certificate"):
        el.text = ""
    return XmlView(content, c14n(info), text(value), certs, c14n(rest))


def xml_regions(data: bytes) -> list[tuple[int, int]]:
    """The envelope header, the signature element and its parts, the attachment's base64."""
    spans = []
    for pattern in (rb"<(\w+:)?edXMLHeader[\s>].*?</(\w+:)?edXMLHeader>", rb"<(\w+:)?SignedInfo[\s>]",
                    rb"<(\w+:)?SignatureValue[\s>].*?</(\w+:)?SignatureValue>",
                    rb"<(\w+:)?X509Certificate>.{0,200}", rb"<(\w+:)?AttachmentEncoded[\s>].{0,400}",
                    rb"<\?xml[^>]*\?>"):
        m = re.search(pattern, data, re.S)
        if m is not None:
            spans.append(m.span())
    return spans


def xml_offsets(data: bytes) -> st.SearchStrategy[int]:
    """Offsets uniform over the file, or inside the envelope's interesting parts."""
    return st.one_of(st.integers(0, len(data) - 1),
                     st.sampled_from(xml_regions(data)).flatmap(lambda r: st.integers(r[0], r[1] - 1)))


#: bytes a flip is also drawn to (XML normalises tab, CR and LF; quotes and markup characters move tokens)
XML_SPECIAL = b"\t\r\n \"'<>&;="


def expect_xml_change(original: XmlView, mutated: bytes) -> Expect:
    view = xml_view(mutated)
    if view is None:
        return Expect("edXML: not a well-formed document with one signature", frozenset({FORMAT}))
    if view == original:
        return Expect("edXML: the same canonical document and signature", frozenset({PASSED}))
    if view.certs != original.certs:
        return Expect("edXML: certificate changed", SIGNER_CERT | {FORMAT})
    if view.value != original.value:
        return Expect("edXML: signature value changed", frozenset({CRYPTO, FORMAT}))
    if (view.signed_info, view.other) == (original.signed_info, original.other):
        return Expect("edXML: signed content changed", frozenset({HASH, FORMAT}))
    return Expect("edXML: signature changed", frozenset({CRYPTO, FORMAT, HASH}))


def distinct(values: Iterable[int]) -> list[int]:
    return sorted(set(values))


# -- regression files -----------------------------------------------------------------------------------
#: where scripts/fuzz.sh saves failures and test_fuzz.py replays them
REGRESSIONS = Path(__file__).resolve().parent / "fuzz_regressions"


def _outcome_json(outcome: Outcome) -> list[str | None]:
    return [outcome[0].value, outcome[1].value if outcome[1] else None]


def _outcome(value: list[str | None]) -> Outcome:
    return Indication(value[0]), SubIndication(value[1]) if value[1] else None


def save_regression(folder: Path, name: str, *, kind: str, document: bytes, trust_pem: bytes, at: datetime,
                    expect: Expect, got: DocumentReport, found: str, defect: str | None = None) -> Path:
    """Write ``name.json`` and the mutated document beside it (replayed by ``test_fuzz_regression``)."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".pdf" if kind.startswith("pdf") else ".edxml"
    (folder / f"{name}{suffix}").write_bytes(document)
    record = {
        "kind": kind,
        "document": f"{name}{suffix}",
        "found": found,
        "region": expect.region,
        "allowed": sorted(_outcome_json(o) for o in expect.allowed),  # type: ignore[type-var]
        "allowed_when": [[_outcome_json(o), key] for o, key in expect.when],
        "answered": _outcome_json((got.verdict, got.subindication)),
        "answered_problems": got.problems()[:4],
        "defect": defect,
        "at": at.isoformat(),
        "trust": trust_pem.decode("ascii"),
    }
    path = folder / f"{name}.json"
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_regression(path: Path) -> tuple[dict[str, Any], bytes, Expect]:
    record = json.loads(path.read_text(encoding="utf-8"))
    expect = Expect(record["region"], frozenset(_outcome(o) for o in record["allowed"]),
                    tuple((_outcome(o), key) for o, key in record["allowed_when"]))
    return record, (path.parent / record["document"]).read_bytes(), expect
