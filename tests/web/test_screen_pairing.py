"""Pairing a beamer computer at ``/screen``, and pages that say when an address or link is wrong.

End to end in Chromium: the console shows a code, a second browser with no login types it at
``/screen`` and becomes the projector; the projector opened before is cut off. Over plain HTTP:
wrong, expired and used codes change nothing, guessing is slowed, cross-site posts are refused,
and pages opened under another host name than ``ATELIER_PUBLIC_URL`` say where to go instead.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import update
from starlette.requests import Request

from app.clock import utcnow
from app.db import make_engine, session_scope
from app.settings import Settings
from app.web.address import misdirected, same_site_post
from app.workshops.pairing import ScreenPairing
from tests.support.server import Facilitator, Server, facilitator_with_workshop
from tests.web.pages import Watched, console, projector

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def pairing_form(server: Server, **headers: str) -> tuple[httpx.Client, str]:
    """A cookie-keeping client that has loaded ``/screen``, and the form's CSRF token."""
    client = httpx.Client(base_url=server.url, timeout=30, headers=headers)
    page = client.get("/screen")
    assert page.status_code == 200, page.text
    found = CSRF_FIELD.search(page.text)
    assert found is not None
    return client, found.group(1)


def submit(client: httpx.Client, csrf: str, code: str, **headers: str) -> httpx.Response:
    return client.post("/screen", data={"csrf_token": csrf, "code": code}, headers=headers)


def new_code(facilitator: Facilitator, workshop: dict[str, Any]) -> str:
    made = facilitator.post(f"/api/workshops/{workshop['id']}/screen-pairing", {})
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", made["code"])
    return str(made["code"])


def screen_link_works(server: Server, workshop_id: int, token: str) -> bool:
    answer = httpx.post(
        f"{server.url}/api/workshops/{workshop_id}/screen-session",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return answer.status_code == 204


# ----------------------------------------------------------------------------- in the browser


def test_a_beamer_computer_pairs_with_the_code_from_the_console(
    chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    old = projector(chromium, server, workshop)  # opened with the link from workshop creation
    desk = console(chromium, server, facilitator, workshop)
    desk.page.get_by_role("button", name="Projectiescherm koppelen").click()
    expect(desk.page.locator("#pair-code")).to_have_text(re.compile(r"^\w{4}-\w{4}$"))
    expect(desk.page.locator("#pairing")).to_contain_text(f"{server.url}/screen")
    expect(desk.page.locator("#pair-screen")).to_have_attribute("aria-expanded", "true")
    desk.accessible("pairing code shown")
    code = desk.page.locator("#pair-code").inner_text()

    beamer = Watched(chromium.new_context(viewport={"width": 1280, "height": 720}), "beamer")
    beamer.page.goto(f"{server.url}/screen")
    expect(beamer.page.get_by_role("heading", level=1)).to_have_text(
        "Deze computer koppelen als projectiescherm"
    )
    beamer.accessible("pairing form")
    beamer.page.get_by_label("Koppelcode").fill(code.lower().replace("-", " "))
    beamer.page.get_by_role("button", name="Koppelen").click()

    expect(beamer.page.locator("#status")).to_have_attribute("data-status", "connected")
    assert beamer.page.url == f"{server.url}/screen/{workshop['id']}", "token kept out of sight"
    join_code = workshop["join_code"]
    expect(beamer.page.locator(".code")).to_have_text(f"{join_code[:3]}-{join_code[3:]}")
    # The spent code leaves the console, which says the projector is paired.
    expect(desk.page.locator("#pair-done")).to_be_visible()
    expect(desk.page.locator("#pair-code")).to_have_text("")
    expect(desk.page.locator("#pairing")).not_to_contain_text(code)
    desk.accessible("pairing done")
    # One live screen link: the projector opened before is cut off, and says so.
    expect(old.page.locator("#status")).to_have_attribute("data-status", "unauthorised")
    assert not screen_link_works(server, workshop["id"], workshop["screen_token"])

    # The same code a second time: refused, and the paired screen stays.
    other = Watched(chromium.new_context(), "other")
    other.page.goto(f"{server.url}/screen")
    other.page.get_by_label("Koppelcode").fill(code)
    other.page.get_by_role("button", name="Koppelen").click()
    expect(other.page.get_by_role("alert")).to_contain_text("Deze code is al gebruikt")
    expect(other.page.get_by_label("Koppelcode")).to_have_attribute("aria-invalid", "true")
    other.accessible("used code refused")
    expect(beamer.page.locator("#status")).to_have_attribute("data-status", "connected")
    for seen in (desk, beamer):
        assert not seen.problems, seen.problems
    # The refusal is a 404 page, which Chromium logs as a failed load; nothing else went wrong.
    assert all("status of 404" in problem for problem in other.problems), other.problems
    for seen in (old, desk, beamer, other):
        seen.context.close()


def test_a_page_opened_under_another_host_name_says_where_to_go(
    chromium: Any, server: Server, workshop: dict[str, Any]
):
    wrong = server.url.replace("127.0.0.1", "localhost")
    person = Watched(chromium.new_context(), "wrong host")
    person.page.goto(f"{wrong}/join/{workshop['join_code']}")
    expect(person.page.get_by_role("heading", level=1)).to_have_text(
        "Deze pagina is via het verkeerde adres geopend"
    )
    person.accessible("wrong host, join page")
    link = person.page.get_by_role("link", name=re.compile("openen$"))
    expect(link).to_have_attribute("href", f"{server.url}/join/{workshop['join_code']}")
    link.click()
    expect(person.page.locator("form")).to_be_visible()
    assert person.page.url == f"{server.url}/join/{workshop['join_code']}"

    # A projector link under the wrong name: its token is lost on the way, so pair again.
    person.page.goto(f"{wrong}/screen/{workshop['id']}#token=whatever")
    expect(person.page.get_by_role("link", name=re.compile("openen$"))).to_have_attribute(
        "href", f"{server.url}/screen"
    )
    expect(person.page.locator("main")).to_contain_text("koppelcode")
    person.accessible("wrong host, projector page")
    # Both pages are answered 400, which Chromium logs as a failed load; nothing else went wrong.
    assert all("status of 400" in problem for problem in person.problems), person.problems
    person.context.close()


# ----------------------------------------------------------------------------- over HTTP


def test_wrong_expired_and_used_codes_change_nothing(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    client, csrf = pairing_form(server)
    token = workshop["screen_token"]

    wrong = submit(client, csrf, "ZZZZ-ZZZZ")
    assert wrong.status_code == 404
    assert "Deze code klopt niet" in wrong.text
    assert screen_link_works(server, workshop["id"], token)

    expired = new_code(facilitator, workshop)
    engine = make_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            session.exec(
                update(ScreenPairing)
                .where(ScreenPairing.workshop_id == workshop["id"])
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
    finally:
        engine.dispose()
    answer = submit(client, csrf, expired)
    assert answer.status_code == 404 and "Deze code is verlopen" in answer.text
    assert screen_link_works(server, workshop["id"], token)

    # A newer code voids the one before it.
    first, second = new_code(facilitator, workshop), new_code(facilitator, workshop)
    assert submit(client, csrf, first).status_code == 404
    assert screen_link_works(server, workshop["id"], token)

    paired = submit(client, csrf, second)
    assert paired.status_code == 303
    location = paired.headers["location"]
    assert location.startswith(f"/screen/{workshop['id']}#token=")
    new_token = location.split("#token=", 1)[1]
    assert screen_link_works(server, workshop["id"], new_token)
    assert not screen_link_works(server, workshop["id"], token)

    used = submit(client, csrf, second)
    assert used.status_code == 404 and "Deze code is al gebruikt" in used.text
    assert screen_link_works(server, workshop["id"], new_token)
    client.close()


def test_cross_site_and_tokenless_posts_are_refused(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    code = new_code(facilitator, workshop)
    client, csrf = pairing_form(server)
    assert client.post("/screen", data={"code": code}).status_code == 403  # no CSRF token
    stranger = httpx.post(f"{server.url}/screen", data={"code": code, "csrf_token": csrf})
    assert stranger.status_code == 403, "the token is bound to the browser's own cookie"
    forged = submit(client, csrf, code, Origin="https://evil.example")
    assert forged.status_code == 403
    cross = submit(client, csrf, code, **{"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert screen_link_works(server, workshop["id"], workshop["screen_token"])
    # From our own page the code still works: nothing above used it up.
    assert submit(client, csrf, code, Origin=server.url).status_code == 303
    client.close()


def test_only_the_workshops_facilitator_gets_a_code(server: Server, workshop: dict[str, Any]):
    path = f"/api/workshops/{workshop['id']}/screen-pairing"
    assert httpx.post(f"{server.url}{path}", timeout=30).status_code in (401, 403)
    other, _ = facilitator_with_workshop(server)
    try:
        assert other.http.post(path).status_code == 404
    finally:
        other.close()


def test_guessing_codes_is_slowed_and_the_right_code_still_pairs(make_server: Any):
    server: Server = make_server(
        ATELIER_JOIN_FAILURES_PER_MINUTE="3", ATELIER_JOIN_WRONG_CODE_DELAY_SECONDS="0.05"
    )
    server.start()
    facilitator, workshop = facilitator_with_workshop(server)
    try:
        code = new_code(facilitator, workshop)
        client, csrf = pairing_form(server)
        statuses = [submit(client, csrf, f"ZZZZ-ZZZ{n}").status_code for n in range(2, 8)]
        assert statuses[:3] == [404] * 3
        assert set(statuses[3:]) == {429}
        refused = submit(client, csrf, "ZZZZ-ZZZZ")
        assert refused.headers.get("retry-after") == "60"
        assert "Te veel verkeerde codes" in refused.text
        # Wrong join codes from this address count in the same budget.
        assert httpx.get(f"{server.url}/join/ZZZZZZ", timeout=30).status_code == 429
        assert submit(client, csrf, code).status_code == 303
        client.close()
    finally:
        facilitator.close()


def test_wrong_host_pages_over_http(server: Server, workshop: dict[str, Any]):
    wrong = {"Host": server.url.replace("http://127.0.0.1", "atelier.test")}
    for path in ("/join", f"/join/{workshop['join_code']}", f"/w/{workshop['id']}", "/screen"):
        answer = httpx.get(f"{server.url}{path}", headers=wrong, timeout=30)
        assert answer.status_code == 400, path
        assert "verkeerde adres" in answer.text
    # Behind a proxy that names the public host in X-Forwarded-Host, nothing is wrong.
    proxied = {**wrong, "X-Forwarded-Host": server.url.removeprefix("http://")}
    assert httpx.get(f"{server.url}/join", headers=proxied, timeout=30).status_code == 200
    # The socket refuses such a browser: the page is what tells the person.
    assert httpx.get(f"{server.url}/join", timeout=30).status_code == 200


# ----------------------------------------------------------------------------- the address rules


def request(host: str, *, path: str = "/join", query: str = "", **headers: str) -> Request:
    raw = [(b"host", host.encode())] + [
        (k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()
    ]
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "query_string": query.encode(),
        "headers": raw,
    }
    return Request(scope)


PUBLIC = Settings(public_url="https://atelier.gemeente.example", secret_key="s" * 40)


@pytest.mark.parametrize(
    "host",
    [
        "atelier.gemeente.example",
        "ATELIER.gemeente.example",
        "atelier.gemeente.example:443",
        "atelier.gemeente.example.",
    ],
)
def test_the_public_host_is_right_whatever_its_spelling(host: str):
    assert misdirected(request(host), PUBLIC) is None


@pytest.mark.parametrize(
    "host", ["192.168.1.20:8000", "localhost", "atelier.gemeente.example:8443", "[::1]:x", ""]
)
def test_another_host_is_sent_to_the_public_address(host: str):
    right = misdirected(request(host, path="/join/ABC234", query="lang=en"), PUBLIC)
    assert right == "https://atelier.gemeente.example/join/ABC234?lang=en"


def test_without_a_configured_public_url_nothing_is_checked():
    development = Settings(secret_key="s" * 40)
    assert "public_url" not in development.model_fields_set
    assert misdirected(request("192.168.1.20:8000"), development) is None


def test_a_post_must_come_from_our_own_pages():
    assert same_site_post(request("atelier.gemeente.example"), PUBLIC)
    own = request("atelier.gemeente.example", origin="https://atelier.gemeente.example")
    assert same_site_post(own, PUBLIC)
    assert not same_site_post(request("x", origin="https://evil.example"), PUBLIC)
    assert not same_site_post(request("x", origin="null"), PUBLIC)
    assert not same_site_post(request("x", sec_fetch_site="cross-site"), PUBLIC)
