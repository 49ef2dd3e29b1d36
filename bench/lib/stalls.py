"""Event-loop stalls: how long a key press would have waited while the app was busy."""

from __future__ import annotations

import asyncio
import time


class StallProbe:
    """A 10 ms ticker on the event loop recording how late each tick runs.

    A gap longer than the 10 ms sleep is time the loop could not run anything:
    what a key press would have waited.
    """

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._stop = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking (call from inside the running loop)."""
        self._stop = False
        self._task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        while not self._stop:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            self.gaps.append(time.perf_counter() - before - 0.01)

    async def stop(self) -> float:
        """Stop and return the longest stall (s)."""
        self._stop = True
        if self._task is not None:
            await self._task
        return max(self.gaps, default=0.0)
