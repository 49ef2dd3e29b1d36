"""The code report's batch paths give what the one-at-a-time helpers give, on any text.

``text_table.shown_each``, ``render_columns(..., odd)`` and the code
report's entries (made column by column) each replace a per-item helper for
speed; here each is held to that helper, and the whole table, CSV and JSON
to the plain writers of ``test_report_table_direct`` and
``test_report_render_direct``, on quotes, notes, tags and creators holding
quotes, commas, line breaks, controls, BiDi overrides, formula starts and
non-ASCII.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from coding_helpers import highlight
from hypothesis import example, given
from hypothesis import strategies as st
from test_report_render_direct import plain_csv, plain_json
from test_report_table_direct import plain_table

from ipreader.core.coding import CodedDocument
from ipreader.core.model import AnchorStatus
from ipreader.core.report_render import ReportFilters, render_report
from ipreader.core.reports import MATCH_TAGGED, code_report
from ipreader.core.text_table import Column, render_columns, render_table, shown, shown_each

# Everything a batch path decides on: CSV specials, formula starts, C0/C1 controls, DEL,
# BiDi, a line separator, a variation selector (printable yet changed), a lone
# surrogate, wide and zero-width characters, whitespace of several kinds.
hostile = st.text(
    alphabet=',"\r\n\t =+-@a\x00\x1b\x7f\x85\u202e\u2028\ufe0fé漢\u0301\u200b😀\udc80\xa0',
    max_size=14,
)


@given(st.lists(hostile, max_size=8), st.sampled_from([None, 1, 2, 5, 60]))
@example(["abcdef", "ab", "漢字漢字"], 3)
def test_shown_each_is_shown_of_each(texts: list[str], limit: int | None) -> None:
    assert shown_each(texts, limit) == [shown(text, limit) for text in texts]


@given(
    st.lists(st.tuples(hostile, hostile, st.integers(0, 10**5)), max_size=6),
    st.sampled_from([None, 3, 8]),
)
def test_render_columns_with_odd_rows_given_is_render_table(
    rows: list[tuple[str, str, int]], limit: int | None
) -> None:
    columns = [Column("Name 漢"), Column("Quote", limit=limit), Column("N", numeric=True)]
    made = [
        [shown(value, column.limit) for column, value in zip(columns, row, strict=True)]
        for row in rows
    ]
    texts = [[cells[k][0] for cells in made] for k in range(3)]
    widths = [[cells[k][1] for cells in made] for k in range(3)]
    odd = [i for i, cells in enumerate(made) if any(len(t) != w for t, w in cells)]
    assert render_columns(columns, texts, widths, odd) == render_table(columns, rows)
    assert render_columns(columns, texts, widths) == render_table(columns, rows)


@st.composite
def coded_folder(draw: st.DrawFn) -> list[CodedDocument]:
    """Two or three documents whose text, notes, tags and creators hold hostile text."""
    documents = []
    for number in range(draw(st.integers(2, 3))):
        text = draw(hostile.filter(lambda t: len(t) >= 4)) + "\nline two\n" + draw(hostile)
        made = []
        for _ in range(draw(st.integers(1, 4))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            tags = draw(st.lists(st.sampled_from(["p", "p/q", 'x,"y"', "=t", "é\x1b"]), max_size=2))
            h = highlight(text, start, end, tags, creator=draw(hostile), document=f"d{number}")
            h = replace(h, note=draw(hostile))
            if draw(st.booleans()) and draw(st.booleans()):  # now and then an orphan
                h = replace(h, status=AnchorStatus.ORPHANED, quote=draw(hostile))
            made.append(h)
        ordered = tuple(sorted(made, key=lambda a: (a.start, a.id)))
        relpath = draw(st.sampled_from(["a.txt", 'b "c",\n.txt', "=d.txt"])) + str(number)
        documents.append(CodedDocument(Path(f"/r{number % 2}"), relpath, "T\x07", text, ordered))
    return documents


@given(coded_folder())
def test_code_report_entries_are_each_highlights_own(documents: list[CodedDocument]) -> None:
    report = code_report(documents, [])
    seen = {id(e): e for group in report.groups for e in group.entries}
    tagged = [h for d in documents for h in d.highlights if h.tags]
    assert sorted(e.highlights[0].id for e in seen.values()) == sorted(h.id for h in tagged)
    for entry in seen.values():
        [h] = entry.highlights
        document = entry.document
        line = document.text.count("\n", 0, h.start) + 1 if h.is_anchored else None
        assert (entry.match, entry.start, entry.end) == (MATCH_TAGGED, h.start, h.end)
        assert (entry.line, entry.quote) == (line, h.quote)
        assert h in document.highlights


@given(coded_folder(), st.booleans())
def test_batch_writers_match_the_plain_ones(
    documents: list[CodedDocument], several_roots: bool
) -> None:
    report = code_report(documents, [])
    filters = ReportFilters(several_roots=several_roots)
    assert render_report(report, "table", filters) == plain_table(report, filters)
    assert render_report(report, "csv", filters) == plain_csv(report, filters)
    assert render_report(report, "json", filters) == plain_json(report, filters)
    assert "\x1b" not in render_report(report, "table", filters)


@given(coded_folder())
def test_batch_writers_match_the_plain_ones_with_and(documents: list[CodedDocument]) -> None:
    report = code_report(documents, ["p", "=t"], require_all=True)
    filters = ReportFilters(tags=("p", "=t"), require_all=True)
    assert render_report(report, "table", filters) == plain_table(report, filters)
    assert render_report(report, "csv", filters) == plain_csv(report, filters)
    assert render_report(report, "json", filters) == plain_json(report, filters)
