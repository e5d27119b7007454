"""edoc as users install it: every import of a plain install is a core dependency; the built wheel, installed
without extras into a fresh virtual environment, runs every command (scripts/smoke-wheel.sh, also run by CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads pyproject.toml with tomllib")

ROOT = Path(__file__).resolve().parents[1]

# Import every edoc module with the packages that only the test/dev extras bring made unimportable: a module
# that needs one of them would crash a plain `pip install edoc` (as `requests` once did in `edoc verify`).
_BLOCKED_IMPORTS = r'''
import importlib, pkgutil, sys
blocked = set(sys.argv[1].split(","))
class Block:
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in blocked:
            raise ImportError(f"{fullname} is only in a test/dev extra")
sys.meta_path.insert(0, Block())
import edoc
from edoc.errors import MissingDependency
bad = []
for m in pkgutil.walk_packages(edoc.__path__, "edoc."):
    if m.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(m.name)
    except MissingDependency:
        pass
    except ImportError as exc:
        bad.append(f"{m.name}: {exc}")
print("\n".join(bad))
'''


def _test_only_modules() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def name(req: str) -> str:
        for sep in "[<>=!~; ":
            req = req.split(sep, 1)[0]
        return req.lower().replace("-", "_")

    core = {name(r) for r in project["dependencies"]}
    extras = project["optional-dependencies"]
    dev = {name(r) for k in ("test", "bench", "dev", "docs", "lint") for r in extras.get(k, [])}
    features = {name(r) for k, v in extras.items() if k not in ("test", "bench", "dev", "docs", "lint") for r in v}
    modules = (dev - core - features - {"edoc"}) | {"pytest", "hypothesis", "certomancer", "time_machine"}
    return modules | {"pkcs11", "dask", "distributed"}  # the feature extras: they must raise MissingDependency


def test_a_plain_install_imports_only_core_dependencies() -> None:
    blocked = _test_only_modules()
    assert {"requests", "pytest", "pkcs11"} & blocked == {"pytest", "pkcs11"}, "requests must be a core dependency"
    proc = subprocess.run([sys.executable, "-c", _BLOCKED_IMPORTS, ",".join(sorted(blocked))], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"modules that need a test-only or extra package:\n{proc.stdout}"


def test_the_blocker_can_fail() -> None:
    proc = subprocess.run([sys.executable, "-c", _BLOCKED_IMPORTS, "requests"], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert "requests is only in a test/dev extra" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.slow
def test_the_wheel_without_extras_runs_every_command(tmp_path: Path) -> None:
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "smoke-wheel.sh"), str(tmp_path)], capture_output=True,
                          text=True, timeout=1200, env={**_env(), "BUILD_PYTHON": sys.executable},
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    assert "smoke-wheel: OK" in proc.stdout


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    return env
