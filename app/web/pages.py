"""The pages people see: join, phone, projector, console, and the trajectory pages.

Pages are shells rendered on the server in the person's language; the live parts are drawn by
the page's script from the room state the socket delivers.
"""

from __future__ import annotations

from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Form, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError
from sqlmodel import select

from app.db import read_scope, session_scope
from app.deps import (
    CSRFProtected,
    CurrentFacilitator,
    EngineDep,
    Id,
    OptionalFacilitator,
    SettingsDep,
)
from app.exports.registry import FORMATS
from app.i18n import translations
from app.realtime.epoch import current_epoch
from app.realtime.protocol import CLOSE_NOT_FOUND
from app.realtime.state import build_snapshot
from app.settings import Settings
from app.types import STAKEHOLDER_GROUPS, Contribution, Phase
from app.web import workshop_form
from app.web.address import wrong_host_page
from app.web.client import remember_device
from app.web.qr import qr_svg
from app.web.render import json_for_script, render, request_language
from app.web.trajectory_page import Problems, show
from app.workshops import joincode
from app.workshops.access import participant_cookie, resolve, set_participant_cookie
from app.workshops.groups import expected_groups
from app.workshops.lifecycle import delete_workshop
from app.workshops.models import Trajectory, Workshop
from app.workshops.participants import JoinRequest
from app.workshops.remote import remote_choice
from app.workshops.routes import (
    Guard,
    JoinGuard,
    create_workshop_row,
    join_refusal,
    trajectory_for,
)
from app.workshops.sharing import facilitator_names
from app.workshops.targets import MAX_TARGET, tidy_targets

router = APIRouter(include_in_schema=False)


def _workshop(engine: Any, workshop_id: int) -> tuple[Workshop, Trajectory]:
    """The workshop and its trajectory, read beside the writer (never waiting for its lock)."""
    with read_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        trajectory = session.get(Trajectory, workshop.trajectory_id) if workshop else None
        if workshop is None or trajectory is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND)
        return workshop, trajectory


def _groups(trajectory: Trajectory) -> list[str]:
    return list(dict.fromkeys([*trajectory.expected_groups, *STAKEHOLDER_GROUPS]))


# ----------------------------------------------------------------------------- joining


@router.get("/join", response_class=HTMLResponse)
def join_code_page(request: Request, settings: SettingsDep) -> Response:
    return wrong_host_page(request, settings) or render(
        request, "join_code.html", settings, language=request_language(request, browser=True)
    )


@router.post("/join", dependencies=[CSRFProtected])
def join_code_submit(code: Annotated[str, Form(max_length=20)]) -> Response:
    return RedirectResponse(f"/join/{joincode.normalise(code)}", status.HTTP_303_SEE_OTHER)


async def _wrong_code_page(
    request: Request, code: str, settings: Settings, guard: JoinGuard
) -> Response:
    """The code form again with an error; 404, or 429 once this address has too many."""
    refused = await guard.not_found()
    return render(
        request,
        "join_code.html",
        settings,
        status_code=refused.status_code,
        language=request_language(request, browser=True),
        code=code,
        error=True,
    )


@router.get("/join/{code}", response_class=HTMLResponse)
async def join_page(
    request: Request, code: str, engine: EngineDep, settings: SettingsDep, guard: Guard
) -> Response:
    if (wrong_host := wrong_host_page(request, settings)) is not None:
        return wrong_host  # before the code is looked at: a right address first, then the code
    workshop = await to_thread.run_sync(lambda: _by_code(engine, code))
    if workshop is None or workshop.id is None:
        return await _wrong_code_page(request, code, settings, guard)
    guard.found()
    workshop_id = workshop.id
    token = request.cookies.get(participant_cookie(request, settings, workshop_id))
    if token:
        joined = await to_thread.run_sync(
            lambda: resolve(engine, workshop_id=workshop_id, token=token, facilitator_id=None)
        )
        if joined is not None:
            return RedirectResponse(f"/w/{workshop_id}", status.HTTP_303_SEE_OTHER)
    _, trajectory = await to_thread.run_sync(lambda: _workshop(engine, workshop_id))
    language = request_language(request, workshop.workshop_settings().language, browser=True)
    return render(
        request,
        "join.html",
        settings,
        language=language,
        workshop=workshop,
        code=joincode.display(workshop.join_code),
        groups=_groups(trajectory),
        contributions=[c.value for c in Contribution],
        values={},
    )


@router.post("/join/{code}", dependencies=[CSRFProtected])
async def join_submit(
    request: Request, code: str, engine: EngineDep, settings: SettingsDep, guard: Guard
) -> Response:
    workshop = await to_thread.run_sync(lambda: _by_code(engine, code))
    if workshop is None or workshop.id is None:
        return await _wrong_code_page(request, code, settings, guard)
    guard.found()
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    anonymous = values.pop("anonymous", "") == "on" or workshop.workshop_settings().anonymous
    remote = remote_choice(values.get("remote"))
    if remote is None:
        return _join_form_again(request, settings, engine, workshop, values, 400, error=True)
    try:
        body = JoinRequest(
            code=workshop.join_code,
            display_name=None if anonymous else values.get("display_name") or None,
            stakeholder_group=values.get("stakeholder_group", ""),
            organisation=values.get("organisation", ""),
            drijfveer=values.get("drijfveer", ""),
            contribution=values.get("contribution") or Contribution.MEEFORMULEREN,
            drijfveer_use=values.get("drijfveer_use") or "facilitator",
            contribution_use=values.get("contribution_use") or "facilitator",
            name_in_verslag=not anonymous and values.get("name_in_verslag") == "on",
            been_before=values.get("been_before") or None,
            remote=remote,
        )
    except ValidationError:
        return _join_form_again(request, settings, engine, workshop, values, 400, error=True)
    workshop_id = workshop.id
    if (refused := await join_refusal(request, workshop_id)) is not None:
        # What was typed stays, with a plain word on why and when to press Join again.
        page = _join_form_again(request, settings, engine, workshop, values, 429, busy=True)
        page.headers.update(refused.headers or {})
        return page
    joined = await request.app.state.hub.join(workshop_id, body)
    response = RedirectResponse(f"/w/{workshop_id}", status.HTTP_303_SEE_OTHER)
    set_participant_cookie(response, request, settings, workshop_id, joined.token)
    remember_device(request, response, settings)
    return response


def _join_form_again(
    request: Request,
    settings: Settings,
    engine: Any,
    workshop: Workshop,
    values: dict[str, str],
    status_code: int,
    *,
    error: bool = False,
    busy: bool = False,
) -> Response:
    """The join form with what was typed and what stopped it (``error``: fields; ``busy``: too
    many joins at once)."""
    assert workshop.id is not None
    _, trajectory = _workshop(engine, workshop.id)
    language = request_language(request, workshop.workshop_settings().language, browser=True)
    return render(
        request,
        "join.html",
        settings,
        status_code=status_code,
        language=language,
        workshop=workshop,
        code=joincode.display(workshop.join_code),
        groups=_groups(trajectory),
        contributions=[c.value for c in Contribution],
        values=values,
        error=error,
        busy=busy,
    )


def _by_code(engine: Any, code: str) -> Workshop | None:
    """The workshop with this join code. A read (``read_scope``): in a join storm the phones'
    look-ups must not queue behind the writes of the joins and votes (SQLite's write lock)."""
    with read_scope(engine) as session:
        return session.exec(
            select(Workshop).where(Workshop.join_code == joincode.normalise(code))
        ).first()


@router.get("/join/{code}/qr.svg")
async def join_qr(code: str, engine: EngineDep, settings: SettingsDep, guard: Guard) -> Response:
    workshop = await to_thread.run_sync(lambda: _by_code(engine, code))
    if workshop is None:
        raise await guard.not_found()
    guard.found()
    url = f"{settings.public_url}/join/{workshop.join_code}"
    svg = qr_svg(
        url,
        title=translations(workshop.workshop_settings().language).gettext(
            "QR code to join the workshop"
        ),
    )
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


# ----------------------------------------------------------------------------- live pages


@router.get("/w/{workshop_id}", response_class=HTMLResponse)
def phone_page(
    request: Request, workshop_id: Id, engine: EngineDep, settings: SettingsDep
) -> Response:
    """The phone page, with the room state inside, so it draws before the socket is up."""
    if (wrong_host := wrong_host_page(request, settings)) is not None:
        return wrong_host
    token = request.cookies.get(participant_cookie(request, settings, workshop_id))
    access = resolve(engine, workshop_id=workshop_id, token=token, facilitator_id=None)
    if access is None:
        return RedirectResponse("/join", status.HTTP_303_SEE_OTHER)
    workshop, trajectory = _workshop(engine, workshop_id)
    with read_scope(engine, snapshot=True) as session:  # as the socket's snapshot: no lock
        fresh = session.get(Workshop, workshop_id)
        assert fresh is not None
        initial = {
            "seq": fresh.last_seq,
            "epoch": current_epoch(session),
            "participant_id": access.actor.participant_id,
            "state": build_snapshot(
                session, fresh, access.actor, k=settings.min_group_size
            ).model_dump(mode="json"),
        }
    language = request_language(request, workshop.workshop_settings().language, browser=True)
    return render(
        request,
        "participant.html",
        settings,
        page_script="participant.js",
        language=language,
        workshop=workshop,
        content_lang=workshop.workshop_settings().language,
        groups=_groups(trajectory),
        initial_state=json_for_script(initial),
    )


@router.get("/screen/{workshop_id}", response_class=HTMLResponse)
def screen_page(
    request: Request, workshop_id: Id, engine: EngineDep, settings: SettingsDep
) -> Response:
    """The projector. Its token travels in the URL fragment, never to the server's logs.

    Without a token, or with a renewed one, the page sends people to ``/screen`` to pair again.
    """
    if (wrong_host := wrong_host_page(request, settings, screen=True)) is not None:
        return wrong_host
    workshop, _ = _workshop(engine, workshop_id)
    language = request_language(request, workshop.workshop_settings().language)
    return render(
        request,
        "projector.html",
        settings,
        page_script="projector.js",
        language=language,
        workshop_id=workshop_id,
        content_lang=workshop.workshop_settings().language,
        join_base=f"{settings.public_url}/join",
    )


def _downloads(workshop_id: int, language: str) -> Markup:
    """Every export format as the console's wrap-up offers it (``path``, translated ``label``):
    the list is the registry's, so the script names no format of its own."""
    gettext = translations(language).gettext
    return json_for_script(
        [{"path": f.url(workshop_id), "label": gettext(f.label)} for f in FORMATS]
    )


@router.get("/console/{workshop_id}", response_class=HTMLResponse)
def console_page(
    request: Request,
    workshop_id: Id,
    engine: EngineDep,
    settings: SettingsDep,
    facilitator_id: OptionalFacilitator,
) -> Response:
    if (wrong_host := wrong_host_page(request, settings)) is not None:
        return wrong_host
    if facilitator_id is None:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    workshop, trajectory = _workshop(engine, workshop_id)
    language = request_language(request)
    return render(
        request,
        "facilitator.html",
        settings,
        language=language,
        page_script="facilitator.js",
        downloads=_downloads(workshop_id, language),
        workshop=workshop,
        trajectory=trajectory,
        phases=[p.value for p in Phase],
        join_url=f"{settings.public_url}/join/{workshop.join_code}",
        screen_url=f"{settings.public_url.rstrip('/')}/screen",
        facilitator_id=facilitator_id,
        facilitators=facilitator_names(engine, workshop.trajectory_id),
    )


# ----------------------------------------------------------------------------- trajectories


def _expected(raw: str) -> list[str]:
    return expected_groups(raw.replace("\n", ",").split(","))  # as typed, each once


def _targets(
    trajectory: Trajectory, groups: list[str], targets: list[str], often_missing: list[str]
) -> None:
    """Set the targets and "often missing" marks from the form's rows (one per group shown).

    An empty or 0 target is no target; a row whose group is no longer expected is dropped
    (:func:`app.workshops.targets.tidy_targets`). A target that is not a whole number from 0 to
    999 refuses the form (400), and nothing changes.
    """
    if len(groups) != len(targets):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Each target needs its group.")
    wanted: dict[str, int] = {}
    for group, raw in zip(groups, targets, strict=True):
        if not raw.strip():
            continue
        if not raw.strip().isdigit() or int(raw) > MAX_TARGET:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "A target is a number from 0 to 999.")
        wanted[group] = int(raw)
    trajectory.group_targets, trajectory.often_missing = tidy_targets(
        trajectory.expected_groups, wanted, often_missing
    )


@router.get("/trajectories/new", response_class=HTMLResponse)
def new_trajectory_page(
    request: Request, settings: SettingsDep, facilitator_id: CurrentFacilitator
) -> HTMLResponse:
    return render(
        request,
        "trajectory_form.html",
        settings,
        trajectory=None,
        suggested=", ".join(STAKEHOLDER_GROUPS),
    )


@router.post("/trajectories", dependencies=[CSRFProtected])
def create_trajectory_form(
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
    theme: Annotated[str, Form(min_length=1, max_length=300)],
    description: Annotated[str, Form(max_length=4000)] = "",
    expected_groups: Annotated[str, Form(max_length=2000)] = "",
    target_group: Annotated[list[str], Form(max_length=30)] = [],  # noqa: B006 (FastAPI copies)
    target: Annotated[list[str], Form(max_length=30)] = [],  # noqa: B006
    often_missing: Annotated[list[str], Form(max_length=30)] = [],  # noqa: B006
) -> Response:
    with session_scope(engine) as session:
        trajectory = Trajectory(
            owner_id=facilitator_id,
            theme=theme.strip(),
            description=description.strip(),
            expected_groups=_expected(expected_groups),
        )
        _targets(trajectory, target_group, target, often_missing)
        session.add(trajectory)
        session.flush()
        trajectory_id = trajectory.id
    return RedirectResponse(f"/trajectories/{trajectory_id}", status.HTTP_303_SEE_OTHER)


@router.get("/trajectories/{trajectory_id}", response_class=HTMLResponse)
def trajectory_page(
    request: Request,
    trajectory_id: Id,
    engine: EngineDep,
    settings: SettingsDep,
    facilitator_id: CurrentFacilitator,
) -> HTMLResponse:
    return show(request, engine, settings, facilitator_id, trajectory_id)


@router.post("/trajectories/{trajectory_id}/step", dependencies=[CSRFProtected])
def set_step_form(
    trajectory_id: Id,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
    ssd_step: Annotated[int, Form(ge=1, le=5)],
) -> Response:
    trajectory_for(engine, trajectory_id, facilitator_id)
    with session_scope(engine) as session:
        trajectory = session.get(Trajectory, trajectory_id)
        assert trajectory is not None
        trajectory.ssd_step = ssd_step
        session.add(trajectory)
    return RedirectResponse(f"/trajectories/{trajectory_id}", status.HTTP_303_SEE_OTHER)


@router.post("/workshops/{workshop_id}/delete", dependencies=[CSRFProtected])
def delete_workshop_form(
    request: Request,
    workshop_id: Id,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Delete a workshop whole; the form asks for an explicit confirmation first."""
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    _workshop_row, trajectory = _workshop(engine, workshop_id)
    if confirm != "yes":
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Confirm the deletion first.")
    request.app.state.hub.close_room(workshop_id, CLOSE_NOT_FOUND, "workshop deleted")
    delete_workshop(engine, request.app.state.images, workshop_id=workshop_id)
    return RedirectResponse(f"/trajectories/{trajectory.id}", status.HTTP_303_SEE_OTHER)


@router.post("/trajectories/{trajectory_id}/edit", dependencies=[CSRFProtected])
def edit_trajectory_form(
    trajectory_id: Id,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
    theme: Annotated[str, Form(min_length=1, max_length=300)],
    description: Annotated[str, Form(max_length=4000)] = "",
    expected_groups: Annotated[str, Form(max_length=2000)] = "",
    target_group: Annotated[list[str], Form(max_length=30)] = [],  # noqa: B006 (FastAPI copies)
    target: Annotated[list[str], Form(max_length=30)] = [],  # noqa: B006
    often_missing: Annotated[list[str], Form(max_length=30)] = [],  # noqa: B006
) -> Response:
    trajectory_for(engine, trajectory_id, facilitator_id)
    with session_scope(engine) as session:
        trajectory = session.get(Trajectory, trajectory_id)
        assert trajectory is not None
        trajectory.theme = theme.strip()
        trajectory.description = description.strip()
        trajectory.expected_groups = _expected(expected_groups)
        _targets(trajectory, target_group, target, often_missing)
        session.add(trajectory)
    return RedirectResponse(f"/trajectories/{trajectory_id}", status.HTTP_303_SEE_OTHER)


@router.post("/trajectories/{trajectory_id}/workshops", dependencies=[CSRFProtected])
async def create_workshop_form(
    request: Request,
    trajectory_id: Id,
    engine: EngineDep,
    settings: SettingsDep,
    facilitator_id: CurrentFacilitator,
) -> Response:
    """Create a workshop from a template or an own agenda; a refused form comes back as typed."""
    await to_thread.run_sync(lambda: trajectory_for(engine, trajectory_id, facilitator_id))
    draft, planned = workshop_form.read(await request.form())
    if planned is None:
        return await to_thread.run_sync(
            lambda: show(
                request,
                engine,
                settings,
                facilitator_id,
                trajectory_id,
                status_code=status.HTTP_400_BAD_REQUEST,
                problems=Problems(draft=draft),
            )
        )
    new = planned
    workshop, _screen_token = await to_thread.run_sync(
        lambda: create_workshop_row(
            engine,
            trajectory_id=trajectory_id,
            title=new.title,
            theme_question=new.theme_question,
            settings=new.settings,
            plan=new.plan,
            starts_at=new.starts_at,
        )
    )
    return RedirectResponse(f"/console/{workshop.id}", status.HTTP_303_SEE_OTHER)
