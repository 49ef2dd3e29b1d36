"""Pins of the store's TinyDB layer (``store/tables.py``): file bytes, upserts, commits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.storage import Tables, atomic_write_bytes
from ipreader.core.store.files import read_tables
from ipreader.core.store.tables import Transaction, encode_tables


def stored(path: Path, tables: Tables) -> Path:
    atomic_write_bytes(path, encode_tables(tables))
    return path


# ---------------------------------------------------------------- the bytes of a file


def test_a_file_s_bytes_sort_tables_ids_and_fields_one_record_a_line() -> None:
    tables = {"b": {"y": {"z": 1, "a": "é"}, "x": {}}, "a": {}}
    assert encode_tables(tables) == ('{"a":{},\n"b":{\n"x":{},\n"y":{"a":"é","z":1}\n}}\n'.encode())


def test_the_same_tables_in_any_order_give_the_same_bytes() -> None:
    one = {"t": {"k1": {"a": 1, "b": 2}, "k2": {"c": [1, 2]}}, "u": {"k": {}}}
    other = {"u": {"k": {}}, "t": {"k2": {"c": [1, 2]}, "k1": {"b": 2, "a": 1}}}
    assert encode_tables(one) == encode_tables(other)
    assert json.loads(encode_tables(one)) == one


def test_no_tables_is_an_empty_object_on_its_own_line() -> None:
    assert encode_tables({}) == b"{}\n"


def test_a_lone_surrogate_escapes_every_non_ascii_character_and_reads_back_the_same() -> None:
    tables = {"t": {"k": {"s": "\udcff é"}}}
    data = encode_tables(tables)
    assert data == b'{"t":{\n"k":{"s":"\\udcff \\u00e9"}\n}}\n'
    assert json.loads(data.decode("ascii")) == tables


def test_text_without_surrogates_is_written_as_utf_8_not_escaped() -> None:
    data = encode_tables({"t": {"k": {"s": "é ü 漢"}}})
    assert "é ü 漢".encode() in data and b"\\u" not in data


# Any code point, lone surrogates included (they switch the file to escaped ASCII).
_TEXT = st.text(st.characters(exclude_categories=()), max_size=8)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


def _stock_bytes(tables: Tables) -> bytes:
    """The file's bytes made with ``json.dumps`` alone, each record its own call."""

    def text(ascii_only: bool) -> str:
        def dumps(value: object) -> str:
            return json.dumps(value, ensure_ascii=ascii_only, sort_keys=True, separators=(",", ":"))

        parts = []
        for name in sorted(tables):
            records = tables[name]
            lines = ",\n".join(f"{dumps(k)}:{dumps(records[k])}" for k in sorted(records))
            parts.append(f"{dumps(name)}:" + (f"{{\n{lines}\n}}" if lines else "{}"))
        return "{" + ",\n".join(parts) + "}\n"

    try:
        return text(False).encode("utf-8")
    except UnicodeEncodeError:
        return text(True).encode("ascii")


@given(
    st.dictionaries(
        _TEXT,
        st.dictionaries(_TEXT, st.dictionaries(_TEXT, _VALUES, max_size=5)),
        max_size=3,
    )
)
def test_a_file_s_bytes_are_those_of_json_dumps_record_by_record(tables: Tables) -> None:
    # Records go straight to the C encoder; any value (surrogates, floats, nesting)
    # must come out as the stock encoder writes it.
    assert encode_tables(tables) == _stock_bytes(tables)


# ---------------------------------------------------------------- tables in a transaction


def test_an_upsert_into_a_file_replaces_a_record_whole_and_keeps_the_others(
    tmp_path: Path,
) -> None:
    path = stored(tmp_path / "f.json", {"annotations": {"a": {"n": 1, "old": True}, "b": {}}})
    transaction = Transaction(read_tables)
    transaction.table(path, "annotations").upsert_records({"a": {"n": 2}, "c": {"n": 3}})
    assert transaction.commit() == [path]
    assert read_tables(path) == {"annotations": {"a": {"n": 2}, "b": {}, "c": {"n": 3}}}


def test_an_upsert_into_a_new_file_writes_every_record(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    transaction = Transaction(read_tables)
    transaction.table(path, "annotations").upsert_records({"a": {"n": 1}, "b": {"n": 2}})
    transaction.commit()
    assert read_tables(path) == {"annotations": {"a": {"n": 1}, "b": {"n": 2}}}


@pytest.mark.parametrize("change", ["upsert nothing", "remove unknown", "remove nothing"])
def test_a_change_that_changes_nothing_writes_nothing(tmp_path: Path, change: str) -> None:
    path = stored(tmp_path / "f.json", {"annotations": {"a": {"n": 1}}})
    before = path.stat().st_mtime_ns, path.stat().st_ino
    transaction = Transaction(read_tables)
    table = transaction.table(path, "annotations")
    if change == "upsert nothing":
        table.upsert_records({})
    elif change == "remove unknown":
        table.remove_records(["b", "c"])
    else:
        table.remove_records([])
    assert transaction.commit() == []
    assert transaction.written == []
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before


def test_removing_known_and_unknown_ids_removes_the_known(tmp_path: Path) -> None:
    path = stored(tmp_path / "f.json", {"annotations": {"a": {}, "b": {}, "c": {}}})
    transaction = Transaction(read_tables)
    transaction.table(path, "annotations").remove_records(["a", "zz", "c"])
    assert transaction.commit() == [path]
    assert read_tables(path) == {"annotations": {"b": {}}}


def test_the_commit_writes_changed_files_in_the_order_first_touched(tmp_path: Path) -> None:
    first = stored(tmp_path / "1.json", {"t": {"a": {}}})
    second = stored(tmp_path / "2.json", {"t": {"a": {}}})
    third = stored(tmp_path / "3.json", {"t": {"a": {}}})
    transaction = Transaction(read_tables)
    assert transaction.written == []
    transaction.table(third, "t").upsert_records({"b": {}})
    transaction.table(second, "t").remove_records(["none"])
    transaction.table(first, "t").upsert_records({"b": {}})
    transaction.table(third, "t").upsert_records({"c": {}})
    assert transaction.commit() == [third, first]
    assert transaction.written == [third, first]
    assert set(read_tables(third)["t"]) == {"a", "b", "c"}
    assert read_tables(second) == {"t": {"a": {}}}


def test_a_table_sees_the_transaction_s_earlier_changes_to_its_file(tmp_path: Path) -> None:
    path = stored(tmp_path / "f.json", {"t": {"a": {"n": 1}}})
    transaction = Transaction(read_tables)
    transaction.table(path, "t").upsert_records({"b": {"n": 2}})
    again = transaction.table(path, "t")
    assert {str(doc.doc_id): dict(doc) for doc in again.all()} == {"a": {"n": 1}, "b": {"n": 2}}
    assert read_tables(path) == {"t": {"a": {"n": 1}}}  # not yet on disk


def test_creating_a_file_gives_the_bytes_an_upsert_into_a_new_file_gives(tmp_path: Path) -> None:
    records = {"b": {"n": 2, "t": ["x"]}, "a": {"é": "ü", "n": 1}}
    upserted, created = tmp_path / "upserted.json", tmp_path / "created.json"
    transaction = Transaction(read_tables)
    transaction.table(upserted, "annotations", new=True).upsert_records(records)
    transaction.create(created, "annotations", records)
    transaction.create(tmp_path / "empty.json", "annotations", {})
    records["a"]["n"] = 5  # both hold copies: a caller's later change is not written
    assert transaction.commit() == [upserted, created]  # an empty creation writes nothing
    assert created.read_bytes() == upserted.read_bytes()
    assert read_tables(created)["annotations"]["a"]["n"] == 1


def test_creating_a_file_the_transaction_already_changed_keeps_its_changes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "f.json"
    transaction = Transaction(read_tables)
    transaction.table(path, "t", new=True).upsert_records({"a": {"n": 1}})
    transaction.create(path, "t", {"b": {"n": 2}})
    transaction.commit()
    assert read_tables(path) == {"t": {"a": {"n": 1}, "b": {"n": 2}}}
