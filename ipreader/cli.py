"""The ``ipreader`` command line: open the reader, or export, import, list and count tags.

(Over 450 lines: each command's parser and its runner sit side by side, with the
one dispatch and crash handling they share.)

``ipreader [PATH...]`` opens the app; ``ipreader export|import|tags|list ...``
run without it. The two share the first positional argument, so dispatch is
explicit: a first argument that is a command name runs that command, anything
else is a path to open (a folder literally named ``export`` is opened with
``ipreader ./export``). Only opening the app imports Textual, which keeps the
other commands fast.

Exit codes: 0 success, 1 user error (``ipreader: message`` on stderr, never a
traceback), 70 unexpected error (a bug: ``ipreader: message`` naming a crash
log, the traceback in the log), 129 the app's terminal went away (what was queued
saved first: ``tui/hangup.py``), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

from ipreader import __version__
from ipreader.core.gc_pause import gc_paused
from ipreader.core.safe_text import escape_json_controls, printable

if TYPE_CHECKING:
    from ipreader.core.library import Library

COMMANDS = (
    "export",
    "import",
    "tags",
    "list",
    "report",
    "agreement",
    "check",
    "relink",
    "merge-driver",
)

#: ``export --format`` and ``import --format`` choices (core.export.FILE_EXPORT_FORMATS and
#: core.importer.IMPORT_FORMATS, spelled out so that --help does not import the core).
EXPORT_CHOICES = ("json", "w3c", "markdown", "csv", "qdc", "qdpx")
IMPORT_CHOICES = ("ipreader", "w3c", "hypothesis", "qdpx")

#: Exit status after an unexpected error (``EX_SOFTWARE`` of sysexits.h).
EXIT_CRASH = 70

_OPEN_EPILOG = """\
ipreader FILE:LINE (or FILE --line LINE) opens FILE at that line.

commands:
  ipreader export PATH [-o FILE] [--format json|w3c|markdown|csv|qdc|qdpx] [--tag T]...
                  [--document GLOB]
  ipreader import FILE PATH [--format ipreader|w3c|hypothesis|qdpx]
  ipreader tags PATH [--json]
  ipreader tags PATH rename OLD NEW | move TAG PARENT | delete TAG
  ipreader tags PATH describe TAG [TEXT] | color [COLOR [MEANING]]
  ipreader list PATH [--json]
  ipreader report PATH [--kind codes|matrix|cooccurrence] [--tag T]... [--format F] [-o FILE]
  ipreader agreement PATH --coders A B [--tag T]... [--json]
  ipreader check PATH [--json]          (exit status 2 when a highlight or article is lost)
  ipreader relink FOLDER OLD NEW
  ipreader merge-driver %O %A %B %P     (git's merge driver for .ipreader/; see README)
  Run "ipreader COMMAND --help" for details.

With no PATH the bundled sample articles are opened. A folder named like a
command is opened with a path prefix: ipreader ./export
"""


class UsageError(Exception):
    """Bad command-line arguments (reported like any user error, exit code 1)."""


class AppCrashed(Exception):
    """The app stopped on an unexpected error; Textual's report of it is ``details``."""

    def __init__(self, details: str) -> None:
        self.details = details
        super().__init__("the app stopped on an unexpected error")


def tag_argument(value: str) -> str:
    """A ``--tag`` value: refused when blank (it would keep everything, as if not given)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("a tag cannot be empty")
    return value


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are raised, so ``main`` decides the output and exit code."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _open_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ipreader",
        description="Read and annotate folders of text articles in the terminal.",
        epilog=_OPEN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="folders or files to open (default: the bundled sample articles); "
        "FILE:LINE opens FILE at that line",
    )
    parser.add_argument(
        "--line", type=int, metavar="N", help="open the file given at line N (1 = first)"
    )
    parser.add_argument("--version", action="version", version=f"ipreader {__version__}")
    return parser


def split_line_suffix(path: Path) -> tuple[Path, int | None]:
    """Return ``(FILE, LINE)`` for an argument ``FILE:LINE`` naming an existing file.

    A path that exists as given is never split (a file may be named ``a:12``).
    """
    text = str(path)
    head, sep, tail = text.rpartition(":")
    if sep and tail.isdigit() and not path.exists() and Path(head).is_file():
        return Path(head), int(tail)
    return path, None


def _command_parser(command: str) -> argparse.ArgumentParser:
    if command == "export":
        parser = _Parser(
            prog="ipreader export",
            description="Export the annotations of PATH (JSON to stdout by default).",
        )
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
        parser.add_argument(
            "--format",
            dest="fmt",
            default="json",
            choices=EXPORT_CHOICES,
            help="json (ipreader, re-importable), w3c (Web Annotation JSON-LD), markdown, "
            "csv (one row per highlight), qdc (REFI-QDA codebook), qdpx (REFI-QDA project, "
            "a zip: give -o FILE.qdpx)",
        )
        parser.add_argument(
            "--tag",
            dest="tags",
            action="append",
            default=[],
            type=tag_argument,
            metavar="T",
            help="keep annotations with tag T (case-insensitive; repeat for any of several)",
        )
        parser.add_argument(
            "--document",
            metavar="GLOB",
            help="keep documents whose relative path matches GLOB (fnmatch, e.g. 'news/*.txt')",
        )
    elif command == "import":
        parser = _Parser(
            prog="ipreader import",
            description="Merge the annotations of FILE (ipreader JSON, W3C Web Annotation "
            "JSON-LD, Hypothesis API JSON or a REFI-QDA .qdpx project; detected) into the "
            "folder PATH.",
        )
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument("root", type=Path, metavar="PATH")
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=IMPORT_CHOICES,
            help="read FILE as this format instead of detecting it",
        )
    else:
        parser = _Parser(
            prog="ipreader list",
            description="List the documents of PATH with title, date, highlights and tags.",
        )
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--version", action="version", version=f"ipreader {__version__}")
    return parser


def _write_text(text: str, stream: IO[str]) -> None:
    """Write ``text`` as UTF-8 whatever the locale (exports are always UTF-8)."""
    buffer = getattr(stream, "buffer", None)
    stream.flush()
    if buffer is not None:
        # Callers already replace or escape lone surrogates (file names that are not
        # UTF-8); backslashreplace is the safety net so output never dies mid-way.
        buffer.write(text.encode("utf-8", errors="backslashreplace"))
        buffer.flush()
    else:
        stream.write(text)
        stream.flush()


def _json_text(value: Any) -> str:
    """Return ``value`` as indented JSON safe for a terminal (controls as ``\\u`` escapes)."""
    return escape_json_controls(json.dumps(value, ensure_ascii=False, indent=2)) + "\n"


def _say(message: str) -> None:
    """Print ``ipreader: message`` to stderr, terminal controls made visible."""
    # Messages quote paths and file contents; those must not reach the terminal raw.
    print(f"ipreader: {printable(message, multiline=True)}", file=sys.stderr)


def written_to(path: Path, data: bytes, verb: str) -> str:
    """Write an ``-o`` output (``core.output.write_output``); return the line that says where."""
    from ipreader.core.output import write_output

    target = write_output(path, data)
    # One line whatever the names hold (_say keeps a message's own line breaks).
    shown, through = printable(str(target)), printable(str(path))
    if target != path:
        return f"{verb} to {shown} (through the link {through})"
    return f"{verb} to {shown}"


def _print_notices(notices: Sequence[str]) -> None:
    for notice in notices:
        _say(notice)


def _open_library(paths: Sequence[Path]) -> Library:
    from ipreader.core.library import Library

    library = Library.open(paths)
    _print_notices(library.notices.take())
    return library


def _cmd_open(paths: list[Path], line: int | None = None) -> int:
    from ipreader.core import paths as where
    from ipreader.core.errors import DocumentError

    targets: list[Path] = []
    for given in paths or [where.seeds_dir()]:
        path, at_line = split_line_suffix(given)
        line = at_line if at_line is not None else line
        if not path.exists():
            raise DocumentError(path, "no such file or folder")
        targets.append(path)
    if line is not None and line < 1:
        raise UsageError(f"--line must be 1 or more, not {line}")
    # Textual is imported here and only here: the other commands stay light.
    from io import StringIO

    from rich.console import Console

    from ipreader.tui.app import IpreaderApp

    app = IpreaderApp(paths=targets, line=line)
    # Textual prints an unhandled error's traceback on its error console after the
    # app's screen is gone; it goes to the crash log instead of the terminal.
    report = StringIO()
    app.error_console = Console(file=report, width=120, color_system=None, markup=False)
    app.run()
    if app.return_code:
        raise AppCrashed(report.getvalue())
    if app.hung_up is not None:
        from ipreader.tui.hangup import HANGUP_EXIT

        return HANGUP_EXIT
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from ipreader.core.export import export_bytes

    if args.fmt == "qdpx" and args.output is None and sys.stdout.isatty():
        raise UsageError("a qdpx project is a zip file: write it with -o FILE.qdpx")
    library = _open_library(args.paths)
    data = export_bytes(library, args.fmt, tags=args.tags, document_glob=args.document)
    _print_notices(library.notices.take())
    if args.output is None:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            _write_text(data.decode("utf-8", errors="replace"), sys.stdout)
        else:
            sys.stdout.flush()
            buffer.write(data)
            buffer.flush()
    else:
        _say(written_to(args.output, data, "exported"))
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from ipreader.core.importer import import_file

    report = import_file(args.file, args.root, args.fmt)
    _print_notices(report.notices)
    lines = [f"Imported {args.file} ({report.format}) into {args.root}: {report.summary()}"]
    lines += [f"  {message}" for message in report.lines()]
    _write_text("\n".join(printable(line) for line in lines) + "\n", sys.stdout)
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from ipreader.core.drift import DriftCounts

    library = _open_library(args.paths)
    # One read of the index and of each annotation file per folder, not one per document.
    stored_by_root = {c.root: c.store.stored_documents() for c in library.collections}
    edited = any(
        record.annotations and info.sha256 != record.sha256
        for collection in library.collections
        for info in collection.documents
        if (record := stored_by_root[collection.root].get(info.relpath)) is not None
    )
    # Documents edited since anchored are read and re-anchored now; when none was (the
    # usual case), their stored statuses are current and no article is read.
    # Re-anchoring never adds or drops a highlight or a tag: the stored rows stay right.
    changed = {}
    if edited:
        from ipreader.core.check import current_counts  # imported only when needed

        changed = current_counts(library)
    # Per folder: its JSON rows and, for the table only, each document's source.
    groups: list[tuple[str, list[dict[str, Any]], list[str | None]]] = []
    for collection in library.collections:
        stored = stored_by_root[collection.root]
        rows: list[dict[str, Any]] = []
        for info in collection.documents:
            row: dict[str, Any] = {"root": str(collection.root), "path": info.relpath}
            if info.readable:
                record = stored.get(info.relpath)
                counts = changed.get((collection.root, info.relpath)) or DriftCounts.of(
                    () if record is None else record.annotations
                )
                row.update(
                    title=info.title,
                    date=info.date,
                    highlights=0 if record is None else len(record.annotations),
                    tags=[] if record is None else list(record.notes.tags),
                    error=None,
                    not_exact=counts.not_exact,
                    statuses=counts.as_dict(),
                )
            else:
                row.update(title=None, date=None, highlights=0, tags=[], error=info.error)
            rows.append(row)
        for missing in collection.missing:  # never hidden: listed with their annotations
            annotations = missing.stored.annotations
            rows.append(
                {
                    "root": str(collection.root),
                    "path": missing.relpath,
                    "title": None,
                    "date": None,
                    "highlights": len(annotations),
                    "tags": list(missing.stored.notes.tags),
                    "error": None,
                    "missing": True,
                    "not_exact": len(annotations),
                    "statuses": DriftCounts.of(annotations, missing=True).as_dict(),
                }
            )
        if rows:
            sources = [i.source for i in collection.documents] + [None] * len(collection.missing)
            groups.append((str(collection.root), rows, sources))
    _print_notices(library.notices.take())
    if args.json:
        _write_text(_json_text([row for _, rows, _ in groups for row in rows]), sys.stdout)
        return 0
    several = len(library.collections) > 1
    from ipreader.cli_table import list_tables

    _write_text(list_tables(groups, several) if groups else "(no documents)\n", sys.stdout)
    return 0


def _run(argv: list[str]) -> int:
    if argv and argv[0] in ("report", "agreement"):
        from ipreader.cli_coding import run_coding_command

        return run_coding_command(argv[0], argv[1:])
    if argv and argv[0] == "tags":
        from ipreader.cli_codebook import run_tags_command

        return run_tags_command(argv[1:])
    if argv and argv[0] in ("check", "relink"):
        from ipreader.cli_trust import run_trust_command

        return run_trust_command(argv[0], argv[1:])
    if argv and argv[0] == "merge-driver":
        from ipreader.cli_sharing import run_sharing_command

        return run_sharing_command(argv[0], argv[1:])
    if argv and argv[0] in COMMANDS:
        command = argv[0]
        args = _command_parser(command).parse_args(argv[1:])
        if command == "export":
            # The whole command, not only export_bytes: opening 10,000 articles makes
            # as many acyclic objects as the export itself (core/gc_pause.py).
            with gc_paused():
                return _cmd_export(args)
        if command == "import":
            return _cmd_import(args)
        with gc_paused():  # tens of thousands of acyclic objects (core/gc_pause.py)
            return _cmd_list(args)
    args = _open_parser().parse_args(argv)
    return _cmd_open(args.paths, args.line)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ipreader`` command line with ``argv`` (default ``sys.argv[1:]``)."""
    from ipreader.core.errors import IpreaderError

    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(arguments)
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else 0
    except KeyboardInterrupt:
        print("ipreader: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): no message, and silence the
        # interpreter's own complaint when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except UsageError as error:
        _say(str(error))
        return 1
    except IpreaderError as error:
        _say(str(error))
        return 1
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        _say(f"{where}{error.strerror or error}")
        return 1
    except Exception as error:  # a bug: say so in one line, keep the details in a log
        return _crashed(error, arguments)


def _crashed(error: Exception, arguments: list[str]) -> int:
    """Report an unexpected error: a crash log with the traceback, one ``ipreader:`` line."""
    import traceback

    from ipreader.core.crash_log import write_crash_log

    if isinstance(error, AppCrashed):
        what, details = str(error), error.details
    else:
        what = f"unexpected error ({type(error).__name__}: {str(error)[:200]})"
        details = traceback.format_exc()
    log = write_crash_log(details, arguments)
    if log is None:
        sys.stderr.write(details)
        _say(f"{what}; this is a bug, please report it with the traceback above")
    else:
        _say(f"{what}; this is a bug, please report it with the crash log {log}")
    return EXIT_CRASH
