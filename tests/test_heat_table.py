"""HeatTable: a header that stays, a cell cursor that scrolls into view, Enter and clicks choose."""

from __future__ import annotations

import pytest
from conftest import Posted, StyledApp
from rich.style import Style
from textual.app import ComposeResult

from ipreader.tui.widgets.heat_table import CELL_PADDING, HeatTable

ROWS, COLUMNS, WIDTH = 200, 12, 6


class TableApp(StyledApp):
    def compose(self) -> ComposeResult:
        yield HeatTable(id="table")

    def on_mount(self) -> None:
        rows = [[(f"r{r}c{c}", Style(bold=c == 1)) for c in range(COLUMNS)] for r in range(ROWS)]
        labels = [f"col{c}" for c in range(COLUMNS)]
        self.query_one(HeatTable).set_table(labels, rows, [WIDTH] * COLUMNS)
        self.query_one(HeatTable).focus()


def line(table: HeatTable, y: int) -> list[str]:
    """The cells shown on line ``y`` of the table (0: the header)."""
    return table.render_line(y).text.split()


async def test_keys_move_the_cursor_and_the_view_follows_it_under_a_header_that_stays() -> None:
    async with TableApp().run_test(size=(40, 10)) as pilot:
        table = pilot.app.query_one(HeatTable)
        assert line(table, 0)[:2] == ["col0", "col1"]
        assert line(table, 1)[:2] == ["r0c0", "r0c1"]
        await pilot.press("end")
        assert table.cursor == (ROWS - 1, 0)
        height = table.scrollable_content_region.height
        assert line(table, height - 1)[0] == f"r{ROWS - 1}c0"  # the last row, in view
        assert line(table, 0)[0] == "col0"  # the header is still on top
        await pilot.press("home", "down", "down")
        assert table.cursor == (2, 0) and table.scroll_y == 0
        for _ in range(COLUMNS + 3):  # past the last column: it stays there
            await pilot.press("right")
        assert table.cursor == (2, COLUMNS - 1)
        assert table.scroll_x > 0
        assert line(table, 3)[-1] == f"r2c{COLUMNS - 1}"  # scrolled far enough to show it
        await pilot.press("pagedown")
        assert table.cursor[0] == 2 + height - 2


def chosen(posted: Posted) -> list[tuple[int, int]]:
    """The cells chosen, once each (the hook sees a message at every node it bubbles to)."""
    unique = {id(m): m for m in posted.of(HeatTable.CellChosen)}
    return [(m.row, m.column) for m in unique.values()]


async def test_enter_and_a_second_click_choose_the_cursor_cell() -> None:
    posted = Posted()
    async with TableApp().run_test(size=(60, 12), message_hook=posted) as pilot:
        table = pilot.app.query_one(HeatTable)
        await pilot.press("down", "right", "enter")
        await pilot.pause()
        assert chosen(posted) == [(1, 1)]
        cell = WIDTH + 2 * CELL_PADDING
        await pilot.click(HeatTable, offset=(2 * cell + 1, 4))  # row 3 (line 4), column 2
        assert table.cursor == (3, 2)
        assert chosen(posted) == [(1, 1)]  # moved, not chosen
        await pilot.click(HeatTable, offset=(2 * cell + 1, 4))
        await pilot.pause()
        assert chosen(posted) == [(1, 1), (3, 2)]
        await pilot.click(HeatTable, offset=(1, 0))  # the header: nothing happens
        assert table.cursor == (3, 2)


async def test_a_row_without_a_cell_per_column_is_refused() -> None:
    async with TableApp().run_test(size=(40, 10)) as pilot:
        table = pilot.app.query_one(HeatTable)
        with pytest.raises(ValueError, match="a cell per column"):
            table.set_table(["a", "b"], [[("x", Style())]], [1, 1])
        with pytest.raises(ValueError, match="a width"):
            table.set_table(["a", "b"], [], [1])
        table.set_table(["only"], [], [4])  # an empty table: no cursor to choose
        await pilot.press("enter", "down")
        assert table.row_count == 0 and table.cursor == (0, 0)
