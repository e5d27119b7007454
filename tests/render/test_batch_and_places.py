"""Batch behaviour (fonts prepared once), reserved places read back, the CLI options."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import edoc.pdf._fpdf as adapter
import needs
from edoc.cli import cli
from edoc.errors import MalformedFile, ResourceError
from edoc.model import save_document
from edoc.pdf import Renderer, find_places
from edoc.pdfa import check_pdfa
from edoc.samples import thuan_nam_decision


def test_fonts_are_prepared_once_per_batch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[str] = []
    real = adapter._reduce

    def counting(path: str, charset: frozenset[int]) -> bytes:
        calls.append(path)
        return real(path, charset)

    monkeypatch.setattr(adapter, "_reduce", counting)
    renderer = Renderer()
    for i in range(3):
        renderer.render(thuan_nam_decision(), tmp_path / f"{i}.pdf")
    assert len(calls) == 4  # one reduction per style, for the whole batch
    for i in range(3):
        assert check_pdfa(tmp_path / f"{i}.pdf") == []


def test_find_places_on_foreign_and_broken_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not a PDF")
    with pytest.raises(MalformedFile):
        find_places(broken)
    with pytest.raises(ResourceError):
        find_places(tmp_path / "missing.pdf")


def test_cli_embed_xml_and_separate_appendix(tmp_path: Path) -> None:
    src = tmp_path / "doc.yaml"
    save_document(thuan_nam_decision(), src)
    out = tmp_path / "doc.pdf"
    font = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
    args = ["--lang", "en", "render", str(src), "-o", str(out), "--embed-xml", "--appendix-separate"]
    if Path(font).is_file():
        args += ["--font", font]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "PDF/A-3b" in res.output and "Appendix:" in res.output and "edxml.xml" in res.output
    appendix = tmp_path / "doc-phu-luc-1.pdf"
    assert appendix.exists()
    assert check_pdfa(out) == [] and check_pdfa(appendix) == []
    needs.require_tools("qpdf")  # the self-check above ran; the independent check needs the tool
    for path in (out, appendix):
        proc = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout


def test_cli_missing_document_is_an_edoc_error(tmp_path: Path) -> None:
    from edoc.cli import main

    with pytest.raises(SystemExit) as info:
        main(["render", str(tmp_path / "nope.json"), "-o", str(tmp_path / "x.pdf")])
    assert info.value.code not in (0, 1)
