"""The later SSD steps on the trajectory page: per step, notes, links, dates and its workshops.

Workshops run steps 1 and 3 (a shared waarom, then reframing); steps 2, 4 and 5 (onderzoek en
analyse; oplossingen verzinnen en testen; implementeren en opschalen) happen between and after
them. Keeping notes, links and dates per step makes the trajectory page the team's thread.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.labels import SSD_STEPS
from app.workshops.models import TrajectoryStep, Workshop


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    url: AnyHttpUrl


class StepNotes(BaseModel):
    """What the team keeps for one step. Dates are calendar days (YYYY-MM-DD)."""

    model_config = ConfigDict(extra="forbid")

    notes: str = Field(default="", max_length=20000)
    links: list[Link] = Field(default_factory=list, max_length=30)
    started_on: date | None = None
    ended_on: date | None = None

    @field_validator("ended_on")
    @classmethod
    def _after_start(cls, value: date | None, info: object) -> date | None:
        started = getattr(info, "data", {}).get("started_on")
        if value is not None and started is not None and value < started:
            raise ValueError("a step cannot end before it starts")
        return value


Step = Annotated[int, Field(ge=1, le=5)]


class StepView(BaseModel):
    step: int
    name: str
    notes: str
    links: list[dict[str, str]]
    started_on: str | None
    ended_on: str | None
    workshops: list[dict[str, object]]


def save_step(session: Session, trajectory_id: int, step: int, notes: StepNotes) -> TrajectoryStep:
    """Create or replace the notes of one step."""
    row = session.exec(
        select(TrajectoryStep).where(
            TrajectoryStep.trajectory_id == trajectory_id, TrajectoryStep.step == step
        )
    ).first() or TrajectoryStep(trajectory_id=trajectory_id, step=step)
    row.notes = notes.notes.strip()
    row.links = [{"title": link.title.strip(), "url": str(link.url)} for link in notes.links]
    row.started_on = notes.started_on.isoformat() if notes.started_on else None
    row.ended_on = notes.ended_on.isoformat() if notes.ended_on else None
    row.updated_at = utcnow()
    session.add(row)
    return row


def steps(session: Session, trajectory_id: int) -> list[StepView]:
    """All five steps, with their notes (empty when none) and the workshops held in each."""
    rows = {
        row.step: row
        for row in session.exec(
            select(TrajectoryStep).where(TrajectoryStep.trajectory_id == trajectory_id)
        )
    }
    workshops = session.exec(
        select(Workshop).where(Workshop.trajectory_id == trajectory_id).order_by(col(Workshop.id))
    ).all()
    out = []
    for number, name in SSD_STEPS.items():
        row = rows.get(number)
        out.append(
            StepView(
                step=number,
                name=name,
                notes=row.notes if row else "",
                links=list(row.links) if row else [],
                started_on=row.started_on if row else None,
                ended_on=row.ended_on if row else None,
                workshops=[
                    {
                        "id": w.id,
                        "title": w.title,
                        "starts_at": w.starts_at.isoformat() if w.starts_at else None,
                        "created_at": w.created_at.isoformat(),
                    }
                    for w in workshops
                    if w.ssd_step == number
                ],
            )
        )
    return out
