"""Who was at the table and who was heard: per stakeholder group, its share of the people
against its share of the cards, proposals, dots and objections.

The seeds ask the room to keep checking who is at the table and whether the usual suspects
dominate. These figures make that visible, for one workshop (:func:`heard`) and across a
trajectory's workshops (:func:`table_check`). Groups are pooled by the k rule of
:mod:`app.privacy` over the *people* in them, so no figure here is about one person.

This module owns the view of those figures too (:class:`Heard`), with what every reader needs
worked out once, here: each group's shares of the total, what it said (cards and proposals) and
whether it mostly listened. The console, the projector, the trajectory page and every export
read those fields; none of them works out a share of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.privacy import OTHER_GROUPS, label_of, merge_small_groups, shown_per_group
from app.workshops.groups import group_key
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
from app.workshops.pooling import workshop_labels

#: A group is under-heard when its share of cards and proposals is below this part of its share
#: of the people: it was there, but mostly listened.
UNDER_HEARD = 0.5
FIGURES = ("cards", "proposals", "dots", "objections")
#: What each line counts; everything else on a line is derived from these.
COUNTS = ("people", *FIGURES)
#: Fields worked out from the counts (see :meth:`Heard._derive`). A summary or a record written
#: before they existed lacks them: the JSON Schema does not require them, and reading one back
#: derives them.
DERIVED_LINE = ("said", "shares", "under_heard")
DERIVED_WHOLE = ("pooled_group",)


def _not_required(*names: str) -> Any:
    """Leave derived ``names`` out of the JSON Schema's required fields, so a summary written
    before they existed still validates (version 1 grows compatibly)."""

    def edit(schema: dict[str, Any]) -> None:
        schema["required"] = [n for n in schema.get("required", []) if n not in names]

    return edit


class Shares(BaseModel):
    """A line's figures as whole percentages of the total line's; null (``None``) where the
    total is 0: a share of nothing is no figure, and readers show a dash."""

    model_config = ConfigDict(extra="forbid")

    people: int | None
    cards: int | None
    proposals: int | None
    dots: int | None
    objections: int | None
    #: Of cards and proposals together: what the group said.
    said: int | None


class HeardGroup(BaseModel):
    """One stakeholder group's people and what they put in (``group`` is "" for the total).

    ``said`` is its cards and proposals together; ``shares`` its figures as percentages of the
    total (the total's own are 100, or null); ``under_heard``: its share of what was said is
    under half its share of the people (never for the total).
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=_not_required(*DERIVED_LINE))

    group: str
    people: int
    cards: int
    proposals: int
    dots: int
    objections: int
    said: int
    shares: Shares
    under_heard: bool


class Heard(BaseModel):
    """Who was heard: per group its share of the people against its share of what was said.

    Groups are k-pooled over the people in them (see ``app/privacy.py``): smaller groups are in
    the pooled group (``pooled_group``, the key readers show as "other groups") or only in the
    total. ``under_heard`` names the shown groups whose share of cards and proposals is less
    than half their share of the people: they mostly listened.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=_not_required(*DERIVED_WHOLE))

    groups: list[HeardGroup]
    total: HeardGroup
    min_group_size: int
    under_heard: list[str]
    pooled_group: str

    @model_validator(mode="before")
    @classmethod
    def _derive(cls, data: Any) -> Any:
        """Work out the derived figures from the counts, on every validation.

        So a ``Heard`` never disagrees with its own counts, and one stored before these
        fields existed (a saved vertrekpunt, the event log, the projector's state, an exported
        summary) reads back with them.
        """
        if not isinstance(data, Mapping):
            return data
        try:
            total = _counts(data["total"])
            lines = [_line(_counts(line), total) for line in data["groups"]]
            whole = _line(total, total)
        except (KeyError, TypeError):
            return data  # malformed: the fields' own validation says what is wrong
        return {
            **data,
            "groups": lines,
            "total": whole,
            "under_heard": [line["group"] for line in lines if line["under_heard"]],
            "pooled_group": OTHER_GROUPS,
        }


def _counts(line: Any) -> dict[str, Any]:
    """The counted fields of a line given as a mapping or a :class:`HeardGroup`."""
    source = line.model_dump() if isinstance(line, BaseModel) else line
    return {"group": source["group"], **{name: source[name] for name in COUNTS}}


def _percent(part: int, whole: int) -> int | None:
    """Whole percent, rounded as Python rounds (half to even), as the record always showed."""
    return round(100 * part / whole) if whole else None


def _line(line: dict[str, Any], total: dict[str, Any]) -> dict[str, Any]:
    said, all_said = line["cards"] + line["proposals"], total["cards"] + total["proposals"]
    return {
        **line,
        "said": said,
        "shares": {
            **{name: _percent(line[name], total[name]) for name in COUNTS},
            "said": _percent(said, all_said),
        },
        "under_heard": is_under_heard(
            said=said, people=line["people"], all_said=all_said, all_people=total["people"]
        ),
    }


def is_under_heard(*, said: int, people: int, all_said: int, all_people: int) -> bool:
    """Its share of what was said (cards and proposals) is under half its share of the people."""
    if all_people == 0 or all_said == 0:
        return False
    return said / all_said < UNDER_HEARD * (people / all_people)


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
        .where(
            AgreementRound.workshop_id == workshop_id,
            Rating.score == 1,
            # An open after-window's ratings are hidden from every screen until it closes.
            or_(
                col(AgreementRound.after_round_id).is_(None), col(AgreementRound.is_open).is_(False)
            ),
        )
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
            Participant.workshop_id == workshop_id,
            col(Participant.waiting).is_(False),
            col(Participant.is_helper).is_(False),  # a tafelhulp is not a participant
        )
    ).all()
    group_of = {pid: group for pid, group in people if pid is not None}
    workshop = session.get(Workshop, workshop_id)
    assert workshop is not None
    labels = workshop_labels(session, workshop, k)  # as the room's live figures pooled them
    put_in = _per_person(session, workshop_id)

    def line(name: str, members: set[int]) -> dict[str, Any]:
        return {
            "group": name,
            "people": len(members),
            **{f: sum(n for p, n in put_in[f].items() if p in members) for f in FIGURES},
        }

    shown: dict[str, set[int]] = {}
    for pid, group in group_of.items():
        name = label_of(labels, group)
        if name is not None:
            shown.setdefault(name, set()).add(pid)
    return Heard.model_validate(
        {
            "groups": [line(name, members) for name, members in sorted(shown.items())],
            # Beside figures per group, the total counts the people they show: a late group
            # left out of them (app.privacy.label_of) would be the total's remainder.
            "total": line(
                "", set().union(*shown.values()) if shown_per_group(labels) else set(group_of)
            ),
            "min_group_size": k,
        }
    )


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
                select(Participant.stakeholder_group).where(
                    Participant.workshop_id == workshop.id, col(Participant.is_helper).is_(False)
                )
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
                missing=[g for g in expected if group_key(g) not in {group_key(p) for p in groups}],
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
    people = session.exec(
        select(Participant).where(
            Participant.workshop_id == workshop_id, col(Participant.is_helper).is_(False)
        )
    ).all()
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
