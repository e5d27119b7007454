"""A time limit that stops the work it limits (issue 13 point 9).

Every part of a verification is bounded by the size of its input (stream, CMap, field-tree, attachment and
zip limits), so a document ends in bounded time. The wall-clock limit of :class:`~edoc.verify.VerifyPolicy`
(``timeout``, 60 s) is the last line behind those bounds, and it must not leave work running: a thread that
is merely abandoned keeps a core busy and its memory held, and a batch that meets many such files collapses.

:func:`run_with_limit` runs the work in a worker thread; past the limit it raises :class:`Stopped` *inside*
that thread (CPython's ``PyThreadState_SetAsyncExc``), which ends it at its next Python instruction; the
caller waits a short grace period for it to unwind. ``Stopped`` derives from ``BaseException`` so that the
``except Exception`` handlers of the verifier and its libraries cannot swallow it; ``with`` blocks and
``finally`` clauses run as for any exception, so locks are released. Only a thread inside one long call into
native code (which the bounds above keep short) outlives the grace period; it stops when that call returns,
and the result says so (``stopped`` is false). Without ``PyThreadState_SetAsyncExc`` (not CPython) the thread
is left to finish, as before.

A process would be killed instead, but one per document costs more than the verification itself and loses
the verifier's caches; the CLI's ``--jobs`` workers are processes already.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Outcome", "Stopped", "run_with_limit"]

T = TypeVar("T")

#: seconds the caller waits, after raising :class:`Stopped`, for the worker to unwind
GRACE = 5.0


class Stopped(BaseException):
    """Raised inside work that ran past its time limit, to end it (never seen by the caller)."""


@dataclass
class Outcome(Generic[T]):
    """What :func:`run_with_limit` got: the value or the exception of the work, or ``timed_out`` (and then
    whether the work was ``stopped`` within the grace period)."""

    value: T | None = None
    error: Exception | None = None
    timed_out: bool = False
    stopped: bool = False


def run_with_limit(work: Callable[[], T], seconds: float | None, *, name: str,
                   grace: float = GRACE) -> Outcome[T]:
    """Run ``work`` and return its :class:`Outcome`; past ``seconds`` (``None``: no limit, run here) stop it.

    An ``Exception`` from the work is returned in ``error``; a ``BaseException`` other than :class:`Stopped`
    ends the worker thread as it would end any thread.
    """
    out: Outcome[T] = Outcome()
    if seconds is None:
        try:
            out.value = work()
        except Exception as exc:
            out.error = exc
        return out
    state = threading.Lock()
    done = threading.Event()

    def run() -> None:
        try:
            try:
                out.value = work()
            except Exception as exc:
                out.error = exc
            finally:
                with state:  # while the caller holds ``state`` this thread is alive: its id is its own
                    done.set()
        except Stopped:
            pass

    worker = threading.Thread(target=run, name=name, daemon=True)
    worker.start()
    worker.join(seconds)
    if not worker.is_alive():
        return out
    out.timed_out = True
    with state:
        if not done.is_set() and worker.ident is not None:
            _raise_in(worker.ident)
    worker.join(grace)
    out.stopped = not worker.is_alive()
    return out


def _raise_in(ident: int) -> None:
    """Schedule :class:`Stopped` in the thread ``ident`` (CPython); a no-op elsewhere."""
    setter = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)
    if setter is not None:
        setter(ctypes.c_ulong(ident), ctypes.py_object(Stopped))
