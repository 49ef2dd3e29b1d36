"""Generated texts of a given size: English-like prose (from the corpus when present) or CJK."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from .corpus import corpus_files

#: A megabyte, as the text sizes count it (UTF-8 bytes).
MB = 1_000_000

_WORD_TEXT = (
    "the of and to in a is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when if "
    "market government economy growth company shares profits technology mobile phone "
    "network software users digital music online broadband service chief executive analysts"
)
#: Common English and news words, for prose without the corpus.
WORDS = _WORD_TEXT.split()


def english_paragraphs(seed: int = 1) -> Iterator[str]:
    """Endless paragraphs of English-like prose (corpus articles when available).

    The corpus gives realistic word lengths and punctuation; the synthetic
    fallback keeps the benches runnable on a fresh clone.
    """
    files = corpus_files()
    rng = random.Random(seed)
    if files:
        paragraphs = [
            para.strip()
            for path in files[:300]
            for para in path.read_text(encoding="utf-8", errors="replace").split("\n\n")
            if para.strip()
        ]
        while True:
            yield rng.choice(paragraphs)
    while True:
        words = [rng.choice(WORDS) for _ in range(rng.randint(40, 120))]
        yield " ".join(words).capitalize() + "."


def cjk_paragraphs(seed: int = 2) -> Iterator[str]:
    """Endless paragraphs of CJK ideographs (double-width cells) with CJK punctuation."""
    rng = random.Random(seed)
    while True:
        chars = []
        for _ in range(rng.randint(80, 400)):
            chars.append(chr(rng.randint(0x4E00, 0x9FA5)))
            if rng.random() < 0.06:
                chars.append(rng.choice("，。、；："))
        yield "".join(chars) + "。"


def make_text(size_bytes: int, kind: str = "en", seed: int = 1) -> str:
    """A text of about ``size_bytes`` UTF-8 bytes: ``en`` (single-width) or ``cjk``."""
    paragraphs = english_paragraphs(seed) if kind == "en" else cjk_paragraphs(seed)
    parts: list[str] = ["A generated book for the benchmarks\n\n"]
    total = len(parts[0])
    per_char = 1 if kind == "en" else 3
    while total < size_bytes:
        paragraph = next(paragraphs)
        parts.append(paragraph)
        parts.append("\n\n")
        total += len(paragraph) * per_char + 2
    return "".join(parts)


def write_text_file(folder: Path, name: str, size_bytes: int, kind: str = "en") -> Path:
    """Write a generated text of ``size_bytes`` to ``folder/name`` (UTF-8) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(make_text(size_bytes, kind), encoding="utf-8")
    return path
