"""Merging two versions of one TinyDB file record by record (``{table: {id: record}}``).

Against the common ancestor (``base``; ``{}`` when there is none, as for a
sync tool's conflict copy), each record is decided by id:

* the same on both sides, or changed on one side only: that version;
* on one side only (added there): kept -- so both sides' new records are;
* deleted on one side and unchanged on the other: deleted;
* deleted on one side and changed on the other: the changed one is kept,
  and the deletion is logged;
* changed on both sides, differently: ``rules.resolve`` decides, and a
  version it does not keep is logged.

Every id of either side is in the result or in the log; nothing else is
dropped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from ipreader.core.sharing.layout import canonical
from ipreader.core.sharing.rules import resolve
from ipreader.core.storage import Tables

# Conflict ids derive from what they record, so merging the same files twice logs once.
_CONFLICT_NAMESPACE = uuid.UUID("5b0c7d3e-2f1a-4c8e-9d6b-1a2b3c4d5e6f")


@dataclass(frozen=True, slots=True)
class Conflict:
    """A version a merge did not keep, or a deletion it did not apply."""

    file: str
    """The file merged, relative to its store directory (``"index.json"``)."""
    table: str
    """The table of the record."""
    id: str
    """The record's id."""
    reason: str
    """Why, in a sentence for the user."""
    kept: dict[str, Any] | None
    """The version in the merged file (``None``: deleted)."""
    lost: dict[str, Any] | None
    """The version not kept (``None``: the side that deleted it)."""

    @property
    def key(self) -> str:
        """A stable id of this conflict (the same for the same versions)."""
        text = canonical([self.file, self.table, self.id, self.kept, self.lost])
        return str(uuid.uuid5(_CONFLICT_NAMESPACE, text))


@dataclass
class Merged:
    """The result of a merge of one file."""

    tables: Tables
    """The merged file's tables."""
    conflicts: list[Conflict] = field(default_factory=list)
    """The versions not kept, in table and id order."""
    changed: int = 0
    """Records whose merged version differs from ours (added, replaced or deleted)."""


def merge_tables(base: Tables, ours: Tables, theirs: Tables, *, file: str) -> Merged:
    """Merge ``theirs`` into ``ours`` against their ancestor ``base`` (see the module docstring).

    ``file`` names the file in the conflicts. Nothing given is modified.
    """
    result = Merged({})
    for table in sorted({*ours, *theirs}):
        before = base.get(table, {})
        mine = ours.get(table, {})
        other = theirs.get(table, {})
        merged: dict[str, dict[str, Any]] = {}
        for record_id in sorted({*mine, *other}):
            kept = _merge_record(result, file, table, record_id, before, mine, other)
            if kept is not None:
                merged[record_id] = kept
            if kept != mine.get(record_id):
                result.changed += 1
        result.tables[table] = merged  # kept even when emptied, as TinyDB keeps tables
    return result


def _merge_record(
    result: Merged,
    file: str,
    table: str,
    record_id: str,
    base: dict[str, dict[str, Any]],
    ours: dict[str, dict[str, Any]],
    theirs: dict[str, dict[str, Any]],
) -> dict[str, Any] | None:
    before, mine, other = base.get(record_id), ours.get(record_id), theirs.get(record_id)
    if mine == other or other == before:
        return mine
    if mine == before:
        return other
    if mine is None or other is None:
        changed = mine if mine is not None else other
        side = "this side" if mine is None else "the other side"
        result.conflicts.append(
            Conflict(
                file,
                table,
                record_id,
                f"deleted on {side} and changed on the other; the changed version was kept",
                changed,
                None,
            )
        )
        return changed
    resolution = resolve(table, before, mine, other)
    if resolution.lost is not None:
        result.conflicts.append(
            Conflict(file, table, record_id, resolution.reason, resolution.kept, resolution.lost)
        )
    return resolution.kept
