"""The widgets of the TUI, one per module."""

from ipreader.tui.widgets.reading_pane import HighlightSpan, ReadingPane

__all__ = ["HighlightSpan", "ReadingPane"]
