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

The file (its layout and checks in ``read_cache_file.py``) is a small JSON
header and typed arrays, decoded without pickle or marshal; a cache file that
is missing, too large, damaged, of another version or another byte order, or
that fails any consistency check is treated as absent: never an error, never
a traceback. It is written atomically (a temporary file renamed over it, with
a CRC-32 of the content so that a torn file reads as absent), and a
failure to write it (a read-only cache directory, a full disk) never fails the
command. After a change the next file copies the unchanged entries' rows as
they are and encodes only the files parsed afresh: a save in the app costs
the next command a copy of the cache, not an encoding of 20,000 annotations;
it is written whole, dropping what no entry uses, once that is over a quarter.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path

from ipreader.core import paths
from ipreader.core.errors import StoreError
from ipreader.core.storage import read_regular_file
from ipreader.core.store.files import Signature, settled
from ipreader.core.store.formats import AnnotationsFile
from ipreader.core.store.read_cache_file import (
    FILE_DIGEST,
    GARBAGE_SHARE,
    Damaged,
    Decoded,
    Kept,
    Writer,
)

#: Largest cache file read or written (a bound on what a damaged one can cost).
MAX_CACHE_BYTES = 256 * 1024 * 1024

#: Directory, inside the user cache directory, of the read caches.
READS_DIR = "reads"

#: Age (seconds) past which a temporary cache file is a killed writer's leftover: a
#: live one exists for the seconds a write takes.
LEFTOVER_SECONDS = 3600


def digest_of(raw: bytes) -> bytes:
    """The digest a cache entry keeps of a store file's bytes."""
    return hashlib.blake2b(raw, digest_size=FILE_DIGEST).digest()


def cache_file(location: Path, directory: str = READS_DIR) -> Path:
    """The cache file of the store location ``location`` (named by a hash of its path)."""
    absolute = str(location.absolute())
    name = hashlib.sha256(absolute.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return paths.user_cache_dir() / directory / f"{name}.bin"


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
        self._loaded: Decoded | None = None
        self._tried = False
        # Store file name -> what the next save keeps for it: a parse recorded or verified
        # here (``_used``), or the number of the loaded entry that answered (``_hits``,
        # in ``_source``); a name is in one of the two.
        self._used: dict[str, Kept] = {}
        self._hits: dict[str, int] = {}
        self._source: Decoded | None = None
        self._changed = False

    def _name(self, path: Path | str) -> str:
        name = os.fspath(path)
        # Store files are named from the location: cutting it off is all relpath would do.
        return name[len(self._prefix) :] if name.startswith(self._prefix) else name

    def _decoded(self) -> Decoded | None:
        if not self._tried:
            self._tried = True
            try:
                _stat, raw = read_regular_file(self.file, limit=MAX_CACHE_BYTES)
                self._loaded = Decoded(raw or b"", self._key)
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

    def _parse(self, decoded: Decoded, number: int) -> AnnotationsFile | None:
        """Entry ``number``'s parse; ``None`` (and the cache file dropped) when a row is
        impossible."""
        try:
            parsed = decoded.parse(number)
        except (Damaged, IndexError):
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
        # OverflowError: an offset or revision beyond 64 bits (valid in a store file,
        # unbounded in JSON) cannot be cached; the file is simply read each time.
        with contextlib.suppress(OSError, ValueError, OverflowError):
            write_private(self.file, self._encoded())

    def _encoded(self) -> bytes:
        """The next cache file: the loaded one's unchanged entries copied row for row
        while what it no longer uses stays small, else one written whole."""
        source = self._source
        if source is not None and self._hits:
            writer = Writer(source)
            try:
                for name, number in self._hits.items():
                    writer.copy(name, source, number)
                for name, kept in self._used.items():
                    writer.add(name, kept)
            except ValueError:
                pass  # a new string holds the file's separator: written whole
            else:
                if writer.garbage <= GARBAGE_SHARE * writer.rows:
                    return writer.encoded(self._key)
        writer = Writer()
        if source is not None:
            for name, number in self._hits.items():
                # Answered only while settled (``known``), and parsed then: no damage here.
                parsed = source.parse(number)
                writer.add(name, (source.signatures[number], source.digest(number), parsed, True))
        for name, kept in self._used.items():
            writer.add(name, kept)
        return writer.encoded(self._key)


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
