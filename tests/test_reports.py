"""Code report, documents x tags matrix and co-occurrence, against examples and brute force."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from coding_helpers import coded, highlight
from hypothesis import given, settings
from hypothesis import strategies as st

from ipreader.core.coding import WantedTags
from ipreader.core.model import Annotation
from ipreader.core.reports import (
    MATCH_OVERLAP,
    MATCH_SAME,
    MATCH_TAGGED,
    code_report,
    cooccurrence,
    overlap_passages,
    overlapping_pairs,
    tag_matrix,
)
from ipreader.core.tags import carries

TEXT = "0123456789" * 4
TAGS = ["a", "a/x", "b", "c"]


@st.composite
def highlights(draw: st.DrawFn) -> list[Annotation]:
    """Up to 8 highlights on TEXT with random tags, some nested, some touching."""
    found = []
    for number in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, len(TEXT) - 1))
        end = draw(st.integers(start + 1, min(len(TEXT), start + 15)))
        tags = draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))
        found.append(highlight(TEXT, start, end, tags, ident=f"h{number}"))
    return found


def brute_overlapping(found: list[Annotation], wanted: list[str]) -> Counter[tuple[int, int]]:
    counts: Counter[tuple[int, int]] = Counter()
    for h, g in combinations(found, 2):
        if h.start < g.end and g.start < h.end:
            for i, j in combinations(range(len(wanted)), 2):
                hi, hj = carries(h.tags, wanted[i]), carries(h.tags, wanted[j])
                gi, gj = carries(g.tags, wanted[i]), carries(g.tags, wanted[j])
                if (hi and gj) or (hj and gi):
                    counts[i, j] += 1
    return counts


@settings(max_examples=200)
@given(highlights())
def test_overlapping_pairs_equal_brute_force(found: list[Annotation]) -> None:
    carried = {h.id: frozenset(i for i, t in enumerate(TAGS) if carries(h.tags, t)) for h in found}
    assert overlapping_pairs(found, carried) == brute_overlapping(found, TAGS)


@settings(max_examples=200)
@given(highlights(), st.sampled_from([["a", "b"], ["b", "c"], ["a", "b", "c"], ["a/x", "c"]]))
def test_overlap_passages_equal_a_character_by_character_check(
    found: list[Annotation], wanted: list[str]
) -> None:
    relevant = [h for h in found if any(carries(h.tags, t) for t in wanted)]

    def qualifies(offset: int) -> bool:
        over = [h for h in relevant if h.start <= offset < h.end]
        whole = any(all(carries(h.tags, t) for t in wanted) for h in over)
        return not whole and all(any(carries(h.tags, t) for h in over) for t in wanted)

    runs: list[tuple[int, int]] = []
    for offset in range(len(TEXT)):
        if qualifies(offset):
            if runs and runs[-1][1] == offset:
                runs[-1] = (runs[-1][0], offset + 1)
            else:
                runs.append((offset, offset + 1))
    passages = overlap_passages(relevant, WantedTags(wanted))
    assert [(start, end) for start, end, _ in passages] == runs
    for start, end, among in passages:
        assert {h.id for h in among} == {h.id for h in relevant if h.start < end and start < h.end}
        assert len(among) >= 2


def test_code_report_groups_by_tag_with_children() -> None:
    text = "Patents matter. Trade matters more. Policymaking is slow."
    one = coded(
        text,
        [
            highlight(text, 0, 7, ["Policy/Patents"], creator="ada"),
            highlight(text, 16, 21, ["policy"], creator="bob"),
            highlight(text, 36, 48, ["policymaking"]),
        ],
        "one.txt",
    )
    two = coded(text, [highlight(text, 0, 14, ["policy/trade", "other"])], "two.txt")
    report = code_report([one, two], ["policy"])
    assert not report.require_all
    [group] = report.groups
    assert group.label == "policy"
    assert [(e.document.relpath, e.quote, e.match) for e in group.entries] == [
        ("one.txt", "Patents", MATCH_TAGGED),
        ("one.txt", "Trade", MATCH_TAGGED),
        ("two.txt", "Patents matter", MATCH_TAGGED),
    ]
    assert [e.line for e in group.entries] == [1, 1, 1]
    every = code_report([one, two])
    assert [g.label for g in every.groups] == [
        "other",
        "policy",
        "Policy/Patents",
        "policy/trade",
        "policymaking",
    ]
    assert [len(g.entries) for g in every.groups] == [1, 3, 1, 1, 1]


def test_code_report_and_says_same_highlight_or_overlap() -> None:
    text = "The minister praised the patent treaty at length today."

    def mark(quote: str, tags: list[str], ident: str) -> Annotation:
        start = text.index(quote)
        return highlight(text, start, start + len(quote), tags, ident=ident)

    document = coded(
        text,
        [
            mark("minister praised", ["claim"], "h1"),
            mark("praised the patent treaty", ["evidence/quote"], "h2"),
            mark("length", ["claim", "evidence"], "h3"),
            mark("today", ["claim"], "h4"),  # claim only: not in the report
        ],
    )
    report = code_report([document], ["claim", "evidence"], require_all=True)
    assert report.require_all
    [group] = report.groups
    assert group.label == "claim AND evidence"
    found = [(e.match, e.quote, [h.id for h in e.highlights]) for e in group.entries]
    assert found == [
        (MATCH_OVERLAP, "praised", ["h1", "h2"]),
        (MATCH_SAME, "length", ["h3"]),
    ]
    # A single tag with require_all is the plain report.
    assert code_report([document], ["claim"], require_all=True).groups[0].entries[0].match == (
        MATCH_TAGGED
    )


def test_orphans_are_listed_without_a_line() -> None:
    text = "Some words here."
    from dataclasses import replace

    from ipreader.core.model import AnchorStatus

    lost = replace(highlight(text, 0, 4, ["t"]), status=AnchorStatus.ORPHANED)
    [entry] = code_report([coded(text, [lost])]).groups[0].entries
    assert entry.line is None and entry.quote == "Some"


def test_matrix_counts_and_totals() -> None:
    text = "abcdefghij"
    one = coded(
        text,
        [
            highlight(text, 0, 2, ["a", "b"]),  # one highlight in two columns
            highlight(text, 2, 4, ["a/x"]),
            highlight(text, 4, 6, ["zzz"]),  # in no column
        ],
        "one.txt",
    )
    two = coded(text, [highlight(text, 0, 2, ["b"])], "two.txt")
    three = coded(text, [highlight(text, 0, 2, ["zzz"])], "three.txt")
    matrix = tag_matrix([one, two, three], ["a", "b"])
    assert matrix.tags == ("a", "b")
    assert [(r.document.relpath, r.counts, r.total) for r in matrix.rows] == [
        ("one.txt", (2, 1), 2),
        ("two.txt", (0, 1), 1),
    ]
    assert matrix.column_totals == (2, 2) and matrix.total == 3
    assert tag_matrix([one, two, three]).tags == ("a", "a/x", "b", "zzz")


def test_cooccurrence_counts_three_ways() -> None:
    text = "0123456789" * 3
    one = coded(
        text,
        [
            highlight(text, 0, 10, ["a", "b"]),
            highlight(text, 5, 15, ["b"]),
            highlight(text, 15, 20, ["a"]),  # touches the one before: not overlapping
            highlight(text, 20, 25, ["c", "a/x"]),
        ],
        "one.txt",
    )
    two = coded(text, [highlight(text, 0, 5, ["a"]), highlight(text, 3, 8, ["c"])], "two.txt")
    result = cooccurrence([one, two])
    pairs = {
        (p.first, p.second): (p.same_highlight, p.overlapping, p.same_document)
        for p in result.pairs
    }
    assert pairs == {
        ("a", "b"): (1, 1, 1),
        ("a", "c"): (1, 1, 2),
        ("b", "c"): (0, 0, 1),
        ("a/x", "b"): (0, 0, 1),
        ("a/x", "c"): (1, 0, 1),
    }
    # Most on the same highlight first, then overlapping, then documents.
    assert list(pairs)[:2] == [("a", "c"), ("a", "b")]
    asked = cooccurrence([one, two], ["b", "c", "zzz"])
    assert [(p.first, p.second, p.same_document) for p in asked.pairs] == [
        ("b", "c", 1),
        ("b", "zzz", 0),
        ("c", "zzz", 0),
    ]
