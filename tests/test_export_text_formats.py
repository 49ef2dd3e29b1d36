"""CSV and Markdown exports: what a spreadsheet and a CommonMark reader get."""

from __future__ import annotations

import csv
import difflib
import html
import io
import re
from pathlib import Path

import pytest

from ipreader.core.export import render_export
from ipreader.core.export.markdown import code_span, heading_text
from ipreader.core.library import Library
from ipreader.core.model import Annotation

TEXT = (
    "Tricky title #\n\n"
    "It cost 1.4 million dollars, said snake_case_fan.\n"
    '=SUM(A1) and +1 and -2 and @cmd, "quoted", with comma\n'
    "* not a list\n1. not a list either\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(TEXT)
    return root


def highlight(root: Path, quote: str, **fields: object) -> Annotation:
    library = Library.open([root])
    info = library.documents()[0]
    text, _ = library.load(info)
    start = text.index(quote)
    annotation = Annotation.create(text, start, start + len(quote), "a.txt", **fields)  # type: ignore[arg-type]
    library.store_for(info).save_annotation(annotation)
    return annotation


def test_csv_opens_as_written(folder: Path) -> None:
    formula = highlight(folder, "=SUM(A1)", note="-minus note", tags=["@at", "b"], creator="Ann")
    quoted = highlight(folder, '"quoted", with comma\n* not', note="line 1\nline 2")
    text = render_export(Library.open([folder]), "csv")
    assert text.startswith("\ufeffpath,title,date,quote,note,tags,color,status,creator,")
    assert text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    by_id = {row["id"]: row for row in rows}
    row = by_id[formula.id]
    # A spreadsheet would run these as formulas: a leading ' makes them text.
    assert (row["quote"], row["note"], row["tags"]) == ("'=SUM(A1)", "'-minus note", "'@at; b")
    assert (row["creator"], row["color"], row["status"]) == ("Ann", "yellow", "anchored")
    assert by_id[quoted.id]["quote"] == '"quoted", with comma\n* not'
    assert by_id[quoted.id]["note"] == "line 1\nline 2"
    assert by_id[quoted.id]["created"] == quoted.created


def _rendered_text(markdown: str) -> str:
    """What a CommonMark reader shows: the HTML's text, entities decoded, spaces collapsed."""
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").render(markdown)
    assert "<ol" not in rendered and "<ul" not in rendered and "<em" not in rendered
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


def test_markdown_reads_raw_as_written_and_renders_the_same_text(folder: Path) -> None:
    note = "*stars* and snake_case and 1.4 million\n- dash\n# hash"
    highlight(folder, "1.4 million dollars, said snake_case_fan.", note=note)
    highlight(folder, "* not a list\n1. not a list either")
    markdown = render_export(Library.open([folder]), "markdown")
    # Raw: prose is left alone where CommonMark gives it no meaning.
    assert "> 1.4 million dollars, said snake_case_fan." in markdown
    assert "## Tricky title \\#" in markdown
    shown = _rendered_text(markdown)
    assert "1.4 million dollars, said snake_case_fan." in shown
    assert " ".join(note.split()) in shown
    assert "* not a list 1. not a list either" in shown
    assert "Tricky title #" in shown


def test_markdown_reexport_after_a_new_highlight_only_adds_lines(folder: Path) -> None:
    first = highlight(folder, "1.4 million")
    before = render_export(Library.open([folder]), "markdown")
    highlight(folder, "It cost")  # earlier in the text: a numbered heading would shift
    after = render_export(Library.open([folder]), "markdown")
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))
    ]
    removed = [line for line in changed if line.startswith("-")]
    # Only the export time and the highlight count change; nothing is renumbered.
    assert all("Exported" in line or "highlight" in line for line in removed), removed
    assert f'<a id="hl-{first.id}"></a>' in after


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("tag", "`tag`"),
        ("a`b", "``a`b``"),
        ("`x", "`` `x ``"),
        (" a ", "`  a  `"),
        ("\x1b[2J", "`␛[2J`"),
    ],
)
def test_code_span(text: str, span: str) -> None:
    assert code_span(text) == span


def test_heading_text_keeps_a_trailing_hash() -> None:
    assert heading_text("C # and F#") == "C # and F#"
    assert heading_text("C # and F #") == "C # and F \\#"
    assert heading_text("Issue #") == "Issue \\#"
