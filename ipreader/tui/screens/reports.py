"""The modal with the coding reports: code report, documents x tags matrix, co-occurrence.

The reports are ``core.reports``'s, computed in a thread worker from
``coding.coded_documents`` (every annotated article read and reconciled). The
matrix is a heat map you can move in; Enter on a cell shows the code report
of that document and tag, and Enter on a passage of a code report opens the
article there. The filter line (``by: color: doc: since: until:``, see
``core.report_filter``) narrows the highlights already read, as the CLI's
options do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, OptionList
from textual.widgets.option_list import Option

from ipreader.core.codebook import Codebook
from ipreader.core.coding import CodedDocument, Selection, SelectionError, coded_documents
from ipreader.core.errors import IpreaderError
from ipreader.core.library import Library
from ipreader.core.model import parse_tag_list
from ipreader.core.report_filter import FILTER_TERMS, narrow, parse_narrowing
from ipreader.core.reports import CodeReport, Cooccurrence, MatrixRow, TagMatrix, code_report
from ipreader.core.wording import plural
from ipreader.tui.display import one_line
from ipreader.tui.stylesheets import modal_stylesheets
from ipreader.tui.widgets.choice_row import ChoiceRow

#: The reports offered, as the choice row shows them.
KINDS: dict[str, str] = {
    "codes": "code report",
    "matrix": "documents × tags",
    "cooccurrence": "co-occurrence",
}

#: How several tags combine in the code report.
MATCHES: dict[str, str] = {
    "any": "any tag",
    "all": "all tags",  # on one highlight, or on overlapping ones (code_report's require_all)
}

#: Heat levels of the matrix cells (component classes ``reports--heat-1`` ...).
HEAT_LEVELS = 4

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


class ReportOptions(OptionList):
    """A code report's passages; component classes style tag headings and details."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"reports--tag", "reports--meta"}
    """``reports--tag`` styles a group's heading, ``reports--meta`` a passage's details."""


class HeatTable(DataTable[Text]):
    """The documents x tags matrix; its component classes colour the cells by count."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        f"reports--heat-{level}" for level in range(1, HEAT_LEVELS + 1)
    }
    """``reports--heat-<n>``: a cell among the ``n``-th quarter of counts (1 lowest)."""


class ReportsScreen(ModalScreen[ReportTarget | None]):
    """Choose a report (left/right), type tags (any or all of them) and filters; Enter goes there.

    The filter line takes ``report_filter.FILTER_TERMS``; while it does not parse, its
    message replaces the report.
    """

    CSS_PATH = modal_stylesheets()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
    ]

    @dataclass
    class Computed(Message):
        """The worker read the library's highlights."""

        documents: list[CodedDocument]
        """Every article with a highlight, as anchored now."""
        error: str = ""
        """Why it failed (empty when it did not)."""

    def __init__(
        self, library: Library, codebook_of: Callable[[Path], Codebook] | None = None
    ) -> None:
        """Create the screen over ``library`` (read when the screen opens).

        ``codebook_of`` gives a folder's codebook (``color:claim`` filters by a colour's meaning).
        """
        super().__init__()
        self.library = library
        """The library reported on."""
        self.codebook_of: Callable[[Path], Codebook] = codebook_of or (lambda root: Codebook())
        """Each folder's codebook, by root."""
        self.documents: list[CodedDocument] = []
        """The articles with highlights (once read)."""
        self.focus_document: CodedDocument | None = None
        """Set by Enter on a matrix cell: the code report shows only this article."""
        self._targets: dict[str, ReportTarget] = {}  # the code report's rows -> passages
        self._rows: list[MatrixRow] = []  # the matrix's rows, in table order
        self._matrix_tags: list[str] = []  # the matrix's tag columns

    def compose(self) -> ComposeResult:
        """Lay out the report choice, the tag filter, the status and both views."""
        with Vertical(classes="dialog dialog-wide") as dialog:
            dialog.border_title = "Reports"
            dialog.border_subtitle = "enter go · esc close"
            yield ChoiceRow(tuple(KINDS), "codes", labels=KINDS, id="kind")
            with Horizontal(id="tag-row"):
                yield Input(placeholder="tags, comma-separated (empty: every tag)", id="tags")
                yield ChoiceRow(tuple(MATCHES), "any", labels=MATCHES, id="match")
            yield Input(placeholder=f"filters: {'  '.join(FILTER_TERMS)}", id="filters")
            yield Label("Reading the highlights…", id="status", classes="dialog-status")
            yield ReportOptions(id="passages")
            yield HeatTable(id="table", cursor_type="cell", zebra_stripes=True)

    def on_mount(self) -> None:
        """Start reading the library; focus the report choice."""
        self.query_one("#table").display = False
        self.query_one("#kind", ChoiceRow).focus()
        self._compute()

    @work(thread=True, exclusive=True, group="reports", description="read the highlights")
    def _compute(self) -> None:
        try:
            documents = coded_documents(self.library, Selection())
        except IpreaderError as error:
            self.post_message(self.Computed([], str(error)))
            return
        self.post_message(self.Computed(documents))

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        if message.error:
            self.query_one("#status", Label).update(Text(message.error))
            return
        self.documents = message.documents
        self.show()

    @on(ChoiceRow.Changed, "#kind")
    def _kind_changed(self) -> None:
        self.focus_document = None
        self.show()

    @on(ChoiceRow.Changed, "#match")
    @on(Input.Submitted, "#tags")
    @on(Input.Changed, "#tags")
    @on(Input.Submitted, "#filters")
    @on(Input.Changed, "#filters")
    def _filter_changed(self) -> None:
        self.show()

    @property
    def tags(self) -> tuple[str, ...]:
        """The tags typed in the filter (all used tags when empty)."""
        return parse_tag_list(self.query_one("#tags", Input).value)

    @property
    def require_all(self) -> bool:
        """True when the code report asks for highlights carrying all the tags."""
        return self.query_one("#match", ChoiceRow).value == "all"

    def show(self) -> None:
        """Compute and show the chosen report (quick: the highlights are in memory)."""
        from ipreader.core.reports import cooccurrence, tag_matrix

        kind = self.query_one("#kind", ChoiceRow).value
        passages, table = self.query_one("#passages", ReportOptions), self.query_one("#table")
        self.query_one("#match").display = kind == "codes"
        documents = self.documents
        if kind == "codes" and self.focus_document is not None:
            documents = [self.focus_document]
        try:
            narrowing = parse_narrowing(self.query_one("#filters", Input).value)
            documents = narrow(documents, narrowing, self.codebook_of)
        except SelectionError as error:  # shown until the line reads right
            passages.display = table.display = False
            self._status(f"Filters: {error}")
            return
        passages.display = kind == "codes"
        table.display = kind != "codes"
        if kind == "codes":
            self._show_codes(code_report(documents, self.tags, require_all=self.require_all))
        elif kind == "matrix":
            self._show_matrix(tag_matrix(documents, self.tags))
        else:
            self._show_cooccurrence(cooccurrence(documents, self.tags))

    def _status(self, text: str) -> None:
        self.query_one("#status", Label).update(Text(text))

    def _show_codes(self, report: CodeReport) -> None:
        options = self.query_one("#passages", ReportOptions)
        tag_style = options.get_component_rich_style("reports--tag", partial=True)
        meta = options.get_component_rich_style("reports--meta", partial=True)
        rows: list[Option | None] = []
        self._targets = {}
        shown = 0
        for group in report.groups:
            heading = " + ".join(one_line(tag, 60) for tag in group.tags)  # tags are user text
            title = Text(f"{heading} ({len(group.entries):,})", tag_style)
            rows.append(Option(title, disabled=True))
            for entry in group.entries:
                if shown >= MAX_PASSAGES:
                    break
                key = str(len(self._targets))
                document = entry.document
                self._targets[key] = ReportTarget(document.root, document.relpath, entry.start)
                where = one_line(document.title, 80)
                if entry.line:
                    where += f" · line {entry.line:,}"
                coders = dict.fromkeys(a.creator for a in entry.highlights if a.creator)
                if coders:  # two coders on one folder: whose passage it is
                    where += f" · by {one_line(', '.join(coders), 60)}"
                text = Text(f"  “{one_line(entry.quote, 200)}”\n    ")
                text.append(where, meta)
                rows.append(Option(text, id=key))
                shown += 1
        options.set_options(rows)
        passages = sum(len(group.entries) for group in report.groups)
        scope = f" in {one_line(self.focus_document.title, 60)}" if self.focus_document else ""
        cut = f" (first {MAX_PASSAGES:,} listed)" if passages > MAX_PASSAGES else ""
        self._status(f"{plural(passages, 'passage')}{scope}{cut}")

    def _heat(self, count: int, most: int, table: HeatTable) -> Style:
        if count <= 0 or most <= 0:
            return Style()
        level = min(HEAT_LEVELS, 1 + (count - 1) * HEAT_LEVELS // most)
        return table.get_component_rich_style(f"reports--heat-{level}", partial=True)

    def _show_matrix(self, matrix: TagMatrix) -> None:
        table = self.query_one("#table", HeatTable)
        table.clear(columns=True)
        table.add_column("document", key="document")
        for tag in matrix.tags:
            table.add_column(one_line(tag, 30), key=f"tag:{tag}")
        table.add_column("total", key="total")
        most = max((count for row in matrix.rows for count in row.counts), default=0)
        self._rows = list(matrix.rows)
        for number, row in enumerate(matrix.rows):
            cells = [Text(one_line(row.document.title, 50))]
            cells += [Text(f"{count:>4}", self._heat(count, most, table)) for count in row.counts]
            cells.append(Text(f"{row.total:>4}"))
            table.add_row(*cells, key=str(number))
        totals = [Text("total")] + [Text(f"{t:>4}") for t in matrix.column_totals]
        table.add_row(*totals, Text(f"{matrix.total:>4}"), key="totals")
        self._matrix_tags = list(matrix.tags)
        self._status(
            f"{plural(len(matrix.rows), 'document')} × {plural(len(matrix.tags), 'tag')} · "
            "enter: the passages of a cell"
        )

    def _show_cooccurrence(self, result: Cooccurrence) -> None:
        table = self.query_one("#table", HeatTable)
        table.clear(columns=True)
        for name in ("tag", "with tag", "same highlight", "overlapping", "same document"):
            table.add_column(name)
        for pair in result.pairs:
            table.add_row(
                Text(one_line(pair.first, 30)),
                Text(one_line(pair.second, 30)),
                Text(f"{pair.same_highlight:>6}"),
                Text(f"{pair.overlapping:>6}"),
                Text(f"{pair.same_document:>6}"),
            )
        self._matrix_tags = []
        self._status(plural(len(result.pairs), "pair"))

    @on(DataTable.CellSelected, "#table")
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        """Enter on a matrix cell: the code report of that document and tag."""
        if not self._matrix_tags or event.coordinate.column in (0, len(self._matrix_tags) + 1):
            return
        row = event.coordinate.row
        if not 0 <= row < len(self._rows):
            return
        shown = self._rows[row].document  # as filtered: keep the whole one, the filters apply
        self.focus_document = next(
            (d for d in self.documents if (d.root, d.relpath) == (shown.root, shown.relpath)),
            shown,
        )
        tag = self._matrix_tags[event.coordinate.column - 1]
        self.query_one("#tags", Input).value = tag
        kind = self.query_one("#kind", ChoiceRow)
        with self.prevent(ChoiceRow.Changed):
            kind.value = "codes"
        self.show()
        self.query_one("#passages").focus()

    @on(OptionList.OptionSelected, "#passages")
    def _passage_chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on a passage: open its article there."""
        if event.option.id is not None and event.option.id in self._targets:
            self.dismiss(self._targets[event.option.id])

    def action_close(self) -> None:
        """Close (a matrix cell's code report goes back to the matrix first)."""
        if self.focus_document is not None:
            self.focus_document = None
            self.query_one("#kind", ChoiceRow).value = "matrix"
            return
        self.dismiss(None)
