"""Pins of the bucket layout (``store/buckets.py``) and its re-shards, through the store."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore, buckets, catalog
from ipreader.core.store.buckets import bucket_of, document_paths, list_layout

TEXT = "The quick brown fox jumps over the lazy dog. " * 40


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))


@pytest.fixture
def two_a_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split documents past 2 records a bucket (1 on average after a re-shard)."""
    monkeypatch.setattr(catalog, "BUCKET_MAX", 2)
    monkeypatch.setattr(buckets, "BUCKET_TARGET", 1)


def make_store(base: Path) -> FolderStore:
    root = base / "articles"
    root.mkdir()
    (root / "a.txt").write_text(TEXT)
    return FolderStore.open(root)


def ids_in_bucket(number: int, count: int, how_many: int) -> list[str]:
    """The first ``how_many`` UUIDs (in a fixed order) whose bucket of ``count`` is ``number``."""
    found: list[str] = []
    serial = 0
    while len(found) < how_many:
        key = str(uuid.UUID(int=serial, version=4))
        serial += 1
        if bucket_of(key, count) == number:
            found.append(key)
    return found


def bucket_sizes(store: FolderStore) -> dict[int, list[int]]:
    """Records per bucket file, by generation, of the one bucketed document of ``store``."""
    annotations = store.location / "annotations"
    (directory,) = [path for path in annotations.iterdir() if path.is_dir()]
    layout = list_layout(*document_paths(annotations, directory.name))
    sizes: dict[int, list[int]] = {}
    for file in layout.files:
        rows = json.loads(file.path.read_text())["annotations"]
        sizes.setdefault(file.count, []).append(len(rows))
    return sizes


def test_a_re_shard_leaves_no_bucket_over_the_maximum_however_the_ids_hash(
    tmp_path: Path, two_a_bucket: None
) -> None:
    # Three ids sharing bucket 0 of 4 (so of 2 too): a re-shard to the 4 buckets their
    # number asks for would leave 3 records in one file, over the maximum of 2, and
    # edits would keep it there. Found by test_store_buckets' property test, which
    # draws random ids and so failed only now and then.
    store = make_store(tmp_path)
    for number, key in enumerate(ids_in_bucket(0, 4, 3)):
        made = Annotation.create(TEXT, number, number + 7, "a.txt", note=f"n{number}")
        store.save_annotation(replace(made, id=key))
    sizes = bucket_sizes(store)
    assert len(sizes) == 1  # one generation, settled
    ((count, per_file),) = sizes.items()
    assert sum(per_file) == 3 and max(per_file) <= 2
    assert count == 8  # the least count that splits them, not more
    assert sorted(a.note for a in FolderStore.open(store.root).annotations("a.txt")) == [
        "n0",
        "n1",
        "n2",
    ]


def test_ids_that_share_a_bucket_at_every_count_stop_at_the_cap(
    tmp_path: Path, two_a_bucket: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ids in bucket 0 of the cap share a bucket at every smaller count too: doubling never
    # splits them, and the re-shard must stop at the cap rather than loop.
    monkeypatch.setattr(buckets, "MAX_BUCKETS", 16)
    monkeypatch.setattr(catalog, "MAX_BUCKETS", 16)
    store = make_store(tmp_path)
    made = [
        replace(Annotation.create(TEXT, n, n + 7, "a.txt", note=f"n{n}"), id=key)
        for n, key in enumerate(ids_in_bucket(0, 16, 3))
    ]
    store.save_annotations(made)
    store.save_annotation(made[0].edited(note="edited"))
    sizes = bucket_sizes(store)
    assert list(sizes) == [16] and sorted(sizes[16], reverse=True)[:2] == [3, 0]
    assert {a.note for a in FolderStore.open(store.root).annotations("a.txt")} == {
        "edited",
        "n1",
        "n2",
    }
