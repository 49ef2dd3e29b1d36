"""Finding text in one document and across many."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.discovery import discover
from ipreader.core.documents import DocumentInfo, load_info
from ipreader.core.search import CONTEXT_CHARS, context_of, find_all, find_in_documents

FIXTURES = Path(__file__).parent / "fixtures" / "bbc"


def naive_find_all(text: str, query: str) -> list[tuple[int, int]]:
    """Reference: compare character by character, skipping past each match.

    The query's words must follow each other separated by at least one
    whitespace character (any number, line breaks included).
    """
    words = query.split()
    if not words:
        return []

    def fold(ch: str) -> str:
        lower = ch.lower()
        return lower if len(lower) == 1 else ch

    insensitive = not any(ch.isupper() for ch in query)
    same = (lambda a, b: fold(a) == fold(b)) if insensitive else (lambda a, b: a == b)

    def match_at(i: int) -> int | None:
        j = i
        for number, word in enumerate(words):
            if number:
                if j >= len(text) or not text[j].isspace():
                    return None
                while j < len(text) and text[j].isspace():
                    j += 1
            if j + len(word) > len(text) or not all(
                same(text[j + k], word[k]) for k in range(len(word))
            ):
                return None
            j += len(word)
        return j

    found = []
    i = 0
    while i < len(text):
        end = match_at(i)
        if end is None:
            i += 1
        else:
            found.append((i, end))
            i = end
    return found


def test_smart_case() -> None:
    text = "Apple apple APPLE"
    assert find_all(text, "apple") == [(0, 5), (6, 11), (12, 17)]
    assert find_all(text, "Apple") == [(0, 5)]
    assert find_all(text, "APPLE") == [(12, 17)]


def test_empty_query_and_no_match() -> None:
    assert find_all("anything", "") == []
    assert find_all("", "x") == []
    assert find_all("abc", "abcd") == []


def test_matches_do_not_overlap() -> None:
    assert find_all("aaaaa", "aa") == [(0, 2), (2, 4)]


def test_offsets_stay_true_around_case_expanding_characters() -> None:
    # "İ".lower() is two code points and a final capital sigma lowers to "ς":
    # offsets must still index the original text.
    text = "İstanbul ΟΔΟΣ odos"
    assert find_all(text, "stanbul") == [(1, 8)]
    assert find_all(text, "οδοσ") == [(9, 13)]
    assert find_all(text, "odos") == [(14, 18)]


@given(
    st.text(alphabet="aAbBİıΣσς ", max_size=40),
    st.text(alphabet="aAbBİıΣσς ", min_size=0, max_size=4),
)
def test_find_all_matches_the_naive_reference(text: str, query: str) -> None:
    assert find_all(text, query) == naive_find_all(text, query)


@given(st.text(max_size=60), st.text(min_size=1, max_size=3))
def test_find_all_on_any_text(text: str, query: str) -> None:
    matches = find_all(text, query)
    assert matches == naive_find_all(text, query)
    ends = [0] + [end for _, end in matches]
    for (start, end), previous_end in zip(matches, ends, strict=False):
        assert previous_end <= start
        assert text[start:end].split() == [] or len(text[start:end].split()) == len(query.split())
        if any(ch.isupper() for ch in query):
            assert text[start:end].split() == query.split()


def test_words_match_across_line_breaks() -> None:
    text = "family estates of the\nBuonapartes. Family  estates."
    assert find_all(text, "estates of the Buonapartes") == [(7, 33)]
    assert find_all(text, "family estates") == [(0, 14), (35, 50)]
    assert find_all(text, "  ") == []


@pytest.fixture
def docs() -> list[DocumentInfo]:
    [(root, files)] = discover([FIXTURES])
    return [load_info(root, path) for path in files]


def test_find_in_documents_yields_matches_with_context(docs: list[DocumentInfo]) -> None:
    matches = list(find_in_documents(docs, "broadband"))
    assert matches
    for match in matches:
        text = match.document.path.read_text(encoding="utf-8")
        assert text[match.start : match.end].lower() == "broadband"
        assert "broadband" in match.context.lower()
        assert "\n" not in match.context and "  " not in match.context
        assert len(match.context) <= 2 * CONTEXT_CHARS + len("broadband") + len("……")
    assert {m.document.relpath for m in matches} == {"tech/broadband-in-the-uk-growing-fast.txt"}
    assert [(m.start, m.end) for m in matches] == find_all(
        matches[0].document.path.read_text(encoding="utf-8"), "broadband"
    )


def test_a_context_is_cut_at_word_edges_with_an_ellipsis() -> None:
    text = "The price of butane gas, a vital fuel for cooking, has risen to 200 dinars a can."
    start = text.index("fuel")
    # 16 characters each side start in "butane" and end in "has": both are dropped.
    assert context_of(text, start, start + 4, width=16) == "…gas, a vital fuel for cooking,…"
    assert context_of(text, start, start + 4, width=22) == (
        "…butane gas, a vital fuel for cooking, has…"
    )
    assert context_of(text, start, start + 4, width=200) == text
    # One long word: cut inside it, since it has no edge within reach.
    word = "x" * 100 + "oil" + "y" * 100
    assert context_of(word, 100, 103, width=5) == "…xxxxxoilyyyyy…"
    # A match in the first (last) words: the room before (after) it is given to the other side.
    opening = "fuel " + "word " * 40
    assert context_of(opening, 0, 4, width=16) == "fuel word word word word word word…"
    closing = "word " * 40 + "fuel"
    assert context_of(closing, 200, 204, width=16) == "…word word word word word word fuel"
    # Blank lines or spaces alone left out are not text left out: no "…".
    assert context_of("\n" * 60 + "fuel", 60, 64) == "fuel"
    assert context_of("fuel" + " " * 60 + "\n", 0, 4) == "fuel"


@given(st.text(alphabet="ab \n", max_size=120), st.data())
def test_a_context_holds_its_match_and_stays_bounded(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    context = context_of(text, start, end, width=10)
    match = " ".join(text[start:end].split())
    assert match in context
    assert len(context) <= 10 + (end - start) + 10 + 2
    # "…" where text was left out; blank lines and spaces alone are not. Room one side
    # cannot use goes to the other.
    left = start - 10 - max(0, 10 - (len(text) - end))
    right = end + 10 + max(0, 10 - start)
    assert context.startswith("…") == (left > 0 and not text[:left].isspace())
    assert context.endswith("…") == (right < len(text) and not text[right:].isspace())


def test_find_in_documents_respects_the_limit(docs: list[DocumentInfo]) -> None:
    everything = list(find_in_documents(docs, "the"))
    assert len(everything) > 20
    assert list(find_in_documents(docs, "the", limit=7)) == everything[:7]
    assert list(find_in_documents(docs, "the", limit=0)) == []
    assert list(find_in_documents(docs, "")) == []


def test_unreadable_documents_are_skipped(tmp_path: Path, docs: list[DocumentInfo]) -> None:
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"market\x00\x01")
    vanished = tmp_path / "vanished.txt"
    vanished.write_text("market market", encoding="utf-8")
    listed = [load_info(tmp_path, binary), load_info(tmp_path, vanished), *docs]
    vanished.unlink()
    matches = list(find_in_documents(listed, "market"))
    assert matches and all(m.document.root == FIXTURES.resolve() for m in matches)


def test_search_is_lazy(docs: list[DocumentInfo]) -> None:
    consumed: list[DocumentInfo] = []

    def feed() -> Iterator[DocumentInfo]:
        for doc in docs:
            consumed.append(doc)
            yield doc

    first = next(find_in_documents(feed(), "the"))
    assert first.document == docs[0]
    assert len(consumed) == 1


def test_first_results_arrive_fast_across_two_thousand_articles(tmp_path: Path) -> None:
    sources = [p for p in sorted(FIXTURES.rglob("*.txt"))]
    for i in range(2000):
        shutil.copyfile(sources[i % len(sources)], tmp_path / f"{i:04}.txt")
    [(root, files)] = discover([tmp_path])
    infos = [load_info(root, path) for path in files]
    # A word only in the last article: the slowest first result, a full scan.
    (tmp_path / "1999.txt").write_text("the zyzzyva appears once", encoding="utf-8")

    start = time.perf_counter()
    next(find_in_documents(infos, "market"))
    first = time.perf_counter() - start
    assert first < 0.3, f"first result after {first:.3f} s"

    start = time.perf_counter()
    [late] = list(find_in_documents(infos, "zyzzyva"))
    scan = time.perf_counter() - start
    assert late.document.relpath == "1999.txt"
    assert scan < 3.0, f"full scan of 2,000 articles took {scan:.2f} s"
