"""Ctrl-C and SIGTERM during a run: deferred while a process starts, ignored while publishing, else an interrupt."""

from __future__ import annotations

import contextlib
import signal
import threading

#: The signals that stop a run.
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


#: Signals held by the innermost :func:`deferred` block so far.
_held: list[list[int]] = []


@contextlib.contextmanager
def deferred():
    """Hold Ctrl-C and SIGTERM for the ``with`` block; one that arrives meanwhile is delivered after it.

    Blocked in this thread's signal mask and caught by a handler that only notes them (another
    thread, such as a progress display's, may be the one the system delivers them to). A new
    interpreter started in the block does not inherit the block (see how
    :class:`workbench.batch.engines.LocalEngine` starts its fork server). No-op outside the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {number: signal.signal(number, lambda signum, frame: held.append(signum)) for number in STOP_SIGNALS}
    _held.append(held)
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # one pending is noted now
        _held.pop()
        for number, handler in previous.items():
            signal.signal(number, handler)
        if held:
            signal.raise_signal(held[0])  # delivered to the handler that was in place before


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
    """Whether Ctrl-C or SIGTERM arrived in the current :func:`deferred` block and waits to be delivered."""
    return bool(_held and _held[-1]) or bool(signal.sigpending() & STOP_SIGNALS)
