"""The modal that edits one highlight's note, tags and colour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from ipreader.core.model import COLORS, Annotation, parse_tag_list
from ipreader.tui.choice_row import ChoiceRow
from ipreader.tui.display import one_line
from ipreader.tui.tag_input import TagInput

#: Longest quote excerpt shown in the editor, in characters.
QUOTE_EXCERPT_CHARS = 280


@dataclass(frozen=True, slots=True)
class EditorResult:
    """What the user saved in the ``AnnotationEditor``."""

    note: str
    """The note text, as typed (multi-line)."""
    tags: tuple[str, ...]
    """The tags, normalised with ``model.parse_tag_list``."""
    color: str
    """One of ``model.COLORS``."""


def quote_excerpt(quote: str, limit: int = QUOTE_EXCERPT_CHARS) -> Text:
    """Return ``quote`` as literal text, with whitespace runs collapsed and cut at ``limit``."""
    return Text(one_line(quote, limit))


class AnnotationEditor(ModalScreen[EditorResult | None]):
    """Edit a highlight: shows its quote; note, tags and colour in tab order.

    ``ctrl+s`` dismisses with an ``EditorResult``; ``escape`` with ``None``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, annotation: Annotation, tag_suggestions: Sequence[str] = ()) -> None:
        """Create the editor for ``annotation``, completing tags from ``tag_suggestions``."""
        super().__init__()
        self.annotation = annotation
        """The highlight being edited (not modified; the result describes the change)."""
        self._tag_suggestions = tuple(tag_suggestions)

    def compose(self) -> ComposeResult:
        """Lay out the quote and the three fields."""
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Highlight"
            dialog.border_subtitle = "ctrl+s save · esc cancel"
            yield Static(quote_excerpt(self.annotation.quote), classes="dialog-quote")
            yield Label("Note", classes="field-label")
            yield TextArea(
                self.annotation.note,
                soft_wrap=True,
                tab_behavior="focus",
                show_line_numbers=False,
                id="note",
            )
            yield Label("Tags", classes="field-label")
            yield TagInput(
                ", ".join(self.annotation.tags),
                suggestions=self._tag_suggestions,
                id="tags",
            )
            yield Label("Colour", classes="field-label")
            yield ChoiceRow(COLORS, self.annotation.color, id="color", classes="color-row")

    def on_mount(self) -> None:
        """Start typing in the note, at its end."""
        note = self.query_one("#note", TextArea)
        note.focus()
        note.move_cursor(note.document.end)

    def action_save(self) -> None:
        """Dismiss with the edited values."""
        self.dismiss(
            EditorResult(
                note=self.query_one("#note", TextArea).text,
                tags=parse_tag_list(self.query_one("#tags", TagInput).value),
                color=self.query_one("#color", ChoiceRow).value,
            )
        )

    def action_cancel(self) -> None:
        """Dismiss without changes."""
        self.dismiss(None)
