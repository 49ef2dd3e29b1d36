"""What a user's intent leads to: an ``Outcome`` (writes and a message) or a ``Refusal``,
and for opening a document, the ``Target`` to go to once it has loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ipreader.tui.commands import Command  # only the field's type (see tui/state.py)


class Refusal(Exception):
    """An intent that cannot be carried out now; the message tells the user why."""

    def __init__(self, message: str, title: str = "") -> None:
        super().__init__(message)
        self.message = message
        """What to tell the user."""
        self.title = title
        """A short title for the notification (may be empty)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an intent leads to: writes to make and a message for the user."""

    commands: tuple[Command, ...] = ()
    """The writes, in order."""
    message: str = ""
    """What to tell the user (empty: nothing)."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where to put the reading pane once a document has loaded."""

    cursor: int | None = None
    """Move the cursor here."""
    selection: tuple[int, int] | None = None
    """Select this range."""
    annotation: str | None = None
    """Make this annotation current and go to it."""
    line: int | None = None
    """Go to the start of this line (1-based; past the end: the last line)."""


def line_start(text: str, line: int) -> int:
    """Return the offset of the start of ``line`` (1-based) in ``text``, clamped to the text."""
    offset = 0
    for _ in range(max(0, line - 1)):
        found = text.find("\n", offset)
        if found < 0:
            break
        offset = found + 1
    return offset
