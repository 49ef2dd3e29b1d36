"""REFI-QDA export: every .qdpx project and .qdc codebook validates against the QDA-XML XSDs.

The XSDs are copies of ``../shared/refi-qda`` (``tests/standards/refi-qda``,
MIT licence kept). The selection offsets are checked against the ``.txt``
sources actually written: ``text[startPosition:endPosition]`` is the quote.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from standards_env import same_as_shared, unavailable
from varied_export import add_fuzzy, make_varied_folder

from ipreader.core.export import EmptyCodebookError, export_bytes, render_export
from ipreader.core.export.refi_qda import PROJECT_NS
from ipreader.core.library import Library
from ipreader.core.model import Annotation

try:
    import xmlschema
except ImportError:  # pragma: no cover - the test extra installs it
    xmlschema = None

XSD = Path(__file__).parent / "standards" / "refi-qda"
NS = {"q": PROJECT_NS}


@cache
def schema(name: str) -> Any:
    if xmlschema is None:
        unavailable("xmlschema (test extra) is needed to validate against the XSDs")
    return xmlschema.XMLSchema(str(XSD / name))


def test_xsd_copies_are_the_shared_ones() -> None:
    same_as_shared("refi-qda")


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Annotation]]:
    root = tmp_path_factory.mktemp("refi") / "articles"
    root.mkdir()
    made = make_varied_folder(root)
    made.append(add_fuzzy(root))
    return root, made


def test_the_shared_example_validates() -> None:
    # The schemas themselves load and accept the README's valid example.
    schema("Project.xsd").validate(str(XSD / "examples" / "project.qde"))
    schema("Codebook.xsd").validate(str(XSD / "examples" / "codebook.qdc"))


def test_project_validates_and_selections_are_the_quotes(
    varied: tuple[Path, list[Annotation]],
) -> None:
    root, _ = varied
    files = unzip(export_bytes(Library.open([root]), "qdpx"))
    project = files["project.qde"].decode("utf-8")
    schema("Project.xsd").validate(project)
    tree = ET.fromstring(project)
    data = json.loads(render_export(Library.open([root]), "json"))
    exported = {a["id"]: a for d in data["documents"] for a in d["annotations"]}
    sources = tree.findall("q:Sources/q:TextSource", NS)
    assert sorted(s.get("name") for s in sources) == [d["path"] for d in data["documents"]]
    selections = 0
    for source in sources:
        path = source.get("plainTextPath", "").removeprefix("internal://")
        raw = files[f"Sources/{path}"]
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw  # no BOM, \n line ends
        text = raw.decode("utf-8")
        for selection in source.findall("q:PlainTextSelection", NS):
            selections += 1
            annotation = exported[selection.get("guid", "")]
            start, end = (
                int(selection.get("startPosition", "")),
                int(selection.get("endPosition", "")),
            )
            assert text[start:end] == annotation.get("current", annotation["quote"])
            assert selection.get("creationDateTime") == annotation["created"]
    orphans = [a for a in exported.values() if a["status"] == "orphaned"]
    assert orphans and selections == len(exported) - len(orphans)
    extras = json.loads(files["ipreader.json"])
    assert [o["id"] for o in extras["orphans"]] == [a["id"] for a in orphans]


def test_codes_users_and_notes(varied: tuple[Path, list[Annotation]]) -> None:
    root, _ = varied
    tree = ET.fromstring(unzip(export_bytes(Library.open([root]), "qdpx"))["project.qde"])
    users = {u.get("name") for u in tree.findall("q:Users/q:User", NS)}
    assert users == {"Ann Example", "Bo Ström"}
    codes = tree.find("q:CodeBook/q:Codes", NS)
    assert codes is not None
    top = {c.get("name"): c for c in codes.findall("q:Code", NS)}
    # "policy/patents" and "Policy" are one code tree: Policy > patents.
    assert [c.get("name") for c in top["policy"].findall("q:Code", NS)] == ["patents"]
    assert {"Animals", "Reading list", "地名", "a#b"} <= set(top)
    notes = {
        n.findtext("q:PlainTextContent", namespaces=NS) for n in tree.iter(f"{{{PROJECT_NS}}}Note")
    }
    assert {"the *second* cat\n- not a list", "Whole doc.", "首都"} <= notes
    plain = next(
        s for s in tree.iter(f"{{{PROJECT_NS}}}TextSource") if s.get("name") == "plain.txt"
    )
    # The document's own tag codes the whole source; its note is referenced from it.
    assert plain.findall("q:Coding", NS) and plain.findall("q:NoteRef", NS)


def test_codebook_validates_and_needs_a_tag(
    varied: tuple[Path, list[Annotation]], tmp_path: Path
) -> None:
    root, _ = varied
    codebook = render_export(Library.open([root]), "qdc")
    schema("Codebook.xsd").validate(codebook)
    names = {c.get("name") for c in ET.fromstring(codebook).iter("{urn:QDA-XML:codebook:1.0}Code")}
    assert {"policy", "patents", "Animals"} <= names
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "a.txt").write_text("Nothing here.\n")
    with pytest.raises(EmptyCodebookError, match="no exported tag"):
        render_export(Library.open([empty]), "qdc")


def test_empty_project_is_valid(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Nothing here.\n")
    files = unzip(export_bytes(Library.open([tmp_path]), "qdpx"))
    schema("Project.xsd").validate(files["project.qde"].decode())
    assert sorted(files) == ["ipreader.json", "project.qde"]


def test_the_same_export_gives_the_same_zip(varied: tuple[Path, list[Annotation]]) -> None:
    root, _ = varied
    first = unzip(export_bytes(Library.open([root]), "qdpx"))
    second = unzip(export_bytes(Library.open([root]), "qdpx"))
    strip = [(n, b) for n, b in first.items() if n != "project.qde"]
    assert strip == [(n, b) for n, b in second.items() if n != "project.qde"]


def test_hostile_text_stays_valid_xml(tmp_path: Path) -> None:
    hostile = "bell\x07 esc\x1b[31m del\x7f csi\x9b bidi\u202e tab\there\r\nline"
    (tmp_path / "evil.txt").write_text(f"Title\n\nsay {hostile} end\n")
    library = Library.open([tmp_path])
    info = library.documents()[0]
    text, _ = library.load(info)
    start = text.index("say")
    library.store_for(info).save_annotation(
        Annotation.create(text, start, start + 3, "evil.txt", note=hostile, tags=[hostile[:20]])
    )
    files = unzip(export_bytes(Library.open([tmp_path]), "qdpx"))
    project = files["project.qde"].decode()
    schema("Project.xsd").validate(project)
    assert "\x1b" not in project and "\x9b" not in project and "\u202e" not in project
    note = ET.fromstring(project).find("q:Notes/q:Note/q:PlainTextContent", NS)
    assert note is not None and note.text is not None
    # C0 controls are shown as glyphs; the others come back as they were.
    assert "\x7f csi\x9b bidi\u202e tab\there\nline" in note.text and "␛" in note.text
