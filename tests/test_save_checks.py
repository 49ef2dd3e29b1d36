"""What a save refuses: every record a read would skip, in a batch of any size."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ipreader.core.errors import StoreWriteError
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore

TEXT = "One sentence to highlight. Another sentence to highlight as well."


@pytest.mark.parametrize("bad_path", ["../outside.txt", "/etc/passwd", "a/./b.txt", "a\0b.txt"])
def test_a_bad_document_path_anywhere_in_a_batch_refuses_the_whole_batch(
    tmp_path: Path, bad_path: str
) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    store = FolderStore.open(tmp_path)
    good = [Annotation.create(TEXT, 0, 3, "a.txt"), Annotation.create(TEXT, 4, 12, "a.txt")]
    bad = [replace(Annotation.create(TEXT, 0, 3, "a.txt"), document=bad_path) for _ in range(2)]
    with pytest.raises(StoreWriteError, match="nothing was saved"):
        store.save_annotations([*good, *bad])
    assert FolderStore.open(tmp_path).annotations("a.txt") == []
    store.save_annotations(good)  # the same good ones alone are saved
    assert len(FolderStore.open(tmp_path).annotations("a.txt")) == 2
