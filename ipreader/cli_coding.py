"""The qualitative-coding commands of the CLI: ``ipreader report`` and ``ipreader agreement``.

``cli.main`` dispatches here; parsing, output and errors follow its rules
(``ipreader: message`` on stderr and exit code 1 for a user error).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ipreader import __version__
from ipreader.cli import (
    UsageError,
    _open_library,
    _Parser,
    _print_notices,
    _say,
    _write_text,
    tag_argument,
    written_to,
)
from ipreader.core.gc_pause import gc_paused

#: The commands this module runs.
CODING_COMMANDS = ("report", "agreement")

#: The kinds of ``ipreader report``.
REPORT_KINDS = ("codes", "matrix", "cooccurrence")

_REPORT_EPILOG = """\
kinds:
  codes         every highlight with a tag (or one of its children: policy
                matches policy/patents), grouped by tag then document, with
                quote, note, line, offsets and creator
  matrix        documents x tags: highlights per cell, totals per row and column
  cooccurrence  for each pair of tags: highlights carrying both, pairs of
                overlapping highlights carrying one each, documents with both

With several --tag, --match all (code report) lists the highlights carrying
every tag and the passages where overlapping highlights carry them between
them, saying which. Dates are YYYY-MM-DD or ISO times (UTC when no zone is
given); --until includes the whole day it names. CSV is UTF-8 with a BOM.
"""


def _add_tag_option(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--tag",
        dest="tags",
        action="append",
        default=[],
        type=tag_argument,
        metavar="T",
        help=f"only tag T and its children (repeat for several; default: {default})",
    )


def _add_document_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--document", metavar="GLOB", help="only documents whose relative path matches GLOB"
    )


def _report_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ipreader report",
        description="Report the coded highlights of PATH (a table on stdout by default).",
        epilog=_REPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--kind", default="codes", choices=REPORT_KINDS)
    _add_tag_option(parser, "every tag used")
    parser.add_argument(
        "--match",
        default="any",
        choices=("any", "all"),
        help="with several --tag in a code report: each tag apart (any) or together (all)",
    )
    parser.add_argument("--color", metavar="C", help="only highlights of colour C")
    parser.add_argument("--creator", metavar="NAME", help="only highlights made by NAME")
    _add_document_option(parser)
    parser.add_argument("--since", metavar="DATE", help="only highlights created on or after DATE")
    parser.add_argument("--until", metavar="DATE", help="only highlights created up to DATE")
    parser.add_argument(
        "--format", dest="fmt", default="table", choices=("table", "csv", "json", "markdown")
    )
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    parser.add_argument("--version", action="version", version=f"ipreader {__version__}")
    return parser


def _output(text: str, target: Path | None) -> None:
    """Write ``text`` to stdout, or to ``target`` (``core.output.write_output``)."""
    if target is None:
        _write_text(text, sys.stdout)
        return
    # File names that are not UTF-8 reach the text as lone surrogates: kept visible.
    _say(written_to(target, text.encode("utf-8", errors="backslashreplace"), "written"))


def _cmd_report(args: argparse.Namespace) -> int:
    from ipreader.core.coding import Selection, coded_documents, time_bound
    from ipreader.core.report_render import ReportFilters, render_report
    from ipreader.core.reports import Report, code_report, cooccurrence, tag_matrix

    require_all = args.match == "all"
    if require_all and args.kind != "codes":
        raise UsageError("--match all applies to the code report (--kind codes) only")
    selection = Selection(
        document_glob=args.document,
        color=args.color,
        creator=args.creator,
        since=None if args.since is None else time_bound(args.since),
        until=None if args.until is None else time_bound(args.until, upper=True),
    )
    library = _open_library(args.paths)
    left_out: list[str] = []
    documents = coded_documents(library, selection, left_out)
    report: Report
    if args.kind == "codes":
        report = code_report(documents, args.tags, require_all=require_all)
    elif args.kind == "matrix":
        report = tag_matrix(documents, args.tags)
    else:
        report = cooccurrence(documents, args.tags)
    filters = ReportFilters(
        tags=tuple(args.tags),
        require_all=require_all,
        selection=selection,
        several_roots=len(library.collections) > 1,
    )
    text = render_report(report, args.fmt, filters)
    _print_notices([*library.notices.take(), *left_out])
    _output(text, args.output)
    return 0


def _agreement_parser() -> argparse.ArgumentParser:
    import textwrap  # only for this help (not every report's start-up)

    from ipreader.core.agreement_render import METHOD, METHOD_CASES

    parser = _Parser(
        prog="ipreader agreement",
        description=(
            "Inter-rater agreement of two coders on PATH: percent agreement and Cohen's kappa "
            "per tag and overall, and the passages where they disagree."
        ),
        epilog="method:\n"
        + textwrap.fill(METHOD, width=78, initial_indent="  ", subsequent_indent="  ")
        + "\n\n"
        + textwrap.fill(METHOD_CASES, width=78, initial_indent="  ", subsequent_indent="  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument(
        "--coders",
        nargs=2,
        required=True,
        metavar=("A", "B"),
        help="the two creators to compare (as recorded on their highlights; case-insensitive)",
    )
    _add_tag_option(parser, "every tag either used")
    _add_document_option(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--version", action="version", version=f"ipreader {__version__}")
    return parser


def _cmd_agreement(args: argparse.Namespace) -> int:
    from ipreader.core.agreement import agreement
    from ipreader.core.agreement_render import agreement_json, agreement_text
    from ipreader.core.coding import Selection, coded_documents, creators
    from ipreader.core.errors import IpreaderError
    from ipreader.core.identity import creator_key

    first, second = args.coders
    if creator_key(first) == creator_key(second):
        raise UsageError("--coders needs two different names")
    library = _open_library(args.paths)
    left_out: list[str] = []
    documents = coded_documents(library, Selection(document_glob=args.document), left_out)
    _print_notices(left_out)  # before a coder is found missing: it may be why
    known = creators(documents)
    for name in (first, second):
        if creator_key(name) not in {creator_key(c) for c in known}:
            found = ", ".join(repr(c) for c in known) or "none"
            raise IpreaderError(f"no highlights by {name!r}; creators found: {found}")
    report = agreement(documents, first, second, args.tags)
    several = len(library.collections) > 1
    render = agreement_json if args.json else agreement_text
    text = render(report, several_roots=several)
    _print_notices(library.notices.take())
    _output(text, None)
    return 0


def run_coding_command(command: str, argv: list[str]) -> int:
    """Run ``ipreader COMMAND argv...`` for a command of ``CODING_COMMANDS``."""
    with gc_paused():  # tens of thousands of acyclic objects (core/gc_pause.py)
        if command == "report":
            return _cmd_report(_report_parser().parse_args(argv))
        if command == "agreement":
            return _cmd_agreement(_agreement_parser().parse_args(argv))
    raise UsageError(f"unknown command {command!r}")
