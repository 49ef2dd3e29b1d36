"""A small modal asking yes or no (quit with unsaved changes, ...)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ipreader.core.wording import plural, some_of
from ipreader.tui.stylesheets import modal_stylesheets

#: Unsaved changes named in the quit question; the rest are counted.
NAMED_CHANGES = 3


def unsaved_question(changes: list[str]) -> str:
    """The quit question for ``changes`` (each named, ``the edit of “…”``) not saved."""
    one = len(changes) == 1
    named = some_of(changes, NAMED_CHANGES)
    return (
        f"{plural(len(changes), 'change')} could not be saved: {named}. If you quit now, "
        f"{'it is' if one else 'they are'} lost.\n\n"
        f"The messages said why (a full disk, a folder made read-only, a change made "
        f"elsewhere): fix that, then stay, and {'it is' if one else 'they are'} tried again. "
        "An export (x) holds only what is saved."
    )


class ConfirmScreen(ModalScreen[bool]):
    """Ask ``question``; ``y`` dismisses with True, ``n`` or escape with False."""

    CSS_PATH = modal_stylesheets()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, title: str, question: str, yes: str, no: str) -> None:
        """Create the question; ``yes`` and ``no`` say what each answer does."""
        super().__init__()
        self.title_text = title
        """The dialog's title."""
        self.question = question
        """What is asked (shown literally)."""
        self.answers = f"y {yes} · n {no}"
        """The keys and what they do."""

    def compose(self) -> ComposeResult:
        """Lay out the question."""
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = self.title_text
            dialog.border_subtitle = self.answers
            yield Static(Text(self.question), classes="dialog-heading")

    def action_answer(self, yes: bool) -> None:
        """Dismiss with the answer."""
        self.dismiss(yes)
