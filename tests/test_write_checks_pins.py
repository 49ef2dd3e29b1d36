"""Pins of what a save refuses (``store/write_checks.py``): the message a user reads."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from ipreader.core.errors import StoreWriteError
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore

TEXT = "One sentence to highlight. Another sentence to highlight as well."


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPREADER_DATA_DIR", str(tmp_path / "userdata"))


@pytest.fixture
def store(tmp_path: Path) -> FolderStore:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(TEXT, encoding="utf-8")
    return FolderStore.open(root)


def refusal(store: FolderStore, *annotations: Annotation) -> str:
    """The message of the ``StoreWriteError`` saving ``annotations`` raises."""
    with pytest.raises(StoreWriteError) as raised:
        store.save_annotations(list(annotations))
    return str(raised.value)


def test_a_single_highlight_of_a_bad_path_is_refused_naming_the_path_and_why(
    store: FolderStore,
) -> None:
    bad = replace(Annotation.create(TEXT, 0, 3, "a.txt"), document="../outside.txt")
    assert refusal(store, bad) == (
        f"cannot save highlight {bad.id} of ../outside.txt: its document is not a plain "
        "relative path (an empty, '.' or '..' part); nothing was saved"
    )
    assert store.annotations("a.txt") == []


def test_an_id_that_is_not_a_uuid_is_refused_naming_the_id(store: FolderStore) -> None:
    bad = replace(Annotation.create(TEXT, 0, 3, "a.txt"), id="not-a-uuid")
    assert refusal(store, Annotation.create(TEXT, 4, 9, "a.txt"), bad) == (
        "cannot save highlight not-a-uuid of a.txt: its id is not a UUID; nothing was saved"
    )
    assert FolderStore.open(store.root).annotations("a.txt") == []


def test_a_bad_field_is_refused_with_the_reader_s_own_reason(store: FolderStore) -> None:
    bad = replace(Annotation.create(TEXT, 0, 3, "a.txt"), start=-1)
    assert refusal(store, bad) == (
        f"cannot save highlight {bad.id} of a.txt: its start is negative (-1); nothing was saved"
    )


@pytest.mark.parametrize(("length", "shown"), [(80, 80), (81, 80), (200, 80)])
def test_a_long_id_or_path_is_cut_to_80_characters_in_the_refusal(
    store: FolderStore, length: int, shown: int
) -> None:
    long_id = "i" * length
    long_path = "../" + "p" * (length - 3)
    bad = replace(Annotation.create(TEXT, 0, 3, "a.txt"), id=long_id, document=long_path)
    message = refusal(store, bad)
    cut = "…" if length > 80 else ""
    assert message.startswith(
        f"cannot save highlight {long_id[:shown]}{cut} of {long_path[:shown]}{cut}: its document "
    )
    assert re.search(r"[ip]{81}", message) is None


def test_a_bad_path_among_many_highlights_of_good_paths_is_still_refused(
    store: FolderStore,
) -> None:
    # The path is checked once per document: the bad one must not ride on a good one's check.
    good = [Annotation.create(TEXT, n, n + 3, "a.txt") for n in range(3)]
    bad = replace(good[0], id=Annotation.create(TEXT, 0, 3, "a.txt").id, document="/abs.txt")
    assert "its document is an absolute path" in refusal(store, *good, bad)
