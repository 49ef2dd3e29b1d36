"""Pilot tests of the reading pane in a tiny app that contains only the pane."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

import pytest
from conftest import StyledApp, reference_segments
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.style import Style
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.pilot import Pilot
from textual.strip import Strip

from ipreader.tui.reader import motions, styles
from ipreader.tui.reader import pane as pane_module
from ipreader.tui.reader.pane import HighlightSpan, ReadingPane
from ipreader.tui.reader.segments import row_segments
from ipreader.tui.reader.styles import Ranges, repaint_ranges
from ipreader.tui.reader.wrap import WrapIndex

PARAGRAPH = (
    "The quick brown fox jumps over the lazy dog while the reader keeps notes "
    "about everything it sees along the way, line after line."
)


class PaneApp(StyledApp):
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


async def test_less_and_vi_motions() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load("\n".join(f"line {n}" for n in range(200)), [], 0)
        pane.focus()
        await pilot.pause()
        height = pane.scrollable_content_region.height

        def row() -> int:
            return pane.index.position(pane.cursor)[0]

        await pilot.press("j", "j")
        assert row() == 2
        await pilot.press("k")
        assert row() == 1
        await pilot.press("ctrl+d")
        assert row() == 1 + height // 2
        await pilot.press("ctrl+d", "ctrl+u")
        assert row() == 1 + height // 2
        await pilot.press("space", "b")
        assert row() == 1 + height // 2


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


async def test_overlapping_highlights_both_stay_visible() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        text = "0123456789abcdefghij"
        outer, inner = (
            HighlightSpan("outer", 2, 12, "yellow"),
            HighlightSpan("inner", 6, 16, "blue"),
        )
        pane.load(text, [inner, outer], len(text))
        pane.blur()
        await pilot.pause()
        strip = pane.render_line(0)
        yellow = pane.get_component_rich_style("reading-pane--highlight-yellow").bgcolor
        blue = pane.get_component_rich_style("reading-pane--highlight-blue").bgcolor
        assert yellow != blue
        assert cells_where(strip, lambda style: style.bgcolor == yellow) == [2, 3, 4, 5]
        assert cells_where(strip, lambda style: style.bgcolor == blue) == list(range(6, 16))
        # The overlap is marked, so both highlights show: yellow alone, then marked, then blue.
        assert cells_where(strip, lambda style: bool(style.underline)) == list(range(6, 12))


async def test_another_coders_highlight_is_drawn_faintly() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        text = "0123456789abcdefghij"
        mine, theirs = (
            HighlightSpan("m", 0, 4, "green"),
            HighlightSpan("t", 8, 12, "green", dim=True),
        )
        pane.load(text, [mine, theirs], len(text))
        pane.blur()
        await pilot.pause()
        strip = pane.render_line(0)
        green = pane.get_component_rich_style("reading-pane--highlight-green").bgcolor
        assert cells_where(strip, lambda style: style.bgcolor == green) == [0, 1, 2, 3]
        assert cells_where(strip, lambda style: bool(style.dim)) == [8, 9, 10, 11]


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


def ready(pane: ReadingPane) -> bool:
    """The pane's ``is_ready`` (a call, so type checkers do not narrow it across awaits)."""
    return pane.is_ready


async def wait_ready(pilot: Pilot[None], pane: ReadingPane) -> None:
    """Wait (up to 10 s) for the pane's full wrap index; fail if it never comes."""
    for _ in range(200):
        await pilot.pause(0.05)
        if ready(pane):
            return
    raise AssertionError("the wrap index never completed")


class RecordingPane(ReadingPane):
    """Records the width of every full wrap that reaches the thread worker."""

    def __init__(self) -> None:
        super().__init__()
        self.thread_wraps: list[int] = []

    def _wrap_in_thread(self, text: str, width: int, generation: int) -> None:
        if generation == self._generation:  # else superseded: nothing is built
            self.thread_wraps.append(width)
        super()._wrap_in_thread(text, width, generation)


class RecordingApp(PaneApp):
    def compose(self) -> ComposeResult:
        yield RecordingPane()


async def _burst_of_resizes(text: str) -> list[str]:
    """Resize three times in a row; return what went against "one wrap, at the final width"."""
    problems: list[str] = []
    app = RecordingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(RecordingPane)
        pane.load(text, [], text.index("1500 The"))
        await wait_ready(pilot, pane)
        assert len(pane.thread_wraps) == 1  # the load: not debounced
        pane.thread_wraps.clear()
        app.messages.clear()
        for width in (70, 60, 50):
            await pilot.resize_terminal(width, 24)
        # Meanwhile: a window around the view, already at the latest width.
        final = pane.wrap_width
        window = pane.index
        assert not window.complete and window.width == final
        top = window.row_of(text.index("1500 The"))
        assert window.row_span(top)[0] <= text.index("1500 The") <= window.end
        await wait_ready(pilot, pane)
        assert pane.index.complete and pane.index.width == final
        if pane.thread_wraps != [final]:
            problems.append(f"thread wraps at {pane.thread_wraps}, not only at {final}")
        readies = sum(isinstance(m, ReadingPane.Ready) for m in app.messages)
        if readies != 1:
            problems.append(f"{readies} Ready messages")
    return problems


async def test_a_burst_of_resizes_wraps_once_at_the_final_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Longer than the pause between two resizes, even on a loaded machine.
    monkeypatch.setattr(pane_module, "REWRAP_DELAY", 3.0)
    text = "\n".join(f"{n} {PARAGRAPH}" for n in range(3000))
    assert len(text) > pane_module.SYNC_WRAP_LIMIT  # wrapped in a thread
    # On a machine too busy to deliver three resizes within the delay a burst is
    # really two bursts; one clean attempt in three shows the debounce works.
    attempts = [await _burst_of_resizes(text) for _ in range(1)]
    while attempts[-1] and len(attempts) < 3:
        attempts.append(await _burst_of_resizes(text))
    assert not attempts[-1], attempts


async def test_a_resize_reuses_the_line_index(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n".join(f"{n} {PARAGRAPH}" for n in range(3000))
    indexed: list[str] = []
    real = pane_module.TextIndex

    def counting(source: str, *args: object, **kwargs: object) -> object:
        indexed.append(source)
        return real(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pane_module, "TextIndex", counting)
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(text, [])
        await wait_ready(pilot, pane)
        assert sum(source is text for source in indexed) == 1
        await pilot.resize_terminal(60, 24)
        await wait_ready(pilot, pane)
        assert pane.index.width < 60
        # The re-wrap at the new width reused the text's line index.
        assert sum(source is text for source in indexed) == 1


async def test_returning_to_a_recent_width_is_ready_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A width not seen yet waits this long before its full re-wrap starts.
    monkeypatch.setattr(pane_module, "REWRAP_DELAY", 3.0)
    text = "\n".join(f"{n} {PARAGRAPH}" for n in range(3000))
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(text, [])
        await wait_ready(pilot, pane)
        wide = list(pane.index.rows)
        await pilot.resize_terminal(60, 24)
        await pilot.pause()
        assert not pane.is_ready  # a new width: a window until the full re-wrap
        await wait_ready(pilot, pane)
        narrow = list(pane.index.rows)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert pane.is_ready and pane.index.complete and list(pane.index.rows) == wide
        await pilot.resize_terminal(60, 24)
        await pilot.pause()
        assert pane.is_ready and list(pane.index.rows) == narrow
        # Another text never gets this one's rows.
        other = text.replace("1", "22")
        pane.load(other, [])
        await wait_ready(pilot, pane)
        expected = WrapIndex.build(other, pane.wrap_width)
        assert expected is not None and pane.index.text is other
        assert list(pane.index.rows) == list(expected.rows) != narrow


_LAYER_STYLES = [
    Style(bgcolor="yellow"),
    Style(bgcolor="blue"),
    Style(bold=True, underline=True),
    Style(bgcolor="grey50"),
    Style(reverse=True),
    Style(bgcolor="red", italic=True),
]


@st.composite
def layer_lists(draw: st.DrawFn, size: int) -> list[tuple[int, int, Style]]:
    """Non-empty ranges around and across ``[0, size)`` (as the pane makes them)."""
    layers: list[tuple[int, int, Style]] = []
    for _ in range(draw(st.integers(0, 40))):
        low = draw(st.integers(-5, size + 5))
        high = draw(st.integers(low + 1, size + 10))
        layers.append((low, high, draw(st.sampled_from(_LAYER_STYLES))))
    return layers


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_sweep_segments_equal_the_reference(data: st.DataObject) -> None:
    text = data.draw(st.text(alphabet=st.sampled_from("ab 中\t\x1b\u200d"), max_size=60))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    layers = data.draw(layer_lists(len(text)))
    base = Style(color="white", bgcolor="black")
    assert row_segments(text, start, end, layers, base) == reference_segments(
        text, start, end, layers, base
    )


def test_sweep_with_a_thousand_overlapping_highlights_equals_the_reference() -> None:
    text = PARAGRAPH * 40
    base = Style(color="white")
    layers = [
        (n * 4, n * 4 + 30 + n % 50, _LAYER_STYLES[n % len(_LAYER_STYLES)]) for n in range(1000)
    ]
    layers += [(100, 4000, _LAYER_STYLES[2]), (0, len(text), _LAYER_STYLES[4])]
    for start in range(0, 4200, 119):
        end = start + 119
        expected = reference_segments(text, start, end, layers, base)
        assert row_segments(text, start, end, layers, base) == expected


def test_highlight_span_is_one_type_wherever_imported() -> None:
    assert HighlightSpan is styles.HighlightSpan


def test_ranges_find_overlaps_and_the_innermost_range() -> None:
    ranges = Ranges([(10, 20), (0, 100), (15, 16)])
    assert ranges.overlapping(15, 16) == [0, 1, 2]  # sorted: (0,100) (10,20) (15,16)
    assert ranges.overlapping(20, 30) == [0]
    assert ranges.at(15) == 2
    assert ranges.at(100) is None


def test_repaint_ranges_cover_only_what_changed() -> None:
    assert repaint_ranges(3, None, 5, None) == [(3, 3), (5, 5)]
    assert repaint_ranges(3, (3, 9), 5, None) == [(3, 3), (5, 5), (3, 9)]
    assert repaint_ranges(9, (3, 9), 12, (3, 12)) == [(9, 9), (12, 12), (3, 3), (9, 12)]


def test_word_motions_and_glyph_steps() -> None:
    text = "one  two-three\u0301 x"
    assert motions.word_start_before(text, 9) == 5
    assert motions.word_end_after(text, 3) == 8
    assert motions.word_at(text, 6) == (5, 8)
    assert motions.word_at(text, 3) == (3, 4)  # no word: one character
    assert motions.step(text, 13, 1) == 15  # the combining accent has no cell


def test_row_motions_on_a_soft_wrapped_row() -> None:
    text = "alpha beta gamma"
    index = WrapIndex.build(text, 6)
    assert index is not None and index.is_soft(0)
    assert motions.row_start(index, 8) == 6
    assert motions.row_end(index, 1) == index.row_span(0)[1] - 1
    assert motions.vertical(index, 0, 2, 1) == index.offset_at(1, 2)
    assert motions.vertical(index, 0, 2, -1) == 0


async def test_a_previews_full_wrap_waits_for_index_now(monkeypatch: pytest.MonkeyPatch) -> None:
    # A big text shown before its document is open: the rows around the cursor at once,
    # the full index (a thread sharing the interpreter lock with the open's reads) only
    # when asked, or when the hold runs out.
    monkeypatch.setattr(pane_module, "PREVIEW_INDEX_DELAY", 30.0)
    text = "\n".join(f"{n} {PARAGRAPH}" for n in range(3000))
    app = RecordingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(RecordingPane)
        pane.load(text, [], text.index("1500 The"), preview=True)
        await pilot.pause(0.3)
        assert pane.thread_wraps == [] and not ready(pane)
        window = pane.index
        assert window.row_span(window.row_of(text.index("1500 The")))[0] <= text.index("1500 The")
        await pilot.resize_terminal(70, 24)  # a new width while held: still held
        await pilot.pause(0.3)
        assert pane.thread_wraps == [] and not ready(pane)
        pane.index_now()
        await wait_ready(pilot, pane)
        assert pane.thread_wraps == [pane.wrap_width] and pane.index.complete
        pane.index_now()  # nothing waits: nothing more
        pane.load(text + "\nmore", [])  # not a preview: wrapped at once
        await wait_ready(pilot, pane)
        assert len(pane.thread_wraps) == 2


async def test_a_held_preview_wraps_when_the_hold_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pane_module, "PREVIEW_INDEX_DELAY", 0.2)
    text = "\n".join(f"{n} {PARAGRAPH}" for n in range(3000))
    app = RecordingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(RecordingPane)
        pane.load(text, [], 0, preview=True)
        await wait_ready(pilot, pane)  # never asked: wrapped all the same
        assert len(pane.thread_wraps) == 1


class FirstRowsApp(PaneApp):
    """A pane given its text before its first layout (as the main screen does at mount)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.drawn: list[str] = []

    def compose(self) -> ComposeResult:
        yield RowsDrawnPane(self.drawn)

    def on_mount(self) -> None:
        self.query_one(ReadingPane).load(self.text, [])


class RowsDrawnPane(ReadingPane):
    """Keeps the text of every row it draws, in order."""

    def __init__(self, drawn: list[str]) -> None:
        super().__init__()
        self._drawn = drawn

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        self._drawn.append(strip.text)
        return strip


async def test_a_text_given_before_the_first_layout_is_drawn_wrapped_in_the_first_frame() -> None:
    # The first article is handed to the pane at mount when it was read by then: the
    # Resize that wraps it comes after the first frame, which must not show the
    # one-column placeholder (a lone first character) instead of the text.
    text = PARAGRAPH * 3
    app = FirstRowsApp(text)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        pane = app.query_one(ReadingPane)
        expected = [pane.render_line(y).text.rstrip() for y in range(3)]
    assert expected[0].startswith("The quick brown fox")
    assert [row.rstrip() for row in app.drawn[:3]] == expected


async def test_rows_drawn_after_a_theme_change_take_the_new_background() -> None:
    # The rows' base style is computed once per set of cached strips: a theme change
    # (new CSS variables) must drop it with the strips, not keep the old background.
    app = PaneApp()
    async with app.run_test(size=(60, 8)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(PARAGRAPH, [])
        await pilot.pause()
        before = list(pane.render_line(6))[-1].style
        app.theme = "textual-light" if app.current_theme.dark else "textual-dark"
        await pilot.pause()
        after = list(pane.render_line(6))[-1].style
        assert before is not None and after is not None
        assert after.bgcolor != before.bgcolor
        assert after.bgcolor == pane.rich_style.bgcolor
