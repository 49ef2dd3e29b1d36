"""Highlights are exported in document order, ties by id, whether the article was read or not."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from uuid import UUID

from ipreader.core.export import export_data
from ipreader.core.library import Library
from ipreader.core.model import Annotation


def test_highlights_at_one_place_are_ordered_by_id_on_every_export(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text("Title\n\nThe cat sat on the mat.\n", encoding="utf-8")
    library = Library.open([root])
    info = library.documents()[0]
    text, _ = library.load(info)
    start = text.index("cat")
    made = Annotation.create(text, start, start + 3, "a.txt")
    later = Annotation.create(text, text.index("mat"), text.index("mat") + 3, "a.txt")
    # Saved out of order: the last id first, the later place before the earlier one.
    first, middle, last = (str(UUID(int=n)) for n in (1, 2, 3))
    for ident, annotation in ((last, made), (middle, later), (first, made)):
        library.store_for(info).save_annotation(replace(annotation, id=ident))
    # The first export reads the article; the second trusts its verified digest.
    for _ in range(2):
        data = export_data(Library.open([root]))
        ids = [a["id"] for a in data["documents"][0]["annotations"]]
        assert ids == [first, last, middle]
