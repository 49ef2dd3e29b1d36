"""The review screen: approximate and lost highlights, and missing articles, one at a time.

For a highlight, what was highlighted (with its context) is shown above the
places that come closest in the article's current text, each with its
context and score (``core/review.py``). For a missing article, the files it
may have become. The screen dismisses with a ``ReviewDecision`` the main
screen carries out (undoable, through the writer) before showing the next
item; keeping an item as it is only moves on.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ipreader.core.drift import STATUS_WORDS
from ipreader.core.model import AnchorStatus
from ipreader.core.review import DocumentReview, HighlightReview, ReviewDecision, ReviewItem
from ipreader.core.safe_text import printable
from ipreader.core.wording import plural
from ipreader.tui.display import one_line
from ipreader.tui.stylesheets import modal_stylesheets

#: Characters of context shown on each side of a quote or a candidate.
CONTEXT_CHARS = 24

#: Characters of a quote or a candidate shown (a candidate's row fits a 100-cell dialog).
QUOTE_CHARS = 44


def _flat(text: str) -> str:
    """``text`` on one line, whitespace runs as one space (edge spaces kept), controls visible."""
    return printable(" ".join(text.split("\n")).replace("\t", " "))


def framed(before: str, middle: str, after: str, width: int = CONTEXT_CHARS) -> Text:
    """Return ``…before middle after…`` on one line, the middle in bold (text kept literal).

    ``width`` characters of context on each side; the middle is cut to ``QUOTE_CHARS``.
    """
    text = Text()
    text.append("…" + _flat(before[-width:]), "dim")
    text.append(one_line(middle, QUOTE_CHARS), "bold reverse")
    text.append(_flat(after[:width]) + "…", "dim")
    return text


#: Over the places a highlight (or a missing article) might be now.
PLACES_HEADING = "Where it might be now"

#: Over a highlight's places: what their one number means (issue 14: the quote's
#: likeness beside a combined score for the same place was two numbers to reconcile).
PLACES_LABEL = (
    f"{PLACES_HEADING}: % alike to what was highlighted (the text around decides the order)"
)


class ReviewScreen(ModalScreen[ReviewDecision | None]):
    """Review ``items`` from ``start``; dismisses with a decision, or None when closed."""

    CSS_PATH = modal_stylesheets()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("a", "accept", "Accept the candidate"),
        Binding("s", "reselect", "Select by hand"),
        Binding("k,n,right", "step(1)", "Keep as it is, next"),
        Binding("p,left", "step(-1)", "Previous"),
        Binding("d", "delete", "Delete the highlight"),
    ]

    def __init__(self, items: list[ReviewItem], start: int = 0) -> None:
        """Show ``items`` (at least one), beginning with ``items[start]``."""
        super().__init__()
        self.items = items
        """Everything to review, in order."""
        self.index = min(max(start, 0), len(items) - 1)
        """The item shown."""

    def compose(self) -> ComposeResult:
        """Lay out the item, its original text and its candidates."""
        with Vertical(classes="dialog dialog-wide") as dialog:
            dialog.border_title = "Review"
            yield Label("", id="item-heading", classes="dialog-heading")
            yield Label("What was highlighted", classes="field-label")
            yield Static("", id="original", classes="dialog-quote")
            yield Label(PLACES_HEADING, id="places-label", classes="field-label")
            yield OptionList(id="candidates")
            yield Label("", id="review-status", classes="dialog-status")

    def on_mount(self) -> None:
        """Show the first item."""
        self.show(self.index)

    @property
    def item(self) -> ReviewItem:
        """The item shown."""
        return self.items[self.index]

    def show(self, index: int) -> None:
        """Show item ``index``."""
        self.index = index
        item = self.item
        dialog = self.query_one(".dialog", Vertical)
        dialog.border_title = f"Review · {index + 1} of {len(self.items)}"
        heading = self.query_one("#item-heading", Label)
        original = self.query_one("#original", Static)
        options = self.query_one("#candidates", OptionList)
        options.clear_options()
        label = self.query_one("#places-label", Label)
        if isinstance(item, HighlightReview):
            label.update(PLACES_LABEL)
            annotation = item.annotation
            word = STATUS_WORDS[annotation.status.value]
            if annotation.score is not None:
                word += f", {annotation.score:.0f} % alike"
            heading.update(Text(f"{item.info.relpath} — {word}"))
            original.update(
                framed(annotation.prefix, annotation.quote, annotation.suffix, width=40)
            )
            # Where the highlight sits now (an approximate one's place is among the
            # candidates): marked, so accepting another is a visible choice.
            now = (
                None
                if annotation.status is AnchorStatus.ORPHANED
                else (annotation.start, annotation.end)
            )
            for number, place in enumerate(item.places):
                # The quote's likeness alone, the number its heading and the sidebar
                # give (the order also weighs the stored context; issue 14).
                row = Text(f"{place.score:4.0f} %  ")
                row.append("now " if (place.start, place.end) == now else "    ", "bold")
                row.append_text(framed(*place.context(item.text)))
                options.add_option(Option(row, id=str(number)))
            keys = "a accept · ↑↓ choose · s select by hand · k keep · d delete"
            if not item.places:
                none = Text("No close match in the text.", "dim")
                options.add_option(Option(none, disabled=True))
        else:
            label.update(PLACES_HEADING)
            count = plural(len(item.missing.stored.annotations), "highlight")
            heading.update(Text(f"{item.info.relpath} — article missing ({count} kept)"))
            original.update(Text("The file is no longer in the folder (moved or deleted)."))
            for number, candidate in enumerate(item.missing.candidates):
                how = "same content" if candidate.by == "content" else "same text"
                row = Text(f"{candidate.score:5.0%}  {how}  ")
                row.append(one_line(candidate.relpath, 200), "bold")
                options.add_option(Option(row, id=str(number)))
            keys = "a relink to this file · ↑↓ choose · k keep missing"
            if not item.missing.candidates:
                none = Text("No file looks like it.", "dim")
                options.add_option(Option(none, disabled=True))
        dialog.border_subtitle = f"{keys} · n/p next/previous · esc close"
        if options.option_count and not options.get_option_at_index(0).disabled:
            options.highlighted = 0
        options.focus()
        self.query_one("#review-status", Label).update("")

    def _chosen(self) -> int | None:
        options = self.query_one("#candidates", OptionList)
        option = (
            None
            if options.highlighted is None
            else options.get_option_at_index(options.highlighted)
        )
        return None if option is None or option.id is None else int(option.id)

    def _say(self, message: str) -> None:
        self.query_one("#review-status", Label).update(Text(message))

    @on(OptionList.OptionSelected, "#candidates")
    def _selected(self) -> None:
        self.action_accept()

    def action_accept(self) -> None:
        """Accept the highlighted candidate (a place, or a file for a missing article)."""
        chosen, item = self._chosen(), self.item
        if chosen is None:
            self._say("No candidate to accept: s selects the text by hand, k keeps it.")
        elif isinstance(item, HighlightReview):
            self.dismiss(ReviewDecision("accept", item, self.index, place=item.places[chosen]))
        else:
            relpath = item.missing.candidates[chosen].relpath
            self.dismiss(ReviewDecision("relink_document", item, self.index, relpath=relpath))

    def action_reselect(self) -> None:
        """Go to the article to select the text by hand (``a`` there relinks)."""
        item = self.item
        if not isinstance(item, HighlightReview):
            self._say("A missing article has no text to select in.")
            return
        chosen = self._chosen()
        place = item.places[chosen] if chosen is not None else None
        self.dismiss(ReviewDecision("reselect", item, self.index, place=place))

    def action_delete(self) -> None:
        """Delete the highlight (``u`` in the main screen restores it)."""
        item = self.item
        if isinstance(item, DocumentReview):
            self._say("A missing article's highlights are kept; relink it or leave it.")
            return
        self.dismiss(ReviewDecision("delete", item, self.index))

    def action_step(self, step: int) -> None:
        """Keep the item as it is and show the next (or previous) one."""
        index = self.index + step
        if 0 <= index < len(self.items):
            self.show(index)
        elif step > 0:
            self._say("That was the last one (esc closes).")

    def action_close(self) -> None:
        """Close the review."""
        self.dismiss(None)
