"""The modal that lists an article's chapters and headings and jumps to one."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ipreader.core.headings import Heading
from ipreader.core.wording import plural
from ipreader.tui.display import one_line
from ipreader.tui.screens.picker import PickerScreen

#: Spaces of indent per heading level below the first.
INDENT = 2


class HeadingsScreen(PickerScreen[Heading]):
    """Pick a heading of the open article; typing filters them (words, any order).

    The heading at or before the cursor is highlighted when the screen opens.
    Enter or a click dismisses with the ``Heading``; escape with ``None``.
    """

    def __init__(self, headings: Sequence[Heading], cursor: int = 0) -> None:
        """Create the picker over ``headings`` (in text order); ``cursor``: where the reader is."""
        super().__init__()
        self.headings = tuple(headings)
        """The headings, in text order."""
        self.cursor = cursor
        """The reader's offset (the heading above it is highlighted first)."""

    def compose(self) -> ComposeResult:
        """Lay out the filter, the count and the list."""
        with Vertical(classes="dialog dialog-wide") as dialog:
            dialog.border_title = "Headings"
            dialog.border_subtitle = "enter go · esc close"
            yield Input(placeholder="filter headings", id="filter")
            yield Label("", id="status", classes="dialog-status")
            yield OptionList(id="results")

    def on_mount(self) -> None:
        """List every heading, highlight the current one, focus the filter."""
        self.apply_filter("")
        self.query_one("#filter", Input).focus()

    def apply_filter(self, query: str) -> None:
        """Show the headings whose title holds every word of ``query`` (case-insensitive)."""
        words = query.casefold().split()
        shown = [
            (number, heading)
            for number, heading in enumerate(self.headings)
            if all(word in heading.title.casefold() for word in words)
        ]
        options = self.query_one("#results", OptionList)
        options.clear_options()
        options.add_options(
            Option(
                Content(" " * (INDENT * (heading.level - 1)) + one_line(heading.title, 120)),
                id=str(number),
            )
            for number, heading in shown
        )
        current = [i for i, (_, heading) in enumerate(shown) if heading.offset <= self.cursor]
        if shown:
            options.highlighted = current[-1] if current and not words else 0
        status = plural(len(self.headings), "heading")
        if words:
            status = f"{len(shown):,} of {status}"
        self.query_one("#status", Label).update(status)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.open_highlighted()

    def option_value(self, option_id: str) -> Heading:
        """Return the heading behind a row's id (its index in ``headings``)."""
        return self.headings[int(option_id)]
