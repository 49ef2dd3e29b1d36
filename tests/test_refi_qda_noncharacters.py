"""A REFI-QDA project stays well-formed XML whatever a note holds (U+FFFE and U+FFFF)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from ipreader.core.export import export_bytes
from ipreader.core.library import Library
from ipreader.core.model import Annotation


def test_noncharacters_in_a_note_leave_the_project_readable(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text("Title\n\nThe cat sat.\n")
    library = Library.open([root])
    info = library.documents()[0]
    text, _ = library.load(info)
    start = text.index("cat")
    note = "odd \ufffe and \uffff here"
    annotation = Annotation.create(text, start, start + 3, "a.txt", note=note, tags=["x\uffff"])
    library.store_for(info).save_annotation(annotation)
    with zipfile.ZipFile(io.BytesIO(export_bytes(Library.open([root]), "qdpx"))) as archive:
        project = ET.fromstring(archive.read("project.qde"))  # raised "not well-formed"
    shown = [element.text for element in project.iter() if element.tag.endswith("PlainTextContent")]
    assert shown == ["odd \ufffd and \ufffd here"]
