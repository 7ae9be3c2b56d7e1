"""Small groups identify people: the one rule for showing figures per stakeholder group.

When a figure (ratings, dots, cards, people present) is broken down per stakeholder group, a group
of one or two people gives its members away: "the one person from *bestuur* objected". Every place
that shows such a breakdown first maps each group through :func:`merge_small_groups`, so the rule
(k from ``ATELIER_MIN_GROUP_SIZE``, default 3) lives here and nowhere else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from app.settings import Settings

#: k when no settings are at hand (tests, the demo): ``ATELIER_MIN_GROUP_SIZE``'s default.
DEFAULT_K: int = Settings.model_fields["min_group_size"].default

#: The label under which groups smaller than k are shown together.
OTHER_GROUPS = "overige groepen"


def merge_small_groups(sizes: Mapping[str, int], k: int) -> dict[str, str | None]:
    """Map each group to the label it may be shown under, or ``None`` when it must not be shown.

    ``sizes`` counts the *people* behind the figure (raters for ratings, voters for dots,
    authors for contributions), not the figure itself. Who is *present* per group is not such a
    figure: the room sees who is there, and it says nothing about what anyone did.

    A group of at least ``k`` people keeps its name; smaller groups are pooled under
    :data:`OTHER_GROUPS`. While that pool is still smaller than ``k``, the smallest named group
    joins it — suppressing the pool instead would let anyone who knows who was there subtract
    it out of the total. Only when all people together are fewer than ``k`` is nothing shown
    per group (every group ``None``).
    """
    people = {group: n for group, n in sizes.items() if n > 0}
    pooled = {group for group, n in people.items() if n < k}
    named = sorted((n, group) for group, n in people.items() if n >= k)
    while pooled and sum(people[g] for g in pooled) < k and named:
        pooled.add(named.pop(0)[1])
    if pooled and sum(people[g] for g in pooled) < k:
        return dict.fromkeys(people)
    return {group: OTHER_GROUPS if group in pooled else group for group in people}


def group_counts(groups: Iterable[str], k: int) -> dict[str, int]:
    """People per shown group (one entry per person in ``groups``), small groups merged.

    Suppressed people are left out, so the shown counts may add up to less than the total; the
    caller shows the total separately where it matters.
    """
    sizes = Counter(groups)
    mapping = merge_small_groups(sizes, k)
    shown: Counter[str] = Counter()
    for group, n in sizes.items():
        label = mapping.get(group)
        if label is not None:
            shown[label] += n
    return dict(sorted(shown.items()))
