"""Reports rendered as a table, CSV, JSON and Markdown carry the same facts, safely."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from coding_helpers import coded, highlight
from markdown_it import MarkdownIt

from ipreader.core.coding import CodedDocument, Selection
from ipreader.core.csv_text import BOM
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.report_render import REPORT_FORMATS, ReportFilters, render_report
from ipreader.core.reports import code_report, cooccurrence, tag_matrix

TEXT = "Intro line\nThe =cmd() patent treaty\x1b[2J matters.\nA *second* line about trade.\n"


def documents() -> list[CodedDocument]:
    def mark(quote: str, tags: list[str], creator: str, note: str = "") -> Annotation:
        start = TEXT.index(quote)
        found = highlight(TEXT, start, start + len(quote), tags, creator=creator)
        return replace(found, note=note)

    one = coded(
        TEXT,
        [
            mark("=cmd() patent", ["policy/patents"], "ada", note="-1 looks odd"),
            mark("patent treaty\x1b[2J", ["claim", "policy"], "ben"),
            mark("*second*", ["policy/trade"], "ada"),
        ],
        "news/one.txt",
    )
    lost = replace(highlight(TEXT, 0, 5, ["policy"], creator="ada"), status=AnchorStatus.ORPHANED)
    two = coded(TEXT, [lost], "two.txt")
    return [one, two]


def test_code_report_in_every_format() -> None:
    report = code_report(documents(), ["policy"])
    filters = ReportFilters(tags=("policy",), selection=Selection(creator="ada"))

    table = render_report(report, "table", filters)
    assert "\x1b" not in table and "␛[2J" in table
    assert "policy: 4 highlights in 2 documents" in table
    assert "Filters: tags policy; creator ada." in table
    lines = table.splitlines()
    assert any(line.startswith("news/one.txt") and " 2  " in line for line in lines)

    rows = list(
        csv.DictReader(io.StringIO(render_report(report, "csv", filters).removeprefix(BOM)))
    )
    assert [r["quote"] for r in rows] == [
        "'=cmd() patent",
        "patent treaty␛[2J",  # controls shown, as the CSV export does: safe to cat
        "*second*",
        "Intro",
    ]
    assert rows[0]["note"] == "'-1 looks odd" and rows[0]["line"] == "2"
    assert rows[3]["line"] == "" and rows[3]["status"] == "orphaned"
    assert rows[1]["tags"] == "claim, policy" and rows[1]["creator"] == "ben"

    data = json.loads(render_report(report, "json", filters))
    assert list(data) == ["report", "filters", "groups"]
    assert data["filters"]["creator"] == "ada" and data["filters"]["match"] == "any"
    [group] = data["groups"]
    assert [d["path"] for d in group["documents"]] == ["news/one.txt", "two.txt"]
    entry = group["documents"][0]["entries"][0]
    assert list(entry) == ["match", "start", "end", "line", "quote", "highlights"]
    assert entry["highlights"][0]["status"] == "anchored"
    assert "\x1b" not in render_report(report, "json", filters)  # escaped as \u001b

    markdown = render_report(report, "markdown", filters)
    assert "## policy" in markdown and "### news/one.txt — news/one.txt" in markdown
    assert "> \\*second\\*" in markdown
    html = MarkdownIt("commonmark").render(markdown)
    assert "<em>" not in html and "*second*" in html


def test_and_report_says_which_match() -> None:
    report = code_report(documents(), ["claim", "policy/patents"], require_all=True)
    table = render_report(report, "table", ReportFilters(("claim", "policy/patents"), True))
    assert "claim AND policy/patents: 0 highlights carrying every tag and 1 passage" in table
    assert "overlapping highlights" in table
    data = json.loads(render_report(report, "json", ReportFilters()))
    [entry] = data["groups"][0]["documents"][0]["entries"]
    assert entry["match"] == "overlapping highlights" and entry["quote"] == "patent"
    assert len(entry["highlights"]) == 2
    rows = list(csv.reader(io.StringIO(render_report(report, "csv", ReportFilters()))))
    assert len(rows) == 3  # the header, then one row per highlight of the passage


def test_matrix_and_cooccurrence_formats() -> None:
    matrix = tag_matrix(documents(), ["policy", "claim"])
    rows = list(csv.reader(io.StringIO(render_report(matrix, "csv", ReportFilters()))))
    assert rows == [
        ["\ufeffDocument", "policy", "claim", "Total"],
        ["news/one.txt", "3", "1", "3"],
        ["two.txt", "1", "0", "1"],
        ["Total", "4", "1", "4"],
    ]
    data = json.loads(render_report(matrix, "json", ReportFilters()))
    assert data["documents"][0]["counts"] == {"policy": 3, "claim": 1}
    assert data["totals"] == {"policy": 4, "claim": 1} and data["total"] == 4
    table = render_report(matrix, "table", ReportFilters()).splitlines()
    assert table[-1].split() == ["Total", "4", "1", "4"]
    markdown = render_report(matrix, "markdown", ReportFilters())
    assert "| news/one.txt | 3 | 1 | 3 |" in markdown
    assert "<table>" in MarkdownIt("commonmark").enable("table").render(markdown)

    pairs = cooccurrence(documents())
    data = json.loads(render_report(pairs, "json", ReportFilters()))
    found = {tuple(p["tags"]): p for p in data["pairs"]}
    assert found["claim", "policy"]["same_highlight"] == 1
    assert found["claim", "policy/patents"]["overlapping"] == 1
    assert ("policy", "policy/patents") not in found  # never a tag with its own child


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_empty_reports_render(fmt: str) -> None:
    for report in (code_report([]), tag_matrix([]), cooccurrence([])):
        assert render_report(report, fmt, ReportFilters()).endswith("\n")
