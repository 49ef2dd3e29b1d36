"""The read cache file's layout (``core/store/read_cache.py``), for tests that doctor one.

``split`` takes a cache file apart, a test changes a part, ``join`` seals it again
with a valid check: what the reader then sees is a well-formed file whose
content lies, which only its own checks can catch.
"""

from __future__ import annotations

import json
from array import array
from dataclasses import dataclass
from typing import Any

from ipreader.core.store.read_cache_file import MAGIC, sealed

ENTRY = 6  # signed integers per entry: name, mtime_ns, ctime_ns, first row, rows, settled
IDS = 3  # unsigned integers per entry: dev, inode, size
ROW = 16  # unsigned integers per annotation row (each with one float score)
DIGEST = 16  # bytes of each entry's digest of its store file


@dataclass
class CacheFile:
    """A read cache file's parts."""

    header: dict[str, Any]
    entries: array[int]  # ENTRY signed integers per store file
    ids: array[int]  # IDS unsigned integers per store file
    digests: bytearray  # DIGEST bytes per store file
    rows: bytes
    scores: bytes
    text: bytes

    def settled(self) -> list[bool]:
        """Each entry's settled flag."""
        return [flag == 1 for flag in self.entries[ENTRY - 1 :: ENTRY]]

    def replace_string(self, old: str, new: str) -> None:
        """Make every cached string equal to ``old`` read ``new``; no other string changes.

        Whole strings only: a byte replace of the joined text also rewrites a
        store file's name or an id that merely contains ``old`` (a UUID holds
        "ada" about once in 170), and a renamed entry no longer answers.
        """
        separator = self.header["separator"]
        strings = self.text.decode("utf-8", "surrogatepass").split(separator)
        assert old in strings, f"no cached string {old!r}"
        replaced = [new if string == old else string for string in strings]
        self.text = separator.join(replaced).encode("utf-8", "surrogatepass")
        self.header["counts"]["text"] = len(self.text)


def split(raw: bytes) -> CacheFile:
    """The parts of the cache file ``raw``."""
    assert raw.startswith(MAGIC)
    body = raw[len(MAGIC) + 4 :]
    length = int.from_bytes(body[:8], "little")
    header = json.loads(body[8 : 8 + length])
    files, rows = header["counts"]["files"], header["counts"]["rows"]
    at = 8 + length
    entries = array("q", body[at : (at := at + files * ENTRY * 8)])
    ids = array("Q", body[at : (at := at + files * IDS * 8)])
    digests = bytearray(body[at : (at := at + files * DIGEST)])
    row_bytes = body[at : (at := at + rows * ROW * 8)]
    scores = body[at : (at := at + rows * 8)]
    return CacheFile(header, entries, ids, digests, row_bytes, scores, body[at:])


def join(cache: CacheFile) -> bytes:
    """The cache file of ``cache``'s parts, sealed with a valid digest."""
    header = json.dumps(cache.header).encode()
    body = b"".join(
        (
            len(header).to_bytes(8, "little"),
            header,
            cache.entries.tobytes(),
            cache.ids.tobytes(),
            bytes(cache.digests),
            cache.rows,
            cache.scores,
            cache.text,
        )
    )
    return sealed(MAGIC, body)
