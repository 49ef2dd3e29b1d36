"""Stop a writer just before any call that changes the file system: nothing is lost.

``test_kill.py`` SIGKILLs forked writers after a random delay, so its kills
land where the writer spends its time (mostly flushing). Here the same writes
(``write_forever``) run in this process and stop before a call that changes
the file system -- ``open``, ``write``, ``fsync``, ``replace``, ``unlink``,
``mkdir``, ``utime`` -- each round the Nth call of one of them in turn, N
drawn afresh, so every kind of point is met in every run: between two renames
of a re-shard's batch, between its renames and its removals of the old
generation, inside a store's opening. The call and everything after it never
run; what is left on disk is what a kill there leaves (the lock is released,
as the kernel releases a killed process's), and the folder is checked as
``test_kill.py`` checks it after a kill.
"""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.store import FolderStore

from .test_kill import (
    DOCS,
    TEXT,
    KillStats,
    State,
    check_round,
    flush_every_batch,
    split_small,
    write_forever,
)
from .writers import write_documents

#: The ``os`` calls that change the file system (the store's only ways to change it);
#: ``rename`` only moves damaged files aside, which these writes never meet.
CALLS = ("open", "write", "fsync", "replace", "unlink", "mkdir", "utime", "rename")

#: The calls a round is stopped before, in turn.
STOPPED_AT = CALLS[:-1]

#: Rounds of the test (each a store opened, written until stopped, and checked).
ROUNDS = 84

#: A round stops before one of the first this many calls of its kind: a round of a few
#: saves makes tens of opens, writes and renames (a re-shard, hundreds), but removes files
#: (an old generation, the writability probe), makes directories and touches
#: ``annotations/`` a few times.
MOST_OF_A_KIND = {"unlink": 6, "mkdir": 2, "utime": 4}
MOST_OTHERWISE = 60

#: ... or before its call this many calls in, of any kind (a kind it may never make).
MOST_CALLS = 600


class Stopped(BaseException):
    """Raised in place of the call a writer is stopped before (as a kill: nothing catches it)."""


class Countdown:
    """Counts the main thread's file system calls; raises ``Stopped`` in place of one."""

    def __init__(self) -> None:
        self._kind = ""
        self._of_kind: int | None = None  # calls of that kind still allowed (None: any)
        self._any = 0  # calls of any kind still allowed

    def arm(self, kind: str, of_kind: int) -> None:
        """Stop before call number ``of_kind`` (0: the first) of ``kind``, or call
        ``MOST_CALLS`` of any kind."""
        self._kind, self._of_kind, self._any = kind, of_kind, MOST_CALLS

    def disarm(self) -> None:
        """Let every call through."""
        self._of_kind = None

    def wrap(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        """``call``, counted (its name given to ``Stopped``)."""

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


@pytest.mark.slow
def test_a_writer_stopped_before_any_file_call_loses_no_acknowledged_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    split_small(monkeypatch)
    flush_every_batch(tmp_path, monkeypatch)
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))
    countdown = Countdown()
    for name in CALLS:
        monkeypatch.setattr(os, name, countdown.wrap(name, getattr(os, name)))
    root = tmp_path / "folder"
    root.mkdir()
    write_documents(root, DOCS, TEXT)
    rng = random.Random(ROUNDS)
    stats = KillStats()
    state: State = {}
    stopped_before: Counter[str] = Counter()
    for round_ in range(ROUNDS):
        entries: list[list[str]] = []
        kind = STOPPED_AT[round_ % len(STOPPED_AT)]
        countdown.arm(kind, rng.randrange(MOST_OF_A_KIND.get(kind, MOST_OTHERWISE)))
        try:
            write_forever(FolderStore.open(root), state, rng.randrange(2**32), entries.append)
        except Stopped as stop:
            stopped_before[stop.args[0]] += 1
        finally:
            countdown.disarm()
        state = check_round(root, round_, state, entries, stats)
    assert stats.rounds == ROUNDS and stats.acked > ROUNDS
    # The stops met the batches' renames, the old generations' removals, the writes.
    assert min(stopped_before[kind] for kind in ("replace", "unlink", "write")) >= 3, stopped_before
    split = [p for p in (root / ".ipreader" / "annotations").iterdir() if p.is_dir()]
    assert split, "no document was split: the stops never met bucket files"
