"""PINs as people give them: a hidden prompt on a real terminal, PINUnavailable (exit 11) without one."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from edoc.keys.errors import PINUnavailable
from pki import P12_PASSWORD, p12_uri


def _run_on_terminal(args: list[str], answer: str, *, wait_for: bytes, timeout: float = 120) -> tuple[int, bytes]:
    """Run ``python -m edoc ARGS`` with a pseudo-terminal as its controlling terminal; type ``answer``."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its stdin, stdout and stderr
        os.execv(sys.executable, [sys.executable, "-m", "edoc", *args])
    out = b""
    answered = False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        if not answered and wait_for in out:
            os.write(fd, answer.encode() + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out


def test_prompt_on_a_terminal_is_hidden(pki_files: Path) -> None:
    code, out = _run_on_terminal(["--lang", "en", "keys", "test", "--key", p12_uri(pki_files, "person-rsa"),
                                  "--algorithm", "rsa-pkcs1v15-sha384"], P12_PASSWORD,
                                 wait_for=b"Password of person-rsa.p12")
    text = out.decode("utf-8", "replace")
    assert code == 0, text
    assert "rsa-pkcs1v15-sha384: Test signature made and verified: OK" in text
    assert P12_PASSWORD not in text  # the terminal did not echo it


def test_prompt_speaks_vietnamese(pki_files: Path) -> None:
    code, out = _run_on_terminal(["keys", "show", "--key", p12_uri(pki_files, "person-rsa")], "wrong",
                                 wait_for="Mật khẩu của person-rsa.p12".encode())
    assert code == 11 and "Mật khẩu tệp PKCS#12 không đúng" in out.decode(), out.decode()


def test_no_terminal_no_pin_source_exits_11_at_once(pki_files: Path) -> None:
    args = [sys.executable, "-m", "edoc", "--lang", "en", "keys", "show", "--key", p12_uri(pki_files, "person-rsa")]
    closed = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    piped = subprocess.run(args, input=P12_PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    for proc in (closed, piped):  # a pipe is no terminal either: PINs come from pin-source, never from stdin
        assert proc.returncode == PINUnavailable.exit_code == 11, proc.stderr
        assert "no terminal to ask on" in proc.stderr and "pin-source=env:NAME" in proc.stderr
        assert "Aborted" not in proc.stderr and "Warning" not in proc.stderr and "Traceback" not in proc.stderr
