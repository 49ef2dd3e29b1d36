"""Authors: a highlight made in the app records who made it (identity.current_user)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
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
