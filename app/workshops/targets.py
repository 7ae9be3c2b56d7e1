"""Representation against what the trajectory intended, and who came for the first time.

A trajectory names the groups it expects at the table; it may also say how many people it hopes
to see per group (a target) and which groups are often missing. The room then sees, per expected
group, how far it is from that target ("Bewoners: 4 van 6", "Jongeren: nog niemand"), and
adopting a proposal while an expected group is absent or below its target asks the facilitator
first; the record says it happened.

Who is *present* per group is not pooled (see :func:`app.privacy.merge_small_groups`: the room
sees who is there, and it says nothing about what anyone did), so the distances are shown per
group as they are, from the same count the rest of the room uses: people let in and not left
(:func:`app.workshops.pooling.taking_part`).

The join question "Was je eerder bij een bijeenkomst van dit traject?" is about a person, so it
is only ever counted per group by the workshop's labels (:mod:`app.workshops.pooling`), with
groups below k pooled or left out, and never sent to any screen per person.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.privacy import label_of, shown_per_group
from app.workshops.groups import group_key
from app.workshops.models import Participant, Trajectory, Workshop
from app.workshops.pooling import taking_part, workshop_labels

#: The answers to the join question; ``None`` (no answer) is allowed too.
BeenBefore = Literal["ja", "nee", "weet_niet"]
ANSWERS: tuple[BeenBefore, ...] = ("ja", "nee", "weet_niet")
#: Under this key the record counts who did not answer.
UNANSWERED = "geen_antwoord"

#: The largest target a trajectory may set for one group.
MAX_TARGET = 999


class Standing(BaseModel):
    """One expected group against its target: how many are here, and whether that is short."""

    group: str
    here: int
    target: int | None = Field(description="None: the trajectory set no target for this group")
    often_missing: bool = False

    @property
    def short(self) -> bool:
        """Absent, or fewer than the target: adopting then asks the facilitator first."""
        return self.here == 0 or (self.target is not None and self.here < self.target)


def tidy_targets(
    expected: Iterable[str], targets: Mapping[str, int], often_missing: Iterable[str]
) -> tuple[dict[str, int], list[str]]:
    """Targets and "often missing" kept for expected groups only, under their stored spelling.

    A target of 0 (or none) means no target; a group no longer expected loses both.
    """
    by_key = {group_key(g): g for g in expected}
    kept = {
        by_key[group_key(g)]: min(int(n), MAX_TARGET)
        for g, n in targets.items()
        if group_key(g) in by_key and int(n) > 0
    }
    missing = {by_key[group_key(g)] for g in often_missing if group_key(g) in by_key}
    return kept, [g for g in by_key.values() if g in missing]


def standings(trajectory: Trajectory, here: Mapping[str, int]) -> list[Standing]:
    """Each expected group, in the trajectory's order, against its target."""
    counted: Counter[str] = Counter()
    for group, n in here.items():
        counted[group_key(group)] += n
    targets = {group_key(g): n for g, n in trajectory.group_targets.items()}
    often = {group_key(g) for g in trajectory.often_missing}
    return [
        Standing(
            group=g,
            here=counted[group_key(g)],
            target=targets.get(group_key(g)),
            often_missing=group_key(g) in often,
        )
        for g in trajectory.expected_groups
    ]


def states_intent(trajectory: Trajectory) -> bool:
    """Whether the trajectory said what it intended: a target or an "often missing" mark.

    Only then does adopting ask first. A trajectory that only lists its expected groups (all
    from before targets existed) keeps what it had: the room's "missing at the table".
    """
    return bool(trajectory.group_targets or trajectory.often_missing)


def shortfalls(session: Session, workshop_id: int, trajectory: Trajectory) -> list[Standing]:
    """The expected groups absent or below target now (people let in and not left), when the
    trajectory stated its intent (:func:`states_intent`); then an expected group without a
    target of its own is short when nobody of it is there."""
    if not states_intent(trajectory):
        return []
    return [s for s in standings(trajectory, taking_part(session, workshop_id)) if s.short]


def shortfall_record(short: Iterable[Standing]) -> list[dict[str, Any]]:
    """What an adopted proposal keeps of the shortfalls it was adopted with."""
    return [{"group": s.group, "here": s.here, "target": s.target} for s in short]


def new_voices(session: Session, workshop: Workshop, k: int) -> dict[str, Any]:
    """The answers to "Was je eerder bij een bijeenkomst van dit traject?", counted per shown
    group (the workshop's labels: groups below k pooled, or nothing per group) and in total.

    Everyone let in is counted (also who left: they were there). The total counts the people of
    the groups shown, so it cannot be set against them to find a group that is not shown; only
    when no group is shown at all does it count everyone.
    """
    assert workshop.id is not None
    rows = session.exec(
        select(Participant.stakeholder_group, Participant.been_before).where(
            Participant.workshop_id == workshop.id,
            col(Participant.waiting).is_(False),
            col(Participant.is_helper).is_(False),  # a tafelhulp is not a participant
        )
    ).all()
    labels = workshop_labels(session, workshop, k)
    per_group = shown_per_group(labels)
    by_group: dict[str, dict[str, int]] = {}
    total = dict.fromkeys((*ANSWERS, UNANSWERED), 0)
    for group, answer in rows:
        key = answer if answer in ANSWERS else UNANSWERED
        label = label_of(labels, group) if per_group else None
        if per_group and label is None:
            continue  # a late group under no label: in no figure, not even the total
        total[key] += 1
        if label is not None:
            counts = by_group.setdefault(label, dict.fromkeys((*ANSWERS, UNANSWERED), 0))
            counts[key] += 1
    return {"by_group": dict(sorted(by_group.items())), "total": total}
