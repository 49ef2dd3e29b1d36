"""A table of text cells drawn only where it is visible: the reports screen's matrix.

Textual's ``DataTable`` measures every cell as rows are added (through Rich,
~30 us a cell: 1.1 s for 2,000 documents x 18 columns) and draws every visible
cell again after each change. Here the columns' widths come with the rows
(computed where the rows are built, off the UI thread), every row is one line,
and a row is drawn once per look (cursor, zebra stripe, width) and kept. Keys
and look follow ``DataTable``'s cell cursor: arrows, Home/End, PageUp/PageDown,
Enter chooses the cell (``CellChosen``); a click moves the cursor, a click on
the cursor's cell chooses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ipreader.tui.message_fields import FieldsRepr

#: Blank cells on each side of a cell's text.
CELL_PADDING = 1


class HeatTable(ScrollView, can_focus=True):
    """A header row and rows of one-line text cells, with a cell cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("home", "ends(-1)", "First", show=False),
        Binding("end", "ends(1)", "Last", show=False),
        Binding("pageup", "page(-1)", "Page Up", show=False),
        Binding("pagedown", "page(1)", "Page Down", show=False),
        Binding("enter", "choose", "Choose", show=False),
    ]

    # DataTable's look, under this widget's own component class names.
    DEFAULT_CSS = """
    HeatTable {
        background: $surface;
        color: $foreground;
        & > .heat-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .heat-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .heat-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .heat-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "heat-table--header",
        "heat-table--even-row",
        "heat-table--cursor",
    }
    """
    | Class | Description |
    | :- | :- |
    | `heat-table--header` | The header row (the columns' labels). |
    | `heat-table--even-row` | Every other row (zebra stripes). |
    | `heat-table--cursor` | The cell under the cursor. |
    """

    @dataclass(repr=False, eq=False)
    class CellChosen(FieldsRepr, Message):
        """Enter (or a second click) on a cell."""

        table: HeatTable
        """The table it was chosen in."""
        row: int
        """The cell's row (0: the first row under the header)."""
        column: int
        """The cell's column."""

        @property
        def control(self) -> HeatTable:
            """The table (for ``@on`` selectors)."""
            return self.table

    cursor: reactive[tuple[int, int]] = reactive((0, 0), always_update=True)
    """The cursor's cell: (row, column)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._labels: tuple[str, ...] = ()
        self._rows: Sequence[Sequence[tuple[str, Style]]] = ()
        self._widths: tuple[int, ...] = ()
        self._starts: tuple[int, ...] = ()  # each column's first cell (x) in the full row
        # Whole rows drawn, by (row, the cursor's column in it or -1); emptied when the
        # table or the styles change.
        self._drawn: LRUCache[tuple[int, int], Strip] = LRUCache(512)

    # ---------------------------------------------------------------- content

    @property
    def row_count(self) -> int:
        """The number of rows (the header not counted)."""
        return len(self._rows)

    def set_table(
        self,
        labels: Sequence[str],
        rows: Sequence[Sequence[tuple[str, Style]]],
        widths: Sequence[int],
    ) -> None:
        """Show ``rows`` of (text, style) cells under ``labels``, each column ``widths`` cells
        wide; the cursor at the top. The texts are shown as they are: printable, one line."""
        if len(widths) != len(labels) or any(len(row) != len(labels) for row in rows):
            raise ValueError("every row needs a cell per column, every column a width")
        self._labels, self._rows, self._widths = tuple(labels), rows, tuple(widths)
        starts, x = [], 0
        for width in self._widths:
            starts.append(x)
            x += width + 2 * CELL_PADDING
        self._starts = tuple(starts)
        self._drawn.clear()
        self.virtual_size = Size(x, len(rows) + 1)  # the header is line 0
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.cursor = (0, 0)
        self.refresh()

    # ---------------------------------------------------------------- drawing

    def notify_style_update(self) -> None:
        self._drawn.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _full_row(self, index: int, cursor_column: int) -> Strip:
        """Row ``index`` (-1: the header) as one strip of every column."""
        key = (index, cursor_column)
        strip = self._drawn.get(key)
        if strip is not None:
            return strip
        base = self.rich_style
        if index < 0:
            base += self._style("heat-table--header")
        elif index % 2:
            base += self._style("heat-table--even-row")
        cursor = self._style("heat-table--cursor")
        pad = " " * CELL_PADDING
        segments: list[Segment] = []
        for column, width in enumerate(self._widths):
            text, own = (self._labels[column], Style()) if index < 0 else self._rows[index][column]
            look = base + own
            if column == cursor_column:
                look += cursor
            meta = Style.from_meta({"row": index, "column": column})
            segments.append(Segment(pad + set_cell_size(text, width) + pad, look + meta))
        strip = Strip(segments, self.virtual_size.width)
        self._drawn[key] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        x = round(self.scroll_x)
        row = -1 if y == 0 else round(self.scroll_y) + y - 1  # the header stays at the top
        if row >= len(self._rows) or not self._labels:
            return Strip.blank(width, self.rich_style)
        cursor_row, cursor_column = self.cursor
        strip = self._full_row(row, cursor_column if row == cursor_row else -1)
        return strip.crop(x, x + width).extend_cell_length(width, self.rich_style)

    # ---------------------------------------------------------------- cursor

    def validate_cursor(self, cursor: tuple[int, int]) -> tuple[int, int]:
        row, column = cursor
        row = min(max(row, 0), max(len(self._rows) - 1, 0))
        column = min(max(column, 0), max(len(self._labels) - 1, 0))
        return row, column

    def watch_cursor(self, old: tuple[int, int], new: tuple[int, int]) -> None:
        for row in {old[0], new[0]}:
            self.refresh_line(row + 1)  # a row's virtual line: the header is line 0
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        if not self._labels or not self.is_mounted:
            return
        row, column = self.cursor
        # The header hides the first visible line: the cursor's row must be below it.
        height = self.scrollable_content_region.height
        if height < 2:
            return  # not laid out yet: on_resize scrolls
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row > top + height - 2:
            self.scroll_to(y=row - height + 2, animate=False, immediate=True)
        start = self._starts[column]
        end = start + self._widths[column] + 2 * CELL_PADDING
        self.scroll_to_region(
            Region(start, round(self.scroll_y), end - start, 1), animate=False, immediate=True
        )

    def on_resize(self) -> None:
        self._scroll_to_cursor()  # shown again, or another size: the cursor stays in view

    def action_move(self, rows: int, columns: int) -> None:
        """Move the cursor by ``rows`` and ``columns``."""
        row, column = self.cursor
        self.cursor = (row + rows, column + columns)

    def action_ends(self, direction: int) -> None:
        """To the first row (``-1``) or the last (``1``)."""
        self.cursor = (0 if direction < 0 else len(self._rows) - 1, self.cursor[1])

    def action_page(self, direction: int) -> None:
        """A page up (``-1``) or down (``1``)."""
        page = max(self.scrollable_content_region.height - 2, 1)
        self.cursor = (self.cursor[0] + direction * page, self.cursor[1])

    def action_choose(self) -> None:
        """Choose the cursor's cell (posts ``CellChosen``)."""
        if self._rows and self._labels:
            self.post_message(self.CellChosen(self, *self.cursor))

    def on_click(self, event: events.Click) -> None:
        row, column = event.style.meta.get("row"), event.style.meta.get("column")
        if not isinstance(row, int) or not isinstance(column, int) or row < 0:
            return
        if (row, column) == self.cursor:
            self.action_choose()
        else:
            self.cursor = (row, column)
