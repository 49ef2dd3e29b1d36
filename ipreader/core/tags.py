"""Hierarchical tags: ``policy/patents`` is a child of ``policy``.

A tag is a path of segments separated by ``/``. Matching is case-insensitive,
ignores spaces around segments and empty segments (``Policy / Patents``,
``policy//patents`` and ``policy/patents`` are one tag), and a wanted tag
matches itself and every descendant, never a tag that merely starts with the
same letters (``policy`` does not match ``policymaking``).
"""

from __future__ import annotations

import functools

from ipreader.core.model import tag_key

#: The separator between a parent tag and its child.
SEPARATOR = "/"


@functools.lru_cache(maxsize=8192)
def tag_path(tag: str) -> tuple[str, ...]:
    """Return the matching form of ``tag``: its case-folded segments, empty ones dropped."""
    # Cached: reports ask for the same few hundred tags tens of thousands of times.
    return tuple(part for part in (p.strip() for p in tag_key(tag).split(SEPARATOR)) if part)


def tag_matches(tag: str, wanted: str) -> bool:
    """True when ``tag`` is ``wanted`` or one of its descendants (an empty ``wanted``: never)."""
    target = tag_path(wanted)
    return bool(target) and tag_path(tag)[: len(target)] == target


@functools.lru_cache(maxsize=8192)
def covered(tags: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """Return the paths of every tag that ``tags`` match: each tag's own and its ancestors'."""
    # Cached by the whole tuple: highlights share a few hundred tag combinations, so
    # "does this highlight carry X" becomes one set lookup.
    paths = (tag_path(tag) for tag in tags)
    return frozenset(path[:depth] for path in paths for depth in range(1, len(path) + 1))


def carries(tags: tuple[str, ...], wanted: str) -> bool:
    """True when one of ``tags`` matches ``wanted`` (see ``tag_matches``)."""
    return tag_path(wanted) in covered(tags)


def is_ancestor(parent: str, child: str) -> bool:
    """True when ``child`` is a strict descendant of ``parent`` (``a`` of ``a/b``, not of ``a``)."""
    above, below = tag_path(parent), tag_path(child)
    return bool(above) and len(below) > len(above) and below[: len(above)] == above
