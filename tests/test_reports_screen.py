"""The reports screen computes in workers: the last report asked for is shown, typing never waits.

``tui.report_views`` (Textual-free) builds what the screen shows; the Pilot
tests drive ``ReportsScreen`` on a bare styled app over a real folder.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from coding_helpers import coded, highlight
from conftest import Posted, StyledApp, settle
from hypothesis import given
from hypothesis import strategies as st
from rich.style import Style
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList

from ipreader.core.codebook import Codebook
from ipreader.core.library import Library
from ipreader.core.model import Annotation
from ipreader.core.reports import code_report, tag_matrix
from ipreader.core.store import FolderStore
from ipreader.tui.report_views import (
    HEAT_LEVELS,
    MAX_PASSAGES,
    CodesView,
    FilterProblem,
    ReportLooks,
    ReportRequest,
    TableView,
    build_view,
    heat_level,
)
from ipreader.tui.screens.reports import ReportsScreen
from ipreader.tui.widgets.choice_row import ChoiceRow
from ipreader.tui.widgets.heat_table import HeatTable

TEXT = "The quick brown fox jumps over the lazy dog. " * 40
HEAT = tuple(Style(color=f"color({n})") for n in range(1, HEAT_LEVELS + 1))
LOOKS = ReportLooks(Style(bold=True), Style(dim=True), HEAT)


# ---------------------------------------------------------------- report_views


def test_a_filter_line_that_does_not_read_is_the_view() -> None:
    documents = [coded(TEXT, [highlight(TEXT, 4, 9, ["a"])])]
    view = build_view(ReportRequest("codes", filters="by:"), documents, LOOKS)
    assert view == FilterProblem("Filters: by: needs a value")


def test_the_code_report_lists_at_most_max_passages_each_with_its_target() -> None:
    marks = [highlight(TEXT, n, n + 5, ["a"], ident=f"id{n:05d}") for n in range(MAX_PASSAGES + 5)]
    documents = [coded(TEXT, marks)]
    view = build_view(ReportRequest("codes"), documents, LOOKS)
    assert isinstance(view, CodesView)
    assert view.status == f"{MAX_PASSAGES + 5:,} passages (first {MAX_PASSAGES:,} listed)"
    headings = [text for text, key in view.rows if key is None]
    assert [str(h) for h in headings] == [f"a ({MAX_PASSAGES + 5:,})"]
    assert headings[0].style == LOOKS.tag
    keys = [key for _, key in view.rows if key is not None]
    assert len(keys) == len(view.targets) == MAX_PASSAGES
    entries = code_report(documents).groups[0].entries
    assert [view.targets[k].start for k in keys] == [e.start for e in entries[:MAX_PASSAGES]]


def test_the_code_report_of_one_article_says_so_and_any_or_all_tags_apply() -> None:
    fox, dog = TEXT.index("fox"), TEXT.index("dog")
    marks = [highlight(TEXT, fox, fox + 3, ["a", "b"]), highlight(TEXT, dog, dog + 3, ["a"])]
    documents = [coded(TEXT, marks)]
    focus = documents[0]
    any_of = build_view(ReportRequest("codes", ("a", "b"), focus=focus), documents, LOOKS)
    all_of = build_view(ReportRequest("codes", ("a", "b"), True, focus=focus), documents, LOOKS)
    assert isinstance(any_of, CodesView) and isinstance(all_of, CodesView)
    assert any_of.status == "3 passages in doc.txt"  # a: fox, dog; b: fox
    assert all_of.status == "1 passage in doc.txt"


def test_the_matrix_has_a_row_per_document_totals_last_and_heat_styles_per_level() -> None:
    documents = [
        coded(TEXT, [highlight(TEXT, 4 * n, 4 * n + 3, ["a"]) for n in range(n_)], f"d{n_}.txt")
        for n_ in (1, 2, 4)
    ]
    view = build_view(ReportRequest("matrix"), documents, LOOKS)
    assert isinstance(view, TableView)
    assert view.labels == ["document", "a", "total"]
    assert len(view.rows) == len(documents) + 1 and len(view.matrix_rows) == len(documents)
    assert [row[0][0] for row in view.rows] == ["d1.txt", "d2.txt", "d4.txt", "total"]
    assert [row[-1][0].strip() for row in view.rows] == ["1", "2", "4", "7"]
    counts = [row.counts[0] for row in tag_matrix(documents).rows]
    for row, count in zip(view.rows, counts, strict=False):
        assert row[1][1] == LOOKS.heat[heat_level(count, 4) - 1]
    assert view.matrix_tags == ["a"]


@given(st.integers(1, 500), st.data())
def test_a_heat_level_grows_with_the_count_and_stays_in_range(
    most: int, data: st.DataObject
) -> None:
    low = data.draw(st.integers(0, most))
    high = data.draw(st.integers(low, most))
    assert heat_level(0, most) == 0  # an empty cell is not coloured
    assert heat_level(low, most) <= heat_level(high, most)
    if low:
        assert 1 <= heat_level(low, most) <= HEAT_LEVELS
    if most >= HEAT_LEVELS:  # a level per quarter of the largest count: it is the hottest
        assert heat_level(most, most) == HEAT_LEVELS


def test_a_table_column_is_as_wide_as_its_widest_cell_or_label() -> None:
    documents = [coded(TEXT, [highlight(TEXT, 4, 9, ["a"])], "漢字の記事.txt")]
    view = build_view(ReportRequest("matrix"), documents, LOOKS)
    assert isinstance(view, TableView)
    assert view.widths == [14, 4, 5]  # five wide characters and ".txt"; "   1"; "total"


def test_the_cooccurrence_table_has_a_row_per_pair() -> None:
    documents = [coded(TEXT, [highlight(TEXT, 4, 9, ["a", "b"]), highlight(TEXT, 20, 30, ["c"])])]
    view = build_view(ReportRequest("cooccurrence"), documents, LOOKS)
    assert isinstance(view, TableView)
    assert view.labels[:2] == ["tag", "with tag"]
    assert [(r[0][0], r[1][0]) for r in view.rows] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert view.status == "3 pairs" and not view.matrix_rows


# ---------------------------------------------------------------- the screen


@pytest.fixture
def coded_folder(tmp_path: Path) -> Path:
    """Thirty articles (more than a table slice), each with a highlight tagged ``t`` or ``u``."""
    folder = tmp_path / "coded"
    folder.mkdir()
    marks: list[Annotation] = []
    for number in range(30):
        text = f"Article {number}\n\n{TEXT}"
        (folder / f"a{number:02d}.txt").write_text(text, encoding="utf-8")
        tag = "t" if number % 2 else "u"
        relpath = f"a{number:02d}.txt"
        marks.append(Annotation.create(text, 12, 30, relpath, tags=[tag], creator="ada"))
    FolderStore.open(folder).save_annotations(marks)
    return folder


def status(screen: ReportsScreen) -> str:
    return str(screen.query_one("#status", Label).render())


async def opened(pilot: Pilot[None], screen: ReportsScreen) -> None:
    await pilot.app.push_screen(screen)
    await settle(pilot)


async def test_typing_fast_shows_the_last_report_asked_for(coded_folder: Path) -> None:
    posted = Posted()
    screen = ReportsScreen(Library.open([coded_folder]))
    async with StyledApp().run_test(size=(120, 40), message_hook=posted) as pilot:
        await opened(pilot, screen)
        assert status(screen) == "30 passages"
        assert screen.styles.background.a == 1.0  # no main screen drawn again under each key
        screen.query_one("#tags", Input).focus()
        for key in "t, u, t":  # every key asks for a report; none waits for the last one
            pilot.app.simulate_key(key)
        await settle(pilot)
        assert screen.query_one("#tags", Input).value == "t, u, t"
        assert status(screen) == "30 passages"
        await pilot.press("backspace", "backspace", "backspace")  # "t, u"
        await pilot.press("backspace", "backspace", "backspace")  # "t"
        await settle(pilot)
        assert status(screen) == "15 passages"
        prepared = posted.of(ReportsScreen.Prepared)
        assert prepared and prepared[-1].asked == max(p.asked for p in prepared)
        shown = screen.query_one("#passages", OptionList)
        assert shown.option_count == 16  # the heading and its fifteen passages


async def test_highlights_with_no_text_to_code_are_said_to_be_left_out(
    coded_folder: Path,
) -> None:
    (coded_folder / "a00.txt").unlink()  # its highlight: in a missing article now
    posted = Posted()
    screen = ReportsScreen(Library.open([coded_folder]))
    async with StyledApp().run_test(size=(120, 40), message_hook=posted) as pilot:
        await opened(pilot, screen)
        assert status(screen) == "29 passages"
    assert posted.notices() == [
        "Left out: 1 highlight in 1 missing article (no text to place them in; "
        "`ipreader check` lists them)"
    ]


async def test_a_slow_report_says_it_is_updating_and_the_screen_still_answers(
    coded_folder: Path,
) -> None:
    asked = threading.Event()
    release = threading.Event()

    def slow_codebook(root: Path) -> Codebook:
        # The filter line's colour meaning is looked up in the report's worker.
        asked.set()
        release.wait(10)
        return Codebook()

    screen = ReportsScreen(Library.open([coded_folder]), slow_codebook)
    async with StyledApp().run_test(size=(120, 40)) as pilot:
        await opened(pilot, screen)
        screen.query_one("#filters", Input).value = "color:claim"
        for _ in range(200):
            await pilot.pause(0.01)
            if "Updating" in status(screen):
                break
        assert asked.is_set()
        assert status(screen) == "Updating the report…"
        screen.query_one("#kind", ChoiceRow).focus()
        await pilot.press("right")  # answered while the worker waits: the matrix is asked for
        assert screen.query_one("#kind", ChoiceRow).value == "matrix"
        release.set()
        await settle(pilot)
        assert status(screen).startswith("Filters: unknown colour 'claim'")


async def test_a_report_that_comes_late_never_replaces_the_one_asked_for_since(
    coded_folder: Path,
) -> None:
    release = threading.Event()

    def slow_codebook(root: Path) -> Codebook:
        release.wait(10)  # the colour meaning's report is held in its worker
        return Codebook()

    screen = ReportsScreen(Library.open([coded_folder]), slow_codebook)
    async with StyledApp().run_test(size=(120, 40)) as pilot:
        await opened(pilot, screen)
        filters = screen.query_one("#filters", Input)
        filters.value = "color:claim"  # slow: waits for its codebook
        await pilot.pause(0.05)
        filters.value = "by:nobody"  # asked for after it, and quick
        for _ in range(200):
            await pilot.pause(0.01)
            if status(screen) == "0 passages":
                break
        assert status(screen) == "0 passages"
        release.set()  # the earlier report arrives last
        await settle(pilot)
        assert status(screen) == "0 passages"  # not its "unknown colour" message


async def test_the_matrix_is_shown_whole_and_enter_on_a_cell_gives_its_passages(
    coded_folder: Path,
) -> None:
    screen = ReportsScreen(Library.open([coded_folder]))
    async with StyledApp().run_test(size=(120, 40)) as pilot:
        await opened(pilot, screen)
        screen.query_one("#kind", ChoiceRow).focus()
        await pilot.press("right")
        await settle(pilot)
        table = screen.query_one("#table", HeatTable)
        assert table.row_count == 31  # thirty articles and the totals
        assert table.display and not screen.query_one("#passages").display
        assert status(screen) == "30 documents × 2 tags · enter: the passages of a cell"
        table.focus()
        await pilot.press("down", "right", "enter")  # a01.txt x t
        await settle(pilot)
        assert status(screen) == "1 passage in Article 1"
        assert screen.query_one("#tags", Input).value == "t"
        await pilot.press("escape")  # back to the matrix as it was: every tag, on that cell
        await settle(pilot)
        assert screen.query_one("#tags", Input).value == ""
        assert status(screen) == "30 documents × 2 tags · enter: the passages of a cell"
        assert table.cursor == (1, 1) and table.has_focus
