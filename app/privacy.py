"""Small groups identify people: the one rule for showing figures per stakeholder group.

When a figure (ratings, dots, cards, people present) is broken down per stakeholder group, a group
of one or two people gives its members away: "the one person from *bestuur* objected". Every place
that shows such a breakdown first maps each group through :func:`merge_small_groups`, so the rule
(k from ``ATELIER_MIN_GROUP_SIZE``, default 3) lives here and nowhere else.

Figures that change while the room works (a round's agreement per group, who contributed per
group) must not change *which* groups are pooled from one message to the next: subtracting two
messages whose pools differ gives back a group below k. So those labels are decided once, from
who may take part (the people in the room when a round opens; when the workshop leaves the lobby
for who contributed), kept with the round or workshop, and read through :func:`label_of`; a group
that arrives later is pooled (it was never shown on its own), and a group once pooled stays so.
"""

from __future__ import annotations

from collections.abc import Mapping

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


#: Stored labels: each group's label as decided once (see :func:`merge_small_groups`).
Labels = Mapping[str, str | None]


def label_of(labels: Labels, group: str) -> str | None:
    """The label ``group`` is shown under, by labels decided once (``None``: not per group).

    A group that was not there when the labels were decided joins the pool of other groups if
    there is one (it is then one more group behind "other groups", never shown alone). Without
    such a pool it is shown nowhere per group: a pool that starts with the late group alone
    would give it away against the earlier messages.
    """
    if group in labels:
        return labels[group]
    return OTHER_GROUPS if OTHER_GROUPS in labels.values() else None


def shown_per_group(labels: Labels) -> bool:
    """Whether any group has a label of its own or a pool: else nothing is shown per group."""
    return any(label is not None for label in labels.values())


def arrives_unshown(labels: Labels, group: str) -> bool:
    """A group that came after the labels were decided and fits under no label of them.

    Its people's figures would be the only difference between a total and the groups shown
    beside it, so where that total is live (a round) they wait for the next decision.
    """
    return shown_per_group(labels) and label_of(labels, group) is None
