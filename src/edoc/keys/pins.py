"""PINs and passwords: from the API (a string or a callback), ``pin-source=env:NAME``, ``pin-source=file:PATH``,
a prompt on the terminal (never echoed), or the token's protected authentication path (PIN pad).

A secret is held in a :class:`Secret`, whose ``repr`` and ``str`` never show it, so that it cannot leak into
logs, exception messages or tracebacks that print locals.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edoc.errors import os_reason
from edoc.keys.errors import PINUnavailable

__all__ = ["Secret", "PinArg", "PinPrompt", "resolve_secret", "PROTECTED_AUTH"]

#: A PIN or password given to :func:`edoc.keys.open_key`: the secret itself, a callback that receives the
#: prompt text (naming the token or file) and returns the secret (``None`` cancels), or ``None``.
PinArg = str | Callable[[str], str | None] | None
#: A function that asks a person for a secret without echoing it.
PinPrompt = Callable[[str], str]

_MAX_PIN_FILE = 4096


class Secret:
    """A PIN or password; ``repr``/``str`` show ``<secret>``. :attr:`protected` means "use the PIN pad"."""

    __slots__ = ("_value", "protected")

    def __init__(self, value: str | None, *, protected: bool = False) -> None:
        self._value = value
        self.protected = protected

    def reveal(self) -> str:
        """The secret text ('' for the protected authentication path)."""
        return self._value or ""

    def __repr__(self) -> str:
        return "<secret: PIN pad>" if self.protected else "<secret>"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[Any, ...]:  # never pickled to another process by accident
        raise TypeError("a Secret cannot be pickled")


#: A secret that asks the token to authenticate on its own PIN pad.
PROTECTED_AUTH = Secret(None, protected=True)


def _terminal_prompt(text: str) -> str:
    import getpass

    if not sys.stdin or not sys.stdin.isatty():
        raise PINUnavailable(f"{text.rstrip(': ')}: no PIN source and no terminal to ask on; "
                             "use pin-source=env:NAME or pin-source=file:PATH",
                             message_vi="Không có nguồn mã PIN và không có màn hình để hỏi; hãy dùng "
                                        "pin-source=env:TÊN_BIẾN hoặc pin-source=file:TỆP")
    return getpass.getpass(text)


def resolve_secret(
    pin: PinArg,
    pin_source: str | None,
    *,
    prompt: str,
    backend: str,
    ask: PinPrompt | None = None,
) -> Secret:
    """Find the secret for a backend.

    Order: a ``pin`` string, then ``pin_source`` from the URI, then the ``pin`` callback (the API's way to
    ask), then a prompt on the terminal (``ask``, by default :func:`getpass.getpass`).

    :param pin: what the caller passed to :func:`~edoc.keys.open_key`.
    :param pin_source: ``env:NAME``, ``file:PATH``, ``prompt`` or ``protected`` (``None``: none given).
    :param prompt: text for a prompt or callback, e.g. ``"PIN of token edoc-test: "``.
    :param backend: names the backend in error messages.
    :param ask: the prompt function (the CLI passes click's hidden prompt).
    :raises PINUnavailable: no source gives a secret.
    """
    if isinstance(pin, str):
        return Secret(pin)
    if pin is not None and not callable(pin):
        raise TypeError(f"pin must be str, a callable or None, not {type(pin).__name__}")
    if pin_source:
        kind, _, arg = pin_source.partition(":")
        if kind == "env" and arg:
            value = os.environ.get(arg)
            if value is None:
                raise PINUnavailable(f"pin-source names the environment variable {arg}, which is not set",
                                     message_vi=f"Biến môi trường {arg} (nguồn mã PIN) chưa được đặt",
                                     backend=backend)
            return Secret(value)
        if kind == "file" and arg:
            path = Path(arg[2:] if arg.startswith("//") else arg)
            try:
                with path.open("rb") as fh:
                    raw = fh.read(_MAX_PIN_FILE + 1)
            except OSError as exc:
                en, vi = os_reason(exc)
                raise PINUnavailable(f"cannot read the PIN file: {en}", message_vi=f"Không đọc được tệp mã PIN: {vi}",
                                     path=path, backend=backend) from None
            if len(raw) > _MAX_PIN_FILE:
                raise PINUnavailable("the PIN file is too large to hold a PIN", path=path, backend=backend,
                                     message_vi="Tệp mã PIN quá lớn, không thể là một mã PIN")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise PINUnavailable("the PIN file is not UTF-8 text", path=path, backend=backend,
                                     message_vi="Tệp mã PIN không phải văn bản UTF-8") from None
            return Secret(text.rstrip("\r\n"))
        if kind == "protected" and not arg:
            return PROTECTED_AUTH
        if not (kind == "prompt" and not arg):
            raise PINUnavailable("pin-source must be env:NAME, file:PATH, prompt or protected",
                                 message_vi="pin-source phải có dạng env:TÊN_BIẾN, file:TỆP, prompt hoặc protected",
                                 field="pin-source", backend=backend)
    if callable(pin):
        value = pin(prompt)
        if value is None:
            raise PINUnavailable("the PIN callback gave no PIN (cancelled)", backend=backend,
                                 message_vi="Không nhận được mã PIN (đã hủy)")
        if not isinstance(value, str):
            raise TypeError(f"the PIN callback must return str or None, not {type(value).__name__}")
        return Secret(value)
    return Secret((ask or _terminal_prompt)(prompt))
