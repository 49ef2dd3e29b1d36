"""The ordered tuple's id index, carried from edit to edit, against a search of every item.

``InPlaceOrder.by_id`` answers ``ReaderState.annotation`` and the sidebar's
current highlight, and ``replace_annotation`` uses it to find an older copy of
an id; it is made once and then carried through each edit (``ordered.edited``).
Whatever the edits (new highlights, edits, deletes, undone deletes, an edit
made against a copy that is no longer the one listed, two items with one id),
the results must be those of a search of every item.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.model import Annotation
from ipreader.tui.ordered import InPlaceOrder, edit_from, edited, locate, place
from ipreader.tui.pending import ordered_off_the_ui, replace_annotation, sort_annotations

TEXT = "x" * 60


def searched(
    annotations: tuple[Annotation, ...],
    before: Annotation | None,
    after: Annotation | None,
    made: bool,
) -> list[Annotation]:
    """What ``replace_annotation`` must return, by passes over every item: ``before`` out
    where its place says (else every item of its id), every item of ``after``'s id out
    unless ``after`` was just made, then ``after`` in after the items of its place."""
    kept = list(annotations)
    gone = {a.id for a in (before, after) if a is not None and not (made and a is after)}
    if before is not None:
        at = next((i for i, a in enumerate(kept) if place(a) >= place(before)), len(kept))
        if at < len(kept) and kept[at].id == before.id:
            del kept[at]
            gone.discard(before.id)
    kept = [a for a in kept if a.id not in gone]
    return sorted([*kept, *([after] if after is not None else [])], key=place)  # stable


def first_by_id(annotations: tuple[Annotation, ...]) -> dict[str, Annotation]:
    """Each id's first item, found by a pass over every item."""
    found: dict[str, Annotation] = {}
    for annotation in annotations:
        found.setdefault(annotation.id, annotation)
    return found


#: One step: (kind, which existing annotation, where the new copy goes).
steps = st.lists(
    st.tuples(
        st.sampled_from(["new", "edit", "move", "delete", "undo", "stale", "twin"]),
        st.integers(0, 1000),
        st.integers(0, 50),
    ),
    max_size=30,
)


@given(st.lists(st.integers(0, 50), max_size=12), steps, st.booleans())
def test_edits_keep_the_id_index_of_a_search(
    starts: list[int], edits: list[tuple[str, int, int]], ask_first: bool
) -> None:
    current = sort_annotations(Annotation.create(TEXT, s, s + 3, "a.txt") for s in starts)
    deleted: list[Annotation] = []
    older: list[Annotation] = []  # copies replaced since: an edit may be made against one
    for kind, pick, start in edits:
        if ask_first:
            current.by_id()  # made now, then carried by each edit (else made when asked)
        chosen = current[pick % len(current)] if current else None
        before: Annotation | None = None
        after: Annotation | None = None
        made = False
        if kind == "new" or chosen is None:
            after, made = Annotation.create(TEXT, start, start + 2, "a.txt"), True
        elif kind == "edit":
            before, after = chosen, chosen.edited(note=f"n{start}")
        elif kind == "move":
            before, after = chosen, replace(chosen, start=start, end=start + 4)
        elif kind == "delete":
            before = chosen
            deleted.append(chosen)
        elif kind == "undo" and deleted:
            after = deleted.pop(pick % len(deleted))  # it may have come back already
        elif kind == "stale" and older:
            stale = older[pick % len(older)]
            before, after = stale, replace(stale, start=start, end=start + 1)
        elif kind == "twin":
            # A second item with a listed id (two stored copies merged badly): the
            # index falls back to searching while the tuple holds both.
            twin = replace(chosen, start=start, end=start + 5)
            listed = sorted([*current, twin], key=place)
            current = InPlaceOrder(listed)
            continue
        else:
            continue
        result = replace_annotation(current, before, after, made=made)
        assert list(result) == searched(current, before, after, made)
        edit = edit_from(result, current)
        if edit is not None:  # one edit: what it says is what was done
            rest = [a for a in current if a is not edit.removed]
            assert sorted([*rest, *([edit.added] if edit.added else [])], key=place) == list(result)
        if before is not None and before is not after:
            older.append(before)
        if ask_first:  # the tuple it was made from still answers (its index handed over)
            assert dict(current.by_id()) == first_by_id(current)
        current = result
        assert dict(current.by_id()) == first_by_id(current)
        assert current.unique_ids() == (len({a.id for a in current}) == len(current))
        for annotation in current:
            if current.unique_ids():
                assert locate(current, annotation) == current.index(annotation)


def test_an_edit_adding_a_listed_id_leaves_the_index_to_be_made_again() -> None:
    """``edited`` told of an added item whose id is listed already (a caller other than
    ``replace_annotation``): the carried index would lose one of them."""
    first = Annotation.create(TEXT, 0, 3, "a.txt")
    source = InPlaceOrder([first])
    source.by_id()
    twin = replace(first, start=5, end=8)
    result = edited([first, twin], source, None, twin)
    assert dict(result.by_id()) == {first.id: first}
    assert not result.unique_ids()


@given(st.lists(st.integers(0, 50), max_size=12))
def test_an_ordered_tuple_is_not_sorted_again(starts: list[int]) -> None:
    """What a loading thread orders (``ordered_off_the_ui``) the UI thread takes as it is."""
    made = [Annotation.create(TEXT, s, s + 3, "a.txt") for s in starts]
    ordered = ordered_off_the_ui(made)
    assert list(ordered) == sorted(made, key=place)
    assert sort_annotations(ordered) is ordered
    assert dict(ordered.by_id()) == first_by_id(ordered)
