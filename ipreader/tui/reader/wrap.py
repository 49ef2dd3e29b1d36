"""Soft-wrap index of a text for a given width (Textual-free; uses ``rich.cells``).

The reading pane shows a text as *visual rows*. This module maps between code
point offsets and rows:

* :class:`TextIndex` — the logical line starts of a text (an ``array('q')``)
  and, per line, whether every code point of it is one terminal cell wide.
  Computed once per text and reused by every re-wrap.

Both scan big texts in chunks of :data:`CHUNK` code points; with
``cooperative=True`` (worker threads) they release the GIL between chunks so
the UI thread is never kept waiting for long.
* :class:`WrapIndex` — the visual rows for one width: each row is a
  ``(start, end)`` code point range; rows fit the width in cells and break at
  word boundaries (after whitespace, or beside a wide character), cutting
  words longer than a row. The text is never altered: rows are slices.
  With a :class:`~ipreader.tui.reader.reflow.Reflow`, the line breaks inside a
  hard-wrapped paragraph are *joined*: the paragraph is wrapped as one line,
  each joined newline a selectable character drawn as a space. Offsets stay
  code points into the original text.

Display rules, shared by the wrap and the renderer so that cells line up:
every code point is shown as :func:`display` of itself. Control characters,
ESC, C1 controls, BiDi overrides and lone surrogates become one visible
placeholder glyph; a tab becomes :data:`TAB_CELLS` spaces; invisible format
characters (zero-width joiner, variation selectors, ...) become nothing, so a
terminal never merges what we measured separately. Combining marks are kept
(zero cells, drawn on their base character).
"""

from __future__ import annotations

import re
import time
from array import array
from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate, compress

from rich.cells import cell_len

from ipreader.core.safe_text import PLACEHOLDER, PRINTABLE_TABLE, TAB_SPACES
from ipreader.tui.reader.reflow import Reflow

__all__ = [
    "DISPLAY_TABLE",
    "PLACEHOLDER",
    "TAB_CELLS",
    "TextIndex",
    "WrapIndex",
    "char_cells",
    "display",
    "text_cells",
]

TAB_CELLS = TAB_SPACES
"""Cells a tab occupies (expanded to this many spaces, not to tab stops)."""

DISPLAY_TABLE: dict[int, str] = {**PRINTABLE_TABLE, ord("\n"): " "}
"""``str.translate`` table turning text into what the terminal is sent.

The table of :mod:`ipreader.core.safe_text` (one source of truth): the CLI and
exports show user text with the same glyphs as the pane, and the pane's cell
counts depend on it (invisible format characters are drawn as nothing, so a
terminal never merges what we measured separately). One addition: a newline is
drawn as a space — a row holds one only where a reflowed paragraph joins two
lines (one cell either way).
"""

CHUNK = 65_536
"""Code points processed between two pauses of a cooperative scan or wrap.

About a millisecond of work: a worker thread releases the GIL this often, so the
UI thread never waits on it for long (CPython only switches threads every 5 ms,
and much later on a loaded machine), and cancellation stays prompt.
"""


def _pause() -> None:
    """Let other threads run: ``time.sleep(0)`` releases the GIL."""
    time.sleep(0)


def display(text: str) -> str:
    """Return ``text`` as it is drawn: controls as placeholders, tabs expanded."""
    return text.translate(DISPLAY_TABLE)


class _CellWidths(dict[str, int]):
    """Memo of the drawn cell width of each code point (0, 1, 2 or ``TAB_CELLS``)."""

    def __missing__(self, char: str) -> int:
        width = cell_len(char.translate(DISPLAY_TABLE))
        self[char] = width
        return width


_WIDTHS = _CellWidths()


def char_cells(char: str) -> int:
    """Return the cells one code point occupies once drawn."""
    return _WIDTHS[char]


def text_cells(text: str) -> int:
    """Return the cells ``text`` occupies once drawn (sum of :func:`char_cells`)."""
    return sum(map(_WIDTHS.__getitem__, text))


# Code points that are drawn in exactly one cell (tests/test_wrap.py checks every
# one of them). A line made only of these wraps by arithmetic. Tab (4 cells) and
# zero-width characters (soft hyphen, combining marks) are deliberately absent.
_NARROW_CLASS = (
    "\x00-\x08\x0a-\x7e\x7f-\x9f\xa0-\xac\xae-\u02ff"
    "\u0370-\u0482\u048a-\u052f"
    "\u2010-\u2027\u2028-\u202e\u2030-\u205e\u20a0-\u20c0"
)
NOT_NARROW = re.compile(f"[^{_NARROW_CLASS}]")
"""Matches a character that is not one cell wide (a line without one wraps by arithmetic)."""

_SPACES = frozenset(" \t\u3000\n")
"""Characters after which a row may end (a newline only inside a reflowed paragraph)."""


# Code points drawn in exactly two cells with no break restriction between them
# (CJK ideographs, kana, Hangul syllables, CJK and fullwidth punctuation; the
# ideographic space is left out because rows must not start with it).
_WIDE_CLASS = (
    "\u3001-\u3029\u3030-\u303e\u3041-\u3096\u309b-\u30ff\u3105-\u312f\u3131-\u3163\u3165-\u318e"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6"
)
NOT_WIDE = re.compile(f"[^{_WIDE_CLASS}]")
"""Matches a character that is not two cells wide (CJK lines wrap by arithmetic too)."""

KIND_CELLS = 0
"""Line/row kind: measured code point by code point."""
KIND_NARROW = 1
"""Line/row kind: every code point is one cell."""
KIND_WIDE = 2
"""Line/row kind: every code point is two cells."""


def line_kind(text: str, start: int, end: int, pause: Callable[[], None] | None = None) -> int:
    """Return the kind of ``text[start:end]`` (which wrap path applies).

    With ``pause``, a long range is searched in chunks with ``pause()`` between
    them (each regex search holds the GIL for its whole range).
    """
    if pause is None or end - start <= CHUNK:
        if NOT_NARROW.search(text, start, end) is None:
            return KIND_NARROW
        if NOT_WIDE.search(text, start, end) is None:
            return KIND_WIDE
        return KIND_CELLS
    narrow = wide = True
    for low in range(start, end, CHUNK):
        high = min(end, low + CHUNK)
        narrow = narrow and NOT_NARROW.search(text, low, high) is None
        wide = wide and NOT_WIDE.search(text, low, high) is None
        if not (narrow or wide):
            return KIND_CELLS
        pause()
    return KIND_NARROW if narrow else KIND_WIDE


_NEWLINE = re.compile("\n")


class TextIndex:
    """Logical line starts of a text and each line's kind (which wrap path applies)."""

    __slots__ = ("_paragraphs", "kinds", "starts", "text")

    def __init__(self, text: str, *, cooperative: bool = False) -> None:
        """Index ``text`` (``O(n)``, C-speed scans; run it in a worker for big texts).

        With ``cooperative`` (in a worker thread) the text is scanned in chunks
        and the GIL is released between them, so the UI thread keeps running.
        """
        pause = _pause if cooperative else None
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
            kinds = bytearray(count)
            budget = CHUNK
            for line in range(count):
                end = starts[line + 1] - 1 if line + 1 < count else size
                kinds[line] = line_kind(text, starts[line], end, pause)
                budget -= end - starts[line] + 16
                if budget < 0:
                    budget = CHUNK
                    if pause is not None:
                        pause()
            self.kinds = kinds
        """Per line, its kind (``KIND_NARROW``, ``KIND_WIDE`` or ``KIND_CELLS``)."""
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
        two; a paragraph's kind is narrow only if all its lines are. Computed once
        per reflow and kept, so every re-wrap at a new width reuses it; None when
        ``should_stop`` said so (polled every ``CHUNK`` code points).
        """
        cached = self._paragraphs.get(reflow)
        if cached is not None:
            return cached
        text, starts, kinds = self.text, self.starts, self.kinds
        count = len(starts)
        # keep[i]: line i starts a paragraph (the newline before it is not joined).
        keep = bytearray(b"\x01") * count
        joins_line = reflow.joins_line
        longest = reflow.width + 1
        budget = 0
        for line in range(count - 1):
            start, newline = starts[line], starts[line + 1] - 1
            budget -= newline - start + 16
            if budget < 0:
                budget = CHUNK
                if should_stop is not None and should_stop():
                    return None
                if cooperative:
                    _pause()
            # Blank and over-long lines are never joined: skip the call (most of a
            # text that is not hard-wrapped).
            if 0 < newline - start <= longest and joins_line(text, start, newline):
                keep[line + 1] = 0
        if keep.count(0) == 0:
            self._paragraphs[reflow] = self  # nothing joined: one paragraph per line
            return self
        if KIND_CELLS in kinds or KIND_WIDE in kinds:
            merged = bytearray()
            for line in range(count):
                if keep[line]:
                    merged.append(kinds[line])
                elif merged[-1] != kinds[line] or kinds[line] != KIND_NARROW:
                    merged[-1] = KIND_CELLS  # a newline joins them: narrow only if both are
        else:
            merged = bytearray([KIND_NARROW]) * keep.count(1)
        paragraphs = TextIndex.__new__(TextIndex)
        paragraphs.text = text
        paragraphs.starts = array("q", compress(starts, keep))
        paragraphs.kinds = merged
        paragraphs._paragraphs = {}
        self._paragraphs[reflow] = paragraphs
        return paragraphs


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
    if line[pos - 1] in _SPACES:
        return True
    return (widths[pos - 1] == 2 or widths[pos] == 2) and line[pos] not in _SPACES


def _wrap_cells(
    text: str, start: int, end: int, width: int, rows: array[int], joined: bool = False
) -> None:
    """Append the row starts of ``text[start:end]``, measuring every code point in cells.

    A joined newline (``joined``) is one cell and breaks like a space (``_SPACES``).
    """
    line = text[start:end]
    widths = list(map(_WIDTHS.__getitem__, line))
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
        joined = reflow is not None
        if reflow is not None:
            paragraphs = lines.paragraphs(reflow, should_stop=should_stop, cooperative=cooperative)
            if paragraphs is None:
                return None
            lines = paragraphs
        starts, line_kinds = lines.starts, lines.kinds
        rows: array[int] = array("q")
        kinds = bytearray()
        count = len(starts)
        text_end = len(text)
        budget = 0
        for line in range(count):
            start = starts[line]
            end = starts[line + 1] - 1 if line + 1 < count else text_end
            # Work done is counted in code points (plus a little per line, for
            # texts of many short lines): a checkpoint every ~CHUNK of them.
            budget -= end - start + 16
            if budget < 0:
                budget = CHUNK
                if should_stop is not None and should_stop():
                    return None
                if cooperative:
                    _pause()
            kind = line_kinds[line]
            if kind == KIND_NARROW and end - start <= width:
                rows.append(start)  # the common case: a line that fits
                kinds.append(KIND_NARROW)
                continue
            if cell_aware_only:
                kind = KIND_CELLS
            _wrap_line(text, start, end, width, kind, rows, kinds, joined)
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
            cells += _WIDTHS[char]
            if cells > column:
                return start + index
        return last
