"""The output helpers of reports: CommonMark escaping, safe CSV, aligned text tables."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ipreader.core.csv_text import BOM, csv_text, neutralize, quoted
from ipreader.core.json_text import json_outline
from ipreader.core.markdown_text import escape_cell, escape_line, escape_text
from ipreader.core.safe_text import escape_json_controls, printable
from ipreader.core.text_table import Column, cell_width, fit, render_columns, render_table, shown

COMMONMARK = MarkdownIt("commonmark")
TABLES = MarkdownIt("commonmark").enable("table")

# Every character CommonMark gives a meaning somewhere, plus words, digits and blanks.
markdownish = st.text(alphabet="\\`*_[]()<>!&#;=-+~.)|:/ \taxZ19é漢", max_size=30)


def html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


@settings(max_examples=400)
@given(markdownish.filter(lambda s: s.strip(" \t")))
@example("1.4 million")
@example("&amp; &#35; &#x41; &copy")
@example("* * *")
@example("    indented code?")
def test_an_escaped_line_renders_as_itself(line: str) -> None:
    rendered = COMMONMARK.render(escape_line(line))
    # Controls are shown as visible symbols (a tab as spaces): what a terminal shows.
    assert rendered == "<p>" + html(printable(line.strip(" \t"))) + "</p>\n"


@given(st.lists(markdownish.filter(lambda s: s.strip(" \t")), min_size=2, max_size=4))
@example(["Title", "==="])
@example(["Title", "---"])
def test_escaped_lines_render_as_one_paragraph(lines: list[str]) -> None:
    rendered = COMMONMARK.render("\n".join(escape_text("\n".join(lines))))
    shown = (html(printable(line.strip(" \t"))) for line in lines)
    assert rendered == "<p>" + "\n".join(shown) + "</p>\n"


@given(markdownish.filter(lambda s: s.strip()))
@example("a | b")
def test_an_escaped_cell_renders_as_itself_in_a_table(cell: str) -> None:
    rendered = TABLES.render(f"| h |\n| --- |\n| {escape_cell(cell)} |\n")
    assert f"<td>{html(printable(' '.join(cell.split())))}</td>" in rendered


@pytest.mark.parametrize(
    "text",
    ["1.4 million", "snake_case", "a * b", "#hashtag", "C:\\Users", "x < y", "A & B", "e-mail"],
)
def test_prose_is_left_alone(text: str) -> None:
    assert escape_line(text) == text


def test_csv_is_rfc4180_with_a_bom_and_no_formulas() -> None:
    rows = [
        ['=HYPERLINK("x")', 3, None],
        ["-1 + 2", 0, "@cmd"],
        ['line\nbreak, "quoted"', -4, "\tTab"],
        ["plain", 1, "\rcr"],
    ]
    text = csv_text(["quote", "count", "note"], rows)
    assert text.startswith(BOM) and text.endswith("\r\n")
    parsed = list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))
    assert parsed == [
        ["quote", "count", "note"],
        ['\'=HYPERLINK("x")', "3", ""],
        ["'-1 + 2", "0", "'@cmd"],
        # A tab and a carriage return are shown (spaces, ␍), so they start no formula.
        ['line\nbreak, "quoted"', "-4", "    Tab"],
        ["plain", "1", "␍cr"],
    ]
    assert neutralize("+1") == "'+1" and neutralize("1+") == "1+"


cells = st.one_of(
    st.none(),
    st.integers(-5, 5),
    st.text(alphabet='=+-@\t\r\n\x1b\u202e ax,"', max_size=6),
)


@given(st.lists(st.lists(cells, min_size=1, max_size=4), max_size=4))
def test_csv_rows_are_written_as_their_cells_one_by_one(rows: list[list[object]]) -> None:
    # Rows with nothing to change take a shortcut; each must read back as the cell rules say.
    text = csv_text(["h"], rows)
    parsed = list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))
    expected = [
        [
            ""
            if cell is None
            else neutralize(printable(cell, multiline=True))
            if isinstance(cell, str)
            else str(cell)
            for cell in row
        ]
        for row in rows
    ]
    assert parsed[1:] == expected


def test_cells_are_measured_and_cut_in_terminal_cells() -> None:
    assert cell_width("abc") == 3 and cell_width("漢字") == 4 and cell_width("e\u0301") == 1
    assert fit("abcdef", 4) == "abc…" and fit("abc", 4) == "abc"
    assert fit("漢字漢字", 5) == "漢字…" and cell_width(fit("漢字漢字", 5)) == 5


@given(st.text(max_size=20))
@example("£5 — “quoted” café Ωμέγα Жук")
@example("漢字 and e\u0301 and \u200b and 😀")
def test_cell_width_is_the_sum_of_character_widths(text: str) -> None:
    def width(char: str) -> int:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            return 0
        return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1

    assert cell_width(text) == sum(width(char) for char in text)


def test_tables_align_and_never_write_controls() -> None:
    text = render_table(
        [Column("Name"), Column("Count", numeric=True), Column("Quote", limit=8)],
        [["漢字", 5, "a long quote here"], ["esc\x1b[31m", 12, None]],
    )
    lines = text.splitlines()
    assert lines[0] == "Name      Count  Quote"
    assert lines[2] == "漢字" + " " * 10 + "5  a long …"
    assert lines[3] == "esc␛[31m     12"  # the control made visible; nothing trails
    assert "\x1b" not in text


@given(st.lists(st.text(alphabet=",\"\r\n a\x00'=漢", max_size=6), min_size=2, max_size=4))
@example(["", ""])
@example(['say "hi",', "two\r\nlines"])
def test_quoted_fields_are_what_the_csv_module_writes(fields: list[str]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(fields)
    assert ",".join(map(quoted, fields)) + "\r\n" == buffer.getvalue()


table_cells = st.one_of(
    st.none(),
    st.integers(-5, 10**6),
    st.text(alphabet="ab \t\n\x1b\u202e漢字\u0301\u200b😀é—", max_size=12),
)


# Cells of plain prose only: a column of them (under a plain header) is laid out without
# measuring each cell.
narrow_cells = st.one_of(st.none(), st.integers(-5, 10**6), st.text(alphabet="ab é—…", max_size=12))


@given(
    st.lists(
        st.tuples(st.booleans(), st.sampled_from([None, 1, 3, 8]), st.booleans()),
        min_size=1,
        max_size=4,
    ),
    st.data(),
)
def test_cells_made_once_make_render_tables_table(
    shapes: list[tuple[bool, int | None, bool]], data: st.DataObject
) -> None:
    columns = [
        Column(f"C{i}" if plain else f"C{i} 漢", limit=limit, numeric=numeric)
        for i, (numeric, limit, plain) in enumerate(shapes)
    ]
    cells = [narrow_cells if plain else table_cells for _, _, plain in shapes]
    rows = data.draw(st.lists(st.tuples(*cells).map(list)))
    by_column = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    made = [
        [shown(value, column.limit) for value in values]
        for column, values in zip(columns, by_column, strict=True)
    ]
    texts = [[text for text, _ in cells] for cells in made]
    widths = [[size for _, size in cells] for cells in made]
    assert render_columns(columns, texts, widths) == render_table(columns, rows)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=12,
)


@given(json_values, st.integers(0, 4))
def test_json_outline_is_json_indented_to_a_depth(value: object, levels: int) -> None:
    text = json_outline(value, levels)
    assert json.loads(text) == value and text.endswith("\n")
    # Deep enough, it is exactly what json.dumps(indent=2) writes.
    dumped = json.dumps(value, ensure_ascii=False, indent=2)
    assert json_outline(value, 99) == escape_json_controls(dumped) + "\n"
    # Below ``levels`` every value takes one line.
    assert len(text.splitlines()) <= len(json_outline(value, levels + 1).splitlines())


def test_json_outline_escapes_terminal_controls() -> None:
    text = json_outline({"a": ["\x1b[2J\u202e\x9b"]}, 1)
    assert text == '{\n  "a": ["\\u001b[2J\\u202e\\u009b"]\n}\n'


def test_json_outline_writes_a_shared_record_wherever_it_is() -> None:
    shared = {"quote": "same", "tags": ["a"]}
    value = {"groups": [[shared, {"other": 1}], [shared], [{"quote": "same", "tags": ["b"]}]]}
    text = json_outline(value, 2)
    assert json.loads(text) == value
    assert text.count('{"quote": "same", "tags": ["a"]}') == 2
