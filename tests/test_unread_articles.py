"""Export and ``list`` read an article only when they must: unchanged ones are not read again."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ipreader import cli
from ipreader.core.export import export_bytes, export_data, render_export
from ipreader.core.export.verified import VERIFIED_FILENAME
from ipreader.core.library import Library
from ipreader.core.model import Annotation

ARTICLE = (
    "Budget day\n\n"
    "The minister said the new budget would raise spending on schools and hospitals\n"
    "while cutting the cost of government offices by a fifth.\n"
)
QUOTE = "raise spending on schools and hospitals"

# Every file opened in this process while a test records (a real audit hook, not a mock:
# os.open and open both raise the "open" audit event before touching the file).
_opened: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], str | Path):
        _opened.append(os.fspath(args[0]))


sys.addaudithook(_audit)


@contextmanager
def articles_opened(root: Path) -> Iterator[list[str]]:
    """Record the names of the ``.txt`` files under ``root`` opened inside the block."""
    global _opened
    _opened = []
    seen: list[str] = []
    try:
        yield seen
    finally:
        opened, _opened = _opened, None
        seen.extend(Path(p).name for p in opened if p.startswith(str(root)) and p.endswith(".txt"))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "data"))
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE)
    (root / "b.txt").write_text("Other\n\nNothing highlighted here.\n")
    library = Library.open([root])
    info = next(i for i in library.documents() if i.relpath == "a.txt")
    text, _ = library.load(info)
    start = text.index("minister")
    highlight = Annotation.create(text, start, start + len("minister"), "a.txt", note="who")
    library.store_for(info).save_annotation(highlight)
    return root


def _without_time(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "exported_at"}


def _rewrite(path: Path, text: str) -> None:
    """Change ``path``'s content and make sure its mtime moves (the cache keys on it)."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_a_second_export_reads_no_unchanged_article_and_says_the_same(folder: Path) -> None:
    with articles_opened(folder) as first_reads:
        first = export_data(Library.open([folder]))
    assert first_reads == ["a.txt"]
    with articles_opened(folder) as second_reads:
        second = export_data(Library.open([folder]))
    assert second_reads == []
    assert _without_time(second) == _without_time(first)
    [annotation] = second["documents"][0]["annotations"]
    assert annotation["quote"] == "minister" and "current" not in annotation


def test_an_edited_article_is_read_again_and_its_highlight_follows(folder: Path) -> None:
    export_data(Library.open([folder]))
    _rewrite(folder / "a.txt", "Breaking news\n\n" + ARTICLE)
    with articles_opened(folder) as reads:
        data = export_data(Library.open([folder]))
    assert "a.txt" in reads
    [annotation] = data["documents"][0]["annotations"]
    text = (folder / "a.txt").read_text()
    assert annotation["status"] == "moved"
    assert text[annotation["start"] : annotation["end"]] == "minister"


def test_a_new_highlight_in_an_unchanged_article_makes_it_read(folder: Path) -> None:
    export_data(Library.open([folder]))
    library = Library.open([folder])
    info = next(i for i in library.documents() if i.relpath == "a.txt")
    start = ARTICLE.index("budget")
    library.store_for(info).save_annotation(
        Annotation.create(ARTICLE, start, start + len("budget"), "a.txt")
    )
    with articles_opened(folder) as reads:
        data = export_data(Library.open([folder]))
    assert reads == ["a.txt"]
    assert [a["quote"] for a in data["documents"][0]["annotations"]] == ["minister", "budget"]


def test_a_note_edit_does_not_make_the_article_read(folder: Path) -> None:
    export_data(Library.open([folder]))
    library = Library.open([folder])
    info = next(i for i in library.documents() if i.relpath == "a.txt")
    [highlight] = library.store_for(info).annotations("a.txt")
    library.store_for(info).save_annotation(highlight.edited(note="the minister"))
    with articles_opened(folder) as reads:
        data = export_data(Library.open([folder]))
    assert reads == []
    assert data["documents"][0]["annotations"][0]["note"] == "the minister"


def test_a_rewrapped_highlight_is_read_every_time_for_its_current_text(folder: Path) -> None:
    library = Library.open([folder])
    info = next(i for i in library.documents() if i.relpath == "a.txt")
    start = ARTICLE.index(QUOTE)
    library.store_for(info).save_annotation(
        Annotation.create(ARTICLE, start, start + len(QUOTE), "a.txt")
    )
    # The paragraph is re-wrapped: the quote's words are still there, a newline
    # now stands where a space was, and the export says so with ``current``.
    _rewrite(folder / "a.txt", ARTICLE.replace("on schools", "on\nschools"))
    Library.open([folder])  # the metadata cache reads the changed file once
    for _ in range(2):
        with articles_opened(folder) as reads:
            data = export_data(Library.open([folder]))
        assert reads == ["a.txt"]
        records = {a["quote"]: a for a in data["documents"][0]["annotations"]}
        assert records[QUOTE]["current"] == QUOTE.replace("on schools", "on\nschools")


def test_a_project_ships_the_text_so_it_always_reads_it(folder: Path) -> None:
    export_data(Library.open([folder]))
    with articles_opened(folder) as reads:
        export_bytes(Library.open([folder]), "qdpx")
    assert reads == ["a.txt"]


def test_a_w3c_export_takes_no_text_where_every_quote_is_covered(folder: Path) -> None:
    # W3C takes a text only for a highlight whose ``current`` differs from its quote
    # (issue 14; tests/test_export_w3c_unread.py).
    export_data(Library.open([folder]))
    with articles_opened(folder) as reads:
        render_export(Library.open([folder]), "w3c")
    assert reads == []


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"version": 1, "documents": []}'])
def test_a_damaged_verified_file_only_means_articles_are_read(folder: Path, damage: bytes) -> None:
    first = export_data(Library.open([folder]))
    (folder / ".ipreader" / VERIFIED_FILENAME).write_bytes(damage)
    with articles_opened(folder) as reads:
        again = export_data(Library.open([folder]))
    assert reads == ["a.txt"]
    assert _without_time(again) == _without_time(first)
    with articles_opened(folder) as reads:
        export_data(Library.open([folder]))
    assert reads == []  # rewritten whole by the export that read the article


def test_list_reads_no_article_when_none_changed_since_anchored(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["list", "--json", str(folder)]) == 0  # fills the metadata cache
    capsys.readouterr()
    with articles_opened(folder) as reads:
        assert cli.main(["list", "--json", str(folder)]) == 0
    assert reads == []
    assert '"highlights": 1' in capsys.readouterr().out
    _rewrite(folder / "a.txt", "Breaking news\n\n" + ARTICLE)
    with articles_opened(folder) as reads:
        assert cli.main(["list", "--json", str(folder)]) == 0
    assert "a.txt" in reads  # edited: read and re-anchored
    assert '"moved": 1' in capsys.readouterr().out
