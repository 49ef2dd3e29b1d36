"""An agreement report written out: the method, a text table with the passages, or JSON.

The figures come from ``agreement.agreement``; this module only lays them out
(``ipreader agreement`` prints one or the other).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from json.encoder import encode_basestring
from operator import attrgetter, getitem
from typing import Any

from ipreader.core.agreement import Agreement, AgreementReport, Disagreement
from ipreader.core.coding import CodedDocument, line_numbers
from ipreader.core.json_text import json_outline
from ipreader.core.safe_text import escape_json_controls, printable
from ipreader.core.text_table import Column, render_table, render_table_columns
from ipreader.core.wording import excerpts, plural

#: The method, in one paragraph, printed with every agreement report.
METHOD = (
    "Character level, over the documents both coders highlighted: for each tag, every "
    "character is coded (by a highlight carrying the tag or a child) or not, by each coder. "
    "Percent agreement po = share of characters coded alike; Cohen's kappa = "
    "(po - pe) / (1 - pe), pe = p1*p2 + (1-p1)*(1-p2) from each coder's share of coded "
    "characters. Overall pools every (character, tag) decision. Orphaned highlights are "
    "left out."
)

#: The degenerate cases, in one paragraph (help and README).
METHOD_CASES = (
    "Kappa is taken as 1 when pe = 1 (both coders coded every character alike: all of "
    "them, or none), and is undefined (n/a) when no document was coded by both. "
    "Disagreements are the maximal runs of characters one coder coded with the tag and "
    "the other did not."
)

#: Longest quote of a disagreement shown (characters).
QUOTE_CHARS = 80


def _place(document: CodedDocument, several_roots: bool) -> dict[str, str]:
    return (
        {"root": str(document.root), "path": document.relpath}
        if several_roots
        else {"path": document.relpath}
    )


def _figures(item: Agreement) -> dict[str, Any]:
    return {
        "tag": item.tag,
        "both": item.both,
        "first_only": item.first_only,
        "second_only": item.second_only,
        "neither": item.neither,
        "percent_agreement": None if item.percent is None else round(item.percent, 4),
        "kappa": None if item.kappa is None else round(item.kappa, 6),
        "reason": item.reason,
    }


def agreement_json(report: AgreementReport, *, several_roots: bool = False) -> str:
    """Return ``report`` as JSON (keys always in the same order), ending with a newline.

    One tag or one disagreement a line (``json_outline(data, levels=2)``); the
    disagreements, tens of thousands of flat records, are written directly
    (a test holds them to the generic outline's bytes).
    """
    data = {
        "coders": list(report.coders),
        "method": METHOD,
        "documents": [_place(d, several_roots) for d in report.documents],
        "characters": report.characters,
        "orphaned_left_out": report.orphaned,
        "tags": [_figures(item) for item in report.tags],
        "overall": _figures(report.overall),
        "disagreements": [],
    }
    head = json_outline(data, levels=2)  # ends with the empty list: '"disagreements": []\n}\n'
    if not report.disagreements:
        return head
    return head.removesuffix("[]\n}\n") + _disagreements_json(report, several_roots) + "\n}\n"


def _disagreements_json(report: AgreementReport, several_roots: bool) -> str:
    """The disagreements as a laid-out JSON list, each on one line (as the C encoder writes
    a flat dict of strings and integers)."""
    text = encode_basestring  # the C encoder's own, for ensure_ascii=False
    runs = _RunColumns(report.disagreements)
    # Each distinct place, tag and coder encoded (and escaped) once; the quotes escaped
    # together, not the whole text: the rest of a line is ASCII, safe already. Encoded
    # strings hold no raw newline, so the quotes are joined and split again by one.
    places = {
        key: escape_json_controls(
            "".join(
                f", {text(name)}: {text(value)}"
                for name, value in _place(document, several_roots).items()
            )
        )
        for key, document in runs.distinct_documents.items()
    }
    tags = {tag: escape_json_controls(text(tag)) for tag in dict.fromkeys(runs.tags)}
    coders = {coder: escape_json_controls(text(coder)) for coder in dict.fromkeys(runs.coders)}
    quotes = escape_json_controls("\n".join(map(text, runs.quotes))).split("\n")
    lines = map(
        _RUN_JSON.__mod__,
        zip(
            map(tags.__getitem__, runs.tags),
            map(places.__getitem__, runs.document_keys),
            runs.starts,
            runs.ends,
            runs.lines,
            map(coders.__getitem__, runs.coders),
            quotes,
            strict=True,
        ),
    )
    return "[\n    " + ",\n    ".join(lines) + "\n  ]"


# One disagreement in the JSON: tag, place (", path" and maybe ", root"), start, end,
# line, coder, quote; the strings encoded already.
_RUN_JSON = '{"tag": %s%s, "start": %d, "end": %d, "line": %d, "coded_by": %s, "quote": %s}'


class _RunColumns:
    """The disagreements' fields as the outputs show them, column by column (in C)."""

    def __init__(self, runs: Sequence[Disagreement]) -> None:
        tags, documents, starts, ends, coders = zip(*runs, strict=True)
        self.document_keys = list(map(id, documents))
        """Each run's document, by ``id``."""
        self.distinct_documents = dict(zip(self.document_keys, documents, strict=True))
        """The documents, by ``id``."""
        self.tags: Sequence[str] = tags
        self.starts: Sequence[int] = starts
        self.ends: Sequence[int] = ends
        self.coders: Sequence[str] = coders
        self.lines = line_numbers(documents, starts)
        """The 1-based line of each run's start."""
        texts = map(attrgetter("text"), documents)
        self.quotes = excerpts(map(getitem, texts, map(slice, starts, ends)), QUOTE_CHARS)
        """Each run's text, cut (``excerpt``)."""


def agreement_text(report: AgreementReport, *, several_roots: bool = False) -> str:
    """Return ``report`` as aligned plain text for the terminal."""
    first, second = report.coders
    lines = [
        f"Agreement of {first} and {second}: {plural(len(report.documents), 'document')} "
        f"coded by both, {plural(report.characters, 'character')}.",
        *textwrap.wrap(METHOD, width=100),
    ]
    if report.orphaned:
        lines.append(f"{plural(report.orphaned, 'orphaned highlight')} left out.")
    columns = [
        Column("Tag", limit=40),
        Column("Both", numeric=True),
        Column(f"{first} only", numeric=True),
        Column(f"{second} only", numeric=True),
        Column("Neither", numeric=True),
        Column("Agreement", numeric=True),
        Column("Kappa", numeric=True),
    ]
    rows = [_row(item) for item in (*report.tags, report.overall)]
    notes = [f"{item.tag or 'overall'}: {item.reason}" for item in report.tags if item.reason]
    if report.overall.reason:
        notes.append(f"overall: {report.overall.reason}")
    out = "".join(printable(line) + "\n" for line in lines) + "\n" + render_table(columns, rows)
    if notes:
        out += "\n" + "".join(printable(note) + "\n" for note in notes)
    out += f"\nDisagreements: {plural(len(report.disagreements), 'passage')}\n"
    if report.disagreements:
        runs = _RunColumns(report.disagreements)
        paths = {
            key: f"{document.root}/{document.relpath}" if several_roots else document.relpath
            for key, document in runs.distinct_documents.items()
        }
        passages: list[Sequence[object]] = [
            runs.tags,
            list(map(paths.__getitem__, runs.document_keys)),
            runs.lines,
            list(map("{}-{}".format, runs.starts, runs.ends)),
            runs.coders,
            runs.quotes,
        ]
        out += "\n" + render_table_columns(
            [
                Column("Tag", limit=30),
                Column("Document"),
                Column("Line", numeric=True),
                Column("Offsets"),
                Column("Coded by", limit=20),
                Column("Quote", limit=QUOTE_CHARS),
            ],
            passages,
        )
    return out


def _row(item: Agreement) -> list[object]:
    percent, kappa = item.percent, item.kappa
    return [
        "overall" if item.tag is None else item.tag,
        item.both,
        item.first_only,
        item.second_only,
        item.neither,
        "n/a" if percent is None else f"{percent:.1f}%",
        "n/a" if kappa is None else f"{kappa:.3f}",
    ]
