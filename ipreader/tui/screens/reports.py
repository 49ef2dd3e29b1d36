"""The modal with the coding reports: code report, documents x tags matrix, co-occurrence.

The highlights are read once, in a thread worker (``coding.coded_documents``:
every annotated article read and reconciled); each report asked for (a key in
the tag field, the filter line, another report) is computed with its rows in
another (``tui.report_views``), and only the last one asked for is shown: at
2,000 articles x 20,000 highlights a report costs 0.1-0.8 s, which typing must
not wait for. The code report's passages are added a slice at a time; the
matrix is a heat map you can move in (``widgets/heat_table.py``); Enter on a
cell shows the code report of that document and tag, and Enter on a passage
of a code report opens the article there. The filter line (``by: color: doc: since: until:``, see
``core.report_filter``) narrows the highlights already read, as the CLI's
options do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ipreader.core.codebook import Codebook
from ipreader.core.coding import CodedDocument, Selection, coded_documents
from ipreader.core.errors import IpreaderError
from ipreader.core.gc_pause import gc_paused
from ipreader.core.library import Library
from ipreader.core.model import parse_tag_list
from ipreader.core.report_filter import FILTER_TERMS
from ipreader.core.reports import MatrixRow
from ipreader.tui.heap import HEAP
from ipreader.tui.option_fill import SlicedList
from ipreader.tui.report_views import (
    HEAT_LEVELS,
    CodesView,
    FilterProblem,
    ReportLooks,
    ReportRequest,
    ReportTarget,
    ReportView,
    TableView,
    build_view,
)
from ipreader.tui.stylesheets import modal_stylesheets
from ipreader.tui.widgets.choice_row import ChoiceRow
from ipreader.tui.widgets.heat_table import HeatTable

__all__ = ["MatrixTable", "ReportOptions", "ReportTarget", "ReportsScreen"]

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

#: Seconds a report may take before the status line says it is being updated.
UPDATING_AFTER = 0.2


def _passage_options(rows: Sequence[tuple[Text, str | None]]) -> list[Option]:
    """A code report's rows as options (a row without a key, a tag's heading: inert)."""
    return [
        Option(text, disabled=True) if key is None else Option(text, id=key) for text, key in rows
    ]


class ReportOptions(OptionList):
    """A code report's passages; component classes style tag headings and details."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"reports--tag", "reports--meta"}
    """``reports--tag`` styles a group's heading, ``reports--meta`` a passage's details."""


class MatrixTable(HeatTable):
    """The documents x tags matrix; its component classes colour the cells by count."""

    COMPONENT_CLASSES: ClassVar[set[str]] = HeatTable.COMPONENT_CLASSES | {
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
        left_out: tuple[str, ...] = ()
        """What had no text to be coded in (``coded_documents``): said once."""

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
        # Enter on a matrix cell: the tags typed and the cell then, for Escape to go back to.
        self._matrix_place: tuple[str, tuple[int, int]] | None = None
        self._cursor_after: tuple[int, int] | None = None  # the next table's cursor
        self._read = False  # the highlights read (a report before that would show none)
        self._asked = 0  # reports asked for (show), the last one's number
        self._shown = 0  # the number of the report shown

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
            yield MatrixTable(id="table")

    @dataclass
    class Prepared(Message):
        """A report's rows are ready (the worker computed what ``show`` asked)."""

        asked: int
        """Which request this answers (only the latest is shown)."""
        view: ReportView
        """Its rows, or why the filter line does not read."""

    def on_mount(self) -> None:
        """Start reading the library; focus the report choice."""
        self._passages = SlicedList(
            self,
            self.query_one("#passages", ReportOptions),
            _passage_options,
            group="report-fill",
            highlight_first=False,  # a tag's heading comes first
        )
        self.query_one("#table").display = False
        self.query_one("#kind", ChoiceRow).focus()
        self._compute()

    @work(thread=True, exclusive=True, group="reports", description="read the highlights")
    def _compute(self) -> None:
        left_out: list[str] = []
        try:
            documents = coded_documents(self.library, Selection(), left_out)
        except IpreaderError as error:
            self.post_message(self.Computed([], str(error)))
            return
        self.post_message(self.Computed(documents, left_out=tuple(left_out)))

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        if message.error:
            self.query_one("#status", Label).update(Text(message.error))
            return
        self.documents = message.documents
        self._read = True
        for told in message.left_out:  # missing and unreadable articles' highlights
            self.notify(told[:1].upper() + told[1:], title="Reports", timeout=10)
        # 20,000 highlights read are ~10^5 long-lived objects: frozen, so the collector's
        # full passes under the next keys skip them (tui/heap.py; 60-300 ms each here).
        HEAP.settle()
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
        """Show the chosen report: computed in a worker, the last one asked for is shown."""
        if not self._read:
            return  # the reading's end shows the report asked for by then
        kind = self.query_one("#kind", ChoiceRow).value
        self.query_one("#match").display = kind == "codes"
        request = ReportRequest(
            kind,
            self.tags,
            self.require_all,
            self.query_one("#filters", Input).value,
            self.focus_document,
        )
        self._asked += 1
        self._prepare(self._asked, request, self.documents, self._looks())
        asked = self._asked
        self.set_timer(UPDATING_AFTER, lambda: self._still_updating(asked))

    def _looks(self) -> ReportLooks:
        """The rows' styles, from the component classes (theme and CSS as now)."""
        options = self.query_one("#passages", ReportOptions)
        table = self.query_one("#table", MatrixTable)
        heat = tuple(
            table.get_component_rich_style(f"reports--heat-{level}", partial=True)
            for level in range(1, HEAT_LEVELS + 1)
        )
        return ReportLooks(
            options.get_component_rich_style("reports--tag", partial=True),
            options.get_component_rich_style("reports--meta", partial=True),
            heat,
        )

    @work(thread=True, exclusive=True, group="report", description="compute the report")
    def _prepare(
        self,
        asked: int,
        request: ReportRequest,
        documents: list[CodedDocument],
        looks: ReportLooks,
    ) -> None:
        with gc_paused():  # tens of thousands of acyclic objects (core/gc_pause.py) ...
            view = build_view(request, documents, looks, self.codebook_of)
            HEAP.settle()  # ... frozen before it resumes: its first pass would walk them all
        self.post_message(self.Prepared(asked, view))

    def _still_updating(self, asked: int) -> None:
        if asked == self._asked and self._shown != asked:
            self._status("Updating the report…")

    @on(Prepared)
    def _prepared(self, message: Prepared) -> None:
        if message.asked != self._asked:
            return  # the user asked for another since: that one follows
        self._shown = message.asked
        view = message.view
        passages, table = self.query_one("#passages", ReportOptions), self.query_one("#table")
        if isinstance(view, FilterProblem):
            passages.display = table.display = False  # no stale report under the message
            self._status(view.status)
            return
        passages.display = isinstance(view, CodesView)
        table.display = isinstance(view, TableView)
        if isinstance(view, CodesView):
            self._show_codes(view)
        else:
            self._show_table(view)

    def _status(self, text: str) -> None:
        self.query_one("#status", Label).update(Text(text))

    def _show_codes(self, view: CodesView) -> None:
        # A slice at a time (tui/option_fill.py): a key between two slices is answered,
        # and a newer report drops the passages still to come.
        self._passages.clear()
        self._targets = view.targets
        self._status(view.status)
        self._passages.add(view.rows)

    def _show_table(self, view: TableView) -> None:
        # Drawn only where visible, its widths computed with the rows: set at once.
        table = self.query_one("#table", MatrixTable)
        table.set_table(view.labels, view.rows, view.widths)
        if self._cursor_after is not None:  # back from a cell's passages: on that cell
            table.cursor, self._cursor_after = self._cursor_after, None
        self._rows = view.matrix_rows
        self._matrix_tags = view.matrix_tags
        self._status(view.status)

    @on(HeatTable.CellChosen, "#table")
    def _cell_selected(self, event: HeatTable.CellChosen) -> None:
        """Enter on a matrix cell: the code report of that document and tag."""
        if not self._matrix_tags or event.column in (0, len(self._matrix_tags) + 1):
            return
        row = event.row
        if not 0 <= row < len(self._rows):
            return
        shown = self._rows[row].document  # as filtered: keep the whole one, the filters apply
        self.focus_document = next(
            (d for d in self.documents if (d.root, d.relpath) == (shown.root, shown.relpath)),
            shown,
        )
        tag = self._matrix_tags[event.column - 1]
        tags = self.query_one("#tags", Input)
        self._matrix_place = (tags.value, event.table.cursor)  # Escape comes back to it
        tags.value = tag
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
            if self._matrix_place is not None:  # the tags typed and the cell, as they were
                typed, self._cursor_after = self._matrix_place
                self._matrix_place = None
                self.query_one("#tags", Input).value = typed
            self.query_one("#kind", ChoiceRow).value = "matrix"
            self.query_one("#table").focus()
            return
        self.dismiss(None)
