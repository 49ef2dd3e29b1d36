"""Properties of what the reading pane and sidebar derive from a document's highlights.

These run on every ``a`` / ``d`` / ``u`` over every highlight of a document
(tens of thousands in a book) and take fast paths for input already in
document order: the answers must not depend on whether it was.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.model import COLORS, AnchorStatus, Annotation
from ipreader.tui.ordered import InPlaceOrder, edited
from ipreader.tui.reader.styles import HighlightSpan, Overlays
from ipreader.tui.state import ReaderState
from ipreader.tui.widgets.annotation_sidebar import split_annotations

TEXT = "abcdefghij" * 10

spans_strategy = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 30), st.sampled_from(COLORS)).map(
        lambda t: (t[0], t[0] + t[1], t[2])
    ),
    max_size=30,
)


@given(spans_strategy, st.booleans())
def test_the_highlight_under_any_offset_is_the_innermost_one(
    drawn: list[tuple[int, int, str]], presorted: bool
) -> None:
    spans = [HighlightSpan(f"h{i}", s, e, c) for i, (s, e, c) in enumerate(drawn)]
    if presorted:
        spans.sort(key=lambda h: (h.start, h.end))
    overlays = Overlays()
    overlays.set_highlights(spans)
    # In (start, end) order, ties in input order: the last one covering wins.
    ordered = sorted((h for h in spans if h.end > h.start), key=lambda h: (h.start, h.end))
    assert overlays.highlights == ordered
    for offset in range(95):
        covering = [h for h in ordered if h.start <= offset < h.end]
        expected = covering[-1].id if covering else None
        assert overlays.highlight_at(offset) == expected


def annotations_from(drawn: list[tuple[int, int, str]], lost: set[int]) -> list[Annotation]:
    made = []
    for i, (start, end, color) in enumerate(drawn):
        annotation = Annotation.create(TEXT, start, max(end, start + 1), "a.txt", color=color)
        if i in lost:
            annotation = replace(annotation, status=AnchorStatus.ORPHANED)
        made.append(annotation)
    return made


@given(spans_strategy, st.sets(st.integers(0, 29)), st.booleans())
def test_the_sidebar_lists_placed_highlights_in_document_order_then_the_orphans(
    drawn: list[tuple[int, int, str]], lost: set[int], presorted: bool
) -> None:
    annotations = annotations_from(drawn, lost)
    if presorted:
        annotations.sort(key=lambda a: (a.start, a.end))
    anchored, orphans = split_annotations(annotations)
    placed = [a for a in annotations if a.status is not AnchorStatus.ORPHANED]
    assert anchored == sorted(placed, key=lambda a: (a.start, a.end))
    assert orphans == [a for a in annotations if a.status is AnchorStatus.ORPHANED]


@given(spans_strategy, st.sets(st.integers(0, 29)), st.integers(0, 29))
def test_the_pane_draws_every_placed_highlight_as_it_is_now(
    drawn: list[tuple[int, int, str]], lost: set[int], edited: int
) -> None:
    state = ReaderState()
    before = tuple(sorted(annotations_from(drawn, lost), key=lambda a: (a.start, a.end)))
    state.annotations = before
    state.spans()
    # One highlight recoloured (a new version of it): its span follows, the others stay.
    after = list(before)
    if edited < len(after):
        old = after[edited]
        after[edited] = old.edited(color="blue" if old.color != "blue" else "green")
    state.annotations = tuple(after)
    expected = [
        (a.id, a.start, a.end, a.color, False)
        for a in after
        if a.status is not AnchorStatus.ORPHANED
    ]
    assert [(s.id, s.start, s.end, s.color, s.dim) for s in state.spans()] == expected


edits_strategy = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 40)),  # which span to take out (by position)
        st.one_of(  # which span to put in
            st.none(),
            st.tuples(st.integers(0, 60), st.integers(0, 80), st.sampled_from(COLORS)),
        ),
    ),
    max_size=25,
)


@given(spans_strategy, edits_strategy)
def test_highlights_edited_one_at_a_time_index_as_if_rebuilt(
    drawn: list[tuple[int, int, str]],
    edits: list[tuple[int | None, tuple[int, int, str] | None]],
) -> None:
    """An edit the tuple describes (``ordered.Edit``) leaves what a rebuild from it would."""
    place = lambda h: (h.start, h.end, h.id)  # noqa: E731  (the state's order)
    current = InPlaceOrder(
        sorted((HighlightSpan(f"h{i}", s, e, c) for i, (s, e, c) in enumerate(drawn)), key=place)
    )
    overlays = Overlays()
    assert overlays.set_highlights(current) is None  # the first: built from every span
    for number, (out, into) in enumerate(edits):
        listed = list(current)
        removed = listed.pop(out % len(listed)) if out is not None and listed else None
        added = None
        if into is not None:
            added = HighlightSpan(f"n{number}", into[0], into[0] + into[1], into[2])
            listed.append(added)
            listed.sort(key=place)
        current = edited(listed, current, removed, added)
        assert overlays.set_highlights(current) == current.edit  # applied as the one edit
        rebuilt = Overlays()
        rebuilt.set_highlights(InPlaceOrder(listed))  # no edit: built from every span
        assert overlays.highlights == rebuilt.highlights
        mine, theirs = overlays.highlight_ranges, rebuilt.highlight_ranges
        assert (mine.starts, mine.ends, mine.reach) == (theirs.starts, theirs.ends, theirs.reach)
        for offset in range(0, 150, 7):
            assert mine.overlapping(offset, offset + 5) == theirs.overlapping(offset, offset + 5)
        assert all(overlays.span(h.id) is h for h in rebuilt.highlights)
        if removed is not None:
            assert overlays.span(removed.id) is None
