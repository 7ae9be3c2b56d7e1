"""The small-group rule: no figure per stakeholder group ever rests on fewer than k people."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from app.privacy import OTHER_GROUPS, arrives_unshown, label_of, merge_small_groups
from app.workshops.pooling import count_by_label

GROUPS = ["inwoner", "beleid", "bestuur", "ketenpartner", "uitvoering"]


def test_one_person_in_a_group_is_pooled_with_others_not_named():
    assert merge_small_groups({"inwoner": 4, "bestuur": 1, "beleid": 2}, 3) == {
        "inwoner": "inwoner",
        "bestuur": OTHER_GROUPS,
        "beleid": OTHER_GROUPS,
    }


def test_a_pool_too_small_takes_in_the_smallest_named_group_rather_than_vanish():
    """Leaving the lone bestuur member out would let anyone subtract them from the total."""
    assert merge_small_groups({"inwoner": 3, "beleid": 5, "bestuur": 1}, 3) == {
        "inwoner": OTHER_GROUPS,
        "beleid": "beleid",
        "bestuur": OTHER_GROUPS,
    }


def test_fewer_than_k_people_in_all_shows_nothing_per_group():
    assert merge_small_groups({"inwoner": 1, "bestuur": 1}, 3) == {
        "inwoner": None,
        "bestuur": None,
    }
    labels = merge_small_groups({"inwoner": 1, "bestuur": 1}, 3)
    assert count_by_label(["inwoner", "bestuur"], labels) == {}


def test_a_group_that_comes_later_joins_the_pool_or_no_group_never_a_pool_of_its_own():
    with_pool = merge_small_groups({"inwoner": 4, "bestuur": 1, "beleid": 2}, 3)
    assert label_of(with_pool, "ketenpartner") == OTHER_GROUPS
    assert not arrives_unshown(with_pool, "ketenpartner")
    # Everyone named: a pool of the late group alone would be the difference with before.
    named = merge_small_groups({"inwoner": 3, "beleid": 3}, 3)
    assert label_of(named, "bestuur") is None and arrives_unshown(named, "bestuur")
    assert count_by_label(["inwoner", "bestuur", "beleid"], named) == {"beleid": 1, "inwoner": 1}
    # Nothing per group at all: a late group changes nothing either.
    nothing = merge_small_groups({"inwoner": 1}, 3)
    assert label_of(nothing, "bestuur") is None and not arrives_unshown(nothing, "bestuur")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    sizes=st.dictionaries(st.sampled_from(GROUPS), st.integers(min_value=0, max_value=8)),
    k=st.integers(min_value=2, max_value=5),
)
def test_every_shown_label_has_at_least_k_people_and_nothing_can_be_subtracted(sizes, k):
    mapping = merge_small_groups(sizes, k)
    shown: Counter[str] = Counter()
    for group, label in mapping.items():
        if label is not None:
            shown[label] += sizes[group]
    assert all(n >= k for n in shown.values())
    # Either every group is shown (by name or pooled) or none is: no single hidden remainder.
    hidden = [g for g, label in mapping.items() if label is None]
    assert not hidden or len(hidden) == len(mapping)
    # Groups of k or more keep their name unless they were needed to make the pool big enough.
    small = sum(n for n in sizes.values() if 0 < n < k)
    if small == 0 or small >= k:
        assert all(mapping[g] == g for g, n in sizes.items() if n >= k)
