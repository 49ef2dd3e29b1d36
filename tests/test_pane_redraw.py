"""After ``a`` / ``d`` / ``u`` and ``]``, the reading pane shows what a full redraw shows.

The pane redraws only the rows of the highlight an edit took out or put in,
and of the old and new current highlight (a whole-pane redraw on every key
cost a book reader tens of milliseconds). A row it forgot would keep its old
look: here every visible row after each key is compared with the pane drawn
again from scratch.
"""

from __future__ import annotations

from pathlib import Path

from conftest import ALPHA, StyledApp, settle
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from ipreader.tui.app import IpreaderApp
from ipreader.tui.ordered import InPlaceOrder, edited
from ipreader.tui.reader.pane import ReadingPane
from ipreader.tui.reader.styles import HighlightSpan
from ipreader.tui.screens.main import MainScreen

SIZE = (120, 36)


def drawn(pane: ReadingPane) -> list[list[tuple[str, object]]]:
    """Every visible row as (text, style) segments."""
    return [
        [(segment.text, segment.style) for segment in pane.render_line(y)]
        for y in range(pane.scrollable_content_region.height)
    ]


async def reading(pilot: Pilot[None]) -> tuple[IpreaderApp, MainScreen, ReadingPane]:
    """The opened app, its main screen and its reading pane, focused and settled."""
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, IpreaderApp)
    screen = app.main_screen
    screen.reader.focus()
    await settle(pilot)
    return app, screen, screen.reader


async def same_as_a_full_redraw(pilot: Pilot[None], pane: ReadingPane) -> None:
    await settle(pilot)
    shown = drawn(pane)
    pane.notify_style_update()  # forgets every drawn row
    await pilot.pause()
    assert shown == drawn(pane)


async def test_rows_after_highlighting_deleting_and_undoing_match_a_full_redraw(
    articles: Path,
) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        _, screen, pane = await reading(pilot)
        before = drawn(pane)
        fox = ALPHA.index("quick brown fox")
        dog = ALPHA.index("dog sleeps")
        for start, end in ((fox, fox + 15), (dog, dog + 10), (fox + 6, fox + 20)):
            pane.select(start, end)
            await pilot.press("a")
            await same_as_a_full_redraw(pilot, pane)
        assert drawn(pane) != before  # the highlights are drawn
        await pilot.press("right_square_bracket")  # the current mark moves
        await same_as_a_full_redraw(pilot, pane)
        await pilot.press("d")
        await same_as_a_full_redraw(pilot, pane)
        await pilot.press("u")
        await same_as_a_full_redraw(pilot, pane)
        for _ in range(3):
            await pilot.press("right_square_bracket", "d")
            await same_as_a_full_redraw(pilot, pane)
        assert not screen.annotations


async def test_an_edit_of_a_highlight_that_is_not_current_redraws_its_rows() -> None:
    # The rows of an edited highlight are redrawn for the edit itself, not only because
    # the current mark moved (in the app an edited highlight is usually the current one).
    class PaneApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ReadingPane(id="reader")

    text = "\n".join(f"Line {n} of a plain text that is long enough to see." for n in range(30))
    first, second = HighlightSpan("h1", 0, 10, "yellow"), HighlightSpan("h2", 120, 140, "pink")
    async with PaneApp().run_test(size=(80, 30)) as pilot:
        pane = pilot.app.query_one(ReadingPane)
        shown = InPlaceOrder([first])
        pane.load(text, shown, 0)
        await pilot.pause()
        while not pane.is_ready:
            await pilot.pause(0.01)
        pane.current_highlight = "h1"
        await pilot.pause()
        before = drawn(pane)
        pane.highlights = edited([first, second], shown, None, second)  # h1 stays current
        await same_as_a_full_redraw(pilot, pane)
        assert drawn(pane) != before
        pane.highlights = edited([first], pane.highlights, second, None)
        await same_as_a_full_redraw(pilot, pane)
        assert drawn(pane) == before


async def test_the_whole_screen_after_each_key_matches_a_full_redraw(articles: Path) -> None:
    # The document list redraws the row whose count changed and the sidebar only the
    # lines whose entry moved or changed: a line either forgot would keep its old look.
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        app, screen, pane = await reading(pilot)

        async def same_screen() -> str:
            await settle(pilot)
            shown = app.export_screenshot()
            for widget in app.screen.walk_children():
                widget.refresh()  # forgets every line the widget drew
            await pilot.pause()
            assert app.export_screenshot() == shown
            return shown

        first = await same_screen()
        fox = ALPHA.index("quick brown fox")
        dog = ALPHA.index("dog sleeps")
        for start, end in ((dog, dog + 10), (fox, fox + 15), (fox + 6, fox + 20)):
            pane.select(start, end)
            await pilot.press("a")
            await same_screen()
        for key in ("right_square_bracket", "d", "u", "left_square_bracket", "d"):
            await pilot.press(key)
            await same_screen()
        assert len(screen.annotations) == 2
        assert await same_screen() != first


def pane_styles(pane: ReadingPane) -> tuple[object, dict[str, object]]:
    """The pane's style rules and each of its component classes' rules."""
    return pane.styles.get_rules(), {
        name: pane.get_component_styles(name).get_rules() for name in pane.COMPONENT_CLASSES
    }


async def test_a_focus_change_redraws_the_cursor_without_restyling_the_pane() -> None:
    # Textual restyles a widget at every focus change, which for the pane meant its 11
    # component classes again and every drawn row forgotten. Its look does not depend on
    # the focus (no :focus rule in the app's stylesheets): only the cursor, drawn while
    # it has the focus, changes.
    class PaneApp(StyledApp):
        def compose(self) -> ComposeResult:
            yield ReadingPane(id="reader")
            yield Input(id="elsewhere")

    text = "\n".join(f"Line {n} of a plain text that is long enough to see." for n in range(30))
    async with PaneApp().run_test(size=(80, 30)) as pilot:
        pane = pilot.app.query_one(ReadingPane)
        pane.load(text, InPlaceOrder([HighlightSpan("h1", 0, 10, "yellow")]), 0)
        pane.focus()
        await pilot.pause()
        while not pane.is_ready:
            await pilot.pause(0.01)
        # A restyle makes each component class's styles anew, on a new stand-in node.
        cursor = pane.get_component_styles("reading-pane--cursor").node
        focused = drawn(pane)
        pilot.app.query_one(Input).focus()
        await pilot.pause()
        assert not pane.has_focus
        assert pane.get_component_styles("reading-pane--cursor").node is cursor  # not restyled
        assert drawn(pane) != focused  # the cursor is gone
        await same_as_a_full_redraw(pilot, pane)
        for _ in range(2):  # blurred, then focused
            # What a restyle would have given: the same styles, focused or not.
            styles = pane_styles(pane)
            pane.update_node_styles(animate=False)
            await pilot.pause()
            assert pane_styles(pane) == styles
            pane.focus()
            await pilot.pause()
            assert pane.has_focus
        assert drawn(pane) == focused
