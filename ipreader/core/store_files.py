"""The locked, crash-safe file layer of a folder store.

``StoreFiles`` owns a store's location: the cross-process lock (``filelock``,
plus a re-entrant lock for the threads of this process), cached reads of the
index and annotation files, setting damaged files aside (quarantine, never
delete; the index is rebuilt from the annotation files), and read-modify-writes
that re-read the file inside the lock and replace it atomically.
``FolderStore`` (``store.py``) builds the annotations API on top of it.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock, Timeout

from ipreader import __version__
from ipreader.core.errors import SchemaTooNewError, StoreError, StoreWriteError
from ipreader.core.model import Annotation
from ipreader.core.notices import Notices
from ipreader.core.storage import (
    TEMP_PREFIX,
    CorruptDatabaseError,
    atomic_write_bytes,
    decode_database,
    quarantine,
)
from ipreader.core.store_records import (
    ANNOTATIONS_DIR,
    INDEX_FILE,
    LOCK_FILE,
    STATE_FILE,
    DocRecord,
    IndexFile,
    ReadCache,
    RecordTable,
    open_table,
    parse_annotations,
    parse_index,
    parse_state,
    read_tables,
)

#: Version of the on-disk layout; a folder written with a higher one is refused for writing.
SCHEMA_VERSION = 1

# Temp files older than this were left by a killed writer (no save takes this long).
_STALE_TEMP_SECONDS = 600

_T = TypeVar("_T")


def probe_writable(directory: Path, *, parents: bool) -> str | None:
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


def seed_fallback(primary: Path, fallback: Path) -> bool:
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


class StoreFiles:
    """The files of one store location, read through a cache and written under its lock."""

    root: Path
    """The articles folder."""
    location: Path
    """The directory actually used (``.ipreader/`` or the per-user fallback)."""
    notices: Notices
    """Messages for the user: fallback dir used, corrupt file moved aside, ..."""
    writable: bool
    """False when writing is refused (schema too new, nowhere writable); reads still work."""

    def __init__(
        self,
        root: Path,
        location: Path,
        *,
        writable: bool = True,
        lock_timeout: float = 10.0,
        notices: Notices | None = None,
    ) -> None:
        self.root = root
        self.location = location
        self.notices = Notices() if notices is None else notices
        self.writable = writable
        self._refusal: StoreError = StoreWriteError(f"{location} cannot be written")
        self._index_path = location / INDEX_FILE
        self._state_path = location / STATE_FILE
        self._annotations_dir = location / ANNOTATIONS_DIR
        self._cache = ReadCache()
        self._mutex = threading.RLock()
        self._lock = FileLock(str(location / LOCK_FILE), timeout=lock_timeout)
        self._seen_sha: dict[str, str] = {}  # relpath -> sha256 of the text last reconciled
        self._depth = 0  # nesting of _locked() in the thread holding self._mutex
        self._owner = 0  # that thread's id
        self._held_index: IndexFile | None = None  # the index as read under the current lock

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
        self.notices.add(message)

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
                    f"{self._lock.timeout:g} s; try again when it has finished"
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
