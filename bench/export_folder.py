"""Export of a 10,000-article folder (20,000 annotations): where the time goes, before/after.

Two figures per export format, for this checkout and (``--before TREE``) another
copy of the code, interleaved round by round (ABBA) on the same machine:

* **in-process**, split into its parts: ``Library.open``, ``collect`` (of it the
  store's ``stored_documents``), rendering, the atomic write; wall and CPU
  seconds of each (CPU is what a loaded machine distorts least). Each sample is
  a fresh process of the version running one untimed export (caches warm: the
  metadata cache, the read cache, the verified-documents cache) then timed ones;
* **whole process**: ``python -m ipreader export FOLDER -o FILE --format F``,
  wall and CPU (user + system of the child), against ``python -c "import
  tinydb"`` in the same rounds.

Each version gets its own copy of the folder and its own data and cache
directories (their caches' formats may differ). The outputs of the two versions
are compared byte for byte (both export the same copy once more for it, with
``exported_at`` fixed; the qdpx zip is left out: its entries carry the time).

    .venv/bin/python -m bench.export_folder [--folder DIR] [--before TREE]
        [--rounds N] [--formats json,w3c,...] [--quick]

Without ``--folder`` a folder is built as ``bench.folder_scale`` builds it
(10,000 articles, 20,000 annotations; ``--quick``: 300 articles). Run it under
``env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=DIR`` so both versions keep
compiled modules, as an installed ipreader does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.lib.process import load_average
from bench.lib.timing import median
from bench.lib.workdirs import temp_dir

#: Every format ``ipreader export`` writes.
FORMATS = ("json", "w3c", "markdown", "csv", "qdc", "qdpx")

#: The parts of one in-process export, in the order they are printed.
PARTS = ("total", "open", "collect", "stored", "collect-stored", "render", "write")

# Run in a fresh process of the version under test: argv = folder, format, runs, out.
_CHILD = r"""
import gc, json, sys, time
from pathlib import Path
folder, fmt, runs, out = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
import ipreader.core.export as export
import ipreader.core.export.structure as structure
import ipreader.core.store.folder_store as folder_store
from ipreader.core.library import Library
from ipreader.core.storage import atomic_write_bytes
structure.utc_now_iso = lambda: "2000-01-01T00:00:00.000Z"  # the same bytes each run
spent = {}
def timed(owner, name, label):
    inner = getattr(owner, name)
    def wrapper(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            got = spent.setdefault(label, [0.0, 0.0])
            got[0] += time.perf_counter() - wall
            got[1] += time.process_time() - cpu
    setattr(owner, name, wrapper)
timed(Library, "open", "open")
timed(export, "_collect", "collect")
timed(folder_store.FolderStore, "stored_documents", "stored")
timed(export, "_file_bytes", "render")
for number in range(runs + 1):
    spent.clear()
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    data = export.export_bytes(Library.open([folder]), fmt)
    w2, c2 = time.perf_counter(), time.process_time()
    atomic_write_bytes(out, data)
    spent["write"] = [time.perf_counter() - w2, time.process_time() - c2]
    spent["total"] = [time.perf_counter() - wall, time.process_time() - cpu]
    spent["collect-stored"] = [a - b for a, b in zip(spent["collect"], spent["stored"])]
    if number:  # the first run fills the caches
        print(json.dumps(spent), flush=True)
"""


def _env(tree: Path, work: Path) -> dict[str, str]:
    """The environment running the code of ``tree`` with its own data and cache dirs."""
    return {
        **os.environ,
        "PYTHONPATH": str(tree),
        "IPREADER_DATA_DIR": str(work / "data"),
        "IPREADER_CACHE_DIR": str(work / "cache"),
    }


def _in_process(
    tree: Path, work: Path, fmt: str, runs: int, folder: Path | None = None
) -> list[dict[str, list[float]]]:
    out = work / f"out.{fmt}"
    folder = work / "folder" if folder is None else folder
    argv = [sys.executable, "-c", _CHILD, str(folder), fmt, str(runs), str(out)]
    done = subprocess.run(
        argv, cwd=tree, env=_env(tree, work), check=True, capture_output=True, text=True
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def _whole(argv: list[str], tree: Path, work: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run(
        argv,
        cwd=tree,
        env=_env(tree, work),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _build(folder: Path, articles: int) -> None:
    from bench.folder_scale import build

    build(folder, articles)


def run(
    folder: Path | None, before: Path | None, rounds: int, formats: list[str], articles: int
) -> None:
    """Measure, interleaved, and print one table per format."""
    here = Path(__file__).resolve().parent.parent
    trees = {"after": here} if before is None else {"before": before.resolve(), "after": here}
    print(f"load average before: {load_average()}", flush=True)
    with temp_dir("export-folder-") as tmp:
        source = tmp / "source"
        if folder is None:
            _build(source, articles)
        else:
            shutil.copytree(folder, source, symlinks=True)
        for name in trees:
            (tmp / name).mkdir()
            shutil.copytree(source, tmp / name / "folder", symlinks=True)
        shutil.rmtree(source)
        inner: dict[tuple[str, str], list[dict[str, list[float]]]] = {}
        whole: dict[tuple[str, str], list[tuple[float, float]]] = {}
        order = list(trees)
        for fmt in formats:
            for number in range(rounds):
                names = order if number % 2 == 0 else order[::-1]  # ABBA
                for name in names:
                    work = tmp / name
                    inner.setdefault((name, fmt), []).extend(_in_process(trees[name], work, fmt, 1))
                    argv = [sys.executable, "-m", "ipreader", "export", str(work / "folder")]
                    argv += ["-o", str(work / f"cli.{fmt}"), "--format", fmt]
                    if number == 0:
                        _whole(argv, trees[name], work)  # compiles, warms
                    whole.setdefault((name, fmt), []).append(_whole(argv, trees[name], work))
                    tinydb = [sys.executable, "-c", "import tinydb"]
                    whole.setdefault(("python", fmt), []).append(_whole(tinydb, here, work))
            same = ""
            if before is not None and fmt != "qdpx":
                # Both versions export one folder (W3C and REFI-QDA name it in their ids).
                for name in trees:
                    (tmp / f"same-{name}").mkdir(exist_ok=True)
                    _in_process(trees[name], tmp / f"same-{name}", fmt, 0, tmp / "after" / "folder")
                equal = _digest(tmp / "same-before" / f"out.{fmt}") == _digest(
                    tmp / "same-after" / f"out.{fmt}"
                )
                same = "identical" if equal else "**DIFFERENT**"
            print(f"\n### {fmt}: {rounds} rounds, load {load_average()}; bytes {same}\n")
            print("| version | " + " | ".join(PARTS) + " | `ipreader export` | python |")
            print("|---" * (len(PARTS) + 3) + "|")
            for name in order:
                samples = inner[(name, fmt)]
                cells = [
                    f"{median([s[p][0] for s in samples]):.3f} / "
                    f"{median([s[p][1] for s in samples]):.3f}"
                    for p in PARTS
                ]
                cli = whole[(name, fmt)]
                py = whole[("python", fmt)]
                cells.append(
                    f"{median([w for w, _ in cli]):.3f} / {median([c for _, c in cli]):.3f}"
                )
                cells.append(f"{median([w for w, _ in py]):.3f} / {median([c for _, c in py]):.3f}")
                print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
        print("\n(each cell: wall / CPU seconds, median)")


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, help="an annotated folder to copy (else built)")
    parser.add_argument("--before", type=Path, help="a copy of the code to compare with")
    parser.add_argument("--rounds", type=int, default=4, help="rounds per format (default 4)")
    parser.add_argument("--formats", default="json", help="comma-separated, or 'all'")
    parser.add_argument("--quick", action="store_true", help="one round, a small folder")
    args = parser.parse_args()
    formats = list(FORMATS) if args.formats == "all" else args.formats.split(",")
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        parser.error(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    articles = 300 if args.quick else 10_000
    run(args.folder, args.before, 1 if args.quick else args.rounds, formats, articles)


if __name__ == "__main__":
    main()
