"""HTTP API of trajectories and workshops: create and read (facilitators), join and leave (phones).

Everything that changes a running room goes over the socket; the few changes made here (join,
leave) go through the same command executor, so they land in the event log too.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.accounts.security import check_csrf, delete_cookie
from app.db import read_scope, session_scope
from app.deps import CSRFProtected, CurrentFacilitator, EngineDep, Id, SettingsDep
from app.labels import N_
from app.realtime.commands import CommandError
from app.realtime.from_requests import run_from_request
from app.realtime.hub import Hub
from app.realtime.protocol import CLOSE_NOT_FOUND, ParticipantLeave
from app.settings import Settings
from app.types import STAKEHOLDER_GROUPS, Phase
from app.web.client import client_key, remember_device
from app.workshops import joincode
from app.workshops.access import (
    PARTICIPANT_COOKIE,
    hash_token,
    new_token,
    participant_cookie,
    resolve,
    set_participant_cookie,
)
from app.workshops.groups import expected_groups
from app.workshops.history import changes, workshop_order
from app.workshops.lifecycle import delete_workshop
from app.workshops.models import Trajectory, Vertrekpunt, Workshop, WorkshopSettings
from app.workshops.participants import JoinRequest
from app.workshops.presets import PRESETS, Plan
from app.workshops.ratelimit import JoinRate, WrongCodeGate
from app.workshops.reframing import difference
from app.workshops.sharing import may_act
from app.workshops.targets import tidy_targets

router = APIRouter(prefix="/api", tags=["workshops"])


class TrajectoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=4000)
    expected_groups: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=30
    )
    group_targets: dict[
        Annotated[str, Field(min_length=1, max_length=60)], Annotated[int, Field(ge=0, le=999)]
    ] = Field(
        default_factory=dict,
        max_length=30,
        description="people hoped for per expected group (others are dropped)",
    )
    often_missing: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=30, description="expected groups often not at the table"
    )


class WorkshopCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    theme_question: str = Field(default="", max_length=1000)
    preset: str | None = Field(
        default=None, description="a template (app/workshops/presets.py): fills in what is omitted"
    )
    agenda: list[Phase] | None = Field(
        default=None, min_length=1, max_length=30, description="steps may repeat"
    )
    phase_minutes: list[Annotated[int, Field(ge=1, le=240)]] | None = Field(
        default=None, max_length=30, description="planned minutes per agenda step"
    )
    settings: WorkshopSettings = Field(default_factory=WorkshopSettings)
    reframe: bool | None = Field(
        default=None, description="start from the trajectory's current vertrekpunt (SSD step 3)"
    )
    ssd_step: int | None = Field(default=None, ge=1, le=5, description="the SSD step it is in")
    starts_at: datetime | None = Field(default=None, description="planned start")

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, key: str | None) -> str | None:
        if key is not None and key not in PRESETS:
            raise ValueError(f"presets: {', '.join(PRESETS)}")
        return key


class WorkshopPublic(BaseModel):
    id: int
    trajectory_id: int
    title: str
    theme_question: str
    agenda: list[str]
    phase_index: int
    settings: WorkshopSettings
    join_code: str
    join_url: str
    last_seq: int


class WorkshopCreated(WorkshopPublic):
    screen_token: str = Field(description="shown once; regenerate to get a new one")


def _workshop_public(workshop: Workshop, settings_url: str) -> dict[str, Any]:
    return {
        **workshop.model_dump(
            include={
                "id",
                "trajectory_id",
                "title",
                "theme_question",
                "agenda",
                "phase_index",
                "join_code",
                "last_seq",
            }
        ),
        "settings": workshop.workshop_settings(),
        "join_url": f"{settings_url}/join/{workshop.join_code}",
    }


def trajectory_for(engine: Any, trajectory_id: int, facilitator_id: int) -> Trajectory:
    """The trajectory if this account may act on it (owner or shared with), else the 404 that a
    missing one gets: someone else's trajectory is not there for a stranger."""
    with session_scope(engine) as session:
        trajectory = may_act(session, facilitator_id=facilitator_id, trajectory_id=trajectory_id)
        if trajectory is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "No such trajectory.")
        return trajectory


@router.post("/trajectories", status_code=201, dependencies=[CSRFProtected])
def create_trajectory(
    body: TrajectoryCreate, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> dict[str, Any]:
    groups = expected_groups(body.expected_groups)  # as typed, each once (app/workshops/groups.py)
    with session_scope(engine) as session:
        trajectory = Trajectory(
            owner_id=facilitator_id,
            theme=body.theme,
            description=body.description,
            expected_groups=groups,
        )
        trajectory.group_targets, trajectory.often_missing = tidy_targets(
            groups, body.group_targets, body.often_missing
        )
        session.add(trajectory)
        session.flush()
        return trajectory.model_dump(mode="json")


@router.get("/trajectories/{trajectory_id}")
def read_trajectory(
    trajectory_id: Id, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> dict[str, Any]:
    """The trajectory with its workshops, current vertrekpunt and the history before it."""
    trajectory = trajectory_for(engine, trajectory_id, facilitator_id)
    workshops, saved = trajectory_contents(engine, trajectory_id)
    current = next((v for v in saved if v.id == trajectory.current_vertrekpunt_id), None)
    return {
        **trajectory.model_dump(mode="json"),
        "workshops": [
            {
                "id": w.id,
                "title": w.title,
                "starts_from_id": w.starts_from_id,
                "reframe": w.reframe,
                "ssd_step": w.ssd_step,
                "agenda": list(w.agenda),
                "phase_minutes": list(w.phase_minutes),
            }
            for w in workshops
        ],
        "vertrekpunt": current.model_dump(mode="json") if current else None,
        "history": history(saved),
        "current_changes": current_changes(engine, trajectory_id),
    }


def current_changes(engine: Engine, trajectory_id: int) -> list[dict[str, Any]]:
    """Which vertrekpunt became current when, and why (newest first)."""
    with session_scope(engine) as session:
        return [
            change.model_dump(mode="json", include={"vertrekpunt_id", "reason", "at"})
            for change in changes(session, trajectory_id)
        ]


def trajectory_contents(
    engine: Engine, trajectory_id: int
) -> tuple[list[Workshop], list[Vertrekpunt]]:
    """A trajectory's workshops (oldest first) and saved vertrekpunten (newest first)."""
    with session_scope(engine) as session:
        workshops = session.exec(
            select(Workshop)
            .where(Workshop.trajectory_id == trajectory_id)
            .order_by(col(Workshop.id))
        ).all()
        saved = session.exec(
            select(Vertrekpunt)
            .where(Vertrekpunt.trajectory_id == trajectory_id)
            .order_by(col(Vertrekpunt.id).desc())
        ).all()
        return list(workshops), list(saved)


def history(saved: Sequence[Vertrekpunt]) -> list[dict[str, Any]]:
    """Every vertrekpunt in the order its workshops were made, newest first, each with what
    changed against its predecessor in time (the vertrekpunt of the workshop made before it).

    The order of saving does not count: an older workshop's vertrekpunt saved late sits where
    its workshop does, is compared with the one before it in time rather than with the last one
    saved, and is marked ``saved_late``. ``previous_id`` stays what was current when it was saved.
    """
    in_time = sorted(saved, key=lambda v: (workshop_order(v), v.id or 0), reverse=True)
    entries = []
    for index, vertrekpunt in enumerate(in_time):
        before = in_time[index + 1] if index + 1 < len(in_time) else None
        order = workshop_order(vertrekpunt)
        entries.append(
            {
                "id": vertrekpunt.id,
                "workshop_id": vertrekpunt.workshop_id,
                "workshop_title": vertrekpunt.record.get("workshop", {}).get("title"),
                "previous_id": vertrekpunt.previous_id,
                "compared_with_id": before.id if before is not None else None,
                "saved_at": vertrekpunt.record.get("saved_at"),
                "saved_late": any(
                    workshop_order(other) > order and (other.id or 0) < (vertrekpunt.id or 0)
                    for other in saved
                ),
                "waarom": vertrekpunt.record["waarom"]["text"],
                "opgave": vertrekpunt.record["opgave"]["text"],
                "changes": difference(before.record, vertrekpunt.record).model_dump()
                if before is not None
                else None,
            }
        )
    return entries


@router.post("/trajectories/{trajectory_id}/step", dependencies=[CSRFProtected])
def set_step(
    trajectory_id: Id,
    body: Annotated[int, Body(embed=True, alias="ssd_step", ge=1, le=5)],
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
) -> dict[str, Any]:
    """Record where the trajectory stands among the five SSD steps."""
    trajectory_for(engine, trajectory_id, facilitator_id)
    with session_scope(engine) as session:
        trajectory = session.get(Trajectory, trajectory_id)
        assert trajectory is not None
        trajectory.ssd_step = body
        session.add(trajectory)
        return trajectory.model_dump(mode="json")


@router.post(
    "/trajectories/{trajectory_id}/workshops", status_code=201, dependencies=[CSRFProtected]
)
def create_workshop(
    trajectory_id: Id,
    body: WorkshopCreate,
    engine: EngineDep,
    settings: SettingsDep,
    facilitator_id: CurrentFacilitator,
) -> WorkshopCreated:
    trajectory_for(engine, trajectory_id, facilitator_id)
    if body.preset is not None and body.preset not in PRESETS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, f"Presets: {', '.join(PRESETS)}.")
    workshop, screen_token = create_workshop_row(
        engine,
        trajectory_id=trajectory_id,
        title=body.title,
        theme_question=body.theme_question,
        plan=Plan.from_request(
            PRESETS.get(body.preset or ""),
            agenda=body.agenda,
            minutes=body.phase_minutes,
            reframe=body.reframe,
            ssd_step=body.ssd_step,
        ),
        settings=body.settings,
        starts_at=body.starts_at,
    )
    return WorkshopCreated(
        **_workshop_public(workshop, settings.public_url), screen_token=screen_token
    )


def create_workshop_row(
    engine: Engine,
    *,
    trajectory_id: int,
    title: str,
    theme_question: str = "",
    plan: Plan | None = None,
    settings: WorkshopSettings | None = None,
    starts_at: datetime | None = None,
) -> tuple[Workshop, str]:
    """Insert a workshop with a fresh join code; returns it and its screen token (shown once).

    A reframing workshop starts from the trajectory's current vertrekpunt (or, when there is
    none yet, from the first one saved while it has not begun: app.workshops.vertrekpunt);
    saving its result makes the new vertrekpunt, and the old one stays in the history.
    """
    plan = plan or Plan.from_request(None)
    screen_token = new_token()
    with session_scope(engine) as session:
        trajectory = session.get(Trajectory, trajectory_id)
        starts_from = trajectory.current_vertrekpunt_id if trajectory and plan.reframe else None
        code = joincode.new_code()
        while session.exec(select(Workshop.id).where(Workshop.join_code == code)).first():
            code = joincode.new_code()
        workshop = Workshop(
            trajectory_id=trajectory_id,
            title=title,
            theme_question=theme_question,
            agenda=[p.value for p in plan.agenda],
            phase_minutes=list(plan.minutes),
            ssd_step=plan.ssd_step,
            starts_at=starts_at,
            settings=(settings or WorkshopSettings()).model_dump(),
            join_code=code,
            screen_token_hash=hash_token(screen_token),
            starts_from_id=starts_from,
            reframe=plan.reframe,
        )
        session.add(workshop)
        session.flush()
        return workshop, screen_token


@router.get("/workshops/{workshop_id}")
def read_workshop(
    workshop_id: Id, engine: EngineDep, settings: SettingsDep, facilitator_id: CurrentFacilitator
) -> WorkshopPublic:
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")
    with session_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        return WorkshopPublic(**_workshop_public(workshop, settings.public_url))


@router.delete("/workshops/{workshop_id}", status_code=204, dependencies=[CSRFProtected])
def remove_workshop(
    workshop_id: Id, request: Request, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> Response:
    """Delete a workshop and everything in it: cards, photos, votes, participants, its records."""
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")
    request.app.state.hub.close_room(workshop_id, CLOSE_NOT_FOUND, "workshop deleted")
    delete_workshop(engine, request.app.state.images, workshop_id=workshop_id)
    return Response(status_code=204)


@router.post("/workshops/{workshop_id}/screen-token", dependencies=[CSRFProtected])
def regenerate_screen_token(
    workshop_id: Id, request: Request, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> dict[str, str]:
    """A new projector token; the old one stops working (e.g. after a screen was left behind)."""
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")
    token = new_token()
    with session_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        workshop.screen_token_hash = hash_token(token)
        session.add(workshop)
    request.app.state.hub.close_screens(workshop_id)
    return {"screen_token": token}


@router.get("/vertrekpunten/{vertrekpunt_id}")
def read_vertrekpunt(
    vertrekpunt_id: Id, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> dict[str, Any]:
    with session_scope(engine) as session:
        vertrekpunt = session.get(Vertrekpunt, vertrekpunt_id)
        trajectory = (
            may_act(session, facilitator_id=facilitator_id, trajectory_id=vertrekpunt.trajectory_id)
            if vertrekpunt
            else None
        )
        if vertrekpunt is None or trajectory is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "No such vertrekpunt.")
        return vertrekpunt.model_dump(mode="json")


# ----------------------------------------------------------------------------- participants


class JoinGuard:
    """One rule for every way of joining by code (API and form): see :class:`WrongCodeGate`.

    Taken before the code is looked up; the route then says :meth:`found` (right code: joins at
    once, never slowed) or awaits :meth:`not_found` (wrong code: counted, maybe slowed).
    """

    def __init__(self, gate: WrongCodeGate, address: str) -> None:
        self.gate = gate
        self.address = address
        self.pending = True

    def found(self) -> None:
        if self.pending:
            self.pending = False
            self.gate.release(self.address)

    async def not_found(self) -> HTTPException:
        """The error to raise (or render): 404, or 429 once this address has too many."""
        self.pending = False
        if await self.gate.wrong(self.address):
            return HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_WRONG, headers={"Retry-After": "60"}
            )
        return HTTPException(status.HTTP_404_NOT_FOUND, "No workshop has this code.")


TOO_MANY_WRONG = "Too many wrong codes. Wait a minute, then check the code."
#: The answer when joins come faster than :class:`JoinRate` allows; the join form shows it in
#: the page's language.
TOO_MANY_JOINS = N_("Many people are joining at once. Wait a few minutes, then try again.")


async def join_refusal(request: Request, workshop_id: int) -> HTTPException | None:
    """Count this join (right code) against its address and its workshop: ``None`` to go ahead,
    else the 429 to answer (see :class:`JoinRate`)."""
    rate: JoinRate = request.app.state.join_rate
    wait = await rate.wait(address=client_key(request), workshop_id=workshop_id)
    if wait is None:
        return None
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        TOO_MANY_JOINS,
        headers={"Retry-After": str(max(1, math.ceil(wait)))},
    )


async def join_guard(request: Request) -> AsyncIterator[JoinGuard]:
    gate: WrongCodeGate = request.app.state.join_gate
    address = client_key(request)
    if not gate.admit(address):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_WRONG, headers={"Retry-After": "60"}
        )
    guard = JoinGuard(gate, address)
    try:
        yield guard
    finally:
        guard.found()  # releases the slot if the route ended without a verdict (an error)


Guard = Annotated[JoinGuard, Depends(join_guard)]


@router.get("/join/{code}")
async def join_info(code: str, engine: EngineDep, guard: Guard) -> dict[str, Any]:
    """What the join form needs: the workshop's title and question, and groups to choose from."""
    info = await to_thread.run_sync(lambda: _join_info(engine, code))
    if info is None:
        raise await guard.not_found()
    guard.found()
    return info


def _join_info(engine: Any, code: str) -> dict[str, Any] | None:
    with session_scope(engine) as session:
        workshop = session.exec(
            select(Workshop).where(Workshop.join_code == joincode.normalise(code))
        ).first()
        if workshop is None:
            return None
        trajectory = session.get(Trajectory, workshop.trajectory_id)
        expected = trajectory.expected_groups if trajectory else []
        return {
            "workshop_id": workshop.id,
            "title": workshop.title,
            "theme_question": workshop.theme_question,
            "anonymous": workshop.workshop_settings().anonymous,
            "stakeholder_groups": list(dict.fromkeys([*expected, *STAKEHOLDER_GROUPS])),
        }


@router.post("/join", status_code=201)
async def join_workshop(
    body: JoinRequest,
    response: Response,
    engine: EngineDep,
    settings: SettingsDep,
    request: Request,
    guard: Guard,
) -> dict[str, Any]:
    """Join by code. The token comes back as a cookie (phones) and in the body (other clients)."""
    workshop_id = await to_thread.run_sync(lambda: _workshop_id_for_code(engine, body.code))
    if workshop_id is None:
        raise await guard.not_found()
    guard.found()
    if (refused := await join_refusal(request, workshop_id)) is not None:
        raise refused
    hub: Hub = request.app.state.hub
    joined = await hub.join(workshop_id, body)  # delivered to the room before it answers
    set_participant_cookie(response, request, settings, workshop_id, joined.token)
    remember_device(request, response, settings)
    return {
        "workshop_id": workshop_id,
        "participant_id": joined.participant_id,
        "token": joined.token,
    }


def _workshop_id_for_code(engine: Any, code: str) -> int | None:
    with read_scope(engine) as session:
        return session.exec(
            select(Workshop.id).where(Workshop.join_code == joincode.normalise(code))
        ).first()


@router.post("/workshops/{workshop_id}/leave")
async def leave_workshop(
    workshop_id: Id,
    request: Request,
    response: Response,
    engine: EngineDep,
    cid: Annotated[str, Body(embed=True, min_length=1, max_length=64)] = "leave",
) -> dict[str, Any]:
    """Leave: the token stops working at once. Needs the participant's own token (cookie/bearer)."""
    auth = request.headers.get("authorization", "")
    if not auth:  # authenticated by cookie: only our own pages may ask
        await check_csrf(request, request.app.state.settings)
    settings: Settings = request.app.state.settings
    token = auth.removeprefix("Bearer ").strip() or request.cookies.get(
        participant_cookie(request, settings, workshop_id)
    )
    access = await to_thread.run_sync(
        lambda: resolve(engine, workshop_id=workshop_id, token=token, facilitator_id=None)
    )
    if access is None or access.actor.participant_id is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not a participant of this workshop.")
    try:
        outcome = await run_from_request(
            request,
            engine,
            workshop_id=workshop_id,
            actor=access.actor,
            command=ParticipantLeave(type="participant.leave", cid=cid),
        )
    except CommandError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, exc.message) from exc
    delete_cookie(response, request, settings, PARTICIPANT_COOKIE.format(workshop_id=workshop_id))
    return outcome.ack.model_dump()
