"""Logging in with the organisation's account: off to the provider, and back.

``GET /login/oidc`` starts a login: fresh ``state``, ``nonce`` and PKCE verifier, kept by the
browser in a signed cookie that lives ten minutes, and a redirect to the provider.
``GET /login/oidc/callback`` is where the provider sends the browser back: the cookie's
``state`` must match, the code is exchanged, the ID token checked (:mod:`app.accounts.oidc`),
the person admitted or not (:func:`app.accounts.service.sign_in_account`), and only then is a
session started. Every refusal shows the login page with one plain sentence, creates nothing
and ends the login in progress (the cookie goes).
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.accounts.oidc import Flow, OidcClient, ProviderError
from app.accounts.oidc_settings import oidc_enabled, passwords_enabled
from app.accounts.security import (
    cookie_name,
    delete_cookie,
    session_id_of,
    set_cookie,
    set_session_cookie,
)
from app.accounts.service import AccountError, Identity, sign_in_account
from app.accounts.sessions import end_session, start_session
from app.deps import SettingsDep
from app.i18n import translations
from app.labels import N_
from app.settings import Settings
from app.web.render import render, request_language

log = logging.getLogger(__name__)

FLOW_COOKIE = "oidc_flow"
#: A login at the provider that takes longer than this starts again.
FLOW_SECONDS = 600

FLOW_EXPIRED = N_(
    "Logging in took too long or was started in another window. Try again with the button below."
)
FLOW_TAMPERED = N_(
    "This login could not be checked, so it was stopped. Try again with the button below."
)
PROVIDER_SAID_NO = N_(
    "Your organisation did not let you log in. Try again, or ask the administrator."
)
PROVIDER_FAILED = N_(
    "Logging in with your organisation's account does not work at the moment. Try again "
    "later, or ask the administrator."
)

router = APIRouter(tags=["accounts"])


def oidc_client(request: Request) -> OidcClient:
    """This process's client of the provider (made at the first login, kept on ``app.state``:
    it holds the provider's discovery document and keys)."""
    client: OidcClient | None = getattr(request.app.state, "oidc_client", None)
    if client is None:
        client = OidcClient(request.app.state.settings)
        request.app.state.oidc_client = client
    return client


def login_choices(settings: Settings) -> dict[str, Any]:
    """What the login page offers: the organisation's button, the password form, or both."""
    return {
        "oidc": oidc_enabled(settings),
        "passwords": passwords_enabled(settings),
        "organisation": settings.oidc_organisation,
    }


def refused_page(
    request: Request, settings: Settings, message: str, *, status_code: int
) -> HTMLResponse:
    """The login page with one sentence about why this login did not go through."""
    text = translations(request_language(request)).gettext(message)
    page = render(
        request,
        "login.html",
        settings,
        status_code=status_code,
        error=text,
        **login_choices(settings),
    )
    delete_cookie(page, request, settings, FLOW_COOKIE)
    return page


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="oidc-flow")


def _flow_of(request: Request, settings: Settings) -> Flow | None:
    value = request.cookies.get(cookie_name(request, settings, FLOW_COOKIE))
    if not value:
        return None
    try:
        state, nonce, verifier = _serializer(settings).loads(value, max_age=FLOW_SECONDS)
    except (BadSignature, ValueError, TypeError):
        return None
    return Flow(state=str(state), nonce=str(nonce), verifier=str(verifier))


def _require_oidc(settings: Settings) -> None:
    if not oidc_enabled(settings):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Sign-in with an organisation is off.")


@router.get("/login/oidc")
async def oidc_start(request: Request, settings: SettingsDep) -> Response:
    """Off to the provider's login, with a new ``state``, ``nonce`` and PKCE challenge."""
    _require_oidc(settings)
    client = oidc_client(request)
    flow = client.new_flow()
    try:
        url = await client.authorization_url(flow, language=request_language(request))
    except ProviderError as exc:
        log.warning("sign-in: the provider cannot be used: %s", exc)
        return refused_page(request, settings, PROVIDER_FAILED, status_code=502)
    response = RedirectResponse(url, status.HTTP_303_SEE_OTHER)
    value = _serializer(settings).dumps([flow.state, flow.nonce, flow.verifier])
    set_cookie(response, request, settings, FLOW_COOKIE, value, max_age=FLOW_SECONDS)
    return response


@router.get("/login/oidc/callback")
async def oidc_callback(
    request: Request,
    settings: SettingsDep,
    state: Annotated[str, Query(max_length=500)] = "",
    code: Annotated[str, Query(max_length=4000)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
    iss: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Back from the provider: check, admit, and start a session; or refuse and make nothing."""
    _require_oidc(settings)
    flow = _flow_of(request, settings)
    if flow is None:
        return refused_page(request, settings, FLOW_EXPIRED, status_code=400)
    if error:
        log.info("sign-in: the provider answered %s", error)
        return refused_page(request, settings, PROVIDER_SAID_NO, status_code=403)
    client = oidc_client(request)
    if not code or not hmac.compare_digest(state.encode(), flow.state.encode()):
        log.warning("sign-in: the state did not match the login this browser started")
        return refused_page(request, settings, FLOW_TAMPERED, status_code=400)
    if iss is not None and iss != client.issuer:  # RFC 9207: the answer is from our provider
        log.warning("sign-in: an answer from another issuer (%s)", iss[:100])
        return refused_page(request, settings, FLOW_TAMPERED, status_code=400)
    try:
        signed_in = await client.finish(flow, code=code)
    except ProviderError as exc:
        log.warning("sign-in failed: %s", exc)
        return refused_page(request, settings, PROVIDER_FAILED, status_code=502)
    identity = Identity.from_claims(
        issuer=signed_in.issuer,
        subject=signed_in.subject,
        claims=signed_in.claims,
        groups_claim=settings.oidc_groups_claim,
    )
    engine = request.app.state.engine
    try:
        account = await to_thread.run_sync(lambda: sign_in_account(engine, settings, identity))
    except AccountError as exc:
        log.info("sign-in refused: %s", exc.message[:60])
        return refused_page(request, settings, exc.message, status_code=403)
    assert account.id is not None
    facilitator_id = account.id
    previous = session_id_of(request, settings)
    user_agent = request.headers.get("user-agent", "")

    def replace_session() -> str:
        if previous is not None:  # logging in again in this browser: the old session ends
            end_session(engine, previous)
        return start_session(
            engine, settings, facilitator_id, user_agent=user_agent, id_token=signed_in.id_token
        )

    session_id = await to_thread.run_sync(replace_session)
    response = RedirectResponse("/", status.HTTP_303_SEE_OTHER)
    delete_cookie(response, request, settings, FLOW_COOKIE)
    set_session_cookie(response, request, settings, session_id)
    return response
