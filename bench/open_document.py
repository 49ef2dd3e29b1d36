"""Opening big texts: first paint, full wrap, input stalls, resize, render cost and memory.

Figures (the full run; ``--quick`` uses 1-2 MB texts and one run each):

* open a 20 MB / 50 MB single-width text and a 20 MB CJK text to first paint,
  against a stock read-only ``TextArea`` given the same file's text;
* the CJK text's full wrap index (time to ``ReadingPane.Ready``) and the
  longest event-loop stall while it is built;
* first paint of a 3 MB book over that of a 2 KB article;
* rendering one uncached 120x40 screen with 1,000 highlights in the document;
* re-wrap after a terminal resize of the 20 MB text, and the stall meanwhile;
* RSS of the app with the 20 MB text open over the app with a 2 KB article
  (each in its own process), against the same for ``TextArea``.

"First paint" is measured with ``bench.lib.apps.run_app``: the clock starts just
before the app object is constructed (modules already imported) and stops
at the first frame the app hands to its (headless) driver while the reading
pane holds the text and has rendered rows of it (for ``TextArea``: its first
frame, which already has the text since it is given to the constructor).

    .venv/bin/python -m bench.open_document [--quick] [--scaling]
"""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.lib.apps import AppTiming, paint_timed, reader_painted, run_app
from bench.lib.cli import bench_main
from bench.lib.figures import Figure, print_figures, print_scaling
from bench.lib.paths import REPO
from bench.lib.process import bench_argv, rss_mb
from bench.lib.stalls import StallProbe
from bench.lib.text import MB, make_text, write_text_file
from bench.lib.timing import median
from bench.lib.workdirs import isolated_data_dir, temp_dir

SIZE = (160, 48)


# ----------------------------------------------------------------------------- app makers


def ipreader_factory(path: Path) -> Callable[[], Any]:
    """Return a maker of the ipreader app opened on ``path`` (class built outside the clock)."""
    from ipreader.tui.app import IpreaderApp

    cls = paint_timed(IpreaderApp)
    return lambda: cls(paths=[path])


def textarea_factory(path: Path) -> Callable[[], Any]:
    """Return a maker of the baseline: a stock read-only ``TextArea`` with the file's text."""
    from textual.app import App, ComposeResult
    from textual.widgets import TextArea

    class TextAreaApp(App[None]):
        def compose(self) -> ComposeResult:
            # Read and decoded in the app, as the reader must do too.
            yield TextArea(path.read_text(encoding="utf-8"), read_only=True)

    cls = paint_timed(TextAreaApp)
    return cls


def clear_store(path: Path) -> None:
    """Remove the folder's .ipreader (metadata cache and store): a cold open."""
    shutil.rmtree(path.parent / ".ipreader", ignore_errors=True)


def open_app(path: Path, *, cold: bool, probe: bool = False) -> AppTiming:
    """Time one app run on ``path`` to first paint and full wrap."""
    if cold:
        clear_store(path)
    return run_app(
        ipreader_factory(path), reader_painted, size=SIZE, wait_ready=True, probe_stalls=probe
    )


# ----------------------------------------------------------------------------- child process


def child(kind: str, path: Path) -> None:
    """Run one app in this process and print a JSON line (time to first paint, RSS)."""

    async def measure(app: Any, pilot: Any, timing: AppTiming, readies: list[float]) -> None:
        await pilot.pause()
        gc.collect()
        await asyncio.sleep(0.2)
        timing.extra["rss"] = rss_mb()

    with isolated_data_dir():
        before = rss_mb()
        if kind == "textarea":
            timing = run_app(textarea_factory(path), None, size=SIZE, then=measure)
        else:
            timing = run_app(
                ipreader_factory(path), reader_painted, size=SIZE, wait_ready=True, then=measure
            )
    print(
        json.dumps(
            {
                "first_paint": timing.first_paint,
                "ready": timing.ready,
                "rss_before": before,
                "rss": timing.extra["rss"],
            }
        )
    )


def run_child(kind: str, path: Path) -> dict[str, float]:
    """Run ``child`` in a fresh interpreter and return its JSON result."""
    done = subprocess.run(
        bench_argv("bench.open_document", "--child", kind, str(path)),
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ----------------------------------------------------------------------------- render


def render_screen_ms(text: str, highlights: int, dense: bool, reps: int) -> list[float]:
    """Time rendering every row of a 120x40 reading pane, strip cache cleared each time.

    ``dense`` puts all highlights in the first screenful (overlapping), else
    they are spread evenly over the text; the view is moved between reps.
    """
    from textual.app import App, ComposeResult

    from ipreader.core.model import COLORS
    from ipreader.tui.reader.pane import HighlightSpan, ReadingPane

    if dense:
        spans = [
            HighlightSpan(f"h{i}", i * 4, i * 4 + 30, COLORS[i % len(COLORS)])
            for i in range(highlights)
        ]
    else:
        step = len(text) // highlights
        spans = [
            HighlightSpan(f"h{i}", i * step, i * step + 60, COLORS[i % len(COLORS)])
            for i in range(highlights)
        ]

    class PaneApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ReadingPane(id="reader")

    durations: list[float] = []

    async def main() -> None:
        app = PaneApp()
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.query_one(ReadingPane)
            pane.focus()
            pane.load(text, spans, 0)
            while not pane.is_ready:
                await asyncio.sleep(0.005)
            await pilot.pause()
            height = pane.scrollable_content_region.height
            rows = len(pane.index)
            for rep in range(reps):
                top = 0 if dense else (rep * 7919) % max(1, rows - height)
                pane.scroll_to(y=top, animate=False)
                await pilot.pause()
                pane._strips.clear()
                start = time.perf_counter()
                for y in range(height):
                    pane.render_line(y)
                durations.append((time.perf_counter() - start) * 1000)

    asyncio.run(main())
    return durations


# ----------------------------------------------------------------------------- resize


def resize_times(path: Path, runs: int) -> tuple[list[float], list[float]]:
    """Open ``path``, then resize the terminal ``runs`` times; return re-wrap times and stalls."""
    times: list[float] = []
    stalls: list[float] = []

    async def resize(app: Any, pilot: Any, timing: AppTiming, readies: list[float]) -> None:
        for run in range(runs):
            width = 140 if run % 2 == 0 else 160  # stays above the narrow-layout threshold
            probe = StallProbe()
            probe.start()
            start = time.perf_counter()
            await pilot.resize_terminal(width, SIZE[1])
            reader = app.main_screen.reader
            # The layout may settle in steps (several re-wraps): done when the index
            # is complete at the pane's final width; the last Ready is its time.
            while not (
                reader.is_ready
                and reader.index.width == reader.wrap_width
                and [t for t in readies if t > start]
            ):
                await asyncio.sleep(0.002)
            times.append(readies[-1] - start)
            stalls.append(await probe.stop())

    run_app(ipreader_factory(path), reader_painted, size=SIZE, wait_ready=True, then=resize)
    return times, stalls


# ----------------------------------------------------------------------------- main


def run(quick: bool = False) -> list[Figure]:
    """Run every figure of this file and print its table; return the figures."""
    runs = 1 if quick else 5
    big, huge, cjk_size = (1 * MB, 2 * MB, 1 * MB) if quick else (20 * MB, 50 * MB, 20 * MB)
    base_runs_big = 1 if quick else 3  # TextArea takes 10-20 s per 20 MB open
    figures: list[Figure] = []
    with isolated_data_dir(), temp_dir("open-") as tmp:
        en = write_text_file(tmp / "en", "book.txt", big)
        en50 = write_text_file(tmp / "en50", "book.txt", huge)
        cjk = write_text_file(tmp / "cjk", "book.txt", cjk_size, kind="cjk")
        book3 = write_text_file(tmp / "book3", "book.txt", 3 * MB if not quick else MB)
        small = tmp / "small" / "article.txt"
        small.parent.mkdir()
        small.write_text(make_text(2000), encoding="utf-8")
        label = f"{big // MB} MB"

        def open_figure(name: str, path: Path, target: float, base_runs: int) -> Figure:
            cold = [open_app(path, cold=True) for _ in range(runs)]
            warm = [open_app(path, cold=False) for _ in range(runs)]
            base = [run_child("textarea", path)["first_paint"] for _ in range(base_runs)]
            return Figure(
                name,
                median([t.first_paint or 0 for t in cold]),
                target=target,
                baseline=median(base),
                baseline_name="TextArea",
                runs=runs,
                note=f"(cold; warm cache {median([t.first_paint or 0 for t in warm]):.3f} s)",
                extra={"ready_cold": median([t.ready or 0 for t in cold]), "base": base},
            )

        figures.append(open_figure(f"Open {label} text, first paint", en, 0.4, base_runs_big))
        figures.append(open_figure(f"Open {huge // MB} MB text, first paint", en50, 1.0, 1))
        cjk_figure = open_figure(f"Open {cjk_size // MB} MB CJK text, first paint", cjk, 0.5, 1)
        figures.append(cjk_figure)
        cjk_runs = [open_app(cjk, cold=False, probe=True) for _ in range(runs)]
        figures.append(
            Figure(
                f"{cjk_size // MB} MB CJK: full wrap index (start to Ready)",
                median([t.ready or 0 for t in cjk_runs]),
                target=3.0,
                runs=runs,
            )
        )
        figures.append(
            Figure(
                f"{cjk_size // MB} MB CJK: longest input stall while wrapping",
                median([t.max_stall * 1000 for t in cjk_runs]),
                unit="ms",
                target=50,
                runs=runs,
                note=f"(worst run {max(t.max_stall for t in cjk_runs) * 1000:.0f} ms)",
            )
        )
        small_paint = [open_app(small, cold=False).first_paint or 0 for _ in range(runs)]
        book_paint = [open_app(book3, cold=False).first_paint or 0 for _ in range(runs)]
        figures.append(
            Figure(
                f"First paint {book3.stat().st_size // MB} MB book / 2 KB article",
                median(book_paint) / median(small_paint),
                unit="x",
                target=1.3,
                runs=runs,
                note=f"({median(book_paint):.3f} s / {median(small_paint):.3f} s)",
            )
        )
        text = make_text(200_000)
        reps = 5 if quick else 50
        spread = render_screen_ms(text, 1000, dense=False, reps=reps)
        dense = render_screen_ms(text, 1000, dense=True, reps=reps)
        figures.append(
            Figure(
                "Render one uncached 120x40 screen, 1,000 highlights spread",
                median(spread),
                unit="ms",
                target=4,
                runs=reps,
                note=f"(dense: all 1,000 on screen {median(dense):.1f} ms)",
            )
        )
        times, stalls = resize_times(en, runs)
        figures.append(
            Figure(
                f"Resize (re-wrap) {label} text",
                median(times),
                target=0.4,
                runs=runs,
                note=f"(longest stall {max(stalls) * 1000:.0f} ms)",
            )
        )
        mem_runs = 1 if quick else 3
        empty = [run_child("app", small)["rss"] for _ in range(mem_runs)]
        full = [run_child("app", en)["rss"] for _ in range(mem_runs)]
        ta_empty = [run_child("textarea", small)["rss"] for _ in range(mem_runs)]
        ta_full = [run_child("textarea", en)["rss"] for _ in range(1)]
        figures.append(
            Figure(
                f"Memory for an open {label} text (RSS over the app with 2 KB)",
                median(full) - median(empty),
                unit="MB",
                target=60,
                baseline=median(ta_full) - median(ta_empty),
                baseline_name="TextArea",
                runs=mem_runs,
                note=f"({median(full):.0f} - {median(empty):.0f} MB)",
            )
        )
    print_figures("Opening documents", figures, quick, "quick: small sizes")
    return figures


def scaling(quick: bool = False) -> None:
    """Print how first paint, full wrap, resize and memory grow with the document size."""
    sizes = [1, 2] if quick else [1, 5, 20, 50]
    runs = 1 if quick else 3
    rows = []
    with isolated_data_dir(), temp_dir("open-scale-") as tmp:
        small = tmp / "small" / "article.txt"
        small.parent.mkdir()
        small.write_text(make_text(2000), encoding="utf-8")
        empty = run_child("app", small)["rss"]
        for size in sizes:
            path = write_text_file(tmp / f"en{size}", "book.txt", size * MB)
            cold = [open_app(path, cold=True) for _ in range(runs)]
            warm = [open_app(path, cold=False) for _ in range(runs)]
            resize, _ = resize_times(path, runs)
            rss = run_child("app", path)["rss"]
            rows.append(
                [
                    f"{size} MB",
                    f"{median([t.first_paint or 0 for t in cold]):.3f}",
                    f"{median([t.first_paint or 0 for t in warm]):.3f}",
                    f"{median([t.ready or 0 for t in warm]):.3f}",
                    f"{median(resize):.3f}",
                    f"{rss - empty:.0f}",
                ]
            )
    print_scaling(
        "document size (single-width text)",
        [
            "Size",
            "First paint cold (s)",
            "First paint warm (s)",
            "Full wrap, start to Ready (s)",
            "Resize re-wrap (s)",
            "RSS over empty app (MB)",
        ],
        rows,
    )


def main() -> None:
    """Command line: ``--quick``, ``--scaling``, or ``--child KIND PATH`` (internal)."""
    bench_main(__doc__, run, scaling, child=lambda kind, path: child(kind, Path(path)))


if __name__ == "__main__":
    main()
