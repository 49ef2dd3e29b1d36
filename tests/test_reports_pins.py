"""Pins of the AND code report's passages (``core/reports.py``) a random search rarely builds."""

from __future__ import annotations

from coding_helpers import coded, highlight

from ipreader.core.reports import MATCH_OVERLAP, code_report

TEXT = "0123456789" * 3


def test_a_passage_a_third_highlight_starts_inside_stays_one_passage() -> None:
    """Claim on 0-10 and 7-15, evidence on 5-20: one passage 5-15, not pieces cut at 7 or 10.

    A highlight starting where the passage ends is not among its highlights.
    """
    marks = [
        highlight(TEXT, 0, 10, ["claim"], ident="h1"),
        highlight(TEXT, 5, 20, ["evidence"], ident="h2"),
        highlight(TEXT, 7, 15, ["claim"], ident="h3"),
        highlight(TEXT, 15, 25, ["evidence"], ident="h4"),
    ]
    report = code_report([coded(TEXT, marks)], ["claim", "evidence"], require_all=True)
    (group,) = report.groups
    found = [(e.match, e.start, e.end, [h.id for h in e.highlights]) for e in group.entries]
    assert found == [(MATCH_OVERLAP, 5, 15, ["h1", "h2", "h3"])]
