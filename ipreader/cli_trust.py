"""The drift commands of the CLI: ``ipreader check`` and ``ipreader relink``.

``cli.main`` dispatches here; parsing, output and errors follow its rules
(``ipreader: message`` on stderr and exit code 1 for a user error). ``check``
exits with 0 when every highlight is placed and no article is missing, 2
otherwise, so a script or a CI job can fail on orphans.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ipreader import __version__
from ipreader.cli import (
    UsageError,
    _json_text,
    _open_library,
    _Parser,
    _print_notices,
    _say,
    _write_text,
)

#: The commands this module runs.
TRUST_COMMANDS = ("check", "relink")

_CHECK_EPILOG = """\
exit status:
  0  every highlight is placed (exact, moved or approximate) and no article is missing
  1  a user error (bad path or option)
  2  a highlight is not found in its text, an article with annotations is missing or
     unreadable, or a store file was set aside as damaged (its highlights not counted)

Renamed articles are relinked on the way when certain (same content, or the
same text edited a little); the others are listed with the files they may be.
"""


def _check_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ipreader check",
        description="Report where every highlight of PATH stands: exact, moved, approximate, "
        "not found, or in a missing article.",
        epilog=_CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--version", action="version", version=f"ipreader {__version__}")
    return parser


def _relink_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ipreader relink",
        description="Give the annotations of the missing article OLD to the file NEW "
        "(both relative to FOLDER): a rename ipreader could not be sure of.",
    )
    parser.add_argument("folder", type=Path, metavar="FOLDER")
    parser.add_argument("old", metavar="OLD")
    parser.add_argument("new", metavar="NEW")
    parser.add_argument("--version", action="version", version=f"ipreader {__version__}")
    return parser


def _cmd_check(args: argparse.Namespace) -> int:
    from ipreader.core.check import check_data, check_library, check_text

    library = _open_library(args.paths)
    report = check_library(library)
    _print_notices(library.notices.take())
    if args.json:
        _write_text(_json_text(check_data(report)), sys.stdout)
    else:
        _write_text(check_text(report), sys.stdout)
    return report.exit_status


def _relative(folder: Path, given: str, known: Callable[[str], bool]) -> str:
    """``given`` as a path relative to ``folder``: as written, or as a path from here.

    The first reading that ``known`` accepts wins (else the first reading).
    """
    readings = [] if Path(given).is_absolute() else [Path(given).as_posix()]
    here = Path(os.path.abspath(given))  # not resolved: OLD no longer exists
    if here.is_relative_to(folder):
        readings.append(here.relative_to(folder).as_posix())
    return next(
        (reading for reading in readings if known(reading)), readings[0] if readings else given
    )


def _cmd_relink(args: argparse.Namespace) -> int:
    from ipreader.core.relink import relink_by_hand

    if not args.folder.is_dir():
        raise UsageError(f"{args.folder} is not a folder")
    library = _open_library([args.folder])
    collection = library.collections[0]
    missing = {m.relpath for m in collection.missing}
    old = _relative(collection.root, args.old, missing.__contains__)
    new = _relative(collection.root, args.new, lambda p: (collection.root / p).is_file())
    if old not in missing:
        known = ", ".join(m.relpath for m in collection.missing) or "none"
        raise UsageError(f"{old} is not a missing article of {args.folder} (missing: {known})")
    moved = relink_by_hand(collection.store, collection.root, old, new)
    _print_notices(library.notices.take())
    _say(f"relinked {old} to {new}: {moved} highlight(s), tags and note follow it")
    return 0


def run_trust_command(command: str, argv: list[str]) -> int:
    """Run ``ipreader COMMAND argv...`` for a command of ``TRUST_COMMANDS``."""
    if command == "check":
        return _cmd_check(_check_parser().parse_args(argv))
    if command == "relink":
        return _cmd_relink(_relink_parser().parse_args(argv))
    raise UsageError(f"unknown command {command!r}")
