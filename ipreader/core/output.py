"""Writing an export or a report to the path a user named (``-o FILE``).

What the path is decides how it is written; a special file is never replaced:

* one of this process's own output streams (``-o /dev/stdout`` while stdout is
  redirected to a file, a pipe or a socket): the bytes go to that stream;
* a FIFO or a character device (a named pipe, ``/dev/null``, a terminal): the
  bytes are written into it, as a shell redirection would;
* a symbolic link: followed, and its target replaced atomically (the link
  stays a link);
* a regular file, or nothing yet: replaced or created atomically
  (``storage.atomic_write_bytes``);
* anything else (a directory, a block device, a socket): refused with a
  message, nothing written.

Nothing is ever written inside a store's folder (``.ipreader``, links
followed): an export over ``index.json`` or an annotation file would be set
aside as damaged by the next open, and the highlights in it with it.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

from ipreader.core.errors import StoreWriteError
from ipreader.core.paths import STORE_DIRNAME
from ipreader.core.storage import atomic_write_bytes, file_kind


def write_output(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` as described above; return where it went.

    The result is the link's target when ``path`` is a symbolic link, else
    ``path``. Raises ``StoreWriteError`` naming the path and the cause.
    """
    if "\0" in str(path):
        raise StoreWriteError(f"cannot write to {path!r}: a file name cannot hold a NUL")
    if STORE_DIRNAME in Path(os.path.realpath(path)).parent.parts:
        raise StoreWriteError(
            f"cannot write to {path}: it is inside a store folder ({STORE_DIRNAME}), where "
            f"ipreader keeps the highlights; choose a file outside it"
        )
    try:
        info: os.stat_result | None = os.stat(path)  # follows links
    except FileNotFoundError:
        info = None  # a new file, or a link to one
    except OSError as error:
        raise StoreWriteError(f"cannot write to {path}: {error.strerror or error}") from error
    if info is not None:
        stream = _own_stream(info)
        if stream is not None:
            _write_fd(path, stream, data)
            return path
        if stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode):
            _write_into(path, data)
            return path
        if not stat.S_ISREG(info.st_mode):
            raise StoreWriteError(
                f"cannot write to {path}: it is {file_kind(info.st_mode)}; ipreader writes "
                f"regular files (replaced atomically), FIFOs and character devices"
            )
    # A link (to a file, or dangling): its target is replaced, never the link itself.
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    atomic_write_bytes(target, data)
    return target


def _own_stream(info: os.stat_result) -> int | None:
    """The descriptor of this process's stdout or stderr when ``info`` is that very file."""
    for stream in (sys.stdout, sys.stderr):
        try:
            fd = stream.fileno()
            mine = os.fstat(fd)
        except (AttributeError, OSError, ValueError):
            continue  # replaced by a non-file object (tests), or closed
        if (mine.st_dev, mine.st_ino) == (info.st_dev, info.st_ino):
            stream.flush()
            return fd
    return None


def _write_into(path: Path, data: bytes) -> None:
    """Open an existing FIFO or character device for writing (never creating) and write.

    Opened without waiting: a FIFO nobody reads would block the open for ever (the
    app's export never ending, the app unable to quit); it is refused at once
    instead. Once open, the writes wait for the reader as a shell's would.
    """
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ENXIO:  # a FIFO with no reader
            raise StoreWriteError(
                f"cannot write to {path}: it is a named pipe no program is reading"
            ) from error
        raise StoreWriteError(f"cannot write to {path}: {error.strerror or error}") from error
    try:
        os.set_blocking(fd, True)
        _write_fd(path, fd, data)
    finally:
        os.close(fd)


def _write_fd(path: Path, fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` (``StoreWriteError`` naming ``path`` on failure)."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError as error:
        raise StoreWriteError(
            f"could not write all of the output to {path}: {error.strerror or error}"
        ) from error
