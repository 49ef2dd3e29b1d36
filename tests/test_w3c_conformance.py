"""The W3C export against the W3C Web Annotation test suite (every MUST, most SHOULDs).

The suite's schemas are copied into ``tests/standards/w3c-annotation-tests``
(a clone may not have ``../shared``); ``test_suite_copy_is_the_shared_one``
keeps the copy honest where ``../shared`` exists. The ``uri`` and
``date-time`` checks need ``rfc3987`` and ``rfc3339-validator`` (test extra):
without them the tests skip, unless ``IPREADER_REQUIRE_STANDARDS`` is set (as
``.ci/run`` does), where they fail.

How assertions are counted (``w3c_suite``): an assertion passes when every
object it applies to satisfies it. Document annotations (a document's own tags
and note) have no creator, times or quote selector to give, so the strict
SHOULD count is taken on the highlights; on the whole export the W3C
implementation reports' reading (some annotation implements it) is checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from standards_env import same_as_shared, unavailable
from varied_export import add_fuzzy, make_varied_folder
from w3c_suite import Assertion, format_checks_available, load_suite, run_suite

from ipreader.core.export import render_export
from ipreader.core.library import Library
from ipreader.core.model import Annotation, DocumentNotes

MIN_SHOULDS = 30
UTC_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


@pytest.fixture(scope="module")
def suite() -> list[Assertion]:
    if not format_checks_available():
        unavailable("rfc3987 and rfc3339-validator are needed to check uri and date-time")
    assertions = load_suite()
    levels = [a.level for a in assertions]
    assert (levels.count("must"), levels.count("should")) == (79, 38)
    return assertions


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("w3c") / "articles"
    root.mkdir()
    make_varied_folder(root)
    add_fuzzy(root)
    collection: dict[str, Any] = json.loads(render_export(Library.open([root]), "w3c"))
    return collection


def _export(root: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(render_export(Library.open([root]), "w3c"))
    return result


def highlights_only(collection: dict[str, Any]) -> dict[str, Any]:
    """The collection with only its highlight annotations (targets with selectors)."""
    items = [i for i in collection["first"]["items"] if "selector" in i["target"]]
    return {**collection, "total": len(items), "first": {**collection["first"], "items": items}}


def test_suite_copy_is_the_shared_one() -> None:
    same_as_shared("w3c-annotation-tests")


def test_varied_export_passes_every_must_and_most_shoulds(
    suite: list[Assertion], varied: dict[str, Any]
) -> None:
    whole = run_suite(varied, suite)
    assert whole.failed.get("must", []) == [], whole.errors
    assert whole.count("must") == (79, 79)
    assert whole.should_any >= MIN_SHOULDS
    strict = run_suite(highlights_only(varied), suite)
    assert strict.failed.get("must", []) == []
    passed, total = strict.count("should")
    assert passed >= MIN_SHOULDS, strict.failed["should"]
    print(
        f"\nW3C suite: MUST {whole.count('must')[0]}/79; SHOULD {passed}/{total} on every "
        f"highlight, {whole.count('should')[0]}/{total} on every item including document "
        f"annotations, {whole.should_any}/{total} implemented by some item"
    )


def test_export_without_creators_or_with_only_document_notes_passes_every_must(
    suite: list[Assertion], tmp_path: Path
) -> None:
    make_varied_folder(tmp_path, creators=False)
    result = run_suite(_export(tmp_path), suite)
    assert result.failed.get("must", []) == [], result.errors
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "a.txt").write_text("Only a document note.\n")
    library = Library.open([documents])
    library.collections[0].store.set_document_notes("a.txt", DocumentNotes(("t",), "n"))
    result = run_suite(_export(documents), suite)
    assert result.failed.get("must", []) == [], result.errors


def test_empty_export_is_a_valid_collection(suite: list[Assertion], tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Nothing highlighted.\n")
    collection = _export(tmp_path)
    assert collection["total"] == 0 and "first" not in collection and "last" not in collection
    result = run_suite(collection, suite)
    assert result.failed.get("must", []) == [], result.errors


def _values(value: Any, key: str) -> Iterator[Any]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key:
                yield v
            yield from _values(v, key)
    elif isinstance(value, list):
        for v in value:
            yield from _values(v, key)


def test_sources_are_file_uris_of_the_articles(varied: dict[str, Any]) -> None:
    for item in varied["first"]["items"]:
        target = item["target"]
        iri = target.get("source", target.get("id"))
        parts = urlsplit(iri)
        assert parts.scheme == "file" and not parts.fragment and " " not in iri
        assert Path(unquote(parts.path)).as_posix().endswith("/" + target["ipreader:path"])
        assert Path(unquote(parts.path)).is_file()
    paths = {i["target"]["ipreader:path"] for i in varied["first"]["items"]}
    assert {"odd name #1 50%.txt", "sub/漢字.txt", "crlf bom.txt", "wide.txt"} <= paths


def test_two_folders_never_share_a_source(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "same.txt").write_text("Same text in both.\n")
    library = Library.open([tmp_path / "one", tmp_path / "two"])
    for collection in library.collections:
        text, _ = library.load(collection.documents[0])
        collection.store.save_annotation(Annotation.create(text, 0, 4, "same.txt"))
    items = json.loads(render_export(Library.open([tmp_path / "one", tmp_path / "two"]), "w3c"))
    sources = [i["target"]["source"] for i in items["first"]["items"]]
    assert len(set(sources)) == 2


def test_times_are_utc_with_z(varied: dict[str, Any]) -> None:
    times = [t for key in ("created", "modified") for t in _values(varied, key)]
    assert times and all(UTC_Z.fullmatch(t) for t in times), times


def test_orphans_keep_only_the_quote_and_fuzzy_selects_what_it_covers(
    varied: dict[str, Any],
) -> None:
    by_status: dict[str, list[dict[str, Any]]] = {}
    for item in varied["first"]["items"]:
        by_status.setdefault(item.get("ipreader:status", "document"), []).append(item)
    [orphan] = by_status["orphaned"]
    assert [s["type"] for s in orphan["target"]["selector"]] == ["TextQuoteSelector"]
    assert orphan["target"]["selector"][0]["exact"] == "A phrase that will vanish soon."
    [fuzzy] = by_status["fuzzy"]
    quote, position = fuzzy["target"]["selector"]
    assert quote["exact"] == "ran off" and fuzzy["target"]["ipreader:quote"] == "ran away"
    assert position["end"] - position["start"] == len("ran off")
    assert [i["ipreader:path"] for i in (m["target"] for m in by_status["moved"])] == ["edited.txt"]
    documents = by_status["document"]
    assert {d["target"]["ipreader:path"] for d in documents} == {"plain.txt", "sub/漢字.txt"}
    assert all("selector" not in d["target"] for d in documents)
