"""Reading a 20 MB hard-wrapped book with paragraph reflow off and on.

The book is ``book.make_book`` (War and Peace-shaped, wrapped at 70 columns,
BBC prose). For each figure, runs alternate reflow off / on in one process and
the median is printed (with the worst run where it matters):

* ``app``: the whole app opened on the book's file, cold (no ``.ipreader``: the
  file is read, hashed, its metadata extracted), to its first frame showing the
  reading pane's text (``App._display``, as ``bench/common.py`` does), 160x48;
  reflow on = what the app is to do: ``load(..., reflow=looks_hard_wrapped(text))``;
* ``open``: a bare ``ReadingPane`` (120x40): ``load`` to the first rendered row,
  to ``Ready`` (full index built in the worker) and the longest event-loop
  stall meanwhile (a 10 ms ticker);
* ``resize``: to a width not shown before (100, 120, 98, 118, 96 ... columns:
  jumps of ~20), to ``Ready`` at the new width (the 50 ms debounce included),
  and the longest stall;
* ``back``: 100 <-> 120 columns, each a width shown just before (the pane keeps
  its last complete indexes; the first two resizes, to new widths, not counted);
* ``toggle``: setting ``reflow`` on a loaded book, to ``Ready`` (the first time
  on its own: later toggles may find a kept index);
* ``render``: one uncached 120x40 screen with 1,000 highlights (one every ~40
  code points near the top), find matches and a selection.

``--unwrapped`` opens the same book with one line per paragraph instead (the
kind of text the other benchmarks use; reflow then joins nothing).

Self-contained (imports ``book`` and ``ipreader`` only). Without reflow in the
code under test (an older checkout on ``PYTHONPATH``), only "off" is measured.

    .venv/bin/python bench/reflow.py [--runs N] [--only app,open,resize,back,toggle,render]
        [--unwrapped]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from book import make_book
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from ipreader.tui.reader.pane import HighlightSpan, ReadingPane

REFLOW = hasattr(ReadingPane, "reflow")
MODES = (False, True) if REFLOW else (False,)
SIZE = 20_000_000


class Ticker:
    """A 10 ms ticker on the event loop: the longest lateness is the longest stall."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None
        self._stop = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        while not self._stop:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            self.longest = max(self.longest, time.perf_counter() - before - 0.01)

    async def stop(self) -> float:
        self._stop = True
        if self._task is not None:
            await self._task
        return self.longest


class TimedPane(ReadingPane):
    """Records when it first renders a row after ``first_paint`` is reset."""

    first_paint: float | None = None

    def render_line(self, y: int) -> Any:
        if self.first_paint is None:
            self.first_paint = time.perf_counter()
        return super().render_line(y)


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TimedPane()


def load(pane: ReadingPane, text: str, reflow: bool, cursor: int = 0, **kwargs: Any) -> None:
    """Load ``text`` with reflow on or off (older code: off only)."""
    if REFLOW:
        pane.load(text, [], cursor, reflow=reflow, **kwargs)
    else:
        pane.load(text, [], cursor, **kwargs)


def painted(pane: TimedPane) -> float | None:
    return pane.first_paint


def ready(pane: ReadingPane) -> bool:
    return pane.is_ready


async def until(done: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.002)


async def in_pane(
    size: tuple[int, int], body: Callable[[Pilot[None], TimedPane], Awaitable[Any]]
) -> Any:
    app = PaneApp()
    async with app.run_test(size=size) as pilot:
        return await body(pilot, app.query_one(TimedPane))


async def open_once(text: str, reflow: bool) -> tuple[float, float, float, float]:
    """(first paint, Ready, CPU to Ready, longest stall) of one load in a bare pane."""

    async def body(pilot: Pilot[None], pane: TimedPane) -> tuple[float, float, float, float]:
        pane.first_paint = None
        ticker = Ticker()
        ticker.start()
        started, cpu = time.perf_counter(), time.process_time()
        load(pane, text, reflow)
        await until(lambda: painted(pane) is not None)
        first = painted(pane)
        assert first is not None
        await until(lambda: ready(pane))
        done, cpu = time.perf_counter(), time.process_time() - cpu
        return first - started, done - started, cpu, await ticker.stop()

    result: tuple[float, float, float, float] = await in_pane((122, 40), body)
    return result


def settled(pane: ReadingPane) -> bool:
    """The full index is built for the pane's width and reflow setting."""
    index = pane.index
    reflowed = getattr(index, "reflow", None) is not None
    return pane.is_ready and index.width == pane.wrap_width and reflowed == pane_reflow(pane)


def pane_reflow(pane: ReadingPane) -> bool:
    return bool(getattr(pane, "reflow", False))


async def change_runs(
    text: str,
    reflow: bool,
    runs: int,
    change: Callable[[Pilot[None], ReadingPane, int], Awaitable[None]],
) -> list[tuple[float, float, float]]:
    """(to Ready, CPU meanwhile, longest stall) of ``runs`` changes ``change(pilot, pane, n)``."""

    async def body(pilot: Pilot[None], pane: TimedPane) -> list[tuple[float, float, float]]:
        load(pane, text, reflow)
        await until(lambda: settled(pane))
        samples = []
        for n in range(runs):
            ticker = Ticker()
            ticker.start()
            started, cpu = time.perf_counter(), time.process_time()
            await change(pilot, pane, n)
            await until(lambda: settled(pane))
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
            samples.append((took, cpu, await ticker.stop()))
        return samples

    result: list[tuple[float, float, float]] = await in_pane((122, 40), body)
    return result


async def resize(pilot: Pilot[None], pane: ReadingPane, n: int) -> None:
    """Resize to 100, 120, 98, 118, 96 ... columns (the start is 122): a new width each time."""
    await pilot.resize_terminal(100 - n if n % 2 == 0 else 121 - n, 40)


async def resize_back(pilot: Pilot[None], pane: ReadingPane, n: int) -> None:
    """Resize 120 -> 100 -> 120 ... columns of text (the scrollbar takes 2)."""
    await pilot.resize_terminal(100 if n % 2 == 0 else 122, 40)


async def toggle(pilot: Pilot[None], pane: ReadingPane, n: int) -> None:
    """Set reflow on, off, on ..."""
    pane.reflow = n % 2 == 0


def report(name: str, samples: list[tuple[float, float, float]]) -> None:
    """Print the medians of timed changes: to Ready, CPU, longest stall (and the worst)."""
    times, cpus, stalls = zip(*samples, strict=True)
    print(
        f"{name}: {ms(list(times))} (CPU {ms(list(cpus))}), longest stall "
        f"{ms(list(stalls))} (worst {max(stalls) * 1000:.0f} ms)  (n={len(times)})"
    )


async def render_runs(text: str, reflow: bool, runs: int) -> list[tuple[float, float]]:
    """(seconds, CPU seconds) to render one uncached 120x40 screen with 1,000 highlights."""
    highlights = tuple(
        HighlightSpan(str(n), n * 40 + 3, n * 40 + 3 + 5 + n % 50, "yellow") for n in range(1000)
    )

    async def body(pilot: Pilot[None], pane: TimedPane) -> list[tuple[float, float]]:
        load(pane, text, reflow)
        pane.highlights = highlights
        await until(lambda: ready(pane))
        pane.matches = tuple((m, m + 4) for m in range(0, 40_000, 97))
        pane.select(100, 900)
        pane.scroll_to(y=20, animate=False)
        await pilot.pause()
        samples = []
        for _ in range(runs):
            pane.highlights = ()
            pane.highlights = highlights  # a new value drops the strip cache
            started, cpu = time.perf_counter(), time.process_time()
            for y in range(40):
                pane.render_line(y)
            samples.append((time.perf_counter() - started, time.process_time() - cpu))
        return samples

    result: list[tuple[float, float]] = await in_pane((122, 40), body)
    return result


def app_first_paint(path: Path, reflow: bool) -> tuple[float, float]:
    """(seconds, CPU seconds) from constructing the app on ``path`` (cold) to its first
    frame showing the text."""
    from ipreader.tui.app import IpreaderApp

    shutil.rmtree(path.parent / ".ipreader", ignore_errors=True)
    original = ReadingPane.load

    def load_reflowed(self: ReadingPane, text: str, *args: Any, **kwargs: Any) -> None:
        # What the app is to do: reflow on by default for a hard-wrapped text.
        from ipreader.tui.reader.reflow import looks_hard_wrapped

        kwargs.setdefault("reflow", looks_hard_wrapped(text))
        original(self, text, *args, **kwargs)

    class Timed(IpreaderApp):  # type: ignore[misc]
        painted_at: float | None = None
        painted_cpu = 0.0

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is None or self.painted_at is not None:
                return
            try:
                reader = self.main_screen.reader
                if reader.text and len(reader._strips) > 0:
                    self.painted_at = time.perf_counter()
                    self.painted_cpu = time.process_time()
            except Exception:  # not composed yet
                pass

    async def run() -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        app = Timed(paths=[path])
        async with app.run_test(size=(160, 48)):
            await until(lambda: app.painted_at is not None)
            assert app.painted_at is not None
            return app.painted_at - started, app.painted_cpu - cpu

    if reflow:
        ReadingPane.load = load_reflowed  # type: ignore[method-assign]
    try:
        return asyncio.run(run())
    finally:
        ReadingPane.load = original  # type: ignore[method-assign]


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.1f} ms"


def label(reflow: bool) -> str:
    return "reflow on " if reflow else "reflow off"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="app,open,resize,back,toggle,render")
    parser.add_argument(
        "--unwrapped",
        action="store_true",
        help="the same book with one line per paragraph (what the other benchmarks open)",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    runs = args.runs
    text, chapters = make_book(SIZE)
    if args.unwrapped:
        text = text.replace("\n\n", "\0").replace("\n", " ").replace("\0", "\n\n")
    shape = "one line per paragraph" if args.unwrapped else "wrapped at 70"
    print(f"book: {len(text) / 1e6:.1f} M code points, {chapters} chapters, {shape}")
    if "app" in only:
        folder = Path(tempfile.mkdtemp(prefix="ipreader-reflow-"))
        os.environ.setdefault("IPREADER_DATA_DIR", str(folder / "data"))
        path = folder / "book" / "war-and-peace.txt"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        paints: dict[bool, list[tuple[float, float]]] = {mode: [] for mode in MODES}
        for _ in range(runs):
            for mode in MODES:
                paints[mode].append(app_first_paint(path, mode))
        for mode in MODES:
            walls, cpus = zip(*paints[mode], strict=True)
            print(
                f"app, cold, first paint      {label(mode)}: {ms(list(walls))} "
                f"(CPU {ms(list(cpus))})  (n={runs})"
            )
        shutil.rmtree(folder, ignore_errors=True)
    if "open" in only:
        samples: dict[bool, list[tuple[float, float, float]]] = {mode: [] for mode in MODES}
        for _ in range(runs):
            for mode in MODES:
                samples[mode].append(asyncio.run(open_once(text, mode)))
        for mode in MODES:
            first, whole, cpu, stall = zip(*samples[mode], strict=True)
            print(
                f"pane open: first paint       {label(mode)}: {ms(list(first))}, "
                f"to Ready {ms(list(whole))} (CPU {ms(list(cpu))}), longest stall "
                f"{ms(list(stall))} (worst {max(stall) * 1000:.0f} ms)  (n={runs})"
            )
    if "resize" in only:
        for mode in MODES:
            samples_ = asyncio.run(change_runs(text, mode, runs, resize))
            report(f"resize to Ready, new width   {label(mode)}", samples_)
    if "back" in only:
        for mode in MODES:
            samples_ = asyncio.run(change_runs(text, mode, runs + 2, resize_back))[2:]
            report(f"resize to Ready, width back  {label(mode)}", samples_)
    if "toggle" in only and REFLOW:
        toggles = asyncio.run(change_runs(text, False, 2 * runs, toggle))
        # Only the first toggle on finds the paragraphs and wraps them; the pane
        # keeps its recent complete indexes, so later toggles may reuse one.
        report("toggle reflow on the first time, to Ready", toggles[:1])
        report("toggle reflow on, to Ready             ", toggles[0::2])
        report("toggle reflow off, to Ready            ", toggles[1::2])
    if "render" in only:
        for mode in MODES:
            walls, cpus = zip(*asyncio.run(render_runs(text, mode, max(runs, 20))), strict=True)
            print(
                f"render 120x40, 1,000 hl      {label(mode)}: {ms(list(walls))} "
                f"(CPU {ms(list(cpus))})  (n={len(walls)})"
            )


if __name__ == "__main__":
    main()
