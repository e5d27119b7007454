"""The edXML schema (our XSD, shipped as package data) and :func:`validate`.

The XSD is loaded once with :mod:`importlib.resources` and cached. :func:`validate` reads the message with the
streaming reader (so a large attachment costs no memory), rebuilds the small metadata tree as lxml elements
carrying their original line numbers, validates it against the XSD, and merges the schema's complaints with
the reader's own rule checks; where both flag the same element, the rule check's clearer message is kept.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO

from lxml import etree

from edoc.edxml.findings import Finding, Severity
from edoc.edxml.reader import ReadLimits, _Node, _read
from edoc.util.xml import parse_xml

__all__ = ["schema", "validate", "SCHEMA_RESOURCE"]

#: Where the XSD lives inside the package.
SCHEMA_RESOURCE = "data/edxml/edxml.xsd"
_BAD_NS = "urn:edoc:unusable-namespace"
_CLARK = re.compile(r"\{[^{}]*\}")
_STEP = re.compile(r"^(?:[^:/\[\]]+:)?([^\[\]]+)(\[\d+\])?$")


@cache
def schema() -> etree.XMLSchema:
    """The edXML XSD (document and status messages), parsed once."""
    data = resources.files("edoc").joinpath(SCHEMA_RESOURCE).read_bytes()
    return etree.XMLSchema(parse_xml(data, path=SCHEMA_RESOURCE))


def _rebuild(node: _Node) -> etree._Element:
    """lxml elements of the metadata tree, with the source lines (attachment payloads left empty)."""
    tag = f"{{{node.ns}}}{node.local}" if node.ns else node.local
    try:
        el = etree.Element(tag, node.attrib)
    except ValueError:  # a name, namespace URI or attribute libxml2 accepted but lxml's API refuses
        el = etree.Element(f"{{{_BAD_NS}}}x-" + re.sub(r"[^A-Za-z0-9_.-]", "_", node.local))
    el.sourceline = node.line  # type: ignore[assignment]
    if not node.children and node.payload is None:
        el.text = node.text
    for child in node.children:
        el.append(_rebuild(child))
    return el


def _path(xpath: str | None) -> str:
    steps = []
    for step in (xpath or "").strip("/").split("/"):
        m = _STEP.match(step)
        if not m:
            steps.append(step)
            continue
        index = m[2] if m[2] and m[2] != "[1]" else ""
        steps.append(m[1] + index)
    return "/".join(steps)


def validate(source: str | Path | bytes | IO[bytes], *, limits: ReadLimits | None = None) -> list[Finding]:
    """Every rule the message breaks: the XSD, then edoc's rule checks (OrganId shape, lengths, code lists,
    date formats, recipients, DocumentId), each naming the element and line, in document order.

    Warnings (``Severity.WARNING``) and notes are included; a message is valid when no finding is an ERROR.

    :raises MalformedFile: not XML, or not an edXML message at all.
    :raises HostileInput: DTD/entities, oversized input, a zip bomb.
    """
    result, root = _read(source, None, limits or ReadLimits())
    xsd = schema()
    xsd.validate(_rebuild(root))
    rule_paths = {f.element for f in result.findings}
    found = list(result.findings)
    for err in xsd.error_log:  # type: ignore[attr-defined]
        element = _path(err.path)
        if element in rule_paths:
            continue
        message = _CLARK.sub("", err.message)
        found.append(Finding("xsd", f"schema: {message}", f"Lược đồ XSD: {message}", element, err.line or None,
                             Severity.ERROR))
    found.sort(key=lambda f: (f.line or 0))
    return found
