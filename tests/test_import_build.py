"""What the importer builds always reads back: why the store does not decode it again.

``FolderStore.save_annotations(..., decoded=True)`` skips the write check's
decode for the importer's annotations (``store/write_checks.py``). That is
only sound while every annotation ``importer.merge.build`` returns (then
clamped by the revision rule) decodes to itself; these tests hold it to that,
for records of every shape a file may hold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.errors import StoreWriteError
from ipreader.core.importer.merge import build
from ipreader.core.importer.report import ImportReport
from ipreader.core.model import CONTEXT_CHARS, MAX_ORIGIN_CHARS, Annotation
from ipreader.core.records import RecordError, decode_annotation
from ipreader.core.revisions import clamp_times
from ipreader.core.store.write_checks import checked_rows

_TIMES = st.sampled_from(
    [
        None,
        "",
        "2024-05-01T10:00:00.000Z",
        "2024-05-01T12:00:00+02:00",
        "2024-05-01",
        "2999-01-01T00:00:00.000Z",  # in the future: clamped to now
        "not a time",
    ]
)


@st.composite
def entries(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A text and an import entry about it: offsets, quote and context right, wrong or absent."""
    text = draw(st.text(alphabet="ab cdé\n.", max_size=80))
    start = draw(st.one_of(st.none(), st.integers(-3, len(text) + 3)))
    end = draw(st.one_of(st.none(), st.integers(-3, len(text) + 3)))
    inside = start is not None and end is not None and 0 <= start < end <= len(text)
    quote = draw(
        st.one_of(
            st.just(text[start:end]) if inside else st.text(alphabet="ab c", max_size=12),
            st.text(alphabet="ab cdé", max_size=12),
        )
    )
    optional = {
        "id": st.one_of(
            st.none(),
            st.just("7f1e0c36-7a42-4d77-9d7c-3c8c0ad3b2a1"),
            st.just("urn:uuid:{7F1E0C36-7A42-4D77-9D7C-3C8C0AD3B2A1}"),
            st.text(max_size=200),
        ),
        "prefix": st.text(alphabet="ab c", max_size=CONTEXT_CHARS + 10),
        "suffix": st.text(alphabet="ab c", max_size=CONTEXT_CHARS + 10),
        "current": st.one_of(st.none(), st.text(alphabet="ab c", max_size=8)),
        "color": st.sampled_from([None, "yellow", "pink"]),
        "note": st.text(max_size=10),
        "tags": st.lists(st.text(max_size=8), max_size=4),
        "created": _TIMES,
        "updated": _TIMES,
        "status": st.sampled_from([None, "anchored", "moved", "fuzzy", "orphaned", "missing"]),
        "creator": st.text(max_size=5),
        "revision": st.one_of(st.none(), st.integers(1, 5)),
        "score": st.one_of(st.none(), st.floats(0, 100), st.integers(0, 100)),
        "origin": st.one_of(st.text(max_size=5), st.just("o" * MAX_ORIGIN_CHARS)),
    }
    record: dict[str, Any] = {"quote": quote, "start": start, "end": end}
    record.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return text, record


def _built(text: str, record: dict[str, Any], now: datetime) -> Annotation | None:
    try:
        annotation = build(record, "sub/a.txt", text, ImportReport(), "entry")
    except Exception as error:  # a refused entry: RecordError or the merge's own _Reject
        assert isinstance(error, RecordError) or type(error).__name__ == "_Reject"
        return None
    return clamp_times(annotation, now)[0]


@given(
    entries(), st.sampled_from([datetime(2026, 1, 1, tzinfo=UTC), datetime(2000, 1, 1, tzinfo=UTC)])
)
def test_what_the_importer_builds_decodes_to_itself(
    entry: tuple[str, dict[str, Any]], now: datetime
) -> None:
    text, record = entry
    annotation = _built(text, record, now)
    if annotation is None:
        return
    assert decode_annotation(annotation.to_dict()) == annotation
    # And the full write check, as every other caller gets it, accepts it.
    assert checked_rows([annotation])["sub/a.txt"][annotation.id] == annotation.to_dict()


def test_every_other_caller_still_gets_the_decode() -> None:
    """A bad annotation from anywhere but the importer is refused before any write."""
    bad = Annotation.create("hello world", 0, 5, "a.txt", tags=[f"t{n}" for n in range(201)])
    with pytest.raises(StoreWriteError, match="tags has 201 tags"):
        checked_rows([bad])
