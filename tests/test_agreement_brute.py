"""Agreement over several documents and tags equals a character-by-character count.

``agreement`` sweeps each tag's sorted span edges per document and walks only
the tags a document's coders used there (every other character is "neither", counted once for all);
here each (document, tag, character) decision is counted the plain way, and
the disagreements are the maximal runs of characters only one coder coded.
"""

from __future__ import annotations

from itertools import groupby

from coding_helpers import coded, highlight
from hypothesis import given, settings
from hypothesis import strategies as st

from ipreader.core.agreement import agreement
from ipreader.core.coding import CodedDocument
from ipreader.core.tags import carries

TEXTS = ["0123456789" * 2, "abcdefghij" * 3, "xyz" * 4]
TAGS = ["a", "a/x", "b", "c"]


@st.composite
def documents(draw: st.DrawFn) -> list[CodedDocument]:
    """Up to 3 documents, each with up to 6 highlights by ada, ben or cy."""
    made = []
    for number, text in enumerate(TEXTS[: draw(st.integers(1, 3))]):
        marks = []
        for index in range(draw(st.integers(0, 6))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            tags = draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=2, unique=True))
            creator = draw(st.sampled_from(["ada", "ben", "cy"]))
            marks.append(
                highlight(text, start, end, tags, creator=creator, ident=f"{number}-{index}")
            )
        made.append(coded(text, marks, relpath=f"d{number}.txt"))
    return made


def coded_by(document: CodedDocument, coder: str, tag: str) -> list[bool]:
    """Each character of ``document``: coded with ``tag`` (or a child) by ``coder``."""
    flags = [False] * len(document.text)
    for h in document.highlights:
        if h.creator == coder and carries(h.tags, tag):
            for at in range(h.start, h.end):
                flags[at] = True
    return flags


@st.composite
def crowded(draw: st.DrawFn) -> list[CodedDocument]:
    """One or two documents with up to 12 highlights by ada or ben whose ends fall on a
    few positions: spans that touch, share an edge, nest, repeat, of one coder or both."""
    made = []
    for number, text in enumerate(TEXTS[: draw(st.integers(1, 2))]):
        grid = range(0, len(text) + 1, 5)
        marks = []
        for index in range(draw(st.integers(0, 12))):
            start = draw(st.sampled_from(grid[:-1]))
            end = draw(st.sampled_from([at for at in grid if at > start]))
            tags = draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=3, unique=True))
            creator = draw(st.sampled_from(["ada", "ben"]))
            marks.append(
                highlight(text, start, end, tags, creator=creator, ident=f"{number}-{index}")
            )
        made.append(coded(text, marks, relpath=f"d{number}.txt"))
    return made


@settings(max_examples=150)
@given(documents())
def test_counts_and_runs_equal_a_character_by_character_count(docs: list[CodedDocument]) -> None:
    assert_equals_character_count(docs)


@settings(max_examples=200)
@given(crowded())
def test_edges_that_coincide_count_as_characters_do(docs: list[CodedDocument]) -> None:
    assert_equals_character_count(docs)


def assert_equals_character_count(docs: list[CodedDocument]) -> None:
    """``agreement`` of ada and ben over ``docs`` is what counting character by character
    gives: the four counts of each tag, the pooled counts and the runs."""
    report = agreement(docs, "ada", "ben", TAGS)
    shared = [
        d
        for d in docs
        if {h.creator for h in d.highlights} >= {"ada", "ben"}  # both placed (none orphaned)
    ]
    assert [d.relpath for d in report.documents] == [d.relpath for d in shared]
    expected_runs = []
    for item, tag in zip(report.tags, TAGS, strict=True):
        counts = [0, 0, 0, 0]
        for document in shared:
            first, second = coded_by(document, "ada", tag), coded_by(document, "ben", tag)
            for x, y in zip(first, second, strict=True):
                counts[0 if x and y else 1 if x else 2 if y else 3] += 1
            # Runs: maximal stretches where exactly one coder coded the tag.
            at = 0
            for who, stretch in groupby(zip(first, second, strict=True), key=lambda p: p[0] - p[1]):
                length = len(list(stretch))
                if who:
                    coder = "ada" if who == 1 else "ben"
                    expected_runs.append((tag, document.relpath, at, at + length, coder))
                at += length
        assert [item.both, item.first_only, item.second_only, item.neither] == counts
    pooled = [
        sum(getattr(i, f) for i in report.tags)
        for f in ("both", "first_only", "second_only", "neither")
    ]
    o = report.overall
    assert [o.both, o.first_only, o.second_only, o.neither] == pooled
    runs = [(d.tag, d.document.relpath, d.start, d.end, d.coder) for d in report.disagreements]
    assert runs == expected_runs
