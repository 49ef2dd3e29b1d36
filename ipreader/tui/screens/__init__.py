"""The app's screens, one per module.

Re-exported lazily (PEP 562): importing the main screen must not import every
modal screen and the core modules behind them (start-up time).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ipreader.tui.screens.corpus_find import CorpusFindScreen
    from ipreader.tui.screens.doc_notes import DocumentNotesEditor
    from ipreader.tui.screens.editor import AnnotationEditor, EditorResult
    from ipreader.tui.screens.export import ExportRequest, ExportScreen
    from ipreader.tui.screens.help import HelpScreen
    from ipreader.tui.screens.highlights import HighlightsScreen
    from ipreader.tui.screens.main import MainScreen

_MODULES = {
    "AnnotationEditor": "editor",
    "CorpusFindScreen": "corpus_find",
    "DocumentNotesEditor": "doc_notes",
    "EditorResult": "editor",
    "ExportRequest": "export",
    "ExportScreen": "export",
    "HelpScreen": "help",
    "HighlightsScreen": "highlights",
    "MainScreen": "main",
}

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


def __getattr__(name: str) -> Any:
    """Import the module defining ``name`` on first use."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
