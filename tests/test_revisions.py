"""The revision rule: saves based on an older version and imports that would lose an edit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.revisions import (
    CLOCK_SKEW,
    ConflictError,
    Verdict,
    check_save,
    import_decision,
    iso,
    merged,
    resolved,
    same_user_data,
)

TEXT = "The quick brown fox jumps over the lazy dog."
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def original() -> Annotation:
    return replace(
        Annotation.create(TEXT, 4, 9, "a.txt", note="first"),
        created=iso(NOW - timedelta(days=1)),
        updated=iso(NOW - timedelta(days=1)),
    )


def at(annotation: Annotation, moment: datetime) -> Annotation:
    return replace(annotation, updated=iso(moment))


# ------------------------------------------------------------------ saves


def test_an_edit_of_the_stored_version_is_saved() -> None:
    base = original()
    mine = base.edited(note="mine")
    assert check_save(base, mine, base) is True


def test_an_edit_based_on_an_older_revision_is_a_conflict_naming_both() -> None:
    base = original()
    theirs = base.edited(note="theirs")
    mine = base.edited(note="mine")
    with pytest.raises(ConflictError) as raised:
        check_save(theirs, mine, base)
    assert raised.value.stored == theirs and raised.value.mine == mine
    assert "changed by another program" in str(raised.value)


def test_the_same_revision_with_other_data_is_a_conflict() -> None:
    # Our first save of revision 2 failed; another program stored its own revision 2.
    base = original()
    my_first = base.edited(note="mine, never stored")
    theirs = base.edited(note="theirs")
    my_second = my_first.edited(note="mine again")
    with pytest.raises(ConflictError):
        check_save(theirs, my_second, my_first)


def test_a_chain_of_my_edits_descends_from_an_older_stored_one() -> None:
    base = original()
    first = base.edited(note="one")
    second = first.edited(note="two")
    assert check_save(base, second, first) is True  # the first save failed: not a conflict


def test_a_reanchor_meanwhile_is_not_a_conflict() -> None:
    base = original()
    moved = replace(base, start=20, end=25, status=AnchorStatus.MOVED)  # same revision
    assert check_save(moved, base.edited(note="mine"), base) is True


def test_the_same_user_data_needs_no_write() -> None:
    base = original()
    theirs = base.edited(note="same")
    mine = base.edited(note="same")
    assert check_save(theirs, mine, base) is False


def test_deleting_what_another_program_edited_is_a_conflict() -> None:
    base = original()
    with pytest.raises(ConflictError) as raised:
        check_save(base.edited(note="theirs"), None, base)
    assert raised.value.mine is None


def test_editing_what_another_program_deleted_is_a_conflict() -> None:
    base = original()
    with pytest.raises(ConflictError, match="deleted by another program"):
        check_save(None, base.edited(note="mine"), base)


def test_a_new_highlight_and_deleting_nothing() -> None:
    mine = original()
    assert check_save(None, mine, None) is True
    assert check_save(None, None, mine) is False


def test_resolving_puts_the_kept_version_after_the_stored_one() -> None:
    base = original()
    theirs = base.edited(note="theirs").edited(note="theirs again")
    mine = base.edited(note="mine")
    kept = resolved(mine, theirs)
    assert kept.note == "mine" and kept.revision == theirs.revision + 1
    assert check_save(theirs, kept, theirs) is True


def test_merging_keeps_both_notes_and_every_tag() -> None:
    base = original()
    theirs = base.edited(note="theirs", tags=("a", "b"))
    mine = base.edited(note="mine", tags=("b", "c"))
    both = merged(mine, theirs)
    assert "mine" in both.note and "theirs" in both.note
    assert both.tags == ("b", "c", "a")
    assert both.revision > theirs.revision


@given(st.lists(st.sampled_from(["me", "them"]), min_size=1, max_size=8))
def test_no_interleaving_of_two_writers_loses_an_edit(turns: list[str]) -> None:
    """Each turn a writer edits its view and saves it; a conflict refreshes its view.

    Every accepted save started from the stored data: nothing it replaced went unseen.
    """
    stored = original()
    views = {"me": stored, "them": stored}
    for number, who in enumerate(turns):
        base = views[who]
        change = base.edited(note=f"{who} edit {number}")
        try:
            written = check_save(stored, change, base)
        except ConflictError as conflict:
            assert conflict.stored == stored
            views[who] = stored  # the user looked at both and took the stored one
            continue
        assert same_user_data(stored, base)
        if written:
            stored = change
        views[who] = change


# ------------------------------------------------------------------ imports


def test_an_import_of_a_new_annotation_is_added() -> None:
    decision = import_decision(None, original(), NOW)
    assert decision.verdict is Verdict.ADD and decision.message == ""


def test_an_import_with_a_higher_revision_replaces() -> None:
    stored = original()
    incoming = stored.edited(note="edited elsewhere")
    assert import_decision(stored, incoming, NOW).verdict is Verdict.REPLACE


def test_an_import_of_an_older_revision_keeps_the_folders() -> None:
    stored = original().edited(note="edited here")
    incoming = at(original(), NOW)  # an older revision with a recent clock
    decision = import_decision(stored, incoming, NOW)
    assert decision.verdict is Verdict.KEEP
    assert "newer" in decision.message


def test_identical_data_is_the_same_whatever_the_clock() -> None:
    stored = original()
    assert import_decision(stored, at(stored, NOW), NOW).verdict is Verdict.SAME


def test_both_changed_the_newer_clock_wins_with_a_message() -> None:
    base = original()
    stored = at(base.edited(note="here"), NOW - timedelta(hours=2))
    incoming = at(base.edited(note="there"), NOW - timedelta(hours=1))
    decision = import_decision(stored, incoming, NOW)
    assert decision.verdict is Verdict.REPLACE
    assert "both changed" in decision.message and "here" in decision.message


def test_both_changed_the_folders_newer_edit_is_a_conflict_not_applied() -> None:
    base = original()
    stored = at(base.edited(note="here"), NOW - timedelta(hours=1))
    incoming = at(base.edited(note="there"), NOW - timedelta(hours=2))
    decision = import_decision(stored, incoming, NOW)
    assert decision.verdict is Verdict.CONFLICT
    assert "not applied" in decision.message


def test_a_clock_in_the_future_never_wins_a_conflict() -> None:
    base = original()
    stored = at(base.edited(note="here"), NOW - timedelta(hours=1))
    incoming = at(base.edited(note="from 2099"), datetime(2099, 1, 1, tzinfo=UTC))
    decision = import_decision(stored, incoming, NOW)
    assert decision.verdict is Verdict.CONFLICT
    assert "in the future" in decision.message


def test_a_future_time_is_clamped_when_the_import_is_applied() -> None:
    stored = original()
    incoming = at(stored.edited(note="later revision"), datetime(2099, 1, 1, tzinfo=UTC))
    decision = import_decision(stored, incoming, NOW)
    assert decision.verdict is Verdict.REPLACE
    assert decision.annotation.updated == iso(NOW)
    assert "in the future: set to now" in decision.message


def test_a_time_within_the_skew_is_trusted() -> None:
    base = original()
    stored = at(base.edited(note="here"), NOW - timedelta(hours=1))
    incoming = at(base.edited(note="there"), NOW + CLOCK_SKEW / 2)
    decision = import_decision(stored, incoming, NOW)
    assert decision.verdict is Verdict.REPLACE and decision.annotation.updated == incoming.updated


def test_reimporting_an_old_file_never_reverts_a_later_edit() -> None:
    """The issue's case: an export from 2099, imported twice around a user's edit."""
    stored = original()
    from_2099 = at(stored.edited(note="2099"), datetime(2099, 1, 1, tzinfo=UTC))
    first = import_decision(stored, from_2099, NOW)
    assert first.verdict is Verdict.REPLACE
    edited_here = first.annotation.edited(note="the user's later edit")
    again = import_decision(edited_here, from_2099, NOW + timedelta(days=1))
    assert again.verdict is Verdict.KEEP
