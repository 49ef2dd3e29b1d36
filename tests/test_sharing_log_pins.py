"""``conflicts.json``: every version a merge did not keep, whole, once, and never overwritten.

Companion of ``test_sharing_merge.py``: what each logged record holds, that
logging nothing new writes nothing, the order it is read back in, and what
happens when the log cannot be read or moved.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from ipreader.core.errors import StoreError
from ipreader.core.sharing.conflict_log import Logged, log_conflicts, read_conflicts
from ipreader.core.sharing.layout import canonical, store_dir_of
from ipreader.core.sharing.three_way import Conflict, merge_tables

T0 = "2025-01-01T10:00:00.000Z"


def note(text: str, revision: int = 1) -> dict[str, Any]:
    return {"note": text, "revision": revision, "updated": T0, "tags": []}


def conflict(record_id: str = "x", lost: str = "lost") -> Conflict:
    return Conflict("annotations/d.json", "annotations", record_id, "why", note("kept"), note(lost))


def test_a_logged_conflict_holds_everything_to_restore_it(tmp_path: Path) -> None:
    logged = log_conflicts(tmp_path, [conflict()], source="git merge of a")
    assert logged == Logged(tmp_path / "conflicts.json", 1, None)
    [entry] = read_conflicts(tmp_path)
    at = entry.pop("at")
    assert isinstance(at, str) and at.endswith("Z")
    assert entry == {
        "source": "git merge of a",
        "file": "annotations/d.json",
        "table": "annotations",
        "id": "x",
        "reason": "why",
        "kept": note("kept"),
        "lost": note("lost"),
    }
    tables = json.loads((tmp_path / "conflicts.json").read_text(encoding="utf-8"))
    assert list(tables) == ["conflicts"] and list(tables["conflicts"]) == [conflict().key]


def test_logging_nothing_new_writes_nothing(tmp_path: Path) -> None:
    assert log_conflicts(tmp_path, [], source="s") == Logged(tmp_path / "conflicts.json", 0)
    assert not (tmp_path / "conflicts.json").exists()
    log_conflicts(tmp_path, [conflict()], source="first")
    before = (tmp_path / "conflicts.json").stat()
    again = log_conflicts(tmp_path, [conflict(), conflict()], source="second")
    assert again.added == 0
    after = (tmp_path / "conflicts.json").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert [e["source"] for e in read_conflicts(tmp_path)] == ["first"]  # the first sighting


def test_new_conflicts_are_added_to_the_earlier_ones(tmp_path: Path) -> None:
    log_conflicts(tmp_path, [conflict("a")], source="one")
    logged = log_conflicts(tmp_path, [conflict("a"), conflict("b"), conflict("c")], source="two")
    assert logged.added == 2
    assert sorted(e["id"] for e in read_conflicts(tmp_path)) == ["a", "b", "c"]


def test_conflicts_are_read_back_oldest_first_then_by_id(tmp_path: Path) -> None:
    records = {
        "k1": {"at": "2025-01-02T00:00:00.000Z", "id": "b"},
        "k2": {"at": "2025-01-01T00:00:00.000Z", "id": "z"},
        "k3": {"at": "2025-01-02T00:00:00.000Z", "id": "a"},
    }
    (tmp_path / "conflicts.json").write_text(json.dumps({"conflicts": records}))
    assert [e["id"] for e in read_conflicts(tmp_path)] == ["z", "a", "b"]


def test_an_unreadable_log_reads_as_none(tmp_path: Path) -> None:
    assert read_conflicts(tmp_path) == []
    (tmp_path / "conflicts.json").write_text("{not json")
    assert read_conflicts(tmp_path) == []
    (tmp_path / "conflicts.json").unlink()
    (tmp_path / "conflicts.json").mkdir()
    assert read_conflicts(tmp_path) == []


def test_a_damaged_log_is_kept_aside_even_when_nothing_new_is_logged(tmp_path: Path) -> None:
    (tmp_path / "conflicts.json").write_text("{not json")
    logged = log_conflicts(tmp_path, [], source="s")
    assert logged.added == 0 and logged.set_aside is not None
    assert logged.set_aside.read_text() == "{not json"
    assert json.loads((tmp_path / "conflicts.json").read_text()) == {"conflicts": {}}


def test_a_damaged_log_that_cannot_be_moved_is_an_error_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "conflicts.json"
    path.write_text("{not json")

    def refusing(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(source))

    monkeypatch.setattr(os, "replace", refusing)
    with pytest.raises(StoreError) as raised:
        log_conflicts(tmp_path, [conflict()], source="s")
    assert str(raised.value) == (
        f"{path} cannot be read and cannot be moved aside ({os.strerror(errno.EBUSY)})"
    )
    assert path.read_text() == "{not json"


def test_a_log_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "conflicts.json"
    path.mkdir()
    with pytest.raises(StoreError) as raised:
        log_conflicts(tmp_path, [conflict()], source="s")
    assert str(raised.value) == f"{path} cannot be read (Is a directory)"


# ------------------------------------------------------------------ conflict ids


def test_a_conflict_id_depends_on_every_part_of_it() -> None:
    first = conflict()
    assert first.key == conflict().key
    others = [
        Conflict("other.json", "annotations", "x", "why", note("kept"), note("lost")),
        Conflict("annotations/d.json", "other", "x", "why", note("kept"), note("lost")),
        Conflict("annotations/d.json", "annotations", "y", "why", note("kept"), note("lost")),
        Conflict("annotations/d.json", "annotations", "x", "why", note("k2"), note("lost")),
        Conflict("annotations/d.json", "annotations", "x", "why", note("kept"), None),
    ]
    assert len({first.key, *(c.key for c in others)}) == 6


def test_merging_counts_each_record_that_differs_from_ours() -> None:
    base = {"a": {"x": note("n"), "gone": note("g")}}
    ours = {"a": {"x": note("n"), "gone": note("g"), "mine": note("m")}}
    theirs = {"a": {"x": note("t", 2), "new": note("new")}}
    merged = merge_tables(base, ours, theirs, file="f")
    # x replaced, gone deleted, new added; mine unchanged.
    assert merged.changed == 3
    assert merged.tables == {"a": {"x": note("t", 2), "mine": note("m"), "new": note("new")}}


def test_a_table_emptied_by_the_merge_is_kept() -> None:
    base = {"a": {"x": note("n")}, "b": {}}
    merged = merge_tables(base, {"a": {"x": note("n")}}, {"a": {}}, file="f")
    assert merged.tables == {"a": {}}
    assert merge_tables({}, {"b": {}}, {}, file="f").tables == {"b": {}}


def test_a_deletion_against_an_edit_names_the_side_that_deleted() -> None:
    base = {"annotations": {"x": note("n")}}
    edited = {"annotations": {"x": note("edited", 2)}}
    deleted: dict[str, Any] = {"annotations": {}}
    mine_deleted = merge_tables(base, deleted, edited, file="annotations/d.json")
    theirs_deleted = merge_tables(base, edited, deleted, file="annotations/d.json")
    reason = "deleted on {} and changed on the other; the changed version was kept"
    assert mine_deleted.conflicts == [
        Conflict(
            "annotations/d.json",
            "annotations",
            "x",
            reason.format("this side"),
            note("edited", 2),
            None,
        )
    ]
    assert theirs_deleted.conflicts == [
        Conflict(
            "annotations/d.json",
            "annotations",
            "x",
            reason.format("the other side"),
            note("edited", 2),
            None,
        )
    ]


# ------------------------------------------------------------------ layout


def test_a_record_is_compared_as_sorted_compact_json_with_lone_surrogates_escaped() -> None:
    assert canonical({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'
    # A file name that is not UTF-8 decodes to a lone surrogate; it must still encode.
    assert canonical("x\udcff") == '"x\\udcff"'
    assert json.loads(canonical("x\udcff")) == "x\udcff"


def test_the_nearest_store_directory_wins() -> None:
    assert store_dir_of(PurePosixPath("a/.ipreader/b/.ipreader/f.json")) == PurePosixPath(
        "a/.ipreader/b/.ipreader"
    )
    assert store_dir_of(PurePosixPath("f.json")) == PurePosixPath(".")
