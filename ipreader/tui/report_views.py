"""What the reports screen shows, built away from the UI thread: rows of Rich text from a report.

Textual-free. ``build_view`` takes what the user asked for (``ReportRequest``:
the report, the tags, the filter line) and the highlights already read, and
returns the rows ready to show: the code report's passages (``CodesView``),
the matrix's or co-occurrence's table (``TableView``), or why the filter line
does not read (``FilterProblem``). At 2,000 articles and 20,000 highlights
computing a report and its rows costs 0.1-0.8 s, so the screen runs this in a
thread worker and only puts the rows in its widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from ipreader.core.codebook import Codebook
from ipreader.core.coding import CodedDocument, SelectionError
from ipreader.core.report_filter import narrow, parse_narrowing
from ipreader.core.reports import (
    CodeReport,
    Cooccurrence,
    MatrixRow,
    TagMatrix,
    code_report,
    cooccurrence,
    tag_matrix,
)
from ipreader.core.wording import plural
from ipreader.tui.display import one_line

#: Heat levels of the matrix cells (component classes ``reports--heat-1`` ...).
HEAT_LEVELS = 4

#: A table cell: its text (printable, one line) and its style.
Cell = tuple[str, Style]

#: The style of a cell without one.
PLAIN = Style()

#: Most passages listed in a code report (the CLI writes them all).
MAX_PASSAGES = 1000


@dataclass(frozen=True, slots=True)
class ReportTarget:
    """Where a chosen passage is: the app opens the article there."""

    root: Path
    """The folder of the article."""
    relpath: str
    """The article's path relative to ``root``."""
    start: int
    """The passage's first code point."""


@dataclass(frozen=True, slots=True)
class ReportLooks:
    """The styles of the rows, taken from the screen's component classes on the UI thread."""

    tag: Style = field(default_factory=Style)
    """A code report's group heading."""
    meta: Style = field(default_factory=Style)
    """A passage's details (article, line, coder)."""
    heat: tuple[Style, ...] = (Style(),) * HEAT_LEVELS
    """The matrix's cells by level, lowest first (``HEAT_LEVELS`` of them)."""


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What the user asked for, read from the screen's fields."""

    kind: str
    """``codes``, ``matrix`` or ``cooccurrence``."""
    tags: tuple[str, ...] = ()
    """The tags typed (every used tag when empty)."""
    require_all: bool = False
    """The code report lists highlights carrying all the tags (else any)."""
    filters: str = ""
    """The filter line as typed (``report_filter.FILTER_TERMS``)."""
    focus: CodedDocument | None = None
    """The code report of one article only (Enter on a matrix cell)."""


@dataclass(frozen=True, slots=True)
class CodesView:
    """A code report's rows: group headings (no key) and passages (key into ``targets``)."""

    rows: list[tuple[Text, str | None]]
    """Each row's text and its key (``None``: a heading, not selectable)."""
    targets: dict[str, ReportTarget]
    """Where each passage's key leads."""
    status: str
    """The status line: how many passages, where, how many listed."""


@dataclass(frozen=True, slots=True)
class TableView:
    """A table's columns and rows (the matrix or the co-occurrence)."""

    labels: list[str]
    """Each column's label."""
    rows: list[list[Cell]]
    """The cells, row by row (the matrix's last row is its totals)."""
    status: str
    """The status line."""
    widths: list[int]
    """Each column's width in cells: its widest cell or label (``widths``)."""
    matrix_rows: list[MatrixRow] = field(default_factory=list)
    """The matrix's rows in table order (empty for the co-occurrence)."""
    matrix_tags: list[str] = field(default_factory=list)
    """The matrix's tag columns, in order (empty for the co-occurrence)."""


@dataclass(frozen=True, slots=True)
class FilterProblem:
    """The filter line does not read: this is shown instead of a report."""

    status: str
    """The message, starting ``Filters:``."""


#: What ``build_view`` gives.
ReportView = CodesView | TableView | FilterProblem


def build_view(
    request: ReportRequest,
    documents: Sequence[CodedDocument],
    looks: ReportLooks,
    codebook_of: Callable[[Path], Codebook] = lambda root: Codebook(),
) -> ReportView:
    """Compute the report ``request`` asks for over ``documents`` and its rows."""
    chosen: Sequence[CodedDocument] = documents
    if request.kind == "codes" and request.focus is not None:
        chosen = [request.focus]
    try:
        narrowed = narrow(chosen, parse_narrowing(request.filters), codebook_of)
    except SelectionError as error:  # shown until the line reads right
        return FilterProblem(f"Filters: {error}")
    if request.kind == "codes":
        report = code_report(narrowed, request.tags, require_all=request.require_all)
        return codes_view(report, looks, request.focus)
    if request.kind == "matrix":
        return matrix_view(tag_matrix(narrowed, request.tags), looks)
    return cooccurrence_view(cooccurrence(narrowed, request.tags))


def codes_view(report: CodeReport, looks: ReportLooks, focus: CodedDocument | None) -> CodesView:
    """The code report's rows: at most ``MAX_PASSAGES`` passages under their groups' headings."""
    rows: list[tuple[Text, str | None]] = []
    targets: dict[str, ReportTarget] = {}
    for group in report.groups:
        heading = " + ".join(one_line(tag, 60) for tag in group.tags)  # tags are user text
        rows.append((Text(f"{heading} ({len(group.entries):,})", looks.tag), None))
        for entry in group.entries:
            if len(targets) >= MAX_PASSAGES:
                break
            key = str(len(targets))
            document = entry.document
            targets[key] = ReportTarget(document.root, document.relpath, entry.start)
            where = one_line(document.title, 80)
            if entry.line:
                where += f" · line {entry.line:,}"
            coders = dict.fromkeys(a.creator for a in entry.highlights if a.creator)
            if coders:  # two coders on one folder: whose passage it is
                where += f" · by {one_line(', '.join(coders), 60)}"
            text = Text(f"  “{one_line(entry.quote, 200)}”\n    ")
            text.append(where, looks.meta)
            rows.append((text, key))
    passages = sum(len(group.entries) for group in report.groups)
    scope = f" in {one_line(focus.title, 60)}" if focus is not None else ""
    cut = f" (first {MAX_PASSAGES:,} listed)" if passages > MAX_PASSAGES else ""
    return CodesView(rows, targets, f"{plural(passages, 'passage')}{scope}{cut}")


def heat_level(count: int, most: int) -> int:
    """The heat level (1..``HEAT_LEVELS``) of a cell counting ``count`` of ``most``; 0: none."""
    if count <= 0 or most <= 0:
        return 0
    return min(HEAT_LEVELS, 1 + (count - 1) * HEAT_LEVELS // most)


def matrix_view(matrix: TagMatrix, looks: ReportLooks) -> TableView:
    """The documents x tags table: a row per document, a column per tag, totals last."""
    labels = ["document", *(one_line(tag, 30) for tag in matrix.tags), "total"]
    most = max((count for row in matrix.rows for count in row.counts), default=0)
    # One Style per level, shared by every cell of that level (a style per cell cost
    # 0.3 s of the 2,000 x 16 matrix).
    styles = (PLAIN, *looks.heat)
    rows: list[list[Cell]] = []
    for row in matrix.rows:
        cells = [(one_line(row.document.title, 50), PLAIN)]
        cells += [(f"{count:>4}", styles[heat_level(count, most)]) for count in row.counts]
        cells.append((f"{row.total:>4}", PLAIN))
        rows.append(cells)
    totals = [(f"{total:>4}", PLAIN) for total in (*matrix.column_totals, matrix.total)]
    rows.append([("total", PLAIN), *totals])
    status = (
        f"{plural(len(matrix.rows), 'document')} × {plural(len(matrix.tags), 'tag')} · "
        "enter: the passages of a cell"
    )
    return TableView(
        labels, rows, status, widths(labels, rows), list(matrix.rows), list(matrix.tags)
    )


def cooccurrence_view(result: Cooccurrence) -> TableView:
    """The co-occurrence table: a row per pair of tags with its three counts."""
    labels = ["tag", "with tag", "same highlight", "overlapping", "same document"]
    rows = [
        [
            (one_line(pair.first, 30), PLAIN),
            (one_line(pair.second, 30), PLAIN),
            *(
                (f"{n:>6}", PLAIN)
                for n in (pair.same_highlight, pair.overlapping, pair.same_document)
            ),
        ]
        for pair in result.pairs
    ]
    return TableView(labels, rows, plural(len(result.pairs), "pair"), widths(labels, rows))


def widths(labels: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[int]:
    """Each column's width in terminal cells: its label's or its widest cell's."""
    found = [cell_len(label) for label in labels]
    for row in rows:
        for column, (text, _) in enumerate(row):
            width = cell_len(text)
            if width > found[column]:
                found[column] = width
    return found
