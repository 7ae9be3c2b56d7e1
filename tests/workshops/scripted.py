"""Run a workshop in-process through the real command executor, to a saved vertrekpunt."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from app.accounts.models import Facilitator
from app.db import session_scope
from app.realtime.commands import Actor, execute
from app.realtime.protocol import client_message_adapter
from app.types import Role
from app.workshops.models import Trajectory, WorkshopSettings
from app.workshops.participants import JoinRequest, join
from app.workshops.routes import create_workshop_row

_cids = itertools.count(1)


def facilitator_and_trajectory(engine: Engine, expected: list[str]) -> tuple[int, int]:
    with session_scope(engine) as session:
        facilitator = Facilitator(email=f"f{next(_cids)}@x.nl", name="Fenna", password_hash="x")
        session.add(facilitator)
        session.flush()
        trajectory = Trajectory(
            owner_id=facilitator.id or 0,
            theme="Eenzaamheid onder ouderen",
            expected_groups=expected,
        )
        session.add(trajectory)
        session.flush()
        return facilitator.id or 0, trajectory.id or 0


@dataclass
class Room:
    engine: Engine
    workshop_id: int
    facilitator: Actor
    people: list[Actor] = field(default_factory=list)

    def do(self, actor: Actor, **message: Any) -> dict[str, Any]:
        message.setdefault("cid", f"c{next(_cids)}")
        present = frozenset(p.participant_id for p in self.people if p.participant_id)
        outcome = execute(
            self.engine,
            workshop_id=self.workshop_id,
            actor=actor,
            command=client_message_adapter.validate_python(message),
            present=present,
        )
        return dict(outcome.ack.result)

    def phase(self, name: str, agenda: list[str]) -> None:
        self.do(self.facilitator, type="phase.set", index=agenda.index(name))


def run_to_vertrekpunt(
    engine: Engine,
    *,
    facilitator_id: int,
    trajectory_id: int,
    people: list[tuple[str, str]],
    waarom: str,
    opgave: str,
    in_scope: list[str],
    core_themes: list[str],
    reframe: bool = False,
    anonymous: bool = False,
) -> tuple[int, int]:
    """A complete small workshop; returns (workshop id, vertrekpunt id)."""
    workshop, _ = create_workshop_row(
        engine,
        trajectory_id=trajectory_id,
        title="Sessie",
        reframe=reframe,
        settings=WorkshopSettings(anonymous=anonymous),
    )
    assert workshop.id is not None
    room = Room(engine, workshop.id, Actor(Role.FACILITATOR, facilitator_id=facilitator_id))
    for name, group in people:
        joined = join(
            engine,
            workshop_id=workshop.id,
            request=JoinRequest(
                code=workshop.join_code,
                display_name=name,
                stakeholder_group=group,
                organisation=f"Organisatie van {name}",
                drijfveer=f"Drijfveer van {name}",
            ),
        )
        room.people.append(Actor(Role.PARTICIPANT, participant_id=joined.participant_id))
    agenda = list(workshop.agenda)
    first = room.people[0]
    room.phase("factoren", agenda)
    factor = room.do(first, type="card.post", kind="factor", text="Buurthuis dicht")["card_id"]
    room.phase("consequenties", agenda)
    consequence = room.do(
        first,
        type="card.post",
        kind="consequentie",
        text="Dagen zonder gesprek",
        world="leefwereld",
        factor_ids=[factor],
    )["card_id"]
    for kind, text, extra in (
        ("waarom", waarom, {}),
        ("opgave", opgave, {"in_scope": in_scope, "core_themes": core_themes}),
    ):
        room.phase(kind, agenda)
        proposal = room.do(
            first,
            type="proposal.create",
            kind=kind,
            text=text,
            cited_card_ids=[consequence],
            **extra,
        )["proposal_id"]
        round_id = room.do(room.facilitator, type="round.open", kind=kind)["round_id"]
        for person in room.people:
            room.do(person, type="rating.give", round_id=round_id, proposal_id=proposal, score=5)
        room.do(room.facilitator, type="round.close", round_id=round_id)
        room.do(room.facilitator, type="proposal.adopt", proposal_id=proposal)
    room.phase("afronding", agenda)
    saved = room.do(room.facilitator, type="vertrekpunt.save")["vertrekpunt_id"]
    return workshop.id, saved
