"""The atomic-write routine, quarantine and the JSON encoding of TinyDB files."""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipreader.core.errors import StoreError, StoreWriteError
from ipreader.core.storage import (
    CorruptDatabaseError,
    atomic_write_bytes,
    atomic_write_many,
    decode_database,
    encode_database,
    quarantine,
)
from ipreader.core.store.files import read_tables


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".tmp-"))


def test_atomic_write_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    atomic_write_bytes(target, b"first")
    assert target.read_bytes() == b"first"
    atomic_write_bytes(target, b"second, longer")
    assert target.read_bytes() == b"second, longer"
    atomic_write_bytes(target, b"")
    assert target.read_bytes() == b""
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO, errno.EACCES])
def test_atomic_write_failure_keeps_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str, code: int
) -> None:
    target = tmp_path / "a.json"
    atomic_write_bytes(target, b"previous")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    with monkeypatch.context() as patch:
        patch.setattr(os, failing, boom)
        with pytest.raises(StoreWriteError) as raised:
            atomic_write_bytes(target, b"new content")
    assert str(target) in str(raised.value)
    assert os.strerror(code) in str(raised.value)
    assert target.read_bytes() == b"previous"
    assert _leftovers(tmp_path) == []


def test_atomic_write_short_writes_are_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write

    def one_byte_at_a_time(fd: int, data: Any) -> int:
        return real_write(fd, bytes(data[:1]))

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", one_byte_at_a_time)
        atomic_write_bytes(tmp_path / "a", b"several bytes")
    assert (tmp_path / "a").read_bytes() == b"several bytes"


def test_atomic_write_into_missing_directory_is_a_store_write_error(tmp_path: Path) -> None:
    with pytest.raises(StoreWriteError):
        atomic_write_bytes(tmp_path / "missing" / "a.json", b"x")


def test_quarantine_keeps_bytes_and_names_the_copy(tmp_path: Path) -> None:
    original = tmp_path / "index.json"
    payload = bytes(range(256)) * 3
    original.write_bytes(payload)
    moved = quarantine(original)
    assert not original.exists()
    assert moved.parent == tmp_path
    assert re.fullmatch(r"index\.json\.corrupt-\d{8}T\d{6}\.\d{6}Z(-\d+)?", moved.name)
    assert moved.read_bytes() == payload


def test_quarantine_never_overwrites_an_earlier_copy(tmp_path: Path) -> None:
    original = tmp_path / "index.json"
    moved = []
    for round_ in range(5):
        original.write_bytes(f"bad {round_}".encode())
        moved.append(quarantine(original))
    assert len(set(moved)) == 5
    assert sorted(p.read_bytes() for p in moved) == [f"bad {i}".encode() for i in range(5)]


def test_missing_file_reads_as_no_tables_and_an_empty_one_as_damage(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    assert read_tables(path) == {}
    path.write_bytes(b"")
    with pytest.raises(CorruptDatabaseError, match="empty"):
        read_tables(path)  # atomic writes never leave an empty file


@pytest.mark.parametrize(
    "content",
    [
        b'{"_default": {"1": {"a": 1}',
        b"garbage \x00\xff",
        b"[1, 2, 3]",
        b'"text"',
        b'{"t": []}',
        b'{"t": {"1": [1, 2]}}',
        b'{"t": {"1": "string"}}',
        '{"t": {}}'.encode("utf-16"),
        b"\xff\xfe\xfd",
    ],
)
def test_undecodable_or_misshapen_files_are_damaged(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "db.json"
    path.write_bytes(content)
    with pytest.raises(CorruptDatabaseError) as raised:
        read_tables(path)
    assert raised.value.path == path
    assert path.read_bytes() == content  # reading never changes the file


def test_unreadable_file_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "db.json").mkdir()  # a directory where the file should be
    with pytest.raises(StoreError):
        read_tables(tmp_path / "db.json")


_json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
_records = st.dictionaries(st.text(max_size=8), _json_scalars, max_size=4)
_tables = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.dictionaries(st.text(min_size=1, max_size=36), _records, max_size=4),
    max_size=3,
)


@settings(max_examples=60, deadline=None)
@given(data=_tables)
def test_any_tinydb_state_round_trips(tmp_path_factory: Any, data: Any) -> None:
    path = tmp_path_factory.mktemp("rt") / "db.json"
    atomic_write_bytes(path, encode_database(data))
    assert read_tables(path) == data
    assert json.loads(path.read_text("utf-8")) == data


def test_lone_surrogates_are_encoded_as_json_escapes(tmp_path: Path) -> None:
    data = {"t": {"1": {"name": "bad\udcff.txt", "ok": "caf\u00e9 \U0001f600"}}}
    raw = encode_database(data)
    assert b"bad\\udcff.txt" in raw and "café 😀".encode() in raw  # others stay raw
    assert decode_database(tmp_path / "x.json", raw) == data
    atomic_write_bytes(tmp_path / "db.json", raw)
    assert read_tables(tmp_path / "db.json") == data


def test_atomic_write_many_replaces_every_file_and_leaves_no_temp(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    files = [(tmp_path / f"f{n}.json", b"new %d" % n) for n in range(20)]
    files.append((tmp_path / "sub" / "g.json", b"other dir"))
    files[0][0].write_bytes(b"old")
    atomic_write_many(files)
    assert all(path.read_bytes() == data for path, data in files)
    assert _leftovers(tmp_path) == [] and _leftovers(tmp_path / "sub") == []


def test_atomic_write_many_replaces_nothing_when_a_file_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [(tmp_path / f"f{n}.json", b"new") for n in range(10)]
    for path, _ in files:
        path.write_bytes(b"old")
    real_open = os.open

    def failing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if "f7.json" in str(path):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing_open)
    with pytest.raises(StoreWriteError, match=r"f7\.json.*No space left.*nothing was replaced"):
        atomic_write_many(files)
    assert all(path.read_bytes() == b"old" for path, _ in files)
    assert _leftovers(tmp_path) == []
