"""Each anchoring tier on its own: which occurrence, which window, which boundary.

``test_anchoring.py`` follows a highlight through ``anchor``; these tests pin
the rules each tier applies on the way (the nearest copy on either side, the
context that decides between repeats, how far a boundary may move, where the
approximate search looks in a long text), so that a change to any of them is
seen.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ipreader.core import anchoring
from ipreader.core.anchoring import AnchorMatch, anchor, exact, fuzzy, reanchor, spans
from ipreader.core.model import AnchorStatus, Annotation

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
PROSE = "\n\n".join(SEED_TEXTS)

ANCHORED, MOVED, FUZZY = AnchorStatus.ANCHORED, AnchorStatus.MOVED, AnchorStatus.FUZZY
R = exact.NEAR_RADIUS


# --- words and windows ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "cuts"), [(0, False), (1, True), (2, False), (3, False), (4, True), (5, False)]
)
def test_cuts_word_is_true_only_between_two_word_characters(at: int, cuts: bool) -> None:
    assert spans.cuts_word("ab cd", at) is cuts


@pytest.mark.parametrize(
    ("center", "radius", "length", "expected"),
    [(0, 5, 100, (0, 10)), (50, 5, 100, (45, 55)), (98, 5, 100, (90, 100)), (3, 50, 20, (0, 20))],
)
def test_a_window_is_centred_and_shifted_inside_the_text(
    center: int, radius: int, length: int, expected: tuple[int, int]
) -> None:
    assert spans.window(center, radius, length) == expected


@pytest.mark.parametrize(
    ("at", "context", "before", "agreement"),
    [
        (20, "The quick brown fox ", True, 100.0),  # all of it, right before
        (20, "XXXXX quick brown fox ", True, 100.0 * 17 / 22),  # the nearest 17
        (20, "XXXXXXXXXXXbrown fox ", True, 100.0 * 10 / 21),  # 10 count
        (20, "XXXXXXXXXXXXrown fox ", True, 0.0),  # 9 do not
        (4, "The ", True, 100.0),  # a context shorter than 10: all of it
        (4, "Xhe ", True, 0.0),
        (20, "jumps over the lazy", False, 100.0),
        (20, "jumps oveX the", False, 0.0),
        (19, "jumps over the lazy", False, 0.0),
        (20, "", True, 0.0),
    ],
)
def test_adjacency_is_how_much_context_continues_verbatim_next_to_an_offset(
    at: int, context: str, before: bool, agreement: float
) -> None:
    text = "The quick brown fox jumps over the lazy dog"
    assert spans.adjacency(text, at, context, before) == pytest.approx(agreement)


# --- the exact quote: which occurrence ------------------------------------------------------


def placed(length: int, needle: str, *starts: int) -> str:
    """A text of dots with ``needle`` at each of ``starts``."""
    chars = ["."] * length
    for start in starts:
        chars[start : start + len(needle)] = needle
    return "".join(chars)


@pytest.mark.parametrize(
    ("left", "right", "nearest"),
    [
        (2 * R, R + 1, "right"),  # only one side within the first radius: still the nearer
        (R + 1, 2 * R, "left"),
        (R, R - 1, "right"),  # both within it
        (5, 5, "left"),  # a tie: the earlier
        (7, 1, "right"),
    ],
)
def test_the_nearest_occurrence_is_found_on_either_side(
    left: int, right: int, nearest: str
) -> None:
    hint = 3 * R
    text = placed(6 * R, "ab", hint - left, hint + right)
    expected = hint - left if nearest == "left" else hint + right
    assert exact.nearest_occurrence(text, "ab", hint) == expected


def test_the_nearest_occurrence_search_reaches_the_ends_of_the_text() -> None:
    assert exact.nearest_occurrence(placed(20 * R, "ab", 19 * R), "ab", 0) == 19 * R
    assert exact.nearest_occurrence(placed(20 * R, "ab", 3), "ab", 20 * R) == 3
    assert exact.nearest_occurrence(placed(20 * R, "ab"), "ab", 10 * R) is None
    # Overlapping copies, the hint clamped into the text.
    assert exact.nearest_occurrence("aaa", "aa", 0) == 0
    assert exact.nearest_occurrence("aaa", "aa", -5) == 0
    assert exact.nearest_occurrence("aaa", "aa", 99) == 1


def test_occurrences_are_all_found_overlapping_ones_too() -> None:
    assert exact.occurrences("aaaa", "aa", None) == [0, 1, 2]
    assert exact.occurrences("xabxab", "ab", 4) == [1, 4]
    assert exact.occurrences("xyz", "ab", 1) == []


def test_beyond_the_cap_the_occurrences_nearest_the_old_position_are_kept() -> None:
    cap = exact.MAX_EXACT_CANDIDATES
    text = "ab" * (3 * cap)
    assert exact.occurrences(text, "ab", None) == list(range(0, 2 * cap, 2))
    middle = exact.occurrences(text, "ab", 3 * cap + 1)
    assert len(middle) == cap and middle[0] == 2 * cap + 2 and middle[-1] == 4 * cap
    # However far from the old position the copies cluster.
    clustered = "." * 100_000 + "ab" * (2 * cap)
    assert exact.occurrences(clustered, "ab", 0)[0] == 100_000


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("abxabxab", 6, [0, 3, 6]),  # leftwards down to the first
        ("aaaa", 3, [0, 1, 2]),  # overlapping copies, leftwards
        ("aaaa", 0, [0, 1, 2]),
    ],
)
def test_occurrences_are_collected_outwards_without_a_gap(
    text: str, hint: int, expected: list[int]
) -> None:
    needle = "aa" if "x" not in text else "ab"
    assert exact.occurrences(text, needle, hint) == expected


def test_at_the_cap_a_tie_between_sides_goes_to_the_earlier_copy() -> None:
    cap = exact.MAX_EXACT_CANDIDATES
    # From 6000: the copy there, then pairs as far on either side; the last
    # place goes to one of a pair.
    found = exact.occurrences("ab" * (3 * cap), "ab", 3 * cap)
    assert (found[0], found[-1]) == (3 * cap - cap, 3 * cap + cap - 2)


CONTEXTS = "first: ab. second: ab. third: ab."


@pytest.mark.parametrize(
    ("prefix", "suffix", "expected"),
    [
        ("second:x", "", 19),  # the prefix alone decides
        ("", "X third", 19),  # the suffix alone decides
        ("first: ", ". second", 7),
        ("thirdd: ", ".", 30),
    ],
)
def test_context_chooses_between_exact_repeats_with_either_side(
    prefix: str, suffix: str, expected: int
) -> None:
    assert exact.find_verbatim(CONTEXTS, "ab", prefix, suffix, None) == (expected, expected + 2)
    spaced = CONTEXTS.replace(" ab", " a\nb")
    shifted = expected + CONTEXTS[:expected].count(" ab")  # one more character per copy before
    assert exact.find_loose(spaced, "a b", prefix, suffix, None) == (shifted, shifted + 3)


def test_the_prefix_is_compared_with_the_text_before_a_long_quote() -> None:
    text = "alpha: KEY PHRASE HERE. beta: KEY PHRASE HERE."
    second = text.rindex("KEY")
    assert exact.find_verbatim(text, "KEY PHRASE HERE", "betA: ", "", None) == (second, second + 15)


def test_a_whole_context_far_away_beats_a_near_copy_one_letter_off() -> None:
    prefix, suffix = "Text before the quote: ", " and the text after it, at last."
    near = prefix + "KEY" + suffix.replace("at last", "at lasT")
    text = near + " " * 5000 + prefix + "KEY" + suffix
    at = text.rindex("KEY")
    # One letter of 55 costs the near copy less than its closeness gains it
    # (2 points); the whole context still wins.
    assert exact.find_verbatim(text, "KEY", prefix, suffix, 23) == (at, at + 3)


def test_context_outweighs_closeness_to_the_old_position() -> None:
    text = "alpha KEY omega " + "." * 5000 + " beta KEY gamma"
    second = text.rindex("KEY")
    # The old position is at the first copy; the context is nearly the second's.
    assert exact.find_verbatim(text, "KEY", "betA ", " gammA", 6) == (second, second + 3)
    assert exact.find_verbatim(text, "KEY", "", "", second - 100) == (second, second + 3)


def test_the_whole_context_wins_even_far_away_and_with_one_side() -> None:
    unit = "Some text before the quote: KEY"
    near = "Some text before the quotE: KEY"  # one letter off, at the old position
    text = near + "." * 3000 + unit
    far = text.rindex("KEY")
    assert exact.find_verbatim(text, "KEY", "before the quote: ", "", 28) == (far, far + 3)
    assert exact.find_verbatim("aaa", "a", "", "a", None) == (0, 1)


def test_without_a_position_the_first_of_equal_repeats_is_taken() -> None:
    assert exact.find_verbatim("x ab ab ab", "ab", "", "", None) == (2, 4)
    assert exact.find_loose("x a b a  b", "a b", "", "", None) == (2, 5)


def test_many_repeats_are_chosen_near_the_old_position() -> None:
    cap = exact.MAX_EXACT_CANDIDATES
    text = "ab " * (3 * cap)
    assert anchor(text, "ab", "", "", 3 * 2 * cap + 1) == AnchorMatch(
        6 * cap, 6 * cap + 2, MOVED, 100.0
    )
    assert anchor(text, "ab  ab", "", "", 3 * 2 * cap + 1) == AnchorMatch(
        6 * cap, 6 * cap + 5, MOVED, 100.0
    )


# --- the exact quote with whitespace ignored ------------------------------------------------


def test_indented_rewrapping_is_found() -> None:
    words = [*"abcdefghij", "longestword", "end"]
    text = "Intro.\n" + "\n      ".join(words) + "\n"
    found = exact.find_loose(text, " ".join(words), "", "", 0)
    assert found == (7, len(text) - 1)


def test_the_words_of_a_long_quote_may_be_spread_by_whitespace() -> None:
    words = [chr(ord("a") + n % 26) for n in range(100)]
    text = "Start: " + "\n  ".join(words) + " end."
    found = exact.find_loose(text, " ".join(words), "Start: ", " end.", 0)
    assert found == (7, len(text) - 5)


def test_a_long_whitespace_search_out_of_budget_keeps_what_it_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    words = [f"w{n}" for n in range(60)]
    quote = " ".join(words)
    copy = "\n".join(words)
    text = f"one {copy} two {copy} three {copy} four"
    first, second = text.index(copy), text.index(copy, text.index(copy) + 1)
    cost = exact.LOOSE_STRETCH * len(quote)  # what comparing one copy's words costs
    # The budget covers the first two copies: the better context of the two
    # wins, although the third has the whole suffix.
    monkeypatch.setattr(exact, "LOOSE_BUDGET", 2 * cost)
    assert exact.find_loose(text, quote, "", " four", None) == (first, first + len(copy))
    monkeypatch.setattr(exact, "LOOSE_BUDGET", 2 * cost + 1)
    third = text.rindex(copy)
    assert exact.find_loose(text, quote, "", " four", None) == (third, third + len(copy))
    assert second < third


# --- anchor, around the tiers ---------------------------------------------------------------


def test_the_old_position_at_offset_0_holds_against_a_copy_with_a_closer_context() -> None:
    text = "KEY and more words here. Later the intro said: KEY or not."
    match = anchor(text, "KEY", "the intro says: ", " and", 0)
    assert match == AnchorMatch(0, 3, ANCHORED, 100.0)


def test_a_negative_old_position_counts_as_the_start_of_the_text() -> None:
    assert anchor("aaaa", "aa", "", "", -1) == AnchorMatch(0, 2, MOVED, 100.0)


def test_a_slid_copy_gives_way_to_the_nearest_copy_with_the_whole_context() -> None:
    unit = "A unit of text around KEY and beyond it.\n"  # 41 characters
    text = unit * 9
    ann = Annotation.create(text, 4 * len(unit) + 22, 4 * len(unit) + 25, "doc.txt")
    # The context of the copy at the old position changes; KEY itself stays. The
    # copies next to it lose their whole context too; the next ones, two units
    # away on either side, are as near: the earlier wins.
    edited = text[: ann.start - 10] + "#" * 10 + text[ann.start : ann.end] + "@" * 10
    edited += text[ann.end + 10 :]
    match = anchor(edited, ann.quote, ann.prefix, ann.suffix, ann.start)
    two_units = 2 * len(unit)
    assert match == AnchorMatch(ann.start - two_units, ann.end - two_units, MOVED, 100.0)


def test_reanchoring_in_an_unchanged_text_changes_nothing() -> None:
    text = SEED_TEXTS[0]
    ann = Annotation.create(text, 100, 140, "doc.txt")
    assert reanchor(text, ann) == ann


def test_without_context_arguments_an_approximate_match_is_judged_on_the_quote() -> None:
    text = "Elsewhere, the report said profits rose by 5% in the last three months of 2004."
    match = anchor(text, "profits fell by 5% in the last three months of 2003")
    assert match is not None and match.status is FUZZY


def test_a_quote_more_than_twice_as_long_as_the_text_costs_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("searched")

    for name in ("find_verbatim", "find_loose", "find_fuzzy"):
        monkeypatch.setattr(anchoring, name, refuse)
    assert anchor("abcde", "abcdeabcdeX") is None
    assert anchor("abcde", "x" * 50, "", "", 0) is None


# --- the approximate tier: where it looks ---------------------------------------------------

BOOK = (PROSE.replace("\n\n", " ") + " ") * 300  # ~3 MB
SENTENCE = "The committee agreed on a budget for the coming year after long talks."
EDITED = SENTENCE.replace("budget", "budgett")


def word_start(at: int) -> int:
    """The first offset after ``at`` where a word of ``BOOK`` starts."""
    return BOOK.index(" ", at) + 1


def book_with(at: int, sentence: str) -> str:
    return BOOK[:at] + sentence + " " + BOOK[at:]


@pytest.mark.parametrize("near", range(2_000, 2_400_000, 120_000))
def test_an_edited_quote_is_sought_around_its_old_position_in_a_long_text(near: int) -> None:
    # (The places it lands in are unrelated to its old surroundings, which may
    # agree by chance with the text next to it, e.g. both words ending in
    # "ation ": its boundaries must not lean on that.)
    where = word_start(near)
    ann = Annotation.create(book_with(where, SENTENCE), where, where + len(SENTENCE), "doc.txt")
    # Moved 40,000 characters (beyond the first, local window) and edited.
    moved = word_start(where + 40_000)
    text = book_with(moved, EDITED)
    match = anchor(text, ann.quote, ann.prefix, ann.suffix, ann.start)
    assert match == AnchorMatch(moved, moved + len(EDITED), FUZZY, pytest.approx(99.3, abs=0.1))


def test_without_a_position_the_middle_of_a_long_text_is_searched() -> None:
    middle = word_start(len(BOOK) // 2 + 450_000)
    match = anchor(book_with(middle, EDITED), SENTENCE, "", "")
    assert match is not None and match.start == middle
    assert anchor(book_with(word_start(100_000), EDITED), SENTENCE, "", "") is None  # too far


def test_the_local_window_spares_a_near_copy_far_away() -> None:
    filler = (PROSE.replace("\n\n", " ") + " ") * 10  # ~90 K characters
    other = SENTENCE.replace("budget", "buddget")  # as near to the quote as EDITED
    text = filler[:10_000] + EDITED + filler[10_000:70_000] + other + filler[70_000:]
    match = anchor(text, SENTENCE, "", "", 10_000)
    assert match is not None and match.start == 10_000
    assert anchor(text, SENTENCE, "", "", None) is None  # from the middle: ambiguous


# --- the approximate tier: candidates and boundaries ----------------------------------------


def test_a_short_quote_among_look_alikes_is_found_by_its_context() -> None:
    looks = " ".join(["sale", "soil", "said", "nail", "mail", "tail", "sall", "silt"] * 40)
    text = f"{looks} The plan was to saiil west at dawn. {looks}"
    at = text.index("saiil")
    match = anchor(text, "sail", "The plan was to ", " west at dawn.", at)
    assert match == AnchorMatch(at, at + 5, FUZZY, pytest.approx(100 * (1 - 1 / 9)))
    start = text.index("The plan")
    # At the very start of a text too: the context after it alone.
    head = text[start:]
    assert anchor(head, "The plan was", "", " to sail west", 0) is not None


@pytest.mark.parametrize("side", ["prefix", "suffix"])
def test_a_short_quote_among_look_alikes_is_found_by_its_context_on_one_side(side: str) -> None:
    looks = " ".join(["sale", "soil", "said", "nail", "mail", "tail", "sall", "silt"] * 40)
    text = f"{looks} The plan was to saiil west at dawn. {looks}"
    at = text.index("saiil")
    prefix, suffix = ("The plan was to ", "") if side == "prefix" else ("", " west at dawn.")
    match = anchor(text, "sail", prefix, suffix, at)
    assert match is not None and (match.start, match.end) == (at, at + 5)


@pytest.mark.parametrize("glued", ["start", "end"])
def test_a_long_quote_whose_end_word_grew_endless_is_not_fitted_there(glued: str) -> None:
    rng = random.Random(3)
    token = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(150))
    body = PROSE[1000:1600].replace("e", "é", 3)
    if glued == "start":  # a quote beginning with a very long "word" ...
        quote = token + PROSE[1000:1600]
        text = "Before. " + "z" * 200 + token + body + " after."
        span = (208, 958)
    else:  # ... or ending with one
        quote = PROSE[1000:1600] + token
        text = "Before. " + body + token + "z" * 200 + " after."
        span = (8, 758)
    # No word edge is left within reach of where it began (ended): the word
    # grew 200 letters. The candidate is dropped, not cut short there.
    query = fuzzy.Query.of(quote, "Before. ", " after.", 8)
    assert fuzzy.fit(text, query, *span) is None


def test_a_long_quote_whose_head_was_rewritten_is_found_by_its_tail() -> None:
    text = PROSE
    start, end = 1000, 2500
    quote = text[start:end]
    edited = "Intro.\n" + text[:start] + "x" * 120 + quote[120:] + text[end:]
    match = anchor(edited, quote, text[start - 32 : start], text[end : end + 32], start)
    assert match is not None and match.status is FUZZY
    assert (match.start, match.end) == (start + 7, end + 7)


@pytest.mark.parametrize("change", [150, -150])
def test_a_long_quote_with_a_paragraph_added_or_cut_inside_keeps_both_ends(change: int) -> None:
    text = PROSE
    start, end = 1000, 3000
    quote = text[start:end]
    middle = len(quote) // 2
    if change > 0:
        inner = quote[:middle] + PROSE[6000 : 6000 + change] + quote[middle:]
    else:
        inner = quote[:middle] + quote[middle - change :]
    edited = text[:start] + inner + text[end:]
    match = anchor(edited, quote, text[start - 32 : start], text[end : end + 32], start)
    assert match is not None and match.status is FUZZY
    assert (match.start, match.end) == (start, start + len(inner))


def test_a_long_quote_found_by_its_tail_gets_its_head_back_after_a_cut() -> None:
    text = PROSE
    start, end = 1000, 3000
    quote = text[start:end]
    # Its first piece no longer aligns (half of it rewritten after the head),
    # and 240 characters went from its middle: the start is sought from the tail.
    ruined = quote[:130] + "x" * 126 + quote[256:1000] + quote[1240:]
    edited = text[:start] + ruined + text[end:]
    match = anchor(edited, quote, text[start - 32 : start], text[end : end + 32], start)
    assert match is not None and match.status is FUZZY
    assert (match.start, match.end) == (start, start + len(ruined))


def test_a_quote_cut_inside_a_word_keeps_its_cut_when_the_text_before_changed() -> None:
    text = (
        "The report said poverty could fall as low as 15d it had brought fraud "
        "charges against wo ex-senior executives of Columbia Distributor."
    )
    quote = "t had brought fraud charges against two ex-se"
    match = anchor(text, quote, "utual funds. The SEC also said i", "nior executives of Col", 60)
    assert match is not None and text[match.start : match.end] == (
        "t had brought fraud charges against wo ex-se"
    )


def test_a_word_inserted_before_the_last_one_is_covered_with_the_suffix_gone() -> None:
    text = "Markets rallied as the central bank held interest and rates in May."
    quote = "the central bank held interest rates"
    match = anchor(text, quote, "Markets rallied as ", " steady on Thursday.", 19)
    assert match is not None and text[match.start : match.end] == (
        "the central bank held interest and rates"
    )


def test_an_insertion_inside_a_short_quote_is_covered_exactly() -> None:
    text = "Markets rallied as the central bank held interest rates steady on Thursday."
    ann = Annotation.create(text, 19, 55, "doc.txt")
    assert ann.quote == "the central bank held interest rates"
    edited = text.replace("bank held", "bank has long held")
    match = anchor(edited, ann.quote, ann.prefix, ann.suffix, ann.start)
    assert match is not None and edited[match.start : match.end] == (
        "the central bank has long held interest rates"
    )


# Issue 14, a user's trial: a highlight found after "directly " was inserted in
# it was orphaned once characters were removed two paragraphs earlier.
TRIAL = (
    "Judy Boynton finally left the firm on 31 December, having spent the intervening time "
    "as a special advisor to chief executive Jeroen van der Veer. In January 2004, Shell "
    "told shocked investors that its reserves were 20% smaller than previously thought.\n\n"
    "The revelation that Shell had inflated its reserves led to the resignation of its "
    "chairman, Sir Phil Watts, and production chief Walter van der Vijver.\n\n"
    "An investigation commissioned by Shell found that Ms Boynton had to share "
    "responsibility for the company's behaviour."
)


@pytest.mark.parametrize("shift", range(-8, 9))
def test_a_word_inserted_inside_is_covered_whatever_moved_before_it(shift: int) -> None:
    quote = "reserves led to the resignation of its"
    start = TRIAL.index(quote)
    ann = Annotation.create(TRIAL, start, start + len(quote), "doc.txt")
    edited = TRIAL.replace("led to", "led directly to")
    # Characters added (removed) in the first paragraph.
    text = (
        edited[:40] + "x" * shift + edited[40:]
        if shift >= 0
        else edited[:40] + edited[40 - shift :]
    )
    match = anchor(text, ann.quote, ann.prefix, ann.suffix, ann.start)
    assert match is not None and match.status is FUZZY
    assert text[match.start : match.end] == "reserves led directly to the resignation of its"
    assert match.start == start + shift


@pytest.mark.parametrize(
    ("quote", "words", "edited"),
    [
        ("Top 10 NEV makers in China by", "Top 10", "Top river 10"),  # after the first word
        ("Top 10 NEV makers in China by", "China by", "China river by"),  # before the last
        ("As of the end of 2022, a", "As of", "As river of"),
        ("As of the end of 2022, a", "2022, a", "2022, river a"),
    ],
)
def test_a_word_inserted_next_to_an_edge_word_is_covered_with_it(
    quote: str, words: str, edited: str
) -> None:
    # Leaving the edge word out fits the quote better than taking in the new
    # word with it; the context that continues on that side says where it ends.
    seed = SEED_TEXTS[2]
    start = seed.index(quote)
    ann = Annotation.create(seed, start, start + len(quote), "doc.txt")
    text = seed.replace(quote, quote.replace(words, edited))
    match = anchor(text, ann.quote, ann.prefix, ann.suffix, ann.start)
    assert match is not None and match.status is FUZZY
    assert (match.start, match.end) == (start, start + len(quote) + len(" river"))


def test_the_end_is_fitted_again_from_the_start_it_led_to() -> None:
    # The first guess's end falls short of "silent a"; only the end sought
    # again from the fitted start reaches it (fit's rounds).
    seed = SEED_TEXTS[0]
    start = seed.index("the next five years, and a guideline")
    ann = Annotation.create(seed, start, start + len("the next five years, and a"), "doc.txt")
    text = seed.replace("years, and a guideline", "years, and silent a guideline")
    match = anchor(text, ann.quote, ann.prefix, ann.suffix, ann.start)
    assert match is not None
    assert text[match.start : match.end] == "the next five years, and silent a"


def test_words_inserted_just_before_a_quote_are_not_taken_in() -> None:
    # The whole stored prefix continues before the inserted words: the context
    # alone must not pull the start over words the quote does not hold.
    prefix = " potential confidential sources "
    quote = (
        "will be deterred from providing information to the media and the public will "
        'lose a vital outlet for independent news, analysis and commentary," he said'
    )
    text = (
        "The RIAA said it would go on. Critics said that potential confidential sources "
        "against file-sharing. While " + quote.replace("media", "medga") + ". The case began."
    )
    match = anchor(text, quote, prefix, ". The case began in December 200", 80)
    assert match is not None and match.status is FUZZY
    assert text[match.start : match.end] == quote.replace("media", "medga")


def test_an_edge_word_held_by_the_word_inserted_next_to_it_is_covered() -> None:
    # "ith" holds all of "it": taking in "it " gains no character in common,
    # yet it is the quote's own beginning, where the whole prefix continues.
    text = (
        "Retail sales rose sharply in December, the figures showed. The bank said in "
        'its response to rate rises" but that it ith was difficult to gauge from the '
        "Christmas period the likely pace of activity."
    )
    quote = "it was difficult to gauge from the Christmas"
    match = anchor(
        text, quote, 'esponse to rate rises" but that ', " period the likely pace of activ"
    )
    assert match is not None and match.status is FUZZY
    assert text[match.start : match.end] == "it ith was difficult to gauge from the Christmas"


def test_the_rest_of_a_word_a_typo_changed_is_covered_where_the_context_continues() -> None:
    # The quote ended inside "States"; "te" became "et". Cutting "t" fits the
    # quote better, but the stored suffix continues after it.
    text = (
        "Sales grew 12.4% in Italy, 10.3% in Switzerland, 9.1% in the United Staets, "
        "5.1% in Germany and 3.1% in Japan."
    )
    prefix, suffix = "Italy, 10.3% in Switzerland, 9.1", "s, 5.1% in Germany and 3.1% in J"
    match = anchor(text, "% in the United State", prefix, suffix, 40)
    assert match is not None and text[match.start : match.end] == "% in the United Staet"


def test_the_prefix_alone_tells_near_equal_approximate_candidates_apart() -> None:
    text = (
        "In the spring, the board approved the budgex. Same ending here. "
        "After a long lunch, the board approved the budgey. Same ending here."
    )
    match = anchor(text, "the board approved the budget", "After a long lunch, ", ". Same", 0)
    assert match is not None and match.status is FUZZY
    assert text[match.start - 6 : match.start] == "unch, "


def query(prefix: str = "", suffix: str = "") -> fuzzy.Query:
    """A query whose boundaries must stay on word edges."""
    return fuzzy.Query.of("ab", prefix, suffix, None)


#: A query whose boundaries may fall inside words (its quote cut words on both sides).
FREE = fuzzy.Query.of("ab", "x", "x", None)


@pytest.mark.parametrize(
    ("text", "piece", "edge", "other", "at_start", "expected"),
    [
        ("xa.ab..ab.", "a", 1, 2, True, 1),  # a start may lie one before the end
        ("xa.ab..ab.", "a", 2, 1, False, 2),  # an end one after the start
        ("..ab..cd.ab.", "ab", 4, None, True, 2),  # the piece's own window decides
        ("..ab..cd.ab.", "ab", 0, None, True, 2),
        ("..ab..cd.ab.", "ab", 12, None, True, 9),
    ],
)
def test_a_boundary_is_the_best_offset_within_its_slack(
    text: str, piece: str, edge: int, other: int | None, at_start: bool, expected: int
) -> None:
    slack = 1 if other is not None else 3
    assert fuzzy.boundary(text, FREE, piece, edge, slack, other, at_start) == expected


def test_a_boundary_moves_up_to_its_slack_and_no_further() -> None:
    assert fuzzy.boundary("....ab......", FREE, "ab", 8, 3, None, True) == 5  # "b." half fits
    assert fuzzy.boundary("....ab......", FREE, "ab", 8, 4, None, True) == 4
    assert fuzzy.boundary("......ab....", FREE, "ab", 3, 3, None, True) == 6
    assert fuzzy.boundary("......xab...", FREE, "ab", 3, 3, None, True) == 6  # not 7


def test_a_boundary_leaves_a_word_as_far_as_it_must() -> None:
    text = "begin " + "x" * 100 + " end"
    # No word edge within the slack: the nearest within slack + MAX_WORD.
    assert fuzzy.boundary(text, query(), "xxxx", 60, 2, None, True) == 6
    assert fuzzy.boundary(text, query(), "xxxx", 104, 2, None, False) == 106
    long_word = "y" * 400
    assert fuzzy.boundary(long_word, query(), "yyyy", 200, 2, None, True) is None
    assert fuzzy.boundary(long_word, FREE, "yyyy", 200, 2, None, True) == 200
    # Word edges only: never inside "ab", "ab" or "ab".
    assert fuzzy.boundary("ab.ab.ab", query(), "b.", 4, 3, None, True) == 3


def test_a_boundary_weighs_the_context_on_its_own_side() -> None:
    text = "one two one two"
    assert fuzzy.boundary(text, query(prefix="two "), "one", 3, 6, None, True) == 8
    assert fuzzy.boundary(text, query(prefix="one "), "two", 8, 6, None, True) == 4
    assert fuzzy.boundary(text, query(suffix=" one"), "two", 12, 6, None, False) == 7
    assert fuzzy.boundary(text, query(suffix="two"), "one", 3, 6, None, True) == 0


def test_between_equal_offsets_the_nearest_then_the_lower_wins() -> None:
    assert fuzzy.boundary("ab.ab.ab", query(), "ab", 4, 3, None, True) == 3
    assert fuzzy.boundary("ab.ab.ab", query(), "ab", 5, 3, None, True) == 6
    assert fuzzy.boundary("ab..ab", query(), "ab", 2, 3, None, True) == 0


# --- the approximate tier: scores -----------------------------------------------------------


def test_a_long_quote_is_scored_by_evenly_spaced_pieces() -> None:
    length = fuzzy.MAX_SCORED + fuzzy.MAX_PIECE
    quote = "a" * (length - fuzzy.MAX_PIECE) + "b" * fuzzy.MAX_PIECE
    found = "a" * (length - fuzzy.MAX_PIECE) + "c" * fuzzy.MAX_PIECE
    # Sixteen pieces; only the last lies in the changed stretch, and nothing of it is left.
    assert fuzzy.similarity(quote, found) == 100 * 15 / 16
    assert fuzzy.similarity(quote, "\x01" * length) == 0.0


def test_a_long_quote_scores_low_when_its_halves_are_swapped() -> None:
    quote = PROSE[: 2 * fuzzy.MAX_SCORED]
    half = len(quote) // 2
    assert fuzzy.similarity(quote, quote[half:] + quote[:half]) < 70


def test_a_quote_of_the_longest_plainly_scored_length_is_scored_plainly() -> None:
    quote = PROSE[: fuzzy.MAX_SCORED]
    found = quote[:2000] + quote[2100:]  # (a cut: pieces then score otherwise)
    assert fuzzy.similarity(quote, found) == fuzzy.fuzz.ratio(quote, found)
    longer = PROSE[: fuzzy.MAX_SCORED + 1]
    found = longer[:2000] + longer[2100:]
    assert fuzzy.similarity(longer, found) != fuzzy.fuzz.ratio(longer, found)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("a b", (2, 5)),  # none of the quote's own: trimmed on both sides
        (" a b ", (0, 7)),  # a quote kept from before selections were trimmed
        (" a b", (0, 5)),
        ("a b ", (2, 7)),
    ],
)
def test_an_approximate_span_keeps_only_the_whitespace_its_quote_has(
    quote: str, expected: tuple[int, int]
) -> None:
    assert fuzzy._trimmed("  a b  ", quote, 0, 7) == expected
    assert fuzzy._trimmed("  a b  ", quote, 2, 5) == (2, 5)
    assert fuzzy._trimmed("  \n  ", "a b", 0, 5) is None


def test_an_approximate_match_sheds_the_space_a_removed_word_left() -> None:
    text = "Markets rallied as the central bank held interest and other rates in May."
    match = anchor(text, "the central bank held interest rates", "Markets rallied as ", " steady.")
    assert match is not None and not text[match.end - 1].isspace()
