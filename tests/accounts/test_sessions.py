"""Server-side sessions: stored hashed, listed and ended on the account page, expiring, and the
CSRF token bound to the session; cookie names with ``__Host-`` on https."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import select, update

from app.accounts.models import FacilitatorSession
from app.accounts.security import CSRF_HEADER, SESSION_COOKIE, session_id_from_cookie
from app.clock import utcnow
from app.db import session_scope
from app.main import create_app
from app.settings import Settings
from tests.accounts.factories import PASSWORD, make_facilitator
from tests.accounts.web import EMAIL, api_csrf, browser, csrf_from, log_in

pytestmark = pytest.mark.anyio

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
NEW_PASSWORD = "nieuw-en-ook-geheim-wachtwoord"


def stored_sessions(engine) -> list[FacilitatorSession]:
    with session_scope(engine) as session:
        return list(session.exec(select(FacilitatorSession)).all())


async def change_password(
    client: httpx.AsyncClient, *, current: str, new: str, again: str | None = None
) -> httpx.Response:
    token = csrf_from((await client.get("/account")).text)
    return await client.post(
        "/account/password",
        data={"current": current, "new": new, "again": again or new, "csrf_token": token},
    )


async def test_a_session_is_a_row_that_stores_only_a_hash_of_the_cookies_id(
    client, engine, settings, fenna
):
    await log_in(client)
    [row] = stored_sessions(engine)
    session_id = session_id_from_cookie(settings, client.cookies[SESSION_COOKIE])
    assert session_id is not None and len(session_id) >= 40
    assert row.facilitator_id == fenna.id
    assert row.token_hash == hashlib.sha256(session_id.encode()).hexdigest()
    assert row.expires_at - row.created_at == timedelta(days=settings.session_max_age_days)


async def test_logout_deletes_the_session_so_a_copied_cookie_is_worthless(app, client, fenna):
    token = await log_in(client)
    copied = client.cookies[SESSION_COOKIE]
    assert (await client.post("/logout", data={"csrf_token": token})).status_code == 303
    async with browser(app) as thief:
        thief.cookies.set(SESSION_COOKIE, copied)
        assert (await thief.get("/api/me")).status_code == 401
        assert (await thief.get("/")).status_code == 303


@pytest.mark.parametrize("column", ["expires_at", "last_seen_at"])
async def test_an_expired_or_idle_session_ends(client, engine, settings, fenna, column):
    await log_in(client)
    assert (await client.get("/api/me")).status_code == 200
    past = {
        "expires_at": utcnow() - timedelta(seconds=1),
        "last_seen_at": utcnow() - timedelta(minutes=settings.session_idle_minutes + 1),
    }[column]
    with session_scope(engine) as session:
        session.exec(update(FacilitatorSession).values({column: past}))
    assert (await client.get("/api/me")).status_code == 401


async def test_the_account_page_lists_sessions_and_ends_another_one(app, client, engine, fenna):
    async with (
        browser(app) as laptop,
        browser(app) as phone,
    ):
        laptop.headers["user-agent"] = FIREFOX
        phone.headers["user-agent"] = SAFARI
        await log_in(laptop)
        await log_in(phone)
        page = await laptop.get("/account")
        assert page.status_code == 200
        html = page.text
        assert "Sessies" in html and "Firefox, Windows" in html and "Safari, iPhone" in html
        assert html.count("(deze)") == 1
        assert FIREFOX not in html, "only a summary of the browser is kept"
        [phone_row] = [row for row in stored_sessions(engine) if "iPhone" in row.user_agent]
        ended = await laptop.post(
            f"/account/sessions/{phone_row.id}/end", data={"csrf_token": csrf_from(html)}
        )
        assert ended.status_code == 303 and ended.headers["location"] == "/account"
        assert (await phone.get("/api/me")).status_code == 401
        assert (await laptop.get("/api/me")).status_code == 200


async def test_no_one_ends_someone_elses_session(app, client, engine, fenna):
    make_facilitator(engine, email="ander@gemeente.example", name="Ander")
    async with browser(app) as other:
        await log_in(other, email="ander@gemeente.example")
        [other_row] = [r for r in stored_sessions(engine) if r.facilitator_id != fenna.id]
        token = await log_in(client)
        await client.post(f"/account/sessions/{other_row.id}/end", data={"csrf_token": token})
        assert (await other.get("/api/me")).status_code == 200


async def test_the_account_page_needs_a_login(client):
    response = await client.get("/account")
    assert response.status_code == 303 and response.headers["location"] == "/login"


async def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, client, fenna):
    async with browser(app) as other:
        await log_in(other)
        await log_in(client)
        changed = await change_password(client, current=PASSWORD, new=NEW_PASSWORD)
        assert changed.status_code == 200 and "Je wachtwoord is gewijzigd" in changed.text
        assert (await other.get("/api/me")).status_code == 401
        assert (await client.get("/api/me")).status_code == 200
    async with browser(app) as fresh:
        await log_in(fresh, password=NEW_PASSWORD)


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("niet-het-wachtwoord", NEW_PASSWORD, NEW_PASSWORD, "huidige wachtwoord klopt niet"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "niet hetzelfde"),
        (PASSWORD, "wachtwoord123", "wachtwoord123", "te makkelijk te raden"),
        (PASSWORD, "fenna-2024-atelier", "fenna-2024-atelier", "bevat je naam"),
    ],
)
async def test_a_refused_password_change_says_why_and_changes_nothing(
    app, client, fenna, current, new, again, message
):
    await log_in(client)
    async with browser(app) as other:
        await log_in(other)
        refused = await change_password(client, current=current, new=new, again=again)
        assert refused.status_code == 400 and message in refused.text
        assert 'role="alert"' in refused.text
        assert (await other.get("/api/me")).status_code == 200


async def test_a_csrf_token_works_only_in_its_own_session(app, client, fenna):
    before_login = await api_csrf(client)
    first = await log_in(client)
    assert first != before_login, "logging in starts with a fresh token"
    assert (await client.post("/logout", data={"csrf_token": before_login})).status_code == 403
    assert (await client.post("/logout", data={"csrf_token": first})).status_code == 303
    second = await log_in(client)
    assert second != first
    stale = await client.delete("/api/session", headers={CSRF_HEADER: first})
    assert stale.status_code == 403, "a token of an earlier session is refused"
    async with browser(app) as other:
        other_token = await log_in(other)
        assert (await client.post("/logout", data={"csrf_token": other_token})).status_code == 403
    assert (await client.get("/api/me")).status_code == 200


@pytest.fixture
async def https_app(tmp_path: Path, db_url: str):
    settings = Settings(
        data_dir=tmp_path,
        database_url=db_url,
        secret_key="x" * 40,
        public_url="https://atelier.gemeente.example",
    )
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_on_https_cookies_carry_the_host_prefix(https_app):
    make_facilitator(https_app.state.engine, email=EMAIL, name="Fenna")
    async with browser(https_app, "https://atelier.gemeente.example") as client:
        page = await client.get("/login")
        response = await client.post(
            "/login",
            data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        )
        assert response.status_code == 303
        set_cookies = page.headers.get_list("set-cookie") + response.headers.get_list("set-cookie")
        names = {value.split("=", 1)[0] for value in set_cookies}
        assert {"__Host-atelier_csrf", "__Host-atelier_session"} <= names
        assert "atelier_session" not in names
        for value in set_cookies:
            if value.startswith("__Host-"):
                attributes = value.lower()
                assert "secure" in attributes and "path=/" in attributes
                assert "domain=" not in attributes and "httponly" in attributes
        assert (await client.get("/api/me")).json()["email"] == EMAIL
        client.cookies.set(SESSION_COOKIE, client.cookies["__Host-atelier_session"])
        del client.cookies["__Host-atelier_session"]
        assert (await client.get("/api/me")).status_code == 401, "the plain name is not read"


async def test_on_http_cookies_keep_their_plain_names(client, fenna):
    page = await client.get("/login")
    assert "atelier_csrf" in page.cookies and not any(
        name.startswith("__Host-") for name in page.cookies
    )
