"""The conflict copies sync tools leave in a store directory, merged into their original.

When two machines change the same file before a sync tool has passed the
change on, the tool keeps one version under the original name and the
other beside it:

* Syncthing: ``index.sync-conflict-20250102-150405-ABCDEFG.json``
* Dropbox: ``index (conflicted copy 2025-01-02).json`` and
  ``index (Jane's conflicted copy 2025-01-02).json``
* Nextcloud: ``index (conflicted copy 2025-01-02 150405).json``

When a store is opened (its lock held), each copy of a store file is merged
into its original with the merge of ``three_way`` (no common ancestor: every
record of either side is kept; one id on both keeps the newer version, the
other goes to ``conflicts.json``), the original replaced atomically, and the
copy moved into ``merged/`` -- nothing is deleted. A copy that cannot be
read is moved there too, unmerged, and named in the notice.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ipreader.core.errors import StoreError
from ipreader.core.pacing import stepped
from ipreader.core.storage import (
    TEMP_PREFIX,
    CorruptDatabaseError,
    atomic_write_bytes,
)
from ipreader.core.wording import plural, some_of

#: Where merged and unreadable copies go, inside the store directory.
MERGED_DIR = "merged"


# (tool, pattern): the pattern's "stem" and "ext" groups give the original's name.
_PATTERNS = (
    (
        "Syncthing",
        re.compile(r"(?P<stem>.+?)\.sync-conflict-\d{8}-\d{6}-[0-9A-Z]{7}(?P<ext>\.[^.]*)?"),
    ),
    (
        "Nextcloud",
        re.compile(r"(?P<stem>.+?) \(conflicted copy \d{4}-\d{2}-\d{2} \d{6}\)(?P<ext>\.[^.]*)?"),
    ),
    (
        "Dropbox",
        re.compile(
            r"(?P<stem>.+?) \((?:[^()/]+['’]s )?conflicted copy \d{4}-\d{2}-\d{2}"
            r"(?: \(\d+\))?\)(?P<ext>\.[^.]*)?"
        ),
    ),
)


# Every conflict copy's name holds one of these (a cheap test before the patterns).
_MARKS = (".sync-conflict-", "conflicted copy")


@dataclass(frozen=True, slots=True)
class SyncCopy:
    """One conflict copy and the file it is a version of."""

    path: Path
    """The copy."""
    original: Path
    """The file it is a copy of (which may be missing)."""
    tool: str
    """The sync tool that names copies this way."""


def sync_copy(path: Path) -> SyncCopy | None:
    """The conflict copy ``path`` is, by its name (``None``: not a conflict copy)."""
    for tool, pattern in _PATTERNS:
        match = pattern.fullmatch(path.name)
        if match is not None:
            name = match.group("stem") + (match.group("ext") or "")
            return SyncCopy(path, path.with_name(name), tool)
    return None


def find_sync_copies(location: Path) -> list[SyncCopy]:
    """The conflict copies anywhere in the store directory ``location`` (``merged/`` left out).

    A directory walk of the store: cheap next to reading it.
    """
    found: list[SyncCopy] = []
    for directory, folders, files in os.walk(location):
        here = Path(directory)
        if here == location:
            folders[:] = [name for name in folders if name != MERGED_DIR]
        # Copies are rare and the annotations folder holds a file per document: one
        # search of all the names spares a test per name (no mark holds the "\n"
        # joining them, so a name holding a mark is never missed).
        names = "\n".join(files)
        if not any(mark in names for mark in _MARKS):
            continue
        for name in stepped(sorted(files)):  # the app opening a big folder draws between
            # A substring test first: a store holds thousands of files, copies are rare.
            if name.startswith(TEMP_PREFIX) or not any(mark in name for mark in _MARKS):
                continue
            copy = sync_copy(here / name)
            if copy is not None:
                found.append(copy)
    return sorted(found, key=lambda c: str(c.path))


@dataclass
class SyncMerge:
    """What merging the conflict copies of one store did."""

    merged: list[str] = field(default_factory=list)
    """Copies merged into their original, each as ``"<copy> (<tool>)"``."""
    unreadable: list[str] = field(default_factory=list)
    """Copies moved aside unmerged (unreadable, or nothing to merge), each with the reason."""
    left: list[str] = field(default_factory=list)
    """Copies left where they are, each with the reason (tried again on the next open)."""
    conflicts: int = 0
    """Versions not kept, now in the conflict log."""

    def describe(self, location: Path) -> str | None:
        """One notice saying what was merged and where everything is (``None``: nothing)."""
        parts: list[str] = []
        aside = location / MERGED_DIR
        if self.merged:
            parts.append(
                f"merged {plural(len(self.merged), 'sync conflict copy', 'sync conflict copies')} "
                f"into their originals ({some_of(self.merged)}); the copies were moved to {aside}"
            )
        if self.conflicts:
            from ipreader.core.sharing.conflict_log import CONFLICTS_FILE

            parts.append(f"{self.conflicts} version(s) not kept are in {location / CONFLICTS_FILE}")
        if self.unreadable:
            parts.append(
                f"sync conflict copies moved to {aside} unmerged: {some_of(self.unreadable)}"
            )
        if self.left:
            parts.append(f"sync conflict copies left in place for now: {some_of(self.left)}")
        if not parts:
            return None
        return f"{location}: " + "; ".join(parts)


def _move_aside(location: Path, path: Path) -> Path:
    """Move ``path`` into ``merged/`` under its own name (numbered if taken); return where."""
    aside = location / MERGED_DIR
    aside.mkdir(exist_ok=True)
    target = aside / path.name
    number = 1
    while os.path.lexists(target):
        target = aside / f"{path.name}.{number}"
        number += 1
    os.replace(path, target)
    return target


def merge_sync_copies(location: Path) -> SyncMerge:
    """Merge every conflict copy in ``location`` into its original (the caller holds the lock)."""
    # Here, not at the top: every writable store's open looks for copies (this module),
    # and only a folder that has some needs the merge (most commands never do).
    from ipreader.core.sharing.conflict_log import log_conflicts
    from ipreader.core.sharing.layout import CACHE_FILES, encode_tables, read_tables_of
    from ipreader.core.sharing.three_way import merge_tables

    result = SyncMerge()
    for copy in find_sync_copies(location):
        shown = copy.path.relative_to(location).as_posix()
        if copy.original.suffix != ".json":
            _set_aside(result, location, copy, shown, "not a store file")
            continue
        if copy.original.parent == location and copy.original.name in CACHE_FILES:
            _set_aside(result, location, copy, shown, "a copy of the cache, rebuilt when needed")
            continue
        try:
            theirs = read_tables_of(copy.path)
        except CorruptDatabaseError as error:
            _set_aside(result, location, copy, shown, error.reason)
            continue
        except OSError as error:
            result.left.append(f"{shown} (cannot be read: {error.strerror or error})")
            continue
        try:
            ours = read_tables_of(copy.original)
        except (CorruptDatabaseError, OSError) as error:
            why = error.reason if isinstance(error, CorruptDatabaseError) else error.strerror
            result.left.append(f"{shown} (its original cannot be read: {why})")
            continue
        relative = copy.original.relative_to(location).as_posix()
        merged = merge_tables({}, ours, theirs, file=relative)
        try:
            # The log first: a loser must be somewhere before the original is replaced.
            if merged.conflicts:
                log_conflicts(location, merged.conflicts, source=f"{copy.tool} copy {shown}")
            if merged.changed or not copy.original.exists():
                atomic_write_bytes(copy.original, encode_tables(merged.tables))
            _move_aside(location, copy.path)
        except (StoreError, OSError) as error:
            result.left.append(f"{shown} ({error})")
            continue
        result.merged.append(f"{shown} ({copy.tool})")
        result.conflicts += len(merged.conflicts)
    return result


def _set_aside(result: SyncMerge, location: Path, copy: SyncCopy, shown: str, why: str) -> None:
    try:
        moved = _move_aside(location, copy.path)
    except OSError as error:
        result.left.append(f"{shown} ({why}; cannot be moved: {error.strerror or error})")
        return
    result.unreadable.append(f"{shown} ({why}) -> {moved.relative_to(location).as_posix()}")
