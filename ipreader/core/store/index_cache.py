"""The index's checked parse kept between processes, in the user's own cache directory.

A folder of 10,000 articles has a 10 MB ``index.json``: decoding it and
checking its 10,000 document records costs 0.1-0.2 s, paid by every command
that opens the folder. ``IndexCache`` keeps the last parse (``IndexFile``)
of one store location's index in ``paths.user_cache_dir()/indexes/``, never
in the folder's ``.ipreader/``, under the read cache's trust rule
(``read_cache.py``): the parse answers for an index with the same settled
stat signature after one ``lstat``, else only for the very bytes it was made
from (a BLAKE2b digest); every other read parses and checks the file afresh.

Only a store's first index read in a process goes through it
(``Catalog.index``), and it is saved by the next whole-folder pass
(``Catalog.annotations_of_all``): later reads follow the app's own writes,
and writing a 10 MB cache file after each of them would cost more than it
saves; a process that only writes (an import) writes none.

The file is the read cache's kind: a CRC-sealed JSON header, a typed array
of reading positions and tag counts, and the records' texts joined by a
character none holds. Anything wrong with it reads as absent; a failed write
is ignored.
"""

from __future__ import annotations

import contextlib
import json
import sys
from array import array
from pathlib import Path

from ipreader.core.errors import StoreError
from ipreader.core.pacing import pace
from ipreader.core.storage import read_regular_file
from ipreader.core.store.files import Signature, settled
from ipreader.core.store.formats import DocRecord, IndexFile
from ipreader.core.store.read_cache import MAX_CACHE_BYTES, cache_file, digest_of, write_private
from ipreader.core.store.read_cache_file import built, sealed, separator_for, unsealed

#: First bytes of an index cache file; a new layout gets a new version.
MAGIC = b"ipreader index cache 2\n"

#: Directory, inside the user cache directory, of the index caches.
INDEXES_DIR = "indexes"

_LENGTH = 8  # bytes of the header's length
_FIELDS = 5  # texts per record: id, relpath, sha256 ("" for none), note, fingerprint

#: The cached index: signature, digest of its bytes, its parse, settled when read.
_Kept = tuple[Signature, bytes, IndexFile, bool]


def _encode(location: str, kept: _Kept) -> bytes:
    """The bytes of a cache file holding ``kept``."""
    signature, digest, index, is_settled = kept
    documents = index.documents
    texts: list[str] = []
    for record in documents:
        texts += (record.id, record.relpath, record.sha256 or "", record.note, record.fingerprint)
    for record in documents:
        texts += record.tags
    numbers = array("q", [record.position for record in documents])
    numbers.extend(len(record.tags) for record in documents)
    separator = separator_for(texts or [""])
    text = separator.join(texts).encode("utf-8", "surrogatepass")
    ids = {record.id for record in documents}
    header = json.dumps(
        {
            "location": location,
            "byteorder": sys.byteorder,
            "separator": separator,
            "signature": list(signature),
            "digest": digest.hex(),
            "settled": is_settled,
            "schema": index.schema,
            "bad": list(index.bad),
            "other_keys": sorted(index.keys - ids),
            "documents": len(documents),
            "texts": len(texts),
        }
    ).encode("ascii")  # escaped: a lone surrogate stays readable
    body = b"".join((len(header).to_bytes(_LENGTH, "little"), header, numbers.tobytes(), text))
    return sealed(MAGIC, body)


def _decode(raw: bytes, location: str) -> _Kept:
    """The cached index of ``raw`` (``ValueError``, ``KeyError``, ``TypeError``: damaged)."""
    # Each step below is one call in C of a few ms on 10,000 documents: the app opening
    # the folder may draw between them (``core.pacing``), never inside one.
    body = unsealed(MAGIC, raw)  # Damaged is a ValueError
    pace()
    length = int.from_bytes(body[:_LENGTH], "little")
    header = json.loads(bytes(body[_LENGTH : _LENGTH + length]))
    if header["location"] != location or header["byteorder"] != sys.byteorder:
        raise ValueError("another location or byte order")
    count, separator = int(header["documents"]), header["separator"]
    if type(separator) is not str or len(separator) != 1 or count < 0:
        raise ValueError("bad header")
    at = _LENGTH + length
    numbers = array("q")
    numbers.frombytes(body[at : at + 2 * count * numbers.itemsize])
    positions, tag_counts = numbers[:count].tolist(), numbers[count:].tolist()
    texts = bytes(body[at + 2 * count * numbers.itemsize :]).decode("utf-8", "surrogatepass")
    pace()
    strings = texts.split(separator)
    pace()
    if (
        len(positions) != count
        or len(tag_counts) != count
        or (count and min(min(positions), min(tag_counts)) < 0)
        or int(header["texts"]) != _FIELDS * count + sum(tag_counts)
        or len(strings) != max(1, int(header["texts"]))  # no text at all: one ""
    ):
        raise ValueError("sizes differ")
    tags: list[tuple[str, ...]] = []
    at = _FIELDS * count
    for number in tag_counts:
        tags.append(tuple(strings[at : at + number]))
        at += number
    ids = strings[0 : _FIELDS * count : _FIELDS]
    pace()
    documents = tuple(
        built(  # as map(DocRecord, ...), in C: every value is checked above
            DocRecord,
            (
                ids,
                strings[1 : _FIELDS * count : _FIELDS],
                [sha or None for sha in strings[2 : _FIELDS * count : _FIELDS]],
                tags,
                strings[3 : _FIELDS * count : _FIELDS],
                positions,
                strings[4 : _FIELDS * count : _FIELDS],
            ),
        )
    )
    bad, other = header["bad"], header["other_keys"]
    schema = header["schema"]
    if not (
        type(schema) is int
        and isinstance(bad, list)
        and isinstance(other, list)
        and all(type(item) is str for item in bad + other)
    ):
        raise ValueError("bad header")
    dev, ino, size, mtime, ctime = (int(part) for part in header["signature"])
    pace()
    index = IndexFile(schema, documents, tuple(bad), frozenset(ids).union(other))
    signature = (dev, ino, size, mtime, ctime)
    return signature, bytes.fromhex(header["digest"]), index, header["settled"] is True


class IndexCache:
    """The index parse of one store location, kept between processes (``files.Persisted``).

    Read on first use; ``save`` writes it when the index was parsed afresh, or
    its signature has settled since it was kept. Nothing here raises for a bad
    cache file or a failed write.
    """

    def __init__(self, location: Path, file: Path | None = None) -> None:
        self.file = cache_file(location, INDEXES_DIR) if file is None else file
        """The cache file."""
        self._key = str(location.absolute())
        self._loaded: _Kept | None = None
        self._tried = False
        self._kept: _Kept | None = None
        self._changed = False

    def _cached(self) -> _Kept | None:
        if not self._tried:
            self._tried = True
            try:
                _stat, raw = read_regular_file(self.file, limit=MAX_CACHE_BYTES)
                self._loaded = _decode(raw or b"", self._key)
            except (
                StoreError,  # a FIFO, a link, a device, too large: never opened or read
                OSError,
                ValueError,  # UnicodeDecodeError and JSONDecodeError among them
                KeyError,
                TypeError,
                IndexError,
                OverflowError,
                RecursionError,
            ):
                self._loaded = None  # as if there were no cache
        return self._loaded

    def known(self, path: Path | str, signature: Signature) -> tuple[bytes, IndexFile] | None:
        """The digest and parse kept for an index with exactly this settled signature."""
        cached = self._cached()
        if cached is None or not cached[3] or cached[0] != signature:
            return None
        self._kept = cached
        return cached[1], cached[2]

    def lookup(
        self, path: Path | str, signature: Signature, raw: bytes
    ) -> tuple[bytes, IndexFile | None]:
        """The digest of ``raw`` and the parse kept for exactly these bytes, if any."""
        digest = digest_of(raw)
        cached = self._cached()
        if cached is None or cached[0] != signature or cached[1] != digest:
            return digest, None
        now_settled = cached[3] or settled(signature)
        self._changed = self._changed or now_settled != cached[3]
        self._kept = (signature, digest, cached[2], now_settled)
        return digest, cached[2]

    def store(
        self,
        path: Path | str,
        signature: Signature,
        digest: bytes,
        parsed: IndexFile,
        *,
        fresh: bool,
        settled: bool = False,
    ) -> None:
        """Keep the parse of the index bytes with ``digest`` (``fresh``: just parsed)."""
        self._kept = (signature, digest, parsed, settled)
        self._changed = self._changed or fresh

    def save(self) -> None:
        """Write the kept parse atomically if it is new; never raises."""
        if not self._changed or self._kept is None:
            return
        self._changed = False
        with contextlib.suppress(OSError, ValueError, OverflowError):
            write_private(self.file, _encode(self._key, self._kept))
        # The next process reads what was just written; this one needs it no more.
        self._loaded = None
