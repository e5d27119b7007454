"""Progress of long work: a rich bar on a terminal only; plain lines, one per file in input order, elsewhere.

A bar is shown when standard error is a terminal (a person watches); scripts, pipes and CI get no bar and
no escape sequences, only the lines the command prints for each file, in the order the files were given
(work done in parallel finishes out of order: :class:`InOrder` holds a line back until those before it are
printed).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable
from types import TracebackType
from typing import Any, Generic, TypeVar

import click

__all__ = ["Bar", "InOrder", "is_terminal"]

T = TypeVar("T")


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (``False`` for a closed or replaced stream)."""
    try:
        return bool(stream is not None and stream.isatty())
    except (ValueError, OSError, AttributeError):
        return False


class Bar:
    """A progress bar on standard error when it is a terminal (and ``total`` > ``minimum``); else nothing.

    :param total: number of items.
    :param label: what is being done, in the run's language.
    :param minimum: no bar for this many items or fewer (one file needs none).
    """

    def __init__(self, total: int, label: str, *, minimum: int = 1, enabled: bool | None = None) -> None:
        self.total = total
        self.label = label
        self.enabled = (is_terminal(sys.stderr) if enabled is None else enabled) and total > minimum
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Bar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), console=Console(stderr=True), transient=True)
            self._task = self._bar.add_task(self.label, total=self.total)
            self._bar.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def echo(self, line: str, *, err: bool = False) -> None:
        """Print a line above the bar (or plainly when there is none or the line goes elsewhere)."""
        stream = sys.stderr if err else sys.stdout
        if self._bar is not None and is_terminal(stream):
            self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            click.echo(line, err=err)


class InOrder(Generic[T]):
    """Hand results to ``emit`` in input order, whatever order they finish in.

    :param keys: the items' keys in input order.
    :param emit: called with (position, item) for each item, positions 0, 1, 2…
    """

    def __init__(self, keys: list[Hashable], emit: Callable[[int, T], None]) -> None:
        self._position = {key: i for i, key in enumerate(keys)}
        self._ready: dict[int, T] = {}
        self._next = 0
        self._emit = emit

    def done(self, key: Hashable, item: T) -> None:
        self._ready[self._position[key]] = item
        while self._next in self._ready:
            self._emit(self._next, self._ready.pop(self._next))
            self._next += 1
