"""CSV a spreadsheet opens safely: RFC 4180 quoting, UTF-8 with a BOM, no formulas.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (and some treat a leading tab or carriage return the same way):
quotes and notes come from articles nobody vetted, so such text cells get a
leading ``'``, which the spreadsheet shows as text (OWASP's advice). Numbers
are written as numbers. Terminal controls in text are shown as visible symbols
(``safe_text.printable``; line breaks kept): the file is also read with ``cat``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

from ipreader.core.safe_text import printable

#: Starts of a cell that a spreadsheet would evaluate.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Written first so that spreadsheets read the file as UTF-8.
BOM = "\ufeff"


def neutralize(cell: str) -> str:
    """Return ``cell`` prefixed with ``'`` when a spreadsheet would run it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def quoted(field: str) -> str:
    """Return ``field`` as ``csv.writer`` writes it in a row of several (RFC 4180, minimal).

    Quoted, with its quotes doubled, when it holds a comma, a quote or a line
    break; as it is otherwise. (A row of one empty field is written ``""``.)
    """
    if _SPECIAL.search(field) is None:
        return field
    return '"' + field.replace('"', '""') + '"'


_SPECIAL = re.compile('[,"\r\n]')


def _cell(value: str) -> str:
    shown = printable(value, multiline=True)
    return "'" + shown if shown.startswith(FORMULA_STARTS) else shown


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return a CSV document (BOM, CRLF line ends, quoting as RFC 4180) of ``header`` and ``rows``.

    Text cells have controls made visible and are ``neutralize``d, ``None`` is
    an empty cell, numbers are written as they are.
    """
    import csv  # only here: a code report's CSV rows are written without it (report_render)

    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(printable(name, multiline=True)) for name in header])
    # Each text made safe once: a report repeats a highlight's cells in every group it is
    # in, and a document's path and title on each of its rows. Looked up in C (a dict's
    # __missing__ only runs for a new text); it lives as long as the output it feeds.
    cells = _SafeCells()
    for row in rows:
        # The csv module writes None as an empty cell and a str subclass as its text.
        writer.writerow([cells[v] if isinstance(v, str) else v for v in row])
    return buffer.getvalue()


class _SafeCells(dict[str, str]):
    """Text -> the cell written for it (``_cell``), computed on first use."""

    def __missing__(self, text: str) -> str:
        cell = self[text] = _cell(text)
        return cell
