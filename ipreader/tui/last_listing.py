"""The document list as the last open of the same paths left it, kept in the user's cache.

Opening a folder of 10,000 articles lists them only once every file was
walked, the store opened and every article's metadata looked up: most of a
second. The list drawn last time is kept here (one file per set of opened
paths, under ``paths.user_cache_dir()/listings/``) so the next open can draw
it at once, while the folders are read; the library's own listing then
replaces it (unchanged, or with what changed meanwhile). It is a cache of
what was shown, never a source of truth: nothing is opened, counted or
written from it, and a missing, damaged, foreign or hostile file is ignored.

The file is JSON lines, so neither its reading nor its writing holds the GIL
for one long C call (the UI thread draws meanwhile): a header naming the
format, the opened paths and the roots, then rows of ``ROWS_PER_LINE``
documents, each ``[root index, relpath, title, date, words, reading minutes,
sha256, encoding, size, mtime_ns, error, source, chars]``.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

from ipreader.core import paths
from ipreader.core.documents import (
    INFO_FIELD_TYPES,
    INFO_FIELDS,
    DocumentInfo,
    document_key,
    fallback_title,
)
from ipreader.core.errors import IpreaderError
from ipreader.core.pacing import pace, stepped
from ipreader.core.storage import atomic_write_bytes, read_regular_file

#: The file format (a file of another version is ignored, then replaced).
VERSION = 1

#: The folder of listing files inside the user's cache directory.
LISTINGS_DIR = "listings"

#: Documents per line of the file (each line one ``json.loads``/``json.dumps``).
ROWS_PER_LINE = 500

#: A listing file larger than this is not read (about 50,000 articles).
MAX_BYTES = 32 * 1024 * 1024

#: Every allowed ``tuple(map(type, row))`` (root index, relpath, then ``INFO_FIELDS``):
#: one set lookup checks a row.
_SIGNATURES = frozenset(
    itertools.product((int,), (str,), *(INFO_FIELD_TYPES[name] for name in INFO_FIELDS))
)

#: A document's fields after its root and relpath, in the order of a row.
_REST = attrgetter(*INFO_FIELDS)


def named_only(root: Path, files: Sequence[Path]) -> list[DocumentInfo]:
    """What the list can show of ``files`` before any is read: each one's name.

    Drawn on a folder's first open (no listing kept) once the folder is walked,
    while every article's metadata is read; the library's own listing replaces
    it like a kept one. The title is the file's stem, as for a file without a
    first line; nothing else is known (no hash, date or words), and nothing is
    opened, counted or written from it.
    """
    found: list[DocumentInfo] = []
    for path in stepped(files):  # made by the opening thread: the app draws between
        found.append(
            DocumentInfo(
                path=path,
                relpath=document_key(root, path),
                root=root,
                title=fallback_title(path),
                date=None,
                words=0,
                reading_minutes=0,
                sha256=None,
                encoding=None,
                size=0,
                mtime_ns=0,
                error=None,
            )
        )
    return found


def listing_file(opened: Sequence[Path]) -> Path:
    """The listing file of the paths ``opened`` (named by a hash of their absolute forms)."""
    key = "\n".join(str(Path(p).absolute()) for p in opened)
    name = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return paths.user_cache_dir() / LISTINGS_DIR / f"{name}.jsonl"


@dataclass(frozen=True, slots=True)
class Listing:
    """A kept listing, as read."""

    documents: list[DocumentInfo]
    """The documents, in the library's order."""
    raw: bytes
    """The file's bytes: a listing that encodes the same is not written again."""


def load_listing(opened: Sequence[Path]) -> Listing | None:
    """The listing the last open of ``opened`` kept (``None``: none kept, or the file is not
    one this version wrote for these paths)."""
    path = listing_file(opened)
    try:
        _info, raw = read_regular_file(path, limit=MAX_BYTES)
    except (IpreaderError, OSError):
        return None
    if raw is None:
        return None
    try:
        lines = raw.decode("ascii").split("\n")  # written with ensure_ascii
        header = json.loads(lines[0])
        if not isinstance(header, dict) or header.get("version") != VERSION:
            return None
        if header.get("paths") != [str(Path(p).absolute()) for p in opened]:
            return None  # another set of paths whose name collided: not this one's
        roots_seen = header.get("roots")
        if not isinstance(roots_seen, list) or not all(isinstance(r, str) for r in roots_seen):
            return None
        roots = [Path(r) for r in roots_seen]
        documents: list[DocumentInfo] = []
        for line in lines[1:]:
            if line:
                pace()  # a line of 500 rows is a few ms: the opening yields between them
                documents.extend(_documents(json.loads(line), roots))
    except (UnicodeDecodeError, ValueError, TypeError, IndexError):
        return None
    return Listing(documents, raw)


def _documents(rows: Any, roots: list[Path]) -> list[DocumentInfo]:
    """The documents of one line's rows (``ValueError`` for anything not written here)."""
    if not isinstance(rows, list):
        raise ValueError("not a list of rows")
    documents = []
    parents: dict[tuple[int, str], Path] = {}  # a Path per folder: joined once, not per file
    for row in rows:
        if not isinstance(row, list) or tuple(map(type, row)) not in _SIGNATURES:
            raise ValueError("not a row")
        index, relpath, *rest = row
        if index < 0 or relpath.startswith("/") or "/../" in f"/{relpath}/":
            raise ValueError("not a document under its root")
        root = roots[index]  # IndexError for a foreign index
        folder, _, name = relpath.rpartition("/")
        parent = parents.get((index, folder))
        if parent is None:
            parent = parents[index, folder] = root / folder if folder else root
        documents.append(DocumentInfo(parent / name, relpath, root, *rest))
    return documents


def save_listing(
    opened: Sequence[Path], documents: Sequence[DocumentInfo], kept: Listing | None = None
) -> None:
    """Keep ``documents`` as the listing of ``opened`` (atomically; a failure is ignored:
    the next open then lists the usual way). Not written when it encodes as ``kept``."""
    raw = _encode(opened, documents)
    if raw is None or (kept is not None and raw == kept.raw):
        return
    path = listing_file(opened)
    with contextlib.suppress(IpreaderError, OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, raw)


def _encode(opened: Sequence[Path], documents: Sequence[DocumentInfo]) -> bytes | None:
    """The file of ``documents`` (``None`` when one could not be rebuilt from its row)."""
    roots: dict[Path, tuple[int, str]] = {}
    rows: list[list[object]] = []
    for info in stepped(documents):  # written by the opening thread: the app draws between
        index, prefix = roots.setdefault(info.root, (len(roots), os.path.join(info.root, "")))
        # Compared as text: Path equality is ten times dearer, for 10,000 documents.
        if str(info.path) != prefix + info.relpath:
            return None  # not rebuilt as it was from a row: not kept rather than kept wrong
        rows.append([index, info.relpath, *_REST(info)])
    header = {
        "version": VERSION,
        "paths": [str(Path(p).absolute()) for p in opened],
        "roots": [str(root) for root in roots],
    }
    lines = [json.dumps(header)]
    for start in range(0, len(rows), ROWS_PER_LINE):
        pace()
        lines.append(json.dumps(rows[start : start + ROWS_PER_LINE], separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode("ascii")
