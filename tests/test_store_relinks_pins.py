"""Relinking documents in one batch: what moves, what is refused, and that refusing changes nothing.

Companion of the relink tests in ``test_store_trust.py``, through the public
``FolderStore.relink_many`` on a real folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.store import FolderStore, RelinkRefused

TEXT = "The quick brown fox jumps over the lazy dog. A second sentence follows it here.\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(TEXT, encoding="utf-8")
    return folder


def highlight(relpath: str, start: int = 16, end: int = 19, note: str = "") -> Annotation:
    return Annotation.create(TEXT, start, end, relpath, note=note)


def stored_bytes(store: FolderStore) -> dict[str, bytes]:
    return {
        str(p.relative_to(store.location)): p.read_bytes()
        for p in sorted(store.location.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


@pytest.mark.parametrize(
    "occupied",
    [
        pytest.param(lambda s: s.save_annotation(highlight("b.txt", 4, 9)), id="annotations"),
        pytest.param(lambda s: s.set_document_notes("b.txt", DocumentNotes(("t",), "")), id="tags"),
        pytest.param(
            lambda s: s.set_document_notes("b.txt", DocumentNotes((), "a note")), id="note"
        ),
    ],
)
def test_a_new_path_holding_its_own_data_is_refused_and_nothing_changes(
    root: Path, occupied: Callable[[FolderStore], None]
) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt", note="mine"))
    occupied(store)
    before = stored_bytes(store)

    result = store.relink_many({"a.txt": "b.txt"})

    [refused] = result.values()
    assert isinstance(refused, RelinkRefused)
    assert str(refused) == (
        "b.txt already has its own annotations, tags or note; a.txt not relinked (nothing changed)"
    )
    assert stored_bytes(store) == before
    assert [a.note for a in FolderStore.open(root).annotations("a.txt")] == ["mine"]


def test_a_batch_relinks_what_it_can_and_says_why_not_for_the_rest(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotations(
        [highlight("a.txt", note="a1"), highlight("a.txt", 4, 9, note="a2"), highlight("c.txt")]
    )
    store.set_reading_position("b.txt", 7)  # a record holding only a position: replaced

    result = store.relink_many({"a.txt": "b.txt", "gone.txt": "d.txt", "c.txt": "e.txt"})

    assert result["a.txt"] == 2 and result["c.txt"] == 1
    assert isinstance(result["gone.txt"], RelinkRefused)
    assert str(result["gone.txt"]) == "gone.txt: nothing is stored for it"
    fresh = FolderStore.open(root)
    assert sorted(a.note for a in fresh.annotations("b.txt")) == ["a1", "a2"]
    assert {a.document for a in fresh.annotations("b.txt")} == {"b.txt"}
    assert [a.document for a in fresh.annotations("e.txt")] == ["e.txt"]
    assert set(fresh.indexed_paths()) == {"b.txt", "e.txt"}
    # Every annotation record names its new path, so a rebuilt index finds it there.
    records = [
        row["document"]
        for file in (fresh.location / "annotations").glob("*.json")
        for row in json.loads(file.read_text(encoding="utf-8"))["annotations"].values()
    ]
    assert sorted(records) == ["b.txt", "b.txt", "e.txt"]


def test_the_last_document_follows_only_its_own_relink(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotations([highlight("a.txt"), highlight("b.txt", 4, 9)])
    store.set_last_document("a.txt")
    refused = store.relink_many({"a.txt": "b.txt"})["a.txt"]
    assert isinstance(refused, RelinkRefused)
    assert FolderStore.open(root).last_document() == "a.txt"

    store.relink_many({"b.txt": "d.txt"})  # another document: the last one stays
    assert FolderStore.open(root).last_document() == "a.txt"

    store.relink_many({"a.txt": "e.txt"})
    assert FolderStore.open(root).last_document() == "e.txt"


def test_a_relinked_document_without_annotations_moves_its_notes(root: Path) -> None:
    store = FolderStore.open(root)
    store.set_document_notes("a.txt", DocumentNotes(("kept",), "a note"))
    assert store.relink_many({"a.txt": "d.txt"}) == {"a.txt": 0}
    fresh = FolderStore.open(root)
    assert fresh.document_notes("d.txt") == DocumentNotes(("kept",), "a note")
    assert not fresh.has_document("a.txt")


def test_a_refused_relink_does_not_stop_the_rest_of_the_batch(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotations([highlight("a.txt"), highlight("b.txt", 4, 9), highlight("c.txt")])
    result = store.relink_many({"a.txt": "b.txt", "c.txt": "d.txt"})
    assert isinstance(result["a.txt"], RelinkRefused)
    assert result["c.txt"] == 1
    assert [a.document for a in FolderStore.open(root).annotations("d.txt")] == ["d.txt"]
