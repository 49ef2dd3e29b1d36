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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, compress, count, repeat
from operator import is_, ne

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
    # Transposed once in C (a code report has tens of thousands of rows).
    return render_table_columns(
        columns, list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    )


def render_table_columns(columns: Sequence[Column], values: Sequence[Sequence[object]]) -> str:
    """Return the table ``render_table`` makes of the rows whose values, column by column,
    are ``values`` (``values[k]``: column ``k``'s, every column as long)."""
    made = [
        _column(column, [column.header, *_texts(cells)])
        for column, cells in zip(columns, values, strict=True)
    ]
    if len({len(cells) for cells, _ in made}) > 1:
        raise ValueError("every column of a table must have as many values")
    return _layout(columns, [cells for cells, _ in made], [sizes for _, sizes in made])


def _texts(values: Sequence[object]) -> Iterable[str]:
    """Each value as a cell's text: ``str``, ``None`` as empty."""
    if None not in values:
        return map(str, values)  # in C (a str comes back as it is)
    return ["" if v is None else v if type(v) is str else str(v) for v in values]


def shown(value: object, limit: int | None = None) -> tuple[str, int]:
    """Return ``value`` as a table cell shows it, with the terminal cells it takes.

    The same as ``render_table`` does to a value: ``str`` (``None`` as empty),
    made printable on one line, cut to ``limit`` cells with ``…``.
    """
    text = "" if value is None else value if type(value) is str else str(value)
    return _cell(text, limit or 1 << 30)


def shown_each(texts: Sequence[str], limit: int | None = None) -> list[tuple[str, int]]:
    """Return ``shown(text, limit)`` of each of ``texts``, in order.

    For tens of thousands of cells (a report's quotes): a text of narrow
    characters within the limit is kept as it is, found in C (``map``); only
    the others go through ``shown``.
    """
    top = limit or 1 << 30
    lengths = list(map(len, texts))
    made = list(zip(texts, lengths, strict=True))
    others: Iterable[int] = compress(count(), map(is_, map(_NARROW.fullmatch, texts), repeat(None)))
    if max(lengths, default=0) > top:
        others = chain(others, compress(count(), map(top.__lt__, lengths)))
    for index in others:
        made[index] = _cell(texts[index], top)
    return made


def render_columns(
    columns: Sequence[Column],
    texts: Sequence[Sequence[str]],
    widths: Sequence[Sequence[int]],
    odd: Iterable[int] | None = None,
) -> str:
    """Return the table ``render_table`` would make of cells made already, column by column.

    ``texts[k]`` holds column ``k``'s cells, each as ``shown`` returns its text,
    ``widths[k]`` the terminal cells each takes (``shown``'s second value). For
    a report that shows one row in several tables: its cells are made once, not
    once a table, and gathered by column in C. ``odd``, when given, names every
    row (from 0) with a cell whose width is not its length (wide or zero-width
    characters): known once a row for a report that shows a row in several
    tables; otherwise every cell is compared here.
    """
    header = [shown(column.header, column.limit) for column in columns]
    if odd is not None:
        odd = [index + 1 for index in odd]  # after the header
        if any(len(text) != size for text, size in header):
            odd.insert(0, 0)
    return _layout(
        columns,
        [[text, *cells] for (text, _), cells in zip(header, texts, strict=True)],
        [[size, *sizes] for (_, size), sizes in zip(header, widths, strict=True)],
        odd,
    )


def _layout(
    columns: Sequence[Column],
    texts: Sequence[Sequence[str]],
    sizes: Sequence[Sequence[int] | None],
    odd_rows: Iterable[int] | None = None,
) -> str:
    """The table of cells made already, column by column (header first), each column padded
    to its widest cell. A column's sizes are ``None`` when each cell takes as many terminal
    cells as it has characters. ``odd_rows``: the rows (header 0) with a cell whose size is
    not its length, if known; found here otherwise."""
    column_widths = [
        max(map(len, cells) if widths is None else widths)
        for cells, widths in zip(texts, sizes, strict=True)
    ]
    # One %-format a row pads every cell in C (faster than str.format, which parses its
    # template at each call): a width counts code points, which is the cells a text takes
    # for nearly every row; the others are padded again below.
    template = GAP.join(
        f"%{width}s" if column.numeric else f"%-{width}s"
        for column, width in zip(columns, column_widths, strict=True)
    )
    lines = list(map(str.rstrip, map(template.__mod__, zip(*texts, strict=True))))
    odd: set[int] = set()
    if odd_rows is not None:
        odd.update(odd_rows)
    else:
        for cells, widths in zip(texts, sizes, strict=True):
            if widths is not None:
                odd.update(compress(count(), map(ne, map(len, cells), widths)))
    for index in sorted(odd):
        padded = []
        for column, cells, widths, width in zip(columns, texts, sizes, column_widths, strict=True):
            taken = len(cells[index]) if widths is None else widths[index]
            pad = " " * (width - taken)
            padded.append(pad + cells[index] if column.numeric else cells[index] + pad)
        lines[index] = GAP.join(padded).rstrip()
    rule = GAP.join("─" * width for width in column_widths)
    return "\n".join([lines[0], rule, *lines[1:]]) + "\n"


def _column(column: Column, texts: list[str]) -> tuple[list[str], list[int] | None]:
    """The cells of one column (header first) made printable and cut, and their widths
    (``None``: each as wide as it is long)."""
    # Column by column, so that a column of plain text is checked with one regex match
    # instead of one a cell.
    limit = column.limit or 1 << 30
    if _NARROW.fullmatch(" ".join(texts)):
        # Nothing to make printable (no controls in these ranges), one cell a character.
        if max(map(len, texts)) > limit:
            texts = [text if len(text) <= limit else text[: limit - 1] + ELLIPSIS for text in texts]
        return texts, None
    measured = [_cell(text, limit) for text in texts]
    return [text for text, _ in measured], [size for _, size in measured]


def _cell(text: str, limit: int) -> tuple[str, int]:
    """``text`` made printable and cut to ``limit`` cells, with the cells it takes."""
    if _NARROW.fullmatch(text):
        return (text, len(text)) if len(text) <= limit else (text[: limit - 1] + ELLIPSIS, limit)
    text = fit(printable(text), limit)
    return text, cell_width(text)
