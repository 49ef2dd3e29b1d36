"""Which article of the folder an imported file's document reference finds, and why none.

A path inside the folder finds its article; a path leaving it is refused and
never looked for elsewhere; the content hash, the text, the last segments of a
URI, the file name or its stem, and a quote found in exactly one article find
a renamed or foreign copy; a lookup that finds nothing says why.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ipreader.core.errors import DocumentError
from ipreader.core.importer import locate
from ipreader.core.importer.batch import DocumentRef
from ipreader.core.importer.locate import Locator, NotFound

ARTICLES = {
    "news/a.txt": "Alpha article.\nThe cat sat on the mat.\n",
    "news/b.md": "Beta article.\nThe dog ran.\n",
    "old/a.txt": "Another alpha.\nThe cat sat on the mat.\n",
    "notes.txt": "Just notes.\n",
}


@pytest.fixture
def locator(tmp_path: Path) -> Locator:
    root = (tmp_path / "folder").resolve()
    known = {}
    for relpath, text in ARTICLES.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        known[relpath] = path
    return Locator(root, known)


def reason(locator: Locator, ref: DocumentRef, quotes: list[str] | None = None) -> str:
    with pytest.raises(NotFound) as raised:
        locator.find(ref, quotes or [])
    return str(raised.value)


def test_a_relative_path_finds_its_article(locator: Locator) -> None:
    assert locator.find(DocumentRef(path="news/b.md"), []) == "news/b.md"
    assert locator.find(DocumentRef(path="news//./b.md"), []) == "news/b.md"


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("", "path must be a non-empty string"),
        (3, "path must be a non-empty string"),
        ("a\x00.txt", "invalid path"),
        ("a" * 4097, "invalid path"),
        ("/etc/passwd", "path '/etc/passwd' is absolute or not a relative POSIX path"),
        ("C:/x.txt", "path 'C:/x.txt' is absolute or not a relative POSIX path"),
        ("news\\a.txt", "path 'news\\\\a.txt' is absolute or not a relative POSIX path"),
        ("news/../../x.txt", "path 'news/../../x.txt' escapes the folder"),
    ],
)
def test_a_path_that_is_not_inside_the_folder_is_refused(
    locator: Locator, path: object, why: str
) -> None:
    # Even with a quote that one article alone holds: an escaping path is never looked for.
    ref = DocumentRef(path=path, search_quotes=True)
    assert reason(locator, ref, ["Just notes."]) == why


@pytest.mark.parametrize("name", ["news\\a.txt", "C:/x.txt", "c:\\x.txt"])
def test_an_article_named_like_a_windows_path_is_refused_even_when_it_exists(
    locator: Locator, name: str
) -> None:
    # Legal names on POSIX; an export naming them is refused as before, not taken as found.
    locator.known[name] = locator.root / "notes.txt"
    assert reason(locator, DocumentRef(path=name)).endswith(
        "is absolute or not a relative POSIX path"
    )


def test_every_article_of_the_folder_is_found_by_its_own_path(locator: Locator) -> None:
    for relpath in ARTICLES:
        assert locator.find(DocumentRef(path=relpath), []) == relpath


def test_a_path_of_4096_characters_is_a_path(locator: Locator) -> None:
    long = "x/" * 2047 + "ab"  # 4096 characters
    assert (
        reason(locator, DocumentRef(path=long)) == f"path {long!r} names no article of the folder"
    )


def test_a_path_through_a_link_leaving_the_folder_is_refused(locator: Locator) -> None:
    outside = locator.root.parent / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("secret")
    (locator.root / "link").symlink_to(outside)
    assert reason(locator, DocumentRef(path="link/x.txt")) == (
        "path 'link/x.txt' resolves outside the folder"
    )
    # A missing article inside the folder is only missing.
    assert reason(locator, DocumentRef(path="news/c.txt")) == (
        "path 'news/c.txt' names no article of the folder"
    )


def test_the_content_hash_or_the_text_finds_a_renamed_article(locator: Locator) -> None:
    digest = hashlib.sha256(ARTICLES["news/b.md"].encode()).hexdigest()
    assert locator.find(DocumentRef(path="gone/b.md", sha256=digest), []) == "news/b.md"
    text = "\ufeff" + ARTICLES["notes.txt"].replace("\n", "\r\n")
    assert locator.find(DocumentRef(text=text), []) == "notes.txt"


def test_a_hash_or_text_two_articles_share_finds_neither(locator: Locator, tmp_path: Path) -> None:
    copy = locator.root / "copy.txt"
    copy.write_text(ARTICLES["notes.txt"])
    locator.known["copy.txt"] = copy
    digest = hashlib.sha256(ARTICLES["notes.txt"].encode()).hexdigest()
    assert reason(locator, DocumentRef(sha256=digest)) == "the file names no document"
    assert reason(locator, DocumentRef(text=ARTICLES["notes.txt"])) == "the file names no document"


@pytest.mark.parametrize(
    ("uri_path", "found"),
    [
        ("/home/u/news/a.txt", "news/a.txt"),  # the last segments decide between two a.txt
        ("/srv/old/a.txt/", "old/a.txt"),
        ("/anything/b.md", "news/b.md"),  # a unique file name
        ("/anything/b.html", "news/b.md"),  # a unique stem
        ("notes", "notes.txt"),
    ],
)
def test_a_uri_finds_the_article_its_path_ends_with(
    locator: Locator, uri_path: str, found: str
) -> None:
    assert locator.find(DocumentRef(uri_path=uri_path), []) == found


def test_a_uri_naming_two_articles_alike_finds_neither(locator: Locator) -> None:
    assert reason(locator, DocumentRef(uri_path="/x/a.txt")) == (
        "no article is named like '/x/a.txt'"
    )
    assert reason(locator, DocumentRef(uri_path="///")) == "no article is named like '///'"


def test_the_longest_quote_finds_the_one_article_holding_it(locator: Locator) -> None:
    ref = DocumentRef(uri_path="/web/page.html", search_quotes=True)
    assert locator.find(ref, ["The", "Beta article."]) == "news/b.md"
    assert reason(locator, ref, ["Beta", "The cat sat on the mat."]) == (
        "no article is named like '/web/page.html'; its quote is in 2 articles "
        "(it must be in exactly one)"
    )
    assert reason(locator, ref, ["nowhere at all"]) == (
        "no article is named like '/web/page.html'; its quote is in no article "
        "(it must be in exactly one)"
    )
    # Without permission to search, the quotes are not looked at.
    assert reason(locator, DocumentRef(uri_path="/web/page.html"), ["Beta article."]) == (
        "no article is named like '/web/page.html'"
    )


def test_searches_by_quote_stop_at_the_limit(
    locator: Locator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locate, "MAX_QUOTE_SEARCHES", 2)
    ref = DocumentRef(search_quotes=True)
    assert locator.find(ref, ["Beta article."]) == "news/b.md"
    assert locator.find(ref, ["Just notes."]) == "notes.txt"
    assert reason(locator, ref, ["Beta article."]) == (
        "more than 2 documents to find by their quotes"
    )


def test_an_unreadable_article_is_reported_each_time_and_skipped_in_searches(
    locator: Locator,
) -> None:
    bad = locator.root / "bad.txt"
    bad.write_bytes(b"\x00\x01binary\xff" * 10)
    locator.known["bad.txt"] = bad
    for _ in range(2):
        with pytest.raises(DocumentError):
            locator.read("bad.txt")
    assert locator.find(DocumentRef(search_quotes=True), ["Beta article."]) == "news/b.md"
    # Read once, then served from memory: a change on disk is not seen mid-import.
    first = locator.read("notes.txt")
    locator.known["notes.txt"].write_text("changed")
    assert locator.read("notes.txt") is first


def _add(locator: Locator, relpath: str, text: str = "More words.\n") -> None:
    path = locator.root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    locator.known[relpath] = path


def test_the_longest_matching_end_of_a_uri_wins(locator: Locator) -> None:
    _add(locator, "a.txt")
    _add(locator, "sub/notes.txt")
    assert locator.find(DocumentRef(uri_path="/news/a.txt"), []) == "news/a.txt"
    assert locator.find(DocumentRef(uri_path="/srv/a.txt"), []) == "a.txt"
    # One segment that is an article's whole path, though two articles have its name.
    assert locator.find(DocumentRef(uri_path="/srv/notes.txt"), []) == "notes.txt"


@pytest.mark.parametrize(
    ("uri_path", "found"),
    [
        ("/web/report.v2.html", "r/report.v2.txt"),  # only the last extension is dropped
        ("/web/.hidden", "r/.hidden.txt"),  # a leading dot is not an extension
        ("/web/X.md", "r/X.txt"),
    ],
)
def test_a_stem_is_the_name_without_its_last_extension(
    locator: Locator, uri_path: str, found: str
) -> None:
    for relpath in ("r/report.v2.txt", "r/report.v3.txt", "r/.hidden.txt", "r/.other", "r/X.txt"):
        _add(locator, relpath)
    assert locator.find(DocumentRef(uri_path=uri_path), []) == found


def test_an_unreadable_article_does_not_end_a_search_by_quote(tmp_path: Path) -> None:
    root = (tmp_path / "folder").resolve()
    root.mkdir()
    (root / "bad.txt").write_bytes(b"\x00\x01binary\xff" * 10)
    (root / "good.txt").write_text("The one quote.\n")
    locator = Locator(root, {"bad.txt": root / "bad.txt", "good.txt": root / "good.txt"})
    assert locator.find(DocumentRef(search_quotes=True), ["one quote"]) == "good.txt"
