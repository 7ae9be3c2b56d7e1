"""The trajectory page: the current vertrekpunt with the chain behind it, who was at the table and
who was heard, the table check across workshops, what changed, which vertrekpunt is current and
why, the five SSD steps with the team's notes, the workshops with their exports, and the form
for a new workshop.

One function draws the page (:func:`show`), also when a form on it was refused: the page comes
back with the message next to the form and the facilitator's input still in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from babel.dates import format_date, format_datetime
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app import labels
from app.db import session_scope
from app.exports.registry import SUMMARIES
from app.labels import N_
from app.privacy import OTHER_GROUPS
from app.settings import Settings
from app.types import STAKEHOLDER_GROUPS
from app.web.before_moderation import before_cards
from app.web.render import render, request_language
from app.web.sharing import sharing_context
from app.web.workshop_form import CUSTOM, LOCAL_ZONE, SPARE_ROWS, WorkshopDraft, preset_steps
from app.workshops.after_window import window_records
from app.workshops.heard import Heard, table_check
from app.workshops.history import SAVED, changes
from app.workshops.models import Trajectory, Vertrekpunt, Workshop
from app.workshops.presets import PRESETS
from app.workshops.reframing import Difference, moves
from app.workshops.routes import history, trajectory_for
from app.workshops.sharing import facilitator_names
from app.workshops.steps import steps


@dataclass
class StepProblem:
    """A refused step form: which step, what is wrong, and what was typed."""

    step: int
    messages: list[tuple[str, dict[str, Any]]]
    values: dict[str, Any]


@dataclass
class CurrentProblem:
    """A refused "make current again": for which vertrekpunt, why, and the reason typed."""

    vertrekpunt_id: int
    message: str
    reason: str = ""


@dataclass
class Problems:
    step: StepProblem | None = None
    current: CurrentProblem | None = None
    draft: WorkshopDraft | None = None


def group_label(name: str) -> str:
    """The message id of a stakeholder group's name, pooled groups included."""
    return labels.POOLED_GROUPS if name == OTHER_GROUPS else labels.group(name)


def what_changed(diff: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The difference between two vertrekpunten as lines to show: the reformulations with the
    earlier text, then :func:`app.workshops.reframing.moves` — the same lines every export has."""
    if not diff:
        return []
    lines: list[dict[str, Any]] = []
    if diff["waarom"]["changed"]:
        lines.append(
            {"label": N_("The why was reformulated; before:"), "quote": diff["waarom"]["before"]}
        )
    if diff["opgave"]["changed"]:
        lines.append(
            {
                "label": N_("The mission was reformulated; before:"),
                "quote": diff["opgave"]["before"],
            }
        )
    for move in moves(Difference.model_validate(diff)):
        key = "group" if move.groups else "text"
        lines += [{"label": move.label, key: item} for item in move.items]
    return lines


def _dates(language: str) -> dict[str, Any]:
    """Date formatters for the template, in the page's language and the facilitator's zone."""

    def day(value: str | date | datetime | None) -> str:
        """A calendar day ("2026-03-10") as it is, a moment as the day it is in Dutch time."""
        if not value:
            return ""
        moment: date | datetime = (
            value
            if not isinstance(value, str)
            else (
                date.fromisoformat(value)
                if len(value) == 10
                else datetime.fromisoformat(value.replace("Z", "+00:00"))
            )
        )
        if isinstance(moment, datetime):
            aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            moment = aware.astimezone(LOCAL_ZONE).date()
        return format_date(moment, format="long", locale=language)

    def moment(value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(
            value.astimezone(LOCAL_ZONE), format="d MMMM y, HH:mm", locale=language
        )

    return {"long_date": day, "date_time": moment}


def _when(vertrekpunt: Vertrekpunt, workshops: dict[int | None, Workshop]) -> str | datetime | None:
    """The day a vertrekpunt's workshop was held: its planned start, else the day its result was
    saved (the day of its wrap-up)."""
    workshop = workshops.get(vertrekpunt.workshop_id)
    if workshop is not None and workshop.starts_at is not None:
        return workshop.starts_at
    saved_at: str | None = vertrekpunt.record.get("saved_at")
    return saved_at


def _title(vertrekpunt: Vertrekpunt, workshops: dict[int | None, Workshop]) -> str:
    """The workshop's title as it is now, or as the record kept it (the workshop may be gone)."""
    workshop = workshops.get(vertrekpunt.workshop_id)
    if workshop is not None:
        return workshop.title
    return str(vertrekpunt.record.get("workshop", {}).get("title") or "—")


def _current_history(
    session: Session,
    trajectory_id: int,
    saved: list[Vertrekpunt],
    workshops: dict[int | None, Workshop],
    names: dict[int, str],
) -> list[dict[str, Any]]:
    """Every change of the current vertrekpunt, newest first: when, which one, why, by whom."""
    by_id = {v.id: v for v in saved}
    lines = []
    newest_first = changes(session, trajectory_id)
    for index, change in enumerate(newest_first):
        vertrekpunt = by_id.get(change.vertrekpunt_id)
        lines.append(
            {
                "at": change.at,
                "saved": change.reason == SAVED,
                # current before: "made current again"; a late-saved one chosen: "made current"
                "again": any(
                    older.vertrekpunt_id == change.vertrekpunt_id
                    for older in newest_first[index + 1 :]
                ),
                "reason": change.reason,
                "by": names.get(change.made_by or 0, ""),
                "date": _when(vertrekpunt, workshops) if vertrekpunt else None,
                "workshop": _title(vertrekpunt, workshops) if vertrekpunt else None,
            }
        )
    return lines


def _context(engine: Engine, trajectory: Trajectory, k: int) -> dict[str, Any]:
    assert trajectory.id is not None
    names = facilitator_names(engine, trajectory.id)
    with session_scope(engine) as session:
        workshops = list(
            session.exec(
                select(Workshop)
                .where(Workshop.trajectory_id == trajectory.id)
                .order_by(col(Workshop.id))
            )
        )
        saved = list(
            session.exec(
                select(Vertrekpunt)
                .where(Vertrekpunt.trajectory_id == trajectory.id)
                .order_by(col(Vertrekpunt.id).desc())
            )
        )
        by_workshop: dict[int | None, Workshop] = {w.id: w for w in workshops}
        by_id = {v.id: v for v in saved}
        entries = history(saved)
        for entry in entries:
            vertrekpunt = by_id[entry["id"]]
            entry["lines"] = what_changed(entry["changes"])
            entry["current"] = entry["id"] == trajectory.current_vertrekpunt_id
            entry["workshop"] = _title(vertrekpunt, by_workshop)
            entry["date"] = _when(vertrekpunt, by_workshop)
            before = by_id.get(entry["compared_with_id"])
            entry["compared_with"] = _title(before, by_workshop) if before else None
        current = next((v for v in saved if v.id == trajectory.current_vertrekpunt_id), None)
        record = current.record if current else None
        saved_heard = record.get("heard") if record else None  # version 1 records have none
        return {
            "workshops": workshops,
            # Na afloop meewegen per workshop: the room, the window and together (no figures
            # while a window is open), as every export has them (app.workshops.after_window).
            "windows": {w.id: window_records(session, w, k) for w in workshops},
            "vertrekpunt": record,
            "history": entries,
            "current_history": _current_history(session, trajectory.id, saved, by_workshop, names),
            "steps": steps(session, trajectory.id),
            "table": table_check(session, trajectory, k),
            # Read through the view, so a record saved before the shares existed gets them.
            "heard": Heard.model_validate(saved_heard) if saved_heard else None,
            "before_cards": before_cards(session, by_workshop),
        }


def show(
    request: Request,
    engine: Engine,
    settings: Settings,
    facilitator_id: int,
    trajectory_id: int,
    *,
    status_code: int = 200,
    problems: Problems | None = None,
) -> HTMLResponse:
    """Draw the trajectory page (404 for someone who may not see it)."""
    trajectory = trajectory_for(engine, trajectory_id, facilitator_id)
    problems = problems or Problems()
    language = request_language(request)
    return render(
        request,
        "trajectory.html",
        settings,
        status_code=status_code,
        page_script="agenda_form.js",
        trajectory=trajectory,
        suggested=", ".join(STAKEHOLDER_GROUPS),
        presets=PRESETS,
        preset_steps=preset_steps,
        custom=CUSTOM,
        spare_rows=SPARE_ROWS,
        draft=problems.draft or WorkshopDraft(),
        draft_open=problems.draft is not None,
        step_problem=problems.step,
        current_problem=problems.current,
        # The whole summary in each format, on one line per workshop; the console offers the
        # CSV tables besides.
        exports=tuple(SUMMARIES.values()),
        group_label=group_label,
        **_dates(language),
        **_context(engine, trajectory, settings.min_group_size),
        **sharing_context(engine, trajectory, facilitator_id, request.query_params.get("share")),
        before_result=(request.query_params.get("workshop"), request.query_params.get("before")),
    )
