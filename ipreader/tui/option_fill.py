"""Filling an ``OptionList`` a slice at a time, so that a long list never holds the event loop.

An ``OptionList`` wraps and measures every option as it is added: 500
highlight rows of two or three lines took 70-120 ms at once (20,000
highlights, the highlights screen's ``MAX_ROWS``), a corpus search's batch of
500 matches 185 ms, and the code report's 1,000 passages 0.3-0.5 s. A
``SlicedList`` puts the first ``ROWS_PER_TURN`` rows in at once (the first
one highlighted: Enter chooses it), then the rest a slice per turn of the
event loop in a worker of the list's screen, so a key typed meanwhile is
answered; rows added while it lists join the queue (a search's later
batches), and ``clear`` drops what is still to come (a newer filter).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

from textual.dom import DOMNode
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ipreader.core.gc_pause import gc_paused
from ipreader.tui.heap import HEAP

#: Options added per turn of the event loop (~25 wrapped rows measure in 5-10 ms).
ROWS_PER_TURN = 25

#: Turns of 10 ms to wait for a list shown just now to be laid out (its width known).
_LAYOUT_WAITS = 50

T = TypeVar("T")


class SlicedList(Generic[T]):
    """The rows still to come of one ``OptionList``, listed a slice per turn of the event loop.

    ``make`` turns a slice of rows into options (``None`` for a separator). The
    listing runs in a worker of ``owner`` (the list's screen: its workers end
    with it) in the worker group ``group``. ``highlight_first``: the first row is
    highlighted as soon as it is in (a list whose first row is a heading: not).
    """

    def __init__(
        self,
        owner: DOMNode,
        options: OptionList,
        make: Callable[[Sequence[T]], Iterable[Option | None]],
        *,
        group: str,
        highlight_first: bool = True,
        per_turn: int = ROWS_PER_TURN,
    ) -> None:
        self._owner = owner
        self._highlight_first = highlight_first
        self._options = options
        self._make = make
        self._group = group
        self._per_turn = per_turn
        self._pending: list[T] = []
        self._tail: list[Option | None] = []  # added once every row is in
        self._listing = False
        self._generation = 0

    @property
    def complete(self) -> bool:
        """True when every row added is in the list."""
        return not self._listing and not self._pending

    def clear(self) -> None:
        """Empty the list and drop the rows still to come."""
        self._generation += 1
        self._pending, self._tail, self._listing = [], [], False
        self._options.clear_options()

    def add(self, rows: Sequence[T], tail: Iterable[Option | None] = ()) -> None:
        """Queue ``rows``, then ``tail`` (options put in once every row is, in order).

        When nothing is being listed, the first slice goes in now; the rest
        follow in the worker.
        """
        self._pending.extend(rows)
        self._tail.extend(tail)
        if self._listing:
            return  # the running worker takes them
        self._put_slice()
        if self._pending or self._tail:
            self._listing = True
            generation = self._generation
            self._owner.run_worker(
                self._list_rest(generation), group=self._group, description="list the rows"
            )

    def _put_slice(self) -> None:
        """Put the next slice of rows (or, once none is left, the tail) in the list."""
        options = self._options
        if self._pending:
            chunk = self._pending[: self._per_turn]
            del self._pending[: self._per_turn]
            options.add_options(self._make(chunk))
        elif self._tail:
            options.add_options(self._tail)
            self._tail = []
        if self._highlight_first and options.highlighted is None and options.option_count:
            options.highlighted = 0

    async def _list_rest(self, generation: int) -> None:
        """List what is queued until it is all in, or until ``clear`` (a newer generation)."""
        # A list shown again just now is laid out at a refresh to come; filled before it,
        # it measured every slice at once then (110-130 ms). One refresh was not always
        # enough (stalls of 134-178 ms in 2 of 5 runs with call_after_refresh).
        for _ in range(_LAYOUT_WAITS):
            if self._options.scrollable_content_region.width:
                break
            await asyncio.sleep(0.01)
        # The rows are up to ~10^5 acyclic objects that stay: no collection walks them while
        # they come (full passes of 60-300 ms under the keys), and they are frozen before the
        # collector resumes (tui/heap.py), or its next pass would.
        try:
            with gc_paused():
                while generation == self._generation and (self._pending or self._tail):
                    self._put_slice()
                    await asyncio.sleep(0)
                HEAP.settle()
        finally:
            if generation == self._generation:
                self._listing = False
