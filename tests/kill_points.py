"""A writer stopped before a chosen file system call, as a kill there would leave it.

``Countdown.install`` wraps ``os`` calls that change the file system; once
armed, the chosen call raises ``Stopped`` (a ``BaseException``: nothing in the
store catches it) instead of running, so what is on disk is what a SIGKILL
just before it leaves. Used by the crash-point test and the re-shard tests.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest

#: The ``os`` calls that change the file system (the store's only ways to change it).
CHANGING_CALLS = ("open", "write", "fsync", "replace", "unlink", "mkdir", "utime", "rename")


class Stopped(BaseException):
    """Raised in place of the call a writer is stopped before (its name the argument)."""


class Countdown:
    """Counts the main thread's calls of the wrapped functions; raises ``Stopped`` in place
    of one."""

    def __init__(self) -> None:
        self._kind = ""
        self._of_kind: int | None = None  # calls of that kind still allowed (None: any)
        self._any = 0  # calls of any kind still allowed

    def install(self, monkeypatch: pytest.MonkeyPatch, names: Iterable[str]) -> None:
        """Wrap ``os.<name>`` for each of ``names`` (for the test's lifetime)."""
        for name in names:
            monkeypatch.setattr(os, name, self._wrap(name, getattr(os, name)))

    def arm(self, kind: str, of_kind: int, most_calls: int | None = None) -> None:
        """Stop before call number ``of_kind`` (0: the first) of ``kind``, or before call
        number ``most_calls`` of any kind (a kind the writer may never make)."""
        self._kind, self._of_kind = kind, of_kind
        self._any = (1 << 62) if most_calls is None else most_calls

    def disarm(self) -> None:
        """Let every call through."""
        self._of_kind = None

    def _wrap(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            if self._of_kind is not None and threading.current_thread() is threading.main_thread():
                self._any -= 1
                if name == self._kind:
                    self._of_kind -= 1
                if self._of_kind < 0 or self._any < 0:
                    self._of_kind = None
                    raise Stopped(name)
            return call(*args, **kwargs)

        return counted
