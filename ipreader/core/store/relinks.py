"""Relinking a document: every record naming its old path rewritten to the new one.

``FolderStore.relink_many`` holds the lock and calls ``relink_records``. The
index record takes the new path; each annotation row its new ``document``
(an index rebuilt from the annotation files then finds the new path, not the
old one); the state's last document follows. A record of the new path
holding nothing (a reading position at most) is replaced; one holding
annotations, tags or a note is never merged into.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ipreader.core.errors import StoreError
from ipreader.core.store.catalog import Catalog
from ipreader.core.store.formats import DocRecord


class RelinkRefused(StoreError):
    """A relink that would lose or mix data (unknown old path, new path already annotated)."""


def relink_records(catalog: Catalog, pairs: Mapping[str, str]) -> dict[str, int | RelinkRefused]:
    """Relink each ``old -> new`` of ``pairs`` (lock held): one index write, one file batch.

    Returns, per old path, the number of annotations moved or why it was refused.
    """
    result: dict[str, int | RelinkRefused] = {}
    index = catalog.index()
    empty: list[DocRecord] = []
    records: list[DocRecord] = []
    rows: list[tuple[DocRecord, dict[str, dict[str, Any]]]] = []
    for old, new in pairs.items():
        record, existing = index.by_relpath(old), index.by_relpath(new)
        if record is None:
            result[old] = RelinkRefused(f"{old}: nothing is stored for it")
            continue
        if existing is not None and existing.id != record.id:
            if catalog.annotations_of(existing) or existing.tags or existing.note:
                result[old] = RelinkRefused(
                    f"{new} already has its own annotations, tags or note; "
                    f"{old} not relinked (nothing changed)"
                )
                continue
            empty.append(existing)
        annotations = catalog.annotations_of(record)
        moved = replace(record, relpath=new)
        records.append(moved)
        rows.append((moved, {a.id: a.to_dict() | {"document": new} for a in annotations}))
        result[old] = len(annotations)
    if empty:
        catalog.remove_documents(empty)
    if records:
        catalog.put_documents(records)
        catalog.put_annotations(rows)
    last = catalog.last_document()
    if last is not None and isinstance(result.get(last), int):
        catalog.put_last_document(pairs[last])
    return result
