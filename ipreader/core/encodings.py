"""Choosing a legacy encoding for bytes that are not UTF-8.

``charset-normalizer`` proposes candidates from a bounded sample (it decodes
its whole input several times, so a large file would be slow); the candidates
are then re-ranked by how plausible their decoded sample looks, which fixes
its known weak spots: Western text with curly quotes guessed as cp1250, and
short GBK text guessed as Korean cp949.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

#: Bytes given to charset-normalizer to choose a codec.
SAMPLE_BYTES = 32 * 1024

#: Decoded characters scored per candidate.
SCORED_CHARS = 4096

#: Candidates below this plausibility are not offered (random bytes, wrong codecs).
MIN_SCORE = 0.6

# Always considered, whatever charset-normalizer says: the codecs articles
# actually come in. cp1252 first so it wins ties (identical decodings).
_EXTRA_CANDIDATES = ("cp1252", "gb18030", "shift_jis", "cp932", "big5", "cp949")

# Families that need a BOM or NUL bytes; without them they decode noise.
_NEVER = frozenset({"utf-8", "ascii", "utf-16", "utf-16-le", "utf-16-be", "utf-32"})

_WESTERN_PUNCT = frozenset("“”‘’‚„–—…•€™†‡‰‹›«»©®°±·¿¡§¶£¥¢µ\u00a0")

_VALID_UTF8_SEQ = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}"
    rb"|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def looks_like_broken_utf8(data: bytes) -> bool:
    """True when nearly all non-ASCII bytes of ``data`` form valid UTF-8 sequences.

    Such a file is UTF-8 with a few corrupt bytes; decoding it with a legacy
    codec would turn every accented letter into mojibake.
    """
    sample = data[:SAMPLE_BYTES]
    high = sum(1 for byte in sample if byte >= 0x80)
    if high == 0:
        return False
    matches = _VALID_UTF8_SEQ.findall(sample)
    covered = sum(len(seq) for seq in matches)
    return len(matches) >= 3 and covered >= 0.9 * high


def _canonical(name: str) -> str | None:
    """Return Python's canonical name of codec ``name`` (None when unknown)."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


@lru_cache(maxsize=65536)
def _cjk_class(ch: str) -> str:
    """Classify a CJK character: "common" (frequent Han), "rare" (other Han) or ""."""
    for codec, low, high in (
        # Level-1 blocks of the national standards hold the ~3,000 most used characters.
        ("gb2312", 0xB0, 0xD7),
        ("euc_jp", 0xB0, 0xCF),
        ("big5", 0xA4, 0xC6),
    ):
        try:
            lead = ch.encode(codec)[0]
        except UnicodeEncodeError:
            continue
        if low <= lead <= high:
            return "common"
    return "rare"


def _is_boundary(ch: str) -> bool:
    """True for a character ending a word (space or punctuation)."""
    return ch.isspace() or unicodedata.category(ch)[0] == "P"


def plausibility(text: str) -> float:
    """Score 0..1: how much ``text``'s non-ASCII characters look like real text.

    Script statistics stand in for a language model: Western languages use a
    few accented letters among ASCII ones; Korean separates its words with
    spaces while Chinese does not.
    """
    text = text[:SCORED_CHARS]
    letters = latin = hangul = hangul_end = han = han_end = 0
    for index, ch in enumerate(text):
        if ch.isalpha():
            letters += 1
            if "\u00c0" <= ch <= "\u024f":
                latin += 1
        if "\uac00" <= ch <= "\ud7a3" or "\u4e00" <= ch <= "\u9fff":
            # The end of the sample ends a Korean word but says nothing about Han.
            follows = text[index + 1] if index + 1 < len(text) else ""
            if ch >= "\uac00":
                hangul += 1
                hangul_end += not follows or _is_boundary(follows)
            else:
                han += 1
                han_end += follows.isspace()
    # Mostly-accented "Latin" text is Cyrillic or Greek read with the wrong codec.
    latin_weight = 1.0 if latin <= 0.4 * letters else 0.3
    hangul_weight = 1.0 if hangul and hangul_end >= 0.15 * hangul else 0.3
    # Chinese and Japanese put no spaces after ideographs; Korean misread as Han does.
    han_weight = 1.0 if han_end <= 0.1 * max(han, 1) else 0.5

    total = 0.0
    count = 0
    for ch in text:
        if ch < "\x80":
            continue
        count += 1
        total += _weight(ch, latin_weight, hangul_weight, han_weight)
    return total / count if count else 1.0


def _weight(ch: str, latin: float, hangul: float, han: float) -> float:
    """Return how plausible one non-ASCII character is (see ``plausibility``)."""
    if ch in _WESTERN_PUNCT:
        return 1.0
    if "\u00c0" <= ch <= "\u00ff" and ch not in "×÷":
        return latin
    if "\u0100" <= ch <= "\u024f":
        # Latin Extended: real, but cp1250-style misreadings land here.
        return 0.8 * latin
    if "\u0370" <= ch <= "\u06ff":
        return 1.0 if ch.isalpha() else 0.3
    if "\u3040" <= ch <= "\u30ff" or "\u3000" <= ch <= "\u303f" or "\uff01" <= ch <= "\uff9f":
        return 1.0
    if "\u4e00" <= ch <= "\u9fff":
        return han if _cjk_class(ch) == "common" else 0.4 * han
    if "\uac00" <= ch <= "\ud7a3":
        return hangul
    if "\u0080" <= ch <= "\u009f" or unicodedata.category(ch) in ("Co", "Cn", "Cc", "Cs"):
        return 0.0
    return 0.3


def _decode_sample(sample: bytes, encoding: str, truncated: bool) -> str | None:
    """Decode ``sample`` strictly; a cut multi-byte character at its end is forgiven."""
    for trim in range(4 if truncated else 1):
        try:
            return sample[: len(sample) - trim].decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def guess_legacy_encoding(data: bytes) -> list[str]:
    """Return plausible legacy codecs for ``data``, best first (maybe none).

    Only a bounded sample is examined; the caller decodes the whole with each
    candidate in turn, strictly.
    """
    sample = data[:SAMPLE_BYTES]
    truncated = len(data) > len(sample)
    proposed: list[str] = []
    try:
        from charset_normalizer import from_bytes

        for match in from_bytes(sample):
            proposed.append(match.encoding)
    except Exception:
        # A detector failure only loses its suggestions; the fixed candidates remain.
        proposed = []

    ranked: list[tuple[float, int, str]] = []
    seen: set[str] = set()
    for rank, name in enumerate([*_EXTRA_CANDIDATES, *proposed]):
        encoding = _canonical(name)
        if encoding is None or encoding in seen or encoding in _NEVER:
            continue
        seen.add(encoding)
        text = _decode_sample(sample, encoding, truncated)
        if text is None:
            continue
        score = plausibility(text)
        if score >= MIN_SCORE:
            # Extras come first in the rank order, so cp1252 wins exact ties.
            ranked.append((score, -rank, encoding))
    ranked.sort(reverse=True)
    return [encoding for _, _, encoding in ranked]
