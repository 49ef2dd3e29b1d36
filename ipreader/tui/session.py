"""The blocking work behind the main screen, kept Textual-free.

``Session`` opens the library, loads documents, reads changes made by other
processes and gathers every highlight. Every method may block on disk I/O:
the main screen calls them from thread workers only, which post the results
back as messages. (Writes are the writer's: ``tui/writer.py``.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core.documents import DocumentInfo, DocumentText
from ipreader.core.errors import IpreaderError
from ipreader.core.model import Annotation, DocumentNotes, tag_key
from ipreader.core.pacing import stepped
from ipreader.tui.first_text import FirstText, read_first
from ipreader.tui.pending import ordered_as
from ipreader.tui.reader.reflow import looks_hard_wrapped

if TYPE_CHECKING:
    from ipreader.core.codebook import Codebook

    # Imported where used: the store layer (TinyDB, filelock, rapidfuzz...) loads
    # in the opening thread, while the UI thread builds the first frame.
    from ipreader.core.library import Library
    from ipreader.core.relink import MissingDocument
    from ipreader.core.review import ReviewItem
    from ipreader.core.store import FolderStore
    from ipreader.core.text_version import TextVersion

#: A stat-based token of a store's files (``FolderStore.change_token``).
Token = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DocumentStats:
    """What the document list shows about a document besides its metadata."""

    highlights: int = 0
    """Number of highlights on the document."""
    tags: tuple[str, ...] = ()
    """The document's own tags."""
    highlight_tags: frozenset[str] = frozenset()
    """The tags of its highlights (as written), for ``tag:`` filters."""

    @classmethod
    def of(cls, annotations: Sequence[Annotation], tags: tuple[str, ...]) -> DocumentStats:
        """Return the stats of a document with ``annotations`` and its own ``tags``."""
        return cls(len(annotations), tags, frozenset(t for a in annotations for t in a.tags))


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
    """``first`` already read (``open`` reads it), else ``None``."""
    missing: list[DocumentInfo] = field(default_factory=list)
    """Articles with annotations whose file is gone (``relink.MissingDocument.info``)."""
    me: str = ""
    """Who is annotating (``identity.current_user``: may ask git, so asked here)."""
    codebooks: dict[Path, Codebook] = field(default_factory=dict)
    """Each folder's codebook (tag descriptions, colour meanings), by root."""

    def documents(self) -> list[DocumentInfo]:
        """Every document the list shows: the library's, then the missing ones."""
        return [*self.library.documents(), *self.missing]


@dataclass(slots=True)
class Loaded:
    """A document's text and stored state, as read by ``Session.load``."""

    text: str
    annotations: Sequence[Annotation]
    """In document order, as an ordered tuple with its id index when ``Session.load`` made
    it (in the loading thread)."""
    notes: DocumentNotes
    position: int
    token: Token
    notices: list[str] = field(default_factory=list)
    """Store notices raised while reading it (e.g. a damaged file moved aside)."""
    hard_wrapped: bool = False
    """True when the text looks hard-wrapped (its paragraphs are reflowed by default)."""
    version: TextVersion | None = None
    """Which bytes ``text`` was read from (``None``: no text, e.g. a missing article)."""
    text_changed: bool = False
    """True when the text changed since the annotations were anchored (re-anchored now)."""
    missing: bool = False
    """True for an article no longer in its folder: no text, its highlights kept."""


@dataclass(slots=True)
class Gathered:
    """Every highlight of the library, for the highlights view (``gather_highlights``)."""

    entries: list[tuple[DocumentInfo, Annotation]]
    """Each highlight with its document."""
    document_tags: dict[Path, tuple[str, ...]]
    """Each tagged document's own tags, by absolute path (``tag:x`` matches them too)."""
    errors: list[str]
    """Stores that could not be read."""


@dataclass(frozen=True, slots=True)
class Polled:
    """What a change poll read after the store's token changed."""

    document: DocumentInfo
    token: Token
    annotations: list[Annotation]
    notes: DocumentNotes
    codebook: Codebook | None = None
    """The folder's codebook as read now (``None``: not read)."""


class Session:
    """The opened paths and, once open, their library."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = [Path(p) for p in paths]
        """The paths given on the command line."""
        self.library: Library | None = None
        """The library, once ``open`` has run."""

    def open(
        self,
        progress: Callable[[int, int], None] | None = None,
        first_read: Callable[[FirstText], None] | None = None,
        listed: Callable[[list[DocumentInfo]], None] | None = None,
        opened: Callable[[Opened], None] | None = None,
        walked: Callable[[Path, list[Path]], None] | None = None,
    ) -> Opened:
        """Open the library and read what the document list shows (raises ``IpreaderError``).

        ``first_read`` is given the article most likely opened first as soon as
        its store is open (see ``FirstText``), so it can be shown while the rest
        of the library is read; whichever article is opened first is in
        ``Opened.loaded`` all the same. ``listed`` is given every document the
        list shows (the very objects of ``Opened.documents()``) once they are
        known, before the stores' highlights are read for the list's counts.
        ``opened`` is given the library with its first document read, before
        those counts (no stats or tag suggestions yet, the notices so far); what is
        returned then holds the counts and the notices raised since. ``walked(root,
        files)`` is given each folder's articles once it is walked, before their
        metadata is read (the slow part of a first open).
        """
        from ipreader.core.library import Library

        early: list[FirstText] = []
        tried: set[Path] = set()  # read for the early paint and refused (see read_first)
        named_files = {Path(p).resolve() for p in self.paths if Path(p).is_file()}

        def store_opened(
            root: Path, files: list[Path] | None, store: FolderStore
        ) -> dict[Path, DocumentText]:
            # files is None before the folder is walked (a single folder opened): the
            # last article read is shown without waiting for a walk of thousands of files.
            if walked is not None and files is not None:
                walked(root, files)
            if first_read is None or early:
                return {}
            # Without a named file or a last-read one, the first article of the first
            # folder is the choice only when no other folder may hold a last-read one.
            found = read_first(root, files, store, named_files, len(self.paths) == 1, tried)
            if found is None:
                return {}
            early.append(found)
            first_read(found)
            return {found.path: found.document}  # its metadata from the same read

        library = Library.open(
            self.paths, progress, store_opened, before_walk=lambda r, s: store_opened(r, None, s)
        )
        collections = library.collections
        # Each folder's missing articles as opened: the counts below are read while the
        # app is in use, and a relink meanwhile drops one from the collection's list.
        missing_of = {
            c.root: [(gone, gone.info(c.root)) for gone in c.missing] for c in collections
        }
        missing = [info for pairs in missing_of.values() for _, info in pairs]
        if listed is not None:
            # The list can be shown now: reading every store for the counts (below)
            # takes longer than everything before it in a big folder.
            listed([*library.documents(), *missing])
        self.library = library
        errors: list[str] = []
        codebooks: dict[Path, Codebook] = {}
        for collection in collections:
            try:
                codebooks[collection.root] = collection.store.codebook()
            except IpreaderError as error:
                errors.append(str(error))
        first, named = self._first_document(library)
        loaded: Loaded | None = None
        if first is not None and first.readable:
            try:
                # Read here, in the opening thread, so the first paint shows the article.
                shown = early[0] if early and early[0].path == first.path else None
                if shown is None:
                    loaded = self.load(first)
                else:
                    loaded = self.load(first, shown.document, shown.annotations)
            except IpreaderError:
                loaded = None  # opened the usual way, which reports it
        from ipreader.core.identity import current_user

        me = current_user()
        notices = self.fresh_notices(errors)
        base = Opened(library, {}, set(), notices, first, named, loaded, missing, me, codebooks)
        if opened is not None:
            # The article can be opened now: in a folder of thousands, the counts below
            # (every store read) took longer than everything before them.
            opened(base)
            notices = []
        stats, suggestions, errors = self._count(library, missing_of)
        # After stored_documents: reading the annotation files may move a damaged one aside.
        notices = [*notices, *self.fresh_notices(errors)]
        return replace(base, stats=stats, tag_suggestions=suggestions, notices=notices)

    @staticmethod
    def _count(
        library: Library, missing_of: dict[Path, list[tuple[MissingDocument, DocumentInfo]]]
    ) -> tuple[dict[Path, DocumentStats], set[str], list[str]]:
        """Read every store for the list: each document's stats, the tags in use, errors."""
        stats: dict[Path, DocumentStats] = {}
        spellings: dict[str, str] = {}
        errors: list[str] = []
        for collection in library.collections:
            try:
                # One pass over the store's files for every document (thousands of them).
                stored = collection.store.stored_documents()
            except IpreaderError as error:
                errors.append(str(error))
                continue
            # 10,000 articles' counts: the list stays browsable meanwhile (stepped).
            for info in stepped(collection.documents):
                known = stored.get(info.relpath)
                if known is not None:
                    stats[info.path] = DocumentStats.of(known.annotations, known.notes.tags)
            for gone, info in missing_of[collection.root]:
                stats[info.path] = DocumentStats.of(gone.stored.annotations, gone.stored.notes.tags)
            for known in stepped(stored.values()):
                for tag in (*known.notes.tags, *(t for a in known.annotations for t in a.tags)):
                    # One spelling per tag (matching is case-insensitive), the first seen.
                    spellings.setdefault(tag_key(tag), tag)
        return stats, set(spellings.values()), errors

    def forget_vanished_paths(self) -> None:
        """Drop the command-line paths that no longer exist (an article renamed meanwhile),
        so the library can be opened again; when none is left, all are kept (and fail)."""
        self.paths = [path for path in self.paths if path.exists()] or self.paths

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

    def forget_missing(self, root: Path, relpath: str) -> None:
        """Stop listing ``relpath`` of ``root`` as missing (it was relinked)."""
        for collection in self.library.collections if self.library else ():
            if collection.root == root:
                collection.missing = [m for m in collection.missing if m.relpath != relpath]

    def store_at(self, root: Path) -> FolderStore:
        """Return the store of the collection rooted at ``root``."""
        if self.library is not None:
            for collection in self.library.collections:
                if collection.root == root:
                    return collection.store
        raise KeyError(root)

    def load(
        self,
        info: DocumentInfo,
        already: DocumentText | None = None,
        ordered: Sequence[Annotation] = (),
    ) -> Loaded:
        """Read ``info`` with its reconciled annotations, notes and reading position.

        A missing article has no text: its stored annotations are returned as
        they are (never re-anchored against nothing). ``already`` is a read of
        it just made (``Library.read``); ``ordered``, its annotations as that read
        ordered them, returned again when the store still holds the same ones.
        """
        from ipreader.core.relink import is_missing

        assert self.library is not None
        store = self.library.store_for(info)
        if is_missing(info):
            annotations, version, changed = store.annotations(info.relpath), None, False
            text = ""
        else:
            reading = self.library.read(info, already)
            text, annotations = reading.text, reading.annotations
            version, changed = reading.version, reading.text_changed
        return Loaded(
            text=text,
            annotations=ordered_as(annotations, ordered),
            notes=store.document_notes(info.relpath),
            position=store.reading_position(info.relpath),
            token=store.change_token(),
            notices=self.fresh_notices(),
            hard_wrapped=looks_hard_wrapped(text),
            version=version,
            text_changed=changed,
            missing=is_missing(info),
        )

    def read_if_changed(self, info: DocumentInfo, version: TextVersion) -> Loaded | None:
        """Read ``info`` again if its file's size or time is no longer ``version``'s.

        Cheap while unchanged (one ``stat``). Raises ``IpreaderError`` when the
        file is gone or cannot be read any more.
        """
        from ipreader.core.errors import DocumentError

        unchanged = version.looks_unchanged(info.path)
        if unchanged is None:
            raise DocumentError(info.path, "the file is no longer there (moved or deleted)")
        # Changed size or time: read it (a touch gives the same text under a new version).
        return None if unchanged else self.load(info)

    def read_changes(self, info: DocumentInfo, known: Token | None) -> Polled | None:
        """Read ``info``'s annotations and notes again if its store changed since ``known``.

        ``None`` when nothing changed or the store cannot be read now (the next
        poll tries again).
        """
        try:
            store = self.store_at(info.root)
            token = store.change_token()
            if token == known:
                return None
            return Polled(
                info,
                token,
                store.annotations(info.relpath),
                store.document_notes(info.relpath),
                store.codebook(),
            )
        except (IpreaderError, OSError, KeyError):
            return None

    def gather_highlights(self) -> Gathered:
        """Return every stored highlight with its document, each document's own tags,
        and error messages."""
        gathered = Gathered([], {}, [])
        for collection in self.library.collections if self.library else ():
            try:
                stored = collection.store.all_annotations()
                tags = collection.store.documents_tags()
            except IpreaderError as error:
                gathered.errors.append(str(error))
                continue
            entries = gathered.entries
            for info in collection.documents:
                entries.extend((info, a) for a in stored.get(info.relpath, ()))
                if info.relpath in tags:
                    gathered.document_tags[info.path] = tags[info.relpath]
            for gone in collection.missing:  # never hidden: listed as missing
                gone_info = gone.info(collection.root)
                entries.extend((gone_info, a) for a in stored.get(gone.relpath, ()))
                if gone.relpath in tags:
                    gathered.document_tags[gone_info.path] = tags[gone.relpath]
        return gathered

    def gather_review(self, only: DocumentInfo | None) -> list[ReviewItem]:
        """Return what the review screen asks about, in ``only`` or the whole library."""
        from ipreader.core.review import gather_review

        return [] if self.library is None else gather_review(self.library, only)
