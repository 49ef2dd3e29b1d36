"""Accuracy and cost of re-anchoring highlights after their article was edited.

Over real articles (default: the BBC corpus in ../shared/corpus/bbc), pick
random quotes (sentence fragments of 20..200 characters), edit the article and
re-anchor. Scenarios:

1. ``context``: the quote is untouched, 1..4 edits (insert / delete / replace)
   land outside it, half of them within 40 characters of it. Success: the
   exact new span.
2. ``quote``: 1..10 % of the quote's characters are substituted, inserted or
   deleted (and half the time text is inserted before it). Success: status
   FUZZY and IoU(found span, true span) >= 0.8.
3. ``deleted``: the quote is cut out of the article (samples where it still
   occurs elsewhere are skipped). Any placement is a false match.

Each scenario also runs the baseline "Hypothesis-style matcher without a
minimum score" (best fuzzy alignment always accepted: MIN_SCORE = MARGIN = 0).
Every run also checks that ``reanchor`` returns an annotation (never drops one)
with ``text[start:end] == quote`` whenever it is placed.

    .venv/bin/python bench/anchoring_accuracy.py --samples 1000 --runs 3
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ipreader.core import anchoring
from ipreader.core.anchoring import _anchor, apply_match, reanchor
from ipreader.core.model import AnchorStatus, Annotation

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "bbc"
IOU_RIGHT_PLACE = 0.8
LETTERS = "abcdefghijklmnopqrstuvwxyz     ,.ETAOIN"

Matcher = Callable[[str, Annotation], Annotation]


def baseline(text: str, annotation: Annotation) -> Annotation:
    """Re-anchor with the same pipeline but no minimum score and no margin."""
    match = _anchor(
        text,
        annotation.quote,
        annotation.prefix,
        annotation.suffix,
        annotation.start,
        min_score=0.0,
        margin=0.0,
    )
    return apply_match(annotation, text, match)


@dataclass
class Tally:
    """Outcome counts and timings of one scenario for one matcher."""

    total: int = 0
    success: int = 0
    placed: int = 0
    wrong_place: int = 0
    dropped: int = 0
    broken: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    times: list[float] = field(default_factory=list)


def load_articles(corpus: Path) -> list[str]:
    """Return the articles (>= 400 characters) of ``corpus``, sorted by path."""
    texts = []
    for path in sorted(corpus.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        if len(text) >= 400:
            texts.append(text)
    if not texts:
        sys.exit(f"no articles under {corpus}")
    return texts


def pick_quote(rng: random.Random, text: str) -> tuple[int, int]:
    """Return a random sentence fragment ``(start, end)`` of 20..200 characters."""
    sentences = [
        m.span() for m in re.finditer(r"[^.!?\n]+[.!?]?", text) if m.end() - m.start() >= 20
    ]
    start, end = rng.choice(sentences)
    while text[start].isspace():
        start += 1
    length = end - start
    if length > 200 or rng.random() < 0.5:
        size = rng.randint(20, min(200, max(20, length)))
        start = rng.randint(start, max(start, end - size))
        end = min(len(text), start + size)
    return start, end


def filler(rng: random.Random, articles: list[str], size: int) -> str:
    """Return ``size`` characters of real text from a random article."""
    other = rng.choice(articles)
    at = rng.randrange(max(1, len(other) - size))
    return other[at : at + size]


def edit_around(
    rng: random.Random, articles: list[str], text: str, start: int, end: int
) -> tuple[str, int, int]:
    """Apply 1..4 edits outside ``[start, end)``; return the new text and span."""
    for _ in range(rng.randint(1, 4)):
        before = rng.random() < 0.5
        near = rng.random() < 0.5
        if before:
            at = rng.randint(max(0, start - 40), start) if near else rng.randint(0, start)
        else:
            at = rng.randint(end, min(len(text), end + 40)) if near else rng.randint(end, len(text))
        kind = rng.choice(("insert", "delete", "replace"))
        cut = 0
        if kind != "insert":
            room = start - at if before else len(text) - at
            cut = rng.randint(0, min(200, room))
        added = filler(rng, articles, rng.randint(1, 300)) if kind != "delete" else ""
        text = text[:at] + added + text[at + cut :]
        if before:
            start += len(added) - cut
            end += len(added) - cut
    return text, start, end


def edit_quote(rng: random.Random, quote: str) -> str:
    """Return ``quote`` with 1..10 % of its characters substituted, inserted or deleted.

    The result always differs from ``quote`` (an insertion and a deletion can cancel out).
    """
    edited = quote
    while edited == quote:
        edited = _edit_chars(rng, quote)
    return edited


def _edit_chars(rng: random.Random, quote: str) -> str:
    chars = list(quote)
    for _ in range(rng.randint(1, max(1, len(quote) // 10))):
        kind = rng.choice(("sub", "ins", "del"))
        at = rng.randrange(len(chars))
        if kind == "sub":
            chars[at] = rng.choice([c for c in LETTERS if c != chars[at]])
        elif kind == "ins":
            chars.insert(at, rng.choice(LETTERS))
        elif len(chars) > 1:
            del chars[at]
    return "".join(chars)


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two half-open spans."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def record(tally: Tally, text: str, before: Annotation, matcher: Matcher) -> Annotation:
    """Run ``matcher`` and record the generic invariants."""
    t0 = time.perf_counter()
    after = matcher(text, before)
    tally.times.append(time.perf_counter() - t0)
    tally.total += 1
    tally.statuses[after.status.value] += 1
    if after is None or after.id != before.id:
        tally.dropped += 1
    if after.is_anchored:
        tally.placed += 1
        if text[after.start : after.end] != after.quote:
            tally.broken += 1
    return after


def run(articles: list[str], samples: int, seed: int) -> dict[tuple[str, str], Tally]:
    """Run every scenario ``samples`` times with both matchers."""
    rng = random.Random(seed)
    matchers: dict[str, Matcher] = {"ipreader": reanchor, "no-min-score": baseline}
    tallies = {(s, m): Tally() for s in ("context", "quote", "deleted") for m in matchers}
    for _ in range(samples):
        text = rng.choice(articles)
        start, end = pick_quote(rng, text)
        annotation = Annotation.create(text, start, end, "doc")
        quote = text[start:end]

        new_text, new_start, new_end = edit_around(rng, articles, text, start, end)
        assert new_text[new_start:new_end] == quote
        for name, matcher in matchers.items():
            tally = tallies["context", name]
            after = record(tally, new_text, annotation, matcher)
            tally.success += (after.start, after.end) == (new_start, new_end) and after.is_anchored

        edited = edit_quote(rng, quote)
        shift = filler(rng, articles, rng.randint(1, 300)) if rng.random() < 0.5 else ""
        new_text = shift + text[:start] + edited + text[end:]
        truth = (len(shift) + start, len(shift) + start + len(edited))
        # Skipped when the quote also occurs elsewhere: an exact match is right there.
        for name, matcher in matchers.items() if quote not in new_text else ():
            tally = tallies["quote", name]
            after = record(tally, new_text, annotation, matcher)
            if after.is_anchored:
                right = iou((after.start, after.end), truth) >= IOU_RIGHT_PLACE
                tally.success += right and after.status is AnchorStatus.FUZZY
                tally.wrong_place += not right

        new_text = text[:start] + text[end:]
        if quote in new_text:
            continue
        for name, matcher in matchers.items():
            tally = tallies["deleted", name]
            after = record(tally, new_text, annotation, matcher)
            tally.wrong_place += after.is_anchored
            tally.success += not after.is_anchored
    return tallies


def big_text_timings(articles: list[str], megabytes: int, seed: int) -> dict[str, float]:
    """Return seconds to re-anchor one annotation in a ``megabytes`` MB book, per case.

    The book is every article once (so the quote is unique) in the middle of
    word-shuffled padding (so no sentence repeats): the fuzzy pass cannot stop early.
    """
    rng = random.Random(seed)
    real = "\n\n".join(rng.sample(articles, len(articles)))
    words = real.split()
    pad_chars = max(0, megabytes * 1_000_000 - len(real)) // 2
    padding = []
    for half in range(2):
        rng.shuffle(words)
        text = " ".join(words)
        padding.append((text * (pad_chars // max(1, len(text)) + 1))[:pad_chars])
        del half
    book = padding[0] + "\n\n" + real + "\n\n" + padding[1]
    start = book.index(". ", len(book) // 2) + 2
    quote_end = start + 120
    annotation = Annotation.create(book, start, quote_end, "book")
    quote = annotation.quote
    cases = {
        "unchanged": book,
        "moved (insert at top)": "Preface.\n" + book,
        "quote edited": book[:start] + edit_quote(rng, quote) + book[quote_end:],
        "quote deleted": book[:start] + book[quote_end:],
        "quote deleted, no hint": book[:start] + book[quote_end:],
    }
    timings = {}
    for name, text in cases.items():
        subject = replace(annotation, start=-1) if "no hint" in name else annotation
        t0 = time.perf_counter()
        after = reanchor(text, subject)
        timings[f"{name} -> {after.status.value}"] = time.perf_counter() - t0
    return timings


def main(argv: list[str] | None = None) -> None:
    """Parse options, run the bench, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--samples", type=int, default=1000, help="quotes per run")
    parser.add_argument("--runs", type=int, default=3, help="runs (seeds seed..seed+runs-1)")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--big-mb", type=int, default=50, help="book size for timings; 0 skips")
    args = parser.parse_args(argv)

    articles = load_articles(args.corpus)
    print(f"corpus: {args.corpus} ({len(articles)} articles)")
    print(
        f"MIN_SCORE={anchoring.MIN_SCORE} MARGIN={anchoring.MARGIN} "
        f"CONTEXT_WEIGHT={anchoring.CONTEXT_WEIGHT}"
    )
    results = [run(articles, args.samples, args.seed + i) for i in range(args.runs)]
    print(f"\n{args.runs} run(s) x {args.samples} quotes; rates are the median over runs\n")
    header = (
        f"{'scenario':<9} {'matcher':<13} {'n':>5} {'success':>8} {'placed':>7} "
        f"{'wrong':>7} {'dropped':>7} {'broken':>6} {'med ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    print(header)
    print("-" * len(header))
    for key in results[0]:
        tallies = [r[key] for r in results]
        n = [t.total for t in tallies]

        def rate(attr: str, tallies: list[Tally] = tallies) -> float:
            return float(
                statistics.median(100 * getattr(t, attr) / max(1, t.total) for t in tallies)
            )

        times = sorted(x * 1000 for t in tallies for x in t.times)
        p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
        print(
            f"{key[0]:<9} {key[1]:<13} {int(statistics.median(n)):>5} {rate('success'):>7.2f}% "
            f"{rate('placed'):>6.2f}% {rate('wrong_place'):>6.2f}% "
            f"{sum(t.dropped for t in tallies):>7} {sum(t.broken for t in tallies):>6} "
            f"{statistics.median(times):>7.2f} {p99:>7.2f} {times[-1]:>7.2f}"
        )
    print("\nstatuses (all runs):")
    for key in results[0]:
        merged: Counter[str] = Counter()
        for r in results:
            merged.update(r[key].statuses)
        print(f"  {key[0]:<9} {key[1]:<13} {dict(sorted(merged.items()))}")
    if args.big_mb:
        print(f"\nre-anchor one 120-char quote in a {args.big_mb} MB text:")
        for name, seconds in big_text_timings(articles, args.big_mb, args.seed).items():
            print(f"  {name:<40} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
