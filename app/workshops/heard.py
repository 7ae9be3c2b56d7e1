"""Who was at the table and who was heard: per stakeholder group, its share of the people
against its share of the cards, proposals, dots and objections.

The seeds ask the room to keep checking who is at the table and whether the usual suspects
dominate. These figures make that visible, for one workshop (:func:`heard`) and across a
trajectory's workshops (:func:`table_check`). Groups are pooled by the k rule of
:mod:`app.privacy` over the *people* in them, so no figure here is about one person.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from app.privacy import merge_small_groups
from app.workshops.models import (
    AgreementRound,
    Card,
    Dot,
    DotVote,
    Participant,
    Proposal,
    Rating,
    Trajectory,
    Workshop,
)
from app.workshops.schemas import Heard, HeardGroup

#: A group is under-heard when its share of cards and proposals is below this part of its share
#: of the people: it was there, but mostly listened.
UNDER_HEARD = 0.5
FIGURES = ("cards", "proposals", "dots", "objections")


def _per_person(session: Session, workshop_id: int) -> dict[str, Counter[int]]:
    """Per figure, how much each participant put in."""
    cards = session.exec(
        select(Card.author_id).where(
            Card.workshop_id == workshop_id, col(Card.author_id).is_not(None)
        )
    ).all()
    proposals = session.exec(
        select(Proposal.author_id).where(
            Proposal.workshop_id == workshop_id, col(Proposal.author_id).is_not(None)
        )
    ).all()
    dots = session.exec(
        select(Dot.participant_id)
        .join(DotVote, col(DotVote.id) == col(Dot.vote_id))
        .where(DotVote.workshop_id == workshop_id, col(DotVote.closed_at).is_not(None))
    ).all()
    objections = session.exec(
        select(Rating.participant_id)
        .join(AgreementRound, col(AgreementRound.id) == col(Rating.round_id))
        .where(AgreementRound.workshop_id == workshop_id, Rating.score == 1)
    ).all()
    return {
        "cards": Counter(a for a in cards if a is not None),
        "proposals": Counter(a for a in proposals if a is not None),
        "dots": Counter(dots),
        "objections": Counter(objections),
    }


def heard(session: Session, workshop_id: int, k: int) -> Heard:
    """The "who was heard" figures of one workshop, with groups smaller than k pooled.

    Dots count only votes that were closed (a cancelled vote was not counted); an objection is a
    rating of 1. Everyone who joined counts as present, also if they left early.
    """
    people = session.exec(
        select(Participant.id, Participant.stakeholder_group).where(
            Participant.workshop_id == workshop_id
        )
    ).all()
    group_of = {pid: group for pid, group in people if pid is not None}
    sizes = Counter(group_of.values())
    label = merge_small_groups(sizes, k)
    put_in = _per_person(session, workshop_id)

    def line(name: str, members: set[int]) -> HeardGroup:
        return HeardGroup(
            group=name,
            people=len(members),
            **{f: sum(n for p, n in put_in[f].items() if p in members) for f in FIGURES},
        )

    shown: dict[str, set[int]] = {}
    for pid, group in group_of.items():
        name = label.get(group)
        if name is not None:
            shown.setdefault(name, set()).add(pid)
    total = line("", set(group_of))
    lines = [line(name, members) for name, members in sorted(shown.items())]
    return Heard(
        groups=lines,
        total=total,
        min_group_size=k,
        under_heard=[g.group for g in lines if is_under_heard(g, total)],
    )


def is_under_heard(group: HeardGroup, total: HeardGroup) -> bool:
    """Its share of what was said (cards and proposals) is under half its share of the people."""
    said, all_said = group.cards + group.proposals, total.cards + total.proposals
    if total.people == 0 or all_said == 0:
        return False
    return said / all_said < UNDER_HEARD * (group.people / total.people)


class WorkshopTable(BaseModel):
    """One workshop of a trajectory as the table check sees it."""

    model_config = ConfigDict(extra="forbid")

    id: int
    title: str
    present: list[str]
    missing: list[str]
    under_heard: list[str]


class TableCheck(BaseModel):
    """Reframing re-checks the table: who was expected, who came, who was heard, who never came.

    ``never_present`` are expected groups absent from every workshop so far; ``often_missing``
    were absent from more than one (but not all); ``often_under_heard`` were under-heard in more
    than one workshop. The pages put the question for the room beside these figures.
    """

    model_config = ConfigDict(extra="forbid")

    expected: list[str]
    workshops: list[WorkshopTable]
    never_present: list[str]
    often_missing: list[str]
    often_under_heard: list[str]


def table_check(session: Session, trajectory: Trajectory, k: int) -> TableCheck:
    """Expected against present groups across the trajectory's workshops (oldest first).

    A workshop nobody joined is left out: it has not been held.
    """
    expected = list(trajectory.expected_groups)
    workshops = session.exec(
        select(Workshop).where(Workshop.trajectory_id == trajectory.id).order_by(col(Workshop.id))
    ).all()
    lines: list[WorkshopTable] = []
    for workshop in workshops:
        assert workshop.id is not None
        groups = set(
            session.exec(
                select(Participant.stakeholder_group).where(Participant.workshop_id == workshop.id)
            ).all()
        )
        if not groups:
            continue
        figures = heard(session, workshop.id, k)
        lines.append(
            WorkshopTable(
                id=workshop.id,
                title=workshop.title,
                present=sorted(groups),
                missing=[g for g in expected if g not in groups],
                under_heard=figures.under_heard,
            )
        )
    missing = Counter(g for w in lines for g in w.missing)
    under = Counter(g for w in lines for g in w.under_heard)
    return TableCheck(
        expected=expected,
        workshops=lines,
        never_present=[g for g in expected if lines and missing[g] == len(lines)],
        often_missing=[g for g in expected if missing[g] > 1 and missing[g] < len(lines)],
        often_under_heard=sorted(g for g, n in under.items() if n > 1),
    )


def consented(session: Session, workshop_id: int, k: int) -> dict[str, Any]:
    """What the record may say about drijfveren and wished contributions.

    Drijfveren only of people who agreed to "in the record without name", without names or
    groups (a drijfveer with a group can point at a person); contributions as counts per group,
    pooled like every other per-group figure, counting only those who agreed.
    """
    people = session.exec(select(Participant).where(Participant.workshop_id == workshop_id)).all()
    drijfveren = sorted(
        p.drijfveer.strip() for p in people if p.drijfveer.strip() and p.drijfveer_use == "record"
    )
    sharing = [p for p in people if p.contribution_use == "record"]
    label = merge_small_groups(Counter(p.stakeholder_group for p in sharing), k)
    wishes: dict[str, Counter[str]] = {}
    for p in sharing:
        name = label.get(p.stakeholder_group)
        if name is not None:
            wishes.setdefault(name, Counter())[p.contribution] += 1
    return {
        "drijfveren": drijfveren,
        "contributions": {g: dict(sorted(c.items())) for g, c in sorted(wishes.items())},
    }
