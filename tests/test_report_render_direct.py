"""The code report's CSV and JSON, written directly, are byte for byte the generic writers' output.

``_codes_csv`` and ``_codes_json`` skip the generic ``csv_text`` and
``json_outline`` walks for speed; here the report's rows and data are built
the plain way and handed to the generic writers, and both must agree on
hostile text (controls, quotes, commas, line breaks, formula starts, BiDi),
on several roots, AND reports and an empty report.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from coding_helpers import highlight
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.coding import CodedDocument, Selection
from ipreader.core.csv_text import csv_text
from ipreader.core.json_text import json_outline
from ipreader.core.model import AnchorStatus
from ipreader.core.report_render import ReportFilters, render_report
from ipreader.core.reports import CodeReport, code_report

TEXT = 'Intro, "line"\n=cmd() patent\r\ntreaty\x1b[2J\u202e matters.\n@A *second*, line\u2028 x\n'


def plain_csv(report: CodeReport, filters: ReportFilters) -> str:
    header = ["tag", "match", "document", "title", "line", "start", "end", "quote"]
    header += ["note", "tags", "creator", "color", "created", "status", "id"]
    if filters.several_roots:
        header.insert(2, "root")
    rows = []
    for group in report.groups:
        for entry in group.entries:
            document = entry.document
            place: list[Any] = [document.relpath, document.title, entry.line, entry.start]
            place.append(entry.end)
            if filters.several_roots:
                place.insert(0, str(document.root))
            for h in entry.highlights:
                tags = ", ".join(h.tags)
                rest = [h.note, tags, h.creator, h.color, h.created, h.status, h.id]
                rows.append([group.label, entry.match, *place, entry.quote, *rest])
    return csv_text(header, rows)


def plain_json(report: CodeReport, filters: ReportFilters) -> str:
    groups = []
    for group in report.groups:
        documents: dict[int, dict[str, Any]] = {}
        for entry in group.entries:
            document = entry.document
            if id(document) not in documents:
                place = {"path": document.relpath, "title": document.title}
                if filters.several_roots:
                    place = {"root": str(document.root), **place}
                documents[id(document)] = {**place, "entries": []}
            documents[id(document)]["entries"].append(
                {
                    "match": entry.match,
                    "start": entry.start,
                    "end": entry.end,
                    "line": entry.line,
                    "quote": entry.quote,
                    "highlights": [
                        {
                            "id": h.id,
                            "start": h.start,
                            "end": h.end,
                            "quote": h.quote,
                            "note": h.note,
                            "tags": list(h.tags),
                            "color": h.color,
                            "creator": h.creator,
                            "created": h.created,
                            "status": h.status.value,
                        }
                        for h in entry.highlights
                    ],
                }
            )
        groups.append(
            {"tags": list(group.tags), "label": group.label, "documents": list(documents.values())}
        )
    data = {"report": "codes", "filters": filters.as_dict(), "groups": groups}
    return json_outline(data, levels=6)


def folder(notes: list[str]) -> list[CodedDocument]:
    marks = [(0, 13), (14, 27), (20, 40), (45, 70), (50, 60)]
    tag_sets = [["policy/patents"], ["claim", "policy"], ["policy", 'x,"y"'], ["=sum"], []]
    documents = []
    for number, relpath in enumerate(["news/one.txt", 'a "b",\nc.txt', "=two.txt"]):
        made = []
        for index, (start, end) in enumerate(marks):
            h = highlight(
                TEXT,
                start,
                end,
                tag_sets[(index + number) % len(tag_sets)],
                creator=["ada", "=ben", "c\x1bd"][index % 3],
                document=relpath,
            )
            made.append(replace(h, note=notes[(index + number) % len(notes)]))
        ordered = tuple(sorted(made, key=lambda a: (a.start, a.id)))
        root = Path(f"/root{number % 2}")
        documents.append(CodedDocument(root, relpath, f"Title\x07 {number}", TEXT, ordered))
    return documents


CASES = [
    ([], False),
    (["policy"], False),
    (["policy", "claim"], True),
    (["nothing"], False),
]


@pytest.mark.parametrize(("tags", "require_all"), CASES)
@pytest.mark.parametrize("several_roots", [False, True])
def test_direct_writers_match_the_generic_ones(
    tags: list[str], require_all: bool, several_roots: bool
) -> None:
    documents = folder(["", "-1 odd", 'say "hi",\nthen\r\nbye', "\x1b[31mred\u202e"])
    report = code_report(documents, tags, require_all=require_all)
    filters = ReportFilters(
        tags=tuple(tags),
        require_all=require_all,
        selection=Selection(creator="ada"),
        several_roots=several_roots,
    )
    assert render_report(report, "csv", filters) == plain_csv(report, filters)
    assert render_report(report, "json", filters) == plain_json(report, filters)


@given(st.lists(st.text(max_size=12), min_size=1, max_size=4))
def test_direct_writers_match_for_any_note(notes: list[str]) -> None:
    report = code_report(folder(notes), [])
    filters = ReportFilters(several_roots=True)
    assert render_report(report, "csv", filters) == plain_csv(report, filters)
    assert render_report(report, "json", filters) == plain_json(report, filters)


def test_direct_writers_match_with_orphans_and_surrogates() -> None:
    documents = folder(["", "lone \udc80 surrogate \u2028 and \x7f"])
    first = documents[0]
    # An orphaned highlight has no line (JSON null) and keeps its stored quote.
    orphan = replace(first.highlights[1], status=AnchorStatus.ORPHANED, quote="gone \ud800")
    changed = tuple(orphan if h is first.highlights[1] else h for h in first.highlights)
    documents[0] = replace(first, highlights=changed)
    report = code_report(documents, [])
    assert any(e.line is None for group in report.groups for e in group.entries)
    for several_roots in (False, True):
        filters = ReportFilters(several_roots=several_roots)
        assert render_report(report, "csv", filters) == plain_csv(report, filters)
        assert render_report(report, "json", filters) == plain_json(report, filters)
