"""The annotation model: creation, edits, tags, and its dict form."""

from __future__ import annotations

from dataclasses import fields

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.model import (
    COLORS,
    AnchorStatus,
    Annotation,
    normalize_tags,
    parse_tag_list,
)


def test_to_dict_carries_every_field() -> None:
    ann = Annotation.create("hello world", 6, 11, "a.txt", tags=["x"], note="n")
    data = ann.to_dict()
    assert set(data) == {f.name for f in fields(Annotation)}
    assert data["tags"] == ["x"] and data["status"] == "anchored"


@given(
    text=st.text(min_size=1, max_size=60),
    data=st.data(),
    color=st.sampled_from(COLORS),
    note=st.text(max_size=20),
    tags=st.lists(st.text(max_size=8), max_size=4),
    status=st.sampled_from(list(AnchorStatus)),
)
def test_dict_round_trip(
    text: str, data: st.DataObject, color: str, note: str, tags: list[str], status: AnchorStatus
) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    ann = Annotation.create(text, start, end, "doc.txt", color=color, note=note, tags=tags)
    ann = ann.edited(status=status)
    assert Annotation.from_dict(ann.to_dict()) == ann


def test_tags_are_trimmed_deduplicated_case_insensitively_and_keep_first_spelling() -> None:
    assert normalize_tags([" Policy ", "policy", "", "  ", "IP  law", "ip law"]) == (
        "Policy",
        "IP law",
    )
    assert parse_tag_list("a, B ,b,,c") == ("a", "B", "c")


@pytest.mark.parametrize(
    "bad",
    [
        {"start": "1"},
        {"tags": "x"},
        {"color": "red"},
        {"note": 3},
        {"status": "lost"},
    ],
)
def test_from_dict_rejects_bad_fields(bad: dict[str, object]) -> None:
    good = Annotation.create("hello world", 0, 5, "a.txt").to_dict()
    with pytest.raises(ValueError):
        Annotation.from_dict({**good, **bad})


def test_create_rejects_empty_or_out_of_range_spans() -> None:
    for start, end in [(3, 3), (-1, 2), (0, 99)]:
        with pytest.raises(ValueError):
            Annotation.create("hello", start, end, "a.txt")
