"""A one-line row of exclusive choices where the arrow keys change the value at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Label

from ipreader.tui.message_fields import FieldsRepr


class ChoiceRow(Widget, can_focus=True):
    """Pick one value among a few, shown side by side (colours, export formats).

    Unlike a ``RadioSet`` there is no separate "press" step: left/right (or a
    click, or the digit keys) change ``value`` immediately, so what is shown
    is what a save will use. Each choice is a ``Label`` with the classes
    ``choice`` and ``choice-<value>`` (and ``-selected`` when chosen), so the
    stylesheet can give every value its own look.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,up", "move(-1)", "Previous", show=False),
        Binding("right,down", "move(1)", "Next", show=False),
    ]

    DEFAULT_CSS = """
    ChoiceRow {
        layout: horizontal;
        height: auto;
        width: 1fr;
    }
    ChoiceRow > .choice {
        width: auto;
        height: 1;
    }
    """

    @dataclass(repr=False, eq=False)
    class Changed(FieldsRepr, Message):
        """Posted when the chosen value changes."""

        choice_row: ChoiceRow
        """The row whose value changed."""
        value: str
        """The newly chosen value."""

        @property
        def control(self) -> ChoiceRow:
            """The row whose value changed (for ``@on`` selectors)."""
            return self.choice_row

    value: reactive[str] = reactive("", init=False)
    """The chosen value (one of ``choices``)."""

    def __init__(
        self,
        choices: Sequence[str],
        value: str | None = None,
        *,
        labels: Mapping[str, str] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Create the row; ``value`` defaults to the first choice; ``labels`` name values."""
        if not choices:
            raise ValueError("a ChoiceRow needs at least one choice")
        super().__init__(id=id, classes=classes)
        self.choices: tuple[str, ...] = tuple(choices)
        """The values offered, in display order."""
        self.labels: dict[str, str] = dict(labels or {})
        """What each value is shown as (the value itself when missing)."""
        self.set_reactive(ChoiceRow.value, value if value in self.choices else self.choices[0])

    def compose(self) -> ComposeResult:
        """Yield one label per choice."""
        for choice in self.choices:
            yield Label(
                self._label(choice),
                classes=f"choice choice-{choice}",
                name=choice,
            )

    def on_mount(self) -> None:
        """Mark the initial choice."""
        self._refresh_labels()

    def _label(self, choice: str) -> Text:
        """Return the label text of ``choice`` (a marker shows the chosen one)."""
        marker = "●" if choice == self.value else "○"
        return Text(f" {marker} {self.labels.get(choice, choice)} ")

    def _refresh_labels(self) -> None:
        """Update the labels' text and ``-selected`` classes from ``value``."""
        for label in self.query(".choice").results(Label):
            choice = label.name or ""
            label.update(self._label(choice))
            label.set_class(choice == self.value, "-selected")

    def validate_value(self, value: str) -> str:
        """Keep ``value`` within ``choices``."""
        return value if value in self.choices else self.value

    def watch_value(self, value: str) -> None:
        """Redraw the labels and announce the change."""
        self._refresh_labels()
        self.post_message(self.Changed(self, value))

    def action_move(self, step: int) -> None:
        """Choose the neighbour ``step`` places away (wrapping around)."""
        index = self.choices.index(self.value)
        self.value = self.choices[(index + step) % len(self.choices)]

    def on_key(self, event: events.Key) -> None:
        """Choose by position with the digit keys 1..9."""
        if event.character and event.character.isdigit():
            index = int(event.character) - 1
            if 0 <= index < len(self.choices):
                event.stop()
                self.value = self.choices[index]

    def on_click(self, event: events.Click) -> None:
        """Choose the clicked label."""
        widget = event.widget
        if isinstance(widget, Label) and widget.name in self.choices:
            self.value = widget.name
        self.focus()
