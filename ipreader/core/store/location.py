"""Where a folder's store lives, and getting that place ready.

``place`` chooses ``<root>/.ipreader`` or the per-user fallback directory
(``paths.py`` says where both are), probing writability by trying, and says
which other store of the folder ``fallback.py`` merges in. ``sweep_stale_temp_files``
removes the temp files a killed writer left behind.
"""

from __future__ import annotations

import os
import stat
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from ipreader.core.errors import StoreError, StoreWriteError
from ipreader.core.paths import fallback_store_dir, folder_store_dir
from ipreader.core.storage import TEMP_PREFIX, file_kind, quarantine
from ipreader.core.store.formats import (
    ANNOTATIONS_DIR,
    INDEX_FILE,
    LOCK_FILE,
    STATE_FILE,
    is_uuid,
)
from ipreader.core.store.lock import FolderLock

# Temp files written without the lock and older than this were left by a killed writer
# (no save takes this long).
_STALE_TEMP_SECONDS = 600

# The scratch files of probe_writable (written without the lock, by any process).
_PROBE_PREFIX = f"{TEMP_PREFIX}probe-"


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a store goes, and what the user must be told about it."""

    location: Path
    """The directory used."""
    notice: str | None = None
    """Why the fallback is used instead of the folder (None: nothing to tell)."""
    refusal: StoreError | None = None
    """Why nothing may be written (None: writable)."""
    merge_from: Path | None = None
    """Another store of the same folder to merge into this one (``fallback.py``)."""
    merge_back: bool = False
    """True when ``merge_from`` is the fallback, merged back into the folder's own store."""


def place(root: Path, *, use_fallback: bool) -> Placement:
    """Choose the store location of ``root``, and the other store to merge into it.

    ``<root>/.ipreader`` when it can be written (with the fallback to merge
    back, if one was used meanwhile), else the per-user fallback (with the
    folder's own store to merge in, if it has one). ``use_fallback`` goes
    straight to the fallback, never writing ``<root>`` (the bundled sample
    articles); that is the caller's choice, so it is not reported.
    """
    primary = folder_store_dir(root)
    fallback = fallback_store_dir(root)
    unsafe = None if use_fallback else unsafe_location(primary)
    # parents=False: never create the articles folder itself.
    problem = unsafe or (None if use_fallback else probe_writable(primary, parents=False))
    if problem is None and not use_fallback:
        used = (fallback / INDEX_FILE).exists()
        return Placement(primary, merge_from=fallback if used else None, merge_back=used)
    fallback_problem = probe_writable(fallback, parents=True)
    if fallback_problem is None:
        if use_fallback:
            return Placement(fallback)
        if unsafe is not None:
            # Nothing is read through it either: it may lead anywhere.
            return Placement(
                fallback,
                notice=f"{primary} is not used: {unsafe}; annotations for {root} are "
                f"saved in {fallback}",
            )
        return Placement(
            fallback,
            notice=f"{primary} cannot be written ({problem}); annotations for {root} "
            f"are saved in {fallback}",
            merge_from=primary if (primary / INDEX_FILE).exists() else None,
        )
    if use_fallback:
        refusal = f"{fallback} cannot be written ({fallback_problem})"
        location = fallback
    else:
        refusal = (
            f"neither {primary} ({problem}) nor {fallback} ({fallback_problem}) can be written"
        )
        readable = unsafe is None and (primary / INDEX_FILE).exists()
        location = primary if readable else fallback
    return Placement(
        location, refusal=StoreWriteError(f"{refusal}; annotations for {root} are read-only")
    )


def unsafe_location(directory: Path) -> str | None:
    """Why ``directory`` (a folder's ``.ipreader``) must not be used at all; ``None``: it may.

    A symbolic link (``.ipreader`` or its ``annotations``) could lead out of
    the folder -- to another folder's store, or to ``/tmp`` -- where ipreader
    would then replace, move aside and sweep files; anything but a directory
    cannot hold a store. Neither is followed, written or read.
    """
    for path in (directory, directory / ANNOTATIONS_DIR):
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            return None  # made fresh by the probe
        except OSError as error:
            return f"{path} cannot be examined ({error.strerror or error})"
        if stat.S_ISLNK(mode):
            return (
                f"{path} is a symbolic link, and ipreader keeps a folder's annotations "
                f"only inside the folder, so it never follows one"
            )
        if not stat.S_ISDIR(mode):
            return f"{path} is {file_kind(mode)}, not a directory"
    return None


def set_aside_odd_lock(location: Path) -> str | None:
    """Move a lock file that is not a regular file aside; return the notice (None: nothing odd).

    ``filelock`` refuses a link and cannot lock a directory, so such a ``lock``
    would refuse every save; ipreader never made it, so it is renamed (a link's
    target is never touched), never deleted.
    """
    path = location / LOCK_FILE
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None  # missing (made on the first save) or unreadable (the lock says why)
    if stat.S_ISREG(mode):
        return None
    try:
        moved = quarantine(path)
    except OSError as error:
        return f"{path} is {file_kind(mode)} and cannot be moved aside ({error.strerror or error})"
    return f"{path} was {file_kind(mode)}, not a lock file; it was moved aside to {moved}"


def probe_writable(directory: Path, *, parents: bool) -> str | None:
    """Create ``directory`` (and its annotations dir) and a scratch file in each.

    Returns ``None`` when writing works, else the reason. Writability is tested by
    trying, since permission bits lie (root, ACLs, read-only mounts).
    """
    try:
        directory.mkdir(parents=parents, exist_ok=True)
        for folder in (directory, directory / ANNOTATIONS_DIR):
            folder.mkdir(exist_ok=True)
            probe = folder / f"{_PROBE_PREFIX}{uuid.uuid4().hex[:12]}"
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            os.unlink(probe)
    except OSError as error:
        return error.strerror or str(error)
    for name in (INDEX_FILE, STATE_FILE):
        # A rename would replace a read-only file anyway; honour the owner's intent.
        if (directory / name).exists() and not os.access(directory / name, os.W_OK):
            return f"{directory / name} is read-only"
    return None


def _locked_writers_temp(path: Path, location: Path) -> bool:
    """True for a temp file only ever written under the lock (a store file's, never a probe's)."""
    if path.name.startswith(_PROBE_PREFIX):
        return False
    if location / ANNOTATIONS_DIR in (path.parent, path.parent.parent):
        return True  # an annotations file's, or a bucket file's (``buckets.py``)
    return path.name.startswith((f"{TEMP_PREFIX}{INDEX_FILE}-", f"{TEMP_PREFIX}{STATE_FILE}-"))


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    """The entries of ``folder`` ([] when it cannot be listed)."""
    try:
        with os.scandir(folder) as listing:
            return list(listing)
    except OSError:
        return []


def store_entries(location: Path) -> list[os.DirEntry[str]]:
    """The entries of the store's folders: itself, its annotations folder and the bucket
    directories of split documents (``buckets.py``); links to directories not followed.

    Where the store writes (temp files) and sets aside (``*.corrupt-*``) its files.
    One listing of each folder: the annotations folder holds a file per document
    (10,000 in a large folder), and every open sweeps it.
    """
    annotations = _entries(location / ANNOTATIONS_DIR)
    # A UUID has no dot: the ``.json`` files are told apart without the pattern.
    buckets = [
        entry
        for entry in annotations
        if "." not in entry.name and is_uuid(entry.name) and entry.is_dir(follow_symlinks=False)
    ]
    listings = [_entries(location), annotations]
    listings += [_entries(Path(bucket.path)) for bucket in buckets]
    return [entry for listing in listings for entry in listing]


def _temp_files(location: Path) -> list[Path]:
    """The temp files in the store's folders (``store_entries``)."""
    return [Path(e.path) for e in store_entries(location) if e.name.startswith(TEMP_PREFIX)]


def sweep_stale_temp_files(location: Path, lock: FolderLock) -> None:
    """Remove the temp files a dead writer left behind (only while nobody holds the lock).

    Store files are written under the lock, so while it is free their temp
    files belong to no one: they go at once, whatever their age (a killed
    import leaves one per document). Temp files written without the lock (the
    writability probe, the metadata cache) go once they are old enough that no
    live writer can own them.
    """
    with lock.hold_if_free() as free:
        if not free:
            return  # someone is writing; try again on a later open
        cutoff = time.time() - _STALE_TEMP_SECONDS
        for path in _temp_files(location):
            try:
                st = path.lstat()
                if stat.S_ISDIR(st.st_mode):
                    continue  # ipreader never makes a temp directory
                if _locked_writers_temp(path, location) or st.st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass  # best effort: a leftover temp file harms nothing
