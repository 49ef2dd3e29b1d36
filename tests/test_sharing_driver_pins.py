"""git's merge driver, called in-process: what it writes, logs and says for each kind of input.

Companion of ``test_cli_merge_driver.py`` (whose git runs call the driver
in a child process): every message in full, the caches, and a log that
cannot be written leaving git's conflict with our file untouched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.sharing.conflict_log import read_conflicts
from ipreader.core.sharing.driver import EXIT_CONFLICT, DriverResult, merge_driver

T0 = "2025-01-01T10:00:00.000Z"


def record(note: str, revision: int = 1) -> dict[str, Any]:
    return {"note": note, "revision": revision, "updated": T0, "tags": []}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The work tree's top, the current directory as git runs drivers."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def versions(tree: Path, base: Any, ours: Any, theirs: Any) -> tuple[Path, Path, Path]:
    paths = []
    for role, value in (("O", base), ("A", ours), ("B", theirs)):
        text = value if isinstance(value, str) else json.dumps(value)
        (tree / role).write_text(text, encoding="utf-8")
        paths.append(tree / role)
    return paths[0], paths[1], paths[2]


def test_a_clean_merge_says_nothing(tree: Path) -> None:
    files = versions(tree, {}, {"a": {"m": record("m")}}, {"a": {"t": record("t")}})
    assert merge_driver(*files, ".ipreader/index.json") == DriverResult(0)
    assert json.loads(files[1].read_text()) == {"a": {"m": record("m"), "t": record("t")}}
    assert not (tree / ".ipreader" / "conflicts.json").exists()


def test_a_merge_with_conflicts_logs_them_and_says_where(tree: Path) -> None:
    base = {"annotations": {"x": record("old")}}
    files = versions(
        tree,
        base,
        {"annotations": {"x": record("mine", 2)}},
        {"annotations": {"x": record("t", 3)}},
    )
    name = "notes/.ipreader/annotations/d.json"
    result = merge_driver(*files, name)
    log = Path("notes/.ipreader/conflicts.json")
    assert result == DriverResult(
        0, (f"{name}: merged; 1 version(s) not kept are in {log} (kept and lost side by side)",)
    )
    [entry] = read_conflicts(tree / "notes" / ".ipreader")
    assert entry["source"] == f"git merge of {name}" and entry["file"] == "annotations/d.json"
    assert (tree / "notes" / ".ipreader" / "lock").exists()  # logged under the store's lock


def test_a_damaged_log_is_moved_aside_and_said(tree: Path) -> None:
    store = tree / ".ipreader"
    store.mkdir()
    (store / "conflicts.json").write_text("{damaged")
    files = versions(
        tree, {}, {"annotations": {"x": record("a", 2)}}, {"annotations": {"x": record("b", 3)}}
    )
    result = merge_driver(*files, ".ipreader/index.json")
    [moved] = store.glob("conflicts.json.corrupt-*")
    assert result.status == 0
    assert result.messages[0] == (
        f"{Path('.ipreader/conflicts.json')} could not be read; it was moved aside to "
        f"{Path('.ipreader') / moved.name} (nothing deleted) and a new log started"
    )
    assert moved.read_text() == "{damaged"


def test_a_log_that_cannot_be_written_leaves_gits_conflict(tree: Path) -> None:
    store = tree / ".ipreader"
    store.mkdir()
    (store / "conflicts.json").mkdir()
    ours = json.dumps({"annotations": {"x": record("a", 2)}})
    files = versions(tree, {}, ours, {"annotations": {"x": record("b", 3)}})
    result = merge_driver(*files, ".ipreader/index.json")
    assert result == DriverResult(
        EXIT_CONFLICT,
        (
            ".ipreader/index.json: left to git as a conflict: "
            f"{Path('.ipreader/conflicts.json')} cannot be read (Is a directory)",
        ),
    )
    assert files[1].read_text() == ours


@pytest.mark.parametrize("cache", ["cache.json", "verified.json"])
def test_a_cache_of_the_store_keeps_ours(tree: Path, cache: str) -> None:
    files = versions(tree, "{}", "not even json", "[]")
    assert merge_driver(*files, f"a/.ipreader/{cache}") == DriverResult(0)
    assert files[1].read_text() == "not even json"


def test_a_file_named_like_a_cache_elsewhere_is_merged(tree: Path) -> None:
    files = versions(tree, {}, {"a": {"m": record("m")}}, {"a": {"t": record("t")}})
    assert merge_driver(*files, "notes/cache.json").status == 0
    assert set(json.loads(files[1].read_text())["a"]) == {"m", "t"}


def test_each_version_that_cannot_be_merged_is_named(tree: Path) -> None:
    good = json.dumps({"a": {}})
    for base, ours, theirs, said in (
        ("{x", good, good, "the common ancestor's version is not an ipreader store file ("),
        ("", "", good, "this branch's version is not an ipreader store file ("),
        ("", good, "[]", "the other branch's version is not an ipreader store file ("),
    ):
        files = versions(tree, base, ours, theirs)
        result = merge_driver(*files, "x/.ipreader/index.json")
        assert result.status == EXIT_CONFLICT
        [message] = result.messages
        assert message.startswith(f"x/.ipreader/index.json: left to git as a conflict: {said}")
        assert files[1].read_text() == ours


def test_a_version_that_cannot_be_read_is_named_with_its_path(tree: Path) -> None:
    files = versions(tree, {}, {"a": {}}, {"a": {}})
    missing = tree / "gone"
    result = merge_driver(missing, files[1], files[2], "i.json")
    assert result == DriverResult(
        EXIT_CONFLICT,
        (
            f"i.json: left to git as a conflict: the common ancestor's version ({missing}) "
            "cannot be read: No such file or directory",
        ),
    )
