"""FolderStore: checked saves (revision and text), relinks that survive an index rebuild."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from ipreader.core.documents import read_document
from ipreader.core.fingerprint import parse_fingerprint
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.revisions import ConflictError
from ipreader.core.store import FolderStore, RelinkRefused
from ipreader.core.text_version import StaleTextError, TextVersion

TEXT = "The quick brown fox jumps over the lazy dog. A second sentence follows it here.\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def saved(root: Path) -> tuple[FolderStore, Annotation]:
    store = FolderStore.open(root)
    store.reconcile("a.txt", sha(TEXT), TEXT)
    fox = Annotation.create(TEXT, 16, 19, "a.txt", note="first")
    store.save_annotation(fox)
    return store, fox


# ------------------------------------------------------------------ checked saves


def test_a_save_based_on_the_stored_version_is_written(root: Path) -> None:
    store, fox = saved(root)
    version = TextVersion.of(read_document(root / "a.txt"))
    edited = fox.edited(note="second")
    assert store.save_edit("a.txt", fox.id, edited, base=fox, text=version) is True
    assert FolderStore.open(root).annotations("a.txt") == [edited]


def test_a_second_instance_never_loses_the_first_ones_note(root: Path) -> None:
    """The issue's case: two instances edit the same highlight; the last save must not win."""
    first, fox = saved(root)
    second = FolderStore.open(root)
    theirs = fox.edited(note="from the first instance")
    first.save_edit("a.txt", fox.id, theirs, base=fox)
    mine = fox.edited(note="from the second instance")
    with pytest.raises(ConflictError) as raised:
        second.save_edit("a.txt", fox.id, mine, base=fox)
    assert raised.value.stored == theirs and raised.value.mine == mine
    assert FolderStore.open(root).annotations("a.txt") == [theirs]


def test_deleting_an_annotation_edited_elsewhere_is_refused(root: Path) -> None:
    store, fox = saved(root)
    theirs = fox.edited(note="edited elsewhere")
    FolderStore.open(root).save_edit("a.txt", fox.id, theirs, base=fox)
    with pytest.raises(ConflictError):
        store.save_edit("a.txt", fox.id, None, base=fox)
    assert FolderStore.open(root).annotations("a.txt") == [theirs]
    assert store.save_edit("a.txt", fox.id, None, base=theirs) is True
    assert FolderStore.open(root).annotations("a.txt") == []


def test_a_highlight_is_never_saved_against_a_changed_text(root: Path) -> None:
    store, _ = saved(root)
    version = TextVersion.of(read_document(root / "a.txt"))
    (root / "a.txt").write_text("Inserted first. " + TEXT, encoding="utf-8")
    dog = Annotation.create(TEXT, 40, 43, "a.txt")
    with pytest.raises(StaleTextError, match="changed on disk"):
        store.save_edit("a.txt", dog.id, dog, base=None, text=version)
    assert [a.id for a in FolderStore.open(root).annotations("a.txt")] != [dog.id]
    assert all(a.id != dog.id for a in FolderStore.open(root).annotations("a.txt"))


# ------------------------------------------------------------------ fingerprints and relinks


def test_a_registered_document_keeps_a_sketch_of_its_text(root: Path) -> None:
    store, _ = saved(root)
    sketch = parse_fingerprint(store.stored_documents()["a.txt"].fingerprint)
    assert sketch is not None and sketch[0] == len(TEXT.split())


def test_a_changed_text_gets_a_new_sketch(root: Path) -> None:
    store, _ = saved(root)
    before = store.stored_documents()["a.txt"].fingerprint
    edited = TEXT.replace("lazy dog", "sleepy cat")
    store.reconcile("a.txt", sha(edited), edited)
    assert store.stored_documents()["a.txt"].fingerprint not in ("", before)


def test_relink_moves_annotations_notes_and_last_document(root: Path) -> None:
    store, fox = saved(root)
    store.set_document_notes("a.txt", DocumentNotes(("kept",), "a note"))
    store.set_last_document("a.txt")
    (root / "a.txt").rename(root / "b.txt")
    assert store.relink("a.txt", "b.txt") == 1
    fresh = FolderStore.open(root)
    assert [a.id for a in fresh.annotations("b.txt")] == [fox.id]
    assert fresh.annotations("b.txt")[0].document == "b.txt"
    assert fresh.document_notes("b.txt") == DocumentNotes(("kept",), "a note")
    assert fresh.last_document() == "b.txt"
    assert fresh.annotations("a.txt") == []


def test_a_relink_survives_an_index_rebuild(root: Path) -> None:
    """Every record naming the old path is rewritten, so a rebuilt index keeps the new one."""
    store, fox = saved(root)
    (root / "a.txt").rename(root / "b.txt")
    store.relink("a.txt", "b.txt")
    (store.location / "index.json").write_text("{ damaged", encoding="utf-8")
    rebuilt = FolderStore.open(root)
    assert [a.id for a in rebuilt.annotations("b.txt")] == [fox.id]
    assert rebuilt.annotations("a.txt") == []


def test_relink_refuses_to_mix_two_documents(root: Path) -> None:
    store, _ = saved(root)
    (root / "b.txt").write_text(TEXT, encoding="utf-8")
    store.save_annotation(Annotation.create(TEXT, 4, 9, "b.txt"))
    with pytest.raises(RelinkRefused, match="already has"):
        store.relink("a.txt", "b.txt")
    with pytest.raises(RelinkRefused, match="nothing is stored"):
        store.relink("never.txt", "b.txt")
    assert len(FolderStore.open(root).annotations("a.txt")) == 1


def test_relink_replaces_a_record_holding_only_a_position(root: Path) -> None:
    store, fox = saved(root)
    (root / "b.txt").write_text(TEXT, encoding="utf-8")
    store.set_reading_position("b.txt", 12)
    store.relink("a.txt", "b.txt")
    assert [a.id for a in FolderStore.open(root).annotations("b.txt")] == [fox.id]


def test_reconcile_adoption_rewrites_the_annotation_records(root: Path) -> None:
    store, fox = saved(root)
    (root / "a.txt").rename(root / "renamed.txt")
    FolderStore.open(root).reconcile("renamed.txt", sha(TEXT), TEXT)
    (store.location / "index.json").write_text("[]", encoding="utf-8")
    rebuilt = FolderStore.open(root)
    assert [replace(a, document="x") for a in rebuilt.annotations("renamed.txt")] == [
        replace(fox, document="x")
    ]
