"""Pilot tests of the reading pane in a tiny app that contains only the pane."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.strip import Strip

from ipreader.tui.widgets.reading_pane import HighlightSpan, ReadingPane

PARAGRAPH = (
    "The quick brown fox jumps over the lazy dog while the reader keeps notes "
    "about everything it sees along the way, line after line."
)


class PaneApp(App[None]):
    """Only a reading pane; records the messages the pane posts."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "escaped", "Escape reached the app")]

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []
        self.escapes = 0

    def compose(self) -> ComposeResult:
        yield ReadingPane()

    def on_reading_pane_cursor_moved(self, event: ReadingPane.CursorMoved) -> None:
        self.messages.append(event)

    def on_reading_pane_selection_changed(self, event: ReadingPane.SelectionChanged) -> None:
        self.messages.append(event)

    def on_reading_pane_ready(self, event: ReadingPane.Ready) -> None:
        self.messages.append(event)

    def action_escaped(self) -> None:
        self.escapes += 1


def cells_where(strip: Strip, test: Callable[[Style], bool]) -> list[int]:
    """Columns of the cells whose style passes ``test``."""
    columns: list[int] = []
    x = 0
    for segment in strip:
        width = cell_len(segment.text)
        if segment.style is not None and test(segment.style):
            columns.extend(range(x, x + width))
        x += width
    return columns


def cells_of(strip: Strip, style_test: str) -> list[int]:
    """Columns of the cells whose style's text contains ``style_test``."""
    return cells_where(strip, lambda style: style_test in str(style))


async def test_keys_move_the_cursor_and_extend_the_selection() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(PARAGRAPH + "\n" + PARAGRAPH, [], 0)
        await pilot.pause()
        assert pane.has_focus
        await pilot.press("right", "right", "right")
        assert pane.cursor == 3
        await pilot.press("shift+right", "shift+right")
        assert pane.selection == (3, 5)
        await pilot.press("ctrl+shift+right")
        assert pane.selection == (3, len("The quick"))
        await pilot.press("left")
        assert pane.selection is None
        first_row_end = pane.index.row_span(0)[1]
        await pilot.press("home", "down")
        assert pane.cursor == first_row_end  # column 0 of the second row
        await pilot.press("end")
        row, _ = pane.index.position(pane.cursor)
        assert row == 1
        await pilot.press("ctrl+end")
        assert pane.cursor == len(pane.text)
        await pilot.press("g")
        assert pane.cursor == 0
        await pilot.pause()
    moved = [m.offset for m in app.messages if isinstance(m, ReadingPane.CursorMoved)]
    assert moved[:3] == [1, 2, 3]
    selections = [m.selection for m in app.messages if isinstance(m, ReadingPane.SelectionChanged)]
    assert selections[:2] == [(3, 4), (3, 5)]


async def test_up_and_down_keep_the_column() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load("abcdefghij\nab\nabcdefghij", [], 8)
        await pilot.pause()
        await pilot.press("down")
        assert pane.cursor == 13  # end of the short line
        await pilot.press("down")
        assert pane.cursor == 14 + 8  # the column came back


async def test_v_mode_extends_with_plain_motions_and_escape_cancels() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(PARAGRAPH, [], 4)
        await pilot.pause()
        await pilot.press("v", "right", "right", "ctrl+right")
        assert pane.selection == (4, 9)
        await pilot.press("v")  # stop extending: the selection stays for the main screen
        assert pane.selection == (4, 9)
        await pilot.press("v", "left")
        assert pane.selection == (4, 8)
        await pilot.press("escape")
        assert pane.selection is None
        assert app.escapes == 0  # the pane used this escape
        await pilot.press("right")
        assert pane.selection is None and pane.cursor == 9
        await pilot.press("escape")
        assert app.escapes == 1  # nothing to cancel: escape reaches the screen/app
        await pilot.press("G")
        assert pane.cursor == len(PARAGRAPH)


async def test_click_moves_the_cursor_double_click_selects_a_word_drag_selects() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(PARAGRAPH, [], 0)
        await pilot.pause()
        await pilot.click(ReadingPane, offset=(6, 0))
        assert pane.cursor == 6 and pane.selection is None
        await pilot.click(ReadingPane, offset=(12, 0), times=2)
        assert pane.selection == (10, 15)  # "brown"
        await pilot.mouse_down(ReadingPane, offset=(4, 0))
        await pilot.hover(ReadingPane, offset=(9, 0))
        await pilot.mouse_up(ReadingPane, offset=(9, 0))
        assert pane.selection == (4, 9)


async def test_resize_rewraps_and_keeps_the_cursor_visible() -> None:
    app = PaneApp()
    text = "\n\n".join(f"{n} {PARAGRAPH}" for n in range(200))
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(text, [], 0)
        cursor = text.index("150 The")
        pane.move_cursor(cursor)
        await pilot.pause()
        wide_rows = len(pane.index)
        await pilot.resize_terminal(40, 24)
        await pilot.pause()
        assert pane.index.width < 40 and len(pane.index) > wide_rows
        row, _ = pane.index.position(pane.cursor)
        top = round(pane.scroll_y)
        assert top <= row < top + pane.scrollable_content_region.height
        assert pane.cursor == cursor


async def test_highlight_on_cjk_text_covers_exactly_its_cells() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        # 中文 (4 cells), then "ab", then 字符 highlighted, an emoji ZWJ pair, the rest.
        text = "中文ab字符👨\u200d👩 e\u0301nd"
        pane.load(text, [HighlightSpan("h", 4, 6, "green")], len(text))
        pane.blur()
        await pilot.pause()
        strip = pane.render_line(0)
        assert strip.text.startswith("中文ab字符👨👩 e\u0301nd")
        green = pane.get_component_rich_style("reading-pane--highlight-green").bgcolor
        assert cells_where(strip, lambda style: style.bgcolor == green) == [6, 7, 8, 9]
        assert pane.highlight_at(5) == "h" and pane.highlight_at(6) is None
        # Alignment after the emoji pair: "e" of "énd" sits at cell 15.
        assert pane.index.position(text.index("e\u0301"))[1] == 15


async def test_markup_and_escape_sequences_render_literally() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load("[red]x[/red] [bold]b[link=http://e]\x1b[31mred\x1b]0;t\x07\u202eab\x9b", [])
        await pilot.pause()
        shown = pane.render_line(0).text
        assert shown.startswith("[red]x[/red] [bold]b[link=http://e]␛[31mred␛]0;t␇\ufffdab\ufffd")
        assert all(ord(ch) >= 0x20 and not 0x7F <= ord(ch) < 0xA0 for ch in shown)


async def test_cursor_and_selection_are_drawn_and_current_highlight_marked() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(PARAGRAPH, [HighlightSpan("a", 0, 3, "yellow")], 0)
        pane.select(4, 9)
        await pilot.pause()
        strip = pane.render_line(0)
        assert cells_of(strip, "reverse") == [9]  # the cursor, at the selection's end
        selected = pane.get_component_rich_style("reading-pane--selection").bgcolor
        assert cells_where(strip, lambda style: style.bgcolor == selected) == [4, 5, 6, 7, 8]
        assert cells_of(strip, "underline") == []
        pane.current_highlight = "a"
        await pilot.pause()
        assert cells_of(pane.render_line(0), "underline") == [0, 1, 2]


async def test_big_text_paints_before_the_index_is_complete() -> None:
    app = PaneApp()
    text = "\n\n".join(f"{n} {PARAGRAPH * 3}" for n in range(15_000))
    assert len(text) > 5_000_000
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        started = time.perf_counter()
        pane.load(text, [], 0)
        first = pane.render_line(0).text
        elapsed = time.perf_counter() - started
        assert not pane.is_ready and not pane.index.complete
        assert first.startswith("0 The quick brown fox")
        assert elapsed < 0.5
        for _ in range(200):
            await pilot.pause(0.05)
            if pane.is_ready:
                break
        assert pane.is_ready and pane.index.complete
        assert any(isinstance(m, ReadingPane.Ready) for m in app.messages)
        assert pane.index.row_span(len(pane.index) - 1)[1] == len(text)
        pane.move_cursor(len(text))
        await pilot.pause()
        row, _ = pane.index.position(pane.cursor)
        assert row == len(pane.index) - 1


async def test_motions_before_the_index_is_complete_leave_the_first_window() -> None:
    app = PaneApp()
    text = "\n".join(f"{n} {PARAGRAPH}" for n in range(40_000))
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(text, [], 0)
        window_end = pane.index.end
        for _ in range(3):
            pane.action_cursor_page_down()
        assert pane.cursor > window_end
        row, _ = pane.index.position(pane.cursor)
        top = round(pane.scroll_y)
        assert top <= row < top + pane.scrollable_content_region.height
        cursor = pane.cursor
        for _ in range(200):
            await pilot.pause(0.05)
            if pane.is_ready:
                break
        assert pane.is_ready and pane.cursor == cursor
        row, _ = pane.index.position(cursor)
        top = round(pane.scroll_y)
        assert top <= row < top + pane.scrollable_content_region.height


async def test_scroll_to_offset_centres_the_offset() -> None:
    app = PaneApp()
    text = "\n".join(f"{n} {PARAGRAPH}" for n in range(500))
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        target = text.index("300 The")
        pane.load(text, [], target)
        pane.scroll_to_offset(target)
        await pilot.pause()
        row, _ = pane.index.position(target)
        assert abs(row - round(pane.scroll_y) - pane.scrollable_content_region.height // 2) <= 1
