"""The main screen's state and the plumbing every part of it shares.

``MainScreen`` is assembled from parts, one idea per module: this base (the
reactives, the ordered queue of database writes, the change poll), the
annotation actions (``main_annotations``), finding in the open document
(``main_find``) and the library-wide actions (``main_library``). The base
declares what the parts need from the screen.

Heavy core modules (the store, anchoring, export) are imported lazily: the
first paint must not wait for them (the library opens in a thread meanwhile).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen

from ipreader.core.documents import DocumentInfo
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.tui.display import visible
from ipreader.tui.reader.pane import ReadingPane
from ipreader.tui.session import (
    DocumentStats,
    Polled,
    Session,
    Token,
    Write,
    merge_pending,
)
from ipreader.tui.widgets.annotation_sidebar import AnnotationSidebar
from ipreader.tui.widgets.document_list import DocumentList

if TYPE_CHECKING:
    from ipreader.core.library import Library
    from ipreader.core.store import FolderStore


class MainScreenBase(Screen[None]):
    """The main screen's reactives, shared helpers, writes and change poll."""

    #: Seconds between two checks for changes made by another process.
    CHANGE_POLL_SECONDS: ClassVar[float] = 2.0

    documents: reactive[tuple[DocumentInfo, ...]] = reactive(())
    """Every document of the library."""
    stats: reactive[dict[Path, DocumentStats]] = reactive(dict)
    """Highlight counts and tags of every document, keyed by absolute path."""
    document: reactive[DocumentInfo | None] = reactive(None)
    """The document in the reading pane."""
    annotations: reactive[tuple[Annotation, ...]] = reactive(())
    """The annotations of ``document`` (the app's view, unsaved edits included)."""
    notes: reactive[DocumentNotes] = reactive(DocumentNotes)
    """The tags and note of ``document``."""
    current_annotation: reactive[str | None] = reactive(None)
    """The id of the current annotation (what ``e``, ``d`` and ``c`` act on)."""
    sort_by: reactive[str] = reactive("name")
    """The document list's sort order."""
    show_documents: reactive[bool] = reactive(True)
    """Whether the document list is shown."""
    show_annotations: reactive[bool] = reactive(True)
    """Whether the annotation sidebar is shown."""

    def __init__(self, session: Session) -> None:
        """Create the screen state over ``session``."""
        super().__init__()
        self.session = session
        """The blocking side: library, loads, polls and ordered writes."""
        self.text = ""
        """The text of the current document."""
        self.opening = False
        """True while the current document is being read (not ``loading``: that is Widget's)."""
        self._load_serial = 0
        # The app's edits of the open document whose write is queued or failed.
        self._pending: dict[str, Annotation | None] = {}
        self._tokens: dict[Path, Token] = {}
        self._polling = False
        # Notes writes queued or failed: a poll must not show older notes from disk.
        self._notes_unsaved: Counter[Path] = Counter()
        self._tag_suggestions: set[str] = set()

    # ------------------------------------------------------------- accessors

    @property
    def paths(self) -> list[Path]:
        """The paths the library is opened from."""
        return self.session.paths

    @property
    def library(self) -> Library | None:
        """The opened library (``None`` until the opening worker is done)."""
        return self.session.library

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

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notify ``message`` shown literally (``markup`` defaults to False here).

        Messages carry quotes, titles and paths: as markup, a ``[/]`` in them
        would raise ``MarkupError`` in the toast's render and crash the app; and
        their control characters must not reach the terminal either.
        """
        super().notify(
            visible(message),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def _focus_within(self, selector: str) -> bool:
        focused = self.focused
        containers = self.query(selector)
        if focused is None or not containers:
            return False
        return containers.first() in focused.ancestors_with_self

    def _annotation(self, annotation_id: str | None) -> Annotation | None:
        for annotation in self.annotations:
            if annotation.id == annotation_id:
                return annotation
        return None

    def _set_stats(self, info: DocumentInfo) -> None:
        stats = dict(self.stats)
        stats[info.path] = DocumentStats(len(self.annotations), self.notes.tags)
        self.stats = stats

    def open_document(
        self,
        info: DocumentInfo,
        *,
        cursor: int | None = None,
        selection: tuple[int, int] | None = None,
        annotation: str | None = None,
    ) -> None:
        """Open ``info``, then place the cursor, a selection or an annotation in it."""
        raise NotImplementedError

    # ------------------------------------------------------------------ writes

    def _write(
        self,
        root: Path,
        what: str,
        op: Callable[[FolderStore], None],
        done: Callable[[], None] | None = None,
    ) -> None:
        """Queue ``op`` on ``root``'s store; writes run in order, off the UI thread."""
        if self.library is None:
            return
        self.session.queue(Write(root, what, op, done))
        self._drain_writes()

    @work(thread=True, group="writes")
    def _drain_writes(self) -> None:
        def report(job: Write, outcome: Token | Exception, location: Path | None) -> None:
            self.app.call_from_thread(self._write_reported, job, outcome, location)

        self.session.drain(report)

    def _write_reported(
        self, job: Write, outcome: Token | Exception, location: Path | None
    ) -> None:
        if not isinstance(outcome, Exception):
            self._tokens[job.root] = outcome
            if job.done is not None:
                job.done()
            return
        self.notify(
            f"Could not save {job.what} in {location or job.root}: {outcome}\n"
            "The change is kept in this session but is NOT saved.",
            title="Not saved",
            severity="error",
            timeout=15,
        )

    def _save_position(self) -> None:
        info = self.document
        if info is None or self.opening or not info.readable:
            return
        relpath, offset = info.relpath, self.reader.cursor
        self._write(
            info.root, "reading position", lambda store: store.set_reading_position(relpath, offset)
        )

    async def flush(self) -> None:
        """Save the reading position and wait until every queued write is done."""
        self._save_position()
        writers = [w for w in self.app.workers if w.node is self and w.group == "writes"]
        await self.app.workers.wait_for_complete(writers)

    async def action_quit(self) -> None:
        """Save the reading position, then quit."""
        await self.flush()
        self.app.exit()

    # ------------------------------------------------- changes by other processes

    def check_for_changes(self) -> None:
        """Reload the current document's annotations if another process changed the store."""
        info = self.document
        if info is None or self.library is None or self.opening or self._polling:
            return
        self._polling = True
        self._poll_store(info, self._load_serial, self._tokens.get(info.root))

    @work(thread=True, group="poll")
    def _poll_store(self, info: DocumentInfo, serial: int, known: Token | None) -> None:
        self.session.poll(
            info, known, lambda polled: self.app.call_from_thread(self._poll_done, serial, polled)
        )

    def _poll_done(self, serial: int, polled: Polled | None) -> None:
        self._polling = False
        if polled is None or serial != self._load_serial or self.opening:
            return
        info = polled.document
        self._tokens[info.root] = polled.token
        # The app's own edits not yet confirmed saved win over what is on disk;
        # the reactives are only set on a real difference (no churn after own writes).
        annotations = merge_pending(polled.annotations, self._pending)
        if annotations != self.annotations:
            self.annotations = annotations
            if self._annotation(self.current_annotation) is None:
                self.current_annotation = None
        if polled.notes != self.notes and self._notes_unsaved[info.path] <= 0:
            self.notes = polled.notes
        if self.stats.get(info.path, DocumentStats()) != DocumentStats(
            len(self.annotations), self.notes.tags
        ):
            self._set_stats(info)
