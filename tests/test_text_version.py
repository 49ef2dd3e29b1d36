"""A save made on a text that is no longer the article's is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ipreader.core.documents import read_document
from ipreader.core.text_version import StaleTextError, TextVersion, check_current


def version_of(path: Path) -> TextVersion:
    return TextVersion.of(read_document(path))


def test_an_untouched_file_is_current(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("some text\n", encoding="utf-8")
    version = version_of(path)
    assert version.looks_unchanged(path) is True
    check_current(path, version)


def test_a_touch_is_not_an_edit(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("some text\n", encoding="utf-8")
    version = version_of(path)
    os.utime(path, ns=(1, version.mtime_ns + 5_000_000_000))
    assert version.looks_unchanged(path) is False
    assert version.is_current(path)


def test_an_edit_of_the_same_size_is_stale(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("some text\n", encoding="utf-8")
    version = version_of(path)
    path.write_text("same size\n", encoding="utf-8")
    os.utime(path, ns=(1, version.mtime_ns + 1))
    with pytest.raises(StaleTextError, match="changed on disk"):
        check_current(path, version)


def test_a_removed_file_is_stale(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("some text\n", encoding="utf-8")
    version = version_of(path)
    path.unlink()
    assert version.looks_unchanged(path) is None
    with pytest.raises(StaleTextError, match="no longer there"):
        check_current(path, version)
