"""``ipreader tags``: list a folder's codebook, and rename, merge, move, delete, describe tags.

``cli.main`` dispatches here; parsing, output and errors follow its rules
(``ipreader: message`` on stderr and exit code 1 for a user error). The core
is imported only when a command runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipreader import __version__
from ipreader.cli import UsageError, _json_text, _Parser, _print_notices, _write_text

if TYPE_CHECKING:
    from ipreader.core.codebook import Codebook, Retagged, TagRow
    from ipreader.core.store import FolderStore

#: What ``ipreader tags PATH VERB ...`` can do.
VERBS = ("rename", "delete", "describe", "move", "color")

#: The highlight colours (``core.model.COLORS``, spelled out so --help does not import the core).
COLOR_CHOICES = ("yellow", "green", "blue", "pink", "purple")

_EPILOG = """\
  ipreader tags PATH... [--json]              every tag with highlight and document
                                              counts, description and colour, as a tree
  ipreader tags PATH rename OLD NEW           rename OLD (and its children: policy/eu
                                              becomes law/eu); onto an existing tag: merge
  ipreader tags PATH move TAG PARENT          move TAG under PARENT ("/": to the top)
  ipreader tags PATH delete TAG               remove TAG and its children from every
                                              highlight and document (highlights stay)
  ipreader tags PATH describe TAG [TEXT] [--color C|--no-color]
                                              set (or clear) TAG's description and colour
  ipreader tags PATH color [COLOR [MEANING]]  list colour meanings, or give COLOR a
                                              meaning in this folder ("" clears it)

Tags match case-insensitively. A rename or delete is one atomic write per
file under the folder's lock, safe beside a running ipreader (it reloads).
A folder named like a verb is given as ./rename.
"""


def _parser(verb: str | None) -> argparse.ArgumentParser:
    prog = "ipreader tags" if verb is None else f"ipreader tags PATH {verb}"
    parser = _Parser(
        prog=prog,
        description="List the tags of PATH, or change them everywhere in PATH's folder.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if verb is None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    elif verb == "rename":
        parser.add_argument("old", metavar="OLD")
        parser.add_argument("new", metavar="NEW")
    elif verb == "move":
        parser.add_argument("tag", metavar="TAG")
        parser.add_argument("parent", metavar="PARENT")
    elif verb == "delete":
        parser.add_argument("tag", metavar="TAG")
    elif verb == "describe":
        parser.add_argument("tag", metavar="TAG")
        parser.add_argument("text", nargs="?", default="", metavar="TEXT")
        colour = parser.add_mutually_exclusive_group()
        colour.add_argument("--color", choices=COLOR_CHOICES, help="the tag's colour")
        colour.add_argument("--no-color", action="store_true", help="clear the tag's colour")
    else:
        parser.add_argument("color", nargs="?", choices=COLOR_CHOICES, metavar="COLOR")
        parser.add_argument("meaning", nargs="?", metavar="MEANING")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--version", action="version", version=f"ipreader {__version__}")
    return parser


def run_tags_command(argv: list[str]) -> int:
    """Run ``ipreader tags`` with the arguments after ``tags``."""
    if len(argv) >= 2 and argv[1] in VERBS and not argv[0].startswith("-"):
        verb = argv[1]
        args = _parser(verb).parse_args(argv[2:])
        store = _store_of(Path(argv[0]))
        try:
            return _VERB_RUNNERS[verb](store, args)
        finally:
            # What reading the store's files raised meanwhile (a damaged file set aside,
            # one that cannot be read): its highlights were left out of the operation.
            _print_notices(store.notices.take())
    if argv and argv[0] in VERBS and not Path(argv[0]).exists():
        raise UsageError(f"the folder comes first: ipreader tags PATH {argv[0]} ...")
    return _list(_parser(None).parse_args(argv))


def _store_of(path: Path) -> FolderStore:
    """The store of ``path``'s folder (a file's folder is its parent)."""
    from ipreader.core.errors import DocumentError
    from ipreader.core.library import open_store

    if not path.exists():
        raise DocumentError(path, "no such file or folder")
    root = path if path.is_dir() else path.parent
    store = open_store(root.resolve())
    _print_notices(store.notices.take())
    return store


def _rows(stores: Sequence[FolderStore]) -> tuple[list[TagRow], Codebook]:
    """The tag tree of ``stores`` together (the first folder's codebook entry wins)."""
    from ipreader.core.codebook import Codebook, tag_tree

    documents = []
    tags: dict[str, Any] = {}
    colors: dict[str, str] = {}
    for store in stores:
        for stored in store.stored_documents().values():
            documents.append((stored.notes.tags, [a.tags for a in stored.annotations]))
        book = store.codebook()
        tags = {**book.tags, **tags}
        colors = {**book.colors, **colors}
    merged = Codebook(tags, colors)
    return tag_tree(documents, merged), merged


def _list(args: argparse.Namespace) -> int:
    from ipreader.core.text_table import Column, render_table

    roots: dict[Path, None] = {}
    for path in args.paths:
        store_root = path if path.is_dir() else path.parent
        if not path.exists():
            from ipreader.core.errors import DocumentError

            raise DocumentError(path, "no such file or folder")
        roots.setdefault(store_root.resolve())
    stores = [_store_of(root) for root in roots]
    rows, book = _rows(stores)
    # What reading the stores raised (a damaged file set aside, a codebook that cannot
    # be read): the counts below leave out what it names.
    _print_notices([notice for store in stores for notice in store.notices.take()])
    if args.json:
        _write_text(_json_text([_row_json(row) for row in rows]), sys.stdout)
        return 0
    if not rows:
        out = "(no tags)\n"
    else:
        out = render_table(
            [
                Column("Highlights", numeric=True),
                Column("Documents", numeric=True),
                Column("Tag", limit=60),
                Column("Colour"),
                Column("Description", limit=80),
            ],
            [
                [r.highlights, r.documents, "  " * r.depth + r.label, r.color, r.description]
                for r in rows
            ],
        )
    if book.legend():
        from ipreader.core.safe_text import printable

        out += f"\nColours: {printable(book.legend())}\n"
    _write_text(out, sys.stdout)
    return 0


def _row_json(row: TagRow) -> dict[str, Any]:
    return {
        "tag": row.tag,
        "count": row.uses,
        "highlights": row.highlights,
        "documents": row.documents,
        "depth": row.depth,
        "description": row.description,
        "color": row.color or None,
    }


def _known(store: FolderStore, tag: str) -> str:
    """``tag`` as the folder spells it; ``CodebookError`` when the folder has no such tag."""
    from ipreader.core.codebook import CodebookError, tag_id

    rows, _book = _rows([store])
    by_id = {tag_id(row.tag): row.tag for row in rows}
    found = by_id.get(tag_id(tag))
    if found is None:
        import difflib

        close = difflib.get_close_matches(tag, [row.tag for row in rows], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise CodebookError(f"{store.root} has no tag {tag!r}{hint}")
    return found


def _report(args: argparse.Namespace, done: Retagged, what: str, **fields: Any) -> int:
    from ipreader.core.safe_text import printable

    if args.json:
        value = {**fields, "highlights": len(done.highlights), "documents": len(done.documents)}
        _write_text(_json_text(value), sys.stdout)
    else:
        _write_text(printable(f"{what}: {done.summary()} changed.") + "\n", sys.stdout)
    return 0


def _rename(store: FolderStore, old: str, new: str, args: argparse.Namespace, verb: str) -> int:
    from ipreader.core.codebook import CodebookError, Rename, check_tag_name, tag_id
    from ipreader.core.tags import is_ancestor

    found = _known(store, old)
    name = check_tag_name(new)
    if found == name:
        raise CodebookError(f"{found!r} is already named so")
    if is_ancestor(found, name):  # its children would be renamed under themselves
        raise CodebookError(f"cannot {verb} {found!r} under itself ({name!r})")
    rows, _book = _rows([store])
    merged = tag_id(name) != tag_id(found) and tag_id(name) in {tag_id(r.tag) for r in rows}
    done = store.retag(Rename(found, name))
    what = f"{'Merged' if merged else 'Renamed'} {found} {'into' if merged else 'to'} {name}"
    return _report(args, done, what, operation=verb, old=found, new=name, merged=merged)


def _cmd_rename(store: FolderStore, args: argparse.Namespace) -> int:
    return _rename(store, args.old, args.new, args, "rename")


def _cmd_move(store: FolderStore, args: argparse.Namespace) -> int:
    from ipreader.core.codebook import moved_name

    parent = "" if args.parent.strip() in ("", "/") else args.parent
    found = _known(store, args.tag)  # moved as the folder spells it
    return _rename(store, found, moved_name(found, parent), args, "move")


def _cmd_delete(store: FolderStore, args: argparse.Namespace) -> int:
    from ipreader.core.codebook import Delete

    found = _known(store, args.tag)
    done = store.retag(Delete(found))
    what = f"Deleted {found} (and its children) from every highlight and document"
    return _report(args, done, what, operation="delete", tag=found)


def _cmd_describe(store: FolderStore, args: argparse.Namespace) -> int:
    from ipreader.core.codebook import check_tag_name, describe
    from ipreader.core.safe_text import printable

    name = check_tag_name(args.tag)
    color = "" if args.no_color else args.color
    book = store.update_codebook(lambda b: describe(b, name, args.text, color))
    entry = book.entry(name)
    if args.json:
        value = {
            "tag": name,
            "description": "" if entry is None else entry.description,
            "color": None if entry is None or not entry.color else entry.color,
        }
        _write_text(_json_text(value), sys.stdout)
    else:
        said = "cleared" if entry is None else "saved"
        _write_text(printable(f"Description of {name} {said}.") + "\n", sys.stdout)
    return 0


def _cmd_color(store: FolderStore, args: argparse.Namespace) -> int:
    from ipreader.core.model import COLORS
    from ipreader.core.safe_text import printable

    if args.color is not None and args.meaning is None:
        raise UsageError(f'give a meaning for {args.color} (or "" to clear it)')
    book = store.codebook()
    if args.color is not None:
        color, meaning = args.color, args.meaning
        book = store.update_codebook(lambda b: b.with_meaning(color, meaning))
    if args.json:
        _write_text(_json_text({c: book.meaning(c) or None for c in COLORS}), sys.stdout)
    else:
        lines = [f"{c:7s} {book.meaning(c) or '-'}" for c in COLORS]
        _write_text(printable("\n".join(lines), multiline=True) + "\n", sys.stdout)
    return 0


_VERB_RUNNERS = {
    "rename": _cmd_rename,
    "move": _cmd_move,
    "delete": _cmd_delete,
    "describe": _cmd_describe,
    "color": _cmd_color,
}
