"""The one record decoder: every field checked once, the same way for store, model and import."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.model import (
    CONTEXT_CHARS,
    MAX_DOCUMENT_TAGS,
    MAX_TAG_CHARS,
    MAX_TAGS,
    AnchorStatus,
    Annotation,
)
from ipreader.core.records import (
    RecordError,
    check_annotation,
    check_fields,
    decode_annotation,
    decode_fields,
    document_tags_field,
    tags_field,
    utc_time,
)


def good() -> dict[str, Any]:
    return Annotation.create("hello world", 0, 5, "a.txt", creator="Ann").to_dict()


def test_a_stored_record_round_trips() -> None:
    record = good()
    assert decode_annotation(record).to_dict() == record


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": True}, "start"),
        ({"end": False}, "end"),  # the old from_dict let a boolean end through
        ({"start": "1"}, "start"),
        ({"start": -1}, "start"),
        ({"start": 4, "end": 2}, "end"),
        ({"tags": "x"}, "tags"),
        ({"tags": [1]}, "tags"),
        ({"tags": ["x" * (MAX_TAG_CHARS + 1)]}, "tags"),
        ({"tags": [str(n) for n in range(MAX_TAGS + 1)]}, "tags"),
        ({"color": "red"}, "color"),
        ({"note": 3}, "note"),
        ({"status": "lost"}, "status"),
        ({"created": "yesterday"}, "created"),
        ({"revision": 0}, "revision"),
        ({"revision": 1.5}, "revision"),
        ({"score": 101}, "score"),
        ({"score": True}, "score"),
        ({"score": float("nan")}, "score"),
    ],
)
def test_each_bad_field_is_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(RecordError) as raised:
        decode_annotation({**good(), **change})
    assert raised.value.field == field
    assert str(raised.value).startswith(field)


@pytest.mark.parametrize("missing", ["id", "start", "end", "document"])
def test_a_stored_record_needs_its_identity_and_offsets(missing: str) -> None:
    record = good()
    del record[missing]
    with pytest.raises(RecordError) as raised:
        decode_annotation(record)
    assert raised.value.field == missing


def test_null_means_not_given() -> None:
    record = {**good(), "note": None, "tags": None, "color": None, "status": None, "score": None}
    decoded = decode_annotation(record)
    assert (decoded.note, decoded.tags, decoded.color, decoded.status) == (
        "",
        (),
        "yellow",
        AnchorStatus.ANCHORED,
    )


def test_partial_records_leave_gaps_for_the_importer() -> None:
    fields = decode_fields({"quote": "hello"})
    assert (fields.id, fields.start, fields.end, fields.created) == (None, None, None, None)
    assert fields.revision == 1


def test_context_is_cut_to_the_characters_nearest_the_quote() -> None:
    fields = decode_fields({"prefix": "a" * 300_000 + "NEAR", "suffix": "NEAR" + "b" * 300_000})
    assert len(fields.prefix) == len(fields.suffix) == CONTEXT_CHARS
    assert fields.prefix.endswith("NEAR") and fields.suffix.startswith("NEAR")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000Z"),
        ("2024-05-01T14:00:00+02:00", "2024-05-01T12:00:00.000Z"),
        ("2024-05-01T12:00:00", "2024-05-01T12:00:00.000Z"),
        ("2024-05-01", "2024-05-01T00:00:00.000Z"),
        ("2024-05-01T12:00:00.123456-05:00", "2024-05-01T17:00:00.123Z"),
    ],
)
def test_times_are_normalised_to_utc_z(given: str, expected: str) -> None:
    assert utc_time(given) == expected
    assert decode_annotation({**good(), "created": given, "updated": given}).created == expected


@given(st.datetimes(timezones=st.timezones()))
def test_normalised_times_keep_the_instant(moment: Any) -> None:
    from datetime import datetime

    normalised = utc_time(moment.isoformat())
    assert normalised.endswith("Z")
    back = datetime.fromisoformat(normalised)
    assert abs((back - moment).total_seconds()) < 0.001


def test_edits_bump_the_revision() -> None:
    annotation = decode_annotation(good())
    assert annotation.revision == 1
    assert annotation.edited(note="x").edited(note="y").revision == 3


records = st.fixed_dictionaries(
    {
        "id": st.one_of(st.just("7f1e0c36-7a42-4d77-9d7c-3c8c0ad3b2a1"), st.text(max_size=3)),
        "document": st.sampled_from(["a.txt", "", "sub/b.md"]),
        "start": st.one_of(st.integers(-2, 40), st.booleans(), st.none()),
        "end": st.one_of(st.integers(-2, 40), st.none()),
        "quote": st.one_of(st.text(max_size=20), st.integers()),
        "prefix": st.text(max_size=40),
        "suffix": st.text(max_size=40),
        "color": st.sampled_from(["yellow", "pink", "red", None]),
        "note": st.one_of(st.text(max_size=10), st.none(), st.integers()),
        "tags": st.one_of(st.lists(st.text(max_size=5), max_size=3), st.none(), st.text()),
        "created": st.sampled_from(
            [
                "2024-05-01T12:00:00.000Z",
                "2024-05-01T14:00:00+02:00",
                "2024-13-45T00:00:00.000Z",
                "x",
            ]
        ),
        "updated": st.sampled_from(["2024-05-02T12:00:00.000Z", "2024-05-02", None]),
        "status": st.sampled_from(["anchored", "moved", "fuzzy", "orphaned", "lost", None]),
        "creator": st.one_of(st.text(max_size=5), st.none()),
        "revision": st.one_of(st.integers(-1, 3), st.none(), st.floats(1, 2)),
        "score": st.one_of(st.none(), st.floats(-1, 101), st.integers(0, 100)),
        "origin": st.one_of(st.none(), st.text(max_size=5), st.just("o" * 3000), st.integers()),
    }
)


@given(records)
def test_the_fast_path_agrees_with_the_full_checks(record: dict[str, Any]) -> None:
    try:
        expected: Annotation | str = check_annotation(record)
    except RecordError as error:
        expected = error.field
    try:
        got: Annotation | str = decode_annotation(record)
    except RecordError as error:
        got = error.field
    assert got == expected


def test_a_time_whose_utc_form_leaves_the_calendar_is_a_bad_field() -> None:
    with pytest.raises(RecordError) as raised:
        decode_annotation({**good(), "created": "0001-01-01T00:00:00+01:00"})
    assert raised.value.field == "created"


def test_offsets_are_typed_by_decode_fields_and_ordered_by_decode_annotation() -> None:
    # An importer treats offsets as hints it checks against the text.
    fields = decode_fields({"start": -5, "end": -9})
    assert (fields.start, fields.end) == (-5, -9)
    with pytest.raises(RecordError, match="must be an integer"):
        decode_fields({"end": True})


def test_document_tags_are_bounded_in_number_not_in_length() -> None:
    long_tag = "x" * (MAX_TAG_CHARS + 1)
    most = [f"t{n}" for n in range(MAX_DOCUMENT_TAGS - 1)] + [long_tag]
    assert len(document_tags_field({"tags": most})) == MAX_DOCUMENT_TAGS
    with pytest.raises(RecordError, match=r"tags holds a tag of 201 characters \(limit 200\)"):
        tags_field({"tags": [long_tag]})
    with pytest.raises(RecordError, match=r"tags has 1,001 tags \(limit 1,000\)"):
        document_tags_field({"tags": [*most, "one more"]})
    with pytest.raises(RecordError, match="tags must be a list of strings"):
        document_tags_field({"tags": [1]})


def test_a_normalised_time_is_kept_and_still_checked() -> None:
    assert utc_time("2024-05-01T12:00:00.123Z") == "2024-05-01T12:00:00.123Z"
    with pytest.raises(ValueError):
        utc_time("2024-13-01T12:00:00.000Z")


@given(records, st.one_of(st.just("0d9c8a4e-1b2f-4c3d-8e5f-6a7b8c9d0e1f"), st.text(max_size=3)))
def test_a_key_given_apart_decodes_as_the_id_field_would(record: dict[str, Any], key: str) -> None:
    try:
        expected: Annotation | str = check_annotation({**record, "id": key})
    except RecordError as error:
        expected = error.field
    try:
        got: Annotation | str = decode_annotation(record, key=key)
    except RecordError as error:
        got = error.field
    assert got == expected


@given(records, st.sets(st.sampled_from(["id", "created", "updated", "creator", "revision"])))
def test_decode_fields_agrees_with_its_full_checks(record: dict[str, Any], drop: set[str]) -> None:
    """The importer's decoder takes the stored records' fast path when it can: same fields."""
    record = {key: value for key, value in record.items() if key not in drop}
    try:
        expected: object = check_fields(record)
    except RecordError as error:
        expected = error.field
    try:
        got: object = decode_fields(record)
    except RecordError as error:
        got = error.field
    assert got == expected


def test_a_complete_record_gives_every_field_through_either_path() -> None:
    record = {
        **good(),
        "prefix": "before ",
        "suffix": " after",
        "note": "n",
        "tags": ["b", "a"],
        "created": "2024-05-01T10:00:00.000Z",
        "updated": "2024-05-02T10:00:00.000Z",
        "status": "fuzzy",
        "revision": 3,
        "score": 87.5,
        "origin": "o",
    }
    fields = decode_fields(record)
    assert fields == check_fields(record)
    assert (fields.prefix, fields.suffix, fields.created, fields.updated) == (
        "before ",
        " after",
        "2024-05-01T10:00:00.000Z",
        "2024-05-02T10:00:00.000Z",
    )
    assert (fields.status, fields.revision, fields.score, fields.creator) == (
        AnchorStatus.FUZZY,
        3,
        87.5,
        "Ann",
    )


def test_a_tag_list_decoded_again_is_checked_and_normalised_the_same() -> None:
    # The second read of a list takes the checked-tags cache: the same tags, and a bad
    # list is still refused however often it comes.
    for _ in range(2):
        assert decode_annotation({**good(), "tags": [" a  b ", "A B", "c"]}).tags == ("a b", "c")
        with pytest.raises(RecordError) as raised:
            decode_annotation({**good(), "tags": ["ok", ["nested"]]})
        assert raised.value.field == "tags"
        with pytest.raises(RecordError):
            decode_annotation({**good(), "tags": ["x" * (MAX_TAG_CHARS + 1)]})
