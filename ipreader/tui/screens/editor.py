"""The modal that edits one highlight's note, tags and colour."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from ipreader.core.model import COLORS, Annotation
from ipreader.tui.display import one_line
from ipreader.tui.screens.notes_form import NotesFormScreen
from ipreader.tui.widgets.choice_row import ChoiceRow

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


class AnnotationEditor(NotesFormScreen[EditorResult]):
    """Edit a highlight: shows its quote; note, tags and colour in tab order.

    ``ctrl+s`` dismisses with an ``EditorResult``; ``escape`` with ``None``.
    """

    def __init__(
        self,
        annotation: Annotation,
        tag_suggestions: Sequence[str] = (),
        meanings: Mapping[str, str] | None = None,
    ) -> None:
        """Create the editor for ``annotation``, completing tags from ``tag_suggestions``.

        ``meanings`` are the folder's colour meanings (``yellow`` = ``claim``):
        each colour choice is labelled with its meaning.
        """
        super().__init__(tag_suggestions)
        self.annotation = annotation
        """The highlight being edited (not modified; the result describes the change)."""
        self.meanings: dict[str, str] = dict(meanings or {})
        """What each colour means in the highlight's folder."""

    def compose(self) -> ComposeResult:
        """Lay out the quote and the three fields."""
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Highlight"
            dialog.border_subtitle = "ctrl+s save · esc cancel"
            yield Static(quote_excerpt(self.annotation.quote), classes="dialog-quote")
            yield from self.compose_note_fields(self.annotation.note, self.annotation.tags)
            yield Label("Colour", classes="field-label")
            labels = {
                color: f"{color} ({one_line(self.meanings[color], 30)})"
                for color in COLORS
                if self.meanings.get(color)
            }
            yield ChoiceRow(
                COLORS, self.annotation.color, labels=labels, id="color", classes="color-row"
            )

    def saved(self) -> EditorResult:
        """Return the edited values."""
        return EditorResult(
            note=self.note_text,
            tags=self.tag_values,
            color=self.query_one("#color", ChoiceRow).value,
        )
