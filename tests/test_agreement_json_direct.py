"""Agreement as JSON: the disagreements, written directly, are the generic outline's bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from coding_helpers import highlight

from ipreader.core.agreement import Agreement, AgreementReport, agreement
from ipreader.core.agreement_render import METHOD, QUOTE_CHARS, agreement_json
from ipreader.core.coding import CodedDocument
from ipreader.core.json_text import json_outline
from ipreader.core.wording import excerpt

TEXT = 'One, "two"\nthree\x1b[2J four\u202e five\n\u2028six seven\x85 eight nine ten\n' * 3


def figures(item: Agreement) -> dict[str, Any]:
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


def generic(report: AgreementReport, several_roots: bool) -> str:
    def place(document: CodedDocument) -> dict[str, str]:
        if several_roots:
            return {"root": str(document.root), "path": document.relpath}
        return {"path": document.relpath}

    data = {
        "coders": list(report.coders),
        "method": METHOD,
        "documents": [place(d) for d in report.documents],
        "characters": report.characters,
        "orphaned_left_out": report.orphaned,
        "tags": [figures(item) for item in report.tags],
        "overall": figures(report.overall),
        "disagreements": [
            {
                "tag": run.tag,
                **place(run.document),
                "start": run.start,
                "end": run.end,
                "line": run.document.line_of(run.start),
                "coded_by": run.coder,
                "quote": excerpt(run.quote, QUOTE_CHARS),
            }
            for run in report.disagreements
        ],
    }
    return json_outline(data, levels=2)


def documents(shift: int) -> list[CodedDocument]:
    found = []
    for number, relpath in enumerate(['a "b",\nc.txt', "news/\x1bone.txt"]):
        marks = [
            highlight(TEXT, 0, 20, ["policy", 'x"y'], creator="ada", document=relpath),
            highlight(
                TEXT,
                shift,
                20 + shift,
                ["policy"] if shift else ["policy", 'x"y'],
                creator="=Bén",
                document=relpath,
            ),
            highlight(TEXT, 40, 90, ["claim\u202e"], creator="ada", document=relpath),
            highlight(
                TEXT,
                60 if shift else 40,
                100 + shift if shift else 90,
                ["claim\u202e"],
                creator="=Bén",
                document=relpath,
            ),
        ]
        ordered = tuple(sorted(marks, key=lambda a: (a.start, a.id)))
        found.append(CodedDocument(Path(f"/r{number}"), relpath, relpath, TEXT, ordered))
    return found


@pytest.mark.parametrize("shift", [0, 5, 30])
@pytest.mark.parametrize("several_roots", [False, True])
def test_agreement_json_is_the_generic_outline(shift: int, several_roots: bool) -> None:
    report = agreement(documents(shift), "ada", "=Bén")
    assert bool(report.disagreements) == (shift != 0)
    assert agreement_json(report, several_roots=several_roots) == generic(report, several_roots)
