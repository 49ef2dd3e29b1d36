"""Background work that steps aside while the user interface is behind.

Python runs one thread at a time (the interpreter lock). When the app opens a
folder of thousands of articles, a thread walks it and reads its caches while
the event loop draws the first frames and waits for keys. A thread that wants
the lock back waits for the other to give it up, which it does only every few
milliseconds (the switch interval) or around I/O, and every pass of the event
loop gives it up around its ``select``: measured on 10,000 articles, a 15 ms
frame of the list took 35-40 ms of wall time, and in one 77 ms gap the event
loop got 2 ms of CPU.

A ``Gate`` makes the background thread yield instead. The event loop calls
``beat`` every few milliseconds while the work runs; the work calls ``pace()``
between bounded pieces of itself. When the last beat is older than ``late``,
the loop is busy (a frame, a key) or waiting for the lock: the work sleeps
until the next beat, which hands the lock to the loop at once. Before the
first beat it never waits (the app is still composing its first screen: no key
can be handled yet, and the work overlaps that start-up). It never waits longer than
``longest_wait`` for one beat, and after such a wait it does not
wait again until beats resume, so a loop that has stopped (the app closing)
costs the work one wait, not one a piece.

``pace()`` is a module function so that core loops can call it without a
parameter threaded through every layer: it acts only in a thread running
inside ``paced(gate)`` and costs a thread-local lookup elsewhere (the CLI,
tests, other workers).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import TypeVar

T = TypeVar("T")

#: Seconds between two beats of the event loop while background work is paced.
BEAT = 0.004

#: A beat older than this (seconds) means the event loop is behind: the work yields.
LATE = 0.006

#: The longest the work waits for one beat (seconds); then it goes on.
LONGEST_WAIT = 0.05

#: Items a loop handles between two ``pace()`` calls: a path or a record each, ~1 ms in all.
PACE_EVERY = 128


class Gate:
    """Beats from an event loop; ``wait`` holds a background thread while they are late."""

    def __init__(self, late: float = LATE, longest_wait: float = LONGEST_WAIT) -> None:
        """A gate whose work yields after ``late`` s without a beat, ``longest_wait`` s at most."""
        self._late = late
        self._longest_wait = longest_wait
        self._last = time.perf_counter()
        self._beats = 0
        # The beat count at a wait that timed out: no wait until it moves. Zero at first:
        # until the loop's first beat nothing is shown that the work could hold up.
        self._given_up = 0
        self._event = threading.Event()
        self.closed = False
        """True once the work is done: the event loop stops beating."""

    def beat(self) -> None:
        """The event loop is running (call on its thread, every ``BEAT`` s)."""
        self._last = time.perf_counter()
        self._beats += 1
        self._event.set()

    def close(self) -> None:
        """The work is done (any thread): waits end and the beats can stop."""
        self.closed = True
        self._event.set()

    def wait(self) -> None:
        """Return at once while the beats are on time; else sleep until the next one."""
        if self.closed or self._beats == self._given_up:
            return
        self._event.clear()
        # After the clear: a beat between the check and the wait sets the event again.
        if time.perf_counter() - self._last < self._late:
            return
        beats = self._beats
        if not self._event.wait(self._longest_wait) and self._beats == beats:
            self._given_up = beats


_local = threading.local()


@contextmanager
def paced(gate: Gate) -> Iterator[None]:
    """Run the body with ``pace()`` waiting at ``gate`` (this thread only)."""
    outer = getattr(_local, "gate", None)
    _local.gate = gate
    try:
        yield
    finally:
        _local.gate = outer


def pace() -> None:
    """Let the event loop run first if it is behind (see the module); cheap otherwise."""
    gate: Gate | None = getattr(_local, "gate", None)
    if gate is not None:
        gate.wait()


def stepped(items: Iterable[T]) -> Iterator[T]:
    """``items`` in order, with a ``pace()`` before the first and after every ``PACE_EVERY``.

    The loops of the opening thread (thousands of paths or records, ~1 ms per
    ``PACE_EVERY``) iterate through this rather than counting themselves.
    """
    remaining = iter(items)
    while True:
        pace()
        # A slice at a time: ``yield from`` a list stays in C, not a frame resumed per item.
        piece = list(islice(remaining, PACE_EVERY))
        if not piece:
            return
        yield from piece
