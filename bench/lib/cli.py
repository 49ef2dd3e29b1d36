"""The shared command line of a benchmark script."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def bench_main(
    doc: str | None, run: Callable[[bool], object], scaling: Callable[[bool], None] | None = None
) -> None:
    """The shared command line of a benchmark script: ``--quick`` and, given ``scaling``,
    ``--scaling``."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small run, for CI")
    if scaling is not None:
        parser.add_argument("--scaling", action="store_true", help="print the growth table")
    args = parser.parse_args()
    if scaling is not None and args.scaling:
        scaling(args.quick)
    else:
        run(args.quick)
