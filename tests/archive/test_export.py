"""Export of a record as the Appendix VI PDF + XML pair: chronological, complete, refused when damaged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from edoc.errors import ResourceError


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    from datetime import date

    from edoc.archive import ArchivePolicy, build_archive
    from edoc.edxml import write_edxml
    from edoc.samples import thuan_nam_decision

    src = tmp_path / "src"
    src.mkdir()
    for n, day in ((7, 20), (5, 5), (6, 12)):
        doc = thuan_nam_decision().replace(number=n, date=date(2026, 1, day))
        write_edxml(doc, src / f"qd-{n:02d}.edxml")

    policy = ArchivePolicy(verify=_pass)
    summary = build_archive([src], tmp_path / "archive", policy=policy, jobs=0)
    assert summary.archived == 3 and summary.packages == 1
    return tmp_path / "archive"


class _Passed:
    verdict = "TOTAL_PASSED"


def _pass(path: Path) -> _Passed:
    return _Passed()


def test_export_is_chronological_with_metadata(archive: Path, tmp_path: Path) -> None:
    from edoc.archive.export import export_record

    package = next((archive / "packages").iterdir())
    out = export_record(archive, package.name.rsplit("-", 1)[0], tmp_path / "export")
    names = sorted(p.name for p in out.folder.iterdir())
    assert [p.name for p in out.documents] == ["01-qd-05.edxml", "02-qd-06.edxml", "03-qd-07.edxml"]
    assert "record.xml" in names and "01-qd-05.edxml.xml" in names
    sums = (out.folder / "SHA256SUMS").read_text().splitlines()
    first = out.folder / "01-qd-05.edxml"
    assert sums[0] == f"{hashlib.sha256(first.read_bytes()).hexdigest()}  01-qd-05.edxml"
    assert not list(tmp_path.glob(".export.part"))


def test_a_damaged_package_is_not_exported(archive: Path, tmp_path: Path) -> None:
    from edoc.archive.export import export_record

    package = next((archive / "packages").iterdir())
    doc = next((package / "data" / "documents").iterdir())
    data = bytearray(doc.read_bytes())
    data[len(data) // 2] ^= 0x01
    doc.write_bytes(bytes(data))
    with pytest.raises(ResourceError, match="fixity"):
        export_record(archive, package.name, tmp_path / "export")
    assert not (tmp_path / "export").exists()


def test_cli_export(archive: Path, tmp_path: Path) -> None:
    from edoc.cli import cli

    package = next((archive / "packages").iterdir())
    result = CliRunner().invoke(cli, ["--lang", "en", "archive", "export", str(archive), package.name,
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Exported 3 documents" in result.output
