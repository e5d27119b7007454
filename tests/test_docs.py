"""The guides cannot go stale: every Python and shell snippet of docs/*.md runs, and the API reference is whole.

The convention (written for authors in docs/snippets.md):

- every fenced block names its language; ```` ```python ````, ```` ```sh ```` and ```` ```console ```` (the
  ``$ `` lines) run, anything else (``text``, ``json``, ``toml``, …) is shown only;
- the blocks of one page run in order, as a reader would type them: Python blocks share one namespace, shell
  blocks run in bash (``set -euo pipefail``) and what they ``export`` or ``cd`` to holds for the blocks after;
- each page runs in a fresh temporary folder holding the "snippet kit" (the demo's files under the names the
  guides use, see ``KIT``); a page marked ``<!-- snippets: empty-folder -->`` starts from an empty folder
  (the getting-started pages: they make everything they use);
- a block that cannot run (a real USB token, a server on the Internet) is marked ```` ```python {.no-run} ````
  and starts with a comment saying why; the marker is for the few blocks where running is impossible.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import needs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
RUN = {"python": "python", "py": "python", "sh": "sh", "bash": "sh", "console": "console"}
EMPTY_FOLDER = "<!-- snippets: empty-folder -->"
#: The password of the demo's PKCS#12 keys (``edoc demo``), given to snippets as ``EDOC_PIN``.
DEMO_PASSWORD = "demo"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Block:
    """One fenced block of a page."""

    page: str
    line: int  # 1-based line of the first line of code
    lang: str
    classes: tuple[str, ...]
    code: str

    @property
    def runs(self) -> bool:
        return self.lang in RUN and "no-run" not in self.classes


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a Markdown page (indented ones inside lists too), in order."""
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m["indent"], m["fence"], m["info"].strip()
        lang, classes = _info(info)
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not (lines[j].strip().startswith(fence) and lines[j].strip().strip(fence[0]) == ""):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        found.append(Block(page.name, i + 2, lang, classes, "\n".join(body) + "\n"))
        i = j + 1
    return found


def _info(info: str) -> tuple[str, tuple[str, ...]]:
    """``python {.no-run}`` → (``python``, (``no-run``,)); ``{.python .no-run}`` → the same."""
    attrs = re.search(r"\{([^}]*)\}", info)
    classes = tuple(c[1:] for c in attrs.group(1).split() if c.startswith(".")) if attrs else ()
    head = info[: attrs.start()].strip() if attrs else info
    lang = head.split()[0] if head else (classes[0] if classes else "")
    if not head and classes:
        classes = classes[1:]
    return lang.lower(), classes


def _all_blocks() -> list[Block]:
    return [b for page in PAGES for b in blocks(page)]


# --- the convention itself -------------------------------------------------------------------------------


def test_pages_have_snippets_and_the_parser_finds_them() -> None:
    found = _all_blocks()
    assert len([b for b in found if b.runs and b.lang == "python"]) >= 20
    assert len([b for b in found if b.runs and b.lang in ("sh", "console")]) >= 15


def test_every_fenced_block_names_its_language() -> None:
    unnamed = [f"{b.page}:{b.line - 1}" for b in _all_blocks() if not b.lang]
    assert not unnamed, ("fenced blocks without a language (use ```sh for commands that run, ```text for "
                         f"synopses and output): {unnamed}")


def test_blocks_that_do_not_run_say_why() -> None:
    silent = [f"{b.page}:{b.line - 1}" for b in _all_blocks()
              if "no-run" in b.classes and not b.code.lstrip().startswith("#")]
    assert not silent, f"{{.no-run}} blocks must start with a comment saying why they cannot run: {silent}"


def test_the_parser_reads_the_info_string_and_indented_blocks(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("text\n\n- item\n\n    ```python {.no-run}\n    # real token\n    x = 1\n    ```\n\n"
                    "```sh\nls\n```\n\n```\nplain\n```\n", encoding="utf-8")
    got = blocks(page)
    assert [(b.lang, b.classes, b.code, b.line) for b in got] == [
        ("python", ("no-run",), "# real token\nx = 1\n", 6), ("sh", (), "ls\n", 11), ("", (), "plain\n", 15)]
    assert [b.runs for b in got] == [False, True, False]


# --- the API reference -------------------------------------------------------------------------------------


def _hook(name: str) -> object:
    spec = importlib.util.spec_from_file_location(f"edoc_docs_{name}", DOCS / "_hooks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_public_name_has_a_docstring_and_a_place_in_the_reference() -> None:
    needs.module("griffe")  # the test extra: it reads the docstrings as the site does
    coverage = _hook("api_coverage")
    assert coverage.problems() == []  # type: ignore[attr-defined]


def test_the_coverage_check_fails_on_a_page_missing_and_on_a_name_without_docstring(tmp_path: Path) -> None:
    needs.module("griffe")  # the test extra: it reads the docstrings as the site does
    coverage = _hook("api_coverage")
    for page in (DOCS / "reference").glob("*.md"):
        if page.name != "sign.md":
            shutil.copy(page, tmp_path / page.name)
    assert any(p.startswith("edoc.sign: no reference page") for p in coverage.problems(tmp_path))  # type: ignore[attr-defined]
    assert coverage._docstring(coverage._griffe_package(), "edoc.model", "Block")  # type: ignore[attr-defined]
    assert coverage._docstring(coverage._griffe_package(), "edoc.model", "no_such_name") is None  # type: ignore[attr-defined]


# --- running the snippets ----------------------------------------------------------------------------------

#: The snippet kit: file name in the page's folder → file of ``edoc demo -o demo``. The guides use these
#: names for "your files"; the demo keys open with ``EDOC_PIN``.
KIT = {
    "draft.pdf": "quyet-dinh-du-thao.pdf",            # rendered, not signed, not numbered
    "approved.pdf": "quyet-dinh-da-duyet.pdf",        # signed by the competent person
    "05-QD-UBND.pdf": "quyet-dinh.pdf",               # approved and issued (number, date, agency signature)
    "05-QD-UBND.edxml": "quyet-dinh.edxml",           # the edXML message carrying it
    "received.edxml": "quyet-dinh.edxml",
    "quyet-dinh.yaml": "quyet-dinh.yaml",             # the document model
    "signature.png": "demo-keys/chu-ky.png",
    "seal.png": "demo-keys/con-dau.png",
    "root.pem": "demo-keys/demo-root.pem",            # the root that signed every demo certificate
    "person.p12": "demo-keys/person.p12",
    "agency.p12": "demo-keys/agency.p12",
    "van-ban-2026/05-QD-UBND.pdf": "quyet-dinh.pdf",  # a folder of received documents, for archiving
    "van-ban-2026/05-QD-UBND.edxml": "quyet-dinh.edxml",
    "any.pdf": "quyet-dinh-du-thao.pdf",              # a PDF to sign, not certified
    "phu-luc.pdf": "quyet-dinh-du-thao.pdf",          # an appendix as a separate file
    "ban-sao.pdf": "quyet-dinh-du-thao.pdf",          # an electronic copy to sign
}


@pytest.fixture(scope="session")
def snippet_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's files under the kit's names (made once per test session)."""
    base = tmp_path_factory.mktemp("snippet-kit")
    subprocess.run([sys.executable, "-m", "edoc", "--lang", "en", "demo", "-o", str(base / "demo")], check=True,
                   capture_output=True, timeout=300)
    kit = base / "kit"
    for name, source in KIT.items():
        (kit / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(base / "demo" / source, kit / name)
    # the government root G2 (a published pin) and a look-alike with its name and another key
    g2 = needs.require_shared("trust/vgca-root-g2.crt")
    shutil.copy(g2, kit / "rootcag2.crt")
    (kit / "lookalike.crt").write_bytes(_lookalike(g2.read_bytes()))
    return kit


def _lookalike(pem: bytes) -> bytes:
    """A self-signed certificate with the subject of ``pem`` and a key of its own."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    name = x509.load_pem_x509_certificate(pem).subject
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


_DRIVER = r'''
import json, os, subprocess, sys, traceback
blocks = json.load(open(sys.argv[1], encoding="utf-8"))
state = sys.argv[2]
namespace = {"__name__": "__main__"}
for b in blocks:
    print(f"--- {b['page']}:{b['line']} ({b['lang']})", flush=True)
    padding = "\n" * (b["line"] - 1)   # line numbers in tracebacks and bash errors are the page's
    if b["lang"] == "python":
        try:
            exec(compile(padding + b["code"], b["page"], "exec"), namespace)
        except BaseException:
            traceback.print_exc()
            sys.stderr.write(f"FAILED: the python block at {b['page']}:{b['line']}\n")
            sys.exit(1)
        sys.stdout.flush()
        continue
    code = b["code"]
    if b["lang"] == "console":
        code = "\n".join(line[2:] if line.startswith("$ ") else "" for line in code.splitlines()) + "\n"
    script = ("set -euo pipefail\n" + padding[1:] + code
              + f'\nenv -0 > "{state}.env"\npwd > "{state}.pwd"\n')
    proc = subprocess.run(["bash", "-c", script, b["page"]], stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        sys.stderr.write(f"FAILED: the {b['lang']} block at {b['page']}:{b['line']} exited {proc.returncode}\n")
        sys.exit(1)
    env = dict(kv.split("=", 1) for kv in open(state + ".env", encoding="utf-8").read().split("\0") if "=" in kv)
    for k in set(os.environ) - set(env):
        del os.environ[k]
    os.environ.update(env)
    os.chdir(open(state + ".pwd", encoding="utf-8").read().strip())
'''


def _uses_tokens(page: Path) -> bool:
    return "pkcs11:" in "".join(b.code for b in blocks(page) if b.runs)


@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in PAGES if any(b.runs for b in blocks(p))], ids=lambda p: p.name)
def test_snippets_run(page: Path, snippet_kit: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    todo = [b for b in blocks(page) if b.runs]
    folder = tmp_path / "work"
    if EMPTY_FOLDER in page.read_text(encoding="utf-8"):
        folder.mkdir()
    else:
        shutil.copytree(snippet_kit, folder)
    env = dict(os.environ)
    if _uses_tokens(page) and EMPTY_FOLDER not in page.read_text(encoding="utf-8"):
        softhsm = request.getfixturevalue("softhsm")
        env.update(SOFTHSM2_CONF=str(softhsm.conf), EDOC_TOKEN_PIN=softhsm.pin)  # the test PKI's tokens
    if "TSA_URL" in "".join(b.code for b in todo):
        env["TSA_URL"] = request.getfixturevalue("pki").url_prefix + "/vn-test/tsa/tsa"  # the test PKI's live TSA
        env["TSA_CHAIN"] = str(request.getfixturevalue("pki_files") / "tsa.chain.pem")  # its CA, to trust
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",  # `edoc` and `python` of this venv
        "EDOC_PIN": DEMO_PASSWORD,
        "EDOC_TRUST_DIR": str(tmp_path / "trust-store"),  # `edoc trust add` never touches the user's store
        "HOME": str(tmp_path / "home"),
        "PYTHONWARNINGS": "error::DeprecationWarning:edoc",
    })
    (tmp_path / "home").mkdir()
    payload = tmp_path / "blocks.json"
    payload.write_text(json.dumps([b.__dict__ for b in todo], ensure_ascii=False), encoding="utf-8")
    driver = tmp_path / "driver.py"
    driver.write_text(_DRIVER, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(driver), str(payload), str(tmp_path / "state")], cwd=folder,
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"{page.name}:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
