"""A store's records in its files: the index, each document's annotations, the state.

``Catalog`` reads typed records through the ``JsonFiles`` cache and writes
them as transactions of TinyDB table operations under the folder lock, each
file re-read inside the lock. It knows what setting a damaged file aside
means for each file (the index is rebuilt from the annotation files) and
refuses writes to a folder a newer ipreader upgraded. What the records mean
(registering documents lazily, re-anchoring, renames) is ``FolderStore``'s.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from ipreader import __version__
from ipreader.core.codebook import Codebook
from ipreader.core.errors import SchemaTooNewError, StoreError
from ipreader.core.model import Annotation
from ipreader.core.notices import Notices
from ipreader.core.storage import CorruptDatabaseError, Tables
from ipreader.core.store.codebook_file import (
    CODEBOOK_FILE,
    COLORS_TABLE,
    TAGS_TABLE,
    color_record,
    parse_codebook,
    tag_record,
)
from ipreader.core.store.files import JsonFiles, is_racy
from ipreader.core.store.formats import (
    ANNOTATIONS_DIR,
    ANNOTATIONS_TABLE,
    DOCUMENTS_TABLE,
    INDEX_FILE,
    MERGED_RECORD,
    META_TABLE,
    SCHEMA_VERSION,
    STATE_FILE,
    STATE_TABLE,
    DocRecord,
    IndexFile,
    describe_bad,
    meta_record,
    parse_annotations,
    parse_index,
    parse_state,
)
from ipreader.core.store.lock import FolderLock
from ipreader.core.store.recovery import recover_unindexed, unindexed_files

_NONCE = itertools.count(1)


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
        self._rebuilt = False  # the index was set aside and rebuilt (or tried) already

    def annotations_path(self, record: DocRecord) -> Path:
        """The annotations file of a document."""
        return self.annotations_dir / record.file

    # ------------------------------------------------------------------ reading

    def index(self) -> IndexFile:
        """The index (document records with a bad field are skipped and reported)."""
        # While this thread holds the lock nobody else writes the index: one read per hold.
        hold = self._lock.hold_number
        if hold is not None and self._held_index is not None and self._held_index[0] == hold:
            return self._held_index[1]
        index = self._files.load(self.index_path, parse_index)
        if hold is not None:
            self._held_index = (hold, index)
        if index.bad:
            self._notices.add(
                f"{self.index_path}: {len(index.bad)} document record(s) could not be "
                f"read ({describe_bad(index.bad)}); they are kept in the file and ignored"
            )
        return index

    def annotations_of(self, record: DocRecord) -> tuple[Annotation, ...]:
        """A document's annotations in document order (bad records skipped and reported)."""
        path = self.annotations_path(record)
        parsed = self._files.load(path, parse_annotations)
        if parsed.bad:
            self._notices.add(
                f"{path}: {len(parsed.bad)} annotation(s) of {record.relpath} could not be "
                f"read ({describe_bad(parsed.bad)}); they are kept in the file and ignored"
            )
        return tuple(
            a if a.document == record.relpath else replace(a, document=record.relpath)
            for a in parsed.annotations
        )

    def last_document(self) -> str | None:
        """The relpath of the document read last, if any."""
        return self._files.load(self.state_path, parse_state).last_document

    def codebook(self) -> Codebook:
        """The folder's codebook (bad records skipped and reported)."""
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
        index = self.index()
        records: dict[str, DocRecord] = {}
        new: list[DocRecord] = []
        for relpath in relpaths:
            record = index.by_relpath(relpath)
            if record is None:
                record = new_record(relpath)
                new.append(record)
            records[relpath] = record
        if new:
            self.put_documents(new)
        return records

    def remove_documents(self, records: Iterable[DocRecord]) -> None:
        """Remove document records from the index (their annotation files stay; lock held)."""
        with self._files.transaction() as transaction:
            transaction.table(self.index_path, DOCUMENTS_TABLE).remove_records(
                record.id for record in records
            )
        self._held_index = None

    def put_annotations(
        self, changes: Iterable[tuple[DocRecord, Mapping[str, Mapping[str, Any]]]]
    ) -> None:
        """Insert or replace annotation records by id, per document, in one batch (lock held).

        Each document's file is re-read and written once; the files are
        replaced together (their fsyncs overlap).
        """
        with self._files.transaction() as transaction:
            for record, rows in changes:
                path = self.annotations_path(record)
                transaction.table(path, ANNOTATIONS_TABLE).upsert_records(rows)

    def remove_annotations(self, record: DocRecord, ids: Iterable[str]) -> None:
        """Remove annotation records by id (unknown ids ignored; lock held)."""
        with self._files.transaction() as transaction:
            path = self.annotations_path(record)
            transaction.table(path, ANNOTATIONS_TABLE).remove_records(ids)

    def put_codebook(self, before: Codebook, after: Codebook) -> None:
        """Write the records that differ between ``before`` and ``after`` (lock held).

        Only changed records are touched, so a record this version cannot read
        stays in the file.
        """
        if before == after:
            return
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
        unindexed = [] if self._rebuilt else unindexed_files(self)
        if not unindexed:
            return  # none, or just rebuilt (its notice says how that went)
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
