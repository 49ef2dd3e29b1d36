"""The head of an article — title, byline, dateline — and the date and source found there.

An article's head is its first few non-empty lines, up to and including the
first line of body text. Dates and sources are read only from the head: a date
in the body is an event the article reports ("born in Glasgow on 20 February
1951"), not the article's own date. In the head:

* a short line (title, byline, "2020-12-16 12:10:05", "Updated: Jan. 4, 2024")
  may hold a date anywhere;
* the first line of body text counts only through a *dateline* at its start:
  "date 2024-01-04 (ECNS) -- The year...", "BEIJING, Jan. 4, 2024 (Xinhua) --".

Everything here reads a bounded prefix of the text (:data:`HEAD_SCAN_CHARS`),
so its cost does not depend on the article's size.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "HEAD_LINES",
    "HEAD_SCAN_CHARS",
    "Head",
    "find_date",
    "find_source",
    "is_byline",
    "is_only_date",
    "read_head",
    "strip_dateline",
]

HEAD_SCAN_CHARS = 4000
"""Characters from the start of the text that the head is looked for in."""

HEAD_LINES = 6
"""Non-empty lines at most in a head (title, byline, date, source, standfirst, body)."""

LINE_CAP = 400
"""Characters of a line kept (a body line only matters by its start)."""

SHORT_LINE_CHARS = 80
"""A head line other than the first is at most this long; a longer one is body text."""

TITLE_LINE_CHARS = 150
"""The first line may be this long and still be a title."""

SENTENCE_WORDS = 7
"""A line ending like a sentence with at least this many words is body text."""

WRAPPED_WORDS = 8
"""A line of this many words that the next line continues is part of a wrapped paragraph."""

SOURCE_CHARS = 60
"""Longest byline or source kept."""

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(?P<month>(?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_TIME = r"(?P<hour>\d{1,2})[:：](?P<minute>\d{2})(?:[:：](?P<second>\d{2}))?(?!\d)"

# 2024-01-04, 2024/1/4, 2024.01.04, with an optional time. Not inside a longer
# run of digits and separators ("2021-2025", a version number 1.2024.01.04.5).
_NUMERIC = re.compile(
    r"(?<![\d./-])(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    rf"(?:(?:[ T]|\s+){_TIME})?(?![\d-]|[./]\d)"
)
# 2024年1月4日, 2024年01月04日 10:30, 2024年1月4日（星期四）10:30, 2024년 1월 4일.
_CJK_DATE = re.compile(
    r"(?<!\d)(?P<year>\d{4})\s*[年년]\s*(?P<month>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日号일]"
    r"(?:\s*(?:[（(][^）)]{1,4}[）)]|星期.|周.)?\s*" + _TIME + ")?"
)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b")
_DAY_MONTH_YEAR = re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b")


def _numeric(match: re.Match[str]) -> str | None:
    """Return the ISO form of a numeric or CJK date match, None for an impossible date."""
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
        if match["hour"] is None:
            return day.isoformat()
        moment = datetime(
            day.year,
            day.month,
            day.day,
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
        )
    except ValueError:
        return None
    return moment.isoformat(timespec="seconds")


def _named(match: re.Match[str]) -> str | None:
    """Return the ISO form of a month-name date match, None for an impossible date."""
    month = _MONTHS[match["month"].rstrip(".").lower()]
    try:
        return date(int(match["year"]), month, int(match["day"])).isoformat()
    except ValueError:
        return None


_DATE_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]], ...] = (
    (_NUMERIC, _numeric),
    (_CJK_DATE, _numeric),
    (_MONTH_DAY_YEAR, _named),
    (_DAY_MONTH_YEAR, _named),
)


def _unnamed(pattern: re.Pattern[str]) -> str:
    """Return ``pattern``'s source with its named groups made anonymous (for embedding)."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern.pattern).replace("(?P=sep)", "[-/.]")


_ANY_MONTH = _MONTH.replace("?P<month>", "?:")

# A dateline before the first sentence: an optional label, an optional place in
# capitals, a date and/or an agency in brackets, then a separator (or the line's
# end): "date 2024-01-04 (ECNS) -- ", "BEIJING, Jan. 4, 2024 (Xinhua) -- ",
# "LONDON (Reuters) - ", "2020-12-16 12:10:05 - ", "2024年1月4日，". Its date may
# lack a year ("BEIJING, Jan. 4 (Xinhua) --"): stripped from a title, never a date.
_DATELINE = re.compile(
    r"(?:(?i:date|dated|published|posted|updated|filed)\b\s*[:：]?\s*)?"
    r"(?:(?P<place>[A-Z][A-Z .'-]{1,30}?)(?:\s*,\s*|\s+(?=\()))?"
    rf"(?P<date>{_unnamed(_NUMERIC)}|{_unnamed(_CJK_DATE)}"
    rf"|{_ANY_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_ANY_MONTH}(?:,?\s+\d{{4}})?)?"
    r"(?:\s*\((?P<source>[^()]{1,40})\))?"
    r"(?:\s*(?:--|—|–|-|:|\||，|：|,)\s*|\s*$)"
)

_SENTENCE_END = re.compile(r"[.!?…][\"'’”)\]]*$")
_FULL_STOP_END = re.compile(r"[.。][\"'’”)\]」』]*$")
_CJK_SENTENCE_END = re.compile(r"[。！？][」』”）]*$")
_CJK_SENTENCE_CHARS = 15

# Fields of a head line ("By Jane Doe | chinadaily.com.cn | Updated: 2024-01-04").
_FIELD_SEPARATOR = re.compile(r"\s+[|·•]\s+")
_NAME_WORD = r"(?:[A-Z][\w.'’-]*|and|de|van|von|der|da|la|le|del|di)"
_BYLINE = re.compile(
    rf"(?:By|BY|by)\s+(?P<byline>[A-Z][\w.'’-]*(?:\s+{_NAME_WORD}){{0,5}}"
    r"(?:\s*(?:,|-|–|—)\s*[^.!?]{1,50})?)"
)
_LABELLED_SOURCE = re.compile(
    r"(?i:source|sources|via|来源|來源|出典|출처)\s*[:：]\s*(?P<source>.+)"
)
_DOMAIN = re.compile(r"(?:www\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,6}")
# Outlets that are named on a line of their own at the top of copied articles.
_OUTLETS = frozenset(
    name.casefold()
    for name in (
        "AFP",
        "AP",
        "Associated Press",
        "BBC",
        "BBC News",
        "BBC Sport",
        "Bloomberg",
        "CGTN",
        "China Daily",
        "CNN",
        "ECNS",
        "Global Times",
        "Kyodo",
        "NHK",
        "Reuters",
        "The Guardian",
        "The New York Times",
        "Xinhua",
        "新华社",
        "人民日报",
        "中新网",
    )
)


@dataclass(frozen=True, slots=True)
class Head:
    """The head of an article: its first non-empty lines, up to the first body line."""

    lines: tuple[str, ...]
    """The head's lines, whitespace collapsed, each cut to :data:`LINE_CAP` characters."""
    body: int | None
    """Index in ``lines`` of the first line of body text; None if the head has none."""
    title_repeats: int
    """How many times the first line was repeated right below itself (counted once)."""


def _collapse(line: str) -> str:
    """Return ``line`` stripped with internal whitespace runs made one space."""
    return " ".join(line.split())


def _is_body(line: str, first: bool, following: str) -> bool:
    """True when ``line`` is body text rather than a title, byline or date line.

    ``first`` is set for the first line (a title may be long and end with "?"
    or "!"); ``following`` is the raw line right below (empty after a blank).
    """
    words = line.count(" ") + 1
    wrapped = words >= WRAPPED_WORDS and following[:1].isalpha() and following[0].islower()
    if first:
        return (
            len(line) > TITLE_LINE_CHARS
            or (words >= SENTENCE_WORDS and _FULL_STOP_END.search(line) is not None)
            or wrapped
        )
    if len(line) > SHORT_LINE_CHARS:
        return True
    if words >= SENTENCE_WORDS and _SENTENCE_END.search(line) is not None:
        return True
    if len(line) >= _CJK_SENTENCE_CHARS and _CJK_SENTENCE_END.search(line) is not None:
        return True
    # A line of a paragraph hard-wrapped at ~70 columns: the next line goes on with it.
    return wrapped or (words >= WRAPPED_WORDS and following.count(" ") + 1 >= WRAPPED_WORDS)


def read_head(text: str) -> Head:
    """Return the head of ``text`` (reads at most :data:`HEAD_SCAN_CHARS` characters)."""
    raw_lines = text[:HEAD_SCAN_CHARS].split("\n")
    lines: list[str] = []
    repeats = 0
    body: int | None = None
    for number, raw in enumerate(raw_lines):
        line = _collapse(raw[:LINE_CAP])
        if not line:
            continue
        if len(lines) == 1 and line == lines[0]:
            # The title repeated right below itself (seed 002) counts once.
            repeats += 1
            continue
        lines.append(line)
        following = raw_lines[number + 1].strip() if number + 1 < len(raw_lines) else ""
        if _is_body(line, len(lines) == 1, following):
            body = len(lines) - 1
            break
        if len(lines) >= HEAD_LINES:
            break
    return Head(tuple(lines), body, repeats)


def _first_date(line: str) -> str | None:
    """Return the first valid date anywhere in ``line`` as ISO text, else None."""
    found: list[tuple[int, str]] = []
    for pattern, convert in _DATE_PATTERNS:
        for match in pattern.finditer(line):
            value = convert(match)
            if value is not None:
                found.append((match.start(), value))
                break
    return min(found)[1] if found else None


def _dateline(line: str) -> re.Match[str] | None:
    """Return the dateline at the start of ``line`` (a date, or a place and an agency)."""
    match = _DATELINE.match(line)
    if match is None or match.end() == 0:
        return None
    if match["date"] is None and (match["place"] is None or match["source"] is None):
        return None
    return match


def find_date(text: str, head: Head | None = None) -> str | None:
    """Return the article's date as ISO ``YYYY-MM-DD[THH:MM:SS]`` from its head, else None.

    A short head line may hold the date anywhere; the first line of body text
    only in a dateline at its start. ``head`` is ``read_head(text)`` if given.
    """
    head = read_head(text) if head is None else head
    for number, line in enumerate(head.lines):
        if number == head.body:
            match = _dateline(line)
            return None if match is None or match["date"] is None else _first_date(match["date"])
        value = _first_date(line)
        if value is not None:
            return value
    return None


def _clean_source(value: str) -> str | None:
    """Return a found byline or source tidied, None if it does not look like a name."""
    value = _collapse(value).strip(" ,;:-–—|")
    if not value or len(value) > SOURCE_CHARS or not value[0].isalpha():
        return None
    return value


def _field_source(field: str) -> str | None:
    """Return the byline or source a head-line field names ("By Jane Doe", "Source: X")."""
    byline = _BYLINE.fullmatch(field)
    if byline is not None:
        return _clean_source(byline["byline"])
    labelled = _LABELLED_SOURCE.fullmatch(field)
    if labelled is not None:
        return _clean_source(labelled["source"])
    if field.casefold() in _OUTLETS or _DOMAIN.fullmatch(field) is not None:
        return field
    return None


def is_byline(line: str) -> bool:
    """True when ``line`` is only a byline ("By Jane Doe, BBC News")."""
    return _BYLINE.fullmatch(line) is not None


def find_source(text: str, head: Head | None = None) -> str | None:
    """Return the byline or source named in the head of ``text``, else None.

    Recognised: an agency in a dateline ("date 2024-01-04 (ECNS) --" gives
    ``ECNS``), and on a head line other than the title a byline ("By Jane Doe,
    BBC News" gives ``Jane Doe, BBC News``), a labelled source ("Source:
    Xinhua", "来源：新华社"), an outlet's name ("BBC News") or a domain
    ("chinadaily.com.cn"), also as one field of a line split by ``|`` or ``·``.
    ``head`` is ``read_head(text)`` if given.
    """
    head = read_head(text) if head is None else head
    for number, line in enumerate(head.lines):
        dateline = _dateline(line)
        if dateline is not None and dateline["source"] is not None:
            agency = _clean_source(dateline["source"])
            if agency is not None and _first_date(agency) is None:
                return agency
        if number == head.body:
            break
        if number == 0 and len(head.lines) > 1:
            continue  # the title
        for field in _FIELD_SEPARATOR.split(line):
            source = _field_source(field.strip())
            if source is not None:
                return source
    return None


def strip_dateline(line: str) -> str:
    """Return ``line`` without a leading dateline (the title is what follows it)."""
    match = _dateline(line)
    if match is not None and line[match.end() :].strip():
        return line[match.end() :].strip()
    return line


def is_only_date(line: str) -> bool:
    """True when ``line`` is nothing but a date or a dateline (not a title)."""
    stripped = line.strip(" ,.-–—()[]")
    if any(pattern.fullmatch(stripped) for pattern, _ in _DATE_PATTERNS):
        return True
    match = _dateline(line)
    return match is not None and match["date"] is not None and not line[match.end() :].strip()
