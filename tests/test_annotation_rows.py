"""The sidebar's list (``AnnotationRows``): OptionList's keys and messages, entries made once.

The list replaced an ``OptionList`` that measured and rendered every entry
again on each ``a`` / ``d`` / ``u``. It keeps OptionList's behaviour: up and
down skip headings and wrap around, home/end, page keys, ``enter`` and a
click; and the sidebar hands it the very same entry for a highlight that did
not change, so only new entries are measured and drawn.
"""

from __future__ import annotations

from typing import TypeVar

from conftest import Posted, StyledApp
from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message

from ipreader.core.model import Annotation
from ipreader.tui.widgets.annotation_rows import AnnotationRows, Entry
from ipreader.tui.widgets.annotation_sidebar import AnnotationSidebar

M = TypeVar("M", bound=Message)

TEXT = "The quick brown fox jumps over the lazy dog. The dog sleeps all day long."


class RowsApp(StyledApp):
    def compose(self) -> ComposeResult:
        yield AnnotationRows(id="rows")


class SidebarApp(StyledApp):
    def compose(self) -> ComposeResult:
        yield AnnotationSidebar(id="sidebar")


def once(messages: list[M]) -> list[M]:
    """Each message once (the hook sees it again at every node it bubbles through)."""
    seen: set[int] = set()
    return [m for m in messages if not (id(m) in seen or seen.add(id(m)))]


def entries() -> list[Entry]:
    return [
        Entry(Text("Heading"), disabled=True),
        Entry(Text("first"), id="a", divider=True),
        Entry(Text("second"), id="b", divider=True),
        Entry(Text("a hint"), disabled=True),
        Entry(Text("third"), id="c", divider=True),
    ]


def listing(app: RowsApp) -> AnnotationRows:
    """The app's list showing ``entries()``, focused."""
    rows = app.query_one(AnnotationRows)
    rows.set_entries(entries())
    rows.focus()
    return rows


async def test_keys_skip_disabled_entries_and_wrap_around() -> None:
    posted = Posted()
    app = RowsApp()
    async with app.run_test(size=(40, 20), message_hook=posted) as pilot:
        rows = listing(app)
        await pilot.pause()
        seen = []
        for key in ("down", "down", "down", "down", "up", "home", "end"):
            await pilot.press(key)
            await pilot.pause()
            chosen = rows.highlighted_entry
            seen.append(None if chosen is None else chosen.id)
        assert seen == ["a", "b", "c", "a", "c", "a", "c"]
        highlighted = [m.index for m in once(posted.of(AnnotationRows.Highlighted))]
        assert highlighted == [1, 2, 4, 1, 4, 1, 4]


async def test_enter_activates_and_a_click_selects_an_enabled_entry() -> None:
    posted = Posted()
    app = RowsApp()
    async with app.run_test(size=(40, 20), message_hook=posted) as pilot:
        rows = listing(app)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert [m.index for m in once(posted.of(AnnotationRows.Activated))] == [1]
        # Line 0 is the heading (disabled), 1-2 the first entry and its rule, 3 "second".
        await pilot.click(AnnotationRows, offset=(2, 0))
        await pilot.click(AnnotationRows, offset=(2, 3))
        await pilot.pause()
        assert [m.index for m in once(posted.of(AnnotationRows.Selected))] == [2]
        assert rows.highlighted == 2


async def test_an_entry_wraps_again_when_the_list_narrows() -> None:
    app = RowsApp()
    async with app.run_test(size=(60, 10)) as pilot:
        rows = app.query_one(AnnotationRows)
        long = Entry(Text("one two three four five six seven eight nine ten"), id="x")
        rows.set_entries([long, Entry(Text("next"), id="y")])
        await pilot.pause()
        assert rows.render_line(1).text.strip() == "next"
        await pilot.resize_terminal(24, 10)
        await pilot.pause()
        drawn = [rows.render_line(y).text.strip() for y in range(6)]
        assert "next" in drawn and drawn.index("next") > 1  # the long entry wraps now
        wrapped = " ".join(drawn[: drawn.index("next")])
        assert wrapped == "one two three four five six seven eight nine ten"


async def test_the_sidebar_keeps_the_entry_of_a_highlight_that_did_not_change() -> None:
    first = Annotation.create(TEXT, 4, 9, "a.txt")
    second = Annotation.create(TEXT, 10, 15, "a.txt")
    third = Annotation.create(TEXT, 20, 25, "a.txt")
    app = SidebarApp()
    async with app.run_test(size=(60, 30)) as pilot:
        sidebar = app.query_one(AnnotationSidebar)
        sidebar.annotations = (first, second, third)
        await pilot.pause()
        rows = sidebar.option_list
        before = {rows.entry(i).id: rows.entry(i) for i in range(rows.entry_count)}
        noted = second.edited(note="why it matters")
        sidebar.annotations = (first, noted, third)
        await pilot.pause()
        after = {rows.entry(i).id: rows.entry(i) for i in range(rows.entry_count)}
        assert after.keys() == before.keys()
        unchanged = [k for k in after if after[k] is before[k]]
        assert len(unchanged) == 2 and all(second.id not in k for k in unchanged)
        shown = [str(rows.entry(i).prompt) for i in range(rows.entry_count)]
        assert any("why it matters" in s for s in shown)
