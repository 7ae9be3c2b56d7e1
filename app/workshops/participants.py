"""Joining, waiting, leaving and being removed. Participants have no account: a token cookie is
who they are.

A workshop with the admit step on (``WorkshopSettings.admit``) lets joins wait in the lobby: the
participant exists and has a token, but may only leave until the facilitator lets them in
(``participant.admit``), and does not count as present. The rule is kept where every command
passes (:func:`app.realtime.commands.execute` refuses a waiting sender's commands with
``waiting``), and presence leaves waiting sockets out (:mod:`app.realtime.hub`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.privacy import label_of
from app.realtime.commands import Actor, Batch, CommandError, Context, handles, run_in_order
from app.realtime.protocol import (
    ParticipantAdmit,
    ParticipantAdmitted,
    ParticipantJoined,
    ParticipantLeave,
    ParticipantLeft,
    ParticipantRemove,
    ParticipantRemoveMany,
)
from app.types import Contribution, Role
from app.workshops.access import hash_token, new_token
from app.workshops.groups import canonical
from app.workshops.models import Card, Participant, Proposal, Trajectory, Workshop
from app.workshops.pooling import count_by_label, decide, everyone_who_took_part
from app.workshops.schemas import participant_view
from app.workshops.targets import BeenBefore


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


def contributing(session: Session, workshop: Workshop, k: int) -> dict[str, int]:
    """People per group who posted a card or a proposal, by the workshop's labels decided once
    (:mod:`app.workshops.pooling`); nothing per group before they are decided."""
    if workshop.group_sizes is None or workshop.id is None:
        return {}
    people = authors(session, workshop.id)
    if not people:
        return {}
    groups = session.exec(
        select(Participant.stakeholder_group).where(col(Participant.id).in_(people))
    ).all()
    return count_by_label(groups, decide(workshop.group_sizes, k))


def counted_as(session: Session, workshop: Workshop, k: int) -> dict[str, str | None]:
    """How each group that took part is counted in :func:`contributing`: under its own name,
    under the pooled label (``overige groepen``), or ``None`` (in no per-group figure).

    Why the projector needs it: without it a small group whose people posted, counted under the
    pool, reads "0 contributing" beside its name — a false zero. Empty until the labels are
    decided (nothing is shown per group before then). Which groups are pooled gives nothing
    away: the room sees who is present per group, and the pool's figure is the sum of them.
    """
    if workshop.group_sizes is None or workshop.id is None:
        return {}
    labels = decide(workshop.group_sizes, k)
    groups = set(labels) | set(everyone_who_took_part(session, workshop.id))
    return {group: label_of(labels, group) for group in sorted(groups)}


def is_named(session: Session, participant_id: int | None) -> bool:
    """Whether this author took part with a name, so the facilitator may see who wrote what."""
    if participant_id is None:
        return False
    participant = session.get(Participant, participant_id)
    return participant is not None and participant.display_name is not None


def is_assisted(session: Session, participant_id: int | None) -> bool:
    """Whether this author has no phone, so their entries are "ingevoerd door tafelhulp". Set
    when the person is added and never changed, so a live event and a replay agree."""
    if participant_id is None:
        return False
    participant = session.get(Participant, participant_id)
    return participant is not None and participant.assisted_by_id is not None


def assisted_ids(session: Session, workshop_id: int) -> set[int]:
    """The people of a workshop without a phone, whose entries a helper makes."""
    return {
        pid
        for pid in session.exec(
            select(Participant.id).where(
                Participant.workshop_id == workshop_id, col(Participant.assisted_by_id).is_not(None)
            )
        )
        if pid is not None
    }


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
    name_in_verslag: bool = Field(
        default=False,
        description="consent: my name may stand beside my cards and proposals in the record "
        "(the exports); ignored without a name or in an anonymous workshop",
    )
    been_before: BeenBefore | None = Field(
        default=None,
        description="“Was je eerder bij een bijeenkomst van dit traject?” (optional): only "
        "ever counted per group, never shown or sent per person",
    )
    remote: bool = Field(
        default=False,
        strict=True,
        description="“Ik ben er niet bij in de zaal”: takes part from elsewhere (true or false "
        "only); counted per group, and on their own phone it offers “Volg het scherm” first",
    )


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


def stored_group(session: Session, workshop: Workshop, name: str) -> str:
    """The form ``name`` is stored in: one per group, the first typed (app/workshops/groups.py),
    so grouping stays case-insensitive and a trajectory's own group keeps its capitals."""
    trajectory = session.get(Trajectory, workshop.trajectory_id)
    joined = session.exec(
        select(Participant.stakeholder_group)
        .where(Participant.workshop_id == workshop.id, col(Participant.is_helper).is_(False))
        .distinct()
    ).all()
    return canonical(name, [*(trajectory.expected_groups if trajectory else []), *joined])


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
            stakeholder_group=stored_group(session, workshop, request.stakeholder_group),
            # Taking part anonymously means no organisation either: it can name you as well.
            organisation="" if name is None else request.organisation.strip(),
            drijfveer=request.drijfveer.strip(),
            contribution=request.contribution.value,
            drijfveer_use=request.drijfveer_use,
            contribution_use=request.contribution_use,
            # Only a name can be consented to: nothing to keep for someone without one.
            name_in_verslag=name is not None and request.name_in_verslag,
            waiting=workshop.workshop_settings().admit,
            been_before=request.been_before,
            remote=request.remote,
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
    participant = _in_workshop(ctx, command.participant_id)
    if participant.left_at is not None:
        raise CommandError("gone", "This participant has already left.")
    _take_out(ctx, participant)


@handles(ParticipantRemoveMany, roles=(Role.FACILITATOR,))
def remove_many(ctx: Context, command: ParticipantRemoveMany) -> dict[str, bool | int | None]:
    """Take several people out at once, each as :func:`remove` does, in one transaction.

    Someone in the list who has left already is passed over (two consoles, a phone that left
    meanwhile): the facilitator asked for them to be out, and they are. An id that is not a
    participant of this workshop refuses the whole command, and nobody is removed.
    """
    people = _all_in_workshop(ctx, command.participant_ids)
    removed = 0
    for participant in people:
        if participant.left_at is None:
            _take_out(ctx, participant)
            removed += 1
    return {"removed": removed}


@handles(ParticipantAdmit, roles=(Role.FACILITATOR,))
def admit(ctx: Context, command: ParticipantAdmit) -> dict[str, bool | int | None]:
    """Let people who wait in the lobby in: from now on they may take part and count as present.

    Who is in already, or has left, is passed over (a second tap, "everyone" while one was just
    let in); an id that is not a participant of this workshop refuses the whole command. Allowed
    whether or not the admit step is on, so nobody is left waiting when it is switched off.
    """
    people = _all_in_workshop(ctx, command.participant_ids)
    admitted = 0
    for participant in people:
        if participant.waiting and participant.left_at is None:
            assert participant.id is not None
            participant.waiting = False
            ctx.session.add(participant)
            ctx.emit(
                ParticipantAdmitted(type="participant.admitted", participant_id=participant.id)
            )
            admitted += 1
    return {"admitted": admitted}


def _in_workshop(ctx: Context, participant_id: int) -> Participant:
    participant = ctx.session.get(Participant, participant_id)
    if participant is None or participant.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", "There is no such participant in this workshop.")
    return participant


def _all_in_workshop(ctx: Context, participant_ids: list[int]) -> list[Participant]:
    """The participants named, each once, read in one query ("everyone" may be a thousand)."""
    wanted = list(dict.fromkeys(participant_ids))
    found = {
        p.id: p
        for p in ctx.session.exec(select(Participant).where(col(Participant.id).in_(wanted)))
    }
    people = [found.get(pid) for pid in wanted]
    if any(p is None or p.workshop_id != ctx.workshop_id for p in people):
        raise CommandError("not_found", "There is no such participant in this workshop.")
    return [p for p in people if p is not None]


def _take_out(ctx: Context, participant: Participant) -> None:
    assert participant.id is not None
    participant.left_at = utcnow()
    ctx.session.add(participant)
    ctx.emit(ParticipantLeft(type="participant.left", participant_id=participant.id, removed=True))
