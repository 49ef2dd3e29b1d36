"""FolderStore: the annotations of one folder, in TinyDB files under ``.ipreader/``.

Layout (see ARCHITECTURE.md)::

    .ipreader/index.json               table "_meta" (schema) and table "documents",
                                       keyed by document UUID
    .ipreader/annotations/<docid>.json table "annotations", keyed by annotation UUID
    .ipreader/state.json               table "state" (last document read)
    .ipreader/lock                     cross-process lock (filelock)

Every write is an atomic file replacement (``storage.atomic_write_bytes``) done
under the folder's lock, and every read-modify-write re-reads the file inside
the lock, so a second instance or the CLI never loses another's writes.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock, Timeout

from ipreader import __version__
from ipreader.core.errors import SchemaTooNewError, StoreError, StoreWriteError
from ipreader.core.model import Annotation, DocumentNotes, normalize_tags, tag_key
from ipreader.core.paths import fallback_store_dir, folder_store_dir
from ipreader.core.storage import (
    TEMP_PREFIX,
    CorruptDatabaseError,
    atomic_write_many,
    decode_database,
    encode_database,
    quarantine,
)
from ipreader.core.store_files import (
    ANNOTATIONS_DIR,
    INDEX_FILE,
    LOCK_FILE,
    STATE_FILE,
    DocRecord,
    IndexFile,
    ReadCache,
    RecordTable,
    annotation_order,
    annotation_to_dict,
    is_racy,
    open_table,
    parse_annotations,
    parse_index,
    parse_state,
    probe_writable,
    read_tables,
    seed_fallback,
)

#: Version of the on-disk layout; a folder written with a higher one is refused for writing.
SCHEMA_VERSION = 1

#: Seconds to wait for another process holding the folder's lock.
LOCK_TIMEOUT = 10.0

# Temp files older than this were left by a killed writer (no save takes this long).
_STALE_TEMP_SECONDS = 600

_T = TypeVar("_T")
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


class FolderStore:
    """Annotations of one folder in TinyDB files under <root>/.ipreader/ (or the fallback dir).

    Saving one annotation rewrites only its document's file. Documents are
    registered lazily: nothing is written for a document until it gets an
    annotation, a note, tags or a reading position.
    """

    root: Path
    """The articles folder."""
    location: Path
    """The directory actually used (``.ipreader/`` or the per-user fallback)."""
    notices: list[str]
    """Messages for the user: fallback dir used, corrupt file moved aside, ..."""
    writable: bool
    """False when writing is refused (schema too new, nowhere writable); reads still work."""

    def __init__(self, root: Path, location: Path, *, writable: bool = True) -> None:
        self.root = root
        self.location = location
        self.notices = []
        self.writable = writable
        self._refusal: StoreError = StoreWriteError(f"{location} cannot be written")
        self._index_path = location / INDEX_FILE
        self._state_path = location / STATE_FILE
        self._annotations_dir = location / ANNOTATIONS_DIR
        self._cache = ReadCache()
        self._mutex = threading.RLock()
        self._lock = FileLock(str(location / LOCK_FILE), timeout=LOCK_TIMEOUT)
        self._seen_sha: dict[str, str] = {}
        self._depth = 0  # nesting of _locked() in the thread holding self._mutex
        self._owner = 0  # that thread's id
        self._held_index: IndexFile | None = None  # the index as read under the current lock

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, root: Path, *, use_fallback: bool = False) -> FolderStore:
        """Open the store of ``root``, falling back to the per-user dir when it is read-only.

        ``use_fallback`` places the store in the per-user fallback directory
        without trying ``<root>/.ipreader`` at all: for folders that must never be
        written even when the OS would allow it (the bundled sample articles of
        an installed package). Either way the schema is checked and temp files a
        killed writer left behind are removed.
        """
        root = Path(root)
        primary = folder_store_dir(root)
        fallback = fallback_store_dir(root)
        # parents=False: never create the articles folder itself.
        problem = None if use_fallback else probe_writable(primary, parents=False)
        if problem is None and not use_fallback:
            store = cls(root, primary)
        elif (fallback_problem := probe_writable(fallback, parents=True)) is None:
            if use_fallback:
                store = cls(root, fallback)  # the caller's choice: nothing to tell the user
            else:
                seeded = seed_fallback(primary, fallback)
                store = cls(root, fallback)
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
            store = cls(root, location, writable=False)
            store._refuse(StoreWriteError(f"{refusal}; annotations for {root} are read-only"))
        store._check_schema()
        store._sweep_stale_temp_files()
        return store

    def _sweep_stale_temp_files(self) -> None:
        """Remove temp files a killed writer left behind (only when the lock is free now)."""
        if not self.writable:
            return
        try:
            self._lock.acquire(timeout=0)
        except (Timeout, OSError):
            return  # someone is writing; try again on a later open
        try:
            cutoff = time.time() - _STALE_TEMP_SECONDS
            for folder in (self.location, self._annotations_dir):
                for path in folder.glob(f"{TEMP_PREFIX}*"):
                    try:
                        if path.is_file() and path.stat().st_mtime < cutoff:
                            path.unlink()
                    except OSError:
                        pass  # best effort: a leftover temp file harms nothing
        finally:
            self._lock.release()

    def _check_schema(self) -> None:
        index = self._index()
        if index.schema > SCHEMA_VERSION:
            self._refuse(
                SchemaTooNewError(
                    f"{self._index_path} was written by a newer ipreader (schema "
                    f"{index.schema}; this version {__version__} understands up to "
                    f"{SCHEMA_VERSION}); it is left unchanged and annotations are read-only"
                )
            )

    def _refuse(self, reason: StoreError) -> None:
        self.writable = False
        self._refusal = reason
        self._notice(str(reason))

    def _notice(self, message: str) -> None:
        with self._mutex:
            if message not in self.notices:
                self.notices.append(message)

    # ------------------------------------------------------------------ locking

    @contextmanager
    def _locked(self, *, check_schema: bool = True) -> Iterator[None]:
        """Hold the folder's cross-process lock (and this process's) for a read-modify-write."""
        if not self.writable:
            raise self._refusal
        with self._mutex:
            try:
                self._lock.acquire()
            except Timeout:
                raise StoreError(
                    f"another ipreader is holding {self._lock.lock_file} for more than "
                    f"{LOCK_TIMEOUT:g} s; try again when it has finished"
                ) from None
            except OSError as error:
                raise StoreWriteError(
                    f"cannot lock {self._lock.lock_file}: {error.strerror or error}"
                ) from error
            self._depth += 1
            self._owner = threading.get_ident()
            try:
                if check_schema:
                    # A newer ipreader may have upgraded the folder since we opened it.
                    self._check_schema()
                    if not self.writable:
                        raise self._refusal
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._held_index = None
                    self._owner = 0
                self._lock.release()

    # ------------------------------------------------------------------ reading files

    def _load(self, path: Path, parse: Callable[[Path, Any], _T]) -> _T:
        """Parse ``path`` via the cache; corrupt files are set aside, unreadable ones skipped."""
        for _attempt in range(3):
            try:
                return self._cache.load(path, parse)
            except CorruptDatabaseError as error:
                if not self._set_aside(path, error):
                    break
            except StoreError as error:
                self._notice(f"{error}; it is left unchanged and ignored for now")
                break
        return parse(path, None)

    def _set_aside(self, path: Path, error: CorruptDatabaseError) -> bool:
        """Quarantine a corrupt file (re-checked under the lock); False if it must stay."""
        if not self.writable:
            self._notice(f"{error.path} cannot be read ({error.reason}); it is left unchanged")
            return False
        # No schema check here: it reads the index, which may be the very file set aside.
        with self._locked(check_schema=False):
            try:
                _parse: Callable[[Path, Any], object] = parse_annotations
                if path == self._index_path:
                    _parse = parse_index
                elif path == self._state_path:
                    _parse = parse_state
                _parse(path, decode_database(path, path.read_bytes(), empty_is_corrupt=True))
                return True  # another process already replaced it
            except FileNotFoundError:
                return True
            except CorruptDatabaseError:
                pass
            except OSError as read_error:
                self._notice(f"cannot read {path}: {read_error.strerror or read_error}")
                return False
            self._held_index = None
            try:
                moved = quarantine(path)
            except OSError as move_error:
                self._notice(
                    f"{path} cannot be read ({error.reason}) nor moved aside "
                    f"({move_error.strerror or move_error}); it is left unchanged"
                )
                return False
            if path == self._index_path:
                rebuilt = self._rebuild_index()
                self._notice(
                    f"{path} could not be read ({error.reason}); it was moved aside to "
                    f"{moved} (nothing deleted) and the index was rebuilt from "
                    f"{rebuilt} annotation file(s); document notes and reading positions "
                    f"are only in the moved file"
                )
            elif path.parent == self._annotations_dir:
                self._notice(
                    f"{path} could not be read ({error.reason}); it was moved aside to "
                    f"{moved} with all its annotations (nothing deleted); the document "
                    f"starts with no annotations"
                )
            else:
                self._notice(
                    f"{path} could not be read ({error.reason}); it was moved aside to "
                    f"{moved} (nothing deleted) and started fresh"
                )
            return True

    def _rebuild_index(self) -> int:
        """Recreate the index from the annotation files (after the index was set aside)."""
        records: list[tuple[str, Mapping[str, Any]]] = []
        for path in sorted(self._annotations_dir.glob("*.json")):
            try:
                raw = path.read_bytes()
                parsed = parse_annotations(path, decode_database(path, raw))
            except (OSError, CorruptDatabaseError):
                continue  # handled (set aside) when that document is next read
            if parsed.annotations:
                relpath = parsed.annotations[0].document
                records.append((path.stem, DocRecord(path.stem, relpath).to_dict()))
        self._write_meta()
        if records:
            self._documents_table().put_many(records)
        return len(records)

    def _index(self) -> IndexFile:
        # Under the lock only this thread writes the index, so one read per hold suffices.
        holding = self._depth > 0 and self._owner == threading.get_ident()
        if holding and self._held_index is not None:
            return self._held_index
        index = self._load(self._index_path, parse_index)
        if holding:
            self._held_index = index
        if index.bad:
            self._notice(
                f"{self._index_path}: {len(index.bad)} document record(s) could not be "
                f"read ({', '.join(index.bad)}); they are kept in the file and ignored"
            )
        return index

    def _annotations_of(self, record: DocRecord) -> tuple[Annotation, ...]:
        path = self._annotations_dir / record.file
        parsed = self._load(path, parse_annotations)
        if parsed.bad:
            self._notice(
                f"{path}: {len(parsed.bad)} annotation(s) of {record.relpath} could not be "
                f"read ({', '.join(parsed.bad)}); they are kept in the file and ignored"
            )
        return tuple(
            a if a.document == record.relpath else replace(a, document=record.relpath)
            for a in parsed.annotations
        )

    # ------------------------------------------------------------------ writing files

    def _documents_table(self) -> RecordTable:
        return open_table(self._index_path, "documents")

    def _annotations_table(self, record: DocRecord) -> RecordTable:
        return open_table(self._annotations_dir / record.file, "annotations")

    def _write(self, path: Path, action: Callable[[], object]) -> None:
        """Run a TinyDB read-modify-write on ``path``; a corrupt file is set aside first."""
        try:
            try:
                action()
            except CorruptDatabaseError as error:
                if not self._set_aside(path, error):
                    raise StoreWriteError(
                        f"{path} is damaged and cannot be moved aside; nothing was saved"
                    ) from error
                action()
        finally:
            if path == self._index_path:
                self._held_index = None

    def _tables_for_write(self, path: Path) -> dict[str, dict[str, dict[str, Any]]]:
        """Read ``path``'s tables for a read-modify-write; a corrupt file is set aside first."""
        try:
            return read_tables(path)
        except CorruptDatabaseError as error:
            if not self._set_aside(path, error):
                raise StoreWriteError(
                    f"{path} is damaged and cannot be moved aside; nothing was saved"
                ) from error
            return read_tables(path)

    def _write_meta(self) -> None:
        meta = {"version": SCHEMA_VERSION, "written_by": f"ipreader {__version__}"}
        open_table(self._index_path, "_meta").put_many([("schema", meta)])

    def _put_documents(self, records: Iterable[DocRecord]) -> None:
        items = [(record.id, record.to_dict()) for record in records]
        if self._index().schema == 0:
            self._write(self._index_path, self._write_meta)
        self._write(self._index_path, lambda: self._documents_table().put_many(items))

    def _records_for_write(self, relpaths: Iterable[str]) -> dict[str, DocRecord]:
        """Return the documents' records, registering the missing ones in one index write.

        Must hold the lock.
        """
        index = self._index()
        records: dict[str, DocRecord] = {}
        new: list[DocRecord] = []
        for relpath in relpaths:
            record = index.by_relpath(relpath)
            if record is None:
                record = DocRecord(str(uuid.uuid4()), relpath, self._seen_sha.get(relpath))
                new.append(record)
            records[relpath] = record
        if new:
            self._put_documents(new)
        return records

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
                    rows[annotation.id] = annotation_to_dict(annotation)
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
                changed = [(a.id, annotation_to_dict(a)) for a in anchored if a not in known]
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


__all__ = ["ANNOTATIONS_DIR", "SCHEMA_VERSION", "FolderStore", "RecordTable", "StoredDocument"]
