"""Ctrl-C and SIGTERM during a run: deferred while a process starts, ignored while publishing, else an interrupt."""

from __future__ import annotations

import contextlib
import signal
import threading

#: The signals that stop a run.
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def deferred():
    """Block Ctrl-C and SIGTERM for the ``with`` block; one that arrives meanwhile is raised after it."""
    # block Ctrl-C and SIGTERM while a child process starts: one that arrives is delivered (and
    # raises) when the block ends, instead of being dropped as an ignored signal would be;
    # children inherit the blocked mask and unblock it themselves once their handlers are set
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


@contextlib.contextmanager
def ignored():
    """Ignore Ctrl-C and SIGTERM for the ``with`` block (a step that must not be cut in two)."""
    # hold Ctrl-C (and SIGTERM) off while a step must not be cut in two; no-op outside the main thread
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def terminate_as_interrupt():
    """Make SIGTERM raise ``KeyboardInterrupt`` in the ``with`` block, as Ctrl-C does."""
    # `kill <pid>` stops a run like Ctrl-C does: workers and kernels stopped, partial outputs kept
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    saved = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, saved)


def pending() -> bool:
    """Whether Ctrl-C or SIGTERM arrived while blocked (:func:`deferred`) and waits to be delivered."""
    return bool(signal.sigpending() & STOP_SIGNALS)
