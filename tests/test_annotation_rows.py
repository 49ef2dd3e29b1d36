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
from textual.pilot import Pilot

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


def numbered(count: int) -> list[Entry]:
    return [Entry(Text(f"entry {n}"), id=f"e{n}", divider=True) for n in range(count)]


async def same_screen_as_a_full_redraw(pilot: Pilot[None]) -> str:
    """The screen as drawn now, checked against every widget drawn again from scratch."""
    await pilot.pause()
    shown = pilot.app.export_screenshot()
    for widget in pilot.app.screen.walk_children():
        widget.refresh()  # forgets every line the widget drew
    await pilot.pause()
    assert pilot.app.export_screenshot() == shown
    return shown


async def test_replaced_entries_look_as_after_a_full_redraw_and_keep_the_scroll() -> None:
    # An edit redraws only the lines that changed: a line it forgot would keep its old
    # look on screen, which a full redraw would correct.
    app = RowsApp()
    async with app.run_test(size=(40, 12)) as pilot:
        rows = app.query_one(AnnotationRows)
        shown = numbered(30)
        for _ in range(2):  # the second time at the width left beside the scroll bar
            rows.replace_entries(shown, "e10")
            await same_screen_as_a_full_redraw(pilot)
        scrolled = rows.scroll_y
        assert scrolled > 0 and rows.highlighted == 10
        new = Entry(Text("a new one"), id="new", divider=True)
        edits = [
            ([*shown[:9], new, *shown[9:]], "new"),  # inserted above the current: lines move
            ([*shown[:9], *shown[10:]], "e10"),  # taken out again
            ([*shown[:9], Entry(Text("entry 9, noted\n  why"), id="e9"), *shown[10:]], "e10"),
            (shown, "e9"),  # the highlight moves one up
        ]
        for entries_now, current in edits:
            rows.replace_entries(entries_now, current)
            await same_screen_as_a_full_redraw(pilot)
            assert rows.scroll_y == scrolled  # the current entry was in view: no jump
            assert rows.highlighted_entry is not None
            assert rows.highlighted_entry.id == current
        rows.replace_entries(shown, "e29")  # out of view: from the top to show it
        await same_screen_as_a_full_redraw(pilot)
        assert rows.scroll_y == rows.max_scroll_y
        rows.replace_entries(shown, None)  # nothing to highlight: the top, as set_entries
        await same_screen_as_a_full_redraw(pilot)
        assert rows.scroll_y == 0 and rows.highlighted is None


async def test_a_click_after_entries_moved_selects_the_entry_clicked() -> None:
    # Rendered lines are kept for an entry that moved; a click still finds its index.
    posted = Posted()
    app = RowsApp()
    async with app.run_test(size=(40, 12), message_hook=posted) as pilot:
        rows = app.query_one(AnnotationRows)
        shown = numbered(5)
        rows.replace_entries(shown, "e0")
        await pilot.pause()
        rows.replace_entries([Entry(Text("first now"), id="top", divider=True), *shown], "e0")
        await pilot.pause()
        await pilot.click(AnnotationRows, offset=(2, 4))  # lines 4-5: entry 1, its old place 2-3
        await pilot.pause()
        selected = [m.index for m in once(posted.of(AnnotationRows.Selected))]
        assert selected == [2] and rows.entry(2).id == "e1"
