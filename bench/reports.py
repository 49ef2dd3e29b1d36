"""Coding reports and agreement on 2,000 articles with 20,000 highlights: the whole CLI process.

Target (issue 14): ``ipreader report`` and ``ipreader agreement`` on that
folder take at most 1 s each, start-up included, with the metadata cache
warm. The folder is built here from copies of the BBC corpus (each copy with a
line of its own, so every file has its own hash): half of the highlights by
``ada``, half by ``ben``, whose highlights mostly follow ada's with shifted
ends and now and then another tag (so agreement has work to do), tags from a
two-level codebook, colours and creation dates spread over a year.

Every command is run ``--runs`` times, round-robin with the baselines
(``ipreader list`` on the same folder, and a bare ``python -c pass``) so that
load on the shared machine hits all alike; the medians of wall time and of
the child's CPU time (user + system) are printed, each also as a multiple of
the baseline's.

    .venv/bin/python bench/reports.py [--articles 2000] [--highlights 20000] [--runs 7]
        [--before CHECKOUT]

With ``--before CHECKOUT`` (another checkout's directory, e.g. ``git archive``
of main) every ipreader command is also run with that checkout's ``ipreader``
first on ``PYTHONPATH``, interleaved with this one's, on its own copy of the
folder with its own data and cache directories (versions whose caches differ
in form would otherwise invalidate each other's on every run), and the table
shows both with after/before ratios: a same-run baseline.

The decoded read cache (``core/store/read_cache.py``, in ``IPREADER_CACHE_DIR``,
here a folder of the run) is measured three ways: *warm* (the main table: the
second and later runs of each command, the folder unchanged), *one file
changed* (before each run one document's annotation file is rewritten: a new
inode, as a save leaves it, so that file is read afresh and the cache
rewritten) and *cold* (the cache folder removed before each run). A checkout
without the cache runs the same way in all three.

Imports only ipreader and the standard library (bench/common.py is being
reorganised).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("IPREADER_BENCH_CORPUS", REPO.parent / "shared" / "corpus" / "bbc"))

CODEBOOK = [
    "economy",
    "economy/growth",
    "economy/jobs",
    "economy/markets",
    "policy",
    "policy/patents",
    "policy/trade",
    "policy/tax",
    "technology",
    "technology/mobile",
    "technology/internet",
    "technology/games",
    "people/executives",
    "people/consumers",
    "claim",
    "evidence",
]
COLORS = ["yellow", "green", "blue", "pink", "purple"]
TARGET = 1.0


def build_folder(root: Path, articles: int, highlights: int, seed: int = 7) -> int:
    """Write ``articles`` distinct corpus copies under ``root``, code them; return the count."""
    from ipreader.core.documents import read_document
    from ipreader.core.library import Library
    from ipreader.core.model import Annotation

    sources = sorted(p for p in CORPUS.rglob("*.txt") if p.is_file())
    if not sources:
        raise SystemExit(f"{CORPUS} holds no articles (set IPREADER_BENCH_CORPUS)")
    for number in range(articles):
        source = sources[number % len(sources)]
        target = root / source.parent.name / f"{number:05d}-{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8", errors="replace")
        target.write_text(f"{text.rstrip()}\n\nCopy {number} of {source.name}.\n", encoding="utf-8")
    rng = random.Random(seed)
    library = Library.open([root])
    per_document = max(2, highlights // articles)
    made: list[Annotation] = []
    for info in library.documents():
        text = read_document(info.path).text
        for _ in range(per_document // 2):
            start = rng.randrange(0, max(1, len(text) - 250))
            end = min(len(text), start + rng.randint(20, 200))
            tags = rng.sample(CODEBOOK, rng.choice((1, 1, 2, 3)))
            created = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00.000Z"
            ada = Annotation.create(
                text, start, end, info.relpath, tags=tags, creator="ada", color=rng.choice(COLORS)
            )
            made.append(replace(ada, created=created, updated=created))
            # ben mostly agrees: the same passage give or take a few words, now and then
            # another code.
            b_start = max(0, start + rng.randint(-15, 15))
            b_end = min(len(text), max(b_start + 5, end + rng.randint(-30, 30)))
            b_tags = tags if rng.random() < 0.7 else rng.sample(CODEBOOK, 1)
            ben = Annotation.create(
                text, b_start, b_end, info.relpath, tags=b_tags, creator="ben", color="green"
            )
            made.append(replace(ben, created=created, updated=created))
    library.collections[0].store.save_annotations(made)
    return len(made)


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``argv`` once, output discarded; return (wall, CPU) seconds; fail loudly on an error.

    CPU is the child's user + system time: on a shared, loaded machine it stays
    close to what the wall time would be on an idle one, where the wall time
    mostly measures the queue for a core.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    # Run from the root directory: ``python -m`` puts the working directory first on the
    # path, which would shadow a --before checkout given through PYTHONPATH.
    done = subprocess.run(argv, env=env, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--highlights", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", type=Path, help="a checkout to compare with (same run)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ipreader-bench-reports-"))
    try:
        cache = work / "cache"
        env = {
            **os.environ,
            "IPREADER_DATA_DIR": str(work / "data"),
            "IPREADER_CACHE_DIR": str(cache),
        }
        os.environ["IPREADER_DATA_DIR"] = env["IPREADER_DATA_DIR"]
        folder = work / "articles"
        began = time.perf_counter()
        count = build_folder(folder, args.articles, args.highlights)
        print(
            f"built {args.articles:,} articles, {count:,} highlights in "
            f"{time.perf_counter() - began:.1f} s ({folder})"
        )
        ipreader = [sys.executable, "-m", "ipreader"]
        out = str(work / "out")
        commands = {
            "python -c pass (interpreter floor)": [sys.executable, "-c", "pass"],
            "ipreader list (baseline)": [*ipreader, "list", str(folder)],
            "report (codes, table)": [*ipreader, "report", str(folder)],
            "report --format csv -o": [
                *ipreader,
                "report",
                str(folder),
                "--format",
                "csv",
                "-o",
                out,
            ],
            "report --format json -o": [
                *ipreader,
                "report",
                str(folder),
                "--format",
                "json",
                "-o",
                out,
            ],
            "report --format markdown -o": [
                *ipreader,
                "report",
                str(folder),
                "--format",
                "markdown",
                "-o",
                out,
            ],
            "report --tag policy --tag claim --match all": [
                *ipreader,
                "report",
                str(folder),
                "--tag",
                "policy",
                "--tag",
                "claim",
                "--match",
                "all",
            ],
            "report --kind matrix": [*ipreader, "report", str(folder), "--kind", "matrix"],
            "report --kind cooccurrence": [
                *ipreader,
                "report",
                str(folder),
                "--kind",
                "cooccurrence",
            ],
            "agreement --coders ada ben": [
                *ipreader,
                "agreement",
                str(folder),
                "--coders",
                "ada",
                "ben",
            ],
            "agreement --coders ada ben --json": [
                *ipreader,
                "agreement",
                str(folder),
                "--coders",
                "ada",
                "ben",
                "--json",
            ],
        }
        envs = {"": env}
        folders = {"": str(folder)}
        if args.before is not None:
            # The other checkout gets its own copy of the folder and its own data and
            # cache directories: two versions whose caches differ in form, sharing one,
            # would each find the other's and read everything afresh on every run.
            theirs = work / "articles-before"
            shutil.copytree(folder, theirs, symlinks=True)
            folders["before: "] = str(theirs)
            envs["before: "] = {
                **env,
                "PYTHONPATH": str(args.before.resolve()),
                "IPREADER_DATA_DIR": str(work / "data-before"),
                "IPREADER_CACHE_DIR": str(work / "cache-before"),
            }
        runs = [
            (prefix + name, [folders[prefix] if a == str(folder) else a for a in argv], run_env)
            for name, argv in commands.items()
            for prefix, run_env in envs.items()
            if not (prefix and "floor" in name)
        ]
        for _name, argv, run_env in runs:  # warm-up: metadata cache, hashes, OS cache
            timed(argv, run_env)
        walls: dict[str, list[float]] = {name: [] for name, _a, _e in runs}
        cpus: dict[str, list[float]] = {name: [] for name, _a, _e in runs}
        for _ in range(args.runs):
            for name, argv, run_env in runs:
                wall, cpu = timed(argv, run_env)
                walls[name].append(wall)
                cpus[name].append(cpu)
        base_wall = statistics.median(walls["ipreader list (baseline)"])
        base_cpu = statistics.median(cpus["ipreader list (baseline)"])
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"\nmedians of {args.runs} runs, warm, load average {load:.2f} "
            f"({os.cpu_count()} CPUs); target <= {TARGET:.1f} s wall\n"
        )
        print(
            f"{'command':46} {'wall':>7} {'min':>7} {'x list':>7} {'CPU':>7} {'min':>7} "
            f"{'x list':>7}  target (wall / CPU)"
        )
        for name in commands:
            wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
            met = ""
            if "baseline" not in name and "floor" not in name:
                met = " / ".join("met" if v <= TARGET else "missed" for v in (wall, cpu))
            print(
                f"{name:46} {wall:7.3f} {min(walls[name]):7.3f} {wall / base_wall:7.2f} "
                f"{cpu:7.3f} {min(cpus[name]):7.3f} {cpu / base_cpu:7.2f}  {met}"
            )
        if args.before is not None:
            print(f"\nbefore = {args.before}; after = this checkout (medians, same run)\n")
            print(
                f"{'command':46} {'wall before':>11} {'after':>7} {'x':>5} "
                f"{'CPU before':>11} {'after':>7} {'x':>5}"
            )
            for name in commands:
                if "floor" in name:
                    continue
                old_wall = statistics.median(walls["before: " + name])
                old_cpu = statistics.median(cpus["before: " + name])
                wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
                print(
                    f"{name:46} {old_wall:11.3f} {wall:7.3f} {wall / old_wall:5.2f} "
                    f"{old_cpu:11.3f} {cpu:7.3f} {cpu / old_cpu:5.2f}"
                )
        cold_rows(commands, envs, folder, cache, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def rewrite_one_store_file(folder: Path) -> None:
    """Replace one annotation file by a copy of itself (a new inode), as a save would."""
    first = min((folder / ".ipreader" / "annotations").glob("*.json"))
    temp = first.with_name(".bench-" + first.name)
    shutil.copyfile(first, temp)
    os.replace(temp, first)


def cold_rows(
    commands: dict[str, list[str]],
    envs: dict[str, dict[str, str]],
    folder: Path,
    cache: Path,
    runs: int,
) -> None:
    """Time this checkout's commands after one store file changed, and with no cache at all.

    A checkout without the read cache runs alike warm or not: its warm figures
    above are the baseline.
    """
    times: dict[str, list[tuple[float, float]]] = {}
    for _ in range(runs):
        for name, argv in commands.items():
            if "floor" in name:
                continue
            rewrite_one_store_file(folder)
            times.setdefault(f"changed {name}", []).append(timed(argv, envs[""]))
            shutil.rmtree(cache, ignore_errors=True)
            times.setdefault(f"cold {name}", []).append(timed(argv, envs[""]))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nthe read cache not warm: medians of {runs} runs, load average {load:.2f}\n")
    print(f"{'command':46} {'changed: wall':>13} {'CPU':>7} {'cold: wall':>11} {'CPU':>7}")
    for name in commands:
        if "floor" in name:
            continue
        row = f"{name:46}"
        for mode in ("changed", "cold"):
            walls = [wall for wall, _cpu in times[f"{mode} {name}"]]
            cpus = [cpu for _wall, cpu in times[f"{mode} {name}"]]
            width = 13 if mode == "changed" else 11
            row += f" {statistics.median(walls):{width}.3f} {statistics.median(cpus):7.3f}"
        print(row)


if __name__ == "__main__":
    main()
