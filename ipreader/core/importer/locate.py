"""Finding the folder's article a ``DocumentRef`` names, or saying why none.

In order: the relative path (a path escaping the folder is refused outright,
never looked for elsewhere); the content hash; the text itself; the article
the store holds the entries' highlights on, by their ids (an export made
before a renamed *and* edited article was relinked: its path and hash name
nothing now, its highlights' ids name the article they followed); the last
segments of a URI or source name (``file:///home/u/news/a.txt`` finds
``news/a.txt``, else a unique ``a.txt`` or ``a``); the quotes (only when the
reference allows it, and only an article that alone holds the longest quote).
Articles are read at most once per import, and only when a lookup needs them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable
from pathlib import Path, PurePosixPath, PureWindowsPath

from ipreader.core.documents import DocumentText, normalize_newlines, read_document
from ipreader.core.errors import DocumentError
from ipreader.core.importer.batch import DocumentRef

#: Documents found by searching their quotes in every article, per import.
MAX_QUOTE_SEARCHES = 1_000


#: How ``Locator.locate`` found an article: by the path given, else ...
HOW_PATH = "path"
HOW_HASH = "its content hash"
HOW_TEXT = "its text"
HOW_IDS = "its highlights' ids"
HOW_NAME = "its name"
HOW_QUOTE = "its quote"

#: The stored articles holding an entry group's highlights (by id); may repeat one.
HoldersOf = Callable[[], Collection[str]]


class NotFound(Exception):
    """No article of the folder is the document; the message says why."""


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name.strip(".") else name


class Locator:
    """The articles of one folder (``known``: relative path -> file), looked up by reference."""

    def __init__(self, root: Path, known: dict[str, Path]) -> None:
        self.root = root
        """The folder, resolved."""
        self.known = known
        self._read: dict[str, DocumentText | None] = {}
        self._searches = 0

    def read(self, relpath: str) -> DocumentText:
        """The article ``relpath`` (read once); ``DocumentError`` when unreadable."""
        if relpath not in self._read:
            try:
                self._read[relpath] = read_document(self.known[relpath])
            except DocumentError:
                self._read[relpath] = None
                raise
        document = self._read[relpath]
        if document is None:
            raise DocumentError(self.known[relpath], "unreadable")
        return document

    def file(self, relpath: str) -> str:
        """The file of the article ``relpath``, as text."""
        return os.fspath(self.known[relpath])

    def keep(self, relpath: str, document: DocumentText) -> None:
        """Remember ``document`` as what ``read(relpath)`` returns (read elsewhere)."""
        self._read[relpath] = document

    def _all(self) -> Iterable[tuple[str, DocumentText]]:
        for relpath in self.known:
            try:
                yield relpath, self.read(relpath)
            except DocumentError:
                continue

    def checked_path(self, relpath: object) -> str:
        """The key of a relative path that stays inside the folder; ``NotFound`` otherwise."""
        if not isinstance(relpath, str) or not relpath:
            raise NotFound("path must be a non-empty string")
        if relpath in self.known and "\\" not in relpath and relpath[1:2] != ":":
            # A discovered article's own key (relative, POSIX, normalised, inside the folder:
            # the checks below could only pass, unless it holds a backslash or looks like a
            # Windows drive, which they refuse): no path objects for 10,000 of them.
            return relpath
        if "\x00" in relpath or len(relpath) > 4096:
            raise NotFound("invalid path")
        posix = PurePosixPath(relpath)
        if posix.is_absolute() or PureWindowsPath(relpath).is_absolute() or "\\" in relpath:
            raise NotFound(f"path {relpath!r} is absolute or not a relative POSIX path")
        if ".." in posix.parts:
            raise NotFound(f"path {relpath!r} escapes the folder")
        key = posix.as_posix()
        if key not in self.known:
            # ``root`` is resolved once per import, not per entry.
            target = (self.root / key).resolve()
            if target != self.root and self.root not in target.parents:
                raise NotFound(f"path {relpath!r} resolves outside the folder")
        return key

    def find(self, ref: DocumentRef, quotes: list[str], holders: HoldersOf = lambda: ()) -> str:
        """The relative path of the article ``ref`` names; ``NotFound`` with the reason."""
        return self.locate(ref, quotes, holders)[0]

    def locate(
        self, ref: DocumentRef, quotes: list[str], holders: HoldersOf = lambda: ()
    ) -> tuple[str, str]:
        """``(relative path, how it was found)`` of the article ``ref`` names (``HOW_*``);
        ``NotFound`` with the reason.

        ``holders`` gives the stored articles that hold the entries' highlights
        (by id); it is called only when the path and the hash name nothing.
        """
        reasons = []
        if ref.path is not None:
            key = self.checked_path(ref.path)  # an escaping path is never looked for elsewhere
            if key in self.known:
                return key, HOW_PATH
            reasons.append(f"path {ref.path!r} names no article of the folder")
        if ref.sha256:
            found = [r for r, d in self._all() if d.sha256 == ref.sha256]
            if len(found) == 1:
                return found[0], HOW_HASH
        if ref.text is not None:
            text = normalize_newlines(ref.text.removeprefix("\ufeff"))
            found = [r for r, d in self._all() if d.text == text]
            if len(found) == 1:
                return found[0], HOW_TEXT
        held = sorted(set(holders()))
        if len(held) == 1 and held[0] in self.known:
            return held[0], HOW_IDS
        if held:
            reasons.append(_held_elsewhere(held))
        if ref.uri_path:
            named = self._by_name(ref.uri_path)
            if named is not None:
                return named, HOW_NAME
            reasons.append(f"no article is named like {ref.uri_path[-200:]!r}")
        if ref.search_quotes and quotes:
            return self._by_quote(max(quotes, key=len), reasons), HOW_QUOTE
        raise NotFound("; ".join(reasons) or "the file names no document")

    def _by_name(self, uri_path: str) -> str | None:
        """The article whose path ends the URI's path (segment-wise), else by file name or stem."""
        segments = [s for s in uri_path.split("/") if s]
        if not segments:
            return None
        for depth in range(len(segments), 0, -1):
            key = "/".join(segments[-depth:])
            if key in self.known:
                return key
        name = segments[-1]
        for found in (
            [r for r in self.known if PurePosixPath(r).name == name],
            [r for r in self.known if _stem(PurePosixPath(r).name) == _stem(name)],
        ):
            if len(found) == 1:
                return found[0]
        return None

    def _by_quote(self, quote: str, reasons: list[str]) -> str:
        self._searches += 1
        if self._searches > MAX_QUOTE_SEARCHES:
            raise NotFound(f"more than {MAX_QUOTE_SEARCHES:,} documents to find by their quotes")
        found = [relpath for relpath, document in self._all() if quote in document.text]
        if len(found) == 1:
            return found[0]
        where = "no article" if not found else f"{len(found)} articles"
        reasons.append(f"its quote is in {where} (it must be in exactly one)")
        raise NotFound("; ".join(reasons))


def _held_elsewhere(held: list[str]) -> str:
    """Why the articles holding a group's highlights (by id) do not name its document."""
    if len(held) > 1:
        shown = ", ".join(repr(relpath) for relpath in held[:3])
        more = ", ..." if len(held) > 3 else ""
        return f"its highlights' ids are on {len(held)} articles ({shown}{more}): none chosen"
    # Stored for a file that is gone: the folder was not reopened since the rename (the
    # app and the other commands relink a renamed article on opening the folder).
    return (
        f"its highlights are stored for {held[0]!r}, which is not in the folder: relink it "
        "(open the folder in ipreader, or `ipreader relink FOLDER OLD NEW`) and import again"
    )
