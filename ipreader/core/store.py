"""FolderStore: the annotations of one folder, in TinyDB files under ``.ipreader/``.

Layout (see ARCHITECTURE.md)::

    .ipreader/index.json               table "_meta" (schema) and table "documents",
                                       keyed by document UUID
    .ipreader/annotations/<docid>.json table "annotations", keyed by annotation UUID
    .ipreader/state.json               table "state" (last document read)
    .ipreader/lock                     cross-process lock (filelock)

Every write is an atomic file replacement (``storage.atomic_write_bytes``) done
under the folder's lock, and every read-modify-write re-reads the file inside
the lock, so a second instance or the CLI never loses another's writes. The
file layer lives in ``store_files.py`` (locking, cached reads, quarantine) and
``store_records.py`` (record shapes and parsing); this module is the API.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from ipreader.core.errors import StoreWriteError
from ipreader.core.model import Annotation, DocumentNotes, normalize_tags, tag_key
from ipreader.core.notices import Notices
from ipreader.core.paths import fallback_store_dir, folder_store_dir
from ipreader.core.storage import atomic_write_many, encode_database
from ipreader.core.store_files import (
    SCHEMA_VERSION,
    StoreFiles,
    probe_writable,
    seed_fallback,
)
from ipreader.core.store_records import (
    ANNOTATIONS_DIR,
    INDEX_FILE,
    DocRecord,
    IndexFile,
    RecordTable,
    annotation_order,
    is_racy,
    open_table,
    parse_state,
)

#: Seconds to wait for another process holding the folder's lock.
LOCK_TIMEOUT = 10.0

_NONCE = itertools.count(1)


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """What the store holds about one document (see ``FolderStore.stored_documents``)."""

    relpath: str
    """The document's path relative to the root."""
    sha256: str | None
    """The hash of the content the annotations were last anchored against (None: never)."""
    notes: DocumentNotes
    """The document's own tags and note."""
    annotations: tuple[Annotation, ...]
    """Its annotations in document order, as stored (not re-anchored)."""

    @property
    def empty(self) -> bool:
        """True when there is nothing to export: no annotation, tag or note."""
        return not self.annotations and not self.notes.tags and not self.notes.note


class FolderStore(StoreFiles):
    """Annotations of one folder in TinyDB files under <root>/.ipreader/ (or the fallback dir).

    Saving one annotation rewrites only its document's file. Documents are
    registered lazily: nothing is written for a document until it gets an
    annotation, a note, tags or a reading position. The attributes ``root``,
    ``location``, ``notices`` and ``writable`` come from ``StoreFiles``.
    """

    def __init__(
        self, root: Path, location: Path, *, writable: bool = True, notices: Notices | None = None
    ) -> None:
        super().__init__(
            root, location, writable=writable, lock_timeout=LOCK_TIMEOUT, notices=notices
        )

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls, root: Path, *, use_fallback: bool = False, notices: Notices | None = None
    ) -> FolderStore:
        """Open the store of ``root``, falling back to the per-user dir when it is read-only.

        ``use_fallback`` places the store in the per-user fallback directory
        without trying ``<root>/.ipreader`` at all: for folders that must never be
        written even when the OS would allow it (the bundled sample articles of
        an installed package). Either way the schema is checked and temp files a
        killed writer left behind are removed. Messages for the user go to
        ``notices`` (a channel shared with the library; a new one when ``None``).
        """
        root = Path(root)
        primary = folder_store_dir(root)
        fallback = fallback_store_dir(root)
        # parents=False: never create the articles folder itself.
        problem = None if use_fallback else probe_writable(primary, parents=False)
        if problem is None and not use_fallback:
            store = cls(root, primary, notices=notices)
        elif (fallback_problem := probe_writable(fallback, parents=True)) is None:
            if use_fallback:
                # The caller's choice: nothing to tell the user.
                store = cls(root, fallback, notices=notices)
            else:
                seeded = seed_fallback(primary, fallback)
                store = cls(root, fallback, notices=notices)
                copied = f"; the existing annotations in {primary} were copied there" * seeded
                store._notice(
                    f"{primary} cannot be written ({problem}); "
                    f"annotations for {root} are saved in {fallback}{copied}"
                )
        else:
            if use_fallback:
                refusal = f"{fallback} cannot be written ({fallback_problem})"
                location = fallback
            else:
                refusal = (
                    f"neither {primary} ({problem}) nor {fallback} ({fallback_problem}) "
                    "can be written"
                )
                location = primary if (primary / INDEX_FILE).exists() else fallback
            store = cls(root, location, writable=False, notices=notices)
            store._refuse(StoreWriteError(f"{refusal}; annotations for {root} are read-only"))
        store._check_schema()
        store._sweep_stale_temp_files()
        return store

    # ------------------------------------------------------------------ annotations

    def annotations(self, relpath: str) -> list[Annotation]:
        """Return the annotations of a document in document order."""
        record = self._index().by_relpath(relpath)
        return [] if record is None else list(self._annotations_of(record))

    def all_annotations(self) -> dict[str, list[Annotation]]:
        """Return every document's annotations (documents without any are left out)."""
        result: dict[str, list[Annotation]] = {}
        for record in self._index().documents:
            found = self._annotations_of(record)
            if found:
                result.setdefault(record.relpath, []).extend(found)
        return result

    def stored_documents(self) -> dict[str, StoredDocument]:
        """Return every document the store knows, read in one pass without the lock.

        The index is read once and each annotation file once. Files are only
        ever replaced atomically, so every file read is whole; a write by
        another process during the pass is seen or not, file by file.
        """
        result: dict[str, StoredDocument] = {}
        for record in self._index().documents:
            if record.relpath in result:
                continue  # a duplicate relpath (hand edit): the lowest id wins, as in lookups
            result[record.relpath] = StoredDocument(
                relpath=record.relpath,
                sha256=record.sha256,
                notes=DocumentNotes(record.tags, record.note),
                annotations=self._annotations_of(record),
            )
        return result

    def save_annotation(self, annotation: Annotation) -> None:
        """Insert or replace one annotation (by id)."""
        self.save_annotations([annotation])

    def save_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Insert or replace annotations by id, with one write per document.

        Documents not yet in the index are registered together (one index write),
        so a batch over thousands of documents stays linear.
        """
        grouped: dict[str, list[Annotation]] = {}
        for annotation in annotations:
            grouped.setdefault(annotation.document, []).append(annotation)
        if not grouped:
            return
        with self._locked():
            records = self._records_for_write(grouped)
            batch: list[tuple[Path, bytes]] = []
            for relpath, items in grouped.items():
                path = self._annotations_dir / records[relpath].file
                tables = self._tables_for_write(path)  # re-read under the lock
                rows = tables.setdefault("annotations", {})
                for annotation in items:
                    rows[annotation.id] = annotation.to_dict()
                batch.append((path, encode_database(tables)))
            # One batch: the files' fsyncs overlap instead of queueing one by one.
            atomic_write_many(batch)

    def delete_annotation(self, relpath: str, annotation_id: str) -> None:
        """Delete an annotation; unknown documents or ids are ignored."""
        with self._locked():
            record = self._index().by_relpath(relpath)
            if record is None:
                return
            path = self._annotations_dir / record.file
            self._write(path, lambda: self._annotations_table(record).delete_many([annotation_id]))

    # ------------------------------------------------------------------ documents

    def document_notes(self, relpath: str) -> DocumentNotes:
        """Return a document's own tags and note."""
        record = self._index().by_relpath(relpath)
        return DocumentNotes() if record is None else DocumentNotes(record.tags, record.note)

    def set_document_notes(self, relpath: str, notes: DocumentNotes) -> None:
        """Store a document's own tags and note."""
        self.set_documents_notes({relpath: notes})

    def set_documents_notes(self, notes: Mapping[str, DocumentNotes]) -> None:
        """Store several documents' own tags and notes with one index write."""
        self._update_documents(
            {
                relpath: {"tags": normalize_tags(value.tags), "note": value.note}
                for relpath, value in notes.items()
            }
        )

    def reading_position(self, relpath: str) -> int:
        """Return the stored reading position (a code-point offset; 0 when unknown)."""
        record = self._index().by_relpath(relpath)
        return 0 if record is None else record.position

    def set_reading_position(self, relpath: str, offset: int) -> None:
        """Store the reading position of a document."""
        self._update_documents({relpath: {"position": max(0, int(offset))}})

    def _update_documents(self, changes: Mapping[str, Mapping[str, Any]]) -> None:
        """Apply field changes to document records (registering them) in one index write."""

        def needed(index: IndexFile) -> dict[str, Mapping[str, Any]]:
            # An unregistered document with nothing to remember stays unwritten (lazy).
            return {
                relpath: fields
                for relpath, fields in changes.items()
                if index.by_relpath(relpath) is not None or any(fields.values())
            }

        if not needed(self._index()):
            return
        with self._locked():
            index = self._index()  # re-read under the lock
            updated: list[DocRecord] = []
            for relpath, fields in needed(index).items():
                record = index.by_relpath(relpath)
                if record is None:
                    record = DocRecord(str(uuid.uuid4()), relpath, self._seen_sha.get(relpath))
                    updated.append(replace(record, **fields))
                elif (changed := replace(record, **fields)) != record:
                    updated.append(changed)
            if updated:
                self._put_documents(updated)

    def last_document(self) -> str | None:
        """Return the relpath of the document read last, if any."""
        return self._load(self._state_path, parse_state)

    def set_last_document(self, relpath: str) -> None:
        """Remember the document read last."""
        if self.last_document() == relpath:
            return
        with self._locked():
            self._write(
                self._state_path,
                lambda: open_table(self._state_path, "state").put_many(
                    [("last_document", {"relpath": relpath})]
                ),
            )

    # ------------------------------------------------------------------ reconcile

    def reconcile(self, relpath: str, sha256: str, text: str) -> list[Annotation]:
        """Bring a document's record up to date with its current content.

        When the stored sha256 differs, every annotation is re-anchored against
        ``text`` and saved in one write. When ``relpath`` is unknown but a known
        document with the same sha256 no longer exists under the root (a rename
        or move), that record and its annotations are adopted under ``relpath``.
        New documents are not written until they get data. Returns the current
        annotations in document order.
        """

        self._seen_sha[relpath] = sha256
        record = self._index().by_relpath(relpath)
        if record is None:
            if self.writable and self._adoptable(self._index(), relpath, sha256):
                with self._locked():
                    index = self._index()
                    if index.by_relpath(relpath) is None:
                        candidate = self._adoptable(index, relpath, sha256)
                        if candidate is not None:
                            self._put_documents([replace(candidate, relpath=relpath)])
                return self.annotations(relpath)
            return []
        return self.reconcile_many([(relpath, sha256, text)])[relpath]

    def reconcile_many(
        self, documents: Iterable[tuple[str, str, str]]
    ) -> dict[str, list[Annotation]]:
        """``reconcile`` several ``(relpath, sha256, text)`` documents in one pass.

        Documents whose stored sha256 matches are only read. The others are
        re-anchored under one lock hold: one write per document whose
        annotations moved (none when re-anchoring changes nothing) and one index
        write for all the new hashes. Returns the annotations by relpath.
        """
        from ipreader.core.anchoring import reanchor  # sibling module; keeps imports light

        result: dict[str, list[Annotation]] = {}
        stale: list[tuple[str, str, str]] = []
        index = self._index()
        for relpath, sha256, text in documents:
            self._seen_sha[relpath] = sha256
            record = index.by_relpath(relpath)
            if record is None:
                result[relpath] = self.reconcile(relpath, sha256, text)  # new, or renamed
            elif record.sha256 == sha256:
                result[relpath] = list(self._annotations_of(record))
            elif not self.writable:
                current = self._annotations_of(record)
                result[relpath] = sorted((reanchor(text, a) for a in current), key=annotation_order)
            else:
                stale.append((relpath, sha256, text))
        if not stale:
            return result
        with self._locked():
            index = self._index()  # re-read under the lock
            hashed: list[DocRecord] = []
            for relpath, sha256, text in stale:
                record = index.by_relpath(relpath)
                if record is None:
                    result[relpath] = []  # removed by another process meanwhile
                    continue
                current = self._annotations_of(record)
                if record.sha256 == sha256:
                    result[relpath] = list(current)  # another process reconciled it meanwhile
                    continue
                anchored = sorted((reanchor(text, a) for a in current), key=annotation_order)
                known = set(current)
                changed = [(a.id, a.to_dict()) for a in anchored if a not in known]
                if changed:
                    table = self._annotations_table(record)
                    self._write(
                        self._annotations_dir / record.file, partial(table.put_many, changed)
                    )
                hashed.append(replace(record, sha256=sha256))
                result[relpath] = anchored
            if hashed:
                self._put_documents(hashed)
        return result

    def _adoptable(self, index: IndexFile, relpath: str, sha256: str) -> DocRecord | None:
        for candidate in index.documents:
            if (
                candidate.sha256 == sha256
                and candidate.relpath != relpath
                and not (self.root / candidate.relpath).exists()
            ):
                return candidate
        return None

    # ------------------------------------------------------------------ summaries

    def tag_counts(self) -> Counter[str]:
        """Count highlight and document tags, merged case-insensitively.

        Each tag is shown in its most used spelling (the first seen on a tie).
        """
        counts: Counter[str] = Counter()
        spellings: dict[str, Counter[str]] = {}
        tags: list[str] = []
        index = self._index()
        for record in index.documents:
            tags.extend(record.tags)
            for annotation in self._annotations_of(record):
                tags.extend(annotation.tags)
        for tag in tags:
            spellings.setdefault(tag_key(tag), Counter())[tag] += 1
        for variants in spellings.values():
            shown = variants.most_common(1)[0][0]
            counts[shown] = sum(variants.values())
        return counts

    def change_token(self) -> tuple[int, ...]:
        """Return a cheap stat-based token that differs after any write by any process.

        Every save replaces the index or state file (a new inode) or renames a
        file into the annotations dir (a new directory mtime). While the newest
        timestamp is too recent to be trusted (coarse clocks) the token also
        carries a fresh nonce. Other files in the location (e.g. the metadata
        cache) do not count: they hold no user data.
        """
        parts: list[int] = []
        newest = 0
        for path in (self._annotations_dir, self._index_path, self._state_path):
            try:
                st = os.stat(path)
            except OSError:
                parts.extend((0, 0, 0))
                continue
            parts.extend((st.st_ino, st.st_size, st.st_mtime_ns))
            newest = max(newest, st.st_mtime_ns)
        if is_racy(newest):
            parts.append(next(_NONCE))
        return tuple(parts)


__all__ = [
    "ANNOTATIONS_DIR",
    "SCHEMA_VERSION",
    "FolderStore",
    "RecordTable",
    "StoredDocument",
]
