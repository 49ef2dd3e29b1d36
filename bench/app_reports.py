"""The reports screen (``R``) on 2,000 articles with 20,000 highlights: typing and switching.

The folder is ``bench.reports``'s (built once per run in a temporary
directory). The app opens it headless, ``R`` opens the reports screen and the
highlights are read; then, each ``--rounds`` times:

* **tags**: ``economy`` typed into the tag field one key at a time;
* **filters**: ``by:ada`` typed into the filter line one key at a time;
* **kind**: the report switched (code report -> matrix -> co-occurrence -> code report).

For each key: **wall** from the key to the report shown for it (the status
line names it) and the screen refreshed; **ui-cpu** the UI thread's CPU
meanwhile (``time.thread_time``); and the **longest stall** of the event loop
while the keys were pressed (``bench.lib.stalls``: what a next key press would
have waited). Medians over the keys and rounds; the stall's maximum too.

    .venv/bin/python -m bench.app_reports [--articles 2000] [--highlights 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.lib.apps import open_screen
from bench.lib.stalls import StallProbe
from bench.reports import build_folder


def busy(app: Any) -> bool:
    """True while a message waits in the app, the screen or a widget, or a report worker runs."""
    pumps = [app, *app.screen.walk_children(with_self=True)]
    if any(not pump._message_queue.empty() for pump in pumps):  # a bench may peek
        return True
    groups = ("reports", "report", "report-fill")
    return any(w.group in groups and w.is_running for w in app.workers)


async def settle(app: Any) -> None:
    """Wait until nothing is pending (messages, report workers), then for a refresh."""
    idle = 0
    for _ in range(100000):
        await asyncio.sleep(0.001)
        idle = 0 if busy(app) else idle + 1
        if idle >= 3:  # a worker's message may follow its end by a loop turn
            break
    await app.screen.wait_for_refresh()


def status(app: Any) -> str:
    """The reports screen's status line as shown."""
    from textual.css.query import NoMatches
    from textual.widgets import Label

    try:
        return str(app.screen.query_one("#status", Label).render())
    except NoMatches:  # the reports screen not pushed yet
        return ""


async def key(app: Any, name: str) -> tuple[float, float]:
    """Press ``name``: (wall ms, UI-thread CPU ms) until the report for it is shown."""
    c0 = time.thread_time()
    w0 = time.perf_counter()
    app.simulate_key(name)
    await settle(app)
    return (time.perf_counter() - w0) * 1000, (time.thread_time() - c0) * 1000


async def run(folder: Path, rounds: int) -> dict[str, list[tuple[float, float]]]:
    """Open the app on ``folder``, open the reports and time the keys."""
    from textual.widgets import Input

    from ipreader.tui.app import IpreaderApp

    app = IpreaderApp(paths=[folder])
    times: dict[str, list[tuple[float, float]]] = {"tags": [], "filters": [], "kind": []}
    stalls: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await open_screen(app, pilot, "R")
        for _ in range(6000):
            await asyncio.sleep(0.005)
            if "passage" in status(app):
                break
        await settle(app)
        print(f"opened: {status(app)}")
        for _ in range(rounds):
            typing = (("#tags", "economy", "tags"), ("#filters", "by:ada", "filters"))
            for field, typed, label in typing:
                app.screen.query_one(field, Input).focus()
                await settle(app)
                probe = StallProbe()
                probe.start()
                for char in typed:
                    times[label].append(await key(app, char))
                stalls.append(await probe.stop())
                print(f"{label}: {status(app)}")
                app.screen.query_one(field, Input).value = ""
                await settle(app)
            app.screen.query_one("#kind").focus()
            await settle(app)
            probe = StallProbe()
            probe.start()
            for _ in range(3):
                times["kind"].append(await key(app, "right"))
                print(f"kind: {status(app)} {times['kind'][-1][0]:.0f} ms")
            stalls.append(await probe.stop())
    times["stall"] = [(1000 * s, 0.0) for s in stalls]
    return times


def main() -> None:
    """Build the folder, run the app, print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--highlights", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-app-reports-") as tmp:
        folder = Path(tmp) / "articles"
        os.environ["IPREADER_DATA_DIR"] = str(Path(tmp) / "data")  # no state left behind
        os.environ["IPREADER_CACHE_DIR"] = str(Path(tmp) / "cache")
        made = build_folder(folder, args.articles, args.highlights)
        print(f"{args.articles:,} articles, {made:,} highlights")
        times = asyncio.run(run(folder, args.rounds))
    for label in ("tags", "filters", "kind"):
        wall = statistics.median(t[0] for t in times[label])
        cpu = statistics.median(t[1] for t in times[label])
        worst = max(t[0] for t in times[label])
        print(f"{label:8} per key: wall {wall:6.1f} ms (max {worst:6.1f})  ui-cpu {cpu:6.1f} ms")
    stall = [t[0] for t in times["stall"]]
    print(
        f"longest stall while typing: {max(stall):.1f} ms "
        f"(median of the sets {statistics.median(stall):.1f}; each set, tags / filters / "
        f"kind per round: {', '.join(f'{s:.0f}' for s in stall)})"
    )


if __name__ == "__main__":
    main()
