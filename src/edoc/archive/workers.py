"""How the archive's worker processes start: they die with the main process and keep library logs quiet.

A pool worker forked by ``archive build`` holds the write end of the pool's own queues, so it never sees
them close: killed with ``kill -9``, the main process used to leave its workers waiting for work for ever
(issue 13 point 10). Each worker therefore asks the kernel for a parent-death signal (Linux
``prctl(PR_SET_PDEATHSIG, SIGKILL)``, through ctypes), and where that is not available a daemon thread
watches the parent process id and exits when the worker is re-parented.

Rejected documents are findings with a message in their report; the tracebacks pyHanko and pypdf log on the
way are for ``--debug`` (issue 13 point 11): :func:`quiet_library_logs` keeps them off the terminal unless
logging has been configured.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
import warnings

__all__ = ["worker_init", "die_with_parent", "quiet_library_logs", "LIBRARY_LOGGERS"]

#: Loggers of the libraries verification and augmentation use (they log tracebacks at WARNING and above).
LIBRARY_LOGGERS = ("pyhanko", "pyhanko_certvalidator", "pypdf", "fontTools", "urllib3", "asyncio")

_PR_SET_PDEATHSIG = 1
#: How often the portable fallback looks at the parent process id (seconds).
WATCH_INTERVAL = 0.5


def _parent_death_signal() -> bool:
    """Ask Linux to SIGKILL this process when the thread that forked it (the main process's) exits."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while True:
        time.sleep(WATCH_INTERVAL)
        if os.getppid() != parent:
            os._exit(1)


def die_with_parent(parent: int) -> str:
    """Make this (worker) process exit when process ``parent`` dies.

    :returns: ``"signal"`` (the kernel kills it) or ``"watch"`` (a daemon thread polls the parent id).
    """
    how = "signal" if _parent_death_signal() else "watch"
    if how == "watch":
        threading.Thread(target=_watch, args=(parent,), name="edoc-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    return how


def quiet_library_logs() -> None:
    """Keep the libraries' log records (tracebacks included) off the terminal unless logging is configured.

    With no handler anywhere, Python prints WARNING records on standard error ("last resort"); a
    :class:`logging.NullHandler` on each library logger stops that and nothing else: a handler the
    application (or ``edoc --debug``) configured still receives every record.
    """
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not logger.hasHandlers():
            logger.addHandler(logging.NullHandler())
    if not logging.getLogger().handlers:
        warnings.filterwarnings("ignore", module=r"(pyhanko|pypdf|asn1crypto|cryptography)(\.|$)")


def worker_init(parent: int) -> None:
    """Initializer of the archive's pool workers: Ctrl-C is the main process's to handle (it lets
    in-flight work finish), the worker dies with the main process, library logs stay quiet."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    quiet_library_logs()
