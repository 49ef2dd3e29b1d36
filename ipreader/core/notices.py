"""One channel for the messages the core has for the user.

Stores and the library find things the user must hear about (a read-only
folder's annotations saved elsewhere, a damaged file moved aside) at any
moment: while opening, or later when a document is first read. They ``add``
them to one ``Notices`` shared by a whole library; the CLI and the app
``take`` what is new whenever they are ready to show it. Each distinct
message is delivered once, under one rule for every front end.
"""

from __future__ import annotations

import threading

from ipreader.core.wording import plural

#: Most distinct messages remembered; a flood of them (a hostile folder) stays bounded.
MAX_NOTICES = 1000


class Notices:
    """An ordered, de-duplicated log of user messages with a read position."""

    def __init__(self) -> None:
        self._messages: list[str] = []
        self._seen: set[str] = set()
        self._taken = 0
        self._dropped = 0
        self._mutex = threading.Lock()

    def add(self, message: str) -> None:
        """Record ``message`` unless the same text was recorded before."""
        with self._mutex:
            if message in self._seen:
                return
            if len(self._messages) >= MAX_NOTICES:
                self._dropped += 1
                return
            self._seen.add(message)
            self._messages.append(message)

    def take(self) -> list[str]:
        """Return the messages recorded since the last ``take`` (each is returned once)."""
        with self._mutex:
            fresh = self._messages[self._taken :]
            self._taken = len(self._messages)
            if self._dropped:
                fresh.append(f"{plural(self._dropped, 'more message')} left out")
                self._dropped = 0
            return fresh

    def all(self) -> list[str]:
        """Return every message recorded, taken or not."""
        with self._mutex:
            return list(self._messages)
