"""The tafelhulp's pages: the code form (``/hulp``) and the helper's phone page.

A helper has no account: the one-time code from the console makes this phone a helper
(:mod:`app.workshops.assisted`), the cookie keeps it one. The page is plain Dutch first: "help
someone without a phone", then enter a card or a rating for them.
"""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from app.db import read_scope
from app.deps import CSRFProtected, EngineDep, Id, OptionalFacilitator, SettingsDep
from app.realtime.epoch import current_epoch
from app.realtime.hub import Hub
from app.realtime.state import build_snapshot
from app.types import Role
from app.web.address import wrong_host_page
from app.web.client import remember_device
from app.web.render import json_for_script, render, request_language
from app.workshops.access import participant_cookie, resolve, set_participant_cookie
from app.workshops.assisted import CodeRefused, HelperJoinJob, workshop_of_code
from app.workshops.models import Participant, Workshop
from app.workshops.participants import Joined
from app.workshops.routes import Guard

router = APIRouter(include_in_schema=False)


@router.get("/hulp", response_class=HTMLResponse)
def helper_code_page(request: Request, settings: SettingsDep) -> Response:
    return wrong_host_page(request, settings) or render(
        request, "helper_code.html", settings, language=request_language(request, browser=True)
    )


@router.post("/hulp", dependencies=[CSRFProtected])
async def helper_code_submit(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    guard: Guard,
    code: Annotated[str, Form(max_length=20)],
) -> Response:
    """Redeem the code, then on to the helper page; the form again with a plain error if not."""

    def again(status_code: int) -> Response:
        return render(
            request,
            "helper_code.html",
            settings,
            status_code=status_code,
            language=request_language(request, browser=True),
            code=code,
            error=True,
        )

    workshop_id = await to_thread.run_sync(lambda: workshop_of_code(engine, code))
    if workshop_id is None:
        return again((await guard.not_found()).status_code)
    guard.found()
    hub: Hub = request.app.state.hub
    try:
        joined: Joined = await hub.lanes.submit(workshop_id, HelperJoinJob(code))
    except CodeRefused:
        return again(status.HTTP_410_GONE)
    response = RedirectResponse(f"/hulp/{workshop_id}", status.HTTP_303_SEE_OTHER)
    set_participant_cookie(response, request, settings, workshop_id, joined.token)
    remember_device(request, response, settings)
    return response


@router.get("/hulp/{workshop_id}", response_class=HTMLResponse)
def helper_page(
    request: Request,
    workshop_id: Id,
    engine: EngineDep,
    settings: SettingsDep,
    signed_in: OptionalFacilitator,
) -> Response:
    """The helper's phone page, with the room as a phone sees it (no authors, nobody else).

    The facilitator opens the same page from the console ("enter for someone yourself"): then
    the socket is the facilitator's, who may enter for anyone added by a helper or the console.
    """
    if (wrong_host := wrong_host_page(request, settings)) is not None:
        return wrong_host
    token = request.cookies.get(participant_cookie(request, settings, workshop_id))
    access = resolve(
        engine,
        workshop_id=workshop_id,
        token=token,
        facilitator_id=signed_in if token is None else None,
    )
    if access is None or access.actor.role is Role.SCREEN:
        return RedirectResponse("/hulp", status.HTTP_303_SEE_OTHER)
    with read_scope(engine, snapshot=True) as session:
        helper = (
            session.get(Participant, access.actor.participant_id)
            if access.actor.participant_id is not None
            else None
        )
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        if access.actor.role is Role.PARTICIPANT and (helper is None or not helper.is_helper):
            return RedirectResponse(f"/w/{workshop_id}", status.HTTP_303_SEE_OTHER)
        initial = {
            "seq": workshop.last_seq,
            "epoch": current_epoch(session),
            "participant_id": access.actor.participant_id,
            "state": build_snapshot(
                session, workshop, access.actor, k=settings.min_group_size
            ).model_dump(mode="json"),
        }
    language = request_language(request, workshop.workshop_settings().language, browser=True)
    return render(
        request,
        "helper.html",
        settings,
        page_script="helper.js",
        language=language,
        workshop=workshop,
        content_lang=workshop.workshop_settings().language,
        initial_state=json_for_script(initial),
    )
