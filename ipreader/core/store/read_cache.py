"""Decoded annotation files kept between processes, in the user's own cache directory.

Reading a folder's 20,000 highlights costs a JSON decode and a full check of
every record; a command run twice on an unchanged folder need not pay them
twice. ``ReadCache`` keeps each annotation file's checked parse
(``formats.AnnotationsFile``: its annotations and the bad records' names) in
one file per store location under ``paths.user_cache_dir()``, never in the
folder's ``.ipreader/`` (it may be shared, even hostile: nothing there is
trusted as already checked).

An entry holds the store file's signature (device, inode, size, mtime_ns,
ctime_ns), a BLAKE2b digest of the bytes it was made from, and whether the
signature was *settled* once they had been read (``files.settled``: mtime and
ctime older than the racy window, with sub-millisecond digits). A settled
entry answers for a regular file with the same signature after one ``lstat``,
unread (``known``): any change of content sets the ctime from the kernel's
clock, which no user-space call sets back, so a file changed behind the cache
(same size, mtime put back) has another signature and is read and checked
afresh. Any other entry answers only for the very bytes it was made from
(``lookup``: signature and digest), and is recorded as settled once a read
verified it so after its signature settled (git's racily-clean rule). A hit
stands for "this user's process checked these bytes before": never data that
was not checked, and never used by a write (writes re-read under the lock).

The file is a small JSON header and typed arrays (``array``), decoded without
pickle or marshal; a cache file that is missing, too large, damaged, of
another version or another byte order, or that fails any consistency check
is treated as absent: never an error, never a traceback. It is written
atomically (a temporary file renamed over it, with a digest of the content so
that a torn or altered file reads as absent), and a failure to write it (a
read-only cache directory, a full disk) never fails the command.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import functools
import hashlib
import itertools
import json
import math
import operator
import os
import sys
import time
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ipreader.core import paths
from ipreader.core.errors import StoreError
from ipreader.core.model import COLORS, AnchorStatus, Annotation
from ipreader.core.storage import read_regular_file
from ipreader.core.store.files import Signature, settled
from ipreader.core.store.formats import AnnotationsFile

#: First bytes of a cache file; a new layout gets a new version.
MAGIC = b"ipreader read cache 3\n"

#: Largest cache file read or written (a bound on what a damaged one can cost).
MAX_CACHE_BYTES = 256 * 1024 * 1024

#: Directory, inside the user cache directory, of the read caches.
READS_DIR = "reads"

#: Age (seconds) past which a temporary cache file is a killed writer's leftover: a
#: live one exists for the seconds a write takes.
LEFTOVER_SECONDS = 3600

_DIGEST = 32  # bytes of the whole-file BLAKE2b digest after MAGIC
_FILE_DIGEST = 16  # bytes of a store file's BLAKE2b digest
_LENGTH = 8  # bytes of the header's length
_INT_SIZE = array("q").itemsize
_INT_MAX = 2**63 - 1
_FLOAT_SIZE = array("d").itemsize

#: Integers per annotation: id, document, start, end, quote, prefix, suffix, color, note,
#: tags, created, updated, status, creator, revision, origin (strings as string numbers,
#: tags as a tag-list number); the score is in its own array of floats (NaN: none).
_WIDTH = 16

#: Signed integers per store file entry: name (a string number), mtime_ns, ctime_ns, first
#: row, row count, settled (0 or 1); its dev, inode and size are in an unsigned array of
#: ``_ID_WIDTH`` (an overlay filesystem's inode numbers may use all 64 bits).
_FILE_WIDTH = 6
_ID_WIDTH = 3
_UINT_MAX = 2**64 - 1

_D = TypeVar("_D")

_STATUSES = {status.value: status for status in AnchorStatus}
_COLOR_SET = frozenset(COLORS)

#: False: ``built`` always calls ``__init__`` (tests compare the two ways).
_BY_SLOT = True


class _Damaged(ValueError):
    """The cache file is not one this version wrote whole: it is treated as absent."""


#: A store file's parse as kept for the next save: signature, digest, parse, settled.
_Kept = tuple[Signature, bytes, AnnotationsFile, bool]


def digest_of(raw: bytes) -> bytes:
    """The digest a cache entry keeps of a store file's bytes."""
    return hashlib.blake2b(raw, digest_size=_FILE_DIGEST).digest()


def cache_file(location: Path, directory: str = READS_DIR) -> Path:
    """The cache file of the store location ``location`` (named by a hash of its path)."""
    absolute = str(location.absolute())
    name = hashlib.sha256(absolute.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return paths.user_cache_dir() / directory / f"{name}.bin"


class _Decoded:
    """A loaded cache file: its entries by store file, and the shared tables they index."""

    def __init__(self, raw: bytes, location: str) -> None:
        if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + _DIGEST + _LENGTH:
            raise _Damaged("not a cache file of this version")
        body = memoryview(raw)[len(MAGIC) + _DIGEST :]
        if hashlib.blake2b(body, digest_size=_DIGEST).digest() != raw[len(MAGIC) : -len(body)]:
            raise _Damaged("digest differs")
        length = int.from_bytes(body[:_LENGTH], "little")
        header = json.loads(bytes(body[_LENGTH : _LENGTH + length]))
        if not isinstance(header, dict) or header.get("location") != location:
            raise _Damaged("another location")
        if header.get("byteorder") != sys.byteorder:
            raise _Damaged("another byte order")
        counts = header["counts"]
        files, rows, text = (int(counts[name]) for name in ("files", "rows", "text"))
        separator = header["separator"]
        if type(separator) is not str or len(separator) != 1:
            raise _Damaged("no separator")
        at = _LENGTH + length
        table = _array("q", body[at : (at := at + files * _FILE_WIDTH * _INT_SIZE)])
        ids = _array("Q", body[at : (at := at + files * _ID_WIDTH * _INT_SIZE)])
        self._digests = bytes(body[at : (at := at + files * _FILE_DIGEST)])
        # Unsigned: no number is ever an index counted from the end (no scan for one).
        self.rows = _array("Q", body[at : (at := at + rows * _WIDTH * _INT_SIZE)])
        self.scores = _array("d", body[at : (at := at + rows * _FLOAT_SIZE)])
        if (
            at + text != len(body)
            or len(self.scores) != rows
            or len(self._digests) != files * _FILE_DIGEST
        ):
            raise _Damaged("sizes differ")
        # One split, in C: the separator is a character no cached string holds.
        self.strings = bytes(body[at:]).decode("utf-8", "surrogatepass").split(separator)
        if len(self.strings) != int(counts["strings"]):
            raise _Damaged("string count differs")
        self.tags = [tuple(_checked_strings(tags)) for tags in header["tags"]]
        self._built: list[Annotation] | None = None
        # Every entry checked here, column by column in C: a whole-folder pass uses
        # nearly all of them, and a per-entry check cost more than the lookup.
        columns = [table[k::_FILE_WIDTH] for k in range(_FILE_WIDTH)]
        firsts, sizes = columns[3].tolist(), columns[4].tolist()
        if files and (
            min(columns[0]) < 0
            or min(firsts) < 0
            or min(sizes) < 0
            or max(map(operator.add, firsts, sizes)) > rows
            or not {0, 1}.issuperset(columns[5])
        ):
            raise _Damaged("bad entry")
        names = list(map(self.strings.__getitem__, columns[0]))  # IndexError: damage
        self.index = dict(zip(names, range(files), strict=True))
        """Entry number of each store file name."""
        if len(self.index) != files:
            raise _Damaged("a store file named twice")
        self.signatures: list[Signature] = list(
            zip(
                ids[0::_ID_WIDTH],
                ids[1::_ID_WIDTH],
                ids[2::_ID_WIDTH],
                columns[1],
                columns[2],
                strict=True,
            )
        )
        """Each entry's store file signature."""
        self.settled = columns[5].tolist()
        """Each entry's: 1 when its signature was settled once the bytes had been read."""
        self._firsts, self._sizes = firsts, sizes
        self._bad: dict[int, tuple[str, ...]] = {}
        for item in header["bad"]:
            number, bad = item
            if type(number) is not int or not 0 <= number < files:
                raise _Damaged("bad entry")
            self._bad[number] = _checked_strings(bad)

    def digest(self, number: int) -> bytes:
        """The digest of the bytes entry ``number`` was made from."""
        return self._digests[number * _FILE_DIGEST : (number + 1) * _FILE_DIGEST]

    def parse(self, number: int) -> AnnotationsFile:
        """Entry ``number``'s parse (``_Damaged``, ``IndexError``: an impossible row)."""
        if self._built is None:
            self._built = self._build()
        first = self._firsts[number]
        return AnnotationsFile(
            tuple(self._built[first : first + self._sizes[number]]), self._bad.get(number, ())
        )

    def _build(self) -> list[Annotation]:
        """Every row's annotation, column by column (``_Damaged`` when any row is impossible).

        All rows at once, on the first lookup: a whole-folder read uses nearly all
        of them, and whole columns are looked up and checked in C (``map``, ``min``)
        instead of one Python step a field a row.
        """
        rows, strings = self.rows, self.strings
        columns = [rows[k::_WIDTH] for k in range(_WIDTH)]
        text = strings.__getitem__  # IndexError for a number past the strings: damage

        def texts(k: int) -> list[str]:
            return list(map(text, columns[k]))

        starts, ends, revisions = columns[2].tolist(), columns[3].tolist(), columns[14].tolist()
        colors = texts(7)
        statuses = list(map(_STATUSES.get, texts(12)))
        scores = self.scores.tolist()
        if not (
            all(map(operator.le, starts, ends))
            and (not revisions or min(revisions) >= 1)
            and _COLOR_SET.issuperset(colors)
            and None not in statuses
            and all([score != score or 0 <= score <= 100 for score in scores])  # NaN: none
        ):
            raise _Damaged("impossible record")
        values = (
            texts(0),
            texts(1),
            starts,
            ends,
            texts(4),
            texts(5),
            texts(6),
            colors,
            texts(8),
            list(map(self.tags.__getitem__, columns[9])),
            texts(10),
            texts(11),
            statuses,
            texts(13),
            revisions,
            [None if score != score else score for score in scores],
            texts(15),
        )
        return built(Annotation, values)


@functools.cache
def _slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...] | None:
    """The slot setter of each field of ``cls``, if ``__init__`` does nothing more."""
    if not dataclasses.is_dataclass(cls):
        return None
    names = tuple(f.name for f in dataclasses.fields(cls))
    if getattr(cls, "__slots__", None) != names or hasattr(cls, "__post_init__"):
        return None
    return tuple(getattr(cls, name).__set__ for name in names)


def built(cls: type[_D], columns: Sequence[Sequence[Any]]) -> list[_D]:
    """``list(map(cls, *columns))``: one object a row, a column a field, values checked.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``,
    one Python-level call a field: for 20,000 annotations most of a pass. When it
    would do nothing more (slots of exactly its fields, no ``__post_init__``), each
    field's slot is set for all rows at once, in C: the same objects. Nothing is
    checked here: the caller checked every value.
    """
    setters = _slot_setters(cls) if _BY_SLOT else None  # type: ignore[arg-type]
    if setters is None or len(setters) != len(columns) or not columns:
        return list(map(cls, *columns))
    made: list[_D] = list(map(object.__new__, itertools.repeat(cls, len(columns[0]))))
    for setter, column in zip(setters, columns, strict=True):
        collections.deque(map(setter, made, column), maxlen=0)
    return made


def _array(typecode: str, data: memoryview) -> array[Any]:
    """The typed array of ``data``'s bytes (``array(code, view)`` would take one item a byte)."""
    values = array(typecode)
    values.frombytes(data)
    return values


def _checked_strings(values: object) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(type(value) is str for value in values):
        raise _Damaged("not a list of strings")
    return tuple(values)


def separator_for(strings: list[str]) -> str:
    """A character none of ``strings`` holds (a NUL, unless some text holds NULs)."""
    joined = "".join(strings)
    for code in itertools.chain(range(0x20), range(0xE000, 0xF900)):
        if chr(code) not in joined:
            return chr(code)
    raise ValueError("every separator is taken")  # not cached: the command goes on


def _encode(location: str, entries: dict[str, _Kept]) -> bytes:
    """The bytes of a cache file holding ``entries`` (by store file name)."""
    numbers: dict[str, int] = {}
    tag_numbers: dict[tuple[str, ...], int] = {}

    def number(value: str) -> int:
        found = numbers.get(value)
        if found is None:
            found = numbers[value] = len(numbers)
        return found

    rows = array("Q")  # a checked record's numbers are never negative (records.py)
    scores = array("d")
    table = array("q")
    ids = array("Q")
    digests: list[bytes] = []
    bad: list[list[Any]] = []
    for name, (signature, digest, parsed, is_settled) in entries.items():
        if any(a.end > _INT_MAX or a.revision > _INT_MAX for a in parsed.annotations):
            continue  # beyond 64 bits (JSON allows it): this file is read each time
        dev, ino, size, mtime, ctime = signature
        if not (
            0 <= min(dev, ino, size) <= max(dev, ino, size) <= _UINT_MAX
            and -_INT_MAX <= min(mtime, ctime) <= max(mtime, ctime) <= _INT_MAX
            and len(digest) == _FILE_DIGEST
        ):
            continue  # not a signature a stat gives: never looked up, not kept
        if parsed.bad:
            bad.append([len(digests), list(parsed.bad)])
        ids.extend((dev, ino, size))
        table.extend((number(name), mtime, ctime, len(scores), len(parsed.annotations)))
        table.append(1 if is_settled else 0)
        digests.append(digest)
        for a in parsed.annotations:
            tags = tag_numbers.setdefault(a.tags, len(tag_numbers))
            rows.extend(
                (
                    number(a.id),
                    number(a.document),
                    a.start,
                    a.end,
                    number(a.quote),
                    number(a.prefix),
                    number(a.suffix),
                    number(a.color),
                    number(a.note),
                    tags,
                    number(a.created),
                    number(a.updated),
                    number(a.status.value),
                    number(a.creator),
                    a.revision,
                    number(a.origin),
                )
            )
            scores.append(math.nan if a.score is None else a.score)
    strings = list(numbers) or [""]
    separator = separator_for(strings)
    text = separator.join(strings).encode("utf-8", "surrogatepass")
    header = json.dumps(
        {
            "location": location,
            "byteorder": sys.byteorder,
            "separator": separator,
            "counts": {
                "files": len(digests),
                "strings": len(strings),
                "rows": len(scores),
                "text": len(text),
            },
            "tags": [list(tags) for tags in tag_numbers],
            "bad": bad,
        }
    ).encode("ascii")  # escaped: a lone surrogate in a name stays readable
    body = b"".join(
        (
            len(header).to_bytes(_LENGTH, "little"),
            header,
            table.tobytes(),
            ids.tobytes(),
            *digests,
            rows.tobytes(),
            scores.tobytes(),
            text,
        )
    )
    return MAGIC + hashlib.blake2b(body, digest_size=_DIGEST).digest() + body


class ReadCache:
    """The decoded annotation files of one store location, kept between processes.

    ``lookup`` answers from the cache file (read on first use); ``store``
    records a fresh parse; ``save`` writes the entries used since the cache
    was opened (so the file holds only the folder's current files) when any
    was new. Nothing here raises for a bad cache file or a failed write.
    """

    def __init__(self, location: Path, file: Path | None = None) -> None:
        self.location = location
        """The store location whose files are cached."""
        self.file = cache_file(location) if file is None else file
        """The cache file."""
        self._key = str(location.absolute())
        self._prefix = str(location) + os.sep
        self._loaded: _Decoded | None = None
        self._tried = False
        # Store file name -> what the next save keeps for it: a parse recorded or verified
        # here (``_used``), or the number of the loaded entry that answered (``_hits``,
        # in ``_source``); a name is in one of the two.
        self._used: dict[str, _Kept] = {}
        self._hits: dict[str, int] = {}
        self._source: _Decoded | None = None
        self._changed = False

    def _name(self, path: Path | str) -> str:
        name = os.fspath(path)
        # Store files are named from the location: cutting it off is all relpath would do.
        return name[len(self._prefix) :] if name.startswith(self._prefix) else name

    def _decoded(self) -> _Decoded | None:
        if not self._tried:
            self._tried = True
            try:
                _stat, raw = read_regular_file(self.file, limit=MAX_CACHE_BYTES)
                self._loaded = _Decoded(raw or b"", self._key)
            except (
                StoreError,  # a FIFO, a link, a device, too large: never opened or read
                OSError,
                ValueError,
                KeyError,
                TypeError,
                IndexError,
                OverflowError,
                RecursionError,
            ):
                # Missing, unreadable, too large, damaged (UnicodeDecodeError and
                # JSONDecodeError are ValueErrors): as if there were no cache.
                self._loaded = None
        return self._loaded

    def known(self, path: Path | str, signature: Signature) -> tuple[bytes, AnnotationsFile] | None:
        """The digest and parse kept for the file with this signature, if it was settled.

        Only an entry recorded after ``files.settled(signature)`` held answers:
        the file has not changed since those bytes were read (its ctime would
        differ), so it is not read again. Any other entry needs ``lookup``.
        """
        decoded = self._decoded()
        if decoded is None:
            return None
        name = self._name(path)
        number = decoded.index.get(name)
        if number is None or not decoded.settled[number] or decoded.signatures[number] != signature:
            return None
        parsed = self._parse(decoded, number)
        if parsed is None:
            return None
        # Noted by number only: the entry is built again for a save, which is rare.
        self._hits[name] = number
        self._used.pop(name, None)
        return decoded.digest(number), parsed

    def lookup(
        self, path: Path, signature: Signature, raw: bytes
    ) -> tuple[bytes, AnnotationsFile | None]:
        """The digest of ``raw`` and the cached parse of exactly these bytes, if any.

        Called after ``raw`` was read: an entry recorded while its signature was
        not yet settled is marked settled if it is now (saved by the next ``save``).
        """
        digest = digest_of(raw)
        decoded = self._decoded()
        if decoded is None:
            return digest, None
        name = self._name(path)
        number = decoded.index.get(name)
        if (
            number is None
            or decoded.signatures[number] != signature
            or decoded.digest(number) != digest
        ):
            return digest, None
        parsed = self._parse(decoded, number)
        if parsed is None:
            return digest, None
        was_settled = decoded.settled[number] == 1
        is_settled = was_settled or settled(signature)
        self._changed = self._changed or is_settled != was_settled
        self.store(name, signature, digest, parsed, fresh=False, settled=is_settled)
        return digest, parsed

    def _parse(self, decoded: _Decoded, number: int) -> AnnotationsFile | None:
        """Entry ``number``'s parse; ``None`` (and the cache file dropped) when a row is
        impossible."""
        try:
            parsed = decoded.parse(number)
        except (_Damaged, IndexError):
            self._loaded = None  # one impossible row: trust none of the file
            return None
        self._source = decoded
        return parsed

    def store(
        self,
        path: Path | str,
        signature: Signature,
        digest: bytes,
        parsed: AnnotationsFile,
        *,
        fresh: bool,
        settled: bool = False,
    ) -> None:
        """Record the parse of the bytes with ``digest`` (kept by the next ``save``).

        ``fresh``: just parsed (the next ``save`` writes); else a parse this
        process already had, still the folder's file. ``settled``:
        ``files.settled(signature)`` held once the bytes had been read.
        """
        name = self._name(path)
        self._used[name] = (signature, digest, parsed, settled)
        self._hits.pop(name, None)
        self._changed = self._changed or fresh

    def save(self) -> None:
        """Write the entries used since opening, atomically, if any was new; never raises."""
        if not self._changed:
            return
        self._changed = False
        source = self._source
        entries: dict[str, _Kept] = {}
        if source is not None:
            for name, number in self._hits.items():
                # Answered only while settled (``known``), and parsed then: no damage here.
                parsed = source.parse(number)
                entries[name] = (source.signatures[number], source.digest(number), parsed, True)
        entries.update(self._used)
        # OverflowError: an offset or revision beyond 64 bits (valid in a store file,
        # unbounded in JSON) cannot be cached; the file is simply read each time.
        with contextlib.suppress(OSError, ValueError, OverflowError):
            write_private(self.file, _encode(self._key, entries))


def write_private(file: Path, data: bytes) -> None:
    """Write a cache file atomically, readable by this user only (``OSError`` on failure).

    Nothing over ``MAX_CACHE_BYTES`` is written.
    """
    if len(data) > MAX_CACHE_BYTES:
        return
    directory = file.parent
    directory.mkdir(parents=True, exist_ok=True)
    _sweep_leftovers(directory)
    temp = directory / f".tmp-{os.getpid()}-{os.urandom(6).hex()}"
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        # No fsync: a cache lost in a crash is only rebuilt, and a torn one
        # fails its digest and reads as absent.
        os.replace(temp, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _sweep_leftovers(directory: Path) -> None:
    """Remove temporary cache files that writers killed mid-write left behind (never raises)."""
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            if not entry.name.startswith(".tmp-"):
                continue
            with contextlib.suppress(OSError):
                if not entry.is_file(follow_symlinks=False):
                    continue
                if now - entry.stat(follow_symlinks=False).st_mtime > LEFTOVER_SECONDS:
                    os.unlink(entry.path)
