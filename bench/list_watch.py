"""The live document list's check (``tui/list_watch.py``) on a folder of 10,000 articles.

The folder is ``lib.folders``' (the BBC corpus copied into sub-folders, 2
annotations per article). Timed in-process, in the worker's thread as the app
runs it (no UI thread here), medians of ``--runs``:

* idle: a check when nothing changed (a stat per directory and four per store);
* added: a check after one article was copied into the folder (the folder
  walked again, the new article read, the store's records read for the counts);
* store: a check after another program saved one annotation (the store's
  records read again with this process's parses, every count sent);
* the store's pass alone after another program's save, ``stored_documents()``
  (the user's read cache written again) against ``persist=False``, alternating.

``--app``: the same folder in a headless app (160x48); after another program's
save, the longest event-loop stall (a 10 ms ticker) until the list shows the
new count, against the same wait with nothing changed.

    .venv/bin/python -m bench.list_watch [--count N] [--runs N] [--app]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import time
from pathlib import Path

from bench.lib.folders import make_annotated_folder
from bench.lib.process import load_average
from bench.lib.timing import median
from bench.lib.workdirs import isolated_data_dir, temp_dir
from ipreader.core.documents import read_document
from ipreader.core.library import Library
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore
from ipreader.tui.list_watch import ListWatch


def timed(action: object) -> float:
    """Seconds ``action()`` took (wall clock)."""
    assert callable(action)
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


async def app_stalls(root: Path, runs: int) -> tuple[list[float], list[float], list[float]]:
    """Longest stalls during an idle check and a check after another program's save, and
    the seconds from that check's start until the list showed the count."""
    from bench.lib.stalls import StallProbe
    from ipreader.tui.app import IpreaderApp

    app = IpreaderApp(paths=[root])
    idle, changed, shown = [], [], []
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(300):  # the library open and counted
            await pilot.pause(0.1)
            if app.main_screen.library is not None and not app.main_screen.document_list.counting:
                break
        screen = app.main_screen
        screen.check_the_list()  # notes the folder
        await app.workers.wait_for_complete()
        other = FolderStore.open(root)
        for run in range(runs):
            probe = StallProbe()
            probe.start()
            screen.check_the_list()
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            idle.append(await probe.stop())
            target = screen.documents[run * 13]
            text = read_document(target.path).text
            other.save_annotation(Annotation.create(text, 12 + run, 17 + run, target.relpath))
            count = other.annotations(target.relpath)
            probe = StallProbe()
            probe.start()
            started = time.perf_counter()
            screen.check_the_list()
            while screen.stats.get(target.path) is None or (
                screen.stats[target.path].highlights != len(count)
            ):
                await asyncio.sleep(0.01)
            shown.append(time.perf_counter() - started)
            await pilot.pause(0.3)
            changed.append(await probe.stop())
    return idle, changed, shown


def main() -> None:
    """Build the folder, then time each kind of check."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--app", action="store_true")
    args = parser.parse_args()
    with isolated_data_dir(), temp_dir("list-watch") as base:
        root = base / "articles"
        root.mkdir()
        started = time.perf_counter()
        make_annotated_folder(root, args.count, 2 * args.count)
        print(f"folder of {args.count:,} articles built in {time.perf_counter() - started:.0f} s")
        if args.app:
            idle, changed, shown = asyncio.run(app_stalls(root, args.runs))
            print(f"load {load_average()}")
            for name, values in (
                ("idle check, longest stall", idle),
                ("store check, longest stall", changed),
                ("store check, count shown after", shown),
            ):
                listed = ", ".join(f"{v * 1000:.0f}" for v in values)
                print(f"{name}: median {median(values) * 1000:.0f} ms ({listed})")
            return
        library = Library.open([root])
        collection = library.collections[0]
        watch = ListWatch([root])
        watch.check(library)  # the first check notes the folder
        directories = {info.path.parent for info in collection.documents}
        print(f"{len(directories):,} directories, load {load_average()}")
        idle = [timed(lambda: watch.check(library)) for _ in range(args.runs * 5)]
        source = collection.documents[0].path
        added, store_changed = [], []
        other = FolderStore.open(root)
        for run in range(args.runs):
            copy = source.parent / f"zz-added-{run}.txt"
            shutil.copy(source, copy)
            change = None

            def check() -> None:
                nonlocal change
                change = watch.check(library)

            added.append(timed(check))
            assert change is not None and len(change.added) == 1, change
            target = collection.documents[run * 7]
            document = read_document(target.path)
            start = 10 + run
            other.save_annotation(
                Annotation.create(document.text, start, start + 5, target.relpath)
            )
            time.sleep(0.05)  # the store's token changes (coarse-clock nonce aside)
            store_changed.append(timed(check))
            assert change is not None and target.path in change.stats, change
        # The store's pass alone after another program's save, the user's read cache
        # written again (as before the list watch asked for persist=False) or not.
        persisting, unpersisted = [], []
        for run in range(args.runs):
            for persist, into in ((True, persisting), (False, unpersisted)):
                target = collection.documents[100 + run * 2 + persist]
                text = read_document(target.path).text
                other.save_annotation(Annotation.create(text, 20, 25, target.relpath))
                time.sleep(0.15)  # past the racy window: the signatures settle
                into.append(timed(lambda p=persist: collection.store.stored_documents(persist=p)))
        for name, values in (
            ("idle", idle),
            ("added", added),
            ("store", store_changed),
            ("pass, persisting", persisting),
            ("pass, not", unpersisted),
        ):
            shown = ", ".join(f"{v * 1000:.1f}" for v in sorted(values)[:7])
            print(f"{name:>16}: median {median(values) * 1000:.2f} ms  (fastest: {shown} ms)")


if __name__ == "__main__":
    main()
