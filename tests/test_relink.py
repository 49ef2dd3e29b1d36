"""Renamed, moved, edited and missing articles: found again by content or text, never hidden."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sys
from pathlib import Path

import pytest

from ipreader.core.documents import read_document
from ipreader.core.errors import StoreError
from ipreader.core.fingerprint import containment, parse_fingerprint, shingles, text_fingerprint
from ipreader.core.library import Library
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.relink import MIN_SIMILARITY, MISSING_REASON, is_missing, relink_by_hand
from ipreader.core.store import FolderStore

FIXTURES = Path(__file__).parent / "fixtures" / "bbc"
ARTICLES = sorted(FIXTURES.rglob("*.txt"))


def edit_words(text: str, share: float, seed: int = 7) -> str:
    """Replace ``share`` of the words of ``text`` with other words (an edited article)."""
    rng = random.Random(seed)
    words = text.split(" ")
    for index in rng.sample(range(len(words)), int(len(words) * share)):
        words[index] = rng.choice(["revised", "updated", "changed", "new", "edited"])
    return " ".join(words)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Four BBC articles, each with one highlight; one also with document notes."""
    root = tmp_path / "articles"
    root.mkdir()
    for path in ARTICLES[:4]:
        shutil.copy(path, root / path.name)
    library = Library.open([root])
    for info in library.documents():
        text, _ = library.load(info)
        start = text.index(" ", 200) + 1
        library.store_for(info).save_annotation(
            Annotation.create(text, start, start + 60, info.relpath, note=f"on {info.relpath}")
        )
    library.store_for(library.documents()[0]).set_document_notes(
        library.documents()[0].relpath, DocumentNotes(("kept",), "doc note")
    )
    return root


def notes_by_path(root: Path) -> dict[str, list[str]]:
    stored = FolderStore.open(root).stored_documents()
    return {path: [a.note for a in doc.annotations] for path, doc in stored.items()}


# Files opened while a test records (a real audit hook: open() and os.open raise "open").
_opened: list[str] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], str | Path):
        _opened.append(os.fspath(args[0]))


sys.addaudithook(_audit)


def test_opening_an_intact_folder_reads_no_annotation_file(folder: Path) -> None:
    """Finding missing articles needs the index and a stat, not every highlight decoded."""
    global _opened
    _opened = []
    try:
        library = Library.open([folder])
    finally:
        opened, _opened = _opened, None
    assert library.collections[0].missing == []
    read = [p for p in opened if f"{os.sep}annotations{os.sep}" in p and p.endswith(".json")]
    assert not read  # (the writability probe's temp file is not an annotation file)
    (folder / ARTICLES[1].name).unlink()  # one gone: now its annotations are read and kept
    [gone] = Library.open([folder]).collections[0].missing
    assert gone.relpath == ARTICLES[1].name and len(gone.stored.annotations) == 1


def test_a_plain_rename_is_relinked_for_every_command(folder: Path) -> None:
    """The issue's case: the CLI saw nothing until the app had been opened once."""
    name = ARTICLES[0].name
    (folder / name).rename(folder / "renamed.txt")
    library = Library.open([folder])
    assert notes_by_path(folder)["renamed.txt"] == [f"on {name}"]
    assert name not in notes_by_path(folder)
    assert FolderStore.open(folder).document_notes("renamed.txt").note == "doc note"
    assert any("renamed.txt (same content)" in n for n in library.notices.take())
    assert library.collections[0].missing == []


def test_renamed_and_edited_articles_are_relinked_by_text(folder: Path) -> None:
    names = [path.name for path in ARTICLES[:4]]
    for number, name in enumerate(names[:3]):
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).unlink()
        (folder / f"new-{number}.txt").write_text(edit_words(text, 0.1, number), encoding="utf-8")
    library = Library.open([folder])
    found = notes_by_path(folder)
    for number, name in enumerate(names[:3]):
        assert found[f"new-{number}.txt"] == [f"on {name}"]
    assert library.collections[0].missing == []
    # Read under its new name, its highlight is re-anchored in the edited text, never dropped.
    info = next(i for i in library.documents() if i.relpath == "new-0.txt")
    _, annotations = library.load(info)
    assert [a.note for a in annotations] == [f"on {names[0]}"]


def test_a_deleted_article_is_missing_not_hidden(folder: Path) -> None:
    name = ARTICLES[1].name
    (folder / name).unlink()
    library = Library.open([folder])
    (missing,) = library.collections[0].missing
    assert missing.relpath == name and missing.candidates == ()
    assert [a.note for a in missing.stored.annotations] == [f"on {name}"]
    info = missing.info(folder)
    assert is_missing(info) and info.error == MISSING_REASON and not info.readable


def test_an_unrelated_new_file_is_never_taken_for_a_deleted_one(folder: Path) -> None:
    name = ARTICLES[1].name
    (folder / name).unlink()
    shutil.copy(ARTICLES[6], folder / "unrelated.txt")
    library = Library.open([folder])
    (missing,) = library.collections[0].missing
    assert missing.relpath == name and missing.candidates == ()
    assert "unrelated.txt" not in notes_by_path(folder)


def test_two_equally_good_files_are_offered_not_chosen(folder: Path) -> None:
    name = ARTICLES[2].name
    text = (folder / name).read_text(encoding="utf-8")
    (folder / name).unlink()
    (folder / "copy-1.txt").write_text(edit_words(text, 0.05, 1), encoding="utf-8")
    (folder / "copy-2.txt").write_text(edit_words(text, 0.05, 2), encoding="utf-8")
    library = Library.open([folder])
    (missing,) = library.collections[0].missing
    assert {c.relpath for c in missing.candidates} == {"copy-1.txt", "copy-2.txt"}
    assert all(c.by == "text" and c.score >= MIN_SIMILARITY for c in missing.candidates)
    assert "copy-1.txt" not in notes_by_path(folder)


def test_two_identical_copies_are_offered_by_content(folder: Path) -> None:
    name = ARTICLES[2].name
    (folder / name).rename(folder / "copy-1.txt")
    shutil.copy(folder / "copy-1.txt", folder / "copy-2.txt")
    library = Library.open([folder])
    (missing,) = library.collections[0].missing
    assert [(c.relpath, c.by) for c in missing.candidates] == [
        ("copy-1.txt", "content"),
        ("copy-2.txt", "content"),
    ]


def test_a_record_without_a_sketch_is_found_by_its_quotes(folder: Path) -> None:
    """Records from before sketches (or a rebuilt index) still have their quotes."""
    store = FolderStore.open(folder)
    index = store.location / "index.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    for record in data["documents"].values():
        record["fingerprint"] = ""
    index.write_text(json.dumps(data), encoding="utf-8")
    name = ARTICLES[3].name
    text = (folder / name).read_text(encoding="utf-8")
    (folder / name).unlink()
    # Edited away from the highlight, so its quote is still in the text.
    (folder / "moved.txt").write_text(text + "\n\nA paragraph added later.\n", encoding="utf-8")
    Library.open([folder])
    assert notes_by_path(folder)["moved.txt"] == [f"on {name}"]


def test_a_file_opened_alone_reports_no_missing_siblings(folder: Path) -> None:
    (folder / ARTICLES[1].name).unlink()
    library = Library.open([folder / ARTICLES[0].name])
    assert library.collections[0].missing == []


def test_relink_by_hand_checks_both_paths(folder: Path) -> None:
    store = FolderStore.open(folder)
    name = ARTICLES[1].name
    with pytest.raises(StoreError, match="still exists"):
        relink_by_hand(store, folder, name, ARTICLES[2].name)
    text = (folder / name).read_text(encoding="utf-8")
    (folder / name).unlink()
    with pytest.raises(StoreError, match="is not a file"):
        relink_by_hand(store, folder, name, "nowhere.txt")
    # Only an article the folder lists: highlights given to any other path would be
    # kept under a name no listing shows, and dropped from every export and count.
    outside = folder.parent / "outside.txt"
    outside.write_text(text, encoding="utf-8")
    (folder / ".hidden.txt").write_text(text, encoding="utf-8")
    (folder / "script.py").write_text(text, encoding="utf-8")
    (folder / "link.txt").symlink_to(outside)
    for new in (
        "../outside.txt",
        str(outside),
        "./x/../script.py",
        ".hidden.txt",
        ".ipreader/index.json",
        "script.py",
        "link.txt",
    ):
        with pytest.raises(StoreError, match=r"cannot be an article|not an article"):
            relink_by_hand(store, folder, name, new)
    (folder / "elsewhere.txt").write_text(text.upper(), encoding="utf-8")
    assert relink_by_hand(store, folder, name, "elsewhere.txt") == 1
    assert notes_by_path(folder)["elsewhere.txt"] == [f"on {name}"]


@pytest.mark.parametrize("old", ARTICLES)
def test_different_articles_share_far_less_than_the_threshold(old: Path) -> None:
    """No fixture article's sketch is half found in another: no false relinks."""
    fingerprint = parse_fingerprint(text_fingerprint(read_document(old).text))
    assert fingerprint is not None
    for other in ARTICLES:
        if other != old:
            share = containment(fingerprint[1], shingles(read_document(other).text))
            assert share < MIN_SIMILARITY / 2


@pytest.mark.parametrize("share", [0.02, 0.05, 0.1])
def test_an_edited_article_keeps_most_of_its_sketch(share: float) -> None:
    for path in ARTICLES:
        text = read_document(path).text
        fingerprint = parse_fingerprint(text_fingerprint(text))
        assert fingerprint is not None
        assert containment(fingerprint[1], shingles(edit_words(text, share))) >= MIN_SIMILARITY


def test_sketches_are_the_same_as_those_stored_by_earlier_versions() -> None:
    """A sketch stored by an earlier version must match this version's shingles.

    The values were computed by the comprehension-based shingles the store
    wrote sketches with before (main at 5aef95a); a change of hashing, word
    splitting or joining would silently stop renamed articles being found.
    """
    text = read_document(ARTICLES[0]).text
    assert ARTICLES[0].name == "1m-payoff-for-former-shell-boss.txt"
    stored = text_fingerprint(text)
    assert stored.startswith("v1:244:Ag5FCwItjJoCynH/AszutAUxbR8F")
    assert hashlib.sha256(stored.encode()).hexdigest() == (
        "f392bd2a2a931e2a5f72a726c01c45093b82d67ddc1cf3413fdee3d84f9e2736"
    )
    assert len(shingles(text)) == 242
    assert sorted(shingles("Deux mots")) == [4025813578]
    assert sorted(shingles("Un, deux; TROIS quatre")) == [1748675210, 4008677334]
    assert shingles("") == set()
