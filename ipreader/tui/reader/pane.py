"""The reading pane: an article shown literally, soft-wrapped, with highlights and a cursor.

(Over 450 lines: the widget's rendering, cursor, selection and wrap scheduling
share its caches and must change together; the Textual-free parts are already
in wrap.py, lines.py, reflow.py, cells.py, styles.py, segments.py and motions.py.)

A line-API :class:`~textual.scroll_view.ScrollView` (after Textual's ``Log`` and
toolong's ``LogLines``): a :class:`~ipreader.tui.reader.wrap.WrapIndex` maps visual
rows to code point ranges, ``render_line`` slices and styles one row, and an
LRU cache keeps rendered strips. Big texts are wrapped in a thread worker that
releases the GIL between chunks; a window around the cursor is wrapped at once
so the first screen paints before the full index exists. On a resize the full
re-wrap waits for the width to settle (:data:`REWRAP_DELAY`), reusing the
text's line index; a return to one of the last few widths is instant
(:data:`RECENT_WRAPS`). With :attr:`ReadingPane.reflow` the paragraphs of a
hard-wrapped text are joined and re-wrapped to the pane (``reflow.py``); it
re-wraps like a width change.

How a row is styled lives in :mod:`ipreader.tui.reader.styles` and where cursor
motions go in :mod:`ipreader.tui.reader.motions`; this module is the widget: state,
bindings, messages, the wrap worker and the strip cache.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.worker import get_current_worker

from ipreader.core.model import COLORS
from ipreader.tui.reader import motions
from ipreader.tui.reader.reflow import Reflow
from ipreader.tui.reader.segments import row_segments
from ipreader.tui.reader.styles import (
    ComponentStyles,
    HighlightSpan,
    Overlays,
    repaint_ranges,
)
from ipreader.tui.reader.wrap import TextIndex, WrapIndex

__all__ = ["HighlightSpan", "ReadingPane"]

SYNC_WRAP_LIMIT = 200_000
"""Texts up to this many code points are wrapped on the UI thread (a few ms)."""

PREVIEW_INDEX_DELAY = 2.0
"""Seconds a previewed big text's full wrap waits for :meth:`ReadingPane.index_now` at most."""

REWRAP_DELAY = 0.05
"""Seconds without a width change before a big text's full re-wrap starts.

A terminal resize arrives as a burst of width changes while the layout settles,
and the app repaints meanwhile: wrapping then would compete with that repaint for
the GIL (stalling input) and be thrown away. Until the quiet period ends, a
window of rows around the view is wrapped synchronously at the new width.
"""

RECENT_WRAPS = 3
"""Complete wrap indexes kept per text (by width and reflow) for a return to them.

A pane's width goes back and forth (a sidebar shown and hidden, a terminal
resized and restored, reflow toggled): going back installs the kept index at
once. About 9 bytes per row: ~2.4 MB each for a 20 MB book.
"""

_MAX_ROW_INVALIDATION = 256
"""Above this many changed rows the whole strip cache is dropped instead."""


class _WrapDone(Message, bubble=False):
    """Private: the thread worker finished or abandoned a wrap (posted to the pane itself)."""

    def __init__(
        self, generation: int, text: str, lines: TextIndex, index: WrapIndex | None
    ) -> None:
        super().__init__()
        self.generation = generation
        """The pane's wrap generation when the wrap was started."""
        self.text = text
        """The text wrapped (``lines`` is only kept while it is still shown)."""
        self.lines = lines
        """The text's line index (worth keeping even when the wrap was abandoned)."""
        self.index = index
        """The complete wrap index, or None when the wrap was abandoned."""


class ReadingPane(ScrollView, can_focus=True):
    """Shows one article literally, soft-wrapped, with highlights, matches, selection, cursor."""

    ALLOW_SELECT = False  # the pane has its own cursor-based selection

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *(f"reading-pane--highlight-{color}" for color in COLORS),
        "reading-pane--current-highlight",
        "reading-pane--overlap",
        "reading-pane--others",
        "reading-pane--match",
        "reading-pane--selection",
        "reading-pane--cursor",
    }
    """
    | Class | Description |
    | :- | :- |
    | `reading-pane--highlight-<color>` | A highlight of that palette colour (`COLORS`). |
    | `reading-pane--current-highlight` | Extra mark on the current highlight. |
    | `reading-pane--overlap` | Extra mark where two highlights overlap. |
    | `reading-pane--others` | Another coder's highlight, shown faintly (no colour). |
    | `reading-pane--match` | A find match. |
    | `reading-pane--selection` | The selection. |
    | `reading-pane--cursor` | The cursor (drawn while the pane has focus). |
    """

    # Structure only; the look (highlight colours included) is in styles/app.tcss.
    DEFAULT_CSS = """
    ReadingPane {
        overflow-x: hidden;
        overflow-y: scroll;
        & > .reading-pane--current-highlight { text-style: bold underline; }
        & > .reading-pane--overlap { text-style: italic underline; }
        & > .reading-pane--others { text-style: dim underline; }
        & > .reading-pane--cursor { text-style: reverse; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up a row", show=False),
        Binding("down", "cursor_down", "Down a row", show=False),
        Binding("left", "cursor_left", "Left", show=False),
        Binding("right", "cursor_right", "Right", show=False),
        Binding("shift+up", "cursor_up(True)", "Select up", show=False),
        Binding("shift+down", "cursor_down(True)", "Select down", show=False),
        Binding("shift+left", "cursor_left(True)", "Select left", show=False),
        Binding("shift+right", "cursor_right(True)", "Select right", show=False),
        Binding("ctrl+left", "word_left", "Word left", show=False),
        Binding("ctrl+right", "word_right", "Word right", show=False),
        Binding("ctrl+shift+left", "word_left(True)", "Select word left", show=False),
        Binding("ctrl+shift+right", "word_right(True)", "Select word right", show=False),
        Binding("home", "row_start", "Row start", show=False),
        Binding("end", "row_end", "Row end", show=False),
        Binding("shift+home", "row_start(True)", "Select to row start", show=False),
        Binding("shift+end", "row_end(True)", "Select to row end", show=False),
        Binding("ctrl+home,g", "document_start", "Document start", show=False),
        Binding("ctrl+end,G", "document_end", "Document end", show=False),
        Binding("pageup,b", "cursor_page_up", "Page up", show=False),
        Binding("pagedown,space", "cursor_page_down", "Page down", show=False),
        Binding("j", "cursor_down", "Down a row", show=False),
        Binding("k", "cursor_up", "Up a row", show=False),
        Binding("ctrl+d", "cursor_half_page(1)", "Half a page down", show=False),
        Binding("ctrl+u", "cursor_half_page(-1)", "Half a page up", show=False),
        Binding("shift+pageup", "cursor_page_up(True)", "Select page up", show=False),
        Binding("shift+pagedown", "cursor_page_down(True)", "Select page down", show=False),
        Binding("v", "toggle_select", "Start/stop selecting", show=False),
        Binding("escape", "cancel_selection", "Cancel selection", show=False),
    ]

    # Not repainting reactives: their watchers redraw only the rows that change (a new
    # highlight or current mark is a few rows; a whole-pane redraw on every a/d/u/]).
    current_highlight: reactive[str | None] = reactive(None, repaint=False)
    """Id of the highlight drawn with the ``reading-pane--current-highlight`` mark."""
    highlights: reactive[tuple[HighlightSpan, ...]] = reactive(
        (), always_update=True, repaint=False
    )
    """The highlights drawn (any order; empty ones are ignored)."""
    matches: reactive[tuple[tuple[int, int], ...]] = reactive(())
    """The find matches drawn, as ``(start, end)`` pairs."""
    select_mode: reactive[bool] = reactive(False)
    """True while ``v`` selection mode is on: plain motions extend the selection."""
    reflow: reactive[bool] = reactive(False, init=False)
    """Join the lines of hard-wrapped paragraphs and wrap them to the pane (offsets unchanged).

    Setting it re-wraps like a width change (big texts in the thread worker); to
    open a text with it, pass ``reflow`` to :meth:`load` (one wrap, not two).
    ``reflow.looks_hard_wrapped(text)`` tells whether a text wants it.
    """
    selection: reactive[tuple[int, int] | None] = reactive(None)
    """The selected ``(start, end)`` (``start < end``), or None.

    Set it to select a range (the cursor goes to its end) or to drop the
    selection; the user's own selecting updates it and posts ``SelectionChanged``.
    """

    @dataclass
    class CursorMoved(Message):
        """The cursor moved (by the user or by ``move_cursor``/``select``)."""

        offset: int
        """The new cursor offset (code points)."""

    @dataclass
    class SelectionChanged(Message):
        """The selection changed."""

        selection: tuple[int, int] | None
        """``(start, end)`` with ``start < end``, or None when nothing is selected."""

    @dataclass
    class SelectModeChanged(Message):
        """``v`` selection mode was turned on or off."""

        on: bool
        """True when plain motions now extend the selection."""

    @dataclass
    class Ready(Message):
        """The wrap index is complete for the current text and width."""

    def __init__(
        self,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create an empty reading pane; call :meth:`load` to show a text."""
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._text = ""
        self._lines: TextIndex | None = None
        self._text_reflow: Reflow | None = None
        self._index = WrapIndex.window("", 1, 0, 0, 0)
        self._generation = 0
        self._ready = False
        self._cursor = 0
        self._anchor: int | None = None
        self._goal_column: int | None = None
        self._dragging = False
        self._overlays = Overlays()
        self._current_span: HighlightSpan | None = None  # where the current mark was drawn
        self._version = 0
        self._strips: LRUCache[tuple[int, int, int], Strip] = LRUCache(1024)
        # The pane's base style for strips of _version (its rows embed it, so it changes
        # only when they are dropped); ``rich_style`` walks every ancestor's styles.
        self._base: tuple[int, Style] | None = None
        self._styles = ComponentStyles(self)
        self._pending_centre: int | None = None
        self._wrap_timer: Timer | None = None
        self._wrap_waiting: tuple[str, int, int] | None = None  # (text, width, generation)
        self._index_held = False  # a preview's full wrap waits for index_now()
        # The last RECENT_WRAPS complete indexes of this text, oldest first.
        self._recent: dict[tuple[int, Reflow | None], WrapIndex] = {}

    # ------------------------------------------------------------------ public API

    @property
    def text(self) -> str:
        """The text shown."""
        return self._text

    @property
    def index(self) -> WrapIndex:
        """The current wrap index (a window of the text until :attr:`is_ready`)."""
        return self._index

    @property
    def is_ready(self) -> bool:
        """True once the wrap index covers the whole text at the current width."""
        return self._ready

    @property
    def cursor(self) -> int:
        """The cursor's code point offset."""
        return self._cursor

    def _selected(self) -> tuple[int, int] | None:
        """The selection as the anchor and the cursor make it."""
        anchor = self._anchor
        if anchor is None or anchor == self._cursor:
            return None
        return (anchor, self._cursor) if anchor < self._cursor else (self._cursor, anchor)

    def load(
        self,
        text: str,
        highlights: Sequence[HighlightSpan],
        cursor: int = 0,
        reflow: bool | None = None,
        *,
        preview: bool = False,
    ) -> None:
        """Show ``text`` with ``highlights``, the cursor at ``cursor``, nothing selected.

        ``reflow`` sets :attr:`reflow` for this text (None keeps it as it is).
        ``preview``: the text is shown before its document is open; a big text's
        full wrap index (the rows beyond the first screens) waits for
        :meth:`index_now`, or :data:`PREVIEW_INDEX_DELAY` at most.
        """
        self._index_held = preview
        self._generation += 1
        self._text = text
        self._lines = None
        self._text_reflow = None
        self._recent.clear()
        if reflow is not None:
            self.set_reactive(ReadingPane.reflow, reflow)
        self._ready = False
        self._cursor = min(max(cursor, 0), len(text))
        self._anchor = None
        self.set_reactive(ReadingPane.selection, None)
        self.select_mode = False
        self._goal_column = None
        self._pending_centre = None
        # A tuple as it is: an ``InPlaceOrder`` tells the index it is sorted already.
        self.highlights = highlights if isinstance(highlights, tuple) else tuple(highlights)
        self._index = WrapIndex.window(text, 1, 0, 0, 0)
        self._start_wrap(self._cursor)

    def watch_highlights(
        self, old: tuple[HighlightSpan, ...], highlights: tuple[HighlightSpan, ...]
    ) -> None:
        """Draw the new highlights (the same tuple again changes nothing)."""
        if old is highlights and self._overlays.highlights:
            return
        edit = self._overlays.set_highlights(highlights)
        if edit is None:
            self._invalidate_all()
            return
        # One highlight out and one in (a / d / u): only their rows change.
        spans = [s for s in (edit.removed, edit.added) if s is not None and s.end > s.start]
        self._invalidate_offsets([(s.start, s.end - 1) for s in spans])

    def watch_matches(self, matches: tuple[tuple[int, int], ...]) -> None:
        """Draw the new find matches."""
        self._overlays.set_matches(matches)
        self._invalidate_all()

    def watch_select_mode(self, on: bool) -> None:
        """Tell the screen (it shows an indicator while selecting)."""
        self.post_message(self.SelectModeChanged(on))

    def line_position(self) -> tuple[int, int] | None:
        """Return ``(line of the cursor, number of lines)``, 1-based.

        ``None`` until the text's line index exists (a big text is indexed in a thread).
        """
        lines = self._lines
        if lines is None or lines.text is not self._text:
            return None
        return lines.line_of(self._cursor) + 1, len(lines)

    def watch_selection(self, selection: tuple[int, int] | None) -> None:
        """Select what was set from outside (the pane's own changes do not come here)."""
        if selection == self._selected():
            return
        if selection is None:
            self.clear_selection()
        else:
            self.select(*selection)

    def move_cursor(self, offset: int, select: bool = False) -> None:
        """Move the cursor to ``offset``; ``select`` extends the selection to it."""
        self._goal_column = None
        self._move(offset, select)

    def select(self, start: int, end: int) -> None:
        """Select ``[start, end)``; the cursor goes to ``end``."""
        size = len(self._text)
        self.select_mode = False
        self._goal_column = None
        self._anchor = min(max(start, 0), size)
        self._move(end, select=True)

    def clear_selection(self) -> None:
        """Drop the selection (the cursor stays)."""
        self.select_mode = False
        if self._anchor is not None:
            self._move(self._cursor, select=False)

    def highlight_at(self, offset: int) -> str | None:
        """Return the id of the innermost highlight covering ``offset``, or None."""
        return self._overlays.highlight_at(offset)

    def scroll_to_offset(self, offset: int, *, top: bool = False) -> None:
        """Scroll so that ``offset`` is visible: centred vertically, or on the top row."""
        offset = min(max(offset, 0), len(self._text))
        if self.scrollable_content_region.width <= 0:
            self._pending_centre = offset  # not laid out yet: done after the first wrap
            return
        self._ensure_covered(offset)
        row = self._index.row_of(offset)
        above = 0 if top else self._page_height() // 2
        self.scroll_to(y=max(0, row - above), animate=False)

    # ------------------------------------------------------------------ wrapping

    @property
    def wrap_width(self) -> int:
        """The width, in cells, the text is wrapped at for the pane's current size."""
        # One column stays free so a cursor after a full row's last cell shows.
        return max(1, self.scrollable_content_region.width - 1)

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _top_offset(self) -> int:
        """The offset drawn at the top-left of the view."""
        rows = self._index.rows
        return rows[min(max(0, round(self.scroll_y)), len(rows) - 1)]

    def _reflow(self) -> Reflow | None:
        """How the current text's paragraphs are joined, or None when :attr:`reflow` is off."""
        if not self.reflow:
            return None
        if self._text_reflow is None:
            # A bounded sample of the text: cheap enough for the UI thread.
            self._text_reflow = Reflow.for_text(self._text)
        return self._text_reflow

    def watch_reflow(self) -> None:
        """Re-wrap with paragraphs joined or not, keeping the top of the view in place."""
        self._start_wrap(self._top_offset() if self._index.width > 1 else self._cursor)

    def index_now(self) -> None:
        """Start a previewed text's full wrap now, if it is still waiting (see ``load``)."""
        self._index_held = False
        waiting, self._wrap_waiting = self._wrap_waiting, None
        if waiting is not None and self._wrap_timer is not None:
            self._wrap_timer.stop()
            self._wrap_in_thread(*waiting)

    def _start_wrap(self, anchor: int, *, debounce: bool = False) -> None:
        """(Re)wrap the text at the current width; ``anchor`` is kept at the top of the view.

        A big text gets a window of rows around ``anchor`` at once and its full
        index from a thread worker, started after :data:`REWRAP_DELAY` when
        ``debounce`` is set (a resize) so that a burst of widths wraps only once.
        """
        if self._wrap_timer is not None:
            self._wrap_timer.stop()
            self._wrap_timer = None
            self._wrap_waiting = None
        if self.scrollable_content_region.width <= 0:
            return  # not laid out yet: on_resize starts the wrap
        if self._pending_centre is not None:
            anchor, self._pending_centre = self._pending_centre, None
            self._start_wrap(anchor, debounce=debounce)
            self.scroll_to_offset(anchor)
            return
        # A new generation also stops a running worker at its next checkpoint.
        self._generation += 1
        self._ready = False
        width = self.wrap_width
        text = self._text
        reflow = self._reflow()
        recent = self._recent.pop((width, reflow), None)
        if recent is not None:
            self._install_complete(recent, anchor)
            return
        if len(text) <= SYNC_WRAP_LIMIT:
            lines = self._lines if self._lines is not None else TextIndex(text)
            self._lines = lines
            index = WrapIndex.build(text, width, lines, reflow=reflow)
            assert index is not None
            self._install_complete(index, anchor)
            return
        height = self._page_height()
        self._install(WrapIndex.window(text, width, anchor, height, 2 * height, reflow), anchor)
        generation = self._generation
        if debounce or self._index_held:
            # The preview's wrap would share the one interpreter lock with the reads
            # that open its document (a 2 MB book: ~0.5 s of it): it waits for them.
            delay = PREVIEW_INDEX_DELAY if self._index_held else REWRAP_DELAY
            self._wrap_waiting = (text, width, generation)
            self._wrap_timer = self.set_timer(
                delay, lambda: self._wrap_in_thread(text, width, generation)
            )
        else:
            self._wrap_in_thread(text, width, generation)

    def _wrap_in_thread(self, text: str, width: int, generation: int) -> None:
        """Build the full index in a thread worker; it posts :class:`_WrapDone` back."""
        self._wrap_timer = None
        self._wrap_waiting = None
        self._index_held = False  # started (the hold's delay may have run out): held no more
        if generation != self._generation:
            return  # superseded while the timer ran
        lines = self._lines  # read now: a previous (abandoned) wrap may have indexed the text
        reflow = self._reflow()  # as when the wrap was started: a change makes a new generation

        def wrap() -> None:
            worker = get_current_worker()

            def should_stop() -> bool:
                return worker.is_cancelled or generation != self._generation

            index_lines = lines if lines is not None else TextIndex(text, cooperative=True)
            index = WrapIndex.build(
                text, width, index_lines, reflow=reflow, should_stop=should_stop, cooperative=True
            )
            if index is not None and should_stop():
                index = None
            if index is not None or lines is None:
                self.post_message(_WrapDone(generation, text, index_lines, index))

        # run_worker rather than @work: the decorator builds a description from the
        # repr() of every argument, which for a 20 MB text costs ~150 ms on the UI thread.
        self.run_worker(
            wrap,
            name="wrap",
            group="reading-pane-wrap",
            description=f"wrap {len(text)} code points at width {width}"
            + (" (paragraphs reflowed)" if reflow is not None else ""),
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    @on(_WrapDone)
    def _wrap_done(self, message: _WrapDone) -> None:
        message.stop()
        if self._lines is None and message.text is self._text:
            self._lines = message.lines  # reused by every later re-wrap of this text
        if message.generation != self._generation or message.index is None:
            return  # a newer text or width superseded this wrap
        self._install_complete(message.index, self._top_offset())

    def _install_complete(self, index: WrapIndex, top: int) -> None:
        """Use the complete ``index`` (kept for a return to its width), announce Ready."""
        self._recent[(index.width, index.reflow)] = index
        while len(self._recent) > RECENT_WRAPS:
            del self._recent[next(iter(self._recent))]
        self._install(index, top)
        self._ready = True
        self.post_message(self.Ready())

    def _install(self, index: WrapIndex, top: int) -> None:
        """Use ``index``; the row holding ``top`` goes to the top of the view."""
        self._index = index
        self._version += 1
        self._strips.clear()
        self.virtual_size = Size(index.width + 1, len(index))
        self.scroll_to(y=index.row_of(top), animate=False)
        self._follow_cursor()
        self.refresh()

    def _ensure_covered(self, offset: int) -> None:
        """Make sure a partial (window) index covers ``offset``."""
        index = self._index
        if index.complete or index.start <= offset <= index.end:
            return
        if self.scrollable_content_region.width <= 0:
            return
        height = self._page_height()
        self._install(
            WrapIndex.window(self._text, self.wrap_width, offset, height, 2 * height, index.reflow),
            offset,
        )

    def on_resize(self, event: events.Resize) -> None:
        """Re-wrap when the width changes, keeping the top of the view in place."""
        if self.wrap_width != self._index.width or self.scrollable_content_region.width <= 0:
            anchor = self._top_offset() if self._index.width > 1 else self._cursor
            # The first layout wraps at once; later width changes are debounced.
            self._start_wrap(anchor, debounce=self._index.width > 1)
        else:
            self._follow_cursor()

    # ------------------------------------------------------------------ rendering

    def notify_style_update(self) -> None:
        """Drop cached styles and strips when CSS or the theme changes."""
        super().notify_style_update()
        self._styles.clear()
        self._invalidate_all()

    def render_line(self, y: int) -> Strip:
        """Render visual row ``scroll_y + y`` of the view."""
        if self._index.width <= 1 < self.wrap_width and self._text:
            # Loaded before the first layout (the first article, shown in the screen's
            # first frame): the Resize that wraps it arrives after this frame, so the
            # frame would show the unwrapped placeholder. Wrap now, at the width known.
            self._start_wrap(self._cursor)
        row = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        key = (row, width, self._version)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_row(row, width)
            self._strips[key] = strip
        return strip

    def _render_row(self, row: int, width: int) -> Strip:
        """Slice and style one visual row into a strip of exactly ``width`` cells."""
        if self._base is None or self._base[0] != self._version:
            self._base = (self._version, self.rich_style)
        base = self._base[1]
        index = self._index
        if row < 0 or row >= len(index) or width <= 0:
            return Strip.blank(max(width, 0), base)
        start, end = index.row_span(row)
        text = self._text
        cursor: int | None = None
        if self.has_focus and index.row_of(self._cursor) == row:
            cursor = self._cursor
        layers = self._overlays.layers(
            text,
            start,
            end,
            self._styles,
            current=self.current_highlight,
            selection=self._selected(),
            cursor=cursor,
        )
        segments = row_segments(text, start, end, layers, base)
        cells = index.cells_between(row, start, end)
        if cursor is not None and cursor >= end and cells < width:
            segments.append(Segment(" ", base + self._styles.get("reading-pane--cursor")))
            cells += 1
        if cells < width:
            segments.append(Segment(" " * (width - cells), base))
        elif cells > width:
            return Strip(segments).crop(0, width)
        return Strip(segments, width)

    # ------------------------------------------------------------------ invalidation

    def _invalidate_all(self) -> None:
        self._version += 1
        self._strips.clear()
        self.refresh()

    def _invalidate_offsets(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Re-render only the rows showing the given inclusive offset ranges."""
        index = self._index
        rows: set[int] = set()
        for low, high in ranges:
            first, last = index.row_of(low), index.row_of(high)
            if last - first > _MAX_ROW_INVALIDATION or len(rows) > _MAX_ROW_INVALIDATION:
                self._invalidate_all()
                return
            rows.update(range(first, last + 1))
        width = self.scrollable_content_region.width
        for row in rows:
            self._strips.discard((row, width, self._version))
            self.refresh_line(row)

    def watch_current_highlight(self, old: str | None, new: str | None) -> None:
        """Redraw the rows of the old and the new current highlight."""
        marked = self._current_span
        self._current_span = self._overlays.span(new)
        spans = [s for s in (marked, self._overlays.span(old), self._current_span) if s]
        self._invalidate_offsets([(s.start, max(s.start, s.end - 1)) for s in spans])

    def watch_has_focus(self, has_focus: bool) -> None:
        """Nothing to restyle when the focus comes or goes: only the cursor changes.

        Textual restyles a widget at every focus change: here the pane and its 11
        component classes, and with them every drawn row (``notify_style_update``):
        ~2-4 ms before the first paint (the screen's auto-focus) and a whole-pane
        redraw at each Tab. No rule styles the pane by ``:focus``
        (tests/test_pane_redraw.py checks a full restyle changes nothing); the
        cursor, drawn while the pane has focus, is redrawn by ``on_focus`` and
        ``on_blur``.
        """

    def on_focus(self, event: events.Focus) -> None:
        """Draw the cursor."""
        self._invalidate_offsets([(self._cursor, self._cursor)])

    def on_blur(self, event: events.Blur) -> None:
        """Hide the cursor."""
        self._invalidate_offsets([(self._cursor, self._cursor)])

    # ------------------------------------------------------------------ cursor

    def _move(self, offset: int, select: bool) -> None:
        """Move the cursor, extending or dropping the selection, and keep it in view."""
        offset = min(max(offset, 0), len(self._text))
        self._ensure_covered(offset)
        old_cursor, old_selection = self._cursor, self._selected()
        if select or self.select_mode:
            if self._anchor is None:
                self._anchor = old_cursor
        else:
            self._anchor = None
        self._cursor = offset
        selection = self._selected()
        self._invalidate_offsets(repaint_ranges(old_cursor, old_selection, offset, selection))
        if offset != old_cursor:
            self.post_message(self.CursorMoved(offset))
        if selection != old_selection:
            # Not through the watcher: it is for selections set from outside.
            self.set_reactive(ReadingPane.selection, selection)
            self.post_message(self.SelectionChanged(selection))
        self._follow_cursor()

    def _follow_cursor(self) -> None:
        """Scroll the least needed to keep the cursor's row on screen."""
        row = self._index.row_of(self._cursor)
        top = round(self.scroll_y)
        height = self._page_height()
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    def _vertical(self, rows: int, select: bool) -> None:
        index = self._index
        row, column = index.position(self._cursor)
        if not index.complete and not 0 <= row + rows < len(index):
            # The motion leaves the provisional window: wrap a new one around the cursor.
            height = self._page_height() + abs(rows)
            window = WrapIndex.window(
                self._text, index.width, self._cursor, height, height, index.reflow
            )
            self._install(window, self._top_offset())
            index = self._index
            row, column = index.position(self._cursor)
        if self._goal_column is None:
            self._goal_column = column
        goal = self._goal_column
        self._move(motions.vertical(index, row, goal, rows), select)
        self._goal_column = goal

    def action_cursor_up(self, select: bool = False) -> None:
        """Move the cursor up one visual row, keeping its column."""
        self._vertical(-1, select)

    def action_cursor_down(self, select: bool = False) -> None:
        """Move the cursor down one visual row, keeping its column."""
        self._vertical(1, select)

    def _page(self, rows: int, select: bool) -> None:
        """Move the view and the cursor by ``rows`` (negative: up)."""
        self.scroll_to(y=max(0, round(self.scroll_y) + rows), animate=False)
        self._vertical(rows, select)

    def action_cursor_page_up(self, select: bool = False) -> None:
        """Move the cursor and the view up one page."""
        self._page(-self._page_height(), select)

    def action_cursor_page_down(self, select: bool = False) -> None:
        """Move the cursor and the view down one page."""
        self._page(self._page_height(), select)

    def action_cursor_half_page(self, direction: int) -> None:
        """Move the cursor and the view half a page down (``1``) or up (``-1``), like less."""
        self._page(direction * max(1, self._page_height() // 2), False)

    def action_cursor_left(self, select: bool = False) -> None:
        """Move the cursor one character left."""
        self.move_cursor(motions.step(self._text, self._cursor, -1), select)

    def action_cursor_right(self, select: bool = False) -> None:
        """Move the cursor one character right."""
        self.move_cursor(motions.step(self._text, self._cursor, 1), select)

    def action_word_left(self, select: bool = False) -> None:
        """Move the cursor to the start of the previous word."""
        self.move_cursor(motions.word_start_before(self._text, self._cursor), select)

    def action_word_right(self, select: bool = False) -> None:
        """Move the cursor to the end of the next word."""
        self.move_cursor(motions.word_end_after(self._text, self._cursor), select)

    def action_row_start(self, select: bool = False) -> None:
        """Move the cursor to the start of its visual row."""
        self.move_cursor(motions.row_start(self._index, self._cursor), select)

    def action_row_end(self, select: bool = False) -> None:
        """Move the cursor to the end of its visual row."""
        self.move_cursor(motions.row_end(self._index, self._cursor), select)

    def action_document_start(self) -> None:
        """Move the cursor to the start of the text."""
        self.move_cursor(0, self.select_mode)

    def action_document_end(self) -> None:
        """Move the cursor to the end of the text."""
        self.move_cursor(len(self._text), self.select_mode)

    def action_toggle_select(self) -> None:
        """Start selecting at the cursor (motions extend it), or stop extending."""
        if self.select_mode:
            self.select_mode = False
            return
        self.select_mode = True
        if self._anchor is None or self._selected() is None:
            self._anchor = self._cursor

    def action_cancel_selection(self) -> None:
        """Drop the selection; without one, or when it is a find match, let escape reach
        the screen (which closes the find bar: one escape, as in ``less`` or a browser)."""
        selected = self._selected()
        if not self.select_mode and (selected is None or self._is_match(selected)):
            raise SkipAction()
        self.clear_selection()

    def _is_match(self, span: tuple[int, int]) -> bool:
        """True when ``span`` is one of the find matches drawn (they are in order)."""
        at = bisect.bisect_left(self.matches, span)
        return at < len(self.matches) and self.matches[at] == span

    # ------------------------------------------------------------------ mouse

    def _offset_at(self, event: events.MouseEvent) -> int:
        position = event.get_content_offset_capture(self)
        index = self._index
        row = min(max(round(self.scroll_y) + position.y, 0), len(index) - 1)
        return index.offset_at(row, position.x)

    def word_at(self, offset: int) -> tuple[int, int]:
        """Return the ``(start, end)`` of the word at ``offset`` (one character if none)."""
        return motions.word_at(self._text, offset)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Click: move the cursor (shift extends the selection); start a drag."""
        if event.button != 1:
            return
        self.focus()
        self.select_mode = False
        self._goal_column = None
        offset = self._offset_at(event)
        if event.shift:
            self._move(offset, select=True)
        else:
            self._move(offset, select=False)
            self._anchor = offset
        self._dragging = True
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Drag: extend the selection to the pointer."""
        if self._dragging:
            self._move(self._offset_at(event), select=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """End a drag."""
        if self._dragging:
            self._dragging = False
            self.release_mouse()

    def on_click(self, event: events.Click) -> None:
        """Double-click selects the word under the pointer."""
        if event.chain == 2:
            start, end = self.word_at(self._offset_at(event))
            self.select(start, end)
