"""The code report as aligned text: each highlight's cells made once, whatever its groups.

A highlight is listed in the group of each of its tags and of their parents
(about 2.5 times in a coded folder), and each group is a table padded to its
own widest cells. Laid out by ``text_table.render_table`` group by group,
every cell was made printable, cut, measured and padded again in each group.
Here:

* each entry's cells (line, offsets, creator, quote, note; the document
  apart) are made once, for every entry of the report together
  (``text_table.prepare``: one check a column);
* a group's widths are the maxima of its entries' widths;
* an entry's padded line (all but the document cell) is made once per set
  of widths, and groups nearly always share them (quotes and notes reach
  their limits; offsets and lines differ by a digit at most), so most
  entries are padded once or twice in all;
* a line is the document cell (or blanks) joined to that.

The bytes are ``render_table``'s for the same rows (a test holds them).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from ipreader.core.report_render import (
    NOTE_CELLS,
    QUOTE_CELLS,
    _group_title,
    _offsets,
    _path,
)
from ipreader.core.reports import CodeEntry, CodeReport
from ipreader.core.safe_text import printable
from ipreader.core.text_table import GAP, Column, Row, line_maker, prepare, widest, widths_of
from ipreader.core.wording import excerpt

if TYPE_CHECKING:
    from ipreader.core.report_render import ReportFilters

_DOCUMENT = attrgetter("document")


def codes_table(report: CodeReport, filters: ReportFilters) -> str:
    """The code report as one aligned table per group, each under its title."""
    document_column = Column("Document")
    columns = [Column("Line", numeric=True), Column("Offsets")]
    if report.require_all:
        columns.append(Column("Match"))
    columns += [
        Column("Creator", limit=20),
        Column("Quote", limit=QUOTE_CELLS),
        Column("Note", limit=NOTE_CELLS),
    ]
    every = [document_column, *columns]
    summary = filters.summary()
    out = [printable(f"Code report. Filters: {summary}.") + "\n" if summary else ""]
    entries = {id(e): e for group in report.groups for e in group.entries}
    rows = _entry_rows(report, columns, list(entries.values()))
    documents = {id(e.document): e.document for e in entries.values()}
    paths = dict(
        zip(
            documents,
            prepare([document_column], [[_path(d, filters)] for d in documents.values()]),
            strict=True,
        )
    )
    path_widths = {key: widths_of(path)[0] for key, path in paths.items()}
    [header] = prepare(every, [[column.header for column in every]])
    header_widths = widths_of(header)
    # widths -> entry -> its lines as text, all but the document cell (the first line) or
    # the blanks in its place (the others: several highlights of an overlap passage).
    padded: dict[tuple[int, ...], dict[int, str]] = {}
    for group in report.groups:
        ids = [id(e) for e in group.entries]
        tail = tuple(widest([row for key in ids for row in rows[key]], header_widths[1:]))
        first = max([header_widths[0], *[path_widths[id(e.document)] for e in group.entries]])
        widths = (first, *tail)
        blank = " " * first + GAP
        texts = padded.setdefault(widths, {})
        line = line_maker(columns, tail)
        for key in ids:
            if key not in texts:
                # A line whose cells after the document are all blank is left empty (the
                # first never is: it holds the offsets).
                made = [line(row) for row in rows[key]]
                texts[key] = "\n".join([made[0], *[blank + m if m else "" for m in made[1:]]])
        body = [blank + texts[key] for key in ids]
        # The path on the first line of each document, blanks below it.
        in_order = list(map(_DOCUMENT, group.entries))
        for at, (document, before) in enumerate(zip(in_order, [None, *in_order][:-1], strict=True)):
            if document is not before:
                key = id(document)
                lead = paths[key][0] + " " * (first - path_widths[key]) + GAP
                body[at] = lead + texts[ids[at]]
        head = line_maker(every, widths)(header)
        rule = GAP.join("─" * width for width in widths)
        lines = "\n".join([head, rule, *body])
        title = _group_title(report, group.entries, group.label)
        out.append(printable(title) + "\n\n" + lines + "\n\n")
    if not report.groups:
        out.append("(no tagged highlights)\n")
    return "".join(out)


def _entry_rows(
    report: CodeReport, columns: Sequence[Column], entries: Sequence[CodeEntry]
) -> dict[int, list[Row]]:
    """Each entry's rows (one per highlight), all but the document cell, prepared; by id."""
    # Quotes and notes are cut at a word before the table cuts at a cell (a tidier end),
    # once a text: a note or quote repeats.
    quotes: dict[str, str] = {}
    notes: dict[str, str] = {}
    values: list[list[Any]] = []
    counts: list[int] = []
    for entry in entries:
        for index, h in enumerate(entry.highlights):
            first = index == 0
            tail: list[Any] = [entry.line if first else None, _offsets(entry) if first else None]
            if report.require_all:
                tail.append(entry.match if first else None)
            quote = entry.quote if first else h.quote
            shown_quote = quotes.get(quote)
            if shown_quote is None:
                shown_quote = quotes[quote] = excerpt(quote, QUOTE_CELLS)
            note = notes.get(h.note)
            if note is None:
                note = notes[h.note] = excerpt(h.note, NOTE_CELLS)
            values.append([*tail, h.creator, shown_quote, note])
        counts.append(len(entry.highlights))
    prepared = prepare(columns, values)
    result: dict[int, list[Row]] = {}
    at = 0
    for entry, count in zip(entries, counts, strict=True):
        result[id(entry)] = prepared[at : at + count]
        at += count
    return result
