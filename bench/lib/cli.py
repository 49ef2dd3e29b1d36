"""The shared command line of a benchmark script."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def bench_main(
    doc: str | None,
    run: Callable[[bool], object],
    scaling: Callable[[bool], None] | None = None,
    child: Callable[..., None] | None = None,
) -> None:
    """Parse the command line of a benchmark script and run what it asks for.

    ``--quick`` is passed to ``run`` (or to ``scaling`` under ``--scaling``, given
    ``scaling``). Given ``child``, ``--child ARG...`` calls ``child(*ARGS)``
    instead: one measurement in a fresh interpreter, started by the script itself.
    """
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small run, for CI")
    if scaling is not None:
        parser.add_argument("--scaling", action="store_true", help="print the growth table")
    if child is not None:
        parser.add_argument("--child", nargs="+", metavar="ARG", help="internal: one child run")
    args = parser.parse_args()
    if child is not None and args.child:
        child(*args.child)
    elif scaling is not None and args.scaling:
        scaling(args.quick)
    else:
        run(args.quick)
