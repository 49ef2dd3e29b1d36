"""Reading one article after another once a big folder is open: each switch and the longest stall.

A user opens the app on a folder of N articles (``bench.folder_scale``'s layout:
real BBC articles, distinct, with highlights) and, once the first article is
shown, opens other articles one after another. Each round is a fresh
interpreter (``bench.lib.rounds``): the app opens the folder headless, waits
until its first article is open, then opens ``--switches`` other articles in turn
(``MainScreen.open_document``, what choosing one in the list does, called in the
screen's own message loop as a chosen row's message is), each after
the last one is open and 0.3 s have passed. **first open** is from making the
app (its modules imported) until its first article is open (its text and
highlights in the app's state: keys act on it), **counted** until the list
shows every article's highlight count. Per switch: **switch N** is from
that call until the app's state holds the article open (its text and
highlights); **stall** is the longest event-loop stall (``StallProbe``, 10 ms
ticks) over all the switches: how long a key pressed meanwhile would wait. One
launch first, not counted, writes the compiled modules and the caches a user's
earlier session leaves. ``--before TREE`` runs another checkout's app in the
same rounds, in alternating order.

    .venv/bin/python -m bench.app_switch [--articles 10000] [--switches 3] [--rounds 5]
                                         [--before TREE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any


async def one_round(folder: Path, switches: int) -> dict[str, float]:
    """Open the app on ``folder``, then ``switches`` other articles in turn; times in ms."""
    from bench.lib.stalls import StallProbe
    from ipreader.tui.app import IpreaderApp

    made = time.perf_counter()
    app = IpreaderApp(paths=[folder])
    figures: dict[str, float] = {}
    async with app.run_test(size=(160, 48)) as pilot:
        screen: Any = app.main_screen

        def is_open(info: object) -> bool:
            state = screen.state
            return bool(state.document == info and not state.opening)

        for _ in range(60_000):  # 120 s at most
            if "first open" not in figures and is_open(screen.state.document or object()):
                figures["first open"] = (time.perf_counter() - made) * 1000
            # Checked from the open on: before it, the last listing's rows count nothing.
            if "first open" in figures and "counted" not in figures and not _counting(screen):
                figures["counted"] = (time.perf_counter() - made) * 1000
            if "first open" in figures and "counted" in figures:
                break
            await asyncio.sleep(0.002)
        await pilot.pause(0.5)
        first = screen.state.document
        others = [info for info in screen.documents if info != first and info.readable]
        probe = StallProbe()
        probe.start()
        await asyncio.sleep(0.05)  # ticking
        for number, target in enumerate(others[5 : 5 + switches], 1):
            started = time.perf_counter()
            screen.call_later(screen.open_document, target)
            while not is_open(target):
                await asyncio.sleep(0.001)
            figures[f"switch {number}"] = (time.perf_counter() - started) * 1000
            await pilot.pause(0.3)
        figures["stall"] = await probe.stop() * 1000
    return figures


def _counting(screen: Any) -> bool:
    """Whether the document list still waits for its highlight counts."""
    return bool(screen.document_list.counting)


def main() -> None:
    """Command line: ``--articles``, ``--switches``, ``--rounds``, ``--before TREE``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--switches", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", type=Path, help="another checkout, run in the same rounds")
    parser.add_argument("--child", nargs=2, help="internal: one round (FOLDER SWITCHES)")
    args = parser.parse_args()
    if args.child is not None:
        folder, switches = Path(args.child[0]), int(args.child[1])
        print(json.dumps(asyncio.run(one_round(folder, switches))), flush=True)
        os._exit(0)  # the app's shutdown is not timed
    # Imported here: a child run from an older checkout has only what the child needs.
    from bench.folder_scale import build
    from bench.lib.rounds import compare

    def folder_in(workspace: Path) -> list[str]:
        folder = workspace / "folder"
        folder.mkdir()
        build(folder, args.articles)
        return [str(folder), str(args.switches)]

    name = f"{args.articles:,} articles, {args.switches} switches"
    compare(Path(__file__), args.before, args.rounds, name, folder_in)


if __name__ == "__main__":
    main()
