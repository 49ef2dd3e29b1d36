"""Pilot tests of the reading pane with paragraphs reflowed (``ReadingPane.reflow``)."""

from __future__ import annotations

import textwrap

from conftest import StyledApp
from textual.app import ComposeResult
from textual.message import Message
from textual.pilot import Pilot

from ipreader.core.model import Annotation
from ipreader.tui.reader.pane import HighlightSpan, ReadingPane
from ipreader.tui.reader.reflow import Reflow, looks_hard_wrapped
from ipreader.tui.reader.wrap import WrapIndex

PROSE = (
    "Well, Prince, so Genoa and Lucca are now just family estates of the Buonapartes. "
    "But I warn you, if you don't tell me that this means war, if you still try to defend "
    "the infamies and horrors perpetrated by that Antichrist, I really believe he is "
    "Antichrist. I will have nothing more to do with you and you are no longer my friend."
)
BOOK = "\n\n".join(["CHAPTER I", *[textwrap.fill(PROSE, 70)] * 6, "  The end."]) + "\n"


class PaneApp(StyledApp):
    """Only a reading pane; records the messages it posts."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ReadingPane()

    def on_reading_pane_ready(self, event: ReadingPane.Ready) -> None:
        self.messages.append(event)


def joined_newlines(text: str) -> list[int]:
    reflow = Reflow.for_text(text)
    return [n for n, char in enumerate(text) if char == "\n" and reflow.joins(text, n)]


async def wait_ready(pilot: Pilot[None], pane: ReadingPane) -> None:
    for _ in range(400):
        await pilot.pause(0.05)
        if pane.index.complete and len(pane.index) > 1 and is_ready(pane):
            return
    raise AssertionError("the wrap index never completed")


def is_ready(pane: ReadingPane) -> bool:
    """A call, so type checkers do not narrow ``is_ready`` across awaits."""
    return pane.is_ready


async def test_select_across_a_joined_line_break_is_exact() -> None:
    assert looks_hard_wrapped(BOOK)
    app = PaneApp()
    async with app.run_test(size=(54, 30)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(BOOK, [], 0, reflow=True)
        await pilot.pause()
        assert pane.reflow and pane.index.reflow == Reflow(70)
        # A joined newline in the middle of a row, drawn as a space.
        newline = next(
            n
            for n in joined_newlines(BOOK)
            if 3 <= pane.index.position(n)[1] < pane.index.row_cells(pane.index.row_of(n)) - 3
        )
        row, column = pane.index.position(newline)
        strip = pane.render_line(row - round(pane.scroll_y))
        start, end = pane.index.row_span(row)
        assert strip.text[: end - start] == BOOK[start:end].replace("\n", " ")
        # Drag from three cells before the newline to three after it.
        y = row - round(pane.scroll_y)
        await pilot.mouse_down(ReadingPane, offset=(column - 3, y))
        await pilot.hover(ReadingPane, offset=(column + 3, y))
        await pilot.mouse_up(ReadingPane, offset=(column + 3, y))
        assert pane.selection == (newline - 3, newline + 3)
        selected = BOOK[slice(*pane.selection)]
        assert "\n" in selected and len(selected) == 6
        # Keys extend it over the newline one character at a time, and back.
        pane.move_cursor(newline - 1)
        await pilot.press("shift+right", "shift+right")
        assert pane.selection == (newline - 1, newline + 1)
        await pilot.press("shift+left")
        assert pane.selection == (newline - 1, newline)
        # A highlight of the selection quotes the text exactly, newline included.
        annotation = Annotation.create(BOOK, newline - 3, newline + 3, "book.txt")
        assert annotation.quote == selected
        pane.highlights = (HighlightSpan("h", newline - 3, newline + 3, "yellow"),)
        await pilot.pause()
        assert pane.highlight_at(newline) == "h"


async def test_toggling_reflow_rewraps_and_keeps_offsets() -> None:
    app = PaneApp()
    async with app.run_test(size=(54, 30)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(BOOK, [], 0)
        await pilot.pause()
        literal = len(pane.index)
        readies = sum(isinstance(m, ReadingPane.Ready) for m in app.messages)
        assert not pane.reflow and pane.index.reflow is None
        cursor = joined_newlines(BOOK)[3]
        pane.move_cursor(cursor)
        pane.reflow = True
        await pilot.pause()
        assert pane.index.reflow is not None and len(pane.index) < literal
        assert pane.cursor == cursor
        expected = WrapIndex.build(BOOK, pane.wrap_width, reflow=Reflow(70))
        assert expected is not None and list(pane.index.rows) == list(expected.rows)
        pane.reflow = False
        await pilot.pause()
        assert len(pane.index) == literal and pane.cursor == cursor
        # Each toggle wrapped once (a small text: on the UI thread) and said so.
        assert sum(isinstance(m, ReadingPane.Ready) for m in app.messages) == readies + 2


async def test_a_big_reflowed_text_paints_a_window_then_wraps_in_the_worker() -> None:
    text = BOOK * 600  # ~1.2 M code points: over the synchronous limit
    app = PaneApp()
    async with app.run_test(size=(54, 30)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(text, [], len(text) // 2, reflow=True)
        assert not pane.is_ready and not pane.index.complete
        assert pane.index.reflow == Reflow(70)
        window_rows = list(pane.index.rows)
        first = pane.render_line(0).text
        assert first.strip()
        await wait_ready(pilot, pane)
        full = pane.index
        assert full.complete and full.reflow == Reflow(70)
        expected = WrapIndex.build(text, pane.wrap_width, reflow=Reflow(70))
        assert expected is not None and list(full.rows) == list(expected.rows)
        # The window painted first was the full index's rows around the cursor.
        at = full.row_of(window_rows[0])
        assert list(full.rows[at : at + len(window_rows)]) == window_rows
        # A resize re-wraps the paragraphs off the UI thread, reusing them.
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        await wait_ready(pilot, pane)
        assert pane.index.width == pane.wrap_width > full.width and pane.index.reflow
