"""FolderStore: the annotations of one folder, in TinyDB files under ``.ipreader/``.

(Over 450 lines: the store's public API in one class; each method is a few
lines over the catalog and its collaborators, listed below.)

Built from collaborators, each in its own module: ``location`` chooses the
directory, ``lock`` is the cross-process lock, ``catalog`` reads and writes
the typed records (through ``files``: cached reads, transactions, damaged
files set aside; ``tables``: the TinyDB storage and table; ``formats``: what
each file holds). This module is what the records mean: documents registered
lazily, annotations re-anchored when a document's text changed, a renamed
document's annotations adopted, tags counted.

Every write is an atomic file replacement done under the folder's lock, and
every read-modify-write re-reads the file inside the lock, so a second
instance or the CLI never loses another's writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipreader.core.fingerprint import text_fingerprint
from ipreader.core.gc_pause import gc_paused
from ipreader.core.model import Annotation, DocumentNotes, normalize_tags, tag_key
from ipreader.core.notices import Notices
from ipreader.core.pacing import stepped
from ipreader.core.store.catalog import Catalog
from ipreader.core.store.formats import LOCK_FILE, DocRecord, IndexFile, annotation_order
from ipreader.core.store.location import place, set_aside_odd_lock, sweep_stale_temp_files
from ipreader.core.store.lock import FolderLock
from ipreader.core.store.relinks import RelinkRefused, relink_records
from ipreader.core.store.write_checks import check_documents, checked_rows
from ipreader.core.text_version import TextVersion, check_current

if TYPE_CHECKING:
    # Loaded when a codebook is first read or changed (see catalog.py).
    from ipreader.core.codebook import Codebook, Operation, Retagged

#: Seconds to wait for another process holding the folder's lock.
LOCK_TIMEOUT = 10.0

_NONE = DocumentNotes()


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
    fingerprint: str = ""
    """A sketch of the text last anchored against (``core/fingerprint.py``); may be empty."""

    @property
    def empty(self) -> bool:
        """True when there is nothing to export: no annotation, tag or note."""
        return not self.annotations and not self.notes.tags and not self.notes.note


class FolderStore:
    """Annotations of one folder in TinyDB files under <root>/.ipreader/ (or the fallback dir).

    Saving one annotation rewrites only the file of its document holding it
    (``buckets.py``: one file per document, split by id when large). Documents are
    registered lazily: nothing is written for a document until it gets an
    annotation, a note, tags or a reading position.
    """

    def __init__(self, root: Path, location: Path, *, notices: Notices | None = None) -> None:
        self.root = root
        """The articles folder."""
        self.location = location
        """The directory actually used (``.ipreader/`` or the per-user fallback)."""
        self.notices = Notices() if notices is None else notices
        """Messages for the user: fallback dir used, damaged file moved aside, ..."""
        self._lock = FolderLock(location / LOCK_FILE, timeout=LOCK_TIMEOUT)
        self._catalog = Catalog(location, self._lock, self.notices)
        self._seen_sha: dict[str, str] = {}  # relpath -> sha256 of the text last reconciled
        # relpath -> fingerprint of a document read but not yet in the index (given when
        # it is registered, so a later rename and edit can still find it).
        self._seen_print: dict[str, str] = {}
        # relpath -> where its fingerprint will be, for one given to ``reconcile_many`` that
        # may still be coming (an import's workers sketch while it merges): read when the
        # document is registered.
        self._print_from: dict[str, Mapping[str, str]] = {}

    @property
    def writable(self) -> bool:
        """False when writing is refused (schema too new, nowhere writable); reads still work."""
        return self._lock.writable

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
        placement = place(root, use_fallback=use_fallback)
        store = cls(root, placement.location, notices=notices)
        if placement.refusal is not None:
            store._catalog.refuse(placement.refusal)
        elif (odd_lock := set_aside_odd_lock(placement.location)) is not None:
            store.notices.add(odd_lock)
        store._catalog.check_schema()
        if store.writable:
            # Here, not at the top: ipreader.core.sharing imports this package's modules.
            from ipreader.core.sharing.on_open import open_shared

            sweep_stale_temp_files(store.location, store._lock)
            # Before anything is read for use: other machines' versions become part of it.
            for notice in open_shared(store._catalog):
                store.notices.add(notice)
        store._catalog.recover_unindexed_files()
        told = [placement.notice]
        if store.writable and placement.merge_from is not None:
            # A read-only folder's fallback store: rare, so not imported on every open.
            from ipreader.core.store.fallback import merge_back, merge_from_folder

            merge = merge_back if placement.merge_back else merge_from_folder
            told.append(merge(store._catalog, placement.merge_from, store.notices))
        if any(told):
            # One notice: where the annotations are, then what was merged there.
            store.notices.add("; ".join(part for part in told if part))
        return store

    # ------------------------------------------------------------------ annotations

    def annotations(self, relpath: str, *, persist: bool = False) -> list[Annotation]:
        """Return the annotations of a document in document order.

        ``persist``: through the user's read cache (``Catalog.annotations_of``),
        for a read the whole folder's follows.
        """
        record = self._catalog.index().by_relpath(relpath)
        return [] if record is None else list(self._catalog.annotations_of(record, persist=persist))

    def all_annotations(self) -> dict[str, list[Annotation]]:
        """Return every document's annotations (documents without any are left out)."""
        result: dict[str, list[Annotation]] = {}
        for record, found in self._catalog.annotations_of_all(self._catalog.index().documents):
            if found:
                result.setdefault(record.relpath, []).extend(found)
        return result

    def stored_documents(self, *, persist: bool = True) -> dict[str, StoredDocument]:
        """Return every document the store knows, read in one pass without the lock.

        The index is read once and each annotation file once. Files are only
        ever replaced atomically, so every file read is whole; a write by
        another process during the pass is seen or not, file by file.
        ``persist=False``: through this process's parses only, not the user's read
        cache (``Catalog.annotations_of_all``).
        """
        with gc_paused():  # tens of thousands of acyclic objects, all kept (gc_pause.py)
            return self._stored_documents(persist)

    def _stored_documents(self, persist: bool = True) -> dict[str, StoredDocument]:
        result: dict[str, StoredDocument] = {}
        # A duplicate relpath (hand edit): the lowest id's record, as in lookups.
        records = self._catalog.index().records_by_relpath()
        # The app's counts pass over 10,000 articles: its frames go between (stepped).
        every = self._catalog.annotations_of_all(records.values(), persist=persist)
        for record, found in stepped(every):
            result[record.relpath] = StoredDocument(
                record.relpath,
                record.sha256,
                # Most documents have neither: one shared (frozen) value for them.
                DocumentNotes(record.tags, record.note) if record.tags or record.note else _NONE,
                found,
                record.fingerprint,
            )
        return result

    def save_annotation(self, annotation: Annotation) -> None:
        """Insert or replace one annotation (by id)."""
        self.save_annotations([annotation])

    def save_annotations(self, annotations: Iterable[Annotation], *, decoded: bool = False) -> None:
        """Insert or replace annotations by id, with one write per document.

        Raises ``StoreWriteError`` naming the first annotation a read would skip
        as bad (``write_checks``); nothing is written then. ``decoded`` is for
        the importer only: its annotations are built from decoded records and
        are not decoded again (``write_checks``).

        Every document's file is written in one batch; documents not yet in
        the index are registered together (one index write) once the batch's
        temp files are written and before any is renamed, so a batch over
        thousands of documents stays linear, a crash leaves no file of a
        document the index does not list, and an import's sketches
        (``reconcile_many``) are needed only then.
        """
        grouped = checked_rows(annotations, decoded=decoded)  # StoreWriteError first
        if not grouped:
            return
        with self._catalog.writing():
            records, new = self._catalog.records_for(grouped, self._unsketched_record)

            def register() -> None:
                self._catalog.put_documents([self._sketched(record) for record in new])

            self._catalog.put_annotations(
                ((records[relpath], rows) for relpath, rows in grouped.items()),
                before_replace=register if new else None,
            )

    def delete_annotation(self, relpath: str, annotation_id: str) -> None:
        """Delete an annotation; unknown documents or ids are ignored."""
        with self._catalog.writing():
            record = self._catalog.index().by_relpath(relpath)
            if record is not None:
                self._catalog.remove_annotations(record, [annotation_id])

    def save_edit(
        self,
        relpath: str,
        annotation_id: str,
        after: Annotation | None,
        *,
        base: Annotation | None,
        text: TextVersion | None = None,
    ) -> bool:
        """Store a user's change of one annotation (``after=None``: delete it), checked.

        ``base`` is the version the change started from (``None``: a new
        highlight). Under the lock, the stored version must not hold an edit
        ``base`` lacks (``revisions.check_save``, else ``ConflictError``) and,
        given ``text``, the article must still hold that text
        (``StaleTextError``). Returns False when nothing needed writing.
        """
        from ipreader.core.revisions import check_save  # loaded with the first save

        with self._catalog.writing():
            if text is not None:
                check_current(self.root / relpath, text)
            record = self._catalog.index().by_relpath(relpath)
            # Only the file that may hold it is read: a save stays flat in a big document.
            stored = None if record is None else self._catalog.annotation(record, annotation_id)
            if not check_save(stored, after, base):
                return False
            if after is None:
                assert record is not None  # check_save found a stored version
                self._catalog.remove_annotations(record, [annotation_id])
            else:
                self.save_annotations([after])
            return True

    # ------------------------------------------------------------------ documents

    def indexed_paths(self) -> list[str]:
        """The relative paths of every document the index knows (no annotation file read)."""
        return [record.relpath for record in self._catalog.index().documents]

    def has_document(self, relpath: str) -> bool:
        """True when the store holds a record of ``relpath`` (a relink moves it away)."""
        return self._catalog.index().by_relpath(relpath) is not None

    def anchored_sha256(self, relpath: str) -> str | None:
        """Return the hash of the text the document's annotations were last anchored against."""
        record = self._catalog.index().by_relpath(relpath)
        return None if record is None else record.sha256

    def anchored_sha256s(self, relpaths: Iterable[str]) -> dict[str, str | None]:
        """``anchored_sha256`` of each of ``relpaths``, from one index read."""
        index = self._catalog.index()
        records = {relpath: index.by_relpath(relpath) for relpath in relpaths}
        return {relpath: None if r is None else r.sha256 for relpath, r in records.items()}

    def documents_tags(self) -> dict[str, tuple[str, ...]]:
        """Every tagged document's own tags, by relative path, from one index read."""
        records = self._catalog.index().records_by_relpath()
        return {relpath: record.tags for relpath, record in records.items() if record.tags}

    def document_notes(self, relpath: str) -> DocumentNotes:
        """Return a document's own tags and note."""
        record = self._catalog.index().by_relpath(relpath)
        return DocumentNotes() if record is None else DocumentNotes(record.tags, record.note)

    def set_document_notes(
        self, relpath: str, notes: DocumentNotes, *, base: DocumentNotes | None = None
    ) -> DocumentNotes:
        """Store a document's own tags and note; return what was stored.

        ``base`` is the version the change started from: when another program
        changed the tags or note since, both changes are kept
        (``sharing.rules.merged_document_notes``), never the later one alone.
        Over ``MAX_DOCUMENT_TAGS`` tags (or a note over ``MAX_TEXT_CHARS``) is
        refused with a ``StoreWriteError`` naming the document; nothing is written.
        """
        if base is None:
            self.set_documents_notes({relpath: notes})
            return notes
        with self._catalog.writing():  # the stored version read and replaced in one hold
            stored = self.document_notes(relpath)
            if stored not in (base, notes):
                # Here, not at the top: ipreader.core.sharing imports this package's modules.
                from ipreader.core.sharing.rules import merged_document_notes

                notes = merged_document_notes(base, notes, stored)
            self.set_documents_notes({relpath: notes})
        return notes

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
        record = self._catalog.index().by_relpath(relpath)
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

        if not needed(self._catalog.index()):
            return
        with self._catalog.writing():
            index = self._catalog.index()  # re-read under the lock
            updated: list[DocRecord] = []
            for relpath, fields in needed(index).items():
                record = index.by_relpath(relpath)
                if record is None:
                    updated.append(replace(self._new_record(relpath), **fields))
                elif (changed := replace(record, **fields)) != record:
                    updated.append(changed)
            if updated:
                check_documents(updated)  # StoreWriteError before any write
                self._catalog.put_documents(updated)

    def _new_record(self, relpath: str) -> DocRecord:
        """A record for a document registered now, with the hash and sketch last read."""
        return self._sketched(self._unsketched_record(relpath))

    def _unsketched_record(self, relpath: str) -> DocRecord:
        """``_new_record`` without a sketch still to come (``_sketched`` adds it)."""
        return DocRecord.new(
            relpath, self._seen_sha.get(relpath), self._seen_print.get(relpath, "")
        )

    def _sketched(self, record: DocRecord) -> DocRecord:
        """``record`` with its sketch, when one given to ``reconcile_many`` was still to come."""
        given = self._print_from.pop(record.relpath, None)
        if given is None:
            return record
        sketch = self._seen_print.setdefault(record.relpath, given[record.relpath])
        return replace(record, fingerprint=sketch)

    def last_document(self) -> str | None:
        """Return the relpath of the document read last, if any."""
        return self._catalog.last_document()

    def set_last_document(self, relpath: str) -> None:
        """Remember the document read last."""
        if self.last_document() == relpath:
            return
        with self._catalog.writing():
            self._catalog.put_last_document(relpath)

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
        return self.reconcile_many([(relpath, sha256, text)])[relpath]

    def reconcile_many(
        self,
        documents: Iterable[tuple[str, str, str]],
        fingerprints: Mapping[str, str] | None = None,
    ) -> dict[str, list[Annotation]]:
        """``reconcile`` several ``(relpath, sha256, text)`` documents in one pass.

        Documents whose stored sha256 matches are only read. The others are
        re-anchored under one lock hold: the files of the documents whose
        annotations moved are written in one batch (none when re-anchoring
        changes nothing), then one index write records all the new hashes.
        ``fingerprints`` may give a document's ``text_fingerprint(text)``
        already taken (an import sketches in worker processes); any other is
        taken here. A new document's is looked up only when it is registered
        (``fingerprints[relpath]`` may wait for it then); ``in`` must not wait.
        Returns the annotations by relpath.
        """
        from ipreader.core.anchoring import reanchor  # sibling module; keeps imports light
        from ipreader.core.fit import fitted

        def reanchored(text: str, current: Iterable[Annotation]) -> list[Annotation]:
            return sorted((reanchor(text, a) for a in current), key=annotation_order)

        def fingerprint(relpath: str, text: str) -> str:
            given = fingerprints.get(relpath) if fingerprints is not None else None
            return text_fingerprint(text) if given is None else given

        result: dict[str, list[Annotation]] = {}
        stale: list[tuple[str, str, str]] = []
        # One index read for the pass (an import reconciles 10,000 new documents, and a
        # folder with no index yet is looked for again on every read); read again only
        # after a relink wrote it.
        index = self._catalog.index()
        for relpath, sha256, text in documents:
            self._seen_sha[relpath] = sha256
            record = index.by_relpath(relpath)
            if record is None:
                if relpath in self._seen_print or relpath in self._print_from:
                    pass  # the first text read stands until it is registered
                elif fingerprints is not None and relpath in fingerprints:
                    self._print_from[relpath] = fingerprints
                else:
                    self._seen_print[relpath] = text_fingerprint(text)
                candidate = self._adoptable(index, relpath, sha256)
                if self.writable and candidate is not None:
                    result[relpath] = self._adopt(candidate, relpath, sha256, text)
                    index = self._catalog.index()
                else:
                    result[relpath] = []  # new: written when it gets data
            elif record.sha256 == sha256:
                result[relpath] = list(fitted(text, self._catalog.annotations_of(record)))
            elif not self.writable:
                result[relpath] = reanchored(text, self._catalog.annotations_of(record))
            else:
                stale.append((relpath, sha256, text))
        if not stale:
            return result
        with self._catalog.writing():
            index = self._catalog.index()  # re-read under the lock
            moved: list[tuple[DocRecord, dict[str, dict[str, Any]]]] = []
            hashed: list[DocRecord] = []
            for relpath, sha256, text in stale:
                record = index.by_relpath(relpath)
                if record is None:
                    result[relpath] = []  # removed by another process meanwhile
                    continue
                current = self._catalog.annotations_of(record)
                if record.sha256 == sha256:
                    # Another process reconciled it meanwhile.
                    result[relpath] = list(fitted(text, current))
                    continue
                anchored = reanchored(text, current)
                known = set(current)
                changed = {a.id: a.to_dict() for a in anchored if a not in known}
                if changed:
                    moved.append((record, changed))
                hashed.append(
                    replace(record, sha256=sha256, fingerprint=fingerprint(relpath, text))
                )
                result[relpath] = anchored
            # Annotation files first: a crash before the index write only means the
            # next reconcile re-anchors again (the same result).
            self._catalog.put_annotations(moved)
            if hashed:
                self._catalog.put_documents(hashed)
        return result

    def _adopt(
        self, candidate: DocRecord, relpath: str, sha256: str, text: str
    ) -> list[Annotation]:
        """Relink ``candidate`` (its file gone, same content) to ``relpath``; its annotations."""
        try:
            self.relink(candidate.relpath, relpath)
        except RelinkRefused:
            return self.annotations(relpath)  # another process relinked one of them meanwhile
        return self.reconcile_many([(relpath, sha256, text)])[relpath]

    def relink(self, old: str, new: str) -> int:
        """Give the document ``old`` (its file gone) the path ``new``: a rename or move.

        Raises ``RelinkRefused`` when ``old`` is unknown or ``new`` already holds
        annotations, tags or a note (see ``relink_many``). Returns the number of
        annotations moved.
        """
        moved = self.relink_many({old: new})[old]
        if isinstance(moved, RelinkRefused):
            raise moved
        return moved

    def relink_many(self, pairs: Mapping[str, str]) -> dict[str, int | RelinkRefused]:
        """Relink each old path to its new one, under one lock hold and in one batch.

        Every record naming an old path is rewritten (``relinks.relink_records``),
        so an index rebuilt from the annotation files keeps the new path. Returns,
        per old path, the number of annotations moved or why it was refused.
        """
        with self._catalog.writing():
            result = relink_records(self._catalog, pairs)
        for new in pairs.values():
            self._seen_print.pop(new, None)
            self._print_from.pop(new, None)
        return result

    def _adoptable(self, index: IndexFile, relpath: str, sha256: str) -> DocRecord | None:
        """A record with this content whose file is gone: ``relpath`` is its new name."""
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
        spellings: dict[str, Counter[str]] = {}
        for record in self._catalog.index().documents:
            tags = list(record.tags)
            for annotation in self._catalog.annotations_of(record):
                tags.extend(annotation.tags)
            for tag in tags:
                spellings.setdefault(tag_key(tag), Counter())[tag] += 1
        counts: Counter[str] = Counter()
        for variants in spellings.values():
            counts[variants.most_common(1)[0][0]] = sum(variants.values())
        return counts

    # ------------------------------------------------------------------ codebook

    def codebook(self) -> Codebook:
        """Return the folder's codebook: tag descriptions and colour meanings."""
        return self._catalog.codebook()

    def update_codebook(self, change: Callable[[Codebook], Codebook]) -> Codebook:
        """Apply ``change`` to the codebook as stored now (under the lock); return the result."""
        with self._catalog.writing():
            before = self._catalog.codebook()
            after = change(before)
            self._catalog.put_codebook(before, after)
        return after

    def retag(self, operation: Operation) -> Retagged:
        """Apply a tag operation to every highlight, document and the codebook, in one lock hold.

        Every record is read inside the lock; each changed highlight becomes a
        user edit (``Annotation.edited``: a new revision), each document's file
        is written once, then the index once (documents' own tags), then the
        codebook. Returns what changed, for messages and undo.
        """
        from ipreader.core.codebook import Retagged

        changed: list[tuple[Annotation, Annotation]] = []
        documents: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
        with self._catalog.writing():
            rows: list[tuple[DocRecord, dict[str, dict[str, Any]]]] = []
            records: list[DocRecord] = []
            for record in self._catalog.index().documents:
                edited: dict[str, dict[str, Any]] = {}
                for annotation in self._catalog.annotations_of(record):
                    tags = normalize_tags(operation.highlight(annotation))
                    if tags != annotation.tags:
                        after = annotation.edited(tags=tags)
                        changed.append((annotation, after))
                        edited[after.id] = after.to_dict()
                if edited:
                    rows.append((record, edited))
                tags = normalize_tags(operation.document(record.relpath, record.tags))
                if tags != record.tags:
                    documents.append((record.relpath, record.tags, tags))
                    records.append(replace(record, tags=tags))
            before = self._catalog.codebook()
            after_book = operation.codebook(before)
            # Annotation files first, then the index, then the codebook: a crash
            # half-way leaves some records renamed, none lost.
            self._catalog.put_annotations(rows)
            if records:
                self._catalog.put_documents(records)
            self._catalog.put_codebook(before, after_book)
        return Retagged(tuple(changed), tuple(documents), before, after_book)

    def change_token(self) -> tuple[int, ...]:
        """Return a cheap stat-based token that differs after any write by any process."""
        return self._catalog.change_token()
