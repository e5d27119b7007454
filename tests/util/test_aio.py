"""edoc.util.aio: the one helper the sync API runs its async core through, and the CPU-off-the-loop rule."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from edoc.util.aio import loop_is_running, off_loop, run_coroutine

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")


class Boom(ValueError):
    pass


async def _answer(value: int) -> tuple[int, str, int]:
    await asyncio.sleep(0)
    return value, REQUEST_ID.get(), threading.get_ident()


async def _fail() -> None:
    await asyncio.sleep(0)
    raise Boom("from the coroutine")


def test_without_a_loop_runs_here() -> None:
    assert not loop_is_running()
    value, _, ident = run_coroutine(_answer(7))
    assert value == 7
    assert ident == threading.get_ident()


def test_inside_a_running_loop() -> None:
    """What an ASGI handler or a Jupyter cell does: a sync call while this thread's loop runs."""

    async def handler() -> tuple[tuple[int, str, int], int, int]:
        assert loop_is_running()
        REQUEST_ID.set("req-42")
        before = threading.active_count()
        got = run_coroutine(_answer(3))
        return got, before, threading.active_count()

    (value, seen_id, ident), before, after = asyncio.run(handler())
    assert value == 3
    assert seen_id == "req-42"  # the caller's context variables reach the coroutine
    assert ident != threading.get_ident()  # ran on a loop of its own, not nested in the running one
    assert after == before  # the worker thread was joined


@pytest.mark.parametrize("inside_loop", [False, True], ids=["no-loop", "running-loop"])
def test_exceptions_propagate_with_their_type_and_traceback(inside_loop: bool) -> None:
    async def call() -> None:
        run_coroutine(_fail())

    with pytest.raises(Boom, match="from the coroutine") as info:
        if inside_loop:
            asyncio.run(call())
        else:
            run_coroutine(_fail())
    assert any(entry.name == "_fail" for entry in info.traceback)


def test_context_changes_in_the_coroutine_stay_there() -> None:
    async def change() -> str:
        REQUEST_ID.set("inner")
        return REQUEST_ID.get()

    async def handler() -> tuple[str, str]:
        REQUEST_ID.set("outer")
        inner = run_coroutine(change())
        return inner, REQUEST_ID.get()

    assert asyncio.run(handler()) == ("inner", "outer")


def test_nested_sync_inside_async_inside_sync() -> None:
    """A sync API called by async code that a sync API runs (e.g. a plug-in backend): no deadlock."""

    async def outer() -> int:
        return run_coroutine(_answer(5))[0] + 1

    async def top() -> int:
        return run_coroutine(outer())

    assert run_coroutine(outer()) == 6
    assert asyncio.run(top()) == 6


def test_many_calls_from_a_loop_leave_no_threads() -> None:
    async def handler() -> tuple[int, int]:
        before = threading.active_count()
        for i in range(50):
            assert run_coroutine(_answer(i))[0] == i
        return before, threading.active_count()

    before, after = asyncio.run(handler())
    assert after == before
    assert not [t for t in threading.enumerate() if t.name == "edoc-run-coroutine"]


def test_off_loop_runs_inline_for_a_sync_caller() -> None:
    async def where() -> int:
        return await off_loop(threading.get_ident)

    assert run_coroutine(where()) == threading.get_ident()


def test_off_loop_leaves_the_callers_loop_free() -> None:
    """Under a caller's loop CPU work goes to a worker thread: a ticker keeps ticking while it runs."""
    started = threading.Event()
    release = threading.Event()

    def cpu_work() -> int:
        started.set()
        release.wait(10)
        return threading.get_ident()

    async def main() -> tuple[int, int, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                if ticks == 5:
                    release.set()  # the loop ticked 5 times while cpu_work held its thread
                await asyncio.sleep(0.001)

        task = asyncio.create_task(ticker())
        ident = await off_loop(cpu_work)
        task.cancel()
        return ident, threading.get_ident(), ticks

    worker, loop_thread, ticks = asyncio.run(main())
    assert started.is_set()
    assert worker != loop_thread
    assert ticks >= 5


def test_off_loop_propagates_exceptions() -> None:
    def bad() -> None:
        raise Boom("cpu")

    async def main() -> None:
        await off_loop(bad)

    with pytest.raises(Boom, match="cpu"):
        asyncio.run(main())
    with pytest.raises(Boom, match="cpu"):
        run_coroutine(main())
