"""Four processes write one folder at once: nothing lost, no duplicates, files always parse.

Each writer creates, edits and deletes its own annotations on documents all
writers share (so they contend for the same files) and registers the same new
documents at the same moments. Meanwhile the test process reads every file in
a loop. ``IPREADER_WRITER_OPS`` sets the operations per writer (the bench runs
500).
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.model import Annotation
from ipreader.core.storage import CorruptDatabaseError, decode_database
from ipreader.core.store import FolderStore

TEXT = "Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium. " * 8
SHARED = ("a.txt", "b.txt", "sub/c.txt")


@dataclass
class WriterStats:
    writers: int = 0
    operations: int = 0
    annotations: int = 0
    reads: int = 0
    seconds: float = 0.0


def _writer(root: Path, number: int, operations: int, result: Path) -> None:
    """Run in a forked child: mixed operations; the final expected state goes to ``result``."""
    rng = random.Random(number)
    store = FolderStore.open(root)
    mine: dict[str, tuple[str, str]] = {}
    for step in range(operations):
        roll = rng.random()
        if roll < 0.55 or not mine:
            # Every writer registers "new-<k>" at about the same step: a registration race.
            relpath = f"new-{step // 25}.txt" if roll < 0.1 else rng.choice(SHARED)
            start = rng.randrange(0, len(TEXT) - 10)
            note = Annotation.create(TEXT, start, start + 6, relpath, note=f"w{number}-{step}")
            store.save_annotation(note)
            mine[note.id] = (relpath, note.note)
        elif roll < 0.85:
            ident = rng.choice(sorted(mine))
            relpath, _ = mine[ident]
            (current,) = [a for a in store.annotations(relpath) if a.id == ident]
            store.save_annotation(current.edited(note=f"w{number}-{step}-edit"))
            mine[ident] = (relpath, f"w{number}-{step}-edit")
        else:
            ident = rng.choice(sorted(mine))
            store.delete_annotation(mine.pop(ident)[0], ident)
    result.write_text(json.dumps(mine))


def _read_everything(location: Path) -> None:
    for path in list(location.rglob("*.json")):
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            continue
        decode_database(path, raw, empty_is_corrupt=True)


def run_writers(root: Path, writers: int, operations: int) -> WriterStats:
    """Fork ``writers`` processes doing ``operations`` each on ``root``; assert the outcome."""
    import time

    for relpath in SHARED:
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(TEXT)
    location = FolderStore.open(root).location
    started = time.perf_counter()
    pids = []
    results = [root.parent / f"writer-{n}.json" for n in range(writers)]
    for number in range(writers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                _writer(root, number, operations, results[number])
                code = 0
            finally:
                os._exit(code)
        pids.append(pid)
    stats = WriterStats(writers=writers, operations=writers * operations)
    running = set(pids)
    while running:
        try:
            _read_everything(location)
        except CorruptDatabaseError as error:  # pragma: no cover - the failure being tested
            raise AssertionError(f"a reader saw a damaged file: {error}") from None
        stats.reads += 1
        for pid in list(running):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                assert os.waitstatus_to_exitcode(status) == 0, "a writer failed"
                running.discard(pid)
    stats.seconds = time.perf_counter() - started

    expected: dict[str, tuple[str, str]] = {}
    for result in results:
        for ident, (relpath, note) in json.loads(result.read_text()).items():
            assert ident not in expected
            expected[ident] = (relpath, note)
    store = FolderStore.open(root)
    assert store.notices == []
    found: dict[str, tuple[str, str]] = {}
    for relpath, notes in store.all_annotations().items():
        for note in notes:
            assert note.id not in found, f"duplicate id {note.id}"
            found[note.id] = (relpath, note.note)
    missing = expected.keys() - found.keys()
    extra = found.keys() - expected.keys()
    assert not missing, f"{len(missing)} writes lost"
    assert not extra, f"{len(extra)} deleted annotations came back"
    assert found == expected, "an edit was lost"
    relpaths = [record.relpath for record in store._index().documents]
    assert len(relpaths) == len(set(relpaths)), "a document was registered twice"
    _read_everything(location)
    stats.annotations = len(found)
    return stats


@pytest.mark.slow
def test_four_writers_lose_nothing(tmp_path: Path, monkeypatch: Any) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("needs os.fork")
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))
    operations = int(os.environ.get("IPREADER_WRITER_OPS", "80"))
    root = tmp_path / "folder"
    root.mkdir()
    stats = run_writers(root, 4, operations)
    assert stats.annotations > 0 and stats.reads > 0
