"""What a user relies on from anchoring that mutation testing found unpinned.

A one-word highlight in a long book, among thousands of copies of its word, is
found again by the one side of context it has (a highlight at the very start
of a text has no prefix; one at its very end has no suffix).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from ipreader.core.anchoring import AnchorMatch, anchor, exact, reanchor
from ipreader.core.model import AnchorStatus, Annotation

MOVED = AnchorStatus.MOVED


@pytest.mark.parametrize("side", ["prefix", "suffix"])
def test_one_side_of_context_finds_a_word_among_more_copies_than_are_scored(side: str) -> None:
    copies = " word" * (2 * exact.MAX_EXACT_CANDIDATES)
    text = f"Start.{copies} Chapter one: word ends it.{copies}"
    at = text.index("one: word") + len("one: ")
    context = {"prefix": "Chapter one: "} if side == "prefix" else {"suffix": " ends it."}
    # The old position is at the start: the nearest copies there lack the context.
    assert anchor(text, "word", start_hint=0, **context) == AnchorMatch(at, at + 4, MOVED, 100.0)


def test_a_negative_old_position_is_not_read_from_the_end() -> None:
    text = "one two three four"
    # text.startswith("four", -4) is true: a negative start must not count as the old place.
    assert anchor(text, "four", start_hint=-4) == AnchorMatch(14, 18, MOVED, 100.0)


def test_without_an_old_position_a_found_quote_is_moved_and_context_decides() -> None:
    text = "x. Alpha beta. y. Alpha beta. z."
    assert anchor(text, "Alpha beta", "y. ", ". z") == AnchorMatch(18, 28, MOVED, 100.0)
    assert anchor(text, "Alpha beta") == AnchorMatch(3, 13, MOVED, 100.0)


def test_re_anchoring_changes_only_the_place_and_status() -> None:
    text = "Some words before. The highlighted sentence. Some words after."
    ann = Annotation.create(text, 19, 44, "doc.txt", note="n", tags=["t"])
    edited = "New opening line.\n" + text
    after = reanchor(edited, ann)
    assert after == replace(ann, start=37, end=62, status=MOVED, score=None)
    assert edited[after.start : after.end] == ann.quote
    assert reanchor(edited, after) == replace(after, status=AnchorStatus.ANCHORED)


def test_a_quote_whose_whitespace_shrank_to_half_its_length_is_still_found() -> None:
    # A highlight across an indented line break; the indentation was then removed,
    # leaving a text half as long as the quote.
    quote = "one\n       two"
    text = "one two"
    assert len(quote) == 2 * len(text)
    assert anchor(text, quote, start_hint=0) == AnchorMatch(0, 7, AnchorStatus.ANCHORED, 100.0)
