"""Hierarchical tags: a parent matches itself and its children, never a longer word."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.tags import carries, covered, is_ancestor, tag_matches, tag_path

segment = st.text(alphabet="abcXYZé ß-_", min_size=1, max_size=6).filter(lambda s: s.strip())
clean_segment = st.text(alphabet="abcxyzé-_", min_size=1, max_size=6)
tag = st.lists(segment, min_size=1, max_size=4).map("/".join)
clean_tag = st.lists(clean_segment, min_size=1, max_size=4).map("/".join)


def test_examples() -> None:
    assert tag_matches("policy", "policy")
    assert tag_matches("Policy/Patents", "policy")
    assert tag_matches("policy / patents / EU", "POLICY/patents")
    assert not tag_matches("policymaking", "policy")
    assert not tag_matches("policy", "policy/patents")
    assert not tag_matches("anything", "")
    assert not tag_matches("anything", " / ")
    assert tag_path(" A //b/ ") == ("a", "b")
    assert carries(("x", "policy/eu"), "Policy") and not carries(("x",), "policy")
    assert not carries(("x",), "") and not carries((), "x")
    assert is_ancestor("policy", "policy/eu") and not is_ancestor("policy", "policy")


@given(clean_tag, clean_tag)
def test_same_as_the_plain_rule_on_clean_tags(a: str, b: str) -> None:
    # On tags without stray spaces or empty segments the rule is: equal, or a
    # prefix followed by the separator.
    expected = a.casefold() == b.casefold() or a.casefold().startswith(b.casefold() + "/")
    assert tag_matches(a, b) is expected


@given(tag)
def test_a_tag_matches_itself_in_any_case(a: str) -> None:
    assert tag_matches(a, a)
    assert tag_matches(a.upper(), a) and tag_matches(a, a.lower())


@given(tag, tag)
def test_children_match_and_longer_words_do_not(parent: str, child: str) -> None:
    assert tag_matches(f"{parent}/{child}", parent)
    assert is_ancestor(parent, f"{parent}/{child}")
    assert not tag_matches(parent + "x" + child, parent + "x" + child + "/more")
    assert not tag_matches(parent.rstrip() + "zz", parent)


@given(tag, tag, tag)
def test_matching_is_a_partial_order(a: str, b: str, c: str) -> None:
    if tag_matches(a, b) and tag_matches(b, c):
        assert tag_matches(a, c)
    if tag_matches(a, b) and tag_matches(b, a):
        assert tag_path(a) == tag_path(b)
    assert is_ancestor(b, a) == (tag_matches(a, b) and tag_path(a) != tag_path(b))


@given(st.lists(tag, max_size=4), tag)
def test_carries_is_tag_matches_on_any(tags: list[str], wanted: str) -> None:
    assert carries(tuple(tags), wanted) == any(tag_matches(t, wanted) for t in tags)
    assert all(path for path in covered(tuple(tags)))
