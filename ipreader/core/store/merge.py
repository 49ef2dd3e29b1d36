"""Merging one store's annotations into another's, without losing either side.

Used when annotations live in two places: a folder's store and its per-user
fallback (a folder read-only for a while, then writable again), or an
annotations file the index no longer lists and a file it does list for the
same document. The rules, the same everywhere:

* highlights are merged by id: one only on the other side is added, one on
  both sides keeps its newer version (higher ``revision``, then later
  ``updated``); nothing is removed (a deletion on one side cannot be told
  from a highlight the other side never had);
* a document's tags are joined (up to ``MAX_DOCUMENT_TAGS``); its notes are
  kept both when they differ (one containing the other keeps the longer);
* the reading position and last document follow the side read more recently.

Merging twice changes nothing the second time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ipreader.core.model import MAX_DOCUMENT_TAGS, Annotation, normalize_tags
from ipreader.core.store.formats import DocRecord

if TYPE_CHECKING:
    from ipreader.core.store.catalog import Catalog

#: What joins two differing notes of one document.
NOTE_SEPARATOR = "\n\n"


def newer_rows(
    current: Mapping[str, Annotation], incoming: Iterable[Annotation]
) -> dict[str, dict[str, Any]]:
    """Return the records of ``incoming`` to write over ``current`` (by id): new or newer ones."""
    rows: dict[str, dict[str, Any]] = {}
    for annotation in incoming:
        mine = current.get(annotation.id)
        if mine is None or (annotation.revision, annotation.updated) > (
            mine.revision,
            mine.updated,
        ):
            rows[annotation.id] = annotation.to_dict()
    return rows


def joined_note(mine: str, theirs: str) -> str:
    """One document note from two: equal or contained ones are not repeated."""
    if theirs in mine:
        return mine
    if mine in theirs:
        return theirs
    return f"{mine}{NOTE_SEPARATOR}{theirs}"


def merged_record(
    mine: DocRecord, theirs: DocRecord, *, theirs_recent: bool, rows_added: bool
) -> DocRecord:
    """``mine`` with ``theirs``'s tags, note and (when ``theirs_recent``) position merged in.

    When highlights anchored against another version of the text were added,
    the stored hash is cleared so that every highlight is re-anchored on the
    next read (re-anchoring leaves correct ones where they are).
    """
    joined = normalize_tags((*mine.tags, *theirs.tags))
    tags = joined if len(joined) <= MAX_DOCUMENT_TAGS else mine.tags
    sha256 = mine.sha256 if not rows_added or theirs.sha256 == mine.sha256 else None
    position = theirs.position if theirs_recent and theirs.position else mine.position
    note = joined_note(mine.note, theirs.note)
    return replace(mine, tags=tags, note=note, position=position, sha256=sha256)


@dataclass
class MergeResult:
    """What a merge of one store into another changed."""

    documents: set[str] = field(default_factory=set)
    """Relpaths whose record or highlights changed."""
    highlights: int = 0
    """Highlights added or replaced by a newer version."""
    joined_notes: list[str] = field(default_factory=list)
    """Relpaths whose two differing notes were both kept."""

    @property
    def changed(self) -> bool:
        """True when anything was written."""
        return bool(self.documents)

    def summary(self) -> str:
        """``"N highlight(s) of M document(s)"``, plus the documents whose notes were joined."""
        text = f"{self.highlights} highlight(s) of {len(self.documents)} document(s)"
        if self.joined_notes:
            named = ", ".join(self.joined_notes[:5])
            more = len(self.joined_notes) - 5
            named += f" and {more} more" if more > 0 else ""
            text += f"; both differing notes were kept for {named}"
        return text


def merge_catalogs(source: Catalog, target: Catalog, *, source_recent: bool) -> MergeResult:
    """Merge every document of ``source`` into ``target`` (the target's lock held).

    ``source`` is only read. New documents keep their id unless the target
    uses it already. The index is written first, then every changed
    annotations file in one batch, as ``FolderStore.save_annotations`` does.
    """
    result = MergeResult()
    index = target.index()
    taken = set(index.keys)
    records: list[DocRecord] = []  # new or changed index records
    changes: list[tuple[DocRecord, dict[str, dict[str, Any]]]] = []
    seen: set[str] = set()
    for theirs in source.index().documents:
        if theirs.relpath in seen:
            continue  # a duplicate relpath: the lowest id wins, as in every lookup
        seen.add(theirs.relpath)
        mine = index.by_relpath(theirs.relpath)
        incoming = source.annotations_of(theirs)
        if mine is None:
            record = replace(theirs, id=theirs.id if theirs.id not in taken else str(uuid.uuid4()))
            taken.add(record.id)
            rows = newer_rows({}, incoming)
        else:
            rows = newer_rows({a.id: a for a in target.annotations_of(mine)}, incoming)
            record = merged_record(mine, theirs, theirs_recent=source_recent, rows_added=bool(rows))
            if record.note not in (theirs.note, mine.note):
                result.joined_notes.append(record.relpath)
        if record != mine:
            records.append(record)
        if rows:
            changes.append((record, rows))
            result.highlights += len(rows)
        if rows or record != mine:
            result.documents.add(record.relpath)
    if records:
        target.put_documents(records)
    if changes:
        target.put_annotations(changes)
    last = source.last_document()
    if source_recent and last is not None and last != target.last_document():
        target.put_last_document(last)
    return result
