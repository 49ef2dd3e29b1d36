"""The annotation sidebar: the document's tags and note, its highlights, its orphans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from ipreader.core.model import AnchorStatus, Annotation, DocumentNotes
from ipreader.tui.display import one_line, visible

#: How much of a quote and of a note the sidebar shows.
QUOTE_EXCERPT = 140
NOTE_PREVIEW = 80

ORPHANS_HEADING_ID = "-orphans-heading"


def split_annotations(
    annotations: Sequence[Annotation],
) -> tuple[list[Annotation], list[Annotation]]:
    """Return ``(anchored in document order, orphaned)``."""
    anchored = sorted((a for a in annotations if a.is_anchored), key=lambda a: (a.start, a.end))
    orphans = [a for a in annotations if not a.is_anchored]
    return anchored, orphans


class _AnnotationOptions(OptionList):
    """The list of highlights; ``enter`` asks for the editor instead of selecting."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "edit", "Edit", show=False),
    ]

    def action_edit(self) -> None:
        """Ask the sidebar to edit the highlighted annotation."""
        option = self.highlighted_option
        if option is not None and option.id is not None and not option.disabled:
            self.post_message(AnnotationSidebar.EditRequested(option.id))


class AnnotationSidebar(Vertical):
    """The right pane. Choosing a highlight posts ``Chosen``; ``enter`` posts ``EditRequested``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "annotation-sidebar--yellow",
        "annotation-sidebar--green",
        "annotation-sidebar--blue",
        "annotation-sidebar--pink",
        "annotation-sidebar--purple",
        "annotation-sidebar--note",
        "annotation-sidebar--tags",
        "annotation-sidebar--orphan",
        "annotation-sidebar--drift",
    }
    """Colour marks of the five highlight colours, and the styles of notes, tags, orphans and
    drift marks (moved, approximate)."""

    DEFAULT_CSS = """
    AnnotationSidebar { height: 1fr; }
    AnnotationSidebar > #document-notes { height: auto; max-height: 8; }
    AnnotationSidebar > _AnnotationOptions { height: 1fr; }
    """

    annotations: reactive[tuple[Annotation, ...]] = reactive(())
    """The open document's annotations (any order; shown in document order)."""
    notes: reactive[DocumentNotes] = reactive(DocumentNotes)
    """The open document's own tags and note."""
    current: reactive[str | None] = reactive(None)
    """The id of the current annotation."""
    covers: reactive[dict[str, str]] = reactive(dict)
    """What each approximate highlight now covers, by id (its quote is what was highlighted)."""
    missing: reactive[bool] = reactive(False)
    """True when the open article is no longer in its folder (its highlights are kept)."""

    @dataclass
    class Chosen(Message):
        """The user chose an annotation in the list."""

        annotation_id: str
        """The chosen annotation's id."""

    @dataclass
    class EditRequested(Message):
        """The user asked to edit an annotation (``enter`` on it)."""

        annotation_id: str
        """The annotation's id."""

    def compose(self) -> ComposeResult:
        yield Static(id="document-notes")
        yield _AnnotationOptions(id="annotation-options")

    @property
    def option_list(self) -> OptionList:
        """The list of annotations (the widget that takes focus)."""
        return self.query_one(_AnnotationOptions)

    def on_mount(self) -> None:
        self._refresh_notes()
        self._refresh_list()

    def watch_annotations(self) -> None:
        self._refresh_list()

    def watch_covers(self) -> None:
        self._refresh_list()

    def watch_missing(self) -> None:
        self._refresh_list()

    def watch_notes(self) -> None:
        self._refresh_notes()

    def watch_current(self, current: str | None) -> None:
        self._highlight(current)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"annotation-sidebar--{name}", partial=True)

    def _refresh_notes(self) -> None:
        if not self.is_mounted:
            return
        notes = self.notes
        text = Text()
        if notes.tags:
            text.append(" ".join(f"#{one_line(t, 40)}" for t in notes.tags), self._style("tags"))
        if notes.note:
            if text:
                text.append("\n")
            text.append(visible(notes.note.strip()), self._style("note"))
        if not text:
            text.append("No document tags or note (t)", "dim")
        self.query_one("#document-notes", Static).update(text)

    def _prompt(self, annotation: Annotation) -> Text:
        orphan = self.missing or not annotation.is_anchored
        text = Text()
        text.append("▌", self._style("orphan" if orphan else annotation.color))
        text.append(f"“{one_line(annotation.quote, QUOTE_EXCERPT)}”", "italic" if orphan else "")
        status = annotation.status
        if self.missing:
            text.append("\n  article missing", self._style("orphan"))
        elif orphan:
            text.append("\n  text not found (r to review)", self._style("orphan"))
        elif status is AnchorStatus.MOVED:
            text.append("\n  ↷ moved: found elsewhere in the text", self._style("drift"))
        elif status is AnchorStatus.FUZZY:
            score = "" if annotation.score is None else f" {annotation.score:.0f}%"
            text.append(f"\n  ≈ approximate{score}, now covers ", self._style("drift"))
            covered = self.covers.get(annotation.id, "")
            text.append(f"“{one_line(covered, QUOTE_EXCERPT)}”", self._style("drift"))
        if annotation.tags:
            tags = " ".join(f"#{one_line(t, 30)}" for t in annotation.tags)
            text.append(f"\n  {tags}", self._style("tags"))
        if annotation.note:
            text.append(f"\n  {one_line(annotation.note, NOTE_PREVIEW)}", self._style("note"))
        return text

    def _refresh_list(self) -> None:
        if not self.is_mounted:
            return
        anchored, orphans = split_annotations(self.annotations)
        if self.missing:  # no text: every highlight is listed under the notice
            anchored, orphans = [], list(self.annotations)
        options: list[Option | None] = []
        for annotation in anchored:
            options.extend((Option(self._prompt(annotation), id=annotation.id), None))
        if not anchored and not self.missing:
            options.append(
                Option(Text("No highlights yet. Select text, then press a.", "dim"), disabled=True)
            )
        if orphans:
            heading = Text(f"Orphaned ({len(orphans)}): text not found", "bold")
            if self.missing:
                heading = Text(f"Article missing: its {len(orphans)} highlights are kept", "bold")
            options.append(Option(heading, id=ORPHANS_HEADING_ID, disabled=True))
            for annotation in orphans:
                options.extend((Option(self._prompt(annotation), id=annotation.id), None))
        option_list = self.option_list
        option_list.set_options(options)
        self._highlight(self.current)

    def _highlight(self, annotation_id: str | None) -> None:
        if not self.is_mounted:
            return
        option_list = self.option_list
        if annotation_id is None:
            option_list.highlighted = None
            return
        try:
            option_list.highlighted = option_list.get_option_index(annotation_id)
        except OptionDoesNotExist:
            option_list.highlighted = None

    @on(OptionList.OptionHighlighted, "#annotation-options")
    def _option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        # Programmatic moves to the current annotation come back here: ignore them.
        option_id = event.option.id
        if option_id is not None and option_id != self.current and self.option_list.has_focus:
            self.post_message(self.Chosen(option_id))

    @on(OptionList.OptionSelected, "#annotation-options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(event.option.id))
