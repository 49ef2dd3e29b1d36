"""The modal that lists the key bindings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label

from ipreader.tui.stylesheets import modal_stylesheets


class HelpScreen(ModalScreen[None]):
    """List key bindings as a two-column table (keys, description).

    ``bindings`` is a sequence of ``(keys shown, description)``. An entry whose
    keys are empty, ``("", "Reading")``, is a group separator: it starts a new
    group headed by its description. ``escape``, ``q`` and ``?`` close.
    """

    CSS_PATH = modal_stylesheets()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def __init__(self, bindings: Sequence[tuple[str, str]]) -> None:
        """Create the help screen for ``bindings`` (see the class docstring)."""
        super().__init__()
        self.bindings = tuple(bindings)
        """The ``(keys, description)`` pairs shown, group separators included."""

    def _groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Split the bindings into ``(heading, rows)`` groups (the first heading may be "")."""
        groups: list[tuple[str, list[tuple[str, str]]]] = [("", [])]
        for keys, description in self.bindings:
            if keys:
                groups[-1][1].append((keys, description))
            else:
                groups.append((description, []))
        return [(heading, rows) for heading, rows in groups if heading or rows]

    def compose(self) -> ComposeResult:
        """Lay out a heading and a two-column grid (keys, description) per group."""
        # Every group's key column gets the widest key's width so the groups line up.
        key_width = max((cell_len(keys) for keys, _ in self.bindings), default=1)
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = "esc close"
            with VerticalScroll(id="help-scroll"):
                for heading, rows in self._groups():
                    if heading:
                        yield Label(Text(heading), classes="help-group")
                    with Grid(classes="help-table") as grid:
                        grid.styles.grid_columns = f"{key_width} 1fr"
                        for keys, description in rows:
                            yield Label(Text(keys), classes="help-key")
                            yield Label(Text(description), classes="help-description")

    def on_mount(self) -> None:
        """Focus the table so the arrow keys scroll it."""
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
