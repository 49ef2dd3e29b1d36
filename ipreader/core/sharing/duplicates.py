"""One article registered twice, by two coders, joined into one document record.

Each coder's ipreader gives a new article a fresh document id, so after a
``git merge`` (or a sync) of two coders who both annotated it, the index
lists it twice, each record with its own annotations file. Lookups take the
lowest id, which would hide the other coder's highlights. When a store is
opened (lock held), the other records are joined into the lowest one
(tags joined, notes both kept: ``store.merge.merged_record``) and removed
from the index; their annotation files are then unindexed, and the
recovery that follows (``recovery.recover_unindexed``) merges their
highlights into the kept document's file and moves them aside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipreader.core.store.formats import DocRecord
from ipreader.core.store.merge import merged_record

if TYPE_CHECKING:
    from ipreader.core.store.catalog import Catalog


def duplicate_documents(catalog: Catalog) -> dict[str, list[DocRecord]]:
    """The relpaths the index lists more than once, with their records (lowest id first)."""
    groups: dict[str, list[DocRecord]] = {}
    for record in catalog.index().documents:  # sorted by id
        groups.setdefault(record.relpath, []).append(record)
    return {relpath: records for relpath, records in groups.items() if len(records) > 1}


def join_duplicate_documents(catalog: Catalog) -> list[str]:
    """Join each article's duplicate records into its first (the lock held); return the relpaths.

    The index is written once; the annotation files are left for the recovery.
    """
    groups = duplicate_documents(catalog)
    if not groups:
        return []
    kept: list[DocRecord] = []
    removed: list[DocRecord] = []
    for records in groups.values():
        first, *others = records
        joined = first
        for other in others:
            joined = merged_record(joined, other, theirs_recent=False, rows_added=True)
        kept.append(joined)
        removed.extend(others)
    # The joined records first: a crash before the removal leaves duplicates joined again
    # on the next open (joining twice changes nothing), never a lost tag or note.
    catalog.put_documents(kept)
    catalog.remove_documents(removed)
    return sorted(groups)
