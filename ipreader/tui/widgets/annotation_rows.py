"""The sidebar's list of highlights: entries of a few lines each, each measured and rendered once.

(Over 450 lines: one widget; ``OptionList``'s keys, mouse and scrolling re-done
for entries of several lines.)

An ``OptionList`` forgets every option's rendering whenever its options are
set, and the sidebar sets them on every ``a`` / ``d`` / ``u``: sixty entries
measured and the visible ones rendered again for a one-highlight change, and
a layout pass of the whole screen when the list's height changes. Here an
entry that is the very same object as before keeps its height and rendered
lines, so an edit measures and renders only the entries it made; and a new
height that does not show or hide the scroll bar only repaints the list.
Keys, mouse and look follow ``OptionList``'s (its component class names).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count
from typing import ClassVar, cast
from weakref import WeakKeyDictionary

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.css.styles import RulesMap
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.strip import Strip
from textual.style import Style
from textual.visual import Padding, Visual, visualize
from textual.widget import Widget

from ipreader.tui.message_fields import FieldsRepr
from ipreader.tui.widgets.option_rows import OptionRows


@dataclass(frozen=True, eq=False)
class Entry:
    """One item of the list (compared by identity: the same object renders the same)."""

    prompt: Text
    """What the entry shows (wrapped to the list's width)."""
    id: str | None = None
    """An id to find the entry by."""
    disabled: bool = False
    """True for headings and hints: never highlighted or chosen."""
    divider: bool = False
    """True to draw a rule below the entry."""


@dataclass(repr=False, eq=False)
class EntryMessage(FieldsRepr, Message):
    """Something happened to one entry of an ``AnnotationRows``."""

    rows: AnnotationRows
    """The list it happened in."""
    index: int
    """The entry's index."""

    @property
    def control(self) -> AnnotationRows:
        """The list the message came from (for ``@on`` selectors)."""
        return self.rows


class AnnotationRows(OptionRows):
    """A navigable list of multi-line entries, rendered as they scroll into view."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "activate", "Edit", show=False),
    ]

    class Highlighted(EntryMessage):
        """An enabled entry was highlighted (by a key, the mouse or the program)."""

    class Selected(EntryMessage):
        """An enabled entry was clicked."""

    class Activated(EntryMessage):
        """``enter`` was pressed on the highlighted entry."""

    highlighted: var[int | None] = var(None)
    """The index of the highlighted entry, or ``None`` (redraws only the two entries' lines)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: Sequence[Entry] = ()
        # Per entry shown: its visual and its height at ``_width`` (entries are reused
        # from one set to the next, so only new ones are measured).
        self._measured: dict[Entry, tuple[Visual, int]] = {}
        self._width = -1
        self._lines: list[tuple[int, int]] = []  # each line: (entry index, line in the entry)
        self._first_line: list[int] = []  # each entry: its first line
        self._rendered: LRUCache[tuple[Entry, Style, int], list[Strip]] = LRUCache(512)
        # Rendered lines carry their entry's number (not its index, which an entry
        # inserted above changes), so an entry that moves keeps its rendered lines;
        # a click or hover maps the number back to the index.
        self._numbers: WeakKeyDictionary[Entry, int] = WeakKeyDictionary()
        self._next_number = count()
        self._index_by_number: dict[int, int] = {}

    # ------------------------------------------------------------------ entries

    @property
    def entry_count(self) -> int:
        """The number of entries."""
        return len(self._entries)

    def entry(self, index: int) -> Entry:
        """The entry at ``index`` (``IndexError`` when there is none)."""
        return self._entries[index]

    @property
    def highlighted_entry(self) -> Entry | None:
        """The highlighted entry, if any."""
        return None if self.highlighted is None else self._entries[self.highlighted]

    def index_of(self, entry_id: str) -> int | None:
        """The index of the entry with id ``entry_id``, if listed."""
        for index, entry in enumerate(self._entries):
            if entry.id == entry_id:
                return index
        return None

    def set_entries(self, entries: Sequence[Entry]) -> None:
        """Show ``entries`` from the top, none highlighted (as ``OptionList.set_options``)."""
        self._entries = tuple(entries)
        self._measured = {e: m for e in self._entries if (m := self._measured.get(e)) is not None}
        self._index_by_number = {self._number(e): i for i, e in enumerate(self._entries)}
        self.highlighted = None
        self.scroll_y = 0
        self._layout_lines()
        self.refresh()

    def replace_entries(self, entries: Sequence[Entry], highlight_id: str | None) -> None:
        """Show ``entries`` with the one of id ``highlight_id`` highlighted.

        As ``set_entries`` followed by highlighting that entry (scrolled from the top
        just far enough to show it), except when the entry is in view where the list
        is scrolled now: then the scroll stays and only the visible lines whose
        entry, index or look changed are redrawn (a highlight made in a book changes
        one entry and moves those below it, not the lines above).
        """
        before = self._line_keys() if self.is_mounted else None
        size = self.virtual_size
        self._entries = tuple(entries)
        self._measured = {e: m for e in self._entries if (m := self._measured.get(e)) is not None}
        self._index_by_number = {self._number(e): i for i, e in enumerate(self._entries)}
        found = None if highlight_id is None else self.index_of(highlight_id)
        self._layout_lines()
        height = self.scrollable_content_region.height
        if (
            before is None
            or self.virtual_size.width != size.width
            or (self.virtual_size.height > height) != (size.height > height)  # bar comes/goes
            or not self._stays(found)
        ):
            self.highlighted = None
            self.scroll_y = 0
            self.refresh()
            self.highlighted = found
            return
        self.set_reactive(AnnotationRows.highlighted, self.validate_highlighted(found))
        after = self._line_keys()
        changed = [y for y, key in enumerate(after) if y >= len(before) or before[y] != key]
        # One region per run of changed lines: a refresh a line costs as much as a run's.
        top = self.scroll_offset.y
        while changed:
            first = last = changed.pop(0)
            while changed and changed[0] == last + 1:
                last = changed.pop(0)
            self.refresh_lines(top + first, last - first + 1)
        if self.highlighted is not None:
            self.watch_highlighted(None, self.highlighted)  # its message, as a change from none

    def _number(self, entry: Entry) -> int:
        """The number ``entry`` is known by in its rendered lines' meta (its own for life)."""
        number = self._numbers.get(entry)
        if number is None:
            number = self._numbers[entry] = next(self._next_number)
        return number

    def _index_at(self, meta: dict[str, object]) -> int | None:
        """The index of the entry whose rendered line carries ``meta``, if listed."""
        number = meta.get("entry")
        return self._index_by_number.get(number) if isinstance(number, int) else None

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        self.hovered = self._index_at(event.style.meta)

    def _line_keys(self) -> list[tuple[object, ...]]:
        """What decides each visible line's look: its entry, which line of it, its state.

        The entry itself is kept (``Entry`` compares by identity), not its ``id()``: an
        entry dropped by the change may be freed and its address reused by a new one.
        """
        keys: list[tuple[object, ...]] = []
        top = self.scroll_offset.y
        for line in range(top, top + self.scrollable_content_region.height):
            if not 0 <= line < len(self._lines):
                keys.append(())
                continue
            index, offset = self._lines[line]
            keys.append(
                (
                    self._entries[index],
                    offset,
                    index == self.highlighted,
                    index == self.hovered,
                )
            )
        return keys

    def _stays(self, index: int | None) -> bool:
        """True when highlighting entry ``index`` needs no scroll from where the list is.

        With no entry to highlight (or a heading) the list goes to its top, as
        ``set_entries`` puts it; otherwise ``scroll_to_highlight`` would not move it.
        """
        if index is None or index >= len(self._first_line) or self._entries[index].disabled:
            return self.scroll_y == 0
        y = self._first_line[index]
        ends = (
            self._first_line[index + 1] if index + 1 < len(self._first_line) else len(self._lines)
        )
        region = Region(0, y, self._content_width(), ends - y)
        window = self.scrollable_content_region.at_offset(self.scroll_offset)
        if region.contains_region(window):  # as Widget.scroll_to_region decides
            return True
        delta = Region.get_scroll_to_visible(window, region).y
        return min(max(self.scroll_y + delta, 0), self.max_scroll_y) == self.scroll_y

    # ----------------------------------------------------------------- geometry

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _height_of(self, entry: Entry, width: int) -> int:
        measured = self._measured.get(entry)
        if measured is None:
            visual = visualize(self, entry.prompt, markup=False)
            padding = self.get_component_styles("option-list--option").padding
            rules = cast(RulesMap, self.styles)  # what OptionList passes too
            measured = (visual, visual.get_height(rules, width - padding.width))
            self._measured[entry] = measured
        return measured[1] + entry.divider

    def _layout_lines(self) -> None:
        """Index every line of every entry and size the scrollable area to them."""
        if not self.is_mounted:
            return
        width = self._content_width()
        if width != self._width:
            self._width = width
            self._measured = {}
        lines: list[tuple[int, int]] = []
        first: list[int] = []
        for index, entry in enumerate(self._entries):
            first.append(len(lines))
            lines.extend((index, line) for line in range(self._height_of(entry, width)))
        self._lines, self._first_line = lines, first
        last_divider = bool(self._entries) and self._entries[-1].divider
        self._set_virtual_size(Size(width, len(lines) - last_divider))

    def _set_virtual_size(self, size: Size) -> None:
        if size == self.virtual_size:
            return
        overflows = size.height > self.scrollable_content_region.height
        if overflows != self.show_vertical_scrollbar:
            self.virtual_size = size  # a scroll bar comes or goes: the list's layout changes
            return
        # The same scroll bar over a longer or shorter list: no layout pass of the screen,
        # only the bar's proportions and this list's lines change.
        self.set_reactive(Widget.virtual_size, size)
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            bar.window_virtual_size = size.height
            bar.refresh()
        self.scroll_y = self.validate_scroll_y(self.scroll_y)

    def on_resize(self) -> None:
        # The list may have been drawn at the new width before this event: its lines
        # (how many each entry wraps to) were the old width's, so draw again.
        self._rendered.clear()
        self._layout_lines()
        self.scroll_to_highlight()
        self.refresh()

    def on_mount(self) -> None:
        self._layout_lines()

    def on_show(self) -> None:
        self.scroll_to_highlight()

    def notify_style_update(self) -> None:
        self._rendered.clear()
        self._width = -1  # padding may have changed: measure again
        self._layout_lines()
        super().notify_style_update()

    # ---------------------------------------------------------------- rendering

    def _strips(self, entry: Entry, style: Style, width: int) -> list[Strip]:
        key = (entry, style, width)
        strips = self._rendered.get(key)
        if strips is None:
            measured = self._measured.get(entry)
            visual = (
                visualize(self, entry.prompt, markup=False) if measured is None else measured[0]
            )
            padding = self.get_component_styles("option-list--option").padding
            if padding:
                visual = Padding(visual, padding)
            strips = [
                strip.extend_cell_length(width, style.rich_style)
                for strip in Visual.to_strips(self, visual, width, None, style)
            ]
            if entry.divider:
                rule = self.get_visual_style("option-list--separator")
                strips.append(Strip([Segment("─" * width, rule.rich_style)], width))
            meta = {"entry": self._number(entry)}
            strips = [strip.apply_meta(meta) for strip in strips]
            self._rendered[key] = strips
        return strips

    def render_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        width = self._content_width()
        if not 0 <= line < len(self._lines):
            return self.blank_row(width)
        index, offset = self._lines[line]
        entry = self._entries[index]
        if entry.disabled:
            state = "option-list--option-disabled"
        elif index == self.highlighted:
            state = "option-list--option-highlighted"
        elif index == self.hovered:
            state = "option-list--option-hover"
        else:
            state = ""
        style = (
            self.get_visual_style("option-list--option", state)
            if state
            else self.get_visual_style("option-list--option")
        )
        strips = self._strips(entry, style, width)
        if offset >= len(strips):
            return self.blank_row(width)
        return strips[offset]

    # ------------------------------------------------------------- highlighting

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self._entries:
            return None
        return min(max(highlighted, 0), len(self._entries) - 1)

    def watch_highlighted(self, old: int | None, highlighted: int | None) -> None:
        # Only the lines of the entry left and of the entry reached look different.
        for index in (old, highlighted):
            if index is not None and index < len(self._first_line):
                start = self._first_line[index]
                ends = (
                    self._first_line[index + 1]
                    if index + 1 < len(self._first_line)
                    else len(self._lines)
                )
                self.refresh_lines(start, ends - start)
        if highlighted is not None and not self._entries[highlighted].disabled:
            self.scroll_to_highlight()
            self.post_message(self.Highlighted(self, highlighted))

    def scroll_to_highlight(self) -> None:
        """Scroll so that the highlighted entry is visible."""
        highlighted = self.highlighted
        if highlighted is None or not self.is_mounted or highlighted >= len(self._first_line):
            return
        y = self._first_line[highlighted]
        ends = (
            self._first_line[highlighted + 1]
            if highlighted + 1 < len(self._first_line)
            else len(self._lines)
        )
        self.scroll_to_region(
            Region(0, y, self._content_width(), ends - y),
            force=True,
            animate=False,
            immediate=True,
        )

    def _enabled(self, start: int, step: int, *, wrap: bool) -> int | None:
        """The first enabled entry from ``start`` going ``step`` (wrapping round if asked)."""
        count = len(self._entries)
        for moved in range(count):
            index = start + step * moved
            if wrap:
                index %= count
            elif not 0 <= index < count:
                return None
            if not self._entries[index].disabled:
                return index
        return None

    def action_cursor_down(self) -> None:
        """Highlight the next enabled entry (after the last: the first)."""
        if self._entries:
            start = 0 if self.highlighted is None else self.highlighted + 1
            self.highlighted = self._enabled(start, 1, wrap=True)

    def action_cursor_up(self) -> None:
        """Highlight the previous enabled entry (before the first: the last)."""
        if self._entries:
            start = len(self._entries) - 1 if self.highlighted is None else self.highlighted - 1
            self.highlighted = self._enabled(start, -1, wrap=True)

    def action_first(self) -> None:
        """Highlight the first enabled entry."""
        if self._entries:
            self.highlighted = self._enabled(0, 1, wrap=False)

    def action_last(self) -> None:
        """Highlight the last enabled entry."""
        if self._entries:
            self.highlighted = self._enabled(len(self._entries) - 1, -1, wrap=False)

    def _move_page(self, direction: int) -> None:
        if not self._lines:
            return
        line = self._first_line[self.highlighted or 0]
        line += direction * self.scrollable_content_region.height
        index = self._lines[min(max(line, 0), len(self._lines) - 1)][0]
        found = self._enabled(index, direction, wrap=False)
        if found is None:  # nothing enabled that way: the nearest the other way
            found = self._enabled(index, -direction, wrap=False)
        if found is not None:
            self.highlighted = found

    def action_page_down(self) -> None:
        """Move the highlight down about a page."""
        if self.highlighted is None:
            self.action_last()
        else:
            self._move_page(1)

    def action_page_up(self) -> None:
        """Move the highlight up about a page."""
        if self.highlighted is None:
            self.action_first()
        else:
            self._move_page(-1)

    def action_activate(self) -> None:
        """Post ``Activated`` for the highlighted entry (when enabled)."""
        highlighted = self.highlighted
        if highlighted is not None and not self._entries[highlighted].disabled:
            self.post_message(self.Activated(self, highlighted))

    # -------------------------------------------------------------------- mouse

    def on_click(self, event: events.Click) -> None:
        row = self._index_at(event.style.meta)
        if row is not None and 0 <= row < len(self._entries) and not self._entries[row].disabled:
            self.highlighted = row
            self.post_message(self.Selected(self, row))
