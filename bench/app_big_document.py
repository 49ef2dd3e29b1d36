"""The app with N highlights in one book: open, then ``a`` / ``d`` / ``u`` / ``]`` (headless).

A 2 MB generated book (``bench/book.py``) gets N random highlights saved in one
batch through ``FolderStore.save_annotations`` (split into bucket files), then
``IpreaderApp`` opens it under ``run_test``: **text shown** is when the reading
pane first holds the text, **open** when the app's state holds the annotations,
**idle** when the opening's workers are done (the list's counts, read after the
article opened); the keys start there.
Per key: **screen** is the key
(``App.simulate_key``) until the app's state shows it and the screen has
refreshed after that (``painted``); **saved** is until the app's workers are
idle again (the store holds the change; the save runs in a worker), or ``-``
for a key that saves nothing. Medians of ``--rounds`` rounds are printed.

Each round is a fresh interpreter (``--child``), as each launch of the app is:
a round run in the process of the one before it also timed that app's objects,
kept alive or frozen (``tui/heap.py``), and a full collection of them at the
opening that no user's first opening has (0.4-0.55 s, ``RESULTS.md`` stop 32).
One launch first, not counted, is the user's earlier session: it writes the
read cache (``read_cache.py``) and the compiled modules (a temporary
``PYTHONPYCACHEPREFIX``) every later launch finds.
``--before TREE`` runs another checkout's app (its ``ipreader``, this file) in
the same rounds, in alternating order.

    .venv/bin/python -m bench.app_big_document [--highlights 20000] [--rounds 3] [--before TREE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections.abc import Callable
from pathlib import Path

from bench.book import make_book
from bench.lib.redraws import REDRAWS

BOOK_CHARS = 2_000_000


def prepare(folder: Path, highlights: int) -> Path:
    """Write the book and save ``highlights`` highlights on it; return the book's path."""
    from ipreader.core.library import Library
    from ipreader.core.model import COLORS, Annotation

    text, _chapters = make_book(BOOK_CHARS)
    book = folder / "book.txt"
    book.write_text(text, encoding="utf-8")
    library = Library.open([folder])
    [info] = library.documents()
    loaded, _ = library.load(info)
    rng = random.Random(1)
    made = []
    for _ in range(highlights):
        start = rng.randrange(0, len(loaded) - 100)
        end = start + rng.randint(5, 60)
        made.append(Annotation.create(loaded, start, end, info.relpath, color=rng.choice(COLORS)))
    started = time.perf_counter()
    library.store_for(info).save_annotations(made)
    print(f"saved {highlights:,} highlights in {time.perf_counter() - started:.2f} s")
    # A user opens a book whose highlights were saved earlier. A store file written
    # within the last 100 ms cannot be told apart from a rewrite by its stat, so the
    # store re-reads it on every read (``files.is_racy``): let the files settle.
    time.sleep(0.25)
    return book


async def painted(app: object, key: str, changed: Callable[[], bool]) -> float:
    """Press ``key``; ms until ``changed()`` holds and every widget the key asked to
    redraw is drawn (``bench.lib.redraws``: the frame showing all of it, not the first).

    The key goes in through ``App.simulate_key`` (as a terminal's would) and the
    state is polled every millisecond, so the figure is the app's own time to
    act on the key and draw the result, not ``pilot.pause``'s wait for the whole
    process to go idle (which also waits for the save worker and any timer).
    """
    from ipreader.tui.app import IpreaderApp

    assert isinstance(app, IpreaderApp)
    REDRAWS.arm()
    started = time.perf_counter()
    app.simulate_key(key)
    while not changed():
        await asyncio.sleep(0.001)
        if time.perf_counter() - started > 30:
            raise RuntimeError(f"{key} changed nothing in 30 s")
    return (await REDRAWS.drawn() - started) * 1000


async def one_round(book: Path) -> dict[str, float]:
    """Open the app on ``book`` and time each key (ms)."""
    from ipreader.tui.app import IpreaderApp

    REDRAWS.install()  # before the screen's frame timer takes its bound method
    app = IpreaderApp(paths=[book])
    times: dict[str, float] = {}
    started = time.perf_counter()
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(4000):
            await asyncio.sleep(0.005)
            screen = app.main_screen
            if "text shown" not in times and screen.reader.text:
                # Painted first (the text with its stored highlights), before the state is ready.
                times["text shown"] = (time.perf_counter() - started) * 1000
            if screen.annotations:
                break
        times["open"] = (time.perf_counter() - started) * 1000
        # The opening's last step, the list's counts, may still run (it follows the
        # article's opening): the keys are timed once the app is idle, as they were
        # when the article opened after the counts.
        for _ in range(6000):
            if not app.workers:
                break
            await asyncio.sleep(0.005)
        times["idle"] = (time.perf_counter() - started) * 1000
        screen = app.main_screen
        screen.reader.focus()
        for label, key in (("a", "a"), ("d", "d"), ("u", "u"), ("]", "right_square_bracket")):
            if label == "a":
                screen.reader.select(100, 120)
            await pilot.pause(0.3)
            before = len(screen.annotations)
            current = screen.current_annotation
            if label == "]":
                times[label] = await painted(
                    app, key, lambda current=current: screen.current_annotation != current
                )
                continue
            started = time.perf_counter()
            times[label] = await painted(
                app, key, lambda before=before: len(screen.annotations) != before
            )
            # Saved: the app's writer is idle again (the store holds the change).
            for _ in range(2000):
                if not app.workers:
                    break
                await pilot.pause(0.005)
            times[f"{label} saved"] = (time.perf_counter() - started) * 1000
    return times


def main() -> None:
    """Command line: ``--highlights N`` (20,000), ``--rounds R`` (3), ``--before TREE``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--highlights", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout, run in the same rounds")
    parser.add_argument("--child", type=Path, help="internal: one round on this book")
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(asyncio.run(one_round(args.child))), flush=True)
        return
    # Imported here: a child run from an older checkout has only what the child needs.
    from bench.lib.rounds import compare

    def book_in(workspace: Path) -> list[str]:
        folder = workspace / "book"
        folder.mkdir()
        return [str(prepare(folder, args.highlights))]

    name = f"{args.highlights:,} highlights in one book"
    compare(Path(__file__), args.before, args.rounds, name, book_in)


if __name__ == "__main__":
    main()
