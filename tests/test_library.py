"""Library: grouping of folders and files into collections, stores, cache, load, seeds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ipreader.core import paths
from ipreader.core.errors import DocumentError
from ipreader.core.library import CACHE_FILENAME, Library, is_bundled
from ipreader.core.model import AnchorStatus, Annotation


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("one", "two", "three", "one/deep"):
        (tmp_path / name).mkdir()
    (tmp_path / "one" / "a.txt").write_text("A title\n\nalpha text\n")
    (tmp_path / "one" / "deep" / "b.md").write_text("B title\n\nbeta text\n")
    (tmp_path / "two" / "c.txt").write_text("C title\n\ngamma text\n")
    (tmp_path / "three" / "d.txt").write_text("D title\n\ndelta text\n")
    (tmp_path / "three" / "e.txt").write_text("E title\n\nepsilon text\n")
    (tmp_path / "three" / "f.txt").write_text("F title\n\nnot opened\n")
    return tmp_path


def test_folders_and_files_become_collections(tree: Path) -> None:
    progress: list[tuple[int, int]] = []
    library = Library.open(
        [tree / "one", tree / "two", tree / "three" / "e.txt", tree / "three" / "d.txt"],
        progress=lambda done, total: progress.append((done, total)),
    )
    roots = [c.root for c in library.collections]
    assert roots == [(tree / n).resolve() for n in ("one", "two", "three")]
    assert [[d.relpath for d in c.documents] for c in library.collections] == [
        ["a.txt", "deep/b.md"],
        ["c.txt"],
        ["d.txt", "e.txt"],
    ]
    assert [d.title for d in library.documents()] == [f"{c} title" for c in "ABCDE"]
    assert progress[-1] == (5, 5)
    assert all(t == 5 for _, t in progress)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    # One store per root, each with its cache file inside its own location.
    stores = {id(c.store) for c in library.collections}
    assert len(stores) == 3
    for collection in library.collections:
        assert library.store_for(collection.documents[0]) is collection.store
        assert (collection.store.location / CACHE_FILENAME).is_file()


def test_missing_path_is_a_document_error(tree: Path) -> None:
    with pytest.raises(DocumentError, match="absent"):
        Library.open([tree / "absent"])


def test_load_reconciles_after_an_edit(tree: Path) -> None:
    library = Library.open([tree / "two"])
    info = library.documents()[0]
    text, annotations = library.load(info)
    assert text == "C title\n\ngamma text\n" and annotations == []
    start = text.index("gamma")
    library.store_for(info).save_annotation(Annotation.create(text, start, start + 5, "c.txt"))
    (tree / "two" / "c.txt").write_text("C title\n\nsome new words before gamma text\n")
    reopened = Library.open([tree / "two"])
    new_text, [moved] = reopened.load(reopened.documents()[0])
    assert moved.status is AnchorStatus.MOVED
    assert new_text[moved.start : moved.end] == "gamma"


def test_unreadable_documents_are_listed_and_refuse_to_load(tree: Path) -> None:
    (tree / "two" / "bin.txt").write_bytes(b"\x00\x00 binary \x00")
    library = Library.open([tree / "two"])
    broken = next(d for d in library.documents() if d.relpath == "bin.txt")
    assert not broken.readable and broken.error
    with pytest.raises(DocumentError):
        library.load(broken)


def test_bundled_seeds_never_get_a_store_inside(tmp_path: Path) -> None:
    seeds = paths.seeds_dir()
    assert is_bundled(seeds)
    assert not is_bundled(tmp_path)
    before = sorted(os.listdir(seeds))
    library = Library.open([seeds])
    assert len(library.documents()) == 3
    store = library.collections[0].store
    assert seeds.resolve() not in store.location.resolve().parents
    info = library.documents()[0]
    text, _ = library.load(info)
    store.save_annotation(Annotation.create(text, 0, 5, info.relpath))
    assert sorted(os.listdir(seeds)) == before
    assert len(Library.open([seeds]).collections[0].store.annotations(info.relpath)) == 1
