"""``pending.ordered_as``: a document's annotations in order, reusing an ordered read of them.

The first article's annotations are ordered (and indexed) when it is shown,
before the library is open; the opening reads them again. Whatever the two reads
hold, the result must be ``ordered_off_the_ui`` of the second read, and the first
read's very tuple only when it holds the very same objects.
"""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.model import Annotation
from ipreader.tui.ordered import InPlaceOrder
from ipreader.tui.pending import ordered_as, ordered_off_the_ui

TEXT = "y" * 50


def made(spans: list[tuple[int, int]]) -> list[Annotation]:
    return [Annotation.create(TEXT, start, start + length, "a.txt") for start, length in spans]


spans = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 9)), max_size=20)


@given(spans, st.randoms(use_true_random=False))
def test_the_same_objects_in_any_order_give_the_ordered_read_itself(
    stored: list[tuple[int, int]], rng: random.Random
) -> None:
    annotations = made(stored)
    known = ordered_off_the_ui(annotations)
    again = list(annotations)
    rng.shuffle(again)
    assert ordered_as(again, known) is known


@given(spans, st.data())
def test_any_other_read_is_ordered_afresh(
    stored: list[tuple[int, int]], data: st.DataObject
) -> None:
    annotations = made(stored)
    known = ordered_off_the_ui(annotations)
    change = data.draw(st.sampled_from(["copy", "drop", "add", "twice", "plain"]))
    again = list(annotations)
    if change == "copy" and again:  # one read as an equal but distinct object
        at = data.draw(st.integers(0, len(again) - 1))
        again[at] = replace(again[at])
    elif change == "drop" and again:
        again.pop(data.draw(st.integers(0, len(again) - 1)))
    elif change == "add":
        again += made([(3, 4)])
    elif change == "twice" and again:  # one object twice, another left out: as many items
        again[-1] = again[0]
    given_known = known if change != "plain" else tuple(known)  # "plain": not said ordered
    result = ordered_as(again, given_known)
    expected = ordered_off_the_ui(again)
    assert isinstance(result, InPlaceOrder)
    assert [id(a) for a in result] == [id(a) for a in expected]
    if change == "plain" or sorted(map(id, again)) != sorted(map(id, annotations)):
        assert result is not given_known
