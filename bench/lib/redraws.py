"""When a key's result is on screen: every widget it asked to redraw, drawn.

A key changes several panes (``a``: the reading pane, the sidebar's list and
the document's row). Each widget asks for its redraw on its own turn of the
event loop, and Textual's frame timer may fire between those requests: the
reading pane is then drawn in one frame and the lists in the next, a frame
(17 ms or more) later. Waiting for "the next refresh" after the state changed
stops the clock at the first of those frames, so a figure taken that way can
leave out the frame that shows the sidebar.

``Redraws`` records which widgets ask to be redrawn after it is armed and
which widgets each frame draws; ``drawn()`` waits for the first frame by which
all of them were drawn. Textual gives no public hook for either, so it wraps
``Widget.refresh`` and the screen's frame (``Screen._on_timer_update``): this
is measurement code only, never imported by the app or its tests.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any


class Redraws:
    """The widgets asked to redraw since ``arm()``, and when a frame drew each."""

    def __init__(self) -> None:
        self.asked: dict[Any, float] = {}  # widget -> when it last asked (perf_counter)
        self.drawn_at: dict[Any, float] = {}  # widget -> end of the last frame that drew it
        self.armed = False
        self._installed = False

    def install(self) -> None:
        """Wrap Textual's refresh and frame (once per process; before the app starts: a
        screen's frame timer holds the method it was made with)."""
        if self._installed:
            return
        self._installed = True
        from textual.screen import Screen
        from textual.widget import Widget

        refresh = Widget.refresh
        frame = Screen._on_timer_update
        log = self

        def logged_refresh(widget: Any, *args: Any, **kwargs: Any) -> Any:
            if log.armed and kwargs.get("repaint", True) is not False:
                log.asked[widget] = time.perf_counter()
            return refresh(widget, *args, **kwargs)

        def logged_frame(screen: Any) -> None:
            # What this frame draws: the dirty widgets (each with what is inside it), or
            # the whole screen when it lays out or repaints itself.
            whole = screen._layout_required or screen._repaint_required
            dirty = set(screen._dirty_widgets)
            frame(screen)
            if not log.armed:
                return
            ended = time.perf_counter()
            for widget in log.asked:
                if whole or widget in dirty or any(a in dirty for a in widget.ancestors):
                    log.drawn_at[widget] = ended

        Widget.refresh = logged_refresh  # type: ignore[method-assign]
        Screen._on_timer_update = logged_frame  # type: ignore[method-assign]

    def arm(self) -> None:
        """Start recording (a key is about to be pressed)."""
        if not self._installed:
            raise RuntimeError("Redraws.install() must run before the app starts")
        self.asked.clear()
        self.drawn_at.clear()
        self.armed = True

    async def drawn(self, timeout: float = 5.0) -> float:
        """Wait until every widget asked to redraw was drawn after it asked; return when
        (``perf_counter``) the last of those frames ended. Disarms."""
        deadline = time.perf_counter() + timeout
        try:
            while True:
                pending = [
                    w
                    for w, asked in self.asked.items()
                    if w.is_mounted and w.display and self.drawn_at.get(w, 0.0) < asked
                ]
                if not pending and self.asked:
                    # Widgets asked and then hidden or removed are never drawn: not waited for.
                    return max(self.drawn_at.values(), default=time.perf_counter())
                if time.perf_counter() > deadline:
                    names = sorted({type(w).__name__ for w in pending})
                    raise TimeoutError(f"not drawn within {timeout} s: {names}")
                await asyncio.sleep(0.001)
        finally:
            self.armed = False


#: One recorder per process (Textual's classes are patched once).
REDRAWS = Redraws()
