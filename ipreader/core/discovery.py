"""Which files of a folder are articles: the walk and the grouping of command-line paths.

Symbolic links are followed only inside the folder, hidden names and the
store's own folder are skipped, and each collection's articles come sorted by
their key (``documents.document_key``). Run by the opening thread on folders
of thousands of files, so its loops pace (``core.pacing``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ipreader.core.documents import document_key
from ipreader.core.errors import DocumentError
from ipreader.core.pacing import PACE_EVERY, pace, stepped
from ipreader.core.paths import STORE_DIRNAME, is_article_candidate


def _is_inside(path: str, root: str) -> bool:
    """True when the real path ``path`` is ``root`` or lies below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _skipped(name: str) -> bool:
    """True for a name the walk never enters nor lists: hidden, or the store's folder."""
    return name.startswith(".") or name == STORE_DIRNAME


def _walk(root: Path, unlisted: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Return the article files below ``root`` (see ``discover``), unsorted.

    Symbolic links are followed only when they resolve inside ``root``; each
    real directory is entered once, so link loops end. What cannot be listed
    is added to ``unlisted`` with a sentence saying why and what is left out: a
    folder that cannot be read, a link named like an article that leads to
    nothing (its target gone, or links in a loop).
    """
    root_real = os.path.realpath(root)
    visited = {root_real}
    found: list[Path] = []
    pending = [root]
    # Whether a name is an article depends only on its suffix: asked once per suffix
    # ("x" + suffix has the same ``Path.suffix``; hidden names never get here), not
    # once per file of a big folder.
    by_suffix: dict[str, bool] = {}
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except FileNotFoundError:
            continue  # gone since it was seen: nothing to list, nothing to say
        except OSError as error:
            # Its articles cannot be known: said, never passed over in silence.
            if unlisted is not None:
                why = error.strerror or str(error)
                unlisted.append(
                    (Path(directory), f"cannot be listed ({why}): the articles in it are left out")
                )
            continue
        # A directory of 10,000 files is ~0.1 s: the app's frames go first (stepped).
        for entry in stepped(entries):
            if _skipped(entry.name):
                continue
            try:
                is_link = entry.is_symlink()
                if is_link:
                    target = os.path.realpath(entry.path)
                    if not _is_inside(target, root_real):
                        continue
                if entry.is_dir():
                    real = target if is_link else os.path.realpath(entry.path)
                    if real not in visited:
                        visited.add(real)
                        pending.append(Path(entry.path))
                elif entry.is_file():
                    # is_file() is a stat (S_ISREG): FIFOs and devices are never listed.
                    _, dot, after = entry.name.rpartition(".")
                    suffix = dot + after if dot else ""
                    article = by_suffix.get(suffix)
                    if article is None:
                        article = by_suffix[suffix] = is_article_candidate(Path("x" + suffix))
                    if article:
                        found.append(directory / entry.name)
                elif is_link and not os.path.exists(entry.path):
                    _dead_link(Path(entry.path), unlisted)
            except OSError:
                if entry.is_symlink():  # a loop: its stat fails (ELOOP)
                    _dead_link(Path(entry.path), unlisted)
                continue
    return found


def _dead_link(path: Path, unlisted: list[tuple[Path, str]] | None) -> None:
    """Add a link that leads to nothing to ``unlisted`` when it is named like an article."""
    if unlisted is not None and is_article_candidate(path):
        why = "is a link to nothing (its target is gone, or links loop): left out"
        unlisted.append((path, why))


def walk_lists(root: Path, relpath: str) -> bool:
    """True when walking ``root`` would most likely list ``relpath`` (without walking it).

    The rules of ``_walk`` for one path: no hidden part nor the store's folder,
    an article's name, a regular file (through links that stay inside
    ``root``). A path reached through a link out of ``root`` and back in, or a
    directory reached twice, may still be listed under another name.
    """
    parts = relpath.split("/")
    if not relpath or any(not part or part in (".", "..") for part in parts):
        return False
    if any(_skipped(part) for part in parts):
        return False
    path = root.joinpath(*parts)
    if not is_article_candidate(path):
        return False
    try:
        # The walk lists only what it can list: a folder it may enter but not read
        # (mode 0311) hides its files from it, not from is_file().
        folders = (root.joinpath(*parts[:depth]) for depth in range(len(parts)))
        if not all(os.access(folder, os.R_OK | os.X_OK) for folder in folders):
            return False
        if not path.is_file():
            return False
        return _is_inside(os.path.realpath(path), os.path.realpath(root))
    except OSError:
        return False


def discover(
    paths: Sequence[Path], unlisted: list[tuple[Path, str]] | None = None
) -> list[tuple[Path, list[Path]]]:
    """Group command-line paths into collections ``(root, article files sorted by relpath)``.

    A folder is its own root (articles found recursively); a file's root is its
    parent, and files of one folder share it. A folder named inside another
    named folder is merged into the outer one. Raises ``DocumentError`` for a
    missing path. The folders that could not be listed go to ``unlisted``,
    each with why.
    """
    folders: list[Path] = []
    files: list[Path] = []
    for given in paths:
        if not os.path.lexists(given) or not given.exists():
            raise DocumentError(given, "no such file or directory")
        if given.is_dir():
            folders.append(given.resolve())
        else:
            files.append(Path(os.path.abspath(given)))

    groups: dict[Path, set[Path]] = {}
    for folder in sorted(set(folders), key=lambda p: len(p.parts)):
        if any(folder.is_relative_to(root) for root in groups):
            continue
        groups[folder] = set(_walk(folder, unlisted))
    for file in files:
        parent = file.parent.resolve()
        inside = next((root for root in groups if parent.is_relative_to(root)), None)
        root = inside if inside is not None else parent
        groups.setdefault(root, set()).add(root / parent.relative_to(root) / file.name)

    # Collections keep the order in which their roots (or files) were first named.
    order: list[Path] = []
    for given in paths:
        resolved = given.resolve() if given.is_dir() else given.parent.resolve()
        root = next((r for r in groups if resolved.is_relative_to(r)), resolved)
        if root not in order:
            order.append(root)
    return [(root, _sorted_by_key(root, groups[root])) for root in order if root in groups]


def _sorted_by_key(root: Path, files: set[Path]) -> list[Path]:
    """``files`` sorted by ``document_key``, the keys made in pieces between ``pace()``s."""
    unsorted = list(files)
    keys: list[str] = []
    for start in range(0, len(unsorted), PACE_EVERY):
        pace()
        keys.extend(document_key(root, path) for path in unsorted[start : start + PACE_EVERY])
    # Sorting 10,000 strings is one call in C of a few ms; the keys were the Python part.
    return [unsorted[i] for i in sorted(range(len(unsorted)), key=keys.__getitem__)]
