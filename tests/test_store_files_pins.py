"""The store's file helper as a user relies on it: never a stale read, a damaged file set aside.

``JsonFiles`` is driven directly with a real lock, real files and a parse
function that counts its calls: a parse call is a read the cache did not
answer.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from ipreader.core.errors import StoreError, StoreWriteError
from ipreader.core.notices import Notices
from ipreader.core.storage import CorruptDatabaseError, Tables
from ipreader.core.store import files
from ipreader.core.store.files import JsonFiles, is_racy, read_file, read_tables
from ipreader.core.store.lock import FolderLock

OLD_NS = 1_600_000_000_123_456_789  # 2020, with sub-millisecond digits: never racy


def write(path: Path, tables: Tables, *, mtime_ns: int | None = OLD_NS) -> None:
    """Write ``tables`` to a new file replacing ``path`` (a new inode, as another process does)."""
    fresh = path.with_name(path.name + ".new")
    fresh.write_text(json.dumps(tables))
    if mtime_ns is not None:
        os.utime(fresh, ns=(mtime_ns, mtime_ns))
    os.replace(fresh, path)


def notes(text: str) -> Tables:
    return {"notes": {"1": {"text": text}}}


class Harness:
    """A ``JsonFiles`` over ``tmp_path`` that records every parse and every file set aside."""

    def __init__(self, tmp_path: Path) -> None:
        self.lock = FolderLock(tmp_path / "store.lock", timeout=5)
        self.notices = Notices()
        self.parsed: list[Tables | None] = []
        self.set_aside: list[tuple[Path, Path, str]] = []
        self.checked: list[Path] = []
        self.files = JsonFiles(
            self.lock, self.notices, check=self.check, on_set_aside=self.on_set_aside
        )

    def check(self, path: Path, tables: Tables) -> object:
        self.checked.append(path)
        if "bad" in tables:
            raise CorruptDatabaseError(path, "a table named bad")
        return tables

    def on_set_aside(self, path: Path, moved_to: Path, error: CorruptDatabaseError) -> None:
        self.set_aside.append((path, moved_to, error.reason))

    def parse(self, path: Path, tables: Tables | None) -> tuple[Path, Tables | None]:
        self.parsed.append(tables)
        if tables is not None:
            self.check(path, tables)
        return path, tables

    def load(self, path: Path) -> Tables | None:
        """The tables ``load`` parsed (``None``: parsed as missing), checking it named the path."""
        parsed_path, tables = self.files.load(path, self.parse)
        assert parsed_path == path
        return tables


# ------------------------------------------------------------------ the racy window


def test_a_file_written_long_ago_is_not_racy() -> None:
    assert not is_racy(OLD_NS)
    assert not is_racy(1_600_000_000_000_000_000)  # whole seconds, years ago


def test_a_fine_timestamp_is_racy_for_a_tenth_of_a_second() -> None:
    now = time.time_ns()
    fine = 123_457  # sub-millisecond digits: a fine-grained filesystem
    assert is_racy(now - 50_000_000 + fine)
    assert not is_racy(now - 500_000_000 + fine)
    assert not is_racy(now - 1_500_000_000 + fine)


def test_a_coarse_timestamp_is_racy_for_two_seconds() -> None:
    now = time.time_ns()
    whole_ms = now - now % 1_000_000  # no sub-millisecond digits: a coarse filesystem
    assert is_racy(whole_ms - 1_500_000_000)
    assert is_racy(whole_ms - 500_000_000)
    assert not is_racy(whole_ms - 3_000_000_000)


def test_a_timestamp_in_the_future_is_racy() -> None:
    assert is_racy(time.time_ns() + 10_000_000_000 + 123)


@pytest.mark.skipif(sys.platform != "linux", reason="Linux stamps files from its coarse clock")
def test_a_fresh_file_stays_racy_when_the_fine_clock_runs_ahead_of_the_stamps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A timer tick held back (a virtual machine's timekeeping CPU descheduled) leaves the
    file stamps behind ``time.time_ns()``: a file written now must not look settled."""
    path = tmp_path / "a.json"
    path.write_text("{}")
    signature = files.signature_of(path.stat())
    real = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: real() + 1_000_000_000)  # a second ahead
    assert is_racy(signature[3])
    assert not files.settled(signature)


# ------------------------------------------------------------------ reading one file


def test_read_file_gives_the_signature_of_the_bytes_it_read(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    write(path, notes("one"))
    found = read_file(path)
    assert found is not None
    signature, raw = found
    st = os.stat(path)
    assert signature == (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    assert raw == path.read_bytes()


def test_read_file_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert read_file(tmp_path / "absent.json") is None
    assert read_tables(tmp_path / "absent.json") == {}


def test_a_fifo_is_damage_named_and_never_opened(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    os.mkfifo(path)
    with pytest.raises(CorruptDatabaseError) as caught:
        read_file(path)
    assert caught.value.path == path
    assert caught.value.reason == "it is a FIFO, not a regular file"


def test_a_file_over_the_size_limit_is_damage_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.json"
    write(path, notes("x" * 200))
    monkeypatch.setattr("ipreader.core.storage.MAX_DATABASE_BYTES", 100)
    with pytest.raises(CorruptDatabaseError) as caught:
        read_file(path)
    assert caught.value.path == path
    assert "100" in caught.value.reason


def test_a_directory_in_place_of_a_file_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.mkdir()
    with pytest.raises(CorruptDatabaseError, match="a directory, not a regular file"):
        read_file(path)


def test_an_unreadable_path_is_a_store_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "plain"
    blocker.write_text("x")
    path = blocker / "a.json"  # a file used as a directory: ENOTDIR
    with pytest.raises(StoreError) as caught:
        read_file(path)
    assert not isinstance(caught.value, CorruptDatabaseError)
    assert str(caught.value) == f"cannot read {path}: Not a directory"


def test_read_tables_decodes_and_an_empty_file_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    write(path, notes("one"))
    assert read_tables(path) == notes("one")
    path.write_bytes(b"")
    with pytest.raises(CorruptDatabaseError, match="empty") as caught:
        read_tables(path)
    assert caught.value.path == path


# ------------------------------------------------------------------ the read cache


def test_an_unchanged_old_file_is_answered_from_the_cache(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    write(path, notes("one"))
    first = harness.files.load(path, harness.parse)
    assert harness.files.load(path, harness.parse) is first
    assert harness.parsed == [notes("one")]


def test_a_file_replaced_by_another_process_is_read_again(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    write(path, notes("one"))
    assert harness.load(path) == notes("one")
    write(path, notes("two"))  # same size, same old mtime: only the inode tells
    assert harness.load(path) == notes("two")
    assert harness.load(path) == notes("two")
    assert harness.parsed == [notes("one"), notes("two")]


def test_a_recently_changed_file_is_never_trusted_from_the_cache(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    write(path, notes("one"), mtime_ns=None)  # written now: inside the racy window
    assert harness.load(path) == notes("one")
    assert harness.load(path) == notes("one")
    assert harness.parsed == [notes("one"), notes("one")]


def test_a_removed_file_is_read_as_missing_and_not_remembered(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    write(path, notes("one"))
    harness.load(path)
    path.unlink()
    assert harness.load(path) is None
    write(path, notes("two"))
    assert harness.load(path) == notes("two")
    assert harness.parsed == [notes("one"), None, notes("two")]


def test_each_path_has_its_own_cached_version(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write(a, notes("a"))
    write(b, notes("b"))
    assert (harness.load(a), harness.load(b)) == (notes("a"), notes("b"))
    assert (harness.load(a), harness.load(b)) == (notes("a"), notes("b"))
    assert len(harness.parsed) == 2


# ------------------------------------------------------------------ damaged files


def test_a_damaged_file_is_set_aside_once_named_and_kept(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    path.write_bytes(b"{not json")
    assert harness.load(path) is None
    [(original, moved, reason)] = harness.set_aside
    assert original == path
    assert moved.parent == tmp_path and moved.name.startswith("a.json")
    assert moved.read_bytes() == b"{not json"  # never deleted, bytes intact
    assert reason.startswith("not valid JSON")
    assert not path.exists()
    assert harness.parsed == [None]
    assert harness.load(path) is None
    assert len(harness.set_aside) == 1


def test_a_file_of_the_wrong_shape_is_set_aside(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    write(path, {"bad": {}})
    assert harness.load(path) is None
    [(_, moved, reason)] = harness.set_aside
    assert reason == "a table named bad"
    assert json.loads(moved.read_text()) == {"bad": {}}
    assert harness.checked == [path, path]  # by load's parse, then re-checked under the lock


def test_a_damaged_file_already_replaced_by_another_process_is_read_not_set_aside(
    tmp_path: Path,
) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    write(path, {"bad": {}})

    def parse(path: Path, tables: Tables | None) -> Tables | None:
        harness.parsed.append(tables)
        if tables is not None and "bad" in tables:
            write(path, notes("repaired"))  # another process repairs it meanwhile
            raise CorruptDatabaseError(path, "a table named bad")
        return tables

    assert harness.files.load(path, parse) == notes("repaired")
    assert harness.set_aside == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "store.lock"]


def test_a_file_damaged_again_and_again_is_given_up_after_three_tries(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    path.write_bytes(b"[]")

    def damaged_again(path: Path, moved_to: Path, error: CorruptDatabaseError) -> None:
        harness.set_aside.append((path, moved_to, error.reason))
        path.write_bytes(b"[]")  # another process keeps writing damage

    harness.files = JsonFiles(
        harness.lock, harness.notices, check=harness.check, on_set_aside=damaged_again
    )
    assert harness.load(path) is None  # returns: no endless loop
    assert len(harness.set_aside) == 3
    assert harness.parsed == [None]


def test_a_damaged_file_in_a_read_only_store_is_left_and_named(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    harness.lock.refuse(StoreError("read-only"))
    path = tmp_path / "a.json"
    path.write_bytes(b"{not json")
    assert harness.load(path) is None
    assert path.read_bytes() == b"{not json"
    assert harness.set_aside == []
    [notice] = harness.notices.all()
    assert notice.startswith(f"{path} cannot be read (not valid JSON")
    assert notice.endswith("); it is left unchanged")


def test_a_damaged_file_that_cannot_be_moved_is_left_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    path.write_bytes(b"{not json")

    tries: list[Path] = []

    def cannot_move(path: Path) -> Path:
        tries.append(path)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "quarantine", cannot_move)
    assert harness.load(path) is None
    assert path.read_bytes() == b"{not json"
    assert tries == [path]  # tried once: the file is left for this session
    [notice] = harness.notices.all()
    assert notice.startswith(f"{path} cannot be read (not valid JSON")
    assert notice.endswith("nor moved aside (Permission denied); it is left unchanged")


def test_a_file_that_cannot_be_read_is_reported_and_read_as_missing(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    (tmp_path / "plain").write_text("x")
    path = tmp_path / "plain" / "a.json"
    assert harness.load(path) is None
    assert harness.notices.all() == [
        f"cannot read {path}: Not a directory; it is left unchanged and ignored for now"
    ]


def test_a_damaged_file_that_becomes_unreadable_is_reported_once_and_read_as_missing(
    tmp_path: Path,
) -> None:
    harness = Harness(tmp_path)
    folder = tmp_path / "sub"
    folder.mkdir()
    path = folder / "a.json"
    write(path, {"bad": {}})

    def parse(parsed: Path, tables: Tables | None) -> tuple[Path, Tables | None]:
        harness.parsed.append(tables)
        if tables is not None:
            # Before the re-check under the lock, the folder stops being one.
            path.unlink()
            folder.rmdir()
            folder.write_text("x")
            raise CorruptDatabaseError(parsed, "a table named bad")
        return parsed, tables

    assert harness.files.load(path, parse) == (path, None)
    assert harness.notices.all() == [f"cannot read {path}: Not a directory"]
    assert harness.set_aside == []


# ------------------------------------------------------------------ transactions


def test_a_transaction_needs_the_lock(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    with pytest.raises(RuntimeError, match="needs the folder lock"), harness.files.transaction():
        pass


def test_a_transaction_writes_and_a_later_load_sees_it(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    write(path, notes("one"))
    assert harness.load(path) == notes("one")
    with harness.lock.hold(), harness.files.transaction() as transaction:
        transaction.table(path, "notes").upsert_records({"2": {"text": "two"}})
    assert harness.load(path) == {"notes": {"1": {"text": "one"}, "2": {"text": "two"}}}


def test_a_transaction_sets_a_damaged_file_aside_and_starts_afresh(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    path.write_bytes(b"{not json")
    with harness.lock.hold(), harness.files.transaction() as transaction:
        transaction.table(path, "notes").upsert_records({"2": {"text": "two"}})
    [(_, moved, _)] = harness.set_aside
    assert moved.read_bytes() == b"{not json"
    assert json.loads(path.read_text()) == {"notes": {"2": {"text": "two"}}}


def test_a_transaction_on_a_damaged_file_that_must_stay_saves_nothing(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    path = tmp_path / "a.json"
    path.write_bytes(b"{not json")
    with harness.lock.hold():
        harness.lock.refuse(StoreError("read-only"))
        with pytest.raises(StoreWriteError) as caught, harness.files.transaction() as transaction:
            transaction.table(path, "notes").upsert_records({"2": {"text": "two"}})
    assert str(caught.value) == f"{path} is damaged and cannot be moved aside; nothing was saved"
    assert path.read_bytes() == b"{not json"
