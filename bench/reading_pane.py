"""Benchmarks of the reading pane (run: ``.venv/bin/python bench/reading_pane.py``).

Prints the median of several runs for: opening generated texts to the first
painted screen (headless ``run_test``) and to the complete wrap index, the
render of an uncached 120x40 screen with 1,000 highlights, a re-wrap after a
resize, and a same-run baseline of Textual's read-only ``TextArea``.
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

from ipreader.tui.widgets.reading_pane import HighlightSpan, ReadingPane
from ipreader.tui.wrap import TextIndex, WrapIndex

MB = 1_000_000


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


async def wait_until(pilot: object, done: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.002)


async def open_times(
    text: str, runs: int, size: tuple[int, int]
) -> tuple[list[float], list[float]]:
    """(first paint, complete index) seconds for ``runs`` opens of ``text``."""
    paints: list[float] = []
    readies: list[float] = []
    app = PaneApp()
    async with app.run_test(size=size) as pilot:
        pane = app.query_one(TimedPane)
        for _ in range(runs):
            pane.load("", [])
            await pilot.pause()
            pane.first_paint = None
            started = time.perf_counter()
            pane.load(text, [])
            await wait_until(pilot, lambda: pane.first_paint is not None)
            assert pane.first_paint is not None
            paints.append(pane.first_paint - started)
            await wait_until(pilot, lambda: pane.is_ready)
            readies.append(time.perf_counter() - started)
    return paints, readies


async def render_times(runs: int) -> list[float]:
    """Uncached render of a 120x40 screen of text carrying 1,000 highlights."""
    text = latin_text(2 * MB)
    rng = random.Random(3)
    highlights = []
    for n in range(1000):
        # Dense near the top (so the measured screen shows many), some overlapping.
        start = n * 40 + rng.randint(0, 10)
        highlights.append(HighlightSpan(str(n), start, start + rng.randint(5, 60), "yellow"))
    samples: list[float] = []
    app = PaneApp()
    async with app.run_test(size=(122, 40)) as pilot:  # 120 text cells + the scrollbar
        pane = app.query_one(TimedPane)
        pane.load(text, highlights, 0)
        await wait_until(pilot, lambda: pane.is_ready)
        pane.set_matches([(m, m + 4) for m in range(0, 40_000, 97)])
        pane.select(100, 900)
        pane.scroll_to(y=20, animate=False)
        await pilot.pause()
        assert pane.scrollable_content_region.width == 120
        for _ in range(runs):
            pane.set_highlights(highlights)  # drops the strip cache
            started = time.perf_counter()
            for y in range(40):
                pane.render_line(y)
            samples.append(time.perf_counter() - started)
    return samples


async def rewrap_times(text: str, runs: int) -> list[float]:
    """Resize (80 <-> 100 columns) until the new index is complete."""
    samples: list[float] = []
    app = PaneApp()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(TimedPane)
        pane.load(text, [])
        await wait_until(pilot, lambda: pane.is_ready)
        for n in range(runs):
            started = time.perf_counter()
            await pilot.resize_terminal(80 if n % 2 == 0 else 100, 40)
            await wait_until(pilot, lambda: pane.is_ready)
            samples.append(time.perf_counter() - started)
    return samples


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
    args = parser.parse_args()
    runs = args.runs
    size = (122, 40)

    text20 = latin_text(20 * MB)
    paint, ready = await open_times(text20, runs, size)
    print(f"open 20 MB single-width, first paint : {median(paint)}")
    print(f"open 20 MB single-width, full index  : {median(ready)}")
    text50 = latin_text(50 * MB)
    paint, ready = await open_times(text50, runs, size)
    print(f"open 50 MB single-width, first paint : {median(paint)}")
    print(f"open 50 MB single-width, full index  : {median(ready)}")
    del text50
    cjk = cjk_text(20 * MB)
    paint, ready = await open_times(cjk, runs, size)
    print(f"open 20 MB CJK ({len(cjk) / 1e6:.1f}M chars), first paint: {median(paint)}")
    print(f"open 20 MB CJK, full index           : {median(ready)}")
    print(f"wrap 20 MB CJK (WrapIndex.build only): {median(wrap_only(cjk, 119, runs))}")
    del cjk
    print(f"render 120x40 uncached, 1,000 hl     : {median(await render_times(max(runs, 20)))}")
    print(f"re-wrap 20 MB on resize (to Ready)   : {median(await rewrap_times(text20, runs))}")
    print(f"re-wrap 20 MB (WrapIndex.build only) : {median(wrap_only(text20, 79, runs))}")

    small = text20[: 2 * MB]
    samples = [t for t in [await textarea_time(small, 60) for _ in range(runs)] if t is not None]
    print(f"baseline TextArea read-only, 2 MB    : {median(samples)}")
    if not args.no_baseline_20mb:
        took = await textarea_time(text20, 60)
        shown = "> 60 s (timed out)" if took is None else f"{took * 1000:9.1f} ms  (n=1)"
        print(f"baseline TextArea read-only, 20 MB   : {shown}")


if __name__ == "__main__":
    asyncio.run(main())
