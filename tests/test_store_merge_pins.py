"""Pins of the store's merge rules (``store/merge.py``): what each side keeps, what is said."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ipreader.core.model import MAX_DOCUMENT_TAGS, Annotation
from ipreader.core.store.formats import DocRecord
from ipreader.core.store.merge import (
    NOTE_SEPARATOR,
    MergeResult,
    joined_note,
    merged_record,
    newer_rows,
)

TEXT = "The quick brown fox jumps over the lazy dog."


def version(note: str, revision: int, updated: str) -> Annotation:
    base = Annotation.create(TEXT, 4, 9, "a.txt", note="base")
    fixed = "0b6f6a8e-5f0f-4a62-9a55-3c2f0d1e7a11"
    return replace(base, id=fixed, note=note, revision=revision, updated=updated)


# ---------------------------------------------------------------- highlights by id


def test_a_highlight_only_on_the_incoming_side_is_added_as_its_record() -> None:
    new = version("new", 1, "2026-01-01T00:00:00Z")
    assert newer_rows({}, [new]) == {new.id: new.to_dict()}


@pytest.mark.parametrize(
    ("mine", "theirs", "theirs_win"),
    [
        ((1, "2026-01-02T00:00:00Z"), (2, "2026-01-01T00:00:00Z"), True),  # higher revision
        ((2, "2026-01-01T00:00:00Z"), (1, "2026-01-02T00:00:00Z"), False),
        ((1, "2026-01-01T00:00:00Z"), (1, "2026-01-02T00:00:00Z"), True),  # later, same revision
        ((1, "2026-01-02T00:00:00Z"), (1, "2026-01-01T00:00:00Z"), False),
        ((1, "2026-01-01T00:00:00Z"), (1, "2026-01-01T00:00:00Z"), False),  # the same: kept
    ],
)
def test_a_highlight_on_both_sides_keeps_the_newer_version(
    mine: tuple[int, str], theirs: tuple[int, str], theirs_win: bool
) -> None:
    stored = version("mine", *mine)
    incoming = version("theirs", *theirs)
    rows = newer_rows({stored.id: stored}, [incoming])
    assert rows == ({incoming.id: incoming.to_dict()} if theirs_win else {})


def test_highlights_only_on_the_current_side_are_left_alone() -> None:
    stored = version("mine", 1, "2026-01-01T00:00:00Z")
    assert newer_rows({stored.id: stored}, []) == {}


# ---------------------------------------------------------------- a document's note


@pytest.mark.parametrize(
    ("mine", "theirs", "joined"),
    [
        ("same", "same", "same"),
        ("a longer note", "longer", "a longer note"),
        ("longer", "a longer note", "a longer note"),
        ("", "theirs", "theirs"),
        ("mine", "", "mine"),
        ("mine", "theirs", "mine\n\ntheirs"),  # a blank line between
    ],
)
def test_two_notes_join_unless_one_holds_the_other(mine: str, theirs: str, joined: str) -> None:
    assert joined_note(mine, theirs) == joined


# ---------------------------------------------------------------- a document's record

MINE = DocRecord("id-mine", "a.txt", "hash-mine", ("Alpha", "beta"), "mine", 10)
THEIRS = DocRecord("id-theirs", "a.txt", "hash-theirs", ("ALPHA", "gamma"), "theirs", 20)


def test_a_merged_record_joins_tags_and_notes_and_keeps_its_own_id_and_path() -> None:
    merged = merged_record(MINE, THEIRS, theirs_recent=False, rows_added=False)
    assert merged == replace(
        MINE, tags=("Alpha", "beta", "gamma"), note=f"mine{NOTE_SEPARATOR}theirs"
    )


def test_the_position_follows_the_side_read_more_recently() -> None:
    assert merged_record(MINE, THEIRS, theirs_recent=True, rows_added=False).position == 20
    assert merged_record(MINE, THEIRS, theirs_recent=False, rows_added=False).position == 10
    at_start = replace(THEIRS, position=0)  # no position of theirs to follow
    assert merged_record(MINE, at_start, theirs_recent=True, rows_added=False).position == 10


def test_highlights_added_from_another_text_clear_the_hash_so_all_re_anchor() -> None:
    assert merged_record(MINE, THEIRS, theirs_recent=False, rows_added=True).sha256 is None
    same_text = replace(THEIRS, sha256=MINE.sha256)
    kept = merged_record(MINE, same_text, theirs_recent=False, rows_added=True)
    assert kept.sha256 == "hash-mine"
    assert merged_record(MINE, THEIRS, theirs_recent=True, rows_added=False).sha256 == "hash-mine"


def test_tags_past_the_limit_keep_mine_rather_than_cut_either_side() -> None:
    many = tuple(f"t{n}" for n in range(MAX_DOCUMENT_TAGS))
    full = replace(MINE, tags=many)
    assert merged_record(full, THEIRS, theirs_recent=False, rows_added=False).tags == many
    just = replace(MINE, tags=many[:-2])  # 998 + "ALPHA", "gamma" = exactly the limit
    merged = merged_record(just, THEIRS, theirs_recent=False, rows_added=False)
    assert merged.tags == (*many[:-2], "ALPHA", "gamma")


# ---------------------------------------------------------------- what a merge says


def test_a_merge_that_changed_nothing_says_so_and_is_not_changed() -> None:
    result = MergeResult()
    assert not result.changed
    assert result.summary() == "0 highlight(s) of 0 document(s)"


def test_a_merge_summary_counts_highlights_and_documents() -> None:
    result = MergeResult(documents={"a.txt", "b.txt"}, highlights=3)
    assert result.changed
    assert result.summary() == "3 highlight(s) of 2 document(s)"


def test_a_merge_summary_names_up_to_five_joined_notes_then_counts_the_rest() -> None:
    five = MergeResult(documents={"x"}, highlights=0, joined_notes=["a", "b", "c", "d", "e"])
    assert five.summary() == (
        "0 highlight(s) of 1 document(s); both differing notes were kept for a, b, c, d, e"
    )
    seven = MergeResult(documents={"x"}, joined_notes=[*"abcdefg"])
    assert seven.summary().endswith("were kept for a, b, c, d, e and 2 more")
    one = MergeResult(documents={"x"}, joined_notes=["a.txt"])
    assert one.summary().endswith("; both differing notes were kept for a.txt")
