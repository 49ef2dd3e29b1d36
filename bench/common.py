"""Shared helpers for the benchmark scripts: timing, memory, result rows and data generators.

Every figure is the median of several runs because the bench machine is
shared (other engineers run tests at the same time); a baseline is always
measured in the same process run so the ratio is comparable even when the
absolute numbers drift with the load.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
VENV_PYTHON = REPO / ".venv" / "bin" / "python"

#: The BBC corpus (833 articles); override with IPREADER_BENCH_CORPUS.
CORPUS = Path(os.environ.get("IPREADER_BENCH_CORPUS", REPO.parent / "shared" / "corpus" / "bbc"))

MB = 1_000_000


def python_exe() -> str:
    """The interpreter to run child processes with (the venv's when present)."""
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def corpus_files() -> list[Path]:
    """The corpus articles sorted by path, or [] when the corpus is not available."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*.txt") if p.is_file())


def need_corpus(what: str) -> bool:
    """Return True when the corpus exists; else print why ``what`` is skipped."""
    if corpus_files():
        return True
    print(f"note: {CORPUS} not found; skipping {what} (it needs the BBC corpus)")
    return False


# ----------------------------------------------------------------------------- results


@dataclass
class Figure:
    """One measured figure, printed as a row of the results table."""

    name: str
    """What was measured."""
    measured: float
    """The median (seconds unless ``unit`` says otherwise)."""
    unit: str = "s"
    """``s``, ``ms``, ``MB`` or ``x`` (a ratio)."""
    target: float | None = None
    """The target (same unit; the figure must be <= target), or None."""
    baseline: float | None = None
    """The baseline's median, measured in the same run (same unit)."""
    baseline_name: str = ""
    """What the baseline is."""
    runs: int = 1
    """How many runs the median is over."""
    note: str = ""
    """Anything needed to read the figure (spread, conditions)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Raw values, for the JSON dump."""

    @property
    def met(self) -> bool | None:
        """True/False against the target; None without a target."""
        return None if self.target is None else self.measured <= self.target

    def row(self) -> str:
        """A Markdown table row: what | target | measured | baseline | ratio | runs | met."""
        target = "—" if self.target is None else f"<= {fmt(self.target, self.unit)}"
        base = "—" if self.baseline is None else f"{fmt(self.baseline, self.unit)}"
        if self.baseline_name and self.baseline is not None:
            base += f" ({self.baseline_name})"
        ratio = "—"
        if self.baseline and self.unit != "x":
            ratio = f"{self.measured / self.baseline:.2f}x"
        met = {None: "—", True: "met", False: "**MISSED**"}[self.met]
        note = f" {self.note}" if self.note else ""
        return (
            f"| {self.name} | {target} | {fmt(self.measured, self.unit)}{note} | {base} "
            f"| {ratio} | {self.runs} | {met} |"
        )


TABLE_HEADER = (
    "| What | Target | Measured (median) | Baseline (same run) | Ratio | Runs | Status |\n"
    "|---|---|---|---|---|---|---|"
)


def fmt(value: float, unit: str) -> str:
    """Format ``value`` in ``unit`` with a sensible precision."""
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:g} {unit}"


def print_table(title: str, figures: Sequence[Figure]) -> None:
    """Print ``figures`` as a Markdown table under ``title``."""
    print(f"\n### {title}\n")
    print(TABLE_HEADER)
    for figure in figures:
        print(figure.row())
    sys.stdout.flush()


def print_figures(title: str, figures: Sequence[Figure], quick: bool, quick_note: str) -> None:
    """Print ``figures``; with ``quick`` drop their targets (set for the full sizes) first.

    The quick title reads ``title (quick_note, no targets)``.
    """
    if quick:
        for figure in figures:
            figure.target = None
        title += f" ({quick_note}, no targets)"
    print_table(title, figures)


def print_scaling(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print a scaling table (first column = size of the work)."""
    print(f"\n#### Scaling: {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    sys.stdout.flush()


# ----------------------------------------------------------------------------- timing


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def time_runs(
    fn: Callable[[], Any], runs: int, setup: Callable[[], Any] | None = None
) -> list[float]:
    """Run ``fn`` ``runs`` times (``setup`` before each, untimed); return the durations (s)."""
    durations = []
    for _ in range(runs):
        if setup is not None:
            setup()
        gc.collect()
        start = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - start)
    return durations


def time_process(argv: Sequence[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    """Wall time of ``argv`` as a whole process, ``runs`` times (output discarded)."""
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        durations.append(time.perf_counter() - start)
    return durations


def load_average() -> str:
    """The 1/5/15-minute load averages, as text for the report."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


# ----------------------------------------------------------------------------- memory


def rss_mb() -> float:
    """Current resident set size of this process in MB (VmRSS from /proc, else ru_maxrss)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    # Fallback (not Linux): the peak, in KiB on Linux/BSD.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- data


@contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    """A temporary directory (under bench/out when possible, so big data stays ignored)."""
    try:
        OUT_DIR.mkdir(exist_ok=True)
        base: str | None = str(OUT_DIR)
    except OSError:
        base = None
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def isolated_data_dir() -> Iterator[Path]:
    """Point ipreader's per-user data directory (settings, fallback stores) at a temp dir."""
    from ipreader.core.paths import DATA_DIR_ENV

    old = os.environ.get(DATA_DIR_ENV)
    with temp_dir("data-") as path:
        os.environ[DATA_DIR_ENV] = str(path)
        try:
            yield path
        finally:
            if old is None:
                os.environ.pop(DATA_DIR_ENV, None)
            else:
                os.environ[DATA_DIR_ENV] = old


_WORD_TEXT = (
    "the of and to in a is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when if "
    "market government economy growth company shares profits technology mobile phone "
    "network software users digital music online broadband service chief executive analysts"
)
_WORDS = _WORD_TEXT.split()


def english_paragraphs(seed: int = 1) -> Iterator[str]:
    """Endless paragraphs of English-like prose (corpus articles when available).

    The corpus gives realistic word lengths and punctuation; the synthetic
    fallback keeps the benches runnable on a fresh clone.
    """
    files = corpus_files()
    rng = random.Random(seed)
    if files:
        paragraphs = [
            para.strip()
            for path in files[:300]
            for para in path.read_text(encoding="utf-8", errors="replace").split("\n\n")
            if para.strip()
        ]
        while True:
            yield rng.choice(paragraphs)
    while True:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(40, 120))]
        yield " ".join(words).capitalize() + "."


def cjk_paragraphs(seed: int = 2) -> Iterator[str]:
    """Endless paragraphs of CJK ideographs (double-width cells) with CJK punctuation."""
    rng = random.Random(seed)
    while True:
        chars = []
        for _ in range(rng.randint(80, 400)):
            chars.append(chr(rng.randint(0x4E00, 0x9FA5)))
            if rng.random() < 0.06:
                chars.append(rng.choice("，。、；："))
        yield "".join(chars) + "。"


def make_text(size_bytes: int, kind: str = "en", seed: int = 1) -> str:
    """A text of about ``size_bytes`` UTF-8 bytes: ``en`` (single-width) or ``cjk``."""
    paragraphs = english_paragraphs(seed) if kind == "en" else cjk_paragraphs(seed)
    parts: list[str] = ["A generated book for the benchmarks\n\n"]
    total = len(parts[0])
    per_char = 1 if kind == "en" else 3
    while total < size_bytes:
        paragraph = next(paragraphs)
        parts.append(paragraph)
        parts.append("\n\n")
        total += len(paragraph) * per_char + 2
    return "".join(parts)


def write_text_file(folder: Path, name: str, size_bytes: int, kind: str = "en") -> Path:
    """Write a generated text of ``size_bytes`` to ``folder/name`` (UTF-8) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(make_text(size_bytes, kind), encoding="utf-8")
    return path


def make_articles(folder: Path, count: int) -> list[Path]:
    """Fill ``folder`` with ``count`` articles made from the corpus (varied names and text).

    Without the corpus the articles are generated prose (the listing and find
    figures skip instead, being defined on the corpus).

    Copies are spread over sub-folders by topic, renamed with a serial number
    and get one varied line so every file has its own content hash (the
    metadata cache and the store key on the sha256).
    """
    files = corpus_files()
    rng = random.Random(count)
    synthetic = english_paragraphs(count)
    made = []
    for serial in range(count):
        if files:
            source = files[serial % len(files)]
            round_ = serial // len(files)
            sub = folder / source.parent.name / f"batch{round_}"
            text = source.read_text(encoding="utf-8", errors="replace")
        else:
            # No corpus (fresh clone): ~2 KB of generated prose per article.
            source = Path(f"article-{serial}.txt")
            sub = folder / f"batch{serial // 800}"
            text = f"Article {serial}\n\n" + "\n\n".join(next(synthetic) for _ in range(4))
        sub.mkdir(parents=True, exist_ok=True)
        lines = text.split("\n")
        # A varied line after the title: different bytes, same shape of article.
        lines.insert(1, f"Edition {serial} ({rng.choice(_WORDS)} {rng.randint(1, 999)})")
        path = sub / f"{serial:05d}-{source.stem}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        made.append(path)
    return made


def make_annotated_folder(folder: Path, articles: int, annotations: int) -> None:
    """Fill ``folder`` with ``articles`` articles and ``annotations`` annotations over them."""
    files = make_articles(folder, articles)
    make_annotations(folder, files, annotations)


def make_annotations(root: Path, files: Sequence[Path], total: int, seed: int = 3) -> int:
    """Create ``total`` annotations spread evenly over ``files`` through FolderStore.

    Uses ``FolderStore.save_annotations`` (one write per document), as the
    importer and the app do. Returns the number created.
    """
    from ipreader.core.documents import document_key, read_document
    from ipreader.core.model import COLORS, Annotation
    from ipreader.core.store import FolderStore

    rng = random.Random(seed)
    store = FolderStore.open(root)
    per_file, extra = divmod(total, len(files))
    batch: list[Annotation] = []
    made = 0
    for number, path in enumerate(files):
        want = per_file + (1 if number < extra else 0)
        if not want:
            continue
        document = read_document(path)
        text, sha256 = document.text, document.sha256
        relpath = document_key(root, path)
        # As the app does: a document is reconciled (its hash noted) when it is
        # opened, before it gets annotations; else its record has no hash and
        # the first export/open would re-anchor and rewrite every document.
        store.reconcile(relpath, sha256, text)
        for _ in range(want):
            length = rng.randint(10, 80)
            start = rng.randrange(0, max(1, len(text) - length))
            batch.append(
                Annotation.create(
                    text,
                    start,
                    min(len(text), start + length),
                    relpath,
                    color=rng.choice(COLORS),
                    note=f"note {made}" if rng.random() < 0.5 else "",
                    tags=[rng.choice(("policy", "economy", "tech", "people"))],
                )
            )
            made += 1
        if len(batch) >= 2000:
            store.save_annotations(batch)
            batch = []
    if batch:
        store.save_annotations(batch)
    return made


# ----------------------------------------------------------------------------- TUI timing


@dataclass
class AppTiming:
    """What one headless app run measured (seconds from just before the app was constructed)."""

    first_paint: float | None = None
    """First frame written while ``condition`` held (see ``run_app``)."""
    ready: float | None = None
    """First ``ReadingPane.Ready`` after the first paint (full wrap index installed)."""
    max_stall: float = 0.0
    """Longest event-loop stall seen by a 10 ms ticker, from start until ``ready`` (or paint)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Whatever the ``then`` step measured."""


def paint_timed(base: type[Any]) -> type[Any]:
    """Subclass the Textual app class ``base`` so it records its first qualifying frame.

    ``App._display`` is where a rendered compositor update is handed to the
    driver (also headless, where the driver discards it); by then every
    visible widget's ``render_line`` has run. The first call for which the
    instance's ``paint_condition(app)`` is true is "first paint".
    """

    class PaintTimed(base):  # type: ignore[misc, valid-type]
        paint_condition: Callable[[Any], bool] | None = None
        first_paint_at: float | None = None
        # Further named conditions: the time of the first frame where each holds.
        mark_conditions: dict[str, Callable[[Any], bool]] = {}  # noqa: RUF012
        marks: dict[str, float] = {}  # noqa: RUF012

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is None:
                return
            for name, check in self.mark_conditions.items():
                if name not in self.marks:
                    try:
                        if check(self):
                            self.marks = {**self.marks, name: time.perf_counter()}
                    except Exception:  # widgets not mounted yet
                        pass
            if self.first_paint_at is not None:
                return
            condition = self.paint_condition
            try:
                ok = condition is None or condition(self)
            except Exception:  # widgets not mounted yet
                ok = False
            if ok:
                self.first_paint_at = time.perf_counter()

    PaintTimed.__name__ = f"PaintTimed{base.__name__}"
    return PaintTimed


def reader_painted(app: Any) -> bool:
    """Paint condition: the ipreader reading pane holds text and has rendered rows of it."""
    reader = app.main_screen.reader
    return bool(reader.text) and len(reader._strips) > 0


def run_app(
    make_app: Callable[[], Any],
    condition: Callable[[Any], bool] | None,
    *,
    size: tuple[int, int] = (160, 48),
    wait_ready: bool = False,
    probe_stalls: bool = False,
    timeout: float = 300.0,
    then: Callable[[Any, Any, AppTiming, list[float]], Any] | None = None,
) -> AppTiming:
    """Run an app headless and time its first paint (and optionally its full wrap).

    ``make_app`` must return an instance of a ``paint_timed`` class; the clock
    starts just before it is called. ``then(app, pilot, timing, readies)`` is
    an optional coroutine run after the waits (``readies`` collects the time of
    every ``ReadingPane.Ready``).
    """
    import asyncio

    from ipreader.tui.widgets.reading_pane import ReadingPane

    readies: list[float] = []
    seen: set[int] = set()
    kept: list[Any] = []  # keeps seen messages alive so their ids are not reused

    def hook(message: Any) -> None:
        # The hook sees a message at every node it bubbles through: count it once.
        if isinstance(message, ReadingPane.Ready) and id(message) not in seen:
            seen.add(id(message))
            kept.append(message)
            readies.append(time.perf_counter())

    async def main() -> AppTiming:
        timing = AppTiming()
        stalls: list[float] = []
        stop = False

        async def ticker() -> None:
            # A gap longer than the 10 ms sleep is time the loop could not run
            # anything: what a key press would have waited.
            while not stop:
                before = time.perf_counter()
                await asyncio.sleep(0.01)
                stalls.append(time.perf_counter() - before - 0.01)

        gc.collect()
        start = time.perf_counter()
        app = make_app()
        app.paint_condition = condition
        async with app.run_test(size=size, message_hook=hook) as pilot:
            task = asyncio.create_task(ticker()) if probe_stalls else None
            deadline = time.perf_counter() + timeout
            while app.first_paint_at is None:
                if time.perf_counter() > deadline:
                    raise TimeoutError("no first paint")
                await asyncio.sleep(0.002)
            timing.first_paint = app.first_paint_at - start
            if wait_ready:
                # A small text is wrapped (and Ready posted) before it is painted,
                # so the last Ready once the pane says it is complete is the one.
                reader = app.main_screen.reader
                while not (reader.is_ready and reader.text and readies):
                    if time.perf_counter() > deadline:
                        raise TimeoutError("no Ready")
                    await asyncio.sleep(0.002)
                timing.ready = readies[-1] - start
            stop = True
            if task is not None:
                await task
                timing.max_stall = max(stalls, default=0.0)
            if then is not None:
                await then(app, pilot, timing, readies)
        return timing

    return asyncio.run(main())


def bench_main(
    doc: str | None, run: Callable[[bool], object], scaling: Callable[[bool], None] | None = None
) -> None:
    """The shared command line of a benchmark script: ``--quick`` and, given ``scaling``,
    ``--scaling``."""
    import argparse

    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small run, for CI")
    if scaling is not None:
        parser.add_argument("--scaling", action="store_true", help="print the growth table")
    args = parser.parse_args()
    if scaling is not None and args.scaling:
        scaling(args.quick)
    else:
        run(args.quick)


class StallProbe:
    """A 10 ms ticker on the event loop recording how late each tick runs."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._stop = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking (call from inside the running loop)."""
        self._stop = False
        self._task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        while not self._stop:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            self.gaps.append(time.perf_counter() - before - 0.01)

    async def stop(self) -> float:
        """Stop and return the longest stall (s)."""
        self._stop = True
        if self._task is not None:
            await self._task
        return max(self.gaps, default=0.0)
