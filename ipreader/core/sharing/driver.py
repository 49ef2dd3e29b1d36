"""``ipreader merge-driver %O %A %B %P``: git's merge driver for a folder's store files.

git gives the ancestor's version (``%O``), ours (``%A``, where the result
goes), theirs (``%B``) and the path in the work tree (``%P``), and reads a
clean merge from exit status 0. Each file is merged record by record
(``three_way``); the versions not kept go to ``conflicts.json`` in the
file's store directory (``.ipreader/``) before the result is written, so a
merge that cannot log leaves git's conflict, never a silent loss. The
metadata cache (``cache.json``, rebuilt from the articles) keeps our
version. Any other file that is not a TinyDB JSON file on either side is
left to git (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ipreader.core.errors import StoreError
from ipreader.core.sharing.conflict_log import log_conflicts
from ipreader.core.sharing.layout import (
    CACHE_FILES,
    STORE_DIR_NAME,
    encode_tables,
    store_dir_of,
)
from ipreader.core.sharing.three_way import merge_tables
from ipreader.core.storage import (
    CorruptDatabaseError,
    Tables,
    atomic_write_bytes,
    decode_database,
    read_regular_file,
)
from ipreader.core.store.formats import LOCK_FILE
from ipreader.core.store.lock import FolderLock

#: Exit status when the merge is left to git (its conflict stays).
EXIT_CONFLICT = 1

#: Seconds to wait for an ipreader writing the store while git merges it.
LOCK_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class DriverResult:
    """What the driver did: git's exit status and the lines to print."""

    status: int
    """0: merged cleanly; ``EXIT_CONFLICT``: git's conflict is left."""
    messages: tuple[str, ...] = ()
    """What to tell the person merging (empty when there is nothing to say)."""


def _read(path: Path, role: str, *, empty_ok: bool) -> Tables:
    """Read one version; ``StoreError`` says which version and why it cannot be merged."""
    try:
        # Bounded and never blocking: a FIFO or a device given as a version is refused,
        # not waited on; a file over a store file's limit is not read.
        _stat, found = read_regular_file(path, follow_links=True)
    except OSError as error:
        raise StoreError(f"{role} ({path}) cannot be read: {error.strerror or error}") from None
    except StoreError as error:  # a FIFO, a device, a directory, too large
        raise StoreError(f"{role} cannot be read: {error}") from None
    raw = found or b""
    if not raw and empty_ok:
        return {}  # no common ancestor: git passes an empty file
    try:
        return decode_database(path, raw)
    except CorruptDatabaseError as error:
        raise StoreError(f"{role} is not an ipreader store file ({error.reason})") from None


def merge_driver(ancestor: Path, ours: Path, theirs: Path, name: str) -> DriverResult:
    """Merge the three versions git gives into ``ours``; never raises for bad input.

    ``name`` is the file's path in the work tree (git's ``%P``), relative to
    the current directory (git runs drivers at the top of the work tree).
    """
    shown = PurePosixPath(name)
    if shown.name in CACHE_FILES and shown.parent.name == STORE_DIR_NAME:
        return DriverResult(0)  # only a cache: ours is as good as theirs, and is left in %A
    try:
        base = _read(ancestor, "the common ancestor's version", empty_ok=True)
        mine = _read(ours, "this branch's version", empty_ok=False)
        other = _read(theirs, "the other branch's version", empty_ok=False)
    except StoreError as error:
        return DriverResult(EXIT_CONFLICT, (f"{name}: left to git as a conflict: {error}",))
    store_dir = store_dir_of(shown)
    relative = shown.relative_to(store_dir).as_posix()
    merged = merge_tables(base, mine, other, file=relative)
    messages: list[str] = []
    try:
        if merged.conflicts:
            directory = Path(store_dir)
            directory.mkdir(parents=True, exist_ok=True)
            lock = FolderLock(directory / LOCK_FILE, timeout=LOCK_TIMEOUT)
            with lock.hold():
                logged = log_conflicts(directory, merged.conflicts, source=f"git merge of {name}")
            if logged.set_aside is not None:
                messages.append(
                    f"{logged.path} could not be read; it was moved aside to "
                    f"{logged.set_aside} (nothing deleted) and a new log started"
                )
            messages.append(
                f"{name}: merged; {len(merged.conflicts)} version(s) not kept are in "
                f"{logged.path} (kept and lost side by side)"
            )
        atomic_write_bytes(ours, encode_tables(merged.tables))
    except (StoreError, OSError) as error:
        return DriverResult(EXIT_CONFLICT, (f"{name}: left to git as a conflict: {error}",))
    return DriverResult(0, tuple(messages))
