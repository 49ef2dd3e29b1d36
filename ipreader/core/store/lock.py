"""The right to change one store location: its cross-process lock, or a refusal.

``FolderLock`` joins a ``filelock`` on ``<location>/lock`` (other processes: a
second ipreader, the CLI) with a re-entrant lock for the threads of this
process. A store that must not be written (schema too new, nowhere writable)
*refuses* its lock: holding it then raises the reason, so no write path can
forget the check.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ipreader.core.errors import StoreError, StoreWriteError


class FolderLock:
    """The folder's lock, held around every read-modify-write of its files."""

    def __init__(self, path: Path, *, timeout: float) -> None:
        """Lock ``path`` (the lock file), waiting ``timeout`` seconds for another holder."""
        self._file = FileLock(str(path), timeout=timeout)
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
            try:
                self._file.acquire()
            except Timeout:
                raise StoreError(
                    f"another ipreader is holding {self._file.lock_file} for more than "
                    f"{self._file.timeout:g} s; try again when it has finished"
                ) from None
            except OSError as error:
                raise StoreWriteError(
                    f"cannot lock {self._file.lock_file}: {error.strerror or error}"
                ) from error
            self._depth += 1
            if self._depth == 1:
                self._owner = threading.get_ident()
                self._holds += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._owner = 0
                self._file.release()

    @contextmanager
    def hold_if_free(self) -> Iterator[bool]:
        """Hold the cross-process lock if nobody does now; yield whether it is held."""
        try:
            self._file.acquire(timeout=0)
        except (Timeout, OSError):
            yield False
            return
        try:
            yield True
        finally:
            self._file.release()
