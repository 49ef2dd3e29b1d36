"""Accuracy and cost of re-anchoring highlights after their article was edited.

Over real articles (default: the BBC corpus in ../shared/corpus/bbc), pick
random quotes (sentence fragments of 20..200 characters, most of them on word
edges as a user selects them, trimmed of surrounding whitespace), edit the
article in one of these ways and re-anchor:

==================  ===================================================================
untouched           1..4 edits outside the quote (half within 40 characters of it)
reflow              every paragraph re-wrapped at 40..100 columns, some double spaces
punctuation         1..3 commas, dashes, quotes or full stops changed inside the quote
typo                one letter substituted, inserted, deleted or swapped inside a word
typo, edits around  a typo as above, and 1..4 edits outside the quote as for ``untouched``
                    (its context changes too: what approximate matching leans on)
words               words replaced by others, 1..10 % of the quote's characters
split/merge         a sentence split (", " -> ". X") or two merged (". X" -> ", x")
inserted before     1..3 paragraphs of another article inserted before the quote
paragraph moved     the quote's paragraph moved elsewhere in the article
deleted             the quote cut out of the article
==================  ===================================================================

Where the quote ends up is tracked through each edit (``truth``). Per class:

* right place: the annotation is placed with IoU(found, truth) >= 0.8;
* exact boundary: placed exactly on ``truth``;
* approximate: placed by an approximate (``fuzzy``) match rather than an exact one;
* word edges: of the approximate matches, those with neither boundary inside
  a word, unless the original quote started (ended) inside one (an exact match
  keeps the quote's own boundaries, even where an edit glued a word to it);
* false match: placed with IoU < 0.8 (for ``deleted``: placed at all);
* orphaned: not placed.

Samples where an identical copy of the original quote remains elsewhere after
an edit of the quote, or where an edit around it brings in another copy (the
corpus holds near-duplicate articles), are skipped: an exact match there is
legitimate. Every class is run with today's code ("after") and with the
anchoring module of a git revision ("before", default: the branch's base
``967192a``), in the same process and on the same samples, so the figures are
comparable whatever the machine's load. Rates are the median over the runs.

A second measure re-anchors 1,000 highlights in a 20 MB text (real articles
padded with word-shuffled text) after an edit that moves all of them (text
inserted at the top) and also touches some quotes (5 % typos, 2 % re-wrapped,
1 % deleted).

    .venv/bin/python bench/anchoring_accuracy.py --samples 1000 --runs 3
"""

from __future__ import annotations

import argparse
import importlib
import random
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ipreader.core import anchoring
from ipreader.core.model import AnchorStatus, Annotation

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "bbc"
#: The anchoring code measured as "before" (the base of the anchoring branch).
DEFAULT_BASELINE = "967192a"
IOU_RIGHT_PLACE = 0.8
LETTERS = "abcdefghijklmnopqrstuvwxyz"
CLASSES = (
    "untouched",
    "reflow",
    "punctuation",
    "typo",
    "typo, edits around",
    "words",
    "split/merge",
    "inserted before",
    "paragraph moved",
    "deleted",
)
#: Classes that change the quote itself (an identical copy elsewhere is then legitimate).
QUOTE_EDITS = {"punctuation", "typo", "typo, edits around", "words", "split/merge", "deleted"}
#: The targets (issue 9): class -> (metric, "min" or "max", percent) conditions.
EDITED_TARGETS = (("right", "min", 98.0), ("edges", "min", 100.0))
TARGETS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "untouched": (("exact", "min", 100.0), ("fuzzy", "max", 0.0)),
    "reflow": (("exact", "min", 100.0), ("fuzzy", "max", 0.0)),
    "punctuation": EDITED_TARGETS,
    "typo": EDITED_TARGETS,
    "words": EDITED_TARGETS,
    "split/merge": EDITED_TARGETS,
    "deleted": (("false", "max", 0.5),),
}
#: Start and end markers carried through an edit to find the quote afterwards.
MARK_START, MARK_END = "\x02", "\x03"

Matcher = Callable[[str, Annotation], Annotation]


# ----------------------------------------------------------------------------- matchers


def load_revision(rev: str) -> types.ModuleType:
    """Return the anchoring code at git revision ``rev`` as a module.

    Before ``5b63b00`` it is one file, ``ipreader/core/anchoring.py``; since,
    the package ``ipreader/core/anchoring/``, which is imported under another
    name (its absolute imports of itself renamed) from a temporary directory.
    """
    name = f"anchoring_at_{rev}"
    if name in sys.modules:
        return sys.modules[name]
    listed = _git_ls(rev, "ipreader/core/")
    if "ipreader/core/anchoring.py" in listed:
        source = _git_show(rev, "ipreader/core/anchoring.py")
        module = types.ModuleType(name)
        module.__file__ = f"{rev}:ipreader/core/anchoring.py"
        sys.modules[name] = module  # dataclasses look their module up while decorating
        exec(compile(source, module.__file__, "exec"), module.__dict__)
        return module
    files = _git_ls(rev, "ipreader/core/anchoring/")
    root = Path(tempfile.mkdtemp(prefix="anchoring-at-"))
    (root / name).mkdir()
    for path in files:
        if path.endswith(".py"):
            source = _git_show(rev, path).replace("ipreader.core.anchoring", name)
            (root / name / Path(path).name).write_text(source, encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(root))


def _git_ls(rev: str, folder: str) -> list[str]:
    """Return the paths of the files and folders right in ``folder`` at git revision ``rev``."""
    return subprocess.run(
        ["git", "-C", str(REPO), "ls-tree", "--name-only", rev, folder],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()


def _git_show(rev: str, path: str) -> str:
    """Return the text of ``path`` at git revision ``rev``."""
    return subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


# ----------------------------------------------------------------------------- samples


@dataclass(frozen=True)
class Case:
    """An edited article and where the quote now lies in it (``None``: deleted)."""

    text: str
    truth: tuple[int, int] | None


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


def is_word(char: str) -> bool:
    """True for a character that belongs to a word."""
    return char.isalnum()


def inside_word(text: str, at: int) -> bool:
    """True when offset ``at`` falls between two word characters of ``text``."""
    return 0 < at < len(text) and is_word(text[at - 1]) and is_word(text[at])


def pick_quote(rng: random.Random, text: str) -> tuple[int, int]:
    """Return a random sentence fragment ``(start, end)`` of 20..200 characters.

    Four in five are widened to whole words, as a user selects; all are
    trimmed of surrounding whitespace.
    """
    sentences = [
        m.span() for m in re.finditer(r"[^.!?\n]+[.!?]?", text) if m.end() - m.start() >= 20
    ]
    start, end = rng.choice(sentences)
    length = end - start
    if length > 200 or rng.random() < 0.5:
        size = rng.randint(20, min(200, max(20, length)))
        start = rng.randint(start, max(start, end - size))
        end = min(len(text), start + size)
    if rng.random() < 0.8:
        while inside_word(text, start):
            start -= 1
        while inside_word(text, end):
            end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def unmark(marked: str) -> Case:
    """Return the ``Case`` of a text carrying the quote's start and end markers."""
    start = marked.index(MARK_START)
    end = marked.index(MARK_END) - 1
    return Case(marked.replace(MARK_START, "").replace(MARK_END, ""), (start, end))


def filler(rng: random.Random, articles: list[str], size: int) -> str:
    """Return ``size`` characters of real text from a random article."""
    other = rng.choice(articles)
    at = rng.randrange(max(1, len(other) - size))
    return other[at : at + size]


def edit_around(rng: random.Random, articles: list[str], text: str, start: int, end: int) -> Case:
    """Apply 1..4 edits outside ``[start, end)``."""
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
    return Case(text, (start, end))


def reflow(rng: random.Random, marked: str) -> str:
    """Re-wrap every paragraph of ``marked`` at one width; some sentences get two spaces."""
    width = rng.randint(40, 100)
    paragraphs = []
    for paragraph in marked.split("\n\n"):
        if rng.random() < 0.3:
            paragraph = re.sub(r"\. (?=\S)", ".  ", paragraph)
        lines = textwrap.wrap(paragraph, width, break_long_words=False, break_on_hyphens=False)
        paragraphs.append("\n".join(lines) if lines else paragraph)
    return "\n\n".join(paragraphs)


def edit_inside(marked: str, edit: Callable[[str], str | None]) -> str | None:
    """Apply ``edit`` to the marked quote of ``marked``; ``None`` when ``edit`` cannot."""
    head, rest = marked.split(MARK_START, 1)
    quote, tail = rest.split(MARK_END, 1)
    edited = edit(quote)
    if edited is None or edited == quote or not edited.strip():
        return None
    return f"{head}{MARK_START}{edited}{MARK_END}{tail}"


def punctuate(rng: random.Random, quote: str) -> str | None:
    """Change 1..3 punctuation marks of ``quote`` (or add commas after words)."""
    swaps = [("'", "\u2019"), ('"', "\u201c"), (" - ", " \u2013 "), (", ", " "), (". ", "; ")]
    for _ in range(rng.randint(1, 3)):
        options = [(a, b) for a, b in swaps if a in quote]
        words = [m.end() for m in re.finditer(r"\w\b(?= \w)", quote)]
        if options and rng.random() < 0.6:
            old, new = rng.choice(options)
            at = rng.choice([m.start() for m in re.finditer(re.escape(old), quote)])
            quote = quote[:at] + new + quote[at + len(old) :]
        elif words:
            at = rng.choice(words)
            quote = quote[:at] + "," + quote[at:]
    return quote


def typo(rng: random.Random, quote: str) -> str | None:
    """Make one typing mistake inside a word of 3+ letters of ``quote``."""
    words = [m.span() for m in re.finditer(r"[^\W\d_]{3,}", quote)]
    if not words:
        return None
    lo, hi = rng.choice(words)
    at = rng.randrange(lo, hi)
    kind = rng.choice(("sub", "ins", "del", "swap"))
    if kind == "sub":
        return quote[:at] + rng.choice([c for c in LETTERS if c != quote[at]]) + quote[at + 1 :]
    if kind == "ins":
        return quote[:at] + rng.choice(LETTERS) + quote[at:]
    if kind == "del":
        return quote[:at] + quote[at + 1 :]
    at = min(at, hi - 2)
    return quote[:at] + quote[at + 1] + quote[at] + quote[at + 2 :]


def substitute_words(rng: random.Random, vocabulary: list[str], quote: str) -> str | None:
    """Replace random words of ``quote`` by others, 1..10 % of its characters in all."""
    budget = rng.uniform(0.01, 0.10) * len(quote)
    words = [m.span() for m in re.finditer(r"[^\W\d_]+", quote)]
    rng.shuffle(words)
    chosen: list[tuple[int, int]] = []
    spent = 0
    for lo, hi in words:
        if spent + (hi - lo) <= budget or (not chosen and hi - lo <= 0.10 * len(quote)):
            chosen.append((lo, hi))
            spent += hi - lo
    if not chosen:
        return None
    for lo, hi in sorted(chosen, reverse=True):
        same_size = [w for w in vocabulary if abs(len(w) - (hi - lo)) <= 1 and w != quote[lo:hi]]
        quote = quote[:lo] + rng.choice(same_size or vocabulary) + quote[hi:]
    return quote


def split_or_merge(rng: random.Random, quote: str) -> str | None:
    """Split one sentence of ``quote`` in two, or merge two into one."""
    merges = [m.start() for m in re.finditer(r"\. [A-Z]", quote)]
    splits = [m.start() for m in re.finditer(r"(, | and )[a-z]", quote)]
    if merges and (not splits or rng.random() < 0.5):
        at = rng.choice(merges)
        return quote[:at] + ", " + quote[at + 2].lower() + quote[at + 3 :]
    if splits:
        at = rng.choice(splits)
        joint = 2 if quote[at] == "," else 5
        return quote[:at] + ". " + quote[at + joint].upper() + quote[at + joint + 1 :]
    return None


def insert_before(rng: random.Random, articles: list[str], marked: str) -> str:
    """Insert 1..3 paragraphs of another article somewhere before the quote."""
    head, tail = marked.split(MARK_START, 1)
    breaks = [m.end() for m in re.finditer(r"\n\n", head)] or [0]
    at = rng.choice(breaks)
    paragraphs = rng.choice(articles).split("\n\n")
    first = rng.randrange(len(paragraphs))
    added = "\n\n".join(paragraphs[first : first + rng.randint(1, 3)]) + "\n\n"
    return head[:at] + added + head[at:] + MARK_START + tail


def move_paragraph(rng: random.Random, marked: str) -> str | None:
    """Move the paragraph holding the quote elsewhere; ``None`` if the quote spans two."""
    paragraphs = marked.split("\n\n")
    holding = [i for i, p in enumerate(paragraphs) if MARK_START in p or MARK_END in p]
    if len(holding) != 1 or len(paragraphs) < 3:
        return None
    moved = paragraphs.pop(holding[0])
    places = [i for i in range(1, len(paragraphs) + 1) if i != holding[0]]
    paragraphs.insert(rng.choice(places), moved)
    return "\n\n".join(paragraphs)


def make_case(
    kind: str,
    rng: random.Random,
    articles: list[str],
    vocabulary: list[str],
    text: str,
    span: tuple[int, int],
) -> Case | None:
    """Return ``text`` edited by ``kind`` with the quote at ``span``, or ``None`` if unfit."""
    start, end = span
    marked = f"{text[:start]}{MARK_START}{text[start:end]}{MARK_END}{text[end:]}"
    result: str | None
    if kind == "untouched":
        return edit_around(rng, articles, text, start, end)
    if kind == "deleted":
        return Case(text[:start] + text[end:], None)
    if kind == "reflow":
        result = reflow(rng, marked)
    elif kind == "punctuation":
        result = edit_inside(marked, lambda q: punctuate(rng, q))
    elif kind.startswith("typo"):
        result = edit_inside(marked, lambda q: typo(rng, q))
        if result is not None and kind != "typo":
            case = unmark(result)
            assert case.truth is not None
            return edit_around(rng, articles, case.text, *case.truth)
    elif kind == "words":
        result = edit_inside(marked, lambda q: substitute_words(rng, vocabulary, q))
    elif kind == "split/merge":
        result = edit_inside(marked, lambda q: split_or_merge(rng, q))
    elif kind == "inserted before":
        result = insert_before(rng, articles, marked)
    else:
        result = move_paragraph(rng, marked)
    return None if result is None else unmark(result)


def squeezed(text: str) -> str:
    """``text`` with every run of whitespace made one space."""
    return " ".join(text.split())


def copies(quote: str, text: str) -> int:
    """How many times ``quote`` occurs in ``text``, whitespace differences ignored."""
    return squeezed(text).count(squeezed(quote))


# ----------------------------------------------------------------------------- tallies


@dataclass
class Tally:
    """Outcome counts and timings of one class for one matcher."""

    total: int = 0
    right: int = 0
    exact: int = 0
    edges: int = 0
    false: int = 0
    orphaned: int = 0
    placed: int = 0
    fuzzy: int = 0
    broken: int = 0
    times: list[float] = field(default_factory=list)

    def rate(self, count: int) -> float:
        """``count`` as a percentage of the samples."""
        return 100.0 * count / max(1, self.total)


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two half-open spans."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def on_word_edges(text: str, span: tuple[int, int], before: Annotation) -> bool:
    """True unless ``span`` cuts a word where the original quote did not."""
    quote = before.quote
    started_inside = bool(before.prefix) and is_word(before.prefix[-1]) and is_word(quote[0])
    ended_inside = bool(before.suffix) and is_word(before.suffix[0]) and is_word(quote[-1])
    return (started_inside or not inside_word(text, span[0])) and (
        ended_inside or not inside_word(text, span[1])
    )


def record(tally: Tally, case: Case, before: Annotation, matcher: Matcher) -> None:
    """Re-anchor ``before`` in ``case.text`` with ``matcher`` and count the outcome."""
    t0 = time.perf_counter()
    after = matcher(case.text, before)
    tally.times.append(time.perf_counter() - t0)
    tally.total += 1
    if after.id != before.id:
        tally.broken += 1
    if not after.is_anchored:
        tally.orphaned += 1
        return
    tally.placed += 1
    span = (after.start, after.end)
    if not 0 <= after.start < after.end <= len(case.text):
        tally.broken += 1
    if after.status is AnchorStatus.FUZZY:
        tally.fuzzy += 1
        tally.edges += on_word_edges(case.text, span, before)
    if case.truth is not None and iou(span, case.truth) >= IOU_RIGHT_PLACE:
        tally.right += 1
        tally.exact += span == case.truth
    else:
        tally.false += 1


def run(
    articles: list[str], samples: int, seed: int, matchers: dict[str, Matcher]
) -> dict[tuple[str, str], Tally]:
    """Run every class ``samples`` times with each matcher, on the same samples."""
    rng = random.Random(seed)
    vocabulary = sorted({w for w in re.findall(r"[^\W\d_]{2,}", articles[0] + articles[-1])})
    tallies = {(kind, name): Tally() for kind in CLASSES for name in matchers}
    for number in range(samples):
        text = rng.choice(articles)
        span = pick_quote(rng, text)
        annotation = Annotation.create(text, span[0], span[1], "doc")
        copies_before = copies(annotation.quote, text)
        for kind in CLASSES:
            case = make_case(kind, rng, articles, vocabulary, text, span)
            if case is None:
                continue
            if copies(annotation.quote, case.text) > (0 if kind in QUOTE_EDITS else copies_before):
                # An identical copy remains or came in with the edit (the corpus
                # holds near-duplicate articles): an exact match there is legitimate.
                continue
            # The first matcher to see a new text pays for what Python computes
            # once per string; taking turns spreads that over both.
            order = list(matchers.items())
            for name, matcher in order[number % 2 :] + order[: number % 2]:
                record(tallies[kind, name], case, annotation, matcher)
    return tallies


# ----------------------------------------------------------------------------- big text


def build_book(rng: random.Random, articles: list[str], megabytes: int) -> str:
    """Return a ``megabytes`` MB text: the articles amid word-shuffled padding."""
    real = "\n\n".join(rng.sample(articles, len(articles)))
    words = real.split()
    pad_chars = max(0, megabytes * 1_000_000 - len(real)) // 2
    padding = []
    for _ in range(2):
        rng.shuffle(words)
        shuffled = " ".join(words)
        padding.append((shuffled * (pad_chars // max(1, len(shuffled)) + 1))[:pad_chars])
    return padding[0] + "\n\n" + real + "\n\n" + padding[1]


def big_text_timings(
    articles: list[str],
    megabytes: int,
    highlights: int,
    seed: int,
    matchers: dict[str, Matcher],
) -> dict[str, float]:
    """Return, per matcher, seconds to re-anchor every highlight of the big edited text."""
    rng = random.Random(seed)
    book = build_book(rng, articles, megabytes)
    step = len(book) // highlights
    annotations = []
    for number in range(highlights):
        start = book.index(" ", number * step) + 1
        end = book.index(" ", start + rng.randint(20, 120))
        annotations.append(Annotation.create(book, start, end, "book"))
    # Edit from the end backwards so earlier offsets stay valid while editing.
    text = book
    for number in reversed(range(highlights)):
        start, end = annotations[number].start, annotations[number].end
        quote = text[start:end]
        if number % 100 == 1:
            text = text[:start] + text[end:]
        elif number % 50 == 2:
            text = text[:start] + quote.replace(" ", "\n") + text[end:]
        elif number % 20 == 3:
            edited = typo(rng, quote) or quote
            text = text[:start] + edited + text[end:]
    text = "A new opening paragraph, added by an edit.\n\n" + text
    timings = {}
    for name, matcher in matchers.items():
        t0 = time.perf_counter()
        for annotation in annotations:
            matcher(text, annotation)
        timings[name] = time.perf_counter() - t0
    return timings


# ----------------------------------------------------------------------------- report


def figures(tallies: list[Tally]) -> dict[str, float]:
    """Return the rates (percent, median over the runs' tallies) and timings of one row."""
    times = sorted(x * 1000 for t in tallies for x in t.times) or [0.0]
    result = {
        "n": statistics.median(t.total for t in tallies),
        # Word edges are judged on approximate matches only (100 when there are none).
        "edges": statistics.median(100 * t.edges / t.fuzzy if t.fuzzy else 100.0 for t in tallies),
        "median ms": statistics.median(times),
        "p99 ms": times[min(len(times) - 1, int(0.99 * len(times)))],
        "broken": sum(t.broken for t in tallies),
    }
    for attr in ("right", "exact", "fuzzy", "false", "orphaned"):
        result[attr] = statistics.median(t.rate(getattr(t, attr)) for t in tallies)
    return result


def verdict(kind: str, row: dict[str, float]) -> str:
    """The targets of ``kind`` with met / MISSED against ``row`` (empty without targets)."""
    parts = []
    for metric, sense, value in TARGETS.get(kind, ()):
        met = row[metric] >= value if sense == "min" else row[metric] <= value
        sign = ">=" if sense == "min" else "<="
        parts.append(f"{metric} {sign} {value:g} % {'met' if met else '**MISSED**'}")
    return "; ".join(parts)


COLUMNS = ("right", "exact", "fuzzy", "edges", "false", "orphaned")
HEADER = (
    "| class | code | n | right place | exact boundary | approximate | word edges | false "
    "| orphaned | median ms | p99 ms | target |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)


def main(argv: list[str] | None = None) -> None:
    """Parse options, run the bench, print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--samples", type=int, default=1000, help="quotes per run")
    parser.add_argument("--runs", type=int, default=3, help="runs (seeds seed..seed+runs-1)")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument(
        "--baseline", default=DEFAULT_BASELINE, help="git revision measured as 'before'; '' skips"
    )
    parser.add_argument("--big-mb", type=int, default=20, help="big text size; 0 skips")
    parser.add_argument("--big-highlights", type=int, default=1000)
    args = parser.parse_args(argv)

    articles = load_articles(args.corpus)
    matchers: dict[str, Matcher] = {"after": anchoring.reanchor}
    if args.baseline:
        matchers = {"before": load_revision(args.baseline).reanchor, **matchers}
    print(f"corpus: {args.corpus} ({len(articles)} articles)")
    before = args.baseline or "(skipped)"
    print(f"before = the anchoring code at {before}; after = the working tree")
    results = [run(articles, args.samples, args.seed + i, matchers) for i in range(args.runs)]
    print(f"\n{args.runs} run(s) x {args.samples} quotes; rates are the median over the runs\n")
    print(HEADER)
    for kind in CLASSES:
        for name in matchers:
            row = figures([r[kind, name] for r in results])
            rates = " | ".join(f"{row[column]:.2f} %" for column in COLUMNS)
            broken = f" ({row['broken']:.0f} BROKEN)" if row["broken"] else ""
            print(
                f"| {kind} | {name} | {row['n']:.0f} | {rates} | {row['median ms']:.2f} "
                f"| {row['p99 ms']:.2f} | {verdict(kind, row) if name == 'after' else ''}{broken} |"
            )
    if args.big_mb:
        print(
            f"\nre-anchor {args.big_highlights} highlights in a {args.big_mb} MB text "
            f"(median of {args.runs} runs; target after < 2 s):"
        )
        seconds: dict[str, list[float]] = {name: [] for name in matchers}
        for i in range(args.runs):
            timings = big_text_timings(
                articles, args.big_mb, args.big_highlights, args.seed + i, matchers
            )
            for name, value in timings.items():
                seconds[name].append(value)
        for name, values in seconds.items():
            print(
                f"  {name:<7} {statistics.median(values):8.3f} s  (runs: "
                + ", ".join(f"{v:.3f}" for v in values)
                + ")"
            )


if __name__ == "__main__":
    main()
