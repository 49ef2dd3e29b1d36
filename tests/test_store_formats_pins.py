"""What the store's file formats promise a reader (issue 15): names, limits, notices.

``core/store/formats.py`` parses the tables of each store file without I/O;
these tests hand it tables as a file would hold them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ipreader import __version__
from ipreader.core.model import Annotation
from ipreader.core.records import RecordError
from ipreader.core.storage import CorruptDatabaseError
from ipreader.core.store.formats import (
    MAX_FINGERPRINT_CHARS,
    SCHEMA_VERSION,
    DocRecord,
    decode_doc_record,
    describe_bad,
    is_uuid,
    meta_record,
    parse_annotations,
    parse_index,
    parse_state,
    relpath_field,
    relpath_problem,
    shown_key,
)

PATH = Path("index.json")
ID1 = "00000000-0000-4000-8000-000000000001"
ID2 = "00000000-0000-4000-8000-000000000002"
ID3 = "00000000-0000-4000-8000-000000000003"


def doc(relpath: str = "a.txt", **change: Any) -> dict[str, Any]:
    return {**DocRecord(ID1, relpath, "f" * 64).to_dict(), **change}


def index(documents: dict[str, Any]) -> dict[str, Any]:
    return {"_meta": {"schema": meta_record()}, "documents": documents}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (ID1, True),
        ("abcdef01-0000-4000-8000-00000000000a", True),
        ("ABCDEF01-0000-4000-8000-00000000000A", False),
        ("{" + ID1 + "}", False),
        (ID1 + "\n", False),
        (ID1.replace("-", ""), False),
        ("x" + ID1, False),
        ("", False),
    ],
)
def test_only_a_canonical_uuid_is_an_id(value: str, expected: bool) -> None:
    assert is_uuid(value) is expected


@pytest.mark.parametrize(
    ("relpath", "problem"),
    [
        ("", "is empty"),
        ("a\0b", "holds a NUL character"),
        ("/etc/passwd", "is an absolute path"),
        ("a//b", "is not a plain relative path (an empty, '.' or '..' part)"),
        ("./a", "is not a plain relative path (an empty, '.' or '..' part)"),
        ("a/../../b", "is not a plain relative path (an empty, '.' or '..' part)"),
        ("a/", "is not a plain relative path (an empty, '.' or '..' part)"),
        ("..", "is not a plain relative path (an empty, '.' or '..' part)"),
        ("a/b.txt", None),
        (".hidden/..x", None),
        ("sp ace/ü.md", None),
    ],
)
def test_a_document_path_must_stay_inside_its_folder(relpath: str, problem: str | None) -> None:
    assert relpath_problem(relpath) == problem


def test_a_path_field_names_what_is_wrong() -> None:
    assert relpath_field({"p": "a/b"}, "p") == "a/b"
    assert relpath_field({"p": "d" * 4096}, "p") == "d" * 4096
    for data, message in [
        ({}, "p is missing"),
        ({"p": ""}, "p is missing"),
        ({"p": "../x"}, "p is not a plain relative path (an empty, '.' or '..' part)"),
        ({"p": "d" * 4097}, "p is too long (4,097 characters; limit 4,096)"),
    ]:
        with pytest.raises(RecordError) as raised:
            relpath_field(data, "p")
        assert str(raised.value) == message


def test_a_key_is_shown_whole_up_to_sixty_characters() -> None:
    assert shown_key("k" * 60) == "k" * 60
    assert shown_key("k" * 59 + "XY") == "k" * 59 + "X…"


def test_bad_records_are_named_five_at_most() -> None:
    assert describe_bad([]) == ""
    assert describe_bad(["a", "b", "c", "d", "e"]) == "a, b, c, d, e"
    assert describe_bad(["a", "b", "c", "d", "e", "f"]) == "a, b, c, d, e and 1 more"
    assert describe_bad([str(n) for n in range(12)]) == "0, 1, 2, 3, 4 and 7 more"


def test_a_document_record_reads_back_as_written() -> None:
    record = DocRecord(ID1, "sub/a.txt", "f" * 64, ("x", "y"), "note", 17, "fp")
    assert record.file == f"{ID1}.json"
    assert record.to_dict()["annotations"] == f"{ID1}.json"
    assert decode_doc_record(ID1, record.to_dict()) == record


def test_a_new_document_record_gets_a_fresh_uuid() -> None:
    first, second = DocRecord.new("a.txt", None), DocRecord.new("a.txt", "h", "fp")
    assert is_uuid(first.id) and is_uuid(second.id) and first.id != second.id
    assert (second.relpath, second.sha256, second.fingerprint) == ("a.txt", "h", "fp")
    assert (first.tags, first.note, first.position, first.fingerprint) == ((), "", 0, "")


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        ({"sha256": ""}, "sha256", None),
        ({"sha256": None}, "sha256", None),
        ({"position": -5}, "position", 0),
        ({"position": None}, "position", 0),
        ({"position": 0}, "position", 0),
        ({"position": 9}, "position", 9),
        ({"fingerprint": 7}, "fingerprint", ""),
        ({"fingerprint": "f" * (MAX_FINGERPRINT_CHARS + 1)}, "fingerprint", ""),
        ({"fingerprint": "f" * MAX_FINGERPRINT_CHARS}, "fingerprint", "f" * MAX_FINGERPRINT_CHARS),
        ({"note": None}, "note", ""),
        ({"tags": ["t", "T", "u"]}, "tags", ("t", "u")),
    ],
)
def test_a_document_records_optional_fields_never_cost_the_record(
    change: dict[str, Any], field: str, value: Any
) -> None:
    assert getattr(decode_doc_record(ID1, doc(**change)), field) == value


@pytest.mark.parametrize(
    ("key", "change", "message"),
    [
        ("doc-1", {}, "id is not a UUID"),
        (ID1, {"relpath": "/abs"}, "relpath is an absolute path"),
        (ID1, {"relpath": None}, "relpath is missing"),
        (ID1, {"position": True}, "position must be an integer, not bool"),
        (ID1, {"note": 1}, "note must be a string, not int"),
        (ID1, {"sha256": 1}, "sha256 must be a string, not int"),
        (ID1, {"tags": "t"}, "tags must be a list of strings, not str"),
    ],
)
def test_a_bad_document_record_is_named(key: str, change: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordError) as raised:
        decode_doc_record(key, doc(**change))
    assert str(raised.value) == message


def test_the_schema_record_names_the_version_and_the_writer() -> None:
    assert meta_record() == {"version": SCHEMA_VERSION, "written_by": f"ipreader {__version__}"}
    assert SCHEMA_VERSION == 2


def test_no_index_yet_is_an_empty_index_of_schema_zero() -> None:
    for data in (None, {}):
        parsed = parse_index(PATH, data)
        assert (parsed.schema, parsed.documents, parsed.bad, parsed.keys) == (
            0,
            (),
            (),
            frozenset(),
        )
    assert parse_index(PATH, {"_meta": {}, "documents": {}}).schema == 0
    assert parse_index(PATH, index({})).schema == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"documents": {ID1: doc()}}, "documents without a schema version"),
        ({"_meta": {"other": {}}, "documents": {ID1: doc()}}, "documents without a schema version"),
        ({"_meta": {"schema": {"version": "2"}}}, "schema version is '2', not an integer"),
        ({"_meta": {"schema": {"version": True}}}, "schema version is True, not an integer"),
        ({"_meta": {"schema": {}}}, "schema version is None, not an integer"),
        ({"_meta": {}, "zeta": {}, "alpha": {}}, "unexpected table(s) 'alpha', 'zeta'"),
        ({"annotations": {}}, "unexpected table(s) 'annotations'"),
    ],
)
def test_an_index_of_the_wrong_shape_is_corrupt(data: dict[str, Any], reason: str) -> None:
    with pytest.raises(CorruptDatabaseError) as raised:
        parse_index(PATH, data)
    assert (raised.value.path, raised.value.reason) == (PATH, reason)


def test_an_index_keeps_good_records_in_id_order_and_names_the_bad() -> None:
    parsed = parse_index(
        PATH,
        index({ID3: doc("c.txt"), "bad-key": doc("b.txt"), ID1: doc("a.txt"), ID2: doc("/x")}),
    )
    assert [record.id for record in parsed.documents] == [ID1, ID3]
    assert parsed.bad == (
        f"{ID2} (relpath is an absolute path)",
        "bad-key (id is not a UUID)",
    )
    assert parsed.keys == {ID1, ID2, ID3, "bad-key"}
    assert parsed.by_relpath("c.txt") == parsed.documents[1]
    assert parsed.by_relpath("b.txt") is None


def test_a_path_held_twice_resolves_to_the_lowest_id() -> None:
    parsed = parse_index(PATH, index({ID2: doc("same.txt"), ID1: doc("same.txt")}))
    found = parsed.by_relpath("same.txt")
    assert found is not None and found.id == ID1


def test_a_huge_bad_key_is_named_cut_short() -> None:
    parsed = parse_index(PATH, index({"k" * 500: doc()}))
    assert parsed.bad == ("k" * 60 + "… (id is not a UUID)",)


def annotation(start: int, end: int, created: str, key: str) -> dict[str, Any]:
    record = Annotation.create("hello world again", start, end, "a.txt").to_dict()
    record.update(id=key, created=created, updated=created)
    return record


def test_annotations_come_in_document_order_and_bad_ones_are_named() -> None:
    early, late = "2024-01-01T00:00:00.000Z", "2024-06-01T00:00:00.000Z"
    table = {
        ID3: annotation(6, 11, early, ID3),
        ID2: annotation(0, 5, late, ID2),
        ID1: annotation(0, 5, late, "some other id"),
        "00000000-0000-4000-8000-000000000004": annotation(0, 5, early, "x"),
        "00000000-0000-4000-8000-000000000005": annotation(0, 3, late, "x"),
        "not-a-uuid": annotation(0, 5, early, "not-a-uuid"),
        "00000000-0000-4000-8000-000000000006": {**annotation(0, 5, early, "y"), "color": "red"},
    }
    parsed = parse_annotations(Path("a.json"), {"annotations": table})
    assert [item.id for item in parsed.annotations] == [
        "00000000-0000-4000-8000-000000000005",  # ends first
        "00000000-0000-4000-8000-000000000004",  # created first
        ID1,  # then by id; its key wins over its id field
        ID2,
        ID3,
    ]
    assert parsed.bad == (
        "not-a-uuid (id is not a UUID)",
        "00000000-0000-4000-8000-000000000006 (color 'red' is not one of yellow, green, "
        "blue, pink, purple)",
    )


def test_an_annotations_file_of_the_wrong_shape_is_corrupt() -> None:
    assert parse_annotations(Path("a.json"), None).annotations == ()
    with pytest.raises(CorruptDatabaseError) as raised:
        parse_annotations(Path("a.json"), {"annotations": {}, "documents": {}})
    assert (raised.value.path, raised.value.reason) == (
        Path("a.json"),
        "unexpected table(s) 'documents'",
    )


@pytest.mark.parametrize(
    ("state", "last", "token"),
    [
        ({"last_document": {"relpath": "a/b.txt"}}, "a/b.txt", None),
        ({"last_document": {"relpath": "../b.txt"}}, None, None),
        ({"last_document": {"relpath": "b" * 4097}}, None, None),
        ({"last_document": {"relpath": "b" * 4096}}, "b" * 4096, None),
        ({"last_document": {"relpath": 3}}, None, None),
        ({"merged_from_folder": {"token": [3, 4, 5]}}, None, (3, 4, 5)),
        ({"merged_from_folder": {"token": []}}, None, ()),
        ({"merged_from_folder": {"token": [3, True]}}, None, None),
        ({"merged_from_folder": {"token": [3, "4"]}}, None, None),
        ({"merged_from_folder": {"token": "345"}}, None, None),
        ({}, None, None),
    ],
)
def test_a_bad_state_value_is_forgotten(
    state: dict[str, Any], last: str | None, token: tuple[int, ...] | None
) -> None:
    parsed = parse_state(Path("state.json"), {"state": state})
    assert (parsed.last_document, parsed.merged_token) == (last, token)


def test_a_state_file_of_the_wrong_shape_is_corrupt() -> None:
    assert parse_state(Path("state.json"), None).last_document is None
    with pytest.raises(CorruptDatabaseError) as raised:
        parse_state(Path("state.json"), {"state": {}, "x": {}})
    assert (raised.value.path, raised.value.reason) == (
        Path("state.json"),
        "unexpected table(s) 'x'",
    )
