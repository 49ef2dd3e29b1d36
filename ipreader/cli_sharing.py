"""The sharing command of the CLI: ``ipreader merge-driver %O %A %B %P``.

``cli.main`` dispatches here. git runs the command for every file under
``.ipreader/`` that both branches changed (README, "Sharing a folder through
git"); exit status 0 tells git the file merged cleanly, 1 leaves git's
conflict (with an ``ipreader:`` line saying why).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ipreader import __version__
from ipreader.cli import UsageError, _Parser, _say

#: The commands this module runs.
SHARING_COMMANDS = ("merge-driver",)

_DRIVER_EPILOG = """\
Set up once per clone (git runs the driver; ipreader must be on its PATH):
  git config merge.ipreader.name "ipreader store merge"
  git config merge.ipreader.driver "ipreader merge-driver %O %A %B %P"
and commit a .gitattributes line:
  .ipreader/** merge=ipreader

Each record is merged by id: both sides' new records are kept; the same
record changed on both sides keeps the newer revision (annotations) or
joins tags and notes (documents); a deletion on one side is applied unless
the other side changed the record. Every version not kept is written to
conflicts.json in the store directory, so nothing is lost.
"""


def _driver_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ipreader merge-driver",
        description="Merge two versions of a file of a folder's store for git "
        "(git's merge driver protocol: the result is written to OURS).",
        epilog=_DRIVER_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("ancestor", type=Path, metavar="ANCESTOR", help="git's %%O")
    parser.add_argument("ours", type=Path, metavar="OURS", help="git's %%A (the result)")
    parser.add_argument("theirs", type=Path, metavar="THEIRS", help="git's %%B")
    parser.add_argument("name", metavar="PATH", help="git's %%P: the file's path in the work tree")
    parser.add_argument("--version", action="version", version=f"ipreader {__version__}")
    return parser


def run_sharing_command(command: str, argv: list[str]) -> int:
    """Run ``ipreader COMMAND argv...`` for a command of ``SHARING_COMMANDS``."""
    if command != "merge-driver":
        raise UsageError(f"unknown command {command!r}")
    from ipreader.core.sharing.driver import merge_driver

    args = _driver_parser().parse_args(argv)
    result = merge_driver(args.ancestor, args.ours, args.theirs, args.name)
    for message in result.messages:
        _say(message)
    return result.status
