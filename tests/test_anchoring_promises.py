"""What a user relies on from anchoring that mutation testing found unpinned.

A one-word highlight in a long book, among thousands of copies of its word, is
found again by the one side of context it has (a highlight at the very start
of a text has no prefix; one at its very end has no suffix).
"""

from __future__ import annotations

import pytest

from ipreader.core.anchoring import AnchorMatch, anchor, exact
from ipreader.core.model import AnchorStatus

MOVED = AnchorStatus.MOVED


@pytest.mark.parametrize("side", ["prefix", "suffix"])
def test_one_side_of_context_finds_a_word_among_more_copies_than_are_scored(side: str) -> None:
    copies = " word" * (2 * exact.MAX_EXACT_CANDIDATES)
    text = f"Start.{copies} Chapter one: word ends it.{copies}"
    at = text.index("one: word") + len("one: ")
    context = {"prefix": "Chapter one: "} if side == "prefix" else {"suffix": " ends it."}
    # The old position is at the start: the nearest copies there lack the context.
    assert anchor(text, "word", start_hint=0, **context) == AnchorMatch(at, at + 4, MOVED, 100.0)
