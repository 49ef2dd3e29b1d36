"""The modal screens' stylesheet is read when the first modal is shown, with the same look.

The app parses ``app.tcss`` at start; ``modals.tcss`` is
each modal screen's ``CSS_PATH`` (read by Textual on its first push), so the
start does not parse rules for screens not yet shown. A modal must look the
same either way: these tests compare its dialog with the stylesheets all read
at start (``StyledApp``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import StyledApp, settle
from textual.screen import Screen

from ipreader.core.model import Annotation
from ipreader.core.revisions import ConflictError
from ipreader.tui.app import IpreaderApp
from ipreader.tui.screens.conflict import ConflictScreen
from ipreader.tui.screens.help import HelpScreen
from ipreader.tui.stylesheets import MODAL_SHEET, app_stylesheets

SIZE = (120, 36)


def dialog_look(screen: Screen[Any]) -> tuple[object, ...]:
    dialog = screen.query_one(".dialog")
    styles = dialog.styles
    return (dialog.outer_size, styles.border_top, styles.background, styles.padding, styles.align)


def conflict() -> ConflictScreen:
    text = "one two three four"
    mine = Annotation.create(text, 0, 3, "a.txt")
    return ConflictScreen(ConflictError(mine, mine))


def test_the_start_reads_every_stylesheet_but_the_modal_one() -> None:
    names = [Path(sheet).name for sheet in app_stylesheets()]
    assert names[0] == "app.tcss"
    assert MODAL_SHEET not in names


async def test_a_modal_looks_the_same_when_its_stylesheet_is_read_late(articles: Path) -> None:
    looks = []
    for app in (StyledApp(), IpreaderApp(paths=[articles])):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            for modal in (HelpScreen([("q", "Quit")]), conflict()):
                await app.push_screen(modal)
                await pilot.pause()
                looks.append(dialog_look(app.screen))
                app.pop_screen()
                await pilot.pause()
    eager, late = looks[:2], looks[2:]
    assert late == eager
    assert eager[1][0].width == 100  # the conflict dialog's own width beats .dialog's 72
