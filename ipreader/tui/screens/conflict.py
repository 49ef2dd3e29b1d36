"""The modal that shows both versions of a highlight two programs changed, and asks which."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ipreader.core.model import Annotation
from ipreader.core.revisions import ConflictError
from ipreader.tui.display import one_line, visible
from ipreader.tui.stylesheets import modal_stylesheets

#: Characters of a quote shown per version.
QUOTE_CHARS = 160


def describe(annotation: Annotation | None, deleted: str) -> Text:
    """Return a version's quote, note, tags and colour as literal text (``deleted`` if none)."""
    if annotation is None:
        return Text(deleted, "italic")
    text = Text()
    text.append(f"“{one_line(annotation.quote, QUOTE_CHARS)}”\n", "italic")
    text.append("note: ", "bold")
    text.append(visible(annotation.note.strip()) or "(none)")
    text.append("\ntags: ", "bold")
    text.append(" ".join(f"#{one_line(tag, 30)}" for tag in annotation.tags) or "(none)")
    text.append("\ncolour: ", "bold")
    text.append(annotation.color)
    text.append(f"\nrevision {annotation.revision}, {annotation.updated}", "dim")
    return text


class ConflictScreen(ModalScreen[str | None]):
    """Both versions side by side; dismisses with ``"mine"``, ``"theirs"``, ``"both"`` or None.

    ``m`` keeps this session's version, ``t`` the one another program saved,
    ``b`` both (notes joined, tags merged; this session's text and colour).
    Escape decides later: the change stays in this session, unsaved.
    """

    CSS_PATH = modal_stylesheets()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "choose('mine')", "Keep mine"),
        Binding("t", "choose('theirs')", "Keep theirs"),
        Binding("b", "choose('both')", "Keep both"),
        Binding("escape", "choose(None)", "Decide later"),
    ]

    def __init__(self, conflict: ConflictError) -> None:
        """Show ``conflict``'s two versions."""
        super().__init__()
        self.conflict = conflict
        """The versions in conflict."""

    def compose(self) -> ComposeResult:
        """Lay out the explanation and the two versions."""
        mine, theirs = self.conflict.mine, self.conflict.stored
        both = "" if mine is None or theirs is None else " · b keep both"
        with Vertical(classes="dialog dialog-conflict") as dialog:
            dialog.border_title = "Changed by another program"
            dialog.border_subtitle = f"m keep mine · t keep theirs{both} · esc later"
            yield Static(
                Text(
                    "This highlight was changed elsewhere (another ipreader, a sync, an "
                    "import) since you began your change. Nothing was overwritten."
                ),
                classes="dialog-heading",
            )
            with Horizontal(id="versions"):
                with Vertical(classes="version", id="mine"):
                    yield Static(Text("Yours (this session)", "bold"))
                    yield Static(describe(mine, "deleted here"))
                with Vertical(classes="version", id="theirs"):
                    yield Static(Text("Saved by the other program", "bold"))
                    yield Static(describe(theirs, "deleted there"))

    def action_choose(self, choice: str | None) -> None:
        """Dismiss with ``choice`` (``both`` only when both versions exist)."""
        if choice == "both" and (self.conflict.mine is None or self.conflict.stored is None):
            return
        self.dismiss(choice)
