"""Griffe extension: the ``#:`` comments above a module constant are its docstring.

edoc documents constants the Sphinx way (``#: text`` lines right above the assignment, see
``src/edoc/errors.py``); griffe only reads a string literal *after* an assignment. This extension gives an
attribute without such a string the ``#:`` block that precedes it, so the API reference shows it.
"""

from __future__ import annotations

import ast
from typing import Any

import griffe


class SphinxComments(griffe.Extension):
    """Read ``#:`` comment blocks as attribute docstrings."""

    def on_attribute_instance(self, *, node: ast.AST | griffe.ObjectNode, attr: griffe.Attribute,
                              agent: griffe.Visitor | griffe.Inspector, **kwargs: Any) -> None:
        if attr.docstring is not None or not attr.lineno or attr.parent is None:
            return
        module = attr.module
        try:
            lines = module.lines
        except (AttributeError, OSError):
            return
        block: list[str] = []
        index = attr.lineno - 2          # the line above the assignment (lineno is 1-based)
        while index >= 0 and lines[index].lstrip().startswith("#:"):
            block.insert(0, lines[index].lstrip()[2:].strip())
            index -= 1
        if block:
            attr.docstring = griffe.Docstring("\n".join(block), lineno=index + 2, endlineno=attr.lineno - 1,
                                              parent=attr)
