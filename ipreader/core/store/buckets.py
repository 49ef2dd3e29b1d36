"""Where a document's annotations live: one file while few, bucket files by id hash when many.

A save rewrites only the file holding the annotation, so its cost follows
the size of that file, not of the document. A document starts (and every
store written before this layout stays) with one file::

    annotations/<docid>.json              every annotation of the document

Once a save would put more than ``BUCKET_MAX`` records in one file, the
document is re-sharded, under one lock hold, into a power-of-two number of
buckets averaging at most ``BUCKET_TARGET`` records::

    annotations/<docid>/<k>-of-<n>.json   the annotations whose id hashes to k (mod n)

Each of them is a TinyDB JSON file with the one table ``annotations``.
The files of one ``n`` are a *generation*. A re-shard writes the new
generation whole (one atomic batch) before it removes the old one, so a
crash in between leaves two generations holding the same records: readers
take the union by id and the next write settles them into one generation
again (``Catalog``). Where two generations hold different copies of a record
(two copies of a store merged by git or a sync tool, split at different
moments), the higher ``revision``, then the later ``updated``, then the
higher ``n`` wins (``copy_rank``), as in every other merge of the store.

The bucket count depends on when the document outgrew its buckets, not only
on what it holds; each file's bytes depend only on the records in it.

No I/O here but the directory listing; reading and writing is ``catalog.py``'s.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Most records a bucket may hold before its document is re-sharded.
BUCKET_MAX = 128

#: Most records per bucket, on average, right after a re-shard (half of the maximum: a
#: document must double before the next one).
BUCKET_TARGET = 64

#: Most buckets a document is split into (50k highlights take 1,024; the cap keeps a
#: hostile file name from making a reader list millions).
MAX_BUCKETS = 1 << 14

_BUCKET_NAME = re.compile(r"([0-9]+)-of-([0-9]+)\.json")
_SUFFIX = re.compile(r"-of-([0-9]+)\.json$", re.MULTILINE)


def bucket_of(key: str, count: int) -> int:
    """The bucket (``0 <= k < count``) of a record id: stable across runs and machines."""
    # crc32, not hash(): str hashes are salted per process.
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % count


def count_for(records: int) -> int:
    """The number of buckets for a document of ``records`` annotations (a power of two)."""
    count = 1
    while count * BUCKET_TARGET < records and count < MAX_BUCKETS:
        count *= 2
    return count


def copy_rank(raw: Mapping[str, Any], count: int) -> tuple[int, str, int]:
    """Order of two stored copies of one record: the higher wins (revision, updated, count)."""
    revision = raw.get("revision")
    updated = raw.get("updated")
    return (
        revision if type(revision) is int else 0,
        updated if isinstance(updated, str) else "",
        count,
    )


def bucket_name(number: int, count: int) -> str:
    """The file name of bucket ``number`` of ``count``."""
    return f"{number}-of-{count}.json"


@dataclass(frozen=True, slots=True)
class BucketFile:
    """One file holding (some of) a document's annotations."""

    count: int
    """The number of buckets of its generation (1: the single ``<docid>.json``)."""
    number: int
    """Its bucket number in that generation."""
    path: Path
    """Where it is."""


@dataclass(frozen=True, slots=True)
class Layout:
    """The files of one document's annotations, as listed now."""

    single: Path
    """The one-file form's path, ``annotations/<docid>.json``."""
    directory: Path
    """The bucket directory, ``annotations/<docid>/`` (it may not exist)."""
    names: frozenset[str]
    """The names in the bucket directory (bucket files among them, checked on use)."""
    has_single: bool
    """True when the single file is one of the files: it exists, or there is no bucket file
    (then it is the layout, existing or not: reading a missing file gives no records)."""
    generations: tuple[int, ...]
    """The bucket counts present, ascending (1: the single file)."""

    @property
    def members(self) -> tuple[tuple[int, int], ...]:
        """The files as ``(count, number)``, ascending; ``(1, 0)`` is the single file."""
        found: list[tuple[int, int]] = [(1, 0)] if self.has_single else []
        for name in self.names:
            parsed = _parse_name(name)
            if parsed is not None:
                found.append(parsed)
        return tuple(sorted(found))

    @property
    def files(self) -> tuple[BucketFile, ...]:
        """The files, the single file first, then by generation and number."""
        return tuple(BucketFile(c, n, self.path(n, c)) for c, n in self.members)

    @property
    def counts(self) -> tuple[int, ...]:
        """The generations present, ascending."""
        return self.generations

    @property
    def count(self) -> int:
        """The newest generation's bucket count (1 for the single file)."""
        return self.counts[-1]

    @property
    def settled(self) -> bool:
        """True when one generation exists (no re-shard was cut short)."""
        return len(self.counts) == 1

    def path(self, number: int, count: int) -> Path:
        """Where bucket ``number`` of ``count`` lives (``single`` for a count of 1)."""
        return self.single if count == 1 else self.directory / bucket_name(number, count)

    def paths_of(self, key: str) -> list[tuple[int, Path]]:
        """The files that may hold record ``key``: its bucket in each generation present."""
        return [(count, self.path(bucket_of(key, count), count)) for count in self.counts]


def _parse_name(name: str) -> tuple[int, int] | None:
    """``(count, number)`` of a bucket file name, or ``None`` when it is not one."""
    match = _BUCKET_NAME.fullmatch(name)
    if match is None:
        return None
    number, count = int(match[1]), int(match[2])
    if 1 < count <= MAX_BUCKETS and count & (count - 1) == 0 and number < count:
        return count, number
    return None


def list_layout(single: Path, directory: Path) -> Layout:
    """List a document's annotation files: its ``single`` file, its bucket ``directory``.

    One ``listdir`` (most documents have no directory: it fails at once), and
    an ``lstat`` of the single file only beside a bucket directory. Files in
    the bucket directory not named ``<k>-of-<n>.json`` with ``k < n`` and ``n``
    a power of two (temp files, files set aside) are not the document's and
    are left alone.
    """
    try:
        names = frozenset(os.listdir(directory))
    except (FileNotFoundError, NotADirectoryError):
        names = frozenset()
    counts: set[int] = set()
    if names:
        # Regular expressions over all the names at once, not a Python loop per name: a
        # save lists its document's directory (1,024 names at 50k highlights) every time.
        joined = "\n".join(names)
        for suffix in set(_SUFFIX.findall(joined)):
            count = int(suffix)
            power_of_two = 1 < count <= MAX_BUCKETS and count & (count - 1) == 0
            # A generation needs a real member: a name numbered past its count (``2-of-2``)
            # is no bucket (``members`` leaves it out) and must not make one.
            numbers = re.findall(rf"^([0-9]+)-of-{suffix}\.json$", joined, re.MULTILINE)
            if power_of_two and any(int(number) < count for number in numbers):
                counts.add(count)
    has_single = not counts or os.path.lexists(single)
    if has_single:
        counts.add(1)
    return Layout(single, directory, names, has_single, tuple(sorted(counts)))


def new_layout(single: Path, directory: Path) -> Layout:
    """The layout of a document with no file yet (its single file, to be written), known
    from a listing of ``annotations/`` made under the lock; nothing is listed here."""
    return Layout(single, directory, frozenset(), True, (1,))


def document_paths(annotations_dir: Path, doc_id: str) -> tuple[Path, Path]:
    """A document's single file and bucket directory: ``<id>.json``, ``<id>/``."""
    return annotations_dir / f"{doc_id}.json", annotations_dir / doc_id
