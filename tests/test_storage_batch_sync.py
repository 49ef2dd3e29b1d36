"""A big batch of atomic writes is made durable by one file system flush, where that is safe.

``storage.atomic_write_many`` writes ``SYNCFS_MIN_FILES`` or more temp files
unsynced and flushes them with one ``syncfs`` before renaming any (issue 14:
an import of 10,000 documents paid 10,000 fsyncs). These tests hold it to the
promises of the per-file fsyncs it replaces: every file replaced whole, a
failed flush replaces nothing, small saves and batches that span file systems
keep their fsyncs.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from ipreader.core import batch_sync
from ipreader.core.errors import StoreWriteError
from ipreader.core.storage import SYNCFS_MIN_FILES, atomic_write_many


class Counted:
    """``os.fsync`` (or ``batch_sync.syncfs``) that counts its calls and may fail."""

    def __init__(self, real: Any, code: int | None = None) -> None:
        self.real, self.code, self.calls = real, code, 0

    def __call__(self, fd: int) -> None:
        self.calls += 1
        if self.code is not None:
            raise OSError(self.code, os.strerror(self.code))
        self.real(fd)


def _batch(folder: Path, count: int, version: bytes) -> list[tuple[Path, bytes]]:
    return [(folder / f"doc{n:03d}.json", b"%s %d" % (version, n)) for n in range(count)]


def _needs_syncfs(folder: Path) -> None:
    flush = batch_sync.open_sync(folder)
    if flush is None:
        pytest.skip("no syncfs that reports errors on this system (per-file fsyncs are used)")
    flush.close()


def test_a_big_batch_is_flushed_once_and_each_directory_fsynced_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _needs_syncfs(tmp_path)
    (tmp_path / "sub").mkdir()
    files = _batch(tmp_path, SYNCFS_MIN_FILES, b"new") + _batch(tmp_path / "sub", 3, b"sub")
    fsyncs = Counted(os.fsync)
    flushes = Counted(batch_sync.syncfs)
    monkeypatch.setattr(os, "fsync", fsyncs)
    monkeypatch.setattr(batch_sync, "syncfs", flushes)
    atomic_write_many(files)
    assert [path.read_bytes() for path, _ in files] == [data for _, data in files]
    assert (flushes.calls, fsyncs.calls) == (1, 2)  # one flush; the two directories
    assert not list(tmp_path.rglob(".tmp-*"))


def test_a_failed_flush_replaces_nothing_and_names_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _needs_syncfs(tmp_path)
    old = _batch(tmp_path, SYNCFS_MIN_FILES, b"old")
    for path, data in old[::2]:  # half the targets exist, half are new
        path.write_bytes(data)
    monkeypatch.setattr(batch_sync, "syncfs", Counted(batch_sync.syncfs, errno.EIO))
    with pytest.raises(StoreWriteError) as raised:
        atomic_write_many(_batch(tmp_path, SYNCFS_MIN_FILES, b"new"))
    assert str(raised.value) == (
        f"could not save {SYNCFS_MIN_FILES} files in {tmp_path}: Input/output error; "
        "nothing was replaced"
    )
    assert sorted(tmp_path.iterdir()) == sorted(path for path, _ in old[::2])
    assert [path.read_bytes() for path, _ in old[::2]] == [data for _, data in old[::2]]


def test_a_batch_after_a_failed_flush_is_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _needs_syncfs(tmp_path)
    files = _batch(tmp_path, SYNCFS_MIN_FILES, b"new")
    with monkeypatch.context() as patch:
        patch.setattr(batch_sync, "syncfs", Counted(batch_sync.syncfs, errno.ENOSPC))
        with pytest.raises(StoreWriteError, match="No space left on device"):
            atomic_write_many(files)
    atomic_write_many(files)
    assert [path.read_bytes() for path, _ in files] == [data for _, data in files]
    assert not list(tmp_path.glob(".tmp-*"))


def test_a_small_batch_fsyncs_each_file_and_never_flushes_the_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _batch(tmp_path, SYNCFS_MIN_FILES - 1, b"new")
    fsyncs = Counted(os.fsync)
    monkeypatch.setattr(os, "fsync", fsyncs)
    monkeypatch.setattr(batch_sync, "syncfs", Counted(batch_sync.syncfs, errno.EIO))
    atomic_write_many(files)
    assert [path.read_bytes() for path, _ in files] == [data for _, data in files]
    assert fsyncs.calls == len(files) + 1  # each file, then its directory


def test_a_batch_over_two_file_systems_fsyncs_each_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _needs_syncfs(tmp_path)
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs a second file system (/dev/shm)")
    other = shm / f"ipreader-test-{os.getpid()}"
    other.mkdir()
    try:
        files = _batch(tmp_path, SYNCFS_MIN_FILES, b"new") + _batch(other, 2, b"other")
        fsyncs = Counted(os.fsync)
        monkeypatch.setattr(os, "fsync", fsyncs)
        monkeypatch.setattr(batch_sync, "syncfs", Counted(batch_sync.syncfs, errno.EIO))
        atomic_write_many(files)
        assert [path.read_bytes() for path, _ in files] == [data for _, data in files]
        assert fsyncs.calls == len(files) + 2
    finally:
        for path in other.iterdir():
            path.unlink()
        other.rmdir()


def test_a_file_system_without_a_known_flush_keeps_per_file_fsyncs() -> None:
    assert batch_sync.open_sync(Path("/proc")) is None  # procfs: not a disk file system
    assert batch_sync.open_sync(Path("/no/such/directory")) is None
