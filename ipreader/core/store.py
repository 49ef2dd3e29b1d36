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
from tinydb.table import Table

from ipreader import __version__
from ipreader.core.errors import SchemaTooNewError, StoreError, StoreWriteError
from ipreader.core.model import Annotation, DocumentNotes, normalize_tags, tag_key
from ipreader.core.paths import fallback_store_dir, folder_store_dir
from ipreader.core.storage import (
    TEMP_PREFIX,
    AtomicJSONStorage,
    CorruptDatabaseError,
    atomic_write_bytes,
    decode_database,
    quarantine,
)

#: Version of the on-disk layout; a folder written with a higher one is refused for writing.
SCHEMA_VERSION = 1

#: Seconds to wait for another process holding the folder's lock.
LOCK_TIMEOUT = 10.0

INDEX_FILE = "index.json"
STATE_FILE = "state.json"
LOCK_FILE = "lock"
ANNOTATIONS_DIR = "annotations"

# A file whose mtime is this recent could still be replaced by one with the same
# stat signature (inode reuse within one timestamp tick), so it is never trusted
# from the read cache and makes change_token() differ on every call. Filesystems
# with whole-second or 2 s timestamps (FAT, HFS+) need the long window; ones with
# fine timestamps (ext4, btrfs, APFS: a tick of at most a few ms) the short one.
_RACY_COARSE_NS = 2_000_000_000
_RACY_FINE_NS = 100_000_000


def _is_racy(mtime_ns: int) -> bool:
    """True when a file with this mtime may not yet be told apart by its stat."""
    coarse = mtime_ns % 1_000_000 == 0  # no sub-millisecond digits: a coarse filesystem
    window = _RACY_COARSE_NS if coarse else _RACY_FINE_NS
    return mtime_ns >= time.time_ns() - window


# Temp files older than this were left by a killed writer (no save takes this long).
_STALE_TEMP_SECONDS = 600

_T = TypeVar("_T")
_NONCE = itertools.count(1)


class RecordTable(Table):
    """A TinyDB table keyed by string ids (UUIDs) and meant to run without a query cache.

    Ids are always given explicitly, never taken from TinyDB's in-memory next id,
    and the query cache must be off (``cache_size=0``) because another process
    may write the file.
    """

    # TinyDB's annotations say int, but its id conversion is generic (str(id) on disk).
    document_id_class = str  # type: ignore[assignment]

    def put_many(self, records: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        """Insert or replace records by id with one read and one write of the file."""
        items = [(key, dict(value)) for key, value in records]

        def updater(table: dict[Any, Mapping[Any, Any]]) -> None:
            for key, value in items:
                table[key] = value

        self._update_table(updater)

    def delete_many(self, ids: Iterable[str]) -> None:
        """Remove records by id (missing ids are ignored) with one read and one write."""
        wanted = list(ids)

        def updater(table: dict[Any, Mapping[Any, Any]]) -> None:
            for key in wanted:
                table.pop(key, None)

        self._update_table(updater)


def _open_table(path: Path, name: str) -> RecordTable:
    """Return table ``name`` of the TinyDB file at ``path`` (atomic storage, no query cache)."""
    return RecordTable(AtomicJSONStorage(path, empty_is_corrupt=True), name, cache_size=0)


@dataclass(frozen=True, slots=True)
class _DocRecord:
    """One document of the index."""

    id: str
    relpath: str
    sha256: str | None = None
    tags: tuple[str, ...] = ()
    note: str = ""
    position: int = 0

    @property
    def file(self) -> str:
        return f"{self.id}.json"

    def to_dict(self) -> dict[str, Any]:
        return {
            "relpath": self.relpath,
            "sha256": self.sha256,
            "tags": list(self.tags),
            "note": self.note,
            "position": self.position,
            "annotations": self.file,
        }


@dataclass(frozen=True, slots=True)
class _Index:
    """The parsed index file."""

    schema: int
    documents: tuple[_DocRecord, ...]
    bad: tuple[str, ...] = ()

    def by_relpath(self, relpath: str) -> _DocRecord | None:
        # Records are sorted by id, so duplicate relpaths (hand edits) resolve alike everywhere.
        for record in self.documents:
            if record.relpath == relpath:
                return record
        return None


@dataclass(frozen=True, slots=True)
class _AnnotationsFile:
    """The parsed annotations of one document."""

    annotations: tuple[Annotation, ...]
    bad: tuple[str, ...] = ()


def _sort_key(annotation: Annotation) -> tuple[int, int, str, str]:
    return (annotation.start, annotation.end, annotation.created, annotation.id)


def _check_tables(path: Path, data: dict[str, Any], allowed: set[str]) -> None:
    """Reject a file holding tables this kind of file never has (not an ipreader file)."""
    unexpected = sorted(set(data) - allowed)
    if unexpected:
        raise CorruptDatabaseError(path, f"unexpected table(s) {', '.join(map(repr, unexpected))}")


def _parse_index(path: Path, data: dict[str, dict[str, dict[str, Any]]] | None) -> _Index:
    data = data or {}
    _check_tables(path, data, {"_meta", "documents"})
    if data.get("documents") and "schema" not in data.get("_meta", {}):
        # ipreader writes the schema before the first document: this is not its index.
        raise CorruptDatabaseError(path, "documents without a schema version")
    schema = 0
    meta = data.get("_meta", {}).get("schema")
    if meta is not None:
        version = meta.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise CorruptDatabaseError(path, f"schema version is {version!r}, not an integer")
        schema = version
    documents: list[_DocRecord] = []
    bad: list[str] = []
    for doc_id, raw in sorted(data.get("documents", {}).items()):
        relpath = raw.get("relpath")
        sha = raw.get("sha256")
        tags = raw.get("tags", [])
        note = raw.get("note", "")
        position = raw.get("position", 0)
        if (
            not isinstance(relpath, str)
            or not relpath
            or not (sha is None or isinstance(sha, str))
            or not isinstance(tags, list)
            or not all(isinstance(tag, str) for tag in tags)
            or not isinstance(note, str)
            or not isinstance(position, int)
        ):
            bad.append(doc_id)
            continue
        documents.append(
            _DocRecord(doc_id, relpath, sha, normalize_tags(tags), note, max(0, position))
        )
    return _Index(schema, tuple(documents), tuple(bad))


def _parse_annotations(
    path: Path, data: dict[str, dict[str, dict[str, Any]]] | None
) -> _AnnotationsFile:
    _check_tables(path, data or {}, {"annotations"})
    records = (data or {}).get("annotations", {})
    good: list[Annotation] = []
    bad: list[str] = []
    for annotation_id, raw in records.items():
        try:
            # The key is the identity; a differing "id" field inside cannot win.
            good.append(Annotation.from_dict({**raw, "id": annotation_id}))
        except (ValueError, TypeError):
            bad.append(annotation_id)
    good.sort(key=_sort_key)
    return _AnnotationsFile(tuple(good), tuple(bad))


def _parse_state(path: Path, data: dict[str, dict[str, dict[str, Any]]] | None) -> str | None:
    _check_tables(path, data or {}, {"state"})
    last = (data or {}).get("state", {}).get("last_document", {}).get("relpath")
    return last if isinstance(last, str) and last else None


class _ReadCache:
    """Parsed files keyed by path, reused while the file's identity (fstat) is unchanged."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[tuple[int, ...], object]] = {}
        self._mutex = threading.Lock()

    def load(self, path: Path, parse: Callable[[Path, Any], _T]) -> _T:
        """Return ``parse(path, tables)`` for the file (``None`` tables when missing)."""
        try:
            with open(path, "rb") as handle:
                # fstat of the open handle: the signature always matches the bytes read,
                # even if the file is replaced between the stat and the read.
                st = os.fstat(handle.fileno())
                signature = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                with self._mutex:
                    cached = self._entries.get(path)
                if cached is not None and cached[0] == signature:
                    return cached[1]  # type: ignore[return-value]
                raw = handle.read()
        except FileNotFoundError:
            with self._mutex:
                self._entries.pop(path, None)
            return parse(path, None)
        except OSError as error:
            raise StoreError(f"cannot read {path}: {error.strerror or error}") from error
        value = parse(path, decode_database(path, raw, empty_is_corrupt=True))
        if not _is_racy(st.st_mtime_ns):
            with self._mutex:
                self._entries[path] = (signature, value)
        else:
            with self._mutex:
                self._entries.pop(path, None)
        return value


def _probe_writable(directory: Path, *, parents: bool) -> str | None:
    """Create ``directory`` (and its annotations dir) and a scratch file in each.

    Returns ``None`` when writing works, else the reason. Writability is tested by
    trying, since permission bits lie (root, ACLs, read-only mounts).
    """
    try:
        directory.mkdir(parents=parents, exist_ok=True)
        for folder in (directory, directory / ANNOTATIONS_DIR):
            folder.mkdir(exist_ok=True)
            probe = folder / f"{TEMP_PREFIX}probe-{uuid.uuid4().hex[:12]}"
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            os.unlink(probe)
    except OSError as error:
        return error.strerror or str(error)
    for name in (INDEX_FILE, STATE_FILE):
        # A rename would replace a read-only file anyway; honour the owner's intent.
        if (directory / name).exists() and not os.access(directory / name, os.W_OK):
            return f"{directory / name} is read-only"
    return None


def _seed_fallback(primary: Path, fallback: Path) -> bool:
    """Copy a read-only folder's existing database into the fresh fallback dir."""
    if not (primary / INDEX_FILE).is_file() or (fallback / INDEX_FILE).exists():
        return False
    try:
        sources = [primary / STATE_FILE, primary / INDEX_FILE]
        annotations = primary / ANNOTATIONS_DIR
        if annotations.is_dir():
            sources = [p for p in annotations.glob("*.json") if p.is_file()] + sources
        for source in sources:
            if source.is_file():
                target = fallback / source.relative_to(primary)
                atomic_write_bytes(target, source.read_bytes())
    except (OSError, StoreError):
        return False
    return True


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
        self._cache = _ReadCache()
        self._mutex = threading.RLock()
        self._lock = FileLock(str(location / LOCK_FILE), timeout=LOCK_TIMEOUT)
        self._seen_sha: dict[str, str] = {}
        self._depth = 0  # nesting of _locked() in the thread holding self._mutex
        self._owner = 0  # that thread's id
        self._held_index: _Index | None = None  # the index as read under the current lock

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
        problem = None if use_fallback else _probe_writable(primary, parents=False)
        if problem is None and not use_fallback:
            store = cls(root, primary)
        elif (fallback_problem := _probe_writable(fallback, parents=True)) is None:
            if use_fallback:
                store = cls(root, fallback)  # the caller's choice: nothing to tell the user
            else:
                seeded = _seed_fallback(primary, fallback)
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
                _parse: Callable[[Path, Any], object] = _parse_annotations
                if path == self._index_path:
                    _parse = _parse_index
                elif path == self._state_path:
                    _parse = _parse_state
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
                parsed = _parse_annotations(path, decode_database(path, raw))
            except (OSError, CorruptDatabaseError):
                continue  # handled (set aside) when that document is next read
            if parsed.annotations:
                relpath = parsed.annotations[0].document
                records.append((path.stem, _DocRecord(path.stem, relpath).to_dict()))
        self._write_meta()
        if records:
            self._documents_table().put_many(records)
        return len(records)

    def _index(self) -> _Index:
        # Under the lock only this thread writes the index, so one read per hold suffices.
        holding = self._depth > 0 and self._owner == threading.get_ident()
        if holding and self._held_index is not None:
            return self._held_index
        index = self._load(self._index_path, _parse_index)
        if holding:
            self._held_index = index
        if index.bad:
            self._notice(
                f"{self._index_path}: {len(index.bad)} document record(s) could not be "
                f"read ({', '.join(index.bad)}); they are kept in the file and ignored"
            )
        return index

    def _annotations_of(self, record: _DocRecord) -> tuple[Annotation, ...]:
        path = self._annotations_dir / record.file
        parsed = self._load(path, _parse_annotations)
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
        return _open_table(self._index_path, "documents")

    def _annotations_table(self, record: _DocRecord) -> RecordTable:
        return _open_table(self._annotations_dir / record.file, "annotations")

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

    def _write_meta(self) -> None:
        meta = {"version": SCHEMA_VERSION, "written_by": f"ipreader {__version__}"}
        _open_table(self._index_path, "_meta").put_many([("schema", meta)])

    def _put_documents(self, records: Iterable[_DocRecord]) -> None:
        items = [(record.id, record.to_dict()) for record in records]
        if self._index().schema == 0:
            self._write(self._index_path, self._write_meta)
        self._write(self._index_path, lambda: self._documents_table().put_many(items))

    def _record_for_write(self, relpath: str) -> _DocRecord:
        """Return the document's record, registering it now (must hold the lock)."""
        record = self._index().by_relpath(relpath)
        if record is None:
            record = _DocRecord(str(uuid.uuid4()), relpath, self._seen_sha.get(relpath))
            self._put_documents([record])
        return record

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

    def save_annotation(self, annotation: Annotation) -> None:
        """Insert or replace one annotation (by id)."""
        self.save_annotations([annotation])

    def save_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Insert or replace annotations by id, with one write per document."""
        grouped: dict[str, list[Annotation]] = {}
        for annotation in annotations:
            grouped.setdefault(annotation.document, []).append(annotation)
        if not grouped:
            return
        with self._locked():
            for relpath, items in grouped.items():
                record = self._record_for_write(relpath)
                rows = [(a.id, a.to_dict()) for a in items]
                path = self._annotations_dir / record.file
                table = self._annotations_table(record)
                self._write(path, partial(table.put_many, rows))

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
        self._update_document(relpath, tags=normalize_tags(notes.tags), note=notes.note)

    def reading_position(self, relpath: str) -> int:
        """Return the stored reading position (a code-point offset; 0 when unknown)."""
        record = self._index().by_relpath(relpath)
        return 0 if record is None else record.position

    def set_reading_position(self, relpath: str, offset: int) -> None:
        """Store the reading position of a document."""
        self._update_document(relpath, position=max(0, int(offset)))

    def _update_document(self, relpath: str, **changes: Any) -> None:
        if self._index().by_relpath(relpath) is None and not any(changes.values()):
            return  # nothing to remember for an unregistered document: stay lazy
        with self._locked():
            record = self._index().by_relpath(relpath)
            if record is None:
                record = _DocRecord(str(uuid.uuid4()), relpath, self._seen_sha.get(relpath))
            updated = replace(record, **changes)
            if updated != record or self._index().by_relpath(relpath) is None:
                self._put_documents([updated])

    def last_document(self) -> str | None:
        """Return the relpath of the document read last, if any."""
        return self._load(self._state_path, _parse_state)

    def set_last_document(self, relpath: str) -> None:
        """Remember the document read last."""
        if self.last_document() == relpath:
            return
        with self._locked():
            self._write(
                self._state_path,
                lambda: _open_table(self._state_path, "state").put_many(
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
        from ipreader.core.anchoring import reanchor  # sibling module; keeps imports light

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
        if record.sha256 == sha256:
            return list(self._annotations_of(record))
        if not self.writable:
            return sorted((reanchor(text, a) for a in self._annotations_of(record)), key=_sort_key)
        with self._locked():
            record = self._record_for_write(relpath)
            current = self._annotations_of(record)
            if record.sha256 == sha256:
                return list(current)  # another process reconciled it meanwhile
            anchored = sorted((reanchor(text, a) for a in current), key=_sort_key)
            changed = [(a.id, a.to_dict()) for a in anchored if a not in current]
            if changed:
                path = self._annotations_dir / record.file
                self._write(path, lambda: self._annotations_table(record).put_many(changed))
            self._put_documents([replace(record, sha256=sha256)])
            return anchored

    def _adoptable(self, index: _Index, relpath: str, sha256: str) -> _DocRecord | None:
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
        if _is_racy(newest):
            parts.append(next(_NONCE))
        return tuple(parts)


__all__ = ["SCHEMA_VERSION", "FolderStore", "RecordTable"]
