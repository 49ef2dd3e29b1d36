"""The app's collector policy (tui/heap.py): keys skip what is alive, memory stays bounded."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from ipreader.tui.heap import GROWTH, MIN_GROWTH, YOUNG_THRESHOLD, FrozenHeap


class Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self
        self.payload = [object() for _ in range(10)]


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    """Leave the interpreter as it was found: nothing frozen by these tests stays frozen."""
    callbacks = list(gc.callbacks)
    yield
    gc.callbacks[:] = callbacks
    gc.unfreeze()
    gc.collect()


def test_what_is_alive_when_a_document_is_shown_is_skipped_by_later_collections() -> None:
    heap = FrozenHeap()
    node = Node()
    alive = weakref.ref(node)
    heap.settle()
    del node
    gc.collect()
    # Frozen: a collection under the next key does not walk (or free) it.
    assert alive() is not None


def full_collections() -> list[int]:
    """Start recording the full collections the interpreter starts (stopped by ``thawed``)."""
    started: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            started.append(info["generation"])

    gc.callbacks.append(seen)
    return started


def test_the_first_opening_does_not_collect_what_start_up_left_alive() -> None:
    heap = FrozenHeap()
    alive = [Node() for _ in range(2 * MIN_GROWTH)]  # the library, the first book's highlights
    heap.settle()  # the library opened
    started = full_collections()
    heap.before_open()  # the first document, shown while the user waits
    assert started == []
    assert all(node.me is node for node in alive)


def test_what_the_opening_leaves_after_the_first_document_is_settled_is_no_debt() -> None:
    heap = FrozenHeap()
    heap.settle()  # the first document shown, while the opening still reads the counts
    # The counts (10,000 articles' records): past the bound, whatever this process holds.
    alive = [Node() for _ in range(int(gc.get_freeze_count() * GROWTH) + MIN_GROWTH)]
    heap.settle(acyclic=True)  # the opening's end
    started = full_collections()
    heap.before_open()  # the first switch of article
    assert started == []
    assert all(node.me is node for node in alive)


def test_the_same_growth_frozen_as_a_documents_is_collected_at_the_next_opening() -> None:
    heap = FrozenHeap()
    heap.settle()
    # Widgets, caches (cycles may hide here): past the bound, whatever this process holds.
    alive = [Node() for _ in range(int(gc.get_freeze_count() * GROWTH) + MIN_GROWTH)]
    heap.settle()
    started = full_collections()
    heap.before_open()
    assert started == [2]
    assert all(node.me is node for node in alive)


def test_cycles_frozen_across_openings_are_collected_once_they_have_grown() -> None:
    heap = FrozenHeap()
    cycle = Node()
    dead = weakref.ref(cycle)
    heap.settle()  # the starting point: the cycle frozen with it, garbage from here on
    del cycle
    # Many openings later the frozen set has grown past the bound ...
    keep = [Node() for _ in range(int(gc.get_freeze_count() * GROWTH) + MIN_GROWTH)]
    heap.settle()
    heap.before_open()
    # ... so the next opening pays the debt: the cycle is freed, the living are kept.
    assert dead() is None
    assert all(node.me is node for node in keep)


def test_what_was_frozen_and_freed_since_brings_no_collection() -> None:
    heap = FrozenHeap()
    heap.collect()  # what was frozen before this test is the starting point
    book = [[index] for index in range(2 * MIN_GROWTH)]  # acyclic: freed by reference counts
    heap.settle()  # a big book shown ...
    del book  # ... and closed: the frozen set is back to its size
    started = full_collections()
    heap.before_open()
    assert started == []


def test_a_small_growth_costs_no_collection_at_an_opening() -> None:
    heap = FrozenHeap()
    heap.collect()  # what was frozen before this test is the starting point
    cycle = Node()
    dead = weakref.ref(cycle)
    heap.settle()
    del cycle
    heap.before_open()
    assert dead() is not None


@pytest.fixture
def threshold() -> Iterator[None]:
    """Put the collector's thresholds back as they were."""
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("threshold")
def test_once_a_document_is_shown_young_collections_wait_for_more_objects() -> None:
    gc.set_threshold(700, 10, 10)
    FrozenHeap().settle()
    assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    gc.set_threshold(50_000, 20, 30)  # a higher one, set by the user: kept
    FrozenHeap().settle()
    assert gc.get_threshold() == (50_000, 20, 30)
    gc.set_threshold(0, 10, 10)  # collection switched off that way: left off
    FrozenHeap().settle()
    assert gc.get_threshold() == (0, 10, 10)
