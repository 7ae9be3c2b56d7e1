"""Run a workshop in-process through the real command executor, to a saved vertrekpunt."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy.engine import Engine

from app.accounts.models import Facilitator
from app.db import session_scope
from app.workshops.models import Trajectory, Workshop, WorkshopSettings
from app.workshops.presets import Plan
from app.workshops.routes import create_workshop_row
from app.workshops.runner import Runner

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


def new_room(
    engine: Engine,
    expected: list[str] | None = None,
    *,
    title: str = "Sessie",
    theme_question: str = "",
    anonymous: bool = False,
) -> Runner:
    """A workshop with the default plan in a trajectory of its own, and its facilitator."""
    facilitator_id, trajectory_id = facilitator_and_trajectory(engine, expected or ["inwoner"])
    workshop, _ = create_workshop_row(
        engine,
        trajectory_id=trajectory_id,
        title=title,
        theme_question=theme_question,
        plan=Plan.from_request(None, reframe=False),
        settings=WorkshopSettings(anonymous=anonymous),
    )
    return Runner(engine, workshop, facilitator_id)


def make_workshop(
    engine: Engine,
    *,
    trajectory_id: int,
    title: str = "Sessie",
    reframe: bool = False,
    anonymous: bool = False,
    starts_at: datetime | None = None,
) -> Workshop:
    """A workshop made now, to be run later (:func:`run_workshop`)."""
    workshop, _ = create_workshop_row(
        engine,
        trajectory_id=trajectory_id,
        title=title,
        plan=Plan.from_request(None, reframe=reframe),
        settings=WorkshopSettings(anonymous=anonymous),
        starts_at=starts_at,
    )
    return workshop


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
    title: str = "Sessie",
) -> tuple[int, int]:
    """A complete small workshop; returns (workshop id, vertrekpunt id)."""
    workshop = make_workshop(
        engine, trajectory_id=trajectory_id, title=title, reframe=reframe, anonymous=anonymous
    )
    assert workshop.id is not None
    saved = run_workshop(
        engine,
        workshop,
        facilitator_id=facilitator_id,
        people=people,
        waarom=waarom,
        opgave=opgave,
        in_scope=in_scope,
        core_themes=core_themes,
    )
    return workshop.id, saved


def run_workshop(
    engine: Engine,
    workshop: Workshop,
    *,
    facilitator_id: int,
    people: list[tuple[str, str]],
    waarom: str,
    opgave: str,
    in_scope: list[str],
    core_themes: list[str],
) -> int:
    """Run a workshop made earlier to its saved vertrekpunt; returns the vertrekpunt's id."""
    room = Runner(engine, workshop, facilitator_id)
    for name, group in people:
        room.join(
            name, group, organisation=f"Organisatie van {name}", drijfveer=f"Drijfveer van {name}"
        )
    first = room.people[0]
    room.phase("factoren")
    factor = room.do(first, type="card.post", kind="factor", text="Buurthuis dicht")["card_id"]
    room.phase("consequenties")
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
        room.phase(kind)
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
    room.phase("afronding")
    saved = room.do(room.facilitator, type="vertrekpunt.save")["vertrekpunt_id"]
    assert isinstance(saved, int)
    return saved
