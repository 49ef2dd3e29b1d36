"""Aligned plain-text tables for the terminal, fast enough for tens of thousands of rows.

Rich's ``Table`` took 38 s to lay out a 20,000-row code report (and
``rich.cells.set_cell_size`` 3.4 s for its cells); this module does the one
thing reports need — columns padded to a common width in terminal cells, long
cells cut with ``…`` — in well under a second. Every cell goes through
``safe_text.printable``, so nothing a terminal would act on is written.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import ne

from ipreader.core.safe_text import printable

#: What a cut cell ends with.
ELLIPSIS = "…"

#: Spaces between two columns.
GAP = "  "


# Characters one cell wide that Western prose is made of: ASCII, Latin-1 (less
# the soft hyphen), Latin Extended, Greek and Cyrillic letters, dashes, quotes
# and currency signs. Text made only of them needs no per-character look-up.
_NARROW = re.compile(
    "[\x20-\x7e\xa0-\xac\xae-\u02ff\u0370-\u0377\u037a-\u037f\u0384-\u038a\u038c"
    "\u038e-\u03a1\u03a3-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e\u20a0-\u20c0]*"
)


@functools.lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """Return the terminal cells ``text`` takes (wide CJK characters count two)."""
    if _NARROW.fullmatch(text):  # nearly every cell: no per-character work
        return len(text)
    return sum(map(_char_width, text))


def fit(text: str, width: int) -> str:
    """Return ``text`` cut to at most ``width`` cells, ending with ``…`` when cut."""
    if cell_width(text) <= width:
        return text
    if width <= 0:
        return ""
    if _NARROW.fullmatch(text):
        return text[: width - 1] + ELLIPSIS
    kept: list[str] = []
    used = 0
    for char in text:
        size = _char_width(char)
        if used + size > width - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept) + ELLIPSIS


@dataclass(frozen=True)
class Column:
    """How one column of a table is shown."""

    header: str
    """The column's title."""
    limit: int | None = None
    """The most cells a value may take (cut with ``…``); ``None``: unlimited."""
    numeric: bool = False
    """Right-aligned (numbers)."""


def render_table(columns: Sequence[Column], rows: Sequence[Sequence[object]]) -> str:
    """Return ``rows`` (one value per column each) under a header and a rule, each column
    padded to its widest cell.

    Values are shown with ``str`` (``None`` as empty), on one line each, made
    printable, then cut to their column's ``limit``. Lines end with ``\\n``.
    """
    # Transposed once in C; each column's texts by a list comprehension, not a generator
    # indexing every row (a code report has tens of thousands of rows).
    by_column = zip(*rows, strict=True) if rows else [()] * len(columns)
    padded = [
        _column(
            column,
            [
                column.header,
                *["" if v is None else v if type(v) is str else str(v) for v in values],
            ],
        )
        for column, values in zip(columns, by_column, strict=True)
    ]
    widths = [cell_width(cells[0]) for cells in padded]  # padded: every cell as wide
    rule = GAP.join("─" * width for width in widths)
    lines = [GAP.join(cells).rstrip() for cells in zip(*padded, strict=True)]
    return "\n".join([lines[0], rule, *lines[1:]]) + "\n"


def shown(value: object, limit: int | None = None) -> tuple[str, int]:
    """Return ``value`` as a table cell shows it, with the terminal cells it takes.

    The same as ``render_table`` does to a value: ``str`` (``None`` as empty),
    made printable on one line, cut to ``limit`` cells with ``…``.
    """
    text = "" if value is None else value if type(value) is str else str(value)
    return _cell(text, limit or 1 << 30)


def render_shown(
    columns: Sequence[Column],
    rows: Sequence[tuple[str, ...]],
    widths: Sequence[tuple[int, ...]],
) -> str:
    """Return the table ``render_table`` would make of rows whose cells are made already.

    ``rows`` hold each cell as ``shown`` returns its text, ``widths`` the cells
    each takes (``shown``'s second value), row by row. For a report that shows
    one row in several tables: its cells are made once, not once a table.
    """
    header = [shown(column.header, column.limit) for column in columns]
    texts = [tuple(text for text, _ in header), *rows]
    sizes = [tuple(size for _, size in header), *widths]
    column_widths = list(map(max, zip(*sizes, strict=True)))
    # One %-format a row pads every cell in C: a width counts code points, which is the
    # cells a text takes for nearly every row; the others are padded again below.
    template = GAP.join(
        f"%{width}s" if column.numeric else f"%-{width}s"
        for column, width in zip(columns, column_widths, strict=True)
    )
    lines = list(map(str.rstrip, map(template.__mod__, texts)))
    lengths = map(tuple, map(map, repeat(len), texts))
    for index in compress(range(len(texts)), map(ne, lengths, sizes)):
        cells = []
        for column, text, size, width in zip(
            columns, texts[index], sizes[index], column_widths, strict=True
        ):
            pad = " " * (width - size)
            cells.append(pad + text if column.numeric else text + pad)
        lines[index] = GAP.join(cells).rstrip()
    rule = GAP.join("─" * width for width in column_widths)
    return "\n".join([lines[0], rule, *lines[1:]]) + "\n"


def _column(column: Column, texts: list[str]) -> list[str]:
    """The cells of one column (header first) made printable, cut and padded alike."""
    # Column by column, so that padding is str.ljust/rjust (one call a cell) and a
    # column of plain text is checked with one regex match instead of one a cell.
    limit = column.limit or 1 << 30
    if _NARROW.fullmatch(" ".join(texts)):
        # Nothing to make printable (no controls in these ranges), one cell a character.
        cut = [text if len(text) <= limit else text[: limit - 1] + ELLIPSIS for text in texts]
        width = max(map(len, cut))
        return (
            [text.rjust(width) for text in cut]
            if column.numeric
            else [text.ljust(width) for text in cut]
        )
    measured = [_cell(text, limit) for text in texts]
    width = max(size for _, size in measured)
    if column.numeric:
        return [" " * (width - size) + cell for cell, size in measured]
    return [cell + " " * (width - size) for cell, size in measured]


def _cell(text: str, limit: int) -> tuple[str, int]:
    """``text`` made printable and cut to ``limit`` cells, with the cells it takes."""
    if _NARROW.fullmatch(text):
        return (text, len(text)) if len(text) <= limit else (text[: limit - 1] + ELLIPSIS, limit)
    text = fit(printable(text), limit)
    return text, cell_width(text)
