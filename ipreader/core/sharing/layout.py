"""The bytes of a merged store file, and the store directory a file belongs to.

A merged file is written with the store's own encoder (``store.tables.
encode_tables``: tables and ids sorted, one record per line), so the next save
by the store and the next merge change only the records that changed.
"""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path, PurePath
from typing import Any

from ipreader.core.storage import (
    CorruptDatabaseError,
    FileTooLargeError,
    SpecialFileError,
    Tables,
    decode_database,
    read_regular_file,
)
from ipreader.core.store.tables import encode_tables

__all__ = [
    "CACHE_FILES",
    "METADATA_CACHE_FILE",
    "STORE_DIR_NAME",
    "canonical",
    "encode_tables",
    "read_tables_of",
    "store_dir_of",
]

#: The name of a folder's store directory (``paths.folder_store_dir``).
STORE_DIR_NAME = ".ipreader"

#: The metadata cache's file name in it: ``library.CACHE_FILENAME`` (a test holds them
#: equal), not imported from there because the library's imports would double the
#: start of ``ipreader merge-driver``, which git runs once per file.
METADATA_CACHE_FILE = "cache.json"

#: The store's caches (rebuilt from the articles when missing): a merge keeps either side.
#: ``verified.json`` is ``export.verified.VERIFIED_FILENAME`` (a test holds them equal).
CACHE_FILES = frozenset({METADATA_CACHE_FILE, "verified.json"})

# A lone surrogate: what a file name that is not valid UTF-8 decodes to (surrogateescape).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _record_text(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # Same escape as storage.encode_database: the \udcXX escape decodes to the same code point.
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def canonical(value: Any) -> str:
    """A record as one sorted, compact JSON string (how records are compared and ordered)."""
    return _record_text(value)


def store_dir_of(path: PurePath) -> PurePath:
    """The store directory holding ``path``: its nearest ``.ipreader`` ancestor.

    A file outside any ``.ipreader`` directory (the attribute set on other
    files) belongs to its own directory.
    """
    for parent in path.parents:
        if parent.name == STORE_DIR_NAME:
            return parent
    return path.parent


def read_tables_of(path: Path) -> Tables:
    """A store file's tables as a merge reads them (``{}`` when it is missing).

    Raises ``CorruptDatabaseError`` for a damaged file and ``OSError`` when it
    cannot be read; the merge driver and the sync-copy merge each say which.
    """
    try:
        # Never a plain read: a FIFO named like a store file (or a sync copy of one)
        # would block every open of the folder, a device or a huge file never end.
        _stat, raw = read_regular_file(path)
    except FileNotFoundError:
        return {}
    except SpecialFileError as error:
        if error.kind == "a directory":  # what a plain read says: cannot be read, left
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path)) from None
        raise CorruptDatabaseError(path, f"it is {error.kind}, not a regular file") from None
    except FileTooLargeError as error:
        raise CorruptDatabaseError(path, error.reason) from None
    return decode_database(path, raw or b"")
