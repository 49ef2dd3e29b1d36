"""The document list's rows: one line per article, only the visible ones rendered.

An ``OptionList`` builds an ``Option`` and measures every entry each time
its options are set: with 10,000 articles that is hundreds of milliseconds on
the UI thread for every filter keystroke, sort or count change. These rows
are one line each by construction (``Prompt``), so the list needs no
measuring: setting the rows is keeping a list, and drawing is rendering the
visible ones (Textual's line API, as its ``Log`` widget does). Keys, mouse,
look (the ``option-list--*`` component classes) and the highlight follow
``OptionList``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import Padding, Visual

from ipreader.tui.message_fields import FieldsRepr
from ipreader.tui.widgets.option_rows import OptionRows


class DocumentRows(OptionRows):
    """A navigable list of one-line entries, rendered as they scroll into view."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Select", show=False),
    ]

    @dataclass(repr=False, eq=False)
    class Selected(FieldsRepr, Message):
        """A row was chosen (enter or a click)."""

        rows: DocumentRows
        """The rows it was chosen in."""
        index: int
        """The row's index."""

        @property
        def control(self) -> DocumentRows:
            """The rows the message came from (for ``@on`` selectors)."""
            return self.rows

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: Sequence[Visual] = ()
        # Rendered rows by (index, style, width), with the entry each was rendered from:
        # only the visible ones are ever rendered, and only again when their entry changes.
        self._rendered: LRUCache[tuple[int, Style, int], tuple[Visual, Strip]] = LRUCache(1024)
        self._drawn: dict[int, Visual] = {}  # the entry last drawn on each row

    @property
    def row_count(self) -> int:
        """The number of rows."""
        return len(self._rows)

    def row(self, index: int) -> Visual:
        """The entry shown on row ``index`` (``IndexError`` when there is none)."""
        return self._rows[index]

    def set_rows(self, rows: Sequence[Visual], highlighted: int | None) -> None:
        """Show ``rows`` (one line each), from the top, with row ``highlighted`` highlighted."""
        self._rows = rows
        # The rendered rows are kept: each is used only for the very entry it was rendered
        # from (the same list again, e.g. the library's listing after the last one, is not
        # rendered again).
        self._drawn = {}
        self.highlighted = None
        self.scroll_to(y=0, animate=False, immediate=True)
        self._update_size()
        self.highlighted = highlighted
        self.refresh()

    def replace_rows(self, rows: Sequence[Visual]) -> None:
        """Show ``rows`` instead, keeping the scroll and the highlight (as many, some changed).

        Only the visible rows whose entry is not the very one drawn are redrawn (a
        highlight made changes one article's count, not the list).
        """
        self._rows = rows
        self._update_size()
        top = self.scroll_offset.y
        drawn = self._drawn
        for index in range(top, top + self.scrollable_content_region.height):
            if index < len(rows):
                if drawn.get(index) is not rows[index]:
                    self.refresh_line(index)
            elif index in drawn:  # a row that is gone: blank it (a blank row stays blank)
                self.refresh_line(index)

    def _update_size(self) -> None:
        width = self.scrollable_content_region.width
        self.virtual_size = Size(width, len(self._rows))

    def on_resize(self) -> None:
        self._rendered.clear()
        self._update_size()

    def on_mount(self) -> None:
        self._update_size()

    def on_show(self) -> None:
        self.scroll_to_highlight()

    def notify_style_update(self) -> None:
        self._rendered.clear()
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self._rows):
            self._drawn.pop(index, None)
            return self.blank_row(width)
        if index == self.highlighted:
            style = self.get_visual_style("option-list--option", "option-list--option-highlighted")
        elif index == self.hovered:
            style = self.get_visual_style("option-list--option", "option-list--option-hover")
        else:
            style = self.get_visual_style("option-list--option")
        key = (index, style, width)
        entry: Visual = self._rows[index]
        self._drawn[index] = entry
        rendered = self._rendered.get(key)
        if rendered is not None and rendered[0] is entry:
            return rendered[1]
        padding = self.get_component_styles("option-list--option").padding
        visual = Padding(entry, padding) if padding else entry
        strips = Visual.to_strips(self, visual, width, 1, style)
        strip = strips[0] if strips else Strip.blank(width)
        strip = strip.extend_cell_length(width, style.rich_style).apply_meta({"row": index})
        self._rendered[key] = (entry, strip)
        return strip

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self._rows:
            return None
        return min(max(highlighted, 0), len(self._rows) - 1)

    def watch_highlighted(self, highlighted: int | None) -> None:
        if highlighted is not None:
            self.scroll_to_highlight()

    def scroll_to_highlight(self) -> None:
        """Scroll so that the highlighted row is visible."""
        if self.highlighted is None or not self.is_mounted:
            return
        width = self.scrollable_content_region.width
        self.scroll_to_region(
            Region(0, self.highlighted, width, 1), force=True, animate=False, immediate=True
        )

    def action_cursor_up(self) -> None:
        """Highlight the row above (from the first: the last)."""
        if self._rows:
            last = len(self._rows) - 1
            self.highlighted = (
                last if self.highlighted is None else (self.highlighted - 1) % (last + 1)
            )

    def action_cursor_down(self) -> None:
        """Highlight the row below (from the last: the first)."""
        if self._rows:
            self.highlighted = (
                0 if self.highlighted is None else (self.highlighted + 1) % len(self._rows)
            )

    def action_first(self) -> None:
        """Highlight the first row."""
        self.highlighted = 0 if self._rows else None

    def action_last(self) -> None:
        """Highlight the last row."""
        self.highlighted = len(self._rows) - 1 if self._rows else None

    def action_page_up(self) -> None:
        """Highlight the row a page above."""
        if self.highlighted is None:
            self.action_first()
        elif self._rows:
            self.highlighted = max(0, self.highlighted - self.scrollable_content_region.height)

    def action_page_down(self) -> None:
        """Highlight the row a page below."""
        if self.highlighted is None:
            self.action_last()
        elif self._rows:
            page = self.scrollable_content_region.height
            self.highlighted = min(len(self._rows) - 1, self.highlighted + page)

    def action_select(self) -> None:
        """Choose the highlighted row (posts ``Selected``)."""
        if self.highlighted is not None:
            self.post_message(self.Selected(self, self.highlighted))

    async def _on_click(self, event: events.Click) -> None:
        clicked = event.style.meta.get("row")
        if isinstance(clicked, int) and 0 <= clicked < len(self._rows):
            self.highlighted = clicked
            self.action_select()
