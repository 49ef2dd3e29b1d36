"""Benchmarks of the reading pane (run: ``.venv/bin/python -m bench.reading_pane``).

Prints the median of several runs for: opening generated texts to the first
painted screen (headless ``run_test``) and to the complete wrap index, the
render of an uncached 120x40 screen with 1,000 highlights (spread, and all of
them on that screen), a re-wrap after a resize with the longest event-loop stall
meanwhile (a 10 ms ticker), and a same-run baseline of Textual's read-only
``TextArea``. ``--only resize,render`` runs a subset.
Sizes are UTF-8 bytes (20 MB of CJK is ~6.7 million code points).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import TextArea

from bench.lib.stalls import StallProbe
from bench.lib.text import MB
from ipreader.core.model import COLORS
from ipreader.tui.reader.pane import HighlightSpan, ReadingPane
from ipreader.tui.reader.wrap import TextIndex, WrapIndex


def latin_text(size: int, seed: int = 1) -> str:
    """Paragraphs of random lower-case words, ``size`` bytes."""
    rng = random.Random(seed)
    words = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 10)))
        for _ in range(3000)
    ]
    pool = [" ".join(rng.choices(words, k=rng.randint(20, 150))) for _ in range(500)]
    parts: list[str] = []
    total = 0
    while total < size:
        paragraph = rng.choice(pool)
        parts.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(parts)[:size]


def cjk_text(size: int, seed: int = 2) -> str:
    """Paragraphs of CJK ideographs with fullwidth punctuation, ``size`` UTF-8 bytes."""
    rng = random.Random(seed)
    chars = [chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(4000)] + ["。", "、", "「", "」"] * 50
    pool = ["".join(rng.choices(chars, k=rng.randint(50, 400))) for _ in range(500)]
    parts: list[str] = []
    total = 0
    while total < size:
        paragraph = rng.choice(pool)
        parts.append(paragraph)
        total += len(paragraph) * 3 + 2
    return "\n\n".join(parts)


class TimedPane(ReadingPane):
    """A reading pane that records when it first renders a row after a load."""

    first_paint: float | None = None

    def render_line(self, y: int) -> Strip:
        if self.first_paint is None:
            self.first_paint = time.perf_counter()
        return super().render_line(y)


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TimedPane()


class TextAreaApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TextArea(read_only=True)


def median(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:9.1f} ms  (n={len(samples)})"


def stall(samples: list[float]) -> str:
    """Median and worst of the per-run longest stalls."""
    return f"{median(samples)}, worst {max(samples) * 1000:.0f} ms"


async def wait_until(pilot: object, done: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.002)


def painted_at(pane: TimedPane) -> float | None:
    """When the pane first rendered a row (a call: not narrowed by type checkers)."""
    return pane.first_paint


async def open_times(
    text: str, runs: int, size: tuple[int, int]
) -> tuple[list[float], list[float], list[float]]:
    """(first paint, complete index, longest loop stall) seconds for ``runs`` opens."""
    paints: list[float] = []
    readies: list[float] = []
    stalls: list[float] = []
    app = PaneApp()
    async with app.run_test(size=size) as pilot:
        pane = app.query_one(TimedPane)
        for _ in range(runs):
            pane.load("", [])
            await pilot.pause()
            pane.first_paint = None
            probe = StallProbe()
            probe.start()
            started = time.perf_counter()
            pane.load(text, [])
            await wait_until(pilot, lambda: painted_at(pane) is not None)
            first = painted_at(pane)
            assert first is not None
            paints.append(first - started)
            await wait_until(pilot, lambda: pane.is_ready)
            readies.append(time.perf_counter() - started)
            stalls.append(await probe.stop())
    return paints, readies, stalls


async def render_times(runs: int, dense: bool = False) -> list[float]:
    """Uncached render of a 120x40 screen of text carrying 1,000 highlights.

    By default one every 40 code points (a few hundred on the screen); ``dense``
    puts all 1,000 on the measured screen, overlapping, in every colour.
    """
    text = latin_text(2 * MB)
    rng = random.Random(3)
    highlights = []
    for n in range(1000):
        if dense:
            start = 2400 + n * 4
            span = HighlightSpan(str(n), start, start + 30, COLORS[n % len(COLORS)])
        else:
            # Dense near the top (so the measured screen shows many), some overlapping.
            start = n * 40 + rng.randint(0, 10)
            span = HighlightSpan(str(n), start, start + rng.randint(5, 60), "yellow")
        highlights.append(span)
    samples: list[float] = []
    app = PaneApp()
    async with app.run_test(size=(122, 40)) as pilot:  # 120 text cells + the scrollbar
        pane = app.query_one(TimedPane)
        pane.load(text, highlights, 0)
        await wait_until(pilot, lambda: pane.is_ready)
        pane.matches = tuple((m, m + 4) for m in range(0, 40_000, 97))
        pane.select(100, 900)
        pane.scroll_to(y=20, animate=False)
        await pilot.pause()
        assert pane.scrollable_content_region.width == 120
        for _ in range(runs):
            pane.highlights = ()  # a new value drops the strip cache
            pane.highlights = tuple(highlights)
            started = time.perf_counter()
            for y in range(40):
                pane.render_line(y)
            samples.append(time.perf_counter() - started)
    return samples


async def rewrap_times(text: str, runs: int) -> tuple[list[float], list[float]]:
    """Resize (80 <-> 100 columns) until the index is complete at the new width.

    Returns the seconds to that point (the re-wrap's debounce delay included)
    and the longest event-loop stall of each run.
    """
    samples: list[float] = []
    stalls: list[float] = []
    app = PaneApp()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(TimedPane)
        pane.load(text, [])
        await wait_until(pilot, lambda: pane.is_ready)
        for n in range(runs):
            probe = StallProbe()
            probe.start()
            started = time.perf_counter()
            await pilot.resize_terminal(80 if n % 2 == 0 else 100, 40)
            await wait_until(pilot, lambda: pane.is_ready and pane.index.width == pane.wrap_width)
            samples.append(time.perf_counter() - started)
            stalls.append(await probe.stop())
    return samples, stalls


async def textarea_time(text: str, timeout: float) -> float | None:
    """Seconds for a read-only TextArea to take ``text`` and paint (None past ``timeout``)."""
    app = TextAreaApp()
    async with app.run_test(size=(122, 40)) as pilot:
        area = app.query_one(TextArea)
        started = time.perf_counter()
        area.load_text(text)
        try:
            await asyncio.wait_for(pilot.pause(), timeout)
        except TimeoutError:
            return None
        return time.perf_counter() - started


def wrap_only(text: str, width: int, runs: int) -> list[float]:
    lines = TextIndex(text)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        WrapIndex.build(text, width, lines)
        samples.append(time.perf_counter() - started)
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-baseline-20mb", action="store_true", help="skip the 20 MB TextArea")
    parser.add_argument(
        "--only",
        default="open,cjk,render,resize,baseline",
        help="comma-separated subset of: open, cjk, render, resize, baseline",
    )
    args = parser.parse_args()
    runs = args.runs
    only = set(args.only.split(","))
    size = (122, 40)

    text20 = latin_text(20 * MB)
    if "open" in only:
        paint, ready, _ = await open_times(text20, runs, size)
        print(f"open 20 MB single-width, first paint : {median(paint)}")
        print(f"open 20 MB single-width, full index  : {median(ready)}")
        text50 = latin_text(50 * MB)
        paint, ready, _ = await open_times(text50, runs, size)
        print(f"open 50 MB single-width, first paint : {median(paint)}")
        print(f"open 50 MB single-width, full index  : {median(ready)}")
        del text50
    if "cjk" in only:
        cjk = cjk_text(20 * MB)
        paint, ready, stalls = await open_times(cjk, runs, size)
        print(f"open 20 MB CJK ({len(cjk) / 1e6:.1f}M chars), first paint: {median(paint)}")
        print(f"open 20 MB CJK, full index           : {median(ready)}")
        print(f"open 20 MB CJK, longest loop stall   : {stall(stalls)}")
        print(f"wrap 20 MB CJK (WrapIndex.build only): {median(wrap_only(cjk, 119, runs))}")
        del cjk
    if "render" in only:
        spread = await render_times(max(runs, 20))
        print(f"render 120x40 uncached, 1,000 hl     : {median(spread)}")
        dense = await render_times(max(runs, 20), dense=True)
        print(f"render 120x40, all 1,000 hl on screen: {median(dense)}")
    if "resize" in only:
        times, stalls = await rewrap_times(text20, runs)
        print(f"re-wrap 20 MB on resize (to Ready)   : {median(times)}")
        print(f"re-wrap 20 MB, longest loop stall    : {stall(stalls)}")
        print(f"re-wrap 20 MB (WrapIndex.build only) : {median(wrap_only(text20, 79, runs))}")
    if "baseline" in only:
        small = text20[: 2 * MB]
        samples = [
            t for t in [await textarea_time(small, 60) for _ in range(runs)] if t is not None
        ]
        print(f"baseline TextArea read-only, 2 MB    : {median(samples)}")
        if not args.no_baseline_20mb:
            took = await textarea_time(text20, 60)
            shown = "> 60 s (timed out)" if took is None else f"{took * 1000:9.1f} ms  (n=1)"
            print(f"baseline TextArea read-only, 20 MB   : {shown}")


if __name__ == "__main__":
    asyncio.run(main())
