"""Reading an import file within bounds: its bytes, then its JSON.

The limits (documented in the README, "Importing"):

* ``MAX_IMPORT_BYTES``: a larger file is refused before it is read;
* ``MIN_BYTES_PER_CONTAINER``: JSON with more objects and arrays than one per
  that many bytes is refused before it is parsed. A ``{}`` is 2 bytes of text
  but ~64 bytes of memory; real exports spend well over 100 bytes per object,
  so this bounds the parse to a few times the file size (every import stays
  within ~10x its size) whatever the file holds;
* ``MAX_IMPORT_ENTRIES`` (enforced by ``batch.Batch``): annotations plus
  document entries per import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ipreader.core.documents import read_bytes
from ipreader.core.errors import DocumentError, ImportFileError

#: Import files larger than this are refused before they are read.
MAX_IMPORT_BYTES = 200 * 1024 * 1024

#: JSON with more objects + arrays than one per this many bytes is refused unparsed.
MIN_BYTES_PER_CONTAINER = 16

#: Below this many objects and arrays a file is never refused for its density.
_DENSITY_FLOOR = 10_000


def read_file(file: Path, limit: int | None = None) -> bytes:
    """Return the bytes of ``file``; ``ImportFileError`` when unreadable or over ``limit``.

    ``limit`` defaults to ``MAX_IMPORT_BYTES`` (read when called, so tests can lower it).
    """
    if limit is None:
        limit = MAX_IMPORT_BYTES
    try:
        size = file.stat().st_size
    except OSError as error:
        raise ImportFileError(f"{file}: cannot read: {error.strerror or error}") from None
    if size > limit:
        raise ImportFileError(
            f"{file}: {size:,} bytes is too large to import (limit {limit // (1024 * 1024)} MB)"
        )
    try:
        # The shared reader: a FIFO or device is refused, never waited on, and the
        # read is bounded (the file may have grown or been replaced since the stat).
        raw, _stat = read_bytes(file, limit=limit + 1)
    except DocumentError as error:
        raise ImportFileError(f"{file}: cannot read: {error.reason}") from None
    if len(raw) > limit:
        raise ImportFileError(f"{file}: too large to import")
    return raw


def check_density(file: Path, raw: bytes) -> None:
    """Refuse JSON whose objects and arrays would take far more memory than its size."""
    # An upper bound (brackets inside strings count too), cheap to take on 200 MB.
    containers = raw.count(b"{") + raw.count(b"[")
    if containers > _DENSITY_FLOOR and containers * MIN_BYTES_PER_CONTAINER > len(raw):
        raise ImportFileError(
            f"{file}: {containers:,} JSON objects or arrays in {len(raw):,} bytes: far more "
            f"entries than an annotation file holds (at most one per {MIN_BYTES_PER_CONTAINER} "
            "bytes); nothing imported"
        )


def parse_json(file: Path, raw: bytes, kind: str = "an ipreader export") -> Any:
    """Parse ``raw`` as UTF-8 JSON (a BOM allowed) within the density bound.

    ``kind`` names what the file was expected to be, for the "not UTF-8" message.
    """
    check_density(file, raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(f"{file}: not UTF-8 text, so not {kind}") from None
    try:
        return json.loads(text)
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
