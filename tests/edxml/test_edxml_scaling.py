"""Issue 13 classes 6 and 8: line numbers past 65,535 and work linear in the input on every reader path.

Class 6: lxml stores an element's line in an unsigned short; ``validate`` raised ``OverflowError`` on a
valid message whose base64 is wrapped at 76 columns past line 65,535. Lines are now Python ints end to end
(reader, findings, schema errors, syntax errors, the CLI).

Class 8: the reader counted same-named siblings with a scan per element, fed the parser one line at a time,
and libxml2 walks every preceding sibling to name the element of each schema error. No timing assertions:
the tests count work (Python calls, parser feeds, the children the XSD sees under one element) at two sizes
and check it grows linearly, and check the limits that bound memory.
"""

from __future__ import annotations

import base64
import cProfile
import importlib
import pstats
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edoc.edxml import ReadLimits, Severity, edxml_bytes, read_edxml, validate
from edoc.errors import HostileInput, MalformedFile
from edoc.samples import thuan_nam_decision

reader = importlib.import_module("edoc.edxml.reader")
schema_mod = importlib.import_module("edoc.edxml.schema")

BASE = edxml_bytes(thuan_nam_decision())
ROOMY = ReadLimits(max_elements=10**7, max_attributes=10**7)


def _with_places(places: bytes) -> bytes:
    return BASE.replace(b"<edXML:ToPlaces>", b"<edXML:ToPlaces>" + places, 1)


def _line_of(data: bytes, marker: bytes) -> int:
    """1-based line of the end of the first ``marker`` (where its start tag closes)."""
    return data[:data.index(marker) + len(marker)].count(b"\n") + 1


# -- class 6: line numbers past 65,535 ------------------------------------------------------------------
def _long_message() -> bytes:
    """A message whose attachment's base64 is wrapped at 76 columns over 70,000 lines, followed by a second
    attachment with a rule finding (a 254-character name) and a schema-only error (an unknown element)."""
    from edoc import Attachment

    doc = thuan_nam_decision().replace(attachments=(
        Attachment(name="a.pdf", data=b"%PDF" + bytes(range(256)) * 20, content_type="application/pdf"),
        Attachment(name="b.pdf", data=b"%PDF-b", content_type="application/pdf")))
    data = edxml_bytes(doc)
    first = base64.b64encode(b"%PDF" + bytes(range(256)) * 20)
    wrapped = base64.encodebytes(b"x" * (57 * 70_000))  # 76 columns, 70,000 lines
    data = data.replace(first, wrapped, 1)
    data = data.replace(b"<AttachmentName>b.pdf</AttachmentName>",
                        b"<AttachmentName>" + b"n" * 250 + b".pdf</AttachmentName><Stray/>", 1)
    data = data.replace(b"<edXML:AttachmentName>b.pdf</edXML:AttachmentName>",
                        b"<edXML:AttachmentName>" + b"n" * 250 + b".pdf</edXML:AttachmentName>", 1)
    return data


def test_validate_past_line_65535() -> None:
    data = _long_message()
    name_line = _line_of(data, b"<AttachmentName>" + b"n" * 250)
    stray_line = _line_of(data, b"<Stray/>")
    assert name_line > 70_000 and stray_line > 70_000
    findings = validate(data)  # raised OverflowError
    by_element = {f.element: f for f in findings if f.severity is Severity.ERROR}
    name = by_element["edXML/AttachmentEncoded/Attachment[2]/AttachmentName"]
    assert name.code == "length" and name.line == name_line
    stray = by_element["edXML/AttachmentEncoded/Attachment[2]/Stray"]
    assert stray.code == "xsd" and stray.line == stray_line and "not expected" in stray.message
    assert f"dòng {stray_line}" in stray.describe("vi")
    # the first attachment itself is valid: no finding names it but the manifest notes of the test message
    assert not [f for f in findings if f.element.endswith("Attachment/ContentTransferEncoded")]


def test_read_and_cli_past_line_65535(tmp_path: Path) -> None:
    from edoc.cli import cli

    data = _long_message()
    result = read_edxml(data)
    lines = {f.element: f.line for f in result.findings}
    assert lines["edXML/AttachmentEncoded/Attachment[2]/AttachmentName"] == \
        _line_of(data, b"<AttachmentName>" + b"n" * 250)
    path = tmp_path / "long.edxml"
    path.write_bytes(data)
    res = CliRunner().invoke(cli, ["--lang", "en", "edxml", "validate", str(path), "--json"])
    assert res.exit_code == 1, res.output
    assert f'"line": {_line_of(data, b"<Stray/>")}' in res.output
    assert "Traceback" not in res.output


def test_syntax_error_past_line_65535() -> None:
    data = _long_message().replace(b"<Stray/>", b"<Stray>", 1)
    with pytest.raises(MalformedFile) as info:
        read_edxml(data)
    assert info.value.line is not None and info.value.line > 70_000
    with pytest.raises(MalformedFile):
        validate(data)


# -- class 8: linear work ---------------------------------------------------------------------------------
def _calls(fn: Any, *args: Any, **kwargs: Any) -> int:
    """Python function calls (generator resumptions included) made by ``fn(*args)``: a work counter."""
    prof = cProfile.Profile()
    prof.enable()
    try:
        fn(*args, **kwargs)
    finally:
        prof.disable()
    return sum(v[1] for v in pstats.Stats(prof).stats.values())  # type: ignore[attr-defined]


@pytest.mark.parametrize("place", [b"<edXML:Place/>", b"<edXML:Place>" + b"x" * 151 + b"</edXML:Place>"],
                         ids=["valid", "each-invalid"])
@pytest.mark.parametrize("path", ["read", "validate"])
def test_same_named_siblings_cost_linear_work(place: bytes, path: str) -> None:
    """40,000 <Place/> siblings took 45-111 s: the sibling number came from a scan of the siblings."""
    fn = read_edxml if path == "read" else validate
    small = _calls(fn, _with_places(place * 1500), limits=ROOMY)
    large = _calls(fn, _with_places(place * 6000), limits=ROOMY)
    assert large / small < 4.6, (small, large)  # 4x the siblings: 4x the work (a scan per sibling: ~13x)


def test_schema_sees_bounded_sibling_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """libxml2 names the element of each schema error by walking its preceding siblings; no document given
    to the XSD has more than WINDOW children under one element, and the errors are those of the whole."""
    place = b"<edXML:Place>" + b"x" * 151 + b"</edXML:Place>"
    tos = b"".join(b"<edXML:To><edXML:OrganId>%s</edXML:OrganId>%s</edXML:To>"
                   % (b"bad" if i % 4 == 0 else b"000.00.00.G22", b"<edXML:Bogus/>" if i % 7 == 0 else b"")
                   for i in range(40))
    data = _with_places(place * 30 + b"<edXML:Place>ok</edXML:Place>" * 5 + place * 9).replace(
        b"<edXML:DocumentId>", tos + b"<edXML:DocumentId>", 1)
    _, root = reader._read(data, None, ROOMY)

    def errors(window: int) -> list[tuple[str, str]]:
        monkeypatch.setattr(schema_mod, "WINDOW", window)
        return sorted((n.path if n is not None else "", m) for n, _, m in schema_mod._schema_errors(root))

    whole = errors(10**9)
    assert len(whole) > 50
    widest: list[int] = []
    real = schema_mod.schema()

    class Watched:
        def validate(self, doc: Any) -> bool:
            widest.append(max(len(el) for el in doc.iter()))
            return real.validate(doc)  # type: ignore[no-any-return]

        @property
        def error_log(self) -> Any:
            return real.error_log

    monkeypatch.setattr(schema_mod, "schema", Watched)
    for window in (1, 2, 3, 5, 8):
        widest.clear()
        assert errors(window) == whole, window
        assert max(widest) <= window + 4 * schema_mod._RUNS + 2, (window, max(widest))


def test_lines_are_fed_in_pieces_not_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """105 MB of newlines took over 60 s: the parser was fed once per line."""
    feeds = []
    real = reader.xml_target_parser

    def counting(target: Any) -> Any:
        parser = real(target)

        class Counted:
            def feed(self, data: bytes) -> None:
                feeds.append(len(data))
                parser.feed(data)

            def close(self) -> Any:
                return parser.close()

        return Counted()

    monkeypatch.setattr(reader, "xml_target_parser", counting)
    blank = b"\n" * (4 << 20)
    data = BASE.replace(b"</edXML:edXMLEnvelope>", b"</edXML:edXMLEnvelope>" + blank, 1)
    data = data.replace(b"<edXML:Subject>", b"<edXML:Subject>" + b"\n" * 1000, 1)
    result = read_edxml(data)
    elements = data.count(b"<") - data.count(b"</")
    assert len(feeds) <= elements + 2 * (len(data) >> 20) + 4, len(feeds)
    assert result.document is not None and result.document.summary.startswith("\n" * 1000)
    long_subject = BASE.replace(b"<edXML:Subject>", b"<edXML:Subject>" + b"x" * 600, 1)
    subject = next(f for f in validate(long_subject) if f.element.endswith("/Subject"))
    assert subject.line == _line_of(BASE, b"<edXML:Subject>")


def test_white_space_between_elements_is_not_kept() -> None:
    """Text between children is counted, not kept: 8 MB of it costs no memory and is no error."""
    data = BASE.replace(b"</edXML:edXMLEnvelope>", b"</edXML:edXMLEnvelope>" + b" \n" * (4 << 20), 1)
    data = data.replace(b"<edXML:From>", b"<edXML:From>" + b"\t" * (2 << 20), 1)  # before a first child
    tracemalloc.start()
    try:
        result = read_edxml(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.errors == ()
    assert peak < 12 << 20, peak


@pytest.mark.parametrize("shape", ["one-tag", "many-tags"])
def test_attributes_are_bounded(shape: str) -> None:
    """200,000 attributes made validate take 151 s and 443 MB."""
    if shape == "one-tag":
        attrs = b" ".join(b'a%d="1"' % i for i in range(200_000))
        data = BASE.replace(b"<edXML:Subject>", b"<edXML:Subject " + attrs + b">", 1)
        match = "start tag is longer"
    else:
        data = _with_places(b'<edXML:Place a="1" b="2" c="3" d="4"/>' * 2600)
        match = "more than 10000 attributes"
    tracemalloc.start()
    try:
        for fn in (read_edxml, validate):
            with pytest.raises(HostileInput, match=match):
                fn(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, peak


def test_attributes_within_the_limit_are_schema_errors() -> None:
    data = BASE.replace(b"<edXML:Subject>", b'<edXML:Subject a="1" b="2">', 1)
    errors = [f for f in validate(data) if f.code == "xsd"]
    assert len(errors) == 2 and {f.line for f in errors} == {_line_of(data, b'<edXML:Subject a="1" b="2">')}


@pytest.mark.parametrize("markup", [b"<!--%s-->", b"<?pi %s?>"], ids=["comment", "pi"])
def test_huge_comment_is_refused_while_read(markup: bytes) -> None:
    """A 300 MB comment exceeded 60 s, and libxml2 holds a comment whole before it refuses one over 10 MB: the
    reader refuses it as soon as it passes max_markup, with memory bounded by that."""
    body = (b"c" * 79 + b"\n") * (300_000)  # 24 MB in lines of 80
    data = BASE.replace(b"</edXML:edXMLEnvelope>", b"</edXML:edXMLEnvelope>" + markup % body, 1)
    tracemalloc.start()
    try:
        with pytest.raises(HostileInput, match="longer than 10000000 bytes") as info:
            read_edxml(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, peak
    assert info.value.line is not None and info.value.line > 100_000
    with pytest.raises(HostileInput, match="longer than 1000 bytes"):
        read_edxml(data.replace(body, b"x" * 2000), limits=ReadLimits(max_markup=1000))
    small = BASE.replace(b"</edXML:edXMLEnvelope>", b"</edXML:edXMLEnvelope><!--" + b"<x>" * 100_000 + b"-->", 1)
    assert read_edxml(small).errors == ()


@pytest.mark.parametrize(("text", "limits", "match"), [
    (b" " * 3000, ReadLimits(max_text=2000), "more than 2000 characters"),  # white space alone, in a leaf
    (b"x" * 3000, ReadLimits(max_text=2000), "more than 2000 characters"),
    (b"x" * 1500, ReadLimits(max_text=2000, max_text_total=1000), "more than 1000 characters"),
])
def test_text_is_bounded(text: bytes, limits: ReadLimits, match: str) -> None:
    data = BASE.replace(b"<edXML:Content>", b"<edXML:Content>" + text, 1)
    with pytest.raises(HostileInput, match=match) as info:
        read_edxml(data, limits=limits)
    assert info.value.line == _line_of(data, b"<edXML:Content>")


class _Short:
    """A binary source whose reads return at most ``size`` bytes (a read boundary at every few bytes)."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.pos, self.size = data, 0, size

    def read(self, n: int = -1) -> bytes:
        piece = self.data[self.pos:self.pos + min(n, self.size)]
        self.pos += len(piece)
        return piece


@pytest.mark.parametrize("cut", ["comment", "cdata", "pi", "attribute", "crlf"])
@pytest.mark.parametrize("size", [1, 2, 3, 7, 10])
def test_markup_cut_by_reads(cut: str, size: int) -> None:
    """Where a read ends never changes what is read: a tag inside a comment, CDATA or PI, a '>' or a quote
    inside an attribute value, CR-LF line ends, cut every few bytes, give the same findings and lines."""
    piece = {"comment": b"<!-- <edXML:Place>no</edXML:Place> -->", "cdata": b"<![CDATA[<a> ]] ]>]]>",
             "pi": b"<?pi <a> ? > ?>", "attribute": b"<edXML:Place x='>\"' y=\"'>\">p</edXML:Place>",
             "crlf": b"<edXML:Place>a\r\nb</edXML:Place>\r\n\r\n"}[cut]
    data = _with_places(piece + b"\n<edXML:Place>" + b"x" * 151 + b"</edXML:Place>").replace(b"\n", b"\r\n")
    expected = [(f.line, f.element, f.message) for f in validate(data)]
    assert any("/ToPlaces/Place" in f[1] and "151 characters" in f[2] for f in expected), expected
    assert [(f.line, f.element, f.message) for f in validate(_Short(data, size))] == expected  # type: ignore[arg-type]
    whole = read_edxml(data).document
    assert whole is not None and read_edxml(_Short(data, size)).document == whole  # type: ignore[arg-type]


def test_many_attributes_on_one_element_are_one_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rebuilding an element of n attributes for the XSD costs n² in libxml2 (each attribute appended by a
    walk of the list): the XSD sees the first ATTRIBUTES, and one finding names the element and the count."""
    monkeypatch.setattr(schema_mod, "ATTRIBUTES", 8)
    attrs = b" ".join(b'a%d="1"' % i for i in range(50))
    data = BASE.replace(b"<edXML:Subject>", b"<edXML:Subject " + attrs + b">", 1)
    findings = validate(data)
    many = [f for f in findings if f.code == "attributes"]
    assert len(many) == 1 and "50 attributes" in many[0].message and many[0].line == _line_of(data, attrs + b">")
    assert len([f for f in findings if f.code == "xsd" and "attribute" in f.message]) == 8
    seen: list[int] = []
    real = schema_mod.schema()

    class Watched:
        def validate(self, doc: Any) -> bool:
            seen.append(max(len(el.attrib) for el in doc.iter()))
            return real.validate(doc)  # type: ignore[no-any-return]

        @property
        def error_log(self) -> Any:
            return real.error_log

    monkeypatch.setattr(schema_mod, "schema", Watched)
    validate(data)
    assert max(seen) == 8
