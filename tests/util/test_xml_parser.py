"""The hardened XML parser factory: DTDs and entities refused whatever disguise, bounded and clear errors."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from edoc.errors import HostileInput, MalformedFile, ResourceError
from edoc.util.xml import check_prolog, parse_xml

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""


@pytest.mark.parametrize(
    "data",
    [
        LAUGHS,
        XXE,
        b"<!-- <x> -->" + XXE.split(b"\n", 1)[1],
        b'<?xml version="1.0"?><?pi <y>?>' + XXE.split(b"\n", 1)[1],
        b"<!DOCTYPE r SYSTEM 'http://127.0.0.1:9/x.dtd'><r/>",
        b"\xff\xfe" + XXE.decode().encode("utf-16-le"),
        XXE.decode().encode("utf-16-be"),
    ],
    ids=["billion-laughs", "xxe", "comment-disguise", "pi-disguise", "external-dtd", "utf16-bom", "utf16-nobom"],
)
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(HostileInput) as info:
        parse_xml(data)
    assert "DTD" in str(info.value)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_ordinary_xml_parses_and_comments_are_fine() -> None:
    tree = parse_xml('<?xml version="1.0"?><!-- a comment --><?pi x?><r a="1"><c>Thuận Nam</c></r>'.encode())
    assert tree.getroot().findtext("c") == "Thuận Nam"


def test_doctype_word_inside_content_is_not_refused() -> None:
    check_prolog(b"<r><!-- <!DOCTYPE is only text here --></r>")


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.xml"
    p.write_bytes(b"<r>\n<a>\n</r>")
    with pytest.raises(MalformedFile) as info:
        parse_xml(p)
    assert info.value.line is not None and info.value.path == str(p)


def test_missing_file_is_a_resource_error(tmp_path: Path) -> None:
    with pytest.raises(ResourceError):
        parse_xml(tmp_path / "absent.xml")
