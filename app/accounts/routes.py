"""Login, logout and first-run setup: HTML forms for people, JSON for other clients."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Form, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from app.accounts.models import Facilitator
from app.accounts.security import (
    clear_session_cookie,
    ensure_csrf_cookie,
    set_session_cookie,
)
from app.accounts.service import (
    AccountError,
    authenticate,
    consume_setup_token,
    setup_token_valid,
)
from app.db import session_scope
from app.deps import CSRFProtected, CurrentFacilitator, EngineDep, OptionalFacilitator, SettingsDep
from app.web.render import render
from app.workshops.models import Trajectory

router = APIRouter(tags=["accounts"])


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, engine: EngineDep, settings: SettingsDep, facilitator_id: OptionalFacilitator
) -> Response:
    if facilitator_id is None:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    with session_scope(engine) as session:
        facilitator = session.get(Facilitator, facilitator_id)
        trajectories = session.exec(
            select(Trajectory)
            .where(Trajectory.owner_id == facilitator_id)
            .order_by(col(Trajectory.id))
        ).all()
    return render(
        request, "home.html", settings, facilitator=facilitator, trajectories=trajectories
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return render(request, "login.html", settings)


@router.post("/login", dependencies=[CSRFProtected])
async def login(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    facilitator = await to_thread.run_sync(
        lambda: authenticate(engine, email=email, password=password)
    )
    if facilitator is None or facilitator.id is None:
        return render(
            request,
            "login.html",
            settings,
            status_code=400,
            email=email,
            error="E-mailadres of wachtwoord klopt niet.",
        )
    response = RedirectResponse("/", status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, settings, facilitator.id)
    return response


@router.post("/logout", dependencies=[CSRFProtected])
def logout() -> Response:
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    clear_session_cookie(response)
    return response


@router.get("/setup/{token}", response_class=HTMLResponse)
def setup_page(
    request: Request, token: str, engine: EngineDep, settings: SettingsDep
) -> HTMLResponse:
    if not setup_token_valid(engine, token):
        return render(request, "setup.html", settings, status_code=404, invalid=True)
    return render(request, "setup.html", settings, token=token)


@router.post("/setup/{token}", dependencies=[CSRFProtected])
async def setup(
    request: Request,
    token: str,
    engine: EngineDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)],
    name: Annotated[str, Form(max_length=120)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        facilitator = await to_thread.run_sync(
            lambda: consume_setup_token(
                engine, token=token, email=email, name=name, password=password
            )
        )
    except AccountError as exc:
        valid = setup_token_valid(engine, token)
        return render(
            request,
            "setup.html",
            settings,
            status_code=400 if valid else 404,
            token=token,
            invalid=not valid,
            error=str(exc),
            email=email,
            name=name,
        )
    assert facilitator.id is not None
    response = RedirectResponse("/", status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, settings, facilitator.id)
    return response


# ----------------------------------------------------------------------------- JSON API


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    password: str = Field(max_length=1000)


class FacilitatorPublic(BaseModel):
    id: int
    email: str
    name: str


@router.get("/api/csrf")
def csrf(request: Request, response: Response, settings: SettingsDep) -> dict[str, str]:
    """The CSRF token for this browser; send it back as ``X-CSRF-Token``."""
    return {"csrf_token": ensure_csrf_cookie(request, response, settings)}


@router.post("/api/session", dependencies=[CSRFProtected])
async def create_session(
    body: Credentials, response: Response, engine: EngineDep, settings: SettingsDep
) -> FacilitatorPublic:
    facilitator = await to_thread.run_sync(
        lambda: authenticate(engine, email=body.email, password=body.password)
    )
    if facilitator is None or facilitator.id is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong email or password.")
    set_session_cookie(response, settings, facilitator.id)
    return FacilitatorPublic(id=facilitator.id, email=facilitator.email, name=facilitator.name)


@router.delete("/api/session", dependencies=[CSRFProtected], status_code=204)
def delete_session(response: Response) -> None:
    clear_session_cookie(response)


@router.get("/api/me")
def me(engine: EngineDep, facilitator_id: CurrentFacilitator) -> FacilitatorPublic:
    with session_scope(engine) as session:
        facilitator = session.get(Facilitator, facilitator_id)
        if facilitator is None or facilitator.id is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.")
        return FacilitatorPublic(id=facilitator.id, email=facilitator.email, name=facilitator.name)
