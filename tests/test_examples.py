"""Every runnable example under examples/ runs and exits 0 (the docs point at them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=None)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]


def test_docs_link_only_to_existing_examples() -> None:
    import re

    for page in (ROOT / "docs").glob("*.md"):
        for target in re.findall(r"\(\.\./examples/([^)]+)\)", page.read_text(encoding="utf-8")):
            assert (ROOT / "examples" / target).exists(), f"{page.name} links to missing examples/{target}"
