"""One article registered twice (two coders' records): what the first record gains on open.

Companion of the duplicate test in ``test_sharing_sync.py``: a later record
holding only highlights, only tags or only a note is drained; the newest
version of a highlight wins across three records; one article with nothing
to drain does not stop the next; the first record's reading position stays;
its text hash is cleared when highlights anchored elsewhere join it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.store import FolderStore, folder_store

TEXT = "The quick brown fox jumps over the lazy dog. " * 4
OTHER = "ffffffff-0000-4000-8000-00000000000{}"  # after any random id: a later record


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(TEXT)
    return folder


def highlight(relpath: str, start: int, end: int, note: str = "") -> Annotation:
    return Annotation.create(TEXT, start, end, relpath, note=note)


def register_again(
    store: FolderStore, relpath: str, number: int, annotations: list[Annotation], **fields: Any
) -> None:
    """Add another record of ``relpath`` to the index (as another coder's copy made it)."""
    location = store.location
    index = json.loads((location / "index.json").read_text())
    [record] = [
        r
        for key, r in index["documents"].items()
        if r["relpath"] == relpath and not key.startswith("ffffffff-")
    ]
    other_id = OTHER.format(number)
    rows = {a.id: a.to_dict() for a in annotations}
    (location / "annotations" / f"{other_id}.json").write_text(json.dumps({"annotations": rows}))
    index["documents"][other_id] = {
        **record,
        "annotations": f"{other_id}.json",
        "tags": [],
        "note": "",
        **fields,
    }
    (location / "index.json").write_text(json.dumps(index))


def notes(store: FolderStore, relpath: str = "a.txt") -> set[str]:
    return {a.note for a in store.annotations(relpath)}


@pytest.mark.parametrize(
    ("holding", "expected"),
    [
        ({"highlights": True}, ({"mine", "theirs"}, DocumentNotes((), ""))),
        ({"tags": ["two"]}, ({"mine"}, DocumentNotes(("two",), ""))),
        ({"note": "note two"}, ({"mine"}, DocumentNotes((), "note two"))),
    ],
)
def test_a_later_record_holding_any_one_thing_is_drained(
    root: Path, holding: dict[str, Any], expected: tuple[set[str], DocumentNotes]
) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt", 4, 9, "mine"))
    fields = {key: value for key, value in holding.items() if key != "highlights"}
    found = [highlight("a.txt", 10, 15, "theirs")] if holding.get("highlights") else []
    register_again(store, "a.txt", 1, found, **fields)

    reopened = FolderStore.open(root)

    assert (notes(reopened), reopened.document_notes("a.txt")) == expected
    assert any("lists 1 article(s) twice" in n for n in reopened.notices.all())


def test_the_newest_version_wins_across_three_records(root: Path) -> None:
    store = FolderStore.open(root)
    first = highlight("a.txt", 4, 9, "v1")
    store.save_annotation(first)
    newest = first.edited(note="v2").edited(note="v3")
    register_again(store, "a.txt", 1, [newest])
    register_again(store, "a.txt", 2, [first.edited(note="v2")])

    assert notes(FolderStore.open(root)) == {"v3"}


def test_an_article_with_nothing_to_drain_does_not_stop_the_next(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotations([highlight("a.txt", 4, 9, "a"), highlight("b.txt", 4, 9, "b")])
    register_again(store, "a.txt", 1, [])  # an empty record: nothing to drain
    register_again(store, "b.txt", 2, [highlight("b.txt", 10, 15, "theirs")])

    reopened = FolderStore.open(root)

    assert notes(reopened, "b.txt") == {"b", "theirs"}
    [told] = [n for n in reopened.notices.all() if "twice" in n]
    assert "lists 1 article(s) twice" in told and "(b.txt)" in told


def test_the_first_records_position_stays_and_its_hash_is_cleared(root: Path) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt", 4, 9, "mine"))
    store.set_reading_position("a.txt", 5)
    index = json.loads((store.location / "index.json").read_text())
    for record in index["documents"].values():
        record["sha256"] = "1" * 64
    (store.location / "index.json").write_text(json.dumps(index))
    register_again(
        store, "a.txt", 1, [highlight("a.txt", 10, 15, "theirs")], position=30, sha256="2" * 64
    )

    reopened = FolderStore.open(root)

    assert notes(reopened) == {"mine", "theirs"}
    assert reopened.reading_position("a.txt") == 5
    # Highlights anchored against another text joined: every one is re-anchored on the next read.
    assert reopened.anchored_sha256("a.txt") is None


@pytest.mark.parametrize(("count", "named"), [(5, ""), (6, " and 1 more"), (7, " and 2 more")])
def test_the_notice_names_five_articles_and_counts_the_rest(
    tmp_path: Path, count: int, named: str
) -> None:
    root = tmp_path / "many"
    root.mkdir()
    names = [f"a{n}.txt" for n in range(count)]
    for name in names:
        (root / name).write_text(TEXT)
    store = FolderStore.open(root)
    store.save_annotations([highlight(name, 4, 9, "mine") for name in names])
    for number, name in enumerate(names):
        register_again(store, name, number, [highlight(name, 10, 15, "theirs")])

    reopened = FolderStore.open(root)

    [told] = [n for n in reopened.notices.all() if "twice" in n]
    assert told == (
        f"{reopened.location / 'index.json'} lists {count} article(s) twice, each registered "
        f"by another copy of the folder ({', '.join(names[:5])}{named}); the highlights, "
        "tags and note of the later record were moved into the first (the emptied record "
        "stays, so the other copy's later changes still merge)"
    )


def test_a_busy_store_says_what_waits_for_the_next_start(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FolderStore.open(root)
    store.save_annotation(highlight("a.txt", 4, 9, "mine"))
    register_again(store, "a.txt", 1, [highlight("a.txt", 10, 15, "theirs")])
    copy = store.location / "state.sync-conflict-20250102-150405-ABCDEFG.json"
    copy.write_text(json.dumps({"state": {}}))
    monkeypatch.setattr(folder_store, "LOCK_TIMEOUT", 0.05)
    other = FileLock(str(store.location / "lock"))
    other.acquire()
    try:
        busy = FolderStore.open(root)
        told = busy.notices.all()
    finally:
        other.release()
    held = (
        f"another ipreader is holding {store.location / 'lock'} for more than 0.05 s; "
        "try again when it has finished"
    )
    assert (
        f"{store.location}: sync conflict copies are not merged now ({held}); they stay "
        "where they are and are merged on the next start"
    ) in told
    assert (
        f"{store.location / 'index.json'} lists some articles twice (two coders' records); "
        f"they could not be joined now ({held}) and are joined on the next start"
    ) in told
    assert copy.exists()
    assert notes(FolderStore.open(root)) == {"mine", "theirs"}  # joined once free


def test_a_busy_store_without_duplicates_says_nothing_of_them(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FolderStore.open(root)
    store.save_annotations([highlight("a.txt", 4, 9, "a"), highlight("b.txt", 4, 9, "b")])
    monkeypatch.setattr(folder_store, "LOCK_TIMEOUT", 0.05)
    other = FileLock(str(store.location / "lock"))
    other.acquire()
    try:
        busy = FolderStore.open(root)
    finally:
        other.release()
    assert busy.notices.all() == []  # nothing to join: the lock is not even asked for
    assert notes(busy) == {"a"}
