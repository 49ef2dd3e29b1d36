"""Pins of what every report reads (``core/coding.py``): filters, dates, tags, creators, lines."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from coding_helpers import annotate, coded, highlight

from ipreader.core.coding import (
    Selection,
    SelectionError,
    WantedTags,
    coded_documents,
    creators,
    tags_of,
    time_bound,
)
from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus

TEXT = "one two three four five"


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2024-05-01T25:00", "", "9" * 10])
def test_a_date_that_is_not_one_is_refused_with_the_forms_accepted(value: str) -> None:
    message = f"not a date or time: {value!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
    with pytest.raises(SelectionError) as raised:
        time_bound(value)
    assert str(raised.value) == message
    with pytest.raises(SelectionError):
        time_bound(value, upper=True)


def test_only_a_bare_date_as_an_upper_bound_means_the_next_midnight() -> None:
    assert time_bound("2024-02-28", upper=True) == "2024-02-29T00:00:00.000Z"
    assert time_bound("2024-02-28T00:00", upper=True) == "2024-02-28T00:00:00.000Z"
    assert time_bound("2024-02-28") == "2024-02-28T00:00:00.000Z"


def test_since_is_inclusive_and_until_exclusive_to_the_millisecond() -> None:
    at = "2024-05-01T12:00:00.000Z"
    before = highlight(TEXT, 0, 3, created="2024-05-01T11:59:59.999Z")
    exactly = highlight(TEXT, 4, 7, created=at)
    after = highlight(TEXT, 8, 13, created="2024-05-01T12:00:00.001Z")
    every = [before, exactly, after]
    assert [h.quote for h in every if Selection(since=at).keeps(h)] == ["two", "three"]
    assert [h.quote for h in every if Selection(until=at).keeps(h)] == ["one"]
    both = Selection(since=at, until="2024-05-01T12:00:00.001Z")
    assert [h.quote for h in every if both.keeps(h)] == ["two"]


def test_every_filter_must_hold_at_once() -> None:
    mark = highlight(TEXT, 0, 3, creator="Ada", color="green", created="2024-05-01T12:00:00.000Z")
    assert Selection(color="green", creator="ada", since="2024-01-01T00:00:00.000Z").keeps(mark)
    assert not Selection(color="green", creator="ben").keeps(mark)
    assert not Selection(color="yellow", creator="ada").keeps(mark)
    assert not Selection(creator="ada", until="2024-01-01T00:00:00.000Z").keeps(mark)
    assert Selection().keeps_document("any/path.txt")
    assert not Selection(document_glob="News/*").keeps_document("news/a.txt")  # case-sensitive


def test_an_unknown_colour_names_the_colours_there_are() -> None:
    with pytest.raises(SelectionError, match=r"unknown colour 'mauve'; choose one of yellow, "):
        Selection(color="mauve")


def test_tags_are_listed_once_parents_first_in_their_first_spelling() -> None:
    marks = [
        highlight(TEXT, 0, 3, ["Trade", "policy/EU"]),
        highlight(TEXT, 4, 7, ["trade", "Policy", "a/b/c"]),
        highlight(TEXT, 8, 13, []),
    ]
    assert tags_of(marks) == ["a/b/c", "Policy", "policy/EU", "Trade"]


def test_creators_are_listed_once_by_key_in_their_first_spelling() -> None:
    marks = [
        highlight(TEXT, 0, 3, creator="Ben"),
        highlight(TEXT, 4, 7, creator=" ADA "),
        highlight(TEXT, 8, 13, creator="ben"),
        highlight(TEXT, 14, 18, creator=""),
    ]
    assert creators([coded(TEXT, marks[:2]), coded(TEXT, marks[2:])]) == ["", " ADA ", "Ben"]


def test_wanted_tags_count_children_and_know_when_all_are_carried() -> None:
    wanted = WantedTags(["policy", "trade", "policy/eu"])
    child = highlight(TEXT, 0, 3, ["Policy/EU/Rules"])
    both = highlight(TEXT, 4, 7, ["policy/eu", "TRADE"])
    again = highlight(TEXT, 8, 13, ["Policy/EU/Rules"])
    assert wanted.carried(child) == {0, 2} and wanted.carried(again) == {0, 2}
    assert not wanted.carries_all(child)
    assert wanted.carried(both) == {0, 1, 2} and wanted.carries_all(both)
    assert wanted.carried(highlight(TEXT, 0, 3, ["policymaking"])) == frozenset()


def test_line_numbers_at_the_edges_and_orphans_left_out_of_the_anchored() -> None:
    text = "a\n\nb\nlast"
    lost = replace(highlight(text, 0, 1), status=AnchorStatus.ORPHANED)
    kept = highlight(text, 3, 4)
    document = coded(text, [lost, kept])
    assert [document.line_of(n) for n in range(len(text))] == [1, 1, 2, 3, 3, 4, 4, 4, 4]
    assert document.line_of(len(text)) == 4
    assert document.anchored == [kept]
    assert coded("no newline", []).line_of(5) == 1


def test_wanted_tags_keep_the_report_order() -> None:
    assert WantedTags(["trade", "Policy"]).tags == ["trade", "Policy"]


def test_coded_documents_carry_their_folder_and_title(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text("Title: The Story\n\nThe cat sat.\n", encoding="utf-8")
    annotate(tmp_path, [("story.txt", "cat", ["animal"], "ada")])
    library = Library.open([tmp_path])
    (info,) = library.documents()
    (document,) = coded_documents(library, Selection())
    assert (document.root, document.relpath, document.title) == (info.root, "story.txt", info.title)
