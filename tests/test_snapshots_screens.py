"""Snapshots of two modals at 80x24: the highlight editor and the help screen."""

from __future__ import annotations

from typing import Any

from conftest import StyledApp
from textual.pilot import Pilot
from textual.widgets import TextArea

from ipreader.core.model import Annotation
from ipreader.tui.screens.editor import AnnotationEditor
from ipreader.tui.screens.help import HelpScreen

TEXT = (
    "It is a truth universally acknowledged, that a single man in possession "
    "of a good fortune, must be in want of a wife. [bold]Not markup.[/bold]"
)

BINDINGS = [
    ("", "Reading"),
    ("↑ ↓ ← →", "Move the cursor"),
    ("shift+arrows", "Extend the selection"),
    ("pageup pagedown", "Scroll a page"),
    ("", "Annotating"),
    ("h", "Highlight the selection"),
    ("e", "Edit the highlight's note, tags and colour"),
    ("d", "Delete the highlight"),
    ("", "Finding"),
    ("/", "Find in the document"),
    ("ctrl+f", "Find in all documents"),
    ("?", "This help"),
]


class Host(StyledApp):
    """A bare app showing one modal on top of an empty screen."""

    def __init__(self, modal: Any) -> None:
        super().__init__()
        self.modal = modal
        self.theme = "textual-dark"

    def on_mount(self) -> None:
        self.push_screen(self.modal)


def _steady_cursor(pilot: Pilot[None]) -> None:
    """Stop the note's cursor blinking so the screenshot does not depend on timing."""
    for text_area in pilot.app.screen.query(TextArea):
        text_area.cursor_blink = False


def test_editor_snapshot(snap_compare: Any) -> None:
    annotation = Annotation.create(
        TEXT, 0, len(TEXT), "austen.txt", note="Opening line.", tags=["irony", "marriage"]
    )
    app = Host(AnnotationEditor(annotation, ["irony"]))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_steady_cursor)


def test_help_snapshot(snap_compare: Any) -> None:
    assert snap_compare(Host(HelpScreen(BINDINGS)), terminal_size=(80, 24))
