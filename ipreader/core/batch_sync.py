"""One flush for a batch of new files: ``syncfs(2)``, only where it promises what fsyncs do.

An fsync of a new file waits for a journal commit of its own; an import of
10,000 documents wrote 10,000 temp files and paid 10,000 such waits (8 threads
sharing some of them). ``syncfs`` writes back every dirty page of one file
system and commits its journal once. ``storage.atomic_write_many`` uses it for
big batches, and only when all of this holds (``open_sync`` answers ``None``
otherwise, and the caller fsyncs each file as before):

* Linux 5.8 or later: since 5.8 ``syncfs`` reports a writeback error of any
  file of the file system since the descriptor was opened (the descriptor is
  opened before the first temp file is written, so the batch's own errors are
  among them); before 5.8 it returned 0 even when data was lost;
* a local file system whose ``syncfs`` is a full flush with that error
  reporting: ext2/3/4, XFS, Btrfs, F2FS (and tmpfs, which has nothing to
  flush). NFS, FUSE, overlayfs and the rest keep per-file fsyncs: there
  ``syncfs`` may not reach the server, the daemon or the lower layer;
* every directory of the batch is on that same file system.

An error from ``syncfs`` may be another program's (any file of the file
system): the batch is then refused as if its own write had failed, which
costs a retry, never data.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Iterable
from pathlib import Path

#: ``f_type`` of the file systems whose ``syncfs`` flushes everything and reports errors.
_FULL_FLUSH = {
    0xEF53: "ext2/3/4",
    0x58465342: "xfs",
    0x9123683E: "btrfs",
    0xF2F52010: "f2fs",
    0x01021994: "tmpfs",
}

#: ``struct statfs`` is 120 bytes on 64-bit Linux, 64 on 32-bit; room to spare.
_STATFS_BYTES = 512


def _kernel_reports_errors() -> bool:
    """True on Linux 5.8 or later (``syncfs`` returns writeback errors since then)."""
    if not sys.platform.startswith("linux"):
        return False
    numbers = os.uname().release.split("-")[0].split(".")
    try:
        version = (int(numbers[0]), int(numbers[1]))
    except (IndexError, ValueError):
        return False
    return version >= (5, 8)


def _libc() -> ctypes.CDLL | None:
    """The C library with ``syncfs`` and ``fstatfs``, or ``None``."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syncfs.argtypes = [ctypes.c_int]
        libc.fstatfs.argtypes = [ctypes.c_int, ctypes.c_void_p]
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc() if _kernel_reports_errors() else None


def _file_system_type(fd: int) -> int | None:
    """The ``f_type`` of the file system holding ``fd`` (``None`` when unknown)."""
    if _LIBC is None:
        return None
    buffer = ctypes.create_string_buffer(_STATFS_BYTES)
    if _LIBC.fstatfs(fd, buffer) != 0:
        return None
    # f_type is the struct's first field, a C long on the platforms that matter; where it
    # is narrower (s390x) the value read matches nothing below, and fsyncs are kept.
    return ctypes.c_long.from_buffer(buffer).value & 0xFFFFFFFF


def syncfs(fd: int) -> None:
    """Flush the file system holding ``fd``; ``OSError`` for any writeback error since it opened."""
    assert _LIBC is not None  # only called on a FileSystemSync, which needs it
    if _LIBC.syncfs(fd) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


class FileSystemSync:
    """One local file system, opened before a batch is written, flushed once after."""

    def __init__(self, fd: int, device: int) -> None:
        self._fd = fd
        self._device = device

    def covers(self, directories: Iterable[Path]) -> bool:
        """True when every directory is on this file system (one flush makes all durable)."""
        try:
            return all(os.stat(directory).st_dev == self._device for directory in directories)
        except OSError:
            return False

    def flush(self) -> None:
        """Make every file written since the opening durable (``OSError`` when one failed)."""
        syncfs(self._fd)

    def close(self) -> None:
        """Close the descriptor."""
        os.close(self._fd)


def open_sync(directory: Path) -> FileSystemSync | None:
    """The file system of ``directory`` opened for one ``syncfs``; ``None`` where it may not
    stand for per-file fsyncs (module docstring): the caller then fsyncs each file."""
    if _LIBC is None:
        return None
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        if _file_system_type(fd) in _FULL_FLUSH:
            return FileSystemSync(fd, os.fstat(fd).st_dev)
    except OSError:
        pass
    os.close(fd)
    return None
