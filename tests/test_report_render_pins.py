"""Pins of the reports as a coder reads them (``core/report_render.py``), format by format.

One corpus (two folders, overlapping and nested highlights, an orphan, long
quotes and notes, a missing creator, line breaks) is rendered as each report
in each format, with and without filters and several roots, and compared with
``fixtures/report_render_pins.json``. A change of layout is a change a
reader sees: when it is meant, write the file again with
``python tests/test_report_render_pins.py`` and read the diff.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from coding_helpers import coded, highlight

from ipreader.core.coding import CodedDocument, Selection
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.report_render import REPORT_FORMATS, ReportFilters, render_report
from ipreader.core.reports import Report, code_report, cooccurrence, tag_matrix

EXPECTED = Path(__file__).parent / "fixtures" / "report_render_pins.json"

ONE = (
    "Intro line\n"
    "The minister praised the patent treaty at length, saying it would change how "
    "inventors and traders work together for a decade or more.\n"
    "A second line about trade.\n"
)
TWO = "Short text on *trade* and patents.\nSecond line."


def _mark(text: str, quote: str, tags: list[str], ident: str, **fields: str) -> Annotation:
    start = text.index(quote)
    made = highlight(text, start, start + len(quote), tags, ident=ident)
    return replace(made, **fields)


def corpus() -> list[CodedDocument]:
    one = (
        _mark(ONE, "minister praised", ["claim"], "h1", creator="Ada Lovelace of London"),
        _mark(
            ONE,
            "praised the patent treaty at length, saying it would change how inventors and "
            "traders work together",
            ["evidence/quote", "policy/patents"],
            "h2",
            creator="ben",
            note="A long note that goes on well past the forty cells of a table cell.\nline 2",
            color="green",
        ),
        _mark(ONE, "A second line", ["claim", "evidence"], "h3", creator=""),
        replace(
            _mark(ONE, "Intro", ["policy"], "h4", creator="ada"),
            status=AnchorStatus.ORPHANED,
        ),
    )
    two = (
        _mark(TWO, "*trade* and", ["policy/trade", "claim"], "h5", creator="ada"),
        _mark(TWO, "and patents.\nSecond", ["policy/patents", "evidence"], "h6", creator="ada"),
    )

    def ordered(marks: tuple[Annotation, ...]) -> tuple[Annotation, ...]:
        return tuple(sorted(marks, key=lambda a: (a.start, a.id)))  # as the loader sorts them

    return [
        CodedDocument(Path("/corpus/a"), "news/one.txt", "One", ONE, ordered(one)),
        CodedDocument(Path("/corpus/b"), "two.txt", "Two: *the* second", TWO, ordered(two)),
    ]


def reports() -> dict[str, tuple[Report, tuple[str, ...], bool]]:
    documents = corpus()
    return {
        "codes": (code_report(documents), (), False),
        "codes-policy": (code_report(documents, ["policy"]), ("policy",), False),
        "codes-and": (
            code_report(documents, ["claim", "evidence"], require_all=True),
            ("claim", "evidence"),
            True,
        ),
        "codes-none": (code_report(documents, ["zzz"]), ("zzz",), False),
        "matrix": (tag_matrix(documents), (), False),
        "matrix-asked": (tag_matrix(documents, ["policy", "claim"]), ("policy", "claim"), False),
        "cooccurrence": (cooccurrence(documents), (), False),
        "cooccurrence-asked": (
            cooccurrence(documents, ["claim", "evidence", "zzz"]),
            ("claim", "evidence", "zzz"),
            False,
        ),
    }


SELECTION = Selection(
    document_glob="*.txt",
    color="green",
    creator="ben",
    since="2024-01-01T00:00:00Z",
    until="2025-01-01T00:00:00Z",
)


def rendered() -> dict[str, str]:
    found = {}
    for name, (report, tags, require_all) in reports().items():
        for fmt in REPORT_FORMATS:
            plain = ReportFilters(tags=tags, require_all=require_all)
            found[f"{name}.{fmt}"] = render_report(report, fmt, plain)
            full = replace(plain, selection=SELECTION, several_roots=True)
            found[f"{name}.{fmt}.filtered"] = render_report(report, fmt, full)
    return found


CASES = sorted(rendered())


@pytest.mark.parametrize("case", CASES)
def test_a_report_renders_as_pinned(case: str) -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert rendered()[case] == expected[case]


def test_an_unknown_format_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown report format 'html'"):
        render_report(code_report(corpus()), "html", ReportFilters())


if __name__ == "__main__":  # write the expected outputs again (read the diff before committing)
    EXPECTED.write_text(json.dumps(rendered(), indent=1, ensure_ascii=False) + "\n", "utf-8")
    sys.exit(0)


def test_a_code_report_without_any_tag_says_so() -> None:
    empty = code_report([coded("Some text.", [highlight("Some text.", 0, 4)])])
    assert empty.groups == ()
    assert render_report(empty, "table", ReportFilters()) == "(no tagged highlights)\n"
    assert render_report(empty, "markdown", ReportFilters()) == (
        "# Code report\n\nNo tagged highlights.\n"
    )


def test_markdown_quotes_keep_blank_lines_inside_the_quote_and_cut_listed_quotes_at_80() -> None:
    text = "First paragraph.\n\nSecond paragraph " + "x" * 46 + " end of it, and more.\nMore."
    long = text.index("Second")
    marks = [
        highlight(text, 0, 25, ["claim"], ident="h1"),
        replace(highlight(text, long, long + 81, ["evidence"], ident="h2"), note="See fig. X"),
    ]
    assert len(marks[1].quote) == 81
    report = code_report([coded(text, marks)], ["claim", "evidence"], require_all=True)
    shown = render_report(report, "markdown", ReportFilters(("claim", "evidence"), True))
    assert f"“{marks[1].quote}”" not in shown and "end of it, and…”" in shown
    assert shown.endswith("  Note: See fig. X\n")
    plain = render_report(code_report([coded(text, marks)]), "markdown", ReportFilters())
    assert "\n> First paragraph.\n>\n> Second\n" in plain  # one quote, its blank line kept
    assert plain.endswith("Note: See fig. X\n")


def test_table_cells_are_cut_in_terminal_cells_not_characters() -> None:
    """Wide characters take two cells: a 50-character quote is cut to the 60-cell column."""
    text = "漢" * 50 + " tail"
    mark = replace(highlight(text, 0, 50, ["t"]), note="注" * 30)
    shown = render_report(code_report([coded(text, [mark])]), "table", ReportFilters())
    row = next(line for line in shown.splitlines() if line.startswith("doc.txt"))
    assert "漢" * 29 + "…" in row and "漢" * 30 not in row
    assert "注" * 19 + "…" in row and "注" * 20 not in row
