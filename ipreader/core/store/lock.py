"""The right to change one store location: its cross-process lock, or a refusal.

``FolderLock`` joins an exclusive ``flock`` on ``<location>/lock`` (other
processes: a second ipreader, the CLI) with a re-entrant lock for the threads
of this process. A store that must not be written (schema too new, nowhere
writable) *refuses* its lock: holding it then raises the reason, so no write
path can forget the check.

The ``flock`` is taken here with the standard library, not through
``filelock``: every save takes the lock once, and ``filelock`` (4.x) cost
~0.4 ms per acquire and release on this machine against ~0.04 ms for the
calls below, and ~30 ms of CPU to import at start-up. Both take the same
``flock`` on the same file, so they exclude each other (an older ipreader, the
tests' stand-in for a second process). Where ``flock`` is missing (no
``fcntl``, or a filesystem that refuses it) ``filelock`` is used after all:
its soft-lock fallback covers those.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ipreader.core.errors import StoreError, StoreWriteError

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]

# Waiting for another holder: poll this often (the holder's save takes a few ms).
_POLL_SECONDS = 0.01
# flock itself unavailable on this filesystem (some network and FUSE mounts).
_NO_FLOCK = {errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL}
# O_NONBLOCK: a file under a lease (NFS) fails at once rather than hanging the open.
_OPEN_FLAGS = (
    os.O_RDWR
    | os.O_CREAT
    | os.O_NONBLOCK
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class _Busy(Exception):
    """Another holder kept the lock past the timeout."""


class _FlockUnsupported(Exception):
    """``flock`` cannot be used on this lock file."""


def _take(path: str, timeout: float) -> int:
    """Open ``path`` and hold an exclusive ``flock`` on it; return the descriptor.

    Raises ``_Busy`` past ``timeout`` (0: one try), ``_FlockUnsupported``, or
    the ``OSError`` of opening the file (a link, a directory, no permission).
    """
    deadline = time.monotonic() + timeout
    while True:
        # 0o666 lets the umask decide, like a normal file creation would.
        fd = os.open(path, _OPEN_FLAGS, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise _Busy from None
            time.sleep(_POLL_SECONDS)
            continue
        except OSError as error:
            os.close(fd)
            if error.errno in _NO_FLOCK:
                raise _FlockUnsupported from error
            raise
        # The file may have been replaced between our open and our flock (the
        # lock set aside as odd, a sync tool): a lock on the old inode would
        # exclude nobody who opens the new one, so start again on the new one.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
        except OSError:
            same = False
        if same:
            return fd
        os.close(fd)


def _give_back(fd: int) -> None:
    """Release the ``flock`` taken on ``fd`` and close it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class FolderLock:
    """The folder's lock, held around every read-modify-write of its files."""

    def __init__(self, path: Path, *, timeout: float) -> None:
        """Lock ``path`` (the lock file), waiting ``timeout`` seconds for another holder."""
        self._path = str(path)
        self._timeout = timeout
        self._fd: int | None = None  # the held flock's descriptor, at depth >= 1
        self._fallback: Any = None  # a filelock.FileLock, where flock is missing
        self._mutex = threading.RLock()
        self._depth = 0  # nesting of hold() in the thread owning the mutex
        self._owner = 0  # that thread's id
        self._holds = 0  # outermost holds so far
        self.refusal: StoreError | None = None
        """Why writing is refused; None while it is allowed."""

    @property
    def writable(self) -> bool:
        """True unless writing was refused."""
        return self.refusal is None

    def refuse(self, reason: StoreError) -> None:
        """Refuse every later hold with ``reason``."""
        self.refusal = reason

    @property
    def hold_number(self) -> int | None:
        """Which outermost hold the calling thread is in; None when it does not hold the lock.

        Something read under one hold stays valid until that hold ends (no one
        else writes meanwhile); the number tells one hold from the next.
        """
        if self._depth > 0 and self._owner == threading.get_ident():
            return self._holds
        return None

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the lock (re-entrant); raise the refusal, or ``StoreError`` on a timeout."""
        if self.refusal is not None:
            raise self.refusal
        with self._mutex:
            if self._depth == 0:
                self._acquire(self._timeout)
                self._owner = threading.get_ident()
                self._holds += 1
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._owner = 0
                    self._release()

    @contextmanager
    def hold_if_free(self) -> Iterator[bool]:
        """Hold the cross-process lock if nobody does now; yield whether it is held.

        Held by this process (another thread, or an outer ``hold`` of this one)
        counts as not free, answered at once.
        """
        if not self._mutex.acquire(blocking=False):
            yield False
            return
        try:
            if self._depth > 0:
                yield False
                return
            try:
                self._acquire(0)
            except StoreError:
                yield False
                return
            try:
                yield True
            finally:
                self._release()
        finally:
            self._mutex.release()

    def _acquire(self, timeout: float) -> None:
        """Take the cross-process lock, waiting ``timeout`` s; ``StoreError`` says why not."""
        try:
            if self._fallback is None and fcntl is not None:
                try:
                    self._fd = _take(self._path, timeout)
                    return
                except _FlockUnsupported:
                    pass
            self._acquire_fallback(timeout)
        except _Busy:
            raise self._busy() from None
        except OSError as error:
            raise StoreWriteError(f"cannot lock {self._path}: {error.strerror or error}") from error

    def _acquire_fallback(self, timeout: float) -> None:
        """Take the lock through ``filelock`` (imported only where ``flock`` cannot serve)."""
        from filelock import FileLock, Timeout

        if self._fallback is None:
            self._fallback = FileLock(self._path)
        try:
            self._fallback.acquire(timeout=timeout)
        except Timeout:
            raise _Busy from None

    def _release(self) -> None:
        """Give back what ``_acquire`` took."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            _give_back(fd)
        elif self._fallback is not None:
            self._fallback.release()

    def _busy(self) -> StoreError:
        return StoreError(
            f"another ipreader is holding {self._path} for more than "
            f"{self._timeout:g} s; try again when it has finished"
        )
