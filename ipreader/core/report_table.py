"""The code report as aligned text tables, one per tag (``ipreader report``'s default).

A highlight is in the group of each of its tags and of their parents: 20,000
highlights make some 50,000 rows. Each entry's cells are made once, column by
column (``map``, ``zip``: in C where it can be), and each group's table is
gathered from them by index and laid out by ``text_table.render_columns``.
``tests/test_report_table_direct.py`` holds the result to one
``render_table`` of full rows per group, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import accumulate, chain, compress, count
from operator import attrgetter, is_not, itemgetter, ne
from pathlib import Path

from ipreader.core.coding import CodedDocument
from ipreader.core.reports import CodeEntry, CodeReport
from ipreader.core.safe_text import printable
from ipreader.core.text_table import Column, render_columns, shown, shown_each
from ipreader.core.wording import excerpt, excerpts, plural

#: Longest quote and note shown in a table cell (terminal cells).
QUOTE_CELLS = 60
NOTE_CELLS = 40
CREATOR_CELLS = 20


def document_path(document: CodedDocument, several_roots: bool) -> str:
    """The document as a report names it: its relative path, after its root when
    documents come from several folders."""
    return f"{document.root}/{document.relpath}" if several_roots else document.relpath


def _offsets(entry: CodeEntry) -> str:
    return f"{entry.start}-{entry.end}"


def group_title(
    report: CodeReport,
    entries: tuple[CodeEntry, ...],
    label: str,
    owners: Sequence[CodedDocument] | None = None,
) -> str:
    """The title of a group of the code report: what it counts, in how many documents.

    ``owners``, when given, holds at least each document of ``entries`` once (e.g.
    the document of each entry where it changes), to count them from fewer objects.
    """
    # Distinct by place, counted over the distinct document objects (an entry a row).
    every = list(map(_DOCUMENT, entries)) if owners is None else owners
    distinct = list(dict(zip(map(id, every), every, strict=True)).values())
    # Roots compared by value once each distinct root object (a Path hashes in Python).
    roots = list(map(attrgetter("root"), distinct))
    objects = dict(zip(map(id, roots), roots, strict=True))  # a few
    by_value: dict[Path, int] = {}
    same_root = {key: by_value.setdefault(root, key) for key, root in objects.items()}
    places = zip(
        map(same_root.__getitem__, map(id, roots)),
        map(attrgetter("relpath"), distinct),
        strict=True,
    )
    documents = len(set(places))
    if not report.require_all:
        return f"{label}: {plural(len(entries), 'highlight')} in {plural(documents, 'document')}"
    same = sum(1 for e in entries if len(e.highlights) == 1)
    return (
        f"{label}: {plural(same, 'highlight')} carrying every tag and "
        f"{plural(len(entries) - same, 'passage')} of overlapping highlights carrying them "
        f"between them, in {plural(documents, 'document')}"
    )


def distinct_entries(report: CodeReport) -> list[CodeEntry]:
    """Every entry of the report once (an entry is in the group of each of its tags)."""
    every = list(chain.from_iterable(group.entries for group in report.groups))
    return list(dict(zip(map(id, every), every, strict=True)).values())


def code_table(report: CodeReport, summary: str, several_roots: bool) -> str:
    """Return the code report as text: a line of the filters given (``summary``, if any),
    then a titled table per group; each document's path shown once per group (with
    its root when ``several_roots``)."""
    columns = [Column("Document"), Column("Line", numeric=True), Column("Offsets")]
    if report.require_all:
        columns.append(Column("Match"))
    columns += [
        Column("Creator", limit=CREATOR_CELLS),
        Column("Quote", limit=QUOTE_CELLS),
        Column("Note", limit=NOTE_CELLS),
    ]
    out = [printable(f"Code report. Filters: {summary}.") + "\n" if summary else ""]
    # A highlight is shown in the group of each of its tags and of their parents: its
    # cells are made once, not once a group, column by column, and each group's table
    # gathered from them (text_table.render_columns). An entry's rows but for the
    # document cell are the same in every group.
    entries = distinct_entries(report)
    single = [e for e in entries if len(e.highlights) == 1]
    tails, tail_sizes = _single_rows(single, report.require_all)
    # Each entry's rows (indexes into the tails' columns): one for an entry of one highlight.
    rows_of: dict[int, Sequence[int]] = dict(
        zip(map(id, single), zip(range(len(single))), strict=True)
    )
    for entry in entries:
        if len(entry.highlights) != 1:  # an AND report's passage of overlapping highlights
            passage, passage_sizes = _passage_rows(entry)
            rows_of[id(entry)] = range(len(tails[0]), len(tails[0]) + len(passage))
            for column, more in zip(tails, zip(*passage, strict=True), strict=True):
                column += more
            for widths_of, more_sizes in zip(
                tail_sizes, zip(*passage_sizes, strict=True), strict=True
            ):
                widths_of += more_sizes
    # Whether a row's cells but the document's take other than a cell a character: known
    # once a row, not once a group (text_table.render_columns' ``odd``).
    odd_tail = [False] * len(tails[0])
    for texts_of, widths_of in zip(tails, tail_sizes, strict=True):
        for index in compress(count(), map(ne, map(len, texts_of), widths_of)):
            odd_tail[index] = True
    # Without AND passages an entry is one row, its index among the single entries.
    row_of = None if len(single) < len(entries) else dict(zip(map(id, single), count()))
    paths: dict[int, tuple[str, int]] = {}
    for group in report.groups:
        # The group's rows gathered by index, column by column (in C, for 50,000 rows);
        # the path in each document's first row.
        ids = list(map(id, group.entries))
        if row_of is not None:
            rows = list(map(row_of.__getitem__, ids))
            rows_before: Sequence[int] = range(len(rows))
        else:
            rows = list(chain.from_iterable(map(rows_of.__getitem__, ids)))
            rows_before = list(accumulate(map(len, map(rows_of.__getitem__, ids)), initial=0))
        cells, sizes = [""] * len(rows), [0] * len(rows)
        documents = list(map(_DOCUMENT, group.entries))
        firsts = list(compress(range(len(documents)), map(is_not, documents, [None, *documents])))
        odd = list(compress(range(len(rows)), map(odd_tail.__getitem__, rows)))
        for index in firsts:
            document = documents[index]
            path = paths.get(id(document))
            if path is None:
                path = paths[id(document)] = shown(document_path(document, several_roots))
            row = rows_before[index]
            cells[row], sizes[row] = path
            if len(path[0]) != path[1]:
                odd.append(row)
        texts = [cells, *(list(map(column.__getitem__, rows)) for column in tails)]
        widths = [sizes, *(list(map(column.__getitem__, rows)) for column in tail_sizes)]
        title = group_title(report, group.entries, group.label, [documents[i] for i in firsts])
        # Pieces of the one join: a group's table (some 500 kB) is not copied twice.
        out += [printable(title), "\n\n", render_columns(columns, texts, widths, odd), "\n"]
    if not report.groups:
        out.append("(no tagged highlights)\n")
    return "".join(out)


def _excerpt_cells(texts: Iterable[str], limit: int) -> dict[str, tuple[str, int]]:
    """Each distinct text cut at a word (``excerpt``), then as a table shows it."""
    # Cut at a word before the table cuts at a cell: a tidier end.
    distinct = list(dict.fromkeys(texts))
    cut = excerpts(distinct, limit)
    return dict(zip(distinct, shown_each(cut, limit), strict=True))


def _single_rows(
    entries: Sequence[CodeEntry], require_all: bool
) -> tuple[list[list[str]], list[list[int]]]:
    """The table rows of entries of one highlight, but for the document cell: each column's
    texts, then each column's widths.

    Column by column, in C where it can be (``map``, ``zip``): 20,000 entries
    are 20,000 rows of six cells.
    """
    highlights = list(map(itemgetter(0), map(_HIGHLIGHTS, entries)))
    # Numbers and the match's name are ASCII: each takes a cell a character.
    lines = ["" if line is None else str(line) for line in map(_LINE, entries)]
    offsets = list(map("{}-{}".format, map(_START, entries), map(_END, entries)))
    creators = list(map(_CREATOR, highlights))
    creator_cells = {name: shown(name, CREATOR_CELLS) for name in dict.fromkeys(creators)}
    quotes = list(map(_QUOTE, entries))
    notes = list(map(_NOTE, highlights))
    columns = [
        list(map(_excerpt_cells(quotes, QUOTE_CELLS).__getitem__, quotes)),
        list(map(_excerpt_cells(notes, NOTE_CELLS).__getitem__, notes)),
    ]
    columns.insert(0, list(map(creator_cells.__getitem__, creators)))
    texts: list[list[str]] = [lines, offsets]
    if require_all:
        texts.append(list(map(_MATCH, entries)))
    sizes = [list(map(len, column)) for column in texts]
    texts += [list(map(itemgetter(0), column)) for column in columns]
    sizes += [list(map(itemgetter(1), column)) for column in columns]
    return texts, sizes


def _passage_rows(entry: CodeEntry) -> tuple[list[tuple[str, ...]], list[tuple[int, ...]]]:
    """The table rows (texts, widths), but for the document cell, of a passage of an AND
    report: one per overlapping highlight, the passage's place and match on the first."""
    texts, widths = [], []
    for index, h in enumerate(entry.highlights):
        place = [None] * 3 if index else [entry.line, _offsets(entry), entry.match]
        row = [*map(shown, place), shown(h.creator, CREATOR_CELLS)]
        quote = h.quote if index else entry.quote
        row += [shown(excerpt(quote, QUOTE_CELLS), QUOTE_CELLS)]
        row += [shown(excerpt(h.note, NOTE_CELLS), NOTE_CELLS)]
        texts.append(tuple(text for text, _ in row))
        widths.append(tuple(size for _, size in row))
    return texts, widths


_HIGHLIGHTS = attrgetter("highlights")
_LINE = attrgetter("line")
_START = attrgetter("start")
_END = attrgetter("end")
_QUOTE = attrgetter("quote")
_MATCH = attrgetter("match")
_CREATOR = attrgetter("creator")
_NOTE = attrgetter("note")


_DOCUMENT = attrgetter("document")
