"""Import of every format: exact round trips into a copy of the folder, Hypothesis and foreign W3C.

A round trip exports the varied folder (``varied_export``) as ipreader JSON,
W3C JSON-LD or a REFI-QDA project, imports the file into a copy of the
articles elsewhere (no ``.ipreader``), and compares the JSON export of the
copy with the original's: every id, quote, note, tag, colour, creator, time,
status and context. A second import of the same file changes nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from varied_export import add_fuzzy, make_varied_folder

from ipreader.core.errors import ImportFileError
from ipreader.core.export import export_bytes, export_data
from ipreader.core.importer import import_file
from ipreader.core.library import Library
from ipreader.core.store import FolderStore

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "export-schema.json").read_text())
SUFFIX = {"json": ".json", "w3c": ".jsonld", "qdpx": ".qdpx"}


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("original") / "articles"
    root.mkdir()
    make_varied_folder(root)
    add_fuzzy(root)
    return root


def fresh_copy(original: Path, where: Path) -> Path:
    copy = where / "elsewhere" / "copy"
    shutil.copytree(original, copy, ignore=shutil.ignore_patterns(".ipreader"))
    return copy


def comparable(data: dict[str, Any], *, stale_offsets: bool) -> list[dict[str, Any]]:
    """The documents of an export, minus what differs between two folders by design."""
    documents = []
    for document in data["documents"]:
        annotations = []
        for annotation in document["annotations"]:
            if stale_offsets and annotation["status"] == "orphaned":
                # W3C keeps only the quote of an orphan (its old offsets mean nothing).
                annotation = {k: v for k, v in annotation.items() if k not in ("start", "end")}
            annotations.append(annotation)
        if stale_offsets:
            annotations.sort(key=lambda a: a["id"])  # an orphan's order follows its offsets
        documents.append({**document, "annotations": annotations})
    return documents


@pytest.mark.parametrize("fmt", ["json", "w3c", "qdpx"])
def test_round_trip_into_a_fresh_copy_is_exact(original: Path, tmp_path: Path, fmt: str) -> None:
    before = export_data(Library.open([original]))
    file = tmp_path / f"export{SUFFIX[fmt]}"
    file.write_bytes(export_bytes(Library.open([original]), fmt))
    copy = fresh_copy(original, tmp_path)
    report = import_file(file, copy)
    total = sum(len(d["annotations"]) for d in before["documents"])
    assert (report.added, report.rejected) == (total, 0), report.messages
    assert report.format == {"json": "ipreader"}.get(fmt, fmt)
    after = export_data(Library.open([copy]))
    stale = fmt == "w3c"
    assert comparable(after, stale_offsets=stale) == comparable(before, stale_offsets=stale)
    jsonschema.validate(before, SCHEMA)
    jsonschema.validate(after, SCHEMA)
    again = import_file(file, copy)
    assert (again.added, again.updated, again.unchanged) == (0, 0, total)
    assert export_data(Library.open([copy]))["documents"] == after["documents"]


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    (root / "news").mkdir(parents=True)
    (root / "news" / "patents.txt").write_text(
        "Patents\n\nThe Patent Cooperation Treaty turns 30 this year.\n"
    )
    (root / "other.txt").write_text("Other\n\nA unique sentence lives here. The year.\n")
    (root / "third.txt").write_text("Third\n\nThe year is young.\n")
    return root


def hypothesis_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": "Ij3X0sJqEe6abc",
        "created": "2024-05-01T10:20:30.123456+02:00",
        "updated": "2024-05-02T10:20:30.123456+00:00",
        "user": "acct:alice@hypothes.is",
        "uri": "https://example.com/archive/news/patents.txt",
        "text": "A key treaty",
        "tags": ["pct", "law"],
        "target": [
            {
                "source": "https://example.com/archive/news/patents.txt",
                "selector": [
                    {"type": "TextPositionSelector", "start": 13, "end": 38},
                    {
                        "type": "TextQuoteSelector",
                        "exact": "Patent Cooperation Treaty",
                        "prefix": "The ",
                        "suffix": " turns",
                    },
                ],
            }
        ],
        "links": {"html": "https://hypothes.is/a/Ij3X0sJqEe6abc"},
    }
    row.update(changes)
    return row


def test_hypothesis_search_result(folder: Path, tmp_path: Path) -> None:
    by_quote = hypothesis_row(
        id="second",
        uri="https://elsewhere.org/post/42",
        text="",
        tags=[],
        user_info={"display_name": "Alice A."},
        target=[{"selector": [{"type": "TextQuoteSelector", "exact": "unique sentence"}]}],
    )
    ambiguous = hypothesis_row(
        id="third",
        uri="https://elsewhere.org/post/43",
        target=[{"selector": [{"type": "TextQuoteSelector", "exact": "The year"}]}],
    )
    page_note = hypothesis_row(id="fourth", text="Read it all", tags=["to-read"], target=[{}])
    reply = hypothesis_row(id="fifth", references=["Ij3X0sJqEe6abc"])
    rows = [hypothesis_row(), by_quote, ambiguous, page_note, reply]
    file = write_json(tmp_path / "hypothesis.json", {"total": 5, "rows": rows})
    report = import_file(file, folder)
    assert report.format == "hypothesis"
    assert (report.added, report.rejected) == (2, 2), report.messages
    assert any("in 2 articles" in m for m in report.messages)
    assert any("a reply" in m for m in report.messages)
    store = FolderStore.open(folder)
    [treaty] = store.annotations("news/patents.txt")
    assert (treaty.quote, treaty.note, treaty.tags) == (
        "Patent Cooperation Treaty",
        "A key treaty",
        ("pct", "law"),
    )
    assert (treaty.creator, treaty.origin) == ("alice", "https://hypothes.is/a/Ij3X0sJqEe6abc")
    assert treaty.created == "2024-05-01T08:20:30.123Z"
    assert treaty.updated == "2024-05-02T10:20:30.123Z"
    [unique] = store.annotations("other.txt")
    assert (unique.quote, unique.creator) == ("unique sentence", "Alice A.")
    assert store.document_notes("news/patents.txt").note == "Read it all"
    assert store.document_notes("news/patents.txt").tags == ("to-read",)
    again = import_file(file, folder)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    single = write_json(tmp_path / "one.json", hypothesis_row(id="solo", tags=["solo"]))
    assert import_file(single, folder).added == 1


def w3c_annotation(**changes: Any) -> dict[str, Any]:
    annotation: dict[str, Any] = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "http://example.org/anno1",
        "type": "Annotation",
        "created": "2024-05-01T12:00:00+02:00",
        "creator": {"type": "Person", "name": "Bo", "nickname": "bo"},
        "body": {"type": "TextualBody", "value": "Important", "format": "text/plain"},
        "target": {
            "source": "http://example.org/page1",
            "selector": {"type": "TextQuoteSelector", "exact": "unique sentence"},
        },
    }
    annotation.update(changes)
    return annotation


def test_foreign_w3c_shapes(folder: Path, tmp_path: Path) -> None:
    tagged = w3c_annotation(
        id="http://example.org/anno2",
        body=[
            {"type": "TextualBody", "value": "treaty", "purpose": "tagging"},
            {"type": "TextualBody", "value": "Says who?", "purpose": "commenting"},
            "http://example.org/external-body",
        ],
        target="http://example.org/page2",  # the whole document: its tags and note
    )
    in_collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "first": {
            "type": "AnnotationPage",
            "items": [
                w3c_annotation(
                    id="urn:x:3",
                    target={
                        "source": "file:///home/u/other/news/patents.txt",
                        "selector": [{"type": "TextQuoteSelector", "exact": "turns 30"}],
                    },
                )
            ],
            "next": "http://example.org/page/2",
        },
    }
    report = import_file(write_json(tmp_path / "one.jsonld", w3c_annotation()), folder)
    assert (report.format, report.added) == ("w3c", 1)
    [one] = FolderStore.open(folder).annotations("other.txt")
    assert (one.note, one.creator, one.origin) == ("Important", "Bo", "http://example.org/anno1")
    assert one.created == "2024-05-01T10:00:00.000Z"
    report = import_file(write_json(tmp_path / "list.jsonld", [w3c_annotation(), tagged]), folder)
    # The whole-document annotation names no article and has no quote to look for.
    assert (report.added, report.unchanged, report.rejected) == (0, 1, 1)
    report = import_file(write_json(tmp_path / "c.jsonld", in_collection), folder)
    assert report.added == 1 and any("not fetched" in m for m in report.messages)
    assert [a.quote for a in FolderStore.open(folder).annotations("news/patents.txt")] == [
        "turns 30"
    ]


@pytest.mark.parametrize(
    ("content", "fmt", "reason"),
    [
        ({"rows": [], "total": 0}, None, None),
        ({"unrelated": True}, None, "nor W3C Web Annotation JSON-LD"),
        ([1, 2], None, "not an ipreader export"),
        ({"rows": []}, "w3c", "not W3C"),
        ({"rows": "x"}, None, '"rows" must be a list'),
    ],
)
def test_detection_and_override(
    folder: Path, tmp_path: Path, content: Any, fmt: str | None, reason: str | None
) -> None:
    file = write_json(tmp_path / "f.json", content)
    if reason is None:
        assert import_file(file, folder, fmt).added == 0
        return
    with pytest.raises(ImportFileError, match=reason):
        import_file(file, folder, fmt)
    assert not (folder / ".ipreader").exists()


def test_a_codebook_or_bare_xml_is_refused_with_a_hint(folder: Path, tmp_path: Path) -> None:
    codebook = tmp_path / "codes.qdc"
    codebook.write_text('<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>')
    with pytest.raises(ImportFileError, match="codebook holds codes but no highlights"):
        import_file(codebook, folder)
    project = tmp_path / "project.qde"
    project.write_text('<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
    with pytest.raises(ImportFileError, match=r"as its \.qdpx"):
        import_file(project, folder)


def test_cli_exports_a_project_and_imports_it_back(
    original: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ipreader import cli

    project = tmp_path / "project.qdpx"
    assert cli.main(["export", str(original), "--format", "qdpx", "-o", str(project)]) == 0
    assert project.read_bytes().startswith(b"PK")
    copy = fresh_copy(original, tmp_path)
    capsys.readouterr()
    assert cli.main(["import", str(project), str(copy)]) == 0
    out = capsys.readouterr().out
    assert f"Imported {project} (qdpx) into {copy}: added 12," in out
    assert cli.main(["import", str(project), str(copy), "--format", "w3c"]) == 1
    assert "not UTF-8" in capsys.readouterr().err
