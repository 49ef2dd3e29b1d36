"""The main screen: document list, reading pane and annotation sidebar.

The screen owns the state (current document, its annotations and notes, the
current annotation) as reactives bound into the panes with ``data_bind``; the
panes announce user intent with messages. Every file or database access runs
in a thread worker: reads post their result back with ``call_from_thread``,
writes go through one ordered queue (``_write``) so a delete can never
overtake the creation it undoes.

The screen is assembled from parts: ``main_base`` (state, writes, change
poll), ``main_annotations`` (highlight, edit, delete, undo, copy),
``main_find`` (find in the document) and ``main_library`` (highlights, find
across documents, export, document notes). Modal screens are imported when
first opened: the first paint does not wait for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer

from ipreader.core.documents import DocumentInfo
from ipreader.core.errors import IpreaderError
from ipreader.core.model import DocumentNotes
from ipreader.tui.keys import help_rows, system_commands
from ipreader.tui.reader.pane import ReadingPane
from ipreader.tui.screens.main_annotations import AnnotationActions
from ipreader.tui.screens.main_find import FindInDocument
from ipreader.tui.screens.main_library import LibraryActions
from ipreader.tui.session import (
    DocumentStats,
    Loaded,
    Opened,
    Session,
    sort_annotations,
)
from ipreader.tui.widgets.annotation_sidebar import AnnotationSidebar
from ipreader.tui.widgets.document_list import (
    SORT_ORDERS,
    DocumentList,
    Prompt,
)
from ipreader.tui.widgets.find_bar import FindBar
from ipreader.tui.widgets.metadata_bar import MetadataBar

#: Below this many columns both sidebars collapse (they can still be toggled).
NARROW_WIDTH = 100


@dataclass(frozen=True, slots=True)
class _Target:
    """Where to put the reading pane once a document has loaded."""

    cursor: int | None = None
    selection: tuple[int, int] | None = None
    annotation: str | None = None


class MainScreen(AnnotationActions, FindInDocument, LibraryActions):
    """Three panes over the opened library."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "find", "Find"),
        Binding("n", "find_next", "Next match", show=False),
        Binding("N", "find_previous", "Previous match", show=False),
        Binding("a", "annotate", "Annotate"),
        Binding("e", "edit", "Edit"),
        Binding("d", "delete", "Delete highlight", show=False),
        Binding("u", "undo", "Undo"),
        Binding("right_square_bracket", "next_highlight", "Next highlight", show=False),
        Binding("left_square_bracket", "previous_highlight", "Previous highlight", show=False),
        Binding("h", "highlights", "All highlights"),
        Binding("f", "find_corpus", "Find in all articles", show=False),
        Binding("t", "document_notes", "Document tags and note", show=False),
        Binding("x", "export", "Export annotations", show=False),
        Binding("c", "copy", "Copy selection or quote", show=False),
        Binding("s", "cycle_sort", "Sort list", show=False),
        Binding("ctrl+f", "filter", "Filter list", show=False),
        Binding("f2,ctrl+b", "toggle_documents", "Show/hide document list", show=False),
        Binding("f3,ctrl+r", "toggle_annotations", "Show/hide annotations", show=False),
        Binding("tab", "focus_pane(1)", "Next pane", show=False),
        Binding("shift+tab", "focus_pane(-1)", "Previous pane", show=False),
        Binding("escape", "clear_find", "Close find bar", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    # The reader until the library is open; then the list or the reader (see _library_opened).
    AUTO_FOCUS = "#reader"

    def __init__(self, paths: Sequence[Path]) -> None:
        """Create the screen over ``paths`` and start opening the library at once."""
        super().__init__(Session(paths))
        self._narrow: bool | None = None
        self._target = _Target()
        self._progress_timer: Timer | None = None
        # Opening starts now, in a thread, so the first paint does not wait for it.
        self.session.start_open()

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield DocumentList(id="documents").data_bind(
                MainScreen.documents,
                MainScreen.stats,
                MainScreen.document,
                MainScreen.sort_by,
            )
            with Vertical(id="centre"):
                yield MetadataBar(id="metadata").data_bind(MainScreen.document)
                yield ReadingPane(id="reader").data_bind(
                    current_highlight=MainScreen.current_annotation
                )
                yield FindBar(id="find-bar")
            yield AnnotationSidebar(id="annotations").data_bind(
                MainScreen.annotations,
                MainScreen.notes,
                current=MainScreen.current_annotation,
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._apply_width(self.app.size.width)
        self.document_list.progress = (0, 0)
        self._progress_timer = self.set_interval(0.1, self._show_progress)
        self._open_library()
        self.set_interval(self.CHANGE_POLL_SECONDS, self.check_for_changes)

    def on_resize(self, event: Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        narrow = width < NARROW_WIDTH
        if narrow == self._narrow:
            return
        self._narrow = narrow
        self.set_class(narrow, "-narrow")
        self.show_documents = not narrow
        self.show_annotations = not narrow

    def watch_show_documents(self, shown: bool) -> None:
        self.set_class(not shown, "-hide-documents")
        if not shown and self._focus_within("#documents"):
            self.reader.focus()

    def watch_show_annotations(self, shown: bool) -> None:
        self.set_class(not shown, "-hide-annotations")
        if not shown and self._focus_within("#annotations"):
            self.reader.focus()

    def _pane_widgets(self) -> list[Widget]:
        panes: list[Widget] = []
        if self.show_documents:
            panes.append(self.document_list.option_list)
        panes.append(self.reader)
        if self.show_annotations:
            panes.append(self.sidebar.option_list)
        return panes

    def action_focus_pane(self, step: int) -> None:
        """Move the focus to the next (``step=1``) or previous (``-1``) visible pane."""
        panes = self._pane_widgets()
        focused = self.focused
        index = 0
        for i, pane in enumerate(panes):
            if focused is not None and (
                focused is pane or pane.parent in focused.ancestors_with_self
            ):
                index = i
                break
        else:
            index = -1 if step > 0 else 0
        panes[(index + step) % len(panes)].focus()

    def action_toggle_documents(self) -> None:
        """Show or hide the document list."""
        self.show_documents = not self.show_documents
        if self.show_documents:
            self.document_list.focus_list()

    def action_toggle_annotations(self) -> None:
        """Show or hide the annotation sidebar."""
        self.show_annotations = not self.show_annotations
        if self.show_annotations:
            self.sidebar.option_list.focus()

    def action_filter(self) -> None:
        """Focus the document list's filter."""
        self.show_documents = True
        self.document_list.query_one("#document-filter").focus()

    def action_cycle_sort(self) -> None:
        """Sort the document list by the next order (name, date, title)."""
        self.sort_by = SORT_ORDERS[(SORT_ORDERS.index(self.sort_by) + 1) % len(SORT_ORDERS)]

    # ----------------------------------------------------------------- library

    @work(thread=True, exclusive=True, group="library")
    def _open_library(self) -> None:
        try:
            opened = self.session.start_open().result()
        except IpreaderError as error:
            self.app.call_from_thread(self._library_failed, error)
            return
        # The list entries are built here, off the UI thread (thousands of articles).
        prompts = self.document_list.prepare_prompts(opened.library.documents(), opened.stats)
        self.app.call_from_thread(self._library_opened, opened, prompts)

    def _show_progress(self) -> None:
        # Polled on a timer: the opening thread never waits for the UI to report.
        if self.library is None and self.session.progress is not None:
            self.document_list.progress = self.session.progress

    def _library_failed(self, error: IpreaderError) -> None:
        self._stop_progress()
        self.document_list.progress = None
        self.notify(str(error), title="Cannot open", severity="error", timeout=10)

    def _stop_progress(self) -> None:
        if self._progress_timer is not None:
            self._progress_timer.stop()
            self._progress_timer = None

    def _library_opened(
        self, opened: Opened, prompts: Mapping[Path, tuple[DocumentStats, Prompt]]
    ) -> None:
        self._stop_progress()
        self._tag_suggestions |= opened.tag_suggestions
        self.document_list.prime(prompts)
        self.stats = opened.stats
        self.documents = tuple(opened.library.documents())
        self.document_list.progress = None
        for notice in opened.notices:
            self.notify(notice, title="Note", severity="warning", timeout=10)
        if opened.first is None:
            self.notify("No articles found in the given paths.", severity="warning")
            return
        if opened.named or not self.show_documents:
            self.reader.focus()
        else:
            self.document_list.focus_list()
        self.open_document(opened.first, preloaded=opened.loaded)

    # -------------------------------------------------------------- documents

    @on(DocumentList.Opened)
    def _document_chosen(self, event: DocumentList.Opened) -> None:
        self.open_document(event.document)
        self.reader.focus()

    def open_document(
        self,
        info: DocumentInfo,
        *,
        cursor: int | None = None,
        selection: tuple[int, int] | None = None,
        annotation: str | None = None,
        preloaded: Loaded | None = None,
    ) -> None:
        """Open ``info``, then place the cursor, a selection or an annotation in it.

        ``preloaded`` is ``info`` already read (the first document, read by the
        thread that opened the library).
        """
        if self.document is not None and info.path == self.document.path:
            self._target = _Target(cursor, selection, annotation)
            if not self.opening:
                self._apply_target()
            return
        self._save_position()
        self._target = _Target(cursor, selection, annotation)
        self._load_serial += 1
        self.document = info
        self.current_annotation = None
        self.annotations = ()
        self.notes = DocumentNotes()
        self.text = ""
        self._pending.clear()
        self._clear_matches()
        self.opening = True
        serial = self._load_serial
        if preloaded is not None:
            self._document_loaded(info, serial, preloaded)
            return
        self._load_document(info, serial)
        # A loading indicator only for reads slow enough to notice.
        self.set_timer(0.25, lambda: self._show_loading(serial))

    def _show_loading(self, serial: int) -> None:
        if self.opening and serial == self._load_serial:
            self.reader.loading = True

    @work(thread=True, exclusive=True, group="load")
    def _load_document(self, info: DocumentInfo, serial: int) -> None:
        try:
            loaded = self.session.load(info)
        except IpreaderError as error:
            self.app.call_from_thread(self._load_failed, info, serial, error)
            return
        self.app.call_from_thread(self._document_loaded, info, serial, loaded)

    def _load_failed(self, info: DocumentInfo, serial: int, error: IpreaderError) -> None:
        if serial != self._load_serial:
            return
        self.opening = False
        self.reader.loading = False
        self.reader.load("", [], 0)
        self.notify(str(error), title=f"Cannot open {info.relpath}", severity="error", timeout=10)

    def _document_loaded(self, info: DocumentInfo, serial: int, loaded: Loaded) -> None:
        if serial != self._load_serial:
            return  # the user opened another document meanwhile
        self.opening = False
        self.reader.loading = False
        self.text = loaded.text
        self._tokens[info.root] = loaded.token
        annotations = sort_annotations(loaded.annotations)
        self.annotations = annotations
        self.notes = loaded.notes
        position = min(max(loaded.position, 0), len(loaded.text))
        self.reader.load(loaded.text, self._spans(annotations), position)
        self._set_stats(info)
        for notice in loaded.notices:
            self.notify(notice, title="Note", severity="warning", timeout=10)
        root, relpath = info.root, info.relpath
        self._write(root, "last document", lambda store: store.set_last_document(relpath))
        if self._target == _Target():
            self.reader.scroll_to_offset(position)
        else:
            self._apply_target()

    def _apply_target(self) -> None:
        target, self._target = self._target, _Target()
        reader = self.reader
        if target.selection is not None:
            start, end = target.selection
            reader.select(start, end)
            reader.scroll_to_offset(start)
        elif target.annotation is not None:
            self.choose_annotation(target.annotation)
        elif target.cursor is not None:
            reader.move_cursor(target.cursor)
            reader.scroll_to_offset(target.cursor)

    # ------------------------------------------------------------------ help

    def help_bindings(self) -> list[tuple[str, str]]:
        """Return the ``(keys, description)`` rows of the help screen, grouped."""
        rows = help_rows(
            self.app,
            [
                ("Main screen", self.BINDINGS),
                ("Reading pane", ReadingPane.BINDINGS),
                ("Document list", DocumentList.BINDINGS),
            ],
        )
        rows.append(("", "Anywhere"))
        rows.append(("ctrl+p", "Command palette (every action, theme)"))
        rows.append(("ctrl+q", "Quit"))
        return rows

    def action_help(self) -> None:
        """Show every key binding."""
        from ipreader.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.help_bindings()))

    def system_commands(self) -> Iterable[SystemCommand]:
        """Yield a command palette entry for every action of the screen."""
        skip = ("focus_pane(1)", "focus_pane(-1)", "quit", "clear_find")
        return system_commands(self, self.BINDINGS, skip)
