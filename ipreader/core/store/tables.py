"""TinyDB, extended only where it invites it: string ids and a buffered storage.

* ``UuidTable``: a ``tinydb.table.Table`` whose document ids are strings
  (``document_id_class = str``, the extension point TinyDB documents), with
  ``upsert_records`` / ``remove_records`` made of public ``Table`` calls;
* ``BufferedStorage``: a ``tinydb.storages.Storage`` holding one file's tables
  in memory while a transaction changes them;
* ``Transaction``: reads each file it touches once, lets TinyDB tables change
  it in memory, then writes every changed file in one
  ``storage.atomic_write_many`` batch (each file replaced atomically, their
  fsyncs overlapping) -- or nothing, when the transaction is abandoned;
* ``encode_tables``: the bytes of a store file, deterministic and diff-friendly
  (sorted tables, ids and fields; one record per line).

Stock TinyDB reads the same files given a table class like ``UuidTable``
(README, "Where data is stored").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from json.encoder import encode_basestring, encode_basestring_ascii
from pathlib import Path
from typing import Any

from tinydb.storages import Storage
from tinydb.table import Document, Table

from ipreader.core.storage import Tables, atomic_write_many


class UuidTable(Table):
    """A TinyDB table keyed by string ids (UUIDs), without a query cache.

    Ids are always given (``Document(..., doc_id=...)``), never taken from
    TinyDB's next integer id. TinyDB annotates ids as ``int`` but converts
    them generically (``document_id_class(key)`` on read, ``str(id)`` on
    write), hence the few ``type: ignore`` below.
    """

    document_id_class = str  # type: ignore[assignment]

    def __init__(self, storage: Storage, name: str) -> None:
        # No query cache: another process may have changed the file since.
        super().__init__(storage, name, cache_size=0)

    def upsert_records(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        """Insert records by id, each replacing (not merging into) a stored one."""
        if not records:
            return
        if len(self):  # a new file (an import) has nothing to replace
            self.remove_records(records)
        self.insert_multiple(
            [Document(value, doc_id=key) for key, value in records.items()]  # type: ignore[arg-type]
        )

    def remove_records(self, ids: Iterable[str]) -> None:
        """Remove records by id; ids not in the table are ignored."""
        present = [key for key in ids if self.contains(doc_id=key)]  # type: ignore[arg-type]
        if present:
            self.remove(doc_ids=present)  # type: ignore[arg-type]


class BufferedStorage(Storage):
    """One TinyDB file's tables, held in memory for the length of a transaction."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        """The file's content, as read and then as changed."""
        self.changed = False
        """True once a table operation wrote to it."""

    def read(self) -> dict[str, dict[str, Any]]:
        """Return the tables (TinyDB's read of the file)."""
        return self.tables

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Keep ``data`` as the new content (TinyDB's write of the file)."""
        self.tables = data
        self.changed = True


class Transaction:
    """Changes to several TinyDB files, made in memory and then written together."""

    def __init__(self, read: Callable[[Path], Tables]) -> None:
        """``read(path)`` returns a file's current tables (``{}`` for a missing file)."""
        self._read = read
        self._files: dict[Path, BufferedStorage] = {}
        self.written: list[Path] = []
        """The files the commit replaced (empty until then)."""

    def table(self, path: Path, name: str, *, new: bool = False) -> UuidTable:
        """Return table ``name`` of the file at ``path`` (read on its first use here).

        ``new``: the caller listed the directory under the lock and no file is there,
        so none is read (an import of 10,000 new documents tried to open 10,000
        missing files).
        """
        storage = self._files.get(path)
        if storage is None:
            storage = self._files[path] = BufferedStorage({} if new else self._read(path))
        return UuidTable(storage, name)

    def create(self, path: Path, name: str, records: Mapping[str, Mapping[str, Any]]) -> None:
        """Make ``path`` a new file holding only table ``name`` with ``records``.

        What ``table(path, name, new=True).upsert_records(records)`` makes, for a
        file the caller listed as missing under the lock, without a TinyDB table
        and its document objects per file (an import creates 10,000).
        """
        if not records:
            return
        if path in self._files:  # touched earlier in this transaction: TinyDB merges
            self.table(path, name).upsert_records(records)
            return
        storage = self._files[path] = BufferedStorage(
            {name: {key: dict(value) for key, value in records.items()}}
        )
        storage.changed = True

    def commit(self, before_replace: Callable[[], None] | None = None) -> list[Path]:
        """Write every changed file, in the order first touched; return their paths.

        One ``atomic_write_many`` batch: when a temp file cannot be written no
        file is replaced, when a rename fails the later files are left as they
        were (``StoreWriteError`` either way). ``before_replace`` runs once
        their temp files are written, before any is replaced (``atomic_write_many``).
        """
        changed = [
            (path, encode_tables(storage.tables))
            for path, storage in self._files.items()
            if storage.changed
        ]
        atomic_write_many(changed, before_replace=before_replace)
        self.written = [path for path, _data in changed]
        return self.written


# No indent: with one Python falls back to its pure-Python encoder (several times
# slower); the line breaks between records are added by hand instead. Each record
# goes straight to the C encoder, made once per mode: ``JSONEncoder.encode`` builds
# a new C encoder on every call, which was most of encoding a small record (a save
# encodes the ~20 records and ids of one document's file). ``markers`` is None: the
# records are JSON data (decoded, or built by ``to_dict``), which holds no cycles.
def _record_encoder(ascii_only: bool) -> Callable[[Any], str]:
    stock = json.JSONEncoder(ensure_ascii=ascii_only, sort_keys=True, separators=(",", ":"))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the C accelerator
        return stock.encode
    strings = encode_basestring_ascii if ascii_only else encode_basestring
    chunks = make(None, stock.default, strings, None, ":", ",", True, False, True)

    def encode(value: Any) -> str:
        return "".join(chunks(value, 0))

    return encode


_ENCODERS = {ascii_only: _record_encoder(ascii_only) for ascii_only in (False, True)}
_STRINGS = {False: encode_basestring, True: encode_basestring_ascii}


def encode_tables(tables: Mapping[str, Mapping[str, Any]]) -> bytes:
    """The bytes of a store file: the same tables always give the same bytes.

    Tables, record ids and fields are sorted, and each record sits on its own
    line, so a change to one record is a one-line diff (git, sync tools, the
    merge driver)::

        {"annotations": {
        "<id>": {...},
        "<id>": {...}
        }}

    UTF-8; a lone surrogate (from a file name that is not UTF-8) cannot be
    encoded, so such a file is written with every non-ASCII character escaped
    (``\\uXXXX``, the same strings once read).
    """
    try:
        return _encode(tables, ascii_only=False).encode("utf-8")
    except UnicodeEncodeError:
        return _encode(tables, ascii_only=True).encode("ascii")


def _encode(tables: Mapping[str, Mapping[str, Any]], *, ascii_only: bool) -> str:
    encode = _ENCODERS[ascii_only]
    string = _STRINGS[ascii_only]
    parts: list[str] = []
    for name in sorted(tables):
        records = tables[name]
        lines = ",\n".join(f"{string(key)}:{encode(records[key])}" for key in sorted(records))
        body = f"{{\n{lines}\n}}" if lines else "{}"
        parts.append(f"{string(name)}:{body}")
    return "{" + ",\n".join(parts) + "}\n"
