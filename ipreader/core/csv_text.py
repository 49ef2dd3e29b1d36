"""CSV a spreadsheet opens safely: RFC 4180 quoting, UTF-8 with a BOM, no formulas.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (and some treat a leading tab or carriage return the same way):
quotes and notes come from articles nobody vetted, so such text cells get a
leading ``'``, which the spreadsheet shows as text (OWASP's advice). Numbers
are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

#: Starts of a cell that a spreadsheet would evaluate.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Written first so that spreadsheets read the file as UTF-8.
BOM = "\ufeff"


def neutralize(cell: str) -> str:
    """Return ``cell`` prefixed with ``'`` when a spreadsheet would run it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return a CSV document (BOM, CRLF line ends, quoting as RFC 4180) of ``header`` and ``rows``.

    Text cells are ``neutralize``d, ``None`` is an empty cell, numbers are
    written as they are.
    """
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(name) for name in header])
    starts = FORMULA_STARTS
    for row in rows:
        # Inline rather than neutralize() per cell: reports write hundreds of thousands.
        # The csv module writes None as an empty cell and a str subclass as its text.
        writer.writerow(
            ["'" + v if isinstance(v, str) and v.startswith(starts) else v for v in row]
        )
    return buffer.getvalue()
