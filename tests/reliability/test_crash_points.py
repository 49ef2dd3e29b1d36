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

import random
from collections import Counter
from pathlib import Path

import pytest
from kill_points import CHANGING_CALLS, Countdown, Stopped

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

#: The calls a round is stopped before, in turn (``rename`` only moves damaged files
#: aside, which these writes never meet).
STOPPED_AT = tuple(call for call in CHANGING_CALLS if call != "rename")

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


@pytest.mark.slow
def test_a_writer_stopped_before_any_file_call_loses_no_acknowledged_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    split_small(monkeypatch)
    flush_every_batch(tmp_path, monkeypatch)
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))
    countdown = Countdown()
    countdown.install(monkeypatch, CHANGING_CALLS)
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
        countdown.arm(kind, rng.randrange(MOST_OF_A_KIND.get(kind, MOST_OTHERWISE)), MOST_CALLS)
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
