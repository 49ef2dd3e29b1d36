"""The document list kept live: articles added or removed, counts changed by other programs.

``ListWatch.check`` runs in a thread worker every few seconds. While nothing
changed it costs a ``stat`` per directory holding a listed article (and the
folder itself) and the store's four (``FolderStore.change_token``): adding,
removing or renaming a file changes its directory's time, and any write to a
store (an ``ipreader import`` from the command line, another app) changes its
token. Then only what changed is read again: the folder walked (``discover``)
and the new articles read for their titles when a directory changed; the
store's records (``stored_documents``, through its read cache: only the files
that changed are decoded) for the counts when its token changed.

An article removed whose store holds highlights, tags or a note stays listed:
opening it says it is gone and looks for it (relinked when renamed, else
listed as missing), as the app does for the open article. Only folders opened
whole are walked again; articles opened one by one are not joined by their
neighbours. Textual-free: the screen's loader calls it and posts the result.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection as Paths
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ipreader.core.errors import IpreaderError
from ipreader.tui.session import DocumentStats, Token

if TYPE_CHECKING:
    from ipreader.core.documents import DocumentInfo
    from ipreader.core.library import Collection, Library
    from ipreader.core.store import StoredDocument


@dataclass(frozen=True, slots=True)
class ListChange:
    """What changed in the listed folders since the last check."""

    added: tuple[DocumentInfo, ...] = ()
    """Articles new in a folder (each collection's, sorted by relative path)."""
    removed: frozenset[Path] = frozenset()
    """Articles gone from their folder that the store holds nothing for."""
    stats: Mapping[Path, DocumentStats] = field(default_factory=dict)
    """The counts of every article of each folder whose store changed (and of the new ones)."""

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.stats)


@dataclass(slots=True)
class _Seen:
    """What the list last showed of one folder."""

    directories: dict[str, int]
    """Each directory holding a listed article (and the folder), with its ``st_mtime_ns``."""
    token: Token | None
    """The store's change token when its counts were last read (None: unreadable)."""


class ListWatch:
    """The listed folders' directory times and store tokens, and what changed since."""

    def __init__(self, paths: Paths[Path]) -> None:
        """Watch the library opened from ``paths``: its folders named whole are walked
        again when one of their directories changes."""
        self._paths = tuple(paths)
        self._whole: frozenset[Path] | None = None  # resolved at the first check (stats)
        self._seen: dict[Path, _Seen] = {}
        self._lock = threading.Lock()  # ``wrote`` runs in the writer's thread

    def check(self, library: Library) -> ListChange:
        """What changed in ``library``'s folders since the last check (nothing, the first
        time: then what it holds is only noted)."""
        if self._whole is None:
            self._whole = frozenset(p.resolve() for p in self._paths if p.is_dir())
        added: list[DocumentInfo] = []
        removed: set[Path] = set()
        stats: dict[Path, DocumentStats] = {}
        for collection in library.collections:
            root = collection.root
            seen = self._seen.get(root)
            store = collection.store
            try:
                token: Token | None = store.change_token()
            except (IpreaderError, OSError):
                token = None  # unreadable now: the next check tries again
            if seen is None:
                self._seen[root] = _Seen(self._directories(collection), token)
                continue
            walked = root in self._whole and _changed(seen.directories)
            with self._lock:
                if not walked and (token is None or _same(token, seen.token)):
                    continue
            try:
                # This process's parses: unchanged files are not parsed again, and the
                # user's read cache is not written again for each change (0.9 s of 1.3 s).
                stored = store.stored_documents(persist=False)
            except (IpreaderError, OSError):
                continue  # the next check tries again
            documents = collection.documents
            if walked:
                new, gone = _walk_again(collection, stored)
                added.extend(new)
                removed.update(gone)
                documents = [*(d for d in documents if d.path not in gone), *new]
                documents.sort(key=lambda info: info.relpath)
                collection.documents = documents  # one reference swap: readers see either
                seen.directories = self._directories(collection)
            # Every count, not those that differ from the last sent: the app's own writes
            # change the list between two checks (its rows follow them), unseen here.
            for info in documents:
                known = stored.get(info.relpath)
                stats[info.path] = (
                    DocumentStats()
                    if known is None
                    else DocumentStats.of(known.annotations, known.notes.tags)
                )
            with self._lock:
                seen.token = token
        return ListChange(tuple(added), frozenset(removed), stats)

    def wrote(self, root: Path, before: Token, after: Token) -> None:
        """The app wrote to ``root``'s store, taking its token from ``before`` to ``after``:
        when the list had seen ``before``, it has seen ``after`` (not read again for it)."""
        with self._lock:
            seen = self._seen.get(root)
            if seen is not None and _same(before, seen.token):
                seen.token = after

    def _directories(self, collection: Collection) -> dict[str, int]:
        """Each directory of ``collection`` holding a listed article, and its folder, with
        their times (a directory gone: -1)."""
        root = str(collection.root)
        names = {root}
        for info in collection.documents:
            parent = os.path.dirname(info.path)
            # Up to the folder: a new sub-folder changes the time of the one holding it.
            while parent not in names and len(parent) > len(root):
                names.add(parent)
                parent = os.path.dirname(parent)
        return {name: _mtime(name) for name in names}


#: The parts of a change token that are stat results (a token taken within moments of a
#: write adds a nonce: ``Catalog.change_token``).
_STAT_PARTS = 12


def _same(token: Token, other: Token | None) -> bool:
    """True when two tokens hold the same stat results, whatever their nonces.

    The nonce makes a token taken within ~0.1 s of a write (2 s on a coarse file
    system) differ from every other, so that a second write in the same clock
    tick is never missed; for the list's counts (a display, re-read at the next
    change) the stats suffice, and the app's own write, whose token after is always
    that recent, would otherwise have the store read again.
    """
    return other is not None and token[:_STAT_PARTS] == other[:_STAT_PARTS]


def _mtime(directory: str) -> int:
    try:
        return os.stat(directory).st_mtime_ns
    except OSError:
        return -1


def _changed(directories: Mapping[str, int]) -> bool:
    return any(_mtime(name) != mtime for name, mtime in directories.items())


def _walk_again(
    collection: Collection, stored: Mapping[str, StoredDocument]
) -> tuple[list[DocumentInfo], set[Path]]:
    """The articles new in ``collection``'s folder (read for their titles), and the listed
    ones gone from it that its store holds nothing for."""
    from ipreader.core.discovery import discover
    from ipreader.core.documents import load_info

    try:
        groups = discover([collection.root])
    except IpreaderError:
        return [], set()  # the folder itself is gone: the open article's watch says so
    files = {path for _root, paths in groups for path in paths}
    listed = {info.path for info in collection.documents}
    new = [load_info(collection.root, path) for path in sorted(files - listed)]
    gone = {
        info.path
        for info in collection.documents
        if info.path not in files and (info.relpath not in stored or stored[info.relpath].empty)
    }
    return new, gone
