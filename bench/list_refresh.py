"""UI-thread time of the document list with 10,000 articles, against an ``OptionList`` of them.

A headless app holds one ``DocumentList`` (160x48); 10,000 made-up articles
(no files: the list only needs their metadata) are given to it, then each
operation the user or the library triggers is timed on the UI thread:

* fill: the documents set (the library listed);
* counts: highlight counts and tags arriving for every article;
* one count: one article's count changed (a save);
* filter: a filter word typed (every article matched again);
* sort: the next sort order.

Baseline in the same run: ``OptionList.set_options`` with the same 10,000
entries (how the list was filled before ``DocumentRows``). Medians of
``--runs`` rounds, operations interleaved with the baseline.

    .venv/bin/python -m bench.list_refresh [--runs N] [--count N]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from bench.lib.process import load_average
from bench.lib.timing import median
from ipreader.core.documents import DocumentInfo
from ipreader.tui.session import DocumentStats
from ipreader.tui.widgets.document_list import DocumentList, document_prompt


def made_up(count: int) -> tuple[DocumentInfo, ...]:
    """``count`` articles of one folder, with titles, dates and sources (no files behind them)."""
    root = Path("/nowhere/articles")
    return tuple(
        DocumentInfo(
            path=root / f"{n:05d}.txt",
            relpath=f"{n:05d}.txt",
            root=root,
            title=f"Article number {n} about {('trade', 'policy', 'sport', 'science')[n % 4]}",
            date=f"20{10 + n % 15:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            words=300 + n % 900,
            reading_minutes=2,
            sha256=None,
            encoding="utf-8",
            size=2000,
            mtime_ns=0,
            error=None,
            source="BBC",
            chars=2000,
        )
        for n in range(count)
    )


class ListApp(App[None]):
    """A ``DocumentList`` and, hidden beside it, the baseline ``OptionList``."""

    CSS = "OptionList { display: none; }"

    def compose(self) -> ComposeResult:
        yield DocumentList(id="documents")
        yield OptionList(id="baseline")


async def measure(count: int, runs: int) -> dict[str, list[float]]:
    """Milliseconds per operation, ``runs`` times each."""
    documents = made_up(count)
    stats = {info.path: DocumentStats(highlights=2, tags=("economy",)) for info in documents}
    result: dict[str, list[float]] = {}
    app = ListApp()
    async with app.run_test(size=(160, 48)) as pilot:
        listed = app.query_one(DocumentList)
        baseline = app.query_one(OptionList)
        filter_input = listed.query_one("#document-filter", Input)
        prompts = [document_prompt(info, stats[info.path]) for info in documents]

        def timed(name: str, action: Callable[[], object]) -> None:
            start = time.perf_counter()
            action()
            result.setdefault(name, []).append(1000 * (time.perf_counter() - start))

        def one_count() -> None:
            first = documents[0].path
            listed.stats = {**listed.stats, first: DocumentStats(highlights=3)}

        for _ in range(runs):
            listed.documents = ()
            listed.stats = {}
            await pilot.pause()
            timed("fill", lambda: setattr(listed, "documents", documents))
            await pilot.pause()
            timed("counts", lambda: setattr(listed, "stats", stats))
            await pilot.pause()
            timed("one count", one_count)
            await pilot.pause()
            # Input.Changed is handled on the next message: time the refresh it runs.
            filter_input.value = "trade"
            await pilot.pause()
            start = time.perf_counter()
            listed.sort_by = "date"
            result.setdefault("sort (filtered)", []).append(1000 * (time.perf_counter() - start))
            filter_input.value = ""
            await pilot.pause()
            timed("sort", lambda: setattr(listed, "sort_by", "name"))
            await pilot.pause()
            timed(
                "baseline: OptionList.set_options",
                lambda: baseline.set_options(
                    Option(prompt, id=str(info.path))
                    for info, prompt in zip(documents, prompts, strict=True)
                ),
            )
            await pilot.pause()
    return result


def main() -> None:
    """Command line: ``--runs N`` (default 7), ``--count N`` (default 10,000)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--count", type=int, default=10_000, help="articles (default 10,000)")
    args = parser.parse_args()
    print(f"load average before: {load_average()}", flush=True)
    result = asyncio.run(measure(args.count, args.runs))
    print(f"\n{args.count:,} articles, UI thread, ms (median of {args.runs}; spread)\n")
    print("| Operation | Median ms | Spread ms |")
    print("|---|---|---|")
    for name, values in result.items():
        print(f"| {name} | {median(values):.1f} | {min(values):.1f}-{max(values):.1f} |")
    print(f"\nload average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
