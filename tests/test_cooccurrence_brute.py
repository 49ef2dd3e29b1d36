"""Co-occurrence over several documents equals a brute-force count, all three ways.

``reports.cooccurrence`` counts pairs once per distinct tag set and sums the
overlapping highlight pairs of every document by their two tag sets before
turning them into tag pairs; here each figure is counted the plain way, pair
of highlights by pair of highlights, document by document.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

from coding_helpers import coded, highlight
from hypothesis import given, settings
from hypothesis import strategies as st

from ipreader.core.coding import CodedDocument
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.reports import cooccurrence
from ipreader.core.tags import carries, is_ancestor

TEXT = "0123456789" * 4
TAGS = ["a", "a/x", "b", "c", "d"]


@st.composite
def documents(draw: st.DrawFn) -> list[CodedDocument]:
    """Up to 4 documents of up to 7 highlights each (some orphaned, some empty)."""
    made = []
    for number in range(draw(st.integers(0, 4))):
        found: list[Annotation] = []
        for index in range(draw(st.integers(0, 7))):
            start = draw(st.integers(0, len(TEXT) - 1))
            end = draw(st.integers(start + 1, min(len(TEXT), start + 15)))
            tags = draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))
            h = highlight(TEXT, start, end, tags, ident=f"h{number}-{index}")
            kind = draw(st.integers(0, 9))
            if kind == 0:
                h = replace(h, status=AnchorStatus.ORPHANED)
            elif kind == 1:
                h = replace(h, end=h.start)  # empty: overlaps nothing
            found.append(h)
        made.append(coded(TEXT, found, relpath=f"d{number}.txt"))
    return made


def brute(docs: list[CodedDocument], wanted: list[str]) -> dict[tuple[str, str], list[int]]:
    counts: dict[tuple[str, str], list[int]] = {}
    for i, j in combinations(range(len(wanted)), 2):
        first, second = wanted[i], wanted[j]
        if is_ancestor(first, second) or is_ancestor(second, first):
            continue
        same = overlapping = in_document = 0
        for document in docs:
            hs = document.highlights
            same += sum(1 for h in hs if carries(h.tags, first) and carries(h.tags, second))
            placed = [h for h in hs if h.is_anchored]
            for h, g in combinations(placed, 2):
                if max(h.start, g.start) < min(h.end, g.end):  # a character in common
                    hi, hj = carries(h.tags, first), carries(h.tags, second)
                    gi, gj = carries(g.tags, first), carries(g.tags, second)
                    overlapping += (hi and gj) or (hj and gi)
            has_first = any(carries(h.tags, first) for h in hs)
            in_document += has_first and any(carries(h.tags, second) for h in hs)
        counts[first, second] = [same, overlapping, in_document]
    return counts


@settings(max_examples=150)
@given(documents())
def test_cooccurrence_equals_brute_force(docs: list[CodedDocument]) -> None:
    report = cooccurrence(docs, TAGS)
    found = {
        (p.first, p.second): [p.same_highlight, p.overlapping, p.same_document]
        for p in report.pairs
    }
    assert found == brute(docs, TAGS)
