"""Pages and forms around the record: making an older vertrekpunt current again, the notes of an
SSD step, a workshop's printable draaiboek, and the facilitator guide.

The forms are the trajectory page's; a refused one draws that page again with the message next
to the form and nothing changed (:func:`app.web.trajectory_page.show`).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anyio import to_thread
from babel.dates import format_date
from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from app.clock import utcnow
from app.db import session_scope
from app.deps import (
    CSRFProtected,
    CurrentFacilitator,
    EngineDep,
    Id,
    OptionalFacilitator,
    SettingsDep,
)
from app.i18n import translations
from app.labels import N_, SSD_STEPS
from app.types import MAX_ID
from app.web.address import wrong_host_page
from app.web.render import render, request_language
from app.web.trajectory_page import CurrentProblem, Problems, StepProblem, show
from app.web.workshop_form import LOCAL_ZONE
from app.workshops import joincode
from app.workshops.access import resolve
from app.workshops.guide import running_order
from app.workshops.history import NotAllowed, make_current
from app.workshops.models import Trajectory, Vertrekpunt, Workshop
from app.workshops.moments import moments
from app.workshops.routes import trajectory_for
from app.workshops.steps import StepNotes, save_step

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

router = APIRouter(include_in_schema=False)

#: Where the facilitator guide is read from: ``app/guide/`` links to ``docs/facilitator*.md`` (the
#: one place it is written), and building the package copies the files in, so an installed app
#: serves the guide too.
DOCS = Path(__file__).resolve().parents[1] / "guide"
GUIDES = {"nl": "facilitator.md", "en": "facilitator.en.md"}


# ----------------------------------------------------------------------------- which is current


def _make_current(
    engine: Engine, trajectory_id: int, vertrekpunt_id: int, reason: str, facilitator_id: int
) -> str | None:
    """Make the vertrekpunt current; the refusal's message id when it may not be (the same
    refusals as the API's: :func:`app.workshops.history.make_current` decides for both)."""
    with session_scope(engine) as session:
        try:
            make_current(
                session,
                trajectory_id=trajectory_id,
                vertrekpunt_id=vertrekpunt_id,
                reason=reason,
                made_by=facilitator_id,
            )
        except NotAllowed as refusal:
            session.rollback()
            return str(refusal)
    return None


@router.post("/trajectories/{trajectory_id}/current", dependencies=[CSRFProtected])
async def make_current_form(
    request: Request,
    trajectory_id: Id,
    engine: EngineDep,
    settings: SettingsDep,
    facilitator_id: CurrentFacilitator,
) -> Response:
    """Make a saved vertrekpunt the current one again; the reason is kept in the history."""
    await to_thread.run_sync(lambda: trajectory_for(engine, trajectory_id, facilitator_id))
    form = await request.form()
    reason = str(form.get("reason", "")).strip()[:1000]
    typed = str(form.get("vertrekpunt_id", ""))
    vertrekpunt_id = int(typed) if typed.isdigit() and 0 < int(typed) <= MAX_ID else 0
    refused = await to_thread.run_sync(
        lambda: _make_current(engine, trajectory_id, vertrekpunt_id, reason, facilitator_id)
    )
    if refused is None:
        return RedirectResponse(
            f"/trajectories/{trajectory_id}#current-history-title", status.HTTP_303_SEE_OTHER
        )
    problem = CurrentProblem(vertrekpunt_id=vertrekpunt_id, message=refused, reason=reason)
    return await to_thread.run_sync(
        lambda: show(
            request,
            engine,
            settings,
            facilitator_id,
            trajectory_id,
            status_code=status.HTTP_409_CONFLICT if reason else status.HTTP_400_BAD_REQUEST,
            problems=Problems(current=problem),
        )
    )


# ----------------------------------------------------------------------------- SSD step notes


def _step_messages(error: ValidationError) -> list[tuple[str, dict[str, Any]]]:
    """The validation errors of a step form, said the way the facilitator typed it."""
    said: list[tuple[str, dict[str, Any]]] = []
    for problem in error.errors(include_input=False):
        where = problem["loc"]
        if where[:1] == ("links",) and len(where) >= 3 and where[2] == "url":
            said.append(
                (
                    N_("Link %(n)s: give a full web address, starting with https://"),
                    {"n": int(where[1]) + 1},
                )
            )
        elif where[:1] == ("links",) and len(where) >= 3 and where[2] == "title":
            said.append((N_("Link %(n)s: the title is too long."), {"n": int(where[1]) + 1}))
        elif where[:1] == ("links",):
            said.append((N_("A step has at most 30 links."), {}))
        elif where == ("ended_on",) and problem["type"] == "value_error":
            said.append((N_("The step cannot end before it starts."), {}))
        elif where in (("started_on",), ("ended_on",)):
            said.append((N_("Give the dates as calendar days."), {}))
        elif where == ("notes",):
            said.append((N_("The notes are too long: at most 20,000 characters."), {}))
        else:
            said.append((N_("Something in this form is not right; check the fields."), {}))
    unique: list[tuple[str, dict[str, Any]]] = []
    for line in said:
        if line not in unique:
            unique.append(line)
    return unique


@router.post("/trajectories/{trajectory_id}/steps/{step}", dependencies=[CSRFProtected])
async def save_step_form(
    request: Request,
    trajectory_id: Id,
    step: Id,
    engine: EngineDep,
    settings: SettingsDep,
    facilitator_id: CurrentFacilitator,
) -> Response:
    """Replace one SSD step's notes, links and dates; a refused form saves nothing."""
    await to_thread.run_sync(lambda: trajectory_for(engine, trajectory_id, facilitator_id))
    if step not in SSD_STEPS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "There are five steps.")
    form = await request.form()
    titles = [str(t).strip() for t in form.getlist("link_title")]
    urls = [str(u).strip() for u in form.getlist("link_url")]
    titles += [""] * (len(urls) - len(titles))
    urls += [""] * (len(titles) - len(urls))
    # A link typed without a title is titled by its address.
    links = [
        {"title": title or url[:200], "url": url}
        for title, url in zip(titles, urls, strict=False)
        if title or url
    ]
    values = {
        "notes": str(form.get("notes", "")),
        "links": links,
        "started_on": str(form.get("started_on", "")).strip() or None,
        "ended_on": str(form.get("ended_on", "")).strip() or None,
    }
    try:
        notes = StepNotes.model_validate(values)
    except ValidationError as invalid:
        problem = StepProblem(step=step, messages=_step_messages(invalid), values=values)
        return await to_thread.run_sync(
            lambda: show(
                request,
                engine,
                settings,
                facilitator_id,
                trajectory_id,
                status_code=status.HTTP_400_BAD_REQUEST,
                problems=Problems(step=problem),
            )
        )
    await to_thread.run_sync(lambda: _save_step(engine, trajectory_id, step, notes))
    return RedirectResponse(f"/trajectories/{trajectory_id}#step-{step}", status.HTTP_303_SEE_OTHER)


def _save_step(engine: Engine, trajectory_id: int, step: int, notes: StepNotes) -> None:
    with session_scope(engine) as session:
        save_step(session, trajectory_id, step, notes)


# ----------------------------------------------------------------------------- draaiboek


@router.get("/console/{workshop_id}/draaiboek", response_class=HTMLResponse)
def draaiboek_page(
    request: Request,
    workshop_id: Id,
    engine: EngineDep,
    settings: SettingsDep,
    facilitator_id: OptionalFacilitator,
) -> Response:
    """The workshop's running order to print: per step its clock time, what to say and what
    each screen shows. For the workshop's facilitators, before and during the workshop."""
    if (wrong_host := wrong_host_page(request, settings)) is not None:
        return wrong_host
    if facilitator_id is None:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    with session_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        trajectory = session.get(Trajectory, workshop.trajectory_id)
        starts_from = (
            session.get(Vertrekpunt, workshop.starts_from_id) if workshop.starts_from_id else None
        )
        order = running_order(
            workshop.agenda, workshop.phase_minutes, workshop.starts_at, LOCAL_ZONE
        )
        timeline = moments(
            session,
            workshop,
            room_minutes=sum(s.minutes for s in order),
            now=utcnow(),
            zone=LOCAL_ZONE,
        )
    assert trajectory is not None
    language = request_language(request)
    starts = workshop.starts_at.astimezone(LOCAL_ZONE) if workshop.starts_at else None
    workshop_settings = workshop.workshop_settings()
    # What is said aloud is said in the workshop's language, whatever the page's is.
    spoken = translations(workshop_settings.language)
    return render(
        request,
        "draaiboek.html",
        settings,
        language=language,
        workshop=workshop,
        trajectory=trajectory,
        workshop_settings=workshop_settings,
        spoken_language=workshop_settings.language,
        spoken=spoken.gettext,
        spoken_n=spoken.ngettext,
        steps=order,
        total_minutes=sum(s.minutes for s in order),
        starts=starts,
        ends=order[-1].ends if order else None,
        starts_from=starts_from.record if starts_from else None,
        code=joincode.display(workshop.join_code),
        join_url=f"{settings.public_url}/join/{workshop.join_code}",
        join_base=f"{settings.public_url}/join",
        day=_day(starts.date(), language) if starts else "",
        moments=timeline,
        when=lambda moment: f"{_day(moment.date(), language)}, {moment.strftime('%H:%M')}",
    )


def _day(day: date, language: str) -> str:
    return format_date(day, format="full", locale=language)


# ----------------------------------------------------------------------------- the guide


@cache
def _markdown() -> MarkdownIt:
    """CommonMark with tables, raw HTML off: the guide is text, the page keeps its strict CSP."""
    from markdown_it import MarkdownIt  # with its parsers, on the first page that needs it

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def guide_html(language: str) -> Markup | None:
    """The guide in ``language`` as HTML, or ``None`` when its file is not there (a package
    built without ``docs/`` beside ``app/``)."""
    path = DOCS / GUIDES.get(language, GUIDES["nl"])
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return Markup(_markdown().render(source))  # safe: raw HTML is off, text is escaped


@router.get("/guide", response_class=HTMLResponse)
def guide_page(request: Request, settings: SettingsDep) -> Response:
    """The facilitator guide (``docs/facilitator.md``, in English ``docs/facilitator.en.md``)."""
    language = request_language(request)
    body = guide_html(language)
    if body is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "The facilitator guide is not installed.")
    return render(request, "guide.html", settings, language=language, body=body)
