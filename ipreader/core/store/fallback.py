"""A folder's own store and its per-user fallback, kept in step (``merge.py`` merges).

* While the folder cannot be written, its annotations are saved in the
  fallback; every start merges the folder's own store into it first (when
  the folder's store changed since the last merge), so the fallback sees what
  others saved in the folder meanwhile.
* Once the folder can be written again, the fallback is merged back into it,
  with a notice, and then moved aside whole as ``<dir>.merged-<time>`` (kept,
  never deleted), so it is merged only once.

The store merged from is only read: its lock is refused, so a damaged file
there is reported, never moved.
"""

from __future__ import annotations

from pathlib import Path

from ipreader.core.errors import StoreError, StoreWriteError
from ipreader.core.notices import Notices
from ipreader.core.storage import MERGED_MARKER, quarantine
from ipreader.core.store.catalog import Catalog
from ipreader.core.store.formats import LOCK_FILE
from ipreader.core.store.lock import FolderLock
from ipreader.core.store.merge import merge_catalogs


def _reader(location: Path, notices: Notices) -> Catalog:
    """A catalog of ``location`` that can only read."""
    lock = FolderLock(location / LOCK_FILE, timeout=0)
    lock.refuse(StoreWriteError(f"{location} is only read here"))
    return Catalog(location, lock, notices)


def merge_back(folder: Catalog, fallback: Path, notices: Notices) -> str:
    """Merge the fallback into the folder's writable store, then move it aside; say what happened.

    ``notices`` gets what reading the fallback reports (bad records).
    """
    primary = folder.location
    saved = f"the annotations saved in {fallback} while {primary} could not be written"
    with FolderLock(fallback / LOCK_FILE, timeout=0).hold_if_free() as free:
        if not free:
            return f"{saved} are merged back once no other ipreader is using them"
        try:
            with folder.writing():
                result = merge_catalogs(_reader(fallback, notices), folder, source_recent=True)
        except StoreError as error:
            return (
                f"{saved} could not be merged back ({error}); they stay there and are "
                f"merged on the next start"
            )
        try:
            moved = quarantine(fallback, MERGED_MARKER)
        except OSError as error:
            return (
                f"{primary} can be written again: {saved} were merged back into it "
                f"({result.summary()}), but {fallback} could not be moved aside "
                f"({error.strerror or error}); merging it again changes nothing"
            )
    return (
        f"{primary} can be written again: {saved} were merged back into it "
        f"({result.summary()}); that copy was kept as {moved}"
    )


def merge_from_folder(fallback: Catalog, primary: Path, notices: Notices) -> str | None:
    """Merge the read-only folder's own store into the fallback if it changed since last time.

    Returns what to tell the user (``None``: nothing changed); ``notices`` gets
    what reading the folder's store reports (bad records).
    """
    source = _reader(primary, notices)
    token = source.change_token()
    if fallback.merged_token() == token:
        return None
    try:
        with fallback.writing():
            result = merge_catalogs(source, fallback, source_recent=False)
            fallback.put_merged_token(token)
    except StoreError as error:
        return (
            f"the annotations in {primary} could not be merged into {fallback.location} "
            f"({error}); they are merged on the next start"
        )
    if not result.changed:
        return None
    return f"the annotations in {primary} were merged there ({result.summary()})"
