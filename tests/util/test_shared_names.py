"""Shared names have one home (issue 14 §4): the XML namespaces, the Vietnam time zone, the reserved field names;
renamed public names keep working under their old name with a DeprecationWarning."""

from __future__ import annotations

import ast
import functools
import importlib
from pathlib import Path

import pytest

from edoc.util import namespaces

SRC = Path(__file__).resolve().parents[2] / "src" / "edoc"


@functools.cache
def _string_constants() -> list[tuple[Path, int, str]]:
    out = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
                value = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
                out.append((path, node.lineno, value))
    return out


#: modules still spelling a namespace out, each to take it from edoc.util.namespaces (a ratchet: it only shrinks;
#: they are being rewritten by issue 14 §1 and §2 and change after those land)
PENDING = {"sign/xades.py", "verify/xmldsig.py", "verify/attachments.py"}


def _spelt_out(uri: str) -> set[str]:
    """Modules with a string constant that is the namespace or a qualified name in it (``{uri}local``)."""
    return {str(p.relative_to(SRC)) for p, _line, value in _string_constants()
            if (value == uri or f"{{{uri}}}" in value) and p.name != "namespaces.py"}


@pytest.mark.parametrize("name", namespaces.__all__)
def test_each_namespace_is_written_once(name: str) -> None:
    """No module spells a namespace out; it takes it from edoc.util.namespaces."""
    assert _spelt_out(getattr(namespaces, name)) <= PENDING


def test_the_pending_list_only_shrinks() -> None:
    still = set().union(*(_spelt_out(getattr(namespaces, n)) for n in namespaces.__all__))
    assert still == PENDING, f"no longer spelling a namespace out: {sorted(PENDING - still)}; drop them from PENDING"


def test_the_edxml_reader_does_not_import_the_writer() -> None:
    """The reader takes the namespace, the status shapes and content types from modules of their own."""
    tree = ast.parse((SRC / "edxml" / "reader.py").read_text("utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert "edoc.edxml.writer" not in imported and "edoc.edxml.shapes" in imported


@pytest.mark.parametrize(("module", "old", "new"), [
    ("edoc.pdfa", "Finding", "PdfaFinding"),
    ("edoc.edxml", "Finding", "EdxmlFinding"),
])
def test_renamed_public_names_still_work_with_a_warning(module: str, old: str, new: str) -> None:
    mod = importlib.import_module(module)
    assert old not in mod.__all__ and new in mod.__all__
    with pytest.warns(DeprecationWarning, match=f"{module}.{old} is deprecated: it is now {module}.{new}"):
        value = getattr(mod, old)
    assert value is getattr(mod, new)
    with pytest.raises(AttributeError):
        mod.NoSuchName  # noqa: B018


def test_the_two_finding_classes_have_distinct_names() -> None:
    from edoc.edxml import EdxmlFinding
    from edoc.pdfa import PdfaFinding

    assert EdxmlFinding.__name__ != PdfaFinding.__name__
