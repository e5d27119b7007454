"""MkDocs hook: the API reference documents every public name, and every public name has a docstring.

The public API is ``edoc.__all__`` plus the ``__all__`` of each public module directly under ``edoc``
(``edoc.model``, ``edoc.sign``, …: every one that defines ``__all__``). The rules:

- each public module has a reference page ``docs/reference/NAME.md`` that renders it whole (``::: edoc.NAME``);
- each name in a module's ``__all__`` has a docstring in the source (for constants, ``#:`` comments above
  the assignment count, as in Sphinx), so that the page shows it (mkdocstrings hides members without one);
- each name of ``edoc.__all__`` is the same object as a name of a rendered module (the top-level namespace
  only re-exports), or has its own docstring on the ``edoc`` page.

``problems()`` is also called by ``tests/test_docs.py``; in ``mkdocs build --strict`` every problem is a
warning, so the build fails.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.api_coverage")

DOCS = Path(__file__).resolve().parents[1]
REFERENCE = DOCS / "reference"
_DIRECTIVE = re.compile(r"^:::\s+(\S+)", re.MULTILINE)


def public_modules() -> list[str]:
    """``edoc`` and every module directly under it that defines ``__all__`` (``_private`` ones excluded)."""
    import edoc

    names = ["edoc"]
    for info in pkgutil.iter_modules(edoc.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"edoc.{info.name}")
        if hasattr(module, "__all__"):
            names.append(module.__name__)
    return names


def rendered_modules(reference: Path = REFERENCE) -> dict[str, Path]:
    """The modules rendered whole by a ``::: edoc.X`` directive, with the page that renders each."""
    found: dict[str, Path] = {}
    for page in sorted(reference.glob("*.md")):
        for target in _DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            found.setdefault(target, page)
    return found


def _griffe_package() -> Any:
    import griffe

    extension = griffe.load_extensions(str(DOCS / "_hooks" / "sphinx_comments.py"))
    src = DOCS.parent / "src"
    return griffe.load("edoc", search_paths=[str(src)] if src.is_dir() else None, extensions=extension,
                       resolve_aliases=True, resolve_external=False)


def _docstring(package: Any, module: str, name: str) -> str | None:
    import griffe

    obj = package if module == "edoc" else package[module.removeprefix("edoc.")]
    try:
        member = obj[name]
        target = member.final_target if member.is_alias else member
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):  # a name griffe cannot see
        return None
    doc = target.docstring
    return doc.value.strip() if doc is not None and doc.value.strip() else None


def problems(reference: Path = REFERENCE) -> list[str]:
    """Every public name that lacks a docstring or a place in the reference, one line each."""
    package = _griffe_package()
    rendered = rendered_modules(reference)
    found: list[str] = []
    documented: list[tuple[str, str, object]] = []
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        if module_name == "edoc":
            continue
        if module_name not in rendered:
            found.append(f"{module_name}: no reference page renders it (add docs/reference/"
                         f"{module_name.removeprefix('edoc.')}.md with '::: {module_name}')")
            continue
        for name in module.__all__:
            if not hasattr(module, name):
                found.append(f"{module_name}.{name}: listed in __all__ but not defined")
                continue
            documented.append((module_name, name, getattr(module, name)))
            if _docstring(package, module_name, name) is None:
                found.append(f"{module_name}.{name}: no docstring (for a constant: a '#:' comment above it)")
    import edoc

    for name in edoc.__all__:
        value = getattr(edoc, name)
        if any(value is obj for _m, _n, obj in documented if not isinstance(obj, (str, int, tuple, frozenset))):
            continue
        if "edoc" in rendered and _docstring(package, "edoc", name) is not None:
            continue
        found.append(f"edoc.{name}: not the same object as any documented name of a public module, and no "
                     "docstring of its own on the 'edoc' page")
    return found


def on_pre_build(config: Any, **kwargs: Any) -> None:
    """Report each problem as a warning (``mkdocs build --strict`` then fails)."""
    for problem in problems():
        log.warning("API reference: %s", problem)


def namespace_table() -> str:
    """A Markdown table of ``edoc.__all__``: each name with a link to where it is documented."""
    import edoc

    documented: list[tuple[str, str, object]] = []
    rendered = rendered_modules()
    for module_name in public_modules():
        if module_name != "edoc" and module_name in rendered:
            module = importlib.import_module(module_name)
            documented += [(module_name, n, getattr(module, n)) for n in module.__all__ if hasattr(module, n)]
    rows = ["| name | documented as |", "|---|---|"]
    for name in edoc.__all__:
        value = getattr(edoc, name)
        where = next((f"{m}.{n}" for m, n, obj in documented if obj is value
                      and not isinstance(obj, (str, int, tuple, frozenset))), None)
        target = where or f"edoc.{name}"
        rows.append(f"| `edoc.{name}` | [`{target}`][{target}] |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Fill the ``<!-- edoc-namespace-table -->`` marker of the reference index."""
    marker = "<!-- edoc-namespace-table -->"
    return markdown.replace(marker, namespace_table()) if marker in markdown else markdown
