"""How the reading pane draws each code point, and in how many terminal cells (Textual-free).

Display rules, shared by the wrap and the renderer so that cells line up:
every code point is shown as :func:`display` of itself. Control characters,
ESC, C1 controls, BiDi overrides and lone surrogates become one visible
placeholder glyph; a tab becomes :data:`TAB_CELLS` spaces; invisible format
characters (zero-width joiner, variation selectors, ...) become nothing, so a
terminal never merges what we measured separately. Combining marks are kept
(zero cells, drawn on their base character). A newline, which a row holds only
where a reflowed paragraph joins two lines, is drawn as a space.

A line's *kind* (:func:`line_kind`) says which wrap path applies: every code
point one cell (arithmetic), every one two cells (arithmetic), or measured.
Big texts are scanned in chunks of :data:`CHUNK` code points; a worker thread
calls :func:`pause` between chunks so the UI thread is never kept waiting.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import cache

from rich.cells import cell_len

from ipreader.core.safe_text import PLACEHOLDER, PRINTABLE_TABLE, TAB_SPACES

__all__ = [
    "BREAKS_AFTER",
    "CHUNK",
    "DISPLAY_TABLE",
    "KIND_CELLS",
    "KIND_NARROW",
    "KIND_WIDE",
    "NOT_NARROW",
    "PLACEHOLDER",
    "TAB_CELLS",
    "WIDTHS",
    "char_cells",
    "checkpoint",
    "display",
    "line_kind",
    "not_wide",
    "pause",
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


def pause() -> None:
    """Let other threads run: ``time.sleep(0)`` releases the GIL."""
    time.sleep(0)


def checkpoint(should_stop: Callable[[], bool] | None, cooperative: bool) -> Callable[[], bool]:
    """Return what a chunked scan calls every :data:`CHUNK` code points: True abandons it.

    It polls ``should_stop`` and, in a worker thread (``cooperative``), lets the
    UI thread run (:func:`pause`).
    """

    def check() -> bool:
        if should_stop is not None and should_stop():
            return True
        if cooperative:
            pause()
        return False

    return check


def display(text: str) -> str:
    """Return ``text`` as it is drawn: controls as placeholders, tabs expanded."""
    return text.translate(DISPLAY_TABLE)


class _CellWidths(dict[str, int]):
    """Memo of the drawn cell width of each code point (0, 1, 2 or ``TAB_CELLS``)."""

    def __missing__(self, char: str) -> int:
        width = cell_len(char.translate(DISPLAY_TABLE))
        self[char] = width
        return width


WIDTHS = _CellWidths()
"""The memo of drawn cell widths: ``WIDTHS[char]`` (C-speed lookups for the wrap)."""


def char_cells(char: str) -> int:
    """Return the cells one code point occupies once drawn."""
    return WIDTHS[char]


def text_cells(text: str) -> int:
    """Return the cells ``text`` occupies once drawn (sum of :func:`char_cells`)."""
    return sum(map(WIDTHS.__getitem__, text))


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

BREAKS_AFTER = frozenset(" \t\u3000\n")
"""Characters after which a row may end (a newline only inside a reflowed paragraph)."""


# Code points drawn in exactly two cells with no break restriction between them
# (CJK ideographs, kana, Hangul syllables, CJK and fullwidth punctuation; the
# ideographic space is left out because rows must not start with it).
_WIDE_CLASS = (
    "\u3001-\u3029\u3030-\u303e\u3041-\u3096\u309b-\u30ff\u3105-\u312f\u3131-\u3163\u3165-\u318e"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6"
)


@cache
def not_wide() -> re.Pattern[str]:
    """The pattern matching a character that is not two cells wide (CJK lines wrap by
    arithmetic too), compiled at its first use.

    ``re`` builds this class's bitmap code point by code point (~40,000 of them,
    ~3 ms at every start otherwise); only a line with a character that is not
    one cell wide asks for it.
    """
    return re.compile(f"[^{_WIDE_CLASS}]")


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
        if not_wide().search(text, start, end) is None:
            return KIND_WIDE
        return KIND_CELLS
    narrow = wide = True
    for low in range(start, end, CHUNK):
        high = min(end, low + CHUNK)
        narrow = narrow and NOT_NARROW.search(text, low, high) is None
        wide = wide and not_wide().search(text, low, high) is None
        if not (narrow or wide):
            return KIND_CELLS
        pause()
    return KIND_NARROW if narrow else KIND_WIDE
