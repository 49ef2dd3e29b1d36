"""The code report's text table is byte for byte one ``render_table`` of full rows per group.

``report_render._codes_table`` builds each entry's rows once and shares them
between the groups it is in (only the document cell differs); here every
group's rows are built in full, the plain way, and both must agree: wide
(CJK) and zero-width characters, controls, BiDi, long and empty quotes and
notes, several roots, AND reports (overlap passages give rows with blank
cells) and empty reports.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from coding_helpers import highlight
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.coding import CodedDocument
from ipreader.core.report_render import ReportFilters, render_report
from ipreader.core.reports import CodeReport, code_report
from ipreader.core.safe_text import printable
from ipreader.core.text_table import Column, render_table
from ipreader.core.wording import excerpt

TEXT = (
    "Intro 漢字 line\n=cmd() patent\r\ntreaty\x1b[2J\u202e matters.\n"
    "@A e\u0301 second, line\u2028 x\n"
)


def plain_table(report: CodeReport, filters: ReportFilters) -> str:
    """The code table as one ``render_table`` per group, every row built in full."""
    columns = [Column("Document"), Column("Line", numeric=True), Column("Offsets")]
    if report.require_all:
        columns.append(Column("Match"))
    columns += [Column("Creator", limit=20), Column("Quote", limit=60), Column("Note", limit=40)]
    summary = filters.summary()
    out = [printable(f"Code report. Filters: {summary}.") + "\n" if summary else ""]
    for group in report.groups:
        rows: list[list[Any]] = []
        last = None
        for entry in group.entries:
            document = entry.document
            path = (
                f"{document.root}/{document.relpath}" if filters.several_roots else document.relpath
            )
            for index, h in enumerate(entry.highlights):
                first = index == 0
                row: list[Any] = [path if first and document is not last else ""]
                row += [
                    entry.line if first else None,
                    f"{entry.start}-{entry.end}" if first else None,
                ]
                if report.require_all:
                    row.append(entry.match if first else None)
                quote = entry.quote if first else h.quote
                row += [h.creator, excerpt(quote, 60), excerpt(h.note, 40)]
                rows.append(row)
            last = document
        documents = len({(e.document.root, e.document.relpath) for e in group.entries})
        if report.require_all:
            same = sum(1 for e in group.entries if len(e.highlights) == 1)
            title = (
                f"{group.label}: {same:,} highlight{'s' * (same != 1)} carrying every tag and "
                f"{len(group.entries) - same:,} passage{'s' * (len(group.entries) - same != 1)} "
                f"of overlapping highlights carrying them between them, in "
                f"{documents:,} document{'s' * (documents != 1)}"
            )
        else:
            count = len(group.entries)
            title = (
                f"{group.label}: {count:,} highlight{'s' * (count != 1)} in "
                f"{documents:,} document{'s' * (documents != 1)}"
            )
        out.append(printable(title) + "\n\n" + render_table(columns, rows) + "\n")
    if not report.groups:
        out.append("(no tagged highlights)\n")
    return "".join(out)


def folder(notes: list[str], creators: list[str]) -> list[CodedDocument]:
    marks = [(0, 13), (6, 20), (14, 27), (20, 40), (45, 70), (50, 60), (52, 53)]
    tag_sets = [["policy/patents"], ["claim", "policy"], ["policy", "漢"], ["=sum"], ["claim"]]
    documents = []
    for number, relpath in enumerate(["news/one.txt", "漢字\u202e.txt", "=two.txt", "b.txt"]):
        made = []
        for index, (start, end) in enumerate(marks):
            h = highlight(
                TEXT,
                start,
                end,
                tag_sets[(index + number) % len(tag_sets)],
                creator=creators[(index + number) % len(creators)],
                document=relpath,
            )
            made.append(replace(h, note=notes[(index + number) % len(notes)]))
        ordered = tuple(sorted(made, key=lambda a: (a.start, a.id)))
        root = Path(f"/root{number % 2}")
        documents.append(CodedDocument(root, relpath, f"Title {number}", TEXT, ordered))
    return documents


CASES = [([], False), (["policy"], False), (["policy", "claim"], True), (["nothing"], False)]


@pytest.mark.parametrize(("tags", "require_all"), CASES)
@pytest.mark.parametrize("several_roots", [False, True])
def test_the_table_is_render_tables_output(
    tags: list[str], require_all: bool, several_roots: bool
) -> None:
    notes = ["", "-1 odd", 'say "hi",\nthen\r\nbye', "\x1b[31mred\u202e 漢字" * 5]
    documents = folder(notes, ["ada", "", "漢字の人", "c\x1bd", "x\u0301" * 30])
    report = code_report(documents, tags, require_all=require_all)
    filters = ReportFilters(tags=tuple(tags), require_all=require_all, several_roots=several_roots)
    assert render_report(report, "table", filters) == plain_table(report, filters)


def test_an_empty_report_is_render_tables_output() -> None:
    report = code_report([], [])
    assert render_report(report, "table", ReportFilters()) == plain_table(report, ReportFilters())


@given(
    st.lists(st.text(max_size=50), min_size=1, max_size=4),
    st.lists(st.text(max_size=24), min_size=1, max_size=3),
    st.booleans(),
)
def test_the_table_is_render_tables_output_for_any_note_and_creator(
    notes: list[str], creators: list[str], require_all: bool
) -> None:
    report = code_report(folder(notes, creators), ["policy", "claim"], require_all=require_all)
    filters = ReportFilters(tags=("policy", "claim"), require_all=require_all, several_roots=True)
    assert render_report(report, "table", filters) == plain_table(report, filters)
