"""The find bar under the reading pane: a query input and a match counter."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static


class FindBar(Horizontal):
    """Posts ``Submitted`` when enter is pressed; the screen searches and calls ``show_status``."""

    DEFAULT_CSS = """
    FindBar { height: 1; }
    FindBar > Input { width: 1fr; height: 1; border: none; padding: 0 1; }
    FindBar > Static { width: auto; padding: 0 1; }
    """

    @dataclass
    class Submitted(Message):
        """The user asked to find ``query`` in the open document."""

        query: str
        """The text to find (empty: close the bar)."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Find in this article (enter)", id="find-input")
        yield Static(id="find-status")

    @property
    def input(self) -> Input:
        """The query input."""
        return self.query_one("#find-input", Input)

    def start(self) -> None:
        """Focus the query with its text selected, ready to be replaced."""
        self.input.focus()
        self.input.select_all()

    def show_status(self, status: str) -> None:
        """Show ``status`` (match counter, "no match") beside the query."""
        self.query_one("#find-status", Static).update(Text(status))

    @on(Input.Submitted, "#find-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(event.value))
