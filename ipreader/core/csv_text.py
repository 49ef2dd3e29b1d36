"""CSV a spreadsheet opens safely: RFC 4180 quoting, UTF-8 with a BOM, no formulas.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (and some treat a leading tab or carriage return the same way):
quotes and notes come from articles nobody vetted, so such text cells get a
leading ``'``, which the spreadsheet shows as text (OWASP's advice). Numbers
are written as numbers. Terminal controls in text are shown as visible symbols
(``safe_text.printable``; line breaks kept): the file is also read with ``cat``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from ipreader.core.safe_text import printable

#: Starts of a cell that a spreadsheet would evaluate.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Written first so that spreadsheets read the file as UTF-8.
BOM = "\ufeff"


def neutralize(cell: str) -> str:
    """Return ``cell`` prefixed with ``'`` when a spreadsheet would run it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _cell(value: str) -> str:
    shown = printable(value, multiline=True)
    return "'" + shown if shown.startswith(FORMULA_STARTS) else shown


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return a CSV document (BOM, CRLF line ends, quoting as RFC 4180) of ``header`` and ``rows``.

    Text cells have controls made visible and are ``neutralize``d, ``None`` is
    an empty cell, numbers are written as they are.
    """
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(printable(name, multiline=True)) for name in header])
    for row in rows:
        # Inline rather than a call per cell: reports write hundreds of thousands.
        # The csv module writes None as an empty cell and a str subclass as its text.
        writer.writerow([_cell(v) if isinstance(v, str) else v for v in row])
    return buffer.getvalue()
