"""A store file too large to be ipreader's is never read, and never written.

Reading a store file costs several times its size in memory, and a sparse file
can claim gigabytes for free: a sparse ``index.json`` of 256 MiB was read
whole, ``ipreader list`` peaking at ~1 GiB (``bench/hostile_store.py``), and
nothing bounded a bigger one. A 12 MB file of a million empty records cost
~280 MB and ~14 s per command, checking each. A
file over ``MAX_DATABASE_BYTES``, or with more than ``MAX_DATABASE_OBJECTS``
``{`` (an upper bound of its records, counted before parsing), is now set
aside unread (moved, nothing deleted) with a notice, like any damaged file,
and a save that would make one is refused before anything is written, so no
save makes a file a later read refuses.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ipreader.core import storage
from ipreader.core.errors import StoreWriteError
from ipreader.core.model import Annotation
from ipreader.core.storage import MAX_DATABASE_BYTES, MAX_DATABASE_OBJECTS
from ipreader.core.store import FolderStore

from .peak_memory import run_with_peak

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog.\n"


def stored_folder(tmp_path: Path, name: str) -> tuple[Path, Annotation]:
    """A folder with one article and one saved highlight (and its metadata cache)."""
    root = tmp_path / name
    root.mkdir()
    (root / "a.txt").write_text(TEXT, encoding="utf-8")
    made = Annotation.create(TEXT, 11, 16, "a.txt", note="kept")
    FolderStore.open(root).save_annotation(made)
    return root, made


def target(root: Path, which: str) -> Path:
    if which == "annotations":
        [path] = (root / ".ipreader" / "annotations").glob("*.json")
        return path
    return root / ".ipreader" / which


@pytest.mark.parametrize("which", ["index.json", "annotations", "cache.json"])
def test_a_store_file_over_the_limit_is_set_aside_unread(tmp_path: Path, which: str) -> None:
    small, _ = stored_folder(tmp_path, "small")
    code, _, err, baseline = run_with_peak("list", small)
    assert code == 0, err
    root, made = stored_folder(tmp_path, "big")
    run_with_peak("list", root)  # writes the metadata cache
    path = target(root, which)
    with path.open("r+b") as file:
        file.truncate(MAX_DATABASE_BYTES + 1)  # sparse: costs no disk, only a read would cost

    code, out, err, peak = run_with_peak("list", root)

    assert code == 0, err
    assert "Traceback" not in err
    assert peak - baseline < 64 * 1024 * 1024  # the file was not read
    assert "a.txt" in out
    if which == "cache.json":
        return  # only a cache: ignored, then rewritten
    limit = f"it holds {MAX_DATABASE_BYTES + 1:,} bytes, over the {MAX_DATABASE_BYTES:,}"
    assert f"{path} could not be read ({limit} a store file may hold)" in err, err
    [moved] = [p for p in path.parent.iterdir() if p.name.startswith(f"{path.name}.corrupt-")]
    assert moved.stat().st_size == MAX_DATABASE_BYTES + 1  # kept, byte for byte
    ids = {a.id for a in FolderStore.open(root).annotations("a.txt")}
    # The index is rebuilt from the annotation files; a set-aside annotation file keeps
    # its highlights in the moved file, as the notice says.
    assert ids == ({made.id} if which == "index.json" else set())


def test_a_save_that_would_make_a_file_over_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, made = stored_folder(tmp_path, "folder")
    path = target(root, "annotations")
    before = path.read_bytes()
    # The real limit is 256 MiB; a smaller one keeps the test light, the rule is the same.
    monkeypatch.setattr(storage, "MAX_DATABASE_BYTES", 100_000)
    store = FolderStore.open(root)
    with pytest.raises(StoreWriteError, match=r"over the 100,000 a store file may hold"):
        store.save_annotation(made.edited(note="n" * 100_000))
    assert path.read_bytes() == before
    assert [a.note for a in FolderStore.open(root).annotations("a.txt")] == ["kept"]
    assert not [name for name in os.listdir(path.parent) if name.startswith(".tmp-")]


@pytest.mark.parametrize("which", ["index.json", "annotations"])
def test_a_store_file_of_a_million_records_is_set_aside_unparsed(
    tmp_path: Path, which: str
) -> None:
    small, _ = stored_folder(tmp_path, "small")
    code, _, err, baseline = run_with_peak("list", small)
    assert code == 0, err
    root, made = stored_folder(tmp_path, "folder")
    path = target(root, which)
    records = ",".join(f'"{number}":{{}}' for number in range(1_000_000))
    table = "documents" if which == "index.json" else "annotations"
    path.write_text(f'{{"{table}":{{{records}}}}}', encoding="utf-8")

    code, out, err, peak = run_with_peak("list", root)

    assert code == 0, err
    limit = f"it holds 1,000,002 '{{' characters, over the {MAX_DATABASE_OBJECTS:,}"
    assert f"{path} could not be read ({limit} a store file may hold)" in err, err
    assert peak - baseline < 64 * 1024 * 1024, peak - baseline  # read, never parsed (~300 MB)
    assert "Traceback" not in err and "a.txt" in out
    [moved] = [p for p in path.parent.iterdir() if p.name.startswith(f"{path.name}.corrupt-")]
    assert moved.stat().st_size > 10_000_000  # kept, byte for byte
    FolderStore.open(root).save_annotation(made)  # the store works on
    assert [a.id for a in FolderStore.open(root).annotations("a.txt")] == [made.id]


def test_a_save_of_more_records_than_a_file_may_hold_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, made = stored_folder(tmp_path, "folder")
    path = target(root, "annotations")
    before = path.read_bytes()
    # A note full of braces counts too: what a read refuses is never written.
    monkeypatch.setattr(storage, "MAX_DATABASE_OBJECTS", 1_000)
    with pytest.raises(StoreWriteError, match=r"over the 1,000 a store file may hold"):
        FolderStore.open(root).save_annotation(made.edited(note="{" * 1_000))
    assert path.read_bytes() == before
