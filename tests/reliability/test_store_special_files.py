"""Special files in a store: a FIFO, a link or a directory where ipreader keeps its own files.

A FIFO named ``index.json`` once hung ``ipreader list`` forever (opening it
waits for a writer). Every file of ``.ipreader/`` is now opened with
``O_NONBLOCK | O_NOFOLLOW`` and checked with ``fstat``: a FIFO, a device, a
link or a directory is never read, it is moved aside like a damaged file
(a rename: a link's target is never touched) with a notice naming it, and
the store keeps working. ``cache.json`` is only a cache: it is ignored and
replaced.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.library import Library
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog.\n"

#: How each kind of special file is made at a path (given a file outside the folder).
MAKERS: dict[str, Callable[[Path, Path], None]] = {
    "fifo": lambda path, _outside: os.mkfifo(path),
    "directory": lambda path, _outside: path.mkdir(),
    "link to a file outside": lambda path, outside: path.symlink_to(outside),
}


def stored_folder(tmp_path: Path) -> tuple[Path, FolderStore, Annotation]:
    """A folder with one article and one saved highlight; also a file outside the folder."""
    root = tmp_path / "folder"
    root.mkdir()
    (root / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "outside.json").write_text('{"annotations": {}}', encoding="utf-8")
    store = FolderStore.open(root)
    start = TEXT.index("quick")
    made = Annotation.create(TEXT, start, start + 5, "a.txt", note="kept")
    store.save_annotation(made)
    store.set_last_document("a.txt")
    return root, store, made


def target_of(store: FolderStore, which: str) -> Path:
    if which == "annotations":
        [path] = (store.location / "annotations").glob("*.json")
        return path
    return store.location / which


@pytest.mark.parametrize("kind", sorted(MAKERS))
@pytest.mark.parametrize("which", ["index.json", "annotations", "cache.json"])
def test_special_store_file_never_blocks_and_is_moved_aside(
    tmp_path: Path,
    run_cli_process: Callable[..., Any],
    which: str,
    kind: str,
) -> None:
    root, store, made = stored_folder(tmp_path)
    target = target_of(store, which)
    target.unlink(missing_ok=True)
    MAKERS[kind](target, tmp_path / "outside.json")
    outside = (tmp_path / "outside.json").read_bytes()

    listing = run_cli_process("list", root, timeout=30)
    exported = run_cli_process("export", root, timeout=30)

    for done in (listing, exported):
        assert done.code == 0, done.err
        assert "Traceback" not in done.err
    assert (tmp_path / "outside.json").read_bytes() == outside  # a link's target: untouched
    if which == "cache.json":
        return  # only a cache: ignored, then replaced by a regular file
    described = kind if kind != "fifo" else "FIFO"
    # The notice names the file, what it is, and where it went.
    assert f"ipreader: {target} could not be read" in listing.err, listing.err
    assert described.split()[0] in listing.err
    [moved] = [p for p in target.parent.iterdir() if p.name.startswith(f"{target.name}.corrupt-")]
    assert stat.S_IFMT(moved.lstat().st_mode) != stat.S_IFREG  # moved as it was, not read
    # The store works on: a new highlight is saved, the old ones are where the notice said.
    reopened = FolderStore.open(root)
    again = Annotation.create(TEXT, 0, 5, "a.txt")
    reopened.save_annotation(again)
    ids = {a.id for a in FolderStore.open(root).annotations("a.txt")}
    assert again.id in ids
    if which == "index.json":
        assert made.id in ids  # the index was rebuilt from the annotation files
        assert "rebuilt from 1 annotation file" in listing.err
    if which != "annotations":
        assert made.id in ids
    saved = json.loads(exported.out)
    assert saved["documents"] == [] or saved["documents"][0]["path"] == "a.txt"


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_special_state_file_is_moved_aside_and_the_app_state_works(
    tmp_path: Path, deadline: Callable[[float], Any], kind: str
) -> None:
    root, store, _made = stored_folder(tmp_path)
    target = store.location / "state.json"
    target.unlink()
    MAKERS[kind](target, tmp_path / "outside.json")
    with deadline(10):
        reopened = FolderStore.open(root)
        assert reopened.last_document() is None
        reopened.set_last_document("a.txt")
        assert FolderStore.open(root).last_document() == "a.txt"
    notices = "\n".join(reopened.notices.take())
    assert f"{target} could not be read (it is a" in notices
    assert (tmp_path / "outside.json").read_text() == '{"annotations": {}}'


def test_fifo_store_files_never_block_in_process(
    tmp_path: Path, deadline: Callable[[float], Any]
) -> None:
    root, store, _made = stored_folder(tmp_path)
    for which in ("index.json", "state.json", "annotations", "cache.json"):
        target = target_of(store, which)
        target.unlink(missing_ok=True)
        os.mkfifo(target)
    with deadline(10):
        library = Library.open([root])  # reads cache.json too
        reopened = library.collections[0].store
        assert reopened.annotations("a.txt") == []
        assert reopened.last_document() is None
        notices = "\n".join(library.notices.take())
    assert "it is a FIFO, not a regular file" in notices


SYNC_COPY = ".sync-conflict-20250102-150405-ABCDEFG"


@pytest.mark.parametrize("kind", ["fifo", "link to a file outside"])
@pytest.mark.parametrize("which", ["index.json", "annotations"])
def test_a_special_file_named_like_a_sync_copy_never_blocks_and_is_set_aside(
    tmp_path: Path, deadline: Callable[[float], Any], which: str, kind: str
) -> None:
    """Every writable open merges sync conflict copies: a FIFO named like one hung it."""
    root, store, made = stored_folder(tmp_path)
    original = target_of(store, which)
    copy = original.with_name(original.stem + SYNC_COPY + original.suffix)
    MAKERS[kind](copy, tmp_path / "outside.json")
    with deadline(10):
        library = Library.open([root])
        notices = "\n".join(library.notices.take())
    assert f"{copy.name} (it is a" in notices and "moved to" in notices, notices
    assert not os.path.lexists(copy)  # set aside in merged/, as it was (never read)
    assert [a.id for a in library.collections[0].store.annotations("a.txt")] == [made.id]
    assert (tmp_path / "outside.json").read_text() == '{"annotations": {}}'
