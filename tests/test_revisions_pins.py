"""The revision rule's promises that a conflict dialog, an import report and the store rely on.

Each test states what a user sees or keeps: which versions a conflict carries
and names, which times an import trusts, and what a settled conflict stores.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ipreader.core.model import Annotation
from ipreader.core.revisions import (
    CLOCK_SKEW,
    ConflictError,
    Verdict,
    check_save,
    clamp_times,
    import_decision,
    iso,
    merged,
    parse_time,
    resolved,
)

TEXT = "The quick brown fox jumps over the lazy dog."
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LONG = "a very long highlighted sentence that goes on well past forty characters"


def stored_version(note: str = "first") -> Annotation:
    return replace(
        Annotation.create(TEXT, 4, 9, "a.txt", note=note),
        created=iso(NOW - timedelta(days=1)),
        updated=iso(NOW - timedelta(days=1)),
    )


@pytest.fixture
def kolkata(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone is UTC+05:30 for the test, then back."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield None
    monkeypatch.undo()
    time.tzset()


# ------------------------------------------------------------------ conflicts of saves


def test_deleting_a_highlight_changed_elsewhere_carries_the_stored_version() -> None:
    base = stored_version()
    theirs = base.edited(note="theirs")
    with pytest.raises(ConflictError) as raised:
        check_save(theirs, None, base)
    assert raised.value.stored == theirs and raised.value.mine is None
    assert f"(revision {theirs.revision})" in str(raised.value)


def test_saving_a_highlight_deleted_elsewhere_carries_my_version_and_names_its_quote() -> None:
    base = stored_version()
    mine = base.edited(note="mine")
    with pytest.raises(ConflictError) as raised:
        check_save(None, mine, base)
    assert raised.value.stored is None and raised.value.mine == mine
    assert str(raised.value) == (
        "the highlight “quick” was deleted by another program; choose which version to keep"
    )


def test_a_conflict_names_a_one_word_quote_cut_to_forty_characters() -> None:
    base = replace(stored_version(), quote="x" * 60)
    theirs = base.edited(note="theirs")
    with pytest.raises(ConflictError) as raised:
        check_save(theirs, base.edited(note="mine"), base)
    assert str(raised.value).startswith(f"the highlight “{'x' * 39}…” was changed")


def test_a_conflict_names_the_stored_quote_cut_to_forty_characters() -> None:
    base = replace(stored_version(), quote=LONG)
    theirs = replace(base.edited(note="theirs"), quote=LONG)
    mine = replace(base.edited(note="mine"), quote="my own quote")
    with pytest.raises(ConflictError) as raised:
        check_save(theirs, mine, base)
    message = str(raised.value)
    assert message.startswith("the highlight “a very long highlighted sentence that…” was")
    assert "my own quote" not in message


# ------------------------------------------------------------------ times of imports


def test_parse_time_reads_a_time_without_a_zone_as_utc_and_keeps_an_offset() -> None:
    assert parse_time("2024-05-01T12:00:00") == NOW
    assert parse_time("2024-05-01T12:00:00").utcoffset() == timedelta(0)
    plus_five = parse_time("2024-05-01T17:00:00+05:00")
    assert plus_five == NOW
    assert plus_five.utcoffset() == timedelta(hours=5)


def test_iso_writes_utc_with_a_z_whatever_the_local_zone(kolkata: None) -> None:
    moment = datetime(2024, 5, 1, 17, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert iso(moment) == "2024-05-01T12:00:00.000Z"
    assert iso(NOW) == "2024-05-01T12:00:00.000Z"


def test_a_time_exactly_at_the_allowed_skew_is_trusted() -> None:
    edge = replace(stored_version(), created=iso(NOW + CLOCK_SKEW), updated=iso(NOW + CLOCK_SKEW))
    assert clamp_times(edge, NOW) == (edge, "")


def test_both_future_times_are_set_to_now_and_named() -> None:
    future = NOW + timedelta(days=3)
    ahead = replace(stored_version(), created=iso(future), updated=iso(future))
    clamped, told = clamp_times(ahead, NOW)
    assert (clamped.created, clamped.updated) == (iso(NOW), iso(NOW))
    assert told == (f"created {iso(future)} and updated {iso(future)} in the future: set to now")


def test_only_the_future_time_is_clamped() -> None:
    future = NOW + timedelta(days=3)
    ahead = replace(stored_version(), updated=iso(future))
    clamped, told = clamp_times(ahead, NOW)
    assert clamped.created == ahead.created and clamped.updated == iso(NOW)
    assert told == f"updated {iso(future)} in the future: set to now"


def test_a_new_highlight_from_the_future_is_added_with_its_times_set_to_now() -> None:
    future = NOW + timedelta(days=3)
    incoming = replace(stored_version(), created=iso(future), updated=iso(future))
    decision = import_decision(None, incoming, NOW)
    assert decision.verdict is Verdict.ADD
    assert decision.annotation == replace(incoming, created=iso(NOW), updated=iso(NOW))
    assert "in the future: set to now" in decision.message


def test_import_decision_without_a_clock_uses_the_current_utc_time() -> None:
    far = replace(stored_version(), created="2999-01-01T00:00:00.000Z")
    before = datetime.now(UTC)
    decision = import_decision(None, far)
    after = datetime.now(UTC)
    assert decision.verdict is Verdict.ADD
    clamped = parse_time(decision.annotation.created)
    assert before - timedelta(milliseconds=1) <= clamped <= after
    assert decision.annotation.updated == far.updated


def test_the_versions_an_import_keeps_are_the_incoming_ones() -> None:
    stored = stored_version()
    same = replace(stored, start=0, end=3)
    assert import_decision(stored, same, NOW).annotation == same
    older = stored.edited(note="older")
    newer_stored = stored.edited(note="newer").edited(note="newest")
    kept = import_decision(newer_stored, older, NOW)
    assert kept.verdict is Verdict.KEEP and kept.annotation == older


def test_the_same_edit_time_on_both_sides_is_a_conflict_not_a_replacement() -> None:
    base = stored_version()
    theirs = replace(base.edited(note="theirs", tags=("x",)), updated=iso(NOW))
    mine = replace(base.edited(note="mine", color="green"), updated=iso(NOW))
    decision = import_decision(theirs, mine, NOW)
    assert decision.verdict is Verdict.CONFLICT
    assert decision.annotation == mine
    assert decision.message.endswith("(note “theirs” here, “mine” imported; tags; color)")


def test_a_conflict_with_a_future_time_keeps_the_incoming_version_unclamped() -> None:
    base = stored_version()
    future = iso(NOW + timedelta(days=1))
    theirs = replace(base.edited(tags=("x",)), updated=iso(NOW))
    mine = replace(base.edited(tags=("y",)), updated=future)
    decision = import_decision(theirs, mine, NOW)
    assert decision.verdict is Verdict.CONFLICT
    assert decision.annotation == mine and decision.annotation.updated == future
    assert decision.message.endswith("not applied (tags)")


# ------------------------------------------------------------------ settling a conflict


def test_a_settled_conflict_follows_the_higher_revision_with_a_fresh_time() -> None:
    stored = stored_version().edited(note="b").edited(note="c")
    mine = replace(stored_version().edited(note="mine"), updated=iso(NOW))
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    settled = resolved(mine, stored)
    assert settled.revision == stored.revision + 1
    assert parse_time(settled.updated) >= before
    assert settled.note == "mine"


def test_keeping_my_version_of_a_highlight_deleted_elsewhere_bumps_my_revision() -> None:
    mine = replace(stored_version().edited(note="mine"), updated=iso(NOW))
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    kept = resolved(mine, None)
    assert kept.revision == mine.revision + 1
    assert parse_time(kept.updated) >= before


def test_merged_notes_are_joined_by_a_blank_line_after_the_stored_revision() -> None:
    stored = stored_version(note="theirs").edited(tags=("b",)).edited(tags=("b", "c"))
    stored = stored.edited(color="green")
    mine = stored_version(note="mine").edited(tags=("a",))
    both = merged(mine, stored)
    assert both.note == "mine\n\ntheirs"
    assert both.revision == stored.revision + 1
    assert set(both.tags) == {"a", "b", "c"}
