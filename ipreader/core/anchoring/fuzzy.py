"""The approximate tier: where an edited quote lies, if one place clearly wins.

Candidates are the best non-overlapping alignments (rapidfuzz
``partial_ratio_alignment``) of the quote (or of its head and tail when it is
long), completed to the whole quote and scored by quote similarity mixed with
prefix/suffix agreement. The best is accepted only with a similarity of at
least ``MIN_SCORE`` and a lead of ``MARGIN`` over the runner-up. The search
covers at most ``MAX_FUZZY_SPAN`` characters around the old position.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from ipreader.core.anchoring.spans import context_score, window

#: Minimum quote similarity (0..100) of a fuzzy match. Measured on the BBC corpus
#: (bench/anchoring_accuracy.py, 3000 quotes of 20..200 chars): a quote edited by
#: <= 10 % of its characters scores >= 90 at its true place (lowest seen: 90.0),
#: while the best alignment of a *deleted* quote elsewhere in its article reaches
#: 85 in ~0.3 % of cases and 80 in ~0.7 % (short quotes and near-identical
#: sentences, e.g. "5% in the last three months of 2004."). 85 keeps a 5-point
#: cushion under true matches.
MIN_SCORE = 85.0

#: Lead (in combined score points) the best fuzzy candidate needs over the
#: runner-up. Near-equal candidates (repeated or periodic text, a sentence
#: repeated with one word changed) mean the quote is ambiguous; orphaning is
#: safer than guessing. 5 points = one edit in a 20-char quote, or a 20-point
#: context difference; with it, the bench's edited quotes are all still found.
MARGIN = 5.0

#: Weight of prefix/suffix similarity in a fuzzy candidate's combined score;
#: large enough that context decides between near-equal quote matches, small
#: enough that context alone (e.g. where a deleted quote used to be) cannot win.
CONTEXT_WEIGHT = 0.25

#: Quotes shorter than this never match fuzzily: a few letters match anywhere.
MIN_FUZZY_QUOTE = 4

#: Longest piece of a quote aligned fuzzily in one go; longer quotes are found
#: by their head and tail (rapidfuzz's partial alignment grows with the square
#: of the quote length: a 5000-char quote takes seconds over 10 KB).
MAX_PIECE = 256

#: Most characters the fuzzy pass searches (centred on the old position), so a
#: re-anchor in a 50 MB book stays well under a second.
MAX_FUZZY_SPAN = 1_000_000

#: In texts longer than this window, the fuzzy pass first searches this many
#: characters on each side of the old position (books edited near a highlight).
LOCAL_RADIUS = 32_768

#: Fuzzy candidates (best and runners-up, non-overlapping) compared per pass.
FUZZY_CANDIDATES = 4

# A candidate this far below MIN_SCORE can neither be accepted nor come close
# enough to matter as a runner-up; skipping it prunes rapidfuzz's search.
_CANDIDATE_FLOOR = MIN_SCORE - 20.0


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    quote_score: float
    combined: float


def find_fuzzy(
    text: str, quote: str, prefix: str, suffix: str, hint: int | None
) -> tuple[int, int, float] | None:
    """Return ``(start, end, similarity)`` of the accepted approximate match, or ``None``."""
    size = len(quote)
    if size < MIN_FUZZY_QUOTE:
        return None
    center = len(text) // 2 if hint is None else hint
    regions: list[tuple[int, int]] = []
    if len(text) > 2 * LOCAL_RADIUS + size:
        regions.append(window(center, LOCAL_RADIUS + size // 2, len(text)))
    regions.append(window(center, MAX_FUZZY_SPAN // 2, len(text)))
    for lo, hi in regions:
        best = _fuzzy(text, quote, prefix, suffix, lo, hi, min_score=MIN_SCORE, margin=MARGIN)
        if best is not None:
            return best.start, best.end, best.quote_score
    return None


def _fuzzy(
    text: str,
    quote: str,
    prefix: str,
    suffix: str,
    lo: int,
    hi: int,
    *,
    min_score: float,
    margin: float,
) -> _Candidate | None:
    """Return the accepted fuzzy match of ``quote`` inside ``text[lo:hi]``, or ``None``."""
    floor = min(_CANDIDATE_FLOOR, min_score)
    size = len(quote)
    spans = _piece_candidates(text, quote[:MAX_PIECE], size, lo, hi, floor, head=True)
    if size > MAX_PIECE:
        # A long quote is sought by its head and by its tail, so an edit that
        # ruins one end still leaves the other to find it.
        spans += _piece_candidates(text, quote[-MAX_PIECE:], size, lo, hi, floor, head=False)
    candidates: list[_Candidate] = []
    for start, end in spans:
        start, end = _complete(text, quote, start, end, prefix, suffix)
        # Completed spans of neighbouring alignments may touch or overlap by a
        # few characters (periodic text); only a span found twice is a duplicate.
        if any(_overlap(start, end, other.start, other.end) > 0.5 for other in candidates):
            continue
        score = fuzz.ratio(quote, text[start:end])
        context = context_score(text, start, end, prefix, suffix)
        combined = (
            score if context is None else (1 - CONTEXT_WEIGHT) * score + (CONTEXT_WEIGHT * context)
        )
        candidates.append(_Candidate(start, end, score, combined))
    if not candidates:
        return None
    candidates.sort(key=lambda c: (-c.combined, c.start))
    best = candidates[0]
    if best.quote_score < min_score or best.end <= best.start:
        return None
    if len(candidates) > 1 and best.combined - candidates[1].combined < margin:
        return None
    return best


def _overlap(start: int, end: int, other_start: int, other_end: int) -> float:
    """Return the intersection over union of two spans (0..1)."""
    inter = min(end, other_end) - max(start, other_start)
    union = max(end, other_end) - min(start, other_start)
    return max(0, inter) / union if union > 0 else 1.0


def _piece_candidates(
    text: str, piece: str, size: int, lo: int, hi: int, floor: float, *, head: bool
) -> list[tuple[int, int]]:
    """Return guessed ``(start, end)`` spans of the whole quote from alignments of ``piece``.

    Up to ``FUZZY_CANDIDATES`` non-overlapping alignments scoring at least
    ``floor``, best first; each found region is cut out before the next search.
    ``piece`` is the head (``head``) or the tail of a quote of ``size`` characters.
    """
    found: list[tuple[float, int, int]] = []
    # Each free interval keeps its best alignment, so a cut only re-searches two halves.
    pending = [(lo, hi)]
    best_of: dict[tuple[int, int], tuple[float, int, int] | None] = {}
    while len(found) < FUZZY_CANDIDATES:
        for interval in pending:
            best_of[interval] = _align(text, piece, interval[0], interval[1], floor)
        pending = []
        live = [(value, key) for key, value in best_of.items() if value is not None]
        if not live:
            break
        value, interval = max(live, key=lambda item: (item[0][0], -item[0][1]))
        found.append(value)
        del best_of[interval]
        _, start, end = value
        pending = [(interval[0], start), (end, interval[1])]
    rest = size - len(piece)
    return [(start, end + rest) if head else (start - rest, end) for _, start, end in found]


def _align(text: str, piece: str, lo: int, hi: int, floor: float) -> tuple[float, int, int] | None:
    """Return ``(score, start, end)`` of ``piece``'s best alignment in ``text[lo:hi]``."""
    region = text[lo:hi]
    if len(region) < len(piece):
        # rapidfuzz would search the region inside the piece instead; a region
        # much shorter than the piece cannot hold it anyway.
        if len(region) * 10 < len(piece) * 9:
            return None
        score = fuzz.ratio(piece, region)
        return (score, lo, hi) if score >= floor else None
    result = fuzz.partial_ratio_alignment(piece, region, score_cutoff=floor)
    if result is None or result.dest_end <= result.dest_start:
        return None
    return result.score, lo + result.dest_start, lo + result.dest_end


def _complete(
    text: str, quote: str, start: int, end: int, prefix: str, suffix: str
) -> tuple[int, int]:
    """Return the span of the whole (edited) quote around a rough guess ``[start, end)``.

    Only the quote's head or tail may have been aligned; the boundaries move
    to where the quote's head and tail match best, which absorbs insertions
    and deletions inside the quote.
    """
    size = len(quote)
    start = min(max(start, 0), len(text))
    end = min(max(end, start), len(text))
    slack = size // 8 + 2
    if size <= MAX_PIECE:
        # Short quote: fit the start with the end roughly known, then the end
        # against the whole quote from that start, then the start again.
        start = _best_boundary(text, quote, prefix, start, slack, fixed=end, at_start=True)
        end = _best_boundary(text, quote, suffix, end, slack, fixed=start, at_start=False)
        start = _best_boundary(text, quote, prefix, start, slack, fixed=end, at_start=True)
        return start, max(end, start)
    head = quote[: MAX_PIECE // 2]
    tail = quote[-MAX_PIECE // 2 :]
    start = _best_boundary(text, head, prefix, start, slack, fixed=None, at_start=True)
    end = _best_boundary(text, tail, suffix, max(end, start + 1), slack, fixed=None, at_start=False)
    return start, max(end, start)


def _best_boundary(
    text: str,
    piece: str,
    context: str,
    edge: int,
    slack: int,
    *,
    fixed: int | None,
    at_start: bool,
) -> int:
    """Return the offset near ``edge`` where ``piece`` best begins (or ends) in ``text``.

    ``piece`` is compared with the text between the offset and ``fixed`` (the
    other boundary), or with a window of its own length when ``fixed`` is None.
    Between offsets that fit equally well, the one whose neighbouring text
    best matches ``context`` (prefix before a start, suffix after an end) wins,
    then the one nearest ``edge``.
    """
    best_key = (-1.0, -1.0, 0)
    best = edge
    span = len(piece)
    for offset in range(max(0, edge - slack), min(len(text), edge + slack) + 1):
        if at_start:
            window = text[offset : offset + span if fixed is None else fixed]
            around = text[max(0, offset - len(context)) : offset]
        else:
            window = text[max(0, offset - span) if fixed is None else fixed : offset]
            around = text[offset : offset + len(context)]
        fit = fuzz.ratio(piece, window)
        key = (fit, fuzz.ratio(context, around) if context else 0.0, -abs(offset - edge))
        if key > best_key:
            best_key = key
            best = offset
    return best
