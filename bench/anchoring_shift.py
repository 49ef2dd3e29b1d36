"""Is an approximate highlight found whatever unrelated text moved before it?

A user's trial (bench/RESULTS.md, "A user's trial in tmux") lost a highlight
whose passage had one word inserted inside it after 5 characters were removed
two paragraphs earlier. Over real articles (default: the BBC corpus), pick
quotes of 6..9 words, insert one word after the first or before the last
(kept when the edited passage is still ``--min-similarity`` similar to the
quote), re-anchor (as on opening the edited article), then remove or insert
``|shift|`` characters far before the passage (beyond its stored context) and
re-anchor again. Every shift in ``--shifts`` is tried on every sample.

Per code ("before": the anchoring code at ``--baseline``; "after": the
working tree; same samples, same process, taking turns) and shift:

* whole passage: placed exactly on the edited passage;
* right place: placed with IoU >= 0.8 with it;
* orphaned: not placed;
* and over all shifts: samples whose result (place relative to the passage,
  status) is not the same for every shift.

    .venv/bin/python -m bench.anchoring_shift --samples 300 --baseline a6978c5
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz

from bench.anchoring_accuracy import DEFAULT_CORPUS, iou, load_articles, load_revision
from ipreader.core import anchoring
from ipreader.core.model import CONTEXT_CHARS, Annotation

Matcher = Callable[[str, Annotation], Annotation]
#: (start, end, status) relative to the edited passage's start, or None (orphaned).
Result = tuple[int, int, str] | None


def pick(
    rng: random.Random, articles: list[str], vocabulary: list[str], min_similarity: float
) -> tuple[str, int, int, str, int, int]:
    """Return (text, start, end, edited text, passage start, passage end) of one sample."""
    while True:
        text = rng.choice(articles)
        words = [m.span() for m in re.finditer(r"\S+", text)]
        count = rng.randint(6, 9)
        first = rng.randrange(len(words) - count)
        start, end = words[first][0], words[first + count - 1][1]
        # Far enough from the top that the shift lies beyond the stored context.
        if start < 2 * CONTEXT_CHARS + 20 or "\n" in text[start:end]:
            continue
        word = rng.choice(vocabulary)
        # After the first word, or before the last.
        at = words[first][1] if rng.random() < 0.5 else words[first + count - 1][0] - 1
        edited = text[:at] + " " + word + text[at:]
        quote, passage = text[start:end], edited[start : end + len(word) + 1]
        # (A copy of the quote left in the edited text is an exact match: skipped.)
        if fuzz.ratio(quote, passage) >= min_similarity and quote not in edited:
            return text, start, end, edited, start, end + len(word) + 1


def shifted(text: str, at: int, shift: int) -> str:
    """Return ``text`` with ``shift`` characters inserted (removed, when negative) at ``at``."""
    if shift >= 0:
        return text[:at] + "x" * shift + text[at:]
    return text[:at] + text[at - shift :]


def main(argv: list[str] | None = None) -> None:
    """Parse options, run the experiment, print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--baseline", default="a6978c5", help="git revision; '' skips")
    parser.add_argument("--min-similarity", type=float, default=88.0)
    parser.add_argument("--shifts", default="-8:9", help="range start:stop of shifts")
    args = parser.parse_args(argv)

    lo, hi = (int(x) for x in args.shifts.split(":"))
    shifts = list(range(lo, hi))
    articles = load_articles(args.corpus)
    vocabulary = sorted({w for w in re.findall(r"[a-z]{3,10}", articles[0] + articles[-1])})
    matchers: dict[str, Matcher] = {"after": anchoring.reanchor}
    if args.baseline:
        matchers = {"before": load_revision(args.baseline).reanchor, **matchers}
    rng = random.Random(args.seed)
    results: dict[str, list[dict[int, Result]]] = {name: [] for name in matchers}
    truths: list[tuple[int, int]] = []
    seconds = dict.fromkeys(matchers, 0.0)
    calls = 0
    for number in range(args.samples):
        text, start, end, edited, p_start, p_end = pick(
            rng, articles, vocabulary, args.min_similarity
        )
        truths.append((p_start, p_end))
        at = rng.randint(0, start - CONTEXT_CHARS - max(0, -lo) - 1)
        annotation = Annotation.create(text, start, end, "doc")
        order = list(matchers.items())
        for name, matcher in order[number % 2 :] + order[: number % 2]:
            t0 = time.perf_counter()
            opened = matcher(edited, annotation)  # the edited article opened once
            row: dict[int, Result] = {}
            for shift in shifts:
                after = matcher(shifted(edited, at, shift), opened)
                row[shift] = (
                    (after.start - shift - p_start, after.end - shift - p_start, after.status.value)
                    if after.is_anchored
                    else None
                )
            seconds[name] += time.perf_counter() - t0
            results[name].append(row)
        calls += 1 + len(shifts)

    print(f"corpus: {args.corpus} ({len(articles)} articles); {args.samples} samples")
    before = args.baseline or "(skipped)"
    print(f"before = the anchoring code at {before}; after = the working tree")
    print(f"shifts {shifts[0]}..{shifts[-1]}, minimum similarity {args.min_similarity:g}\n")
    print("| code | shift | whole passage | right place | orphaned |")
    print("|---|---:|---:|---:|---:|")
    n = args.samples
    for name, rows in results.items():
        for shift in shifts:
            found = [(row[shift], truth) for row, truth in zip(rows, truths, strict=True)]
            whole = sum(r is not None and r[:2] == (0, t[1] - t[0]) for r, t in found)
            right = sum(
                r is not None and iou((r[0], r[1]), (0, t[1] - t[0])) >= 0.8 for r, t in found
            )
            orphaned = sum(r is None for r, _ in found)
            print(
                f"| {name} | {shift:+d} | {100 * whole / n:.1f} % | {100 * right / n:.1f} % "
                f"| {100 * orphaned / n:.1f} % |"
            )
    print()
    for name, rows in results.items():
        varying = sum(len(set(row.values())) > 1 for row in rows)
        lost = sum(any(r is None for r in row.values()) for row in rows)
        per_call = 1000 * seconds[name] / (calls or 1)
        print(
            f"{name}: result depends on the shift in {varying} of {n} ({100 * varying / n:.1f} %); "
            f"orphaned at some shift in {lost} ({100 * lost / n:.1f} %); {per_call:.2f} ms per call"
        )


if __name__ == "__main__":
    main()
