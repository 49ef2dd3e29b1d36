"""A store's records in its files: the index, each document's annotations, the state.

(Over 450 lines: every file of the store — index, bucketed annotation files,
state, codebook — is read and written here so one place holds the lock
discipline and what a damaged file means; the bucket layout's rules are in
buckets.py, file access in files.py.)

``Catalog`` reads typed records through the ``JsonFiles`` cache and writes
them as transactions of TinyDB table operations under the folder lock, each
file re-read inside the lock. It knows what setting a damaged file aside
means for each file (the index is rebuilt from the annotation files) and
refuses writes to a folder a newer ipreader upgraded. What the records mean
(registering documents lazily, re-anchoring, renames) is ``FolderStore``'s.
"""

from __future__ import annotations

import contextlib
import itertools
import operator
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipreader import __version__
from ipreader.core.errors import SchemaTooNewError, StoreError, StoreWriteError
from ipreader.core.model import Annotation
from ipreader.core.notices import Notices
from ipreader.core.pacing import stepped
from ipreader.core.storage import (
    CorruptDatabaseError,
    Tables,
    file_kind,
    fsync_directory,
    quarantine,
)
from ipreader.core.store.buckets import (
    BUCKET_MAX,
    MAX_BUCKETS,
    Layout,
    bucket_of,
    copy_rank,
    count_for,
    document_paths,
    list_layout,
    new_layout,
)
from ipreader.core.store.files import JsonFiles, is_racy
from ipreader.core.store.formats import (
    ANNOTATIONS_DIR,
    ANNOTATIONS_TABLE,
    CODEBOOK_FILE,
    DOCUMENTS_TABLE,
    INDEX_FILE,
    MERGED_RECORD,
    META_TABLE,
    SCHEMA_VERSION,
    STATE_FILE,
    STATE_TABLE,
    AnnotationsFile,
    DocRecord,
    IndexFile,
    annotation_order,
    describe_bad,
    is_uuid,
    meta_record,
    parse_annotations,
    parse_index,
    parse_state,
)
from ipreader.core.store.index_cache import IndexCache
from ipreader.core.store.lock import FolderLock
from ipreader.core.store.read_cache import ReadCache

if TYPE_CHECKING:
    # The codebook (its model and file format) loads when it is first read or written: the
    # app's first paint reads a store but no codebook (tests/test_start_imports.py).
    from ipreader.core.codebook import Codebook
    from ipreader.core.store.tables import UuidTable  # TinyDB: loaded with the first write

_NONCE = itertools.count(1)
_DOCUMENT = operator.attrgetter("document")

#: Documents registered in one hold that a batch must write before ``annotations/`` is
#: listed once for all of them (``Catalog._fresh_documents``).
FRESH_LISTING_MIN = 32

#: One document's change: its record, the records to insert or replace, the ids to remove.
_Change = tuple[DocRecord, Mapping[str, Mapping[str, Any]], Sequence[str]]


def _by_bucket(
    layout: Layout, count: int, rows: Mapping[str, Any]
) -> list[tuple[Path, dict[str, Any]]]:
    """``rows`` grouped by the bucket file of their id, in bucket order."""
    if count == 1:  # one file: no id to hash (an import passes 20,000)
        return [(layout.path(0, 1), dict(rows))] if rows else []
    grouped: dict[int, dict[str, Any]] = {}
    for key, value in rows.items():
        grouped.setdefault(bucket_of(key, count), {})[key] = value
    return [(layout.path(number, count), grouped[number]) for number in sorted(grouped)]


def _overfull(table: UuidTable, rows: Mapping[str, Any]) -> bool:
    """True when inserting ``rows`` would leave the bucket over ``BUCKET_MAX`` records."""
    present = len(table)
    if present + len(rows) <= BUCKET_MAX:
        return False  # even if every row is new: no lookup per id
    new = sum(not table.contains(doc_id=key) for key in rows)  # type: ignore[arg-type]
    return present + new > BUCKET_MAX


def _same(first: tuple[object, ...], second: tuple[object, ...]) -> bool:
    """True when two tuples hold the very same objects (cached parses are reused as is)."""
    return len(first) == len(second) and all(a is b for a, b in zip(first, second, strict=True))


class Catalog:
    """The typed records of one store location."""

    def __init__(self, location: Path, lock: FolderLock, notices: Notices) -> None:
        self.location = location
        """The directory of the files."""
        self.index_path = location / INDEX_FILE
        """The index: schema and document records."""
        self.state_path = location / STATE_FILE
        """The state: last document read."""
        self.annotations_dir = location / ANNOTATIONS_DIR
        """One annotations file per document."""
        self.codebook_path = location / CODEBOOK_FILE
        """The codebook: tag descriptions and colour meanings."""
        self._lock = lock
        self._notices = notices
        self._files = JsonFiles(
            lock, notices, check=self._parse_any, on_set_aside=self._after_set_aside
        )
        self._held_index: tuple[int, IndexFile] | None = None  # (hold number, index)
        # (hold number, ids of the documents ``register`` added in that hold): a batch
        # writing many of them lists ``annotations/`` once instead of each one's files.
        self._registered: tuple[int, set[str]] | None = None
        self._index_cache_used = False
        self._index_cache: IndexCache | None = None  # the first read's, until a pass saves it
        self._rebuilt = False  # the index was set aside and rebuilt (or tried) already
        # doc id -> (relpath, the parsed files, their union): a document's annotations,
        # reused while every one of its files is the same cached parse.
        self._merged: dict[str, tuple[str, tuple[object, ...], tuple[Annotation, ...]]] = {}
        self._paths: dict[str, tuple[Path, Path]] = {}  # doc id -> its single file, bucket dir
        # The read cache a single document's read opened (``annotations_of(persist=True)``),
        # handed to the next whole-folder pass, which saves it: one load of its file.
        self._persisted: ReadCache | None = None

    # ------------------------------------------------------------------ reading

    def index(self) -> IndexFile:
        """The index (document records with a bad field are skipped and reported)."""
        # While this thread holds the lock nobody else writes the index: one read per hold.
        hold = self._lock.hold_number
        if hold is not None and self._held_index is not None and self._held_index[0] == hold:
            return self._held_index[1]
        if self._index_cache_used:
            index = self._files.load(self.index_path, parse_index)
        else:
            # The first read (the store's open) through the user's cache: later reads
            # follow this process's own writes, not worth a 10 MB cache write each.
            # Saved by the next whole-folder pass: a process that only writes (an
            # import) or reads one document writes no cache.
            self._index_cache_used = True
            self._index_cache = IndexCache(self.location)
            index = self._files.load(self.index_path, parse_index, self._index_cache)
        if hold is not None:
            self._held_index = (hold, index)
        if index.bad:
            self._notices.add(
                f"{self.index_path}: {len(index.bad)} document record(s) could not be "
                f"read ({describe_bad(index.bad)}); they are kept in the file and ignored"
            )
        return index

    def layout(self, record: DocRecord) -> Layout:
        """The files holding a document's annotations now (``buckets.py``)."""
        return list_layout(*self._document_paths(record))

    def _document_paths(self, record: DocRecord) -> tuple[Path, Path]:
        paths = self._paths.get(record.id)
        if paths is None:
            # Cached: building two Paths per document costs more than the listing itself.
            paths = self._paths[record.id] = document_paths(self.annotations_dir, record.id)
        return paths

    def annotations_of(self, record: DocRecord, *, persist: bool = False) -> tuple[Annotation, ...]:
        """A document's annotations in document order (bad records skipped and reported).

        The union of its files by id (``buckets.py``; of two copies of one
        record, ``copy_rank`` picks), reused while no file changed: a poll
        after another process's save re-reads only the bucket it replaced.
        ``persist``: its files are also looked up in, and kept for, the user's
        read cache (``read_cache.py``), saved by the next ``annotations_of_all``
        (a book's tens of thousands of highlights, opened before the folder's).
        """
        if not persist:
            return self._annotations_of(record, None)
        if self._persisted is None:
            self._persisted = ReadCache(self.location)
        return self._annotations_of(record, self._persisted)

    def _annotations_of(
        self, record: DocRecord, persisted: ReadCache | None
    ) -> tuple[Annotation, ...]:
        for _attempt in range(3):
            layout = self.layout(record)
            files = layout.files
            parsed = [
                (file.count, self._load_annotations(file.path, record, persisted)) for file in files
            ]
            if len(files) <= 1 or self.layout(record) == layout:
                break
            # A re-shard replaced the files between the listing and the reads: list again.
        return self._union(record, parsed)

    def annotations_of_all(
        self, records: Iterable[DocRecord], *, persist: bool = True
    ) -> Iterator[tuple[DocRecord, tuple[Annotation, ...]]]:
        """Each record with its ``annotations_of``, the annotations directory listed once.

        A document with no bucket directory in that listing (nearly all) is read
        from its single file without a listing of its own. When that file holds
        nothing, the document is read the usual way: a re-shard since the
        listing may have moved its records into buckets.

        The files' parses are also kept in the user's cache between processes
        (``read_cache.py``: for a settled signature or the very same bytes), saved when the
        pass is read to its end; ``persist=False``: only this process's (a pass repeated
        while the app runs: saving that cache again costs more than the pass).
        """
        try:
            names: frozenset[str] | None = frozenset(os.listdir(self.annotations_dir))
        except OSError:
            names = None  # missing or unreadable: each document the usual way
        # The cache a single read just loaded, if any (taken: one pass uses and saves it).
        persisted: ReadCache | None = None
        if persist:
            persisted, self._persisted = self._persisted or ReadCache(self.location), None
        prefix = os.path.join(self.annotations_dir, "")  # as buckets.document_paths names it
        records = list(records)
        singles = [names is not None and record.id not in names for record in records]
        # Text, not Paths: most files are not read at all (``JsonFiles.load_all``); each
        # read when its document's turn comes, as the one-by-one reads below.
        keys = (f"{prefix}{r.id}.json" for r, one in zip(records, singles, strict=True) if one)
        loaded = self._files.load_all(keys, parse_annotations, persisted)
        for record, is_single in zip(records, singles, strict=True):
            if not is_single:
                yield record, self._annotations_of(record, persisted)
                continue
            single = next(loaded)
            if single.annotations or single.bad:
                self._note_bad(f"{prefix}{record.id}.json", record, single)
                yield record, self._union(record, [(1, single)])
            else:
                yield record, self._annotations_of(record, persisted)
        if persisted is not None:
            persisted.save()
        if self._index_cache is not None:
            self._index_cache.save()
            self._index_cache = None

    def _union(
        self, record: DocRecord, parsed: Sequence[tuple[int, AnnotationsFile]]
    ) -> tuple[Annotation, ...]:
        """The annotations of a document's parsed files (``(bucket count, file)``), merged."""
        if not parsed:
            return ()
        if len(parsed) == 1:
            merged = parsed[0][1].annotations
            if all(map(record.relpath.__eq__, map(_DOCUMENT, merged))):  # nearly always
                return merged  # nothing to merge or rename: the parse's own tuple, reused
        key = tuple(part for _count, part in parsed)
        cached = self._merged.get(record.id)
        if cached is not None and cached[0] == record.relpath and _same(cached[1], key):
            return cached[2]
        if len(parsed) == 1:
            merged = parsed[0][1].annotations
        else:
            newest: dict[str, tuple[tuple[int, str, int], Annotation]] = {}
            for count, part in parsed:
                for annotation in part.annotations:
                    rank = (annotation.revision, annotation.updated, count)
                    known = newest.get(annotation.id)
                    if known is None or known[0] <= rank:
                        newest[annotation.id] = (rank, annotation)
            merged = tuple(sorted((a for _r, a in newest.values()), key=annotation_order))
        result = tuple(
            a if a.document == record.relpath else replace(a, document=record.relpath)
            for a in merged
        )
        self._merged[record.id] = (record.relpath, key, result)
        return result

    def annotation(self, record: DocRecord, annotation_id: str) -> Annotation | None:
        """One annotation of a document by id, reading only the file(s) that may hold it."""
        layout = self.layout(record)
        found: tuple[tuple[int, str, int], Annotation] | None = None
        for count, path in layout.paths_of(annotation_id):
            for annotation in self._load_annotations(path, record).annotations:
                rank = (annotation.revision, annotation.updated, count)
                if annotation.id == annotation_id and (found is None or found[0] <= rank):
                    found = (rank, annotation)
        if found is None:
            return None
        annotation = found[1]
        return (
            annotation
            if annotation.document == record.relpath
            else replace(annotation, document=record.relpath)
        )

    def _load_annotations(
        self, path: Path | str, record: DocRecord, persisted: ReadCache | None = None
    ) -> AnnotationsFile:
        parsed = self._files.load(path, parse_annotations, persisted)
        self._note_bad(path, record, parsed)
        return parsed

    def _note_bad(self, path: Path | str, record: DocRecord, parsed: AnnotationsFile) -> None:
        """Tell the user about a file's records that could not be read (they stay in it)."""
        if parsed.bad:
            self._notices.add(
                f"{path}: {len(parsed.bad)} annotation(s) of {record.relpath} could not be "
                f"read ({describe_bad(parsed.bad)}); they are kept in the file and ignored"
            )

    def last_document(self) -> str | None:
        """The relpath of the document read last, if any."""
        return self._files.load(self.state_path, parse_state).last_document

    def codebook(self) -> Codebook:
        """The folder's codebook (bad records skipped and reported)."""
        from ipreader.core.store.codebook_file import parse_codebook

        parsed = self._files.load(self.codebook_path, parse_codebook)
        if parsed.bad:
            self._notices.add(
                f"{self.codebook_path}: {len(parsed.bad)} record(s) could not be read "
                f"({describe_bad(parsed.bad)}); they are kept in the file and ignored"
            )
        return parsed.codebook

    def merged_token(self) -> tuple[int, ...] | None:
        """A fallback store's: the folder's ``change_token`` when it was last merged in."""
        return self._files.load(self.state_path, parse_state).merged_token

    def _parse_any(self, path: Path, tables: Tables) -> object:
        if path == self.index_path:
            return parse_index(path, tables)
        if path == self.state_path:
            return parse_state(path, tables)
        if path == self.codebook_path:
            from ipreader.core.store.codebook_file import parse_codebook

            return parse_codebook(path, tables)
        return parse_annotations(path, tables)

    # ------------------------------------------------------------------ writing

    def refuse(self, reason: StoreError) -> None:
        """Refuse every later write with ``reason`` (told to the user once)."""
        self._lock.refuse(reason)
        self._notices.add(str(reason))

    def check_schema(self) -> None:
        """Refuse writes when the index was written by a newer ipreader."""
        index = self.index()
        if index.schema > SCHEMA_VERSION:
            self.refuse(
                SchemaTooNewError(
                    f"{self.index_path} was written by a newer ipreader (schema "
                    f"{index.schema}; this version {__version__} understands up to "
                    f"{SCHEMA_VERSION}); it is left unchanged and annotations are read-only"
                )
            )

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the folder's lock for a read-modify-write (re-entrant)."""
        with self._lock.hold():
            # A newer ipreader may have upgraded the folder since we opened it.
            self.check_schema()
            if self._lock.refusal is not None:
                raise self._lock.refusal
            yield

    def put_documents(self, records: Iterable[DocRecord]) -> None:
        """Insert or replace document records in one index write (lock held)."""
        with self._files.transaction() as transaction:
            if self.index().schema == 0:
                # The schema goes in with the first document (parse_index insists).
                transaction.table(self.index_path, META_TABLE).upsert_records(
                    {"schema": meta_record()}
                )
            transaction.table(self.index_path, DOCUMENTS_TABLE).upsert_records(
                {record.id: record.to_dict() for record in records}
            )
        self._held_index = None

    def register(
        self, relpaths: Iterable[str], new_record: Callable[[str], DocRecord]
    ) -> dict[str, DocRecord]:
        """Return the documents' records, the missing ones added in one index write.

        ``new_record(relpath)`` makes a new document's record. Lock held.
        """
        records, new = self.records_for(relpaths, new_record)
        if new:
            self.put_documents(new)
        return records

    def records_for(
        self, relpaths: Iterable[str], new_record: Callable[[str], DocRecord]
    ) -> tuple[dict[str, DocRecord], list[DocRecord]]:
        """The documents' records and, of them, the new ones (``new_record(relpath)``).

        The new ones are not written: ``put_documents`` adds them to the index
        (``register``, or an import once their annotation files' temp copies are
        written). Until this hold ends, a change of their annotations knows they
        have no file yet (``_fresh_documents``). Lock held.
        """
        index = self.index()
        records: dict[str, DocRecord] = {}
        new: list[DocRecord] = []
        for relpath in relpaths:
            record = index.by_relpath(relpath)
            if record is None:
                record = new_record(relpath)
                new.append(record)
            records[relpath] = record
        hold = self._lock.hold_number
        if new and hold is not None:
            if self._registered is None or self._registered[0] != hold:
                self._registered = (hold, set())
            self._registered[1].update(record.id for record in new)
        return records, new

    def remove_documents(self, records: Iterable[DocRecord]) -> None:
        """Remove document records from the index (their annotation files stay; lock held)."""
        with self._files.transaction() as transaction:
            transaction.table(self.index_path, DOCUMENTS_TABLE).remove_records(
                record.id for record in records
            )
        self._held_index = None

    def put_annotations(
        self,
        changes: Iterable[tuple[DocRecord, Mapping[str, Mapping[str, Any]]]],
        *,
        before_replace: Callable[[], None] | None = None,
    ) -> None:
        """Insert or replace annotation records by id, per document, in one batch (lock held).

        Each file touched (the bucket of each id, ``buckets.py``) is re-read
        and written once; the files are replaced together (their fsyncs
        overlap). A document outgrowing its buckets is re-sharded after.
        ``before_replace`` runs once the batch's temp files are written, before
        any file is replaced or re-sharded (``storage.atomic_write_many``).
        """
        self._change([(record, rows, ()) for record, rows in changes], before_replace)

    def remove_annotations(self, record: DocRecord, ids: Iterable[str]) -> None:
        """Remove annotation records by id (unknown ids ignored; lock held)."""
        self._change([(record, {}, tuple(ids))])

    def _change(
        self, changes: Sequence[_Change], before_replace: Callable[[], None] | None = None
    ) -> None:
        """Apply upserts and removals: one batch of bucket files, then any re-shards."""
        reshard: list[tuple[_Change, Layout, bool]] = []
        fresh = self._fresh_documents(changes)
        with self._files.transaction(before_replace) as transaction:
            for change in changes:
                record, rows, removals = change
                new = record.id in fresh
                if new and not removals and len(rows) <= BUCKET_MAX:
                    # No file yet and no more records than one holds: its single file
                    # made straight, with no layout, no bucket directory's path and no
                    # TinyDB table (an import's 10,000 new documents).
                    transaction.create(self.annotations_dir / record.file, ANNOTATIONS_TABLE, rows)
                    continue
                layout = new_layout(*self._document_paths(record)) if new else self.layout(record)
                if not layout.settled:
                    reshard.append((change, layout, False))  # a re-shard cut short: finish it
                    continue
                count = layout.count
                tables = [
                    (transaction.table(path, ANNOTATIONS_TABLE, new=new), part)
                    for path, part in _by_bucket(layout, count, rows)
                ]
                if any(_overfull(table, part) for table, part in tables):
                    reshard.append((change, layout, True))
                    continue
                for table, part in tables:
                    table.upsert_records(part)
                for path, part in _by_bucket(layout, count, dict.fromkeys(removals)):
                    transaction.table(path, ANNOTATIONS_TABLE).remove_records(part)
        if any(path.parent.parent == self.annotations_dir for path in transaction.written):
            self._touch_annotations_dir()
        for change, layout, grow in reshard:
            self._reshard(change, layout, grow=grow)

    def _fresh_documents(self, changes: Sequence[_Change]) -> set[str]:
        """The ids of documents ``register`` added in this hold that have no file at all.

        One listing of ``annotations/`` (an import of 10,000 new documents listed
        each one's bucket directory, then failed to open its file). Only for a
        batch of at least ``FRESH_LISTING_MIN`` of them: one listing of a big
        folder costs more than a few documents' own look-ups. A document once
        written here leaves the set, so a later change in the same hold reads its file.
        """
        hold = self._lock.hold_number
        if self._registered is None or self._registered[0] != hold:
            return set()
        registered = self._registered[1]
        ids = {record.id for record, _rows, _removals in changes} & registered
        registered -= ids
        if len(ids) < FRESH_LISTING_MIN:
            return set()
        try:
            present = set(os.listdir(self.annotations_dir))
        except FileNotFoundError:
            present = set()
        except OSError:
            return set()  # each document's own look-up says what is wrong
        return {key for key in ids if key not in present and f"{key}.json" not in present}

    def _reshard(self, change: _Change, layout: Layout, *, grow: bool) -> None:
        """Rewrite a document's annotations as one complete generation of buckets (lock held).

        Every file of the document is read (their union by id, the newest
        generation's copy winning, records with a bad field included: they
        are kept), the change applied, and the new generation written whole
        in one batch before the old files are removed: killed at any point,
        the files still hold every record (``buckets.py``). ``grow``: a bucket
        overflowed, so the count at least doubles.
        """
        _record, rows, removals = change
        self._raise_schema()  # first: an ipreader that knows no buckets must not write here
        self._make_bucket_directory(layout.directory)
        merged: dict[str, tuple[tuple[int, str, int], dict[str, Any]]] = {}
        with self._files.transaction() as transaction:
            for file in layout.files:
                for document in transaction.table(file.path, ANNOTATIONS_TABLE).all():
                    key, rank = str(document.doc_id), copy_rank(document, file.count)
                    if key not in merged or merged[key][0] <= rank:
                        merged[key] = (rank, dict(document))
            final = {key: value for key, (_count, value) in merged.items()}
            final.update((key, dict(value)) for key, value in rows.items())
            for key in removals:
                final.pop(key, None)
            if removals and not layout.settled:
                # A re-shard cut short leaves older copies in the older generation, hidden
                # by the newer ones only while those exist: removed from the new generation
                # alone, a record killed before the old files go would come back as it was
                # before its last edits. So it leaves every file first (first touched: the
                # first renamed), and a kill anywhere shows it as it was or not at all.
                for file in layout.files:
                    transaction.table(file.path, ANNOTATIONS_TABLE).remove_records(removals)
            count = max(count_for(len(final)), layout.count * (2 if grow else 1))
            count = min(max(count, 2), MAX_BUCKETS)
            parts: list[dict[str, dict[str, Any]]] = [{} for _ in range(count)]
            for key, value in final.items():
                parts[bucket_of(key, count)][key] = value
            for number, part in enumerate(parts):
                table = transaction.table(layout.path(number, count), ANNOTATIONS_TABLE)
                table.truncate()
                table.upsert_records(part)
        kept = {layout.path(number, count) for number in range(count)}
        for file in layout.files:
            if file.path not in kept:
                # Best effort: a file left behind holds copies of records the new
                # generation has, and the next write settles it.
                with contextlib.suppress(OSError):
                    os.unlink(file.path)
        fsync_directory(layout.directory)
        fsync_directory(self.annotations_dir)
        self._touch_annotations_dir()

    def _raise_schema(self) -> None:
        """Record this version's schema in the index if it holds an older one (lock held)."""
        if self.index().schema < SCHEMA_VERSION:
            with self._files.transaction() as transaction:
                transaction.table(self.index_path, META_TABLE).upsert_records(
                    {"schema": meta_record()}
                )
            self._held_index = None

    def _make_bucket_directory(self, directory: Path) -> None:
        """Create a document's bucket directory; anything else in its place is moved aside.

        A link there could lead out of the store, so it is never followed.
        """
        try:
            mode = directory.lstat().st_mode
        except FileNotFoundError:
            mode = None
        except OSError as error:
            raise StoreWriteError(
                f"cannot examine {directory}: {error.strerror or error}"
            ) from error
        if mode is not None and not stat.S_ISDIR(mode):
            try:
                moved = quarantine(directory)
            except OSError as error:
                raise StoreWriteError(
                    f"{directory} is {file_kind(mode)}, not a directory, and cannot be moved "
                    f"aside ({error.strerror or error}); nothing was saved"
                ) from error
            self._notices.add(
                f"{directory} was {file_kind(mode)}, not a directory; it was moved aside to "
                f"{moved} (nothing deleted)"
            )
            mode = None
        if mode is None:
            try:
                directory.mkdir()
            except OSError as error:
                raise StoreWriteError(
                    f"cannot create {directory}: {error.strerror or error}; nothing was saved"
                ) from error
            fsync_directory(self.annotations_dir)

    def _touch_annotations_dir(self) -> None:
        """Change the annotations directory's mtime: ``change_token`` stats only that directory,
        and a file replaced inside a bucket directory does not change it."""
        with contextlib.suppress(OSError):
            os.utime(self.annotations_dir)

    def put_codebook(self, before: Codebook, after: Codebook) -> None:
        """Write the records that differ between ``before`` and ``after`` (lock held).

        Only changed records are touched, so a record this version cannot read
        stays in the file.
        """
        if before == after:
            return
        from ipreader.core.store.codebook_file import (
            COLORS_TABLE,
            TAGS_TABLE,
            color_record,
            tag_record,
        )

        with self._files.transaction() as transaction:
            tags = transaction.table(self.codebook_path, TAGS_TABLE)
            tags.remove_records(k for k in before.tags if k not in after.tags)
            tags.upsert_records(
                {k: tag_record(v) for k, v in after.tags.items() if before.tags.get(k) != v}
            )
            colors = transaction.table(self.codebook_path, COLORS_TABLE)
            colors.remove_records(c for c in before.colors if c not in after.colors)
            colors.upsert_records(
                {c: color_record(m) for c, m in after.colors.items() if before.colors.get(c) != m}
            )

    def put_last_document(self, relpath: str) -> None:
        """Record the document read last (lock held)."""
        with self._files.transaction() as transaction:
            transaction.table(self.state_path, STATE_TABLE).upsert_records(
                {"last_document": {"relpath": relpath}}
            )

    def put_merged_token(self, token: tuple[int, ...]) -> None:
        """Record the folder's ``change_token`` just merged into this fallback store (lock held)."""
        with self._files.transaction() as transaction:
            transaction.table(self.state_path, STATE_TABLE).upsert_records(
                {MERGED_RECORD: {"token": list(token)}}
            )

    # ------------------------------------------------------------------ damaged files

    def _after_set_aside(self, path: Path, moved: Path, error: CorruptDatabaseError) -> None:
        """Tell the user what was moved where, and rebuild the index if it was the index."""
        if path == self.index_path:
            self._held_index = None
            self._rebuilt = True
            from ipreader.core.store.recovery import recover_unindexed  # only for a lost index

            recovery = recover_unindexed(self)
            self._notices.add(
                f"{path} could not be read ({error.reason}); it was moved aside to "
                f"{moved} (nothing deleted), and document notes and reading positions "
                f"are only in the moved file; "
                + recovery.describe(self.annotations_dir, rebuilding=True)
            )
        elif path.parent == self.annotations_dir:
            self._notices.add(
                f"{path} could not be read ({error.reason}); it was moved aside to "
                f"{moved} with all its annotations (nothing deleted); the document "
                f"starts with no annotations"
            )
        elif path.parent.parent == self.annotations_dir:
            self._notices.add(
                f"{path} could not be read ({error.reason}); it was moved aside to "
                f"{moved} with the annotations it held (nothing deleted); the document's "
                f"other annotations are shown as before"
            )
        else:
            self._notices.add(
                f"{path} could not be read ({error.reason}); it was moved aside to "
                f"{moved} (nothing deleted) and started fresh"
            )

    def recover_unindexed_files(self) -> None:
        """List the annotation files the index lost again (``recovery.py``), with a notice.

        Costs a directory listing when there are none; the lock is taken only
        when there are.
        """
        if self._rebuilt or self._all_indexed():
            return  # none, or just rebuilt (its notice says how that went)
        # Imported only when a file is unlisted: not on every open (tests/test_start_imports.py).
        from ipreader.core.store.recovery import recover_unindexed, unindexed_files

        unindexed = unindexed_files(self)
        if not unindexed:
            return
        if not self._lock.writable:
            self._notices.add(
                f"{self.index_path} does not list {len(unindexed)} annotation file(s) in "
                f"{self.annotations_dir}; their highlights are not shown until the store "
                f"can be written"
            )
            return
        with self.writing():
            recovery = recover_unindexed(self)
        if recovery:
            self._notices.add(
                f"{self.index_path} did not list every annotation file: "
                + recovery.describe(self.annotations_dir)
            )

    def _all_indexed(self) -> bool:
        """True when every document id named in ``annotations/`` is in the index (one listing).

        The common case, checked with names only; ``unindexed_files`` builds a
        path per file and sorts them, which costs ~10 ms a thousand documents
        on every open. Listed before the index is read, as there: a writer
        writes the index before a new file.
        """
        try:
            names = os.listdir(self.annotations_dir)
        except OSError:
            return False  # let unindexed_files decide (and say) what it finds
        keys = self.index().keys
        for name in stepped(names):  # 10,000 names on every open: the app draws between
            stem = name.removesuffix(".json")
            if stem not in keys and is_uuid(stem):
                return False
        return True

    # ------------------------------------------------------------------ changes

    def change_token(self) -> tuple[int, ...]:
        """A cheap stat-based token that differs after any write by any process.

        Every save replaces the index or state file (a new inode) or renames a
        file into the annotations dir (a new directory mtime). While the newest
        timestamp is too recent to be trusted (coarse clocks) the token also
        carries a fresh nonce. The codebook counts (descriptions and colour
        meanings are the user's). Other files in the location (e.g. the metadata
        cache) do not count: they hold no user data.
        """
        parts: list[int] = []
        newest = 0
        for path in (self.annotations_dir, self.index_path, self.state_path, self.codebook_path):
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
