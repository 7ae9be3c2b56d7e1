"""Signing in with the organisation's account, against a real OpenID Provider.

The app runs in-process (its lifespan entered, ``tests/accounts/conftest.py``); one httpx client
plays the browser, going to the app through ASGI and to the provider (``tests/support/oidc``,
the npm package ``oidc-provider`` under Node) over loopback, following redirects between them as
a browser does. The app's own calls to the provider (discovery, keys, token, userinfo) are real
HTTP too. The full journey in Chromium is ``test_oidc_browser.py``.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.engine import Engine
from sqlmodel import select, update

from app.accounts.models import Facilitator, FacilitatorSession
from app.accounts.oidc import OidcClient, ProviderError
from app.accounts.oidc_routes import FLOW_SECONDS
from app.accounts.service import ensure_setup_link
from app.clock import utcnow
from app.db import session_scope
from app.settings import Settings
from tests.accounts.factories import PASSWORD, make_facilitator
from tests.accounts.web import csrf_from
from tests.support.oidc import (
    ANNE,
    BAS,
    COR,
    DEWI,
    FENNA,
    Provider,
    login_form_action,
    oidc_provider,  # noqa: F401  (the fixture)
)
from tests.support.server import free_port

pytestmark = pytest.mark.anyio
APP = "http://testserver"
NOT_ADMITTED = "niet een van de accounts die Opgave Atelier als facilitator mogen gebruiken"
TAMPERED = "Deze inlog kon niet worden gecontroleerd"


@pytest.fixture
def settings(
    tmp_path: Path,
    db_url: str,
    oidc_provider: Provider,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """The app's settings, with a client of its own at the provider (read from the
    environment, as the operator sets them)."""
    for name, value in oidc_provider.register(APP).items():
        monkeypatch.setenv(name, value)
    return Settings(data_dir=tmp_path, database_url=db_url, secret_key="x" * 40, public_url=APP)


@pytest.fixture
async def web(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """One browser: the app through ASGI, the provider over loopback, redirects followed."""
    async with httpx.AsyncClient(
        base_url=APP,
        mounts={APP: httpx.ASGITransport(app=app)},
        follow_redirects=True,
        timeout=20,
    ) as client:
        yield client


async def provider_login_form(web: httpx.AsyncClient) -> httpx.Response:
    """Start at the app's button; end on the provider's login form."""
    page = await web.get("/login/oidc")
    assert urlsplit(str(page.url)).path.startswith("/interaction/"), page.url
    return page


async def sign_in(web: httpx.AsyncClient, login: str) -> httpx.Response:
    """The whole way: the app's button, the provider's form, back into the app."""
    form = await provider_login_form(web)
    action = urljoin(str(form.url), login_form_action(form.text))
    return await web.post(action, data={"prompt": "login", "login": login, "password": "x"})


def accounts(engine: Engine) -> list[Facilitator]:
    with session_scope(engine) as session:
        return list(session.exec(select(Facilitator)).all())


def sessions(engine: Engine) -> list[FacilitatorSession]:
    with session_scope(engine) as session:
        return list(session.exec(select(FacilitatorSession)).all())


async def test_a_verified_address_in_an_allowed_domain_gets_an_account(
    web: httpx.AsyncClient,
    engine: Engine,
    oidc_provider: Provider,  # noqa: F811
):
    home = await sign_in(web, ANNE)
    assert home.status_code == 200 and str(home.url) == f"{APP}/"
    assert "Welkom, Anne de Vries" in home.text
    [anne] = accounts(engine)
    assert (anne.email, anne.oidc_issuer, anne.oidc_subject) == (
        "anne@gemeente.example",
        oidc_provider.issuer,
        ANNE,
    )
    [session] = sessions(engine)
    assert session.facilitator_id == anne.id and session.id_token  # for logging out there

    again = await web.get("/login/oidc")  # the provider still knows her: straight back in
    assert "Welkom, Anne de Vries" in again.text
    assert len(accounts(engine)) == 1, "the second login finds the same account"

    account = await web.get("/account")  # no password here to change: it is kept there
    assert "Je logt in met het account van je organisatie" in account.text
    assert 'name="current"' not in account.text


async def test_a_group_lets_in_a_person_whose_address_is_not_verified(
    web: httpx.AsyncClient, engine: Engine
):
    home = await sign_in(web, DEWI)
    assert "Welkom, Dewi Bakker" in home.text
    assert [a.email for a in accounts(engine)] == ["dewi@partner.example"]


@pytest.mark.parametrize("login", [BAS, COR], ids=["other-domain", "unverified-address"])
async def test_a_person_who_is_not_admitted_is_refused_and_nothing_is_made(
    web: httpx.AsyncClient, engine: Engine, login: str
):
    refused = await sign_in(web, login)
    assert refused.status_code == 403 and urlsplit(str(refused.url)).path == (
        "/login/oidc/callback"
    )
    assert NOT_ADMITTED in refused.text
    assert 'id="oidc-login"' in refused.text, "the page offers to try again"
    assert accounts(engine) == [] and sessions(engine) == []
    assert (await web.get("/")).url.path == "/login"


async def test_a_tampered_state_is_refused_and_nothing_is_made(
    web: httpx.AsyncClient, engine: Engine
):
    params = await callback_params(web, ANNE)
    assert params["code"] and params["state"]

    forged = {**params, "state": params["state"][:-2] + "xx"}
    refused = await web.get(f"/login/oidc/callback?{urlencode(forged)}")
    assert refused.status_code == 400 and TAMPERED in refused.text
    assert accounts(engine) == [] and sessions(engine) == []

    # The login in progress ended with the refusal: the right state no longer works either.
    late = await web.get(f"/login/oidc/callback?{urlencode(params)}")
    assert late.status_code == 400 and accounts(engine) == []


async def test_a_session_past_its_lifetime_goes_back_to_the_login_page(
    web: httpx.AsyncClient, engine: Engine, settings: Settings
):
    await sign_in(web, ANNE)
    assert (await web.get("/")).url.path == "/"
    with session_scope(engine) as session:  # the idle limit passed: last used long ago
        session.exec(update(FacilitatorSession).values(last_seen_at=long_ago(settings)))
    login = await web.get("/")
    assert login.url.path == "/login" and 'id="oidc-login"' in login.text
    assert (await web.get("/api/me")).status_code == 401


def long_ago(settings: Settings) -> datetime:
    """Longer ago than a session may go unused."""
    return utcnow() - timedelta(minutes=settings.session_idle_minutes + 1)


async def test_logging_out_ends_the_session_here_and_at_the_provider(
    web: httpx.AsyncClient,
    engine: Engine,
    oidc_provider: Provider,  # noqa: F811
):
    home = await sign_in(web, ANNE)
    confirm = await web.post("/logout", data={"csrf_token": csrf_from(home.text)})
    # The provider asks whether to log out (oidc-provider's own page), with the hint checked.
    assert confirm.url.path.startswith("/session/end"), confirm.url
    to_provider = parse_qs(urlsplit(confirm.history[0].headers["location"]).query)
    assert to_provider["id_token_hint"] and to_provider["post_logout_redirect_uri"] == [
        f"{APP}/login"
    ]
    assert sessions(engine) == [], "the app's session ended before leaving for the provider"
    back = await web.post(
        urljoin(str(confirm.url), login_form_action(confirm.text)),
        data={
            "xsrf": _hidden(confirm.text, "xsrf"),
            "logout": "yes",
        },
    )
    assert str(back.url).startswith(f"{APP}/login"), back.url
    oidc_provider.wait_for("end_session")
    # The provider's session is gone too: the next login asks for the account again.
    await provider_login_form(web)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


async def test_an_existing_password_account_is_linked_by_its_verified_address(
    web: httpx.AsyncClient,
    engine: Engine,
    oidc_provider: Provider,  # noqa: F811
):
    fenna = make_facilitator(engine, email="fenna@gemeente.example", password=PASSWORD)
    home = await sign_in(web, FENNA)
    assert "Welkom, Fenna" in home.text
    [linked] = accounts(engine)
    assert (linked.id, linked.oidc_issuer, linked.oidc_subject) == (
        fenna.id,
        oidc_provider.issuer,
        FENNA,
    )


@pytest.fixture
def oidc_only(settings: Settings) -> Settings:
    settings.oidc_only = True
    return settings


async def test_with_passwords_off_the_page_offers_only_the_organisation(
    oidc_only: Settings, web: httpx.AsyncClient, engine: Engine
):
    make_facilitator(engine, email="fenna@gemeente.example", password=PASSWORD)
    page = await web.get("/login")
    assert "Inloggen met Gemeente Voorbeeld" in page.text
    assert 'type="password"' not in page.text and 'action="/login"' not in page.text
    token = (await web.get("/api/csrf")).json()["csrf_token"]
    credentials = {"email": "fenna@gemeente.example", "password": PASSWORD}
    refused = await web.post("/login", data={**credentials, "csrf_token": token})
    assert refused.status_code == 403 and "wachtwoord staat hier uit" in refused.text
    api = await web.post("/api/session", json=credentials, headers={"X-CSRF-Token": token})
    assert api.status_code == 403
    assert sessions(engine) == [], "the right password opened nothing"


async def test_with_passwords_off_there_is_no_setup_link(settings: Settings, engine: Engine):
    settings.oidc_only = True
    assert ensure_setup_link(engine, settings) is None
    settings.oidc_only = False
    assert ensure_setup_link(engine, settings) is not None


async def test_the_id_token_is_checked_signature_audience_and_nonce(
    web: httpx.AsyncClient, engine: Engine, settings: Settings
):
    """The ID token a real login got, checked again: as it came it passes; with another
    nonce, for another client, or with a changed payload it is refused."""
    await sign_in(web, ANNE)
    [session] = sessions(engine)
    id_token = session.id_token
    assert id_token is not None
    header, payload, signature = id_token.split(".")
    nonce = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["nonce"]
    client = OidcClient(settings)
    claims = await client._checked_id_token(id_token, "no-at_hash-in-a-code-flow", nonce=nonce)
    assert claims["sub"] == ANNE

    with pytest.raises(ProviderError, match="nonce"):
        await client._checked_id_token(id_token, "", nonce="another-" + nonce)
    other = OidcClient(settings.model_copy(update={"oidc_client_id": "another-client"}))
    with pytest.raises(ProviderError, match="aud"):
        await other._checked_id_token(id_token, "", nonce=nonce)
    forged = base64.urlsafe_b64encode(
        json.dumps({**json.loads(base64.urlsafe_b64decode(payload + "==")), "sub": "bas"}).encode()
    )
    with pytest.raises(ProviderError):
        await client._checked_id_token(
            f"{header}.{forged.decode().rstrip('=')}.{signature}", "", nonce=nonce
        )


@pytest.fixture
def provider_away(settings: Settings) -> Settings:
    """The provider's address answers nothing (a port nobody listens on)."""
    settings.oidc_discovery_url = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    return settings


async def test_a_provider_that_cannot_be_reached_gets_a_plain_sentence(
    provider_away: Settings, web: httpx.AsyncClient, engine: Engine
):
    page = await web.get("/login/oidc")
    assert page.status_code == 502 and page.url.path == "/login/oidc"
    assert "werkt op dit moment niet" in page.text
    assert accounts(engine) == [] and sessions(engine) == []


async def callback_params(web: httpx.AsyncClient, login: str) -> dict[str, str]:
    """Log in at the provider and stop where it sends the browser back: the callback's query."""
    form = await provider_login_form(web)
    answer = await web.post(
        urljoin(str(form.url), login_form_action(form.text)),
        data={"prompt": "login", "login": login, "password": "x"},
        follow_redirects=False,
    )
    while not answer.headers["location"].startswith(f"{APP}/login/oidc/callback"):
        answer = await web.get(
            urljoin(str(answer.url), answer.headers["location"]), follow_redirects=False
        )
    query = urlsplit(answer.headers["location"]).query
    return {key: values[0] for key, values in parse_qs(query).items()}


async def test_a_refusal_from_the_provider_is_a_plain_sentence_and_makes_nothing(
    web: httpx.AsyncClient, engine: Engine
):
    params = await callback_params(web, ANNE)
    said_no = {"state": params["state"], "error": "access_denied", "error_description": "nee"}
    refused = await web.get(f"/login/oidc/callback?{urlencode(said_no)}")
    assert refused.status_code == 403
    assert "Je organisatie heeft het inloggen niet toegestaan" in refused.text
    assert accounts(engine) == [] and sessions(engine) == []


async def test_a_login_that_took_longer_than_ten_minutes_starts_again(
    web: httpx.AsyncClient, engine: Engine, settings: Settings
):
    """The browser comes back with the right code and state, but its flow cookie was signed
    more than FLOW_SECONDS ago: refused, nothing made, and the page offers the button again."""
    params = await callback_params(web, ANNE)
    (cookie,) = [c for c in web.cookies.jar if "oidc_flow" in c.name]
    assert cookie.value is not None
    fresh = URLSafeTimedSerializer(settings.secret_key, salt="oidc-flow")

    class ElevenMinutesAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - FLOW_SECONDS - 60

    aged = URLSafeTimedSerializer(settings.secret_key, salt="oidc-flow", signer=ElevenMinutesAgo)
    web.cookies.set(cookie.name, aged.dumps(fresh.loads(cookie.value)), cookie.domain, cookie.path)
    late = await web.get(f"/login/oidc/callback?{urlencode(params)}")
    assert late.status_code == 400 and "duurde te lang" in late.text
    assert 'href="/login/oidc"' in late.text
    assert accounts(engine) == [] and sessions(engine) == []
