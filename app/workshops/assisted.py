"""Tafelhulp: people without a phone take part through a table helper, visibly marked.

Three pieces, each kept where every path passes:

- **Helper codes.** The facilitator makes a one-time code on the console. Only its hash is
  stored; it works once, for :data:`HELPER_CODE_HOURS`, while not revoked, and only under the
  join code it was made with (a renewed join code ends it; nothing revives a code). Redeeming
  it makes a helper row (``Participant.is_helper``): a phone without an account, never counted
  as a participant in presence, eligibility or any figure.
- **People without a phone.** A helper (or the facilitator, through the console's own helper
  row) adds a person with ``assisted.add``: their group and their consent for the record, a name
  optional. The person is a participant row with ``assisted_by_id`` and no token anyone holds;
  their cards and ratings are commands with ``on_behalf_of`` (checked in
  :func:`app.realtime.commands.acting_for`), so they count like anyone else's.
- **What each role sees.** A helper's phone lists only the people it added and their own
  entries (:func:`helper_view`); the room sees an entry marked ``assisted``, never by whom.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.clock import iso, utcnow
from app.db import read_scope, session_scope
from app.privacy import label_of, shown_per_group
from app.realtime.commands import Actor, Batch, CommandError, Context, handles, run_in_order
from app.realtime.protocol import AssistedAdd, ParticipantJoined
from app.types import STAKEHOLDER_GROUPS, Role
from app.workshops.access import hash_token, new_token
from app.workshops.joincode import ALPHABET
from app.workshops.models import (
    AgreementRound,
    Card,
    HelperCode,
    Participant,
    Rating,
    Trajectory,
    Workshop,
)
from app.workshops.participants import Joined, stored_group
from app.workshops.pooling import workshop_labels
from app.workshops.schemas import participant_view

#: How long a helper code works after it is made.
HELPER_CODE_HOURS = 12
#: Symbols in a helper code: longer than a join code (it opens a role), read aloud as XXXX-XXXX.
HELPER_CODE_LENGTH = 8
#: ``Participant.contribution`` of the helper row the console enters through (made on first use).
CONSOLE = "console"
#: ``Participant.contribution`` of a helper row made by redeeming a code.
TAFELHULP = "tafelhulp"


def normalise(typed: str) -> str:
    """What the helper meant: case, spaces and dashes ignored."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# ----------------------------------------------------------------------------- helper codes


@dataclass(frozen=True)
class NewCode:
    """A helper code just made: ``code`` is shown once and never stored."""

    id: int
    code: str
    expires_at: str


def make_code(engine: Engine, workshop_id: int) -> NewCode:
    """Make a one-time helper code for this workshop (the console shows it once)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(HELPER_CODE_LENGTH))
    with session_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        row = HelperCode(
            workshop_id=workshop_id,
            code_hash=hash_token(code),
            join_code=workshop.join_code,
            expires_at=utcnow() + timedelta(hours=HELPER_CODE_HOURS),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return NewCode(row.id, display(code), iso(row.expires_at) or "")


CodeState = Literal["open", "used", "expired", "revoked", "ended"]


def state_of(row: HelperCode, workshop: Workshop) -> CodeState:
    """Where a code stands. ``ended``: the join code was renewed since it was made."""
    if row.revoked_at is not None:
        return "revoked"
    if row.used_at is not None:
        return "used"
    if row.join_code != workshop.join_code:
        return "ended"
    if row.expires_at <= utcnow():
        return "expired"
    return "open"


def list_codes(engine: Engine, workshop_id: int) -> list[dict[str, Any]]:
    """The workshop's helper codes for the console, without the codes themselves."""
    with read_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        rows = session.exec(
            select(HelperCode)
            .where(HelperCode.workshop_id == workshop_id)
            .order_by(col(HelperCode.id))
        ).all()
        return [
            {
                "id": row.id,
                "created_at": iso(row.created_at),
                "expires_at": iso(row.expires_at),
                "state": state_of(row, workshop),
                "helper_id": row.helper_id,
            }
            for row in rows
        ]


def revoke_code(engine: Engine, workshop_id: int, code_id: int) -> dict[str, Any] | None:
    """Revoke a helper code (``None``: no such code here). The answer names a used code's
    helper: the route takes them out of the room with ``participant.remove``."""
    with session_scope(engine) as session:
        row = session.get(HelperCode, code_id)
        if row is None or row.workshop_id != workshop_id:
            return None
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(row)
        return {"id": row.id, "state": "revoked", "helper_id": row.helper_id}


class CodeRefused(Exception):
    """A helper code that does not (or no longer) work: ``reason`` says why, for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def workshop_of_code(engine: Engine, code: str) -> int | None:
    """The workshop a typed helper code belongs to, if it names one at all."""
    with read_scope(engine) as session:
        return session.exec(
            select(HelperCode.workshop_id).where(
                HelperCode.code_hash == hash_token(normalise(code))
            )
        ).first()


@dataclass(frozen=True)
class HelperJoinJob:
    """Redeeming a helper code, as a job in the workshop's transaction: the code is checked and
    used up under the workshop's lock, so two phones with the same code get one helper."""

    code: str

    def run(self, session: Session, workshop: Workshop, batch: Batch) -> Joined:
        assert workshop.id is not None
        row = session.exec(
            select(HelperCode).where(HelperCode.code_hash == hash_token(normalise(self.code)))
        ).first()
        if row is None or row.workshop_id != workshop.id:
            raise CodeRefused("unknown")
        state = state_of(row, workshop)
        if state != "open":
            raise CodeRefused(state)
        token = new_token()
        helper = Participant(
            workshop_id=workshop.id,
            token_hash=hash_token(token),
            display_name=None,
            stakeholder_group=TAFELHULP,
            contribution=TAFELHULP,
            is_helper=True,
        )
        session.add(helper)
        session.flush()
        assert helper.id is not None
        row.used_at = utcnow()
        row.helper_id = helper.id
        session.add(row)
        _announce(session, workshop, batch, helper)
        return Joined(workshop.id, helper.id, token, workshop.last_seq)


def redeem(engine: Engine, workshop_id: int, code: str) -> Joined:
    """Redeem ``code`` on its own (the live server goes through the hub's lanes instead)."""
    (result,) = run_in_order(engine, workshop_id=workshop_id, jobs=[HelperJoinJob(code)])
    if isinstance(result, BaseException):
        raise result
    assert isinstance(result, Joined)
    return result


def _announce(session: Session, workshop: Workshop, batch: Batch, person: Participant) -> None:
    """``participant.joined`` for a helper or a person without a phone: the staff see them
    (marked), a phone never does (:data:`app.realtime.audience.ABOUT_ONE_PERSON`)."""
    assert person.id is not None
    ctx = Context(
        session=session,
        workshop=workshop,
        actor=Actor(Role.PARTICIPANT, participant_id=person.id),
        present=frozenset(),
        logged=batch.logged,
    )
    anonymous = workshop.workshop_settings().anonymous
    ctx.emit(
        ParticipantJoined(
            type="participant.joined", participant=participant_view(person, anonymous=anonymous)
        )
    )


# ----------------------------------------------------------------------------- people


def console_helper(ctx: Context) -> Participant:
    """The helper row the facilitator's console enters through, made on first use, so every
    person without a phone has a helper row behind them (one fact, one place)."""
    found = ctx.session.exec(
        select(Participant).where(
            Participant.workshop_id == ctx.workshop_id,
            col(Participant.is_helper).is_(True),
            Participant.contribution == CONSOLE,
        )
    ).first()
    if found is not None:
        return found
    helper = Participant(
        workshop_id=ctx.workshop_id,
        token_hash=hash_token(new_token()),  # a token nobody holds: the console has a session
        display_name=None,
        stakeholder_group=TAFELHULP,
        contribution=CONSOLE,
        is_helper=True,
    )
    ctx.session.add(helper)
    ctx.session.flush()
    return helper


@handles(AssistedAdd, roles=(Role.PARTICIPANT, Role.FACILITATOR))
def add_person(ctx: Context, command: AssistedAdd) -> dict[str, bool | int | None]:
    """Add a person without a phone. Only a tafelhulp (its own row) or the facilitator may."""
    if ctx.actor.role is Role.FACILITATOR:
        helper = console_helper(ctx)
    else:
        found = ctx.session.get(Participant, ctx.require_participant())
        if found is None or not found.is_helper:
            raise CommandError("not_helper", "Only a table helper can add someone.")
        helper = found
    anonymous = ctx.settings.anonymous
    name = None if anonymous else (command.display_name or "").strip() or None
    person = Participant(
        workshop_id=ctx.workshop_id,
        token_hash=hash_token(new_token()),  # nobody holds it: they have no phone
        display_name=name,
        stakeholder_group=stored_group(ctx.session, ctx.workshop, command.stakeholder_group),
        name_in_verslag=name is not None and command.name_in_verslag,
        assisted_by_id=helper.id,
    )
    ctx.session.add(person)
    ctx.session.flush()
    assert person.id is not None
    ctx.emit(
        ParticipantJoined(
            type="participant.joined", participant=participant_view(person, anonymous=anonymous)
        )
    )
    return {"participant_id": person.id}


# ----------------------------------------------------------------------------- helper's view


class HelperPerson(BaseModel):
    """One person a helper added, with what was entered for them (the helper's phone only)."""

    id: int
    display_name: str | None
    stakeholder_group: str
    name_in_verslag: bool
    cards: list[dict[str, Any]]
    ratings: list[dict[str, Any]]


def helper_view(
    session: Session, workshop: Workshop, *, helper_id: int | None
) -> list[HelperPerson]:
    """The people a helper added (``helper_id``) or, for the facilitator (``None``), everyone
    added by a helper, with their own cards and ratings. Never anyone else's entries."""
    assert workshop.id is not None
    query = select(Participant).where(
        Participant.workshop_id == workshop.id, col(Participant.assisted_by_id).is_not(None)
    )
    if helper_id is not None:
        query = query.where(Participant.assisted_by_id == helper_id)
    people = list(session.exec(query.order_by(col(Participant.id))))
    ids = [p.id for p in people]
    cards: dict[int, list[dict[str, Any]]] = {}
    for card in session.exec(
        select(Card).where(Card.workshop_id == workshop.id, col(Card.author_id).in_(ids or [0]))
    ):
        assert card.author_id is not None
        cards.setdefault(card.author_id, []).append(
            {
                "id": card.id,
                "kind": card.kind,
                "text": card.text,
                "hidden": card.hidden,
                "image": bool(card.image_key),
            }
        )
    ratings: dict[int, list[dict[str, Any]]] = {}
    for rating in session.exec(
        select(Rating)
        .join(AgreementRound, col(AgreementRound.id) == col(Rating.round_id))
        .where(
            AgreementRound.workshop_id == workshop.id, col(Rating.participant_id).in_(ids or [0])
        )
    ):
        ratings.setdefault(rating.participant_id, []).append(
            {
                "round_id": rating.round_id,
                "proposal_id": rating.proposal_id,
                "score": rating.score,
                "reason": rating.reason,
            }
        )
    return [
        HelperPerson(
            id=p.id,
            display_name=p.display_name,
            stakeholder_group=p.stakeholder_group,
            name_in_verslag=p.name_in_verslag,
            cards=cards.get(p.id, []),
            ratings=ratings.get(p.id, []),
        )
        for p in people
        if p.id is not None and p.left_at is None
    ]


def groups_to_choose(session: Session, workshop: Workshop) -> list[str]:
    """The groups a helper picks from: the trajectory's, then the usual ones."""
    trajectory = session.get(Trajectory, workshop.trajectory_id)
    expected = trajectory.expected_groups if trajectory else []
    return list(dict.fromkeys([*expected, *STAKEHOLDER_GROUPS]))


# ----------------------------------------------------------------------------- record figures


class AssistedLine(BaseModel):
    group: str | None = Field(description="a shown group or the pooled label; null: total")
    people: int
    cards: int
    ratings: int


class AssistedPart(BaseModel):
    """How many entries were made by a tafelhulp (or the console) for people without a phone,
    per group as the workshop's labels show groups (k rule), and in total."""

    groups: list[AssistedLine]
    total: AssistedLine
    min_group_size: int


def assisted_figures(session: Session, workshop: Workshop, k: int) -> AssistedPart | None:
    """The record's assisted-entry figures; ``None`` when nobody was assisted."""
    assert workshop.id is not None
    people = {
        p.id: p.stakeholder_group
        for p in session.exec(
            select(Participant).where(
                Participant.workshop_id == workshop.id,
                col(Participant.assisted_by_id).is_not(None),
            )
        )
        if p.id is not None
    }
    if not people:
        return None
    cards = Counter(
        a
        for a in session.exec(
            select(Card.author_id).where(
                Card.workshop_id == workshop.id,
                col(Card.author_id).in_(list(people)),
                col(Card.hidden).is_(False),
            )
        )
        if a is not None
    )
    ratings = Counter(
        session.exec(
            select(Rating.participant_id)
            .join(AgreementRound, col(AgreementRound.id) == col(Rating.round_id))
            .where(
                AgreementRound.workshop_id == workshop.id,
                col(Rating.participant_id).in_(list(people)),
            )
        ).all()
    )
    labels = workshop_labels(session, workshop, k)
    per_group = shown_per_group(labels)
    lines: dict[str, AssistedLine] = {}
    total = AssistedLine(group=None, people=0, cards=0, ratings=0)
    for pid, group in people.items():
        label = label_of(labels, group) if per_group else None
        if label is not None:
            line = lines.setdefault(label, AssistedLine(group=label, people=0, cards=0, ratings=0))
            line.people += 1
            line.cards += cards[pid]
            line.ratings += ratings[pid]
        # As every per-group table of the record: the total counts the groups shown, so it
        # cannot be set against them to find one that is not; with none shown, everyone.
        if label is not None or not per_group:
            total.people += 1
            total.cards += cards[pid]
            total.ratings += ratings[pid]
    return AssistedPart(
        groups=[lines[name] for name in sorted(lines)], total=total, min_group_size=k
    )
