"""Annotation files the index lost are found again, and the notice says exactly what is where.

Companion of ``reliability/test_index_rebuild.py``: the wording of each part
of a recovery notice, which records name a document, and what happens to a
file that names no document, to two lost files of one new document, to a
file whose highlights are older or newer than the folder's, and when the
index or a move cannot be written.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.errors import StoreWriteError
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore
from ipreader.core.store.recovery import Recovery, document_of

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog. The dog sleeps.\n"
DIR = Path("/folder/.ipreader/annotations")
STRAY = "0a0a0a0a-0000-4000-8000-000000000001"
OTHER = "0a0a0a0a-0000-4000-8000-000000000002"


def highlight(relpath: str, quote: str, note: str = "") -> Annotation:
    start = TEXT.index(quote)
    return Annotation.create(TEXT, start, start + len(quote), relpath, note=note)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "folder"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(TEXT, encoding="utf-8")
    return folder


def annotations_dir(root: Path) -> Path:
    return root / ".ipreader" / "annotations"


def write_file(root: Path, doc_id: str, rows: dict[str, Any]) -> Path:
    """An annotations file the index does not list, holding ``rows``."""
    path = annotations_dir(root) / f"{doc_id}.json"
    path.write_text(json.dumps({"annotations": rows}), encoding="utf-8")
    return path


def row(annotation: Annotation) -> dict[str, Any]:
    return annotation.to_dict()


def opened(root: Path) -> tuple[FolderStore, str]:
    store = FolderStore.open(root)
    return store, " ".join(store.notices.take())


# ------------------------------------------------------------------ the notice's wording


def test_an_empty_recovery_says_nothing() -> None:
    assert not Recovery()
    assert Recovery().describe(DIR) == ""
    for field in ("added", "merged", "moved", "left"):
        assert Recovery(**{field: ["x"]})
    assert Recovery(error=StoreWriteError("disk full"))


def test_files_listed_again_are_counted_and_the_first_five_named() -> None:
    names = [f"{n}.json" for n in "abcdefg"]
    assert Recovery(added=names[:2]).describe(DIR) == (
        f"2 annotation file(s) in {DIR} were listed in the index again (a.json, b.json)"
    )
    assert Recovery(added=names).describe(DIR) == (
        f"7 annotation file(s) in {DIR} were listed in the index again "
        "(a.json, b.json, c.json, d.json, e.json and 2 more)"
    )
    assert (
        Recovery(added=names[:5]).describe(DIR).endswith("(a.json, b.json, c.json, d.json, e.json)")
    )


def test_every_part_of_a_notice_in_order() -> None:
    recovery = Recovery(
        added=["a.json"],
        merged=["b.json into c.json (a.txt)"],
        moved=["b.json (merged) -> /x/b.json.merged-1"],
        left=["d.json (no record names its document)"],
    )
    assert recovery.describe(DIR) == (
        f"1 annotation file(s) in {DIR} were listed in the index again (a.json); "
        "highlights were merged from b.json into c.json (a.txt); "
        "moved aside (nothing deleted): b.json (merged) -> /x/b.json.merged-1; "
        "left in place and not shown: d.json (no record names its document)"
    )


def test_a_rebuild_counts_the_files_without_naming_them() -> None:
    recovery = Recovery(added=["a.json", "b.json"], merged=["c.json into a.json (x)"])
    assert recovery.describe(DIR, rebuilding=True) == (
        "the index was rebuilt from 3 annotation file(s)"
    )


def test_an_index_that_could_not_be_written_says_nothing_changed() -> None:
    error = StoreWriteError("disk full")
    recovery = Recovery(added=["a.json"], merged=["b.json into c.json (x)"], error=error)
    assert recovery.describe(DIR) == (
        f"2 annotation file(s) in {DIR} could not be added to the index now (disk full); "
        "nothing was changed, and ipreader tries again on its next start"
    )
    assert recovery.describe(DIR, rebuilding=True) == (
        f"the index could not be rebuilt now (disk full); it is rebuilt from the annotation "
        f"files in {DIR} on the next start"
    )


# ------------------------------------------------------------------ which document a file names


def test_the_document_is_the_first_record_naming_a_usable_path() -> None:
    tables = {
        "annotations": {
            "1": {"document": "../outside.txt"},
            "2": {"document": 7},
            "3": {},
            "4": {"document": "x" * 5000},
            "5": {"document": "a.txt"},
            "6": {"document": "b.txt"},
        }
    }
    assert document_of(tables) == "a.txt"
    assert document_of({"annotations": {"1": {"document": "/etc/passwd"}}}) is None
    assert document_of({}) is None


# ------------------------------------------------------------------ on a real folder


def test_a_lost_file_naming_no_document_is_left_in_place_and_named(root: Path) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    stray = write_file(root, STRAY, {"x": {"quote": "q", "document": "../up.txt"}})
    before = stray.read_bytes()

    store, notice = opened(root)

    assert notice.endswith(
        f"left in place and not shown: {stray.name} (no record names its document)"
    )
    assert stray.read_bytes() == before
    assert [a.quote for a in store.annotations("a.txt")] == ["quick"]


def test_a_lost_empty_file_is_left_alone_and_not_mentioned(root: Path) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    stray = write_file(root, STRAY, {})
    _, notice = opened(root)
    assert notice == ""
    assert stray.exists()


def test_files_not_named_by_a_document_id_are_not_looked_at(root: Path) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    other = annotations_dir(root) / "notes.json"
    other.write_text(json.dumps({"annotations": {"x": row(highlight("b.txt", "fox"))}}))
    store, notice = opened(root)
    assert notice == ""
    assert store.annotations("b.txt") == [] and other.exists()


def test_two_lost_files_of_one_new_document_become_one(root: Path) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    first, second = highlight("b.txt", "fox", "one"), highlight("b.txt", "lazy dog", "two")
    write_file(root, STRAY, {first.id: row(first)})
    later = write_file(root, OTHER, {second.id: row(second)})

    store, notice = opened(root)

    assert sorted(a.note for a in store.annotations("b.txt")) == ["one", "two"]
    assert f"were listed in the index again ({STRAY}.json)" in notice
    assert f"highlights were merged from {OTHER}.json into {STRAY}.json (b.txt)" in notice
    [moved] = annotations_dir(root).glob(f"{OTHER}.json.merged-*")
    assert f"moved aside (nothing deleted): {OTHER}.json (merged) -> {moved}" in notice
    assert not later.exists()
    assert opened(root)[1] == ""  # once


def test_a_lost_file_merges_only_highlights_newer_than_the_folder_s(root: Path) -> None:
    store = FolderStore.open(root)
    kept, replaced = highlight("a.txt", "quick", "v1"), highlight("a.txt", "fox", "v1")
    newer_kept = kept.edited(note="v2 in the folder")
    store.save_annotations([newer_kept, replaced])
    write_file(
        root,
        STRAY,
        {kept.id: row(kept), replaced.id: row(replaced.edited(note="v2 in the lost file"))},
    )

    again, notice = opened(root)

    notes = {a.quote: a.note for a in again.annotations("a.txt")}
    assert notes == {"quick": "v2 in the folder", "fox": "v2 in the lost file"}
    assert f"highlights were merged from {STRAY}.json into" in notice


def test_an_index_that_cannot_be_written_leaves_everything_for_the_next_start(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    lost = highlight("b.txt", "fox", "lost")
    stray = write_file(root, STRAY, {lost.id: row(lost)})
    index = root / ".ipreader" / "index.json"
    before = index.read_bytes()
    real_write = os.write

    def full(fd: int, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", full)
        store, notice = opened(root)
        assert store.annotations("b.txt") == []
    assert os.write is real_write
    assert f"1 annotation file(s) in {annotations_dir(root)} could not be added" in notice
    assert os.strerror(errno.ENOSPC) in notice
    assert "nothing was changed, and ipreader tries again on its next start" in notice
    assert index.read_bytes() == before and stray.exists()

    again, told = opened(root)
    assert [a.note for a in again.annotations("b.txt")] == ["lost"]
    assert "were listed in the index again" in told


def test_a_merged_file_that_cannot_be_moved_aside_is_named_as_left(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    extra = highlight("a.txt", "fox", "from the lost file")
    stray = write_file(root, STRAY, {extra.id: row(extra)})
    real_replace = os.replace

    def refusing(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        if Path(source) == stray:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(source))
        real_replace(source, target, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", refusing)
        store, notice = opened(root)

    assert {a.note for a in store.annotations("a.txt")} == {"", "from the lost file"}
    assert notice.endswith(
        f"left in place and not shown: {stray.name} (merged; cannot be moved: "
        f"{os.strerror(errno.EBUSY)})"
    )
    assert stray.exists()


# ------------------------------------------------------------------ bucket directories


def write_bucket(root: Path, doc_id: str, name: str, rows: dict[str, Any]) -> Path:
    """A bucket file (``<k>-of-<n>.json``) of ``doc_id``'s directory, holding ``rows``."""
    directory = annotations_dir(root) / doc_id
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(json.dumps({"annotations": rows}), encoding="utf-8")
    return path


def test_a_lost_bucket_directory_of_a_new_document_is_listed_with_every_bucket(
    root: Path,
) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    one, two = highlight("b.txt", "fox", "one"), highlight("b.txt", "lazy dog", "two")
    write_bucket(root, STRAY, "0-of-2.json", {one.id: row(one)})
    write_bucket(root, STRAY, "1-of-2.json", {two.id: row(two)})

    store, notice = opened(root)

    assert sorted(a.note for a in store.annotations("b.txt")) == ["one", "two"]
    assert f"were listed in the index again ({STRAY})" in notice


def test_a_lost_bucket_directory_of_a_known_document_is_merged_and_moved_whole(
    root: Path,
) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    extra = highlight("a.txt", "fox", "from a lost bucket")
    directory = write_bucket(root, STRAY, "0-of-2.json", {extra.id: row(extra)}).parent

    store, notice = opened(root)

    assert {a.note for a in store.annotations("a.txt")} == {"", "from a lost bucket"}
    [moved] = annotations_dir(root).glob(f"{STRAY}.merged-*")
    assert (moved / "0-of-2.json").exists() and not directory.exists()
    assert f"{STRAY} (merged) -> {moved}" in notice


def test_a_split_left_half_way_keeps_the_newer_copy_of_each_highlight(root: Path) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    fox, dog = highlight("b.txt", "fox", "v1"), highlight("b.txt", "lazy dog", "v1")
    same = highlight("b.txt", "sleeps", "in the single file")
    # The single file holds a newer fox, a bucket a newer dog; the same version of
    # "sleeps" in both goes to the bucket's copy (the split is the later layout).
    write_file(
        root, STRAY, {fox.id: row(fox.edited(note="v2")), dog.id: row(dog), same.id: row(same)}
    )
    moved_same = {**row(same), "note": "in the bucket"}
    write_bucket(root, STRAY, "0-of-2.json", {fox.id: row(fox), dog.id: row(dog.edited(note="v2"))})
    write_bucket(root, STRAY, "1-of-2.json", {same.id: moved_same})

    store, _ = opened(root)

    notes = {a.quote: a.note for a in store.annotations("b.txt")}
    assert notes == {"fox": "v2", "lazy dog": "v2", "sleeps": "in the bucket"}


def test_a_damaged_bucket_is_moved_aside_and_the_others_still_read(root: Path) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    damaged = write_bucket(root, STRAY, "0-of-2.json", {})
    damaged.write_bytes(b"\x00 not json")
    fine = highlight("b.txt", "fox", "kept")
    write_bucket(root, STRAY, "1-of-2.json", {fine.id: row(fine)})

    store, notice = opened(root)

    assert [a.note for a in store.annotations("b.txt")] == ["kept"]
    [moved] = damaged.parent.glob("0-of-2.json.corrupt-*")
    assert moved.read_bytes() == b"\x00 not json"
    assert "0-of-2.json (" in notice and str(moved) in notice


def test_a_link_named_like_a_document_is_not_followed(root: Path, tmp_path: Path) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    outside = tmp_path / "outside"
    outside.mkdir()
    planted = highlight("b.txt", "fox", "planted")
    (outside / "0-of-2.json").write_text(json.dumps({"annotations": {planted.id: row(planted)}}))
    (annotations_dir(root) / STRAY).symlink_to(outside)

    store, notice = opened(root)

    assert store.annotations("b.txt") == [] and notice == ""
    assert (outside / "0-of-2.json").exists()


# ------------------------------------------------------------------ one file does not stop the rest


def test_a_special_lost_file_is_moved_aside_and_the_next_still_recovered(root: Path) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    fifo = annotations_dir(root) / f"{STRAY}.json"
    os.mkfifo(fifo)
    lost = highlight("b.txt", "fox", "recovered")
    write_file(root, OTHER, {lost.id: row(lost)})

    store, notice = opened(root)

    assert [a.note for a in store.annotations("b.txt")] == ["recovered"]
    [moved] = annotations_dir(root).glob(f"{fifo.name}.corrupt-*")
    assert f"{fifo.name} (" in notice and "FIFO" in notice and str(moved) in notice


def test_an_unreadable_lost_file_is_left_named_and_the_next_still_recovered(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    unreadable = write_file(root, STRAY, {})
    lost = highlight("b.txt", "fox", "recovered")
    write_file(root, OTHER, {lost.id: row(lost)})
    real_open = os.open

    def failing(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path) == unreadable:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))
        return real_open(path, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", failing)
        store, notice = opened(root)

    assert [a.note for a in store.annotations("b.txt")] == ["recovered"]
    assert f"left in place and not shown: {unreadable.name} (" in notice
    assert os.strerror(errno.EIO) in notice
    assert unreadable.exists()


@pytest.mark.parametrize("empty", ["{}", '{"annotations": {}}'])
def test_an_empty_lost_file_does_not_stop_the_next(root: Path, empty: str) -> None:
    FolderStore.open(root).save_annotation(highlight("a.txt", "quick"))
    (annotations_dir(root) / f"{STRAY}.json").write_text(empty, encoding="utf-8")
    lost = highlight("b.txt", "fox", "recovered")
    write_file(root, OTHER, {lost.id: row(lost)})
    store, _ = opened(root)
    assert [a.note for a in store.annotations("b.txt")] == ["recovered"]


def test_a_path_of_the_longest_allowed_length_names_its_document() -> None:
    longest = "d/" * 2047 + "xy"
    assert len(longest) == 4096
    assert document_of({"annotations": {"1": {"document": longest}}}) == longest
    assert document_of({"annotations": {"1": {"document": longest + "z"}}}) is None
