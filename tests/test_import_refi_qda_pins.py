"""Pins of the REFI-QDA reader (``importer/refi_qda.py``) through ``read_batch``: what a
project's selections, codes, notes and users become, and every refusal in full."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.errors import ImportFileError
from ipreader.core.importer import read_batch
from ipreader.core.importer.batch import Batch

NS = "urn:QDA-XML:project:1.0"
TEXT = "The quick brown fox jumps over the lazy dog.\n"
SOURCE_GUID = "{AAAAAAAA-0000-4000-8000-000000000001}"
SELECTION_GUID = "BBBBBBBB-0000-4000-8000-000000000002"


def qdpx(tmp_path: Path, project: str, files: dict[str, bytes] | None = None) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", project)
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    path = tmp_path / "p.qdpx"
    path.write_bytes(buffer.getvalue())
    return path


def project(sources: str, extra: str = "") -> str:
    return f'<Project xmlns="{NS}" name="p">{extra}<Sources>{sources}</Sources></Project>'


def source(body: str = "", *, name: str = "a.txt", text: str | None = TEXT, attrs: str = "") -> str:
    inline = "" if text is None else f"<PlainTextContent>{text}</PlainTextContent>"
    return f'<TextSource guid="{SOURCE_GUID}" name="{name}" {attrs}>{inline}{body}</TextSource>'


def selection(start: object, end: object, body: str = "", attrs: str = "") -> str:
    return (
        f'<PlainTextSelection guid="{SELECTION_GUID}" startPosition="{start}" '
        f'endPosition="{end}" {attrs}>{body}</PlainTextSelection>'
    )


def read(tmp_path: Path, text: str, files: dict[str, bytes] | None = None) -> Batch:
    return read_batch(qdpx(tmp_path, text, files), "qdpx")


def refusal(tmp_path: Path, text: str, files: dict[str, bytes] | None = None) -> str:
    path = qdpx(tmp_path, text, files)
    with pytest.raises(ImportFileError) as raised:
        read_batch(path, "qdpx")
    return str(raised.value).removeprefix(f"{path}: ")


def records(batch: Batch) -> list[dict[str, Any]]:
    return [record for group in batch.groups for _where, record in group.annotations]


# ---------------------------------------------------------------- a selection


def test_a_selection_becomes_a_highlight_with_its_quote_context_codes_notes_and_user(
    tmp_path: Path,
) -> None:
    start, end = TEXT.index("brown fox"), TEXT.index("brown fox") + len("brown fox")
    extra = (
        '<Users><User guid="{U-1}" name="Ada"/></Users>'
        '<CodeBook><Codes><Code guid="{C-1}" name="animals">'
        '<Code guid="C-2" name="fox"/></Code></Codes></CodeBook>'
        '<Notes><Note guid="{N-1}"><PlainTextContent>first note</PlainTextContent></Note>'
        '<Note guid="N-2"><PlainTextContent>second</PlainTextContent></Note></Notes>'
    )
    body = (
        '<Description>described</Description><Coding guid="x"><CodeRef targetGUID="{c-2}"/>'
        '</Coding><NoteRef targetGUID="n-1"/><NoteRef targetGUID="{N-2}"/>'
        '<NoteRef targetGUID="missing"/><Coding guid="y"><CodeRef targetGUID="unknown"/></Coding>'
    )
    attrs = (
        'creatingUser="{u-1}" creationDateTime="2026-01-01T00:00:00Z" '
        'modifiedDateTime="2026-01-02T00:00:00Z"'
    )
    batch = read(tmp_path, project(source(selection(start, end, body, attrs)), extra))
    assert batch.format == "qdpx" and batch.rejected == [] and batch.notes == []
    (group,) = batch.groups
    assert group.where == "source 0 ('a.txt')"
    assert group.document.uri_path == "a.txt" and group.document.text == TEXT
    assert group.document.search_quotes
    ((where, record),) = group.annotations
    assert where == "selection 0"
    assert record == {
        "id": SELECTION_GUID.lower(),
        "start": start,
        "end": end,
        "quote": "brown fox",
        "prefix": TEXT[:start],
        "suffix": TEXT[end:],
        "note": "first note\n\nsecond\n\ndescribed",
        "tags": ["animals/fox"],
        "creator": "Ada",
        "created": "2026-01-01T00:00:00Z",
        "updated": "2026-01-02T00:00:00Z",
    }


def test_a_selection_without_guid_user_or_times_leaves_them_to_the_merge(tmp_path: Path) -> None:
    text = '<PlainTextSelection startPosition="0" endPosition="3"/>'
    (record,) = records(read(tmp_path, project(source(text))))
    assert record["id"] is None and record["creator"] is None
    assert record["created"] is None and record["updated"] is None
    assert (record["quote"], record["note"], record["tags"]) == ("The", "", [])


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("x", "3", "positions are not integers; skipped"),
        ("", "3", "positions are not integers; skipped"),
        ("0", "", "positions are not integers; skipped"),
        ("-1", "3", "positions -1..3 are outside the text"),
        ("5", "5", "positions 5..5 are outside the text"),
        ("5", "4", "positions 5..4 are outside the text"),
        ("0", str(len(TEXT) + 1), f"positions 0..{len(TEXT) + 1} are outside the text"),
    ],
)
def test_a_selection_with_bad_positions_is_rejected_with_them(
    tmp_path: Path, start: str, end: str, message: str
) -> None:
    batch = read(tmp_path, project(source(selection(start, end) + selection(0, 3))))
    assert batch.rejected == [f"source 0 ('a.txt') selection 0: {message}"]
    assert [r["quote"] for r in records(batch)] == ["The"]
    assert batch.entries == 2


def test_a_selection_may_end_at_the_text_s_end_and_start_at_0(tmp_path: Path) -> None:
    (record,) = records(read(tmp_path, project(source(selection(0, len(TEXT))))))
    assert record["quote"] == TEXT


# ---------------------------------------------------------------- a source


def test_a_source_s_own_codes_and_notes_go_to_the_document(tmp_path: Path) -> None:
    extra = (
        '<CodeBook><Codes><Code guid="C-1" name="topic"/></Codes></CodeBook>'
        '<Notes><Note guid="N-1"><PlainTextContent>one</PlainTextContent></Note>'
        '<Note guid="N-2"><PlainTextContent>two</PlainTextContent></Note></Notes>'
    )
    body = '<Coding guid="c"><CodeRef targetGUID="C-1"/></Coding><NoteRef targetGUID="N-1"/>'
    body += '<NoteRef targetGUID="N-2"/>'
    batch = read(tmp_path, project(source(body), extra))
    (group,) = batch.groups
    assert group.notes == {"tags": ["topic"], "note": "one\n\ntwo"}
    assert batch.entries == 1 and group.annotations == []


def test_a_source_without_codes_or_notes_gives_the_document_none(tmp_path: Path) -> None:
    (group,) = read(tmp_path, project(source(selection(0, 3)))).groups
    assert group.notes is None


def test_a_source_s_text_may_be_its_internal_file_with_crlf_and_a_bom(tmp_path: Path) -> None:
    files = {"Sources/S.TXT": b"\xef\xbb\xbfOne\r\ntwo\rthree"}
    text = source(selection(0, 7), text=None, attrs='plainTextPath="internal://s.txt"')
    batch = read(tmp_path, project(text), files)
    (record,) = records(batch)
    assert record["quote"] == "One\ntwo" and batch.groups[0].document.text == "One\ntwo\nthree"


@pytest.mark.parametrize(
    ("attrs", "files"),
    [
        ('plainTextPath="internal://gone.txt"', {}),
        ('plainTextPath="file:///etc/passwd"', {}),
        ("", {}),
        ('plainTextPath="internal://s.txt"', {"Sources/s.txt": b"\xff\xfe not utf-8 \xff"}),
    ],
    ids=["missing", "external", "none", "not-utf-8"],
)
def test_a_source_without_readable_text_is_rejected(
    tmp_path: Path, attrs: str, files: dict[str, bytes]
) -> None:
    sources = source(text=None, attrs=attrs, name="x" * 250) + source(selection(0, 3))
    batch = read(tmp_path, project(sources), files)
    assert batch.rejected == [
        f"source 0 ({'x' * 200!r}): its plain text is missing or not UTF-8; skipped"
    ]
    assert len(batch.groups) == 1 and batch.groups[0].where == "source 1 ('a.txt')"


def test_sources_that_are_not_plain_text_are_counted_in_a_note(tmp_path: Path) -> None:
    sources = source(selection(0, 3)) + '<PDFSource guid="p" name="x.pdf"/><PictureSource/>'
    batch = read(tmp_path, project(sources))
    assert batch.notes == ["2 source(s) that are not plain text were not imported"]
    assert len(records(batch)) == 1


def test_a_backslashed_source_name_is_matched_as_a_path(tmp_path: Path) -> None:
    (group,) = read(tmp_path, project(source(name="dir\\sub\\a.txt"))).groups
    assert group.document.uri_path == "dir/sub/a.txt"


# ---------------------------------------------------------------- ipreader's own extras


def test_ipreader_json_restores_what_qda_xml_cannot_hold(tmp_path: Path) -> None:
    guid = SELECTION_GUID.lower()
    extras = {
        "format": "ipreader.qdpx-extras",
        "selections": {
            guid: {
                "color": "green",
                "status": "moved",
                "revision": 3,
                "id": "c0ffee00-0000-4000-8000-000000000000",
                "quote": "brown fax",
                "tags": ["Exact Tag"],
                "ignored": "x",
            }
        },
        "orphans": [
            {"source": SOURCE_GUID, "id": "o-1", "quote": "gone", "status": "orphaned"},
            {"source": "other", "id": "o-2"},
            "not an object",
        ],
    }
    start = TEXT.index("brown fox")
    files = {"ipreader.json": json.dumps(extras).encode()}
    batch = read(tmp_path, project(source(selection(start, start + 9))), files)
    restored, orphan = records(batch)
    assert restored["color"] == "green" and restored["status"] == "moved"
    assert restored["revision"] == 3 and restored["tags"] == ["Exact Tag"]
    assert restored["id"] == "c0ffee00-0000-4000-8000-000000000000"
    assert (restored["quote"], restored["current"]) == ("brown fax", "brown fox")
    assert "ignored" not in restored
    assert orphan == {"id": "o-1", "quote": "gone", "status": "orphaned"}
    assert [where for where, _ in batch.groups[0].annotations] == ["selection 0", "orphan 0"]


@pytest.mark.parametrize(
    "extras",
    [b'{"format": "something else", "selections": {}}', b"\xff not utf-8", b"[1, 2]", b"{bad"],
)
def test_an_ipreader_json_that_is_not_ours_is_ignored(tmp_path: Path, extras: bytes) -> None:
    (record,) = records(read(tmp_path, project(source(selection(0, 3))), {"ipreader.json": extras}))
    assert "color" not in record and record["quote"] == "The"


# ---------------------------------------------------------------- refusals in full


def test_a_zip_without_project_qde_is_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("other.qde", "<Project/>")
    with pytest.raises(ImportFileError) as raised:
        read_batch(path, "qdpx")
    assert str(raised.value) == f"{path}: no project.qde in the zip: not a REFI-QDA project"


def test_project_qde_is_found_whatever_its_case(tmp_path: Path) -> None:
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("PROJECT.QDE", project(source(selection(0, 3))))
    assert len(records(read_batch(path, "qdpx"))) == 1


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ('<Project xmlns="urn:other"/>', "project.qde is not a QDA-XML project"),
        ("<Project/>", "project.qde is not a QDA-XML project"),
        (f'<Codebook xmlns="{NS}"/>', "project.qde is not a QDA-XML project"),
        ('<?xml version="1.0"?><!DOCTYPE p><Project/>', "project.qde declares a DOCTYPE; refused"),
        ('<Project><!ENTITY x "y"></Project>', "project.qde declares a DOCTYPE; refused"),
    ],
)
def test_a_project_file_that_is_not_a_plain_qda_xml_project_is_refused(
    tmp_path: Path, xml: str, message: str
) -> None:
    assert refusal(tmp_path, xml) == message


def test_a_project_denser_than_one_tag_a_16_bytes_is_refused_with_the_counts(
    tmp_path: Path,
) -> None:
    xml = f'<Project xmlns="{NS}">' + "<a/>" * 10_001 + "</Project>"
    tags = xml.count("<")
    assert refusal(tmp_path, xml) == f"{tags:,} XML tags in {len(xml):,} bytes; refused"


def test_a_project_at_the_density_floor_is_read(tmp_path: Path) -> None:
    xml = f'<Project xmlns="{NS}"><Sources>' + "<a/>" * 9_996 + "</Sources></Project>"
    assert xml.count("<") == 10_000
    assert read(tmp_path, xml).notes == ["9996 source(s) that are not plain text were not imported"]


def test_not_well_formed_xml_says_where(tmp_path: Path) -> None:
    assert refusal(tmp_path, "<Project") == (
        "project.qde is not well-formed XML: unclosed token: line 1, column 0"
    )


# ---------------------------------------------------------------- what is missing or empty


def test_positions_missing_altogether_are_not_integers(tmp_path: Path) -> None:
    sources = source(
        '<PlainTextSelection guid="g1" endPosition="3"/>'
        '<PlainTextSelection guid="g2" startPosition="0"/>' + selection(0, 3)
    )
    batch = read(tmp_path, project(sources))
    assert batch.rejected == [
        "source 0 ('a.txt') selection 0: positions are not integers; skipped",
        "source 0 ('a.txt') selection 1: positions are not integers; skipped",
    ]


def test_empty_texts_and_names_stay_empty(tmp_path: Path) -> None:
    extra = (
        '<CodeBook><Codes><Code guid="C-1"/><Code guid="C-2" name="animals">'
        '<Code guid="C-3"/></Code></Codes></CodeBook>'
        '<Notes><Note guid="N-1"><PlainTextContent/></Note>'
        '<Note guid="N-2" plainTextPath="file:///elsewhere.txt"/></Notes>'
    )
    body = (
        '<Coding guid="a"><CodeRef targetGUID="C-1"/></Coding>'
        '<Coding guid="b"><CodeRef targetGUID="C-3"/></Coding>'
        '<NoteRef targetGUID="N-1"/><NoteRef targetGUID="N-2"/>'
    )
    sources = (
        f'<TextSource guid="s"><PlainTextContent>{TEXT}</PlainTextContent>'
        f"{selection(0, 3, body)}</TextSource>"
        '<TextSource guid="t" name="e.txt"><PlainTextContent/></TextSource>'
    )
    batch = read(tmp_path, project(sources, extra))
    first, empty = batch.groups
    assert first.where == "source 0 ('')" and first.document.uri_path == ""
    ((_, record),) = first.annotations
    assert record["tags"] == ["", "animals/"]  # the merge drops the empty tag
    assert record["note"] == ""
    assert empty.document.text == "" and empty.annotations == []


def test_the_creator_is_a_user_s_name_never_another_element_s(tmp_path: Path) -> None:
    extra = '<Users><User guid="U-1" name="Ada"/></Users>'
    sources = source(
        selection(0, 3, attrs=f'creatingUser="{SOURCE_GUID}"')
        + '<PlainTextSelection guid="g2" startPosition="4" endPosition="9" creatingUser="u-1"/>'
    )
    first, second = records(read(tmp_path, project(sources, extra)))
    assert first["creator"] is None and second["creator"] == "Ada"


def test_ipreader_json_restores_the_origin_too(tmp_path: Path) -> None:
    extras = {
        "format": "ipreader.qdpx-extras",
        "selections": {SELECTION_GUID.lower(): {"origin": "imported from x", "score": 87.5}},
    }
    files = {"ipreader.json": json.dumps(extras).encode()}
    (record,) = records(read(tmp_path, project(source(selection(0, 3))), files))
    assert (record["origin"], record["score"]) == ("imported from x", 87.5)


# ---------------------------------------------------------------- bounds


def test_a_zip_of_more_files_than_entries_allowed_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipreader.core.importer import refi_qda

    monkeypatch.setattr(refi_qda, "MAX_IMPORT_ENTRIES", 3)
    at_limit = {"Sources/1.txt": b"1", "Sources/2.txt": b"2"}
    assert read(tmp_path, project(source(selection(0, 3))), at_limit).groups
    over = {**at_limit, "Sources/3.txt": b"3"}
    assert refusal(tmp_path, project(source()), over) == "4 files in the zip; too many"


def test_more_entries_than_allowed_are_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipreader.core.importer import batch

    monkeypatch.setattr(batch, "MAX_IMPORT_ENTRIES", 1)
    sources = source(selection(0, 3) + selection(4, 9))
    assert refusal(tmp_path, project(sources)) == (
        "more than 1 entries; split it into smaller files (nothing imported)"
    )


def test_unzipped_bytes_up_to_the_limit_are_read_and_one_more_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipreader.core.importer import refi_qda

    xml = project(source(selection(0, 3), text=None, attrs='plainTextPath="internal://s.txt"'))
    files = {"Sources/s.txt": TEXT.encode()}
    total = len(xml.encode()) + len(TEXT.encode())
    monkeypatch.setattr(refi_qda, "MAX_IMPORT_BYTES", total)
    assert len(records(read(tmp_path, xml, files))) == 1
    monkeypatch.setattr(refi_qda, "MAX_IMPORT_BYTES", total - 1)
    assert refusal(tmp_path, xml, files) == "more than 0 MB once unzipped"


def test_a_damaged_member_is_named(tmp_path: Path) -> None:
    xml = project(source(text=None, attrs='plainTextPath="internal://s.txt"'))
    path = qdpx(tmp_path, xml, {"Sources/s.txt": b"Some stored text to damage."})
    data = bytearray(path.read_bytes())
    at = bytes(data).index(b"stored text")
    data[at] ^= 0xFF  # stored uncompressed: the CRC no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(ImportFileError) as raised:
        read_batch(path, "qdpx")
    assert str(raised.value) == (
        f"{path}: cannot read 'sources/s.txt' in the zip: Bad CRC-32 for file 'Sources/s.txt'"
    )


def test_a_project_exactly_one_tag_a_16_bytes_is_read(tmp_path: Path) -> None:
    head, tail = f'<Project xmlns="{NS}">' + "<a/>" * 9_999, "</Project>"
    tags = 10_001
    xml = head + " " * (tags * 16 - len(head) - len(tail)) + tail
    assert xml.count("<") == tags and len(xml) == tags * 16
    assert read(tmp_path, xml).groups == []
    denser = head + " " * (tags * 16 - len(head) - len(tail) - 1) + tail
    assert refusal(tmp_path, denser) == f"10,001 XML tags in {len(denser):,} bytes; refused"


def test_a_member_larger_than_the_budget_is_never_inflated_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracemalloc

    from ipreader.core.importer import refi_qda

    monkeypatch.setattr(refi_qda, "MAX_IMPORT_BYTES", 1024 * 1024)
    xml = project(source(text=None, attrs='plainTextPath="internal://s.txt"'))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        archive.writestr("Sources/s.txt", b"\0" * (40 * 1024 * 1024))  # ~40 KB deflated
    path = tmp_path / "bomb.qdpx"
    path.write_bytes(buffer.getvalue())
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match="more than 1 MB once unzipped"):
            read_batch(path, "qdpx")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # the bounded read, not the 40 MB the member holds
