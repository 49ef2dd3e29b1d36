"""A missing article relinked while the list's counts are still read.

The library opens (its first article shown, the app in use) before every
store is read for the list's counts; a relink in that time changes the
collection's missing articles and the list's rows under the counting thread.
"""

from __future__ import annotations

from pathlib import Path

from conftest import annotate

from ipreader.tui.session import Opened, Session

GONE = "Gone article\n\nSomething entirely different here.\n"


def with_a_missing_article(articles: Path) -> None:
    """``gone.txt`` annotated once, then deleted: listed as missing with its highlight."""
    (articles / "gone.txt").write_text(GONE, encoding="utf-8")
    annotate(articles, "gone.txt", "entirely")
    (articles / "gone.txt").unlink()


def test_the_counts_are_read_when_a_missing_article_is_relinked_meanwhile(
    articles: Path,
) -> None:
    with_a_missing_article(articles)
    session = Session([articles])

    def opened(base: Opened) -> None:
        # What the screen does on a relink, once the library is open (drift_flow).
        session.forget_missing(base.library.collections[0].root, "gone.txt")

    counted = session.open(opened=opened)
    assert counted.stats[articles.resolve() / "gone.txt"].highlights == 1
