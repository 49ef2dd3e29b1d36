"""Merging two versions of a store file record by record (core/sharing: three_way, rules)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.sharing.conflict_log import log_conflicts, read_conflicts
from ipreader.core.sharing.layout import encode_tables, store_dir_of
from ipreader.core.sharing.three_way import merge_tables
from ipreader.core.storage import Tables

T0 = "2025-01-01T10:00:00.000Z"
T1 = "2025-01-01T11:00:00.000Z"


def note(text: str, revision: int = 1, updated: str = T0, **extra: Any) -> dict[str, Any]:
    """An annotation-shaped record."""
    return {"note": text, "revision": revision, "updated": updated, "tags": [], **extra}


def doc(relpath: str = "a.txt", **fields: Any) -> dict[str, Any]:
    """A document record of an index."""
    return {"relpath": relpath, "tags": [], "note": "", "position": 0, "sha256": "s", **fields}


def test_records_changed_on_one_side_and_new_on_either_are_all_kept() -> None:
    base: Tables = {"annotations": {"x": note("old")}}
    ours: Tables = {"annotations": {"x": note("old"), "mine": note("m")}}
    theirs: Tables = {"annotations": {"x": note("new", 2), "theirs": note("t")}}
    merged = merge_tables(base, ours, theirs, file="annotations/d.json")
    assert merged.tables == {
        "annotations": {"x": note("new", 2), "mine": note("m"), "theirs": note("t")}
    }
    assert merged.conflicts == []


def test_both_changed_the_higher_revision_wins_and_the_other_is_logged() -> None:
    base: Tables = {"annotations": {"x": note("old")}}
    ours: Tables = {"annotations": {"x": note("mine", 3)}}
    theirs: Tables = {"annotations": {"x": note("theirs", 2, T1)}}
    merged = merge_tables(base, ours, theirs, file="f.json")
    assert merged.tables["annotations"]["x"] == note("mine", 3)
    [conflict] = merged.conflicts
    assert conflict.lost == note("theirs", 2, T1) and conflict.kept == note("mine", 3)
    assert "revision 3" in conflict.reason


def test_same_revision_the_newer_update_wins_either_way_round() -> None:
    base: Tables = {"annotations": {"x": note("old")}}
    older, newer = note("older", 2, T0), note("newer", 2, T1)
    for ours, theirs in ((older, newer), (newer, older)):
        merged = merge_tables(
            base, {"annotations": {"x": ours}}, {"annotations": {"x": theirs}}, file="f"
        )
        assert merged.tables["annotations"]["x"] == newer
        assert [c.lost for c in merged.conflicts] == [older]


def test_a_time_from_a_clock_running_ahead_does_not_win() -> None:
    base: Tables = {"annotations": {"x": note("old")}}
    honest, ahead = note("honest", 2, T1), note("ahead", 2, "2999-01-01T00:00:00.000Z")
    for ours, theirs in ((honest, ahead), (ahead, honest)):
        merged = merge_tables(
            base, {"annotations": {"x": ours}}, {"annotations": {"x": theirs}}, file="f"
        )
        assert merged.tables["annotations"]["x"] == honest
        assert [c.lost for c in merged.conflicts] == [ahead]


def test_only_offsets_differing_is_no_conflict() -> None:
    ours = note("same", 1, T0, start=1)
    theirs = note("same", 1, T1, start=5)
    merged = merge_tables({}, {"a": {"x": ours}}, {"a": {"x": theirs}}, file="f")
    assert merged.tables["a"]["x"] == theirs and merged.conflicts == []


def test_deleted_on_one_side_unchanged_on_the_other_is_deleted() -> None:
    base: Tables = {"annotations": {"x": note("n"), "y": note("keep")}}
    ours: Tables = {"annotations": {"y": note("keep")}}
    theirs: Tables = {"annotations": {"x": note("n"), "y": note("keep")}}
    for first, second in ((ours, theirs), (theirs, ours)):
        merged = merge_tables(base, first, second, file="f")
        assert merged.tables == {"annotations": {"y": note("keep")}}
        assert merged.conflicts == []


def test_deleted_on_one_side_changed_on_the_other_is_kept_and_logged() -> None:
    base: Tables = {"annotations": {"x": note("n")}}
    changed = note("edited", 2)
    for ours, theirs in (
        ({"annotations": {}}, {"annotations": {"x": changed}}),
        ({"annotations": {"x": changed}}, {"annotations": {}}),
    ):
        merged = merge_tables(base, ours, theirs, file="f")
        assert merged.tables["annotations"] == {"x": changed}
        [conflict] = merged.conflicts
        assert conflict.kept == changed and conflict.lost is None
        assert "deleted" in conflict.reason


def test_document_tags_are_joined_and_removals_kept() -> None:
    base: Tables = {"documents": {"d": doc(tags=["old", "both"])}}
    ours: Tables = {"documents": {"d": doc(tags=["both", "mine"])}}  # removed "old"
    theirs: Tables = {"documents": {"d": doc(tags=["old", "both", "theirs"])}}
    merged = merge_tables(base, ours, theirs, file="index.json")
    assert merged.tables["documents"]["d"]["tags"] == ["both", "mine", "theirs"]
    assert merged.conflicts == []


def test_document_note_changed_on_one_side_takes_it_both_changed_keeps_both() -> None:
    base: Tables = {"documents": {"d": doc(note="start")}}
    one = merge_tables(base, base, {"documents": {"d": doc(note="later")}}, file="i")
    assert one.tables["documents"]["d"]["note"] == "later" and not one.conflicts
    both = merge_tables(
        base,
        {"documents": {"d": doc(note="A", position=9)}},
        {"documents": {"d": doc(note="B", position=4, sha256="t")}},
        file="i",
    )
    record = both.tables["documents"]["d"]
    assert record["note"] == "A\n\nB" and record["position"] == 9 and record["sha256"] is None
    [conflict] = both.conflicts
    assert conflict.lost is not None and conflict.lost["note"] == "B"


def test_state_takes_either_and_schema_the_higher_version() -> None:
    ours: Tables = {
        "_meta": {"schema": {"version": 1}},
        "state": {"last_document": {"relpath": "a"}},
    }
    theirs: Tables = {
        "_meta": {"schema": {"version": 2}},
        "state": {"last_document": {"relpath": "b"}},
    }
    merged = merge_tables({}, ours, theirs, file="x")
    assert merged.tables["_meta"]["schema"] == {"version": 2}
    assert merged.tables["state"]["last_document"] == {"relpath": "a"}
    assert merged.conflicts == []


def test_an_unknown_record_shape_keeps_ours_and_logs_theirs() -> None:
    merged = merge_tables({}, {"t": {"k": {"v": 1}}}, {"t": {"k": {"v": 2}}}, file="x")
    assert merged.tables == {"t": {"k": {"v": 1}}}
    assert [c.lost for c in merged.conflicts] == [{"v": 2}]


def test_merged_files_are_written_as_the_store_writes_them() -> None:
    tables: Tables = {"b": {"2": {"z": 1, "a": "é"}, "1": {}}, "a": {}}
    data = encode_tables(tables)
    assert json.loads(data) == tables
    lines = data.decode().splitlines()
    assert lines == ['{"a":{},', '"b":{', '"1":{},', '"2":{"a":"é","z":1}', "}}"]
    assert encode_tables(json.loads(data)) == data


def test_store_dir_is_the_nearest_ipreader_ancestor() -> None:
    from pathlib import PurePosixPath as P

    assert store_dir_of(P("a/.ipreader/annotations/x.json")) == P("a/.ipreader")
    assert store_dir_of(P(".ipreader/index.json")) == P(".ipreader")
    assert store_dir_of(P("notes/x.json")) == P("notes")


def test_the_conflict_log_keeps_each_conflict_once(tmp_path: Any) -> None:
    base: Tables = {"a": {"x": note("n")}}
    merged = merge_tables(base, {"a": {"x": note("m", 2)}}, {"a": {"x": note("t", 3)}}, file="f")
    log_conflicts(tmp_path, merged.conflicts, source="git merge")
    again = log_conflicts(tmp_path, merged.conflicts, source="git merge")
    assert again.added == 0
    [entry] = read_conflicts(tmp_path)
    assert entry["lost"] == note("m", 2) and entry["kept"] == note("t", 3)
    assert entry["file"] == "f" and entry["id"] == "x"


def test_an_unreadable_conflict_log_is_moved_aside_not_overwritten(tmp_path: Any) -> None:
    (tmp_path / "conflicts.json").write_text("{not json")
    merged = merge_tables({}, {"a": {"x": note("m")}}, {"a": {"x": note("t", 2)}}, file="f")
    logged = log_conflicts(tmp_path, merged.conflicts, source="s")
    assert logged.set_aside is not None and logged.set_aside.read_text() == "{not json"
    assert len(read_conflicts(tmp_path)) == 1


# ------------------------------------------------------------------ properties

_ids = st.sampled_from([f"id{n}" for n in range(8)])
_records = st.builds(
    note,
    st.sampled_from(["a", "b", "c"]),
    st.integers(1, 3),
    st.sampled_from([T0, T1]),
)
_tables = st.dictionaries(
    st.sampled_from(["annotations", "other"]),
    st.dictionaries(_ids, _records, max_size=6),
    max_size=2,
)


@given(_tables, _tables, _tables)
def test_merging_never_drops_a_record(base: Tables, ours: Tables, theirs: Tables) -> None:
    """Every id of either side is in the result, or deleted from an unchanged copy, or logged."""
    merged = merge_tables(base, ours, theirs, file="f")
    logged = {(c.table, c.id) for c in merged.conflicts}
    for side, other in ((ours, theirs), (theirs, ours)):
        for table, records in side.items():
            for record_id, record in records.items():
                kept = merged.tables.get(table, {}).get(record_id)
                if kept == record or (table, record_id) in logged:
                    continue
                if kept is None:
                    # Deleted: only when the other side deleted it and this side left it as it was.
                    assert base.get(table, {}).get(record_id) == record
                    assert record_id not in other.get(table, {})
                else:
                    # Replaced without a log entry: the other side's version is the newer one
                    # of the same user data, or this side never changed it.
                    assert kept == other.get(table, {}).get(record_id)
                    assert record == base.get(table, {}).get(record_id) or (
                        kept["note"] == record["note"]
                    )


@given(_tables, _tables)
def test_merging_without_ancestor_is_commutative_and_keeps_every_id(
    ours: Tables, theirs: Tables
) -> None:
    one = merge_tables({}, ours, theirs, file="f")
    two = merge_tables({}, theirs, ours, file="f")
    for table in {*ours, *theirs}:
        ids = {*ours.get(table, {}), *theirs.get(table, {})}
        assert set(one.tables[table]) == ids
        # The same version wins whichever side merges.
        assert one.tables[table] == two.tables[table]


@given(_tables, _tables, _tables)
def test_merging_again_changes_nothing(base: Tables, ours: Tables, theirs: Tables) -> None:
    merged = merge_tables(base, ours, theirs, file="f").tables
    assert merge_tables(base, merged, theirs, file="f").tables == merged


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)
_field_names = st.sampled_from(
    ["revision", "updated", "relpath", "tags", "note", "position", "sha256", "version", "x"]
)
_any_records = st.dictionaries(_field_names, _json, max_size=5)
_any_tables = st.dictionaries(
    st.sampled_from(["annotations", "documents", "_meta", "state", "t"]),
    st.dictionaries(_ids, _any_records, max_size=3),
    max_size=3,
)


@given(_any_tables, _any_tables, _any_tables)
def test_any_field_values_merge_without_an_error_and_encode(
    base: Tables, ours: Tables, theirs: Tables
) -> None:
    """Hostile or odd field values (wrong types, naive times) never make the merge fail."""
    merged = merge_tables(base, ours, theirs, file="f")
    assert json.loads(encode_tables(merged.tables)) == merged.tables
