"""SlicedList: an OptionList filled a slice per turn of the event loop (tui/option_fill.py)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ipreader.tui.option_fill import ROWS_PER_TURN, SlicedList


def rows(numbers: Sequence[int]) -> list[Option]:
    return [Option(f"row {n}", id=str(n)) for n in numbers]


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield OptionList(id="list")

    def on_mount(self) -> None:
        self.options = self.query_one(OptionList)
        self.listed = SlicedList(self, self.options, rows, group="test-rows")


async def all_in(pilot: Pilot[None], listed: SlicedList[int]) -> None:
    while not listed.complete:
        await pilot.pause(0.01)


def ids(options: OptionList) -> list[str | None]:
    return [options.get_option_at_index(n).id for n in range(options.option_count)]


async def test_the_first_slice_at_once_the_rest_in_turns_then_the_tail() -> None:
    app = ListApp()
    async with app.run_test() as pilot:
        app.listed.add(range(100), [None, Option("+5 more", disabled=True)])
        assert app.options.option_count == ROWS_PER_TURN  # not all: the rest comes later
        assert app.options.highlighted == 0
        assert not app.listed.complete
        await all_in(pilot, app.listed)
        assert ids(app.options) == [*map(str, range(100)), None]  # the tail last


async def test_rows_added_while_listing_join_the_queue_in_order() -> None:
    app = ListApp()
    async with app.run_test() as pilot:
        app.listed.add(range(60))
        app.listed.add(range(60, 130))  # a search's next batch, while the first is listed
        await all_in(pilot, app.listed)
        assert ids(app.options) == [str(n) for n in range(130)]


async def test_clear_drops_the_rows_still_to_come() -> None:
    app = ListApp()
    async with app.run_test() as pilot:
        app.listed.add(range(200))
        await pilot.pause()  # some slices in, not all
        app.listed.clear()
        app.listed.add(range(500, 503))  # a newer filter's three rows
        await all_in(pilot, app.listed)
        await pilot.pause(0.1)  # the older listing's worker had its turn to stop
        assert ids(app.options) == ["500", "501", "502"]


async def test_a_list_led_by_a_heading_is_not_highlighted() -> None:
    app = ListApp()
    async with app.run_test() as pilot:
        listed = SlicedList(app, app.options, rows, group="test-rows", highlight_first=False)
        listed.add(range(40))
        await all_in(pilot, listed)
        assert app.options.option_count == 40 and app.options.highlighted is None
