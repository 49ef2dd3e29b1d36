"""What ``codebook.json`` may hold: each record read, or skipped with a reason naming it.

``parse_codebook`` is pure (the store reads and writes the file), so its
promises are tested on tables directly: every readable entry comes back as
written, every unreadable one is named once with what is wrong, and a file
holding something else entirely is damage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ipreader.core.codebook import MAX_DESCRIPTION_CHARS, MAX_MEANING_CHARS, Codebook, TagEntry
from ipreader.core.model import COLORS, MAX_TAG_CHARS
from ipreader.core.storage import CorruptDatabaseError
from ipreader.core.store.codebook_file import (
    CodebookFile,
    color_record,
    parse_codebook,
    tag_record,
)

PATH = Path("/folder/.ipreader/codebook.json")


def parsed(tags: dict[str, Any] | None = None, colors: dict[str, Any] | None = None) -> Any:
    tables: dict[str, Any] = {}
    if tags is not None:
        tables["tags"] = tags
    if colors is not None:
        tables["colors"] = colors
    return parse_codebook(PATH, tables)


def test_no_file_is_an_empty_codebook() -> None:
    assert parse_codebook(PATH, None) == CodebookFile(Codebook(), ())
    assert parse_codebook(PATH, {}) == CodebookFile(Codebook(), ())


def test_a_written_entry_and_meaning_read_back_as_written() -> None:
    entry = TagEntry("Policy/Patents", "about patents", "green")
    book = parsed({"policy/patents": tag_record(entry)}, {"pink": color_record("evidence")})
    assert book == CodebookFile(Codebook({"policy/patents": entry}, {"pink": "evidence"}), ())


def test_an_entry_without_description_or_colour_reads_as_empty_fields() -> None:
    book = parsed({"ok": {"tag": "OK"}})
    assert book.codebook.tags == {"ok": TagEntry("OK", "", "")}
    assert book.bad == ()


def test_each_unreadable_tag_record_is_named_with_its_reason_in_key_order() -> None:
    book = parsed(
        {
            "z": {"tag": "Y"},
            "empty": {"tag": ""},
            "colour": {"tag": "Colour", "color": "red"},
            "list": ["not", "a", "record"],
            "number": {"tag": 5},
            "fine": {"tag": "Fine", "color": "blue"},
        }
    )
    assert book.codebook.tags == {"fine": TagEntry("Fine", "", "blue")}
    assert book.bad == (
        f"tag 'colour' (color is not one of {', '.join(COLORS)})",
        "tag 'empty' (tag does not match its key)",
        "tag 'list' (record is not an object)",
        "tag 'number' (tag must be a string, not int)",
        "tag 'z' (tag does not match its key)",
    )


def test_a_long_key_is_named_by_its_first_sixty_characters() -> None:
    key = "k" * 100
    book = parsed({key: {"tag": "other"}})
    assert book.bad == (f"tag {'k' * 60!r} (tag does not match its key)",)


@pytest.mark.parametrize(
    ("field", "limit"), [("tag", MAX_TAG_CHARS), ("description", MAX_DESCRIPTION_CHARS)]
)
def test_tag_fields_at_their_limit_are_read_and_past_it_named(field: str, limit: int) -> None:
    def record(size: int) -> dict[str, Any]:
        tag = "t" * size if field == "tag" else "T"
        return {"tag": tag, "description": "d" * size if field == "description" else ""}

    key = "t" * limit if field == "tag" else "t"
    at_limit = parsed({key: record(limit)})
    assert at_limit.bad == () and list(at_limit.codebook.tags) == [key]
    over_key = "t" * (limit + 1) if field == "tag" else "t"
    over = parsed({over_key: record(limit + 1)})
    assert over.codebook.tags == {}
    assert over.bad == (
        f"tag {over_key[:60]!r} ({field} is too long ({limit + 1:,} characters; limit {limit:,}))",
    )


def test_colour_meanings_are_read_in_colour_order_and_bad_ones_named() -> None:
    book = parsed(
        colors={
            "purple": {"meaning": "question"},
            "yellow": {"meaning": "claim"},
            "green": {"meaning": ""},
            "blue": "not a record",
            "pink": {"meaning": 3},
            "red": {"meaning": "stop"},
            "x" * 100: {"meaning": "?"},
        }
    )
    assert book.codebook.colors == {"yellow": "claim", "purple": "question"}
    assert list(book.codebook.colors) == ["yellow", "purple"]
    assert book.bad == (
        "colour blue (record is not an object)",
        "colour pink (meaning must be a string, not int)",
        "colour 'red' (not a highlight colour)",
        f"colour {'x' * 60!r} (not a highlight colour)",
    )


def test_a_colour_meaning_at_its_limit_is_read_and_past_it_named() -> None:
    assert parsed(colors={"blue": {"meaning": "m" * MAX_MEANING_CHARS}}).bad == ()
    over = parsed(colors={"blue": {"meaning": "m" * (MAX_MEANING_CHARS + 1)}})
    assert over.codebook.colors == {}
    assert over.bad == (
        f"colour blue (meaning is too long ({MAX_MEANING_CHARS + 1:,} characters; "
        f"limit {MAX_MEANING_CHARS:,}))",
    )


def test_a_meaning_given_as_null_is_no_meaning() -> None:
    assert parsed(colors={"blue": {"meaning": None}}) == CodebookFile(Codebook(), ())
    assert parsed(colors={"blue": None}) == CodebookFile(Codebook(), ())


def test_a_file_with_other_tables_is_damage_naming_them() -> None:
    with pytest.raises(CorruptDatabaseError) as raised:
        parse_codebook(PATH, {"tags": {}, "zebra": {}, "annotations": {}})
    assert raised.value.path == PATH
    assert raised.value.reason == "unexpected table(s) 'annotations', 'zebra'"


def test_records_are_stored_with_every_field() -> None:
    assert tag_record(TagEntry("A", "b", "pink")) == {
        "tag": "A",
        "description": "b",
        "color": "pink",
    }
    assert color_record("claim") == {"meaning": "claim"}
