"""Hostile W3C, Hypothesis and REFI-QDA files: one message per rejected entry, or one refusal.

As in ``test_hostile_import`` (ipreader JSON): each bad entry sits beside a
valid one, which must still import; a file refused whole writes nothing; and
nothing outside the folder's ``.ipreader`` is ever written.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.errors import ImportFileError
from ipreader.core.importer import import_file
from ipreader.core.store import FolderStore

TEXT = "Alpha title\n\nThe quick brown fox jumps over the lazy dog. The fox is quick.\n"
QDE_NS = "urn:QDA-XML:project:1.0"
GUID = "11111111-1111-4111-8111-111111111111"


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("Outside\n\nThe quick brown fox, outside.\n")
    return {"tmp": tmp_path, "folder": folder}


def guarded_import(
    layout: dict[str, Path], snapshot: Callable[..., Any], file: Path
) -> tuple[Any, FolderStore]:
    skip = layout["folder"] / ".ipreader"
    before = snapshot(layout["tmp"], skip)
    report = import_file(file, layout["folder"])
    assert snapshot(layout["tmp"], skip) == before, "import wrote outside the store"
    return report, FolderStore.open(layout["folder"])


def w3c(**changes: Any) -> dict[str, Any]:
    annotation: dict[str, Any] = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"urn:uuid:{GUID}",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "value": "valid", "purpose": "commenting"}],
        "target": {
            "source": "file:///somewhere/a.txt",
            "selector": [{"type": "TextQuoteSelector", "exact": "brown fox"}],
        },
    }
    annotation.update(changes)
    return annotation


BAD_W3C: list[tuple[dict[str, Any], str]] = [
    ({"body": [{"type": "TextualBody", "value": 5}]}, "note must be a string"),
    (
        {"target": {"source": "a.txt", "selector": {"type": "TextQuoteSelector", "exact": 7}}},
        "quote must be a string",
    ),
    (
        {"target": {"source": "a.txt", "selector": {"type": "TextQuoteSelector", "exact": ""}}},
        "quote is missing",
    ),
    (
        {"target": {"source": "a.txt", "selector": [{"type": "FragmentSelector", "value": "x"}]}},
        "no TextQuoteSelector",
    ),
    ({"target": 5}, "no target"),
    ({"type": "Highlight"}, "not an Annotation"),
    ({"created": "last tuesday"}, "ISO-8601"),
    ({"ipreader:color": "red"}, "color 'red' is not one of"),
    ({"body": [{"type": "TextualBody", "value": "t" * 300, "purpose": "tagging"}]}, "tags holds"),
    (
        {
            "target": {
                "source": "x",
                "ipreader:path": "../outside/x.txt",
                "selector": {"type": "TextQuoteSelector", "exact": "quick"},
            }
        },
        "escapes the folder",
    ),
    (
        {
            "target": {
                "source": "file:///etc/passwd",
                "selector": {"type": "TextQuoteSelector", "exact": "root:x:0:0"},
            }
        },
        "no article",
    ),
]


@pytest.mark.parametrize(("changes", "reason"), BAD_W3C, ids=lambda v: repr(v)[:40])
def test_hostile_w3c_entries_are_rejected_one_by_one(
    layout: dict[str, Path], snapshot: Callable[..., Any], changes: dict[str, Any], reason: str
) -> None:
    bad = w3c(id="http://evil.example/1", **changes)
    file = layout["tmp"] / "in.jsonld"
    file.write_text(json.dumps({"type": "AnnotationPage", "items": [bad, w3c()]}))
    report, store = guarded_import(layout, snapshot, file)
    assert report.rejected == 1 and report.added == 1, report.messages
    [message] = [m for m in report.messages if reason in m]
    assert message.endswith("skipped") and "items[0]" in message
    [saved] = store.annotations("a.txt")
    assert (saved.id, saved.note) == (GUID, "valid")


def test_a_huge_w3c_context_is_cut_and_stays_fast(
    layout: dict[str, Path], snapshot: Callable[..., Any], deadline: Callable[..., Any]
) -> None:
    huge = "x" * 300_000
    selector = {"type": "TextQuoteSelector", "exact": "lazy dog", "prefix": huge, "suffix": huge}
    file = layout["tmp"] / "huge.jsonld"
    file.write_text(json.dumps([w3c(target={"source": "a.txt", "selector": selector})]))
    with deadline(20):
        report, store = guarded_import(layout, snapshot, file)
    [saved] = store.annotations("a.txt")
    assert report.added == 1 and saved.quote == "lazy dog" and len(saved.prefix) <= 32


def row(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": "valid",
        "uri": "https://example.com/a.txt",
        "text": "valid",
        "tags": [],
        "created": "2024-05-01T10:00:00+00:00",
        "target": [{"selector": [{"type": "TextQuoteSelector", "exact": "brown fox"}]}],
    }
    result.update(changes)
    return result


BAD_ROWS: list[tuple[Any, str]] = [
    ("a string", "not an object"),
    ({"id": "x", "uri": "https://e.com/a.txt"}, "no target list"),
    (row(id="t", tags="ok"), "tags must be a list"),
    (row(id="n", text=["x"]), "note must be a string"),
    (row(id="u", updated=12), "updated must be a string"),
    (row(id="r", references=["valid"]), "a reply"),
    (
        row(
            id="q",
            uri="https://e.com/nowhere",
            target=[{"selector": [{"type": "TextQuoteSelector", "exact": "not in any article"}]}],
        ),
        "in no article",
    ),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_ROWS, ids=lambda v: repr(v)[:40])
def test_hostile_hypothesis_rows_are_rejected_one_by_one(
    layout: dict[str, Path], snapshot: Callable[..., Any], bad: Any, reason: str
) -> None:
    file = layout["tmp"] / "rows.json"
    file.write_text(json.dumps({"rows": [bad, row()]}))
    report, store = guarded_import(layout, snapshot, file)
    assert (report.rejected, report.added) == (1, 1), report.messages
    assert sum(reason in m for m in report.messages) == 1
    assert [a.note for a in store.annotations("a.txt")] == ["valid"]


def qdpx(project: str, files: dict[str, bytes] | None = None, name: str = "project.qde") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, project)
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def project(selections: str, name: str = "a.txt") -> str:
    return (
        f'<Project xmlns="{QDE_NS}" name="p"><Sources>'
        f'<TextSource guid="{GUID.replace("1", "2")}" name="{name}" '
        'plainTextPath="internal://s.txt">'
        f'{selections}<PlainTextSelection guid="{GUID}" startPosition="23" endPosition="32"/>'
        "</TextSource></Sources></Project>"
    )


SOURCE = {"Sources/s.txt": TEXT.encode()}


@pytest.mark.parametrize(
    ("selection", "reason"),
    [
        ('<PlainTextSelection guid="{g}" startPosition="x" endPosition="3"/>', "not integers"),
        ('<PlainTextSelection guid="{g}" startPosition="5" endPosition="99999"/>', "outside"),
        ('<PlainTextSelection guid="{g}" startPosition="9" endPosition="2"/>', "outside"),
    ],
)
def test_hostile_qdpx_selections_are_rejected_one_by_one(
    layout: dict[str, Path], snapshot: Callable[..., Any], selection: str, reason: str
) -> None:
    file = layout["tmp"] / "p.qdpx"
    bad = selection.format(g=GUID.replace("1", "3"))
    file.write_bytes(qdpx(project(bad), SOURCE))
    report, store = guarded_import(layout, snapshot, file)
    assert (report.rejected, report.added) == (1, 1), report.messages
    assert sum(reason in m for m in report.messages) == 1
    assert [a.quote for a in store.annotations("a.txt")] == ["brown fox"]


def test_a_source_name_cannot_reach_outside(
    layout: dict[str, Path], snapshot: Callable[..., Any]
) -> None:
    file = layout["tmp"] / "p.qdpx"
    file.write_bytes(qdpx(project("", name="../outside/x.txt"), SOURCE))
    report, store = guarded_import(layout, snapshot, file)
    # "x.txt" names no article of the folder; the source's text is a.txt's: found there.
    assert report.added == 1 and set(store.all_annotations()) == {"a.txt"}


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    f'<Project xmlns="{QDE_NS}" name="&lol2;"/>'
)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"PK\x03\x04 not really a zip", "not a readable zip"),
        (qdpx("<Project/>", name="elsewhere.qde"), "no project.qde"),
        (qdpx(BILLION_LAUGHS), "DOCTYPE"),
        (qdpx("<Project"), "not well-formed XML"),
        (qdpx('<Other xmlns="urn:x"/>'), "not a QDA-XML project"),
        (qdpx(f'<Project xmlns="{QDE_NS}">' + "<a/>" * 20_000 + "</Project>"), "XML tags in"),
    ],
    ids=["not-zip", "no-project", "entities", "malformed", "not-qde", "dense"],
)
def test_hostile_qdpx_files_are_refused_whole(
    layout: dict[str, Path], content: bytes, reason: str
) -> None:
    file = layout["tmp"] / "p.qdpx"
    file.write_bytes(content)
    with pytest.raises(ImportFileError, match=reason):
        import_file(file, layout["folder"])
    assert not (layout["folder"] / ".ipreader").exists()


def test_a_zip_bomb_is_refused_without_inflating_it(
    layout: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipreader.core.importer import refi_qda

    monkeypatch.setattr(refi_qda, "MAX_IMPORT_BYTES", 1024 * 1024)
    # 50 MB of zeros compress to ~50 KB; the declared size is not trusted, the read is bounded.
    file = layout["tmp"] / "bomb.qdpx"
    file.write_bytes(qdpx(project(""), {"Sources/s.txt": b"\0" * (50 * 1024 * 1024)}))
    with pytest.raises(ImportFileError, match="more than 1 MB once unzipped"):
        import_file(file, layout["folder"])
    assert not (layout["folder"] / ".ipreader").exists()
