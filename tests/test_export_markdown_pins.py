"""The Markdown digest's layout: what a reader of the raw file or its rendering sees (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest

from ipreader.core.export.markdown import anchor_id, code_span, heading_text, to_markdown


def _annotation(n: int, **fields: Any) -> dict[str, Any]:
    base = {
        "id": f"id-{n}",
        "quote": f"quote {n}",
        "note": "",
        "tags": [],
        "color": "yellow",
        "status": "anchored",
        "creator": "",
    }
    return base | fields


def _document(path: str, *annotations: dict[str, Any], **fields: Any) -> dict[str, Any]:
    base = {"path": path, "title": f"Title {path}", "date": "", "tags": [], "note": ""}
    return base | fields | {"annotations": list(annotations)}


def _digest(*documents: dict[str, Any]) -> str:
    return to_markdown({"exported_at": "2024-05-06T07:08:09Z", "documents": list(documents)})


def test_a_plain_highlight_is_laid_out_exactly() -> None:
    assert _digest(_document("a.txt", _annotation(1))) == (
        "# ipreader annotations\n"
        "\n"
        "Exported 2024-05-06T07:08:09Z.\n"
        "\n"
        "## Title a.txt\n"
        "\n"
        "`a.txt` · 1 highlight\n"
        "\n"
        '### <a id="hl-id-1"></a>Highlight · yellow\n'
        "\n"
        "> quote 1\n"
    )


def test_an_empty_export_says_so() -> None:
    assert _digest() == (
        "# ipreader annotations\n\nExported 2024-05-06T07:08:09Z.\n\nNo annotations.\n"
    )


def test_a_document_line_has_its_root_date_and_count() -> None:
    document = _document("a.txt", _annotation(1), _annotation(2), root="/one", date="2024-03-01")
    assert "\n`a.txt` in `/one` · dated 2024-03-01 · 2 highlights\n" in _digest(document)
    bare = _document("b.txt")
    assert "\n`b.txt` · 0 highlights\n" in _digest(bare)


def test_document_tags_and_note_follow_the_document_line() -> None:
    document = _document("a.txt", _annotation(1), tags=["t1", "t 2"], note="first\n\nsecond")
    text = _digest(document)
    assert (
        "`a.txt` · 1 highlight\n\nTags: `t1`, `t 2`\n\nfirst\n\nsecond\n\n"
        '### <a id="hl-id-1"></a>Highlight · yellow\n'
    ) in text


def test_a_highlight_heading_says_meaning_colour_and_a_status_other_than_anchored() -> None:
    text = _digest(
        _document(
            "a.txt",
            _annotation(1, meaning="claim", color="blue"),
            _annotation(2, status="orphaned", color="red"),
            _annotation(3, status="fuzzy", current="quote  3\nnow"),
            _annotation(4, status="fuzzy"),
        )
    )
    assert '### <a id="hl-id-1"></a>claim · blue\n' in text
    assert '### <a id="hl-id-2"></a>Highlight · red · orphaned\n' in text
    # An approximate match shows what it covers now, on one line, after the quote.
    assert (
        '### <a id="hl-id-3"></a>Highlight · yellow · fuzzy\n\n> quote 3\n\nnow: quote 3 now\n\n###'
        in text
    )
    assert text.count("now:") == 1


def test_note_tags_and_creator_follow_the_quote() -> None:
    text = _digest(
        _document(
            "a.txt",
            _annotation(1, note="my note", tags=["x", "y"], creator="Ann"),
            _annotation(2, creator="Bob"),
            _annotation(3, tags=["z"]),
        )
    )
    assert "> quote 1\n\nmy note\n\nTags: `x`, `y` · by Ann\n" in text
    assert "> quote 2\n\nby Bob\n" in text
    assert "> quote 3\n\nTags: `z`\n" in text
    assert text.endswith("Tags: `z`\n")


def test_the_digest_ends_with_exactly_one_newline() -> None:
    text = _digest(_document("a.txt", _annotation(1, note="trailing\n\n\n")))
    assert text.endswith("trailing\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("last", ["TAX", "X", "a\xa0"])
def test_the_last_line_keeps_its_last_characters(last: str) -> None:
    assert _digest(_document("a.txt", _annotation(1, note=last))).endswith(f"\n{last}\n")


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("", "``"),
        ("a``b`c", "```a``b`c```"),
        ("x`", "`` x` ``"),
        ("  ", "`  `"),
        (" a", "` a`"),
        ("a ", "`a `"),
    ],
)
def test_code_span_fences_and_pads(text: str, span: str) -> None:
    assert code_span(text) == span


def test_heading_text_is_one_line_and_escapes_a_lone_closing_run() -> None:
    assert heading_text("two\n  lines\there") == "two lines here"
    assert heading_text("##") == "\\##"
    assert heading_text("a\t##") == "a \\##"


def test_anchor_ids_keep_only_id_safe_characters() -> None:
    assert anchor_id("ab-C_9") == "hl-ab-C_9"
    assert anchor_id('a b"<>é') == "hl-a-b----"
