"""Crash-safe file writes, quarantine, and the JSON encoding of TinyDB files.

(Over 450 lines: the one-file and the batch writers share their temp files, flushes
and clean-up, and the bounds a read would refuse are checked where bytes are written.)

Every write goes to a temporary file in the target's directory, is flushed and
fsynced, then ``os.replace``-d over the target, and the directory is fsynced:
a reader (or a process killed mid-save) only ever sees the old or the new file,
never a mixture. Files that cannot be read are moved aside byte for byte
(``quarantine``), never deleted. ``decode_database``/``encode_database`` are
the bytes of a TinyDB JSON file (the store's TinyDB storage is in
``core/store/tables.py``); settings, the metadata cache and exports use the
same atomic writes.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipreader.core.errors import StoreError, StoreWriteError

if TYPE_CHECKING:
    from ipreader.core.batch_sync import FileSystemSync

#: Prefix of the temporary files written next to a target (cleaned up on failure).
TEMP_PREFIX = ".tmp-"

#: Marker between a quarantined file's name and its UTC timestamp.
CORRUPT_MARKER = ".corrupt-"

#: Largest store file read or written (bytes). Reading one costs several times its
#: size in memory, and a sparse file can claim any size for free: a bigger one is
#: not read (it is set aside like a damaged file) and a save that would make one is
#: refused. Far above a real file (20,000 highlights of 120 characters with a
#: note and two tags: 12 MB).
MAX_DATABASE_BYTES = 256 * 1024 * 1024

#: Most ``{`` characters a store file may hold: an upper bound of its records, counted
#: before parsing. A million empty records in a 12 MB file cost ``ipreader list``
#: ~280 MB and ~14 s; a real file holds one per highlight or document (and a few in
#: text: the bound counts those too, on writes as on reads).
MAX_DATABASE_OBJECTS = 500_000

#: The content of a TinyDB JSON file: ``{table: {record id: {field: value}}}``.
Tables = dict[str, dict[str, dict[str, Any]]]


class CorruptDatabaseError(StoreError):
    """A database file exists but is not a TinyDB JSON document of the expected shape."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class SpecialFileError(StoreError):
    """A file ipreader reads as its own is a link, FIFO, device or directory; it is not opened.

    Opening a FIFO waits for a writer, a device may never end, and a link may
    lead anywhere: none of them is something ipreader wrote.
    """

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.kind = kind
        """What the path is (``"a FIFO"``, ``"a symbolic link"``, ...)."""
        super().__init__(f"{path} is {kind}, not a regular file")


class FileTooLargeError(StoreError):
    """A file ipreader reads as its own is larger than it may be; it is not read."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        self.path = path
        self.reason = f"it holds {size:,} bytes, over the {limit:,} a store file may hold"
        """Why it is not read, without the path."""
        super().__init__(f"{path}: {self.reason}")


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


def file_kind(mode: int) -> str:
    """Name the kind of file of an ``st_mode`` (``"a FIFO"``, ``"a regular file"``, ...)."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


#: Largest piece asked of one ``os.read`` (some systems refuse 2 GiB and more).
_READ_CHUNK = 1 << 30


def read_regular_file(
    path: Path,
    *,
    follow_links: bool = False,
    skip_if: Callable[[os.stat_result], bool] | None = None,
    limit: int | None = None,
) -> tuple[os.stat_result, bytes | None]:
    """Read one of ipreader's own files without ever blocking: its ``fstat`` and its bytes.

    The file is opened with ``O_NONBLOCK`` (a FIFO never waits for a writer)
    and, unless ``follow_links``, ``O_NOFOLLOW``; anything but a regular file
    raises ``SpecialFileError`` before a byte is read. At most the size
    ``fstat`` reported is read, so a file someone keeps appending to is read
    as a snapshot. The bytes are ``None`` when ``skip_if(stat)`` is true (the
    caller already has this version). A file of more than ``limit`` bytes
    (``MAX_DATABASE_BYTES`` when ``None``) raises
    ``FileTooLargeError`` before a byte is read. A missing file raises
    ``FileNotFoundError``, other failures ``OSError``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        # O_NOFOLLOW on a link fails with ELOOP (EMLINK on some BSDs): name what it is.
        if not follow_links and error.errno in (errno.ELOOP, errno.EMLINK) and path.is_symlink():
            raise SpecialFileError(path, "a symbolic link") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SpecialFileError(path, file_kind(info.st_mode))
        if skip_if is not None and skip_if(info):
            return info, None
        largest = MAX_DATABASE_BYTES if limit is None else limit
        if info.st_size > largest:
            raise FileTooLargeError(path, info.st_size, largest)
        chunks: list[bytes] = []
        remaining = info.st_size
        while remaining > 0 and (chunk := os.read(fd, min(remaining, _READ_CHUNK))):
            chunks.append(chunk)
            remaining -= len(chunk)
        return info, b"".join(chunks)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Flush a directory entry change (the rename) to disk where the OS allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        # Some platforms and filesystems cannot open directories; the rename
        # itself is still atomic there, only its durability is weaker.
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably.

    Raises ``StoreWriteError`` (naming the file and the cause) on any ``OSError``;
    the previous file is then untouched and the temporary file removed.
    """
    try:
        temp = _write_temp(path, data)
        try:
            os.replace(temp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except OSError as error:
        reason = error.strerror or str(error)
        # Say only what is true: a file that did not exist has no previous version.
        kept = (
            "the previous version is unchanged" if os.path.lexists(path) else "nothing was written"
        )
        raise StoreWriteError(f"could not save {path}: {reason}; {kept}") from error
    _fsync_dir(path.parent)


#: Threads that fsync a batch's files at once (see ``atomic_write_many``).
BATCH_SYNC_THREADS = 8


def _write_temp(path: Path, data: bytes, *, sync: bool = True, tag: str | None = None) -> str:
    """Write ``data`` to a new temp file beside ``path``; return the temp's path.

    ``sync``: fsync it (``False`` only when the caller flushes the whole batch at once).
    ``tag`` ends the temp's name (default: random); ``O_EXCL`` refuses a name in use.
    """
    # Imported here: only writes need it, and it loads hmac too (~0.6 ms of the app's start).
    import secrets

    # Strings, not Paths: a batch writes 10,000 of them (an import).
    name = f"{TEMP_PREFIX}{path.name}-{secrets.token_hex(6) if tag is None else tag}"
    temp = os.path.join(os.path.dirname(path), name)
    # 0o666 lets the umask decide, like a normal file creation would.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


#: Batches of at least this many files are made durable by one file system flush where
#: ``batch_sync`` allows it. A smaller save keeps its own fsyncs: a flush also writes back
#: every other program's dirty pages, which costs more than a few fsyncs (the app's
#: saves write one or two files; an import or a re-anchoring writes one per document).
SYNCFS_MIN_FILES = 64


def atomic_write_many(
    files: Sequence[tuple[Path, bytes]], *, before_replace: Callable[[], None] | None = None
) -> None:
    """Replace each ``path`` with its ``data``, atomically per file and durably, as one batch.

    Every file is first written to a temp file beside it. The temp files are
    made durable before any is renamed: for a batch of ``SYNCFS_MIN_FILES`` or
    more on a file system ``batch_sync`` knows, by one ``syncfs`` after the
    last is written (one journal commit instead of one a file); otherwise each
    is fsynced as it is written, in threads (the fsyncs release the GIL, and
    concurrent ones share journal commits). Then each temp file is
    renamed over its target and each directory is fsynced once. A reader sees
    each file whole, old or new, and a renamed file's bytes are on disk before
    its new name is. When a temp file cannot be written or the flush reports an
    error, nothing is replaced; ``StoreWriteError`` names the file (or the
    batch) and the cause either way. A file no read would accept (over
    ``MAX_DATABASE_BYTES`` or ``MAX_DATABASE_OBJECTS``) is refused before
    anything is written.

    ``before_replace`` runs once every temp file is written and before any is
    flushed or renamed (an import writes its index there, with the sketches its
    workers took meanwhile); when it raises, the temp files are removed and
    nothing is replaced.
    """
    for path, data in files:
        # What decode_database would refuse to read back is never written.
        problem = (
            f"it would hold {len(data):,} bytes, over the {MAX_DATABASE_BYTES:,} "
            "a store file may hold"
            if len(data) > MAX_DATABASE_BYTES
            else too_many_objects(data)
        )
        if problem is not None:
            raise StoreWriteError(f"could not save {path}: {problem}; nothing was replaced")
    if len(files) <= 1:
        if before_replace is not None:
            before_replace()
        for path, data in files:
            atomic_write_bytes(path, data)
        return
    directories = list(dict.fromkeys(path.parent for path, _data in files))
    flush = _open_flush(directories) if len(files) >= SYNCFS_MIN_FILES else None
    try:
        _replace_all(files, flush, before_replace)
    finally:
        if flush is not None:
            flush.close()
    for directory in directories:
        _fsync_dir(directory)


def _open_flush(directories: Sequence[Path]) -> FileSystemSync | None:
    """The one file system of ``directories`` opened for a flush, or ``None`` (fsync each)."""
    # Deferred: ctypes, for big batches only.
    from ipreader.core.batch_sync import open_sync

    flush = open_sync(directories[0])
    if flush is not None and not flush.covers(directories):
        flush.close()
        return None
    return flush


def _replace_all(
    files: Sequence[tuple[Path, bytes]],
    flush: FileSystemSync | None,
    before_replace: Callable[[], None] | None,
) -> None:
    """Temp files written (and fsynced, or flushed at once by ``flush``), then renamed."""
    # Deferred: concurrent.futures (and logging) cost ~10 ms at startup, for batches only.
    from concurrent.futures import ThreadPoolExecutor

    temps: list[str | None] = [None] * len(files)
    # One random token for the batch and a number per file: the names stay unguessable
    # and distinct without a ``getrandom`` call per file (10,000 in an import).
    import secrets  # see _write_temp

    token = secrets.token_hex(6)
    errors: list[OSError | None] = [None] * len(files)
    # Unsynced temp files are written in this thread: creating files in one directory is
    # kernel work serialised on that directory, and threads only added GIL hand-overs
    # (10,000 files: 4.8-13.4 s in one thread, 6.9-14.1 s in 8, same runs; RESULTS.md).
    threads = 1 if flush is not None else min(BATCH_SYNC_THREADS, len(files))

    def prepare(first: int) -> None:
        # Every ``threads``-th file from ``first``: one task per thread, not one per file
        # (a future, a lock and a wait per file were a fifth of the batch's CPU with the
        # fsyncs stubbed). A failed file does not stop the thread: every temp file is
        # written or has failed before anything is renamed or cleaned up.
        for number in range(first, len(files), threads):
            path, data = files[number]
            try:
                temps[number] = _write_temp(
                    path, data, sync=flush is None, tag=f"{token}-{number:x}"
                )
            except OSError as error:
                errors[number] = error

    current = str(files[0][0])
    outcome = "nothing was replaced"
    try:
        if threads == 1:
            prepare(0)
        else:
            with ThreadPoolExecutor(threads) as pool:
                for task in [pool.submit(prepare, first) for first in range(threads)]:
                    task.result()
        for number, failed in enumerate(errors):
            if failed is not None:
                current = str(files[number][0])
                raise failed
        if before_replace is not None:
            try:
                before_replace()
            except BaseException:
                _remove(temps)  # its own error, as it raised it: nothing was replaced
                raise
        if flush is not None:
            # No file is renamed before every temp file is on disk: a crash from here on
            # leaves each target old or new, never a new name over bytes not yet written.
            current = f"{len(files):,} files in {files[0][0].parent}"
            flush.flush()
        for number, (path, _data) in enumerate(files):
            current = str(path)
            outcome = "it and the files after it are unchanged"
            temp = temps[number]
            assert temp is not None
            os.replace(temp, path)
            temps[number] = None
    except OSError as error:
        _remove(temps)
        reason = error.strerror or str(error)
        raise StoreWriteError(f"could not save {current}: {reason}; {outcome}") from error


def _remove(temps: list[str | None]) -> None:
    """Remove the temp files not renamed (best effort: a sweep removes any left)."""
    for number, temp in enumerate(temps):
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            temps[number] = None


#: Marker between the name of a file or directory already merged elsewhere and its timestamp.
MERGED_MARKER = ".merged-"


def quarantine(path: Path, marker: str = CORRUPT_MARKER) -> Path:
    """Move ``path`` aside to ``<name><marker><UTC timestamp>`` beside it; return the new path.

    The bytes are kept exactly (a rename, not a copy; a directory moves whole).
    Raises ``OSError`` if the move is impossible (e.g. a read-only directory).
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = path.with_name(f"{path.name}{marker}{stamp}")
    counter = 1
    while os.path.lexists(target):
        target = path.with_name(f"{path.name}{marker}{stamp}-{counter}")
        counter += 1
    os.replace(path, target)
    _fsync_dir(path.parent)
    return target


def too_many_objects(raw: bytes) -> str | None:
    """Why a store file's bytes hold too many records to be parsed (``None``: they do not).

    Counts ``{`` in C, before any parsing: the bound holds whatever the file.
    """
    count = raw.count(b"{")
    if count <= MAX_DATABASE_OBJECTS:
        return None
    return (
        f"it holds {count:,} '{{' characters, over the {MAX_DATABASE_OBJECTS:,} "
        "a store file may hold"
    )


def decode_database(path: Path, raw: bytes) -> Tables:
    """Parse the bytes of a TinyDB file.

    Raises ``CorruptDatabaseError`` unless ``raw`` is UTF-8 JSON of the shape
    ``{table: {record id: {field: value}}}``; an empty file is damage too
    (atomic writes never leave one).
    """
    if not raw:
        raise CorruptDatabaseError(path, "the file is empty (0 bytes)")
    problem = too_many_objects(raw)
    if problem is not None:
        raise CorruptDatabaseError(path, problem)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise CorruptDatabaseError(path, f"not UTF-8 text ({error.reason})") from None
    except (ValueError, RecursionError) as error:
        raise CorruptDatabaseError(path, f"not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise CorruptDatabaseError(path, f"expected a JSON object, found {type(data).__name__}")
    for table_name, table in data.items():
        if not isinstance(table, dict):
            raise CorruptDatabaseError(
                path, f"table {table_name!r} is a {type(table).__name__}, not an object"
            )
        for record_id, record in table.items():
            if not isinstance(record, dict):
                raise CorruptDatabaseError(
                    path,
                    f"record {record_id!r} of table {table_name!r} is a "
                    f"{type(record).__name__}, not an object",
                )
    return data


# A lone surrogate: what a file name that is not valid UTF-8 decodes to (surrogateescape).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def encode_database(data: dict[str, Any]) -> bytes:
    """Serialise a TinyDB state as compact UTF-8 JSON; lone surrogates become ``\\udcXX``.

    No indentation: with ``indent`` Python falls back to its pure-Python encoder,
    several times slower on the 100-annotation files a save rewrites.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Rare (a non-UTF-8 file name), so the common path pays nothing for it. In
        # json.dumps output a surrogate can only sit inside a string, where the escape
        # decodes back to the very same code point.
        return _LONE_SURROGATE.sub(_escape_surrogate, text).encode("utf-8")


def fsync_directory(directory: Path) -> None:
    """Flush a directory's entries (creations, renames, removals) to disk where the OS allows it."""
    _fsync_dir(directory)
