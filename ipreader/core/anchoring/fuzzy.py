"""The approximate tier: where an edited quote lies, if one place clearly wins.

(Over 450 lines: one idea, the approximate tier. Its candidates, boundaries and
scores share the thresholds and limits defined here; the fitting split out
would import them back from the module that imports it.)

1. Candidates: the best non-overlapping alignments (rapidfuzz
   ``partial_ratio_alignment``) of pieces of the quote -- the quote itself, or
   its head and tail when it is long, and for a short quote also the quote
   with the context around it, which a few letters alone cannot place.
2. Each candidate's boundaries are fitted to where the quote's head and tail
   match best, on word edges (a boundary may fall inside a word only where the
   original quote's did). A quote of up to ``MAX_PIECE`` characters is fitted
   whole, each boundary sought as far as an edit ``MIN_SCORE`` accepts may have
   moved it (``edit_reach``), in turn until they agree: the span found depends
   on the passage, not on the alignment that first guessed it.
3. Each is scored: quote similarity, mixed with prefix/suffix agreement.
4. The best is accepted only with a quote similarity of at least ``MIN_SCORE``,
   a combined score of at least ``MIN_COMBINED`` and a lead of ``MARGIN`` over
   the runner-up. The old position only centres the search; it never settles
   an ambiguity (issue 15: a copy of the quote is not the quote).

The work is bounded whatever the input: the search covers at most
``MAX_FUZZY_SPAN`` characters, pieces are at most ``MAX_PIECE`` characters,
long quotes are compared piecewise and quotes over ``MAX_FUZZY_QUOTE``
characters are not sought approximately at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from ipreader.core.anchoring.spans import (
    adjacency,
    context_score,
    ends_inside_word,
    starts_inside_word,
    window,
    word_edges,
)

#: Minimum quote similarity (0..100, rapidfuzz ``ratio``) of an approximate match.
#: A quote edited by <= 10 % of its characters scores >= 90 at its true place,
#: while the best place of a *deleted* quote elsewhere in its article rarely
#: reaches 85 (bench/anchoring_accuracy.py; figures in bench/RESULTS.md).
MIN_SCORE = 85.0

#: Lead (in combined score points) the best candidate needs over the runner-up.
#: Near-equal candidates (repeated or periodic text, a sentence repeated with
#: one word changed) make the quote ambiguous; orphaning is safer than guessing.
MARGIN = 5.0

#: Minimum combined score (quote similarity mixed with prefix/suffix agreement,
#: see ``CONTEXT_WEIGHT``) of an approximate match. Surroundings that agree no
#: better than chance (~40 for English) then need a near-perfect quote. On the
#: bench (3 x 1,000 quotes) this rejects every false match of a deleted quote
#: that passed ``MIN_SCORE`` (11 of them) and orphans 0.3 % of quotes with a
#: typo whose surroundings were edited as well.
MIN_COMBINED = 80.0

#: Weight of prefix/suffix agreement in a candidate's combined score: large
#: enough that context decides between near-equal quote matches, small enough
#: that context alone (where a deleted quote used to be) cannot win.
CONTEXT_WEIGHT = 0.25

#: Quotes with fewer characters (not counting surrounding whitespace) never
#: match approximately: a few letters match anywhere.
MIN_FUZZY_QUOTE = 4

#: Longest piece of a quote aligned in one go; longer quotes are sought by their
#: head and tail (an alignment costs the product of the lengths).
MAX_PIECE = 256

#: Quotes shorter than this are also sought with ``SHORT_CONTEXT`` characters
#: of their context on each side: a short quote with a typo aligns well in too
#: many places to find its own among the best few.
SHORT_QUOTE = 48
SHORT_CONTEXT = 16

#: Most characters searched (centred on the old position), so a re-anchor in a
#: 50 MB book stays well under a second.
MAX_FUZZY_SPAN = 1_000_000

#: In texts longer than this window, the search first covers this many
#: characters on each side of the old position (books edited near a highlight).
LOCAL_RADIUS = 32_768

#: Alignments kept per piece and region (the best and its runners-up).
FUZZY_CANDIDATES = 4

#: Most characters a long quote's boundary moves while fitting (its boundaries
#: are first re-aligned by its head and tail, then fitted).
MAX_SLACK = 64

#: Most rounds of fitting a quote's end, then its start, anew (``fit``): one
#: more than a guess whose end lies beyond its reach needs (seen on the bench).
FIT_ROUNDS = 4

#: How far a boundary may move to leave a word it cuts; a boundary with no word
#: edge this close drops the candidate (a "word" that long is no prose).
MAX_WORD = 64

#: Quotes longer than this are scored piecewise: ``SCORE_PIECES`` pieces of
#: ``MAX_PIECE`` characters, each sought near where it should lie (a plain
#: similarity costs the square of the length: 30 s for a million characters).
MAX_SCORED = 4_096
SCORE_PIECES = 16

#: Longest quote sought approximately. A longer one (a pasted chapter, a hostile
#: record) is only re-anchored when found whole (the exact tiers, linear in the
#: text): its similarity would be judged on pieces covering under a quarter of it,
#: so an acceptance would be a guess, and in repetitive text each of its alignments
#: costs a pass over up to ``MAX_FUZZY_SPAN`` characters that nothing prunes.
MAX_FUZZY_QUOTE = 4 * SCORE_PIECES * MAX_PIECE

# A candidate this far below MIN_SCORE can neither be accepted nor come close
# enough to matter as a runner-up; skipping it prunes rapidfuzz's search.
_CANDIDATE_FLOOR = MIN_SCORE - 20.0


#: Boundaries already fitted for one text and query: (at_start, the other boundary) -> offset.
Memo = dict[tuple[bool, int], "int | None"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place the quote may lie: ``text[start:end]``, its similarity and combined score."""

    start: int
    end: int
    score: float
    """Quote similarity, 0..100."""
    combined: float
    """``score`` mixed with prefix/suffix agreement (``CONTEXT_WEIGHT``)."""


@dataclass(frozen=True, slots=True)
class Query:
    """What is sought: the original quote, its context, old position and word edges."""

    quote: str
    prefix: str
    suffix: str
    hint: int | None
    free_start: bool
    """The original quote began inside a word, so a match may too."""
    free_end: bool
    """The original quote ended inside a word, so a match may too."""

    @classmethod
    def of(cls, quote: str, prefix: str, suffix: str, hint: int | None) -> Query:
        """Return the query for ``quote`` with its context."""
        return cls(
            quote,
            prefix,
            suffix,
            hint,
            starts_inside_word(quote, prefix),
            ends_inside_word(quote, suffix),
        )


def find_fuzzy(text: str, query: Query) -> Candidate | None:
    """Return the accepted approximate match of ``query`` in ``text``, or ``None``."""
    if len(query.quote.strip()) < MIN_FUZZY_QUOTE or len(query.quote) > MAX_FUZZY_QUOTE:
        return None
    size = len(query.quote)
    center = len(text) // 2 if query.hint is None else query.hint
    regions = []
    if len(text) > 2 * LOCAL_RADIUS + size:
        regions.append(window(center, LOCAL_RADIUS + size // 2, len(text)))
    regions.append(window(center, MAX_FUZZY_SPAN // 2, len(text)))
    for lo, hi in regions:
        ranked = candidates(text, query, lo, hi)
        if not ranked or not acceptable(ranked[0]):
            continue  # nothing acceptable here; a wider region may hold it
        # When ambiguous, stop: a wider region would only add competitors.
        return ranked[0] if clear_lead(ranked) else None
    return None


def acceptable(candidate: Candidate) -> bool:
    """True when ``candidate`` is similar enough to the quote, context included."""
    return candidate.score >= MIN_SCORE and candidate.combined >= MIN_COMBINED


def clear_lead(ranked: list[Candidate]) -> bool:
    """True when the first of ``ranked`` leads the runner-up by at least ``MARGIN``."""
    return len(ranked) < 2 or ranked[0].combined - ranked[1].combined >= MARGIN


def candidates(text: str, query: Query, lo: int, hi: int) -> list[Candidate]:
    """Return the distinct candidates in ``text[lo:hi]``, best first (then the earlier).

    Candidates overlapping a better one by more than half are dropped. The old
    position plays no part: near-equal candidates are refused, not settled by it.
    """
    quote, prefix, suffix = query.quote, query.prefix, query.suffix
    # Pieces of ``extended`` (the quote with some context), and where the quote lies in it.
    before = prefix[-SHORT_CONTEXT:] if len(quote) < SHORT_QUOTE else ""
    after = suffix[:SHORT_CONTEXT] if len(quote) < SHORT_QUOTE else ""
    extended = before + quote + after
    at = len(before)
    pieces = [(at, at + min(len(quote), MAX_PIECE))]
    if len(quote) > MAX_PIECE:
        pieces.append((at + len(quote) - MAX_PIECE, at + len(quote)))
    if before or after:
        pieces.append((0, len(extended)))
    found: list[Candidate] = []
    memo: Memo = {}
    for first, last in pieces:
        for dest_start, dest_end, src_start, src_end in alignments(
            text, extended[first:last], lo, hi
        ):
            # Where the whole quote would lie if the aligned part sits right.
            start = dest_start - (first + src_start - at)
            end = dest_end + (at + len(quote) - (first + src_end))
            span = fit(text, query, start, end, memo)
            if span is not None:
                found.append(score(text, query, *span))
    found.sort(key=lambda c: (-c.combined, c.start))
    distinct: list[Candidate] = []
    for candidate in found:
        if all(_overlap(candidate, kept) <= 0.5 for kept in distinct):
            distinct.append(candidate)
    return distinct


def _overlap(one: Candidate, other: Candidate) -> float:
    """Return the intersection over union of two candidates' spans (0..1; never empty)."""
    inter = min(one.end, other.end) - max(one.start, other.start)
    union = max(one.end, other.end) - min(one.start, other.start)
    return max(0, inter) / union


def alignments(text: str, piece: str, lo: int, hi: int) -> list[tuple[int, int, int, int]]:
    """Return up to ``FUZZY_CANDIDATES`` alignments of ``piece`` in ``text[lo:hi]``, best first.

    Each is ``(dest_start, dest_end, src_start, src_end)``: ``piece[src_start:src_end]``
    aligned with ``text[dest_start:dest_end]``, scoring at least ``_CANDIDATE_FLOOR``.
    After each find, the search goes on left and right of its middle, so the
    next ones overlap it by at most half (periodic text: each copy is its own
    candidate, and a close runner-up is never hidden by the best).
    """
    found: list[tuple[float, int, int, int, int]] = []
    # Each interval keeps its best alignment, so a split only re-searches two halves.
    pending = [(lo, hi)]
    best_of: dict[tuple[int, int], tuple[float, int, int, int, int] | None] = {}
    half = len(piece) // 2
    while len(found) < FUZZY_CANDIDATES:
        for interval in pending:
            best_of[interval] = _align(text, piece, *interval)
        live = [(value, key) for key, value in best_of.items() if value is not None]
        if not live:
            break
        value, interval = max(live, key=lambda item: (item[0][0], -item[0][1]))
        found.append(value)
        del best_of[interval]
        middle = value[1] + half
        pending = [
            part
            for part in ((interval[0], middle), (middle, interval[1]))
            if part[1] - part[0] >= half
        ]
    return [(start, end, src_start, src_end) for _, start, end, src_start, src_end in found]


def _align(text: str, piece: str, lo: int, hi: int) -> tuple[float, int, int, int, int] | None:
    """Return ``(score, dest_start, dest_end, src_start, src_end)`` of the best alignment."""
    result = fuzz.partial_ratio_alignment(piece, text[lo:hi], score_cutoff=_CANDIDATE_FLOOR)
    if result is None:
        return None
    # (A region shorter than the piece is aligned inside it: dest is then all of it.
    # An alignment that scores at all is never empty.)
    return (
        result.score,
        lo + result.dest_start,
        lo + result.dest_end,
        result.src_start,
        result.src_end,
    )


def fit(
    text: str, query: Query, start: int, end: int, memo: Memo | None = None
) -> tuple[int, int] | None:
    """Return the span near ``[start, end)`` that best holds the quote, on allowed edges.

    ``None`` when no boundary is allowed nearby (see ``MAX_WORD``). ``memo``
    keeps boundaries found between calls for the same text and query.
    """
    quote = query.quote
    start = min(max(start, 0), len(text))
    end = min(max(end, start), len(text))
    if len(quote) <= MAX_PIECE:
        return _fit_whole(text, query, start, end, {} if memo is None else memo)
    slack = min(len(quote) // 8 + 2, MAX_SLACK)
    head, tail = quote[: MAX_PIECE // 2], quote[-MAX_PIECE // 2 :]
    reach = min(len(quote) // 8 + 2, MAX_SCORED)
    first = boundary(text, query, head, _realign(text, head, start, reach, True), slack, None, True)
    last = boundary(text, query, tail, _realign(text, tail, end, reach, False), slack, None, False)
    if first is None or last is None or last <= first:
        return None
    return _trimmed(text, quote, first, last)


def _fit_whole(text: str, query: Query, start: int, end: int, memo: Memo) -> tuple[int, int] | None:
    """Return ``fit`` for a quote of at most ``MAX_PIECE`` characters, fitted as a whole.

    A quote edited inside may have grown or shrunk by as much as ``MIN_SCORE``
    allows, and an alignment window of the quote's length says nothing of where
    inside it: an edge may lie ``edit_reach`` from its guess. So the start is
    sought that far around its guess (the end roughly known); then, in turn,
    the end that far around the quote's length after the start, and the start
    before the end, until the end stays put (at most ``FIT_ROUNDS`` times). The
    span then depends on where the passage is, not on which alignment first
    guessed it: a shift of the text before it changes neither where nor whether
    it is found (issue 14).
    """
    quote, size = query.quote, len(query.quote)
    slack = edit_reach(size)

    def side(at_start: bool, other: int) -> int | None:
        # Everything but ``other`` is fixed, so each boundary is found once.
        if (at_start, other) not in memo:
            edge = other - size if at_start else other + size
            memo[at_start, other] = boundary(text, query, quote, edge, slack, other, at_start)
        return memo[at_start, other]

    first = boundary(text, query, quote, start, size // 8 + 2, other=end, at_start=True)
    last = None
    for _ in range(FIT_ROUNDS):
        if first is None:
            return None
        found = side(False, first)
        if found is None:
            return None
        if found == last:
            break
        last = found
        first = side(True, last)
    if first is None or last is None:
        return None
    return _trimmed(text, quote, first, last)


def edit_reach(size: int) -> int:
    """Return how far an edge of a quote of ``size`` characters may have moved by edits inside it.

    A match scoring ``MIN_SCORE`` (rapidfuzz ``ratio``: twice the common
    characters over both lengths) may hold up to ``2 * size * (100 / MIN_SCORE
    - 1)`` characters more than the quote (35 % at 85), fewer when some were
    deleted; two more cover the space around an inserted word.
    """
    return int(2 * size * (100 / MIN_SCORE - 1)) + 2


def _trimmed(text: str, quote: str, start: int, end: int) -> tuple[int, int] | None:
    """Return ``[start, end)`` without the whitespace at either end that ``quote`` lacks.

    (A space next to a word the edit removed can fit as well as nothing.)
    ``None`` when nothing else is left.
    """
    found = text[start:end]
    if not quote[0].isspace():
        start += len(found) - len(found.lstrip())
    if not quote[-1].isspace():
        end -= len(found) - len(found.rstrip())
    return (start, end) if start < end else None


def _realign(text: str, piece: str, edge: int, reach: int, at_start: bool) -> int:
    """Return where ``piece`` begins (ends) within ``reach`` of ``edge``; ``edge`` if nowhere."""
    lo = max(0, edge - reach - (0 if at_start else len(piece)))
    hi = min(len(text), edge + reach + (len(piece) if at_start else 0))
    found = _align(text, piece, lo, hi)
    if found is None:
        return edge
    _, dest_start, dest_end, src_start, src_end = found
    return dest_start - src_start if at_start else dest_end + len(piece) - src_end


def boundary(
    text: str,
    query: Query,
    piece: str,
    edge: int,
    slack: int,
    other: int | None,
    at_start: bool,
) -> int | None:
    """Return the offset near ``edge`` where ``piece`` best begins (``at_start``) or ends.

    ``piece`` is compared with the text between the offset and ``other`` (the
    other boundary), or with a window of its own length when ``other`` is
    None. Only offsets that do not cut a word are tried, unless the original
    quote cut one there (within ``slack`` of ``edge``, else within ``slack +
    MAX_WORD``; ``None`` when none is). The best fit wins, mixed (``combine``)
    with how much of the stored context continues verbatim next to the offset
    (``adjacency``: a substituted last word is covered when the old suffix
    follows it); between equals, the one nearest ``edge``, then the lower.
    Against ``other``, an offset further out than the best fit by ratio is
    not tried where it takes in only words ``piece`` lacks (``_taking_in``).
    """
    free = query.free_start if at_start else query.free_end
    context = query.prefix if at_start else query.suffix
    span = len(piece)
    for reach in (slack, slack + MAX_WORD):
        lo, hi = max(0, edge - reach), min(len(text), edge + reach)
        if other is not None:
            # A boundary never crosses the other one.
            lo, hi = (lo, min(hi, other - 1)) if at_start else (max(lo, other + 1), hi)
        offsets = list(range(lo, hi + 1)) if free else word_edges(text, lo, hi)
        if offsets:
            break
    else:
        return None

    if other is None:
        founds = [
            text[at : at + span] if at_start else text[max(0, at - span) : at] for at in offsets
        ]
    else:
        founds = [text[at:other] if at_start else text[other:at] for at in offsets]
    ratios = [fuzz.ratio(piece, found) for found in founds]
    tried = (
        list(range(len(offsets))) if other is None else _taking_in(piece, founds, ratios, at_start)
    )

    def key(number: int) -> tuple[float, int]:
        offset = offsets[number]
        agreement = adjacency(text, offset, context, at_start) if context else None
        return combine(ratios[number], agreement), -abs(offset - edge)

    # The first of equals: the lower offset when two are as near the edge.
    return offsets[max(tried, key=key)]


def _taking_in(piece: str, founds: list[str], ratios: list[float], at_start: bool) -> list[int]:
    """Return which spans (``founds``, ascending boundary offsets) may hold ``piece``.

    Not those beyond the best fit by ratio (away from the other boundary) that
    take in whitespace, unless they gain characters in common with the piece
    there (its word beyond a word inserted next to it), or what they take in
    begins (ends) the piece verbatim (its first word, when the inserted word
    holds its letters: "it ith was"). Context that happens to continue next to
    an offset (two words ending in "ation ", or words inserted just before the
    quote) must not pull a boundary over words the quote does not hold: within
    the reach an edit inside the quote allows (``edit_reach``), such chances
    are common. The rest of a word the best fit cuts stays open to the context
    (a typo at the quote's end). ``ratios`` are the spans' similarities.
    """
    top = max(ratios)
    # The innermost of the best: the last for a start, the first for an end.
    numbers = range(len(founds))
    best = max(n for n in numbers if ratios[n] == top) if at_start else ratios.index(top)

    def common(number: int) -> int:
        # ratio = 200 * common / (both lengths): the characters in common, back.
        return round(ratios[number] * (len(piece) + len(founds[number])) / 200)

    def foreign(number: int) -> bool:
        found, inner = founds[number], founds[best]
        if len(found) <= len(inner) or common(number) > common(best):
            return False
        if at_start:
            taken = found[: len(found) - len(inner)]
            return not piece.startswith(taken) and any(c.isspace() for c in taken)
        taken = found[len(inner) :]
        return not piece.endswith(taken) and any(c.isspace() for c in taken)

    return [number for number in numbers if not foreign(number)]


def score(text: str, query: Query, start: int, end: int) -> Candidate:
    """Return the candidate ``text[start:end]`` with its quote similarity and combined score."""
    similar = similarity(query.quote, text[start:end])
    context = context_score(text, start, end, query.prefix, query.suffix)
    return Candidate(start, end, similar, combine(similar, context))


def combine(similar: float, context: float | None) -> float:
    """Return quote similarity mixed with context agreement (``CONTEXT_WEIGHT``).

    Without stored context (``None``) the similarity alone.
    """
    if context is None:
        return similar
    return (1 - CONTEXT_WEIGHT) * similar + CONTEXT_WEIGHT * context


def similarity(quote: str, found: str) -> float:
    """Return how similar ``found`` is to ``quote``, 0..100 (rapidfuzz ``ratio``).

    Quotes longer than ``MAX_SCORED`` are compared piecewise: the mean score
    of ``SCORE_PIECES`` pieces, each sought in ``found`` around where it should
    lie, capped by what the two lengths allow.
    """
    if len(quote) <= MAX_SCORED:
        return fuzz.ratio(quote, found)
    cap = 200.0 * min(len(quote), len(found)) / (len(quote) + len(found))
    if cap < _CANDIDATE_FLOOR:
        return cap
    scale = len(found) / len(quote)
    slack = min(MAX_PIECE // 4 + abs(len(found) - len(quote)), MAX_SCORED)
    total = 0.0
    for number in range(SCORE_PIECES):
        at = number * (len(quote) - MAX_PIECE) // (SCORE_PIECES - 1)
        near = round(at * scale)
        region = found[max(0, near - slack) : near + MAX_PIECE + slack]
        total += fuzz.partial_ratio(quote[at : at + MAX_PIECE], region)
    return min(total / SCORE_PIECES, cap)
