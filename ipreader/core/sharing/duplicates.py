"""One article registered twice, by two coders, drained into its first record.

Each coder's ipreader gives a new article a fresh document id, so after a
``git merge`` (or a sync) of two coders who both annotated it, the index
lists it twice, each record with its own annotations file. Lookups take the
lowest id, which would hide the other coder's highlights. When a store is
opened (lock held), every other record of the article is *drained* into the
first: its highlights are added to the first one's file (new or newer ones,
``store.merge.newer_rows``), its tags and note joined into the first record
(``store.merge.merged_record``), and then its file's highlights and its tags
and note are cleared.

The other record and its (now empty) file stay: a file renamed or deleted
here would meet the other coder's next changes to it in git as a rename or a
delete, and git would carry those changes into a file nobody reads. Left in
place, the other coder's later highlights in it merge record by record and
are drained on the next open. Draining again changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ipreader.core.pacing import stepped
from ipreader.core.store.formats import DocRecord

if TYPE_CHECKING:
    from ipreader.core.store.catalog import Catalog


def duplicate_documents(catalog: Catalog) -> dict[str, list[DocRecord]]:
    """The relpaths the index lists more than once, with their records (lowest id first)."""
    groups: dict[str, list[DocRecord]] = {}
    # Sorted by id; every open of a big folder asks: the app draws between pieces.
    for record in stepped(catalog.index().documents):
        groups.setdefault(record.relpath, []).append(record)
    return {relpath: records for relpath, records in groups.items() if len(records) > 1}


def join_duplicate_documents(catalog: Catalog) -> list[str]:
    """Drain each article's other records into its first (the lock held); return the relpaths.

    Only articles whose other records held something are named (and written).
    """
    # Here, not at the top: every store's open looks for duplicates (this module), and
    # only a folder that has some needs the merge.
    from ipreader.core.store.merge import merged_record, newer_rows

    joined: list[str] = []
    for relpath, (first, *others) in sorted(duplicate_documents(catalog).items()):
        read = [(o, catalog.annotations_of(o)) for o in others]
        holding = [(o, found) for o, found in read if found or o.tags or o.note]
        if not holding:
            continue
        best = {a.id: a for a in catalog.annotations_of(first)}  # the versions to beat
        record = first
        rows: dict[str, dict[str, Any]] = {}
        for other, found in holding:
            taken = newer_rows(best, found)
            best.update((a.id, a) for a in found if a.id in taken)
            rows.update(taken)
            record = merged_record(record, other, theirs_recent=False, rows_added=bool(taken))
        # The first record gains everything before anything is cleared: a crash in
        # between leaves both holding it, and the next open drains again (no change).
        if rows:
            catalog.put_annotations([(record, rows)])
        if record != first:
            catalog.put_documents([record])
        for other, found in holding:
            if found:
                catalog.remove_annotations(other, [a.id for a in found])
        catalog.put_documents(replace(other, tags=(), note="") for other, _ in holding)
        joined.append(relpath)
    return joined
