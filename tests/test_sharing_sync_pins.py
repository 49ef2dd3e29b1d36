"""Sync conflict copies: which names are copies, where each goes, and the notice in full.

Companion of ``test_sharing_sync.py``, on ``merge_sync_copies`` over a bare
store directory (TinyDB-shaped files, no store opened): nothing is deleted,
a copy is merged at most once, and everything left or set aside is named.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ipreader.core.sharing.layout as layout
from ipreader.core.sharing.conflict_log import read_conflicts
from ipreader.core.sharing.sync_copies import (
    SyncMerge,
    find_sync_copies,
    merge_sync_copies,
    sync_copy,
)
from ipreader.core.storage import TEMP_PREFIX

T0 = "2025-01-01T10:00:00.000Z"
SYNCTHING = ".sync-conflict-20250102-150405-ABCDEFG"


def note(text: str, revision: int = 1) -> dict[str, Any]:
    return {"note": text, "revision": revision, "updated": T0, "tags": []}


def write(path: Path, tables: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tables), encoding="utf-8")
    return path


@pytest.fixture
def location(tmp_path: Path) -> Path:
    store = tmp_path / ".ipreader"
    store.mkdir()
    return store


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("name", "original", "tool"),
    [
        (f"index{SYNCTHING}.json", "index.json", "Syncthing"),
        (f"lock{SYNCTHING}", "lock", "Syncthing"),
        (f"a.b{SYNCTHING}.json", "a.b.json", "Syncthing"),
        ("index (conflicted copy 2025-01-02 (1)).json", "index.json", "Dropbox"),
        ("index (Jane’s conflicted copy 2025-01-02).json", "index.json", "Dropbox"),
        ("index (conflicted copy 2025-01-02 150405).json", "index.json", "Nextcloud"),
    ],
)
def test_each_copy_names_its_original_and_tool(name: str, original: str, tool: str) -> None:
    copy = sync_copy(Path("/s") / name)
    assert copy is not None
    assert (copy.original, copy.tool) == (Path("/s") / original, tool)


def test_names_that_only_look_like_copies_are_not_copies() -> None:
    for name in (
        "index.sync-conflict-2025-150405-ABCDEFG.json",
        "index.sync-conflict-20250102-150405-abcdefg.json",
        "index (conflicted copy).json",
        "index (Jane (x)'s conflicted copy 2025-01-02).json",
    ):
        assert sync_copy(Path("/s") / name) is None, name


def test_copies_are_found_anywhere_but_in_merged_and_temp_files(location: Path) -> None:
    write(location / f"index{SYNCTHING}.json", {})
    write(location / "annotations" / f"d{SYNCTHING}.json", {})
    write(location / "merged" / f"old{SYNCTHING}.json", {})
    write(location / f".tmp-index{SYNCTHING}.json", {})
    write(location / "annotations" / "merged" / f"x{SYNCTHING}.json", {})
    found = [c.path.relative_to(location).as_posix() for c in find_sync_copies(location)]
    assert found == [
        f"annotations/d{SYNCTHING}.json",
        f"annotations/merged/x{SYNCTHING}.json",
        f"index{SYNCTHING}.json",
    ]


_NAME_PARTS = st.sampled_from(
    [
        "d",
        "index",
        ".json",
        "\n",
        " ",
        TEMP_PREFIX,
        SYNCTHING,
        ".sync-conflict-",
        " (conflicted copy 2025-01-02)",
        " (Jane’s conflicted copy 2025-01-02 (1))",
        " (conflicted copy 2025-01-02 150405)",
        "conflicted copy",
    ]
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.sets(st.lists(_NAME_PARTS, min_size=1, max_size=5).map("".join), max_size=8))
def test_a_folder_s_copies_are_the_names_that_are_copies(location: Path, names: set[str]) -> None:
    # One search of a folder's names decides whether any is tested: a name holding a
    # mark next to other names (or a newline) is never passed over.
    folder = location / "annotations"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name in names:
        (folder / name).write_text("{}", encoding="utf-8")
    expected = sorted(
        name
        for name in names
        if not name.startswith(TEMP_PREFIX) and sync_copy(folder / name) is not None
    )
    found = sorted(c.path.name for c in find_sync_copies(location))
    assert found == expected


# ------------------------------------------------------------------ merging


def test_a_merge_that_changes_nothing_leaves_the_original_untouched(location: Path) -> None:
    original = write(location / "index.json", {"t": {"x": note("same")}})
    before = original.stat()
    copy = write(location / f"index{SYNCTHING}.json", {"t": {"x": note("same")}})
    result = merge_sync_copies(location)
    assert result == SyncMerge(merged=[f"{copy.name} (Syncthing)"])
    after = original.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert (location / "merged" / copy.name).exists() and not copy.exists()


def test_a_copy_already_in_merged_gets_a_numbered_name(location: Path) -> None:
    write(location / "index.json", {"t": {}})
    write(location / "merged" / f"index{SYNCTHING}.json", {"first": {}})
    write(location / "merged" / f"index{SYNCTHING}.json.1", {"second": {}})
    write(location / f"index{SYNCTHING}.json", {"t": {"y": note("new")}})
    merge_sync_copies(location)
    third = location / "merged" / f"index{SYNCTHING}.json.2"
    assert json.loads(third.read_text()) == {"t": {"y": note("new")}}
    assert json.loads((location / "index.json").read_text()) == {"t": {"y": note("new")}}


def test_the_cache_is_only_the_one_at_the_top_of_the_store(location: Path) -> None:
    write(location / "annotations" / "cache.json", {"t": {}})
    copy = write(location / "annotations" / f"cache{SYNCTHING}.json", {"t": {"x": note("n")}})
    result = merge_sync_copies(location)
    assert result.merged == [f"annotations/{copy.name} (Syncthing)"]


def test_a_copy_whose_original_cannot_be_read_is_left_for_later(location: Path) -> None:
    (location / "index.json").write_text("{damaged")
    copy = write(location / f"index{SYNCTHING}.json", {"t": {}})
    result = merge_sync_copies(location)
    [left] = result.left
    assert left.startswith(f"{copy.name} (its original cannot be read: not valid JSON (")
    assert copy.exists() and (location / "index.json").read_text() == "{damaged"
    assert result.merged == [] and result.unreadable == []


def test_a_copy_that_cannot_be_logged_is_left_and_nothing_replaced(
    location: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = write(location / "index.json", {"t": {"x": note("mine", 2)}})
    before = original.read_bytes()
    copy = write(location / f"index{SYNCTHING}.json", {"t": {"x": note("theirs", 3)}})
    (location / "conflicts.json").mkdir()  # the log cannot be read or written
    result = merge_sync_copies(location)
    [left] = result.left
    assert left.startswith(f"{copy.name} (") and "conflicts.json cannot be read" in left
    assert original.read_bytes() == before and copy.exists()


def test_a_set_aside_copy_that_cannot_be_moved_is_left(
    location: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = write(location / f"lock{SYNCTHING}", {})

    def refusing(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(source))

    monkeypatch.setattr(os, "replace", refusing)
    result = merge_sync_copies(location)
    assert result.left == [
        f"{copy.name} (not a store file; cannot be moved: {os.strerror(errno.EBUSY)})"
    ]
    assert copy.exists()


def test_the_result_counts_conflicts_and_names_where_each_copy_went(location: Path) -> None:
    write(location / "index.json", {"t": {"x": note("mine", 2), "y": note("a", 2)}})
    write(location / f"index{SYNCTHING}.json", {"t": {"x": note("theirs", 3), "y": note("b", 3)}})
    bad = location / "state (conflicted copy 2025-01-02).json"
    bad.write_text("{half")
    result = merge_sync_copies(location)
    assert result.conflicts == 2
    assert result.merged == [f"index{SYNCTHING}.json (Syncthing)"]
    [aside] = result.unreadable
    assert aside.startswith(f"{bad.name} (") and aside.endswith(f") -> merged/{bad.name}")


# ------------------------------------------------------------------ the notice


def test_nothing_done_is_no_notice(location: Path) -> None:
    assert SyncMerge().describe(location) is None


def test_the_notice_names_every_part_in_order(location: Path) -> None:
    result = SyncMerge(
        merged=["a (Syncthing)"],
        unreadable=["b (damaged) -> merged/b"],
        left=["c (busy)"],
        conflicts=2,
    )
    assert result.describe(location) == (
        f"{location}: merged 1 sync conflict copy into their originals (a (Syncthing)); "
        f"the copies were moved to {location / 'merged'}; "
        f"2 version(s) not kept are in {location / 'conflicts.json'}; "
        f"sync conflict copies moved to {location / 'merged'} unmerged: b (damaged) -> merged/b; "
        "sync conflict copies left in place for now: c (busy)"
    )


def test_the_notice_names_five_copies_and_counts_the_rest(location: Path) -> None:
    names = [f"c{n}" for n in range(7)]
    told = SyncMerge(merged=names).describe(location)
    assert told == (
        f"{location}: merged 7 sync conflict copies into their originals "
        f"(c0, c1, c2, c3, c4 and 2 more); the copies were moved to {location / 'merged'}"
    )
    assert SyncMerge(left=names[:5]).describe(location) == (
        f"{location}: sync conflict copies left in place for now: c0, c1, c2, c3, c4"
    )


# ------------------------------------------------------------------ one copy does not stop the next


def later_good_copy(location: Path) -> Path:
    """An index and a copy of it that merges cleanly (sorted after the copies tested)."""
    write(location / "zz.json", {"t": {}})
    return write(location / f"zz{SYNCTHING}.json", {"t": {"y": note("merged")}})


def assert_merged(location: Path, copy: Path, result: SyncMerge) -> None:
    assert f"{copy.name} (Syncthing)" in result.merged
    assert json.loads((location / "zz.json").read_text()) == {"t": {"y": note("merged")}}


def test_a_copy_of_a_file_that_is_not_a_store_file_does_not_stop_the_next(
    location: Path,
) -> None:
    odd = write(location / f"aaa{SYNCTHING}", {})
    good = later_good_copy(location)
    result = merge_sync_copies(location)
    assert result.unreadable == [f"{odd.name} (not a store file) -> merged/{odd.name}"]
    assert_merged(location, good, result)


def test_a_cache_copy_is_named_with_why_it_was_not_merged(location: Path) -> None:
    cache = write(location / f"cache{SYNCTHING}.json", {})
    good = later_good_copy(location)
    result = merge_sync_copies(location)
    assert result.unreadable == [
        f"{cache.name} (a copy of the cache, rebuilt when needed) -> merged/{cache.name}"
    ]
    assert_merged(location, good, result)


def test_a_damaged_copy_is_named_with_its_damage_and_does_not_stop_the_next(
    location: Path,
) -> None:
    write(location / "a.json", {"t": {}})
    bad = location / f"a{SYNCTHING}.json"
    bad.write_text("{half")
    good = later_good_copy(location)
    result = merge_sync_copies(location)
    [aside] = result.unreadable
    assert aside.startswith(f"{bad.name} (not valid JSON (")
    assert_merged(location, good, result)


def test_a_copy_that_cannot_be_read_is_left_and_does_not_stop_the_next(
    location: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(location / "a.json", {"t": {}})
    unreadable = write(location / f"a{SYNCTHING}.json", {"t": {}})
    good = later_good_copy(location)
    real = layout.read_regular_file

    def failing(path: Path, **kwargs: Any) -> tuple[os.stat_result, bytes | None]:
        if path == unreadable:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))
        return real(path, **kwargs)

    monkeypatch.setattr(layout, "read_regular_file", failing)
    result = merge_sync_copies(location)
    assert result.left == [f"{unreadable.name} (cannot be read: {os.strerror(errno.EIO)})"]
    assert unreadable.exists()
    assert_merged(location, good, result)


def test_an_original_that_cannot_be_read_leaves_its_copy_and_not_the_next(
    location: Path,
) -> None:
    (location / "a.json").mkdir()
    copy = write(location / f"a{SYNCTHING}.json", {"t": {}})
    good = later_good_copy(location)
    result = merge_sync_copies(location)
    assert result.left == [f"{copy.name} (its original cannot be read: Is a directory)"]
    assert copy.exists()
    assert_merged(location, good, result)


def test_a_copy_that_cannot_be_logged_does_not_stop_the_next(location: Path) -> None:
    write(location / "a.json", {"t": {"x": note("mine", 2)}})
    write(location / f"a{SYNCTHING}.json", {"t": {"x": note("theirs", 3)}})
    (location / "conflicts.json").mkdir()
    good = later_good_copy(location)
    result = merge_sync_copies(location)
    assert len(result.left) == 1
    assert_merged(location, good, result)


def test_conflicts_of_every_copy_are_counted_and_logged_with_file_and_source(
    location: Path,
) -> None:
    write(location / "annotations" / "d.json", {"t": {"x": note("mine", 2)}})
    first = write(location / "annotations" / f"d{SYNCTHING}.json", {"t": {"x": note("a", 3)}})
    write(location / "index.json", {"t": {"y": note("mine", 2)}})
    second = write(location / "index (conflicted copy 2025-01-02).json", {"t": {"y": note("b", 3)}})
    result = merge_sync_copies(location)
    assert result.conflicts == 2
    logged = {(e["file"], e["source"]) for e in read_conflicts(location)}
    assert logged == {
        ("annotations/d.json", f"Syncthing copy annotations/{first.name}"),
        ("index.json", f"Dropbox copy {second.name}"),
    }


def test_the_first_copy_of_a_name_already_in_merged_is_numbered_one(location: Path) -> None:
    write(location / "index.json", {"t": {}})
    write(location / "merged" / f"index{SYNCTHING}.json", {"first": {}})
    write(location / f"index{SYNCTHING}.json", {"t": {}})
    merge_sync_copies(location)
    assert (location / "merged" / f"index{SYNCTHING}.json.1").exists()
