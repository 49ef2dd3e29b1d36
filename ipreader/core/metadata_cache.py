"""A per-folder cache of ``DocumentInfo`` so reopening a large folder reads no article.

The cache file is JSON lines: ``{"version": 4}``, then ``{"entries": {relpath:
{...}}}`` lines of at most ``CHUNK_ENTRIES`` entries each. An entry is reused
while the file's size and mtime (ns) are unchanged. It is only a cache: a
missing, corrupt or unwritable file is ignored, never an error.

Why lines: ``json.loads`` holds the GIL for the whole text it parses. One
object of 10,000 entries (3 MB) held it 30-120 ms while the app's opening
worker read it, so a key press waited that long; a line of 500 entries holds
it a few milliseconds, and the UI thread runs between lines.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ipreader.core.documents import (
    INFO_FIELD_TYPES,
    INFO_FIELDS,
    DocumentInfo,
    DocumentText,
    document_key,
    load_info,
)
from ipreader.core.errors import StoreError
from ipreader.core.pacing import pace, stepped
from ipreader.core.storage import atomic_write_bytes, encode_database, read_regular_file

#: Format version of the cache file; other versions are ignored (rebuilt). 2: ``source``
#: added, and dates read only from the article's head (version 1 entries may hold body dates);
#: 3: ``chars``; 4: JSON lines of ``CHUNK_ENTRIES`` entries (same entries as 3).
CACHE_VERSION = 4

#: Entries per line of the cache file (each line is parsed by one ``json.loads``).
CHUNK_ENTRIES = 500
# The DocumentInfo fields stored per entry, with their JSON types: only readable
# articles are cached, so an entry always has a sha256.
_FIELDS: dict[str, tuple[type, ...]] = {**INFO_FIELD_TYPES, "sha256": (str,)}

#: The stored fields in ``DocumentInfo``'s own order after path, relpath and root.
_ORDER = INFO_FIELDS

#: Every valid combination of the stored fields' types, in ``_ORDER``.
_VALID = frozenset(itertools.product(*(_FIELDS[name] for name in _ORDER)))

_MISSING = object()


def _valid_entry(entry: Any) -> bool:
    """True when ``entry`` has every stored field with the right type."""
    if not isinstance(entry, dict):
        return False
    # Exact types: the entries come from ``json.loads`` (and a bool is not an int here).
    # One set lookup of the types' tuple, all in C: 10,000 entries are checked each open.
    return tuple(map(type, map(entry.get, _ORDER, itertools.repeat(_MISSING)))) in _VALID


def _to_entry(info: DocumentInfo) -> dict[str, Any]:
    """Return the JSON entry of ``info``."""
    return {name: getattr(info, name) for name in _FIELDS}


class MetadataCache:
    """The metadata of one folder's articles, persisted between runs."""

    def __init__(self, cache_file: Path | None) -> None:
        """Load ``cache_file`` (``None`` keeps the cache in memory only)."""
        self.cache_file = cache_file
        """Where the cache is persisted; None for no persistence."""
        self.hits = 0
        """Entries reused by the last ``infos`` call (for measurements and tests)."""
        self._entries: dict[str, dict[str, Any]] = self._load()
        self._dirty = False

    def _load(self) -> dict[str, dict[str, Any]]:
        """Return the cache file's entries (each checked when used); {} when missing, corrupt
        or of another version."""
        if self.cache_file is None:
            return {}
        entries: dict[str, dict[str, Any]] = {}
        try:
            # Never blocks: a FIFO or a link named like the cache is not read.
            header, *lines = (read_regular_file(self.cache_file)[1] or b"").split(b"\n")
            data = json.loads(header)
            if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
                return {}  # another version (an older one is one JSON object): rebuilt
            for line in lines:
                if not line:
                    continue
                pace()  # a chunk is a few ms of parsing: the app's frames go between them
                parsed = json.loads(line)
                chunk = parsed.get("entries") if isinstance(parsed, dict) else None
                if not isinstance(chunk, dict):
                    return {}
                # Entries are checked when used (``_cached``): 10,000 checked here,
                # before the list can be shown, would cost more than reading the file.
                entries.update(chunk)
        except (OSError, StoreError, ValueError, RecursionError):
            # Unreadable, not JSON or not this shape: start afresh, the articles are the truth.
            return {}
        return {key: entry for key, entry in entries.items() if isinstance(key, str)}

    def _cached(self, path: Path, relpath: str) -> dict[str, Any] | None:
        """Return the cache entry of ``path`` when its size and mtime still match."""
        entry = self._entries.get(relpath)
        if entry is None or not _valid_entry(entry):
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        if st.st_size != entry["size"] or st.st_mtime_ns != entry["mtime_ns"]:
            return None
        return entry

    def infos(
        self,
        root: Path,
        files: Sequence[Path],
        progress: Callable[[int, int], None] | None = None,
        already: Mapping[Path, DocumentText] | None = None,
    ) -> list[DocumentInfo]:
        """Return the infos of ``files`` (in order), reading only new or changed files.

        ``progress(done, total)`` is called as files are processed (throttled).
        ``already``: reads of some of ``files`` just made, not made again.
        Entries of files not in ``files`` are dropped.
        """
        total = len(files)
        step = max(1, total // 100)
        result: list[DocumentInfo] = []
        fresh: dict[str, dict[str, Any]] = {}
        self.hits = 0
        for done, path in enumerate(stepped(files), start=1):
            relpath = document_key(root, path)
            entry = self._cached(path, relpath)
            if entry is None:
                pace()  # a file read (hash, date): ~0.1 ms, too long for PACE_EVERY of them
                info = load_info(root, path, None if already is None else already.get(path))
                self._dirty = True
                # A read failure (permission, vanished file) may heal without an
                # mtime change, so only files whose bytes were read are remembered.
                if info.sha256 is not None:
                    fresh[relpath] = _to_entry(info)
            else:
                self.hits += 1
                info = DocumentInfo(path, relpath, root, *map(entry.__getitem__, _ORDER))
                # Kept as loaded unless it carries more than the fields (rebuilt, saved).
                if len(entry) != len(_FIELDS):
                    entry = _to_entry(info)
                    self._dirty = True
                fresh[relpath] = entry
            result.append(info)
            if progress is not None and (done % step == 0 or done == total):
                progress(done, total)
        if fresh.keys() != self._entries.keys():
            self._dirty = True
        self._entries = fresh
        return result

    def save(self) -> None:
        """Write the cache atomically if it changed; every failure is swallowed."""
        if self.cache_file is None or not self._dirty:
            return
        items = list(self._entries.items())
        # encode_database escapes lone surrogates (non-UTF-8 file names); compact JSON
        # never holds a raw newline, so each chunk is one line.
        lines = [encode_database({"version": CACHE_VERSION})]
        lines += [
            encode_database({"entries": dict(items[start : start + CHUNK_ENTRIES])})
            for start in range(0, len(items), CHUNK_ENTRIES)
        ]
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.cache_file, b"\n".join(lines) + b"\n")
        except Exception:
            # It is only a cache: the next run rebuilds whatever was not saved.
            return
        self._dirty = False
