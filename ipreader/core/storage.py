"""Crash-safe file writes, quarantine, and the JSON encoding of TinyDB files.

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
import secrets
import stat
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ipreader.core.errors import StoreError, StoreWriteError

#: Prefix of the temporary files written next to a target (cleaned up on failure).
TEMP_PREFIX = ".tmp-"

#: Marker between a quarantined file's name and its UTC timestamp.
CORRUPT_MARKER = ".corrupt-"

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
) -> tuple[os.stat_result, bytes | None]:
    """Read one of ipreader's own files without ever blocking: its ``fstat`` and its bytes.

    The file is opened with ``O_NONBLOCK`` (a FIFO never waits for a writer)
    and, unless ``follow_links``, ``O_NOFOLLOW``; anything but a regular file
    raises ``SpecialFileError`` before a byte is read. At most the size
    ``fstat`` reported is read, so a file someone keeps appending to is read
    as a snapshot. The bytes are ``None`` when ``skip_if(stat)`` is true (the
    caller already has this version). A missing file raises
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


def _write_temp(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new fsynced temp file beside ``path``; return the temp's path."""
    temp = path.parent / f"{TEMP_PREFIX}{path.name}-{secrets.token_hex(6)}"
    # 0o666 lets the umask decide, like a normal file creation would.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def atomic_write_many(files: Sequence[tuple[Path, bytes]]) -> None:
    """Replace each ``path`` with its ``data``, atomically per file and durably, as one batch.

    Every file is written to a temp file and fsynced first, the fsyncs running
    in threads (they release the GIL, and concurrent fsyncs share one journal
    commit on ext4/xfs, so 2,000 files cost a fraction of 2,000 sequential
    fsyncs); then each temp file is renamed over its target and each directory
    is fsynced once. A reader sees each file whole, old or new. When a temp
    file cannot be written nothing is replaced; ``StoreWriteError`` names the
    file and the cause either way.
    """
    if len(files) <= 1:
        for path, data in files:
            atomic_write_bytes(path, data)
        return
    # Deferred: concurrent.futures (and logging) cost ~10 ms at startup, for batches only.
    from concurrent.futures import ThreadPoolExecutor

    temps: list[Path | None] = [None] * len(files)

    def prepare(number: int) -> None:
        path, data = files[number]
        temps[number] = _write_temp(path, data)

    current = files[0][0]
    outcome = "nothing was replaced"
    try:
        with ThreadPoolExecutor(min(BATCH_SYNC_THREADS, len(files))) as pool:
            for number, result in enumerate(pool.map(_capture(prepare), range(len(files)))):
                if result is not None:
                    current = files[number][0]
                    raise result
        for number, (path, _data) in enumerate(files):
            current = path
            outcome = "it and the files after it are unchanged"
            temp = temps[number]
            assert temp is not None
            os.replace(temp, path)
            temps[number] = None
    except OSError as error:
        for temp in temps:
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
        reason = error.strerror or str(error)
        raise StoreWriteError(f"could not save {current}: {reason}; {outcome}") from error
    for directory in dict.fromkeys(path.parent for path, _data in files):
        _fsync_dir(directory)


def _capture(function: Callable[[int], None]) -> Callable[[int], OSError | None]:
    """Wrap ``function`` so an ``OSError`` is returned (every task then runs to its end)."""

    def run(number: int) -> OSError | None:
        try:
            function(number)
        except OSError as error:
            return error
        return None

    return run


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


def decode_database(path: Path, raw: bytes) -> Tables:
    """Parse the bytes of a TinyDB file.

    Raises ``CorruptDatabaseError`` unless ``raw`` is UTF-8 JSON of the shape
    ``{table: {record id: {field: value}}}``; an empty file is damage too
    (atomic writes never leave one).
    """
    if not raw:
        raise CorruptDatabaseError(path, "the file is empty (0 bytes)")
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
