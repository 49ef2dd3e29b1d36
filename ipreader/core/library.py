"""The opened paths grouped into collections: a root folder, its store and its documents.

A *collection* is one root folder (a folder given on the command line, or the
parent of a file given there), the ``FolderStore`` holding its annotations and
the ``DocumentInfo`` of its articles. ``Library`` is what the CLI and the TUI
open; it never imports Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core import paths
from ipreader.core.discovery import discover
from ipreader.core.documents import DocumentInfo, DocumentText, read_document
from ipreader.core.errors import DocumentError
from ipreader.core.fit import fitted
from ipreader.core.model import Annotation
from ipreader.core.notices import Notices
from ipreader.core.store import FolderStore, StoredDocument
from ipreader.core.text_version import TextVersion

if TYPE_CHECKING:
    from ipreader.core.relink import MissingDocument

#: Name of the metadata cache file inside a store's location.
CACHE_FILENAME = "cache.json"

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def is_bundled(root: Path) -> bool:
    """Return True when ``root`` is the bundled seeds folder or lies inside the installed package.

    Such folders are read-only for ipreader: their annotations go to the
    per-user fallback directory so an installed package is never written to.
    """
    resolved = root.resolve()
    if resolved == paths.seeds_dir().resolve():
        return True
    return resolved == _PACKAGE_DIR or _PACKAGE_DIR in resolved.parents


def open_store(root: Path, notices: Notices | None = None) -> FolderStore:
    """Open the store of ``root``, forcing the per-user fallback location for bundled folders.

    ``FolderStore.open`` alone decides by trying to write ``<root>/.ipreader``,
    which succeeds inside a user-owned virtualenv; bundled folders must never be
    written, so their store goes to the fallback directory directly.
    """
    return FolderStore.open(root, use_fallback=is_bundled(root), notices=notices)


@dataclass(frozen=True, slots=True)
class CurrentDocument:
    """A readable document's text and stored record, its annotations reconciled with the text."""

    info: DocumentInfo
    """The article."""
    text: str
    """Its decoded, newline-normalised text, as read now."""
    stored: StoredDocument
    """What its store holds about it (notes; annotations as stored)."""
    annotations: tuple[Annotation, ...]
    """Its annotations anchored against ``text`` (orphans kept), in document order."""
    version: TextVersion
    """Which bytes ``text`` was read from."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One read of an article with its annotations reconciled (``Library.read``)."""

    text: str
    """The decoded, newline-normalised text."""
    version: TextVersion
    """Which bytes it was read from (a save checks them: ``core/text_version.py``)."""
    annotations: list[Annotation]
    """Its annotations anchored against ``text`` (orphans kept), in document order."""
    text_changed: bool
    """True when the annotations were re-anchored: the text changed since last anchored."""


@dataclass
class Collection:
    """One root folder, the store of its annotations and its articles (sorted by relpath)."""

    root: Path
    """The folder whose store holds the annotations (absolute)."""
    store: FolderStore
    """The annotations of ``root``."""
    documents: list[DocumentInfo] = field(default_factory=list)
    """The articles of ``root``, readable or not, sorted by relative path."""
    missing: list[MissingDocument] = field(default_factory=list)
    """Documents the store holds data for whose file is gone (never hidden; see relink.py)."""


class Library:
    """Every collection opened from a list of command-line paths."""

    def __init__(self, collections: list[Collection], notices: Notices | None = None) -> None:
        self.collections = collections
        """The collections, in the order their roots were first named."""
        self.notices = Notices() if notices is None else notices
        """Messages for the user from the library and every store (one channel)."""

    @classmethod
    def open(
        cls,
        paths_: Sequence[Path],
        progress: Callable[[int, int], None] | None = None,
        store_opened: (
            Callable[[Path, list[Path], FolderStore], Mapping[Path, DocumentText]] | None
        ) = None,
        before_walk: Callable[[Path, FolderStore], Mapping[Path, DocumentText]] | None = None,
    ) -> Library:
        """Open ``paths_`` (folders and files); ``progress(done, total)`` reports metadata reads.

        ``store_opened(root, files, store)`` is called for each collection as soon
        as its store is open, before its articles' metadata is read (the slow
        part of a first open): the TUI reads and shows the first article then.
        It returns the reads it made (by path), used for their metadata.
        ``before_walk(root, store)`` is called the same way when a single folder
        is opened, with its store opened before the folder is walked (the walk
        of thousands of files takes longer than the store's open).
        Raises ``DocumentError`` for a missing path and ``StoreError`` when a
        store cannot be opened at all.
        """
        notices = Notices()
        # Opened before the walk, with what was read then (a single folder only: named
        # with others, a folder may be merged into another one's collection).
        early: tuple[Path, FolderStore, Mapping[Path, DocumentText]] | None = None
        if before_walk is not None and len(paths_) == 1 and Path(paths_[0]).is_dir():
            root = Path(paths_[0]).resolve()
            store = open_store(root, notices)
            early = (root, store, before_walk(root, store))
        unlisted: list[tuple[Path, str]] = []
        groups = discover([Path(p) for p in paths_], unlisted)
        for path, why in unlisted:
            notices.add(f"{path} {why}")
        folders = {Path(p).resolve() for p in paths_ if Path(p).is_dir()}
        total = sum(len(files) for _, files in groups)
        done_before = 0
        collections: list[Collection] = []
        for root, files in groups:
            read_early: Mapping[Path, DocumentText] = {}
            if early is not None and early[0] == root:
                _, store, read_early = early
            else:
                store = open_store(root, notices)
            already = {} if store_opened is None else store_opened(root, files, store)
            already = {**read_early, **already}
            # Imported once the app has shown its first article (store_opened), not before.
            from ipreader.core.metadata_cache import MetadataCache
            from ipreader.core.relink import relink_collection

            cache = MetadataCache(store.location / CACHE_FILENAME)
            offset = done_before

            def report(done: int, _count: int, offset: int = offset) -> None:
                # Progress is over the whole library, not per collection.
                if progress is not None:
                    progress(offset + done, total)

            infos = cache.infos(root, files, report, already)
            cache.save()
            infos.sort(key=lambda info: info.relpath)
            # Only a folder opened whole has its renamed and missing documents sought:
            # beside a file opened alone, the folder's other articles are not "missing".
            missing = relink_collection(store, root, infos) if root in folders else []
            collections.append(Collection(root, store, infos, missing))
            done_before += len(files)
        if progress is not None:
            progress(total, total)
        return cls(collections, notices)

    def documents(self) -> list[DocumentInfo]:
        """Return every document of every collection, collection by collection."""
        return [info for collection in self.collections for info in collection.documents]

    def collection_for(self, info: DocumentInfo) -> Collection:
        """Return the collection ``info`` belongs to (``KeyError`` when it is not opened)."""
        for collection in self.collections:
            if collection.root == info.root:
                return collection
        raise KeyError(f"{info.path} is not in an opened folder")

    def store_for(self, info: DocumentInfo) -> FolderStore:
        """Return the store that holds the annotations of ``info``."""
        return self.collection_for(info).store

    def current_documents(
        self,
        keep: Callable[[DocumentInfo, StoredDocument], bool],
        unreadable: Callable[[DocumentInfo, StoredDocument, str], None] | None = None,
    ) -> Iterator[CurrentDocument]:
        """Yield the readable documents the stores know and ``keep`` accepts, read now.

        Per collection the store is read once (``stored_documents``); documents
        whose content changed since their annotations were anchored are
        reconciled (re-anchored and saved) together, under one lock hold.
        Files that cannot be read (binary, undecodable, gone since the listing)
        are skipped; ``unreadable``, when given, is told of each one ``keep``
        accepts, with the reason. Collection by collection, each in
        relative-path order.
        """
        for collection in self.collections:
            stored = collection.store.stored_documents()
            found: dict[str, CurrentDocument] = {}
            stale: list[tuple[str, str, str]] = []
            for info in collection.documents:
                record = stored.get(info.relpath)
                if record is None or not keep(info, record):
                    continue  # keep() first filters out what is not worth reading
                if not info.readable:
                    if unreadable is not None:
                        unreadable(info, record, info.error or "cannot be read")
                    continue
                try:
                    document = read_document(info.path)
                except DocumentError as error:
                    if unreadable is not None:
                        unreadable(info, record, str(error))
                    continue
                text = document.text
                # As stored while the text is the one they were anchored in (fitted).
                placed = tuple(fitted(text, record.annotations))
                found[info.relpath] = CurrentDocument(
                    info, text, record, placed, TextVersion.of(document)
                )
                if record.sha256 != document.sha256:
                    stale.append((info.relpath, document.sha256, text))
            if stale:
                for relpath, annotations in collection.store.reconcile_many(stale).items():
                    found[relpath] = replace(found[relpath], annotations=tuple(annotations))
            yield from found.values()

    def load(self, info: DocumentInfo) -> tuple[str, list[Annotation]]:
        """Read ``info``'s text and return it with its reconciled annotations.

        Raises ``DocumentError`` when the file cannot be read or decoded.
        """
        reading = self.read(info)
        return reading.text, reading.annotations

    def read(self, info: DocumentInfo, already: DocumentText | None = None) -> Reading:
        """Read ``info`` and reconcile its annotations: ``load`` plus what was read, and whether
        the text changed since the annotations were anchored (``DocumentError`` when unreadable).

        ``already`` is a read of ``info`` made moments ago (the first article,
        shown before the library was open): used instead of reading again while
        the file's size and time are still its. Either way the reading's version
        is that of the text returned, so a save still checks the right bytes.
        """
        document = already
        if document is None or TextVersion.of(document).looks_unchanged(info.path) is not True:
            document = read_document(info.path)
        store = self.store_for(info)
        before = store.anchored_sha256(info.relpath)
        annotations = store.reconcile(info.relpath, document.sha256, document.text)
        changed = bool(annotations) and before != document.sha256
        return Reading(document.text, TextVersion.of(document), annotations, changed)
