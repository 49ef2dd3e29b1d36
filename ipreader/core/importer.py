"""Merge an ipreader JSON export into a folder's annotations.

Rules (each problem with one entry is reported and that entry skipped; a file
that is not an ipreader export at all raises ``ImportFileError`` before
anything is written):

* every field of an entry is checked by ``records.decode_fields``, the rules
  the store's own records follow (types, lengths, tag limits, ISO-8601 times
  normalised to UTC); a bad field rejects the entry, named in the message;
* documents are matched by their path relative to the folder; paths that
  escape it (``..``, absolute, symlinks resolving outside) or name no article
  of the folder are rejected;
* an annotation with the id of a stored one replaces it only by the revision
  rule (``revisions.import_decision``): a higher revision, or the same revision
  with other data and an ``updated`` time newer and not in the future; an older
  revision is *unchanged*, anything else a *conflict*, reported and not
  applied; times in the future are set to now, with a message;
* offsets are trusted only when ``text[start:end] == quote``; otherwise (or
  when only a quote is given) the quote is anchored with ``anchoring.anchor``
  and, if it is not found, the annotation is kept as *orphaned* and reported;
* document tags are merged (union); a document note is taken when the folder
  has none (a different existing note is kept and reported);
* everything is saved at the end: the document notes with one index write, the
  annotations with one ``save_annotations`` call (one write per document).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from ipreader.core.anchoring import anchor
from ipreader.core.documents import discover, read_bytes, read_document
from ipreader.core.errors import DocumentError, ImportFileError, StoreError
from ipreader.core.export import EXPORT_FORMAT_NAME, EXPORT_VERSION
from ipreader.core.library import open_store
from ipreader.core.model import (
    AnchorStatus,
    Annotation,
    DocumentNotes,
    context_around,
    normalize_tags,
    utc_now_iso,
)
from ipreader.core.records import RecordError, decode_fields, tags_field, text_field
from ipreader.core.revisions import Verdict, import_decision

#: Import files larger than this are refused before they are read.
MAX_IMPORT_BYTES = 200 * 1024 * 1024


@dataclass
class ImportReport:
    """What an import did: counts of annotations and one message per problem."""

    added: int = 0
    """New annotations saved."""
    updated: int = 0
    """Stored annotations replaced by a newer imported version."""
    unchanged: int = 0
    """Imported annotations identical to, or older than, the stored ones."""
    rejected: int = 0
    """Annotation entries (and document entries) skipped because of a problem."""
    conflicts: int = 0
    """Annotations changed both here and in the file: the folder's kept, each reported."""
    orphaned: int = 0
    """Saved annotations whose quote was not found in the text (kept, listed)."""
    messages: list[str] = field(default_factory=list)
    """One line per problem or notable decision, naming the entry."""
    notices: list[str] = field(default_factory=list)
    """Store notices (fallback directory used, corrupt file moved aside, ...)."""

    def summary(self) -> str:
        """Return a one-line summary of the counts."""
        text = (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {self.rejected}"
        )
        if self.orphaned:
            text += f" ({self.orphaned} orphaned: quote not found)"
        if self.conflicts:
            text += f"; {self.conflicts} conflicts not applied (see below)"
        return text


class _Reject(Exception):
    """One entry is unusable; the message says why."""


def _load(file: Path) -> dict[str, Any]:
    """Read and parse ``file``; raise ``ImportFileError`` unless it is an ipreader export."""
    try:
        size = file.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportFileError(
                f"{file}: {size} bytes is too large to import "
                f"(limit {MAX_IMPORT_BYTES // (1024 * 1024)} MB)"
            )
    except OSError as error:
        raise ImportFileError(f"{file}: cannot read: {error.strerror or error}") from None
    try:
        # The shared reader: a FIFO or device is refused, never waited on, and the
        # read is bounded (the file may have grown or been replaced since the stat).
        raw, _stat = read_bytes(file, limit=MAX_IMPORT_BYTES + 1)
    except DocumentError as error:
        raise ImportFileError(f"{file}: cannot read: {error.reason}") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"{file}: too large to import")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFileError(f"{file}: not UTF-8 text, so not an ipreader export") from None
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"{file}: malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except ValueError as error:
        # Not a JSONDecodeError: json.loads refuses an integer literal longer than
        # sys.get_int_max_str_digits() (4300) with a plain ValueError.
        reason = "a number has too many digits" if "digits" in str(error) else str(error)
        raise ImportFileError(f"{file}: malformed JSON: {reason}") from None
    except RecursionError:
        raise ImportFileError(f"{file}: JSON nested too deeply") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT_NAME:
        raise ImportFileError(
            f'{file}: not an ipreader export (expected "format": "{EXPORT_FORMAT_NAME}")'
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ImportFileError(f"{file}: missing or invalid export version")
    if version > EXPORT_VERSION:
        raise ImportFileError(
            f"{file}: export version {version} was written by a newer ipreader "
            f"(this one reads version {EXPORT_VERSION})"
        )
    if version < 1:
        raise ImportFileError(f"{file}: unknown export version {version}")
    if not isinstance(data.get("documents"), list):
        raise ImportFileError(f'{file}: "documents" must be a list')
    return data


def _resolve_document(root: Path, relpath: object, known: dict[str, Path]) -> str:
    """Return the checked relative path of a document entry, or raise ``_Reject``.

    ``root`` must be resolved.
    """
    if not isinstance(relpath, str) or not relpath:
        raise _Reject("path must be a non-empty string")
    if "\x00" in relpath or len(relpath) > 4096:
        raise _Reject("invalid path")
    posix = PurePosixPath(relpath)
    if posix.is_absolute() or PureWindowsPath(relpath).is_absolute() or "\\" in relpath:
        raise _Reject(f"path {relpath!r} is absolute or not a relative POSIX path")
    if ".." in posix.parts:
        raise _Reject(f"path {relpath!r} escapes the folder")
    key = posix.as_posix()
    if key in known:
        # discover() found it inside the root (it skips symlinks resolving outside):
        # no need to resolve 2,000 paths again.
        return key
    # ``root`` is already resolved (once per import, not per entry).
    target = (root / key).resolve()
    if target != root and root not in target.parents:
        raise _Reject(f"path {relpath!r} resolves outside the folder")
    raise _Reject(f"path {relpath!r} names no article of the folder")


def _build(
    entry: dict[str, Any], relpath: str, text: str, report: ImportReport, where: str
) -> Annotation:
    """Turn one annotation entry into an Annotation anchored in ``text`` (or orphaned).

    Every field is checked by ``records.decode_fields`` (``RecordError`` names
    the first bad one); the offsets are hints, trusted only when they hold the
    quote.
    """
    fields = decode_fields(entry)
    if fields.id is None:
        annotation_id = str(uuid.uuid4())
    else:
        try:
            annotation_id = str(uuid.UUID(fields.id.removeprefix("urn:uuid:")))
        except ValueError:
            raise _Reject(f"id {fields.id[:80]!r} is not a UUID") from None
    quote = fields.quote
    if not quote:
        raise _Reject("quote is missing or empty")
    prefix, suffix, status = fields.prefix, fields.suffix, fields.status
    start, end = fields.start, fields.end
    created = fields.created or utc_now_iso()
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
    }
    offsets_given = start is not None or end is not None
    holds = start is not None and end is not None and 0 <= start < end <= len(text)
    if holds and start is not None and end is not None and text[start:end] == quote:
        if status is AnchorStatus.ORPHANED:
            status = AnchorStatus.ANCHORED
        if not prefix and not suffix:
            prefix, suffix = context_around(text, start, end)
        return Annotation(
            start=start, end=end, quote=quote, prefix=prefix, suffix=suffix, status=status,
            **common,
        )  # fmt: skip
    if offsets_given and status is not AnchorStatus.ORPHANED:
        report.messages.append(f"{where}: offsets do not hold the quote; re-anchored by quote")
    hint = start if start is not None and start >= 0 else None
    match = anchor(text, quote, prefix, suffix, start_hint=hint)
    if match is None:
        if status is not AnchorStatus.ORPHANED:
            report.messages.append(f"{where}: quote not found in the text; kept as orphaned")
        # Orphans keep plausible old offsets (they are never drawn) for a faithful round trip.
        old_start = start if start is not None and start >= 0 else 0
        old_end = end if end is not None and old_start <= end else old_start
        return Annotation(
            start=old_start, end=old_end, quote=quote, prefix=prefix, suffix=suffix,
            status=AnchorStatus.ORPHANED, **common,
        )  # fmt: skip
    found_prefix, found_suffix = context_around(text, match.start, match.end)
    return Annotation(
        start=match.start, end=match.end, quote=text[match.start : match.end],
        prefix=found_prefix, suffix=found_suffix, status=match.status, **common,
    )  # fmt: skip


def _merge_notes(
    current: DocumentNotes, entry: dict[str, Any], report: ImportReport, where: str
) -> DocumentNotes:
    """Return ``current`` merged with a document entry's tags (union) and note.

    The entry's note is taken when the folder has none; a different one is kept
    and reported.
    """
    tags = tags_field(entry)
    note = text_field(entry, "note")
    if not tags and not note:
        return current
    if current.note and note and current.note != note:
        report.messages.append(f"{where}: the folder's document note differs; kept the folder's")
    return DocumentNotes(tags=normalize_tags((*current.tags, *tags)), note=current.note or note)


def import_file(file: Path, root: Path) -> ImportReport:
    """Merge the ipreader export ``file`` into the annotations of the folder ``root``.

    Raises ``ImportFileError`` (nothing written) when ``file`` is not a readable
    ipreader export, ``DocumentError`` when ``root`` is not a folder and
    ``StoreError`` when its store refuses writes.
    """
    data = _load(file)
    if not root.is_dir():
        raise DocumentError(root, "not a folder")
    groups = discover([root])
    root = groups[0][0] if groups else root.resolve()  # discover() resolves it
    known = {path.relative_to(root).as_posix(): path for _, files in groups for path in files}
    store = open_store(root)
    report = ImportReport(notices=store.notices.take())
    if not store.writable:
        raise StoreError(f"{root}: the annotation database is read-only; nothing imported")
    existing = {a.id: a for annotations in store.all_annotations().values() for a in annotations}
    seen_ids: set[str] = set()
    pending: list[Annotation] = []  # saved in one batch at the end
    notes: dict[str, DocumentNotes] = {}  # merged document notes, saved in one batch

    for index, document in enumerate(data["documents"]):
        where = f"documents[{index}]"
        if not isinstance(document, dict):
            report.rejected += 1
            report.messages.append(f"{where}: not an object; skipped")
            continue
        entries = document.get("annotations", [])
        count = len(entries) if isinstance(entries, list) else 0
        try:
            relpath = _resolve_document(root, document.get("path"), known)
            where = f"{where} ({relpath})"
            if not isinstance(entries, list):
                raise _Reject("annotations must be a list")
            document_text = read_document(known[relpath])
        except (_Reject, DocumentError) as error:
            report.rejected += max(count, 1)
            report.messages.append(f"{where}: {error}; document skipped")
            continue
        # Registers the document's current hash (and re-anchors stored annotations if the
        # file changed) so the merge compares against annotations valid for this text.
        text = document_text.text
        for current in store.reconcile(relpath, document_text.sha256, text):
            existing[current.id] = current
        before = notes.get(relpath) or store.document_notes(relpath)
        try:
            merged = _merge_notes(before, document, report, where)
        except RecordError as error:
            report.messages.append(f"{where}: document tags/note ignored: {error}")
        else:
            if merged != before:
                notes[relpath] = merged

        to_save: list[Annotation] = []
        for number, entry in enumerate(entries):
            at = f"{where} annotation {number}"
            try:
                annotation = _build(entry, relpath, text, report, at)
                if annotation.id in seen_ids:
                    raise _Reject(f"duplicate id {annotation.id} in the file")
                seen_ids.add(annotation.id)
            except (_Reject, RecordError) as error:
                report.rejected += 1
                report.messages.append(f"{at}: {error}; skipped")
                continue
            stored = existing.get(annotation.id)
            if stored is not None and stored.document != relpath:
                report.rejected += 1
                report.messages.append(
                    f"{at}: id {annotation.id} already belongs to {stored.document!r}; skipped"
                )
                continue
            # The revision rule (core/revisions.py): never silently over a newer edit.
            decision = import_decision(stored, annotation)
            if decision.message:
                report.messages.append(f"{at}: {decision.message}")
            if decision.verdict in (Verdict.ADD, Verdict.REPLACE):
                report.added += decision.verdict is Verdict.ADD
                report.updated += decision.verdict is Verdict.REPLACE
                to_save.append(decision.annotation)
            elif decision.verdict is Verdict.CONFLICT:
                report.conflicts += 1
            else:
                report.unchanged += 1
        report.orphaned += sum(not a.is_anchored for a in to_save)
        for annotation in to_save:
            existing[annotation.id] = annotation
        pending.extend(to_save)
    # Everything is written at the end in two batches: one index write for the
    # document notes, then one lock hold registering the new documents (one index
    # write) and writing each document's annotation file once.
    if notes:
        store.set_documents_notes(notes)
    store.save_annotations(pending)
    report.notices.extend(store.notices.take())
    return report
