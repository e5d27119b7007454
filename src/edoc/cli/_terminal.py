"""What the command line does only on a terminal: asking for a PIN.

Without a terminal on standard input (a pipe, a service, CI) nobody can answer a prompt: a PIN that no
``pin-source`` gives is then :class:`~edoc.keys.errors.PINUnavailable` (exit 11) at once, as docs/keys.md
promises, instead of a prompt that reads end-of-file.
"""

from __future__ import annotations

import re
import sys

import click

from edoc.cli.i18n import say
from edoc.keys.errors import PINUnavailable

__all__ = ["ask_secret", "stdin_is_terminal"]

_PROMPTS = (
    (re.compile(r"^PIN of token (?P<name>.*?):?\s*$"), "Mã PIN của token {name}", "PIN of token {name}"),
    (re.compile(r"^Password of (?P<name>.*?):?\s*$"), "Mật khẩu của {name}", "Password of {name}"),
)


def stdin_is_terminal() -> bool:
    """Whether standard input is a terminal a person can type on."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed or detached
        return False


def _prompt_text(prompt: str) -> str:
    for pattern, vi, en in _PROMPTS:
        m = pattern.match(prompt)
        if m:
            return say(vi, en).format(name=m["name"])
    return prompt.rstrip(": ")


def ask_secret(prompt: str) -> str:
    """Ask for a PIN or password without echoing it; :class:`PINUnavailable` when there is no terminal.

    :param prompt: the backend's text (``"PIN of token edoc-test: "``), shown in the run's language.
    """
    text = _prompt_text(prompt)
    if not stdin_is_terminal():
        raise PINUnavailable(
            f"{text}: no PIN source and no terminal to ask on; add pin-source=env:NAME or pin-source=file:PATH "
            "to the key URI",
            message_vi=f"{text}: không có nguồn mã PIN và không có màn hình để hỏi; hãy thêm pin-source=env:TÊN_BIẾN "
                       "hoặc pin-source=file:TỆP vào địa chỉ khóa")
    return str(click.prompt(text, hide_input=True, err=True))
