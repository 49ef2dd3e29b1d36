"""The app's screens, one per module."""

from ipreader.tui.screens.doc_notes import DocumentNotesEditor
from ipreader.tui.screens.editor import AnnotationEditor, EditorResult
from ipreader.tui.screens.help import HelpScreen

__all__ = [
    "AnnotationEditor",
    "DocumentNotesEditor",
    "EditorResult",
    "HelpScreen",
]
