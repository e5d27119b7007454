"""edoc's one async policy: the core is ``async``; the sync API calls it through :func:`run_coroutine`.

Two helpers, used by every part of edoc (signing, LTV augmentation, verification, certificate checks):

- :func:`run_coroutine` runs a coroutine to completion from synchronous code and returns its result, whether
  or not an event loop is already running in this thread. Without a running loop it is ``asyncio.run``. Inside
  one (an ASGI handler, a Jupyter cell, an ``async def`` test) ``asyncio.run`` would raise ``RuntimeError``
  and ``loop.run_until_complete`` would re-enter the running loop; so the coroutine runs on a fresh loop in a
  worker thread of its own, and the calling thread waits for it. The worker gets a copy of the caller's
  context variables, its result or exception (with traceback) comes back to the caller unchanged, and the
  thread is joined before the call returns (no thread is left behind). The caller's loop is blocked while it
  waits, as with any sync call: async code should await the ``async_`` forms instead.
- :func:`off_loop` is the rule for CPU-bound work (hashing, RSA, writing a PDF, parsing) inside the async
  core: ``await off_loop(func, *args)``. Awaited from a caller's event loop it runs ``func`` in that loop's
  default executor (``asyncio.to_thread``), so an ASGI server keeps answering while edoc signs. Under
  :func:`run_coroutine` the loop is edoc's own and the sync caller waits anyway, so ``func`` runs inline:
  the sync path pays no thread hop.

Nothing here keeps state between calls, so the helpers are safe in forked workers and in threads.

Pattern for a public pair (as pyHanko's ``sign_pdf`` / ``async_sign_pdf``)::

    async def async_verify(data: bytes) -> Report:
        ...                                   # network: awaited; CPU: await off_loop(...)

    def verify(data: bytes) -> Report:
        return run_coroutine(async_verify(data))
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

__all__ = ["run_coroutine", "off_loop", "loop_is_running"]

_T = TypeVar("_T")
_P = ParamSpec("_P")

#: true while edoc's own loop runs a coroutine for a sync caller (then CPU work runs inline)
_INLINE: contextvars.ContextVar[bool] = contextvars.ContextVar("edoc_inline_cpu", default=False)


def loop_is_running() -> bool:
    """Whether an event loop is running in this thread (a sync call made here must not start another)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_coroutine(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coro`` to completion from synchronous code and return its result (or raise its exception).

    Works whether or not an event loop is running in this thread (see the module docstring): never a nested
    ``asyncio.run``, context variables visible to the coroutine, exceptions propagated as raised, no thread
    left running.
    """
    if not loop_is_running():
        return _run_here(coro)
    outcome: concurrent.futures.Future[_T] = concurrent.futures.Future()
    context = contextvars.copy_context()

    def work() -> None:
        try:
            outcome.set_result(context.run(_run_here, coro))
        except BaseException as exc:  # handed to the caller, who re-raises it
            outcome.set_exception(exc)

    worker = threading.Thread(target=work, name="edoc-run-coroutine", daemon=True)
    worker.start()
    worker.join()
    return outcome.result()


def _run_here(coro: Coroutine[Any, Any, _T]) -> _T:
    token = _INLINE.set(True)
    try:
        return asyncio.run(coro)
    finally:
        _INLINE.reset(token)


async def off_loop(func: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """``func(*args, **kwargs)`` kept off the event loop: CPU-bound work inside edoc's async core.

    In the caller's event loop: run in the loop's default executor (``asyncio.to_thread``, context variables
    copied). Under :func:`run_coroutine` (a sync caller is waiting): run inline.
    """
    if _INLINE.get():
        return func(*args, **kwargs)
    return await asyncio.to_thread(func, *args, **kwargs)
