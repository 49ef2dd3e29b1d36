"""SIGKILL a writer at random moments: the database always opens, acknowledged writes survive.

A forked writer process creates, edits and deletes annotations, printing a
``begin`` line before each save and an ``ack`` line after it returns. The test
kills it with SIGKILL after a random delay, then opens the folder afresh and
checks that it matches every acknowledged write, with at most the one
in-flight operation applied or not. ``IPREADER_KILL_ROUNDS`` raises the count
(``bench/stress_store.py`` runs 1,000).
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ipreader.core import batch_sync, storage
from ipreader.core.model import Annotation
from ipreader.core.storage import decode_database
from ipreader.core.store import FolderStore, buckets, catalog

from .writers import (
    Notes,
    fork_writer,
    holders,
    stored_notes,
    uncached_notes,
    write_documents,
)

TEXT = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. " * 8
DOCS = ("a.txt", "b.txt", "sub/c.txt", "d.md")

#: A model of the folder: annotation id -> (document, note).
State = Notes

#: Told each write's begin and acknowledgement (``write_forever``).
Announce = Callable[[list[str]], object]


@dataclass
class KillStats:
    rounds: int = 0
    acked: int = 0
    in_flight_applied: int = 0
    in_flight_missing: int = 0
    temp_files_seen: int = 0


def write_forever(store: FolderStore, state: State, seed: int, announce: Announce) -> None:
    """Create, edit and delete annotations in ``store`` until stopped (killed, or a crash
    raised by a patched call); ``announce(["begin" | "ack", op, id, document, note])``
    before each save and after it returns."""
    rng = random.Random(seed)
    state = dict(state)
    while True:
        roll = rng.random()
        if roll < 0.5 or not state:
            relpath = rng.choice(DOCS)
            start = rng.randrange(0, len(TEXT) - 10)
            note = Annotation.create(TEXT, start, start + 8, relpath, note=f"n{rng.random()}")
            announce(["begin", "put", note.id, relpath, note.note])
            store.save_annotation(note)
            state[note.id] = (relpath, note.note)
            announce(["ack", "put", note.id, relpath, note.note])
        elif roll < 0.8:
            ident = rng.choice(sorted(state))
            relpath, _ = state[ident]
            (current,) = [a for a in store.annotations(relpath) if a.id == ident]
            edited = current.edited(note=f"e{rng.random()}")
            announce(["begin", "put", ident, relpath, edited.note])
            store.save_annotation(edited)
            state[ident] = (relpath, edited.note)
            announce(["ack", "put", ident, relpath, edited.note])
        else:
            ident = rng.choice(sorted(state))
            relpath, _ = state[ident]
            announce(["begin", "delete", ident, relpath, ""])
            store.delete_annotation(relpath, ident)
            del state[ident]
            announce(["ack", "delete", ident, relpath, ""])


def _writer(root: Path, state: State, seed: int, unused: int, out: int) -> None:
    """Run in the forked child: mutate the folder forever, announcing each save on ``out``."""
    os.close(unused)  # the parent's read end of the pipe
    store = FolderStore.open(root)
    with os.fdopen(out, "w", buffering=1) as pipe:
        pipe.write("ready\n")
        write_forever(store, state, seed, lambda entry: pipe.write(json.dumps(entry) + "\n"))


def warm_up(scratch: Path) -> None:
    """Save and read a few highlights in ``scratch`` (a folder of its own), so that what a
    write loads (TinyDB, the batch writer) is loaded before the writers are forked.

    Run alone, a forked writer spent the first 20-40 ms of its life importing, where the
    kills land most; after the rest of the test session (as in CI) it writes at once,
    ~15 saves a round instead of ~5. Both now see the same writer.
    """
    scratch.mkdir()
    write_documents(scratch, DOCS, TEXT)
    store = FolderStore.open(scratch)
    for start in range(0, 80, 8):
        store.save_annotation(Annotation.create(TEXT, start, start + 8, DOCS[start % 3]))
    store.delete_annotation(DOCS[0], store.annotations(DOCS[0])[0].id)
    stored_notes(scratch)


def _apply(state: State, entry: list[str]) -> State:
    _, op, ident, relpath, note = entry
    result = dict(state)
    if op == "put":
        result[ident] = (relpath, note)
    else:
        result.pop(ident, None)
    return result


def check_files_parse(location: Path) -> int:
    """Assert every database file decodes; return the number of stray temp files."""
    temps = 0
    for path in location.rglob("*"):
        if path.name.startswith(".tmp-"):
            temps += 1
        elif path.suffix == ".json":
            decode_database(path, path.read_bytes())
        assert ".corrupt-" not in path.name, f"a file was set aside: {path}"
    return temps


def check_round(
    root: Path, round_: int, state: State, entries: list[list[str]], stats: KillStats
) -> State:
    """Check the folder after round ``round_`` began at ``state`` and its writer announced
    ``entries``: every acknowledged write there, the one in flight applied or not; return
    what the folder holds (the next round's start). Counted in ``stats``."""
    expected = state
    in_flight: list[str] | None = None
    for entry in entries:
        if entry[0] == "ack":
            expected = _apply(expected, entry)
            stats.acked += 1
            in_flight = None
        else:
            in_flight = entry
    stats.temp_files_seen += check_files_parse(root / ".ipreader")
    store, found = stored_notes(root)
    assert store.notices.all() == [], f"round {round_}: {store.notices.all()}"
    if found == expected:
        stats.in_flight_missing += in_flight is not None
    else:
        if in_flight is None or found != _apply(expected, in_flight):
            # Say whether the files or the user's read cache disagree with the writes.
            scratch = root.parent / f"uncached-{round_}"
            files_hold = uncached_notes(root, scratch) == found
            source = "the files hold it" if files_hold else "a cached parse, not the files"
            model = _apply(expected, in_flight) if in_flight is not None else expected
            odd = set(found.items()) ^ set(model.items())
            keys = {key for key, _ in odd}
            ops = [entry for entry in entries if entry[2] in keys]
            source += f"; this round's writes of them {ops}; in flight {in_flight}"
            source += f"; where: {holders(root, keys)}"
            assert in_flight is not None, f"round {round_}: acknowledged writes differ ({source})"
            assert found == _apply(expected, in_flight), (
                f"round {round_}: lost or extra writes ({source})"
            )
        stats.in_flight_applied += 1
    stats.rounds += 1
    return found


def kill_rounds(root: Path, rounds: int, seed: int = 0, max_delay: float = 0.05) -> KillStats:
    """Run ``rounds`` write-and-SIGKILL rounds on ``root``; assert after each one."""
    write_documents(root, DOCS, TEXT)
    warm_up(root.parent / f"{root.name}-warm-up")
    rng = random.Random(seed)
    stats = KillStats()
    state: State = {}
    for round_ in range(rounds):
        read_end, write_end = os.pipe()

        pid = fork_writer(_writer, root, state, rng.randrange(2**32), read_end, write_end)
        os.close(write_end)
        with os.fdopen(read_end) as lines:
            assert lines.readline() == "ready\n"
            # Let it run for a random moment before killing it mid-flight.
            time.sleep(rng.uniform(0, max_delay))
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            entries = [json.loads(line) for line in lines if line.endswith("\n")]
        # The writer loops until killed: ending any other way means it failed (a lost
        # edit, a store error), which must not pass as a round with nothing in flight.
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
            f"round {round_}: the writer ended before the kill "
            f"(exit {os.waitstatus_to_exitcode(status)}; traceback on stderr)"
        )
        state = check_round(root, round_, state, entries, stats)
    return stats


def killed_writers(tmp_path: Path, monkeypatch: Any, seed: int) -> tuple[Path, KillStats]:
    """``kill_rounds`` on a new folder (whatever the caller patched is inherited by the
    forks); the kills must really land mid-work: after some saves, and often inside one."""
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))
    if not hasattr(os, "fork"):
        pytest.skip("needs os.fork")
    rounds = int(os.environ.get("IPREADER_KILL_ROUNDS", "120"))
    root = tmp_path / "folder"
    root.mkdir()
    stats = kill_rounds(root, rounds, seed=rounds + seed)
    assert stats.rounds == rounds and stats.acked > 0
    assert stats.in_flight_applied + stats.in_flight_missing >= rounds // 4
    return root, stats


def split_small(monkeypatch: Any, most: int = 4) -> None:
    """Split documents at ``most`` records a bucket (forked writers inherit it): every few
    saves a document is split or re-sharded, so kills land inside those too."""
    monkeypatch.setattr(catalog, "BUCKET_MAX", most)
    monkeypatch.setattr(buckets, "BUCKET_TARGET", max(1, most // 2))


def flush_every_batch(directory: Path, monkeypatch: Any) -> None:
    """Make every batch of two or more files durable by one file system flush; skip where
    ``directory``'s file system has none (the batches would fsync each file: nothing new
    would be tested)."""
    flush = batch_sync.open_sync(directory)
    if flush is None:
        pytest.skip("no syncfs that reports errors here (per-file fsyncs are used)")
    flush.close()
    monkeypatch.setattr(storage, "SYNCFS_MIN_FILES", 2)


@pytest.mark.slow
def test_sigkill_never_loses_acknowledged_writes(tmp_path: Path, monkeypatch: Any) -> None:
    killed_writers(tmp_path, monkeypatch, seed=0)


@pytest.mark.slow
def test_sigkill_in_split_documents_never_loses_acknowledged_writes(
    tmp_path: Path, monkeypatch: Any
) -> None:
    split_small(monkeypatch)
    root, _stats = killed_writers(tmp_path, monkeypatch, seed=1)
    split = [p for p in (root / ".ipreader" / "annotations").iterdir() if p.is_dir()]
    assert split, "no document was split: the kills never met bucket files"


@pytest.mark.slow
def test_sigkill_with_every_batch_flushed_once_never_loses_acknowledged_writes(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Split documents, and every batch of two or more files (each split and re-shard) made
    durable by one file system flush instead of an fsync a file (forked writers inherit it)."""
    split_small(monkeypatch)
    flush_every_batch(tmp_path, monkeypatch)
    killed_writers(tmp_path, monkeypatch, seed=2)
