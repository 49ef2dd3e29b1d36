"""The find bar under the reading pane: a query, its matches in the open text, a counter.

The bar owns finding in the open document: ``search`` runs in a thread worker
(a big article can hold hundreds of thousands of matches) and posts ``Found``;
``step`` moves through the matches and says which one is selected. The screen
draws the matches and selects them in the reading pane.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from ipreader.tui.display import one_line
from ipreader.tui.message_fields import FieldsRepr


class _Searched(Message, bubble=False):
    """Private: the search worker is done (posted to the bar itself)."""

    def __init__(
        self, query: str, cursor: int, generation: int, matches: tuple[tuple[int, int], ...]
    ) -> None:
        super().__init__()
        self.query = query
        """What was searched for."""
        self.cursor = cursor
        """Where the cursor was when the search started."""
        self.generation = generation
        """The bar's generation when the search started."""
        self.matches = matches
        """Every match, in order."""


class FindBar(Horizontal):
    """Posts ``Submitted`` on enter, ``Found`` when a search is done."""

    DEFAULT_CSS = """
    FindBar { height: 1; }
    FindBar > Input { width: 1fr; height: 1; border: none; padding: 0 1; }
    FindBar > Static { width: auto; padding: 0 1; }
    """

    @dataclass(repr=False, eq=False)
    class Submitted(FieldsRepr, Message):
        """The user asked to find ``query`` in the open document."""

        query: str
        """The text to find (empty: close the bar)."""

    @dataclass(repr=False, eq=False)
    class Found(FieldsRepr, Message):
        """A search is done."""

        matches: tuple[tuple[int, int], ...]
        """Every match, in order."""
        selected: tuple[int, int] | None
        """The match selected first (at or after the cursor), or None when there is none."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.matches: tuple[tuple[int, int], ...] = ()
        """The matches of the last search."""
        self.index = -1
        """Index in ``matches`` of the selected match."""
        self._generation = 0  # a search started before clear() reports nothing

    # No compose: the query and the counter are mounted when the bar first opens (start).
    # Hidden until then, they would be composed, styled and laid out at every start, before
    # the first frame, for a bar most sessions never open.

    @property
    def input(self) -> Input:
        """The query input."""
        return self.query_one("#find-input", Input)

    async def start(self) -> None:
        """Focus the query with its text selected, ready to be replaced (mounted first,
        the first time)."""
        if not self.query("#find-input"):
            await self.mount(
                Input(placeholder="Find in this article (enter)", id="find-input"),
                Static(id="find-status"),
            )
        self.input.focus()
        self.input.select_all()

    def show_status(self, status: str) -> None:
        """Show ``status`` (match counter, "no match") beside the query."""
        self.query_one("#find-status", Static).update(Text(status))

    def search(self, text: str, query: str, cursor: int) -> None:
        """Find ``query`` in ``text``; ``Found`` selects the first match at or after ``cursor``."""
        self.show_status("Finding…")
        self._search(text, query, cursor, self._generation)

    @work(thread=True, exclusive=True, group="find", description="find in the document")
    def _search(self, text: str, query: str, cursor: int, generation: int) -> None:
        from ipreader.core.search import find_all

        matches = find_all(text, query)
        self.post_message(_Searched(query, cursor, generation, tuple(matches)))

    @on(Input.Submitted, "#find-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(event.value))

    @on(_Searched)
    def _searched(self, message: _Searched) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self.matches = message.matches
        if not message.matches:
            self.index = -1
            self.show_status(f"No match for “{one_line(message.query, 40)}”")
            self.post_message(self.Found((), None))
            return
        following = bisect.bisect_left(message.matches, (message.cursor, -1))
        self.index = following if following < len(message.matches) else 0
        self._show_count()
        self.post_message(self.Found(message.matches, message.matches[self.index]))

    def step(self, step: int) -> tuple[int, int] | None:
        """Select the next (``step=1``) or previous match, wrapping; None when there is none."""
        if not self.matches:
            return None
        self.index = (self.index + step) % len(self.matches)
        self._show_count()
        return self.matches[self.index]

    def _show_count(self) -> None:
        self.show_status(f"{self.index + 1:,}/{len(self.matches):,} · n/N · esc")

    def clear(self) -> None:
        """Forget the matches (a search still running reports nothing)."""
        self._generation += 1
        self.matches = ()
        self.index = -1
