"""Cursor motions of the reading pane over a text and its wrap index (Textual-free).

Each function returns the offset a motion moves the cursor to; the pane moves
it there (extending or dropping the selection) and keeps it in view.
"""

from __future__ import annotations

import re

from ipreader.tui.reader.wrap import WrapIndex, text_cells

__all__ = [
    "WORD_WINDOW",
    "row_end",
    "row_start",
    "step",
    "vertical",
    "word_at",
    "word_end_after",
    "word_start_before",
]

_WORD = re.compile(r"\w+")

WORD_WINDOW = 4096
"""Code points searched around the cursor for word motions and double-click."""


def step(text: str, offset: int, direction: int) -> int:
    """Return the offset one visible glyph from ``offset`` (zero-width code points skipped)."""
    offset += direction
    while 0 < offset < len(text) and text_cells(text[offset]) == 0 and text[offset] != "\n":
        offset += direction
    return offset


def word_start_before(text: str, offset: int) -> int:
    """Return the start of the last word starting before ``offset`` (window start if none)."""
    low = max(0, offset - WORD_WINDOW)
    target = low
    for match in _WORD.finditer(text, low, offset):
        target = match.start()
    return target


def word_end_after(text: str, offset: int) -> int:
    """Return the end of the next word from ``offset`` on (window end if none)."""
    high = min(len(text), offset + WORD_WINDOW)
    match = _WORD.search(text, offset, high)
    return match.end() if match else high


def word_at(text: str, offset: int) -> tuple[int, int]:
    """Return the ``(start, end)`` of the word at ``offset`` (one character if none)."""
    low = max(0, offset - WORD_WINDOW)
    for match in _WORD.finditer(text, low, min(len(text), offset + WORD_WINDOW)):
        if match.start() <= offset < match.end():
            return match.span()
        if match.start() > offset:
            break
    return offset, min(offset + 1, len(text))


def row_start(index: WrapIndex, offset: int) -> int:
    """Return the start of the visual row holding ``offset``."""
    return index.row_span(index.row_of(offset))[0]


def row_end(index: WrapIndex, offset: int) -> int:
    """Return the last cursor position of the visual row holding ``offset``.

    On a soft-wrapped row that is before its last code point: the row's end is
    the next row's start, where the cursor would show on the next row.
    """
    row = index.row_of(offset)
    start, end = index.row_span(row)
    return end - 1 if index.is_soft(row) and end > start else end


def vertical(index: WrapIndex, row: int, goal_column: int, rows: int) -> int:
    """Return the offset ``rows`` visual rows from ``row``, at ``goal_column`` or the row's end.

    Past the first or last row the cursor goes to the index's start or end.
    """
    target = min(max(row + rows, 0), len(index) - 1)
    if target == row:
        return index.start if rows < 0 else index.end
    return index.offset_at(target, goal_column)
