"""Reading every document of a store in one pass: one listing, and nothing lost to a re-shard."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.notices import Notices
from ipreader.core.store import FolderStore, buckets, catalog
from ipreader.core.store.catalog import Catalog
from ipreader.core.store.formats import LOCK_FILE
from ipreader.core.store.lock import FolderLock

TEXT = "The quick brown fox jumps over the lazy dog. " * 40


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))


def highlights(document: str, count: int, first: int = 0) -> list[Annotation]:
    return [
        Annotation.create(TEXT, n, n + 7, document, note=f"n{n}")
        for n in range(first, first + count)
    ]


def test_a_document_split_after_the_listing_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "articles"
    root.mkdir()
    for name in ("a.txt", "b.txt"):
        (root / name).write_text(TEXT)
    writer = FolderStore.open(root)
    writer.save_annotations(highlights("a.txt", 3) + highlights("b.txt", 3))
    reader = Catalog(writer.location, FolderLock(writer.location / LOCK_FILE, timeout=5), Notices())
    records = sorted(reader.index().documents, key=lambda r: r.relpath != "b.txt")
    passing = reader.annotations_of_all(records)
    first, found = next(passing)  # the annotations directory is listed now
    assert (first.relpath, len(found)) == ("b.txt", 3)
    # Another process splits a.txt into bucket files (its single file removed) meanwhile.
    monkeypatch.setattr(catalog, "BUCKET_MAX", 4)
    monkeypatch.setattr(buckets, "BUCKET_TARGET", 2)
    writer.save_annotations(highlights("a.txt", 5, first=10))
    assert (writer.location / "annotations" / f"{records[1].id}").is_dir()
    assert not (writer.location / "annotations" / f"{records[1].id}.json").exists()
    second, found = next(passing)
    assert (second.relpath, len(found)) == ("a.txt", 8)
    assert next(passing, None) is None


def test_a_pass_reads_what_documents_one_by_one_read(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    root.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (root / name).write_text(TEXT)
    store = FolderStore.open(root)
    store.save_annotations(highlights("a.txt", 2) + highlights("c.txt", 4))
    store.set_document_notes("b.txt", DocumentNotes(("read",), ""))  # indexed, no highlights
    stored = FolderStore.open(root).stored_documents()
    assert {relpath: len(s.annotations) for relpath, s in stored.items()} == {
        relpath: len(store.annotations(relpath)) for relpath in stored
    }
    assert [len(stored[name].annotations) for name in ("a.txt", "b.txt", "c.txt")] == [2, 0, 4]
    assert stored["b.txt"].notes.tags == ("read",)
