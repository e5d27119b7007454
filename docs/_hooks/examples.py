"""MkDocs hook: the runnable examples under ``examples/`` become pages of the site.

The guides link to ``../examples/NAME.py`` so that the links work when the Markdown is read in the
repository; on the site each such link goes to a generated page ``examples/NAME.md`` showing the script
(its docstring as the introduction, then the code), so ``mkdocs build --strict`` finds no broken link.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_LINK = re.compile(r"\]\(\.\./examples/([A-Za-z0-9_.-]+\.py)\)")


def _page(script: Path) -> str:
    source = script.read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(source)) or ""
    return (f"# examples/{script.name}\n\n{doc}\n\nRun it from a clone of the repository: "
            f"`.venv/bin/python examples/{script.name}` (CI runs every example).\n\n"
            f"```python\n{source}```\n")


def on_files(files: Files, config: Any, **kwargs: Any) -> Files:
    """Add one generated page per example script."""
    for script in sorted(EXAMPLES.glob("*.py")):
        files.append(File.generated(config, f"examples/{script.stem}.md", content=_page(script)))
    return files


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Point ``../examples/NAME.py`` links at the generated pages."""
    depth = page.file.src_uri.count("/")
    prefix = "../" * depth
    return _LINK.sub(lambda m: f"]({prefix}examples/{Path(m.group(1)).stem}.md)", markdown)
