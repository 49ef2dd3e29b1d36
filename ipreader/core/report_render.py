"""Reports as text: an aligned table, CSV, JSON or Markdown.

(Over 400 lines: four formats of three report kinds, all written from the same
entries and the same description of the filters; the code report's text table
is in ``report_table.py``, a table's layout in ``text_table.py``.)

``render_report`` takes a report of ``reports`` (code report, matrix,
co-occurrence) and the filters it was made with. Every format carries the
same facts; the shapes are:

* ``table``: aligned plain text for the terminal, long quotes and notes cut
  (``text_table``; only printable characters);
* ``csv``: one row per highlight (code report; an overlap passage gives one row
  per highlight in it), per document (matrix, with a last ``Total`` row) or per
  pair (co-occurrence); RFC 4180, UTF-8 with a BOM, formulas neutralised
  (``csv_text``);
* ``json``: nested objects whose keys always come in the same order; terminal
  controls escaped;
* ``markdown``: headings and block quotes (code report) or tables, with only
  what CommonMark would interpret escaped (``markdown_text``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain, compress, count, groupby, repeat
from json.encoder import encode_basestring
from operator import attrgetter, is_not
from typing import Any

from ipreader.core.coding import CodedDocument, Selection
from ipreader.core.csv_text import csv_text, neutralize, quoted
from ipreader.core.json_text import json_outline
from ipreader.core.markdown_text import escape_cell, escape_line, escape_text
from ipreader.core.model import Annotation
from ipreader.core.report_table import code_table, distinct_entries, document_path, group_title
from ipreader.core.reports import CodeEntry, CodeReport, Cooccurrence, Report, TagMatrix
from ipreader.core.safe_text import escape_json_controls, printable
from ipreader.core.text_table import Column, render_table
from ipreader.core.wording import excerpt, plural

#: The output formats of ``render_report``.
REPORT_FORMATS = ("table", "csv", "json", "markdown")

# One encoder for every value, as json_text's: json.dumps with options builds one per call.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


@dataclass(frozen=True)
class ReportFilters:
    """What a report was asked for, shown with it so that it can be made again."""

    tags: tuple[str, ...] = ()
    """The tags asked for (empty: every tag used)."""
    require_all: bool = False
    """Whether the tags were combined with AND (code report)."""
    selection: Selection = field(default_factory=Selection)
    """The highlight filters."""
    several_roots: bool = False
    """True when documents come from several folders (each then shows its root)."""

    def as_dict(self) -> dict[str, Any]:
        """Return the filters with fixed keys (``None`` for a filter not given)."""
        selection = self.selection
        return {
            "tags": list(self.tags),
            "match": "all" if self.require_all else "any",
            "color": selection.color,
            "creator": selection.creator,
            "document": selection.document_glob,
            "since": selection.since,
            "before": selection.until,
        }

    def summary(self) -> str:
        """Return the filters given, on one line (``""`` when none)."""
        parts = []
        for key, value in self.as_dict().items():
            if key == "tags" and value:
                joiner = " AND " if self.require_all else ", "
                parts.append(f"tags {joiner.join(value)}")
            elif key not in ("tags", "match") and value is not None:
                parts.append(f"{key} {value}")
        return "; ".join(parts)


def render_report(report: Report, fmt: str, filters: ReportFilters) -> str:
    """Return ``report`` in ``fmt`` (one of ``REPORT_FORMATS``), ending with a newline."""
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    if isinstance(report, CodeReport):
        return _CODES[fmt](report, filters)
    if fmt == "json":
        data = {"report": _kind(report), "filters": filters.as_dict(), **_data(report, filters)}
        return json_outline(data, levels=2)  # a document or a pair a line
    columns, rows = _grid(report, filters)
    if fmt == "csv":
        return csv_text([c.header for c in columns], rows)
    if fmt == "markdown":
        return _markdown_table(_heading(report, filters), columns, rows)
    return _with_heading(_heading(report, filters), render_table(columns, rows))


# ---------------------------------------------------------------------- shared pieces


def _kind(report: Report) -> str:
    return {CodeReport: "codes", TagMatrix: "matrix", Cooccurrence: "cooccurrence"}[type(report)]


def _document(document: CodedDocument, filters: ReportFilters) -> dict[str, Any]:
    place = {"path": document.relpath, "title": document.title}
    return {"root": str(document.root), **place} if filters.several_roots else place


def _path(document: CodedDocument, filters: ReportFilters) -> str:
    return document_path(document, filters.several_roots)


def _with_heading(lines: list[str], body: str) -> str:
    return "".join(printable(line) + "\n" for line in lines) + "\n" + body


def _markdown_table(lines: list[str], columns: list[Column], rows: list[list[Any]]) -> str:
    out = [f"# {escape_line(lines[0])}", ""]
    out += [escape_line(line) + "\n" for line in lines[1:]]
    out.append("| " + " | ".join(escape_cell(c.header) for c in columns) + " |")
    out.append("|" + "|".join("---:" if c.numeric else "---" for c in columns) + "|")
    for row in rows:
        out.append("| " + " | ".join(escape_cell("" if v is None else str(v)) for v in row) + " |")
    return "\n".join(out) + "\n"


def _heading(report: TagMatrix | Cooccurrence, filters: ReportFilters) -> list[str]:
    """The title and explanation lines above a matrix or co-occurrence table."""
    summary = filters.summary()
    given = [f"Filters: {summary}."] if summary else []
    if isinstance(report, TagMatrix):
        return [
            f"Documents x tags: {plural(len(report.rows), 'document')}, "
            f"{plural(len(report.tags), 'tag')}, {plural(report.total, 'highlight')}",
            *given,
            "Each cell counts the highlights carrying the tag or one of its children; "
            "a highlight with two of the tags counts in both columns but once in a total.",
        ]
    return [
        f"Tag co-occurrence: {plural(len(report.pairs), 'pair')} "
        f"of {plural(len(report.tags), 'tag')}",
        *given,
        "Same highlight: highlights carrying both. Overlapping: pairs of overlapping "
        "highlights, one carrying each. Same document: documents where both occur. "
        "A tag is never paired with its own children.",
    ]


# ---------------------------------------------------------------------- matrix, co-occurrence


def _data(report: TagMatrix | Cooccurrence, filters: ReportFilters) -> dict[str, Any]:
    """The JSON body of a matrix or co-occurrence report."""
    if isinstance(report, TagMatrix):
        return {
            "tags": list(report.tags),
            "documents": [
                {
                    **_document(row.document, filters),
                    "counts": dict(zip(report.tags, row.counts, strict=True)),
                    "total": row.total,
                }
                for row in report.rows
            ],
            "totals": dict(zip(report.tags, report.column_totals, strict=True)),
            "total": report.total,
        }
    return {
        "tags": list(report.tags),
        "pairs": [
            {
                "tags": [pair.first, pair.second],
                "same_highlight": pair.same_highlight,
                "overlapping": pair.overlapping,
                "same_document": pair.same_document,
            }
            for pair in report.pairs
        ],
    }


def _grid(
    report: TagMatrix | Cooccurrence, filters: ReportFilters
) -> tuple[list[Column], list[list[Any]]]:
    """The columns and rows of a matrix or co-occurrence table (CSV, Markdown, text)."""
    if isinstance(report, TagMatrix):
        columns = [Column("Document")]
        columns += [Column(tag, numeric=True) for tag in report.tags]
        columns.append(Column("Total", numeric=True))
        rows: list[list[Any]] = [
            [_path(row.document, filters), *row.counts, row.total] for row in report.rows
        ]
        rows.append(["Total", *report.column_totals, report.total])
        return columns, rows
    columns = [
        Column("Tag"),
        Column("Tag"),
        Column("Same highlight", numeric=True),
        Column("Overlapping", numeric=True),
        Column("Same document", numeric=True),
    ]
    rows = [
        [p.first, p.second, p.same_highlight, p.overlapping, p.same_document] for p in report.pairs
    ]
    return columns, rows


# ---------------------------------------------------------------------- code report


_DOCUMENT = attrgetter("document")


def _by_document(
    entries: tuple[CodeEntry, ...],
) -> Iterator[tuple[CodedDocument, list[CodeEntry]]]:
    # CodedDocuments compare by identity (eq=False): grouped by the very document object.
    for document, items in groupby(entries, key=_DOCUMENT):
        yield document, list(items)


def _entry_json(entry: CodeEntry, tag_lists: dict[tuple[str, ...], str]) -> str:
    """An entry of the code report's JSON on one line, controls escaped: its match, start,
    end, line, quote and highlights (id, start, end, quote, note, tags, colour, creator,
    created, status), as ``_ONE_LINE`` would encode them.

    Strings by the C encoder's own ``encode_basestring``, numbers by ``str``:
    the same bytes, without building two dicts a highlight and walking them.
    ``tag_lists`` holds each tag tuple's encoded list items, filled as met (a
    folder has a few hundred combinations for 20,000 highlights).
    """
    text = encode_basestring
    line = "null" if entry.line is None else entry.line
    quote = text(entry.quote)
    parts = []
    for h in entry.highlights:
        tags = tag_lists.get(h.tags)
        if tags is None:
            tags = tag_lists[h.tags] = ", ".join(map(text, h.tags))
        # A one-highlight entry's quote is the highlight's own string: encoded once.
        shown = quote if h.quote is entry.quote else text(h.quote)
        parts.append(
            f'{{"id": {text(h.id)}, "start": {h.start}, "end": {h.end}, '
            f'"quote": {shown}, "note": {text(h.note)}, '
            f'"tags": [{tags}], "color": {text(h.color)}, '
            f'"creator": {text(h.creator)}, "created": {text(h.created)}, '
            f'"status": {text(h.status)}}}'
        )
    # Escaped here, once an entry, not in the whole text (~2.5 times longer).
    return escape_json_controls(
        f'{{"match": {text(entry.match)}, "start": {entry.start}, "end": {entry.end}, '
        f'"line": {line}, "quote": {quote}, "highlights": [{", ".join(parts)}]}}'
    )


def _codes_json(report: CodeReport, filters: ReportFilters) -> str:
    """The code report as ``json_outline(data, levels=6)`` would lay it out, written directly.

    Levels: report, groups, group, documents, document, entries; each entry one
    line. The generic outline walks ~120,000 objects for 20,000 highlights; here
    each entry is encoded once (shared by every group it is in) and the rest is
    joined from known pieces. A test holds the two to the same bytes.
    """
    encode = _ONE_LINE.encode
    # Each entry's line made once (it is in the group of each of its tags and their
    # parents).
    distinct = distinct_entries(report)
    tag_lists: dict[tuple[str, ...], str] = {}
    encoded = {id(entry): _entry_json(entry, tag_lists) for entry in distinct}
    heads: dict[int, str] = {}  # a document's opening, by id: it is in many groups

    def head_text(document: CodedDocument) -> str:
        found = heads.get(id(document))
        if found is None:
            place = _document(document, filters).items()
            found = heads[id(document)] = escape_json_controls(
                "".join([f"\n          {encode(key)}: {encode(value)}," for key, value in place])
            )
        return found

    out = ['{\n  "report": "codes",\n  "filters": ', _nested(filters.as_dict(), 5, "  ")]
    out.append(',\n  "groups": ')
    for number, group in enumerate(report.groups):
        out.append(",\n    {" if number else "[\n    {")
        out.append('\n      "tags": ' + _nested(list(group.tags), 3, "      "))
        label = escape_json_controls(encode(group.label))
        out.append(',\n      "label": ' + label + ',\n      "documents": ')
        if not group.entries:
            out.append("[]\n    }")
            continue
        # What comes before each entry: a comma within a document, the close of the
        # last document and the opening of the next where the document changes. Then
        # entries and what precedes them interleaved, in C (50,000 rows a report).
        documents = list(map(_DOCUMENT, group.entries))
        before = [_NEXT_ENTRY] * len(documents)
        for index in compress(count(), map(is_not, documents, [None, *documents])):
            opening = _NEXT_DOCUMENT if index else "[\n        {"
            before[index] = opening + head_text(documents[index]) + _ENTRIES
        texts = map(encoded.__getitem__, map(id, group.entries))
        out += chain.from_iterable(zip(before, texts, strict=True))
        out.append("\n          ]\n        }\n      ]\n    }")
    out.append("\n  ]\n}\n" if report.groups else "[]\n}\n")
    return "".join(out)  # every piece escaped already (json_outline's are)


# The code report's JSON between two entries of one document, between two documents, and
# between a document's opening and its first entry (levels 4 to 6 of its outline).
_NEXT_ENTRY = ",\n            "
_NEXT_DOCUMENT = "\n          ]\n        },\n        {"
_ENTRIES = '\n          "entries": [\n            '


def _nested(value: Any, levels: int, margin: str) -> str:
    """``json_outline(value, levels)`` as nested at ``margin`` (strings hold no raw newline)."""
    return json_outline(value, levels)[:-1].replace("\n", "\n" + margin)


def _codes_csv(report: CodeReport, filters: ReportFilters) -> str:
    header = ["tag", "match", "document", "title", "line", "start", "end", "quote"]
    header += ["note", "tags", "creator", "color", "created", "status", "id"]
    if filters.several_roots:
        header.insert(2, "root")
    # An entry's rows differ between the groups it is in only by the first cell: each
    # entry's other cells are made safe and written once, as text, and every group's
    # row is its label cell joined to them (CSV quotes each cell on its own).
    cells = _CsvFields()
    entries = distinct_entries(report)
    lines_of: dict[int, list[str]] = {}
    for entry in entries:
        document = entry.document
        # Text fields made safe and quoted once (``cells``); numbers and None as the csv
        # module writes them.
        line = "" if entry.line is None else str(entry.line)
        place = [cells[document.relpath], cells[document.title], line]
        place += [str(entry.start), str(entry.end)]
        if filters.several_roots:
            place.insert(0, cells[str(document.root)])
        start = ",".join([cells[entry.match], *place, cells[entry.quote]])
        lines_of[id(entry)] = [
            ",".join(
                [
                    start,
                    cells[h.note],
                    cells[", ".join(h.tags)],
                    cells[h.creator],
                    cells[h.color],
                    cells[h.created],
                    cells[h.status],
                    cells[h.id],
                ]
            )
            + "\r\n"
            for h in entry.highlights
        ]
    out = [csv_text(header, [])]
    safe = _SafeCells()
    for group in report.groups:
        # An entry's rows differ between the groups it is in only by the first cell
        # (written as csv.writer writes a field of a row of several: csv_text.quoted).
        label = quoted(safe[group.label]) + ","
        ids = map(id, group.entries)
        # The label and each row as two pieces of the one join: no row copied twice.
        rows = chain.from_iterable(map(lines_of.__getitem__, ids))
        out += chain.from_iterable(zip(repeat(label), rows))
    return "".join(out)


class _SafeCells(dict[str, str]):
    """Text -> its CSV cell (controls shown, formulas neutralised: ``csv_text``), made once."""

    def __missing__(self, text: str) -> str:
        cell = self[text] = neutralize(printable(text, multiline=True))
        return cell


class _CsvFields(dict[str, str]):
    """Text -> its CSV cell (``_SafeCells``) as written in a row (``csv_text.quoted``)."""

    def __missing__(self, text: str) -> str:
        field = self[text] = quoted(neutralize(printable(text, multiline=True)))
        return field


def _codes_markdown(report: CodeReport, filters: ReportFilters) -> str:
    out = ["# Code report", ""]
    summary = filters.summary()
    if summary:
        out += [escape_line(f"Filters: {summary}."), ""]
    # An entry is in the group of each of its tags and of their parents: escaped once,
    # and its lines joined once (the whole is joined with the same newlines).
    written: dict[int, str] = {}
    headings: dict[int, str] = {}  # a document's heading, by id: it is in many groups
    for group in report.groups:
        out += [f"## {escape_line(group.label)}", ""]
        out += [escape_line(group_title(report, group.entries, group.label) + "."), ""]
        for document, entries in _by_document(group.entries):
            heading = headings.get(id(document))
            if heading is None:
                path, title = escape_line(_path(document, filters)), escape_line(document.title)
                heading = headings[id(document)] = f"### {path} — {title}\n"
            out.append(heading)
            for entry in entries:
                text = written.get(id(entry))
                if text is None:
                    text = written[id(entry)] = "\n".join(_markdown_entry(entry))
                out.append(text)
    if not report.groups:
        out.append("No tagged highlights.")
    return "\n".join(out).rstrip("\n") + "\n"


def _markdown_entry(entry: CodeEntry) -> list[str]:
    """A passage as a block quote, then where it is and who coded it."""
    out = ["> " + line if line else ">" for line in escape_text(entry.quote)]
    where = f"characters {entry.start}–{entry.end}"
    if entry.line is not None:
        where = f"line {entry.line}, {where}"
    out.append("")
    if len(entry.highlights) == 1:
        [h] = entry.highlights
        out += [escape_line(f"{where} · {_who(h)}") + "  ", *_note(h), ""]
        return out
    out += [escape_line(f"{where} · overlapping highlights:"), ""]
    for h in entry.highlights:
        out.append("- " + escape_line(f"{_who(h)} · “{excerpt(h.quote, 80)}”"))
        out += ["  " + line for line in _note(h)]
    out.append("")
    return out


def _who(h: Annotation) -> str:
    tags = ", ".join(h.tags)
    return f"{h.creator or 'unknown creator'} · {h.color} · tags: {tags} · {h.created}"


def _note(h: Annotation) -> list[str]:
    if not h.note:
        return []
    lines = escape_text(h.note)
    return [f"Note: {lines[0]}", *lines[1:]]


def _codes_table(report: CodeReport, filters: ReportFilters) -> str:
    return code_table(report, filters.summary(), filters.several_roots)


_CODES: dict[str, Callable[[CodeReport, ReportFilters], str]] = {
    "table": _codes_table,
    "csv": _codes_csv,
    "json": _codes_json,
    "markdown": _codes_markdown,
}
