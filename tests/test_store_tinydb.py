"""The store's TinyDB layer: string-id tables, the buffered storage, transactions."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from file_writes import replaced_files

from ipreader.core.errors import StoreWriteError
from ipreader.core.model import Annotation
from ipreader.core.notices import Notices
from ipreader.core.storage import Tables, atomic_write_bytes, encode_database
from ipreader.core.store import FolderStore
from ipreader.core.store.files import JsonFiles, read_tables
from ipreader.core.store.lock import FolderLock
from ipreader.core.store.tables import Transaction

TEXT = "The quick brown fox jumps over the lazy dog. " * 4


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))


def write(path: Path, tables: Tables) -> None:
    atomic_write_bytes(path, encode_database(tables))


# ---------------------------------------------------------------- transactions


def test_a_transaction_reads_each_file_once_and_writes_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    write(first, {"annotations": {"x": {"n": 1}, "keep": {"n": 0}}})
    reads: list[Path] = []

    def read(path: Path) -> Tables:
        reads.append(path)
        return read_tables(path)

    replaced = replaced_files(monkeypatch)
    transaction = Transaction(read)
    table = transaction.table(first, "annotations")
    table.upsert_records({"y": {"n": 2}})
    table.upsert_records({"x": {"m": 3}})  # replaced whole, not merged
    transaction.table(first, "annotations").remove_records(["y", "unknown"])
    transaction.table(first, "other").upsert_records({"z": {}})
    transaction.table(second, "annotations").remove_records(["unknown"])  # no change
    assert reads == [first, second]
    assert replaced == []  # nothing is written before the commit
    assert transaction.commit() == [first]
    assert replaced == [first]
    assert json.loads(first.read_text()) == {
        "annotations": {"keep": {"n": 0}, "x": {"m": 3}},
        "other": {"z": {}},
    }
    assert not second.exists()


def test_nothing_is_written_when_a_transaction_fails(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    write(path, {"annotations": {"x": {"n": 1}}})
    before = path.read_bytes()
    lock = FolderLock(tmp_path / "lock", timeout=1)
    files = JsonFiles(lock, Notices(), check=lambda _p, t: t, on_set_aside=lambda *_a: None)
    with (
        lock.hold(),
        pytest.raises(RuntimeError, match="stop"),
        files.transaction() as transaction,
    ):
        transaction.table(path, "annotations").upsert_records({"y": {"n": 2}})
        raise RuntimeError("stop")
    assert path.read_bytes() == before
    with pytest.raises(RuntimeError, match="lock"), files.transaction():
        pass  # a read-modify-write outside the lock would lose other processes' writes


def test_a_batch_that_cannot_be_completed_writes_none_of_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "articles"
    root.mkdir()
    store = FolderStore.open(root)
    kept = [Annotation.create(TEXT, 4, 9, name) for name in ("a.txt", "b.txt")]
    store.save_annotations(kept)
    files = sorted((store.location / "annotations").glob("*.json"))
    damaged = next(p for p in files if kept[1].id in p.read_text())
    damaged.write_bytes(b"{not json")
    before = {p: p.read_bytes() for p in files}
    real_replace = os.replace

    def no_quarantine(source: Any, target: Any) -> None:
        if ".corrupt-" in str(target):
            raise PermissionError(13, "Permission denied")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", no_quarantine)
    new = [Annotation.create(TEXT, 10, 15, name) for name in ("a.txt", "b.txt")]
    with pytest.raises(StoreWriteError, match="nothing was saved"):
        store.save_annotations(new)
    assert {p: p.read_bytes() for p in files} == before  # a.txt's file untouched too
    assert not list(store.location.rglob(".tmp-*"))
