"""Exports of highlights whose text changed: the original quote, and what it covers now."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from ipreader.core.export import export_data, render_export
from ipreader.core.library import Library
from ipreader.core.model import Annotation

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "export-schema.json").read_text())
ARTICLE = (
    "Budget day\n\n"
    "The minister said the new budget would raise spending on schools and hospitals "
    "while cutting the cost of government offices by a fifth.\n"
)
QUOTE = "raise spending on schools and hospitals"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE)
    library = Library.open([root])
    info = library.documents()[0]
    text, _ = library.load(info)
    start = text.index(QUOTE)
    annotation = Annotation.create(text, start, start + len(QUOTE), "a.txt", note="check")
    library.store_for(info).save_annotation(annotation)
    return root


def exported(root: Path) -> tuple[str, dict[str, object]]:
    data = export_data(Library.open([root]))
    jsonschema.validate(data, SCHEMA)
    [document] = data["documents"]
    [annotation] = document["annotations"]
    return (root / "a.txt").read_text(), annotation


def test_an_unchanged_highlight_has_no_current(folder: Path) -> None:
    text, annotation = exported(folder)
    assert annotation["status"] == "anchored" and "current" not in annotation
    assert text[annotation["start"] : annotation["end"]] == annotation["quote"] == QUOTE


def test_a_fuzzy_highlight_keeps_its_quote_and_gives_what_it_covers(folder: Path) -> None:
    (folder / "a.txt").write_text(ARTICLE.replace("hospitals", "hospitls"))
    text, annotation = exported(folder)
    assert annotation["status"] == "fuzzy" and annotation["quote"] == QUOTE
    assert annotation["current"] == "raise spending on schools and hospitls"
    assert text[annotation["start"] : annotation["end"]] == annotation["current"]
    assert isinstance(annotation["score"], float) and 85 <= annotation["score"] < 100


def test_a_rewrapped_highlight_is_moved_with_its_whitespace_in_current(folder: Path) -> None:
    (folder / "a.txt").write_text("Intro.\n" + ARTICLE.replace("schools and", "schools\nand"))
    text, annotation = exported(folder)
    assert annotation["status"] == "moved" and annotation["quote"] == QUOTE
    assert annotation["current"] == "raise spending on schools\nand hospitals"
    assert text[annotation["start"] : annotation["end"]] == annotation["current"]


def test_w3c_selects_what_it_covers_and_keeps_the_original(folder: Path) -> None:
    unchanged = json.loads(render_export(Library.open([folder]), "w3c"))["first"]["items"][0]
    assert unchanged["target"]["selector"][0]["exact"] == QUOTE
    assert "ipreader:quote" not in unchanged["target"]
    (folder / "a.txt").write_text(ARTICLE.replace("hospitals", "hospitls"))
    item = json.loads(render_export(Library.open([folder]), "w3c"))["first"]["items"][0]
    quote_selector, position_selector = item["target"]["selector"]
    assert quote_selector["exact"] == "raise spending on schools and hospitls"
    assert item["target"]["ipreader:quote"] == QUOTE and item["ipreader:status"] == "fuzzy"
    text = (folder / "a.txt").read_text()
    assert text[position_selector["start"] : position_selector["end"]] == quote_selector["exact"]


def test_markdown_shows_the_original_and_what_a_fuzzy_highlight_covers_now(folder: Path) -> None:
    (folder / "a.txt").write_text(ARTICLE.replace("hospitals", "hospitls"))
    digest = render_export(Library.open([folder]), "markdown")
    assert f"> {QUOTE}\n" in digest
    assert "now: raise spending on schools and hospitls\n" in digest
    (folder / "a.txt").write_text(ARTICLE.replace("schools and", "schools\nand"))
    assert "now:" not in render_export(Library.open([folder]), "markdown")
