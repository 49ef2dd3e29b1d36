"""Pins of the agreement report (``core/agreement.py``): what reaches the reader and the JSON.

The counts and kappa are checked against a brute force in ``test_agreement.py``;
these tests hold the rest a coder relies on: which documents and highlights
count, the degenerate cases' notes, the text and JSON layouts, several roots.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from coding_helpers import coded, highlight

from ipreader.core.agreement import Agreement, agreement
from ipreader.core.agreement_render import QUOTE_CHARS, agreement_json, agreement_text
from ipreader.core.coding import CodedDocument
from ipreader.core.model import AnchorStatus

TEXT = "abcdefghijklmnopqrst"  # 20 characters


def counts(item: Agreement) -> tuple[int, int, int, int]:
    return (item.both, item.first_only, item.second_only, item.neither)


def test_the_figures_of_hand_counted_cases() -> None:
    """po, pe and kappa from the four counts (kappa = (po - pe) / (1 - pe))."""
    # po = 0.8, p1 = 0.5, p2 = 0.3, pe = 0.15 + 0.35 = 0.5, kappa = 0.6
    item = Agreement("t", 3, 2, 0, 5)
    assert item.total == 10 and item.percent == 80.0
    assert item.kappa is not None and abs(item.kappa - 0.6) < 1e-12 and item.reason is None
    # po = 0.4, p1 = 0.6, p2 = 0.2, pe = 0.12 + 0.32 = 0.44, kappa = -0.04 / 0.56
    other = Agreement("t", 1, 5, 1, 3)
    assert other.kappa is not None and abs(other.kappa + 0.04 / 0.56) < 1e-12
    empty = Agreement(None, 0, 0, 0, 0)
    assert empty.total == 0 and empty.percent is None and empty.kappa is None
    assert Agreement("t", 4, 0, 0, 0).reason == (
        "both coders coded every character: kappa taken as 1"
    )
    assert Agreement("t", 0, 0, 0, 4).reason == (
        "neither coder used the tag here: kappa taken as 1"
    )


def test_only_the_two_coders_count_and_a_third_is_ignored() -> None:
    document = coded(
        TEXT,
        [
            highlight(TEXT, 0, 10, ["t"], creator="ada"),
            highlight(TEXT, 0, 10, ["t"], creator="ben"),
            highlight(TEXT, 10, 20, ["t", "other"], creator="carol"),
        ],
    )
    report = agreement([document], "Ada", "BEN")
    assert report.coders == ("Ada", "BEN")
    assert [item.tag for item in report.tags] == ["t"]
    assert counts(report.tags[0]) == (10, 0, 0, 10) and report.disagreements == ()


def test_orphans_of_both_coders_are_counted_and_a_document_needs_both_placed() -> None:
    lost_a = replace(highlight(TEXT, 0, 5, ["t"], creator="ada"), status=AnchorStatus.ORPHANED)
    lost_b = replace(highlight(TEXT, 5, 9, ["t"], creator="ben"), status=AnchorStatus.ORPHANED)
    only_orphans = coded(TEXT, [highlight(TEXT, 0, 5, ["t"], creator="ada"), lost_b], "half.txt")
    shared = coded(
        TEXT,
        [
            highlight(TEXT, 0, 4, ["t"], creator="ada"),
            lost_a,
            highlight(TEXT, 0, 4, ["t"], creator="ben"),
            lost_b,
        ],
        "shared.txt",
    )
    report = agreement([only_orphans, shared], "ada", "ben")
    assert [d.relpath for d in report.documents] == ["shared.txt"]
    assert report.orphaned == 3
    assert counts(report.tags[0]) == (4, 0, 0, 16)


def test_tags_asked_for_are_reported_once_each_in_the_order_asked() -> None:
    document = coded(
        TEXT,
        [
            highlight(TEXT, 0, 5, ["b", "a"], creator="ada"),
            highlight(TEXT, 0, 5, ["a"], creator="ben"),
        ],
    )
    assert [i.tag for i in agreement([document], "ada", "ben").tags] == ["a", "b"]
    asked = agreement([document], "ada", "ben", ["b", "B", "zzz"])
    assert [i.tag for i in asked.tags] == ["b", "zzz"]
    assert counts(asked.tags[0]) == (0, 5, 0, 15)
    assert counts(asked.tags[1]) == (0, 0, 0, 20)
    assert counts(asked.overall) == (0, 5, 0, 35)


def test_overlapping_and_touching_highlights_of_one_coder_count_each_character_once() -> None:
    document = coded(
        TEXT,
        [
            highlight(TEXT, 0, 6, ["t"], creator="ada"),
            highlight(TEXT, 3, 8, ["t"], creator="ada"),
            highlight(TEXT, 8, 10, ["t"], creator="ada"),
            highlight(TEXT, 2, 4, ["t"], creator="ada"),
            highlight(TEXT, 15, 16, ["t"], creator="ben"),
        ],
    )
    report = agreement([document], "ada", "ben")
    assert counts(report.tags[0]) == (0, 10, 1, 9)
    assert [(d.start, d.end, d.coder, d.quote) for d in report.disagreements] == [
        (0, 10, "ada", "abcdefghij"),
        (15, 16, "ben", "p"),
    ]


def test_disagreements_are_cut_around_every_shared_passage() -> None:
    document = coded(
        TEXT,
        [
            highlight(TEXT, 0, 20, ["t"], creator="ada"),
            highlight(TEXT, 2, 4, ["t"], creator="ben"),
            highlight(TEXT, 4, 6, ["x"], creator="ben"),
            highlight(TEXT, 9, 12, ["t"], creator="ben"),
            highlight(TEXT, 12, 13, ["t"], creator="ben"),
            highlight(TEXT, 18, 20, ["t"], creator="ben"),
        ],
    )
    report = agreement([document], "ada", "ben", ["t"])
    assert [(d.start, d.end, d.coder) for d in report.disagreements] == [
        (0, 2, "ada"),
        (4, 9, "ada"),
        (13, 18, "ada"),
    ]
    assert counts(report.tags[0]) == (8, 12, 0, 0)


def test_disagreements_run_by_tag_then_document_then_position() -> None:
    def doc(relpath: str) -> CodedDocument:
        return coded(
            TEXT,
            [
                highlight(TEXT, 10, 12, ["b"], creator="ada", document=relpath),
                highlight(TEXT, 0, 2, ["a"], creator="ben", document=relpath),
                highlight(TEXT, 5, 6, ["a"], creator="ada", document=relpath),
            ],
            relpath,
        )

    report = agreement([doc("one.txt"), doc("two.txt")], "ada", "ben")
    assert [(d.tag, d.document.relpath, d.start, d.coder) for d in report.disagreements] == [
        ("a", "one.txt", 0, "ben"),
        ("a", "one.txt", 5, "ada"),
        ("a", "two.txt", 0, "ben"),
        ("a", "two.txt", 5, "ada"),
        ("b", "one.txt", 10, "ada"),
        ("b", "two.txt", 10, "ada"),
    ]
    assert report.characters == 40


def test_the_text_report_tells_orphans_notes_and_no_disagreement() -> None:
    lost = replace(highlight(TEXT, 0, 5, ["t"], creator="ben"), status=AnchorStatus.ORPHANED)
    document = coded(
        TEXT,
        [
            highlight(TEXT, 0, 20, ["t"], creator="ada"),
            highlight(TEXT, 0, 20, ["t"], creator="ben"),
            lost,
        ],
    )
    text = agreement_text(agreement([document], "ada", "ben", ["t", "unused"]))
    lines = text.splitlines()
    assert lines[0] == "Agreement of ada and ben: 1 document coded by both, 20 characters."
    assert "1 orphaned highlight left out." in lines
    assert "t: both coders coded every character: kappa taken as 1" in lines
    assert "unused: neither coder used the tag here: kappa taken as 1" in lines
    assert not any(line.startswith("overall:") for line in lines)
    assert lines[-1] == "Disagreements: 0 passages"
    header = next(line for line in lines if line.startswith("Tag"))
    assert header.split() == (
        ["Tag", "Both", "ada", "only", "ben", "only", "Neither", "Agreement", "Kappa"]
    )
    assert any(line.split() == ["t", "20", "0", "0", "0", "100.0%", "1.000"] for line in lines)
    assert any(
        line.split() == ["overall", "20", "0", "0", "20", "100.0%", "1.000"] for line in lines
    )


def test_the_text_report_without_any_shared_document() -> None:
    document = coded(TEXT, [highlight(TEXT, 0, 5, ["t"], creator="ada")])
    text = agreement_text(agreement([document], "ada", "ben", ["t"]))
    lines = text.splitlines()
    assert lines[0] == "Agreement of ada and ben: 0 documents coded by both, 0 characters."
    assert any(line.split() == ["t", "0", "0", "0", "0", "n/a", "n/a"] for line in lines)
    assert "overall: no characters to compare: no document coded by both" in lines
    assert "t: no characters to compare: no document coded by both" in lines
    assert not any("orphaned" in line for line in lines)


def test_the_text_report_shows_controls_as_glyphs_and_cuts_long_quotes() -> None:
    long = "word " * 40 + "end"
    document = coded(
        long,
        [
            highlight(long, 0, len(long), ["t\x1b[31m"], creator="ada"),
            highlight(long, 0, 5, ["t\x1b[31m"], creator="ben\x07"),
        ],
    )
    report = agreement([document], "ada", "ben\x07")
    text = agreement_text(report)
    assert "\x1b" not in text and "\x07" not in text
    (run,) = report.disagreements
    data = json.loads(agreement_json(report))
    quote = data["disagreements"][0]["quote"]
    assert quote.endswith("…") and len(quote) <= QUOTE_CHARS < len(run.quote)
    assert quote in text


def test_several_roots_name_each_document_with_its_root() -> None:
    def doc(root: str) -> CodedDocument:
        marks = (
            highlight(TEXT, 0, 4, ["t"], creator="ada"),
            highlight(TEXT, 2, 4, ["t"], creator="ben"),
        )
        return CodedDocument(Path(root), "same.txt", "same.txt", TEXT, marks)

    report = agreement([doc("/one"), doc("/two")], "ada", "ben")
    data = json.loads(agreement_json(report, several_roots=True))
    assert data["documents"] == [
        {"root": "/one", "path": "same.txt"},
        {"root": "/two", "path": "same.txt"},
    ]
    assert [(d["root"], d["path"], d["line"]) for d in data["disagreements"]] == [
        ("/one", "same.txt", 1),
        ("/two", "same.txt", 1),
    ]
    assert json.loads(agreement_json(report))["documents"] == [
        {"path": "same.txt"},
        {"path": "same.txt"},
    ]
    text = agreement_text(report, several_roots=True)
    assert "/one/same.txt" in text and "/two/same.txt" in text
    assert "Disagreements: 2 passages" in text
    assert "/one/" not in agreement_text(report)


def test_the_json_report_rounds_and_names_every_figure() -> None:
    document = coded(
        "abc\ndefghi",
        [
            highlight("abc\ndefghi", 0, 10, ["t"], creator="ada"),
            highlight("abc\ndefghi", 0, 3, ["t"], creator="ben"),
            highlight("abc\ndefghi", 4, 6, ["t"], creator="ben"),
        ],
    )
    report = agreement([document], "ada", "ben")
    data = json.loads(agreement_json(report))
    (figures,) = data["tags"]
    assert figures == {
        "tag": "t",
        "both": 5,
        "first_only": 5,
        "second_only": 0,
        "neither": 0,
        "percent_agreement": 50.0,
        "kappa": 0.0,
        "reason": None,
    }
    assert data["overall"]["tag"] is None and data["orphaned_left_out"] == 0
    assert data["coders"] == ["ada", "ben"] and data["characters"] == 10
    assert data["method"].startswith("Character level")
    assert [(d["start"], d["end"], d["line"], d["quote"]) for d in data["disagreements"]] == [
        (3, 4, 1, ""),
        (6, 10, 2, "fghi"),
    ]
    third = Agreement("t", 1, 1, 1, 0)  # po = 1/3, p1 = p2 = 2/3, pe = 5/9, kappa = -0.5
    mixed = replace(report, tags=(third,), overall=third)
    shown = json.loads(agreement_json(mixed))["tags"][0]
    assert shown["percent_agreement"] == 33.3333 and shown["kappa"] == -0.5
    assert agreement_json(report).endswith("}\n")


def test_the_text_report_as_a_coder_reads_it() -> None:
    """Long tags and coder names are cut in their cells, figures right-aligned."""
    text = "abcdefghij\nklmnopqrst"
    tag = "a-very-long-tag-name-that-goes-on-and-on-and-on"
    first = "Ada Lovelace of the Analytical Engine"
    document = coded(
        text,
        [
            highlight(text, 0, 10, [tag, "b"], creator=first),
            highlight(text, 0, 8, [tag], creator="ben"),
            highlight(text, 11, 20, ["b"], creator="ben"),
        ],
    )
    shown = agreement_text(agreement([document], first, "ben"))
    # The rules under the headers only repeat the column widths the headers show.
    assert [line for line in shown.split("\n") if not line.startswith("─")] == [
        "Agreement of Ada Lovelace of the Analytical Engine and ben: 1 document coded by both, 21 characters.",  # noqa: E501
        "Character level, over the documents both coders highlighted: for each tag, every character is coded",  # noqa: E501
        "(by a highlight carrying the tag or a child) or not, by each coder. Percent agreement po = share of",  # noqa: E501
        "characters coded alike; Cohen's kappa = (po - pe) / (1 - pe), pe = p1*p2 + (1-p1)*(1-p2) from each",  # noqa: E501
        "coder's share of coded characters. Overall pools every (character, tag) decision. Orphaned",  # noqa: E501
        "highlights are left out.",
        "",
        "Tag                                       Both  Ada Lovelace of the Analytical Engine only  ben only  Neither  Agreement   Kappa",  # noqa: E501
        "a-very-long-tag-name-that-goes-on-and-o…     8                                           2         0       11      90.5%   0.807",  # noqa: E501
        "b                                            0                                          10         9        2       9.5%  -0.822",  # noqa: E501
        "overall                                      8                                          12         9       13      50.0%  -0.009",  # noqa: E501
        "",
        "Disagreements: 3 passages",
        "",
        "Tag                             Document  Line  Offsets  Coded by              Quote",
        "a-very-long-tag-name-that-goe…  doc.txt      1  8-10     Ada Lovelace of the…  ij",
        "b                               doc.txt      1  0-10     Ada Lovelace of the…  abcdefghij",
        "b                               doc.txt      2  11-20    ben                   klmnopqrs",
        "",
    ]


def test_the_json_report_puts_a_tag_or_a_disagreement_on_each_line() -> None:
    document = coded(
        TEXT,
        [
            highlight(TEXT, 0, 11, ["b"], creator="ada"),
            highlight(TEXT, 0, 8, ["b"], creator="ben"),
        ],
    )
    # kappa: po = 0.85, pe = 0.55 * 0.4 + 0.45 * 0.6 = 0.49, (0.85 - 0.49) / 0.51 = 0.7058823...
    lines = agreement_json(agreement([document], "ada", "ben")).splitlines()
    assert (
        '    {"tag": "b", "both": 8, "first_only": 3, "second_only": 0, "neither": 9, '
        '"percent_agreement": 85.0, "kappa": 0.705882, "reason": null}'
    ) in lines
    assert (
        '    {"tag": "b", "path": "doc.txt", "start": 8, "end": 11, "line": 1, '
        '"coded_by": "ada", "quote": "ijk"}'
    ) in lines
    assert '  "overall": {' in lines


def test_the_json_report_of_nothing_compared_has_no_figures() -> None:
    document = coded(TEXT, [highlight(TEXT, 0, 5, ["t"], creator="ada")])
    data = json.loads(agreement_json(agreement([document], "ada", "ben", ["t"])))
    assert data["overall"]["percent_agreement"] is None and data["overall"]["kappa"] is None
    assert data["overall"]["reason"] == "no characters to compare: no document coded by both"
    assert data["tags"][0]["kappa"] is None and data["documents"] == []


def test_counts_add_up_over_documents_and_tags_a_document_lacks() -> None:
    def doc(relpath: str, marks: list[tuple[int, int, str, str]]) -> CodedDocument:
        made = [
            highlight(TEXT, s, e, [tag], creator=who, document=relpath) for s, e, tag, who in marks
        ]
        return coded(TEXT, made, relpath)

    one = doc("one.txt", [(0, 10, "a", "ada"), (0, 5, "a", "ben")])
    two = doc("two.txt", [(0, 4, "b", "ada"), (2, 6, "b", "ben")])
    three = doc("three.txt", [(0, 2, "a", "ada"), (10, 13, "b", "ben")])
    report = agreement([one, two, three], "ada", "ben", ["a", "b"])
    a, b = report.tags
    # a: one.txt (5, 5, 0, 10), two.txt (0, 0, 0, 20), three.txt (0, 2, 0, 18)
    assert counts(a) == (5, 7, 0, 48)
    # b: one.txt (0, 0, 0, 20), two.txt (2, 2, 2, 14), three.txt (0, 0, 3, 17)
    assert counts(b) == (2, 2, 5, 51)
    assert counts(report.overall) == (7, 9, 5, 99)
