"""HTTP API of the record around the room: presets, who is at the table, which vertrekpunt is
current, and the notes per SSD step. Facilitators of the trajectory only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field

from app.db import session_scope
from app.deps import CSRFProtected, CurrentFacilitator, EngineDep, Id
from app.types import MAX_ID
from app.workshops.access import resolve
from app.workshops.after_window import window_records
from app.workshops.heard import heard, table_check
from app.workshops.history import NoSuchVertrekpunt, NotAllowed, make_current
from app.workshops.models import Trajectory, Workshop
from app.workshops.presets import PRESETS
from app.workshops.routes import trajectory_for
from app.workshops.steps import Step, StepNotes, save_step, steps
from app.workshops.voice import voice

router = APIRouter(prefix="/api", tags=["record"])


@router.get("/presets")
def list_presets() -> list[dict[str, Any]]:
    """The workshop templates: agenda steps with planned minutes (msgids, untranslated)."""
    return [
        {
            "key": p.key,
            "name": p.name,
            "description": p.description,
            "agenda": [phase.value for phase in p.agenda],
            "phase_minutes": p.minutes,
            "ssd_step": p.ssd_step,
            "reframe": p.reframe,
        }
        for p in PRESETS.values()
    ]


@router.get("/workshops/{workshop_id}/table")
def at_the_table(
    request: Request, workshop_id: Id, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> dict[str, Any]:
    """ "Aan tafel": who was heard in this workshop, and the table across the trajectory."""
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")
    k = request.app.state.settings.min_group_size
    with session_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        trajectory = session.get(Trajectory, workshop.trajectory_id)
        assert trajectory is not None
        return {
            "heard": heard(session, workshop_id, k).model_dump(),
            "voice": voice(session, workshop_id, k).model_dump(),
            "trajectory": table_check(session, trajectory, k).model_dump(),
        }


@router.get("/workshops/{workshop_id}/after-window")
def after_windows(
    request: Request, workshop_id: Id, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> list[dict[str, Any]]:
    """ "Na afloop meewegen": each after-window with the figures of the room, of the window and
    together per proposal and per shown group; no figures while a window is open."""
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")
    k = request.app.state.settings.min_group_size
    with session_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        return [record.model_dump() for record in window_records(session, workshop, k)]


class MakeCurrent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vertrekpunt_id: int = Field(ge=1, le=MAX_ID)
    reason: str = Field(min_length=1, max_length=1000)


@router.post("/trajectories/{trajectory_id}/current", dependencies=[CSRFProtected])
def set_current(
    trajectory_id: Id, body: MakeCurrent, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> dict[str, Any]:
    """Make another saved vertrekpunt the current one, with a reason kept in the history."""
    trajectory_for(engine, trajectory_id, facilitator_id)
    with session_scope(engine) as session:
        try:
            change = make_current(
                session,
                trajectory_id=trajectory_id,
                vertrekpunt_id=body.vertrekpunt_id,
                reason=body.reason,
                made_by=facilitator_id,
            )
        except NoSuchVertrekpunt as missing:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "No such vertrekpunt.") from missing
        except NotAllowed as refused:
            raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from refused
        return {"current_vertrekpunt_id": change.vertrekpunt_id, "reason": change.reason}


@router.get("/trajectories/{trajectory_id}/steps")
def read_steps(
    trajectory_id: Id, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> list[dict[str, Any]]:
    trajectory_for(engine, trajectory_id, facilitator_id)
    with session_scope(engine) as session:
        return [s.model_dump() for s in steps(session, trajectory_id)]


@router.put("/trajectories/{trajectory_id}/steps/{step}", dependencies=[CSRFProtected])
def write_step(
    trajectory_id: Id,
    step: Step,
    body: StepNotes,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
) -> dict[str, Any]:
    """Replace one SSD step's notes, links and dates."""
    trajectory_for(engine, trajectory_id, facilitator_id)
    with session_scope(engine) as session:
        save_step(session, trajectory_id, step, body)
        return next(s for s in steps(session, trajectory_id) if s.step == step).model_dump()
