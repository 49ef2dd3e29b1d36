"""Rebuilding the index from the annotation files on disk.

The annotation files are the truth about highlights; the index only says
which file belongs to which document. When the index loses an entry -- it was
damaged and set aside, deleted by a sync conflict, or its rebuild failed on a
full disk -- the files it no longer lists are *unindexed*. Every start of a
writable store looks for them (a directory listing: cheap) and adds them back:

* a file (or bucket directory, ``buckets.py``: read as the union of its
  files) whose records name a document the index does not know: listed again
  under its own id;
* one naming a document the index lists under another file: its highlights
  are merged into that file (``merge.newer_rows``), then it is moved aside as
  ``<name>.merged-<time>``;
* a damaged one: moved aside as ``<name>.corrupt-<time>`` and named;
* one whose records name no document: left in place and named.

When the write fails, nothing changes and the next start tries again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipreader.core.errors import StoreError
from ipreader.core.storage import MERGED_MARKER, CorruptDatabaseError, Tables, quarantine
from ipreader.core.store.buckets import copy_rank, document_paths, list_layout
from ipreader.core.store.files import read_tables
from ipreader.core.store.formats import (
    ANNOTATIONS_TABLE,
    MAX_RELPATH_CHARS,
    DocRecord,
    is_uuid,
    parse_annotations,
    relpath_problem,
)
from ipreader.core.store.merge import newer_rows
from ipreader.core.wording import some_of

if TYPE_CHECKING:
    from ipreader.core.store.catalog import Catalog


@dataclass
class Recovery:
    """What one look for unindexed annotation files found and did."""

    added: list[str] = field(default_factory=list)
    """Files listed in the index again."""
    merged: list[str] = field(default_factory=list)
    """Files merged into another file of the same document, as ``"<file> into <file>"``."""
    moved: list[str] = field(default_factory=list)
    """Where each merged or damaged file was moved, as ``"<file> (<reason>) -> <path>"``."""
    left: list[str] = field(default_factory=list)
    """Files left in place: unreadable, or naming no document."""
    error: StoreError | None = None
    """Why the index could not be written (nothing changed then)."""

    def __bool__(self) -> bool:
        return bool(self.added or self.merged or self.moved or self.left or self.error)

    def describe(self, annotations_dir: Path, *, rebuilding: bool = False) -> str:
        """The sentences of a notice saying exactly what is where now.

        ``rebuilding``: the index was just set aside, so every file was unindexed.
        """
        parts: list[str] = []
        files = len(self.added) + len(self.merged)
        if self.error is not None and rebuilding:
            parts.append(
                f"the index could not be rebuilt now ({self.error}); it is rebuilt from "
                f"the annotation files in {annotations_dir} on the next start"
            )
        elif self.error is not None:
            parts.append(
                f"{files} annotation file(s) in {annotations_dir} could not be added to the "
                f"index now ({self.error}); nothing was changed, and ipreader tries again on "
                f"its next start"
            )
        elif rebuilding:
            parts.append(f"the index was rebuilt from {files} annotation file(s)")
        else:
            if self.added:
                parts.append(
                    f"{len(self.added)} annotation file(s) in {annotations_dir} were listed "
                    f"in the index again ({some_of(self.added)})"
                )
            if self.merged:
                parts.append(f"highlights were merged from {some_of(self.merged)}")
        if self.moved:
            parts.append(f"moved aside (nothing deleted): {some_of(self.moved)}")
        if self.left:
            parts.append(f"left in place and not shown: {some_of(self.left)}")
        return "; ".join(parts)


def unindexed_files(catalog: Catalog) -> list[Path]:
    """The annotation files and bucket directories (named by a document id) the index does not
    list; one path per document id (its ``<id>.json`` when there is one)."""
    # Listed before the index is read: a writer writes the index before a new file.
    try:
        files = sorted(p for p in catalog.annotations_dir.glob("*.json") if is_uuid(p.stem))
        directories = sorted(
            Path(entry.path)
            for entry in os.scandir(catalog.annotations_dir)
            if is_uuid(entry.name) and entry.is_dir(follow_symlinks=False)
        )
    except OSError:
        return []
    keys = catalog.index().keys
    named = {path.stem for path in files}
    units = [*files, *(path for path in directories if path.name not in named)]
    return sorted((path for path in units if path.stem not in keys), key=lambda p: p.stem)


def _read_document(
    catalog: Catalog, doc_id: str, recovery: Recovery
) -> tuple[list[Path], Tables] | None:
    """Every file of one document id (``buckets.py``) and their records joined by id.

    A damaged file is moved aside (and named), the others still read; ``None``
    when one cannot be read at all (it is named as left in place).
    """
    layout = list_layout(*document_paths(catalog.annotations_dir, doc_id))
    rows: dict[str, tuple[tuple[int, str, int], dict[str, Any]]] = {}
    paths: list[Path] = []
    for file in layout.files:
        if not os.path.lexists(file.path):
            continue  # the single file, listed though missing (a document split already)
        try:
            tables = read_tables(file.path)
        except CorruptDatabaseError as error:
            _move_aside(recovery, file.path, error.reason, None)
            continue
        except StoreError as error:
            recovery.left.append(f"{file.path.name} ({error})")
            return None
        paths.append(file.path)
        for key, raw in tables.get(ANNOTATIONS_TABLE, {}).items():
            rank = copy_rank(raw, file.count)
            if key not in rows or rows[key][0] <= rank:
                rows[key] = (rank, raw)
    if layout.directory.is_dir() and not layout.directory.is_symlink():
        paths.append(layout.directory)
    return paths, {ANNOTATIONS_TABLE: {key: raw for key, (_rank, raw) in rows.items()}}


def document_of(tables: Tables) -> str | None:
    """The document the records of an annotations file name (the first usable one)."""
    for raw in tables.get(ANNOTATIONS_TABLE, {}).values():
        relpath = raw.get("document")
        if (
            isinstance(relpath, str)
            and len(relpath) <= MAX_RELPATH_CHARS
            and relpath_problem(relpath) is None
        ):
            return relpath
    return None


def recover_unindexed(catalog: Catalog) -> Recovery:
    """Add the unindexed annotation files back to the index (the lock held by the caller)."""
    recovery = Recovery()
    found: dict[str, DocRecord] = {}
    merges: list[tuple[list[Path], Tables, DocRecord]] = []
    index = catalog.index()
    for path in unindexed_files(catalog):
        read = _read_document(catalog, path.stem, recovery)
        if read is None:
            continue
        paths, tables = read
        relpath = document_of(tables)
        if relpath is None:
            if tables.get(ANNOTATIONS_TABLE):
                recovery.left.append(f"{path.name} (no record names its document)")
            continue  # an empty file: nothing to recover
        owner = index.by_relpath(relpath) or found.get(relpath)
        if owner is None:
            found[relpath] = DocRecord(path.stem, relpath)
            recovery.added.append(path.name)
        else:
            merges.append((paths, tables, owner))
            recovery.merged.append(f"{path.name} into {owner.file} ({relpath})")
    try:
        if found:
            catalog.put_documents(found.values())
        changes: list[tuple[DocRecord, dict[str, dict[str, Any]]]] = []
        for paths, tables, owner in merges:
            current = {a.id: a for a in catalog.annotations_of(owner)}
            incoming = parse_annotations(paths[0], tables).annotations
            rows = newer_rows(current, incoming)
            if rows:
                changes.append((owner, rows))
        catalog.put_annotations(changes)
    except StoreError as error:
        recovery.error = error
        return recovery
    for paths, _tables, _owner in merges:
        for path in paths:
            if path.parent == catalog.annotations_dir:  # a bucket directory moves whole
                _move_aside(recovery, path, "merged", MERGED_MARKER)
    return recovery


def _move_aside(recovery: Recovery, path: Path, reason: str, marker: str | None) -> None:
    """Move a file aside (a rename), recording where it went, or that it stayed."""
    try:
        moved = quarantine(path) if marker is None else quarantine(path, marker)
    except OSError as error:
        recovery.left.append(f"{path.name} ({reason}; cannot be moved: {error.strerror})")
        return
    recovery.moved.append(f"{path.name} ({reason}) -> {moved}")
