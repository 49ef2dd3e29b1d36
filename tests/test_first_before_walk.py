"""A single folder's last-read article is shown before the folder is walked.

Walking a folder of 10,000 files takes longer than opening its store: the
article the user last read (the one most likely opened first) is read and
painted as soon as the store is open (``Library.open(before_walk=...)``),
when the walk would list it (``discovery.walk_lists``). These tests pin the
order, that the read is the one the library then opens from, the cases that
wait for the walk, and that ``walk_lists`` agrees with the walk itself.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import CJK, Posted, annotate, counted_reads, held_walk, settle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from unprivileged import can_switch_user, run_as_nobody

import ipreader.core.library as library_module
from ipreader.core.discovery import discover, walk_lists
from ipreader.core.library import Library
from ipreader.core.store import FolderStore
from ipreader.tui.app import IpreaderApp
from ipreader.tui.first_text import FirstText
from ipreader.tui.messages import FirstTextRead
from ipreader.tui.session import Session


def walks_seen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record "walk" in the returned list each time the library walks its paths."""
    events: list[str] = []
    real = library_module.discover

    def recorded(*args: Any, **kwargs: Any) -> Any:
        events.append("walk")
        return real(*args, **kwargs)

    monkeypatch.setattr(library_module, "discover", recorded)
    return events


def test_the_last_read_article_is_handed_over_before_the_walk_and_read_once(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    annotate(articles, "cjk.txt", "日本")
    FolderStore.open(articles).set_last_document("cjk.txt")
    events = walks_seen(monkeypatch)
    reads = counted_reads(monkeypatch)

    def first_read(first: FirstText) -> None:
        events.append(f"first {first.path.name}")

    opened = Session([articles]).open(first_read=first_read)
    assert events[:2] == ["first cjk.txt", "walk"]
    assert opened.loaded is not None and opened.loaded.text == CJK
    assert [a.quote for a in opened.loaded.annotations] == ["日本"]
    # Shown, described (metadata) and reconciled from the one read made before the walk.
    assert reads.count(articles / "cjk.txt") == 1


def test_a_vanished_last_read_article_waits_for_the_walk(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    FolderStore.open(articles).set_last_document("cjk.txt")
    (articles / "cjk.txt").unlink()
    events = walks_seen(monkeypatch)
    opened = Session([articles]).open(first_read=lambda f: events.append(f"first {f.path.name}"))
    # Nothing can be told before the walk: then the first article by name.
    assert events[:2] == ["walk", "first alpha.txt"]
    assert opened.first is not None and opened.first.relpath == "alpha.txt"


def test_a_last_read_article_refused_before_the_walk_is_not_read_again_after_it(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    annotate(articles, "cjk.txt", "日本")
    FolderStore.open(articles).set_last_document("cjk.txt")
    with (articles / "cjk.txt").open("a", encoding="utf-8") as file:
        file.write("An edit since the highlight was made.\n")  # re-anchored before shown
    reads = counted_reads(monkeypatch)
    shown: list[FirstText] = []
    opened = Session([articles]).open(first_read=shown.append)
    assert shown == []  # its highlights are re-anchored first: nothing is painted early
    assert opened.loaded is not None and opened.loaded.text.endswith("highlight was made.\n")
    # Read before the walk (and refused), for its changed metadata, and to be opened.
    assert reads.count(articles / "cjk.txt") == 3


def test_no_store_is_opened_before_the_walk_for_several_paths_or_a_file(
    articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.txt").write_text("Another article.\n", encoding="utf-8")
    called: list[Path] = []

    def before_walk(root: Path, store: FolderStore) -> dict[Path, Any]:
        called.append(root)
        return {}

    Library.open([articles, other], before_walk=before_walk)
    Library.open([articles / "alpha.txt"], before_walk=before_walk)
    assert called == []
    real_open_store = library_module.open_store
    stores: list[FolderStore] = []

    def counted(root: Path, notices: Any = None) -> FolderStore:
        stores.append(real_open_store(root, notices))
        return stores[-1]

    monkeypatch.setattr(library_module, "open_store", counted)
    library = Library.open([articles], before_walk=before_walk)
    assert called == [articles.resolve()]
    # The store opened before the walk is the collection's own (not opened twice).
    assert [c.store for c in library.collections] == stores and len(stores) == 1


async def test_the_app_shows_the_last_read_article_while_the_folder_is_walked(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    FolderStore.open(articles).set_last_document("cjk.txt")
    release = held_walk(monkeypatch)
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=(120, 36), message_hook=posted) as pilot:
        screen = pilot.app.main_screen
        try:
            for _ in range(100):
                if posted.of(FirstTextRead):
                    break
                await pilot.pause(0.05)
            await pilot.pause()
            assert screen.document is None  # shown, not open: the walk is still held
            assert screen.reader.text == CJK
        finally:
            release.set()
        await settle(pilot)
        assert screen.document is not None and screen.document.relpath == "cjk.txt"


# Names a walk lists or skips: hidden ones, the store's folder, other suffixes.
_NAMES = st.sampled_from(["a.txt", "b.md", "c", "d.pdf", ".e.txt", ".ipreader", "F.TXT"])
_TREES = st.lists(st.lists(_NAMES, min_size=1, max_size=3), min_size=1, max_size=8)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_TREES)
def test_walk_lists_agrees_with_the_walk(tmp_path: Path, trees: list[list[str]]) -> None:
    root = tmp_path / f"t{len(list(tmp_path.iterdir()))}"
    root.mkdir()
    made: set[str] = set()
    for parts in trees:
        *folders, name = parts
        directory = root.joinpath(*folders)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            continue  # a file where one of these folders would be
        file = directory / name
        if file.exists():
            continue
        file.write_text("text\n", encoding="utf-8")
        made.add("/".join(parts))
    [(_, files)] = discover([root])
    walked = {f.relative_to(root).as_posix() for f in files}
    for relpath in made | {"missing.txt", "a.txt/x.txt", "../a.txt", "", "a.txt/"}:
        assert walk_lists(root, relpath) == (relpath in walked), relpath


def test_walk_lists_follows_links_only_inside_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "inner").mkdir(parents=True)
    (root / "inner" / "a.txt").write_text("inside\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.txt").write_text("outside\n", encoding="utf-8")
    os.symlink(outside, root / "out")
    os.symlink(root / "inner" / "a.txt", root / "alias.txt")
    [(_, files)] = discover([root])
    walked = {f.relative_to(root).as_posix() for f in files}
    assert walked == {"inner/a.txt", "alias.txt"}
    assert walk_lists(root, "alias.txt") and walk_lists(root, "inner/a.txt")
    assert not walk_lists(root, "out/b.txt")


def test_walk_lists_agrees_with_the_walk_in_a_folder_it_cannot_list() -> None:
    """As a real user: a folder that may be entered but not read hides its files from the walk."""
    if not can_switch_user():
        pytest.skip("needs root to switch to uid 65534 (root reads any folder)")
    top = Path(tempfile.mkdtemp(prefix="ipreader-nobody-"))
    try:
        top.chmod(0o755)
        root = top / "articles"
        (root / "sub").mkdir(parents=True)
        (root / "a.txt").write_text("one\n", encoding="utf-8")
        (root / "sub" / "b.txt").write_text("two\n", encoding="utf-8")
        for folder in (root, root / "sub"):
            folder.chmod(0o755)
        (root / "sub").chmod(0o311)  # entered, not listed

        def as_nobody() -> dict[str, Any]:
            [(_, files)] = discover([root])
            return {
                "walked": sorted(f.relative_to(root).as_posix() for f in files),
                "lists": {name: walk_lists(root, name) for name in ("a.txt", "sub/b.txt")},
            }

        report = run_as_nobody(as_nobody)
    finally:
        (top / "articles" / "sub").chmod(0o755)
        shutil.rmtree(top, ignore_errors=True)
    assert report == {"walked": ["a.txt"], "lists": {"a.txt": True, "sub/b.txt": False}}
