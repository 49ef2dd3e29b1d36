"""The index's checked parse between processes: the same records, the read cache's trust rule.

Each "process" is a fresh ``FolderStore.open``; the cache lives in
``IPREADER_CACHE_DIR``. A cache file written through ``IndexCache`` with a
parse the index does not hold shows whether the cache answered.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import PAST_RACY

from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.store import FolderStore
from ipreader.core.store.files import read_file
from ipreader.core.store.formats import IndexFile
from ipreader.core.store.index_cache import INDEXES_DIR, IndexCache
from ipreader.core.store.read_cache import digest_of

TEXT = "The quick brown fox jumps over the lazy dog. " * 40


@pytest.fixture
def root(tmp_path: Path, cache_dir: Path) -> Path:
    """Three articles with notes, tags, a reading position and an odd note."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c d.txt"):
        (folder / name).write_text(TEXT)
    store = FolderStore.open(folder)
    store.save_annotations([Annotation.create(TEXT, 0, 9, "a.txt")])
    store.set_document_notes("b.txt", DocumentNotes(("policy", "tax"), "a NUL \x00, é, \ud800"))
    store.set_document_notes("c d.txt", DocumentNotes(("x",), ""))
    store.set_reading_position("a.txt", 120)
    return folder


def index_of(root: Path) -> Path:
    return root / ".ipreader" / "index.json"


def opened(root: Path) -> tuple[list[str], list[str]]:
    """The documents a fresh process's store knows, and the notices it gave."""
    store = FolderStore.open(root)
    store.stored_documents()  # a whole-folder pass, as a read-only command makes
    return sorted(store.indexed_paths()), store.notices.take()


def records(root: Path) -> dict[str, tuple[str, tuple[str, ...], str, int]]:
    """What a fresh process's store says of each document (no notice), read as
    ``ipreader list`` reads it: one whole-folder pass (which saves the caches)."""
    store = FolderStore.open(root)
    found = {
        relpath: (
            stored.sha256 or "",
            stored.notes.tags,
            stored.notes.note,
            store.reading_position(relpath),
        )
        for relpath, stored in store.stored_documents().items()
    }
    assert store.notices.take() == []
    return found


def cache_with(root: Path, change: str, *, settled: bool, spoil: bool = False) -> None:
    """Write the index cache as if the index said ``change`` as b.txt's note.

    ``spoil``: with a digest of other bytes (only a settled signature can match).
    """
    location = root / ".ipreader"
    index = index_of(root)
    signature, raw = read_file(index) or ((0, 0, 0, 0, 0), b"")
    true = IndexFile(0, ())
    cache = IndexCache(location)
    digest = digest_of(raw + (b" " if spoil else b""))
    known = cache.lookup(index, signature, raw)[1] or true
    doctored = tuple(
        replace(record, note=change) if record.relpath == "b.txt" else record
        for record in known.documents
    )
    parsed = IndexFile(known.schema, doctored, known.bad, known.keys)
    cache.store(index, signature, digest, parsed, fresh=True, settled=settled)
    cache.save()


def test_a_cached_index_gives_exactly_what_a_fresh_parse_gives(root: Path, cache_dir: Path) -> None:
    time.sleep(PAST_RACY)
    fresh = records(root)  # writes the cache
    assert list((cache_dir / INDEXES_DIR).iterdir())
    assert records(root) == fresh
    assert sorted(fresh) == ["a.txt", "b.txt", "c d.txt"]
    assert records(root)["b.txt"][1:3] == (("policy", "tax"), "a NUL \x00, é, \ud800")
    assert records(root)["a.txt"][3] == 120


def test_a_process_that_makes_no_whole_folder_pass_writes_no_index_cache(
    root: Path, cache_dir: Path
) -> None:
    time.sleep(PAST_RACY)
    store = FolderStore.open(root)  # reads the index: the cache is only kept
    store.save_annotations([Annotation.create(TEXT, 20, 29, "b.txt")])
    assert not (cache_dir / INDEXES_DIR).exists()
    assert "b.txt" in records(root)  # a whole-folder pass saves it ...
    assert list((cache_dir / INDEXES_DIR).iterdir())  # ... here


def test_a_settled_index_is_answered_by_its_signature(root: Path, cache_dir: Path) -> None:
    time.sleep(PAST_RACY)
    opened(root)
    cache_with(root, "from the cache", settled=True)
    assert records(root)["b.txt"][2] == "from the cache"  # the index was not parsed


def test_an_index_kept_while_racy_answers_only_for_its_bytes(root: Path, cache_dir: Path) -> None:
    time.sleep(PAST_RACY)
    opened(root)
    cache_with(root, "from the cache", settled=False)
    assert records(root)["b.txt"][2] == "from the cache"  # same bytes: the digest matched
    index = index_of(root)
    st = index.stat()
    raw = index.read_bytes()
    index.write_bytes(raw.replace(b"tax", b"TAX"))
    os.utime(index, ns=(st.st_atime_ns, st.st_mtime_ns))  # the old size and mtime
    assert "TAX" in records(root)["b.txt"][1]


@pytest.mark.parametrize(("settled", "note"), [(True, "from the cache"), (False, "a NUL")])
def test_only_a_settled_index_is_answered_without_its_digest(
    root: Path, cache_dir: Path, settled: bool, note: str
) -> None:
    time.sleep(PAST_RACY)
    opened(root)
    cache_with(root, "from the cache", settled=settled, spoil=True)
    assert records(root)["b.txt"][2].startswith(note)


def test_an_index_edited_behind_a_settled_cache_is_read_afresh(root: Path, cache_dir: Path) -> None:
    time.sleep(PAST_RACY)
    opened(root)
    cache_with(root, "from the cache", settled=True)
    index = index_of(root)
    st = index.stat()
    index.write_bytes(index.read_bytes().replace(b"tax", b"TAX"))
    os.utime(index, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert "TAX" in records(root)["b.txt"][1]


def test_a_bad_index_record_is_named_on_every_read_cached_or_not(
    root: Path, cache_dir: Path
) -> None:
    index = index_of(root)
    data = json.loads(index.read_text())
    key = next(k for k, v in data["documents"].items() if v["relpath"] == "c d.txt")
    data["documents"][key]["relpath"] = 42
    index.write_text(json.dumps(data))
    time.sleep(PAST_RACY)
    for _run in range(3):  # the first fills the cache, the others read from it
        known, told = opened(root)
        assert known == ["a.txt", "b.txt"]
        assert any("relpath" in notice and "could not be read" in notice for notice in told)


@pytest.mark.parametrize("damage", ["empty", "garbage", "torn", "flipped", "foreign"])
def test_a_damaged_index_cache_is_treated_as_absent(
    root: Path, cache_dir: Path, damage: str
) -> None:
    time.sleep(PAST_RACY)
    expected = records(root)
    (written,) = [p for p in (cache_dir / INDEXES_DIR).iterdir() if not p.name.startswith(".")]
    good = written.read_bytes()
    bad = {
        "empty": b"",
        "garbage": b"\x00\xff" * 1000,
        "torn": good[: len(good) // 2],
        "flipped": good[:-10] + bytes([good[-10] ^ 0x55]) + good[-9:],
        "foreign": good.replace(str(root).encode(), b"/elsewhere"),
    }[damage]
    written.write_bytes(bad)
    assert records(root) == expected
