"""What each file of a store holds: file and table names, record shapes, checked parsing.

No I/O and no locking here (``catalog.py`` reads and writes the files). A file
of the wrong shape raises ``CorruptDatabaseError`` (it is then set aside); each
record's fields are checked with the decoder of ``core/records.py``, and a
record with a bad field is skipped and reported by its id and field, never
dropped from the file (writes keep it).

Layout of a store location::

    index.json               table "_meta" (schema), table "documents" keyed by document UUID
    annotations/<docid>.json table "annotations" keyed by annotation UUID (a document
                             of up to ~128 annotations)
    annotations/<docid>/<k>-of-<n>.json
                             the same table, split by id hash (a larger one, ``buckets.py``)
    state.json               table "state" (last document read)
    lock                     the cross-process lock
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipreader import __version__
from ipreader.core.model import Annotation
from ipreader.core.records import (
    RecordError,
    decode_annotation,
    document_tags_field,
    int_field,
    text_field,
)
from ipreader.core.storage import CorruptDatabaseError, Tables

#: Version of the on-disk layout; a folder written with a higher one is refused for writing.
#: 2: a large document's annotations are split into bucket files (``buckets.py``); a
#: version-1 store is read as it is and raised to 2 when its first document is split,
#: so an ipreader that knows no buckets stops writing there (it would miss them).
SCHEMA_VERSION = 2

INDEX_FILE = "index.json"
STATE_FILE = "state.json"
CODEBOOK_FILE = "codebook.json"  # its tables and records: codebook_file.py
LOCK_FILE = "lock"
ANNOTATIONS_DIR = "annotations"

META_TABLE = "_meta"
DOCUMENTS_TABLE = "documents"
ANNOTATIONS_TABLE = "annotations"
STATE_TABLE = "state"

#: Longest relative path a document record may hold (PATH_MAX on Linux).
MAX_RELPATH_CHARS = 4096

#: Longest text fingerprint a document record may hold (``core/fingerprint.py`` writes ~690).
MAX_FINGERPRINT_CHARS = 4096

#: Bad records named in one notice; the rest are counted.
NAMED_BAD_RECORDS = 5

#: Characters of a bad record's key shown in a notice (a hostile key may be huge).
_SHOWN_KEY_CHARS = 60

# The one form ipreader writes ids in (str(uuid.uuid4())). Document ids become file
# names and annotation ids widget ids, so nothing else is accepted from a file.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_uuid(value: str) -> bool:
    """True for a UUID in canonical form (lower-case hex, hyphenated): a safe file name and id."""
    return _UUID.fullmatch(value) is not None


def relpath_problem(relpath: str) -> str | None:
    """Why ``relpath`` cannot be a document's path inside its folder (``None``: it can).

    A document key is a relative POSIX path made by listing the folder: never
    absolute, never with an empty, ``.`` or ``..`` part, never with a NUL.
    """
    if not relpath:
        return "is empty"
    if "\0" in relpath:
        return "holds a NUL character"
    if relpath.startswith("/"):
        return "is an absolute path"
    if any(part in ("", ".", "..") for part in relpath.split("/")):
        return "is not a plain relative path (an empty, '.' or '..' part)"
    return None


def relpath_field(data: dict[str, Any], name: str) -> str:
    """Return a document path field, checked (``RecordError`` names what is wrong)."""
    relpath = text_field(data, name, limit=MAX_RELPATH_CHARS)
    problem = relpath_problem(relpath) if relpath else "is missing"
    if problem is not None:
        raise RecordError(name, problem)
    return relpath


def shown_key(key: str) -> str:
    """A record key as a notice names it: cut short, with its controls left to the printer."""
    return key if len(key) <= _SHOWN_KEY_CHARS else f"{key[:_SHOWN_KEY_CHARS]}…"


@dataclass(frozen=True, slots=True)
class DocRecord:
    """One document of the index."""

    id: str
    """The document's UUID: the record's key and the name of its annotations file."""
    relpath: str
    """Its path relative to the root."""
    sha256: str | None = None
    """The hash of the content its annotations were last anchored against."""
    tags: tuple[str, ...] = ()
    """The document's own tags."""
    note: str = ""
    """The document's own note."""
    position: int = 0
    """The reading position (a code-point offset)."""
    fingerprint: str = ""
    """A sketch of the text (``core/fingerprint.py``): finds the file again once renamed and
    edited. Empty when not taken yet."""

    @classmethod
    def new(cls, relpath: str, sha256: str | None, fingerprint: str = "") -> DocRecord:
        """A record for a document the index does not know yet (a fresh UUID)."""
        return cls(str(uuid.uuid4()), relpath, sha256, fingerprint=fingerprint)

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
            "fingerprint": self.fingerprint,
        }


def decode_doc_record(key: str, raw: dict[str, Any]) -> DocRecord:
    """Return the index record ``raw`` stored under ``key``; ``RecordError`` names a bad field.

    The key names the document's annotations file, so it must be a UUID.
    """
    if not is_uuid(key):
        raise RecordError("id", "is not a UUID")
    return DocRecord(
        id=key,
        relpath=relpath_field(raw, "relpath"),
        sha256=text_field(raw, "sha256") or None,
        tags=document_tags_field(raw),
        note=text_field(raw, "note"),
        position=max(0, int_field(raw, "position") or 0),
        fingerprint=_fingerprint(raw.get("fingerprint")),
    )


def _fingerprint(value: object) -> str:
    """The record's fingerprint, or ``""``: a bad one only costs rename detection, never the
    record (its annotations must stay visible)."""
    return value if isinstance(value, str) and len(value) <= MAX_FINGERPRINT_CHARS else ""


def meta_record() -> dict[str, Any]:
    """The ``_meta`` table's ``schema`` record this version writes."""
    return {"version": SCHEMA_VERSION, "written_by": f"ipreader {__version__}"}


@dataclass(frozen=True, slots=True)
class IndexFile:
    """The parsed index file."""

    schema: int
    """The schema version recorded (0: none yet)."""
    documents: tuple[DocRecord, ...]
    """The readable document records, sorted by id."""
    bad: tuple[str, ...] = ()
    """Records skipped, each as ``"<id> (<field> <reason>)"``."""
    keys: frozenset[str] = frozenset()
    """Every document key in the file, bad records' too (their annotation files are known)."""
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

    def records_by_relpath(self) -> Mapping[str, DocRecord]:
        """Each relative path's record (the lowest id among duplicates), as ``by_relpath``."""
        return self._relpaths


@dataclass(frozen=True, slots=True)
class AnnotationsFile:
    """The parsed annotations of one document."""

    annotations: tuple[Annotation, ...]
    """The readable annotations in document order."""
    bad: tuple[str, ...] = ()
    """Records skipped, each as ``"<id> (<field> <reason>)"``."""


def annotation_order(annotation: Annotation) -> tuple[int, int, str, str]:
    """Sort key of annotations in document order (ties broken by creation time, then id)."""
    return (annotation.start, annotation.end, annotation.created, annotation.id)


def describe_bad(bad: Sequence[str]) -> str:
    """Name the first bad records of a file (a hostile file may hold thousands)."""
    named = ", ".join(bad[:NAMED_BAD_RECORDS])
    rest = len(bad) - NAMED_BAD_RECORDS
    return f"{named} and {rest} more" if rest > 0 else named


def _check_tables(path: Path, data: Tables, allowed: set[str]) -> None:
    """Reject a file holding tables this kind of file never has (not an ipreader file)."""
    unexpected = sorted(set(data) - allowed)
    if unexpected:
        raise CorruptDatabaseError(path, f"unexpected table(s) {', '.join(map(repr, unexpected))}")


def parse_index(path: Path, data: Tables | None) -> IndexFile:
    """Check and parse the tables of an index file (``None``: no file yet)."""
    data = data or {}
    _check_tables(path, data, {META_TABLE, DOCUMENTS_TABLE})
    if data.get(DOCUMENTS_TABLE) and "schema" not in data.get(META_TABLE, {}):
        # ipreader writes the schema with the first document: this is not its index.
        raise CorruptDatabaseError(path, "documents without a schema version")
    schema = 0
    meta = data.get(META_TABLE, {}).get("schema")
    if meta is not None:
        version = meta.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise CorruptDatabaseError(path, f"schema version is {version!r}, not an integer")
        schema = version
    documents: list[DocRecord] = []
    bad: list[str] = []
    for key, raw in sorted(data.get(DOCUMENTS_TABLE, {}).items()):
        try:
            documents.append(decode_doc_record(key, raw))
        except RecordError as error:
            bad.append(f"{shown_key(key)} ({error})")
    keys = frozenset(data.get(DOCUMENTS_TABLE, {}))
    return IndexFile(schema, tuple(documents), tuple(bad), keys)


def parse_annotations(path: Path, data: Tables | None) -> AnnotationsFile:
    """Check and parse the tables of an annotations file, sorted in document order."""
    data = data or {}
    _check_tables(path, data, {ANNOTATIONS_TABLE})
    good: list[Annotation] = []
    bad: list[str] = []
    for key, raw in data.get(ANNOTATIONS_TABLE, {}).items():
        try:
            # The key is the identity (and a widget id in the app): a UUID, as written.
            if not is_uuid(key):
                raise RecordError("id", "is not a UUID")
            # A differing "id" field inside cannot win.
            good.append(decode_annotation(raw, key=key))
        except RecordError as error:
            bad.append(f"{shown_key(key)} ({error})")
    good.sort(key=annotation_order)
    return AnnotationsFile(tuple(good), tuple(bad))


@dataclass(frozen=True, slots=True)
class StateFile:
    """The parsed state file."""

    last_document: str | None = None
    """The relpath of the document read last, if any."""
    merged_token: tuple[int, ...] | None = None
    """A fallback store's: the folder's change token when its annotations were last merged in."""


#: The state record holding ``StateFile.merged_token``.
MERGED_RECORD = "merged_from_folder"


def parse_state(path: Path, data: Tables | None) -> StateFile:
    """Return what a state file records (a bad value is forgotten, not reported)."""
    data = data or {}
    _check_tables(path, data, {STATE_TABLE})
    state = data.get(STATE_TABLE, {})
    last = state.get("last_document", {}).get("relpath")
    if not isinstance(last, str) or len(last) > MAX_RELPATH_CHARS or relpath_problem(last):
        last = None  # only a convenience: never worth a notice
    token = state.get(MERGED_RECORD, {}).get("token")
    if not isinstance(token, list) or not all(type(part) is int for part in token):
        token = None
    return StateFile(last, None if token is None else tuple(token))
