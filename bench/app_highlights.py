"""The highlights screen (``h``) over 2,000 articles with 20,000 highlights: typing a filter.

The folder is ``bench.reports``'s (built once per run in a temporary
directory). The app opens it headless and ``h`` lists every highlight; then,
each ``--rounds`` times, ``economy`` and then ``by:ada`` are typed into the
filter one key at a time, each followed by as many backspaces, a pause past
the filter's delay after every key.

For each key: **listed**, from the key to the filter's rows all in the list
(the screen's row fill ended, or the filter applied when there is none) and
the screen refreshed, less the filter's typing delay; and the **longest
stall** of the event loop over the whole typing (``bench.lib.stalls``: what a
next key would have waited). Medians over the keys and rounds; the stall's
maximum too. ``--before TREE`` runs another checkout in the same run (its
child from ``TREE``), in turns.

    .venv/bin/python -m bench.app_highlights [--articles 2000] [--highlights 20000]
        [--rounds 3] [--before TREE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.lib.apps import open_screen
from bench.lib.stalls import StallProbe

#: What is typed into the filter (each then erased key by key).
TYPED = ("economy", "by:ada")


def filling(app: Any) -> bool:
    """True while a message waits in the app or the screen, or a highlights fill runs."""
    pumps = [app, *app.screen.walk_children(with_self=True)]
    if any(not pump._message_queue.empty() for pump in pumps):  # a bench may peek
        return True
    return any(w.group == "highlights-fill" and w.is_running for w in app.workers)


async def key(app: Any, name: str, delay: float) -> float:
    """Press ``name``: ms until the filter's rows are listed and shown, less ``delay``."""
    start = time.perf_counter()
    app.simulate_key(name)
    await asyncio.sleep(delay)
    idle = 0
    for _ in range(100000):
        await asyncio.sleep(0.001)
        idle = 0 if filling(app) else idle + 1
        if idle >= 3:  # a worker's end may follow its last slice by a loop turn
            break
    await app.screen.wait_for_refresh()
    return (time.perf_counter() - start - delay) * 1000


async def run(folder: Path, rounds: int) -> dict[str, Any]:
    """Open the app on ``folder``, open the highlights and time the keys."""
    from textual.widgets import Input

    from ipreader.tui.app import IpreaderApp
    from ipreader.tui.screens.highlights import FILTER_DELAY

    app = IpreaderApp(paths=[folder])
    listed: list[float] = []
    stalls: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await open_screen(app, pilot, "h")
        await pilot.pause(1.0)
        app.screen.query_one("#filter", Input).focus()
        delay = FILTER_DELAY + 0.05
        for _ in range(rounds):
            probe = StallProbe()
            probe.start()
            for typed in TYPED:
                for char in typed:
                    listed.append(await key(app, char, delay))
                for _char in typed:
                    listed.append(await key(app, "backspace", delay))
            stalls.append(await probe.stop())
    return {"listed": listed, "stalls": [1000 * s for s in stalls]}


def child(folder: Path, rounds: int) -> None:
    """One app run (in the checkout this module was imported from); prints a JSON line."""
    print(json.dumps(asyncio.run(run(folder, rounds))), flush=True)


def main() -> None:
    """Build the folder, run each checkout's app in turns, print the medians."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--highlights", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout, run in turns")
    parser.add_argument("--child", type=Path, help="internal: one app run on this folder")
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.rounds)
        return
    from bench.reports import build_folder

    here = Path(__file__).resolve().parent.parent
    trees = {"this": here} if args.before is None else {"before": args.before, "this": here}
    results: dict[str, dict[str, list[float]]] = {
        name: {"listed": [], "stalls": []} for name in trees
    }
    with tempfile.TemporaryDirectory(prefix="bench-app-highlights-") as tmp:
        folder = Path(tmp) / "articles"
        env = {
            **os.environ,
            "IPREADER_DATA_DIR": str(Path(tmp) / "data"),  # no state left behind
            "IPREADER_CACHE_DIR": str(Path(tmp) / "cache"),
        }
        os.environ.update(env)
        made = build_folder(folder, args.articles, args.highlights)
        print(f"{args.articles:,} articles, {made:,} highlights")
        for number in range(2):  # two runs per checkout, in turns (ABBA)
            order = list(trees) if number % 2 == 0 else list(trees)[::-1]
            for name in order:
                # This file run as a script: the tree's ipreader first on the path, then
                # this checkout's (the bench itself, which an older tree may not have).
                argv = [sys.executable, __file__, "--child", str(folder)]
                done = subprocess.run(
                    [*argv, "--rounds", str(args.rounds)],
                    cwd=trees[name],
                    env={**env, "PYTHONPATH": os.pathsep.join([str(trees[name]), str(here)])},
                    check=True,
                    capture_output=True,
                    text=True,
                )
                got = json.loads(done.stdout.strip().splitlines()[-1])
                for field in ("listed", "stalls"):
                    results[name][field].extend(got[field])
    for name, got in results.items():
        listed, stalls = got["listed"], got["stalls"]
        print(
            f"{name:6} per key, listed: median {statistics.median(listed):6.1f} ms "
            f"(max {max(listed):6.1f}); longest stall while typing {max(stalls):6.1f} ms "
            f"(median of the sets {statistics.median(stalls):.1f}; "
            f"sets: {', '.join(f'{s:.0f}' for s in stalls)})"
        )


if __name__ == "__main__":
    main()
