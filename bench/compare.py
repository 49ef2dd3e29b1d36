"""Compare two checkouts on the issue-8 figures, one sample at a time, interleaved (ABBA...).

    .venv/bin/python bench/compare.py /work/wt-base /tmp/cmp-main --rounds 7
    .venv/bin/python bench/compare.py BEFORE AFTER --only startup save --rounds 5

Each checkout gets one long-lived worker: its own interpreter
(``CHECKOUT/.venv/bin/python`` when present, else ``--python``) running this
file with ``--worker``, its working directory the checkout, so it imports that
checkout's ``ipreader`` and that checkout's bench helpers (either layout: the
``bench`` package with ``bench/lib/``, or the older ``bench/common.py``
scripts). A worker builds its data once (a 20 MB text, a folder of 2,000
articles with 20,000 annotations) and then answers one sample per request.
The parent asks A, B, B, A, A, B, ... so a change of machine load during the run
hits both checkouts alike; that is what makes two figures from a loaded
machine comparable. Prints medians, spreads (min-max) and B/A per figure.

``--bytecode cached`` (the default) runs the workers, and the processes they
start, with their compiled modules kept in a temporary ``PYTHONPYCACHEPREFIX``
(written by the warm-up round), as an installed ipreader has them (pip compiles
them at install). ``--bytecode source`` keeps the caller's environment: with
``PYTHONDONTWRITEBYTECODE=1`` (this machine's default) every start-up compiles
ipreader's modules from source again, which costs in proportion to the amount
of source imported, not to the work done.
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
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

#: Figure groups a worker can sample, in the order they run each round.
KINDS = ("startup", "open", "render", "save", "export")
#: The issue-8 bound: B may be at most this much slower than A.
TOLERANCE = 1.10


# ----------------------------------------------------------------------------- worker


class Worker:
    """Samples of the figures in the current checkout (runs inside ``--worker``)."""

    def __init__(self) -> None:
        root = Path.cwd()
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
        sys.path.insert(0, str(root))
        self.new_layout = (root / "bench" / "lib").is_dir()
        if not self.new_layout:
            sys.path.insert(0, str(root / "bench"))
        self.stack = ExitStack()
        self.data: dict[str, Any] = {}
        self.stack.enter_context(self.helper("workdirs", "isolated_data_dir")())

    def bench(self, name: str) -> Any:
        """The checkout's bench module ``name`` (``bench.NAME`` or the script ``NAME``)."""
        import importlib

        return importlib.import_module(f"bench.{name}" if self.new_layout else name)

    def helper(self, lib: str, name: str) -> Any:
        """A shared bench helper: ``bench.lib.LIB.NAME`` or ``common.NAME``."""
        import importlib

        module = importlib.import_module(f"bench.lib.{lib}" if self.new_layout else "common")
        return getattr(module, name)

    def tmp(self, prefix: str) -> Path:
        """A temporary folder that lives as long as the worker."""
        path: Path = self.stack.enter_context(self.helper("workdirs", "temp_dir")(prefix))
        return path

    def folder(self) -> Path:
        """The annotated folder (2,000 articles, 20,000 annotations), built on first use."""
        if "folder" not in self.data:
            folder = self.tmp("cmp-folder-") / "articles"
            self.helper("folders", "make_annotated_folder")(folder, 2000, 20000)
            self.data["folder"] = folder
        return Path(self.data["folder"])

    def sample(self, kind: str) -> dict[str, Any]:
        """One sample of the figures of ``kind``."""
        if kind == "where":
            import ipreader

            return {"ipreader": str(Path(ipreader.__file__).parent)}
        if kind == "startup":
            import resource

            # The child's CPU (all threads, to its paint: it exits there) is less swayed
            # by other processes than its wall time; read the same way for both layouts.
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            elapsed, report = self.bench("startup").one_run("app", dict(os.environ))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            return {
                "startup s": elapsed,
                "startup imports s": report["import"],
                "startup CPU s": cpu,
            }
        if kind == "open":
            if "book" not in self.data:
                write = self.helper("text", "write_text_file")
                self.data["book"] = write(self.tmp("cmp-open-"), "book.txt", 20 * 2**20)
            import resource

            def process_cpu() -> float:
                used = resource.getrusage(resource.RUSAGE_SELF)
                return used.ru_utime + used.ru_stime

            module = self.bench("open_document")
            cpu_before = process_cpu()
            cold = module.open_app(self.data["book"], cold=True)
            # All threads' CPU to the wrap's end (and the app's exit): less swayed by other
            # processes than the wall time, which on a busy machine is mostly waiting.
            cold_cpu = process_cpu() - cpu_before
            warm = module.open_app(self.data["book"], cold=False)
            return {
                "open 20 MB cold first paint s": cold.first_paint,
                "open 20 MB warm first paint s": warm.first_paint,
                "open 20 MB cold ready s": cold.ready,
                "open 20 MB cold CPU s": cold_cpu,
            }
        if kind == "render":
            module = self.bench("open_document")
            text = self.data.setdefault("render_text", self.helper("text", "make_text")(200_000))
            spread = module.render_screen_ms(text, 1000, dense=False, reps=10)
            dense = module.render_screen_ms(text, 1000, dense=True, reps=10)
            return {
                "render spread ms": statistics.median(spread),
                "render dense ms": statistics.median(dense),
            }
        if kind == "save":
            ours, _stock = self.bench("save_latency").measure(self.folder(), 1, 50)
            return {"save ms (pooled)": ours[0]}
        if kind == "export":
            exports, imports, _size = self.bench("export_import").measure(self.folder(), 1)
            return {"export 20k s": exports[0], "import 20k s": imports[0]}
        raise ValueError(f"unknown kind {kind!r}")

    def serve(self) -> None:
        """Answer one JSON line per kind read from stdin, until stdin closes."""
        with self.stack:
            for line in sys.stdin:
                kind = line.strip()
                try:
                    answer: dict[str, Any] = {"ok": self.sample(kind)}
                except Exception as error:  # reported to the parent, which stops
                    answer = {"error": f"{kind}: {error!r}"}
                print("\x1e" + json.dumps(answer), flush=True)


# ----------------------------------------------------------------------------- parent


def bytecode_env(pycache: Path | None) -> dict[str, str]:
    """This process's environment, with compiled modules kept under ``pycache`` when given.

    Without ``pycache`` the environment is left as it is (``PYTHONDONTWRITEBYTECODE``
    included, when set). The environment passes on to what the workers start.
    """
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def start_worker(
    checkout: Path, fallback_python: str, env: dict[str, str]
) -> subprocess.Popen[str]:
    """Start the worker of ``checkout`` with the environment ``env``."""
    venv = checkout / ".venv" / "bin" / "python"
    python = str(venv) if venv.exists() else fallback_python
    return subprocess.Popen(
        [python, str(Path(__file__).resolve()), "--worker"],
        cwd=checkout,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def ask(worker: subprocess.Popen[str], kind: str) -> dict[str, Any]:
    """One sample from ``worker`` (lines printed by the benches themselves are skipped)."""
    stdin: IO[str] | None = worker.stdin
    stdout: IO[str] | None = worker.stdout
    assert stdin is not None and stdout is not None
    stdin.write(kind + "\n")
    stdin.flush()
    for line in stdout:
        if line.startswith("\x1e"):
            answer: dict[str, Any] = json.loads(line[1:])
            if "error" in answer:
                raise RuntimeError(answer["error"])
            return dict(answer["ok"])
    raise RuntimeError(f"worker exited during {kind}")


def percentile95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))]


def summary(samples: list[Any]) -> tuple[float, str]:
    """(the figure, its spread as text): median of samples, or p95 of pooled saves."""
    if samples and isinstance(samples[0], list):
        per_round = [percentile95(s) for s in samples]
        pooled = [x for s in samples for x in s]
        return percentile95(pooled), f"p95 per round {min(per_round):.1f}-{max(per_round):.1f}"
    return statistics.median(samples), f"{min(samples):.3f}-{max(samples):.3f}"


def main() -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("before", type=Path, help="checkout A (the baseline)")
    parser.add_argument("after", type=Path, help="checkout B (the change)")
    parser.add_argument("--rounds", type=int, default=5, help="samples per checkout")
    parser.add_argument(
        "--warmup", type=int, default=1, help="rounds run first and discarded (.pyc, OS cache)"
    )
    parser.add_argument("--only", nargs="*", choices=KINDS, help="only these figure groups")
    parser.add_argument("--python", default=sys.executable, help="for a checkout without .venv")
    parser.add_argument(
        "--bytecode",
        choices=("cached", "source"),
        default="cached",
        help="cached: compiled modules kept (as installed); source: the environment as it is",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    if "--worker" in sys.argv:
        Worker().serve()
        return 0
    args = parser.parse_args()
    kinds = [k for k in KINDS if not args.only or k in args.only]
    with tempfile.TemporaryDirectory(prefix="cmp-pycache-") as pycache:
        env = bytecode_env(Path(pycache) if args.bytecode == "cached" else None)
        results = run_rounds(args, kinds, env)
    print("| Figure | A median | A spread | B median | B spread | B/A | within 10% |")
    print("|---|---|---|---|---|---|---|")
    for name, a_samples in results["A"].items():
        a, a_spread = summary(a_samples)
        b, b_spread = summary(results["B"][name])
        ok = b <= a * TOLERANCE
        print(
            f"| {name} | {a:.3f} | {a_spread} | {b:.3f} | {b_spread} | {b / a:.2f} "
            f"| {'yes' if ok else '**no**'} |"
        )
    return 0


def run_rounds(
    args: argparse.Namespace, kinds: list[str], env: dict[str, str]
) -> dict[str, dict[str, list[Any]]]:
    """Ask both workers for samples of ``kinds``, ABBA, and return them by side and figure."""
    workers = {
        "A": start_worker(args.before.resolve(), args.python, env),
        "B": start_worker(args.after.resolve(), args.python, env),
    }
    results: dict[str, dict[str, list[Any]]] = {"A": {}, "B": {}}
    started = time.perf_counter()
    print(
        f"A = {args.before}, B = {args.after}; bytecode {args.bytecode}; "
        f"load average {os.getloadavg()}",
        flush=True,
    )
    try:
        for side, worker in workers.items():
            print(f"{side} imports {ask(worker, 'where')['ipreader']}", flush=True)
        for round_ in range(-args.warmup, args.rounds):
            for kind in kinds:
                order = "AB" if round_ % 2 == 0 else "BA"
                for side in order:
                    answer = ask(workers[side], kind)
                    if round_ < 0:
                        continue
                    for name, value in answer.items():
                        results[side].setdefault(name, []).append(value)
            print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    finally:
        for worker in workers.values():
            if worker.stdin is not None:
                worker.stdin.close()
            worker.wait()
    print(
        f"\n{args.rounds} rounds, ABBA order, {time.perf_counter() - started:.0f} s; "
        f"load average at end {os.getloadavg()}\n"
    )
    return results


if __name__ == "__main__":
    sys.exit(main())
