"""Taking part from elsewhere ("Ik ben er niet bij in de zaal"): who joined from outside the room.

Someone at home, on a shift break or in a video call joins with the same code and says so on the
join form (``Participant.remote``). Their phone then offers "Volg het scherm" first: the wall the
projector shows, laid out for a phone (app/static/js/participant_follow.js); taking part is the
same phone page as in the room, through the same commands.

Whether someone is in the room or elsewhere is a fact about a person, like the join question
"Was je eerder bij een bijeenkomst van dit traject?" (:func:`app.workshops.targets.new_voices`).
So it is only ever *counted per group*, by the workshop's labels (:mod:`app.workshops.pooling`:
groups below k pooled as "overige groepen", or in no per-group figure), on the console (the
staff's presence message, facilitators only) and in the record and its exports. Per person it
goes to nobody but the person themself (:func:`app.realtime.audience.participant_for`): the
facilitator does not need it to run the room — the people from elsewhere speak up through the
call, and their phones take part like any other — and the projector and the other phones never
learn anything about someone else.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from app.privacy import label_of, shown_per_group
from app.workshops.models import Participant, Workshop
from app.workshops.pooling import workshop_labels

#: The join form's checkbox sends this value when it is ticked (HTML's default for a checkbox).
TICKED = "on"


class Elsewhere(BaseModel):
    """People who took part from elsewhere: per shown group (k rule) and in total.

    ``total`` counts the people of the groups shown, so it cannot be set against them to find a
    group that is not shown; only when no group is shown at all does it count everyone.
    """

    model_config = ConfigDict(extra="forbid")

    by_group: dict[str, int] = Field(
        description="people from elsewhere per shown group (small groups merged as 'overige "
        "groepen' by the workshop's labels); groups with nobody from elsewhere left out"
    )
    total: int = Field(description="people from elsewhere in the groups shown (all: none shown)")


def remote_choice(value: str | None) -> bool | None:
    """The join form's "Ik ben er niet bij in de zaal": unticked (absent or empty) is ``False``,
    ticked is ``True``; ``None`` for anything else, which no checkbox sends: the form comes back
    with an error and nobody joins, rather than guessing what a forged form meant."""
    if value is None or value == "":
        return False
    if value == TICKED:
        return True
    return None


def from_elsewhere(session: Session, workshop: Workshop, k: int, *, now: bool) -> Elsewhere:
    """People who joined from elsewhere, counted per shown group (never per person).

    ``now``: only those taking part at this moment (let in and not left), as the console shows
    the room; otherwise everyone let in at any time (also who left: they took part), as the
    record keeps it. Labels are the workshop's (:func:`app.workshops.pooling.workshop_labels`),
    the same every other per-group figure of the console and the record uses.
    """
    assert workshop.id is not None
    query = select(Participant.stakeholder_group).where(
        Participant.workshop_id == workshop.id,
        col(Participant.waiting).is_(False),
        col(Participant.remote).is_(True),
    )
    if now:
        query = query.where(col(Participant.left_at).is_(None))
    groups = session.exec(query).all()
    labels = workshop_labels(session, workshop, k)
    per_group = shown_per_group(labels)
    by_group: dict[str, int] = {}
    total = 0
    for group in groups:
        label = label_of(labels, group) if per_group else None
        if per_group and label is None:
            continue  # a late group under no label: in no figure, not even the total
        total += 1
        if label is not None:
            by_group[label] = by_group.get(label, 0) + 1
    return Elsewhere(by_group=dict(sorted(by_group.items())), total=total)
