"""Running a Textual app headless and timing its first paint (and its full wrap)."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .stalls import StallProbe


@dataclass
class AppTiming:
    """What one headless app run measured (seconds from just before the app was constructed)."""

    first_paint: float | None = None
    """First frame written while ``condition`` held (see ``run_app``)."""
    ready: float | None = None
    """First ``ReadingPane.Ready`` after the first paint (full wrap index installed)."""
    max_stall: float = 0.0
    """Longest event-loop stall seen by a 10 ms ticker, from start until ``ready`` (or paint)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Whatever the ``then`` step measured."""


def paint_timed(base: type[Any]) -> type[Any]:
    """Subclass the Textual app class ``base`` so it records its first qualifying frame.

    ``App._display`` is where a rendered compositor update is handed to the
    driver (also headless, where the driver discards it); by then every
    visible widget's ``render_line`` has run. The first call for which the
    instance's ``paint_condition(app)`` is true is "first paint".
    """

    class PaintTimed(base):  # type: ignore[misc]
        paint_condition: Callable[[Any], bool] | None = None
        first_paint_at: float | None = None
        # Further named conditions: the time of the first frame where each holds.
        mark_conditions: dict[str, Callable[[Any], bool]] = {}  # noqa: RUF012
        marks: dict[str, float] = {}  # noqa: RUF012

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is None:
                return
            for name, check in self.mark_conditions.items():
                if name not in self.marks:
                    try:
                        if check(self):
                            self.marks = {**self.marks, name: time.perf_counter()}
                    except Exception:  # widgets not mounted yet
                        pass
            if self.first_paint_at is not None:
                return
            condition = self.paint_condition
            try:
                ok = condition is None or condition(self)
            except Exception:  # widgets not mounted yet
                ok = False
            if ok:
                self.first_paint_at = time.perf_counter()

    PaintTimed.__name__ = f"PaintTimed{base.__name__}"
    return PaintTimed


def reader_painted(app: Any) -> bool:
    """Paint condition: the ipreader reading pane holds text and has rendered rows of it,
    wrapped at the pane's width (a text loaded before the first layout has a placeholder
    index of width 1 until it is wrapped: a frame drawn from that does not count)."""
    reader = app.main_screen.reader
    wrapped = reader.index.width == reader.wrap_width
    return bool(reader.text) and len(reader._strips) > 0 and wrapped


def run_app(
    make_app: Callable[[], Any],
    condition: Callable[[Any], bool] | None,
    *,
    size: tuple[int, int] = (160, 48),
    wait_ready: bool = False,
    probe_stalls: bool = False,
    timeout: float = 300.0,
    then: Callable[[Any, Any, AppTiming, list[float]], Any] | None = None,
) -> AppTiming:
    """Run an app headless and time its first paint (and optionally its full wrap).

    ``make_app`` must return an instance of a ``paint_timed`` class; the clock
    starts just before it is called. ``then(app, pilot, timing, readies)`` is
    an optional coroutine run after the waits (``readies`` collects the time of
    every ``ReadingPane.Ready``).
    """
    from ipreader.tui.reader.pane import ReadingPane

    readies: list[float] = []
    seen: set[int] = set()
    kept: list[Any] = []  # keeps seen messages alive so their ids are not reused

    def hook(message: Any) -> None:
        # The hook sees a message at every node it bubbles through: count it once.
        if isinstance(message, ReadingPane.Ready) and id(message) not in seen:
            seen.add(id(message))
            kept.append(message)
            readies.append(time.perf_counter())

    async def main() -> AppTiming:
        timing = AppTiming()
        probe = StallProbe() if probe_stalls else None
        gc.collect()
        start = time.perf_counter()
        app = make_app()
        app.paint_condition = condition
        async with app.run_test(size=size, message_hook=hook) as pilot:
            if probe is not None:
                probe.start()
            deadline = time.perf_counter() + timeout
            while app.first_paint_at is None:
                if time.perf_counter() > deadline:
                    raise TimeoutError("no first paint")
                await asyncio.sleep(0.002)
            timing.first_paint = app.first_paint_at - start
            if wait_ready:
                # A small text is wrapped (and Ready posted) before it is painted,
                # so the last Ready once the pane says it is complete is the one.
                reader = app.main_screen.reader
                while not (reader.is_ready and reader.text and readies):
                    if time.perf_counter() > deadline:
                        raise TimeoutError("no Ready")
                    await asyncio.sleep(0.002)
                timing.ready = readies[-1] - start
            if probe is not None:
                timing.max_stall = await probe.stop()
            if then is not None:
                await then(app, pilot, timing, readies)
        return timing

    return asyncio.run(main())


async def open_screen(app: Any, pilot: Any, key: str) -> None:
    """Wait for the app's list, then press ``key`` until it shows another screen than the
    main one (the key says "still opening" until the library is open)."""
    for _ in range(6000):
        await asyncio.sleep(0.005)
        if app.main_screen.documents:
            break
    await pilot.pause(0.5)
    for _ in range(60):
        if app.screen is not app.main_screen:
            break
        await pilot.press(key)
        await pilot.pause(0.5)
