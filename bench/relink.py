"""Renamed-and-edited articles found again: relinked share, false relinks, time to detect.

Two scenarios over the BBC corpus (default ``../shared/corpus/bbc``), each in
a fresh folder opened with ``Library.open`` exactly as the app and every
command open it:

1. ``renamed``: ``--count`` articles get annotations (two thirds: three
   highlights; one third: only a document note, so only the text sketch can
   find them), then every one is renamed to a meaningless name and edited
   (word substitutions, a paragraph inserted, a sentence deleted; at most
   ``--edit`` of its characters changed). Success: every document relinked to
   its own file, none to another.
2. ``replaced``: the annotated articles are deleted and *other* corpus
   articles, edited the same way, appear under new names. Every relink would
   be false; success is zero.

Past the corpus's distinct articles, ``renamed`` fills ``--count`` with
composites (the first half of one article and the second half of the next
one, cut at sentences): each shares half its text with two others, the hard
case for the margin.

    .venv/bin/python -m bench.relink --count 1000
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.lib.corpus import corpus_files, need_corpus
from bench.lib.workdirs import isolated_data_dir, temp_dir
from ipreader.core import library as library_module
from ipreader.core.documents import read_document
from ipreader.core.fingerprint import shingles, sketch
from ipreader.core.library import Library
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.relink import MIN_SIMILARITY, MissingDocument
from ipreader.core.store import FolderStore

#: Most of a composite's sketch another text may hold (half of it by construction).
COMPOSITE_LIMIT = 0.6

FILLERS = ("revised", "updated", "amended", "corrected", "new", "further", "later")


@dataclass
class Result:
    """What one scenario measured."""

    documents: int
    relinked_right: int = 0
    relinked_wrong: int = 0
    left_missing: int = 0
    suggested_right: int = 0
    seconds: float = 0.0
    relinking: float = 0.0
    changed: float = 0.0


def distinct_texts(count: int) -> tuple[list[str], int]:
    """``count`` article texts: the corpus's distinct ones, then composites.

    An article sharing half its sketch or more with one already taken is a
    near-duplicate (the corpus holds the same story twice, a few words apart):
    the same article for a reader, so it is left out. A composite is the first
    half of one article and the second half of another, cut at sentences; it
    shares half of itself with each by construction, and is left out when it
    shares more than ``COMPOSITE_LIMIT`` with any text taken (its two halves
    told the same story). Returns the texts and how many corpus articles were
    near-duplicates.
    """
    taken = _Distinct()
    duplicates = 0
    for path in corpus_files():
        if not taken.add(path.read_text(encoding="utf-8"), MIN_SIMILARITY):
            duplicates += 1
    base = len(taken.texts)
    for step in range(1, base):
        for number in range(base):
            if len(taken.texts) >= count:
                return taken.texts[:count], duplicates
            first, second = taken.texts[number], taken.texts[(number + step) % base]
            taken.add(first[: _middle(first)] + "\n\n" + second[_middle(second) :], COMPOSITE_LIMIT)
    return taken.texts[:count], duplicates


class _Distinct:
    """Texts of which none holds ``limit`` or more of another's sketch."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self._postings: dict[int, list[int]] = defaultdict(list)  # shingle -> texts holding it

    def add(self, text: str, limit: float) -> bool:
        """Take ``text`` unless its sketch is ``limit`` or more in a text taken."""
        values = shingles(text)
        own = sketch(values)
        hits = Counter(number for value in own for number in self._postings.get(value, ()))
        if hits and max(hits.values()) >= limit * len(own):
            return False
        for value in values:
            self._postings[value].append(len(self.texts))
        self.texts.append(text)
        return True


def _middle(text: str) -> int:
    """The start of the sentence nearest to the middle of ``text`` (the middle if none)."""
    middle = len(text) // 2
    cuts = [found + 2 for found in (text.rfind(". ", 0, middle), text.find(". ", middle))]
    return min((cut for cut in cuts if cut > 1), key=lambda cut: abs(cut - middle), default=middle)


def edit(text: str, share: float, rng: random.Random) -> tuple[str, float]:
    """Edit ``text`` (substitutions, an inserted paragraph, a deleted sentence).

    Returns the new text and the share of characters changed (at most ``share``).
    """
    size = len(text)
    budget = int(size * share)
    spent = 0
    sentences = text.split(". ")
    if len(sentences) > 3:
        victim = rng.randrange(1, len(sentences) - 1)
        if len(sentences[victim]) < budget // 3:
            spent += len(sentences[victim]) + 2
            del sentences[victim]
    text = ". ".join(sentences)
    paragraph = "This article was updated to add a statement from a spokesperson."
    if spent + len(paragraph) < budget // 2:
        paragraphs = text.split("\n\n")
        paragraphs.insert(rng.randrange(1, max(2, len(paragraphs))), paragraph)
        text = "\n\n".join(paragraphs)
        spent += len(paragraph) + 2
    words = text.split(" ")
    order = list(range(len(words)))
    rng.shuffle(order)
    for index in order:
        filler = rng.choice(FILLERS)
        cost = max(len(words[index]), len(filler))
        if spent + cost > budget:
            break
        words[index] = filler
        spent += cost
    return " ".join(words), spent / max(1, size)


def annotate(root: Path, count: int) -> list[str]:
    """Open ``root``, give each article three highlights (or, one in three, a note only)."""
    library = Library.open([root])
    store = library.collections[0].store
    rng = random.Random(count)
    batch: list[Annotation] = []
    notes: dict[str, DocumentNotes] = {}
    for number, info in enumerate(library.documents()):
        text, _ = library.load(info)  # as the app does: registers the hash and the sketch
        if number % 3 == 2:
            notes[info.relpath] = DocumentNotes(("bench",), f"of {info.relpath}")
            continue
        for _ in range(3):
            start = rng.randrange(0, max(1, len(text) - 80))
            end = start + rng.randint(20, 80)
            # The note names the original file: the measure's ground truth after a relink.
            note = f"of {info.relpath}"
            batch.append(Annotation.create(text, start, end, info.relpath, note=note))
    store.set_documents_notes(notes)
    store.save_annotations(batch)
    return [info.relpath for info in library.documents()]


def measure(root: Path, origin: dict[str, str], total: int) -> Result:
    """Open ``root`` (relinking), then compare each document's new path with ``origin``."""
    spent: list[float] = []
    original = library_module.relink_collection

    def timed(*args: Any) -> list[MissingDocument]:
        began = time.perf_counter()
        try:
            return original(*args)
        finally:
            spent.append(time.perf_counter() - began)

    # Timed where the library calls it: the share of opening that finding and relinking costs.
    library_module.relink_collection = timed
    started = time.perf_counter()
    try:
        library = Library.open([root])
    finally:
        library_module.relink_collection = original
    result = Result(total, seconds=time.perf_counter() - started, relinking=sum(spent))
    stored = FolderStore.open(root).stored_documents()
    for relpath, document in stored.items():
        if document.empty or not (root / relpath).exists():
            continue
        notes = [a.note for a in document.annotations] or [document.notes.note]
        old = notes[0].removeprefix("of ")
        if origin.get(relpath) == old:
            result.relinked_right += 1
        else:
            result.relinked_wrong += 1
    for missing in library.collections[0].missing:
        result.left_missing += 1
        if missing.candidates and origin.get(missing.candidates[0].relpath) == missing.relpath:
            result.suggested_right += 1
    return result


def renamed(count: int, share: float, seed: int) -> Result:
    """Scenario 1: every annotated article renamed and edited."""
    rng = random.Random(seed)
    with temp_dir("relink-") as root:
        texts, duplicates = distinct_texts(count)
        composites = max(0, count - len(corpus_files()) + duplicates)
        print(
            f"renamed: {count} articles = {count - composites} distinct corpus articles + "
            f"{composites} composites ({duplicates} near-duplicates of the corpus left out)"
        )
        for number, text in enumerate(texts):
            (root / f"article-{number:04d}.txt").write_text(text, encoding="utf-8")
        names = annotate(root, count)
        origin: dict[str, str] = {}
        changed = []
        for name in names:
            text = read_document(root / name).text
            (root / name).unlink()
            new_text, spent = edit(text, share, rng)
            new_name = f"{hashlib.sha1((name + str(seed)).encode()).hexdigest()[:12]}.txt"
            (root / new_name).write_text(new_text, encoding="utf-8")
            origin[new_name] = name
            changed.append(spent)
        result = measure(root, origin, len(names))
        result.changed = max(changed)
        return result


def replaced(count: int, share: float, seed: int) -> Result:
    """Scenario 2: the annotated articles deleted, other (edited) articles added."""
    rng = random.Random(seed)
    texts, duplicates = distinct_texts(len(corpus_files()))
    texts = texts[: min(count * 2, len(corpus_files()) - duplicates)]  # no composites
    half = len(texts) // 2
    with temp_dir("relink-") as root:
        for number, text in enumerate(texts[:half]):
            (root / f"article-{number:04d}.txt").write_text(text, encoding="utf-8")
        names = annotate(root, half)
        for name in names:
            (root / name).unlink()
        for number, text in enumerate(texts[half:]):
            new_text, _ = edit(text, share, rng)
            (root / f"other-{number:04d}.txt").write_text(new_text, encoding="utf-8")
        return measure(root, {}, len(names))


def report(name: str, result: Result) -> None:
    """Print one scenario's figures."""
    share = 100 * result.relinked_right / max(1, result.documents)
    print(
        f"{name}: {result.documents} documents, relinked right {result.relinked_right} "
        f"({share:.1f} %), false relinks {result.relinked_wrong}, left missing "
        f"{result.left_missing} (best suggestion right: {result.suggested_right}), "
        f"Library.open {result.seconds:.2f} s, of which finding and relinking "
        f"{result.relinking:.2f} s"
        + (f", most text changed {100 * result.changed:.1f} %" if result.changed else "")
    )


def main() -> None:
    """Run both scenarios and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--count", type=int, default=1000, help="annotated articles")
    parser.add_argument("--edit", type=float, default=0.10, help="most share of text changed")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--quick", action="store_true", help="100 articles, for CI")
    args = parser.parse_args()
    if not need_corpus("the relink bench"):
        return
    count = 100 if args.quick else args.count
    with isolated_data_dir():
        report("renamed and edited", renamed(count, args.edit, args.seed))
        report("deleted, other articles added", replaced(count, args.edit, args.seed))


if __name__ == "__main__":
    main()
