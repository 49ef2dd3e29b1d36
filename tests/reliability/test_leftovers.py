"""Temp files of a dead writer are removed at the next start; a live writer is never disturbed.

The review found a killed import left up to ~1,700 full-size temp files,
cleaned only after 10 minutes. Store files are only written under the
folder's lock, so once it is free their temp files belong to no one and go at
the next start, whatever their age; temp files written without the lock (the
writability probe, the metadata cache) keep the age rule.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.store import FolderStore

from .writers import StartGate, fork_writer

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog.\n"
DOCUMENTS = 40


def temp_files(location: Path) -> list[Path]:
    return sorted(location.rglob(".tmp-*"))


def killed_during_a_batch(root: Path) -> None:
    """In a child: write one highlight per document in one batch, dying at the first rename."""

    def die(*_args: object, **_kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    os.replace = die  # every temp file is written and fsynced before the first rename
    store = FolderStore.open(root)
    store.save_annotations(
        Annotation.create(TEXT, 6, 11, f"doc{number}.txt") for number in range(DOCUMENTS)
    )


def test_temp_files_of_a_killed_batch_go_at_the_next_start(tmp_path: Path) -> None:
    root = tmp_path / "folder"
    root.mkdir()
    for number in range(DOCUMENTS):
        (root / f"doc{number}.txt").write_text(TEXT)
    store = FolderStore.open(root)
    store.save_annotation(Annotation.create(TEXT, 0, 5, "doc0.txt"))
    # Registered beforehand, so the killed save is one batch of annotation files.
    store.set_documents_notes(
        {f"doc{number}.txt": DocumentNotes(("t",)) for number in range(DOCUMENTS)}
    )
    pid = fork_writer(killed_during_a_batch, root)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    location = root / ".ipreader"
    left = temp_files(location)
    assert len(left) >= DOCUMENTS  # full-size leftovers, seconds old

    store = FolderStore.open(root)

    assert temp_files(location) == []
    assert [a.start for a in store.annotations("doc0.txt")] == [0]  # the batch replaced nothing


def test_a_writer_holding_the_lock_keeps_its_temp_files(tmp_path: Path) -> None:
    root = tmp_path / "folder"
    root.mkdir()
    location = FolderStore.open(root).location
    busy = location / "annotations" / ".tmp-00000000-0000-4000-8000-000000000000.json-live"
    gate = StartGate()

    def hold_and_write() -> None:
        store = FolderStore.open(root)
        with store._lock.hold():  # what a save does while it writes its temp files
            busy.write_bytes(b"being written")
            gate.wait()  # until the parent has looked

    pid = fork_writer(hold_and_write)
    deadline = time.monotonic() + 30
    while not busy.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    FolderStore.open(root)  # the lock is held: nothing is swept
    assert busy.read_bytes() == b"being written"
    gate.open()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def test_temp_files_written_without_the_lock_keep_the_age_rule(tmp_path: Path) -> None:
    root = tmp_path / "folder"
    root.mkdir()
    location = FolderStore.open(root).location
    fresh_cache = location / ".tmp-cache.json-fresh"
    fresh_probe = location / "annotations" / ".tmp-probe-fresh"
    old_cache = location / ".tmp-cache.json-old"
    for path in (fresh_cache, fresh_probe, old_cache):
        path.write_bytes(b"x")
    os.utime(old_cache, (0, 0))
    FolderStore.open(root)
    assert fresh_cache.exists() and fresh_probe.exists()  # another process may be writing them
    assert not old_cache.exists()
