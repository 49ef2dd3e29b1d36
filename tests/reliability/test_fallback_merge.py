"""A read-only folder's per-user fallback and the folder's own store stay one store.

The review found the store split in two: highlights saved in the fallback
while a folder was read-only were not seen once it was writable again
(0 highlights, no notice), and changes made in the folder were never seen by
the fallback, which was seeded once. Now every start merges: the folder's
store into the fallback while the folder is read-only, the fallback back into
the folder (with a notice, the fallback then kept aside) once it is writable.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.paths import fallback_store_dir, folder_store_dir
from ipreader.core.store import FolderStore

from .disks import unwritable as read_only

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog. The dog sleeps.\n"


def highlight(quote: str, note: str = "") -> Annotation:
    start = TEXT.index(quote)
    return Annotation.create(TEXT, start, start + len(quote), "a.txt", note=note)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder


def in_folder_store(root: Path) -> FolderStore:
    """The folder's own store as another user who can write it sees it (no merging)."""
    return FolderStore(root, folder_store_dir(root))


def quotes(store: FolderStore) -> dict[str, str]:
    return {a.quote: a.note for a in store.annotations("a.txt")}


def test_highlights_saved_while_read_only_are_merged_back(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    FolderStore.open(root).save_annotation(highlight("quick", "before"))
    with read_only(monkeypatch, root):
        store = FolderStore.open(root)
        assert store.location == fallback_store_dir(root)
        store.save_annotation(highlight("lazy dog", "while read-only"))
        store.set_document_notes("a.txt", DocumentNotes(("later",), "a note"))

    writable = FolderStore.open(root)

    assert writable.location == folder_store_dir(root)
    assert quotes(writable) == {"quick": "before", "lazy dog": "while read-only"}
    assert writable.document_notes("a.txt") == DocumentNotes(("later",), "a note")
    [notice] = writable.notices.take()
    assert f"{folder_store_dir(root)} can be written again" in notice
    assert "merged back into it (1 highlight(s) of 1 document(s))" in notice
    [kept] = fallback_store_dir(root).parent.glob(f"{fallback_store_dir(root).name}.merged-*")
    assert f"that copy was kept as {kept}" in notice
    assert not fallback_store_dir(root).exists()
    assert FolderStore.open(root).notices.take() == []  # merged once


def test_the_fallback_sees_what_is_saved_in_the_folder_meanwhile(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = highlight("quick", "first")
    FolderStore.open(root).save_annotation(first)
    with read_only(monkeypatch, root):
        FolderStore.open(root).save_annotation(highlight("lazy dog", "mine"))
    # Someone who can write the folder edits the first highlight and adds one.
    owner = in_folder_store(root)
    owner.save_annotation(first.edited(note="edited by the owner"))
    owner.save_annotation(highlight("dog sleeps", "theirs"))

    with read_only(monkeypatch, root):
        store = FolderStore.open(root)
        seen = quotes(store)
        notices = store.notices.take()

    assert seen == {"quick": "edited by the owner", "lazy dog": "mine", "dog sleeps": "theirs"}
    assert any("were merged there (2 highlight(s) of 1 document(s))" in n for n in notices)


def test_edits_on_both_sides_keep_the_newer_highlight_and_both_notes(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = highlight("quick", "v1")
    folder = FolderStore.open(root)
    folder.save_annotation(first)
    folder.set_document_notes("a.txt", DocumentNotes(("a",), "the folder's note"))
    with read_only(monkeypatch, root):
        mine = FolderStore.open(root)
        mine.save_annotation(first.edited(note="v2").edited(note="v3"))
        mine.set_document_notes("a.txt", DocumentNotes(("b",), "my note"))
    in_folder_store(root).save_annotation(first.edited(note="v2 by the owner"))

    merged = FolderStore.open(root)

    assert quotes(merged) == {"quick": "v3"}  # revision 3 beats revision 2
    notes = merged.document_notes("a.txt")
    assert notes.tags == ("a", "b")
    assert "the folder's note" in notes.note and "my note" in notes.note
    assert "both differing notes were kept for a.txt" in merged.notices.take()[0]
