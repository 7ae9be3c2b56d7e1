"""Helpers for driving the accounts pages in-process, like one browser per client."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from app.accounts.security import SESSION_COOKIE
from tests.accounts.factories import PASSWORD

EMAIL = "fenna@gemeente.example"
WRONG_CREDENTIALS = "E-mailadres of wachtwoord klopt niet."


def browser(app: FastAPI, base_url: str = "http://testserver") -> httpx.AsyncClient:
    """A client with its own cookie jar, like one browser."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


async def log_in(client: httpx.AsyncClient, *, email: str = EMAIL, password: str = PASSWORD) -> str:
    """Log in through the form; returns the CSRF token of the page that follows."""
    token = csrf_from((await client.get("/login")).text)
    response = await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return csrf_from((await client.get("/")).text)


async def try_log_in(
    client: httpx.AsyncClient, *, email: str = EMAIL, password: str = PASSWORD
) -> httpx.Response:
    token = csrf_from((await client.get("/login")).text)
    return await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )


async def api_csrf(client: httpx.AsyncClient) -> str:
    response = await client.get("/api/csrf")
    assert response.status_code == 200
    token: str = response.json()["csrf_token"]
    return token


def sets_session(response: httpx.Response) -> bool:
    return any(v.startswith(f"{SESSION_COOKIE}=") for v in response.headers.get_list("set-cookie"))
