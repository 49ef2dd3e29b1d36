"""Soft-wrap index of a text for a given width (Textual-free; uses ``rich.cells``).

(Over 450 lines: the row-cutting rules live beside the index whose windows and
full builds must cut rows alike; they could move to a ``rows.py``.)

The reading pane shows a text as *visual rows*. :class:`WrapIndex` maps between
code point offsets and rows for one width: each row is a ``(start, end)`` code
point range; rows fit the width in cells and break at word boundaries (after
whitespace, or beside a wide character), cutting words longer than a row. The
text is never altered: rows are slices. With a
:class:`~ipreader.tui.reader.reflow.Reflow`, the line breaks inside a
hard-wrapped paragraph are *joined*: the paragraph is wrapped as one line, each
joined newline a selectable character drawn as a space. Offsets stay code
points into the original text.

The index is built from a :class:`~ipreader.tui.reader.lines.TextIndex` (the
text's lines, computed once per text) by a scan that can run in a worker
thread: cooperative and abandonable every :data:`CHUNK` code points. How each
code point is drawn and measured lives in :mod:`ipreader.tui.reader.cells`;
the names the pane, the renderer and the tests use are re-exported here.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import lru_cache
from itertools import accumulate

from ipreader.tui.reader.cells import (
    BREAKS_AFTER,
    CHUNK,
    DISPLAY_TABLE,
    KIND_CELLS,
    KIND_NARROW,
    KIND_WIDE,
    NOT_NARROW,
    PLACEHOLDER,
    TAB_CELLS,
    WIDTHS,
    char_cells,
    checkpoint,
    display,
    line_kind,
    not_wide,
    text_cells,
)
from ipreader.tui.reader.lines import TextIndex
from ipreader.tui.reader.reflow import Reflow

__all__ = [
    "CHUNK",
    "DISPLAY_TABLE",
    "KIND_CELLS",
    "KIND_NARROW",
    "KIND_WIDE",
    "NOT_NARROW",
    "PLACEHOLDER",
    "TAB_CELLS",
    "TextIndex",
    "WrapIndex",
    "char_cells",
    "display",
    "line_kind",
    "not_wide",
    "text_cells",
]


@lru_cache(maxsize=16)
def _narrow_rows(width: int) -> re.Pattern[str]:
    """Return the pattern whose successive matches are the rows of a narrow paragraph.

    A row is the rest if it fits, else the longest prefix of at most ``width``
    code points ending with a space or a joined newline, else exactly ``width``
    code points (a word longer than a row is cut): the loop of :func:`_wrap_narrow`,
    run in C.
    """
    return re.compile(rf"(?s:.{{1,{width}}}+\Z|.{{0,{width - 1}}}[ \n]|.{{{width}}})")


_REGEX_ROWS = 4
"""A joined paragraph longer than this many rows is wrapped by :func:`_narrow_rows`:
1.7x faster than the loop's two ``rfind`` per row (20 MB book, width 119); for
lines without a newline the loop is as fast, and it starts faster."""


def _wrap_narrow(
    text: str, start: int, end: int, width: int, rows: array[int], joined: bool = False
) -> None:
    """Append the row starts of the narrow line ``text[start:end]`` (cells == code points).

    ``joined``: the range is a reflowed paragraph whose joined newlines break like spaces.
    """
    row = start
    rfind = text.rfind
    # Most paragraphs of a text that is not hard-wrapped are one line: no newline to seek.
    joined = joined and text.find("\n", start, end) >= 0
    if joined and end - start > _REGEX_ROWS * width:
        rows.extend(map(re.Match.start, _narrow_rows(width).finditer(text, start, end)))
        return
    while end - row > width:
        cut = row + width
        if text[cut - 1] != " " and not (joined and text[cut - 1] == "\n"):
            space = rfind(" ", row, cut)
            if joined:
                space = max(space, rfind("\n", row, cut))
            if space >= 0:
                cut = space + 1
        rows.append(row)
        row = cut
    rows.append(row)


def _wrap_wide(
    text: str, start: int, end: int, width: int, rows: array[int], joined: bool = False
) -> None:
    """Append the row starts of the all-wide line ``text[start:end]`` (two cells each).

    Never ``joined``: a paragraph joined by a newline (one cell) is not all wide.
    """
    step = max(1, width // 2)
    rows.extend(range(start, max(end, start + 1), step))


def _can_break(line: str, widths: list[int], pos: int) -> bool:
    """Return True if a row may end just before ``line[pos]`` (0 < pos < len(line))."""
    if widths[pos] == 0:
        return False  # never separate a combining mark from its base
    if line[pos - 1] in BREAKS_AFTER:
        return True
    return (widths[pos - 1] == 2 or widths[pos] == 2) and line[pos] not in BREAKS_AFTER


def _wrap_cells(
    text: str, start: int, end: int, width: int, rows: array[int], joined: bool = False
) -> None:
    """Append the row starts of ``text[start:end]``, measuring every code point in cells.

    A joined newline (``joined``) is one cell and breaks like a space (``BREAKS_AFTER``).
    """
    line = text[start:end]
    widths = list(map(WIDTHS.__getitem__, line))
    cumulative = list(accumulate(widths, initial=0))
    total = cumulative[-1]
    row = 0
    while total - cumulative[row] > width:
        # Largest cut whose row fits; zero-width code points after it are kept.
        cut = bisect_right(cumulative, cumulative[row] + width, row) - 1
        if cut <= row:
            cut = row + 1  # one character wider than the row: it gets a row of its own
        elif not _can_break(line, widths, cut):
            pos = cut - 1
            while pos > row and not _can_break(line, widths, pos):
                pos -= 1
            if pos > row:
                cut = pos
        rows.append(start + row)
        row = cut
    rows.append(start + row)


_WRAPPERS = {KIND_NARROW: _wrap_narrow, KIND_WIDE: _wrap_wide, KIND_CELLS: _wrap_cells}


def _wrap_line(
    text: str,
    start: int,
    end: int,
    width: int,
    kind: int,
    rows: array[int],
    kinds: bytearray,
    joined: bool = False,
) -> None:
    """Append the rows of ``text[start:end]`` (of the given kind) and their kinds.

    ``joined``: the range is a reflowed paragraph (its newlines are joined ones).
    """
    before = len(rows)
    _WRAPPERS[kind](text, start, end, width, rows, joined)
    kinds.extend(bytes([kind]) * (len(rows) - before))


def _narrow_lines(
    text: str, starts: array[int], width: int, stop: Callable[[], bool]
) -> array[int] | None:
    """Return the row starts of a text whose lines (at ``starts``) are all narrow.

    :func:`_wrap_narrow`'s rule inlined in one loop over the lines (2x faster on
    a reflowed 20 MB book than a call per line); ``stop()`` every ~CHUNK code
    points: None if it said so.
    """
    rows: array[int] = array("q")
    append = rows.append
    rfind = text.rfind
    size = len(text)
    count = len(starts)
    first = 0
    while first < count:
        if stop():
            return None
        last = min(count, bisect_left(starts, starts[first] + CHUNK, first) + 1)
        ends = iter(starts[first + 1 : last + 1])  # one short for the text's last line
        for start in starts[first:last]:
            end = next(ends, size + 1) - 1
            if end - start <= width:
                append(start)  # the common case: a line that fits
                continue
            row = start
            while end - row > width:
                cut = row + width
                if text[cut - 1] != " ":
                    space = rfind(" ", row, cut)
                    if space >= 0:
                        cut = space + 1
                append(row)
                row = cut
            append(row)
        first = last
    return rows


class WrapIndex:
    """The visual rows of a text (or of a window of it) for one width.

    Row ``r`` spans ``row_span(r)``; its cells never exceed ``width`` (except a
    single character wider than ``width``). A row's ``end`` excludes the line's
    newline; the offset of that newline belongs to the line's last row (a
    cursor there is drawn after the last character). With ``reflow``, a newline
    the reflow joins is part of its row like a space (``is_soft`` after it).
    """

    __slots__ = ("complete", "end", "kinds", "reflow", "rows", "start", "text", "width")

    def __init__(
        self,
        text: str,
        width: int,
        rows: array[int],
        kinds: bytearray,
        start: int,
        end: int,
        complete: bool,
        reflow: Reflow | None = None,
    ) -> None:
        """Wrap up computed rows; use :meth:`build` or :meth:`window` to make one."""
        self.text = text
        """The wrapped text."""
        self.width = width
        """Cells available per row."""
        self.rows = rows
        """Start offset of each row (ascending)."""
        self.kinds = kinds
        """Per row, the kind of its line (``KIND_NARROW``, ``KIND_WIDE``, ``KIND_CELLS``)."""
        self.start = start
        """First offset covered."""
        self.end = end
        """Last offset covered (inclusive for a cursor; ``len(text)`` when complete)."""
        self.complete = complete
        """True if the index covers the whole text."""
        self.reflow = reflow
        """How hard-wrapped paragraphs are joined, or None (every line shown as it is)."""

    @classmethod
    def build(
        cls,
        text: str,
        width: int,
        lines: TextIndex | None = None,
        *,
        reflow: Reflow | None = None,
        should_stop: Callable[[], bool] | None = None,
        cooperative: bool = False,
        cell_aware_only: bool = False,
    ) -> WrapIndex | None:
        """Wrap the whole text at ``width`` cells; ``None`` if ``should_stop`` said so.

        Args:
            text: The text.
            width: Cells per row (at least 1).
            lines: A :class:`TextIndex` of ``text`` to reuse (computed if omitted); it
                keeps its paragraphs per reflow, so a re-wrap at another width reuses them.
            reflow: Join the lines of hard-wrapped paragraphs (None: lines as they are).
            should_stop: Polled every ``CHUNK`` code points or so; True abandons the wrap.
            cooperative: Release the GIL between chunks (set it in worker threads).
            cell_aware_only: Measure every line in cells (tests compare it with the fast path).
        """
        width = max(1, width)
        lines = lines if lines is not None else TextIndex(text, cooperative=cooperative)
        if reflow is not None:
            paragraphs = lines.paragraphs(reflow, should_stop=should_stop, cooperative=cooperative)
            if paragraphs is None:
                return None
            lines = paragraphs
        # Wrapped as plain lines: ``shown`` has the joined newlines as spaces (a
        # space breaks and measures as a joined newline does), and the same offsets.
        shown, starts, line_kinds = lines.shown, lines.starts, lines.kinds
        stop = checkpoint(should_stop, cooperative)
        text_end = len(text)
        if not cell_aware_only and KIND_CELLS not in line_kinds and KIND_WIDE not in line_kinds:
            narrow = _narrow_lines(shown, starts, width, stop)
            if narrow is None:
                return None
            kinds = bytearray([KIND_NARROW]) * len(narrow)
            return cls(text, width, narrow, kinds, 0, text_end, True, reflow)
        rows: array[int] = array("q")
        kinds = bytearray()
        count = len(starts)
        budget = 0
        for line in range(count):
            start = starts[line]
            end = starts[line + 1] - 1 if line + 1 < count else text_end
            # Work done is counted in code points (plus a little per line, for
            # texts of many short lines): a checkpoint every ~CHUNK of them.
            budget -= end - start + 16
            if budget < 0:
                budget = CHUNK
                if stop():
                    return None
            kind = line_kinds[line]
            if kind == KIND_NARROW and end - start <= width:
                rows.append(start)  # the common case: a line that fits
                kinds.append(KIND_NARROW)
                continue
            if cell_aware_only:
                kind = KIND_CELLS
            _wrap_line(shown, start, end, width, kind, rows, kinds)
        return cls(text, width, rows, kinds, 0, text_end, True, reflow)

    @classmethod
    def window(
        cls,
        text: str,
        width: int,
        anchor: int,
        rows_before: int,
        rows_after: int,
        reflow: Reflow | None = None,
    ) -> WrapIndex:
        """Wrap only the lines around ``anchor`` — enough to paint a screen at once.

        Starts ``rows_before`` displayed lines (logical lines, or with ``reflow``
        paragraphs) above the anchor's and stops once ``rows_after`` rows follow
        the anchor's row. A very long line is entered near the anchor rather than
        at its start, so its rows may differ from the full index (the pane swaps
        the full index in when it is ready).
        """
        width = max(1, width)
        text_end = len(text)
        anchor = min(max(anchor, 0), text_end)
        budget = (rows_before + rows_after + 2) * width * 2

        def block_start(offset: int) -> int:
            # The start of the displayed line holding offset (-1: over the budget).
            start = text.rfind("\n", 0, offset) + 1
            while reflow is not None and start > 0 and reflow.joins(text, start - 1):
                if anchor - start > budget:
                    return -1
                start = text.rfind("\n", 0, start - 1) + 1
            return start

        def block_end(start: int, cap: int) -> int:
            # The end of the displayed line starting at start, or a line end past cap.
            end = text.find("\n", start)
            while reflow is not None and 0 <= end < cap and reflow.joins(text, end):
                end = text.find("\n", end + 1)
            return text_end if end < 0 else end

        start = block_start(anchor)
        if start < 0 or anchor - start > budget:
            start = anchor - budget // 2  # approximate entry into a huge line
        else:
            for _ in range(rows_before):
                above = block_start(start - 1) if start else -1
                if above < 0:
                    break
                start = above
        rows: array[int] = array("q")
        kinds = bytearray()
        anchor_row: int | None = None
        line_start = start
        end = start
        while True:
            # Cap what we wrap of a huge line; the cut's last row is dropped below.
            cap = max(anchor, line_start) + rows_after * width * 2 + 1
            line_end = block_end(line_start, cap)
            stop = min(line_end, cap)
            before = len(rows)
            kind = line_kind(text, line_start, stop)
            _wrap_line(text, line_start, stop, width, kind, rows, kinds, reflow is not None)
            end = stop
            if stop < line_end:
                if len(rows) - before > 1:
                    end = rows.pop()  # the partial last row: end at its start
                    kinds.pop()
                break
            if anchor_row is None and line_end >= anchor:
                anchor_row = bisect_right(rows, anchor) - 1
            if anchor_row is not None and len(rows) - anchor_row > rows_after:
                break
            if line_end >= text_end:
                break
            line_start = line_end + 1
        complete = start == 0 and end == text_end
        return cls(text, width, rows, kinds, start, end, complete, reflow)

    def __len__(self) -> int:
        """Return the number of rows."""
        return len(self.rows)

    def ends_line(self, offset: int) -> bool:
        """True when ``text[offset]`` is a newline ending a displayed line (not a joined one)."""
        if self.text[offset] != "\n":
            return False
        return self.reflow is None or not self.reflow.joins(self.text, offset)

    def row_span(self, row: int) -> tuple[int, int]:
        """Return ``(start, end)`` of a row; ``end`` excludes a line-ending newline."""
        rows = self.rows
        start = rows[row]
        if row + 1 < len(rows):
            end = rows[row + 1]
            if self.ends_line(end - 1):
                end -= 1
            return start, end
        return start, self.end

    def is_soft(self, row: int) -> bool:
        """Return True if the row is followed by a continuation of the same displayed line."""
        rows = self.rows
        if row + 1 < len(rows):
            return not self.ends_line(rows[row + 1] - 1)
        return self.end < len(self.text) and not self.ends_line(self.end)

    def clamp(self, offset: int) -> int:
        """Return ``offset`` limited to the covered range."""
        return min(max(offset, self.start), self.end)

    def row_of(self, offset: int) -> int:
        """Return the row showing ``offset`` (clamped to the covered range)."""
        return max(0, bisect_right(self.rows, self.clamp(offset)) - 1)

    def cells_between(self, row: int, start: int, end: int) -> int:
        """Return the cells of ``text[start:end]``, a range within ``row``."""
        kind = self.kinds[row]
        if kind == KIND_NARROW:
            return end - start
        if kind == KIND_WIDE:
            return 2 * (end - start)
        return text_cells(self.text[start:end])

    def row_cells(self, row: int) -> int:
        """Return the cells the row's text occupies."""
        start, end = self.row_span(row)
        return self.cells_between(row, start, end)

    def position(self, offset: int) -> tuple[int, int]:
        """Return the ``(row, column)`` where ``offset`` is drawn (column in cells)."""
        offset = self.clamp(offset)
        row = self.row_of(offset)
        return row, self.cells_between(row, self.rows[row], offset)

    def offset_at(self, row: int, column: int) -> int:
        """Return the offset drawn at ``(row, column)``.

        A column inside a wide character gives that character; a column past
        the row's text gives its end (for a soft-wrapped row, its last code
        point, since its end offset is drawn at the start of the next row).
        """
        row = min(max(row, 0), len(self.rows) - 1)
        start, end = self.row_span(row)
        last = end - 1 if self.is_soft(row) and end > start else end
        column = max(column, 0)
        kind = self.kinds[row]
        if kind == KIND_NARROW:
            return min(start + column, last)
        if kind == KIND_WIDE:
            return min(start + column // 2, last)
        cells = 0
        for index, char in enumerate(self.text[start:end]):
            cells += WIDTHS[char]
            if cells > column:
                return start + index
        return last
