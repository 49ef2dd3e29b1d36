"""A whole-folder store read on a warm cache, split into its parts: this checkout and another.

What ``list``, ``report``, ``agreement`` and ``export`` pay before their own work
(issues 13, 14): the store's open (its index, through the index cache) and
``FolderStore.stored_documents`` (every annotation file, through the read
cache), each in a fresh process of either version, CPU seconds (``process_time``:
on a loaded machine the least distorted figure), best of three calls in the
process, with the garbage collector paused as the CLI pauses it for every command
(``core/gc_pause.py``; before this branch the app's worker did not, and paid more);
and the same read in a fresh process right after one annotation file was replaced
(a new inode, as a save leaves it), where the read cache is written again.

Each round runs both versions, in alternating order; each version has its own
cache directory (their cache formats may differ) and they read the same folder.

    .venv/bin/python -m bench.store_read --folder DIR [--before TREE] [--rounds 5]

Also prints, for this checkout, the parts of a warm read (one lstat per
annotation file, loading the cache file, building the annotations). Run it under
``env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=DIR`` so both versions keep
compiled modules.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.lib.process import load_average
from bench.lib.timing import median
from bench.lib.workdirs import temp_dir

REPO = Path(__file__).resolve().parent.parent

# argv: folder, mode ("warm" or "changed"). Prints one JSON line of CPU seconds.
_CHILD = r"""
import json, sys, time
from pathlib import Path
from ipreader.core.gc_pause import gc_paused
from ipreader.core.store import FolderStore
folder, mode = Path(sys.argv[1]), sys.argv[2]
gc_paused().__enter__()  # as the CLI runs every command: collections are not measured
def cpu(fn):
    began = time.process_time()
    fn()
    return time.process_time() - began
if mode == "changed":  # the first read after the change: the cache is written again
    print(json.dumps({"changed": cpu(lambda: FolderStore.open(folder).stored_documents())}))
else:
    FolderStore.open(folder).stored_documents()  # caches written if they were not
    opens, reads = [], []
    for _ in range(3):
        began = time.process_time()
        store = FolderStore.open(folder)
        opens.append(time.process_time() - began)
        reads.append(cpu(store.stored_documents))
    print(json.dumps({"open": min(opens), "stored": min(reads)}))
"""

# argv: folder. The parts of this checkout's warm read, CPU seconds, best of three.
_PARTS = r"""
import json, os, sys, time
from pathlib import Path
from ipreader.core.store import FolderStore
from ipreader.core.store.read_cache import ReadCache
folder = Path(sys.argv[1])
store = FolderStore.open(folder)
store.stored_documents()
directory = store.location / "annotations"
names = [os.path.join(directory, name) for name in os.listdir(directory)]
def cpu(fn):
    began = time.process_time()
    fn()
    return time.process_time() - began
parts = {"lstat each file": [], "load the cache file": [], "build the annotations": []}
for _ in range(3):
    parts["lstat each file"].append(cpu(lambda: [os.lstat(name) for name in names]))
    cache = ReadCache(store.location)
    parts["load the cache file"].append(cpu(cache._decoded))
    loaded = cache._decoded()
    parts["build the annotations"].append(cpu(lambda: loaded is not None and loaded.parse(0)))
print(json.dumps({name: min(values) for name, values in parts.items()}))
"""


def _env(tree: Path, cache: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(tree),
        "IPREADER_CACHE_DIR": str(cache),
        "IPREADER_DATA_DIR": str(cache / "data"),
    }


def _child(code: str, tree: Path, cache: Path, *argv: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        cwd="/",  # python -c puts the working directory first on the path
        env=_env(tree, cache),
        check=True,
        capture_output=True,
        text=True,
    )
    parsed: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return parsed


def _replace_one_file(folder: Path) -> None:
    """Replace one annotation file by a copy of itself (a new inode), as a save would."""
    first = min((folder / ".ipreader" / "annotations").glob("*.json"))
    temp = first.with_name(".bench-" + first.name)
    shutil.copyfile(first, temp)
    os.replace(temp, first)
    time.sleep(0.15)  # past the racy window: the new file is settled when read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True, help="an annotated folder")
    parser.add_argument("--before", type=Path, help="a copy of the code to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    trees = {"after": REPO}
    if args.before is not None:
        trees = {"before": args.before.resolve(), **trees}
    folder = str(args.folder.resolve())
    with temp_dir("store-read-") as work:
        caches = {name: work / name for name in trees}
        found: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
        loads: list[str] = []
        for number in range(args.rounds):
            order = list(trees) if number % 2 == 0 else list(trees)[::-1]
            for name in order:
                for key, value in _child(_CHILD, trees[name], caches[name], folder, "warm").items():
                    found[name].setdefault(key, []).append(value)
            for name in order:
                _replace_one_file(args.folder)
                got = _child(_CHILD, trees[name], caches[name], folder, "changed")
                found[name].setdefault("changed", []).append(got["changed"])
            loads.append(load_average())
        parts = _child(_PARTS, REPO, caches["after"], folder)
    print(f"{folder}: medians of {args.rounds} rounds, CPU seconds")
    print(
        f"{'part':32} "
        + " ".join(f"{name:>8}" for name in trees)
        + ("   after/before" if len(trees) > 1 else "")
    )
    for key in ("open", "stored", "changed"):
        values = [median(found[name][key]) for name in trees]
        ratio = f"   {values[-1] / values[0]:.2f}" if len(values) > 1 else ""
        label = {
            "open": "store open (index)",
            "stored": "stored_documents, warm",
            "changed": "open + read, one file changed",
        }[key]
        print(f"{label:32} " + " ".join(f"{value:8.3f}" for value in values) + ratio)
    print("\nparts of a warm read, this checkout (best of 3):")
    for key, value in parts.items():
        print(f"  {key:30} {value:.3f}")
    print("\nload average (1/5/15 min) after each round: " + "; ".join(loads))


if __name__ == "__main__":
    main()
