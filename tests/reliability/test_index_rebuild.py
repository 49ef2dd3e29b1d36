"""The index is rebuilt from the annotation files on disk, and every message says what is where.

The review found highlights hidden for good: a deleted ``index.json`` (a sync
conflict) was never rebuilt; a corrupt index on a full disk was moved aside,
its rebuild failed with a message claiming "the previous version is
unchanged", and after space was freed ``list`` showed 0 highlights with no
notice; when the index and an annotation file were both damaged, the notice
said "rebuilt from 0 annotation file(s)" without naming the damaged file.
Now every start of a writable store lists the annotation files the index
does not, and adds them back (or merges them, or names them).
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog. The dog sleeps.\n"


def listed(out: str, path: str) -> list[str]:
    """The cells of ``path``'s row in ``ipreader list``'s table."""
    row = next(line for line in out.splitlines() if line.startswith(f"{path} "))
    return re.split(r"\s{2,}", row.strip())


def highlight(relpath: str, quote: str, note: str = "") -> Annotation:
    start = TEXT.index(quote)
    return Annotation.create(TEXT, start, start + len(quote), relpath, note=note)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A folder with a.txt and b.txt, one highlight each."""
    folder = tmp_path / "folder"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(TEXT, encoding="utf-8")
    FolderStore.open(folder).save_annotations(
        [highlight("a.txt", "quick"), highlight("b.txt", "fox")]
    )
    return folder


def annotation_file(root: Path, relpath: str) -> Path:
    store = FolderStore.open(root)
    [found] = [
        path
        for path in (store.location / "annotations").glob("*.json")
        if relpath in path.read_text()
    ]
    return found


def test_a_deleted_index_is_rebuilt_on_the_next_start(
    root: Path, run_cli: Callable[..., Any]
) -> None:
    (root / ".ipreader" / "index.json").unlink()
    done = run_cli("list", root)
    assert done.code == 0
    assert listed(done.out, "a.txt") == ["a.txt", "Title", "-", "1 highlight"]
    assert listed(done.out, "b.txt") == ["b.txt", "Title", "-", "1 highlight"]
    assert "did not list every annotation file: 2 annotation file(s)" in done.err
    assert "were listed in the index again" in done.err
    again = run_cli("list", root)
    assert again.err == ""  # rebuilt once, for good


class FailingWrites:
    """``os.write`` failing with ENOSPC while ``full`` (renames still work, as on a full disk)."""

    def __init__(self) -> None:
        self.real = os.write
        self.full = True

    def __call__(self, fd: int, data: Any) -> int:
        if self.full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.real(fd, data)


def test_a_corrupt_index_on_a_full_disk_is_rebuilt_once_there_is_space(
    root: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    index = root / ".ipreader" / "index.json"
    index.write_bytes(b'{"documents": {"trunc')
    disk = FailingWrites()
    monkeypatch.setattr(os, "write", disk)

    full = run_cli("list", root)

    assert full.code == 0
    [moved] = index.parent.glob("index.json.corrupt-*")
    assert moved.read_bytes() == b'{"documents": {"trunc'
    # Exactly what is where: moved aside, not rebuilt yet, rebuilt on the next start.
    assert f"it was moved aside to {moved}" in full.err
    assert "the index could not be rebuilt now" in full.err
    assert "No space left on device" in full.err
    assert "rebuilt from the annotation files" in full.err and "on the next start" in full.err
    assert "previous version is unchanged" not in full.err
    assert not index.exists()

    disk.full = False
    freed = run_cli("list", root)

    assert listed(freed.out, "a.txt") == ["a.txt", "Title", "-", "1 highlight"]
    assert listed(freed.out, "b.txt") == ["b.txt", "Title", "-", "1 highlight"]
    assert "2 annotation file(s)" in freed.err and "listed in the index again" in freed.err


def test_a_damaged_annotation_file_is_named_when_the_index_is_rebuilt(
    root: Path, run_cli: Callable[..., Any]
) -> None:
    damaged = annotation_file(root, "b.txt")
    damaged.write_bytes(b"\x00\xff not json")
    (root / ".ipreader" / "index.json").write_bytes(b"garbage")

    done = run_cli("list", root)

    assert listed(done.out, "a.txt") == ["a.txt", "Title", "-", "1 highlight"]
    assert "the index was rebuilt from 1 annotation file(s)" in done.err
    [moved] = damaged.parent.glob(f"{damaged.name}.corrupt-*")
    assert moved.read_bytes() == b"\x00\xff not json"
    assert f"{damaged.name} (not UTF-8 text" in done.err and str(moved) in done.err


def test_a_lost_file_of_a_document_listed_again_is_merged_into_it(
    root: Path, tmp_path: Path
) -> None:
    lost = annotation_file(root, "a.txt")
    kept = tmp_path / "kept.json"
    lost.rename(kept)
    (root / ".ipreader" / "index.json").unlink()
    store = FolderStore.open(root)  # b.txt's file is listed again; a.txt's is away
    later = highlight("a.txt", "lazy dog", note="made while the file was away")
    store.save_annotation(later)  # a.txt gets a new record and file
    kept.rename(lost)

    again = FolderStore.open(root)

    notes = {a.quote: a.note for a in again.annotations("a.txt")}
    assert notes == {"quick": "", "lazy dog": "made while the file was away"}
    [moved] = lost.parent.glob(f"{lost.name}.merged-*")
    notice = " ".join(again.notices.take())
    assert f"highlights were merged from {lost.name} into" in notice and str(moved) in notice
    assert json.loads(moved.read_text())["annotations"]  # kept whole, nothing deleted
    assert FolderStore.open(root).notices.take() == []  # merged once
