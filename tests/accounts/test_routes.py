"""Login, logout and setup over HTTP, in-process: forms with CSRF, the JSON API, forged cookies."""

from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeSerializer
from sqlmodel import select

from app.accounts.models import Facilitator
from app.accounts.security import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, sign_session_id
from app.accounts.service import ensure_setup_link
from app.db import session_scope
from app.workshops.models import Trajectory
from tests.accounts.factories import PASSWORD, make_facilitator
from tests.accounts.web import (
    EMAIL,
    WRONG_CREDENTIALS,
    api_csrf,
    browser,
    csrf_from,
    log_in,
    sets_session,
)

pytestmark = pytest.mark.anyio


# ----------------------------------------------------------------------------- pages


async def test_home_sends_a_stranger_to_the_login_page(client):
    response = await client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


async def test_the_login_page_is_a_dutch_labelled_form(client):
    response = await client.get("/login")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="nl">' in html and 'name="viewport"' in html
    assert "Inloggen" in html and "E-mailadres" in html and "Wachtwoord" in html
    assert '<label for="email">' in html and 'id="email"' in html
    assert '<label for="password">' in html and 'id="password"' in html
    assert CSRF_COOKIE in response.cookies


async def test_home_lists_only_the_facilitators_own_trajectories(client, engine, fenna):
    other = make_facilitator(engine, email="ander@gemeente.example", name="Ander")
    assert fenna.id is not None and other.id is not None
    with session_scope(engine) as session:
        session.add(Trajectory(owner_id=fenna.id, theme="Eenzaamheid onder ouderen"))
        session.add(Trajectory(owner_id=other.id, theme="Geheim van een ander"))
    await log_in(client)
    html = (await client.get("/")).text
    assert "Fenna" in html and "Eenzaamheid onder ouderen" in html
    assert "Geheim van een ander" not in html


async def test_account_pages_load_nothing_from_elsewhere_and_run_no_inline_script(
    client, engine, settings
):
    link = ensure_setup_link(engine, settings)
    assert link is not None
    setup = await client.get(link.removeprefix(settings.public_url))
    pages = [(await client.get("/login")).text, setup.text]
    make_facilitator(engine)
    await log_in(client)
    pages.append((await client.get("/")).text)
    for html in pages:
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html)
        for attributes in re.findall(r"<script([^>]*)>", html):
            assert "src=" in attributes or 'type="application/json"' in attributes


# ----------------------------------------------------------------------------- login form


async def test_login_sets_a_session_and_goes_home(client, fenna):
    token = csrf_from((await client.get("/login")).text)
    response = await client.post(
        "/login",
        data={"email": "FENNA@gemeente.example", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert sets_session(response)
    assert (await client.get("/api/me")).json() == {"id": fenna.id, "email": EMAIL, "name": "Fenna"}


@pytest.mark.parametrize("csrf", [None, "", "0" * 64, "forged"])
async def test_login_without_a_valid_csrf_token_is_forbidden(client, fenna, csrf):
    await client.get("/login")  # the browser has a CSRF cookie, the attacker's form not its token
    data = {"email": EMAIL, "password": PASSWORD}
    if csrf is not None:
        data["csrf_token"] = csrf
    response = await client.post("/login", data=data)
    assert response.status_code == 403
    assert not sets_session(response)
    assert (await client.get("/api/me")).status_code == 401


async def test_a_csrf_token_only_works_with_its_own_cookie(app, client, fenna):
    token = csrf_from((await client.get("/login")).text)
    async with browser(app) as other_browser:
        await other_browser.get("/login")  # a CSRF cookie of its own
        response = await other_browser.post(
            "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
        )
    assert response.status_code == 403 and not sets_session(response)


async def test_wrong_credentials_say_the_same_whether_or_not_the_email_exists(client, fenna):
    token = csrf_from((await client.get("/login")).text)
    wrong_password = await client.post(
        "/login", data={"email": EMAIL, "password": "niet-het-wachtwoord", "csrf_token": token}
    )
    unknown_email = await client.post(
        "/login",
        data={"email": "niemand@gemeente.example", "password": PASSWORD, "csrf_token": token},
    )
    for response in (wrong_password, unknown_email):
        assert response.status_code == 400
        assert WRONG_CREDENTIALS in response.text and 'role="alert"' in response.text
        assert not sets_session(response)
    assert (await client.get("/api/me")).status_code == 401


async def test_logout_ends_the_session(client, fenna):
    token = await log_in(client)
    response = await client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert (await client.get("/api/me")).status_code == 401
    assert (await client.get("/")).status_code == 303


async def test_logout_needs_a_csrf_token(client, fenna):
    await log_in(client)
    assert (await client.post("/logout", data={})).status_code == 403
    assert (await client.get("/api/me")).status_code == 200, "a forged logout changes nothing"


# ----------------------------------------------------------------------------- setup link


async def test_the_setup_link_creates_the_first_account_once(client, engine, settings):
    link = ensure_setup_link(engine, settings)
    assert link is not None
    path = link.removeprefix(settings.public_url)
    form = await client.get(path)
    assert form.status_code == 200
    assert "Account aanmaken" in form.text and '<label for="name">' in form.text
    fields = {"email": "Eerste@Gemeente.nl", "name": "Eerste", "password": PASSWORD}

    no_token = await client.post(path, data=fields)
    assert no_token.status_code == 403 and not sets_session(no_token)

    short = await client.post(
        path, data={**fields, "password": "kort", "csrf_token": csrf_from(form.text)}
    )
    assert short.status_code == 400 and "minstens 10 tekens" in short.text
    assert 'value="Eerste"' in short.text, "the form keeps what was typed"

    created = await client.post(path, data={**fields, "csrf_token": csrf_from(form.text)})
    assert created.status_code == 303 and created.headers["location"] == "/"
    assert sets_session(created)
    assert (await client.get("/api/me")).json()["email"] == "eerste@gemeente.nl"
    assert "Eerste" in (await client.get("/")).text

    assert (await client.get(path)).status_code == 404, "the link works once"
    logged_in_token = csrf_from((await client.get("/")).text)
    again = await client.post(
        path, data={**fields, "email": "tweede@gemeente.nl", "csrf_token": logged_in_token}
    )
    assert again.status_code == 404
    with session_scope(engine) as session:
        assert [f.email for f in session.exec(select(Facilitator)).all()] == ["eerste@gemeente.nl"]
    assert ensure_setup_link(engine, settings) is None


async def test_a_guessed_setup_token_is_not_found(client, engine, settings):
    assert ensure_setup_link(engine, settings) is not None
    response = await client.get("/setup/geraden-token")
    assert response.status_code == 404
    assert "Account aanmaken" not in response.text


async def test_the_setup_link_stops_working_once_a_facilitator_exists(client, engine, settings):
    link = ensure_setup_link(engine, settings)
    assert link is not None
    make_facilitator(engine)  # made with the command line meanwhile
    assert (await client.get(link.removeprefix(settings.public_url))).status_code == 404


# ----------------------------------------------------------------------------- JSON API


async def test_the_json_session_api(client, fenna):
    token = await api_csrf(client)
    assert await api_csrf(client) == token, "one token per browser"
    credentials = {"email": EMAIL, "password": PASSWORD}

    assert (await client.post("/api/session", json=credentials)).status_code == 403
    forged = await client.post("/api/session", json=credentials, headers={CSRF_HEADER: "0" * 64})
    assert forged.status_code == 403 and not sets_session(forged)

    wrong = await client.post(
        "/api/session", json={**credentials, "password": "fout"}, headers={CSRF_HEADER: token}
    )
    assert wrong.status_code == 401 and not sets_session(wrong)

    ok = await client.post("/api/session", json=credentials, headers={CSRF_HEADER: token})
    assert ok.status_code == 200 and sets_session(ok)
    me = {"id": fenna.id, "email": EMAIL, "name": "Fenna"}
    assert ok.json() == me
    assert (await client.get("/api/me")).json() == me

    assert (await client.delete("/api/session")).status_code == 403
    refused = await client.delete("/api/session", headers={CSRF_HEADER: token})
    assert refused.status_code == 403, "the token from before login is not this session's"
    assert (await client.get("/api/me")).status_code == 200
    session_token = await api_csrf(client)
    assert session_token != token
    deleted = await client.delete("/api/session", headers={CSRF_HEADER: session_token})
    assert deleted.status_code == 204
    assert (await client.get("/api/me")).status_code == 401


async def test_the_session_api_refuses_unknown_fields(client, fenna):
    token = await api_csrf(client)
    response = await client.post(
        "/api/session",
        json={"email": EMAIL, "password": PASSWORD, "admin": True},
        headers={CSRF_HEADER: token},
    )
    assert response.status_code == 422 and not sets_session(response)


async def test_api_me_needs_a_session(client):
    response = await client.get("/api/me")
    assert response.status_code == 401


@pytest.mark.parametrize("kind", ["garbage", "tampered", "other-key", "made-up-id"])
async def test_a_forged_session_cookie_is_refused(client, settings, fenna, kind):
    await log_in(client)
    genuine = client.cookies[SESSION_COOKIE]
    cookie = {
        "garbage": "niet-ondertekend",
        "tampered": genuine[:-4] + ("AAAA" if not genuine.endswith("AAAA") else "BBBB"),
        "other-key": URLSafeSerializer("y" * 40, salt="facilitator-session").dumps("x" * 43),
        "made-up-id": sign_session_id(settings, "x" * 43),  # signed, but no such session
    }[kind]
    client.cookies.set(SESSION_COOKIE, cookie)
    assert (await client.get("/api/me")).status_code == 401
    client.cookies.set(SESSION_COOKIE, genuine)
    assert (await client.get("/api/me")).status_code == 200, "the genuine cookie does work"
