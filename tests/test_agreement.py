"""Inter-rater agreement at the character level, against hand-computed examples and brute force.

The worked example (also in ``ipreader.core.agreement``'s docstring): one
document of 20 characters, coders ada and ben.

* tag ``a``: ada codes 0-9, ben 0-7. both = 8, ada only = 2 (8-9), ben only =
  0, neither = 10. po = 18/20 = 0.9; p_ada = 10/20 = 0.5, p_ben = 8/20 = 0.4;
  pe = 0.5 * 0.4 + 0.5 * 0.6 = 0.5; kappa = (0.9 - 0.5) / (1 - 0.5) = 0.8.
* tag ``b``: ada codes 12-15, ben 12-19. both = 4, ada only = 0, ben only = 4
  (16-19), neither = 12. po = 16/20 = 0.8; p_ada = 0.2, p_ben = 0.4;
  pe = 0.08 + 0.48 = 0.56; kappa = 0.24 / 0.44 = 0.5454...
* overall (pooled, N = 40): both 12, ada only 2, ben only 4, neither 22.
  po = 34/40 = 0.85; p_ada = 14/40 = 0.35, p_ben = 16/40 = 0.4;
  pe = 0.35 * 0.4 + 0.65 * 0.6 = 0.53; kappa = 0.32 / 0.47 = 0.680851...
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest
from coding_helpers import coded, highlight
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.agreement import Agreement, agreement
from ipreader.core.agreement_render import agreement_json, agreement_text
from ipreader.core.model import AnchorStatus

TEXT = "abcdefghijklmnopqrst"  # 20 characters


def test_worked_example() -> None:
    document = coded(
        TEXT,
        [
            highlight(TEXT, 0, 10, ["a"], creator="ada"),
            highlight(TEXT, 0, 8, ["a"], creator="ben"),
            highlight(TEXT, 12, 16, ["b"], creator="Ada"),
            highlight(TEXT, 12, 20, ["b"], creator="BEN"),
        ],
    )
    report = agreement([document], "ada", "ben")
    a, b = report.tags
    assert (a.tag, a.both, a.first_only, a.second_only, a.neither) == ("a", 8, 2, 0, 10)
    assert a.percent == pytest.approx(90.0) and a.kappa == pytest.approx(0.8)
    assert (b.both, b.first_only, b.second_only, b.neither) == (4, 0, 4, 12)
    assert b.percent == pytest.approx(80.0) and b.kappa == pytest.approx(0.24 / 0.44)
    overall = report.overall
    assert (overall.both, overall.first_only, overall.second_only, overall.neither) == (
        12,
        2,
        4,
        22,
    )
    assert overall.percent == pytest.approx(85.0) and overall.kappa == pytest.approx(0.32 / 0.47)
    assert [(d.tag, d.start, d.end, d.coder, d.quote) for d in report.disagreements] == [
        ("a", 8, 10, "ada", "ij"),
        ("b", 16, 20, "ben", "qrst"),
    ]
    assert report.characters == 20 and all(item.reason is None for item in report.tags)


def test_total_agreement_total_disagreement_and_chance() -> None:
    def kappa_of(first: list[tuple[int, int]], second: list[tuple[int, int]]) -> Agreement:
        text = "wxyz"
        marks = [highlight(text, s, e, ["t"], creator="ada") for s, e in first]
        marks += [highlight(text, s, e, ["t"], creator="ben") for s, e in second]
        [only] = agreement([coded(text, marks)], "ada", "ben").tags
        return only

    same = kappa_of([(0, 2)], [(0, 2)])
    assert same.percent == 100.0 and same.kappa == 1.0 and same.reason is None
    # Opposite halves: po = 0, pe = 0.5, kappa = (0 - 0.5) / 0.5 = -1.
    opposite = kappa_of([(0, 2)], [(2, 4)])
    assert opposite.percent == 0.0 and opposite.kappa == pytest.approx(-1.0)
    # One character of each kind: po = 0.5 = pe, so kappa = 0 (chance level).
    chance = kappa_of([(0, 2)], [(0, 1), (2, 3)])
    assert (chance.both, chance.first_only, chance.second_only, chance.neither) == (1, 1, 1, 1)
    assert chance.percent == 50.0 and chance.kappa == 0.0


def test_degenerate_cases() -> None:
    document = coded(
        "wxyz",
        [
            highlight("wxyz", 0, 4, ["all"], creator="ada"),
            highlight("wxyz", 0, 4, ["all"], creator="ben"),
        ],
    )
    report = agreement([document], "ada", "ben", ["all", "unused"])
    every, unused = report.tags
    assert every.kappa == 1.0 and every.reason is not None and "every character" in every.reason
    assert unused.kappa == 1.0 and unused.reason is not None and "neither" in unused.reason
    assert unused.percent == 100.0

    nobody = agreement([document], "ada", "carol")
    assert nobody.documents == () and nobody.characters == 0
    assert nobody.overall.kappa is None and nobody.overall.percent is None
    assert nobody.overall.reason == "no characters to compare: no document coded by both"


def test_only_documents_both_coded_count_and_orphans_are_left_out() -> None:
    both = coded(
        TEXT,
        [highlight(TEXT, 0, 5, ["t"], creator="ada"), highlight(TEXT, 0, 5, ["x"], creator="ben")],
        "both.txt",
    )
    lost = replace(highlight(TEXT, 0, 5, ["t"], creator="ben"), status=AnchorStatus.ORPHANED)
    alone = coded(TEXT * 5, [highlight(TEXT, 0, 5, ["t"], creator="ada"), lost], "alone.txt")
    report = agreement([both, alone], "ada", "ben")
    assert [d.relpath for d in report.documents] == ["both.txt"]
    assert report.characters == 20 and report.orphaned == 1
    assert [item.tag for item in report.tags] == ["t", "x"]
    t = report.tags[0]
    assert (t.both, t.first_only, t.second_only, t.neither) == (0, 5, 0, 15)


def test_parent_tags_agree_on_children() -> None:
    document = coded(
        TEXT,
        [
            highlight(TEXT, 0, 10, ["policy/patents"], creator="ada"),
            highlight(TEXT, 0, 10, ["Policy"], creator="ben"),
        ],
    )
    report = agreement([document], "ada", "ben", ["policy", "policy/patents"])
    parent, child = report.tags
    assert parent.kappa == 1.0 and parent.reason is None
    assert (child.both, child.first_only) == (0, 10)


@st.composite
def coder_spans(draw: st.DrawFn) -> list[tuple[int, int]]:
    spans = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, 19))
        spans.append((start, draw(st.integers(start + 1, 20))))
    return spans


@given(coder_spans(), coder_spans())
def test_counts_and_kappa_equal_a_character_by_character_count(
    first: list[tuple[int, int]], second: list[tuple[int, int]]
) -> None:
    marks = [highlight(TEXT, s, e, ["t"], creator="ada") for s, e in first]
    marks += [highlight(TEXT, s, e, ["t"], creator="ben") for s, e in second]
    report = agreement([coded(TEXT, marks)], "ada", "ben", ["t"])
    if not first or not second:
        assert report.documents == ()
        return
    a = {c for s, e in first for c in range(s, e)}
    b = {c for s, e in second for c in range(s, e)}
    [item] = report.tags
    n = len(TEXT)
    assert (item.both, item.first_only, item.second_only) == (len(a & b), len(a - b), len(b - a))
    assert item.neither == n - len(a | b)
    po = (n - len(a ^ b)) / n
    p1, p2 = len(a) / n, len(b) / n
    pe = p1 * p2 + (1 - p1) * (1 - p2)
    if pe < 1 - 1e-9:
        assert item.kappa == pytest.approx((po - pe) / (1 - pe))
    runs = [(d.start, d.end, d.coder) for d in report.disagreements]
    assert {c for s, e, who in runs if who == "ada" for c in range(s, e)} == a - b
    assert {c for s, e, who in runs if who == "ben" for c in range(s, e)} == b - a
    for (_, end, who), (start, _, other) in itertools.pairwise(runs):
        assert not (who == other and end == start)  # maximal: a coder's runs never touch


def test_outputs() -> None:
    document = coded(
        TEXT,
        [highlight(TEXT, 0, 10, ["a"], creator="ada"), highlight(TEXT, 0, 8, ["a"], creator="ben")],
    )
    report = agreement([document], "ada", "ben")
    text = agreement_text(report)
    assert "Agreement of ada and ben: 1 document coded by both, 20 characters." in text
    assert "Cohen's kappa" in text
    lines = text.splitlines()
    assert any(line.split() == ["a", "8", "2", "0", "10", "90.0%", "0.800"] for line in lines)
    assert any(line.split()[:3] == ["a", "doc.txt", "1"] and "ij" in line for line in lines)
    data = json.loads(agreement_json(report))
    assert list(data) == [
        "coders",
        "method",
        "documents",
        "characters",
        "orphaned_left_out",
        "tags",
        "overall",
        "disagreements",
    ]
    assert data["tags"][0]["kappa"] == 0.8 and data["overall"]["percent_agreement"] == 90.0
    assert data["disagreements"] == [
        {
            "tag": "a",
            "path": "doc.txt",
            "start": 8,
            "end": 10,
            "line": 1,
            "coded_by": "ada",
            "quote": "ij",
        }
    ]
