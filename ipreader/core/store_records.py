"""The files of a folder store: their names, record shapes, parsing and cached reads.

The bottom layer of the store (``store_files.py`` locks and writes,
``store.py`` is the API): it knows what each TinyDB file under ``.ipreader/``
holds and how to read and update it, but not when to lock or what a change means.

* ``RecordTable``: a TinyDB table keyed by UUID strings, with ``put_many`` and
  ``delete_many`` doing one read and one atomic write of the file;
* ``parse_index`` / ``parse_annotations`` / ``parse_state``: checked parsing of
  the three kinds of file (``CorruptDatabaseError`` for a file of the wrong shape,
  bad records skipped and reported, never dropped from the file);
* ``ReadCache``: parsed files reused while their ``fstat`` signature is unchanged.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tinydb.table import Table

from ipreader.core.errors import StoreError
from ipreader.core.model import Annotation, normalize_tags
from ipreader.core.storage import (
    AtomicJSONStorage,
    CorruptDatabaseError,
    decode_database,
)

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


def is_racy(mtime_ns: int) -> bool:
    """True when a file with this mtime may not yet be told apart by its stat."""
    coarse = mtime_ns % 1_000_000 == 0  # no sub-millisecond digits: a coarse filesystem
    window = _RACY_COARSE_NS if coarse else _RACY_FINE_NS
    return mtime_ns >= time.time_ns() - window


_T = TypeVar("_T")


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


def read_tables(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Return the tables of the TinyDB file at ``path`` (``{}`` when it does not exist).

    Raises ``CorruptDatabaseError`` for a damaged file (an empty one included)
    and ``StoreError`` when it exists but cannot be read.
    """
    return AtomicJSONStorage(path, empty_is_corrupt=True).read() or {}


def open_table(path: Path, name: str) -> RecordTable:
    """Return table ``name`` of the TinyDB file at ``path`` (atomic storage, no query cache)."""
    return RecordTable(AtomicJSONStorage(path, empty_is_corrupt=True), name, cache_size=0)


@dataclass(frozen=True, slots=True)
class DocRecord:
    """One document of the index."""

    id: str
    relpath: str
    sha256: str | None = None
    tags: tuple[str, ...] = ()
    note: str = ""
    position: int = 0

    @property
    def file(self) -> str:
        """The name of the document's annotations file (in ``annotations/``)."""
        return f"{self.id}.json"

    def to_dict(self) -> dict[str, Any]:
        """Return the record as stored in the index."""
        return {
            "relpath": self.relpath,
            "sha256": self.sha256,
            "tags": list(self.tags),
            "note": self.note,
            "position": self.position,
            "annotations": self.file,
        }


@dataclass(frozen=True, slots=True)
class IndexFile:
    """The parsed index file."""

    schema: int
    documents: tuple[DocRecord, ...]
    bad: tuple[str, ...] = ()
    _relpaths: dict[str, DocRecord] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # A dict, not a scan: an export or import looks up every document (2,000+).
        # Records are sorted by id and the first wins, so duplicate relpaths (hand
        # edits) resolve alike everywhere.
        for record in self.documents:
            self._relpaths.setdefault(record.relpath, record)

    def by_relpath(self, relpath: str) -> DocRecord | None:
        """Return the record of ``relpath`` (the lowest id among duplicates), if any."""
        return self._relpaths.get(relpath)


@dataclass(frozen=True, slots=True)
class AnnotationsFile:
    """The parsed annotations of one document."""

    annotations: tuple[Annotation, ...]
    bad: tuple[str, ...] = ()


def annotation_order(annotation: Annotation) -> tuple[int, int, str, str]:
    """Sort key of annotations in document order (ties broken by creation time, then id)."""
    return (annotation.start, annotation.end, annotation.created, annotation.id)


def check_tables(path: Path, data: dict[str, Any], allowed: set[str]) -> None:
    """Reject a file holding tables this kind of file never has (not an ipreader file)."""
    unexpected = sorted(set(data) - allowed)
    if unexpected:
        raise CorruptDatabaseError(path, f"unexpected table(s) {', '.join(map(repr, unexpected))}")


def parse_index(path: Path, data: dict[str, dict[str, dict[str, Any]]] | None) -> IndexFile:
    """Check and parse the tables of an index file (``None``: no file yet)."""
    data = data or {}
    check_tables(path, data, {"_meta", "documents"})
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
    documents: list[DocRecord] = []
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
            DocRecord(doc_id, relpath, sha, normalize_tags(tags), note, max(0, position))
        )
    return IndexFile(schema, tuple(documents), tuple(bad))


def parse_annotations(
    path: Path, data: dict[str, dict[str, dict[str, Any]]] | None
) -> AnnotationsFile:
    """Check and parse the tables of an annotations file, sorted in document order."""
    check_tables(path, data or {}, {"annotations"})
    records = (data or {}).get("annotations", {})
    good: list[Annotation] = []
    bad: list[str] = []
    for annotation_id, raw in records.items():
        try:
            # The key is the identity; a differing "id" field inside cannot win.
            good.append(Annotation.from_dict({**raw, "id": annotation_id}))
        except (ValueError, TypeError):
            bad.append(annotation_id)
    good.sort(key=annotation_order)
    return AnnotationsFile(tuple(good), tuple(bad))


def parse_state(path: Path, data: dict[str, dict[str, dict[str, Any]]] | None) -> str | None:
    """Return the last document read recorded in a state file, if any."""
    check_tables(path, data or {}, {"state"})
    last = (data or {}).get("state", {}).get("last_document", {}).get("relpath")
    return last if isinstance(last, str) and last else None


class ReadCache:
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
        if not is_racy(st.st_mtime_ns):
            with self._mutex:
                self._entries[path] = (signature, value)
        else:
            with self._mutex:
                self._entries.pop(path, None)
        return value
