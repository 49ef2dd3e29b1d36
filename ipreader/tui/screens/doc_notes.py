"""The modal that edits a document's own note and tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from ipreader.core.model import DocumentNotes, parse_tag_list
from ipreader.tui.display import one_line
from ipreader.tui.tag_input import TagInput


class DocumentNotesEditor(ModalScreen[DocumentNotes | None]):
    """Edit a document's note and tags; the document title is shown on top.

    ``ctrl+s`` dismisses with a new ``DocumentNotes`` (tags normalised);
    ``escape`` with ``None``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self, title: str, notes: DocumentNotes, tag_suggestions: Sequence[str] = ()
    ) -> None:
        """Create the editor for the document called ``title`` with its current ``notes``."""
        super().__init__()
        self.document_title = title
        """The title of the document whose notes are edited."""
        self.notes = notes
        """The notes before editing."""
        self._tag_suggestions = tuple(tag_suggestions)

    def compose(self) -> ComposeResult:
        """Lay out the title, the note and the tags."""
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Document notes"
            dialog.border_subtitle = "ctrl+s save · esc cancel"
            yield Static(Text(one_line(self.document_title, 300)), classes="dialog-heading")
            yield Label("Note", classes="field-label")
            yield TextArea(
                self.notes.note,
                soft_wrap=True,
                tab_behavior="focus",
                show_line_numbers=False,
                id="note",
            )
            yield Label("Tags", classes="field-label")
            yield TagInput(", ".join(self.notes.tags), suggestions=self._tag_suggestions, id="tags")

    def on_mount(self) -> None:
        """Start typing in the note, at its end."""
        note = self.query_one("#note", TextArea)
        note.focus()
        note.move_cursor(note.document.end)

    def action_save(self) -> None:
        """Dismiss with the edited notes."""
        self.dismiss(
            DocumentNotes(
                tags=parse_tag_list(self.query_one("#tags", TagInput).value),
                note=self.query_one("#note", TextArea).text,
            )
        )

    def action_cancel(self) -> None:
        """Dismiss without changes."""
        self.dismiss(None)
