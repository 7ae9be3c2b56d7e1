"""Pairing a beamer computer: the console asks for a code, ``/screen`` takes it.

``POST /screen`` is a form anyone may send (the beamer computer has no login), so it is guarded
like joining: the CSRF token of the page (bound to a ``SameSite=Lax`` pre-session cookie), an
``Origin`` check, and the per-address wrong-code gate shared with join codes. A right code
answers with a redirect to ``/screen/{id}#token=…``: the same link the console's "Open the
projector" gives, so the projector takes its token from the fragment exactly as it does there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from app.deps import CSRFProtected, CurrentFacilitator, EngineDep, Id, SettingsDep
from app.web.address import same_site_post, wrong_host_page
from app.web.render import render
from app.workshops import pairing
from app.workshops.access import resolve
from app.workshops.routes import Guard

router = APIRouter()


class ScreenPairingPublic(BaseModel):
    code: str = Field(description="type it at screen_url on the beamer computer, e.g. ABCD-EFGH")
    expires_at: datetime
    valid_seconds: int = Field(description="how long the code works from now")
    screen_url: str = Field(description="the pairing page, under the public address")


@router.post(
    "/api/workshops/{workshop_id}/screen-pairing",
    dependencies=[CSRFProtected],
    tags=["workshops"],
)
def create_screen_pairing(
    workshop_id: Id, engine: EngineDep, settings: SettingsDep, facilitator_id: CurrentFacilitator
) -> ScreenPairingPublic:
    """A single-use code, valid 10 minutes, that makes a browser at ``/screen`` the projector.

    A new code voids the workshop's earlier codes; using one renews the screen link.
    """
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")
    issued = pairing.issue(engine, workshop_id=workshop_id, secret_key=settings.secret_key)
    return ScreenPairingPublic(
        code=issued.display,
        expires_at=issued.expires_at,
        valid_seconds=int(pairing.VALID_FOR.total_seconds()),
        screen_url=f"{settings.public_url.rstrip('/')}/screen",
    )


class ScreenPairingStatus(BaseModel):
    status: pairing.Status = Field(
        description="the workshop's latest code: still open, used by a projector, expired, or none"
    )


@router.get("/api/workshops/{workshop_id}/screen-pairing", tags=["workshops"])
def screen_pairing_status(
    workshop_id: Id, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> ScreenPairingStatus:
    """Whether the code the console shows was used: the console then takes it away."""
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")
    return ScreenPairingStatus(status=pairing.status(engine, workshop_id=workshop_id))


@router.get("/screen", response_class=HTMLResponse, include_in_schema=False)
def screen_pair_page(request: Request, settings: SettingsDep) -> Response:
    """The large form a beamer computer shows; also where a lost or revoked projector is sent."""
    return wrong_host_page(request, settings, screen=True) or render(
        request, "screen_pair.html", settings
    )


@router.post("/screen", include_in_schema=False, dependencies=[CSRFProtected])
async def screen_pair_submit(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    guard: Guard,
    code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Redeem a code; a wrong, expired or used one changes nothing and counts as a wrong code."""
    misdirected = wrong_host_page(request, settings, screen=True)
    if misdirected is not None:
        return misdirected
    if not same_site_post(request, settings):
        return render(request, "screen_pair.html", settings, status_code=403, error="cross_site")
    redeemed = await to_thread.run_sync(
        lambda: pairing.redeem(engine, typed=code, secret_key=settings.secret_key)
    )
    if redeemed.outcome is pairing.Outcome.PAIRED:
        assert redeemed.workshop_id is not None and redeemed.screen_token is not None
        guard.found()
        request.app.state.hub.close_screens(redeemed.workshop_id)  # the old link ends here
        return RedirectResponse(
            f"/screen/{redeemed.workshop_id}#token={redeemed.screen_token}",
            status.HTTP_303_SEE_OTHER,
        )
    refused = await guard.not_found()
    too_many = refused.status_code == status.HTTP_429_TOO_MANY_REQUESTS
    response = render(
        request,
        "screen_pair.html",
        settings,
        status_code=refused.status_code,
        code=code,
        error="too_many" if too_many else redeemed.outcome.value,
    )
    if too_many and refused.headers:
        response.headers.update(refused.headers)
    return response
