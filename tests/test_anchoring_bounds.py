"""Anchoring is bounded whatever the input: the work is counted, not timed.

Every rapidfuzz call made while anchoring hostile inputs is recorded: no call
compares more than the limits allow, and there are never more calls than the
search's structure allows. One realistic case is also timed, with a bound far
above its measured cost.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.anchoring import anchor, exact, fuzzy, reanchor, spans
from ipreader.core.model import Annotation

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
ARTICLE = SEED_TEXTS[0]

#: Longest piece ever aligned: a short quote with context on both sides, or a long quote's end.
LONGEST_PIECE = max(fuzzy.MAX_PIECE, fuzzy.SHORT_QUOTE + 2 * fuzzy.SHORT_CONTEXT)
#: Most characters a boundary is sought from where it is expected (a long quote's
#: slack, or how far an edit inside a quote that is fitted whole may move it).
REACH = max(fuzzy.MAX_SLACK, fuzzy.edit_reach(fuzzy.MAX_PIECE))
#: Most characters a fitted boundary lies from its first guess, either way.
FIT_REACH = REACH + fuzzy.MAX_WORD + fuzzy.SHORT_CONTEXT


class Recorder:
    """Stands in for ``rapidfuzz.fuzz``, recording the lengths of every comparison."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[tuple[str, int, int]] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        function = getattr(self.real, name)

        def recorded(a: str, b: str, **options: Any) -> Any:
            self.calls.append((name, len(a), len(b)))
            return function(a, b, **options)

        return recorded


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    recorder = Recorder(fuzzy.fuzz)
    monkeypatch.setattr(fuzzy, "fuzz", recorder)
    monkeypatch.setattr(spans, "fuzz", recorder)
    yield recorder


def hostile_cases() -> list[tuple[str, str, str, str, int | None]]:
    """(text, quote, prefix, suffix, hint): inputs that make a naive search work hardest."""
    rng = random.Random(7)
    prose = " ".join(SEED_TEXTS) * 20  # ~200 KB of real text, repeated
    long_quote = prose[1000:9000]
    edited_long = long_quote.replace("e", "é", 40)
    return [
        ("a " * 200_000, "a a a b a", "a a ", " a a", 1000),  # periodic text
        ("x" * 400_000, "xxxxyxxxx", " ", " ", 1000),  # one endless "word"
        ("x" * 400_000, "x" * 300 + "y", "xx", "xx", 200_000),
        (prose, "q" * 5000, "", "", None),  # a long quote found nowhere
        (prose[:1000] + edited_long + prose[9000:], long_quote, "", "", 1000),
        (prose.replace(long_quote, ""), long_quote, "", "", 1000),  # long quote deleted
        (prose, "the" + "x" * 40, "p" * 300_000, "s" * 300_000, 5),  # huge context
        (prose, " ".join(rng.choice(["a", "an", "the"]) for _ in range(3000)), "", "", 0),
    ]


@pytest.mark.parametrize("case", range(len(hostile_cases())))
def test_every_comparison_is_bounded_in_size_and_number(recorder: Recorder, case: int) -> None:
    text, quote, prefix, suffix, hint = hostile_cases()[case]
    anchor(text, quote, prefix, suffix, hint)
    regions = 2  # the local window, then the wide one
    pieces = 3  # the quote (or its head), its tail, the quote with context
    per_search = 1 + 2 * (fuzzy.FUZZY_CANDIDATES - 1)  # the first search, then two halves per find
    candidates = regions * pieces * fuzzy.FUZZY_CANDIDATES
    offsets = 2 * (REACH + fuzzy.MAX_WORD) + 1
    boundaries = 1 + 2 * fuzzy.FIT_ROUNDS  # the start, then the end and the start in turn
    per_candidate = boundaries * offsets + 2 + fuzzy.SCORE_PIECES + 2  # fit, score, realign
    assert len(recorder.calls) <= regions * pieces * per_search + candidates * per_candidate
    for name, first, second in recorder.calls:
        if name == "partial_ratio_alignment":
            assert first <= LONGEST_PIECE and second <= fuzzy.MAX_FUZZY_SPAN
        elif name == "partial_ratio":
            assert first <= fuzzy.MAX_PIECE
            assert second <= fuzzy.MAX_PIECE + 2 * fuzzy.MAX_SCORED
        else:  # ratio: a quote that is not long, a context, or a long quote's end
            assert first <= fuzzy.MAX_SCORED
            assert second <= first + 2 * FIT_REACH + len(quote) // 8 + 2


def test_context_beyond_the_stored_length_is_never_compared(recorder: Recorder) -> None:
    ann = Annotation.create(ARTICLE, 300, 340, "doc.txt")
    edited = ARTICLE[:310] + "#" + ARTICLE[311:]
    anchor(edited, ann.quote, "p" * 300_000 + ann.prefix, ann.suffix + "s" * 300_000, 300)
    assert recorder.calls
    assert all(max(first, second) <= len(edited) for _, first, second in recorder.calls)


def test_exact_occurrences_scored_are_capped_and_nearest_to_the_old_position() -> None:
    text = "ab" * 500_000
    found = exact.occurrences(text, "ab", 600_000)
    assert len(found) == exact.MAX_EXACT_CANDIDATES
    assert found[0] <= 600_000 <= found[-1]
    assert found[-1] - found[0] <= 2 * exact.MAX_EXACT_CANDIDATES + 2


def test_long_whitespace_matches_read_a_bounded_amount_of_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    words_end = exact._words_end
    reads: list[int] = []

    def counted(text: str, at: int, words: tuple[str, ...]) -> int | None:
        reads.append(len(words))
        return words_end(text, at, words)

    monkeypatch.setattr(exact, "_words_end", counted)
    quote = "a " * 4000 + "b"
    exact.find_loose("a\n" * 1_000_000, quote, "", "", 10)
    assert reads
    assert len(reads) <= exact.LOOSE_BUDGET // (exact.LOOSE_STRETCH * len(quote)) + 1


def test_reanchoring_in_a_large_text_stays_fast() -> None:
    rng = random.Random(5)
    words = " ".join(SEED_TEXTS).split()
    filler = " ".join(rng.choice(words) for _ in range(400_000))  # ~2.5 MB
    book = filler + "\n" + ARTICLE + "\n" + filler
    at = book.index("leading the worldwide figure in that category for the ninth year")
    ann = Annotation.create(book, at, at + 64, "doc.txt")
    cases = [
        book.replace(ann.quote, ""),  # orphan: the search goes as far as it may
        book.replace("worldwide", "world-wide"),
        "x" * 1000 + book,
    ]
    for text in cases:
        t0 = time.perf_counter()
        reanchor(text, ann)
        # Measured ~0.05 s; the bound leaves room for a loaded 2-core machine.
        assert time.perf_counter() - t0 < 2.0
    t0 = time.perf_counter()
    anchor(book, "e", "", "", None)  # a one-letter quote with ~500k occurrences
    assert time.perf_counter() - t0 < 2.0
