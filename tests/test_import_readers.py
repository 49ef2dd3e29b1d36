"""What each format reader hands the merge: one record per highlight, in ipreader's shape.

Read with ``read_batch`` (nothing is written): the fields a user sees after
an import come from these records, and every skipped entry has its reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.errors import ImportFileError
from ipreader.core.importer import read_batch
from ipreader.core.importer.batch import Batch


def batch_of(tmp_path: Path, data: Any, fmt: str | None = None) -> Batch:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    return read_batch(path, fmt)


def quote_target(exact: str = "the cat", **position: int) -> list[dict[str, Any]]:
    selectors: list[dict[str, Any]] = [
        {"type": "TextQuoteSelector", "exact": exact, "prefix": "Hi ", "suffix": " sat"}
    ]
    if position:
        selectors.append({"type": "TextPositionSelector", **position})
    return [{"source": "https://example.org/news/a.txt", "selector": selectors}]


def test_a_hypothesis_row_becomes_one_record_with_every_field(tmp_path: Path) -> None:
    row = {
        "id": "hyp1",
        "uri": "https://example.org/news/a%20b.txt",
        "text": "a note",
        "tags": ["t1"],
        "created": "2024-01-01T00:00:00Z",
        "updated": "2024-01-02T00:00:00Z",
        "user": "acct:ann@hypothes.is",
        "target": quote_target(start=3, end=10),
    }
    batch = batch_of(tmp_path, {"rows": [row]})
    assert batch.format == "hypothesis" and batch.rejected == [] and batch.entries == 1
    [group] = batch.groups
    assert group.where == "annotations on 'https://example.org/news/a%20b.txt'"
    assert group.document.uri_path == "/news/a b.txt" and group.document.search_quotes
    assert group.annotations == [
        (
            "rows[0]",
            {
                "id": "hyp1",
                "quote": "the cat",
                "prefix": "Hi ",
                "suffix": " sat",
                "start": 3,
                "end": 10,
                "note": "a note",
                "tags": ["t1"],
                "created": "2024-01-01T00:00:00Z",
                "updated": "2024-01-02T00:00:00Z",
                "creator": "ann",
                "origin": "hyp1",
            },
        )
    ]


def test_hypothesis_rows_on_one_page_share_a_group_and_a_lone_row_is_read(
    tmp_path: Path,
) -> None:
    row = {"uri": "https://example.org/a.txt", "target": quote_target()}
    batch = batch_of(tmp_path, [row, {**row, "id": "2"}, {**row, "uri": "https://x.org/b.txt"}])
    assert [len(group.annotations) for group in batch.groups] == [2, 1]
    lone = batch_of(tmp_path, row, "hypothesis")
    assert lone.entries == 1 and lone.groups[0].annotations[0][1]["start"] is None


def test_hypothesis_rows_that_cannot_be_used_are_rejected_with_their_reason(
    tmp_path: Path,
) -> None:
    rows = [
        "not a row",
        {"uri": "https://example.org/a.txt", "target": quote_target(), "references": ["p"]},
        {"uri": "https://example.org/a.txt", "target": "not a list"},
        {"uri": 3, "target": quote_target()},
        {
            "uri": "https://example.org/a.txt",
            "target": [{"selector": [{"type": "RangeSelector"}]}],
        },
    ]
    batch = batch_of(tmp_path, {"rows": rows})
    assert batch.rejected == [
        "rows[0]: not an object; skipped",
        "rows[1]: a reply; replies are not imported",
        "rows[2]: no target list or uri; skipped",
        "rows[3]: no target list or uri; skipped",
        "rows[4]: no TextQuoteSelector; skipped",
    ]
    assert batch.entries == 5


def test_a_hypothesis_page_note_goes_to_the_document(tmp_path: Path) -> None:
    row = {"uri": "https://example.org/a.txt", "target": [], "text": "page", "tags": ["p"]}
    [group] = batch_of(tmp_path, {"rows": [row]}).groups
    assert group.annotations == [] and group.notes == {"tags": ["p"], "note": "page"}


def test_a_hypothesis_file_that_is_no_list_of_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match='"rows" must be a list'):
        batch_of(tmp_path, {"rows": {"uri": "x"}})
    with pytest.raises(ImportFileError, match="not Hypothesis API JSON"):
        batch_of(tmp_path, "a string", "hypothesis")


def w3c(**fields: Any) -> dict[str, Any]:
    annotation: dict[str, Any] = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "id": "urn:uuid:0b6f3c8e-3a4b-4c1d-9e2f-5a6b7c8d9e0f",
        "target": quote_target(start=3, end=10)[0],
    }
    annotation.update(fields)
    return annotation


def test_a_w3c_annotation_becomes_one_record_with_every_field(tmp_path: Path) -> None:
    annotation = w3c(
        body=[
            {"type": "TextualBody", "purpose": "tagging", "value": "t1"},
            {"type": "TextualBody", "purpose": "commenting", "value": "first"},
            {"type": "TextualBody", "value": "second"},
            "https://example.org/an-external-body",
        ],
        created="2024-01-01T00:00:00Z",
        modified="2024-01-02T00:00:00Z",
        creator={"type": "Person", "nickname": "ann"},
        via="https://elsewhere.org/a/1",
    )
    batch = batch_of(tmp_path, annotation)
    assert batch.format == "w3c" and batch.rejected == [] and batch.notes == []
    [group] = batch.groups
    assert group.document.uri_path == "/news/a.txt" and group.document.search_quotes
    [(where, record)] = group.annotations
    assert where == "annotation"
    assert record == {
        "id": "urn:uuid:0b6f3c8e-3a4b-4c1d-9e2f-5a6b7c8d9e0f",
        "quote": "the cat",
        "prefix": "Hi ",
        "suffix": " sat",
        "start": 3,
        "end": 10,
        "note": "first\n\nsecond",
        "tags": ["t1"],
        "color": None,
        "created": "2024-01-01T00:00:00Z",
        "updated": "2024-01-02T00:00:00Z",
        "creator": "ann",
        "status": None,
        "revision": None,
        "score": None,
        "origin": "https://elsewhere.org/a/1",
    }


def test_w3c_targets_bodies_and_pages_are_read_as_documented(tmp_path: Path) -> None:
    two_targets = w3c(target=[quote_target()[0], "https://example.org/other.txt"])
    no_selector = w3c(target="https://example.org/news/a.txt", bodyValue="whole document")
    other_selector = w3c(
        target={"source": "https://example.org/a.txt", "selector": {"type": "CssSelector"}}
    )
    page = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationPage",
        "items": [two_targets, no_selector, other_selector, {"type": "Note"}, w3c(target=None)],
    }
    batch = batch_of(tmp_path, page)
    assert batch.notes == ["items[0]: 2 targets; only the first is imported"]
    assert batch.rejected == [
        "items[2]: no TextQuoteSelector (only CssSelector); skipped",
        "items[3]: not an Annotation; skipped",
        "items[4]: no target; skipped",
    ]
    by_uri = {group.document.uri_path: group for group in batch.groups}
    assert by_uri["/news/a.txt"].notes == {"tags": [], "note": "whole document"}
    assert [where for where, _ in by_uri["/news/a.txt"].annotations] == ["items[0]"]


def test_a_w3c_collection_is_read_page_by_page_and_an_unfetched_page_is_reported(
    tmp_path: Path,
) -> None:
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "first": {
            "type": "AnnotationPage",
            "items": [w3c()],
            "next": {"type": "AnnotationPage", "items": [w3c(id="2")], "next": "https://x/p3"},
        },
    }
    batch = batch_of(tmp_path, collection)
    [group] = batch.groups
    assert [where for where, _ in group.annotations] == ["page 1 items[0]", "page 2 items[0]"]
    assert batch.notes == [
        "page 3: given only by its IRI ('https://x/p3'), which is not fetched; "
        "its annotations are not imported"
    ]


def test_an_ipreader_export_of_an_unknown_version_is_refused(tmp_path: Path) -> None:
    base = {"format": "ipreader.annotations", "documents": []}
    for version, why in [
        (None, "missing or invalid export version"),
        (True, "missing or invalid export version"),
        (0, "unknown export version 0"),
        (99, "export version 99 was written by a newer ipreader"),
    ]:
        with pytest.raises(ImportFileError, match=why):
            batch_of(tmp_path, {**base, "version": version})
    assert batch_of(tmp_path, {**base, "version": 1}).groups == []


def test_ipreader_documents_that_cannot_be_used_are_rejected(tmp_path: Path) -> None:
    data = {
        "format": "ipreader.annotations",
        "version": 1,
        "documents": [
            "x",
            {"path": "a.txt", "annotations": {}},
            {"annotations": [{"quote": "q"}], "sha256": "ab", "tags": ["d"]},
        ],
    }
    batch = batch_of(tmp_path, data)
    assert batch.rejected == [
        "documents[0]: not an object; skipped",
        "documents[1]: annotations must be a list; document skipped",
    ]
    [group] = batch.groups
    assert group.where == "documents[2]"
    assert (group.document.path, group.document.sha256) == ("", "ab")
    assert group.annotations == [("annotation 0", {"quote": "q"})]
    assert batch.entries == 3


def test_a_lone_hypothesis_page_note_is_recognised_as_hypothesis(tmp_path: Path) -> None:
    row = {"uri": "https://example.org/a.txt", "text": "page note"}
    for data in (row, [row]):
        batch = batch_of(tmp_path, data)
        assert batch.format == "hypothesis"
        assert batch.rejected == ["rows[0]: no target list or uri; skipped"]


def test_a_hypothesis_target_given_as_a_string_is_a_page_note(tmp_path: Path) -> None:
    row = {"uri": "https://example.org/a.txt", "target": ["https://example.org/a.txt"]}
    [group] = batch_of(tmp_path, {"rows": [row]}).groups
    assert group.annotations == [] and group.notes == {"tags": None, "note": None}


def test_a_hypothesis_file_error_names_the_file_and_a_long_uri_is_cut(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as raised:
        batch_of(tmp_path, {"rows": 3})
    assert str(raised.value) == f'{tmp_path / "in.json"}: "rows" must be a list'
    uri = "https://example.org/" + "x" * 300
    [group] = batch_of(tmp_path, {"rows": [{"uri": uri, "target": quote_target()}]}).groups
    assert group.where == f"annotations on {uri[-200:]!r}"


def test_ipreaders_own_w3c_terms_restore_what_only_ipreader_has(tmp_path: Path) -> None:
    target = {
        "source": {"id": "https://example.org/a.txt"},
        "ipreader:path": "news/a.txt",
        "ipreader:sha256": "ab" * 32,
        "ipreader:quote": "the cat",
        "ipreader:prefix": "Hey ",
        "ipreader:suffix": " ran",
        "selector": [{"type": "TextQuoteSelector", "exact": "the cot", "prefix": "Hi "}],
    }
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "@type": ["Annotation", "Other"],  # the JSON-LD keyword, and a list of types
        "target": [target],
        "body": [
            {"type": "SpecificResource", "source": "https://example.org/x"},  # no value
            "https://example.org/an-iri",
            {"purpose": "highlighting", "value": "pink"},
            {"purpose": "highlighting", "value": "not a colour"},
        ],
        "ipreader:revision": 3,
        "ipreader:origin": "elsewhere",
        "ipreader:status": "fuzzy",
    }
    batch = batch_of(tmp_path, annotation)
    assert batch.format == "w3c" and batch.notes == [] and batch.rejected == []
    [group] = batch.groups
    assert group.where == "annotations on 'news/a.txt'"
    assert (group.document.path, group.document.sha256) == ("news/a.txt", "ab" * 32)
    assert group.document.uri_path == "/a.txt"
    [(_, record)] = group.annotations
    assert (record["quote"], record["current"]) == ("the cat", "the cot")
    assert (record["prefix"], record["suffix"]) == ("Hey ", " ran")
    assert (record["color"], record["note"]) == ("pink", "not a colour")
    assert (record["revision"], record["origin"], record["status"]) == (3, "elsewhere", "fuzzy")


def test_a_w3c_target_named_by_its_id_and_an_annotation_without_note(tmp_path: Path) -> None:
    annotation = w3c(
        target={"id": "https://example.org/b.txt", "selector": quote_target()[0]["selector"]},
        **{"ipreader:color": "blue"},
    )
    page = {"type": "AnnotationPage", "items": annotation}  # one item, not a list
    batch = batch_of(tmp_path, page, "w3c")
    [group] = batch.groups
    assert group.where == "annotations on '/b.txt'" and group.document.sha256 is None
    [(where, record)] = group.annotations
    assert where == "items[0]"
    assert (record["note"], record["color"], record["tags"]) == (None, "blue", [])
