"""Each of ``a`` / ``d`` / ``u`` / ``]`` with N highlights in one book: wall and UI-thread CPU.

The book and its highlights are made as in ``bench.app_big_document``; the app
opens it headless, then each key is pressed ``R`` times (a fresh selection for
each ``a``, the writer idle before each key). **wall** is from the key to the
end of the frame by which every widget it asked to redraw was drawn
(``bench.lib.redraws``: a key's panes may be drawn over two frames, and the first
frame after the state changed can leave out the sidebar); **ui-cpu** is the CPU time
the UI thread spent meanwhile (``time.thread_time``), less sensitive to other
processes than the wall time. Medians are printed.

    .venv/bin/python -m bench.app_keys [N=20000] [R=4]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import bench.app_big_document as b
from bench.lib.redraws import REDRAWS

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
R = int(sys.argv[2]) if len(sys.argv) > 2 else 4


async def timed(app: object, key: str, changed: Callable[[], bool]) -> tuple[float, float]:
    """Press ``key``: (wall ms, UI-thread CPU ms) until ``changed()`` and every widget
    it asked to redraw is drawn (``bench.lib.redraws``)."""
    from ipreader.tui.app import IpreaderApp

    assert isinstance(app, IpreaderApp)
    REDRAWS.arm()
    c0 = time.thread_time()
    w0 = time.perf_counter()
    app.simulate_key(key)
    while not changed():
        await asyncio.sleep(0.001)
    drawn = await REDRAWS.drawn()
    return (drawn - w0) * 1000, (time.thread_time() - c0) * 1000


async def run(book: Path) -> None:
    """Open the app on ``book`` and time the keys."""
    from ipreader.tui.app import IpreaderApp

    REDRAWS.install()  # before the screen's frame timer takes its bound method
    app = IpreaderApp(paths=[book])
    res: dict[str, list[tuple[float, float]]] = {k: [] for k in "adu]"}
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(4000):
            await asyncio.sleep(0.005)
            if app.main_screen.annotations:
                break
        screen = app.main_screen
        screen.reader.focus()
        await pilot.pause(0.5)
        for i in range(R):
            for label, key in (("a", "a"), ("d", "d"), ("u", "u"), ("]", "right_square_bracket")):
                if label == "a":
                    screen.reader.select(100 + 40 * i, 120 + 40 * i)
                await pilot.pause(0.3)
                for _ in range(2000):
                    if not app.workers:
                        break
                    await pilot.pause(0.005)
                before = len(screen.annotations)
                cur = screen.current_annotation
                if label == "]":
                    r = await timed(app, key, lambda cur=cur: screen.current_annotation != cur)
                else:
                    r = await timed(
                        app, key, lambda before=before: len(screen.annotations) != before
                    )
                res[label].append(r)
    for k, v in res.items():
        wall = statistics.median(x[0] for x in v)
        cpu = statistics.median(x[1] for x in v)
        print(f"{k}: wall {wall:6.0f} ms  ui-cpu {cpu:6.0f} ms")


def main() -> None:
    """Build the book in a temporary folder and time the keys."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["IPREADER_DATA_DIR"] = str(Path(tmp) / "data")
        folder = Path(tmp) / "book"
        folder.mkdir()
        book = b.prepare(folder, N)
        asyncio.run(run(book))


if __name__ == "__main__":
    main()
