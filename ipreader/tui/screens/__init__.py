"""The app's screens, one per module."""

from ipreader.tui.screens.corpus_find import CorpusFindScreen
from ipreader.tui.screens.doc_notes import DocumentNotesEditor
from ipreader.tui.screens.editor import AnnotationEditor, EditorResult
from ipreader.tui.screens.export import ExportRequest, ExportScreen
from ipreader.tui.screens.help import HelpScreen
from ipreader.tui.screens.highlights import HighlightsScreen
from ipreader.tui.screens.main import MainScreen

__all__ = [
    "AnnotationEditor",
    "CorpusFindScreen",
    "DocumentNotesEditor",
    "EditorResult",
    "ExportRequest",
    "ExportScreen",
    "HelpScreen",
    "HighlightsScreen",
    "MainScreen",
]
