"""The modal that lists the key bindings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label


class HelpScreen(ModalScreen[None]):
    """List key bindings as a two-column table (keys, description).

    ``bindings`` is a sequence of ``(keys shown, description)``. An entry whose
    keys are empty, ``("", "Reading")``, is a group separator: it starts a new
    group headed by its description. ``escape``, ``q`` and ``?`` close.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def __init__(self, bindings: Sequence[tuple[str, str]]) -> None:
        """Create the help screen for ``bindings`` (see the class docstring)."""
        super().__init__()
        self.bindings = tuple(bindings)
        """The ``(keys, description)`` pairs shown, group separators included."""

    def compose(self) -> ComposeResult:
        """Lay out one grid row per binding, group headings spanning both columns."""
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = "esc close"
            with VerticalScroll(id="help-scroll"), Grid(id="help-table"):
                for keys, description in self.bindings:
                    if keys:
                        yield Label(Text(keys), classes="help-key")
                        yield Label(Text(description), classes="help-description")
                    else:
                        yield Label(Text(description), classes="help-group")

    def on_mount(self) -> None:
        """Focus the table so the arrow keys scroll it."""
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
