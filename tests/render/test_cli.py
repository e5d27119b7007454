"""`edoc render` on a JSON document."""

from pathlib import Path

from click.testing import CliRunner

from edoc.cli import cli
from edoc.model import save_document
from edoc.samples import thuan_nam_decision


def test_render_command(tmp_path: Path) -> None:
    src = tmp_path / "doc.json"
    save_document(thuan_nam_decision(), src)
    out = tmp_path / "doc.pdf"
    res = CliRunner().invoke(cli, ["--lang", "en", "render", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "Font:" in res.output and out.exists()
    res = CliRunner().invoke(cli, ["pdfa", "check", str(out)])
    assert res.exit_code == 0, res.output
