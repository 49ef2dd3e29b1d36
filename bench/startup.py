"""Start to first paint of the app on the bundled seeds, against an app with three empty panes.

Each run is a fresh interpreter (``python -m bench.startup --child KIND``), so
imports are counted. The parent starts the clock just before ``Popen`` and
stops it when the child prints its paint line, which the child does at the
first frame handed to the (headless) driver while the reading pane shows the
first seed's text (the baseline: its first frame). Runs alternate app /
baseline so load changes hit both alike.

The children keep their compiled modules in a temporary ``PYTHONPYCACHEPREFIX``
(written by the warm-up runs), as an installed ipreader has them: Textual's are
compiled in the venv already, and with ``PYTHONDONTWRITEBYTECODE=1`` (this
machine's default) the app alone would compile its ~70 modules from source at
every start. ``--bytecode source`` measures that case (the environment as it is).

``--before TREE`` also runs the app of another checkout (e.g. a ``git archive``
of ``main``) in the same rounds: app, before, baseline in turn; its child runs
from ``TREE`` (its own ``bench`` and ``ipreader``, with this interpreter).

    .venv/bin/python -m bench.startup [--quick] [--bytecode cached|source] [--before TREE]
"""

from __future__ import annotations

import time

_CHILD_START = time.perf_counter()

import asyncio  # noqa: E402
import json  # noqa: E402  (the child's clock starts before any import)
import os  # noqa: E402
import subprocess  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def complete_screen(app: Any) -> bool:
    """Mark condition: the first paint's screen, and the footer shows its keys."""
    from textual.widgets._footer import FooterKey

    from bench.lib.apps import reader_painted

    return reader_painted(app) and bool(app.main_screen.query(FooterKey))


def child(kind: str) -> None:
    """Run one app headless; print a JSON line at its first paint, then exit at once."""
    from bench.lib.apps import paint_timed, reader_painted, run_app

    imported = 0.0

    async def report(app: Any, pilot: Any, timing: Any, readies: list[float]) -> None:
        # CPU time (all threads) to the paint: less swayed by other processes than wall time.
        cpu = time.process_time()
        print(json.dumps({"import": imported, "paint": timing.first_paint, "cpu": cpu}), flush=True)
        if app.mark_conditions:
            # The footer's keys are composed after the first paint (on the screen's first
            # bindings refresh): the complete screen is timed too, on a second line.
            while "complete" not in app.marks:
                await asyncio.sleep(0.001)
            start = app.first_paint_at - timing.first_paint
            print(json.dumps({"complete": app.marks["complete"] - start}), flush=True)
        # The exit is not part of the figure; skip the shutdown to save bench time.
        os._exit(0)

    if kind == "app":
        from ipreader.tui.app import IpreaderApp

        imported = time.perf_counter() - _CHILD_START
        cls = paint_timed(IpreaderApp)
        cls.mark_conditions = {"complete": complete_screen}
        run_app(cls, reader_painted, size=(160, 48), then=report)
    else:
        from textual.app import App, ComposeResult
        from textual.containers import Horizontal
        from textual.widgets import Static

        imported = time.perf_counter() - _CHILD_START

        class ThreePanes(App[None]):
            CSS = "Static { border: round $accent; height: 1fr; width: 1fr; }"

            def compose(self) -> ComposeResult:
                with Horizontal():
                    yield Static(id="documents")
                    yield Static(id="reader")
                    yield Static(id="annotations")

        run_app(paint_timed(ThreePanes), None, size=(160, 48), then=report)


def one_run(
    kind: str, env: dict[str, str], tree: Path | None = None
) -> tuple[float, dict[str, float]]:
    """Wall time from spawning a child to its paint line, and the child's own report.

    ``tree``: the checkout the child runs from (this one when None).
    """
    from bench.lib.paths import REPO
    from bench.lib.process import bench_argv

    start = time.perf_counter()
    with subprocess.Popen(
        bench_argv("bench.startup", "--child", kind),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO if tree is None else tree,
    ) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        elapsed = time.perf_counter() - start
        more = process.stdout.readline()  # the complete screen's line, when the child has one
        process.wait()
    if not line:
        raise RuntimeError(f"startup child {kind} printed nothing")
    return elapsed, {**json.loads(line), **(json.loads(more) if more else {})}


@dataclass
class AppRuns:
    """One checkout's app over the rounds: wall and CPU to the paint, the complete screen."""

    paint: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    complete: list[float] = field(default_factory=list)
    imports: list[float] = field(default_factory=list)

    def add(self, elapsed: float, report: dict[str, float]) -> None:
        """Record one child's run (``elapsed``: spawn to its paint line)."""
        self.paint.append(elapsed)
        self.cpu.append(report["cpu"])
        self.imports.append(report["import"])
        if "complete" in report:  # an older checkout's child may not report it
            # From the spawn: the paint line's wall time plus the child's own gap between
            # its paint and the complete screen (footer keys too).
            self.complete.append(elapsed + report["complete"] - report["paint"])


def app_figures(runs: AppRuns, base: AppRuns, rounds: int, of: Path | None = None) -> list[Any]:
    """The start-up figures of one checkout's app against the three-pane baseline.

    ``of``: the other checkout's path, named in each label (None: this checkout).
    """
    from bench.lib.figures import Figure
    from bench.lib.timing import median

    suffix = "" if of is None else f", app of {of}"

    def against_panes(name: str, measured: float, baseline: float, **more: Any) -> Any:
        return Figure(
            f"{name}{suffix}",
            measured,
            baseline=baseline,
            baseline_name="3 empty panes",
            runs=rounds,
            **more,
        )

    paint, panes = median(runs.paint), median(base.paint)
    figures = [
        against_panes(
            "Start to first paint, seeds (whole process)",
            paint,
            panes,
            target=0.45,
            note=f"(imports {median(runs.imports):.3f} s)",
        ),
        Figure(
            f"Start to first paint, ratio to the 3-pane app{suffix}",
            paint / panes,
            unit="x",
            target=1.3,
            runs=rounds,
        ),
    ]
    if runs.complete:
        figures.append(
            against_panes(
                "Start to the complete screen (the footer's keys too), seeds",
                median(runs.complete),
                panes,
            )
        )
    figures.append(
        against_panes(
            "Start to first paint, CPU time of the process (all threads)",
            median(runs.cpu),
            median(base.cpu),
        )
    )
    return figures


def run(quick: bool = False, bytecode: str = "cached", before: Path | None = None) -> list[Any]:
    """Measure both apps (alternating) and print the table; return the figures.

    ``bytecode`` is ``cached`` (compiled modules kept between runs) or ``source``
    (the environment as it is). ``before``: another checkout's app, measured in turn.
    """
    from bench.lib.figures import print_table
    from bench.lib.workdirs import isolated_data_dir, temp_dir

    rounds = 1 if quick else 7
    app, base, old = AppRuns(), AppRuns(), AppRuns()
    with isolated_data_dir(), temp_dir("pycache-") as pycache:
        env = dict(os.environ)
        if bytecode == "cached":
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(pycache)
        one_run("app", env)  # warm the OS file cache and .pyc files; not counted
        one_run("baseline", env)
        if before is not None:
            one_run("app", env, before)
        for _ in range(rounds):
            app.add(*one_run("app", env))
            if before is not None:
                old.add(*one_run("app", env, before))
            base.add(*one_run("baseline", env))
    figures = app_figures(app, base, rounds)
    if before is not None:
        figures += app_figures(old, base, rounds, of=before)
    print_table(f"Startup (bytecode {bytecode})", figures)
    return figures


def main() -> None:
    """Command line: ``--quick``, ``--bytecode cached|source``, ``--child KIND`` (internal)."""
    import argparse

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small run, for CI")
    parser.add_argument("--bytecode", choices=("cached", "source"), default="cached")
    parser.add_argument("--child", choices=("app", "baseline"), help="internal: one child run")
    parser.add_argument(
        "--before", type=Path, help="another checkout whose app is measured in the same rounds"
    )
    args = parser.parse_args()
    if args.child:
        child(args.child)
    else:
        run(args.quick, args.bytecode, None if args.before is None else args.before.resolve())


if __name__ == "__main__":
    main()
