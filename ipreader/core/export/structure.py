"""The one export structure every format is rendered from.

``collect`` reads each exported article once, reconciles the annotations of
the changed ones, and returns an ``ExportSet``: the canonical structure
(``data``, exactly the ipreader JSON export, documented by
``docs/export-schema.json``) plus what only some renderers need: the folder of
each document (W3C and REFI-QDA name articles by ``file:`` URI) and, when
asked, each document's text (REFI-QDA ships the articles; W3C selects the text
an approximate match now covers).

Every annotation that is not orphaned satisfies ``text[start:end] == current``
when it carries ``current`` (every ``fuzzy`` one, and an exact one whose
whitespace was re-wrapped), else ``text[start:end] == quote``. ``quote`` is
always what the user highlighted.
"""

from __future__ import annotations

import fnmatch
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

from ipreader.core.codebook import Codebook
from ipreader.core.documents import DocumentInfo, read_document
from ipreader.core.drift import exported as exported_record
from ipreader.core.errors import DocumentError, IpreaderError
from ipreader.core.export.verified import VerifiedDocuments, digest, is_plain
from ipreader.core.identity import creator_key
from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus, Annotation, tag_key, utc_now_iso
from ipreader.core.store.folder_store import StoredDocument
from ipreader.core.tags import tag_matches

#: The value of the top-level ``format`` field of an ipreader export.
EXPORT_FORMAT_NAME = "ipreader.annotations"

#: The version of the export structure this code writes and reads.
EXPORT_VERSION = 1


class ExportFormatError(IpreaderError):
    """An unknown export format was asked for."""


@dataclass(frozen=True, slots=True)
class ExportSet:
    """An export: the canonical structure plus what some renderers need besides."""

    data: dict[str, Any]
    """The ipreader JSON structure (``format``, ``version``, ``exported_at``, ``documents``)."""
    roots: tuple[Path, ...]
    """The folder of each entry of ``data["documents"]``, in the same order."""
    texts: tuple[str | None, ...] | None = None
    """Each document's decoded text, in the same order, when ``collect`` was asked for it
    (``None`` for an article missing from its folder; with ``texts="read"`` also for
    an unchanged article not read again, whose highlights cover exactly their quotes)."""


def document_iri(root: Path, relpath: str) -> str:
    """Return the ``file:`` URI of the article ``relpath`` of the folder ``root``.

    Spaces, ``#``, ``%`` and non-ASCII characters are percent-encoded (UTF-8;
    a file name that is not UTF-8 keeps its own bytes), so the result is a
    valid URI, and two folders never give the same one.
    """
    return (root / relpath).as_uri()


#: Namespace of the ids given to creators (W3C ``Person`` ids, REFI-QDA user GUIDs).
_CREATOR_NAMESPACE = uuid.UUID("0f9e5d0c-6a43-4f4e-9d7e-0b1b3c7c5a21")


def creator_uuid(name: str) -> uuid.UUID:
    """Return the id of the coder ``name``: the same for every spelling ``creator_key`` joins."""
    return uuid.uuid5(_CREATOR_NAMESPACE, creator_key(name))


#: Document order of annotations: by start, then id (a key computed in C).
_document_order = attrgetter("start", "id")


def _verified(text: str, annotations: Iterable[Annotation]) -> list[Annotation]:
    """Return ``annotations`` with offsets that hold what their status promises in ``text``.

    The store's reconcile already guarantees it; this re-anchors (in the export
    only, never persisted) anything that slipped through, so an export is never
    wrong about its own offsets.
    """
    result = []
    for annotation in annotations:
        if annotation.is_anchored and annotation.current_text(text) is None:
            # Deferred: anchoring pulls in rapidfuzz, which this path almost never needs.
            from ipreader.core.anchoring import reanchor

            annotation = reanchor(text, annotation)
        result.append(annotation)
    return result


def _record(text: str | None, annotation: Annotation) -> dict[str, Any]:
    """The JSON record of ``annotation``: ``to_dict`` plus ``current`` when needed.

    ``current`` is the text the annotation now covers: always for ``fuzzy``,
    for an exact one only when its whitespace was re-wrapped. ``text`` is
    ``None`` for an article missing from its folder: its highlights are
    exported with status ``missing`` (``drift.exported``).
    """
    if text is None:
        return exported_record(annotation, missing=True)
    record = annotation.to_dict()
    current = annotation.current_text(text)
    if current is not None and (
        current != annotation.quote or annotation.status is AnchorStatus.FUZZY
    ):
        record["current"] = current
    return record


def _meant(record: dict[str, Any], book: Codebook) -> dict[str, Any]:
    """``record`` with ``meaning``: what its colour means in its folder (when it means one)."""
    meaning = book.meaning(record["color"])
    if meaning:
        record["meaning"] = meaning
    return record


def _keep_unchecked(
    library: Library,
    current: dict[str, tuple[DocumentInfo, str | None, list[Annotation]]],
    unreadable: set[str],
    info: DocumentInfo,
    record: StoredDocument,
    why: str,
) -> None:
    """Export an article that cannot be read with its highlights as stored, and say so.

    Binary, replaced or unreadable: its highlights are never left out silently.
    """
    current[info.relpath] = (info, None, list(record.annotations))
    unreadable.add(info.relpath)
    library.notices.add(
        f"{info.relpath} could not be read for the export ({why}); its "
        "highlights are kept as stored, not checked against its text"
    )


def collect(
    library: Library,
    tags: Sequence[str] = (),
    document_glob: str | None = None,
    only: Collection[Path] | None = None,
    *,
    texts: bool | Literal["read"] = False,
) -> ExportSet:
    """Return the export of ``library`` (see ``export_data``); ``texts`` keeps each text too.

    ``texts=True`` reads every article for its text (REFI-QDA ships them);
    ``texts="read"`` keeps the texts of the articles read anyway and leaves the
    others unread (W3C needs a text only where a highlight's ``current`` differs
    from its quote, and an article not read again has no such highlight).
    """
    wanted = [tag for tag in tags if tag_key(tag)]

    def tagged(values: Iterable[str]) -> bool:
        return any(tag_matches(value, tag) for value in values for tag in wanted)

    several_roots = len(library.collections) > 1
    exported: list[tuple[dict[str, Any], Path, str | None]] = []
    for collection in library.collections:
        # One read of the index and of each annotation file per export, not per document.
        stored = collection.store.stored_documents()
        book = collection.store.codebook()
        # Documents found plain by an earlier export, unchanged since: not read again
        # unless the renderer wants the text (W3C, REFI-QDA).
        # A store that refuses writes (a newer ipreader's, nowhere writable) gets no cache file.
        writable = collection.store.writable
        verified = VerifiedDocuments(collection.store.location if writable else None)
        current: dict[str, tuple[DocumentInfo, str | None, list[Annotation]]] = {}
        unread: set[str] = set()
        unreadable: set[str] = set()  # listed readable, failed to read now
        hashes: dict[str, str] = {}  # relpath -> sha256 of the text read now
        stale: list[tuple[str, str, str]] = []

        def selected(info: DocumentInfo) -> bool:
            return (only is None or info.path in only) and (
                document_glob is None or fnmatch.fnmatchcase(info.relpath, document_glob)
            )

        for missing in collection.missing:  # never left out; text None: nothing to verify
            if selected(info := missing.info(collection.root)):
                current[missing.relpath] = (info, None, list(missing.stored.annotations))

        for info in collection.documents:
            if not selected(info):
                continue
            record = stored.get(info.relpath)
            if record is None or record.empty:
                continue  # nothing to export: skip the read and the reconcile
            if not info.readable:
                _keep_unchecked(
                    library, current, unreadable, info, record, info.error or "unreadable"
                )
                continue
            if (
                texts is not True
                and info.sha256 is not None
                and info.sha256 == record.sha256
                and verified.holds(info.relpath, digest(info.sha256, record.annotations))
            ):
                current[info.relpath] = (info, None, list(record.annotations))
                unread.add(info.relpath)
                continue
            try:
                document = read_document(info.path)
            except DocumentError as error:  # unreadable since the folder was listed
                _keep_unchecked(library, current, unreadable, info, record, str(error))
                continue
            text = document.text
            hashes[info.relpath] = document.sha256
            if record.sha256 == document.sha256:
                current[info.relpath] = (info, text, list(record.annotations))
            else:
                current[info.relpath] = (info, text, [])
                stale.append((info.relpath, document.sha256, text))
        if stale:
            # Changed (or never hashed) documents: re-anchored and saved in one lock hold.
            for relpath, annotations in collection.store.reconcile_many(stale).items():
                info, read, _ = current[relpath]
                current[relpath] = (info, read, annotations)
        for relpath, (info, content, found) in current.items():
            notes = stored[relpath].notes
            if relpath not in unread:
                found = found if content is None else _verified(content, found)
                if relpath in hashes:
                    plain = content is not None and is_plain(content, found)
                    verified.remember(relpath, digest(hashes[relpath], found) if plain else None)
            if len(found) > 1:
                found = sorted(found, key=_document_order)
            if wanted:
                doc_tagged = tagged(notes.tags)
                if not doc_tagged:
                    found = [annotation for annotation in found if tagged(annotation.tags)]
                if not found and not doc_tagged:
                    continue
            elif not found and not notes.tags and not notes.note:
                continue
            if relpath in unread:
                # Checked plain against this very text before: every quote is what its
                # offsets cover, so the records carry no ``current``.
                records = [annotation.to_dict() for annotation in found]
            else:
                records = [_record(content, annotation) for annotation in found]
            entry: dict[str, Any] = {
                "path": info.relpath,
                "title": info.title,
                "date": info.date,
                "sha256": info.sha256,
                "encoding": info.encoding,
                "tags": list(notes.tags),
                "note": notes.note,
                "annotations": [_meant(record, book) for record in records],
            }
            if content is None and relpath not in unread and relpath not in unreadable:
                entry["missing"] = True
            if several_roots:
                entry["root"] = str(collection.root)
            exported.append((entry, collection.root, content))
        verified.save()
    exported.sort(key=lambda item: (item[0]["path"], str(item[1])))
    data = {
        "format": EXPORT_FORMAT_NAME,
        "version": EXPORT_VERSION,
        "exported_at": utc_now_iso(),
        "documents": [entry for entry, _, _ in exported],
    }
    return ExportSet(
        data=data,
        roots=tuple(root for _, root, _ in exported),
        texts=tuple(text for _, _, text in exported) if texts else None,
    )


def export_data(
    library: Library,
    tags: Sequence[str] = (),
    document_glob: str | None = None,
    only: Collection[Path] | None = None,
) -> dict[str, Any]:
    """Return the canonical export structure of ``library``.

    ``tags`` keeps only annotations carrying one of the tags or a child tag
    (``tags.tag_matches``), or lying in a document that carries one; a document
    then appears when it has a kept annotation or carries one of the tags
    itself. ``document_glob`` (``fnmatch``, case-sensitive) filters on the
    relative path, ``only`` on the absolute path (the app's "this article",
    "the listed articles"). Documents with no annotation, tag or note are left out, as
    are unreadable files (nothing can be verified against them). With several
    roots each document also carries ``root`` (the folder's absolute path).
    """
    return collect(library, tags, document_glob, only).data
