"""Pins of the store's front (``store/folder_store.py``) through its public methods."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability.disks import unwritable

from ipreader.core.codebook import Rename, describe
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.notices import Notices
from ipreader.core.store import FolderStore

TEXT = "The quick brown fox jumps over the lazy dog. The dog sleeps in the sun.\n"
MOVED = "A new first line.\n" + TEXT


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(TEXT, encoding="utf-8")
    return folder


def quote(relpath: str, words: str, text: str = TEXT) -> Annotation:
    start = text.index(words)
    return Annotation.create(text, start, start + len(words), relpath, note=words)


def saved(root: Path) -> FolderStore:
    """A store holding one highlight in each of a.txt and b.txt, anchored in TEXT."""
    store = FolderStore.open(root)
    for relpath in ("a.txt", "b.txt"):
        store.reconcile(relpath, sha(TEXT), TEXT)
        store.save_annotation(quote(relpath, "lazy dog"))
    return store


# ---------------------------------------------------------------- opening


def test_the_notices_given_to_open_are_the_store_s(root: Path) -> None:
    notices = Notices()
    assert FolderStore.open(root, notices=notices).notices is notices
    assert FolderStore(root, root / ".ipreader", notices=notices).notices is notices


# ---------------------------------------------------------------- documents


def test_stored_documents_give_each_document_s_path_hash_notes_and_sketch(root: Path) -> None:
    store = saved(root)
    store.set_document_notes("a.txt", DocumentNotes(("theme",), "about foxes"))
    documents = FolderStore.open(root).stored_documents()
    a = documents["a.txt"]
    assert a.relpath == "a.txt" and a.sha256 == sha(TEXT)
    assert a.notes == DocumentNotes(("theme",), "about foxes")
    assert [x.note for x in a.annotations] == ["lazy dog"]
    assert a.fingerprint != "" and documents["b.txt"].relpath == "b.txt"


def test_a_document_registered_before_it_was_read_has_no_hash_and_no_sketch(root: Path) -> None:
    store = FolderStore.open(root)
    store.set_reading_position("a.txt", 12)
    (only,) = FolderStore.open(root).stored_documents().values()
    assert (only.relpath, only.sha256, only.fingerprint) == ("a.txt", None, "")
    assert FolderStore.open(root).reading_position("a.txt") == 12


def test_has_document_is_true_only_for_a_registered_path(root: Path) -> None:
    store = saved(root)
    assert store.has_document("a.txt") and store.has_document("b.txt")
    assert not store.has_document("c.txt")


def test_a_registered_document_s_tags_and_note_can_be_cleared(root: Path) -> None:
    store = FolderStore.open(root)
    store.set_document_notes("a.txt", DocumentNotes(("theme",), "a note"))
    store.set_document_notes("a.txt", DocumentNotes((), ""))
    assert FolderStore.open(root).document_notes("a.txt") == DocumentNotes()
    assert FolderStore.open(root).has_document("a.txt")


def test_an_unregistered_document_with_nothing_to_remember_is_not_written(root: Path) -> None:
    store = FolderStore.open(root)
    store.set_document_notes("a.txt", DocumentNotes((), ""))
    assert not FolderStore.open(root).has_document("a.txt")


# ---------------------------------------------------------------- edits


def test_a_new_highlight_saved_as_an_edit_registers_its_document(root: Path) -> None:
    store = FolderStore.open(root)
    new = quote("a.txt", "quick brown")
    assert store.save_edit("a.txt", new.id, new, base=None)
    assert [a.note for a in FolderStore.open(root).annotations("a.txt")] == ["quick brown"]


def test_an_edit_that_changes_nothing_says_nothing_was_written(root: Path) -> None:
    store = saved(root)
    (stored,) = store.annotations("a.txt")
    assert store.save_edit("a.txt", stored.id, stored, base=stored) is False
    assert store.save_edit("a.txt", "no-such-id", None, base=None) is False


# ---------------------------------------------------------------- reconcile


def test_reconcile_many_of_an_unknown_document_gives_no_highlights_and_writes_nothing(
    root: Path,
) -> None:
    store = saved(root)
    (root / "c.txt").write_text("Another text entirely.\n")
    result = store.reconcile_many([("c.txt", sha("Another text entirely.\n"), "x")])
    assert result == {"c.txt": []}
    assert not FolderStore.open(root).has_document("c.txt")


def test_reconcile_many_adopts_a_renamed_document_s_highlights(root: Path) -> None:
    store = saved(root)
    (root / "a.txt").rename(root / "renamed.txt")
    result = store.reconcile_many([("renamed.txt", sha(TEXT), TEXT)])
    assert [a.note for a in result["renamed.txt"]] == ["lazy dog"]
    assert [a.document for a in result["renamed.txt"]] == ["renamed.txt"]
    assert not store.has_document("a.txt")


def test_a_document_reconciled_before_its_first_highlight_is_registered_with_its_hash(
    root: Path,
) -> None:
    store = FolderStore.open(root)
    assert store.reconcile_many([("a.txt", sha(TEXT), TEXT)]) == {"a.txt": []}
    store.save_annotation(quote("a.txt", "lazy dog"))
    assert FolderStore.open(root).anchored_sha256("a.txt") == sha(TEXT)


def test_reconcile_many_re_anchors_changed_documents_and_records_their_new_hash(
    root: Path,
) -> None:
    store = saved(root)
    result = store.reconcile_many([("a.txt", sha(MOVED), MOVED), ("b.txt", sha(TEXT), TEXT)])
    (moved,) = result["a.txt"]
    assert MOVED[moved.start : moved.end] == "lazy dog"
    assert [a.start for a in result["b.txt"]] == [TEXT.index("lazy dog")]
    reopened = FolderStore.open(root)
    assert reopened.anchored_sha256("a.txt") == sha(MOVED)
    assert reopened.annotations("a.txt")[0].start == moved.start


def test_what_another_process_did_meanwhile_is_taken_and_the_rest_still_reconciled(
    root: Path,
) -> None:
    # The documents are read, then re-read under the lock: between the two another
    # process re-anchored a.txt and renamed b.txt away. (A generator gives it the turn.)
    store = saved(root)
    store.reconcile("c.txt", sha(TEXT), TEXT)
    store.save_annotation(quote("c.txt", "quick brown"))
    other = FolderStore.open(root)

    def documents() -> Iterator[tuple[str, str, str]]:
        yield "a.txt", sha(MOVED), MOVED
        yield "b.txt", sha(MOVED), MOVED
        other.reconcile_many([("a.txt", sha(MOVED), MOVED)])
        (root / "b.txt").rename(root / "gone.txt")
        other.relink("b.txt", "gone.txt")
        yield "c.txt", sha(MOVED), MOVED

    result = store.reconcile_many(documents())
    assert result["b.txt"] == []  # no longer there
    (a,) = result["a.txt"]
    assert MOVED[a.start : a.end] == "lazy dog"  # as the other process anchored it
    (c,) = result["c.txt"]
    assert MOVED[c.start : c.end] == "quick brown"
    assert FolderStore.open(root).anchored_sha256("c.txt") == sha(MOVED)


def test_a_store_that_cannot_be_written_re_anchors_in_memory_only(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(root)
    with unwritable(monkeypatch, tmp_path):  # the folder and the per-user fallback alike
        store = FolderStore.open(root)
        assert not store.writable
        result = store.reconcile_many([("a.txt", sha(MOVED), MOVED)])
    (moved,) = result["a.txt"]
    assert MOVED[moved.start : moved.end] == "lazy dog"
    assert FolderStore.open(root).anchored_sha256("a.txt") == sha(TEXT)  # nothing written


def test_opening_a_read_only_folder_says_where_and_what_was_merged_there_in_one_notice(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(root)
    with unwritable(monkeypatch, root):
        notices = FolderStore.open(root).notices.take()
    (notice,) = notices
    where, _, merged = notice.partition("; the annotations in ")
    assert where and str(root) in where
    assert merged.endswith("were merged there (2 highlight(s) of 2 document(s))")


def test_a_lock_that_is_not_a_file_is_moved_aside_and_said(root: Path) -> None:
    store = saved(root)
    lock = store.location / "lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()
    (notice,) = FolderStore.open(root).notices.take()
    assert notice.startswith(f"{lock} was a directory, not a lock file; it was moved aside to ")
    assert not lock.is_dir()  # moved aside, never deleted: its new name is in the notice


def test_an_unknown_document_has_no_anchored_hash(root: Path) -> None:
    store = saved(root)
    assert store.anchored_sha256("a.txt") == sha(TEXT)
    assert store.anchored_sha256("unknown.txt") is None


def test_a_retag_returns_the_codebook_before_and_after(root: Path) -> None:
    store = saved(root)
    store.save_annotation(store.annotations("a.txt")[0].edited(tags=("old",)))
    before = store.update_codebook(lambda book: describe(book, "old", "the old tag"))
    done = store.retag(Rename("old", "new"))
    assert done.codebook_before == before
    assert done.codebook_after == FolderStore.open(root).codebook() != before
    assert done.codebook_after.description("new") == "the old tag"
    assert [after.tags for _before, after in done.highlights] == [("new",)]
