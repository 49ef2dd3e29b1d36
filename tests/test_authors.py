"""Authors: a highlight made in the app records who made it (identity.current_user)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from coding_helpers import annotate
from conftest import ALPHA, settle

from ipreader.core.identity import USER_ENV, current_user
from ipreader.core.store import FolderStore
from ipreader.tui.app import IpreaderApp


@pytest.fixture
def named_user(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``IPREADER_USER`` set to a known name, with the cached answer cleared around the test."""
    monkeypatch.setenv(USER_ENV, "Ada Lovelace")
    current_user.cache_clear()
    yield "Ada Lovelace"
    current_user.cache_clear()


async def test_a_new_highlight_records_its_creator(articles: Path, named_user: str) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = pilot.app.main_screen  # type: ignore[attr-defined]
        start = ALPHA.index("lazy dog")
        screen.reader.select(start, start + len("lazy dog"))
        await pilot.press("a")
        await settle(pilot)
    [saved] = FolderStore.open(articles).annotations("alpha.txt")
    assert (saved.quote, saved.creator) == ("lazy dog", named_user)


def listed(screen: object) -> list[str]:
    """The sidebar's entries as plain text, in order."""
    rows = screen.sidebar.option_list  # type: ignore[attr-defined]
    return [rows.entry(i).prompt.plain for i in range(rows.entry_count)]


async def test_the_coder_view_dims_then_leaves_out_another_coders_entries(
    articles: Path, named_user: str
) -> None:
    (articles / "zz-binary.txt").unlink()  # ``annotate`` reads every article
    annotate(articles, [("alpha.txt", "quick brown fox", ["claim"], "Ben Jonson")])
    annotate(articles, [("alpha.txt", "lazy dog", ["claim"], named_user)])
    async with IpreaderApp(paths=[articles]).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = pilot.app.main_screen  # type: ignore[attr-defined]
        everyone = listed(screen)
        assert any("quick brown fox" in e for e in everyone)
        assert not any("by Ben Jonson" in e for e in everyone)  # nothing set apart
        await pilot.press("C")  # the user's, the others' dimmed
        await settle(pilot)
        dimmed = listed(screen)
        [ben] = [e for e in dimmed if "quick brown fox" in e]
        assert ben.endswith("by Ben Jonson")
        [mine] = [e for e in dimmed if "lazy dog" in e]
        assert "by " not in mine
        await pilot.press("C")  # the user's only
        await settle(pilot)
        only = listed(screen)
        assert not any("quick brown fox" in e for e in only)
        assert any("lazy dog" in e for e in only)
        assert "1 highlight by other coders not listed (C lists them)" in only
        await pilot.press("C")  # everyone's again
        await settle(pilot)
        assert listed(screen) == everyone
