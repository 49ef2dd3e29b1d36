"""The ipreader JSON export's per-document template writes ``json_outline``'s text to the byte.

``ipreader_json.to_json`` writes an export structure of ``collect``'s shape by
a template per document (issue 14: the generic outline's walk was a third of
a large export's rendering); anything else goes to ``json_outline``. Both are
compared here, on odd characters and on drawn structures of either kind.
``tests/test_json_text.py`` pins ``json_outline`` itself against the old writer.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.export.ipreader_json import INDENT_LEVELS, _from_template, to_json
from ipreader.core.json_text import json_outline

ODD = "tab\there\nline\r\x00nul\x1b[31mred\x7fdel\x85nel\x9bcsi \u202eevil\u2066 \ud800 \U0001f600"


def _record(number: int, text: str = "quote") -> dict[str, Any]:
    """A record as ``Annotation.to_dict`` makes it."""
    return {
        "id": f"id-{number}",
        "document": "a.txt",
        "start": number,
        "end": number + 5,
        "quote": text,
        "prefix": "pre" + text,
        "suffix": "",
        "color": "yellow",
        "note": text,
        "tags": ["t", text],
        "created": "2026-01-01T00:00:00.000Z",
        "updated": "2026-01-01T00:00:00.000Z",
        "status": "anchored",
        "creator": "ann",
        "revision": 1,
        "score": None,
        "origin": "",
    }


def _document(path: str, **extra: Any) -> dict[str, Any]:
    return {
        "path": path,
        "title": '"Quoted" \\ back\\slash ' + ODD,
        "date": None,
        "sha256": "ab" * 32,
        "encoding": "utf-8",
        "tags": ["t\u0085", "\U0001f3f3\ufe0f\u200d\U0001f308"],
        "note": ODD,
        "annotations": [_record(1, ODD), _record(2)],
        **extra,
    }


def _export(documents: list[Any]) -> dict[str, Any]:
    return {
        "format": "ipreader.annotations",
        "version": 1,
        "exported_at": "2026-01-01T00:00:00.000Z",
        "documents": documents,
    }


def test_an_export_of_odd_characters_is_the_outlines_to_the_byte() -> None:
    shared = _record(3)
    documents = [
        _document("dir/\udcff\udcfename.txt"),
        {**_document("empty.txt"), "tags": [], "annotations": []},
        _document("gone.txt", missing=True),
        _document("other.txt", root="/elsewhere"),
        _document("both.txt", missing=True, root="/r\x1b"),
        {**_document("shared.txt"), "annotations": [shared, shared]},
        {
            **_document("added.txt"),
            "annotations": [
                {**_record(4), "current": ODD},
                {**_record(5), "meaning": "Claim"},
                {**_record(6, ODD), "score": 0.75, "current": "c", "meaning": ODD},
                {**_record(7), "score": float("nan")},
                {**_record(8), "start": True},  # not the template's: the encoder's
                {"id": "short"},
            ],
        },
    ]
    data = _export(documents)
    text = _from_template(data)
    assert text == json_outline(data, INDENT_LEVELS)
    assert "\x1b" not in text and "\u202e" not in text
    assert json.loads(text) == json.loads(json_outline(data, INDENT_LEVELS))


def test_an_export_with_no_documents_is_the_outlines() -> None:
    data = _export([])
    assert _from_template(data) == json_outline(data, INDENT_LEVELS)


_text = st.text(st.characters(codec=None), max_size=8)
_scalar = st.none() | st.booleans() | st.integers() | _text
_record_value = st.recursive(
    _scalar | st.floats(allow_nan=True, allow_infinity=True),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_text, children, max_size=3),
    max_leaves=8,
)
_odd_records = st.dictionaries(_text, _record_value, min_size=1, max_size=5)


@st.composite
def _drawn_records(draw: st.DrawFn) -> dict[str, Any]:
    """A record of ``to_dict``'s shape with drawn texts, now and then a value of another type,
    a key left out, or what ``collect`` adds."""
    record = _record(draw(st.integers(0, 2**40)), draw(_text))
    for key in ("id", "document", "color", "created", "status", "creator", "origin"):
        record[key] = draw(st.sampled_from(["same", ""]) | _text)
    record["tags"] = draw(st.lists(st.sampled_from(["a", "b/c"]) | _text, max_size=3))
    record["score"] = draw(st.none() | st.floats(allow_nan=True, allow_infinity=True))
    for key in draw(st.sampled_from([(), ("current",), ("meaning",), ("current", "meaning")])):
        record[key] = draw(_text)
    if draw(st.integers(0, 5)) == 0:
        key = draw(st.sampled_from(sorted(record)))
        if draw(st.booleans()):
            del record[key]
        else:
            record[key] = draw(_record_value)
    return record


_records = _drawn_records() | _odd_records


@st.composite
def _documents(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {
        "path": draw(_text),
        "title": draw(_text),
        "date": draw(st.none() | _text),
        "sha256": draw(st.none() | _text),
        "encoding": draw(st.none() | _text),
        "tags": draw(st.lists(_text, max_size=3)),
        "note": draw(_text),
        "annotations": draw(st.lists(_records, max_size=3)),
    }
    if draw(st.booleans()):
        document["missing"] = True
    if draw(st.booleans()):
        document["root"] = draw(_text)
    return document


@given(documents=st.lists(_documents(), max_size=4))
def test_drawn_exports_of_collects_shape_are_the_outlines(documents: list[Any]) -> None:
    data = _export(documents)
    assert _from_template(data) == json_outline(data, INDENT_LEVELS)


# Off the template's shape: a value of another type, an extra or missing key, an empty
# record. The generic outline writes these; the text is the same as ever.
_odd_values = st.none() | st.booleans() | st.integers() | st.floats() | _text | _records
_odd_document = _documents().flatmap(
    lambda document: st.sampled_from(sorted(document)).flatmap(
        lambda key: st.one_of(
            _odd_values.map(lambda value: {**document, key: value}),
            st.just({k: v for k, v in document.items() if k != key}),
            st.just({**document, "annotations": [{}]}),
            _text.map(lambda extra: {**document, extra: 1}),
        )
    )
)


@given(documents=st.lists(_documents(), max_size=2), odd=_odd_document, at=st.integers(0, 2))
def test_any_other_shape_is_written_by_the_outline(
    documents: list[Any], odd: dict[str, Any], at: int
) -> None:
    documents.insert(min(at, len(documents)), odd)
    data = _export(documents)
    assert to_json(data) == json_outline(data, INDENT_LEVELS)
    top = {**data, "extra": 1}
    assert to_json(top) == json_outline(top, INDENT_LEVELS)


def test_a_record_value_of_any_other_type_is_written_as_the_encoder_writes_it() -> None:
    # Each field in turn holds each kind of value: the template writes only what it
    # checked, the encoder the rest, and the text is the outline's either way.
    others: list[Any] = [
        1,
        True,
        None,
        1.5,
        float("inf"),
        "s\x1b",
        [1],
        ["t", 2],
        ["t", ["x"]],
        {},
        {"k": 1},
    ]
    for key in _record(0):
        for value in others:
            data = _export([{**_document("a.txt"), "annotations": [{**_record(1), key: value}]}])
            assert _from_template(data) == json_outline(data, INDENT_LEVELS), (key, value)
    added = {**_record(1), "current": 1, "meaning": None}
    data = _export([{**_document("a.txt"), "annotations": [added]}])
    assert _from_template(data) == json_outline(data, INDENT_LEVELS)


def test_equal_tag_lists_of_other_types_are_each_written_as_they_are() -> None:
    # 1 == True == 1.0: a tag list written once and reused must be one of texts only.
    lists: list[Any] = [["a", 1], ["a", True], ["a", 1.0], ["a", "1"], ["a", 1]]
    records = [{**_record(n), "tags": tags} for n, tags in enumerate(lists)]
    data = _export([{**_document("a.txt"), "annotations": records}])
    text = _from_template(data)
    assert text == json_outline(data, INDENT_LEVELS)
    assert '["a", true]' in text and '["a", 1.0]' in text


def test_each_latin1_control_is_escaped_as_the_outline_escapes_it() -> None:
    # Latin-1 text takes a quick check for DEL and the C1 controls: each one is found.
    for code in [0x7E, *range(0x7F, 0xA0), 0xA0, 0xFF]:
        document = {**_document("a.txt"), "title": f"caf\u00e9 {chr(code)}", "note": "n"}
        document["tags"] = []
        document["annotations"] = [{**_record(1), "quote": "q", "note": ""}]
        data = _export([document])
        text = _from_template(data)
        assert text == json_outline(data, INDENT_LEVELS), hex(code)
        assert (chr(code) in text) == (code in (0x7E, 0xA0, 0xFF)), hex(code)
