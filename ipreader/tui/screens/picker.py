"""The base of the modals that pick one value from a list of results."""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ipreader.tui.stylesheets import modal_stylesheets

T = TypeVar("T")
"""The type of the value a picker dismisses with."""


class PickerScreen(ModalScreen[T | None], Generic[T]):
    """A modal that dismisses with the value behind the option chosen in its ``#results`` list.

    Subclasses compose an ``OptionList`` (or subclass) with the id ``results``
    and implement ``option_value``. A click or enter in the list chooses an
    option; up and down move the list's highlight while typing elsewhere (the
    query input); escape dismisses with ``None``. Options without an id (a
    "+N more" line) are never chosen.
    """

    CSS_PATH = modal_stylesheets()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close"),
        Binding("down", "cursor(1)", "Next", show=False),
        Binding("up", "cursor(-1)", "Previous", show=False),
    ]

    def option_value(self, option_id: str) -> T:
        """Return the value behind the option with id ``option_id``."""
        raise NotImplementedError

    def open_highlighted(self) -> bool:
        """Choose the highlighted option; return False when nothing is highlighted."""
        options = self.query_one("#results", OptionList)
        if options.highlighted is None:
            return False
        self._choose(options.get_option_at_index(options.highlighted))
        return True

    @on(OptionList.OptionSelected, "#results")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        """Choose the clicked (or entered) option."""
        self._choose(event.option)

    def _choose(self, option: Option) -> None:
        """Dismiss with the value behind ``option`` (an option without an id is inert)."""
        if option.id is not None:
            self.dismiss(self.option_value(option.id))

    def action_cursor(self, step: int) -> None:
        """Move the list's highlight by one, down for a positive ``step``."""
        options = self.query_one("#results", OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
