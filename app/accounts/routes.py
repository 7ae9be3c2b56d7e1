"""Login, logout, first-run setup and the account page: HTML forms for people, JSON for clients.

Every password check goes through :func:`_check_login`: the throttle first (no hash for a locked
account or address), then the hash gate (a few Argon2 checks at a time, 503 past the wait).
Logging in with the organisation's account is in :mod:`app.accounts.oidc_routes`; with local
passwords switched off (``ATELIER_OIDC_ONLY``) every password form here is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from anyio import to_thread
from fastapi import APIRouter, Form, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, ConfigDict, Field

from app.accounts.models import Facilitator
from app.accounts.oidc_routes import login_choices, oidc_client
from app.accounts.oidc_routes import router as oidc_router
from app.accounts.oidc_settings import oidc_enabled, passwords_enabled
from app.accounts.passwords import HashGate, HashGateBusy
from app.accounts.security import (
    DEVICE_COOKIE,
    clear_session_cookie,
    cookie_name,
    ensure_csrf_cookie,
    session_id_of,
    set_cookie,
    set_session_cookie,
)
from app.accounts.service import (
    AccountError,
    authenticate,
    change_password,
    consume_setup_token,
    setup_token_valid,
)
from app.accounts.sessions import (
    end_session,
    end_session_by_number,
    id_token_of,
    list_sessions,
    start_session,
)
from app.accounts.throttle import LoginThrottle
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
from app.labels import N_
from app.settings import Settings
from app.web.client import client_key
from app.web.render import render, request_language
from app.workshops.sharing import visible_trajectories

WRONG_CREDENTIALS = N_("Email address or password is not right.")
TOO_MANY_ATTEMPTS = N_(
    "Too many wrong attempts. Wait %(n)s min. and try again, or ask the administrator."
)
BUSY = N_("Many people are logging in at once. Try again in a moment.")
NEW_PASSWORDS_DIFFER = N_("The two new passwords are not the same.")
PASSWORDS_OFF = N_("Log in with your organisation's account: passwords are switched off here.")
DEVICE_DAYS = 180

T = TypeVar("T")
router = APIRouter(tags=["accounts"])
router.include_router(oidc_router)


def _refuse_passwords(settings: Settings) -> None:
    """With local passwords switched off, a password form or API call is refused (403)."""
    if not passwords_enabled(settings):
        raise HTTPException(status.HTTP_403_FORBIDDEN, PASSWORDS_OFF)


# ----------------------------------------------------------------------------- checking a login


@dataclass(frozen=True)
class Refusal:
    """Why a login did not go through: the HTTP status and the message (a msgid)."""

    status_code: int
    message: str
    minutes: int = 0
    retry_after: int | None = None

    def say(self, request: Request) -> str:
        text = translations(request_language(request)).gettext(self.message)
        return text % {"n": self.minutes} if self.minutes else text


def _state(request: Request) -> tuple[LoginThrottle, HashGate]:
    """The app's login throttle and hash gate (one of each per process, made at start-up)."""
    return request.app.state.login_throttle, request.app.state.password_gate


async def _hashing(request: Request, work: Callable[[], T]) -> T:
    """Run work that hashes a password through the app's gate; a queue too long answers 503."""
    _, gate = _state(request)
    try:
        return await gate.run(work)
    except HashGateBusy:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, BUSY) from None


def _device_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="known-device")


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _known_device(request: Request, settings: Settings, email: str) -> str | None:
    """This browser's device cookie when it logged in to this account before, else ``None``.

    The cookie is signed, so only a browser that logged in to the account can hold one: it is
    the browser's own key in the login throttle (:class:`~app.accounts.throttle.LoginThrottle`).
    """
    value = request.cookies.get(cookie_name(request, settings, DEVICE_COOKIE))
    if not value:
        return None
    try:
        digest = _device_serializer(settings).loads(value, max_age=DEVICE_DAYS * 86_400)
    except BadSignature:
        return None
    return value if digest == _email_digest(email) else None


async def _check_login(
    request: Request, settings: Settings, email: str, password: str
) -> Facilitator | Refusal:
    throttle, gate = _state(request)
    address = client_key(request)
    device = _known_device(request, settings, email)
    wait = await throttle.wait_minutes(email=email, address=address, device=device)
    if wait is not None:
        return Refusal(429, TOO_MANY_ATTEMPTS, minutes=wait, retry_after=wait * 60)
    engine = request.app.state.engine
    try:
        facilitator = await gate.run(lambda: authenticate(engine, email=email, password=password))
    except HashGateBusy:
        return Refusal(503, BUSY, retry_after=5)
    if facilitator is None or facilitator.id is None:
        await throttle.failed(email=email, address=address, device=device)
        return Refusal(400, WRONG_CREDENTIALS)
    await throttle.succeeded(email=email, device=device)
    return facilitator


async def _start(
    request: Request, response: Response, settings: Settings, facilitator: Facilitator
) -> None:
    """A new server-side session for this browser, and the device cookie for next time."""
    assert facilitator.id is not None
    facilitator_id = facilitator.id
    user_agent = request.headers.get("user-agent", "")
    previous = session_id_of(request, settings)
    engine = request.app.state.engine

    def replace_session() -> str:
        if previous is not None:  # logging in again in this browser: the old session ends
            end_session(engine, previous)
        return start_session(engine, settings, facilitator_id, user_agent=user_agent)

    session_id = await to_thread.run_sync(replace_session)
    set_session_cookie(response, request, settings, session_id)
    set_cookie(
        response,
        request,
        settings,
        DEVICE_COOKIE,
        _device_serializer(settings).dumps(_email_digest(facilitator.email)),
        max_age=DEVICE_DAYS * 86_400,
    )


def _end_current(request: Request, response: Response, settings: Settings) -> None:
    session_id = session_id_of(request, settings)
    if session_id is not None:
        end_session(request.app.state.engine, session_id)
        request.app.state.hub.recheck_sessions()  # its open sockets close now
    clear_session_cookie(response, request, settings)


# ----------------------------------------------------------------------------- pages


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, engine: EngineDep, settings: SettingsDep, facilitator_id: OptionalFacilitator
) -> Response:
    if facilitator_id is None:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    with session_scope(engine) as session:
        facilitator = session.get(Facilitator, facilitator_id)
    trajectories, shared = visible_trajectories(engine, facilitator_id)
    return render(
        request,
        "home.html",
        settings,
        facilitator=facilitator,
        trajectories=trajectories,
        shared=shared,
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return render(request, "login.html", settings, **login_choices(settings))


@router.post("/login", dependencies=[CSRFProtected])
async def login(
    request: Request,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    if not passwords_enabled(settings):
        error = translations(request_language(request)).gettext(PASSWORDS_OFF)
        return render(
            request, "login.html", settings, status_code=403, error=error, **login_choices(settings)
        )
    outcome = await _check_login(request, settings, email, password)
    if isinstance(outcome, Refusal):
        page = render(
            request,
            "login.html",
            settings,
            status_code=outcome.status_code,
            email=email,
            error=outcome.say(request),
            **login_choices(settings),
        )
        if outcome.retry_after is not None:
            page.headers["Retry-After"] = str(outcome.retry_after)
        return page
    response = RedirectResponse("/", status.HTTP_303_SEE_OTHER)
    await _start(request, response, settings, outcome)
    return response


@router.post("/logout", dependencies=[CSRFProtected])
async def logout(request: Request, settings: SettingsDep) -> Response:
    """End this session; one started at the organisation's provider is ended there too
    (RP-initiated logout), when the provider offers it, and the provider sends the browser
    back to the login page."""
    target = "/login"
    session_id = session_id_of(request, settings)
    if oidc_enabled(settings) and session_id is not None:
        engine = request.app.state.engine
        id_token = await to_thread.run_sync(lambda: id_token_of(engine, session_id))
        if id_token is not None:
            provider_logout = await oidc_client(request).logout_url(
                id_token=id_token, post_logout_redirect_uri=f"{settings.public_url}/login"
            )
            target = provider_logout or target
    response = RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    await to_thread.run_sync(lambda: _end_current(request, response, settings))
    return response


@router.get("/setup/{token}", response_class=HTMLResponse)
def setup_page(
    request: Request, token: str, engine: EngineDep, settings: SettingsDep
) -> HTMLResponse:
    if not passwords_enabled(settings) or not setup_token_valid(engine, token):
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
    _refuse_passwords(settings)
    try:
        facilitator = await _hashing(
            request,
            lambda: consume_setup_token(
                engine, token=token, email=email, name=name, password=password
            ),
        )
    except AccountError as exc:
        valid = await to_thread.run_sync(lambda: setup_token_valid(engine, token))
        return render(
            request,
            "setup.html",
            settings,
            status_code=400 if valid else 404,
            token=token,
            invalid=not valid,
            error=exc.say(request_language(request)),
            email=email,
            name=name,
        )
    response = RedirectResponse("/", status.HTTP_303_SEE_OTHER)
    await _start(request, response, settings, facilitator)
    return response


# ----------------------------------------------------------------------------- account page


def _account_page(
    request: Request,
    settings: Settings,
    facilitator_id: int,
    *,
    status_code: int = 200,
    error: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    engine = request.app.state.engine
    with session_scope(engine) as session:
        facilitator = session.get(Facilitator, facilitator_id)
    sessions = list_sessions(
        engine, settings, facilitator_id, current=session_id_of(request, settings)
    )
    return render(
        request,
        "account.html",
        settings,
        status_code=status_code,
        facilitator=facilitator,
        # An account made by signing in with the organisation has no password to change, and
        # with passwords switched off none is accepted: the page says where the password lives.
        password_form=passwords_enabled(settings)
        and facilitator is not None
        and bool(facilitator.password_hash),
        sessions=sessions,
        error=error,
        notice=notice,
    )


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, settings: SettingsDep, facilitator_id: OptionalFacilitator
) -> Response:
    """The facilitator's own account: where they are logged in, and a new password."""
    if facilitator_id is None:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    return _account_page(request, settings, facilitator_id)


@router.post("/account/password", dependencies=[CSRFProtected])
async def account_password(
    request: Request,
    settings: SettingsDep,
    facilitator_id: CurrentFacilitator,
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
    again: Annotated[str, Form(max_length=1000)],
) -> Response:
    """Change the password; every other session ends, this one stays."""
    _refuse_passwords(settings)
    language = request_language(request)
    if new != again:
        error = translations(language).gettext(NEW_PASSWORDS_DIFFER)
        return await to_thread.run_sync(
            lambda: _account_page(request, settings, facilitator_id, status_code=400, error=error)
        )
    engine = request.app.state.engine
    keep = session_id_of(request, settings)
    try:
        await _hashing(
            request,
            lambda: change_password(
                engine, facilitator_id=facilitator_id, current=current, new=new, keep_session=keep
            ),
        )
    except AccountError as exc:
        error = exc.say(language)
        return await to_thread.run_sync(
            lambda: _account_page(request, settings, facilitator_id, status_code=400, error=error)
        )
    request.app.state.hub.recheck_sessions()
    notice = translations(language).gettext(
        N_("Your password has been changed. You are logged out everywhere else.")
    )
    return await to_thread.run_sync(
        lambda: _account_page(request, settings, facilitator_id, notice=notice)
    )


@router.post("/account/sessions/{number}/end", dependencies=[CSRFProtected])
def account_end_session(
    request: Request,
    number: Id,
    engine: EngineDep,
    settings: SettingsDep,
    facilitator_id: CurrentFacilitator,
) -> Response:
    """End one of the facilitator's sessions; ending this one logs out."""
    current = [
        s
        for s in list_sessions(
            engine, settings, facilitator_id, current=session_id_of(request, settings)
        )
        if s.current
    ]
    end_session_by_number(engine, facilitator_id, number)
    request.app.state.hub.recheck_sessions()
    if current and current[0].id == number:
        response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
        clear_session_cookie(response, request, settings)
        return response
    return RedirectResponse("/account", status.HTTP_303_SEE_OTHER)


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
    """The CSRF token for this browser's session (or, before login, for this browser).

    Logging in starts a new session, so fetch the token again after ``POST /api/session``.
    """
    return {"csrf_token": ensure_csrf_cookie(request, response, settings)}


@router.post("/api/session", dependencies=[CSRFProtected])
async def create_session(
    body: Credentials, request: Request, response: Response, settings: SettingsDep
) -> FacilitatorPublic:
    """Log in. Refused with 401 (wrong), 429 (too many wrong attempts), 503 (busy) or 403
    (passwords switched off)."""
    _refuse_passwords(settings)
    outcome = await _check_login(request, settings, body.email, body.password)
    if isinstance(outcome, Refusal):
        status_code = 401 if outcome.status_code == 400 else outcome.status_code
        headers = {"Retry-After": str(outcome.retry_after)} if outcome.retry_after else None
        raise HTTPException(status_code, outcome.say(request), headers=headers)
    assert outcome.id is not None
    await _start(request, response, settings, outcome)
    return FacilitatorPublic(id=outcome.id, email=outcome.email, name=outcome.name)


@router.delete("/api/session", dependencies=[CSRFProtected], status_code=204)
def delete_session(request: Request, response: Response, settings: SettingsDep) -> None:
    _end_current(request, response, settings)


@router.get("/api/me")
def me(engine: EngineDep, facilitator_id: CurrentFacilitator) -> FacilitatorPublic:
    with session_scope(engine) as session:
        facilitator = session.get(Facilitator, facilitator_id)
        if facilitator is None or facilitator.id is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.")
        return FacilitatorPublic(id=facilitator.id, email=facilitator.email, name=facilitator.name)
