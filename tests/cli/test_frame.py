"""No traceback without --debug; outputs are regular files only (issue 13 points 5 and 11)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from edoc.cli import EXIT_INTERNAL, main
from edoc.errors import ResourceError
from edoc.util.fs import atomic_write_bytes


def _edoc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edoc", *args], capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL, cwd=cwd)


def test_internal_error_is_one_paragraph(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from edoc.cli.render import render

    def broken(**_kw: object) -> None:
        raise KeyError("something edoc did not foresee")

    monkeypatch.setattr(render, "callback", broken)
    with pytest.raises(SystemExit) as info:
        main(["--lang", "en", "render", "doc.yaml", "-o", "x.pdf"])
    err = capsys.readouterr().err
    assert info.value.code == EXIT_INTERNAL
    assert err.startswith("Internal error in edoc (KeyError: 'something edoc did not foresee')")
    assert "--debug" in err and "Traceback" not in err and err.count("\n") == 1
    with pytest.raises(KeyError):
        main(["--debug", "render", "doc.yaml", "-o", "x.pdf"])


def test_unwrapped_os_error_is_a_resource_error(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from edoc.cli.render import render

    def broken(**_kw: object) -> None:
        raise PermissionError(13, "Permission denied", "/root/secret.pdf")

    monkeypatch.setattr(render, "callback", broken)
    with pytest.raises(SystemExit) as info:
        main(["render", "doc.yaml", "-o", "x.pdf"])
    assert info.value.code == ResourceError.exit_code
    err = capsys.readouterr().err
    assert err == "Lỗi: /root/secret.pdf: Không đọc/ghi được tệp: không có quyền truy cập\n"


def test_object_reprs_never_reach_a_message() -> None:
    import io

    err = ResourceError("cannot read", path=io.BytesIO(b"x"))  # type: ignore[arg-type]
    assert "0x" not in err.describe("en") and "BytesIO" not in str(err)


def test_sign_into_a_folder_that_cannot_be_made(demo_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    pdf = demo_dir / "quyet-dinh-du-thao.pdf"
    key = f"pkcs12:{demo_dir / 'demo-keys' / 'person.p12'}?pin-source=env:P"
    for target in (blocker / "out", Path("/proc/no-such-folder/out")):
        proc = subprocess.run([sys.executable, "-m", "edoc", "--lang", "en", "sign", "pdf", str(pdf), str(pdf),
                               "-o", str(target), "--key", key], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "P": "demo"}, stdin=subprocess.DEVNULL)
        assert proc.returncode == ResourceError.exit_code, proc.stderr
        assert proc.stderr.startswith(f"Error: {target}: cannot create the output folder: ")
        assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


@pytest.mark.parametrize("kind", ["symlink", "fifo"])
def test_outputs_are_regular_files_only(kind: str, demo_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    if kind == "symlink":
        target.symlink_to(victim)
    else:
        os.mkfifo(target)
    before = os.lstat(target)
    proc = _edoc("--lang", "en", "verify", str(demo_dir / "quyet-dinh.pdf"), "--trust",
                 str(demo_dir / "demo-keys" / "demo-root.pem"), "--offline", "-o", str(target))
    assert proc.returncode == ResourceError.exit_code, proc.stderr
    assert proc.stderr.startswith(f"Error: {target}: the output is ") and "Traceback" not in proc.stderr
    after = os.lstat(target)
    assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (before.st_ino, stat.S_IFMT(before.st_mode))
    assert victim.read_text() == "keep me"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_a_device_node_or_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ResourceError, match="device, FIFO or socket"):
        atomic_write_bytes("/dev/null", b"x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    (tmp_path / "d").mkdir()
    with pytest.raises(ResourceError, match="a folder"):
        atomic_write_bytes(tmp_path / "d", b"x")


def test_modes_follow_the_umask_and_keys_are_private(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        atomic_write_bytes(tmp_path / "doc.pdf", b"x")
        atomic_write_bytes(tmp_path / "key.p12", b"x", private=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "doc.pdf").st_mode) == 0o640
    assert stat.S_IMODE(os.stat(tmp_path / "key.p12").st_mode) == 0o600


def test_demo_keys_are_private_and_documents_are_not(demo_dir: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    for key in ("person.p12", "agency.p12"):
        assert stat.S_IMODE(os.stat(demo_dir / "demo-keys" / key).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(demo_dir / "quyet-dinh.pdf").st_mode) == 0o666 & ~umask
