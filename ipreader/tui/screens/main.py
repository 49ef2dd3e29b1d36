"""The main screen: document list, reading pane and annotation sidebar.

(Over 400 lines: one screen is one module by design; it holds its bindings,
reactives, actions and message handlers, each a few lines over ReaderState,
Writer and Loader. Library-wide views live in ``library_views.py``, changed
and vanished articles, conflicts and the review in ``drift_flow.py``.)

What the screen shows lives in a Textual-free ``ReaderState`` (``tui/state.py``);
the screen mirrors it into reactives bound into the panes with ``data_bind``,
and the panes announce user intent with messages. Each binding's action is
below its binding's group: it asks the state, hands the resulting commands to
the ``Writer`` and notifies what the state says. Every file or database
access runs in a thread worker that posts a message (``tui/messages.py``)
back; modal screens are imported when first opened, so the first paint does
not wait for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen

from ipreader.core.documents import DocumentInfo
from ipreader.core.errors import DocumentError
from ipreader.core.identity import CoderView
from ipreader.core.library import Library
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.wording import plural
from ipreader.tui.heap import HEAP
from ipreader.tui.keys import EXTRA_HELP_ROWS, help_rows, system_commands
from ipreader.tui.loader import Loader
from ipreader.tui.messages import (
    DocumentChanged,
    DocumentFailed,
    DocumentGone,
    DocumentLoaded,
    Exported,
    ExportFailed,
    FirstTextRead,
    HeadingsFound,
    HighlightsGathered,
    LastListing,
    LibraryCounted,
    LibraryFailed,
    LibraryListed,
    LibraryOpened,
    ListChanged,
    OpeningProgress,
    ReviewGathered,
    Saved,
    SaveFailed,
    StoreChanged,
)
from ipreader.tui.outcome import Outcome, Refusal, Target, line_start
from ipreader.tui.reader.pane import HighlightSpan, ReadingPane
from ipreader.tui.screens.drift_flow import DriftFlow
from ipreader.tui.screens.library_views import LibraryViews
from ipreader.tui.session import DocumentStats, Loaded, Session
from ipreader.tui.state import ReaderState
from ipreader.tui.widgets.annotation_sidebar import AnnotationSidebar
from ipreader.tui.widgets.document_list import SORT_ORDERS, DocumentList
from ipreader.tui.widgets.find_bar import FindBar
from ipreader.tui.widgets.metadata_bar import MetadataBar, position_label
from ipreader.tui.widgets.panes import Panes
from ipreader.tui.writer import Writer

if TYPE_CHECKING:
    from ipreader.tui.screens.codebook import CodebookScreen


class MainScreen(Screen[None]):
    """Three panes over the opened library."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "find", "Find"),
        Binding("n", "find_next", "Next match", show=False),
        Binding("enter", "find_next_on_enter", "Next match (find bar open)", show=False),
        Binding("N", "find_previous", "Previous match", show=False),
        Binding("a", "annotate", "Annotate"),
        Binding("e", "edit", "Edit"),
        Binding("d", "delete", "Delete highlight", show=False),
        Binding("u", "undo", "Undo"),
        Binding("right_square_bracket", "next_highlight", "Next highlight", show=False),
        Binding("left_square_bracket", "previous_highlight", "Previous highlight", show=False),
        Binding("h", "highlights", "All highlights"),
        Binding("r", "review", "Review drifted highlights (this article, else all)", show=False),
        Binding("f", "find_corpus", "Find in all articles", show=False),
        Binding("t", "document_notes", "Document tags and note", show=False),
        Binding("x", "export", "Export annotations", show=False),
        Binding("c", "copy", "Copy selection or quote", show=False),
        Binding("w", "toggle_reflow", "Reflow paragraphs / lines as in the file", show=False),
        Binding("o", "headings", "Chapters and headings", show=False),
        Binding("R", "reports", "Reports: codes, documents x tags, co-occurrence", show=False),
        Binding(
            "T", "codebook", "Codebook: describe, rename, merge, move, delete tags", show=False
        ),
        Binding("C", "cycle_coders", "Coders: everyone / others dimmed / mine", show=False),
        Binding("s", "cycle_sort", "Sort list", show=False),
        Binding("escape", "clear_find", "Close find bar", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    # The reader until the library is open; then the list or the reader (see _library_opened).
    AUTO_FOCUS = "#reader"

    #: Seconds between two checks for changes made by another process.
    CHANGE_POLL_SECONDS: ClassVar[float] = 2.0

    #: Seconds between two checks of the open article's file (a ``stat``).
    FILE_WATCH_SECONDS: ClassVar[float] = 1.0

    #: Seconds between two checks of the folders for articles added or removed and of the
    #: stores for counts changed elsewhere (a ``stat`` per directory and four per store).
    LIST_WATCH_SECONDS: ClassVar[float] = 2.0

    # The screen's reactives are data the panes are bound to (data_bind), hence ``var``:
    # a plain ``reactive`` repaints its owner, and the owner here is the whole screen, so
    # every key that changed one redrew every pane (a full compositor update, ~90 ms).
    documents: var[tuple[DocumentInfo, ...]] = var(())
    """Every document of the library."""
    stats: var[dict[Path, DocumentStats]] = var(dict)
    """Highlight counts and tags of every document, keyed by absolute path."""
    document: var[DocumentInfo | None] = var(None)
    """The document in the reading pane."""
    # always_update: set only when the state's tuple changed (checked by identity in
    # _show_state); comparing tens of thousands of annotations on every set costs more.
    annotations: var[tuple[Annotation, ...]] = var((), always_update=True)
    """The annotations of ``document`` (the app's view, unsaved edits included)."""
    highlights: var[tuple[HighlightSpan, ...]] = var((), always_update=True)
    """The annotations the reading pane draws (orphans have no place in the text)."""
    notes: var[DocumentNotes] = var(DocumentNotes)
    """The tags and note of ``document``."""
    current_annotation: var[str | None] = var(None)
    """The id of the current annotation (what ``e``, ``d`` and ``c`` act on)."""
    covers: var[dict[str, str]] = var(dict)
    """What each approximate highlight of ``document`` now covers, by id."""
    highlights_pending: var[bool] = var(True)
    """True while the article shown is being opened (its highlights not listed yet), and
    from the start until the library is open: a big folder's last listing is shown for
    a second or more first, and its sidebar must not say the article has no highlights
    (nor its header that no article is open)."""
    missing: var[bool] = var(False)
    """True when ``document`` is no longer in its folder (its highlights are kept)."""
    unreadable: var[str] = var("")
    """What the sidebar says when ``document`` could not be read ("" when it could): why,
    and how many highlights it keeps (not listed: they have no text to be placed in)."""
    matches: var[tuple[tuple[int, int], ...]] = var(())
    """The find bar's matches in the open document."""
    sort_by: var[str] = var("name")
    """The document list's sort order."""
    position: var[str] = var("")
    """Where the cursor is in the open document (``line 12 of 300 · 4%``)."""
    selecting: var[bool] = var(False)
    """True while the reading pane's ``v`` selection mode is on."""
    preview: var[str] = var("")
    """The file name of the article shown while the library opens (before it is open)."""
    legend: var[str] = var("")
    """The open document's folder's colour meanings on one line (empty: none)."""
    coder_view: var[CoderView] = var(CoderView)
    """Whose highlights are shown (``C``): everyone's, the others' dimmed, the user's only."""

    def __init__(self, paths: Iterable[Path], *, line: int | None = None) -> None:
        """Create the screen over ``paths``; the library opens once the screen is mounted.

        ``line`` (1-based) is where to open a file named in ``paths``.
        """
        super().__init__()
        self._start_line = line
        self.session = Session(list(paths))
        """The blocking side: library, loads, polls."""
        self.state = ReaderState()
        """What the screen shows, and what the user did (Textual-free)."""
        self.writer = Writer(self, self.session.store_at)
        """Runs the state's commands in order, off the UI thread."""
        self.loader = Loader(self, self.session, self.writer)
        """Runs the session's reads in workers that report with messages."""
        self.views = LibraryViews(self)
        """Library-wide views (highlights, find, export, reports) and layout choices."""
        self.drift = DriftFlow(self)
        """Articles changed or gone on disk, save conflicts, the review."""
        self._opening_started = False
        # LibraryOpened handled (the session's library is set a moment before, in the worker).
        self._library_shown = False
        self._library_counted_yet = False  # the watch of the list starts once it is
        self._stats_at_open: dict[Path, DocumentStats] = {}  # see _counted
        # An article chosen in the list before the library was open (LibraryListed).
        self._chosen_early: DocumentInfo | None = None
        self._listed = False  # LibraryListed handled: the last listing is not drawn any more
        self._quitting = False  # see check_action
        self._shown = False  # see post_message

    # ------------------------------------------------------------------ accessors

    @property
    def paths(self) -> list[Path]:
        """The paths the library is opened from."""
        return self.session.paths

    @property
    def library(self) -> Library | None:
        """The opened library (``None`` until the opening worker is done)."""
        return self.session.library

    @property
    def text(self) -> str:
        """The text of the open document."""
        return self.state.text

    @property
    def opening(self) -> bool:
        """True while the open document is being read."""
        return self.state.opening

    @property
    def reader(self) -> ReadingPane:
        """The reading pane."""
        return self.query_one("#reader", ReadingPane)

    @property
    def document_list(self) -> DocumentList:
        """The document list."""
        return self.query_one("#documents", DocumentList)

    @property
    def sidebar(self) -> AnnotationSidebar:
        """The annotation sidebar."""
        return self.query_one("#annotations", AnnotationSidebar)

    # ------------------------------------------------------------------ layout

    @property
    def panes(self) -> Panes:
        """The container of the three panes (which are shown, focus between them)."""
        return self.query_one("#panes", Panes)

    @property
    def find_bar(self) -> FindBar:
        """The find bar under the reading pane."""
        return self.query_one("#find-bar", FindBar)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Panes(id="panes"):
            yield DocumentList(id="documents").data_bind(
                MainScreen.documents, MainScreen.stats, MainScreen.document, MainScreen.sort_by
            )
            # Marked as holding the focus from the start (AUTO_FOCUS is the reader):
            # marking it on focus would restyle the whole column before the first paint.
            with Vertical(id="centre", classes="-focused"):
                yield MetadataBar(id="metadata").data_bind(
                    MainScreen.document,
                    MainScreen.position,
                    MainScreen.selecting,
                    MainScreen.preview,
                    opening=MainScreen.highlights_pending,
                )
                yield ReadingPane(id="reader").data_bind(
                    MainScreen.highlights,
                    MainScreen.matches,
                    current_highlight=MainScreen.current_annotation,
                )
                yield FindBar(id="find-bar")
            yield AnnotationSidebar(id="annotations").data_bind(
                MainScreen.annotations,
                MainScreen.notes,
                MainScreen.covers,
                MainScreen.missing,
                MainScreen.unreadable,
                MainScreen.legend,
                MainScreen.coder_view,
                current=MainScreen.current_annotation,
                opening=MainScreen.highlights_pending,
            )
        # No footer here: it is mounted just after the first frame (see _mount_footer).

    def start_opening(self) -> None:
        """Start opening the library in a worker (once; its results are handled once mounted).

        The app calls this as soon as it runs (its ``Load`` event), before this
        screen is composed: the reads then overlap the app's first layout
        instead of waiting for it. Messages posted meanwhile wait in the
        screen's queue until it is mounted.
        """
        if not self._opening_started:
            self._opening_started = True
            self.loader.open_library()

    def post_message(self, message: Message) -> bool:
        """Post ``message``; the screen's first ``ScreenResume`` does not restyle it.

        Textual shows the default screen with a ``ScreenResume`` that applies every
        node's styles again, just after the mount applied them with the same CSS and
        theme (focus changes restyle what they touch by themselves). That second pass
        cost ~10-20 ms of the first frame and nothing changes through it (every
        node's rules, component styles and cells compared before and after: equal).
        Later resumes (a modal screen closed) are posted as Textual makes them.
        """
        if type(message) is events.ScreenResume and not self._shown:
            self._shown = True
            message = events.ScreenResume(refresh_styles=False)
        return super().post_message(message)

    async def on_mount(self) -> None:
        self.document_list.progress = (0, 0)
        self.start_opening()
        # The first frame waits (a moment at most) for the first article: see first_read_known.
        await self.loader.first_read_known()
        first = self.loader.take_first_read()
        if first is not None:  # read already (a small folder): shown in the first frame
            self._first_text_read(first)
        self.set_interval(self.CHANGE_POLL_SECONDS, self.check_for_changes)
        self.set_interval(self.FILE_WATCH_SECONDS, self.check_the_file)
        self.set_interval(self.LIST_WATCH_SECONDS, self.check_the_list)
        self.call_after_refresh(self._mount_footer)

    async def _mount_footer(self) -> None:
        """Mount the footer, once the first frame is drawn.

        Its keys are composed on the first bindings refresh after the paint
        anyway; composing, styling and drawing the empty bar before the paint
        cost the first frame (with its module and its CSS) a few milliseconds.
        The panes leave it the bottom row (``styles/app.tcss``), so mounting it
        moves nothing.
        """
        from ipreader.tui.widgets.keys_footer import KeysFooter

        await self.mount(KeysFooter(compact=True))
        self.refresh_bindings()  # what fills it: the refreshes so far were before it listened

    def action_cycle_sort(self) -> None:
        """Sort the document list by the next order (name, date, title)."""
        self.sort_by = SORT_ORDERS[(SORT_ORDERS.index(self.sort_by) + 1) % len(SORT_ORDERS)]

    # ------------------------------------------------------------------ state -> view

    def show_state(self) -> None:
        """Mirror the state into the reactives the panes are bound to."""
        state = self.state
        if self.annotations is not state.annotations:
            self.annotations = state.annotations
        spans = state.spans()
        if self.highlights is not spans:
            self.highlights = spans
        covers = state.covers()
        if self.covers is not covers:
            self.covers = covers
        self.missing = state.missing
        self.unreadable = state.unreadable_notice()
        if state.document is not None:  # else an article may be shown before it is open
            self.highlights_pending = state.opening
        self.notes = state.notes
        self.current_annotation = state.current
        info = state.document
        self.legend = state.codebooks.of(None if info is None else info.root).legend()
        self.coder_view = state.coder_view
        shown = None if info is None else self.stats.get(info.path, DocumentStats())
        if info is not None and not state.opening and shown != state.stats():
            self.stats = {**self.stats, info.path: state.stats()}

    def watch_current_annotation(self, current: str | None) -> None:
        self.state.current = current

    def carry_out(self, outcome: Outcome) -> None:
        """Write the outcome's commands, show the new state, say its message."""
        self.writer.submit(*outcome.commands)
        self.show_state()
        if outcome.message:
            self.notify(outcome.message)

    def _refuse(self, refusal: Refusal) -> None:
        self.notify(refusal.message, title=refusal.title, severity="warning")

    # ------------------------------------------------------------------ library

    @on(OpeningProgress)
    def _opening_progress(self, message: OpeningProgress) -> None:
        if self.library is None:
            self.document_list.progress = (message.done, message.total)

    @on(LibraryFailed)
    def _library_failed(self, message: LibraryFailed) -> None:
        if not self._library_shown and not self._listed:
            self.documents = ()  # the last listing: nothing of it is open
        self.document_list.progress = None
        self.document_list.counting = False
        if self.state.document is None:
            self.reader.load("", [], 0)  # an article shown while opening is not open
            self.highlights_pending = False
            self.preview = ""
        self.notify(str(message.error), title="Cannot open", severity="error", timeout=10)

    @on(FirstTextRead)
    def _first_text_read(self, message: FirstTextRead) -> None:
        # Painted now, while the library is still opening; the article is opened
        # (and its text kept, being the same read) when LibraryOpened arrives.
        # Until then nothing is open: no key can change it.
        self.loader.take_first_read()  # the loader keeps no reference to it
        if self.state.document is not None or self.reader.text:
            message.painted.set()
            return
        first = message.first
        position = first.position
        if self._start_line is not None:  # --line: a named file, which FirstText then is
            position = line_start(first.document.text, self._start_line)
        self.reader.load(
            first.document.text,
            self.state.preview_spans(first.annotations),
            position,
            reflow=self._reflow_for(first.path, first.hard_wrapped),
            preview=True,
        )
        self.reader.scroll_to_offset(position)
        self.highlights_pending = True  # shown, not open: the sidebar does not say "none"
        self.preview = first.path.name  # the header does not say "No article open" either
        self.call_after_refresh(message.painted.set)

    def _reflow_for(self, path: Path, hard_wrapped: bool) -> bool:
        """Whether ``path``'s paragraphs are reflowed: as the user chose, else if hard-wrapped."""
        chosen = self.views.reflow_choices().get(str(path))
        return hard_wrapped if chosen is None else chosen

    @on(LastListing)
    def _last_listing(self, message: LastListing) -> None:
        # Drawn while the folders are read; the header still says the folder is opening,
        # and LibraryListed replaces these rows with the library's own.
        if not self._library_shown and not self._listed:
            self.documents = message.documents

    @on(LibraryListed)
    def _library_listed(self, message: LibraryListed) -> None:
        # Listed while the stores are read for the counts: the list can be browsed,
        # filtered and sorted; an article chosen now opens once the library is open.
        if self._library_shown:
            message.painted.set()
            return
        self._listed = True
        moved_to = self.document_list.highlighted_document
        if self.documents:
            # The last listing's rows, equal or not: emptied first, so the library's own
            # are not compared with them field by field (10,000 Path comparisons).
            self.documents = ()
        self.documents = message.documents
        if moved_to is not None:  # a row the user moved to in the last listing stays so
            self.document_list.highlight(moved_to)
        self.document_list.progress = None
        self.document_list.counting = True
        self.call_after_refresh(message.painted.set)

    @on(LibraryOpened)
    def _library_opened(self, message: LibraryOpened) -> None:
        opened = message.opened
        self._library_shown = True
        self.state.me = opened.me
        self.state.codebooks.books.update(opened.codebooks)
        self.documents = tuple(opened.documents())
        self.document_list.progress = None
        # The stores are still read for the counts (LibraryCounted); the article opens
        # meanwhile.
        self.document_list.counting = True
        self._stats_at_open = self.stats
        for notice in opened.notices:
            self.notify(notice, title="Note", severity="warning", timeout=10)
        chosen, self._chosen_early = self._chosen_early, None
        if chosen is not None:
            # The library's own entry: chosen from the last listing, it may be gone.
            chosen = next((i for i in opened.documents() if i.path == chosen.path), None)
        if chosen is not None:  # chosen in the list while the library was opening
            preloaded = opened.loaded if chosen == opened.first else None
            self.open_document(chosen, preloaded=preloaded)
            self.reader.focus()
            return
        if opened.first is None:
            self.highlights_pending = False
            self.notify("No articles found in the given paths.", severity="warning")
            return
        if opened.named or (not self.panes.narrow and not self.panes.show_documents):
            self.reader.focus()
        else:
            self.document_list.focus_list()
        line = self._start_line if opened.named else None
        self.open_document(opened.first, line=line, preloaded=opened.loaded)

    @on(LibraryCounted)
    def _library_counted(self, message: LibraryCounted) -> None:
        # Shows the list's counts and learns the tags in use (the opening's last step).
        opened = message.opened
        self._library_counted_yet = True
        self.state.tag_suggestions |= opened.tag_suggestions
        # A count set since the library opened (the open article's, an undo's) may have
        # been read after the stores' pass: it is kept. (Counts are replaced whole, so
        # an entry not set since is the very object it was then.)
        before = self._stats_at_open
        since = {path: s for path, s in self.stats.items() if before.get(path) is not s}
        self.stats = {**opened.stats, **since}
        self._stats_at_open = {}
        self.document_list.counting = False
        info = self.state.document
        counted = None if info is None else opened.stats.get(info.path)
        if counted is not None and self.state.unreadable_counted(counted.highlights):
            self.show_state()  # an unreadable article's notice says how many it keeps
        for notice in opened.notices:
            self.notify(notice, title="Note", severity="warning", timeout=10)

    # ------------------------------------------------------------------ documents

    @on(DocumentList.Opened)
    def _document_chosen(self, event: DocumentList.Opened) -> None:
        if not self._library_shown:  # listed, not open yet: opened with the library
            self._chosen_early = event.document
            return
        self.open_document(event.document)
        self.reader.focus()

    def open_document(
        self,
        info: DocumentInfo,
        *,
        cursor: int | None = None,
        selection: tuple[int, int] | None = None,
        annotation: str | None = None,
        line: int | None = None,
        preloaded: Loaded | None = None,
    ) -> None:
        """Open ``info``, then place the cursor, a selection, an annotation or a line (1-based).

        ``preloaded`` is ``info`` already read (the first document, read by the
        worker that opened the library).
        """
        target = Target(cursor, selection, annotation, line)
        if self.state.is_open(info):
            self.state.target = target
            if not self.state.opening:
                self._go_to_target()
            return
        HEAP.before_open()
        self.writer.submit(*self.state.begin_open(info, self.reader.cursor, target).commands)
        self.document = info
        self._close_find()
        serial = self.state.serial
        if preloaded is not None:
            # Open in this very handler (no frame between): the panes go from the preview
            # straight to the open document, and the pane keeps the preview's highlights
            # when they are the same (``drawn_spans.py``), not cleared for the opening.
            self._document_loaded(DocumentLoaded(serial, preloaded))
            return
        self.show_state()
        self.loader.load(info, serial)
        # A loading indicator only for reads slow enough to notice.
        self.set_timer(0.25, lambda: self._show_loading(serial))

    def _show_loading(self, serial: int) -> None:
        if self.state.opening and serial == self.state.serial:
            self.reader.loading = True

    @on(DocumentFailed)
    def _load_failed(self, message: DocumentFailed) -> None:
        error, info = message.error, message.document
        reason = error.reason if isinstance(error, DocumentError) else str(error)
        kept = self.stats.get(info.path, DocumentStats()).highlights
        if not self.state.open_failed(message.serial, reason, kept):
            return
        self.reader.loading = False
        self.reader.load("", [], 0)
        self.show_state()  # the sidebar no longer says the article is being opened
        title = f"Cannot open {message.document.relpath}"
        self.notify(str(message.error), title=title, severity="error", timeout=10)

    @on(DocumentLoaded)
    def _document_loaded(self, message: DocumentLoaded) -> None:
        loaded = message.loaded
        outcome = self.state.finish_open(message.serial, loaded)
        if outcome is None:
            return  # the user opened another document meanwhile
        self.reader.loading = False
        position = min(max(loaded.position, 0), len(loaded.text))
        info = self.state.document
        chosen = None if info is None else self.views.reflow_choices().get(str(info.path))
        reflow = loaded.hard_wrapped if chosen is None else chosen
        # The very text shown before the library was open (FirstTextRead): kept as it is
        # wrapped and scrolled; its highlights come through the reactives (show_state).
        shown = self.reader.text is loaded.text and bool(loaded.text)
        if not shown or self.reader.reflow != reflow:
            self.reader.load(loaded.text, self.state.spans(), position, reflow=reflow)
        if chosen is None and reflow:
            self.notify("Hard-wrapped lines are joined into paragraphs (w: lines as in the file).")
        self.show_position()
        self.carry_out(outcome)
        for notice in loaded.notices:
            self.notify(notice, title="Note", severity="warning", timeout=10)
        if self.state.target != Target():
            self._go_to_target()
        elif not shown:
            self.reader.scroll_to_offset(position)
        # Once the document is on screen: see tui/heap.py; and a preview's full wrap,
        # held while the document opened.
        self.call_after_refresh(HEAP.settle)
        self.call_after_refresh(self.reader.index_now)

    def action_headings(self) -> None:
        """Pick a chapter or heading of the open article and go to it."""
        self.views.headings()

    @on(HeadingsFound)
    def _headings_found(self, message: HeadingsFound) -> None:
        self.views.show_headings(message)

    def action_toggle_reflow(self) -> None:
        """Join hard-wrapped lines into paragraphs, or show the lines as in the file."""
        self.views.toggle_reflow()

    def _go_to_target(self) -> None:
        target, reader = self.state.take_target(), self.reader
        if target.selection is not None:
            reader.select(*target.selection)
            reader.scroll_to_offset(target.selection[0])
        elif target.annotation is not None:
            self.choose_annotation(target.annotation)
        elif target.line is not None:
            offset = line_start(reader.text, target.line)
            reader.move_cursor(offset)
            reader.scroll_to_offset(offset)
        elif target.cursor is not None:
            reader.move_cursor(target.cursor)
            reader.scroll_to_offset(target.cursor)

    # ------------------------------------------------------------------ highlights

    def choose_annotation(self, annotation_id: str) -> None:
        """Make ``annotation_id`` current and scroll the reading pane to it."""
        annotation = self.state.annotation(annotation_id)
        if annotation is None:
            return
        self.current_annotation = annotation.id
        if annotation.is_anchored:
            self.reader.move_cursor(annotation.start)
            self.reader.scroll_to_offset(annotation.start)
            # Now, not when the pane's CursorMoved comes back: that is handled after
            # the frame that draws the pane, and the bar would follow a frame later.
            self.show_position()

    @on(AnnotationSidebar.Chosen)
    def _annotation_chosen(self, event: AnnotationSidebar.Chosen) -> None:
        self.choose_annotation(event.annotation_id)

    @on(AnnotationSidebar.EditRequested)
    def _annotation_edit_requested(self, event: AnnotationSidebar.EditRequested) -> None:
        self.choose_annotation(event.annotation_id)
        self._edit(event.annotation_id)

    @on(ReadingPane.CursorMoved)
    def _cursor_moved(self, event: ReadingPane.CursorMoved) -> None:
        under = self.reader.highlight_at(event.offset)
        if under is not None:
            self.current_annotation = under
        self.show_position()

    @on(ReadingPane.Ready)
    def show_position(self) -> None:
        reader = self.reader
        line, lines = reader.line_position() or (None, None)
        self.position = position_label(line, lines, reader.cursor, len(reader.text))

    @on(ReadingPane.SelectModeChanged)
    def _select_mode_changed(self, event: ReadingPane.SelectModeChanged) -> None:
        self.selecting = event.on

    def _under_cursor(self) -> str | None:
        return self.reader.highlight_at(self.reader.cursor) if self.state.text else None

    def action_annotate(self) -> None:
        """Highlight the selection (it becomes the current annotation)."""
        try:
            outcome = self.state.annotate(self.reader.selection)  # by state.me (asked off-thread)
        except Refusal as refusal:
            self._refuse(refusal)
            return
        self.carry_out(outcome)
        # After the lists are told: the pane asked first would be drawn in a frame of its
        # own, the lists (the new highlight's entry, the article's count) one frame later.
        self.reader.clear_selection()

    def action_edit(self) -> None:
        """Edit the highlight under the cursor, or the current one."""
        try:
            annotation = self.state.target_annotation(self._under_cursor())
        except Refusal as refusal:
            self._refuse(refusal)
            return
        self.current_annotation = annotation.id
        self._edit(annotation.id)

    def _edit(self, annotation_id: str) -> None:
        from ipreader.tui.screens.editor import AnnotationEditor, EditorResult

        annotation = self.state.annotation(annotation_id)
        if annotation is None:
            return

        def edited(result: EditorResult | None) -> None:
            from ipreader.core.revisions import ConflictError

            if result is None:
                return
            try:
                edit = self.state.edit(
                    annotation_id, result.note, result.tags, result.color, base=annotation
                )
            except ConflictError as conflict:  # changed by another program meanwhile
                self.drift.show_conflict(self.state.document, conflict)
                return
            self.carry_out(edit)

        root = None if self.state.document is None else self.state.document.root
        suggestions = self.state.codebooks.suggestions(root, self.state.tag_suggestions)
        meanings = self.state.codebooks.of(root).colors
        self.app.push_screen(AnnotationEditor(annotation, suggestions, meanings), edited)

    def action_delete(self) -> None:
        """Delete the highlight under the cursor, or the current one (``u`` restores it)."""
        try:
            annotation = self.state.target_annotation(self._under_cursor())
        except Refusal as refusal:
            self._refuse(refusal)
            return
        self.carry_out(self.state.delete(annotation))

    def action_undo(self) -> None:
        """Undo the last create, edit or delete."""
        try:
            outcome, go_to = self.state.undo_last()
        except Refusal as refusal:
            self._refuse(refusal)
            return
        self.carry_out(outcome)
        if go_to is not None:
            self.choose_annotation(go_to)

    def _step_highlight(self, step: int) -> None:
        try:
            found, wrapped = self.state.step_highlight(self.reader.cursor, step)
        except Refusal as refusal:
            self._refuse(refusal)
            return
        self.choose_annotation(found)
        if wrapped:
            where = "first" if step > 0 else "last"
            self.notify(f"Back to the {where} highlight of the article.", timeout=3)

    def action_next_highlight(self) -> None:
        """Go to the next highlight after the cursor (says so when it wraps around)."""
        self._step_highlight(1)

    def action_previous_highlight(self) -> None:
        """Go to the previous highlight before the cursor (says so when it wraps around)."""
        self._step_highlight(-1)

    def action_copy(self) -> None:
        """Copy the selection, or the current highlight's quote, to the clipboard."""
        try:
            copied = self.state.copy_text(self.reader.selection)
        except Refusal as refusal:
            self._refuse(refusal)
            return
        self.app.copy_to_clipboard(copied)
        self.notify(f"Copied {len(copied):,} characters.")

    # ------------------------------------------------------------------ find in the document

    async def action_find(self) -> None:
        """Open the find bar."""
        self.set_class(True, "-finding")
        await self.find_bar.start()

    @on(FindBar.Submitted)
    def _find_submitted(self, event: FindBar.Submitted) -> None:
        if not event.query:
            self.action_clear_find()
            return
        self.reader.focus()
        self.find_bar.search(self.state.text, event.query, self.reader.cursor)

    @on(FindBar.Found)
    def _found(self, message: FindBar.Found) -> None:
        self.matches = message.matches
        if message.selected is not None:
            self._select_match(message.selected)

    def _select_match(self, match: tuple[int, int]) -> None:
        self.reader.select(*match)
        self.reader.scroll_to_offset(match[0])

    def _step_match(self, step: int) -> None:
        match = self.find_bar.step(step)
        if match is None:
            self.notify("No matches: press / to find.", severity="warning")
        else:
            self._select_match(match)

    def action_find_next(self) -> None:
        """Select the next match of the find query."""
        self._step_match(1)

    def action_find_next_on_enter(self) -> None:
        """Select the next match while the find bar is open (enter again goes on)."""
        if not self.has_class("-finding") or not self.find_bar.matches:
            raise SkipAction()
        self._step_match(1)

    def action_find_previous(self) -> None:
        """Select the previous match of the find query."""
        self._step_match(-1)

    def _close_find(self) -> None:
        self.find_bar.clear()
        self.matches = ()
        self.set_class(False, "-finding")

    def action_clear_find(self) -> None:
        """Close the find bar and clear the matches."""
        was_in_bar = self.panes.focus_within("#find-bar")
        self._close_find()
        if was_in_bar:
            self.reader.focus()

    # ------------------------------------------------------------------ library-wide

    def action_highlights(self) -> None:
        """Browse every highlight of the library."""
        self.views.highlights()

    @on(HighlightsGathered)
    def _show_highlights(self, message: HighlightsGathered) -> None:
        self.views.show_highlights(message)

    def action_find_corpus(self) -> None:
        """Find text across every document."""
        self.views.find_corpus()

    def action_export(self) -> None:
        """Export annotations (all, the listed articles or this one) to a file."""
        self.views.export()

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self.views.exported(message)

    @on(ExportFailed)
    def _export_failed(self, message: ExportFailed) -> None:
        self.views.export_failed(message)

    def action_cycle_coders(self) -> None:
        """Show everyone's highlights, the user's with the others' dimmed, or the user's only."""
        self.views.cycle_coders()

    def action_reports(self) -> None:
        """Coding reports over every highlight; Enter on a passage opens it."""
        self.views.reports()

    def action_codebook(self) -> None:
        """The codebook of the open article's folder: tags, descriptions, colour meanings."""
        self.views.codebook()

    # Named, not @on(CodebookScreen.Requested): the codebook screen's module is then
    # imported when the codebook is first opened, not at start.
    def on_codebook_screen_requested(self, message: CodebookScreen.Requested) -> None:
        self.views.codebook_requested(message)

    def action_document_notes(self) -> None:
        """Edit the current document's tags and note."""
        self.views.document_notes()

    # ------------------------------------------------------------------ writes and polls

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.state.saved(message.command, message.token, message.result)
        self.drift.saved(message.command, message.result)
        from ipreader.tui.commands import (
            DeleteAnnotation,
            DescribeTag,
            RetagTags,
            SaveAnnotation,
            SetColorMeaning,
            SetDocumentNotes,
        )

        command = message.command
        if isinstance(command, RetagTags | DescribeTag | SetColorMeaning):
            self.views.codebook_saved(message)
        elif isinstance(command, SetDocumentNotes) and message.result not in (None, command.notes):
            self.show_state()
            self.notify(
                "Another program changed this article's tags or note meanwhile: both changes "
                "are kept (tags joined, notes one after the other).",
                title="Merged",
            )
        elif isinstance(command, SaveAnnotation | DeleteAnnotation) and isinstance(
            message.result, DocumentStats
        ):
            self._recounted(command.root, command.annotation.document, message.result)

    def _recounted(self, root: Path, relpath: str, stats: DocumentStats) -> None:
        """Show ``stats`` on the row of a document that is not open (an undo, a review)."""
        info = self.state.document
        if info is not None and info.root == root and info.relpath == relpath:
            return  # opened meanwhile: its row follows the highlights on screen
        for listed in self.documents:
            if listed.root == root and listed.relpath == relpath:
                self.stats = {**self.stats, listed.path: stats}
                return

    @on(SaveFailed)
    def _save_failed(self, message: SaveFailed) -> None:
        self.drift.save_failed(message)

    def check_for_changes(self) -> None:
        """Reload the open document's annotations if another process changed its store."""
        info = self.state.document
        if info is not None and self.library is not None and not self.state.opening:
            self.loader.poll(info, self.state.serial, self.state.tokens.get(info.root))

    def check_the_list(self) -> None:
        """Look for articles added to or removed from the folders, and counts changed there."""
        library = self.library
        if library is not None and self._library_counted_yet and not self._quitting:
            self.loader.watch_list(library)

    @on(ListChanged)
    def _list_changed(self, message: ListChanged) -> None:
        change = message.change
        if change.added or change.removed:
            # The list keeps its highlighted row (by path) and sorts the new ones in.
            kept = (d for d in self.documents if d.path not in change.removed)
            self.documents = (*kept, *change.added)
        if change.stats:
            stats = {**self.stats, **change.stats}
            info = self.state.document
            if info is not None and info.path in stats and not self.state.opening:
                stats[info.path] = self.state.stats()  # the open article's, as shown
            self.stats = stats

    @on(StoreChanged)
    def _store_changed(self, message: StoreChanged) -> None:
        if self.state.merge_stored(message.serial, message.polled):
            self.show_state()
        self.views.reload_codebooks(message.polled.document.root)

    async def flush(self) -> None:
        """Save the reading position and wait until every queued write is done."""
        position = self.state.position_command(self.reader.cursor)
        if position is not None:
            self.writer.submit(position)
        if self.writer.busy:
            self.notify("Saving…", timeout=2)
        writers = [w for w in self.app.workers if w.node is self and w.group == "writes"]
        await self.app.workers.wait_for_complete(writers)

    @property
    def quitting(self) -> bool:
        """True from ``q`` until the app is gone, or until the user chose to stay."""
        return self._quitting

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys typed after q run nothing: while the quit waits for the writes, an `e`
        # or `x` would open a screen the exiting app never composes (its on_mount then
        # failed on its own widgets: a crash log on the way out).
        return not self._quitting

    async def quit_unasked(self) -> None:
        """Save what is queued, then quit without asking: the terminal went away."""
        self._quitting = True
        await self.flush()
        self.app.exit()

    async def action_quit(self) -> None:
        """Save what is queued, then quit; asks first when changes could not be saved."""
        from ipreader.tui.screens.confirm import ConfirmScreen, unsaved_question

        if self._quitting:
            return
        self._quitting = True
        await self.flush()
        unsaved = self.state.unsaved()
        if not unsaved:
            self.app.exit()
            return

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.app.exit()
                return
            self._quitting = False
            retry = self.state.retry_unsaved()
            if retry.commands:
                self.notify(f"Trying again to save {plural(len(retry.commands), 'change')}…")
            self.carry_out(retry)

        self.app.push_screen(
            ConfirmScreen(
                "Not saved", unsaved_question(self.state.unsaved_changes()),
                "quit anyway", "stay and try saving again",
            ),
            answered,
        )  # fmt: skip

    # ------------------------------------------------------------------ drift

    def check_the_file(self) -> None:
        """Re-read the open article if its file changed on disk (a ``stat`` otherwise)."""
        self.drift.check_the_file()

    @on(DocumentChanged)
    def _file_changed(self, message: DocumentChanged) -> None:
        self.drift.file_changed(message)

    @on(DocumentGone)
    def _file_gone(self, message: DocumentGone) -> None:
        self.drift.file_gone(message)

    def action_review(self) -> None:
        """Review the open article's approximate and lost highlights."""
        self.drift.review()

    def action_review_all(self) -> None:
        """Review every article's approximate and lost highlights, and missing articles."""
        self.drift.review(whole_library=True)

    @on(ReviewGathered)
    def _review_gathered(self, message: ReviewGathered) -> None:
        self.drift.review_gathered(message)

    # ------------------------------------------------------------------ help

    def help_bindings(self) -> list[tuple[str, str]]:
        """Return the ``(keys, description)`` rows of the help screen, grouped."""
        groups = [
            ("Main screen", self.BINDINGS),
            ("Panes", Panes.BINDINGS),
            ("Reading pane", ReadingPane.BINDINGS),
            ("Document list", DocumentList.BINDINGS),
        ]
        return [*help_rows(self.app, groups), *EXTRA_HELP_ROWS]

    def action_help(self) -> None:
        """Show every key binding."""
        from ipreader.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.help_bindings()))

    def system_commands(self) -> Iterable[SystemCommand]:
        """Yield a command palette entry for every action of the screen."""
        skip = ("focus_pane(1)", "focus_pane(-1)", "quit", "clear_find")
        yield from system_commands(self, self.BINDINGS, skip)
        yield SystemCommand(
            "Review every article's drift",
            "Approximate and lost highlights, and missing articles, in every article",
            self.action_review_all,
        )
        yield from system_commands(self.panes, Panes.BINDINGS, skip)
