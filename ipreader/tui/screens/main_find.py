"""Finding text in the open document: the find bar's searches, matches and n/N."""

from __future__ import annotations

import bisect

from textual import on, work

from ipreader.tui.display import one_line
from ipreader.tui.screens.main_base import MainScreenBase
from ipreader.tui.session import Session
from ipreader.tui.widgets.find_bar import FindBar


class FindInDocument(MainScreenBase):
    """The main screen's part that searches the open document (``/``, ``n``, ``N``, ``esc``)."""

    def __init__(self, session: Session) -> None:
        """Create the part over ``session``; no query yet."""
        super().__init__(session)
        self.matches: list[tuple[int, int]] = []
        """Matches of the find bar's query in the current document."""
        self.match_index = -1
        """Index in ``matches`` of the selected match."""

    def action_find(self) -> None:
        """Open the find bar."""
        self.set_class(True, "-finding")
        self.query_one(FindBar).start()

    @on(FindBar.Submitted)
    def _find_submitted(self, event: FindBar.Submitted) -> None:
        query = event.query
        if not query:
            self.action_clear_find()
            return
        self._show_find_status("Finding…")
        self.reader.focus()
        self._find(self.text, query, self._load_serial, self.reader.cursor)

    @work(thread=True, exclusive=True, group="find")
    def _find(self, text: str, query: str, serial: int, cursor: int) -> None:
        from ipreader.core.search import find_all

        # A big article can hold hundreds of thousands of matches: search off the UI thread.
        matches = find_all(text, query)
        self.app.call_from_thread(self._found, query, serial, cursor, matches)

    def _found(self, query: str, serial: int, cursor: int, matches: list[tuple[int, int]]) -> None:
        if serial != self._load_serial:
            return
        self.matches = matches
        self.reader.set_matches(matches)
        if not matches:
            self.match_index = -1
            self._show_find_status(f"No match for “{one_line(query, 40)}”")
            return
        following = bisect.bisect_left(matches, (cursor, -1))
        self._select_match(following if following < len(matches) else 0)

    def _select_match(self, index: int) -> None:
        self.match_index = index
        start, end = self.matches[index]
        self.reader.select(start, end)
        self.reader.scroll_to_offset(start)
        self._show_find_status(f"{index + 1:,}/{len(self.matches):,} · n/N · esc")

    def _show_find_status(self, status: str) -> None:
        self.query_one(FindBar).show_status(status)

    def _step_match(self, step: int) -> None:
        if not self.matches:
            self.notify("No matches: press / to find.")
            return
        self._select_match((self.match_index + step) % len(self.matches))

    def action_find_next(self) -> None:
        """Select the next match of the find query."""
        self._step_match(1)

    def action_find_previous(self) -> None:
        """Select the previous match of the find query."""
        self._step_match(-1)

    def _clear_matches(self) -> None:
        self.matches = []
        self.match_index = -1
        self.set_class(False, "-finding")
        if self.is_mounted:
            self.reader.set_matches([])

    def action_clear_find(self) -> None:
        """Close the find bar and clear the matches."""
        was_in_bar = self._focus_within("#find-bar")
        self._clear_matches()
        if was_in_bar:
            self.reader.focus()
