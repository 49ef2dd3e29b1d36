"""A folder's codebook: tag descriptions, colour meanings, and operations on tags.

The codebook is what a coder knows about the codes (tags) of one folder: a
description (and optionally a colour) per tag, and a meaning per highlight
colour (yellow = "claim"). It is a plain value; ``FolderStore`` keeps it in
``.ipreader/codebook.json`` and applies the operations below to every
highlight and document of the folder in one lock hold.

Operations are values too (``Rename``, ``Delete``, ``Revert``): each says what
becomes of a highlight's tags, of a document's own tags and of the codebook,
so the store runs them inside its lock and the app can undo one with the
``Retagged`` record the store returns. Tags are hierarchical with ``/``
(``core/tags.py``): renaming or deleting a tag carries its children along.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ipreader.core.errors import IpreaderError
from ipreader.core.model import COLORS, MAX_TAG_CHARS, Annotation, normalize_tags
from ipreader.core.tags import SEPARATOR, tag_matches, tag_path

#: Longest description of a tag, and longest colour meaning (code points).
MAX_DESCRIPTION_CHARS = 10_000
MAX_MEANING_CHARS = 100


class CodebookError(IpreaderError):
    """A codebook operation cannot be done (unknown tag, bad name, ...); nothing was changed."""


def tag_id(tag: str) -> str:
    """The key of ``tag`` in a codebook: its case-folded segments joined by ``/``."""
    return SEPARATOR.join(tag_path(tag))


def segments(tag: str) -> list[str]:
    """The segments of ``tag`` as spelled (spaces trimmed, empty segments dropped)."""
    return [part for part in (p.strip() for p in " ".join(tag.split()).split(SEPARATOR)) if part]


def spelled(tag: str) -> str:
    """``tag`` in the form stored: its segments as spelled, joined by ``/`` without spaces."""
    return SEPARATOR.join(segments(tag))


def check_tag_name(tag: str) -> str:
    """Return ``tag`` as it will be stored, or raise ``CodebookError`` saying what is wrong."""
    name = spelled(tag)
    if not name:
        raise CodebookError("a tag name cannot be empty")
    if "," in name:
        raise CodebookError(
            f"a tag name cannot hold a comma (tags are typed comma-separated): {name!r}"
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise CodebookError("a tag name cannot hold control characters")
    if len(name) > MAX_TAG_CHARS:
        raise CodebookError(
            f"a tag name is at most {MAX_TAG_CHARS} characters ({len(name):,} given)"
        )
    return name


def check_color(color: str) -> str:
    """Return ``color`` if it is a highlight colour, else raise ``CodebookError``."""
    if color not in COLORS:
        raise CodebookError(f"unknown colour {color!r}; choose one of {', '.join(COLORS)}")
    return color


@dataclass(frozen=True, slots=True)
class TagEntry:
    """What the codebook says about one tag."""

    tag: str
    """The tag as spelled (``Policy/Patents``)."""
    description: str = ""
    """What the code means, for the coders."""
    color: str = ""
    """A highlight colour associated with the code (one of ``COLORS``), or empty."""

    @property
    def empty(self) -> bool:
        """True when the entry says nothing (it is then not stored)."""
        return not self.description and not self.color


@dataclass(frozen=True, slots=True)
class Codebook:
    """One folder's tag entries (keyed by ``tag_id``) and colour meanings."""

    tags: Mapping[str, TagEntry] = field(default_factory=dict)
    """Entries by ``tag_id``; only tags with a description or colour have one."""
    colors: Mapping[str, str] = field(default_factory=dict)
    """Meaning by colour (``{"yellow": "claim"}``); colours without a meaning are absent."""

    def entry(self, tag: str) -> TagEntry | None:
        """The entry of ``tag`` (any spelling), if any."""
        return self.tags.get(tag_id(tag))

    def description(self, tag: str) -> str:
        """The description of ``tag`` (empty when none)."""
        entry = self.entry(tag)
        return "" if entry is None else entry.description

    def meaning(self, color: str) -> str:
        """The meaning given to ``color`` in this folder (empty when none)."""
        return self.colors.get(color, "")

    def colors_named(self, name: str) -> frozenset[str]:
        """The colours ``name`` stands for: the colour itself, or those whose meaning it is.

        Case-insensitive; ``claim`` finds ``yellow`` when yellow means "Claim".
        """
        wanted = name.strip().casefold()
        found = {color for color, meaning in self.colors.items() if meaning.casefold() == wanted}
        if wanted in COLORS:
            found.add(wanted)
        return frozenset(found)

    def label(self, color: str) -> str:
        """``color`` with its meaning, for display: ``yellow (claim)``, or just ``yellow``."""
        meaning = self.meaning(color)
        return f"{color} ({meaning})" if meaning else color

    def legend(self) -> str:
        """The colour meanings on one line (``yellow = claim · pink = evidence``), or empty."""
        return " · ".join(f"{c} = {self.colors[c]}" for c in COLORS if self.colors.get(c))

    def with_entry(self, entry: TagEntry) -> Codebook:
        """A copy with ``entry`` stored (or removed, when it says nothing)."""
        tags = {k: v for k, v in self.tags.items() if k != tag_id(entry.tag)}
        if not entry.empty:
            tags[tag_id(entry.tag)] = entry
        return Codebook(tags, self.colors)

    def with_meaning(self, color: str, meaning: str) -> Codebook:
        """A copy where ``color`` means ``meaning`` (empty: no meaning)."""
        check_color(color)
        text = " ".join(meaning.split())
        if len(text) > MAX_MEANING_CHARS:
            raise CodebookError(f"a colour meaning is at most {MAX_MEANING_CHARS} characters")
        others = {c: m for c, m in self.colors.items() if c != color}
        taken = [c for c, m in others.items() if text and m.casefold() == text.casefold()]
        if taken:
            raise CodebookError(f"{taken[0]} already means {text!r}; a meaning names one colour")
        if text in COLORS and text != color:
            raise CodebookError(f"{text!r} is a colour's name; it cannot be another's meaning")
        colors = {**others, color: text} if text else others
        return Codebook(self.tags, {c: colors[c] for c in COLORS if c in colors})


def describe(book: Codebook, tag: str, description: str, color: str | None = None) -> Codebook:
    """``book`` with ``tag``'s description set (and its colour, unless ``None``; ``""`` clears)."""
    name = check_tag_name(tag)
    text = description.strip()
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise CodebookError(f"a description is at most {MAX_DESCRIPTION_CHARS:,} characters")
    current = book.entry(name)
    kept = "" if current is None else current.color
    if color:
        check_color(color)
    spelling = current.tag if current is not None else name
    return book.with_entry(TagEntry(spelling, text, kept if color is None else color))


# ---------------------------------------------------------------------- operations


def renamed_tag(tag: str, old: str, new: str) -> str:
    """``tag`` after renaming ``old`` to ``new``: itself, or with its ``old`` prefix replaced.

    ``policy/patents`` becomes ``law/patents`` when ``policy`` becomes ``law``;
    the rest of the tag keeps its spelling.
    """
    prefix = tag_path(old)
    if not prefix or tag_path(tag)[: len(prefix)] != prefix:
        return tag
    return SEPARATOR.join([*segments(new), *segments(tag)[len(prefix) :]])


def moved_name(tag: str, parent: str) -> str:
    """The name ``tag`` gets when moved under ``parent`` (``""``: to the top level)."""
    last = segments(tag)[-1:] if segments(tag) else []
    return SEPARATOR.join([*segments(parent), *last])


class Operation(Protocol):
    """What a tag operation does to each kind of record (see ``FolderStore.retag``)."""

    def highlight(self, annotation: Annotation) -> tuple[str, ...]:
        """The tags ``annotation`` must carry afterwards."""
        ...

    def document(self, relpath: str, tags: tuple[str, ...]) -> tuple[str, ...]:
        """The own tags document ``relpath`` must carry afterwards."""
        ...

    def codebook(self, book: Codebook) -> Codebook:
        """The codebook afterwards."""
        ...


@dataclass(frozen=True, slots=True)
class Rename:
    """Rename ``old`` (and its children) to ``new``; onto an existing tag this is a merge."""

    old: str
    """The tag renamed."""
    new: str
    """Its new name (checked by ``check_tag_name``)."""

    def retagged(self, tags: tuple[str, ...]) -> tuple[str, ...]:
        """``tags`` renamed; a tag that becomes one already there is merged into it."""
        return normalize_tags(renamed_tag(tag, self.old, self.new) for tag in tags)

    def highlight(self, annotation: Annotation) -> tuple[str, ...]:
        """See ``Operation``."""
        return self.retagged(annotation.tags)

    def document(self, relpath: str, tags: tuple[str, ...]) -> tuple[str, ...]:
        """See ``Operation``."""
        return self.retagged(tags)

    def codebook(self, book: Codebook) -> Codebook:
        """Entries move with their tags; on a merge a description already there wins."""
        moving = {
            k: v for k, v in book.tags.items() if renamed_tag(v.tag, self.old, self.new) != v.tag
        }
        tags = {k: v for k, v in book.tags.items() if k not in moving}
        for entry in moving.values():
            name = renamed_tag(entry.tag, self.old, self.new)
            there = tags.get(tag_id(name))
            if there is None:
                tags[tag_id(name)] = TagEntry(name, entry.description, entry.color)
            else:
                tags[tag_id(name)] = TagEntry(
                    there.tag, there.description or entry.description, there.color or entry.color
                )
        return Codebook(tags, book.colors)


@dataclass(frozen=True, slots=True)
class Delete:
    """Remove ``tag`` and its children from every highlight, document and the codebook."""

    tag: str
    """The tag deleted."""

    def kept(self, tags: tuple[str, ...]) -> tuple[str, ...]:
        """``tags`` without ``tag`` and its children."""
        return tuple(t for t in tags if not tag_matches(t, self.tag))

    def highlight(self, annotation: Annotation) -> tuple[str, ...]:
        """See ``Operation``."""
        return self.kept(annotation.tags)

    def document(self, relpath: str, tags: tuple[str, ...]) -> tuple[str, ...]:
        """See ``Operation``."""
        return self.kept(tags)

    def codebook(self, book: Codebook) -> Codebook:
        """See ``Operation``."""
        kept = {k: v for k, v in book.tags.items() if not tag_matches(v.tag, self.tag)}
        return Codebook(kept, book.colors)


@dataclass(frozen=True, slots=True)
class Retagged:
    """What one operation changed: enough to tell the user and to undo it."""

    highlights: tuple[tuple[Annotation, Annotation], ...] = ()
    """Each highlight changed, as ``(before, after)``."""
    documents: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()
    """Each document whose own tags changed, as ``(relpath, before, after)``."""
    codebook_before: Codebook = field(default_factory=Codebook)
    """The codebook before."""
    codebook_after: Codebook = field(default_factory=Codebook)
    """The codebook after."""

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return (
            not self.highlights
            and not self.documents
            and self.codebook_before == self.codebook_after
        )

    def summary(self) -> str:
        """``3 highlights and 1 document`` (what changed), for a message."""
        from ipreader.core.wording import plural

        documents = plural(len(self.documents), "document")
        return f"{plural(len(self.highlights), 'highlight')} and {documents}"


@dataclass(frozen=True, slots=True)
class Revert:
    """Undo a ``Retagged``: each record gets its tags back if nobody changed them since."""

    done: Retagged
    """The change undone."""
    # (before, after) tags by annotation id and by document path: a revert over
    # 20,000 highlights looks each one up once instead of scanning the list.
    _highlights: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        init=False, repr=False, compare=False
    )
    _documents: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        highlights = {b.id: (b.tags, a.tags) for b, a in self.done.highlights}
        documents = {path: (b, a) for path, b, a in self.done.documents}
        object.__setattr__(self, "_highlights", highlights)
        object.__setattr__(self, "_documents", documents)

    def highlight(self, annotation: Annotation) -> tuple[str, ...]:
        """See ``Operation``."""
        found = self._highlights.get(annotation.id)
        if found is None or annotation.tags != found[1]:
            return annotation.tags
        return found[0]

    def document(self, relpath: str, tags: tuple[str, ...]) -> tuple[str, ...]:
        """See ``Operation``."""
        found = self._documents.get(relpath)
        return found[0] if found is not None and tags == found[1] else tags

    def codebook(self, book: Codebook) -> Codebook:
        """Entries the change touched get their old state; others stay as they are now."""
        old, new = self.done.codebook_before.tags, self.done.codebook_after.tags
        touched = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
        tags = {k: v for k, v in book.tags.items() if k not in touched}
        tags.update({k: v for k, v in old.items() if k in touched})
        return Codebook(tags, book.colors)


# ---------------------------------------------------------------------- the tree


@dataclass(frozen=True, slots=True)
class TagRow:
    """One tag of the codebook tree (see ``tag_tree``)."""

    tag: str
    """The full tag (``policy/patents``), as spelled most often."""
    depth: int
    """0 for a top-level tag, 1 for its children, ..."""
    highlights: int
    """Highlights carrying the tag or one of its children."""
    documents: int
    """Documents where the tag or a child is on a highlight or the document itself."""
    uses: int
    """Times the tag itself (not a child) is used, on highlights and documents."""
    description: str = ""
    """Its description in the codebook."""
    color: str = ""
    """Its colour in the codebook (or empty)."""

    @property
    def label(self) -> str:
        """The last segment: what the tree shows, indented by ``depth``."""
        return segments(self.tag)[-1] if segments(self.tag) else self.tag


def tag_tree(
    documents: Iterable[tuple[tuple[str, ...], Iterable[tuple[str, ...]]]], book: Codebook
) -> list[TagRow]:
    """Every tag used or described, parents before children, siblings by name.

    ``documents`` gives, per document, its own tags and each highlight's tags.
    A parent only used through its children (``policy`` of ``policy/patents``)
    gets a row too, so the tree has no gaps.
    """
    spellings: dict[str, Counter[str]] = {}
    uses: Counter[str] = Counter()
    highlights: Counter[str] = Counter()
    documents_with: Counter[str] = Counter()

    def covered(tags: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for tag in tags:
            path = tag_path(tag)
            spellings.setdefault(tag_id(tag), Counter())[spelled(tag)] += 1
            uses[tag_id(tag)] += 1
            found.update(SEPARATOR.join(path[:depth]) for depth in range(1, len(path) + 1))
        return found

    for own, highlight_tags in documents:
        in_document = covered(own)
        for tags in highlight_tags:
            on_highlight = covered(tags)
            highlights.update(on_highlight)
            in_document |= on_highlight
        documents_with.update(in_document)
    keys = set(documents_with) | set(book.tags)
    for key in list(keys):  # ancestors of described tags too
        parts = key.split(SEPARATOR)
        keys.update(SEPARATOR.join(parts[:depth]) for depth in range(1, len(parts)))

    def shown(key: str) -> str:
        if key in spellings:
            return spellings[key].most_common(1)[0][0]
        entry = book.tags.get(key)
        if entry is not None:
            return entry.tag
        parent, _, last = key.rpartition(SEPARATOR)
        # A parent used only through its children: spelled as they spell it.
        child = next((shown(k) for k in sorted(keys) if k.startswith(key + SEPARATOR)), key)
        return SEPARATOR.join(segments(child)[: len(key.split(SEPARATOR))]) or last or parent

    rows: list[TagRow] = []
    for key in sorted(keys, key=lambda k: tuple(k.split(SEPARATOR))):
        entry = book.tags.get(key)
        rows.append(
            TagRow(
                tag=shown(key),
                depth=key.count(SEPARATOR),
                highlights=highlights[key],
                documents=documents_with[key],
                uses=uses[key],
                description="" if entry is None else entry.description,
                color="" if entry is None else entry.color,
            )
        )
    return rows
