"""A generated book shaped like War and Peace, hard-wrapped at 70 columns (for benchmarks).

``make_book(size)`` returns ``(text, chapters)``: BOOK / EPILOGUE divisions
holding ``CHAPTER <roman>`` headings (364 of them in a 3.2 MB book, as in War and
Peace; proportionally more in a bigger one), between paragraphs of the BBC
corpus (``../shared/corpus/bbc``; generated words without it) wrapped at 70
columns as Project Gutenberg texts are, with short one-line paragraphs of
dialogue among them. Self-contained: imports nothing from ``bench/common.py``.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "bbc"
WAR_AND_PEACE_CHARS = 3_200_000
WAR_AND_PEACE_CHAPTERS = 364
WRAP_COLUMNS = 70
_NUMBERS = ["ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN",
            "ELEVEN", "TWELVE", "THIRTEEN", "FOURTEEN", "FIFTEEN"]  # fmt: skip


def roman(number: int) -> str:
    """Return ``number`` (1..3999) in Roman numerals."""
    parts = []
    for value, letters in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while number >= value:
            parts.append(letters)
            number -= value
    return "".join(parts)


def _paragraphs(seed: int) -> list[str]:
    """Paragraphs hard-wrapped at :data:`WRAP_COLUMNS` (corpus prose, or generated words)."""
    rng = random.Random(seed)
    files = sorted(CORPUS.rglob("*.txt")) if CORPUS.is_dir() else []
    raw: list[str] = []
    for path in files:
        lines = path.read_text(encoding="utf-8").split("\n")
        raw.extend(line for line in lines[1:] if len(line) > 60)  # skip titles
    if not raw:
        words = ["".join(rng.choices("etaoinshrdlu", k=rng.randint(1, 9))) for _ in range(2000)]
        raw = [" ".join(rng.choices(words, k=rng.randint(20, 160))) + "." for _ in range(2000)]
    return [textwrap.fill(paragraph, WRAP_COLUMNS) for paragraph in raw]


def make_book(size: int = WAR_AND_PEACE_CHARS, seed: int = 1805) -> tuple[str, int]:
    """Return a hard-wrapped book of about ``size`` code points and its number of chapters."""
    rng = random.Random(seed)
    pool = _paragraphs(seed)
    dialogue = ['"Yes," said he.', '"Well, Prince?"', "And so it was.", '"What of it?"']
    chapters = max(1, round(WAR_AND_PEACE_CHAPTERS * size / WAR_AND_PEACE_CHARS))
    per_chapter = size // chapters
    books = [f"BOOK {_NUMBERS[n % 15]}: {1805 + n}" for n in range(15)]
    books += ["FIRST EPILOGUE: 1813 - 20", "SECOND EPILOGUE"]
    parts = ["WAR AND PEACE\n\nBy Leo Tolstoy\n\n"]
    per_book = -(-chapters // len(books))
    for number in range(chapters):
        book, in_book = divmod(number, per_book)
        if in_book == 0:
            parts.append(f"\n\n{books[book % len(books)]}\n\n")
        parts.append(f"\n\nCHAPTER {roman(in_book + 1)}\n\n")
        written = 0
        while written < per_chapter:
            paragraph = rng.choice(dialogue) if rng.random() < 0.15 else rng.choice(pool)
            parts.append(paragraph + "\n\n")
            written += len(paragraph) + 2
    return "".join(parts), chapters
