"""The live document list's check (``tui/list_watch.py``), without an app."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ipreader.core.library import Library
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore
from ipreader.core.store.read_cache import cache_file
from ipreader.tui.list_watch import ListWatch

TEXT = "Title\n\nSome words of an article, enough to highlight a few of them.\n"


@pytest.fixture
def folder(tmp_path: Path, isolated_data_dir: Path) -> Path:
    root = tmp_path / "articles"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(TEXT)
    (root / "sub" / "b.txt").write_text(TEXT.replace("Title", "Other"))
    return root.resolve()


def relpaths(library: Library) -> list[str]:
    return [info.relpath for info in library.documents()]


def test_nothing_changed_is_nothing_to_say(folder: Path) -> None:
    library = Library.open([folder])
    watch = ListWatch([folder])
    assert not watch.check(library)  # the first check notes the folder
    assert not watch.check(library)


def test_added_and_removed_articles_and_a_store_changed_elsewhere(folder: Path) -> None:
    library = Library.open([folder])
    watch = ListWatch([folder])
    watch.check(library)
    (folder / "sub" / "deeper").mkdir()
    (folder / "sub" / "deeper" / "c.txt").write_text(TEXT.replace("Title", "Third"))
    (folder / "a.txt").unlink()
    change = watch.check(library)
    assert [info.relpath for info in change.added] == ["sub/deeper/c.txt"]
    assert change.added[0].title == "Third"
    assert change.removed == {folder / "a.txt"}
    assert relpaths(library) == ["sub/b.txt", "sub/deeper/c.txt"]
    assert not watch.check(library)

    FolderStore.open(folder).save_annotation(Annotation.create(TEXT, 7, 11, "sub/b.txt"))
    time.sleep(0.01)
    change = watch.check(library)
    assert (change.added, change.removed) == ((), frozenset())
    assert change.stats[folder / "sub" / "b.txt"].highlights == 1
    assert change.stats[folder / "sub" / "deeper" / "c.txt"].highlights == 0


def test_a_removed_article_that_keeps_highlights_stays_listed(folder: Path) -> None:
    FolderStore.open(folder).save_annotation(Annotation.create(TEXT, 7, 11, "a.txt"))
    library = Library.open([folder])
    watch = ListWatch([folder])
    watch.check(library)
    (folder / "a.txt").unlink()
    assert not watch.check(library).removed
    assert "a.txt" in relpaths(library)


def test_an_article_opened_alone_is_not_joined_by_its_neighbours(folder: Path) -> None:
    library = Library.open([folder / "a.txt"])
    watch = ListWatch([folder / "a.txt"])
    watch.check(library)
    (folder / "new.txt").write_text(TEXT)
    assert not watch.check(library).added
    assert relpaths(library) == ["a.txt"]


def test_a_write_the_app_reports_is_not_read_again(folder: Path) -> None:
    library = Library.open([folder])
    store = library.collections[0].store
    watch = ListWatch([folder])
    watch.check(library)
    before = store.change_token()
    store.save_annotation(Annotation.create(TEXT, 7, 11, "a.txt"))
    watch.wrote(folder, before, store.change_token())
    assert not watch.check(library)


def test_a_pass_without_persisting_reads_the_same_and_writes_no_cache(folder: Path) -> None:
    store = FolderStore.open(folder)
    store.save_annotation(Annotation.create(TEXT, 7, 11, "a.txt"))
    file = cache_file(store.location)
    file.unlink(missing_ok=True)
    fresh = FolderStore.open(folder)
    assert fresh.stored_documents(persist=False) == FolderStore.open(folder).stored_documents()
    file.unlink(missing_ok=True)
    assert fresh.stored_documents(persist=False)["a.txt"].annotations
    assert not file.exists()
