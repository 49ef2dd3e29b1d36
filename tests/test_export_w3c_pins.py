"""The W3C export's items: what another annotation tool reads back (issue 15).

Each item is checked against the W3C suite's MUSTs elsewhere
(``test_w3c_conformance.py``); these pin what ipreader puts in them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from export_records import exported_annotation, exported_document

from ipreader.core.export.structure import ExportSet, creator_uuid, document_iri
from ipreader.core.export.w3c import GENERATOR, W3C_CONTEXT, person, to_w3c

ROOT = Path("/data/articles")
TEXT = "The quick brown fox jumps over the lazy dog."
IRI = document_iri(ROOT, "a.txt")


def _annotation(**fields: Any) -> dict[str, Any]:
    return exported_annotation("11111111-1111-4111-8111-111111111111", **fields)


def _document(*annotations: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return exported_document(*annotations, **fields)


def _collection(*documents: dict[str, Any], text: str | None = TEXT) -> dict[str, Any]:
    data = {"exported_at": "2024-05-06T07:08:09Z", "documents": list(documents)}
    texts = tuple(text for _ in documents)
    return to_w3c(ExportSet(data, tuple(ROOT for _ in documents), texts))


def _items(*documents: dict[str, Any], text: str | None = TEXT) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = _collection(*documents, text=text)["first"]["items"]
    return items


def test_a_plain_highlight_is_exactly_this_annotation() -> None:
    (item,) = _items(_document(_annotation()))
    assert item == {
        "id": "urn:uuid:11111111-1111-4111-8111-111111111111",
        "type": "Annotation",
        "motivation": "highlighting",
        "created": "2024-01-01T00:00:00Z",
        "modified": "2024-01-02T00:00:00Z",
        "generator": GENERATOR,
        "body": [
            {
                "type": "TextualBody",
                "value": "yellow",
                "format": "text/plain",
                "purpose": "highlighting",
                "created": "2024-01-01T00:00:00Z",
            }
        ],
        "target": {
            "type": "SpecificResource",
            "source": IRI,
            "format": "text/plain",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": "quick",
                    "prefix": "The ",
                    "suffix": " brown",
                },
                {"type": "TextPositionSelector", "start": 4, "end": 9},
            ],
            "created": "2024-01-01T00:00:00Z",
            "ipreader:path": "a.txt",
            "ipreader:sha256": "ab" * 32,
        },
        "ipreader:color": "yellow",
        "ipreader:status": "anchored",
        "ipreader:revision": 1,
    }
    assert GENERATOR == {
        "id": "https://github.com/ipreader/ipreader",
        "type": "Software",
        "name": "ipreader",
    }


def test_a_creator_owns_the_annotation_its_bodies_and_its_target() -> None:
    (item,) = _items(_document(_annotation(creator="Ann", note="n", tags=["t"])))
    ann = {"id": f"urn:uuid:{creator_uuid('Ann')}", "type": "Person", "name": "Ann"}
    assert person("Ann") == ann
    assert item["creator"] == ann and item["target"]["creator"] == ann
    assert [(b["purpose"], b["value"], b["creator"]) for b in item["body"]] == [
        ("commenting", "n", ann),
        ("tagging", "t", ann),
        ("highlighting", "yellow", ann),
    ]
    assert item["motivation"] == "commenting"


def test_an_orphan_keeps_only_its_quote_selector() -> None:
    (item,) = _items(_document(_annotation(status="orphaned")))
    assert item["target"]["selector"] == [
        {"type": "TextQuoteSelector", "exact": "quick", "prefix": "The ", "suffix": " brown"}
    ]
    assert item["ipreader:status"] == "orphaned"


def test_an_approximate_match_selects_what_it_covers_and_keeps_what_was_highlighted() -> None:
    fuzzy = _annotation(
        status="fuzzy", start=10, end=15, current="brown", score=0.875, prefix="A ", suffix="!"
    )
    (item,) = _items(_document(fuzzy))
    target = item["target"]
    assert target["selector"][0] == {
        "type": "TextQuoteSelector",
        "exact": "brown",
        "prefix": TEXT[:10],
        "suffix": TEXT[15:],
    }
    assert target["selector"][1] == {"type": "TextPositionSelector", "start": 10, "end": 15}
    assert (target["ipreader:quote"], target["ipreader:prefix"], target["ipreader:suffix"]) == (
        "quick",
        "A ",
        "!",
    )
    assert item["ipreader:score"] == 0.875


def test_an_approximate_match_with_unchanged_context_carries_no_context_copy() -> None:
    fuzzy = _annotation(
        status="fuzzy", start=10, end=15, current="brown", prefix=TEXT[:10], suffix=TEXT[15:]
    )
    (item,) = _items(_document(fuzzy))
    assert item["target"]["ipreader:quote"] == "quick"
    assert "ipreader:prefix" not in item["target"] and "ipreader:suffix" not in item["target"]


def test_without_the_text_an_approximate_match_keeps_its_stored_context() -> None:
    fuzzy = _annotation(status="fuzzy", current="brown", prefix="A ", suffix="!")
    (item,) = _items(_document(fuzzy), text=None)
    selector = item["target"]["selector"][0]
    assert (selector["exact"], selector["prefix"], selector["suffix"]) == ("brown", "A ", "!")
    assert item["target"]["ipreader:quote"] == "quick"


def test_where_a_highlight_came_from() -> None:
    via, local = _items(
        _document(
            _annotation(origin="https://hypothes.is/a/xyz"),
            _annotation(id="22222222-2222-4222-8222-222222222222", origin="import of notes.json"),
        )
    )
    assert via["via"] == "https://hypothes.is/a/xyz" and "ipreader:origin" not in via
    assert local["ipreader:origin"] == "import of notes.json" and "via" not in local
    (plain,) = _items(_document(_annotation(origin="")))
    assert "via" not in plain and "ipreader:origin" not in plain


def test_a_document_without_a_hash_says_none() -> None:
    (item,) = _items(_document(_annotation(), sha256=None))
    assert "ipreader:sha256" not in item["target"]


def test_a_documents_own_tags_and_note_are_one_annotation_on_the_article() -> None:
    first, highlight = _items(_document(_annotation(), note="doc note", tags=["d1", "d2"]))
    assert first["type"] == "Annotation" and first["motivation"] == "commenting"
    assert first["generator"] == GENERATOR
    assert [(b["purpose"], b["value"]) for b in first["body"]] == [
        ("commenting", "doc note"),
        ("tagging", "d1"),
        ("tagging", "d2"),
    ]
    assert all("creator" not in b and b["format"] == "text/plain" for b in first["body"])
    assert first["target"] == {
        "id": IRI,
        "type": "Text",
        "format": "text/plain",
        "ipreader:path": "a.txt",
        "ipreader:sha256": "ab" * 32,
    }
    assert first["id"].startswith("urn:uuid:") and highlight["id"].endswith("1111")
    # The same document gets the same id in every export: a re-import finds it.
    (again,) = _items(_document(tags=["other"], sha256=None))
    assert again["id"] == first["id"] and again["motivation"] == "tagging"
    assert "ipreader:sha256" not in again["target"]


def test_the_collection_pages_its_items() -> None:
    collection = _collection(_document(_annotation()))
    cid = collection["id"]
    assert collection["@context"] == W3C_CONTEXT == "http://www.w3.org/ns/anno.jsonld"
    assert {k: v for k, v in collection.items() if k != "first"} == {
        "@context": W3C_CONTEXT,
        "id": cid,
        "type": "AnnotationCollection",
        "label": "ipreader annotations",
        "created": "2024-05-06T07:08:09Z",
        "generator": GENERATOR,
        "total": 1,
        "last": f"{cid}#page1",
    }
    page = collection["first"]
    assert {k: v for k, v in page.items() if k != "items"} == {
        "id": f"{cid}#page1",
        "type": "AnnotationPage",
        "partOf": {"id": cid, "label": "ipreader annotations", "total": 1},
        "startIndex": 0,
    }


def test_the_collection_id_follows_the_export_time_and_the_items() -> None:
    one = _collection(_document(_annotation()))["id"]
    assert one.startswith("urn:uuid:") and one == _collection(_document(_annotation()))["id"]
    other = _annotation(id="22222222-2222-4222-8222-222222222222")
    assert _collection(_document(other))["id"] != one
    data = {"exported_at": "2025-01-01T00:00:00Z", "documents": [_document(_annotation())]}
    assert to_w3c(ExportSet(data, (ROOT,), None))["id"] != one


def test_an_empty_collection_has_no_page() -> None:
    empty = to_w3c(ExportSet({"exported_at": "x", "documents": []}, ()))
    assert empty["total"] == 0 and "first" not in empty and "last" not in empty
