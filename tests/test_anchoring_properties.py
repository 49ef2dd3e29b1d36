"""Properties of re-anchoring that hold for any text and any edit (Hypothesis)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from ipreader.core.anchoring import MIN_SCORE, anchor, reanchor
from ipreader.core.anchoring.spans import cuts_word, ends_inside_word, starts_inside_word
from ipreader.core.model import CONTEXT_CHARS, AnchorStatus, Annotation

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = st.sampled_from(
    [
        "river",
        "stone",
        "market",
        "winter",
        "signal",
        "paper",
        "garden",
        "copper",
        "silent",
        "orbit",
        "lantern",
        "velvet",
    ]
)
PHRASES = st.lists(WORDS, min_size=3, max_size=60).map(" ".join)
# Inserted text never contains lowercase letters, so it cannot create a copy of a quote.
INSERTS = st.text(alphabet="ABCDEFGH0123456789 .,\n", min_size=1, max_size=80)
# Prose-like text: words, punctuation and whitespace of several kinds.
PROSE = st.lists(
    st.one_of(WORDS, st.sampled_from([", ", ". ", "\n", "  ", " - ", "; "])),
    min_size=5,
    max_size=80,
).map(" ".join)
EDIT_CHARS = "abcdefgh xyz,.\n"


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def occurrences(text: str, quote: str) -> int:
    """Count occurrences of ``quote`` in ``text``, overlapping ones too."""
    return sum(text.startswith(quote, at) for at in range(len(text)))


@st.composite
def text_with_quote(
    draw: st.DrawFn, texts: st.SearchStrategy[str] = PHRASES
) -> tuple[str, int, int]:
    """A text and a quote span in it of 4..80 characters."""
    text = draw(texts.filter(lambda t: len(t) >= 4))
    start = draw(st.integers(0, len(text) - 4))
    end = draw(st.integers(start + 4, min(len(text), start + 80)))
    return text, start, end


@st.composite
def edits_outside(draw: st.DrawFn, text: str, start: int, end: int) -> tuple[str, int, int]:
    """Apply 1..4 insertions/deletions before or after ``[start, end)``."""
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            at = draw(st.integers(0, start))
            cut = draw(st.integers(0, start - at))
            added = draw(st.one_of(st.just(""), INSERTS))
            text = text[:at] + added + text[at + cut :]
            start, end = start + len(added) - cut, end + len(added) - cut
        else:
            at = draw(st.integers(end, len(text)))
            cut = draw(st.integers(0, len(text) - at))
            text = text[:at] + draw(st.one_of(st.just(""), INSERTS)) + text[at + cut :]
    return text, start, end


@st.composite
def edits_anywhere(draw: st.DrawFn, text: str) -> str:
    """Apply 1..6 small insertions, deletions or substitutions anywhere in ``text``."""
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, min(3, len(text) - at)))
        text = text[:at] + draw(st.text(EDIT_CHARS, max_size=3)) + text[at + cut :]
    return text


# --- exact ---------------------------------------------------------------------------------


@PROPERTY
@given(case=text_with_quote(st.text(min_size=4, max_size=300)))
def test_anchoring_an_unchanged_text_is_exact(case: tuple[str, int, int]) -> None:
    text, start, end = case
    ann = Annotation.create(text, start, end, "doc.txt")
    match = anchor(text, ann.quote, ann.prefix, ann.suffix, ann.start)
    assert match is not None
    assert (match.start, match.end, match.status, match.score) == (
        start,
        end,
        AnchorStatus.ANCHORED,
        100.0,
    )


@PROPERTY
@given(data=st.data(), case=text_with_quote())
def test_edits_around_a_unique_quote_find_its_exact_new_position(
    data: st.DataObject, case: tuple[str, int, int]
) -> None:
    text, start, end = case
    ann = Annotation.create(text, start, end, "doc.txt")
    new_text, new_start, new_end = data.draw(edits_outside(text, start, end))
    assume(occurrences(new_text, ann.quote) == 1)
    after = reanchor(new_text, ann)
    assert (after.start, after.end) == (new_start, new_end)
    assert after.status in (AnchorStatus.ANCHORED, AnchorStatus.MOVED)


@PROPERTY
@given(
    parts=st.lists(PHRASES, min_size=3, max_size=3),
    quote=PHRASES,
    which=st.integers(0, 1),
    shift=INSERTS,
)
def test_repeated_quotes_are_resolved_by_their_context(
    parts: list[str], quote: str, which: int, shift: str
) -> None:
    before, between, after = parts
    text = f"{before} ONE {quote} TWO {between} THREE {quote} FOUR {after}"
    start = text.index(quote) if which == 0 else text.rindex(quote)
    ann = Annotation.create(text, start, start + len(quote), "doc.txt")
    found = reanchor(shift + text, ann)
    assert (found.start, found.end) == (ann.start + len(shift), ann.end + len(shift))


@PROPERTY
@given(case=text_with_quote(), layout=st.lists(st.sampled_from([" ", "\n", "  ", "\n\n", " \n "])))
def test_a_rewrapped_text_finds_the_quote_exactly_on_its_words(
    case: tuple[str, int, int], layout: list[str]
) -> None:
    text, start, end = case
    ann = Annotation.create(text, start, end, "doc.txt")
    words = ann.quote.split()
    assume(len(words) >= 2 and not ann.quote[0].isspace() and not ann.quote[-1].isspace())
    pieces = text.split(" ")
    spaces = [layout[i % len(layout)] if layout else "\n" for i in range(len(pieces) - 1)]
    wrapped = "".join(p + s for p, s in zip(pieces, [*spaces, ""], strict=True))
    assume(" ".join(wrapped.split()).count(" ".join(words)) == 1)
    after = reanchor(wrapped, ann)
    assert after.status in (AnchorStatus.ANCHORED, AnchorStatus.MOVED)
    assert wrapped[after.start : after.end].split() == words
    assert not wrapped[after.start].isspace() and not wrapped[after.end - 1].isspace()


@PROPERTY
@given(case=text_with_quote(), hint=st.integers(-100, 10_000))
def test_a_deleted_quote_is_never_claimed_exactly(case: tuple[str, int, int], hint: int) -> None:
    text, start, end = case
    ann = Annotation.create(text, start, end, "doc.txt")
    new_text = text.replace(ann.quote, "")
    # (Its words may remain: the whitespace around a quote does not count.)
    assume(" ".join(ann.quote.split()) not in " ".join(new_text.split()))
    match = anchor(new_text, ann.quote, ann.prefix, ann.suffix, hint)
    # Only an approximate match may remain, and only one that passed the minimum score.
    assert match is None or (match.status is AnchorStatus.FUZZY and match.score >= MIN_SCORE)


# --- approximate -----------------------------------------------------------------------------


@PROPERTY
@given(
    seed=st.sampled_from(SEED_TEXTS),
    offset=st.integers(0, 10_000),
    length=st.integers(30, 150),
    where=st.floats(0, 1),
    letter=st.sampled_from("#@%"),
)
# Issue 15: the quote spans the title repeated every 97 characters; the edit
# leaves two places one letter off the quote. Refusing is right, a copy is not.
@example(seed=SEED_TEXTS[1], offset=1, length=113, where=0.875, letter="#")
def test_a_one_letter_edit_inside_a_real_quote_is_found_in_place(
    seed: str, offset: int, length: int, where: float, letter: str
) -> None:
    start = offset % (len(seed) - length)
    ann = Annotation.create(seed, start, start + length, "doc.txt")
    at = start + int(where * (length - 1))
    text = seed[:at] + letter + seed[at + 1 :]
    # The seeds repeat their titles: no copy of the quote may remain (whitespace aside).
    assume(" ".join(ann.quote.split()) not in " ".join(text.split()))
    after = reanchor(text, ann)
    unique = all(
        seed.count(half) == 1 for half in (ann.quote[: length // 2], ann.quote[length // 2 :])
    )
    covered = text[after.start : after.end]
    if unique and covered.split() != ann.quote.split():  # (a space at an edge became a letter)
        assert after.status is AnchorStatus.FUZZY
    if after.is_anchored:
        assert iou((after.start, after.end), (start, start + length)) >= 0.9
    else:
        # Only where the seed repeats itself (its title, three times) may the
        # margin refuse to choose; it must never pick a wrong copy.
        assert not unique


@PROPERTY
@given(data=st.data(), case=text_with_quote(PROSE))
def test_an_approximate_match_never_cuts_a_word_the_quote_did_not(
    data: st.DataObject, case: tuple[str, int, int]
) -> None:
    text, start, end = case
    ann = Annotation.create(text, start, end, "doc.txt")
    new_text = data.draw(edits_anywhere(text))
    after = reanchor(new_text, ann)
    if after.status is AnchorStatus.FUZZY:
        assert starts_inside_word(ann.quote, ann.prefix) or not cuts_word(new_text, after.start)
        assert ends_inside_word(ann.quote, ann.suffix) or not cuts_word(new_text, after.end)


@st.composite
def edited_inside(draw: st.DrawFn) -> tuple[str, int, int, str, int, int]:
    """A seed, a quote of 6..9 words in it, and the seed with a word inserted or cut inside it.

    Returns ``(seed, start, end, edited, passage start, passage end)``.
    """
    seed = draw(st.sampled_from(SEED_TEXTS))
    words = [m.span() for m in re.finditer(r"\S+", seed)]
    count = draw(st.integers(6, 9))
    first = draw(st.integers(0, len(words) - count))
    start, end = words[first][0], words[first + count - 1][1]
    # Beyond twice the stored context from either end of the text: the context
    # on each side tells where the passage begins and ends (the quote's edge
    # word next to an inserted one fits less well than nothing: "last" beside
    # "inserted last"), and text can move beyond it.
    assume(start > 2 * CONTEXT_CHARS and end < len(seed) - 2 * CONTEXT_CHARS)
    how = draw(st.sampled_from(["after the first", "before the last", "cut"]))
    if how == "cut":  # an inner word and the space before it
        inner = words[first + draw(st.integers(1, count - 2))]
        at, cut, added = inner[0] - 1, inner[1] - inner[0] + 1, ""
    else:
        at = words[first][1] if how == "after the first" else words[first + count - 1][0] - 1
        cut, added = 0, " " + draw(WORDS)
    edited = seed[:at] + added + seed[at + cut :]
    return seed, start, end, edited, start, end + len(added) - cut


@PROPERTY
@given(case=edited_inside(), data=st.data())
def test_an_edited_quote_is_placed_alike_whatever_moved_far_before_or_after_it(
    case: tuple[str, int, int, str, int, int], data: st.DataObject
) -> None:
    # Issue 14 (a user's trial): found after "directly " was inserted inside it,
    # orphaned once 5 characters were removed two paragraphs earlier.
    seed, start, end, edited, p_start, p_end = case
    ann = Annotation.create(seed, start, end, "doc.txt")
    assume(fuzz.ratio(ann.quote, edited[p_start:p_end]) >= MIN_SCORE)
    assume(" ".join(ann.quote.split()) not in " ".join(edited.split()))
    opened = reanchor(edited, ann)  # the edited article opened once
    if opened.is_anchored:
        # Placed on the whole edited passage, not on the part that fits best.
        assert (opened.start, opened.end, opened.status) == (p_start, p_end, AnchorStatus.FUZZY)
    here = reanchor(edited, opened)
    shift = data.draw(st.integers(-40, 40).filter(bool))  # characters added (cut when < 0)
    # Anywhere beyond the stored context on either side, in the text.
    last_before = p_start - CONTEXT_CHARS + min(shift, 0)
    first_after, last_after = p_end + CONTEXT_CHARS, len(edited) + min(shift, 0)
    places = [st.integers(0, last_before)] if last_before >= 0 else []
    if first_after <= last_after:
        places.append(st.integers(first_after, last_after))
    assume(places)
    at = data.draw(st.one_of(places))
    moved = shift if at < p_start else 0
    if shift > 0:
        text = edited[:at] + "Z" * shift + edited[at:]
    else:
        text = edited[:at] + edited[at - shift :]
    there = reanchor(text, opened)
    assert there.status == here.status
    if here.is_anchored:
        assert (there.start, there.end) == (here.start + moved, here.end + moved)


# --- reanchor ----------------------------------------------------------------------------------


@PROPERTY
@given(data=st.data(), case=text_with_quote(PROSE), rounds=st.integers(1, 4))
def test_the_original_is_never_overwritten_and_comes_back_with_its_text(
    data: st.DataObject, case: tuple[str, int, int], rounds: int
) -> None:
    text, start, end = case
    ann = Annotation.create(text, start, end, "doc.txt").edited(note="mine", tags=["t"])
    current = ann
    for _ in range(rounds):
        edited = data.draw(edits_anywhere(text)) if data.draw(st.booleans()) else text[: start + 2]
        current = reanchor(edited, current)
        assert (current.quote, current.prefix, current.suffix) == (
            ann.quote,
            ann.prefix,
            ann.suffix,
        )
        assert (current.id, current.note, current.tags, current.updated, current.revision) == (
            ann.id,
            ann.note,
            ann.tags,
            ann.updated,
            ann.revision,
        )
    assume(occurrences(text, ann.prefix + ann.quote + ann.suffix) == 1)
    back = reanchor(text, current)
    assert (back.start, back.end) == (start, end)
    assert back.status in (AnchorStatus.ANCHORED, AnchorStatus.MOVED) and back.score is None


@PROPERTY
@given(case=text_with_quote(PROSE), new_text=st.one_of(PROSE, st.text(max_size=200)))
def test_reanchor_keeps_every_annotation_and_what_its_status_promises(
    case: tuple[str, int, int], new_text: str
) -> None:
    text, start, end = case
    ann = Annotation.create(text, start, end, "doc.txt")
    for candidate in (new_text, text[:start] + new_text + text[start:]):
        after = reanchor(candidate, ann)
        assert after.id == ann.id and after.quote == ann.quote
        if after.status is AnchorStatus.ORPHANED:
            assert (after.start, after.end, after.score) == (ann.start, ann.end, None)
            continue
        assert after.current_text(candidate) is not None
        if after.status is AnchorStatus.FUZZY:
            assert after.score is not None and MIN_SCORE <= after.score < 100
        else:
            assert after.score is None


@PROPERTY
@given(
    text=st.text(max_size=300),
    quote=st.text(max_size=60),
    prefix=st.text(max_size=100),
    suffix=st.text(max_size=100),
    hint=st.one_of(st.none(), st.integers(-(10**12), 10**12)),
)
def test_anchor_never_raises_and_always_returns_a_valid_span(
    text: str, quote: str, prefix: str, suffix: str, hint: int | None
) -> None:
    match = anchor(text, quote, prefix, suffix, hint)
    if match is None:
        return
    assert 0 <= match.start < match.end <= len(text)
    if match.status is AnchorStatus.FUZZY:
        assert MIN_SCORE <= match.score < 100
    else:
        assert match.score == 100.0
        assert text[match.start : match.end].split() == quote.split()
