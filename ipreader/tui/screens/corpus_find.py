"""The modal that searches the text of every opened document."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ipreader.core.documents import DocumentInfo
from ipreader.core.safe_text import printable
from ipreader.core.search import CorpusMatch, find_all, find_in_documents
from ipreader.core.wording import plural
from ipreader.tui.display import one_line
from ipreader.tui.option_fill import SlicedList
from ipreader.tui.screens.picker import PickerScreen

#: Seconds of typing pause before a search starts by itself.
SEARCH_DELAY = 0.35

#: Shortest query searched while typing (enter searches any non-empty query).
MIN_TYPED_QUERY = 2

#: Most matches collected per search (passed to ``find_in_documents``).
MATCH_LIMIT = 500

#: Seconds between result batches posted by the search thread.
BATCH_INTERVAL = 0.1

#: The worker group listing the matches a batch brought beyond its first slice.
LIST_GROUP = "corpus-find-rows"


class CorpusOptions(OptionList):
    """The match list; component classes style the title line and the match."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"corpus-find--title", "corpus-find--match"}
    """``corpus-find--title`` styles a row's document title, ``corpus-find--match`` the match."""


class CorpusFindScreen(PickerScreen[CorpusMatch]):
    """Find text across documents; results stream in from a thread worker.

    Typing searches after a pause. Enter opens the highlighted result; when
    the query has not been searched yet (or nothing has arrived), enter
    searches and opens the first match as soon as it arrives. A click on a
    result opens it too. Opening dismisses with the ``CorpusMatch``; escape
    with ``None`` (unmounting the screen cancels a running search).
    """

    @dataclass
    class Batch(Message):
        """Matches found by the search thread since its previous batch."""

        generation: int
        """Which search produced them (stale batches are dropped)."""
        matches: list[CorpusMatch]
        """The new matches, in document order."""
        scanned: int
        """Documents searched so far."""
        done: bool
        """True for the search's last batch."""

    def __init__(self, documents: Sequence[DocumentInfo]) -> None:
        """Create the screen searching ``documents``."""
        super().__init__()
        self.documents = tuple(documents)
        """The documents searched."""
        self.matches: list[CorpusMatch] = []
        """The matches of the current search received so far."""
        self.searching = False
        """True while a search is running."""
        self.scanned = 0
        """Documents searched so far by the current search."""
        self._generation = 0
        self._query = ""
        self._timer: Timer | None = None
        self._open_first = False  # enter was pressed before any result arrived
        self._styles: tuple[Style, Style] = (Style(), Style())

    def compose(self) -> ComposeResult:
        """Lay out the query, the status line and the results."""
        with Vertical(classes="dialog dialog-wide") as dialog:
            dialog.border_title = "Find in all documents"
            dialog.border_subtitle = "enter search/open · esc close"
            yield Input(placeholder="text to find (capitals make it case-sensitive)", id="query")
            yield Label(
                plural(len(self.documents), "document"), id="status", classes="dialog-status"
            )
            yield CorpusOptions(id="results")

    def on_mount(self) -> None:
        """Focus the query."""
        results = self.query_one("#results", CorpusOptions)
        self._listed = SlicedList(self, results, self._rows, group=LIST_GROUP)
        self.query_one("#query", Input).focus()

    def start_search(self, query: str) -> None:
        """Clear the results and search ``query`` in a thread (replacing any running search)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._generation += 1
        self._query = query
        self.matches = []
        self.scanned = 0
        self._listed.clear()  # an older search's rows still to come are dropped
        options = self.query_one("#results", CorpusOptions)
        self._styles = (
            options.get_component_rich_style("corpus-find--title"),
            options.get_component_rich_style("corpus-find--match"),
        )
        if not query:
            self.searching = False
            self.workers.cancel_group(self, "corpus-find")
            self._update_status()
            return
        self.searching = True
        self._update_status()
        self._search(query, self._generation)

    @work(thread=True, exclusive=True, group="corpus-find")
    def _search(self, query: str, generation: int) -> None:
        """Run ``find_in_documents`` and post its matches (and progress) in batches."""
        worker = get_current_worker()
        batch: list[CorpusMatch] = []
        scanned = 0
        # The first match is posted at once, then batches every BATCH_INTERVAL.
        last_post = 0.0

        def post(done: bool = False) -> None:
            nonlocal batch, last_post
            self.post_message(self.Batch(generation, batch, scanned, done))
            batch = []
            last_post = time.monotonic()

        def documents() -> Iterator[DocumentInfo]:
            # Feeding the documents one by one lets a cancelled search stop
            # between files, and report progress while nothing matches.
            nonlocal scanned
            for document in self.documents:
                if worker.is_cancelled:
                    return
                yield document
                scanned += 1
                if time.monotonic() - last_post >= BATCH_INTERVAL:
                    post()

        found = 0
        for match in find_in_documents(documents(), query, limit=MATCH_LIMIT):
            if worker.is_cancelled:
                return
            batch.append(match)
            found += 1
            if time.monotonic() - last_post >= BATCH_INTERVAL:
                post()
        if not worker.is_cancelled:
            # At the limit the search stops inside a document: it and those before it
            # were searched, the rest not (the status says so).
            scanned = scanned + 1 if found >= MATCH_LIMIT else len(self.documents)
            post(done=True)

    @on(Batch)
    def _add_batch(self, batch: Batch) -> None:
        """Append a batch of matches to the list (its rows a slice at a time)."""
        if batch.generation != self._generation:
            return
        first = len(self.matches)
        self.matches.extend(batch.matches)
        self.scanned = batch.scanned
        if first == 0 and self.matches and self._open_first:
            self.dismiss(self.matches[0])
            return
        if batch.done:
            self.searching = False
            self._open_first = False
        self._update_status()
        # A slice at a time (tui/option_fill.py): one batch can hold all 500 matches
        # (185 ms at once); batches that come while it lists join the queue.
        self._listed.add(range(first, len(self.matches)))

    def _rows(self, positions: Sequence[int]) -> list[Option]:
        """The rows of the matches at ``positions``."""
        return [Option(self._prompt(self.matches[n]), id=str(n)) for n in positions]

    def _prompt(self, match: CorpusMatch) -> Text:
        """Return the two-line row of ``match``: title, then context with the match emphasised."""
        title_style, match_style = self._styles
        context = " ".join(match.context.splitlines())  # same length: offsets stay valid
        line = Text(no_wrap=True, overflow="ellipsis")
        shown = 0
        # Made printable piece by piece: the placeholders may change the length,
        # so the matches are found in the raw context first.
        for start, end in find_all(context, self._query):
            line.append(printable(context[shown:start]))
            line.append(printable(context[start:end]), match_style)
            shown = end
        line.append(printable(context[shown:]))
        title = one_line(match.document.title, 200)
        return Text.assemble((title, title_style), "\n  ", line)

    def _update_status(self) -> None:
        """Show the count of matches and documents, and whether a search runs."""
        status = self.query_one("#status", Label)
        if not self._query:
            status.update(plural(len(self.documents), "document"))
            return
        found = len(self.matches)
        documents = len({match.document.path for match in self.matches})
        text = f"{plural(found, 'match', 'matches')} in {plural(documents, 'document')}"
        if self.searching:
            text = f"searching {self.scanned:,}/{len(self.documents):,}… {text}"
        elif found >= MATCH_LIMIT:
            # Not "500 matches": there may be more, in these documents and the rest.
            text = (
                f"first {found:,} matches, in {plural(documents, 'document')} (stopped at "
                f"{self.scanned:,} of {len(self.documents):,}: type more to narrow)"
            )
        status.update(text)

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        """Search after a pause in typing."""
        self._open_first = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        query = event.value
        if len(query.strip()) >= MIN_TYPED_QUERY or not query:
            self._timer = self.set_timer(SEARCH_DELAY, lambda: self.start_search(query))

    @on(Input.Submitted, "#query")
    def _query_submitted(self, event: Input.Submitted) -> None:
        """Open the highlighted result, or the first one of a search not yet finished."""
        if event.value != self._query:
            self.start_search(event.value)
            self._open_first = self.searching
            return
        if not self.open_highlighted() and self.searching:
            self._open_first = True

    def option_value(self, option_id: str) -> CorpusMatch:
        """Return the match behind a result's id (its index in ``matches``)."""
        return self.matches[int(option_id)]
