"""JSON on standard output: every ``--json`` of the command line goes through :func:`echo_json`.

Strings taken from files (subjects, names, certificate fields, findings) stay exact data, and a character a
terminal would act on (ESC, C1 controls, bidi overrides, line separators) is written as its JSON ``\\uXXXX``
escape (:func:`edoc.util.text.json_safe`): a person who prints the JSON on a terminal sees the escape, a
program that parses it reads the same string. The same writer as ``edoc verify --format json``.
"""

from __future__ import annotations

import json
from typing import Any

import click

from edoc.util.text import json_safe

__all__ = ["dumps_json", "echo_json"]


def dumps_json(data: Any, *, indent: int | None = None) -> str:
    """``data`` as JSON text with the characters a terminal could act on escaped (the data unchanged)."""
    return json_safe(json.dumps(data, ensure_ascii=False, indent=indent))


def echo_json(data: Any, *, indent: int | None = None) -> None:
    """Print ``data`` as one JSON text on standard output (see :func:`dumps_json`)."""
    click.echo(dumps_json(data, indent=indent))
