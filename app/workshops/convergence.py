"""Measured agreement: when has a proposal converged? (rule and defaults: docs/protocol.md)

Pure functions over the ratings of one round, so the rule is written once and the projector,
the console, the record and the adoption check all agree on it: the room's overall figures,
the agreement per stakeholder group (groups below k pooled by the round's labels,
:mod:`app.privacy`), the group-aware figure (the lowest group's share) and, when the workshop
asks for it, whether every group carries the proposal.

Everything said per group is derived from the figures per group that are shown, never from
the ratings behind a hidden group, so no message says more about a group below k than
``by_group`` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.privacy import OTHER_GROUPS, Labels, label_of, shown_per_group
from app.workshops.models import WorkshopSettings
from app.workshops.schemas import Convergence, ConvergenceRule, GroupAgreement

#: One rating: its score, the reason given with it, and the rater's stakeholder group.
Rated = tuple[int, str, str]

#: Slack for comparing exact shares with a threshold typed as a percentage (⅔ against 0.6667).
EPSILON = 1e-9


def rule_of(settings: WorkshopSettings) -> ConvergenceRule:
    """The convergence rule of a workshop, as the record states it."""
    return ConvergenceRule(
        agree_share=settings.agree_share,
        allow_objections=settings.allow_objections,
        min_participation=settings.min_participation,
        carried_by_every_group=settings.carried_by_every_group,
        group_agree_share=settings.group_agree_share,
    )


def pooled_scores(ratings: Sequence[Rated], labels: Labels, k: int) -> dict[str, list[int]]:
    """The scores per label of the round; empty while fewer than ``k`` people rated in all.

    A rater whose group fits under no label (it came after the labels were decided, with no
    pool to join) is in no label: such people cannot rate (``late_for_round``).
    """
    if len(ratings) < k:
        return {}
    pooled: dict[str, list[int]] = {}
    for score, _reason, group in ratings:
        label = label_of(labels, group)
        if label is not None:
            pooled.setdefault(label, []).append(score)
    return pooled


def _agree(scores: Sequence[int]) -> float:
    return sum(1 for x in scores if x >= 4) / len(scores) if scores else 0.0


def by_group(pooled: Mapping[str, Sequence[int]]) -> list[GroupAgreement]:
    """Agreement (share of 4s and 5s) and objections (1s) per label, most raters first."""
    return [
        GroupAgreement(
            group=label,
            raters=len(scores),
            agree_share=round(_agree(scores), 4),
            objections=sum(1 for x in scores if x == 1),
        )
        for label, scores in sorted(pooled.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


def not_carried(
    pooled: Mapping[str, Sequence[int]], labels: Labels, settings: WorkshopSettings
) -> list[str]:
    """The shown groups that do not carry the proposal yet: below ``group_agree_share``, an
    objection among them, or nobody of them rated it. Sorted by name, so the list says nothing
    about the order in which people rated.

    ``pooled`` is empty while fewer than k rated in all: then no group is shown to carry it,
    and every shown group is listed (a list that depends on the count of raters alone).
    """
    shown = sorted({label for label in labels.values() if label is not None})
    return [
        label
        for label in shown
        if not pooled.get(label)
        or _agree(pooled[label]) < settings.group_agree_share - EPSILON
        or 1 in pooled[label]
    ]


def measure(
    ratings: Sequence[Rated], *, eligible: int, settings: WorkshopSettings, labels: Labels, k: int
) -> Convergence:
    """Figures for one proposal from its ``(score, reason, group)`` ratings.

    ``eligible`` is how many people were present when the round opened; the share who rated is
    measured against it, so a proposal cannot converge on the say of a few early raters.
    ``labels`` are the round's labels (who may be shown per group), ``k`` the smallest group.

    With ``carried_by_every_group`` it converges only when, besides the overall rule, every
    group shown per group has at least ``group_agree_share`` in favour and no objection. When
    the room is too small to show any group (everyone together fewer than k), the room is
    that one group: its overall share must reach ``group_agree_share`` without objection.
    """
    counts = [0, 0, 0, 0, 0]
    for score, _reason, _group in ratings:
        counts[score - 1] += 1
    raters = len(ratings)
    agree = counts[3] + counts[4]
    objections = counts[0]
    agree_share = agree / raters if raters else 0.0
    participation = raters / eligible if eligible else 0.0
    converged = (
        raters > 0
        and agree_share >= settings.agree_share - EPSILON
        and objections <= settings.allow_objections
        and participation >= settings.min_participation - EPSILON
    )
    pooled = pooled_scores(ratings, labels, k)
    groups = by_group(pooled)
    missing: list[str] = []
    if settings.carried_by_every_group:
        if shown_per_group(labels):
            missing = not_carried(pooled, labels, settings)
            converged = converged and not missing
        else:
            converged = (
                converged
                and agree_share >= settings.group_agree_share - EPSILON
                and objections == 0
            )
    return Convergence(
        raters=raters,
        counts=counts,
        agree_share=round(agree_share, 4),
        participation=round(min(participation, 1.0), 4),
        objections=objections,
        # Sorted, not in the order given: with the figures per group beside them, the order
        # would tell whose reason came when.
        objection_reasons=sorted(
            reason for score, reason, _group in ratings if score == 1 and reason
        ),
        converged=converged,
        by_group=groups,
        lowest_group_share=min((g.agree_share for g in groups), default=None),
        not_carried=missing,
    )


def together_labels(
    room: Labels, window: Labels, room_groups: set[str], window_groups: set[str]
) -> dict[str, str | None]:
    """The labels for the room and an after-window added up, per group that rated in either.

    A group keeps its name only where each channel it rated in shows it under its name; a
    group pooled in either is pooled; a group shown nowhere in a channel it rated in is shown
    nowhere. So the figures together, less those of the room and of the window (each public
    once the window closed), give back nothing that was not shown already: no group below k
    is found by subtracting one table from another.
    """
    together: dict[str, str | None] = {}
    for group in sorted(room_groups | window_groups):
        seen = [
            label_of(labels, group)
            for labels, groups in ((room, room_groups), (window, window_groups))
            if group in groups
        ]
        if any(label is None for label in seen):
            together[group] = None
        elif all(label == group for label in seen):
            together[group] = group
        else:
            together[group] = OTHER_GROUPS
    return together


def _shown(ratings: Sequence[Rated], labels: Labels, k: int) -> bool:
    """A channel shows its figures per group for a proposal (or is empty, so adds nothing)."""
    return not ratings or (len(ratings) >= k and shown_per_group(labels))


def measure_together(
    room: Sequence[Rated],
    window: Sequence[Rated],
    *,
    eligible: int,
    settings: WorkshopSettings,
    room_labels: Labels,
    window_labels: Labels,
    k: int,
) -> Convergence:
    """The room's and the after-window's ratings of one proposal as one set of figures.

    ``eligible`` is those present when the room's round opened plus those who rated in the
    window. With ``window_objection = "reported"`` a 1 from the window is in the counts and
    its reason is listed, but it does not block: whether it converged (and which groups do
    not carry it) is measured as if it were a 2 — it still does not agree. With ``"counts"``
    (the default) it is an objection as in the room.

    Per group only when each channel shows its own figures per group for this proposal (or
    has none): else a table per group together less the room's would give the window's
    groups below k back (:func:`together_labels`).
    """
    labels: Labels = {}
    if _shown(room, room_labels, k) and _shown(window, window_labels, k):
        labels = together_labels(
            room_labels, window_labels, {g for *_, g in room}, {g for *_, g in window}
        )
    everyone = [*room, *window]
    shown = measure(everyone, eligible=eligible, settings=settings, labels=labels, k=k)
    if settings.window_objection != "reported":
        return shown
    softened = [*room, *((2 if score == 1 else score, reason, g) for score, reason, g in window)]
    decided = measure(softened, eligible=eligible, settings=settings, labels=labels, k=k)
    return shown.model_copy(
        update={"converged": decided.converged, "not_carried": decided.not_carried}
    )
