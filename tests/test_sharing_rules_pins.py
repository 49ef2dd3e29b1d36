"""What a merge keeps of a record both sides changed, and what the conflict log is told.

Companion of ``test_sharing_merge.py``, on ``rules.resolve`` directly: the
same decision on both machines whichever side is "ours", the reasons in
full, and odd values (a boolean revision, an unreadable time, a schema
version that is not a number) never winning by accident.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ipreader.core.revisions import iso
from ipreader.core.sharing.rules import Resolution, is_annotation, is_document, resolve

T0 = "2025-01-01T10:00:00.000Z"
T1 = "2025-01-01T11:00:00.000Z"
AHEAD = "2999-01-01T00:00:00.000Z"


def note(text: str, revision: Any = 1, updated: Any = T0, **extra: Any) -> dict[str, Any]:
    return {"note": text, "revision": revision, "updated": updated, "tags": [], **extra}


def doc(**fields: Any) -> dict[str, Any]:
    return {"relpath": "a.txt", "tags": [], "note": "", "position": 0, "sha256": "s", **fields}


def both_ways(table: str, base: Any, first: Any, second: Any) -> Resolution:
    """The resolution, checked to keep the same record whichever side is ours."""
    one = resolve(table, base, first, second)
    other = resolve(table, base, second, first)
    assert one.kept == other.kept
    return one


# ------------------------------------------------------------------ annotations


def test_the_reason_names_both_revisions() -> None:
    kept = both_ways("annotations", None, note("mine", 3), note("theirs", 2, T1))
    assert kept == Resolution(
        note("mine", 3), note("theirs", 2, T1), "revision 3 kept over revision 2"
    )


def test_the_same_revision_names_both_times() -> None:
    kept = both_ways("annotations", None, note("older", 2, T0), note("newer", 2, T1))
    assert kept.kept == note("newer", 2, T1) and kept.lost == note("older", 2, T0)
    assert kept.reason == f"both changed revision 2; the later one ({T1}) kept over {T0}"


def test_the_same_revision_and_time_goes_to_the_same_record_on_both_machines() -> None:
    first, second = note("alpha", 2, T1), note("beta", 2, T1)
    kept = both_ways("annotations", None, first, second)
    assert kept.kept == second  # the larger record text: '"beta"' after '"alpha"'
    assert kept.lost == first


def test_a_boolean_revision_is_no_revision() -> None:
    kept = both_ways("annotations", None, note("bool", True, T1), note("one", 1, T0))
    assert kept.kept == note("one", 1, T0)
    assert kept.reason == "revision 1 kept over revision 0"


def test_an_unreadable_time_loses_to_a_readable_one() -> None:
    for bad in ("not a time", 12345, AHEAD):
        kept = both_ways("annotations", None, note("bad", 2, bad), note("good", 2, T0))
        assert kept.kept == note("good", 2, T0), bad


def test_two_unreadable_times_still_decide_the_same_way_on_both_machines() -> None:
    kept = both_ways("annotations", None, note("x", 2, "garbage"), note("y", 2, 7))
    assert kept.lost is not None


def test_only_offsets_differing_loses_nothing() -> None:
    kept = resolve("annotations", None, note("same", 1, T0, start=1), note("same", 2, T1, start=5))
    assert kept == Resolution(note("same", 2, T1, start=5))


def test_a_record_is_an_annotation_only_with_a_revision_and_a_time() -> None:
    assert is_annotation({"revision": 1, "updated": T0})
    assert not is_annotation({"revision": 1}) and not is_annotation({"updated": T0})
    assert is_document({"relpath": "a"}) and not is_document({"path": "a"})
    half = {"revision": 2, "note": "no time"}
    kept = resolve("annotations", None, half, note("timed", 1))
    assert kept == Resolution(
        half, note("timed", 1), "both sides changed this record; this side's version kept"
    )


# ------------------------------------------------------------------ schema and state


def test_the_schema_takes_the_higher_version_and_ignores_non_numbers() -> None:
    assert both_ways("_meta", None, {"version": 2}, {"version": 3}).kept == {"version": 3}
    assert both_ways("_meta", None, {"version": True}, {"version": 0}).kept == {"version": 0}
    assert both_ways("_meta", None, {"version": "9"}, {"version": 1}).kept == {"version": 1}
    same = both_ways("_meta", None, {"version": 2, "by": "a"}, {"version": 2, "by": "b"})
    assert same == Resolution({"version": 2, "by": "b"})


def test_the_reading_state_keeps_ours_and_logs_nothing() -> None:
    assert resolve("state", None, {"relpath": "a"}, {"relpath": "b"}) == Resolution(
        {"relpath": "a"}
    )


# ------------------------------------------------------------------ documents


def test_a_field_only_one_side_changed_takes_that_side() -> None:
    base = doc(note="n", position=3)
    kept = both_ways("documents", base, doc(note="n", position=9), doc(note="changed", position=3))
    assert kept == Resolution(doc(note="changed", position=9))


def test_differing_hashes_and_sketches_are_cleared() -> None:
    base = doc(fingerprint="f0")
    kept = both_ways(
        "documents", base, doc(sha256="s1", fingerprint="f1"), doc(sha256="s", fingerprint="f0")
    )
    assert kept == Resolution(doc(sha256=None, fingerprint=""))


def test_a_field_both_changed_keeps_the_larger_and_logs_the_other() -> None:
    base = doc(title="old")
    for ours, theirs in (("alpha", "beta"), ("beta", "alpha")):
        kept = resolve("documents", base, doc(title=ours), doc(title=theirs))
        assert kept.kept == doc(title="beta")
        assert kept.lost == doc(title="alpha")
        assert kept.reason == "both changed title"


def test_every_reason_is_named_and_the_lost_record_holds_the_merged_rest() -> None:
    base = doc(note="start", title="old")
    ours = doc(note="A", title="alpha", position=4)
    theirs = doc(note="B", title="beta", position=9)
    kept = resolve("documents", base, ours, theirs)
    assert kept.kept == doc(note="A\n\nB", title="beta", position=9)
    assert kept.lost == doc(note="A\n\nB", title="alpha", position=9)
    assert (
        kept.reason == "both changed the note: both kept, one after the other; both changed title"
    )


def test_a_joined_note_alone_logs_theirs_whole() -> None:
    base = doc(note="start")
    kept = resolve("documents", base, doc(note="A"), doc(note="B"))
    assert kept == Resolution(
        doc(note="A\n\nB"), doc(note="B"), "both changed the note: both kept, one after the other"
    )


def test_a_note_that_is_not_text_is_merged_like_any_field() -> None:
    kept = both_ways("documents", doc(note="n"), doc(note=5), doc(note="text"))
    assert kept.kept["note"] == 5 and kept.reason == "both changed note"  # by JSON text


def test_a_position_that_is_not_a_number_is_merged_like_any_field() -> None:
    kept = both_ways("documents", doc(position=1), doc(position="9"), doc(position=2))
    assert kept.kept["position"] == 2 and kept.reason == "both changed position"


def test_tags_both_changed_keep_each_sides_additions_once_and_no_removal() -> None:
    base = doc(tags=["old", "both"])
    kept = resolve(
        "documents", base, doc(tags=["both", "mine", "x"]), doc(tags=["old", "x", "theirs"])
    )
    assert kept == Resolution(doc(tags=["mine", "x", "theirs"]))


def test_tags_that_are_not_lists_count_as_none() -> None:
    kept = resolve("documents", doc(tags="old"), doc(tags=["mine"]), doc(tags={"t": 1}))
    assert kept.kept["tags"] == ["mine"]
    kept = resolve("documents", doc(tags=["a"]), doc(tags="x"), doc(tags=["a", "b"]))
    assert kept.kept["tags"] == ["b"]


def test_a_base_that_is_not_a_document_is_no_base() -> None:
    base = {"tags": ["mine", "theirs"]}  # no relpath: not the ancestor of a document
    kept = resolve("documents", base, doc(tags=["mine"]), doc(tags=["theirs"]))
    assert kept.kept["tags"] == ["mine", "theirs"]


def test_a_document_against_a_record_of_another_shape_keeps_ours() -> None:
    other = {"path": "a.txt", "v": 1}
    kept = resolve("documents", None, doc(), other)
    assert kept == Resolution(
        doc(), other, "both sides changed this record; this side's version kept"
    )
    assert resolve("documents", None, other, doc()).kept == other


def test_a_time_of_the_last_minutes_is_a_readable_time() -> None:
    recent = iso(datetime.now(UTC) - timedelta(minutes=1))
    soon = iso(datetime.now(UTC) + timedelta(minutes=1))  # within the allowed skew
    for fresh in (recent, soon):
        kept = both_ways("annotations", None, note("fresh", 2, fresh), note("old", 2, T0))
        assert kept.kept == note("fresh", 2, fresh)
