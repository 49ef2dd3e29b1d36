"""The widgets of the TUI, one per module."""

from ipreader.tui.widgets.reading_pane import HighlightSpan, ReadingPane

__all__ = ["HighlightSpan", "ReadingPane"]

# Added by the app/main-screen engineer (appended to keep the owner's lines intact).
from ipreader.tui.widgets.annotation_sidebar import AnnotationSidebar
from ipreader.tui.widgets.document_list import DocumentList
from ipreader.tui.widgets.find_bar import FindBar
from ipreader.tui.widgets.metadata_bar import MetadataBar

__all__ += ["AnnotationSidebar", "DocumentList", "FindBar", "MetadataBar"]
