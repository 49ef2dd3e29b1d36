"""What opening a writable store does for a shared folder: sync copies merged, duplicates joined.

Called by ``FolderStore.open`` after the temp-file sweep and before the
unindexed-file recovery.
Costs a walk of the store directory and one index read when there is
nothing to do; the lock is taken only when there is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipreader.core.errors import StoreError
from ipreader.core.sharing.duplicates import duplicate_documents, join_duplicate_documents
from ipreader.core.sharing.sync_copies import find_sync_copies, merge_sync_copies

if TYPE_CHECKING:
    from ipreader.core.store.catalog import Catalog

#: Relpaths named one by one in the duplicates notice.
_NAMED = 5


def open_shared(catalog: Catalog) -> list[str]:
    """Merge sync conflict copies and join duplicate documents; return the notices."""
    notices: list[str] = []
    location = catalog.location
    if find_sync_copies(location):
        try:
            with catalog.writing():
                told = merge_sync_copies(location).describe(location)
        except StoreError as error:
            told = (
                f"{location}: sync conflict copies are not merged now ({error}); they stay "
                f"where they are and are merged on the next start"
            )
        if told is not None:
            notices.append(told)
    if duplicate_documents(catalog):
        try:
            with catalog.writing():
                joined = join_duplicate_documents(catalog)
        except StoreError as error:
            notices.append(
                f"{catalog.index_path} lists some articles twice (two coders' records); "
                f"they could not be joined now ({error}) and are joined on the next start"
            )
        else:
            if joined:
                named = ", ".join(joined[:_NAMED])
                more = len(joined) - _NAMED
                named += f" and {more} more" if more > 0 else ""
                notices.append(
                    f"{catalog.index_path} lists {len(joined)} article(s) twice, each "
                    f"registered by another copy of the folder ({named}); the highlights, "
                    f"tags and note of the later record were moved into the first (the "
                    f"emptied record stays, so the other copy's later changes still merge)"
                )
    return notices
