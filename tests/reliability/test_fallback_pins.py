"""Merging a folder's per-user fallback: what each side keeps, and every message in full.

Companion of ``test_fallback_merge.py`` (same read-only stand-in): the
reading position and last document of the store used most recently win; the
store merged from is only read (a damaged file there is reported, not moved);
a fallback in use by another ipreader, or that cannot be moved aside, is said.
"""

from __future__ import annotations

import errno
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from ipreader.core.paths import fallback_store_dir, folder_store_dir
from ipreader.core.store import FolderStore

from .test_fallback_merge import highlight, in_folder_store, quotes, read_only

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog. The dog sleeps.\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "folder"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(TEXT, encoding="utf-8")
    return folder


def saved_while_read_only(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder holds one highlight; the fallback, made while read-only, another."""
    FolderStore.open(root).save_annotation(highlight("quick", "before"))
    with read_only(monkeypatch, root):
        FolderStore.open(root).save_annotation(highlight("lazy dog", "while read-only"))


def damage_an_annotation_file(location: Path) -> Path:
    """Replace one annotations file of ``location`` with bytes that are not JSON."""
    [file] = sorted((location / "annotations").glob("*.json"))[:1]
    file.write_bytes(b"\x00 not json")
    return file


def test_the_position_and_last_document_of_the_fallback_win_when_merged_back(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = FolderStore.open(root)
    folder.save_annotation(highlight("quick"))
    folder.set_reading_position("a.txt", 5)
    folder.set_last_document("a.txt")
    with read_only(monkeypatch, root):
        fallback = FolderStore.open(root)
        fallback.set_reading_position("a.txt", 30)
        fallback.set_last_document("b.txt")

    merged = FolderStore.open(root)

    assert merged.location == folder_store_dir(root)
    assert merged.reading_position("a.txt") == 30
    assert merged.last_document() == "b.txt"


def test_the_fallback_keeps_its_own_position_when_the_folder_is_merged_into_it(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    FolderStore.open(root).save_annotation(highlight("quick"))
    with read_only(monkeypatch, root):
        fallback = FolderStore.open(root)
        fallback.set_reading_position("a.txt", 30)
        fallback.set_last_document("a.txt")
    owner = in_folder_store(root)
    owner.save_annotation(highlight("dog sleeps", "theirs"))
    owner.set_reading_position("a.txt", 5)
    owner.set_last_document("b.txt")

    with read_only(monkeypatch, root):
        again = FolderStore.open(root)
        assert quotes(again) == {"quick": "", "dog sleeps": "theirs"}  # merged in
        assert again.reading_position("a.txt") == 30
        assert again.last_document() == "a.txt"


def test_the_whole_message_of_a_merge_back(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved_while_read_only(root, monkeypatch)
    primary, fallback = folder_store_dir(root), fallback_store_dir(root)

    [notice] = FolderStore.open(root).notices.take()

    [kept] = fallback.parent.glob(f"{fallback.name}.merged-*")
    assert notice == (
        f"{primary} can be written again: the annotations saved in {fallback} while "
        f"{primary} could not be written were merged back into it (1 highlight(s) of "
        f"1 document(s)); that copy was kept as {kept}"
    )


def test_a_fallback_in_use_by_another_ipreader_is_merged_back_later(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_while_read_only(root, monkeypatch)
    primary, fallback = folder_store_dir(root), fallback_store_dir(root)
    other = FileLock(str(fallback / "lock"))
    other.acquire()
    try:
        waiting = FolderStore.open(root)
        notices = waiting.notices.take()
        assert quotes(waiting) == {"quick": "before"}
    finally:
        other.release()
    assert (
        f"the annotations saved in {fallback} while {primary} could not be written are "
        "merged back once no other ipreader is using them"
    ) in notices
    assert fallback.is_dir()  # untouched, and merged on a later start
    assert quotes(FolderStore.open(root)) == {"quick": "before", "lazy dog": "while read-only"}


def test_a_fallback_that_cannot_be_moved_aside_is_said_and_harmless(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_while_read_only(root, monkeypatch)
    primary, fallback = folder_store_dir(root), fallback_store_dir(root)
    real_replace = os.replace

    def refusing(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        if Path(source) == fallback:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(source))
        real_replace(source, target, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", refusing)
        merged = FolderStore.open(root)
        notices = merged.notices.take()

    assert (
        f"{primary} can be written again: the annotations saved in {fallback} while "
        f"{primary} could not be written were merged back into it (1 highlight(s) of "
        f"1 document(s)), but {fallback} could not be moved aside "
        f"({os.strerror(errno.EBUSY)}); merging it again changes nothing"
    ) in notices
    assert quotes(merged) == {"quick": "before", "lazy dog": "while read-only"}
    assert fallback.is_dir()


def test_a_damaged_file_in_the_fallback_is_named_and_kept_where_it_was(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    FolderStore.open(root).save_annotation(highlight("quick", "before"))
    with read_only(monkeypatch, root):
        fallback_store = FolderStore.open(root)
        fallback_store.save_annotation(highlight("lazy dog", "while read-only"))
        fallback_store.save_annotation(replace(highlight("dog sleeps", "in b"), document="b.txt"))
    fallback = fallback_store_dir(root)
    damaged = damage_an_annotation_file(fallback)

    merged = FolderStore.open(root)
    notices = " ".join(merged.notices.take())

    assert damaged.name in notices
    [kept] = fallback.parent.glob(f"{fallback.name}.merged-*")
    # The fallback was only read: its damaged file is kept whole under its own name.
    assert (kept / "annotations" / damaged.name).read_bytes() == b"\x00 not json"
    assert not list((kept / "annotations").glob("*.corrupt-*"))


def test_a_bad_record_in_the_folder_store_is_reported_by_the_fallback(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    FolderStore.open(root).save_annotation(highlight("quick", "before"))
    with read_only(monkeypatch, root):
        FolderStore.open(root).save_annotation(highlight("lazy dog", "mine"))
    [file] = (folder_store_dir(root) / "annotations").glob("*.json")
    tables = json.loads(file.read_text(encoding="utf-8"))
    [key] = tables["annotations"]
    tables["annotations"][key]["note"] = 42
    file.write_text(json.dumps(tables), encoding="utf-8")

    with read_only(monkeypatch, root):
        notices = " ".join(FolderStore.open(root).notices.take())

    assert "note" in notices and file.name in notices
