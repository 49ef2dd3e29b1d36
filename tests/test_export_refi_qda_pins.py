"""The REFI-QDA project and codebook: what NVivo, ATLAS.ti, MAXQDA or QualCoder read (issue 15).

Every project here also validates against the QDA-XML schema (the copies
``test_refi_qda_export.py`` uses).
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
from export_records import exported_annotation, exported_document
from standards_env import unavailable

from ipreader import __version__
from ipreader.core.export.refi_qda import (
    CODEBOOK_NS,
    PROJECT_NS,
    EmptyCodebookError,
    code_guid,
    derived_guid,
    selection_guid,
    to_qdc,
    to_qdpx,
    xml_text,
)
from ipreader.core.export.structure import ExportSet, creator_uuid, document_iri

try:
    import xmlschema
except ImportError:  # pragma: no cover - the test extra installs it
    xmlschema = None

XSD = Path(__file__).parent / "standards" / "refi-qda"
Q = "{" + PROJECT_NS + "}"
ROOT = Path("/data/articles")
TEXT = "The quick brown fox jumps over the lazy dog."
UID = "1a1b1c1d-1111-4111-8111-11111111abcd"


@cache
def _schema(name: str) -> Any:
    if xmlschema is None:
        unavailable("xmlschema (test extra) is needed to validate against the XSDs")
    return xmlschema.XMLSchema(str(XSD / name))


def _annotation(**fields: Any) -> dict[str, Any]:
    return exported_annotation(UID, **fields)


def _document(*annotations: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return exported_document(*annotations, **fields)


def _export(*documents: dict[str, Any], text: str | None = TEXT) -> ExportSet:
    data = {"exported_at": "2024-05-06T07:08:09Z", "documents": list(documents)}
    return ExportSet(data, tuple(ROOT for _ in documents), tuple(text for _ in documents))


def _files(export: ExportSet) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(to_qdpx(export))) as archive:
        for info in archive.infolist():
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
        return {name: archive.read(name) for name in archive.namelist()}


def _project(export: ExportSet) -> tuple[ET.Element, dict[str, Any], dict[str, bytes]]:
    files = _files(export)
    project = files["project.qde"].decode()
    _schema("Project.xsd").validate(project)
    assert project.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Project')
    assert project.endswith(">\n")
    return ET.fromstring(project), json.loads(files["ipreader.json"]), files


def test_a_highlight_is_a_selection_of_its_source() -> None:
    annotation = _annotation(creator="Ann", tags=["Policy/Patents"], note="a note")
    root, extras, files = _project(_export(_document(annotation)))
    assert root.attrib == {
        "name": "ipreader annotations",
        "origin": f"ipreader {__version__}",
        "creationDateTime": "2024-05-06T07:08:09Z",
    }
    ann = str(creator_uuid("Ann"))
    (user,) = root.iter(f"{Q}User")
    assert user.attrib == {"guid": ann, "name": "Ann"}
    source_guid = derived_guid("source", document_iri(ROOT, "a.txt"))
    (source,) = root.iter(f"{Q}TextSource")
    assert source.attrib == {
        "guid": source_guid,
        "name": "a.txt",
        "plainTextPath": f"internal://{source_guid}.txt",
    }
    assert files[f"Sources/{source_guid}.txt"] == TEXT.encode()
    (selection,) = source.iter(f"{Q}PlainTextSelection")
    assert selection.attrib == {
        "guid": UID,
        "name": "quick",
        "startPosition": "4",
        "endPosition": "9",
        "creatingUser": ann,
        "creationDateTime": "2024-01-01T00:00:00Z",
        "modifiedDateTime": "2024-01-02T00:00:00Z",
    }
    (coding,) = selection.iter(f"{Q}Coding")
    code = code_guid(("policy", "patents"))
    assert coding.attrib == {
        "guid": derived_guid("coding", UID, code),
        "creatingUser": ann,
        "creationDateTime": "2024-01-01T00:00:00Z",
    }
    assert [ref.attrib for ref in coding.iter(f"{Q}CodeRef")] == [{"targetGUID": code}]
    (ref,) = selection.iter(f"{Q}NoteRef")
    note_guid = derived_guid("note", UID)
    assert ref.attrib == {"targetGUID": note_guid}
    (note,) = root.iter(f"{Q}Note")
    assert note.attrib == {
        "guid": note_guid,
        "name": "Note: quick",
        "creatingUser": ann,
        "creationDateTime": "2024-01-01T00:00:00Z",
        "modifiedDateTime": "2024-01-02T00:00:00Z",
    }
    assert note.findtext(f"{Q}PlainTextContent") == "a note"
    codes = root.find(f"{Q}CodeBook/{Q}Codes")
    assert codes is not None
    (policy,) = codes
    assert policy.attrib == {"guid": code_guid(("policy",)), "name": "Policy", "isCodable": "true"}
    assert [c.attrib["name"] for c in policy] == ["Patents"]
    assert extras == {
        "format": "ipreader.qdpx-extras",
        "version": 1,
        "selections": {
            UID: {
                "color": "yellow",
                "status": "anchored",
                "revision": 1,
                "score": None,
                "prefix": "The ",
                "suffix": " brown",
                "tags": ["Policy/Patents"],
            }
        },
        "orphans": [],
    }
    # The elements come in the schema's order.
    assert [child.tag for child in root] == [
        f"{Q}{n}" for n in ("Users", "CodeBook", "Sources", "Notes")
    ]


def test_a_highlight_without_creator_tags_or_note_is_a_bare_selection() -> None:
    root, _, _ = _project(_export(_document(_annotation())))
    (selection,) = root.iter(f"{Q}PlainTextSelection")
    assert "creatingUser" not in selection.attrib and len(selection) == 0
    assert [child.tag for child in root] == [f"{Q}Sources"]


def test_an_approximate_match_selects_what_it_covers_and_keeps_the_quote_for_ipreader() -> None:
    fuzzy = _annotation(
        id="not-a-uuid", status="fuzzy", start=10, end=15, current="brown", score=0.9,
        origin="https://hypothes.is/a/x", note="n",
    )  # fmt: skip
    root, extras, _ = _project(_export(_document(fuzzy)))
    (selection,) = root.iter(f"{Q}PlainTextSelection")
    guid = derived_guid("not-a-uuid")
    assert selection_guid("not-a-uuid") == guid == selection.attrib["guid"]
    assert selection.attrib["name"] == "brown"
    (note,) = root.iter(f"{Q}Note")
    assert note.attrib["name"] == "Note: brown"
    saved = extras["selections"][guid]
    assert (saved["id"], saved["quote"], saved["origin"], saved["score"]) == (
        "not-a-uuid", "quick", "https://hypothes.is/a/x", 0.9,
    )  # fmt: skip


def test_an_uppercase_uuid_is_the_lowercase_guid() -> None:
    root, extras, _ = _project(_export(_document(_annotation(id=UID.upper()))))
    (selection,) = root.iter(f"{Q}PlainTextSelection")
    assert selection.attrib["guid"] == UID
    assert extras["selections"][UID]["id"] == UID.upper()


def test_long_names_are_cut_and_made_one_line() -> None:
    long_quote = "a\tb\nc " + "word " * 30 + "\n\tend"
    text = long_quote + " tail"
    annotation = _annotation(start=0, end=len(long_quote), quote=long_quote, note="n",
                             prefix="", suffix=" tail")  # fmt: skip
    root, _, _ = _project(_export(_document(annotation), text=text))
    (selection,) = root.iter(f"{Q}PlainTextSelection")
    assert selection.attrib["name"] == " ".join(long_quote.split())[:60]
    (note,) = root.iter(f"{Q}Note")
    assert note.attrib["name"] == f"Note: {long_quote}"[:80]  # tab and line end kept


def test_an_orphan_selects_nothing_and_is_kept_for_ipreader() -> None:
    orphan = _annotation(status="orphaned", tags=["t"])
    root, extras, _ = _project(_export(_document(orphan)))
    assert list(root.iter(f"{Q}PlainTextSelection")) == []
    source_guid = derived_guid("source", document_iri(ROOT, "a.txt"))
    assert extras["orphans"] == [{"source": source_guid, **orphan}]
    assert extras["selections"] == {}


def test_a_documents_own_tags_and_note_belong_to_its_source() -> None:
    document = _document(tags=["Topic"], note="doc note")
    root, _, _ = _project(_export(document))
    (source,) = root.iter(f"{Q}TextSource")
    guid = source.attrib["guid"]
    (coding,) = source.iter(f"{Q}Coding")
    assert coding.attrib == {"guid": derived_guid("coding", guid, code_guid(("topic",)))}
    (ref,) = source.findall(f"{Q}NoteRef")
    (note,) = root.iter(f"{Q}Note")
    assert ref.attrib["targetGUID"] == note.attrib["guid"] == derived_guid("note", guid)
    assert note.attrib == {"guid": note.attrib["guid"], "name": "Note: a.txt"}
    assert note.findtext(f"{Q}PlainTextContent") == "doc note"


def test_a_missing_article_has_no_source() -> None:
    root, _, files = _project(_export(_document(_annotation(status="missing")), text=None))
    assert list(root.iter(f"{Q}TextSource")) == [] and not any(
        n.startswith("Sources/") for n in files
    )


def test_a_lone_surrogate_in_a_text_becomes_one_question_mark() -> None:
    text = "bad \udcff byte and quick"
    annotation = _annotation(start=text.index("quick"), end=len(text))
    _, _, files = _project(_export(_document(annotation), text=text))
    (source,) = [data for name, data in files.items() if name.startswith("Sources/")]
    assert source.decode() == "bad ? byte and quick"


def test_the_same_export_gives_the_same_bytes() -> None:
    export = _export(_document(_annotation(tags=["a"], creator="Ann", note="n")))
    assert to_qdpx(export) == to_qdpx(export)


def test_xml_text_keeps_what_xml_holds() -> None:
    assert xml_text("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert xml_text("x\x00y\x1bz\ufffe\uffff\ud800") == "x␀y␛z\ufffd\ufffd\ufffd"
    assert xml_text("tab\there é") == "tab\there é"


def test_terminal_controls_become_character_references() -> None:
    note = "tab\there\u202eRTL\x85"
    root, _, files = _project(_export(_document(_annotation(note=note))))
    raw = files["project.qde"].decode()
    assert "&#x9;here&#x202e;RTL&#x85;" in raw and "\u202e" not in raw
    (element,) = root.iter(f"{Q}Note")
    assert element.findtext(f"{Q}PlainTextContent") == note


def test_the_codebook_is_the_tree_of_the_tags_in_first_spelling() -> None:
    export = _export(
        _document(_annotation(tags=["Policy/Patents", "policy/Tax"]), tags=["Alone"]),
        _document(_annotation(tags=["POLICY/patents/Pharma"]), path="b.txt"),
    )
    qdc = to_qdc(export)
    _schema("Codebook.xsd").validate(qdc)
    root = ET.fromstring(qdc)
    assert root.tag == "{" + CODEBOOK_NS + "}CodeBook"
    assert root.attrib == {"origin": f"ipreader {__version__}"}
    c = "{" + CODEBOOK_NS + "}"

    def names(element: ET.Element) -> list[Any]:
        return [(code.attrib["name"], names(code)) for code in element.findall(f"{c}Code")]

    codes = root.find(f"{c}Codes")
    assert codes is not None
    assert names(codes) == [
        ("Alone", []),
        ("Policy", [("Patents", [("Pharma", [])]), ("Tax", [])]),
    ]


def test_a_codebook_without_tags_is_refused() -> None:
    with pytest.raises(EmptyCodebookError, match="no exported tag"):
        to_qdc(_export(_document(_annotation())))


def test_code_guids_are_those_of_earlier_exports_and_distinct() -> None:
    # A project exported again merges with the one imported before: same code, same GUID.
    export = _export(_document(_annotation(tags=["Policy/Patents", "policy/Tax", "Alone"])))
    root = ET.fromstring(to_qdc(export))
    guids = {code.attrib["name"]: code.attrib["guid"] for code in root.iter()
             if code.tag.endswith("}Code")}  # fmt: skip
    assert guids["Policy"] == "0c6d483b-9e5b-590a-af2a-0f32c68469b1"
    assert guids["Patents"] == "fb76b485-a25c-5696-980d-fd34a796e103"
    assert len(set(guids.values())) == len(guids) == 4
    project, _, _ = _project(export)
    (source,) = project.iter(f"{Q}TextSource")
    assert source.attrib["guid"] == "5e8cc6b0-ea2f-56fc-b7c2-f634bb2f82b9"
    refs = {ref.attrib["targetGUID"] for ref in project.iter(f"{Q}CodeRef")}
    assert refs == {guids["Patents"], guids["Tax"], guids["Alone"]}


def test_the_empty_codebook_refusal_says_why() -> None:
    with pytest.raises(EmptyCodebookError) as refused:
        to_qdc(_export(_document(_annotation())))
    assert str(refused.value) == "nothing to put in a codebook: no exported tag"


def test_the_extras_file_is_readable_utf8() -> None:
    _, _, files = _project(_export(_document(_annotation(tags=["café"]))))
    assert '"tags": ["café"]' in files["ipreader.json"].decode("utf-8")
    assert files["ipreader.json"].endswith(b"}\n")


def test_a_document_note_name_is_cut_at_80_characters() -> None:
    path = "d/" + "x" * 100 + ".txt"
    root, _, _ = _project(_export(_document(note="n", path=path)))
    (note,) = root.iter(f"{Q}Note")
    assert note.attrib["name"] == f"Note: {path}"[:80] and len(note.attrib["name"]) == 80
