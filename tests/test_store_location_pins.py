"""Where a folder's store goes, what the user is told, and which leftovers are swept.

``place`` is tested on real folders: a read-only one is stood in for by
failing creates under it (as in ``reliability/test_fallback_merge.py``), since
the tests may run as root, for whom permission bits do not stop a write.
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from reliability.disks import unwritable

from ipreader.core.paths import fallback_store_dir, folder_store_dir
from ipreader.core.store.location import (
    place,
    probe_writable,
    set_aside_odd_lock,
    sweep_stale_temp_files,
    unsafe_location,
)
from ipreader.core.store.lock import FolderLock

ID = "01234567-89ab-4def-8123-456789abcdef"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    return folder


# ------------------------------------------------------------------ place


def test_a_writable_folder_keeps_its_store_inside_and_nothing_is_said(root: Path) -> None:
    placed = place(root, use_fallback=False)
    primary = folder_store_dir(root)
    assert (placed.location, placed.notice, placed.refusal) == (primary, None, None)
    assert (placed.merge_from, placed.merge_back) == (None, False)
    assert (primary / "annotations").is_dir()
    assert [p.name for p in primary.rglob("*")] == ["annotations"]  # the probes are gone
    assert not fallback_store_dir(root).exists()


def test_a_fallback_used_meanwhile_is_merged_back(root: Path) -> None:
    fallback = fallback_store_dir(root)
    fallback.mkdir(parents=True)
    (fallback / "index.json").write_text("{}", encoding="utf-8")
    placed = place(root, use_fallback=False)
    assert placed.location == folder_store_dir(root)
    assert (placed.merge_from, placed.merge_back) == (fallback, True)


def test_a_fallback_without_an_index_is_not_merged(root: Path) -> None:
    fallback_store_dir(root).mkdir(parents=True)
    placed = place(root, use_fallback=False)
    assert (placed.merge_from, placed.merge_back) == (None, False)


def test_the_fallback_chosen_by_the_caller_is_silent_and_never_writes_the_folder(
    root: Path,
) -> None:
    placed = place(root, use_fallback=True)
    fallback = fallback_store_dir(root)
    assert (placed.location, placed.notice, placed.refusal, placed.merge_from) == (
        fallback,
        None,
        None,
        None,
    )
    assert (fallback / "annotations").is_dir()
    assert not folder_store_dir(root).exists()


def test_a_missing_articles_folder_is_never_created(tmp_path: Path) -> None:
    root = tmp_path / "not-there"
    placed = place(root, use_fallback=False)
    assert placed.location == fallback_store_dir(root)
    assert placed.notice is not None and "No such file or directory" in placed.notice
    assert not root.exists()


def test_a_linked_store_is_not_used_and_the_notice_says_why(root: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.json").write_text("{}", encoding="utf-8")
    primary = folder_store_dir(root)
    primary.symlink_to(elsewhere)
    placed = place(root, use_fallback=False)
    fallback = fallback_store_dir(root)
    assert placed.location == fallback and placed.refusal is None
    assert placed.notice == (
        f"{primary} is not used: {primary} is a symbolic link, and ipreader keeps a "
        f"folder's annotations only inside the folder, so it never follows one; "
        f"annotations for {root} are saved in {fallback}"
    )
    assert placed.merge_from is None  # nothing is read through the link either
    assert sorted(p.name for p in elsewhere.iterdir()) == ["index.json"]


def test_a_linked_annotations_directory_is_not_used(root: Path, tmp_path: Path) -> None:
    primary = folder_store_dir(root)
    primary.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (primary / "annotations").symlink_to(tmp_path / "elsewhere")
    assert unsafe_location(primary) == (
        f"{primary / 'annotations'} is a symbolic link, and ipreader keeps a folder's "
        "annotations only inside the folder, so it never follows one"
    )
    assert place(root, use_fallback=False).location == fallback_store_dir(root)


def test_a_store_path_that_is_a_file_is_named_by_its_kind(root: Path) -> None:
    primary = folder_store_dir(root)
    primary.write_text("not a store", encoding="utf-8")
    assert unsafe_location(primary) == f"{primary} is a regular file, not a directory"
    primary.unlink()
    primary.mkdir()
    (primary / "annotations").write_text("x", encoding="utf-8")
    assert unsafe_location(primary) == (
        f"{primary / 'annotations'} is a regular file, not a directory"
    )


def test_a_store_path_that_cannot_be_examined_says_why(tmp_path: Path) -> None:
    file = tmp_path / "a-file"
    file.write_text("x", encoding="utf-8")
    directory = file / ".ipreader"
    assert unsafe_location(directory) == f"{directory} cannot be examined (Not a directory)"


def test_a_read_only_folder_uses_the_fallback_and_merges_its_own_store_in(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    primary, fallback = folder_store_dir(root), fallback_store_dir(root)
    primary.mkdir()
    with unwritable(monkeypatch, root):
        bare = place(root, use_fallback=False)
    assert bare.location == fallback and bare.refusal is None
    assert bare.notice == (
        f"{primary} cannot be written (Permission denied); annotations for {root} are "
        f"saved in {fallback}"
    )
    assert bare.merge_from is None  # no index: nothing to merge
    (primary / "index.json").write_text("{}", encoding="utf-8")
    with unwritable(monkeypatch, root):
        assert place(root, use_fallback=False).merge_from == primary


def test_nowhere_writable_is_a_refusal_naming_both_places(
    root: Path, monkeypatch: pytest.MonkeyPatch, isolated_data_dir: Path
) -> None:
    primary, fallback = folder_store_dir(root), fallback_store_dir(root)
    with unwritable(monkeypatch, root, isolated_data_dir):
        placed = place(root, use_fallback=False)
    assert placed.location == fallback and placed.notice is None
    assert str(placed.refusal) == (
        f"neither {primary} (Permission denied) nor {fallback} (Permission denied) can be "
        f"written; annotations for {root} are read-only"
    )
    primary.mkdir()
    (primary / "index.json").write_text("{}", encoding="utf-8")
    with unwritable(monkeypatch, root, isolated_data_dir):
        assert place(root, use_fallback=False).location == primary  # read where it is


def test_a_linked_store_with_nowhere_writable_is_read_from_neither(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_data_dir: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.json").write_text("{}", encoding="utf-8")
    folder_store_dir(root).symlink_to(elsewhere)
    with unwritable(monkeypatch, isolated_data_dir):
        placed = place(root, use_fallback=False)
    assert placed.location == fallback_store_dir(root)
    assert placed.refusal is not None


def test_an_unwritable_chosen_fallback_is_a_refusal_naming_it(
    root: Path, monkeypatch: pytest.MonkeyPatch, isolated_data_dir: Path
) -> None:
    fallback = fallback_store_dir(root)
    with unwritable(monkeypatch, isolated_data_dir):
        placed = place(root, use_fallback=True)
    assert placed.location == fallback
    assert str(placed.refusal) == (
        f"{fallback} cannot be written (Permission denied); annotations for {root} are read-only"
    )
    assert not folder_store_dir(root).exists()


def test_probe_writable_creates_parents_only_when_asked(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "store"
    assert probe_writable(deep, parents=False) == "No such file or directory"
    assert not (tmp_path / "a").exists()
    assert probe_writable(deep, parents=True) is None
    assert sorted(p.name for p in deep.iterdir()) == ["annotations"]
    assert list((deep / "annotations").iterdir()) == []


# ------------------------------------------------------------------ odd lock files


def test_a_regular_or_missing_lock_file_is_left_alone(tmp_path: Path) -> None:
    assert set_aside_odd_lock(tmp_path) is None
    (tmp_path / "lock").write_text("", encoding="utf-8")
    assert set_aside_odd_lock(tmp_path) is None
    assert (tmp_path / "lock").is_file()


def test_a_lock_that_is_a_directory_is_moved_aside_and_named(tmp_path: Path) -> None:
    (tmp_path / "lock").mkdir()
    (tmp_path / "lock" / "inside").write_text("kept", encoding="utf-8")
    notice = set_aside_odd_lock(tmp_path)
    [moved] = tmp_path.glob("lock.corrupt-*")
    assert notice == (
        f"{tmp_path / 'lock'} was a directory, not a lock file; it was moved aside to {moved}"
    )
    assert (moved / "inside").read_text(encoding="utf-8") == "kept"
    assert not (tmp_path / "lock").exists()


def test_a_lock_that_is_a_link_is_moved_aside_and_its_target_kept(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_text("someone else's", encoding="utf-8")
    store = tmp_path / "store"
    store.mkdir()
    (store / "lock").symlink_to(target)
    notice = set_aside_odd_lock(store)
    assert notice is not None and "was a symbolic link, not a lock file" in notice
    assert target.read_text(encoding="utf-8") == "someone else's"
    assert not os.path.lexists(store / "lock")


# ------------------------------------------------------------------ stale temp files


def temp(folder: Path, name: str, *, age: float = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("partial", encoding="utf-8")
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    return path


def test_store_temp_files_go_at_once_and_unlocked_ones_once_old(tmp_path: Path) -> None:
    location = tmp_path / "store"
    annotations = location / "annotations"
    gone = [
        temp(location, ".tmp-index.json-abc"),
        temp(location, ".tmp-state.json-abc"),
        temp(annotations, f".tmp-{ID}.json-abc"),
        temp(annotations / ID, ".tmp-0.json-abc"),  # a bucket file's
        temp(location, ".tmp-cache.json-old", age=601),
        temp(annotations, ".tmp-probe-old", age=601),
    ]
    kept = [
        temp(location, ".tmp-cache.json-young", age=590),  # its writer may be alive
        temp(annotations, ".tmp-probe-young"),
        temp(location, ".tmp-probe-x"),
        temp(location, "index.json"),  # not a temp file
    ]
    (location / ".tmp-dir").mkdir()

    sweep_stale_temp_files(location, FolderLock(location / "lock", timeout=1))

    assert [p for p in gone if os.path.lexists(p)] == []
    assert [p for p in kept if not p.exists()] == []
    assert (location / ".tmp-dir").is_dir()


def test_nothing_is_swept_while_another_writer_holds_the_lock(tmp_path: Path) -> None:
    location = tmp_path / "store"
    leftover = temp(location / "annotations", f".tmp-{ID}.json-abc", age=3600)
    other = FileLock(str(location / "lock"))
    other.acquire()
    try:
        sweep_stale_temp_files(location, FolderLock(location / "lock", timeout=1))
    finally:
        other.release()
    assert leftover.exists()


def test_a_linked_bucket_directory_is_not_swept(tmp_path: Path) -> None:
    location = tmp_path / "store"
    outside = tmp_path / "outside"
    victim = temp(outside, ".tmp-0.json-abc")
    (location / "annotations").mkdir(parents=True)
    (location / "annotations" / ID).symlink_to(outside)
    sweep_stale_temp_files(location, FolderLock(location / "lock", timeout=1))
    assert victim.exists()


def test_a_lock_directory_that_cannot_be_moved_aside_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lock").mkdir()

    def refusing(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(source))

    monkeypatch.setattr(os, "replace", refusing)
    assert set_aside_odd_lock(tmp_path) == (
        f"{tmp_path / 'lock'} is a directory and cannot be moved aside ({os.strerror(errno.EBUSY)})"
    )
    assert (tmp_path / "lock").is_dir()


def test_a_temp_directory_does_not_stop_the_sweep(tmp_path: Path) -> None:
    location = tmp_path / "store"
    # Directories among the files whatever order the file system lists them in.
    first = [temp(location, f".tmp-index.json-{n}") for n in range(15)]
    for n in range(3):
        (location / f".tmp-dir-{n}").mkdir()
    last = [temp(location, f".tmp-state.json-{n}") for n in range(15)]
    sweep_stale_temp_files(location, FolderLock(location / "lock", timeout=1))
    assert [p.name for p in (*first, *last) if p.exists()] == []
    assert len(list(location.glob(".tmp-dir-*"))) == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_a_read_only_index_makes_the_folder_unwritable(root: Path) -> None:
    primary = folder_store_dir(root)
    primary.mkdir()
    (primary / "index.json").write_text("{}", encoding="utf-8")
    (primary / "index.json").chmod(0o444)
    assert probe_writable(primary, parents=False) == f"{primary / 'index.json'} is read-only"
