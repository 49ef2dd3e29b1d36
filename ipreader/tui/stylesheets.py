"""Which stylesheets load when: the main screen's at start, the modal screens' on first use."""

from __future__ import annotations

from pathlib import PurePath

from ipreader.core import paths

#: The modal screens' stylesheet. Each modal screen names it in ``CSS_PATH``, so
#: Textual reads it when the first of them is shown: parsed at start, its rules
#: (half of the app's) would delay the first paint for screens not yet shown.
MODAL_SHEET = "modals.tcss"


def app_stylesheets() -> list[str | PurePath]:
    """Every ``*.tcss`` of the styles folder but the modal screens', ``app.tcss`` first."""
    folder = paths.styles_dir()
    sheets = sorted(
        (sheet for sheet in folder.glob("*.tcss") if sheet.name != MODAL_SHEET),
        key=lambda sheet: (sheet.name != "app.tcss", sheet.name),
    )
    return list[str | PurePath](sheets)


def modal_stylesheets() -> list[str | PurePath]:
    """The modal screens' stylesheet (a screen's ``CSS_PATH``)."""
    return [paths.styles_dir() / MODAL_SHEET]
