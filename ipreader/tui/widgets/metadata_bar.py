"""The two lines above the reading pane: title, then date, words, reading time, encoding."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from ipreader.core.documents import DocumentInfo
from ipreader.tui.display import one_line

#: Encodings that are not worth mentioning.
_UNREMARKABLE_ENCODINGS = frozenset({"utf-8", "utf_8", "utf8", "ascii"})


def describe(document: DocumentInfo | None) -> Text:
    """Return the title line and the details line for ``document`` (user text kept literal)."""
    if document is None:
        return Text("No article open", "dim")
    text = Text(one_line(document.title, 300), "bold", no_wrap=True, overflow="ellipsis")
    details: list[str] = []
    if document.date:
        details.append(document.date.replace("T", " "))
    if document.readable:
        details.append(f"{document.words:,} words")
        details.append(f"{document.reading_minutes:,} min")
        if document.encoding and document.encoding.lower() not in _UNREMARKABLE_ENCODINGS:
            details.append(document.encoding)
    else:
        details.append(document.error or "unreadable")
    text.append("\n" + " · ".join(details), "dim")
    return text


class MetadataBar(Static):
    """Shows what ``describe`` says about the bound ``document``."""

    DEFAULT_CSS = """
    MetadataBar { height: 2; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    document: reactive[DocumentInfo | None] = reactive(None)
    """The document open in the reading pane."""

    def on_mount(self) -> None:
        self.update(describe(self.document))

    def watch_document(self, document: DocumentInfo | None) -> None:
        self.update(describe(document))
