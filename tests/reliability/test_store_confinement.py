"""Paths built from stored data stay inside the folder's store.

An adversarial review found that a document id in ``index.json`` became a
file name unchecked: ``../../../victim/settings`` or an absolute path made
``list`` move a file outside the folder aside and ``import`` create or replace
``<path>.json`` anywhere; an id with a NUL gave a traceback; and a
``.ipreader`` that was a symbolic link made ipreader replace, move aside and
sweep files wherever it pointed. Now:

* document and annotation ids must be UUIDs (the only ids ipreader writes),
  document paths plain relative paths: anything else is a bad record, kept in
  the file, named in a notice and ignored;
* a ``.ipreader`` (or its ``annotations``) that is a link or not a directory is
  never used, read or followed: the per-user fallback is used, with a notice;
* a ``lock`` that is not a regular file is moved aside (a rename).

Every test snapshots everything outside the store before and after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.library import Library
from ipreader.core.model import Annotation
from ipreader.core.paths import fallback_store_dir
from ipreader.core.store import FolderStore

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog.\n"
NUL_ID = "0bad0000-0000-4000-8000-00000000000\x00"


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """``tmp_path`` holding ``folder/a.txt`` (one highlight saved) and a ``victim/`` beside it."""
    root = tmp_path / "folder"
    root.mkdir()
    (root / "a.txt").write_text(TEXT, encoding="utf-8")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "settings.json").write_text("not json: a victim's file", encoding="utf-8")
    (victim / "index.json").write_text('{"precious": true}', encoding="utf-8")
    FolderStore.open(root).save_annotation(Annotation.create(TEXT, 8, 13, "a.txt"))
    write_export_file(tmp_path / "import.json")
    return tmp_path


def rekey_index(root: Path, key: str, **fields: Any) -> None:
    """Store the folder's one document record under ``key`` (fields changed as given)."""
    index = root / ".ipreader" / "index.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    [(_old, record)] = data["documents"].items()
    data["documents"] = {key: {**record, **fields}}
    index.write_text(json.dumps(data), encoding="utf-8")


#: The highlight ``export_file`` holds.
IMPORTED = Annotation.create(TEXT, 18, 23, "a.txt")


def write_export_file(path: Path) -> None:
    """Write an ipreader export naming ``a.txt`` with one new highlight (``IMPORTED``)."""
    body = {
        "format": "ipreader.annotations",
        "version": 1,
        "documents": [{"path": "a.txt", "tags": ["t"], "annotations": [IMPORTED.to_dict()]}],
    }
    path.write_text(json.dumps(body), encoding="utf-8")


def every_command(run: Callable[..., Any], world: Path) -> list[Any]:
    """Run list, tags, export and import on the folder; return their results."""
    root = world / "folder"
    return [
        run("list", root),
        run("tags", root),
        run("export", root),
        run("export", root, "--format", "markdown"),
        run("import", world / "import.json", root),
    ]


@pytest.mark.parametrize(
    "key",
    ["../../../victim/settings", "{world}/victim/settings", "../../../victim/index", NUL_ID],
)
def test_document_ids_never_become_paths_outside_the_store(
    world: Path,
    run_cli_process: Callable[..., Any],
    snapshot: Callable[..., dict[str, Any]],
    key: str,
) -> None:
    root = world / "folder"
    key = key.format(world=world)
    rekey_index(root, key)
    before = snapshot(world, skip=root / ".ipreader")

    results = every_command(run_cli_process, world)

    for done in results:
        assert done.code == 0, done.err
        assert "Traceback" not in done.err
    # Nothing outside the store was created, moved or changed.
    assert snapshot(world, skip=root / ".ipreader") == before
    assert "(id is not a UUID)" in results[0].err
    # The import registered a.txt afresh (the bad record stays in the file, ignored).
    assert "added 1" in results[-1].out
    assert IMPORTED.id in {a.id for a in FolderStore.open(root).annotations("a.txt")}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("relpath", "a.txt\x00.json"),
        ("relpath", "../a.txt"),
        ("relpath", "/etc/passwd"),
        ("relpath", "./a.txt"),
    ],
)
def test_document_paths_that_are_not_plain_relative_paths_are_refused(
    world: Path, run_cli_process: Callable[..., Any], field: str, value: str
) -> None:
    root = world / "folder"
    index = json.loads((root / ".ipreader" / "index.json").read_text())
    [key] = index["documents"]
    rekey_index(root, key, **{field: value})
    for done in every_command(run_cli_process, world)[:4]:
        assert done.code == 0 and "Traceback" not in done.err, done.err
        assert f"({field} " in done.err


def test_nul_in_annotation_ids_and_state_is_never_a_traceback(
    world: Path, run_cli_process: Callable[..., Any]
) -> None:
    root = world / "folder"
    [path] = (root / ".ipreader" / "annotations").glob("*.json")
    data = json.loads(path.read_text())
    [(key, record)] = data["annotations"].items()
    data["annotations"] = {NUL_ID: record, "-orphans-heading": record, key: record}
    path.write_text(json.dumps(data))
    state = {"state": {"last_document": {"relpath": "a\x00.txt"}}}
    (root / ".ipreader" / "state.json").write_text(json.dumps(state))

    for done in every_command(run_cli_process, world):
        assert done.code == 0 and "Traceback" not in done.err, done.err
    store = FolderStore.open(root)
    assert {a.id for a in store.annotations("a.txt")} == {key, IMPORTED.id}
    assert store.last_document() is None
    assert "2 annotation(s) of a.txt could not be read" in " ".join(store.notices.take())


def make_hostile_location(world: Path, how: str) -> Path:
    """Replace the folder's store by a link to ``elsewhere/`` (holding a store) or a file."""
    root = world / "folder"
    store_dir = root / ".ipreader"
    elsewhere = world / "elsewhere"
    store_dir.rename(elsewhere)
    (elsewhere / ".tmp-index.json-old").write_text("another program's temp file")
    (elsewhere / "cache.json").write_text("another program's cache")
    if how == "store is a link":
        store_dir.symlink_to(elsewhere)
    elif how == "store is a file":
        store_dir.write_text("a file, not a directory")
    elif how == "annotations is a link":
        store_dir.mkdir()
        (store_dir / "annotations").symlink_to(elsewhere / "annotations")
    return elsewhere


@pytest.mark.parametrize("how", ["store is a link", "store is a file", "annotations is a link"])
def test_a_store_that_is_a_link_or_a_file_is_never_used(
    world: Path,
    run_cli_process: Callable[..., Any],
    snapshot: Callable[..., dict[str, Any]],
    how: str,
) -> None:
    root = world / "folder"
    make_hostile_location(world, how)
    fallback = fallback_store_dir(root)
    before = snapshot(world, skip=fallback)

    results = every_command(run_cli_process, world)
    library = Library.open([root])
    [info] = library.documents()
    library.load(info)
    library.store_for(info).save_annotation(Annotation.create(TEXT, 0, 5, "a.txt"))

    for done in results:
        assert done.code == 0 and "Traceback" not in done.err, done.err
    assert snapshot(world, skip=fallback) == before  # the link's target is untouched
    notice = results[0].err
    assert "is not used:" in notice and f"saved in {fallback}" in notice
    assert ("symbolic link" in notice) != (how == "store is a file")
    assert library.store_for(info).location == fallback


def test_a_lock_that_is_a_link_is_moved_aside_and_its_target_kept(
    world: Path, snapshot: Callable[..., dict[str, Any]]
) -> None:
    root = world / "folder"
    lock = root / ".ipreader" / "lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(world / "victim" / "settings.json")
    before = snapshot(world, skip=root / ".ipreader")

    store = FolderStore.open(root)
    store.save_annotation(Annotation.create(TEXT, 0, 5, "a.txt"))

    assert snapshot(world, skip=root / ".ipreader") == before
    assert "was a symbolic link, not a lock file; it was moved aside" in store.notices.take()[0]
    assert len(FolderStore.open(root).annotations("a.txt")) == 2
