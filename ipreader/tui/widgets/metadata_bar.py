"""The two lines above the reading pane: the title, then details and where the reader is."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from ipreader.core.documents import DocumentInfo
from ipreader.tui.display import one_line

#: Encodings that are not worth mentioning.
_UNREMARKABLE_ENCODINGS = frozenset({"utf-8", "utf_8", "utf8", "ascii"})


def reading_time(minutes: int) -> str:
    """Return a reading time for people: ``4 min``, ``2 h 05 min``, ``40 h 46 min``."""
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours:,} h {rest:02d} min"


def position_label(line: int | None, lines: int | None, offset: int, length: int) -> str:
    """Return where the cursor is: ``line 12 of 300 · 4%`` (the line when known)."""
    percent = 100 if length == 0 else offset * 100 // length
    if line is None or lines is None:
        return f"{percent}%"
    return f"line {line:,} of {lines:,} · {percent}%"


def describe(
    document: DocumentInfo | None,
    position: str = "",
    selecting: bool = False,
    preview: str = "",
    opening: bool = False,
) -> Text:
    """Return the title line and the details line for ``document`` (user text kept literal).

    ``preview`` names the file shown while the folder is still opening (no
    ``document`` yet: its title and details are not known); ``opening`` says
    the folder is still opening before any file is shown.
    """
    if document is None:
        if not preview:
            return Text("Opening the folder…" if opening else "No article open", "dim")
        text = Text(one_line(preview, 300), "bold", no_wrap=True, overflow="ellipsis")
        text.append("\nOpening the folder…", "dim")
        return text
    text = Text(one_line(document.title, 300), "bold", no_wrap=True, overflow="ellipsis")
    details: list[str] = []
    if document.date:
        details.append(document.date.replace("T", " "))
    if document.readable:
        details.append(f"{document.words:,} words")
        details.append(reading_time(document.reading_minutes))
        if document.encoding and document.encoding.lower() not in _UNREMARKABLE_ENCODINGS:
            details.append(document.encoding)
        if position:
            details.append(position)
    else:
        details.append(document.error or "unreadable")
    text.append("\n")
    if selecting:
        # First on its line: the details are cut at the pane's width (52 columns at 120).
        text.append("SELECTING (v to stop, esc to cancel)", "bold reverse")
        text.append("  ")
    text.append(" · ".join(details), "dim")
    return text


class MetadataBar(Static):
    """Shows what ``describe`` says about the bound ``document`` and reading position."""

    DEFAULT_CSS = """
    MetadataBar { height: 2; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    document: reactive[DocumentInfo | None] = reactive(None)
    """The document open in the reading pane."""
    position: reactive[str] = reactive("")
    """Where the cursor is (``line 12 of 300 · 4%``), empty while unknown."""
    selecting: reactive[bool] = reactive(False)
    """True while ``v`` selection mode is on (shown as an indicator)."""
    preview: reactive[str] = reactive("")
    """The file shown before its folder is open (``document`` is None until then)."""
    opening: reactive[bool] = reactive(False)
    """True while the folder opens (before any article is open or shown)."""

    def on_mount(self) -> None:
        self._show()

    def watch_document(self) -> None:
        self._show()

    def watch_position(self) -> None:
        self._show()

    def watch_selecting(self) -> None:
        self._show()

    def watch_preview(self) -> None:
        self._show()

    def watch_opening(self) -> None:
        self._show()

    def _show(self) -> None:
        # No layout pass: the bar's size is fixed (two lines, the pane's width), and a
        # layout refresh re-arranges the whole screen on every cursor move.
        shown = describe(self.document, self.position, self.selecting, self.preview, self.opening)
        self.update(shown, layout=False)
