"""Review helpers a person relies on: what is asked, the places proposed, accepting one,
and keeping one's place on a reload.

``gather_review`` lists the doubtful highlights and missing articles of a real
library; ``placements`` proposes places for an edited highlight (exact repeats,
then whole-word approximate ones ranked with their context, the drawn place
kept); ``relinked`` makes a highlight exact where the person chose (a user
edit); ``follow`` keeps the reading position on the same words when the
article is edited under the reader; ``Placement.context`` shows the words
around a candidate.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from ipreader.core.anchoring import anchor, apply_match
from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.relink import is_missing
from ipreader.core.review import (
    FOLLOW_CHARS,
    MAX_PIECE,
    MIN_PLACEMENT_SCORE,
    SEARCH_SPAN,
    DocumentReview,
    HighlightReview,
    Placement,
    ReviewItem,
    follow,
    gather_review,
    placements,
    relinked,
)

TEXT = (
    "Title\n\nThe quick brown fox jumps over the lazy dog. A second sentence follows it "
    "here, and a third one ends the paragraph for good.\n"
)


# ------------------------------------------------------------------ follow


def test_a_position_follows_its_words_when_text_is_inserted_before() -> None:
    offset = TEXT.index("second")
    new = TEXT.replace("Title", "A much longer title than before")
    assert follow(TEXT, new, offset) == new.index("second")


def test_a_position_stays_when_the_text_after_it_changes_far_away() -> None:
    offset = TEXT.index("quick")
    new = TEXT.replace("for good", "at last")
    assert follow(TEXT, new, offset) == offset


def test_a_position_at_the_end_follows_the_text_before_it() -> None:
    new = "A new first line.\n" + TEXT
    assert follow(TEXT, new, len(TEXT)) == len(new)


def test_a_position_at_the_end_of_an_empty_text_stays_at_the_new_end() -> None:
    assert follow("", "something new", 0) == len("something new")


def test_a_position_whose_words_are_gone_is_kept_within_the_new_text() -> None:
    offset = TEXT.index("third")
    assert follow(TEXT, "Completely different.", offset) == len("Completely different.")
    assert follow(TEXT, "x" * 500, 10) == 10


def test_a_position_outside_the_old_text_is_clamped_first() -> None:
    assert follow(TEXT, TEXT, -5) == 0
    assert follow(TEXT, TEXT, len(TEXT) + 50) == len(TEXT)


def test_the_words_before_decide_between_repeats() -> None:
    old = "alpha " + "word " * 3 + "omega " + "word " * 3
    offset = old.index("omega ") + len("omega ")
    new = "inserted " + old
    assert follow(old, new, offset) == new.index("omega ") + len("omega ")
    assert FOLLOW_CHARS == 40


# ------------------------------------------------------------------ accepting a place


def test_accepting_a_place_makes_the_highlight_exact_there_as_an_edit() -> None:
    made = Annotation.create(TEXT, TEXT.index("quick"), TEXT.index("quick") + 5, "a.txt")
    doubtful = replace(made, status=AnchorStatus.FUZZY, score=71.5)
    start, end = TEXT.index("second"), TEXT.index("second") + len("second sentence")
    accepted = relinked(doubtful, TEXT, start, end)
    assert (accepted.start, accepted.end, accepted.quote) == (start, end, "second sentence")
    assert accepted.prefix and TEXT[:start].endswith(accepted.prefix)
    assert accepted.suffix and TEXT[end:].startswith(accepted.suffix)
    assert accepted.status is AnchorStatus.ANCHORED and accepted.score is None
    assert accepted.revision == doubtful.revision + 1
    assert accepted.id == doubtful.id


@pytest.mark.parametrize(("start", "end"), [(5, 5), (-1, 3), (3, 2), (0, len(TEXT) + 1)])
def test_an_empty_or_impossible_place_is_refused(start: int, end: int) -> None:
    made = Annotation.create(TEXT, 8, 13, "a.txt")
    with pytest.raises(ValueError) as raised:
        relinked(made, TEXT, start, end)
    assert str(raised.value) == (
        f"invalid range {start}..{end} for a text of {len(TEXT)} characters"
    )


def test_a_place_at_the_very_ends_of_the_text_is_accepted() -> None:
    made = Annotation.create(TEXT, 8, 13, "a.txt")
    whole = relinked(made, TEXT, 0, len(TEXT))
    assert (whole.start, whole.end, whole.prefix, whole.suffix) == (0, len(TEXT), "", "")


# ------------------------------------------------------------------ showing a place


def test_a_place_is_shown_with_its_context_cut_at_the_text_edges() -> None:
    place = Placement(TEXT.index("fox"), TEXT.index("fox") + 3, 90.0, 92.0)
    before, covered, after = place.context(TEXT, width=10)
    assert covered == "fox"
    assert before == TEXT[place.start - 10 : place.start]
    assert after == TEXT[place.end : place.end + 10]
    assert Placement(2, 4, 50.0, 55.0).context(TEXT, width=10) == (TEXT[:2], TEXT[2:4], TEXT[4:14])


# ------------------------------------------------------------------ what the review asks about

ARTICLE = "Alpha\n\nThe cat sat on the mat and looked at the garden wall for a long while.\n"


@pytest.fixture
def library_root(tmp_path: Path) -> Path:
    """A folder whose article a.txt was edited under two highlights and c.txt deleted.

    a.txt: "cat sat on the mat" is now approximate, "garden wall" lost, "Alpha"
    still exact; b.txt keeps its one exact highlight; c.txt is missing.
    """
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE)
    (root / "b.txt").write_text("Beta\n\nplain words here for the reader\n")
    (root / "c.txt").write_text("Gamma\n\nsomething that will vanish\n")
    library = Library.open([root])
    quotes = {"a.txt": ("cat sat on the mat", "garden wall", "Alpha"), "b.txt": ("plain",)}
    quotes["c.txt"] = ("vanish",)
    for info in library.documents():
        text, _ = library.load(info)
        for quote in quotes[info.relpath]:
            start = text.index(quote)
            library.store_for(info).save_annotation(
                Annotation.create(text, start, start + len(quote), info.relpath)
            )
    edited = ARTICLE.replace("sat on the mat", "sat upon the mat").replace("garden wall", "fence")
    (root / "a.txt").write_text(edited)
    (root / "c.txt").unlink()
    return root


def _described(items: list[ReviewItem]) -> list[tuple[str, str, str]]:
    described = []
    for item in items:
        if isinstance(item, HighlightReview):
            described.append((item.info.relpath, item.annotation.quote, item.annotation.status))
        else:
            described.append((item.info.relpath, item.missing.relpath, "missing"))
    return described


def test_the_review_lists_doubtful_highlights_in_path_order_then_missing_articles(
    library_root: Path,
) -> None:
    library = Library.open([library_root])
    items = gather_review(library)
    assert _described(items) == [
        ("a.txt", "cat sat on the mat", AnchorStatus.FUZZY),
        ("a.txt", "garden wall", AnchorStatus.ORPHANED),
        ("c.txt", "c.txt", "missing"),
    ]
    moved, lost, missing = items
    assert isinstance(moved, HighlightReview) and isinstance(lost, HighlightReview)
    current = (library_root / "a.txt").read_text()
    assert moved.text == current and lost.text == current
    assert moved.version.sha256 == hashlib.sha256(current.encode()).hexdigest()
    # The approximate highlight's current place is offered; the lost one has none.
    [place] = moved.places
    assert current[place.start : place.end] == "cat sat upon the mat"
    assert 50 <= place.score < 100
    assert lost.places == ()
    assert isinstance(missing, DocumentReview)
    assert missing.info.path == library_root / "c.txt" and is_missing(missing.info)


def test_the_review_of_one_article_asks_only_about_it(library_root: Path) -> None:
    library = Library.open([library_root])
    by_path = {info.relpath: info for info in library.documents()}
    only_a = _described(gather_review(library, only=by_path["a.txt"]))
    assert [quote for _, quote, _ in only_a] == ["cat sat on the mat", "garden wall"]
    assert gather_review(library, only=by_path["b.txt"]) == []
    [gone] = library.collections[0].missing
    only_c = gather_review(library, only=gone.info(library_root))
    assert _described(only_c) == [("c.txt", "c.txt", "missing")]


def test_a_missing_article_relinked_since_the_library_opened_is_not_asked_about(
    library_root: Path,
) -> None:
    library = Library.open([library_root])
    (library_root / "d.txt").write_text("Gamma\n\nsomething that will vanish\n")
    assert library.collections[0].store.relink("c.txt", "d.txt") == 1
    assert "missing" not in [kind for _, _, kind in _described(gather_review(library))]


# ------------------------------------------------------------------ the places proposed


def _lost(text: str, start: int, end: int, quote: str | None = None) -> Annotation:
    """A lost highlight first made on ``text[start:end]`` (its quote possibly since edited)."""
    made = Annotation.create(text, start, end, "a.txt")
    if quote is not None:
        made = replace(made, quote=quote)
    return replace(made, status=AnchorStatus.ORPHANED, score=None)


def test_every_exact_repeat_is_offered_in_text_order_up_to_the_limit() -> None:
    text = "one word here. one word there. one word everywhere."
    starts = [0, text.index("one", 1), text.rindex("one")]
    highlight = _lost(text, 15, 23)
    exact = [Placement(s, s + 8, 100.0, 100.0) for s in starts]
    assert placements(text, highlight) == exact
    assert placements(text, highlight, limit=2) == exact[:2]


def test_nothing_is_proposed_for_an_empty_quote_or_an_empty_text() -> None:
    highlight = _lost(TEXT, 8, 13)
    assert placements(TEXT, replace(highlight, quote="")) == []
    assert placements("", highlight) == []


def test_only_places_within_the_search_window_around_the_old_position_are_proposed() -> None:
    filler = "x " * 40_000  # 80,000 characters nothing like the quote
    quote = "needle in the haystack"
    # Old position at 500,000: the window is 300,000..700,000.
    parts, at = [], {}
    for name, position in (("before", 240_000), ("inside", 350_000), ("after", 710_000)):
        length = sum(map(len, parts))
        parts.append(filler * ((position - length) // len(filler)))
        parts.append("x " * ((position - sum(map(len, parts))) // 2))
        at[name] = sum(map(len, parts))
        parts.append(quote + " ")
    parts.append("x " * 40_000)
    text = "".join(parts)
    assert all(text[p : p + len(quote)] == quote for p in at.values())
    highlight = replace(_lost(text, at["inside"], at["inside"] + len(quote)), start=500_000)
    highlight = replace(highlight, end=500_000 + len(quote))
    assert placements(text, highlight) == [
        Placement(at["inside"], at["inside"] + len(quote), 100.0, 100.0)
    ]
    assert SEARCH_SPAN == 400_000


def test_an_approximate_highlight_is_offered_exactly_where_it_is_drawn() -> None:
    text = "Intro words.\n\nThe cat sat upon the mat today, and the end comes here"
    quote = "cat sat on the mat"
    start = text.index("at sat upon")  # anchoring's edges, inside a word
    drawn = replace(_lost(text, start, start + 18, quote), status=AnchorStatus.FUZZY)
    assert (start, start + 18) in [(p.start, p.end) for p in placements(text, drawn)]
    end_quote = "the end comes there"
    at_end = replace(_lost(text, len(text) - 18, len(text), end_quote), status=AnchorStatus.FUZZY)
    assert (len(text) - 18, len(text)) in [(p.start, p.end) for p in placements(text, at_end)]


def test_candidates_are_ranked_best_first_whole_words_with_punctuation() -> None:
    text = (
        "Later a rival restated its reserves, and the board said the reserves were fine. "
        "The company overstated its own oil reserves in 2019."
    )
    highlight = _lost(text, text.index("overstated"), text.index("overstated") + 27)
    highlight = replace(highlight, quote="overstated its oil reserves")
    found = placements(text, highlight)
    assert [text[p.start : p.end] for p in found] == [
        "overstated its own oil reserves",
        "restated its reserves,",
        "board said the reserves",
    ]
    assert [p.rank for p in found] == sorted((p.rank for p in found), reverse=True)
    assert all(MIN_PLACEMENT_SCORE <= p.rank < 100 and p.score < 100 for p in found)


def test_an_approximate_highlights_place_carries_the_score_it_was_placed_with() -> None:
    # Issue 14: the review showed "approximate, 89" beside "92 now" for one place.
    # Each place's number is the quote's likeness, as the highlight's own score
    # is; the stored context only orders the places.
    text = "The revelation that Shell had inflated its reserves led directly to the resignation."
    original = text.replace("led directly to", "led to")
    start = original.index("reserves")
    made = Annotation.create(original, start, start + len("reserves led to the resignation"), "a")
    match = anchor(text, made.quote, made.prefix, made.suffix, made.start)
    assert match is not None and match.status is AnchorStatus.FUZZY
    drawn = apply_match(made, match)
    (place, *_) = placements(text, drawn)
    assert (place.start, place.end) == (drawn.start, drawn.end)
    assert place.score == drawn.score
    assert place.rank > place.score  # the context agrees all round: ranked higher


@pytest.mark.parametrize("side", ["prefix", "suffix", "none"])
def test_the_stored_context_decides_between_equal_places(side: str) -> None:
    twin = "the quarterly figures were revised"
    text = f"Before the war {twin} upward. Much later, after peace, {twin} down again."
    first, second = text.index(twin), text.rindex(twin)
    # The highlight was on "... figures were revised" near one of the twins, context given by side.
    highlight = _lost(text, second, second + len(twin), "the quarterly figure was revised")
    if side == "prefix":
        highlight = replace(highlight, prefix="after peace, ", suffix="", start=first)
        best = second
    elif side == "suffix":
        highlight = replace(highlight, prefix="", suffix=" down again.", start=first)
        best = second
    else:  # no context to tell them apart: equal scores, in text order
        highlight = replace(highlight, prefix="", suffix="", start=second)
        best = first
    assert placements(text, highlight)[0].start == best


# ------------------------------------------------------------------ following a position (more)


def test_a_position_follows_the_words_after_it_when_the_words_before_are_rewritten() -> None:
    offset = TEXT.index("second")
    new = TEXT.replace("The quick brown fox jumps over the lazy dog. A", "Something else. One")
    assert follow(TEXT, new, offset) == new.index("second")


def test_a_position_at_the_end_stays_after_its_words_when_text_is_appended() -> None:
    new = TEXT + "An appended paragraph that was not there before.\n"
    assert follow(TEXT, new, len(TEXT)) == len(TEXT)
    assert follow("a", "a b", 1) == 1


def test_a_position_at_the_end_of_a_repeated_text_stays_at_the_first_copy() -> None:
    assert follow(TEXT, TEXT + TEXT, len(TEXT)) == len(TEXT)


def test_a_position_in_a_repeated_text_stays_in_the_first_copy() -> None:
    old = "short line. another"
    offset = old.index("another")
    assert follow(old, old + " " + old, offset) == offset


def test_the_words_before_win_over_the_old_offset_between_repeats() -> None:
    old = "alpha " + "word " * 3 + "omega " + "word " * 3
    offset = old.index("omega ") + len("omega ")
    new = "word " * 40 + old
    assert follow(old, new, offset) == new.index("omega ") + len("omega ")


def test_a_candidate_snaps_to_whole_words_at_the_very_start_and_end_of_the_text() -> None:
    text = "Reserves overstated by the company in the spring. Nothing else happened after that day"
    opening = placements(text, _lost(text, 10, 30, "Reserve overstated by the firm"))
    assert [text[p.start : p.end] for p in opening] == ["Reserves overstated by the"]
    closing = placements(text, _lost(text, 10, 30, "nothing else happens after this day"))
    assert [text[p.start : p.end] for p in closing] == ["Nothing else happened after that day"]


def test_a_text_without_spaces_still_gets_a_proposal_on_its_own_characters() -> None:
    text = "東京都の人口は今年もまた増えたと発表された。大阪府の人口は減った。"
    [place] = placements(text, _lost(text, 3, 10, "東京都の人口は今年も増えた"))
    assert place.start == 0 and place.end <= text.index("。")
    assert text[place.start : place.end].startswith("東京都の人口は今年も")
    assert place.score >= MIN_PLACEMENT_SCORE


def test_a_long_highlight_is_proposed_whole_not_cut_at_the_aligned_piece() -> None:
    paragraph = " ".join(
        f"word{i} sits in sentence number {i} of the long paragraph." for i in range(8)
    )
    text = "Intro. " + paragraph + " Outro text follows here."
    quote = paragraph.replace("number 5", "no. 5")
    assert len(quote) > MAX_PIECE
    [place] = placements(text, _lost(text, 0, 5, quote))
    assert text[place.start : place.end] == paragraph


def test_a_second_place_is_found_after_a_first_at_the_very_start() -> None:
    text = "Oil reserves were overstated. Many pages later, the gas reserves were overstated too."
    found = placements(text, _lost(text, 0, 5, "oil reserves were overstated"))
    assert [text[p.start : p.end] for p in found] == [
        "Oil reserves were overstated.",
        "reserves were overstated",
    ]


def test_a_place_ending_the_text_is_offered_drawn_or_snapped() -> None:
    text = "Words and more words. The end"
    assert placements(text, _lost(text, 0, 5, "the ends")) == [Placement(22, 29, 80.0, 60.0)]
    drawn = replace(_lost(text, 0, 5, "The ends"), status=AnchorStatus.FUZZY)
    drawn = replace(drawn, start=len(text) - 6, end=len(text))  # "he end", as anchoring drew it
    assert [(p.start, p.end) for p in placements(text, drawn)] == [(len(text) - 6, len(text))]


def test_an_exact_quote_only_past_the_search_window_is_not_proposed() -> None:
    quote = "needle in the haystack"
    text = "x " * 355_000 + quote + " " + "x " * 1_000
    far = text.index(quote)
    assert far > 500_000 + SEARCH_SPAN // 2
    highlight = replace(_lost(text, far, far + len(quote)), start=500_000, end=500_022)
    assert placements(text, highlight) == []


def test_a_position_in_a_text_repeated_three_times_stays_in_the_first_copy() -> None:
    assert follow(TEXT, TEXT * 3, len(TEXT)) == len(TEXT)
    old = "short line. another"
    offset = old.index("another")
    assert follow(old, " ".join([old] * 3), offset) == offset


def test_repeated_near_matches_are_each_offered_once_on_their_own_words() -> None:
    text = "Start. word word word word word word. End."
    found = placements(text, _lost(text, 0, 5, "word wurd"))
    assert [(p.start, p.end) for p in found] == [(12, 21), (22, 31)]
    text = "Start here. alpha beta alpha beta alpha beta and so on to the end."
    found = placements(text, _lost(text, 12, 22, "alpha betta"))
    assert [(p.start, p.end) for p in found] == [(12, 22), (23, 33), (34, 44)]
