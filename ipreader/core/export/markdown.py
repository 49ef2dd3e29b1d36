"""The Markdown digest: one section per document, each highlight a block quote.

Text is escaped only where CommonMark would interpret it (``markdown_text``),
so the file reads as written when opened raw (``1.4 million`` stays as it is)
and renders as exactly that text. Terminal controls become visible glyphs
first (``printable``): a digest is often read with ``cat`` or a pager.

Each highlight's heading carries an anchor ``<a id="hl-UUID">`` made from the
highlight's id, and headings carry no running number, so a re-export after a
new highlight differs only where something changed, and links to a highlight
keep working.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ipreader.core.markdown_text import escape_line, escape_text
from ipreader.core.model import AnchorStatus
from ipreader.core.safe_text import printable

# A run of "#" at the end of a heading, after a blank, would be read as its closing sequence.
_CLOSING_HASHES = re.compile(r"(^|[ \t])(#+)$")
# What an HTML id attribute may safely hold.
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")
_BACKTICKS = re.compile(r"`+")


def heading_text(text: str) -> str:
    """Return ``text`` on one line, escaped for a heading (a trailing ``#`` run kept literal)."""
    line = escape_line(" ".join(text.split()))
    return _CLOSING_HASHES.sub(lambda m: m.group(1) + "\\" + m.group(2), line)


def code_span(text: str) -> str:
    """Return ``text`` as a CommonMark code span, on one line, controls made visible.

    The fence is one backtick longer than the longest run inside; a space pads
    content that starts or ends with a backtick (CommonMark strips one each side).
    """
    content = printable(text)
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    fence = "`" * (longest + 1)
    if (
        content.startswith("`")
        or content.endswith("`")
        or (content.startswith(" ") and content.endswith(" ") and content.strip())
    ):
        content = f" {content} "
    return f"{fence}{content}{fence}"


def paragraphs(text: str) -> list[str]:
    """Return ``text`` as Markdown lines that render as that text (controls made visible)."""
    return escape_text(text)


def blockquote(text: str) -> list[str]:
    """Return ``text`` as the lines of a Markdown block quote (blank lines quoted too)."""
    return [f"> {line}" if line else ">" for line in paragraphs(text)]


def anchor_id(annotation_id: str) -> str:
    """The HTML id of a highlight's heading, stable for the highlight."""
    return "hl-" + _NOT_ID.sub("-", annotation_id)


def _tags(tags: Sequence[str]) -> str:
    return ", ".join(code_span(tag) for tag in tags)


def _document_lines(document: dict[str, Any]) -> list[str]:
    out = [f"## {heading_text(document['title'])}", ""]
    where = code_span(document["path"])
    if "root" in document:
        where += f" in {code_span(document['root'])}"
    facts = [where]
    if document["date"]:
        facts.append(f"dated {escape_line(document['date'])}")
    count = len(document["annotations"])
    facts.append(f"{count} highlight{'s' if count != 1 else ''}")
    out += [" · ".join(facts), ""]
    if document["tags"]:
        out += [f"Tags: {_tags(document['tags'])}", ""]
    if document["note"]:
        out += [*paragraphs(document["note"]), ""]
    for annotation in document["annotations"]:
        # Labelled by what its colour means in its folder (yellow = "claim"), when it means one.
        meaning = annotation.get("meaning")
        label = f"{heading_text(meaning)} · " if meaning else "Highlight · "
        label += annotation["color"]
        if annotation["status"] != AnchorStatus.ANCHORED.value:
            label += f" · {annotation['status']}"
        heading = f'### <a id="{anchor_id(annotation["id"])}"></a>{label}'
        out += [heading, "", *blockquote(annotation["quote"]), ""]
        if annotation["status"] == AnchorStatus.FUZZY.value and "current" in annotation:
            # One line: what an approximate match covers now, beside what was highlighted.
            out += [f"now: {escape_line(' '.join(annotation['current'].split()))}", ""]
        if annotation["note"]:
            out += [*paragraphs(annotation["note"]), ""]
        facts = []
        if annotation["tags"]:
            facts.append(f"Tags: {_tags(annotation['tags'])}")
        if annotation["creator"]:
            facts.append(f"by {escape_line(annotation['creator'])}")
        if facts:
            out += [" · ".join(facts), ""]
    return out


def to_markdown(data: dict[str, Any]) -> str:
    """Render the export structure as a Markdown digest (one section per document)."""
    out: list[str] = ["# ipreader annotations", "", f"Exported {data['exported_at']}.", ""]
    if not data["documents"]:
        out += ["No annotations.", ""]
    for document in data["documents"]:
        out += _document_lines(document)
    return "\n".join(out).rstrip("\n") + "\n"
