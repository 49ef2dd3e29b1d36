"""The modal that edits a document's own note and tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ipreader.core.model import DocumentNotes
from ipreader.core.records import document_tags_field
from ipreader.tui.display import one_line
from ipreader.tui.screens.notes_form import NotesFormScreen


class DocumentNotesEditor(NotesFormScreen[DocumentNotes]):
    """Edit a document's note and tags; the document title is shown on top.

    ``ctrl+s`` dismisses with a new ``DocumentNotes`` (tags normalised);
    ``escape`` with ``None``.
    """

    TAGS_RULE = document_tags_field
    WHOSE: ClassVar[str] = "article's"

    def __init__(
        self, title: str, notes: DocumentNotes, tag_suggestions: Sequence[str] = ()
    ) -> None:
        """Create the editor for the document called ``title`` with its current ``notes``."""
        super().__init__(tag_suggestions)
        self.document_title = title
        """The title of the document whose notes are edited."""
        self.notes = notes
        """The notes before editing."""

    def compose(self) -> ComposeResult:
        """Lay out the title, the note and the tags."""
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Document notes"
            dialog.border_subtitle = "ctrl+s save · esc cancel"
            yield Static(Text(one_line(self.document_title, 300)), classes="dialog-heading")
            yield from self.compose_note_fields(self.notes.note, self.notes.tags)

    def saved(self) -> DocumentNotes:
        """Return the edited notes."""
        return DocumentNotes(tags=self.tag_values, note=self.note_text)
