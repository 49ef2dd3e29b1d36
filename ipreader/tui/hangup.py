"""Noticing that the app's terminal went away: a closed window, a dropped ssh connection.

Two signs, either one enough:

* ``SIGHUP``: the kernel sends it when a controlling terminal hangs up (and
  ``kill -HUP`` does). Its default action ends the process at once, which
  would lose a save queued in the writer but not yet written.
* ``POLLHUP`` on standard input: a terminal that is not the controlling one,
  or a run with ``SIGHUP`` ignored (``nohup``), gets no signal; every read
  then returns end-of-file at once, and Textual's input thread, which reads
  again whenever ``select`` says readable, spun on it at 100 % CPU for as
  long as the process lived. A thread waits for it in ``poll`` (no timeout,
  no CPU).

On a hang-up ``TerminalWatch`` first makes the dead terminal's descriptors
harmless (standard input: a pipe that never has input; output and errors:
``/dev/null``), so nothing spins on end-of-file or dies on ``EIO`` (Textual's
output thread, after which the UI thread would block on its full queue), then
calls ``on_lost`` once: the app saves what is queued and exits. A process
still alive ``GRACE_SECONDS`` later calls ``last_resort`` (waits for the
writes, then ends the process). Textual-free; POSIX only (elsewhere, and when
standard input is not a terminal, nor one that hung up, ``start`` does nothing).
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Final

#: Seconds the app gets to save and exit after a hang-up before ``last_resort`` runs.
GRACE_SECONDS: Final = 20.0

#: The exit status after a hang-up: 128 + SIGHUP, what a shell shows for a process a
#: hang-up ended (the app saved what was queued first).
HANGUP_EXIT: Final = 128 + signal.SIGHUP

#: What ``on_lost`` is told: the terminal hung up, or a SIGHUP came with it still there.
HUNG_UP: Final = "hang-up"
SIGHUP_ONLY: Final = "SIGHUP"

_Handler = Callable[[int, FrameType | None], object] | int | None


def hung_up(fd: int) -> bool:
    """True when the terminal on ``fd`` has hung up (``poll`` reports ``POLLHUP`` or an error)."""
    poller = select.poll()
    poller.register(fd, 0)  # no events asked: only POLLHUP, POLLERR and POLLNVAL come back
    return any(events & (select.POLLHUP | select.POLLERR) for _fd, events in poller.poll(0))


class TerminalWatch:
    """Calls ``on_lost(how)`` once when the terminal on standard input goes away.

    ``how`` is ``HUNG_UP`` (the terminal is gone: its descriptors were
    replaced) or ``SIGHUP_ONLY`` (a ``SIGHUP`` while the terminal is still
    there: it is left as it is, for the app to restore on its way out).
    ``on_lost`` may be called from the watching thread or from the main
    thread's signal handler: it must only hand the news over (``call_soon_threadsafe``).
    After a hang-up, ``last_resort`` runs in a thread of its own if the process is
    still alive ``GRACE_SECONDS`` later.
    """

    def __init__(
        self, on_lost: Callable[[str], None], last_resort: Callable[[], None], fd: int = 0
    ) -> None:
        self._on_lost = on_lost
        self._last_resort = last_resort
        self._fd = fd
        # Taken once, never released: a test-and-set that a signal handler can use without
        # ever waiting (a handler waiting on a lock its own thread holds would deadlock).
        self._once = threading.Lock()
        self._wake: tuple[int, int] | None = None
        self._thread: threading.Thread | None = None
        self._previous: dict[signal.Signals, _Handler] = {}
        self._keep: list[int] = []  # the idle pipe's write end: open until end_input()

    @property
    def lost(self) -> bool:
        """True once the terminal was reported lost."""
        return self._once.locked()

    def start(self) -> None:
        """Watch, from the main thread (signal handlers are set there) and after the
        terminal driver set its own (``SIGCONT`` is wrapped)."""
        if sys.platform == "win32":
            return
        # A terminal that hung up before this (the app still starting) is no tty any more
        # (isatty fails with EIO) but still reports POLLHUP: watched, and found at once.
        if not os.isatty(self._fd) and not hung_up(self._fd):
            return
        if signal.getsignal(signal.SIGHUP) == signal.SIG_DFL:  # nohup's SIG_IGN is kept
            self._previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, self._sighup)
        # The kernel sends SIGCONT with a hang-up's SIGHUP, and Textual's SIGCONT handler
        # starts its terminal mode again: a second input and output thread on a dead
        # terminal. Passed on only while the terminal is there.
        self._previous[signal.SIGCONT] = signal.signal(signal.SIGCONT, self._sigcont)
        self._wake = os.pipe()
        self._thread = threading.Thread(target=self._watch, name="ipreader-hangup", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (the app is exiting): signal handlers restored, the thread ended.

        After a hang-up the last resort stays armed: what is left of the exit (the
        terminal driver's) could still get stuck, and a process that ends first ends it.
        """
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()
        self.end_input()

    def end_input(self) -> None:
        """After a hang-up, give standard input end-of-file: call just before exiting.

        Textual's input thread may be blocked reading the idle pipe (it saw the dead
        terminal readable just before the pipe took its place), and its driver's stop
        waits for that thread: closing the pipe's write end ends the read, and the
        thread sees the stop a moment later (until then it reads end-of-file again).
        """
        for fd in self._keep:
            os.close(fd)
        self._keep.clear()
        if self._wake is not None and self._thread is not None:
            os.write(self._wake[1], b"x")
            self._thread.join(timeout=1.0)
            if not self._thread.is_alive():  # else it may still poll the pipe: left open
                for fd in self._wake:
                    os.close(fd)
            self._wake = self._thread = None

    def _watch(self) -> None:
        assert self._wake is not None
        poller = select.poll()
        poller.register(self._fd, 0)
        poller.register(self._wake[0], select.POLLIN)
        while True:
            for fd, events in poller.poll():
                if fd == self._wake[0] or events & select.POLLNVAL:
                    return  # stopped, or not pollable here (a tty on macOS): nothing to watch
                if events & (select.POLLHUP | select.POLLERR):
                    self._lost(HUNG_UP)
                    return

    def _grace(self) -> None:
        time.sleep(GRACE_SECONDS)
        self._last_resort()

    def _sighup(self, signum: int, frame: FrameType | None) -> None:
        self._lost(HUNG_UP if hung_up(self._fd) else SIGHUP_ONLY)

    def _sigcont(self, signum: int, frame: FrameType | None) -> None:
        if self.lost or hung_up(self._fd):
            return
        previous = self._previous.get(signal.SIGCONT)
        if callable(previous):
            previous(signum, frame)

    def _lost(self, how: str) -> None:
        if not self._once.acquire(blocking=False):
            return
        if how == HUNG_UP:
            self._detach()
        self._on_lost(how)
        if how == HUNG_UP:
            threading.Thread(target=self._grace, name="ipreader-hangup-grace", daemon=True).start()

    def _detach(self) -> None:
        """Put harmless descriptors where the dead terminal's were (0, 1, 2)."""
        idle_read, idle_write = os.pipe()
        self._keep.append(idle_write)
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(idle_read, 0)
            os.dup2(null, 1)
            os.dup2(null, 2)
        finally:
            os.close(idle_read)
            os.close(null)
