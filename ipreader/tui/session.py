"""The blocking work behind the main screen, kept Textual-free.

``Session`` opens the library, loads documents, polls for changes made by
other processes and runs database writes in order. Every method may block on
disk I/O: the main screen calls them from thread workers only, and applies
the results on the UI thread. Pure helpers for the app's view of a
document's annotations (merging unsaved edits over what is on disk) live
here too, so they are testable without a terminal.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core.documents import DocumentInfo
from ipreader.core.errors import IpreaderError
from ipreader.core.model import Annotation, DocumentNotes, tag_key

if TYPE_CHECKING:
    # Imported where used: the store layer (TinyDB, filelock, rapidfuzz...) loads
    # in the opening thread, while the UI thread builds the first frame.
    from ipreader.core.library import Library
    from ipreader.core.store import FolderStore

#: A stat-based token of a store's files (``FolderStore.change_token``).
Token = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DocumentStats:
    """What the document list shows about a document besides its metadata."""

    highlights: int = 0
    """Number of highlights on the document."""
    tags: tuple[str, ...] = ()
    """The document's own tags."""


@dataclass(slots=True)
class Opened:
    """The result of opening the library."""

    library: Library
    stats: dict[Path, DocumentStats]
    """Highlight count and tags of every document, by absolute path."""
    tag_suggestions: set[str]
    """Every tag in use (for the editors' completion)."""
    notices: list[str]
    """Messages for the user (fallback directory used, corrupt file moved aside...)."""
    first: DocumentInfo | None
    """The document to open first."""
    named: bool
    """True when ``first`` was named on the command line (a file argument)."""
    loaded: Loaded | None = None
    """``first`` already read (``start_open`` reads it), else ``None``."""


@dataclass(slots=True)
class Loaded:
    """A document's text and stored state, as read by ``Session.load``."""

    text: str
    annotations: list[Annotation]
    notes: DocumentNotes
    position: int
    token: Token
    notices: list[str] = field(default_factory=list)
    """Store notices raised while reading it (e.g. a damaged file moved aside)."""


@dataclass(frozen=True, slots=True)
class Polled:
    """What a change poll read after the store's token changed."""

    document: DocumentInfo
    token: Token
    annotations: list[Annotation]
    notes: DocumentNotes


@dataclass(slots=True)
class Write:
    """One queued database write, with what to call on the UI side afterwards."""

    root: Path
    """The collection whose store is written."""
    what: str
    """What is saved, for an error message ("a highlight", ...)."""
    op: Callable[[FolderStore], None]
    """The write itself (runs in a worker thread)."""
    done: Callable[[], None] | None = None
    """Called (on the UI thread) after success."""


def sort_annotations(annotations: Iterable[Annotation]) -> tuple[Annotation, ...]:
    """Return ``annotations`` in document order."""
    return tuple(sorted(annotations, key=lambda a: (a.start, a.end, a.id)))


def replace_annotation(
    annotations: Iterable[Annotation], before: Annotation | None, after: Annotation | None
) -> tuple[Annotation, ...]:
    """Return ``annotations`` with ``before`` replaced by ``after`` (either may be ``None``)."""
    gone = {a.id for a in (before, after) if a is not None}
    kept = [a for a in annotations if a.id not in gone]
    if after is not None:
        kept.append(after)
    return sort_annotations(kept)


def merge_pending(
    stored: Iterable[Annotation], pending: Mapping[str, Annotation | None]
) -> tuple[Annotation, ...]:
    """Return ``stored`` with the app's unsaved edits on top (``None`` = deleted here)."""
    merged = {a.id: a for a in stored}
    for annotation_id, mine in pending.items():
        if mine is None:
            merged.pop(annotation_id, None)
        else:
            merged[annotation_id] = mine
    return sort_annotations(merged.values())


class Session:
    """The opened paths, their library once open, and the ordered queue of writes."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = [Path(p) for p in paths]
        """The paths given on the command line."""
        self.library: Library | None = None
        """The library, once ``open`` has run."""
        self.progress: tuple[int, int] | None = None
        """``(done, total)`` of the opening started by ``start_open`` (read by the UI)."""
        self._writes: deque[Write] = deque()
        # Held while the queue drains and while a poll reads then applies its result.
        self._lock = threading.Lock()
        self._opening: Future[Opened] | None = None

    def start_open(self) -> Future[Opened]:
        """Start opening the library in a background thread (once); return its future.

        The thread also reads the first document, so the reading pane can show
        it as soon as the UI takes the result. Progress goes to ``progress``:
        the thread never waits for the UI.
        """
        if self._opening is None:
            future: Future[Opened] = Future()
            self._opening = future

            def report(done: int, total: int) -> None:
                self.progress = (done, total)

            def run() -> None:
                try:
                    opened = self.open(report)
                except BaseException as error:  # handed to whoever waits on the future
                    future.set_exception(error)
                    return
                if opened.first is not None and opened.first.readable:
                    try:
                        opened.loaded = self.load(opened.first)
                    except IpreaderError:
                        opened.loaded = None  # opened the usual way, which reports it
                future.set_result(opened)

            threading.Thread(target=run, name="ipreader-open", daemon=True).start()
        return self._opening

    def open(self, progress: Callable[[int, int], None] | None = None) -> Opened:
        """Open the library and read what the document list shows (raises ``IpreaderError``)."""
        from ipreader.core.library import Library

        library = Library.open(self.paths, progress)
        stats: dict[Path, DocumentStats] = {}
        suggestions: set[str] = set()
        spellings: dict[str, str] = {}
        errors: list[str] = []
        for collection in library.collections:
            try:
                # One pass over the store's files for every document (thousands of them).
                stored = collection.store.stored_documents()
            except IpreaderError as error:
                errors.append(str(error))
                continue
            for info in collection.documents:
                known = stored.get(info.relpath)
                if known is not None:
                    stats[info.path] = DocumentStats(len(known.annotations), known.notes.tags)
            for known in stored.values():
                for tag in (*known.notes.tags, *(t for a in known.annotations for t in a.tags)):
                    # One spelling per tag (matching is case-insensitive), the first seen.
                    spellings.setdefault(tag_key(tag), tag)
        suggestions.update(spellings.values())
        first, named = self._first_document(library)
        self.library = library
        # After stored_documents: reading the annotation files may move a damaged one aside.
        notices = self.fresh_notices(errors)
        return Opened(library, stats, suggestions, notices, first, named)

    def fresh_notices(self, extra: Sequence[str] = ()) -> list[str]:
        """Return the library's notices not returned before, then ``extra``."""
        found = self.library.notices.take() if self.library is not None else []
        return [*found, *extra]

    def _first_document(self, library: Library) -> tuple[DocumentInfo | None, bool]:
        """Return the file named on the command line, else the last read, else the first."""
        documents = library.documents()
        for path in self.paths:
            if path.is_file():
                wanted = path.resolve()
                for info in documents:
                    if info.path.resolve() == wanted:
                        return info, True
        for collection in library.collections:
            try:
                last = collection.store.last_document()
            except IpreaderError:
                last = None
            for info in collection.documents:
                if info.relpath == last:
                    return info, False
        candidates = [info for info in documents if info.readable] or documents
        return (candidates[0] if candidates else None), False

    def store_at(self, root: Path) -> FolderStore:
        """Return the store of the collection rooted at ``root``."""
        if self.library is not None:
            for collection in self.library.collections:
                if collection.root == root:
                    return collection.store
        raise KeyError(root)

    def load(self, info: DocumentInfo) -> Loaded:
        """Read ``info`` with its reconciled annotations, notes and reading position."""
        assert self.library is not None
        text, annotations = self.library.load(info)
        store = self.library.store_for(info)
        return Loaded(
            text=text,
            annotations=annotations,
            notes=store.document_notes(info.relpath),
            position=store.reading_position(info.relpath),
            token=store.change_token(),
            notices=self.fresh_notices(),
        )

    def poll(
        self, info: DocumentInfo, known: Token | None, apply: Callable[[Polled | None], None]
    ) -> None:
        """Read ``info``'s annotations again if its store changed since ``known``.

        ``apply`` receives the result (``None``: nothing changed or the read
        failed) while the write lock is still held: every edit the app made
        meanwhile is then still queued, so merging it over the result never
        shows a state older than the app's own.
        """
        with self._lock:
            polled: Polled | None = None
            try:
                store = self.store_at(info.root)
                token = store.change_token()
                if token != known:
                    polled = Polled(
                        info,
                        token,
                        store.annotations(info.relpath),
                        store.document_notes(info.relpath),
                    )
            except (IpreaderError, OSError, KeyError):
                polled = None
            apply(polled)

    def gather_highlights(self) -> tuple[list[tuple[DocumentInfo, Annotation]], list[str]]:
        """Return every stored highlight with its document, and error messages."""
        entries: list[tuple[DocumentInfo, Annotation]] = []
        errors: list[str] = []
        for collection in self.library.collections if self.library else ():
            try:
                stored = collection.store.all_annotations()
            except IpreaderError as error:
                errors.append(str(error))
                continue
            for info in collection.documents:
                entries.extend((info, a) for a in stored.get(info.relpath, ()))
        return entries, errors

    def queue(self, write: Write) -> None:
        """Add ``write`` to the queue (call ``drain`` from a worker to run it)."""
        self._writes.append(write)

    def drain(self, report: Callable[[Write, Token | Exception, Path | None], None]) -> None:
        """Run the queued writes in order; ``report(write, new token or error, location)``.

        Several workers may call this; the lock makes one of them run the queue
        in order while the others find it empty.
        """
        with self._lock:
            while self._writes:
                job = self._writes.popleft()
                location: Path | None = None
                try:
                    store = self.store_at(job.root)
                    location = store.location
                    job.op(store)
                    outcome: Token | Exception = store.change_token()
                except (IpreaderError, OSError, KeyError) as error:
                    outcome = error
                report(job, outcome, location)
