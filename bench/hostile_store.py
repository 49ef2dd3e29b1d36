"""What a hostile ``.ipreader/`` costs one ``ipreader list``: wall time and peak memory.

Each case is a fresh folder of one article and one highlight whose store was
then edited by hand; the baseline is the same folder left alone, measured in
the same run. Every case is run ``--runs`` times (median reported), each on a
freshly made folder (a run may set a damaged file aside).

    python -m bench.hostile_store [--runs 3] [--tree PATH]

``--tree`` runs the ``ipreader`` package found under PATH instead (e.g. an
extracted ``git archive main``), to compare with the code before a change.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog.\n"

_CHILD = """
import sys
from ipreader.cli import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(f"peak_rss_kb={peak}", file=sys.stderr)
raise SystemExit(code)
"""


def _store(root: Path, text: str = TEXT, end: int = 16) -> Path:
    """Save one highlight of ``text`` in ``root``; return the store directory."""
    from ipreader.core.model import Annotation
    from ipreader.core.store import FolderStore

    (root / "a.txt").write_text(text, encoding="utf-8")
    FolderStore.open(root).save_annotation(Annotation.create(text, 7, end, "a.txt"))
    return root / ".ipreader"


def _annotations_file(store: Path) -> Path:
    [path] = (store / "annotations").glob("*.json")
    return path


def clean(root: Path) -> None:
    _store(root)


def document_tags(root: Path) -> None:
    index = _store(root) / "index.json"
    data = json.loads(index.read_text())
    [record] = data["documents"].values()
    record["tags"] = [f"tag{number}" for number in range(200_000)]
    index.write_text(json.dumps(data))


def empty_records(root: Path) -> None:
    path = _annotations_file(_store(root))
    rows = ",".join(f'"{number}":{{}}' for number in range(1_000_000))
    path.write_text('{"annotations":{' + rows + "}}")


def sparse_index(root: Path) -> None:
    with (_store(root) / "index.json").open("r+b") as file:
        file.truncate(256 * 1024 * 1024 + 1)


def periodic_quote(root: Path) -> None:
    # A 200,000-character quote of repetitive text, no longer there whole: the
    # approximate search cannot prune anything.
    text = "Title\n\n" + "a\n" * 250_000
    store = _store(root, text, 7 + 200_000)
    path = _annotations_file(store)
    data = json.loads(path.read_text())
    [row] = data["annotations"].values()
    row["quote"] = row["quote"][:-1] + "b"
    path.write_text(json.dumps(data))
    (root / "a.txt").write_text(text + "edited\n", encoding="utf-8")  # re-anchored on list


CASES: dict[str, Callable[[Path], None]] = {
    "baseline (untouched store)": clean,
    "document with 200,000 tags": document_tags,
    "annotations file of 1,000,000 empty records (12 MB)": empty_records,
    "sparse index.json of 256 MiB + 1 byte": sparse_index,
    "200,000-character quote in repetitive text": periodic_quote,
}


def run(make: Callable[[Path], None], tree: str | None) -> tuple[float, int]:
    """Make a fresh folder, run ``ipreader list`` on it; return (seconds, peak RSS bytes)."""
    with tempfile.TemporaryDirectory() as top:
        root = Path(top) / "folder"
        root.mkdir()
        make(root)
        env = {**os.environ, "IPREADER_DATA_DIR": str(Path(top) / "data")}
        if tree is not None:
            env["PYTHONPATH"] = tree
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, "list", str(root)],
            capture_output=True,
            text=True,
            env=env,
            cwd=top,  # not this checkout: ``-c`` puts the working directory first on the path
            timeout=600,
            check=False,
        )
        seconds = time.monotonic() - started
        if done.returncode != 0:
            raise SystemExit(f"ipreader list failed: {done.stderr[-500:]}")
        peak = int(done.stderr.rsplit("peak_rss_kb=", 1)[1].split()[0]) * 1024
        return seconds, peak


def main() -> None:
    """Print one line per case: median seconds and peak MiB of ``ipreader list``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", help="run the ipreader package under this directory")
    args = parser.parse_args()
    print(f"ipreader list, median of {args.runs} runs ({args.tree or 'this checkout'})")
    for name, make in CASES.items():
        results = [run(make, args.tree) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in results)
        peak = statistics.median(r[1] for r in results) / 2**20
        print(f"  {name:55} {seconds:6.2f} s  {peak:6.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
