"""The base of the modals that edit a note and its tags (a highlight's, a document's)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from ipreader.core.model import parse_tag_list
from ipreader.core.records import RecordError, tags_field, text_field
from ipreader.tui.display import editable
from ipreader.tui.stylesheets import modal_stylesheets
from ipreader.tui.widgets.tag_input import TagInput

R = TypeVar("R")
"""The type of the value a notes form saves."""


class NotesFormScreen(ModalScreen[R | None], Generic[R]):
    """A modal with a note (``#note``) and tags (``#tags``) field; it opens typing in the note.

    Subclasses lay out their dialog, yielding ``compose_note_fields`` where the
    two fields go, and implement ``saved``. ``ctrl+s`` dismisses with
    ``saved()``; ``escape`` with ``None``.
    """

    CSS_PATH = modal_stylesheets()

    TAGS_RULE: ClassVar[Callable[[Mapping[str, Any]], tuple[str, ...]]] = tags_field
    """The store's check of these tags (``records``): what a save would refuse."""

    WHOSE: ClassVar[str] = "highlight's"
    """Whose tags they are, in a message."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, tag_suggestions: Sequence[str] = ()) -> None:
        """Create the form, completing tags from ``tag_suggestions``."""
        super().__init__()
        self._tag_suggestions = tuple(tag_suggestions)
        # What the fields were filled with, and the values behind them: a field
        # saved unchanged saves the value itself, never its on-screen form.
        self._shown_note = ""
        self._note = ""
        self._shown_tags = ""
        self._tags: tuple[str, ...] = ()

    def compose_note_fields(self, note: str, tags: Sequence[str]) -> ComposeResult:
        """Yield the labelled note and tags fields, filled with ``note`` and ``tags``.

        Terminal controls in them (an imported note may hold any) are shown as
        visible symbols, so nothing reaches the terminal as a control sequence.
        """
        self._note, self._shown_note = note, editable(note)
        self._tags = tuple(tags)
        self._shown_tags = editable(", ".join(tags))
        yield Label("Note", classes="field-label")
        yield TextArea(
            self._shown_note,
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            id="note",
        )
        yield Label("Tags", classes="field-label")
        yield TagInput(self._shown_tags, suggestions=self._tag_suggestions, id="tags")

    @property
    def note_text(self) -> str:
        """The note as typed (multi-line); the original when the field is unchanged."""
        text = self.query_one("#note", TextArea).text
        return self._note if text == self._shown_note else text

    @property
    def tag_values(self) -> tuple[str, ...]:
        """The tags as typed, normalised (``model.parse_tag_list``); unchanged: the originals."""
        value = self.query_one("#tags", TagInput).value
        return self._tags if value == self._shown_tags else parse_tag_list(value)

    def saved(self) -> R:
        """Return what ``ctrl+s`` dismisses with (read from the fields)."""
        raise NotImplementedError

    def problem(self) -> str | None:
        """Why the fields cannot be stored as they are (``None``: they can).

        Asked before ``ctrl+s`` closes the form: tags the store would refuse
        (``TAGS_RULE``: too many, one too long) are said here, with the form still
        open, not after the edit was taken.
        """
        try:
            type(self).TAGS_RULE({"tags": list(self.tag_values)})
        except RecordError as error:
            return f"The {self.WHOSE} {error}: shorten or remove it."
        try:  # the store's rule for a note (a paste of a whole book is over it)
            text_field({"note": self.query_one("#note", TextArea).text}, "note")
        except RecordError as error:
            return f"The {self.WHOSE} {error}: shorten it."
        # A new tag the codebook could not name (``/`` alone, control characters) would
        # be stored, then shown nowhere in the codebook, and never renamed or deleted.
        from ipreader.core.codebook import CodebookError, check_tag_name

        for tag in self.tag_values:
            if tag not in self._tags:
                try:
                    check_tag_name(tag)
                except CodebookError as error:
                    return f"The tag {tag!r} cannot be used: {error}."
        return None

    def on_mount(self) -> None:
        """Start typing in the note, at its end."""
        note = self.query_one("#note", TextArea)
        note.focus()
        note.move_cursor(note.document.end)

    def action_save(self) -> None:
        """Dismiss with the edited values, unless the store would refuse them (then say why)."""
        problem = self.problem()
        if problem is not None:
            self.notify(problem, title="Not saved", severity="warning")
            return
        self.dismiss(self.saved())

    def action_cancel(self) -> None:
        """Dismiss without changes."""
        self.dismiss(None)
