"""The JSON files of one store location: cached reads, transactions, corrupt files set aside.

``JsonFiles`` is the store's only way to its files:

* ``load(path, parse)``: the parsed file, reused while its stat signature
  is unchanged (another process replacing it changes the signature); with a
  ``Persisted`` cache (``read_cache.py``) also across processes, by the same
  signature when it was *settled* when read (``settled``), else by the digest
  of the very same bytes;
* ``transaction()``: TinyDB table operations on any number of files, each file
  re-read inside the lock and written once at the end (``tables.Transaction``);
* a file that cannot be decoded is moved aside (``storage.quarantine``: never
  deleted) after a re-check under the lock, and the owner is told through its
  ``on_set_aside`` hook (it words the notice, and rebuilds what it must).
"""

from __future__ import annotations

import functools
import os
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from ipreader.core.errors import StoreError, StoreWriteError
from ipreader.core.notices import Notices
from ipreader.core.storage import (
    CorruptDatabaseError,
    FileTooLargeError,
    SpecialFileError,
    Tables,
    decode_database,
    quarantine,
    read_regular_file,
)
from ipreader.core.store.lock import FolderLock

if TYPE_CHECKING:
    # TinyDB and the tables on it load with the first write: reads parse the JSON files
    # themselves (the app's first paint writes nothing; tests/test_start_imports.py).
    from ipreader.core.store.tables import Transaction

# A file whose mtime is this recent could still be replaced by one with the same
# stat signature (inode reuse within one timestamp tick), so it is never trusted
# from the read cache and makes change_token() differ on every call. Filesystems
# with whole-second or 2 s timestamps (FAT, HFS+) need the long window; ones with
# fine timestamps (ext4, btrfs, APFS: a tick of at most a few ms) the short one.
_RACY_COARSE_NS = 2_000_000_000
_RACY_FINE_NS = 100_000_000

# Linux stamps files from its coarse clock (``CLOCK_REALTIME_COARSE``, which the time
# module does not name): the time of the last timer tick. ``time.time_ns()`` reads the
# fine clock, normally a tick or two (4-10 ms here) ahead of it, but as far ahead as the
# tick is late: in a virtual machine whose timekeeping CPU the host holds back, files
# written now are stamped with a time that looks 100 ms old to the fine clock, and two
# versions of a file written within that stall carry the same stamps. Their age is
# therefore measured on the clock that stamps them (never ahead of its stamps).
_CLOCK_REALTIME_COARSE = 5


def _stamp_clock() -> Callable[[], int]:
    """The clock to measure a file's timestamps against: the coarse clock where it exists."""
    if not sys.platform.startswith("linux"):
        return time.time_ns
    try:
        time.clock_gettime_ns(_CLOCK_REALTIME_COARSE)
    except (AttributeError, OSError):  # no such clock (a kernel before 2.6.32)
        return time.time_ns

    # The time of the last tick: never later than the fine clock (it is that clock's
    # value then).
    return functools.partial(time.clock_gettime_ns, _CLOCK_REALTIME_COARSE)


stamp_now = _stamp_clock()
"""Now, as the file system's timestamps count it (ns since the epoch)."""

_T = TypeVar("_T")

#: What identifies one version of a file: (dev, inode, size, mtime_ns, ctime_ns).
Signature = tuple[int, int, int, int, int]


class Persisted(Protocol[_T]):
    """Parses kept between processes, by file signature and content (``read_cache.py``)."""

    def known(self, path: Path | str, signature: Signature) -> tuple[bytes, _T] | None:
        """The digest and parse kept for the file with exactly this (settled) signature."""

    def lookup(self, path: Path, signature: Signature, raw: bytes) -> tuple[bytes, _T | None]:
        """The digest of ``raw`` and the parse kept for exactly these bytes, if any."""

    def store(
        self,
        path: Path | str,
        signature: Signature,
        digest: bytes,
        parsed: _T,
        *,
        fresh: bool,
        settled: bool = False,
    ) -> None:
        """Keep the parse of the bytes whose digest is ``digest`` (``fresh``: just parsed;
        ``settled``: ``settled(signature)`` held once these bytes had been read)."""


def is_racy(mtime_ns: int) -> bool:
    """True when a file with this mtime may not yet be told apart by its stat (its age
    measured on the clock that stamps files, ``stamp_now``)."""
    coarse = mtime_ns % 1_000_000 == 0  # no sub-millisecond digits: a coarse filesystem
    window = _RACY_COARSE_NS if coarse else _RACY_FINE_NS
    return mtime_ns >= stamp_now() - window


def settled(signature: Signature) -> bool:
    """True when bytes read *now* with this signature are the only bytes it can stand for.

    Called after the read. Any later change of the file's content (a write, a
    rename over it, a truncation) sets its ctime to the kernel's clock, and no
    user-space call sets ctime back, so the signature stays the same only while
    the content does, unless the change fell into the same timestamp tick as the
    signature's times: hence both must be older than the racy window (git's
    "racily clean" rule), measured on the clock that stamps files (``stamp_now``:
    a tick held back in a virtual machine stamps new files with an old time).
    Timestamps without sub-millisecond digits mean a coarse filesystem (or a tool
    that set a whole-second mtime): never settled, such files are checked by their
    digest.
    """
    _dev, _ino, _size, mtime, ctime = signature
    if mtime % 1_000_000 == 0 or ctime % 1_000_000 == 0:
        return False
    return max(mtime, ctime) < stamp_now() - _RACY_FINE_NS


def signature_of(st: os.stat_result) -> Signature:
    """The signature of a file from its ``stat``."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def regular_signature(path: Path | str) -> Signature | None:
    """The ``lstat`` signature of a regular file; ``None`` for anything else or an error.

    No open, so never a wait on a FIFO; ``None`` sends the caller to the full
    read, which names what is wrong (missing, a link, a FIFO, unreadable).
    """
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return signature_of(st) if stat.S_ISREG(st.st_mode) else None


def read_file(path: Path) -> tuple[Signature, bytes] | None:
    """Return a store file's signature and bytes.

    ``None`` when the file does not exist; ``CorruptDatabaseError`` when it is
    not a regular file (a FIFO, a device, a link: never opened for reading, so
    never waited on, and set aside like any damaged file) or is larger than
    ``storage.MAX_DATABASE_BYTES`` (never read either); ``StoreError`` when
    it cannot be read. The signature is the open handle's ``fstat``, so it
    always belongs to the bytes read, even if the file is replaced meanwhile.
    """
    try:
        st, raw = read_regular_file(path)
    except FileNotFoundError:
        return None
    except SpecialFileError as error:
        raise CorruptDatabaseError(path, f"it is {error.kind}, not a regular file") from None
    except FileTooLargeError as error:
        raise CorruptDatabaseError(path, error.reason) from None  # set aside, never read
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from error
    assert raw is not None  # bytes are only withheld for a skip_if, and none is given
    return signature_of(st), raw


def read_tables(path: Path) -> Tables:
    """Return the tables of the file at ``path`` (``{}`` when it does not exist).

    Raises ``CorruptDatabaseError`` for a damaged file (an empty one included:
    atomic writes never leave one) and ``StoreError`` when it cannot be read.
    """
    found = read_file(path)
    if found is None:
        return {}
    return decode_database(path, found[1])


class JsonFiles:
    """The store files of one location, read through a cache and changed in transactions."""

    def __init__(
        self,
        lock: FolderLock,
        notices: Notices,
        *,
        check: Callable[[Path, Tables], object],
        on_set_aside: Callable[[Path, Path, CorruptDatabaseError], None],
    ) -> None:
        """``check(path, tables)`` parses a file of that path's kind (a shape check).

        ``on_set_aside(path, moved_to, error)`` runs, lock held, after a damaged
        file was moved aside.
        """
        self._lock = lock
        self._notices = notices
        self._check = check
        self._on_set_aside = on_set_aside
        # path -> (signature, parse, digest of the bytes when a Persisted cache saw them,
        # whether the signature was settled when they were read)
        # (keyed by the path's text: a whole-folder pass passes text, other reads Paths)
        self._cache: dict[str, tuple[Signature, object, bytes | None, bool]] = {}
        self._mutex = threading.Lock()

    # ------------------------------------------------------------------ reading

    def load(
        self,
        path: Path | str,
        parse: Callable[[Path, Tables | None], _T],
        persisted: Persisted[_T] | None = None,
    ) -> _T:
        """Return ``parse(path, tables)`` (``None`` tables: no file), cached.

        ``path`` may be a ``str`` (the same file as the ``Path`` of that text): a
        whole-folder pass builds no ``Path`` for a file it need not read.

        With ``persisted``, a file not cached here is first looked up there by
        its signature (one ``lstat``: only an entry recorded with a settled
        signature answers), then, read afresh, by its bytes; a fresh parse is
        kept there. A damaged file is set aside and
        the fresh state parsed; one that cannot be read (or set aside) is
        reported and parsed as missing.
        """
        for _attempt in range(3):
            try:
                return self._load_cached(os.fspath(path), parse, persisted)
            except CorruptDatabaseError as error:
                if not self._set_aside(Path(path), error):
                    break
            except StoreError as error:
                self._notices.add(f"{error}; it is left unchanged and ignored for now")
                break
        return parse(Path(path), None)

    def load_all(
        self,
        keys: Iterable[str],
        parse: Callable[[Path, Tables | None], _T],
        persisted: Persisted[_T] | None,
    ) -> Iterator[_T]:
        """``load(key, parse, persisted)`` of each of ``keys``, in order, each read when asked.

        The same answers, cheaper: a regular file whose signature this process
        or ``persisted`` already knows (one ``lstat`` each) is answered without
        ``load``'s steps per file; any other goes through ``load``.
        """
        for key in keys:
            try:
                st = os.lstat(key)
            except OSError:
                yield self.load(key, parse, persisted)  # it names what is wrong
                continue
            if stat.S_ISREG(st.st_mode):
                signature = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                known = self._known(key, signature, persisted)
                if known is not None:
                    yield known[0]
                    continue
            yield self.load(key, parse, persisted)

    def _known(
        self, key: str, signature: Signature, persisted: Persisted[_T] | None
    ) -> tuple[_T] | None:
        """The parse kept for the regular file ``key`` with ``signature``, if any (a 1-tuple)."""
        with self._mutex:
            cached = self._cache.get(key)
        if cached is not None and cached[0] == signature:
            value: _T = cached[1]  # type: ignore[assignment]
            if persisted is not None and cached[2] is not None:
                # Still the folder's file: the next save of the persisted cache keeps it.
                persisted.store(key, signature, cached[2], value, fresh=False, settled=cached[3])
            return (value,)
        if persisted is not None:
            known = persisted.known(key, signature)
            if known is not None:
                with self._mutex:
                    self._cache[key] = (signature, known[1], known[0], True)
                return (known[1],)
        return None

    def _load_cached(
        self,
        key: str,
        parse: Callable[[Path, Tables | None], _T],
        persisted: Persisted[_T] | None,
    ) -> _T:
        if persisted is not None or key in self._cache:
            # One lstat, no open: a regular file whose signature is known is not read.
            signature = regular_signature(key)
            if signature is not None:
                known = self._known(key, signature, persisted)
                if known is not None:
                    return known[0]
        path = Path(key)  # read afresh: what follows names the file in messages
        found = read_file(path)
        if found is None:
            with self._mutex:
                self._cache.pop(key, None)
            return parse(path, None)
        signature, raw = found
        parsed: _T | None = None
        digest: bytes | None = None
        if persisted is not None:
            digest, parsed = persisted.lookup(path, signature, raw)
        # After the read: a signature settled now cannot stand for other bytes later.
        is_settled = settled(signature)
        if parsed is None:
            parsed = parse(path, decode_database(path, raw))
            if persisted is not None and digest is not None:
                persisted.store(path, signature, digest, parsed, fresh=True, settled=is_settled)
        with self._mutex:
            if is_racy(signature[3]):
                self._cache.pop(key, None)
            else:
                self._cache[key] = (signature, parsed, digest, is_settled)
        return parsed

    # ------------------------------------------------------------------ writing

    @contextmanager
    def transaction(
        self, before_replace: Callable[[], None] | None = None
    ) -> Iterator[Transaction]:
        """Change files through TinyDB tables; all changed files are written on exit.

        The lock must be held. Each file is re-read when first touched (a
        damaged one is set aside first); when the body raises, nothing is
        written. ``before_replace`` runs on exit once the temp files are
        written, before any file is replaced (``Transaction.commit``).
        """
        if self._lock.hold_number is None:
            raise RuntimeError("a store transaction needs the folder lock")
        from ipreader.core.store.tables import Transaction

        transaction = Transaction(self._read_for_write)
        yield transaction
        transaction.commit(before_replace)

    def _read_for_write(self, path: Path) -> Tables:
        try:
            return read_tables(path)
        except CorruptDatabaseError as error:
            if not self._set_aside(path, error):
                raise StoreWriteError(
                    f"{path} is damaged and cannot be moved aside; nothing was saved"
                ) from error
            return read_tables(path)

    # ------------------------------------------------------------------ damaged files

    def _set_aside(self, path: Path, error: CorruptDatabaseError) -> bool:
        """Quarantine a damaged file (re-checked under the lock); False when it must stay."""
        if not self._lock.writable:
            self._notices.add(f"{error.path} cannot be read ({error.reason}); it is left unchanged")
            return False
        # The lock without the store's schema check: that reads the index, which
        # may be the very file being set aside.
        with self._lock.hold():
            try:
                self._check(path, read_tables(path))
                return True  # another process already replaced (or removed) it
            except CorruptDatabaseError:
                pass
            except StoreError as read_error:
                self._notices.add(str(read_error))
                return False
            try:
                moved = quarantine(path)
            except OSError as move_error:
                self._notices.add(
                    f"{path} cannot be read ({error.reason}) nor moved aside "
                    f"({move_error.strerror or move_error}); it is left unchanged"
                )
                return False
            self._on_set_aside(path, moved, error)
            return True
