"""Joining and leaving a workshop. Participants have no account: a token cookie is who they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.clock import utcnow
from app.realtime.commands import Actor, Batch, CommandError, Context, handles, run_in_order
from app.realtime.protocol import (
    ParticipantJoined,
    ParticipantLeave,
    ParticipantLeft,
    ParticipantRemove,
)
from app.types import Contribution, Role
from app.workshops.access import hash_token, new_token
from app.workshops.models import Card, Participant, Proposal, Workshop
from app.workshops.schemas import participant_view


def authors(session: Session, workshop_id: int) -> set[int]:
    """The participants who posted a card or a proposal in this workshop."""
    found: set[int] = set()
    for model in (Card, Proposal):
        found.update(
            a
            for a in session.exec(
                select(model.author_id).where(model.workshop_id == workshop_id).distinct()
            )
            if a is not None
        )
    return found


def is_named(session: Session, participant_id: int | None) -> bool:
    """Whether this author took part with a name, so the facilitator may see who wrote what."""
    if participant_id is None:
        return False
    participant = session.get(Participant, participant_id)
    return participant is not None and participant.display_name is not None


#: Consent for how a drijfveer or a wished contribution is used: by the facilitator only, or
#: also in the record, without a name (see :func:`app.workshops.heard.consented`).
Use = Literal["facilitator", "record"]
USE_HELP = "facilitator: only the facilitator sees it; record: also in the record, without name"


class JoinRequest(BaseModel):
    """What a phone sends to join. A name is optional: anonymous participation is a right."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=4, max_length=20)
    display_name: str | None = Field(default=None, max_length=60)
    stakeholder_group: str = Field(min_length=1, max_length=60)
    organisation: str = Field(default="", max_length=120)
    drijfveer: str = Field(default="", max_length=500)
    contribution: Contribution = Contribution.MEEFORMULEREN
    drijfveer_use: Use = Field(default="facilitator", description=USE_HELP)
    contribution_use: Use = Field(default="facilitator", description=USE_HELP)


@dataclass(frozen=True)
class Joined:
    workshop_id: int
    participant_id: int
    token: str
    seq: int


def join(engine: Engine, *, workshop_id: int, request: JoinRequest) -> Joined:
    """Add a participant and announce them to the room. Blocking: run in a worker thread.

    The live server joins through :meth:`app.realtime.hub.Hub.join` instead, which applies a
    storm of joins a batch per transaction (group commit); this is the same job, on its own.
    """
    (result,) = run_in_order(engine, workshop_id=workshop_id, jobs=[JoinJob(request)])
    if isinstance(result, BaseException):
        raise result
    assert isinstance(result, Joined)
    return result


@dataclass(frozen=True)
class JoinJob:
    """Joining, as a job in the workshop's transaction (see :func:`run_in_order`)."""

    request: JoinRequest

    def run(self, session: Session, workshop: Workshop, batch: Batch) -> Joined:
        request = self.request
        assert workshop.id is not None
        token = new_token()
        anonymous = workshop.workshop_settings().anonymous
        # In an anonymous workshop a name is never even stored.
        name = None if anonymous else (request.display_name or "").strip() or None
        participant = Participant(
            workshop_id=workshop.id,
            token_hash=hash_token(token),
            display_name=name,
            stakeholder_group=request.stakeholder_group.strip().lower(),
            # Taking part anonymously means no organisation either: it can name you as well.
            organisation="" if name is None else request.organisation.strip(),
            drijfveer=request.drijfveer.strip(),
            contribution=request.contribution.value,
            drijfveer_use=request.drijfveer_use,
            contribution_use=request.contribution_use,
        )
        session.add(participant)
        session.flush()
        assert participant.id is not None
        ctx = Context(
            session=session,
            workshop=workshop,
            actor=Actor(Role.PARTICIPANT, participant_id=participant.id),
            present=frozenset(),
            logged=batch.logged,
        )
        ctx.emit(
            ParticipantJoined(
                type="participant.joined",
                participant=participant_view(participant, anonymous=anonymous),
            )
        )
        return Joined(workshop.id, participant.id, token, workshop.last_seq)


@handles(ParticipantLeave, roles=(Role.PARTICIPANT,))
def leave(ctx: Context, _command: ParticipantLeave) -> None:
    """Leave the workshop: the token stops working; what was posted stays in the record."""
    participant_id = ctx.require_participant()
    participant = ctx.session.get(Participant, participant_id)
    if participant is None or participant.left_at is not None:
        raise CommandError("gone", "You have already left this workshop.")
    participant.left_at = utcnow()
    ctx.session.add(participant)
    ctx.emit(ParticipantLeft(type="participant.left", participant_id=participant_id))


@handles(ParticipantRemove, roles=(Role.FACILITATOR,))
def remove(ctx: Context, command: ParticipantRemove) -> None:
    """Take someone out of the room (a disruptive guest, a phone left behind).

    Their token stops working and every socket of theirs is closed (the hub does that when it
    delivers ``participant.left``, in every process). What they posted stays; the facilitator can
    hide it.
    """
    participant = ctx.session.get(Participant, command.participant_id)
    if participant is None or participant.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", "There is no such participant in this workshop.")
    if participant.left_at is not None:
        raise CommandError("gone", "This participant has already left.")
    participant.left_at = utcnow()
    ctx.session.add(participant)
    ctx.emit(
        ParticipantLeft(
            type="participant.left", participant_id=command.participant_id, removed=True
        )
    )
