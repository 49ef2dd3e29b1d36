"""Merging a ``Batch`` into the annotations of a folder.

Rules (the README's "Importing" section):

* each group's document is found once (``locate``); a group whose document
  cannot be found is rejected whole, with one message; one found under another
  name than the file gives (by its hash, its text or its highlights' ids: a
  renamed article) is imported there, with a message naming both;
* an annotation with the id of a stored one replaces it only by the revision
  rule (``revisions.import_decision``): a higher revision, or the same revision
  with other data and an ``updated`` time newer and not in the future; an older
  revision is *unchanged*, anything else a *conflict*, reported and not
  applied; times in the future are set to now, with a message (an entry
  without times never replaces one). Ids that are not UUIDs (other
  tools') become a UUID derived from them, the original kept in ``origin``, so
  importing the same file twice changes nothing;
* offsets are trusted when they hold the quote (or, for an approximate match,
  the ``current`` text); otherwise the quote is anchored with
  ``anchoring.anchor`` and, if it is not found, the annotation is kept as
  *orphaned* and reported;
* document tags are merged (union, at most ``MAX_DOCUMENT_TAGS`` in all); a document
  note is taken when the folder has none (a different one is kept and reported);
* everything is saved at the end: the document notes with one index write, the
  annotations with one ``save_annotations`` call (one write per document).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from ipreader.core.anchoring import anchor
from ipreader.core.errors import DocumentError, StoreError
from ipreader.core.importer.batch import Batch, Group
from ipreader.core.importer.locate import HOW_IDS, HOW_PATH, Locator, NotFound
from ipreader.core.importer.prefetch import Readers
from ipreader.core.importer.report import ImportReport
from ipreader.core.library import open_store
from ipreader.core.model import (
    MAX_DOCUMENT_TAGS,
    AnchorStatus,
    Annotation,
    DocumentNotes,
    context_around,
    normalize_tags,
    utc_now_iso,
)
from ipreader.core.records import RecordError, decode_fields, document_tags_field, text_field
from ipreader.core.revisions import Verdict, import_decision
from ipreader.core.store import FolderStore

#: Namespace of the UUIDs given to foreign (non-UUID) ids.
FOREIGN_NAMESPACE = uuid.UUID("c6a1f0e2-5d7b-4c55-8f0e-2b9d6e4a7c31")

_UUID = re.compile(
    r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?"
)


class _Reject(Exception):
    """One entry is unusable; the message says why."""


def identity(given: str | None, origin: str) -> tuple[str, str]:
    """``(id, origin)`` of an entry: a UUID (``urn:uuid:`` and braces dropped) as it is;
    any other id becomes the UUID derived from it and is kept as the origin."""
    if given is None:
        return str(uuid.uuid4()), origin
    match = _UUID.fullmatch(given.removeprefix("urn:uuid:"))
    if match:
        return match.group(1).lower(), origin
    return str(uuid.uuid5(FOREIGN_NAMESPACE, given)), origin or given


def build(record: Any, relpath: str, text: str, report: ImportReport, where: str) -> Annotation:
    """Turn one annotation record into an Annotation anchored in ``text`` (or orphaned).

    Every field is checked by ``records.decode_fields`` (``RecordError`` names
    the first bad one); the offsets are hints, trusted only when they hold the
    quote (or ``current``, the text an approximate match covers).
    """
    fields = decode_fields(record)
    annotation_id, origin = identity(fields.id, fields.origin)
    quote = fields.quote
    if not quote:
        raise _Reject("quote is missing or empty")
    current = text_field(record, "current")
    prefix, suffix, status = fields.prefix, fields.suffix, fields.status
    start, end = fields.start, fields.end
    created = fields.created or fields.updated or utc_now_iso()
    common: dict[str, Any] = {
        "id": annotation_id,
        "document": relpath,
        "color": fields.color,
        "note": fields.note,
        "tags": fields.tags,
        "created": created,
        "updated": fields.updated or created,
        "creator": fields.creator,
        "revision": fields.revision,
        "origin": origin,
    }
    offsets_given = start is not None or end is not None
    if start is not None and end is not None and 0 <= start < end <= len(text):
        covered = text[start:end]
        if covered == quote or (current and covered == current):
            if status is AnchorStatus.ORPHANED:
                status = AnchorStatus.ANCHORED
            if covered != quote:
                status = AnchorStatus.FUZZY
            if not prefix and not suffix:
                prefix, suffix = context_around(text, start, end)
            score = fields.score if status is AnchorStatus.FUZZY else None
            return Annotation(
                start=start, end=end, quote=quote, prefix=prefix, suffix=suffix, status=status,
                score=score, **common,
            )  # fmt: skip
    if offsets_given and status is not AnchorStatus.ORPHANED:
        report.note(f"{where}: offsets do not hold the quote; re-anchored by quote")
    hint = start if start is not None and start >= 0 else None
    match = anchor(text, quote, prefix, suffix, start_hint=hint)
    if match is None:
        if status is not AnchorStatus.ORPHANED:
            report.note(f"{where}: quote not found in the text; kept as orphaned")
        # Orphans keep plausible old offsets (they are never drawn) for a faithful round trip.
        old_start = start if start is not None and start >= 0 else 0
        old_end = end if end is not None and old_start <= end else old_start
        return Annotation(
            start=old_start, end=old_end, quote=quote, prefix=prefix, suffix=suffix,
            status=AnchorStatus.ORPHANED, **common,
        )  # fmt: skip
    if match.status is AnchorStatus.FUZZY:
        # An approximate match keeps what was highlighted; its offsets cover what is there now.
        return Annotation(
            start=match.start, end=match.end, quote=quote, prefix=prefix, suffix=suffix,
            status=match.status, score=match.score, **common,
        )  # fmt: skip
    found_prefix, found_suffix = context_around(text, match.start, match.end)
    # A quote given without a position (Hypothesis, a hand-written file) is placed where it
    # is found: exact, not "moved" (there was no place for it to move from).
    placed = AnchorStatus.ANCHORED if not offsets_given else match.status
    return Annotation(
        start=match.start, end=match.end, quote=text[match.start : match.end],
        prefix=found_prefix, suffix=found_suffix, status=placed, **common,
    )  # fmt: skip


def merge_notes(
    read: Callable[[], DocumentNotes], entry: Mapping[str, Any], report: ImportReport, where: str
) -> tuple[DocumentNotes, DocumentNotes] | None:
    """Return ``(current, merged)``: the folder's notes (``read()``) and them merged with a
    document entry's tags (union) and note; ``None`` when the entry gives neither.

    ``read`` is only called when the entry gives tags or a note (an export gives
    empty ones for every document). The entry's note is taken when the folder
    has none; a different one is kept and reported. The merged tags stop at
    ``MAX_DOCUMENT_TAGS`` (the rest is reported): every group of an import adds
    to the same document.
    """
    tags = document_tags_field(entry)
    note = text_field(entry, "note")
    if not tags and not note:
        return None
    current = read()
    if current.note and note and current.note != note:
        report.note(f"{where}: the folder's document note differs; kept the folder's")
    merged = normalize_tags((*current.tags, *tags))
    if len(merged) > MAX_DOCUMENT_TAGS:
        # The folder's own tags come first in ``merged``, so none of them is dropped.
        kept = merged[:MAX_DOCUMENT_TAGS]
        report.note(
            f"{where}: a document holds at most {MAX_DOCUMENT_TAGS:,} tags; "
            f"{len(merged) - len(kept):,} not added"
        )
        merged = kept
    return current, DocumentNotes(tags=merged, note=current.note or note)


def merge(
    batch: Batch, root: Path, locator: Locator, readers: Readers | None = None
) -> ImportReport:
    """Save what ``batch`` holds into the folder ``root`` (resolved); return the report.

    ``readers``: the import's worker processes (maybe started already), else its own.
    """
    if readers is None:
        with Readers() as own:
            return _merge(batch, root, locator, own)
    return _merge(batch, root, locator, readers)


def _merge(batch: Batch, root: Path, locator: Locator, readers: Readers) -> ImportReport:
    store = open_store(root)
    report = ImportReport(format=batch.format, notices=store.notices.take())
    if not store.writable:
        raise StoreError(f"{root}: the annotation database is read-only; nothing imported")
    for message in batch.rejected:
        report.reject(message)
    for message in batch.notes:
        report.note(message)
    existing = {a.id: a for annotations in store.all_annotations().values() for a in annotations}
    seen_ids: set[str] = set()
    reconciled: set[str] = set()
    pending: list[Annotation] = []  # saved in one batch at the end
    notes: dict[str, DocumentNotes] = {}  # merged document notes, saved in one batch

    # Every group's document found first, then every article read and hashed at once and
    # reconciled in one pass (prefetch), while worker processes sketch them when there
    # are many: the merge below builds entries and the save encodes and writes the
    # files meanwhile; the sketches are gathered when the new documents are registered,
    # once the files' temp copies are written (``save_annotations``).
    located: list[tuple[Group, str | NotFound]] = []
    for group in batch.groups:
        quotes: list[str] = []
        if group.document.search_quotes:  # the only lookup that uses them (not an export's)
            quotes = [r["quote"] for _, r in group.annotations if isinstance(r, Mapping)
                      and isinstance(r.get("quote"), str)]  # fmt: skip
        try:
            relpath, how = locator.locate(
                group.document, quotes, partial(_holders, group, existing)
            )
        except NotFound as error:
            located.append((group, error))
            continue
        located.append((group, relpath))
        given = group.document.path if isinstance(group.document.path, str) else ""
        if how is HOW_IDS or (given and how is not HOW_PATH):
            # Found under another name than the file gives (a renamed article): said, since
            # the user may not expect the entries of 'a.txt' to land on 'b.txt'.
            report.renamed += 1
            was = f"{given!r} is now" if given else "found as"
            report.note(f"{group.where}: {was} {relpath!r} (matched by {how}); imported there")
    for relpath, current_list in _reconcile_all(store, locator, located, readers).items():
        reconciled.add(relpath)
        for current in current_list:
            existing[current.id] = current

    for group, found in located:
        if isinstance(found, NotFound):
            report.reject(f"{_naming(group)}: {found}; document skipped", group.size)
            continue
        relpath = found
        try:
            document = locator.read(relpath)
        except DocumentError as error:
            report.reject(f"{_naming(group)}: {error}; document skipped", group.size)
            continue
        where = f"{group.where} ({relpath})"
        text = document.text
        if relpath not in reconciled:
            # Registers the document's hash (and re-anchors stored annotations if the file
            # changed) so the merge compares against annotations valid for this text.
            reconciled.add(relpath)
            for current in store.reconcile(relpath, document.sha256, text):
                existing[current.id] = current
        if group.notes is not None:
            try:
                change = merge_notes(
                    partial(_notes_of, notes, store, relpath),
                    group.notes,
                    report,
                    where,
                )
            except RecordError as error:
                report.note(f"{where}: document tags/note ignored: {error}")
            else:
                if change is not None and change[1] != change[0]:
                    notes[relpath] = change[1]
        for entry_where, record in group.annotations:
            at = f"{where} {entry_where}".rstrip()
            try:
                annotation = build(record, relpath, text, report, at)
                if annotation.id in seen_ids:
                    raise _Reject(f"duplicate id {annotation.id} in the file")
                seen_ids.add(annotation.id)
            except (_Reject, RecordError) as error:
                report.reject(f"{at}: {error}; skipped")
                continue
            stored = existing.get(annotation.id)
            if stored is not None and stored.document != relpath:
                report.reject(
                    f"{at}: id {annotation.id} already belongs to {stored.document!r}; skipped"
                )
                continue
            if stored is not None and not _has_times(record):
                report.unchanged += 1  # an entry that does not say when it changed never wins
                continue
            # The revision rule (core/revisions.py): never silently over a newer edit.
            decision = import_decision(stored, annotation)
            if decision.message:
                report.note(f"{at}: {decision.message}")
            if decision.verdict is Verdict.CONFLICT:
                report.conflicts += 1
                continue
            if decision.verdict not in (Verdict.ADD, Verdict.REPLACE):
                report.unchanged += 1
                continue
            report.added += decision.verdict is Verdict.ADD
            report.updated += decision.verdict is Verdict.REPLACE
            annotation = decision.annotation
            report.orphaned += not annotation.is_anchored
            existing[annotation.id] = annotation
            pending.append(annotation)
    # Everything is written at the end in two batches: one index write for the
    # document notes, then one lock hold registering the new documents (one index
    # write) and writing each document's annotation file once.
    if notes:
        store.set_documents_notes(notes)
    # Built by ``build`` from decoded records: not decoded again (write_checks.py).
    store.save_annotations(pending, decoded=True)
    report.notices.extend(store.notices.take())
    return report


def _reconcile_all(
    store: FolderStore,
    locator: Locator,
    located: list[tuple[Group, str | NotFound]],
    readers: Readers,
) -> dict[str, list[Annotation]]:
    """Read every found article (``prefetch``) and reconcile the readable ones in one pass.

    Returns their current annotations by relpath (the store is given their
    sketches, which worker processes may still be taking); an article that
    could not be read is left to the merge loop, which reads it again and
    reports why.
    """
    relpaths = list(dict.fromkeys(found for _, found in located if isinstance(found, str)))
    stored = store.anchored_sha256s(relpaths)
    wanted = [(relpath, locator.file(relpath), stored[relpath]) for relpath in relpaths]
    fetched = readers.read(wanted)
    for relpath, document in fetched.documents.items():
        locator.keep(relpath, document)
    return store.reconcile_many(
        [
            (relpath, document.sha256, document.text)
            for relpath, document in fetched.documents.items()
        ],
        fetched.sketches,
    )


def _notes_of(
    merged: Mapping[str, DocumentNotes], store: FolderStore, relpath: str
) -> DocumentNotes:
    """A document's notes as this import has merged them so far, else as the folder holds them."""
    return merged.get(relpath) or store.document_notes(relpath)


def _holders(group: Group, existing: Mapping[str, Annotation]) -> list[str]:
    """The stored articles holding ``group``'s highlights, by the entries' ids (as ``build``
    derives them); entries without a usable id are passed over (``build`` rejects them)."""
    held = []
    for _where, record in group.annotations:
        given = record.get("id") if isinstance(record, Mapping) else None
        if isinstance(given, str) and given:
            stored = existing.get(identity(given, "")[0])
            if stored is not None:
                held.append(stored.document)
    return held


def _naming(group: Group) -> str:
    """How a rejected group is named: its label, and its first entries when they have names."""
    named = [where for where, _ in group.annotations[:3] if not where.startswith("annotation ")]
    if not named:
        return group.where
    more = ", ..." if len(group.annotations) > len(named) else ""
    return f"{group.where} ({', '.join(named)}{more})"


def _has_times(record: Mapping[str, Any]) -> bool:
    """True when an entry says when it was made or changed (else it never replaces one)."""
    return bool(record.get("updated") or record.get("created"))
