"""The one writer of the app: typed commands run in order in a thread worker.

``Writer.submit`` queues commands (``tui/commands.py``) and makes sure a
worker is draining the queue. Commands run one at a time, in the order
submitted, so an undo can never overtake the save it undoes; each one is
reported to the owner with a ``Saved`` or ``SaveFailed`` message. Reads that
must not interleave with a write (the change poll) hold ``Writer.lock``.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.widget import Widget

from ipreader.core.errors import IpreaderError
from ipreader.tui.messages import Saved, SaveFailed

if TYPE_CHECKING:
    from ipreader.core.store import FolderStore
    from ipreader.tui.commands import Command  # made by the state when the user acts
    from ipreader.tui.session import Token


class Writer:
    """Runs commands against the stores, in order, off the UI thread."""

    def __init__(self, owner: Widget, store_at: Callable[[Path], FolderStore]) -> None:
        """Write through ``store_at(root)``; report to ``owner`` (whose workers run the queue)."""
        self._owner = owner
        self._store_at = store_at
        self._queue: deque[Command] = deque()
        self._outstanding = 0  # submitted and not yet reported
        self._idle = threading.Condition()
        self.lock = threading.Lock()
        """Held while a command runs; a reader holding it sees no write half-way."""
        self.wrote: Callable[[Path, Token, Token], None] | None = None
        """Told of each write made, in the writer's thread: the folder, and its store's
        change token before and after it (the list's watch: ``tui/list_watch.py``)."""

    @property
    def busy(self) -> bool:
        """True while a submitted command has not been reported yet."""
        with self._idle:
            return self._outstanding > 0

    def submit(self, *commands: Command) -> None:
        """Queue ``commands`` (in order) and make sure a worker runs them."""
        if not commands:
            return
        with self._idle:
            self._queue.extend(commands)
            self._outstanding += len(commands)
        self._owner.run_worker(
            self._drain,
            name="writer",
            group="writes",
            description="save annotations",
            thread=True,
            exit_on_error=False,
        )

    def wait_until_idle(self, timeout: float | None = None) -> bool:
        """Block until every submitted command was reported; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._outstanding == 0, timeout)

    def _drain(self) -> None:
        """Run queued commands until the queue is empty (several workers may call this)."""
        with self.lock:
            while True:
                with self._idle:
                    if not self._queue:
                        return
                    command = self._queue.popleft()
                self._owner.post_message(self._run(command))
                with self._idle:
                    self._outstanding -= 1
                    self._idle.notify_all()

    def _run(self, command: Command) -> Saved | SaveFailed:
        """Run one command; return the message that reports it."""
        location: Path | None = None
        try:
            store = self._store_at(command.root)
            location = store.location
            before = store.change_token() if self.wrote is not None else ()
            result = command.run(store)
            after = store.change_token()
            if self.wrote is not None:
                self.wrote(command.root, before, after)
            return Saved(command, after, result)
        except (IpreaderError, OSError, KeyError) as error:
            return SaveFailed(command, error, location)
