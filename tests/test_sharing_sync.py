"""Sync tools' conflict copies in a store merged on open; an article registered twice joined."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.sharing.conflict_log import read_conflicts
from ipreader.core.sharing.sync_copies import find_sync_copies, sync_copy
from ipreader.core.store import FolderStore

TEXT = "The quick brown fox jumps over the lazy dog. " * 4

# (tool, the copy's name made from "<stem>", "<ext>")
NAMINGS = [
    ("Syncthing", "{stem}.sync-conflict-20250102-150405-ABCDEFG{ext}"),
    ("Dropbox", "{stem} (conflicted copy 2025-01-02){ext}"),
    ("Dropbox", "{stem} (Jane Doe's conflicted copy 2025-01-02){ext}"),
    ("Nextcloud", "{stem} (conflicted copy 2025-01-02 150405){ext}"),
]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT)
    (folder / "b.txt").write_text(TEXT)
    return folder


def highlight(relpath: str, start: int, end: int, **kw: Any) -> Annotation:
    return Annotation.create(TEXT, start, end, relpath, **kw)


def annotations_file(store: FolderStore, relpath: str) -> Path:
    index = json.loads((store.location / "index.json").read_text())
    [docid] = [k for k, v in index["documents"].items() if v["relpath"] == relpath]
    return store.location / "annotations" / f"{docid}.json"


@pytest.mark.parametrize(("tool", "naming"), NAMINGS)
def test_each_tools_naming_is_recognised(tool: str, naming: str) -> None:
    copy = sync_copy(Path("/s/.ipreader") / naming.format(stem="index", ext=".json"))
    assert copy is not None and copy.tool == tool
    assert copy.original == Path("/s/.ipreader/index.json")
    assert sync_copy(Path("/s/.ipreader/index.json")) is None
    assert sync_copy(Path("/s/.ipreader/index (copy).json")) is None


@pytest.mark.parametrize(("tool", "naming"), NAMINGS)
def test_an_annotation_file_copy_is_merged_on_open_and_moved_aside(
    root: Path, tool: str, naming: str
) -> None:
    store = FolderStore.open(root)
    mine = highlight("a.txt", 4, 9, note="mine")
    store.save_annotation(mine)
    path = annotations_file(store, "a.txt")
    # The other machine's version: the same file with another highlight, and mine edited.
    theirs = highlight("a.txt", 10, 15, note="theirs")
    edited = mine.edited(note="edited there")
    other = json.loads(path.read_text())
    other["annotations"] = {edited.id: edited.to_dict(), theirs.id: theirs.to_dict()}
    copy = path.with_name(naming.format(stem=path.stem, ext=".json"))
    copy.write_text(json.dumps(other))

    reopened = FolderStore.open(root)
    notes = {a.note for a in reopened.annotations("a.txt")}
    assert notes == {"edited there", "theirs"}
    assert not copy.exists()
    assert (store.location / "merged" / copy.name).read_text() == json.dumps(other)
    [notice] = [n for n in reopened.notices.all() if "sync conflict" in n]
    assert "merged 1 sync conflict copy" in notice and tool in notice
    [logged] = read_conflicts(store.location)
    assert logged["lost"]["note"] == "mine" and logged["kept"]["note"] == "edited there"
    assert find_sync_copies(store.location) == []


def test_an_index_copy_brings_the_other_machines_documents(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt", 4, 9))
    store.set_document_notes("a.txt", DocumentNotes(("mine",), ""))
    index = store.location / "index.json"
    saved = index.read_bytes()
    # The other machine annotated b.txt and tagged a.txt; its index conflicted with ours.
    other_machine = FolderStore.open(root)
    other_machine.save_annotation(highlight("b.txt", 0, 3, note="on b"))
    other_machine.set_document_notes("a.txt", DocumentNotes(("mine", "theirs"), ""))
    shutil.copy(index, index.with_name("index (conflicted copy 2025-01-02).json"))
    index.write_bytes(saved)

    reopened = FolderStore.open(root)
    assert [a.note for a in reopened.annotations("b.txt")] == ["on b"]
    assert reopened.document_notes("a.txt").tags == ("mine", "theirs")


def test_an_unreadable_copy_is_moved_aside_unmerged_with_a_notice(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt", 4, 9))
    before = (store.location / "index.json").read_bytes()
    copy = store.location / "index.sync-conflict-20250102-150405-ABCDEFG.json"
    copy.write_text("{half a file")
    reopened = FolderStore.open(root)
    assert (store.location / "index.json").read_bytes() == before
    assert (store.location / "merged" / copy.name).read_text() == "{half a file"
    assert any("unmerged" in n and copy.name in n for n in reopened.notices.all())
    assert len(reopened.annotations("a.txt")) == 1


def test_copies_of_the_cache_and_the_lock_are_moved_aside_unmerged(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt", 4, 9))
    cache = store.location / "cache (conflicted copy 2025-01-02).json"
    cache.write_text('{"version": 2, "entries": {}}')
    lock = store.location / "lock.sync-conflict-20250102-150405-ABCDEFG"
    lock.write_text("")
    reopened = FolderStore.open(root)
    assert not cache.exists() and not lock.exists()
    assert sorted(p.name for p in (store.location / "merged").iterdir()) == sorted(
        [cache.name, lock.name]
    )
    [notice] = [n for n in reopened.notices.all() if "unmerged" in n]
    assert "a copy of the cache" in notice and "not a store file" in notice


def test_a_copy_whose_original_is_gone_becomes_the_original(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt", 4, 9, note="kept"))
    state = store.location / "state.json"
    store.set_last_document("a.txt")
    copy = state.with_name("state.sync-conflict-20250102-150405-ABCDEFG.json")
    state.rename(copy)
    reopened = FolderStore.open(root)
    assert reopened.last_document() == "a.txt" and not copy.exists()


def test_two_copies_of_one_article_registered_twice_are_joined(root: Path) -> None:
    """Two coders registered a.txt, each under a new random id; after a sync (or a git
    merge) the index lists both."""
    first = FolderStore.open(root)
    first.save_annotation(highlight("a.txt", 4, 9, note="coder one"))
    first.set_document_notes("a.txt", DocumentNotes(("one",), "note one"))
    location = first.location
    index = json.loads((location / "index.json").read_text())
    [(_docid, doc)] = index["documents"].items()
    other_id = "00000000-0000-4000-8000-000000000000"  # the other coder's random id
    other = json.loads(annotations_file(first, "a.txt").read_text())
    other["annotations"] = {
        a.id: a.to_dict() for a in [highlight("a.txt", 10, 15, note="coder two")]
    }
    (location / "annotations" / f"{other_id}.json").write_text(json.dumps(other))
    index["documents"][other_id] = {**doc, "tags": ["two"], "note": "note two"}
    (location / "index.json").write_text(json.dumps(index))

    reopened = FolderStore.open(root)
    assert {a.note for a in reopened.annotations("a.txt")} == {"coder one", "coder two"}
    notes = reopened.document_notes("a.txt")
    assert set(notes.tags) == {"one", "two"}
    assert "note one" in notes.note and "note two" in notes.note
    assert any("twice" in n for n in reopened.notices.all())
    # The later record stays, emptied, so that the other copy's next changes still merge.
    documents = json.loads((location / "index.json").read_text())["documents"]
    [later] = [k for k in documents if k != other_id]
    assert documents[later]["tags"] == [] and documents[later]["note"] == ""
    later_file = json.loads((location / "annotations" / f"{later}.json").read_text())
    assert later_file["annotations"] == {}
    again = FolderStore.open(root)  # draining again changes nothing
    assert not any("twice" in n for n in again.notices.all())
    assert {a.note for a in again.annotations("a.txt")} == {"coder one", "coder two"}
