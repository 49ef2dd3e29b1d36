"""What a reader of a folder relies on from the record decoder (issue 15).

Each case goes through ``decode_annotation`` (which takes its fast path for
records shaped as ipreader writes them) and ``check_annotation`` (every field
checked), so a limit kept by one and not the other shows as a wrong highlight
or a bad field not named. The cases sit on the limits, where the two paths
part.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from ipreader.core.model import (
    CONTEXT_CHARS,
    MAX_ORIGIN_CHARS,
    MAX_TAG_CHARS,
    MAX_TAGS,
    MAX_TEXT_CHARS,
    AnchorStatus,
    Annotation,
)
from ipreader.core.records import (
    RecordError,
    check_annotation,
    decode_annotation,
    decode_fields,
    document_tags_field,
    time_field,
    utc_time,
)

CREATED = "2024-05-01T12:00:00.000Z"
UPDATED = "2024-05-02T08:30:00.250Z"


def stored(**change: Any) -> dict[str, Any]:
    """A record exactly as ipreader writes it (every field, canonical times), then ``change``."""
    record = Annotation.create("hello world", 0, 5, "a.txt", creator="Ann").to_dict()
    record.update(created=CREATED, updated=UPDATED, tags=["b", "a"], note="n", score=None)
    record.update(change)
    return record


def both(record: dict[str, Any], **options: Any) -> Annotation:
    """The record decoded by both paths, which must agree."""
    fast = decode_annotation(record, **options)
    key = options.pop("key", None)
    full = check_annotation(record if key is None else {**record, "id": key}, **options)
    assert fast == full
    return fast


def refused(record: Any, **options: Any) -> RecordError:
    """The error of both paths on ``record``; they must name the same field and reason."""
    with pytest.raises(RecordError) as fast:
        decode_annotation(record, **options)
    key = options.pop("key", None)
    if key is not None:
        record = {**record, "id": key}
    with pytest.raises(RecordError) as full:
        check_annotation(record, **options)
    assert (fast.value.field, str(fast.value)) == (full.value.field, str(full.value))
    return fast.value


def test_a_record_as_written_reads_back_field_for_field() -> None:
    record = stored(status="moved", color="pink", score=87.5, revision=3, origin="import.json")
    annotation = both(record)
    assert annotation.to_dict() == record
    assert annotation.tags == ("b", "a")
    assert (annotation.created, annotation.updated) == (CREATED, UPDATED)


def test_the_table_key_is_the_id_whatever_the_id_field_says() -> None:
    assert both(stored(id="old"), key="k1").id == "k1"
    assert both(stored(id=None), key="k2").id == "k2"
    assert refused(stored(), key="").field == "id"


def test_a_given_document_replaces_the_records_own() -> None:
    assert both(stored(document="elsewhere.txt"), document="b/c.md").document == "b/c.md"
    assert both(stored(document=None), document="b/c.md").document == "b/c.md"


@pytest.mark.parametrize(("start", "end"), [(0, 0), (7, 7), (0, 1), (3, 90)])
def test_offsets_from_zero_and_empty_spans_are_kept(start: int, end: int) -> None:
    annotation = both(stored(start=start, end=end))
    assert (annotation.start, annotation.end) == (start, end)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": None}, "id is missing"),
        ({"id": ""}, "id is missing"),
        ({"id": "i" * 201}, "id is too long (201 characters; limit 200)"),
        ({"id": 7}, "id must be a string, not int"),
        ({"start": None}, "start is missing"),
        ({"end": None}, "end is missing"),
        ({"start": -1, "end": 4}, "start is negative (-1)"),
        ({"start": 5, "end": 4}, "end (4) is before start (5)"),
        ({"start": 1.0}, "start must be an integer, not float"),
        ({"end": True}, "end must be an integer, not bool"),
        ({"document": None}, "document is missing"),
        ({"document": ""}, "document is missing"),
        ({"document": "d" * 4097}, "document is too long (4,097 characters; limit 4,096)"),
        ({"document": ["a.txt"]}, "document must be a string, not list"),
        ({"quote": "q" * (MAX_TEXT_CHARS + 1)}, "quote is too long (1,000,001 characters; limit"),
        ({"note": "n" * (MAX_TEXT_CHARS + 1)}, "note is too long (1,000,001 characters; limit"),
        ({"quote": 5}, "quote must be a string, not int"),
        ({"prefix": 5}, "prefix must be a string, not int"),
        ({"suffix": ["x"]}, "suffix must be a string, not list"),
        ({"color": "red"}, "color 'red' is not one of yellow, green, blue, pink, purple"),
        ({"color": ["pink"]}, "color must be a string, not list"),
        ({"color": "c" * 65}, "color is too long (65 characters; limit 64)"),
        ({"status": "lost"}, "status 'lost' is not a known status"),
        ({"status": ["moved"]}, "status must be a string, not list"),
        ({"status": {"a": 1}}, "status must be a string, not dict"),
        ({"creator": "c" * (MAX_TAG_CHARS + 1)}, "creator is too long (201 characters; limit 200)"),
        ({"creator": 3}, "creator must be a string, not int"),
        ({"revision": 0}, "revision must be at least 1, not 0"),
        ({"revision": -4}, "revision must be at least 1, not -4"),
        ({"revision": True}, "revision must be an integer, not bool"),
        ({"revision": "2"}, "revision must be an integer, not str"),
        ({"score": -0.5}, "score must lie between 0 and 100, not -0.5"),
        ({"score": 100.5}, "score must lie between 0 and 100, not 100.5"),
        ({"score": float("inf")}, "score must lie between 0 and 100, not inf"),
        ({"score": "90"}, "score must be a number, not str"),
        ({"score": False}, "score must be a number, not bool"),
        ({"origin": "o" * (MAX_ORIGIN_CHARS + 1)}, "origin is too long (2,049 characters; limit"),
        ({"origin": 1}, "origin must be a string, not int"),
        ({"tags": ["t"] * (MAX_TAGS + 1)}, "tags has 201 tags (limit 200)"),
        ({"tags": ("a", 1)}, "tags must be a list of strings, not of int"),
        ({"tags": {"a": 1}}, "tags must be a list of strings, not dict"),
        ({"tags": ["t" * (MAX_TAG_CHARS + 1)]}, "tags holds a tag of 201 characters (limit 200)"),
        ({"created": "2024-13-45T00:00:00.000Z"}, "created is not an ISO-8601 time: '2024-13-45"),
        ({"updated": "2024-02-30T00:00:00.000Z"}, "updated is not an ISO-8601 time: '2024-02-30"),
        ({"created": "t" * 65}, "created is too long (65 characters; limit 64)"),
        ({"created": None, "updated": None}, "created is missing"),
        ({"created": "", "updated": ""}, "created is missing"),
    ],
)
def test_a_bad_field_is_named_with_what_is_wrong(change: dict[str, Any], message: str) -> None:
    error = refused(stored(**change))
    assert str(error).startswith(message)
    assert error.field == message.split()[0]


def test_a_record_that_is_not_an_object_is_named() -> None:
    for value in ([], "x", 3, None):
        with pytest.raises(RecordError) as raised:
            decode_annotation(value)  # type: ignore[arg-type]
        assert raised.value.field == "annotation"
        assert str(raised.value) == f"annotation must be an object, not {type(value).__name__}"
    with pytest.raises(RecordError, match=r"^annotation must be an object, not list$"):
        decode_fields([])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        {"id": "i" * 200},
        {"id": "i"},
        {"document": "d" * 4096},
        {"document": "d"},
        {"quote": "q" * MAX_TEXT_CHARS},
        {"note": "n" * MAX_TEXT_CHARS},
        {"creator": "c" * MAX_TAG_CHARS},
        {"origin": "o" * MAX_ORIGIN_CHARS},
        {"tags": [f"t{n}" for n in range(MAX_TAGS)]},
        {"tags": ["t" * MAX_TAG_CHARS]},
        {"revision": 1},
        {"score": 0.0},
        {"score": 100.0},
        {"prefix": "p" * CONTEXT_CHARS, "suffix": "s" * CONTEXT_CHARS},
    ],
)
def test_a_field_at_its_limit_is_kept_whole(change: dict[str, Any]) -> None:
    annotation = both(stored(**change))
    for name, value in change.items():
        got = getattr(annotation, name)
        assert (list(got) if name == "tags" else got) == value


def test_context_one_over_the_limit_is_cut_to_what_touches_the_quote() -> None:
    prefix = "FAR" + "p" * (CONTEXT_CHARS - 1)
    suffix = "s" * (CONTEXT_CHARS - 1) + "FAR"
    annotation = both(stored(prefix=prefix, suffix=suffix))
    assert annotation.prefix == prefix[-CONTEXT_CHARS:] == "R" + "p" * (CONTEXT_CHARS - 1)
    assert annotation.suffix == suffix[:CONTEXT_CHARS] == "s" * (CONTEXT_CHARS - 1) + "F"


def test_absent_optional_fields_take_their_defaults() -> None:
    record = stored()
    for name in ("prefix", "suffix", "note", "tags", "color", "status", "creator", "revision"):
        del record[name]
    del record["score"], record["origin"]
    annotation = both(record)
    assert (annotation.prefix, annotation.suffix, annotation.note, annotation.tags) == (
        "",
        "",
        "",
        (),
    )
    assert (annotation.color, annotation.status, annotation.creator) == (
        "yellow",
        AnchorStatus.ANCHORED,
        "",
    )
    assert (annotation.revision, annotation.score, annotation.origin) == (1, None, "")


@pytest.mark.parametrize("status", list(AnchorStatus))
def test_every_status_reads_as_itself(status: AnchorStatus) -> None:
    assert both(stored(status=status.value)).status is status


def test_an_exports_missing_highlight_reads_as_orphaned() -> None:
    assert both(stored(status="missing")).status is AnchorStatus.ORPHANED


@pytest.mark.parametrize("color", ["yellow", "green", "blue", "pink", "purple"])
def test_every_colour_reads_as_itself(color: str) -> None:
    assert both(stored(color=color)).color == color


def test_a_whole_number_score_reads_as_a_float() -> None:
    for given in (0, 42, 100):
        score = both(stored(score=given)).score
        assert score == float(given) and type(score) is float


def test_a_later_revision_is_kept() -> None:
    assert both(stored(revision=5)).revision == 5


def test_one_time_missing_takes_the_other() -> None:
    only_updated = both(stored(created=None))
    assert (only_updated.created, only_updated.updated) == (UPDATED, UPDATED)
    only_created = both(stored(updated=""))
    assert (only_created.created, only_created.updated) == (CREATED, CREATED)


def test_times_in_another_zone_are_stored_as_utc() -> None:
    annotation = both(stored(created="2024-05-01T14:00:00+02:00", updated="2024-05-02"))
    assert (annotation.created, annotation.updated) == (CREATED, "2024-05-02T00:00:00.000Z")


def test_a_time_field_reads_empty_and_null_as_absent() -> None:
    assert time_field({"t": ""}, "t") is None
    assert time_field({"t": None}, "t") is None
    assert time_field({}, "t") is None
    assert time_field({"t": "2024-05-01T12:00:00.5+00:00"}, "t") == "2024-05-01T12:00:00.500Z"


def test_a_canonical_looking_time_is_still_a_real_date() -> None:
    with pytest.raises(ValueError):
        utc_time("2023-02-29T00:00:00.000Z")
    assert utc_time("2024-02-29T00:00:00.000Z") == "2024-02-29T00:00:00.000Z"


def test_tags_are_normalised_and_bad_tags_named_however_often_they_are_read() -> None:
    # The checked-tags cache must never let a bad list through or change a good one.
    for _ in range(3):
        assert both(stored(tags=["  Z  z ", "a", "A", "z Z"])).tags == ("Z z", "a")
        assert refused(stored(tags=["a", None])).field == "tags"
        assert refused(stored(tags=["a", "t" * (MAX_TAG_CHARS + 1)])).field == "tags"
    long_list = [f"tag {n}" for n in range(20)]
    for _ in range(2):
        assert both(stored(tags=long_list)).tags == tuple(long_list)


def test_many_distinct_tag_lists_each_read_as_their_own() -> None:
    # More distinct lists than any cache holds: each still reads as itself.
    for n in range(5000):
        assert both(stored(tags=[f"t{n}", "shared"])).tags == (f"t{n}", "shared")


def test_an_error_names_its_field_and_reason_apart() -> None:
    error = refused(stored(start=-3))
    assert (error.field, error.reason) == ("start", "is negative (-3)")


def test_a_documents_tags_are_read_from_the_field_named() -> None:
    assert document_tags_field({"labels": ["x", "X", "y"], "tags": ["no"]}, "labels") == ("x", "y")
    with pytest.raises(RecordError) as raised:
        document_tags_field({"labels": [1]}, "labels")
    assert raised.value.field == "labels"


def test_a_time_without_a_zone_is_utc_whatever_the_machines_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        assert utc_time("2024-05-01T12:00:00") == "2024-05-01T12:00:00.000Z"
        assert utc_time("2024-05-01T17:30:00+05:30") == "2024-05-01T12:00:00.000Z"
        assert both(stored(created="2024-05-01T12:00:00")).created == CREATED
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"color": "c" * 39 + "DROPPED"}, "'" + "c" * 39 + "D' is not one of"),
        ({"status": "s" * 39 + "DROPPED"}, "'" + "s" * 39 + "D' is not a known status"),
        ({"created": "2024" * 9 + "2024DROPPED"}, "time: '" + "2024" * 10 + "'"),
    ],
)
def test_a_bad_value_is_shown_cut_to_forty_characters(change: dict[str, Any], shown: str) -> None:
    assert shown in str(refused(stored(**change)))


def test_a_status_longer_than_any_status_is_named_as_too_long() -> None:
    assert str(refused(stored(status="s" * 65))) == "status is too long (65 characters; limit 64)"


def test_a_given_document_wins_on_the_full_path_too() -> None:
    # A +02:00 time sends the record through the full checks.
    record = stored(document="elsewhere.txt", created="2024-05-01T14:00:00+02:00")
    assert both(record, document="b/c.md").document == "b/c.md"


def test_a_record_with_only_a_created_time_is_read_as_never_edited() -> None:
    annotation = both(stored(updated=None))
    assert (annotation.created, annotation.updated) == (CREATED, CREATED)


@pytest.mark.parametrize(
    ("absent", "default"),
    [("creator", ""), ("revision", 1), ("origin", ""), ("score", None), ("note", "")],
)
def test_one_absent_field_takes_its_default(absent: str, default: Any) -> None:
    record = stored()
    del record[absent]
    assert getattr(both(record), absent) == default
