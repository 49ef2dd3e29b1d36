"""What a user relies on from the atomic writes and quarantine that mutation testing found unpinned.

File modes follow the umask like any new file; a batch of two is as
all-or-nothing as a batch of ten; a rename failing half-way says which files
changed; quarantine never overwrites an earlier copy even within one
microsecond, and its names are in UTC whatever the local time zone.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ipreader.core import storage
from ipreader.core.errors import StoreWriteError
from ipreader.core.storage import (
    CorruptDatabaseError,
    SpecialFileError,
    atomic_write_bytes,
    atomic_write_many,
    decode_database,
    encode_database,
    file_kind,
    quarantine,
    read_regular_file,
)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(storage.TEMP_PREFIX))


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask a test changes."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_a_written_file_gets_the_mode_a_new_file_would_get(
    tmp_path: Path, umask: None, mask: int
) -> None:
    os.umask(mask)
    atomic_write_bytes(tmp_path / "one.json", b"{}")
    atomic_write_many([(tmp_path / "a.json", b"a"), (tmp_path / "b.json", b"b")])
    for name in ("one.json", "a.json", "b.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~mask


def _failing_open(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    real_open = os.open

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if name in str(path):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)


def test_a_two_file_batch_whose_second_file_cannot_be_written_leaves_the_first_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_bytes(b"old first")
    second.write_bytes(b"old second")
    _failing_open(monkeypatch, "second.json")
    with pytest.raises(StoreWriteError) as raised:
        atomic_write_many([(first, b"new first"), (second, b"new second")])
    assert str(raised.value) == (
        f"could not save {second}: No space left on device; nothing was replaced"
    )
    assert first.read_bytes() == b"old first"
    assert second.read_bytes() == b"old second"
    assert _leftovers(tmp_path) == []


def test_a_batch_whose_first_file_cannot_be_written_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [(tmp_path / f"f{n}.json", b"new") for n in range(3)]
    _failing_open(monkeypatch, "f0.json")
    with pytest.raises(StoreWriteError) as raised:
        atomic_write_many(files)
    assert str(raised.value).startswith(f"could not save {files[0][0]}: No space left on device;")
    assert not any(path.exists() for path, _ in files)
    assert _leftovers(tmp_path) == []


def test_a_batch_of_one_or_none_writes_what_it_is_given(tmp_path: Path) -> None:
    atomic_write_many([])
    assert list(tmp_path.iterdir()) == []
    atomic_write_many([(tmp_path / "only.json", b"only")])
    assert (tmp_path / "only.json").read_bytes() == b"only"


def test_a_rename_failing_half_way_names_the_file_and_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [(tmp_path / f"f{n}.json", b"new %d" % n) for n in range(4)]
    for path, _ in files:
        path.write_bytes(b"old")
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        if str(target).endswith("f2.json"):
            raise OSError(errno.EIO, "Input/output error")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(StoreWriteError) as raised:
        atomic_write_many(files)
    assert str(raised.value) == (
        f"could not save {files[2][0]}: Input/output error; it and the files after it are unchanged"
    )
    assert [path.read_bytes() for path, _ in files] == [b"new 0", b"new 1", b"old", b"old"]
    assert _leftovers(tmp_path) == []


def test_a_failed_save_whose_temp_file_cannot_be_removed_still_reports_the_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.json"
    target.write_bytes(b"previous")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(os, "unlink", refuse)
    with pytest.raises(StoreWriteError) as raised:
        atomic_write_bytes(target, b"new")
    assert str(raised.value) == (
        f"could not save {target}: Permission denied; the previous version is unchanged"
    )
    assert target.read_bytes() == b"previous"
    with pytest.raises(StoreWriteError, match="Permission denied"):
        atomic_write_many([(target, b"new"), (tmp_path / "b.json", b"b")])
    assert target.read_bytes() == b"previous"


def test_a_failed_first_save_says_nothing_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StoreWriteError) as raised:
        atomic_write_bytes(tmp_path / "new.json", b"new")
    assert str(raised.value).endswith("Permission denied; nothing was written")
    assert list(tmp_path.iterdir()) == []


def test_an_error_without_a_description_is_reported_by_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("the disk went away")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StoreWriteError, match=r"a\.json: the disk went away; nothing was written"):
        atomic_write_bytes(tmp_path / "a.json", b"x")
    with pytest.raises(StoreWriteError, match=r"a\.json: the disk went away; it and the files"):
        atomic_write_many([(tmp_path / "a.json", b"x"), (tmp_path / "b.json", b"y")])


class _FixedClock(datetime):
    """A ``datetime`` whose ``now`` is one fixed instant (quarantine names within one tick)."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC).astimezone(tz)


def test_quarantine_within_one_clock_tick_picks_the_next_free_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "datetime", _FixedClock)
    original = tmp_path / "index.json"
    base = "index.json.corrupt-20240501T120000.123456Z"
    (tmp_path / base).write_bytes(b"earlier")
    moved = []
    for round_ in range(3):
        original.write_bytes(b"damaged %d" % round_)
        moved.append(quarantine(original))
    assert [path.name for path in moved] == [f"{base}-1", f"{base}-2", f"{base}-3"]
    assert [path.read_bytes() for path in moved] == [b"damaged 0", b"damaged 1", b"damaged 2"]
    assert (tmp_path / base).read_bytes() == b"earlier"
    original.write_bytes(b"damaged again")
    assert quarantine(original, storage.MERGED_MARKER).name == (
        "index.json.merged-20240501T120000.123456Z"
    )


@pytest.fixture
def far_time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process in a time zone hours away from UTC (restored after the test)."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_quarantine_names_are_in_utc_whatever_the_local_time_zone(
    tmp_path: Path, far_time_zone: None
) -> None:
    assert time.localtime().tm_gmtoff == 5 * 3600 + 1800  # the zone really applies
    original = tmp_path / "index.json"
    original.write_bytes(b"damaged")
    before = datetime.now(UTC)
    moved = quarantine(original)
    found = re.fullmatch(r"index\.json\.corrupt-(\d{8}T\d{6}\.\d{6})Z", moved.name)
    assert found is not None
    stamp = datetime.strptime(found.group(1), "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= stamp <= datetime.now(UTC) + timedelta(seconds=1)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "the file is empty (0 bytes)"),
        (b"\xff{}", "not UTF-8 text (invalid start byte)"),
        (b"[]", "expected a JSON object, found list"),
        (b'{"t": 3}', "table 't' is a int, not an object"),
        (b'{"t": {"1": null}}', "record '1' of table 't' is a NoneType, not an object"),
        (b'{"t": {"1": [1]}}', "record '1' of table 't' is a list, not an object"),
    ],
)
def test_a_damaged_database_says_what_is_wrong(raw: bytes, reason: str) -> None:
    path = Path("db.json")
    with pytest.raises(CorruptDatabaseError) as raised:
        decode_database(path, raw)
    assert raised.value.reason == reason
    assert raised.value.path == path
    assert str(raised.value) == f"db.json: {reason}"


def test_a_database_that_is_not_json_says_so_with_the_position() -> None:
    with pytest.raises(CorruptDatabaseError) as raised:
        decode_database(Path("db.json"), b'{"t": ')
    assert raised.value.reason.startswith("not valid JSON (Expecting value: line 1 column 7")


def test_an_empty_object_and_empty_tables_are_valid_databases() -> None:
    assert decode_database(Path("db.json"), b"{}") == {}
    assert decode_database(Path("db.json"), b'{"a": {}, "b": {"1": {}}}') == {
        "a": {},
        "b": {"1": {}},
    }


def test_a_regular_file_is_read_whole_with_its_stat(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b"x" * 5000)
    info, raw = read_regular_file(path)
    assert raw == b"x" * 5000 and info.st_size == 5000
    assert read_regular_file(path, skip_if=lambda st: st.st_size == 5000) == (info, None)
    assert read_regular_file(path, skip_if=lambda st: False)[1] == raw
    path.write_bytes(b"")
    assert read_regular_file(path)[1] == b""


def _read_within_seconds(path: Path, seconds: float = 10.0) -> BaseException | None:
    """What ``read_regular_file(path)`` raises; fails the test if it blocks (a FIFO, no writer)."""
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            read_regular_file(path)
        except BaseException as error:  # handed to the test
            outcome.append(error)
        else:
            outcome.append(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(seconds)
    if reader.is_alive():
        # Release the blocked open (a writer arrives), so the process can end.
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        reader.join()
        pytest.fail(f"reading {path} blocked for {seconds} s")
    return outcome[0]


def test_a_fifo_a_directory_or_a_link_is_named_and_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir").mkdir()
    (tmp_path / "real.json").write_bytes(b"{}")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    for name, kind in [
        ("fifo", "a FIFO"),
        ("dir", "a directory"),
        ("link.json", "a symbolic link"),
    ]:
        # Opened without O_NONBLOCK, a FIFO with no writer would block the reader for ever.
        error = _read_within_seconds(tmp_path / name)
        assert isinstance(error, SpecialFileError), error
        assert error.kind == kind
        assert error.path == tmp_path / name
        assert str(error) == f"{tmp_path / name} is {kind}, not a regular file"
    assert read_regular_file(tmp_path / "link.json", follow_links=True)[1] == b"{}"
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        (stat.S_IFDIR, "a directory"),
        (stat.S_IFIFO, "a FIFO"),
        (stat.S_IFCHR, "a character device"),
        (stat.S_IFBLK, "a block device"),
        (stat.S_IFSOCK, "a socket"),
        (stat.S_IFLNK, "a symbolic link"),
        (stat.S_IFREG, "a regular file"),
        (0, "a special file"),
    ],
)
def test_each_kind_of_file_has_its_name(mode: int, kind: str) -> None:
    assert file_kind(mode | 0o644) == kind


def test_a_dangling_link_followed_on_purpose_is_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "settings.json").symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "settings.json", follow_links=True)


def test_a_database_file_is_compact_utf8_json() -> None:
    data = {"t": {"1": {"quote": "café", "n": [1, 2]}}}
    assert encode_database(data) == '{"t":{"1":{"quote":"café","n":[1,2]}}}'.encode()


def test_a_one_byte_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "one").write_bytes(b"x")
    assert read_regular_file(tmp_path / "one")[1] == b"x"


def test_a_file_read_in_pieces_while_it_grows_is_read_as_it_was_when_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "_READ_CHUNK", 4)  # several reads for a small file
    path = tmp_path / "log.json"
    path.write_bytes(b"0123456789")

    def someone_appends(info: os.stat_result) -> bool:
        with path.open("ab") as more:
            more.write(b"appended")
        return False

    info, raw = read_regular_file(path, skip_if=someone_appends)
    assert (info.st_size, raw) == (10, b"0123456789")


def test_a_failed_write_whose_temp_file_cannot_be_removed_names_the_write_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: Any, **kwargs: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "write", full)
    monkeypatch.setattr(os, "unlink", refuse)
    with pytest.raises(StoreWriteError) as raised:
        atomic_write_bytes(tmp_path / "a.json", b"data")
    assert str(raised.value) == (
        f"could not save {tmp_path / 'a.json'}: No space left on device; nothing was written"
    )
