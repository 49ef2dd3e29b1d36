"""Documents registered in a lock hold are written after one listing, without reading files.

An import registers thousands of documents, then writes their files in one
batch: ``annotations/`` is listed once under the lock and a document with no
file there is written without listing or reading its own
(``Catalog._fresh_documents``). These tests hold that shortcut to what reading
the files would have given: nothing written earlier is ever lost.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.model import Annotation
from ipreader.core.notices import Notices
from ipreader.core.store import FolderStore, buckets, catalog
from ipreader.core.store.catalog import Catalog
from ipreader.core.store.formats import LOCK_FILE, DocRecord
from ipreader.core.store.lock import FolderLock

TEXT = "Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet, consectetur. " * 30
DOC = DocRecord("0b0b0b0b-0000-4000-8000-00000000000b", "new.txt")


@pytest.fixture
def cat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    monkeypatch.setattr(catalog, "FRESH_LISTING_MIN", 1)  # the shortcut for one document
    location = tmp_path / "store"
    (location / "annotations").mkdir(parents=True)
    return Catalog(location, FolderLock(location / LOCK_FILE, timeout=5), Notices())


def highlight(number: int, note: str = "") -> Annotation:
    return Annotation.create(TEXT, number, number + 7, DOC.relpath, note=note)


def rows(*annotations: Annotation) -> dict[str, dict[str, Any]]:
    return {a.id: a.to_dict() for a in annotations}


def test_two_changes_to_a_document_registered_in_the_same_hold_keep_both(cat: Catalog) -> None:
    first, second = highlight(0, "first"), highlight(10, "second")
    with cat.writing():
        cat.register([DOC.relpath], lambda _relpath: DOC)
        cat.put_annotations([(DOC, rows(first))])
        cat.put_annotations([(DOC, rows(second))])
    assert {a.note for a in cat.annotations_of(DOC)} == {"first", "second"}


def test_a_document_registered_in_an_earlier_hold_is_read_before_it_is_written(
    cat: Catalog,
) -> None:
    first, second = highlight(0, "first"), highlight(10, "second")
    with cat.writing():
        cat.register([DOC.relpath], lambda _relpath: DOC)
        cat.put_annotations([(DOC, rows(first))])
    with cat.writing():
        cat.register([DOC.relpath], lambda _relpath: DOC)  # known now: not new
        cat.put_annotations([(DOC, rows(second))])
    assert {a.note for a in cat.annotations_of(DOC)} == {"first", "second"}


def test_a_registered_document_whose_file_is_already_there_keeps_its_highlights(
    cat: Catalog,
) -> None:
    earlier = highlight(0, "earlier")  # a file under that id, not in the index
    (cat.annotations_dir / DOC.file).write_text(
        json.dumps({"annotations": {earlier.id: earlier.to_dict()}})
    )
    with cat.writing():
        cat.register([DOC.relpath], lambda _relpath: DOC)
        cat.put_annotations([(DOC, rows(highlight(10, "later")))])
    assert {a.note for a in cat.annotations_of(DOC)} == {"earlier", "later"}


def test_a_new_document_with_more_highlights_than_a_bucket_holds_is_split_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog, "BUCKET_MAX", 4)
    monkeypatch.setattr(buckets, "BUCKET_TARGET", 2)
    monkeypatch.setattr(catalog, "FRESH_LISTING_MIN", 1)
    root = tmp_path / "folder"
    root.mkdir()
    (root / DOC.relpath).write_text(TEXT, encoding="utf-8")
    store = FolderStore.open(root)
    saved = [highlight(number * 3, f"n{number}") for number in range(11)]
    store.save_annotations(saved)
    reopened = FolderStore.open(root)
    assert {a.id: a.note for a in reopened.annotations(DOC.relpath)} == {
        a.id: a.note for a in saved
    }
    assert reopened.notices.all() == []
    assert [p for p in (reopened.location / "annotations").iterdir() if p.is_dir()]
