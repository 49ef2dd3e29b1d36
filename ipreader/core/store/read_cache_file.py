"""The read cache's file (``read_cache.py``): its layout, its checks, its writer.

Layout, after ``MAGIC`` and a CRC-32 of the rest (``sealed``: a torn file reads
as damaged): the header's length (8 bytes) and the header (JSON:
location, byte order, the strings' separator, counts, the tag lists, the bad
records' names per entry, and how many rows the file no longer uses); then
typed arrays, decoded without pickle or marshal:

* per store file: name (a string number), mtime_ns, ctime_ns, first row, row
  count, settled (signed); dev, inode, size (unsigned); its 16-byte digest;
* per annotation: 16 unsigned numbers (strings as string numbers, tags as a
  tag-list number), and a float score (NaN: none);
* every string, joined by a separator character none of them holds.

``Decoded`` checks everything a lookup relies on when the file is loaded
(column by column, in C) and every row when the annotations are first built;
any failure is ``Damaged`` (the caller treats the file as absent). ``Writer``
builds a file: a whole one from parses, or the next generation of a loaded
one, its unchanged entries copied row for row (``append_to``).
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import itertools
import json
import math
import operator
import sys
import zlib
from array import array
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ipreader.core.gc_pause import gc_paused
from ipreader.core.model import COLORS, AnchorStatus, Annotation
from ipreader.core.pacing import pace
from ipreader.core.store.files import Signature
from ipreader.core.store.formats import AnnotationsFile

#: First bytes of a cache file; a new layout gets a new version.
MAGIC = b"ipreader read cache 4\n"

_CHECK = 4  # bytes of the whole file's CRC-32 after its magic
FILE_DIGEST = 16  # bytes of a store file's BLAKE2b digest
_LENGTH = 8  # bytes of the header's length
_INT_SIZE = array("q").itemsize
_INT_MAX = 2**63 - 1
_UINT_MAX = 2**64 - 1
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

#: A new generation is written whole (dropping the strings and rows no entry uses) once
#: the rows no longer used are over this share of the rows used.
GARBAGE_SHARE = 0.25

_D = TypeVar("_D")

_STATUSES = {status.value: status for status in AnchorStatus}
_COLOR_SET = frozenset(COLORS)

#: False: ``built`` always calls ``__init__`` (tests compare the two ways).
_BY_SLOT = True

#: A store file's parse as kept for the next save: signature, digest, parse, settled.
Kept = tuple[Signature, bytes, AnnotationsFile, bool]


class Damaged(ValueError):
    """The cache file is not one this version wrote whole: it is treated as absent."""


def sealed(magic: bytes, body: bytes) -> bytes:
    """A cache file: ``magic``, a CRC-32 of ``body``, ``body``.

    The check is for torn and damaged files (cache files are written without
    fsync): whoever can write the cache can seal any content, so a stronger
    digest would add nothing, and every value is checked on load anyway. A
    CRC-32 of 8 MB costs 2 ms, a BLAKE2b 17 ms.
    """
    return magic + zlib.crc32(body).to_bytes(_CHECK, "little") + body


def unsealed(magic: bytes, raw: bytes) -> memoryview:
    """The body of the cache file ``raw`` (``Damaged``: another kind, version, or torn)."""
    if not raw.startswith(magic) or len(raw) < len(magic) + _CHECK + _LENGTH:
        raise Damaged("not a cache file of this version")
    body = memoryview(raw)[len(magic) + _CHECK :]
    if zlib.crc32(body).to_bytes(_CHECK, "little") != raw[len(magic) : len(magic) + _CHECK]:
        raise Damaged("check differs")
    return body


class Decoded:
    """A loaded cache file: its entries by store file, and the shared tables they index."""

    def __init__(self, raw: bytes, location: str) -> None:
        body = unsealed(MAGIC, raw)
        pace()  # each step is a few ms of C at 10,000 articles: the app draws between
        length = int.from_bytes(body[:_LENGTH], "little")
        header = json.loads(bytes(body[_LENGTH : _LENGTH + length]))
        if not isinstance(header, dict) or header.get("location") != location:
            raise Damaged("another location")
        if header.get("byteorder") != sys.byteorder:
            raise Damaged("another byte order")
        counts = header["counts"]
        files, rows, text = (int(counts[name]) for name in ("files", "rows", "text"))
        separator = header["separator"]
        if type(separator) is not str or len(separator) != 1:
            raise Damaged("no separator")
        self.separator: str = separator
        """The character joining the strings (none of them holds it)."""
        self.garbage: int = header["garbage"]
        """Rows of earlier generations no entry uses any more (their strings may stay)."""
        if type(self.garbage) is not int or self.garbage < 0:
            raise Damaged("bad garbage count")
        at = _LENGTH + length
        table = _array("q", body[at : (at := at + files * _FILE_WIDTH * _INT_SIZE)])
        ids = _array("Q", body[at : (at := at + files * _ID_WIDTH * _INT_SIZE)])
        self._digests = bytes(body[at : (at := at + files * FILE_DIGEST)])
        # Unsigned: no number is ever an index counted from the end (no scan for one).
        self.rows = _array("Q", body[at : (at := at + rows * _WIDTH * _INT_SIZE)])
        self.scores = _array("d", body[at : (at := at + rows * _FLOAT_SIZE)])
        if (
            at + text != len(body)
            or len(self.scores) != rows
            or len(self._digests) != files * FILE_DIGEST
        ):
            raise Damaged("sizes differ")
        # One split, in C: the separator is a character no cached string holds.
        self.strings = bytes(body[at:]).decode("utf-8", "surrogatepass").split(separator)
        pace()
        if len(self.strings) != int(counts["strings"]):
            raise Damaged("string count differs")
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
            raise Damaged("bad entry")
        pace()
        names = list(map(self.strings.__getitem__, columns[0]))  # IndexError: damage
        self.index = dict(zip(names, range(files), strict=True))
        """Entry number of each store file name."""
        if len(self.index) != files:
            raise Damaged("a store file named twice")
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
        self.firsts: list[int] = firsts
        """Each entry's first row."""
        self.sizes: list[int] = sizes
        """Each entry's row count."""
        self.bad: dict[int, tuple[str, ...]] = {}
        """The names of an entry's bad records, by entry (most have none)."""
        for item in header["bad"]:
            number, bad = item
            if type(number) is not int or not 0 <= number < files:
                raise Damaged("bad entry")
            self.bad[number] = _checked_strings(bad)

    def digest(self, number: int) -> bytes:
        """The digest of the bytes entry ``number`` was made from."""
        return self._digests[number * FILE_DIGEST : (number + 1) * FILE_DIGEST]

    def parse(self, number: int) -> AnnotationsFile:
        """Entry ``number``'s parse (``Damaged``, ``IndexError``: an impossible row)."""
        if self._built is None:
            with gc_paused():  # 20,000 objects, all kept: no collection walks them (gc_pause.py)
                self._built = self._build()
        first = self.firsts[number]
        return AnnotationsFile(
            tuple(self._built[first : first + self.sizes[number]]), self.bad.get(number, ())
        )

    def _build(self) -> list[Annotation]:
        """Every row's annotation, column by column (``Damaged`` when any row is impossible).

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
            raise Damaged("impossible record")
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
        pace()  # a column of 20,000 rows is a call in C of ~1 ms: the app draws between
        collections.deque(map(setter, made, column), maxlen=0)
    return made


def _array(typecode: str, data: memoryview) -> array[Any]:
    """The typed array of ``data``'s bytes (``array(code, view)`` would take one item a byte)."""
    values = array(typecode)
    values.frombytes(data)
    return values


def _checked_strings(values: object) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(type(value) is str for value in values):
        raise Damaged("not a list of strings")
    return tuple(values)


def separator_for(strings: list[str]) -> str:
    """A character none of ``strings`` holds (a NUL, unless some text holds NULs)."""
    joined = "".join(strings)
    for code in itertools.chain(range(0x20), range(0xE000, 0xF900)):
        if chr(code) not in joined:
            return chr(code)
    raise ValueError("every separator is taken")  # not cached: the command goes on


class Writer:
    """A cache file being built: entries added one by one, then ``encoded``.

    With ``base`` (a loaded file), the next generation of it: its strings and
    tag lists keep their numbers, so ``copy`` moves an unchanged entry's rows
    over as they are; a new string holding its separator raises ``ValueError``
    (then write a whole file instead).
    """

    def __init__(self, base: Decoded | None = None) -> None:
        self._strings: list[str] = [] if base is None else list(base.strings)
        self._numbers = dict(zip(self._strings, range(len(self._strings)), strict=True))
        self._tags: list[tuple[str, ...]] = [] if base is None else list(base.tags)
        self._tag_numbers = dict(zip(self._tags, range(len(self._tags)), strict=True))
        self._separator = None if base is None else base.separator
        self._garbage = 0 if base is None else base.garbage + len(base.scores)
        self._rows = array("Q")  # a checked record's numbers are never negative (records.py)
        self._scores = array("d")
        self._table = array("q")
        self._ids = array("Q")
        self._digests: list[bytes] = []
        self._bad: list[list[Any]] = []

    @property
    def garbage(self) -> int:
        """Rows of earlier generations the file would carry that no entry uses."""
        return self._garbage

    @property
    def rows(self) -> int:
        """Rows (annotations) the file holds for its entries."""
        return len(self._scores)

    def _number(self, value: str) -> int:
        found = self._numbers.get(value)
        if found is None:
            if self._separator is not None and self._separator in value:
                raise ValueError("a new string holds the separator")
            found = self._numbers[value] = len(self._strings)
            self._strings.append(value)
        return found

    def _entry(
        self, name: str, signature: Signature, digest: bytes, count: int, is_settled: bool
    ) -> bool:
        """Add a store file's entry for the next ``count`` rows; False when it cannot be."""
        dev, ino, size, mtime, ctime = signature
        if not (
            0 <= min(dev, ino, size) <= max(dev, ino, size) <= _UINT_MAX
            and -_INT_MAX <= min(mtime, ctime) <= max(mtime, ctime) <= _INT_MAX
            and len(digest) == FILE_DIGEST
        ):
            return False  # not a signature a stat gives: never looked up, not kept
        self._ids.extend((dev, ino, size))
        rows = len(self._scores)
        self._table.extend((self._number(name), mtime, ctime, rows, count, int(is_settled)))
        self._digests.append(digest)
        return True

    def add(self, name: str, kept: Kept) -> None:
        """Add a store file's parse, row by row."""
        signature, digest, parsed, is_settled = kept
        annotations = parsed.annotations
        if any(a.end > _INT_MAX or a.revision > _INT_MAX for a in annotations):
            return  # beyond 64 bits (JSON allows it): this file is read each time
        if not self._entry(name, signature, digest, len(annotations), is_settled):
            return
        if parsed.bad:
            self._bad.append([len(self._digests) - 1, list(parsed.bad)])
        number, tags = self._number, self._tag_numbers
        for a in annotations:
            tag_list = tags.get(a.tags)
            if tag_list is None:
                tag_list = tags[a.tags] = len(self._tags)
                self._tags.append(a.tags)
            self._rows.extend(
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
                    tag_list,
                    number(a.created),
                    number(a.updated),
                    number(a.status.value),
                    number(a.creator),
                    a.revision,
                    number(a.origin),
                )
            )
            self._scores.append(math.nan if a.score is None else a.score)

    def copy(self, name: str, base: Decoded, number: int) -> None:
        """Add entry ``number`` of ``base`` (this writer's base), its rows as they are."""
        first, count = base.firsts[number], base.sizes[number]
        if not self._entry(
            name, base.signatures[number], base.digest(number), count, base.settled[number] == 1
        ):
            return
        bad = base.bad.get(number)
        if bad:
            self._bad.append([len(self._digests) - 1, list(bad)])
        self._rows.extend(base.rows[first * _WIDTH : (first + count) * _WIDTH])
        self._scores.extend(base.scores[first : first + count])
        self._garbage -= count

    def encoded(self, location: str) -> bytes:
        """The cache file's bytes (``ValueError``: every separator is taken)."""
        strings = self._strings or [""]
        separator = self._separator or separator_for(strings)
        text = separator.join(strings).encode("utf-8", "surrogatepass")
        header = json.dumps(
            {
                "location": location,
                "byteorder": sys.byteorder,
                "separator": separator,
                "counts": {
                    "files": len(self._digests),
                    "strings": len(strings),
                    "rows": len(self._scores),
                    "text": len(text),
                },
                "tags": [list(tags) for tags in self._tags],
                "bad": self._bad,
                "garbage": self._garbage,
            }
        ).encode("ascii")  # escaped: a lone surrogate in a name stays readable
        body = b"".join(
            (
                len(header).to_bytes(_LENGTH, "little"),
                header,
                self._table.tobytes(),
                self._ids.tobytes(),
                *self._digests,
                self._rows.tobytes(),
                self._scores.tobytes(),
                text,
            )
        )
        return sealed(MAGIC, body)
