"""Filling an ``OptionList`` a slice at a time, so that a long list never holds the event loop.

An ``OptionList`` wraps and measures every option as it is added: 500
highlight rows of two or three lines took 70-120 ms at once (20,000
highlights, the highlights screen's ``MAX_ROWS``), and the code report's
1,000 passages 0.3-0.5 s. Added ``ROWS_PER_TURN`` at a time with a turn of
the event loop between slices, the first rows show at once, a key typed
meanwhile is answered, and a newer list cancels the fill (the caller runs it
in an exclusive worker).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ipreader.core.gc_pause import gc_paused
from ipreader.tui.heap import HEAP

#: Options added per turn of the event loop (~25 wrapped rows measure in 5-10 ms).
ROWS_PER_TURN = 25

#: Turns of 10 ms to wait for a list shown just now to be laid out (its width known).
_LAYOUT_WAITS = 50

T = TypeVar("T")


async def add_in_slices(
    options: OptionList,
    rows: Sequence[T],
    make: Callable[[Sequence[T]], Iterable[Option | None]],
    *,
    per_turn: int = ROWS_PER_TURN,
) -> None:
    """Add the options ``make`` gives for ``rows`` to ``options``, ``per_turn`` rows a turn.

    ``make`` turns a slice of ``rows`` into options (``None`` for a separator).
    """
    # A list shown again just now is laid out at a refresh to come; filled before it,
    # it measured every slice at once then (110-130 ms). One refresh was not always
    # enough (stalls of 134-178 ms in 2 of 5 runs with call_after_refresh).
    for _ in range(_LAYOUT_WAITS):
        if options.scrollable_content_region.width:
            break
        await asyncio.sleep(0.01)
    # The rows are up to ~10^5 acyclic objects that stay: no collection walks them while
    # they come (full passes of 60-300 ms under the keys), and they are frozen before the
    # collector resumes (tui/heap.py), or its next pass would.
    with gc_paused():
        for first in range(0, len(rows), per_turn):
            options.add_options(make(rows[first : first + per_turn]))
            await asyncio.sleep(0)
        HEAP.settle()
