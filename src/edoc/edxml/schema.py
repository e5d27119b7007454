"""The edXML schema (our XSD, shipped as package data) and :func:`validate`.

The XSD is loaded once with :mod:`importlib.resources` and cached. :func:`validate` reads the message with the
streaming reader (so a large attachment costs no memory), rebuilds the small metadata tree as lxml elements,
validates it against the XSD, and merges the schema's complaints with the reader's own rule checks; where both
flag the same element, the rule check's clearer message is kept.

Two properties of libxml2 shape the rebuild:

- An element's line is an unsigned 16-bit number in libxml2 (lxml raises ``OverflowError`` past 65,535), so
  line numbers are never stored in the rebuilt tree. Each rebuilt element is registered under the path
  libxml2 writes in its errors (``/p0:edXML/p0:edXMLEnvelope/…/p0:To[3]``, prefixes chosen here), and a schema
  error is mapped back through that path to the reader's element, with its line as a Python int.
- libxml2 computes the path of every error by walking the element's preceding siblings, so errors on the
  items of a long list cost time quadratic in the list's length (100,000 invalid siblings: minutes). An
  element with more than :data:`WINDOW` children is therefore validated in windows of that many children:
  the first window in the main document, each further one in a document of its own that keeps the path from
  the root (each ancestor with the children before the path folded to a few names, which is all the content
  model needs to reach the same state) and only the element's own children in the window. Every element's
  errors are taken from exactly one document: the one where it and its subtree are complete (for an element
  with many children, the one holding its last window, where its content model ends). The work is linear in
  the size of the metadata.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO

from lxml import etree

from edoc.edxml.findings import EdxmlFinding, Severity
from edoc.edxml.reader import ReadLimits, _Node, _read
from edoc.util.xml import parse_xml

__all__ = ["schema", "validate", "SCHEMA_RESOURCE"]

#: Where the XSD lives inside the package.
SCHEMA_RESOURCE = "data/edxml/edxml.xsd"
#: Children of one element validated in one document (see the module docstring).
WINDOW = 512
#: Attributes of one element given to the XSD (libxml2 appends an attribute by walking the element's list, so
#: an element of n attributes costs n² to rebuild); edXML allows at most two on any element, so an element
#: with more is an error of its own (``attributes``) and the XSD checks the first ones.
ATTRIBUTES = 64
_RUNS = 8  # runs of same-named children kept at each end of a folded list of preceding children
_BAD_NS = "urn:edoc:unusable-namespace"
_CLARK = re.compile(r"\{[^{}]*\}")
_STEP = re.compile(r"^(?:[^:/\[\]]+:)?([^\[\]]+)(\[\d+\])?$")
_FIRST = re.compile(r"\[1\](?=/|$)")
_NOT_ELEMENT = re.compile(r"/(?:@[^/]*|text\(\)|comment\(\)|processing-instruction\([^)]*\))$")


@cache
def schema() -> etree.XMLSchema:
    """The edXML XSD (document and status messages), parsed once."""
    data = resources.files("edoc").joinpath(SCHEMA_RESOURCE).read_bytes()
    return etree.XMLSchema(parse_xml(data, path=SCHEMA_RESOURCE))


class _Doc:
    """One document for the XSD: lxml elements made from reader nodes, registered under libxml2's paths."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes
        self.keys: dict[str, tuple[_Node, bool]] = {}
        self.root: etree._Element | None = None

    def add(self, node: _Node, parent: tuple[etree._Element, str, dict[tuple[str, str], int]] | None, *,
            full: bool, keep: bool) -> tuple[etree._Element, str, dict[tuple[str, str], int]]:
        """Make the element of ``node`` (with its attributes and leaf text when ``full``) under ``parent``."""
        ns, local = node.ns, node.local
        tag = f"{{{ns}}}{local}" if ns else local
        try:
            el = self._make(tag, parent)
        except ValueError:  # a name or namespace libxml2 accepted but lxml's API refuses
            ns, local = _BAD_NS, "x-" + re.sub(r"[^A-Za-z0-9_.-]", "_", local)
            el = self._make(f"{{{ns}}}{local}", parent)
        if full:
            for name, value in itertools.islice((node.attrib or {}).items(), ATTRIBUTES):
                try:
                    el.set(name, value)
                except ValueError:
                    el.set(f"{{{_BAD_NS}}}attribute", "")  # still "not allowed" for the XSD
            if not node.children and node.payload is None and node.parts:
                el.text = node.text
        step = f"{self.prefixes[ns]}:{local}" if ns else local
        if parent is None:
            key = "/" + step
        else:
            counts = parent[2]
            k = counts.get((ns, local), 0) + 1
            counts[(ns, local)] = k
            key = f"{parent[1]}/{step}" + (f"[{k}]" if k > 1 else "")
        self.keys[key] = (node, keep)
        return el, key, {}

    def _make(self, tag: str, parent: tuple[etree._Element, str, dict[tuple[str, str], int]] | None,
              ) -> etree._Element:
        if parent is None:
            self.root = etree.Element(tag, nsmap={p: u for u, p in self.prefixes.items()})  # type: ignore[misc]
            return self.root
        return etree.SubElement(parent[0], tag)

    def base(self, node: _Node, parent: tuple[etree._Element, str, dict[tuple[str, str], int]] | None) -> None:
        """``node`` and its subtree, each element with at most :data:`WINDOW` children (the first ones)."""
        wide = len(node.children) > WINDOW
        here = self.add(node, parent, full=True, keep=not wide)
        for child in node.children[:WINDOW]:
            self.base(child, here)

    def folded(self, node: _Node, cut: int, runs: _Runs,
               parent: tuple[etree._Element, str, dict[tuple[str, str], int]]) -> None:
        """``node``'s children before ``cut`` reduced to what its content model needs: names only, at most two
        of each run of same-named siblings, and only the first and last :data:`_RUNS` runs when there are more
        (work independent of ``cut``)."""
        starts = runs.of(node)
        last = bisect.bisect_left(starts, cut)  # runs starting before cut: starts[:last]
        chosen = range(last) if last <= 2 * _RUNS else [*range(_RUNS), *range(last - _RUNS, last)]
        for r in chosen:
            end = min(starts[r + 1] if r + 1 < len(starts) else cut, cut, starts[r] + 2)
            for c in node.children[starts[r]:end]:
                self.add(c, parent, full=False, keep=False)


class _Runs:
    """Where each run of same-named children starts, per element, computed once."""

    def __init__(self) -> None:
        self.cache: dict[int, list[int]] = {}

    def of(self, node: _Node) -> list[int]:
        starts = self.cache.get(id(node))
        if starts is None:
            starts = []
            prev: tuple[str, str] | None = None
            for i, c in enumerate(node.children):
                if (c.ns, c.local) != prev:
                    starts.append(i)
                    prev = (c.ns, c.local)
            self.cache[id(node)] = starts
        return starts


def _documents(root: _Node) -> Iterator[_Doc]:
    """The main document, then one per further window of each element with more than WINDOW children."""
    uris = sorted({n.ns for n in _walk(root) if n.ns} | {_BAD_NS})
    prefixes = {u: f"p{i}" for i, u in enumerate(uris)}
    main = _Doc(prefixes)
    main.base(root, None)
    yield main
    runs = _Runs()
    for spine in _wide(root):
        node = spine[-1][0]
        windows = (len(node.children) + WINDOW - 1) // WINDOW
        for j in range(1, windows):
            doc = _Doc(prefixes)
            parent = None
            for level, (ancestor, _) in enumerate(spine[:-1]):
                parent = doc.add(ancestor, parent, full=False, keep=False)
                child, at = spine[level + 1]
                doc.folded(ancestor, at, runs, parent)
                # the path child itself is added at the next level (or below as ``node``)
            here = doc.add(node, parent, full=True, keep=j == windows - 1)
            doc.folded(node, j * WINDOW, runs, here)
            for child in node.children[j * WINDOW:(j + 1) * WINDOW]:
                doc.base(child, here)
            yield doc


def _walk(root: _Node) -> Iterator[_Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _wide(root: _Node) -> Iterator[list[tuple[_Node, int]]]:
    """The path from the root to each element with more than WINDOW children, as (element, its index among
    its parent's children)."""
    stack: list[list[tuple[_Node, int]]] = [[(root, 0)]]
    while stack:
        spine = stack.pop()
        node = spine[-1][0]
        if len(node.children) > WINDOW:
            yield spine
        for i, child in enumerate(node.children):
            if child.children:
                stack.append([*spine, (child, i)])


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


def _schema_errors(root: _Node) -> Iterator[tuple[_Node | None, str, str]]:
    """``(element, path of the error, message)`` of every schema error, each element's from one document."""
    xsd = schema()
    for doc in _documents(root):
        assert doc.root is not None
        xsd.validate(doc.root)
        for err in xsd.error_log:  # type: ignore[attr-defined]
            key = _NOT_ELEMENT.sub("", _FIRST.sub("", err.path or ""))
            found = doc.keys.get(key)
            while found is None and "/" in key.lstrip("/"):
                key = key.rsplit("/", 1)[0]
                found = doc.keys.get(key)
            if found is None:
                yield None, err.path or "", err.message
            elif found[1]:
                yield found[0], err.path or "", err.message


def validate(source: str | Path | bytes | IO[bytes], *, limits: ReadLimits | None = None) -> list[EdxmlFinding]:
    """Every rule the message breaks: the XSD, then edoc's rule checks (OrganId shape, lengths, code lists,
    date formats, recipients, DocumentId), each naming the element and line, in document order.

    Warnings (``Severity.WARNING``) and notes are included; a message is valid when no finding is an ERROR.

    :raises MalformedFile: not XML, or not an edXML message at all.
    :raises HostileInput: DTD/entities, oversized input, a zip bomb.
    """
    result, root = _read(source, None, limits or ReadLimits())
    rule_paths = {f.element for f in result.findings}
    found = list(result.findings)
    for crowded in _walk(root):
        if crowded.attrib is not None and len(crowded.attrib) > ATTRIBUTES:
            n = len(crowded.attrib)
            found.append(EdxmlFinding(
                "attributes", f"element {crowded.local} carries {n} attributes; edXML allows at most "
                f"two on an element (the schema checked the first {ATTRIBUTES})",
                f"Phần tử {crowded.local} có {n} thuộc tính; edXML cho phép tối đa hai thuộc tính "
                f"trên một phần tử (lược đồ đã kiểm tra {ATTRIBUTES} thuộc tính đầu)",
                crowded.path, crowded.line, Severity.ERROR))
    for node, xpath, raw in _schema_errors(root):
        element = node.path if node is not None else _path(xpath)
        if element in rule_paths:
            continue
        message = _CLARK.sub("", raw)
        found.append(EdxmlFinding("xsd", f"schema: {message}", f"Lược đồ XSD: {message}", element,
                                  node.line if node is not None else None, Severity.ERROR))
    found.sort(key=lambda f: (f.line or 0))
    return found
