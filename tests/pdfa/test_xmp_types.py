"""6.6.2.3.1: the value types of predefined XMP properties, type by type (XMP Specification 2005 / Part 1).

Each case is a property written in one of the RDF forms XMP allows; a conforming value must never be
flagged (issue 12 §4: a qualified Text item was called "not of type Text"), a wrong one always is. The
labelled veraPDF corpus (tests/pdfa/test_corpus.py) keeps its results with these rules.
"""

from __future__ import annotations

import pytest
from lxml import etree

from edoc.pdfa.xmp_types import check_xmp_types

_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpidq": "http://ns.adobe.com/xmp/Identifier/qual/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "stRef": "http://ns.adobe.com/xap/1.0/sType/ResourceRef#",
    "stEvt": "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "xmpDM": "http://ns.adobe.com/xmp/1.0/DynamicMedia/",
    "edoc": "urn:example:edoc-extension/",
}


def problems(body: str, attrs: str = "") -> list[tuple[str, str]]:
    decls = " ".join(f'xmlns:{p}="{u}"' for p, u in _NS.items())
    xml = (f'<x:xmpmeta xmlns:x="adob:ns:meta/" {decls}><rdf:RDF><rdf:Description rdf:about="" {attrs}>'
           f"{body}</rdf:Description></rdf:RDF></x:xmpmeta>")
    return list(check_xmp_types(etree.fromstring(xml.encode())))


def _bag(*items: str, kind: str = "Bag") -> str:
    return f"<rdf:{kind}>{''.join(items)}</rdf:{kind}>"


# -- Text (and the text-like simple types: ProperName, AgentName, URI, …) -----------------------------

TEXT_OK = {
    "plain": "<dc:source>Sổ văn bản đi 2026</dc:source>",
    "empty": "<dc:source/>",
    "uri resource": '<dc:source rdf:resource="https://thuannam.ninhthuan.gov.vn/vb/5"/>',
    "qualified, parseType Resource": ('<dc:source rdf:parseType="Resource"><rdf:value>05/QĐ-UBND</rdf:value>'
                                      "<xmpidq:Scheme>số ký hiệu</xmpidq:Scheme></dc:source>"),
    "qualified, rdf:Description": ("<dc:source><rdf:Description><rdf:value>05/QĐ-UBND</rdf:value>"
                                   "<xmpidq:Scheme>số ký hiệu</xmpidq:Scheme></rdf:Description></dc:source>"),
    "qualified, attributes": '<dc:source rdf:value="05/QĐ-UBND" xmpidq:Scheme="số ký hiệu"/>',
    "qualified, Description attributes": ('<dc:source><rdf:Description rdf:value="05/QĐ-UBND" '
                                          'xmpidq:Scheme="số ký hiệu"/></dc:source>'),
    "with xml:lang": '<dc:source xml:lang="vi">Sổ văn bản đi</dc:source>',
}


@pytest.mark.parametrize("body", TEXT_OK.values(), ids=TEXT_OK.keys())
def test_text_values_that_conform(body: str) -> None:
    assert problems(body) == []


@pytest.mark.parametrize(("body", "problem"), [
    # dc:identifier is Text, not an array (veraPDF corpus 6-6-2-3-1-t06-fail-g is labelled failing)
    ("<dc:identifier>" + _bag("<rdf:li>a</rdf:li>", kind="Seq") + "</dc:identifier>", "is not of type Text"),
    ("<dc:identifier>" + _bag("<rdf:li>a</rdf:li>") + "</dc:identifier>", "is not of type Text"),
    ('<dc:source rdf:parseType="Resource"><edoc:a>x</edoc:a></dc:source>', "is not of type Text"),
    ('<dc:source edoc:a="x"/>', "is not of type Text"),
])
def test_text_values_that_do_not(body: str, problem: str) -> None:
    [(_, found)] = problems(body)
    assert found == problem


# -- arrays: bag, seq, alt of a simple type --------------------------------------------------------------

ARRAY_OK = {
    "bag of text": "<xmp:Identifier>" + _bag("<rdf:li>05/QĐ-UBND</rdf:li>", "<rdf:li>H43.05</rdf:li>")
                   + "</xmp:Identifier>",
    "empty bag": "<xmp:Identifier><rdf:Bag/></xmp:Identifier>",
    # the class of issue 12 §4: items that are valid Text written with qualifiers
    "bag of qualified text (parseType)": "<xmp:Identifier>" + _bag(
        '<rdf:li rdf:parseType="Resource"><rdf:value>05/QĐ-UBND</rdf:value>'
        "<xmpidq:Scheme>số ký hiệu</xmpidq:Scheme></rdf:li>") + "</xmp:Identifier>",
    "bag of qualified text (Description)": "<xmp:Identifier>" + _bag(
        "<rdf:li><rdf:Description><rdf:value>05/QĐ-UBND</rdf:value>"
        "<xmpidq:Scheme>số ký hiệu</xmpidq:Scheme></rdf:Description></rdf:li>") + "</xmp:Identifier>",
    "bag of qualified text (attributes)": "<xmp:Identifier>" + _bag(
        '<rdf:li rdf:value="05/QĐ-UBND" xmpidq:Scheme="số ký hiệu"/>') + "</xmp:Identifier>",
    "bag of text with xml:lang": "<dc:subject>" + _bag('<rdf:li xml:lang="vi">văn thư</rdf:li>') + "</dc:subject>",
    "seq of text": "<dc:creator>" + _bag("<rdf:li>UBND huyện Thuận Nam</rdf:li>", kind="Seq") + "</dc:creator>",
    "seq of dates": "<dc:date>" + _bag("<rdf:li>2026-01-05</rdf:li>", "<rdf:li>2026-02-03T08:30:00+07:00</rdf:li>",
                                       kind="Seq") + "</dc:date>",
    "array as a qualified value": ('<dc:subject rdf:parseType="Resource"><rdf:value>'
                                   + _bag("<rdf:li>văn thư</rdf:li>") + "</rdf:value><edoc:note>x</edoc:note>"
                                   "</dc:subject>"),
}


@pytest.mark.parametrize("body", ARRAY_OK.values(), ids=ARRAY_OK.keys())
def test_arrays_that_conform(body: str) -> None:
    assert problems(body) == []


@pytest.mark.parametrize(("body", "problem"), [
    ("<xmp:Identifier>" + _bag("<rdf:li>a</rdf:li>", kind="Seq") + "</xmp:Identifier>", "is not an rdf:Bag"),
    ("<xmp:Identifier>a</xmp:Identifier>", "is not an rdf:Bag"),
    ("<dc:creator>" + _bag("<rdf:li>a</rdf:li>") + "</dc:creator>", "is not an rdf:Seq"),
    ("<xmp:Identifier>" + _bag("<rdf:li>" + _bag("<rdf:li>a</rdf:li>") + "</rdf:li>") + "</xmp:Identifier>",
     "has an item that is not of type Text"),
    ("<xmp:Identifier>" + _bag('<rdf:li rdf:parseType="Resource"><edoc:a>x</edoc:a></rdf:li>') + "</xmp:Identifier>",
     "has an item that is not of type Text"),
    ("<dc:date>" + _bag("<rdf:li>05/01/2026</rdf:li>", kind="Seq") + "</dc:date>",
     "has an item that is not of type Date"),
])
def test_arrays_that_do_not(body: str, problem: str) -> None:
    [(_, found)] = problems(body)
    assert found == problem


# -- simple types with a lexical form ---------------------------------------------------------------------

@pytest.mark.parametrize(("prop", "value", "ok"), [
    ("xmpMM:SaveID", "12", True), ("xmpMM:SaveID", "+3", True), ("xmpMM:SaveID", "1.5", False),
    ("xmpMM:SaveID", "", False),
    ("xmp:Rating", "3.5", True), ("xmp:Rating", "-1", True), ("xmp:Rating", ".5", True), ("xmp:Rating", "ba", False),
    ("xmpRights:Marked", "True", True), ("xmpRights:Marked", "False", True), ("xmpRights:Marked", "true", False),
    ("xmp:CreateDate", "2026", True), ("xmp:CreateDate", "2026-01", True), ("xmp:CreateDate", "2026-01-05", True),
    ("xmp:CreateDate", "2026-01-05T08:30+07:00", True), ("xmp:CreateDate", "2026-01-05T08:30:15.25Z", True),
    ("xmp:CreateDate", "2026-1-5", False), ("xmp:CreateDate", "ngày 05 tháng 01 năm 2026", False),
    ("exif:FNumber", "28/10", True), ("exif:FNumber", "2.8", False),
    ("xmpMM:DocumentID", "uuid:3f2a", True),
    ("xmpDM:videoPixelDepth", "8Int", True), ("xmpDM:videoPixelDepth", "9Int", False),
])
@pytest.mark.parametrize("form", ["element", "attribute", "qualified"])
def test_simple_types(prop: str, value: str, ok: bool, form: str) -> None:
    if form == "element":
        found = problems(f"<{prop}>{value}</{prop}>")
    elif form == "attribute":
        found = problems("", attrs=f'{prop}="{value}"')
    else:
        found = problems(f'<{prop} rdf:parseType="Resource"><rdf:value>{value}</rdf:value>'
                         f"<edoc:note>x</edoc:note></{prop}>")
    assert (found == []) is ok, found
    if not ok:
        assert found[0][0] == prop.split(":")[1]


# -- structures ----------------------------------------------------------------------------------------

STRUCT_OK = {
    "parseType Resource": '<xmpMM:DerivedFrom rdf:parseType="Resource"><stRef:instanceID>uuid:1</stRef:instanceID>'
                          "</xmpMM:DerivedFrom>",
    "rdf:Description": "<xmpMM:DerivedFrom><rdf:Description><stRef:instanceID>uuid:1</stRef:instanceID>"
                       "</rdf:Description></xmpMM:DerivedFrom>",
    "field attributes": '<xmpMM:DerivedFrom stRef:instanceID="uuid:1" stRef:documentID="uuid:2"/>',
    "Description with field attributes": '<xmpMM:DerivedFrom><rdf:Description stRef:instanceID="uuid:1"/>'
                                         "</xmpMM:DerivedFrom>",
    "seq of structures": "<xmpMM:History>" + _bag(
        '<rdf:li rdf:parseType="Resource"><stEvt:action>created</stEvt:action></rdf:li>',
        '<rdf:li stEvt:action="saved"/>', kind="Seq") + "</xmpMM:History>",
}


@pytest.mark.parametrize("body", STRUCT_OK.values(), ids=STRUCT_OK.keys())
def test_structures_that_conform(body: str) -> None:
    assert problems(body) == []


@pytest.mark.parametrize(("body", "problem"), [
    ("<xmpMM:DerivedFrom>uuid:1</xmpMM:DerivedFrom>", "is not of type struct"),
    ("<xmpMM:History>" + _bag("<rdf:li>created</rdf:li>", kind="Seq") + "</xmpMM:History>",
     "has an item that is not of type struct"),
    ("<xmpMM:History>" + _bag('<rdf:li rdf:parseType="Resource"><stEvt:action>x</stEvt:action></rdf:li>')
     + "</xmpMM:History>", "is not an rdf:Seq"),
])
def test_structures_that_do_not(body: str, problem: str) -> None:
    [(_, found)] = problems(body)
    assert found == problem


# -- language alternatives ----------------------------------------------------------------------------

LANG_OK = {
    "x-default and vi": "<dc:title>" + _bag('<rdf:li xml:lang="x-default">Quyết định</rdf:li>',
                                            '<rdf:li xml:lang="vi">Quyết định</rdf:li>', kind="Alt") + "</dc:title>",
    "xml:lang in scope from rdf:Alt": '<dc:title><rdf:Alt xml:lang="vi"><rdf:li>Quyết định</rdf:li></rdf:Alt>'
                                      "</dc:title>",
    "xml:lang in scope from the property": '<dc:title xml:lang="vi">' + _bag("<rdf:li>Quyết định</rdf:li>",
                                                                              kind="Alt") + "</dc:title>",
    "qualified alternative": "<dc:title>" + _bag('<rdf:li xml:lang="vi" rdf:parseType="Resource">'
                                                 "<rdf:value>Quyết định</rdf:value><edoc:note>x</edoc:note>"
                                                 "</rdf:li>", kind="Alt") + "</dc:title>",
    "empty": "<dc:title><rdf:Alt/></dc:title>",
}


@pytest.mark.parametrize("body", LANG_OK.values(), ids=LANG_OK.keys())
def test_language_alternatives_that_conform(body: str) -> None:
    assert problems(body) == []


@pytest.mark.parametrize(("body", "problem"), [
    ("<dc:title>Quyết định</dc:title>", "is not a language alternative (rdf:Alt)"),
    ("<dc:title>" + _bag('<rdf:li xml:lang="vi">a</rdf:li>') + "</dc:title>",
     "is not a language alternative (rdf:Alt)"),
    ("<dc:title>" + _bag("<rdf:li>a</rdf:li>", kind="Alt") + "</dc:title>", "has an alternative without xml:lang"),
    ("<dc:title>" + _bag('<rdf:li xml:lang="vi">' + _bag("<rdf:li>a</rdf:li>") + "</rdf:li>", kind="Alt")
     + "</dc:title>", "has an alternative that is not a text"),
])
def test_language_alternatives_that_do_not(body: str, problem: str) -> None:
    [(_, found)] = problems(body)
    assert found == problem


def test_attribute_form_of_a_non_simple_property_is_flagged() -> None:
    assert problems("", attrs='dc:title="Quyết định"') == [("title", "is not of type Lang Alt")]
    assert problems("", attrs='dc:subject="văn thư"') == [("subject", "is not of type bag Text")]


def test_unknown_properties_are_not_judged() -> None:
    assert problems("<edoc:anything>" + _bag("<rdf:li>x</rdf:li>") + "</edoc:anything>") == []
    assert problems("<xmp:NotInTheSpec>" + _bag("<rdf:li>x</rdf:li>") + "</xmp:NotInTheSpec>") == []
