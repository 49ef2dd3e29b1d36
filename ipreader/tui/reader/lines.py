"""The logical lines of a text, and its paragraphs once reflowed (Textual-free).

:class:`TextIndex` holds the line starts of a text (an ``array('q')``) and, per
line, its kind (which wrap path applies). It is computed once per text and
reused by every re-wrap; :meth:`TextIndex.paragraphs` derives, once per
:class:`~ipreader.tui.reader.reflow.Reflow`, the same index over the displayed
lines of a reflowed text (a joined newline inside a "line"). Big texts are
scanned in chunks of :data:`~ipreader.tui.reader.cells.CHUNK` code points;
with ``cooperative=True`` (worker threads) the GIL is released between them.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import filterfalse

from ipreader.tui.reader import cells
from ipreader.tui.reader.cells import (
    CHUNK,
    KIND_CELLS,
    KIND_NARROW,
    KIND_WIDE,
    checkpoint,
    line_kind,
)
from ipreader.tui.reader.reflow import Reflow

__all__ = ["TextIndex"]

_NEWLINE = re.compile("\n")


class TextIndex:
    """Logical line starts of a text and each line's kind (which wrap path applies)."""

    __slots__ = ("_paragraphs", "kinds", "shown", "starts", "text")

    def __init__(self, text: str, *, cooperative: bool = False) -> None:
        """Index ``text`` (``O(n)``, C-speed scans; run it in a worker for big texts).

        With ``cooperative`` (in a worker thread) the text is scanned in chunks
        and the GIL is released between them, so the UI thread keeps running.
        """
        pause = cells.pause if cooperative else None
        self.text = text
        """The indexed text."""
        size = len(text)
        starts = array("q", [0])
        # Chunked: one finditer over 20 MB would hold the GIL for its whole run.
        for low in range(0, size, CHUNK):
            starts.extend(map(re.Match.end, _NEWLINE.finditer(text, low, low + CHUNK)))
            if pause is not None:
                pause()
        self.starts = starts
        """Offset of the first code point of each line."""
        # str.isascii() is O(1) on CPython (the string stores the flag).
        if text.isascii() and "\t" not in text:
            self.kinds = bytearray([KIND_NARROW]) * len(starts)
        else:
            count = len(starts)
            kinds = bytearray([KIND_NARROW]) * count
            budget = CHUNK
            for line, start in enumerate(starts):
                end = starts[line + 1] - 1 if line + 1 < count else size
                # Most lines of a Latin-script book are ASCII: a copy and its O(1) isascii
                # flag tell so ~10x faster than line_kind's regex scan (0.21 -> 0.08 s CPU
                # for a 20 MB book with curly quotes; a CJK book's lines cost ~10% more).
                if end - start > CHUNK:
                    kinds[line] = line_kind(text, start, end, pause)
                else:
                    piece = text[start:end]
                    if not piece.isascii() or "\t" in piece:
                        kinds[line] = line_kind(text, start, end)
                budget -= end - start + 16
                if budget < 0:
                    budget = CHUNK
                    if pause is not None:
                        pause()
            self.kinds = kinds
        """Per line, its kind (``KIND_NARROW``, ``KIND_WIDE`` or ``KIND_CELLS``)."""
        self.shown = text
        """The text as it is wrapped: ``text`` itself, except in :meth:`paragraphs`."""
        self._paragraphs: dict[Reflow, TextIndex] = {}

    def __len__(self) -> int:
        """Return the number of logical lines (a text ending in a newline has a last empty line)."""
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """Return the logical line holding ``offset``."""
        return bisect_right(self.starts, offset) - 1

    def line_span(self, line: int) -> tuple[int, int]:
        """Return ``(start, end)`` of a logical line, ``end`` excluding its newline."""
        start = self.starts[line]
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return start, end

    def paragraphs(
        self,
        reflow: Reflow,
        *,
        should_stop: Callable[[], bool] | None = None,
        cooperative: bool = False,
    ) -> TextIndex | None:
        """Return the index of the displayed lines once ``reflow`` joins paragraphs.

        Its "lines" are paragraphs: a joined newline is inside one, not between
        two; a paragraph's kind is narrow only if all its lines are. Its
        :attr:`shown` is the text with every joined newline made a space (same
        length, same offsets), so a re-wrap treats a paragraph as one plain line.
        Computed once per reflow and kept, so every re-wrap at a new width reuses
        it; None when ``should_stop`` said so (polled every ``CHUNK`` code points).
        """
        cached = self._paragraphs.get(reflow)
        if cached is not None:
            return cached
        text, starts, kinds = self.text, self.starts, self.kinds
        count = len(starts)
        mixed = KIND_CELLS in kinds or KIND_WIDE in kinds
        paragraph_starts: array[int] = array("q")
        merged = bytearray()  # the paragraphs' kinds
        joined: set[int] = set()  # starts of this chunk's lines joined to the line above
        newlines: array[int] = array("q")  # every joined newline, in order
        stop = checkpoint(should_stop, cooperative)
        first = 0  # the first line of the chunk scanned next
        # Chunk by chunk, so that no step holds the GIL for long (a worker thread).
        while first < count:
            if stop():
                return None
            last = max(first + 1, bisect_left(starts, starts[first] + CHUNK))
            high = starts[last] if last < count else len(text)
            following: set[int] = set()  # the next chunk's first line, if joined
            found = reflow.joined_newlines(text, starts[first], high)
            newlines.extend(found)
            for newline in found:
                (joined if newline + 1 < high else following).add(newline + 1)
            paragraph_starts.extend(filterfalse(joined.__contains__, starts[first:last]))
            if not mixed:
                merged.extend(bytes([KIND_NARROW]) * (last - first - len(joined)))
            else:
                for line in range(first, last):
                    if starts[line] not in joined:
                        merged.append(kinds[line])
                    elif merged[-1] != kinds[line] or kinds[line] != KIND_NARROW:
                        merged[-1] = KIND_CELLS  # a newline joins them: narrow only if both are
            joined = following
            first = last
        if len(paragraph_starts) == count:
            self._paragraphs[reflow] = self  # nothing joined: one paragraph per line
            return self
        shown = _spaced(text, newlines, stop)
        if shown is None:
            return None
        paragraphs = TextIndex.__new__(TextIndex)
        paragraphs.text = text
        paragraphs.shown = shown
        paragraphs.starts = paragraph_starts
        paragraphs.kinds = merged
        paragraphs._paragraphs = {}
        self._paragraphs[reflow] = paragraphs
        return paragraphs


_SPACED_GROUP = 4096
"""Joined newlines replaced per step of :func:`_spaced` (a checkpoint between steps)."""


def _spaced(text: str, newlines: array[int], stop: Callable[[], bool]) -> str | None:
    """Return ``text`` with the code point at each of ``newlines`` made a space.

    Built from slices in groups, ``stop()`` between groups (None if it said so);
    the last join copies the text once (~10 ms for 20 MB of ASCII).
    """
    groups: list[str] = []
    previous = 0
    for first in range(0, len(newlines), _SPACED_GROUP):
        if stop():
            return None
        pieces = []
        for newline in newlines[first : first + _SPACED_GROUP]:
            pieces.append(text[previous:newline])
            previous = newline + 1
        groups.append(" ".join(pieces))
    groups.append(text[previous:])
    return " ".join(groups)
