"""Accounts against a real server process: the printed setup link, and sessions that really end.

Over real HTTP and WebSockets, because what matters here is what a copied cookie can still do
after logout, a password reset or disabling the account, on every door that reads the session.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.conftest import FACILITATOR_PASSWORD
from tests.support.client import RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


async def refused_on_the_socket(server: Server, workshop_id: int, cookie: str) -> bool:
    client = await RoomClient.connect(server.ws_url, workshop_id, cookie=cookie, name="copy")
    try:
        return any(m["type"] == "error" and m["code"] == "unauthorised" for m in client.messages)
    finally:
        await client.close()


def test_first_start_prints_a_one_time_setup_link(make_server):
    server = make_server()
    server.start()
    match = re.search(r"(http://\S+/setup/\S+)", server.log())
    assert match, server.log()
    link = match.group(1)
    with httpx.Client(base_url=server.url) as browser:
        form = browser.get(link)
        created = browser.post(
            link,
            data={
                "email": "eerste@gemeente.nl",
                "name": "Eerste",
                "password": "lang-en-geheim-wachtwoord",
                "csrf_token": csrf_from(form.text),
            },
        )
        assert created.status_code == 303, created.text
        assert browser.get("/api/me").json()["email"] == "eerste@gemeente.nl"
    server.stop()
    server.start()
    assert server.log().count("No facilitator yet") == 1, "no new link once a facilitator exists"


async def test_a_copied_cookie_dies_at_logout_on_every_door(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    cookie = facilitator.cookie_header
    copied = httpx.Client(base_url=server.url, headers={"Cookie": cookie})
    with copied:
        assert copied.get(f"/api/workshops/{workshop['id']}").status_code == 200
        assert not await refused_on_the_socket(server, workshop["id"], cookie)
        assert facilitator.http.delete("/api/session").status_code == 204
        assert copied.get("/api/me").status_code == 401
        assert copied.get(f"/api/workshops/{workshop['id']}").status_code == 401
    assert await refused_on_the_socket(server, workshop["id"], cookie)


async def test_disabling_an_account_ends_its_sessions_at_once_and_blocks_login(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    cookie = facilitator.cookie_header
    disabled = server.run_cli("disable-facilitator", "--email", facilitator.email)
    assert disabled.returncode == 0, disabled.stderr
    assert facilitator.http.get("/api/me").status_code == 401
    assert await refused_on_the_socket(server, workshop["id"], cookie)
    with pytest.raises(httpx.HTTPStatusError):
        Facilitator(server, email=facilitator.email, password=FACILITATOR_PASSWORD)

    enabled = server.run_cli("enable-facilitator", "--email", facilitator.email)
    assert enabled.returncode == 0, enabled.stderr
    again = Facilitator(server, email=facilitator.email, password=FACILITATOR_PASSWORD)
    assert again.get("/api/me")["email"] == facilitator.email
    assert facilitator.http.get("/api/me").status_code == 401, "ended sessions stay ended"
    again.close()


def test_reset_password_ends_every_session(server: Server, facilitator: Facilitator):
    new_password = "nieuw-en-ook-geheim-wachtwoord"
    reset = server.run_cli(
        "reset-password", "--email", facilitator.email, "--password-stdin", stdin=new_password
    )
    assert reset.returncode == 0, reset.stderr
    assert facilitator.http.get("/api/me").status_code == 401
    with pytest.raises(httpx.HTTPStatusError):
        Facilitator(server, email=facilitator.email, password=FACILITATOR_PASSWORD)
    fresh = Facilitator(server, email=facilitator.email, password=new_password)
    assert fresh.get("/api/me")["email"] == facilitator.email
    fresh.close()
