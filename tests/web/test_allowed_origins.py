"""``ATELIER_ALLOWED_ORIGINS``: the addresses, beside the public URL, the app may be opened under.

Against a real server: a socket whose ``Origin`` is an allowed origin is accepted and another is
refused; a page opened under an allowed origin's host is not sent elsewhere; a phone on a plain
http address beside an https public URL gets cookies it can keep (in a real Chromium, which
refuses ``Secure`` cookies over http). As functions: the entries are normalised, bad ones fail
when the settings are read, same-site posts count them, and cookies are secure per address.
The server is on loopback: the other addresses only appear in ``Host`` and ``Origin`` headers,
or in Chromium's host resolver.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets
from pydantic import ValidationError
from starlette.requests import Request

from app.origins import accepted_origins, origin_accepted, secure_connection
from app.realtime.protocol import CLOSE_WRONG_ADDRESS
from app.settings import Settings, normalised_origin
from app.web.address import misdirected, same_site_post
from tests.realtime.helpers import join
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.support.client import RoomClient
from tests.support.server import Server, facilitator_with_workshop

LAN = "http://192.168.1.20:8000"
NAMED = "https://atelier.gemeente.example"


@pytest.fixture
def allowing(make_server: Callable[..., Server]) -> tuple[Server, dict[str, Any]]:
    """A server that also allows the LAN address and a host name (written untidily on purpose)."""
    server = make_server(
        ATELIER_ALLOWED_ORIGINS=json.dumps(
            ["HTTP://192.168.1.20:8000/", "https://Atelier.Gemeente.example:443"]
        )
    )
    server.start()
    facilitator, workshop = facilitator_with_workshop(server)
    facilitator.close()
    return server, workshop


@pytest.mark.anyio
async def test_a_socket_from_an_allowed_origin_is_accepted_another_is_refused(
    allowing: tuple[Server, dict[str, Any]],
):
    server, workshop = allowing
    token = join(server, workshop["join_code"], "Annie", "inwoner")["token"]
    for origin in (LAN, "http://192.168.1.20:8000/", NAMED, f"{NAMED}:443", server.url, None):
        client = await RoomClient.connect(server.ws_url, workshop["id"], token=token, origin=origin)
        assert client.welcome is not None, origin
        assert client.welcome["role"] == "participant"
        await client.close()
    for origin in (
        "http://192.168.1.21:8000",  # the next laptop
        "http://192.168.1.20:8001",  # another port
        "https://192.168.1.20:8000",  # another scheme
        "http://atelier.gemeente.example",
        "https://evil.example",
        "null",
    ):
        # Closed with 4012 and the address to open, which a page can show (not a bare 403 that
        # a browser reports as 1006 and retries for ever).
        async with websockets.connect(
            f"{server.ws_url}/ws/workshops/{workshop['id']}",
            origin=origin,  # type: ignore[arg-type]
        ) as ws:
            with pytest.raises(websockets.ConnectionClosed) as refused:
                await ws.recv()
        assert refused.value.rcvd is not None, origin
        assert refused.value.rcvd.code == CLOSE_WRONG_ADDRESS, origin
        assert refused.value.rcvd.reason == server.url, origin


def test_a_page_opened_under_an_allowed_host_is_not_misdirected(
    allowing: tuple[Server, dict[str, Any]],
):
    server, workshop = allowing
    pages = ("/join", f"/join/{workshop['join_code']}", f"/w/{workshop['id']}", "/screen")
    for host in ("192.168.1.20:8000", "atelier.gemeente.example", "ATELIER.gemeente.example:443"):
        for path in pages:
            answer = httpx.get(f"{server.url}{path}", headers={"Host": host}, timeout=30)
            # 200, or 303 to the join page from /w/… without a participant cookie
            assert answer.status_code in (200, 303), (host, path)
            assert "verkeerde adres" not in answer.text
    for host in ("192.168.1.20:8001", "localhost:8000", "other.example"):
        answer = httpx.get(f"{server.url}/join", headers={"Host": host}, timeout=30)
        assert answer.status_code == 400, host
        assert "verkeerde adres" in answer.text
        assert f"{server.url}/join" in answer.text, "it links the public address"


def _https_public_with_lan(server: Server, lan: str) -> Server:
    """Start ``server`` with an https public URL (behind a proxy, say) that the room's phones
    also reach on the laptop's plain-http address; its own loopback address is allowed too, so
    the test's facilitator can log in over http."""
    server.extra_env["ATELIER_PUBLIC_URL"] = "https://atelier.example"
    server.extra_env["ATELIER_ALLOWED_ORIGINS"] = json.dumps([lan, server.url])
    server.start()
    return server


def test_cookies_are_secure_by_the_address_a_phone_came_in_under(
    make_server: Callable[..., Server],
):
    server = _https_public_with_lan(make_server(), LAN)
    facilitator, workshop = facilitator_with_workshop(server)
    facilitator.close()
    body = {"code": workshop["join_code"], "display_name": None, "stakeholder_group": "inwoner"}
    cookie = f"atelier_participant_{workshop['id']}"

    on_lan = httpx.post(
        f"{server.url}/api/join", json=body, headers={"Host": "192.168.1.20:8000"}, timeout=10
    )
    assert on_lan.status_code == 201, on_lan.text
    (set_cookie,) = on_lan.headers.get_list("set-cookie")[:1]
    assert set_cookie.startswith(f"{cookie}="), set_cookie
    assert "secure" not in set_cookie.lower(), "a Secure cookie is refused over http"

    public = httpx.post(
        f"{server.url}/api/join", json=body, headers={"Host": "atelier.example"}, timeout=10
    )
    assert public.status_code == 201, public.text
    (set_cookie,) = public.headers.get_list("set-cookie")[:1]
    assert set_cookie.startswith(f"__Host-{cookie}="), set_cookie
    assert "; secure" in set_cookie.lower()

    # Each address reads only its own name: the plain cookie means nothing on the https one.
    token = on_lan.json()["token"]
    page = f"{server.url}/w/{workshop['id']}"
    lan_page = httpx.get(
        page, headers={"Host": "192.168.1.20:8000", "Cookie": f"{cookie}={token}"}, timeout=10
    )
    assert lan_page.status_code == 200
    https_page = httpx.get(
        page, headers={"Host": "atelier.example", "Cookie": f"{cookie}={token}"}, timeout=10
    )
    assert https_page.status_code == 303, "not a participant there without its __Host- cookie"


def test_a_phone_on_the_lan_address_joins_and_stays_in_the_room(
    make_server: Callable[..., Server],
):
    """In Chromium, under a host name that is not loopback (so http is not trusted as secure):
    the join form's cookie is kept, the phone page opens and its socket connects."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    server = make_server()
    lan = f"http://laptop.lan:{server.port}"
    _https_public_with_lan(server, lan)
    facilitator, workshop = facilitator_with_workshop(server)
    facilitator.close()
    resolve = "--host-resolver-rules=MAP laptop.lan 127.0.0.1"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, resolve]
        )
        try:
            page = browser.new_context().new_page()
            page.goto(f"{lan}/join/{workshop['join_code']}")
            page.select_option("#stakeholder_group", index=1)
            page.click("form button[type=submit]")
            page.wait_for_selector("#status[data-status=connected]", timeout=20_000)
            assert page.url == f"{lan}/w/{workshop['id']}"
            kept = {c["name"]: c for c in page.context.cookies()}
            mine = kept[f"atelier_participant_{workshop['id']}"]
            assert not mine["secure"] and mine["httpOnly"]
            page.reload()  # the cookie, not the page's memory, keeps the phone in
            page.wait_for_selector("#status[data-status=connected]", timeout=20_000)
        finally:
            browser.close()


# ------------------------------------------------------------------------------------ functions


def request(host: str, **headers: str) -> Request:
    raw = [(b"host", host.encode())] + [
        (k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()
    ]
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": "/join",
        "query_string": b"",
        "headers": raw,
    }
    return Request(scope)


SETTINGS = Settings(
    public_url="https://atelier.example:443", allowed_origins=[LAN, NAMED], secret_key="s" * 40
)


@pytest.mark.parametrize(
    ("entry", "normalised"),
    [
        ("HTTP://Host.Example:80/", "http://host.example"),
        ("https://host.example:443", "https://host.example"),
        ("https://host.example:8443", "https://host.example:8443"),
        ("http://192.168.1.20:8000", "http://192.168.1.20:8000"),
        ("http://host.example.", "http://host.example"),
        ("http://[FE80::1]:8000", "http://[fe80::1]:8000"),
        (" http://host.example ", "http://host.example"),
    ],
)
def test_entries_are_normalised_as_browsers_send_origin(entry: str, normalised: str):
    assert normalised_origin(entry) == normalised
    assert Settings(allowed_origins=[entry], secret_key="s" * 40).allowed_origins == [normalised]


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ("192.168.1.20:8000", "expected http:// or https://"),
        ("ftp://host.example", "expected http:// or https://"),
        ("http://*.example", "expected http:// or https://"),
        ("http://", "expected http:// or https://"),
        ("http://host.example/atelier", "no path"),
        ("http://host.example?x=1", "no path"),
        ("http://user@host.example", "no path"),
        ("http://host.example:99999", "port"),
    ],
)
def test_a_bad_entry_fails_when_the_settings_are_read(entry: str, complaint: str):
    with pytest.raises(ValidationError, match=complaint):
        Settings(allowed_origins=["http://fine.example", entry], secret_key="s" * 40)


def test_the_public_origin_is_accepted_without_its_default_port():
    assert accepted_origins(SETTINGS) >= {"https://atelier.example", LAN, NAMED}
    assert origin_accepted("https://atelier.example", SETTINGS)
    assert origin_accepted("HTTPS://ATELIER.EXAMPLE:443/", SETTINGS)
    assert origin_accepted(f"{LAN}/", SETTINGS)
    assert not origin_accepted("null", SETTINGS)
    assert not origin_accepted("http://atelier.example", SETTINGS)


@pytest.mark.parametrize(
    "host",
    [
        "atelier.example",
        "192.168.1.20:8000",
        "atelier.gemeente.example",
        "Atelier.Gemeente.Example:443",
    ],
)
def test_any_accepted_host_is_right(host: str):
    assert misdirected(request(host), SETTINGS) is None


@pytest.mark.parametrize("host", ["192.168.1.20", "192.168.1.20:80", "localhost:8000", "x.example"])
def test_other_hosts_are_sent_to_the_public_address(host: str):
    assert misdirected(request(host), SETTINGS) == "https://atelier.example:443/join"


def test_a_post_from_an_allowed_origin_is_same_site():
    assert same_site_post(request("192.168.1.20:8000", origin=LAN), SETTINGS)
    assert same_site_post(request("atelier.example", origin=NAMED), SETTINGS)
    assert not same_site_post(
        request("atelier.example", origin="http://192.168.1.21:8000"), SETTINGS
    )
    assert not same_site_post(
        request("atelier.example", origin=LAN, sec_fetch_site="cross-site"), SETTINGS
    )


@pytest.mark.parametrize(
    ("host", "scheme", "secure"),
    [
        ("atelier.example", "http", True),  # the public https name, seen as http behind a proxy
        ("192.168.1.20:8000", "http", False),  # the laptop on the local network
        ("atelier.gemeente.example", "http", True),  # an allowed https name
        ("Atelier.Gemeente.Example:443", "http", True),
        ("x.example", "http", True),  # no configured address: as the public URL
        ("192.168.1.20:8000", "https", True),  # …unless the app itself sees https
    ],
)
def test_cookies_are_secure_per_address(host: str, scheme: str, secure: bool):
    connection = request(host)
    connection.scope["scheme"] = scheme
    assert secure_connection(connection, SETTINGS) is secure


def test_without_an_https_address_cookies_are_plain():
    local = Settings(public_url="http://127.0.0.1:8000", secret_key="s" * 40)
    assert not secure_connection(request("127.0.0.1:8000"), local)
    assert not secure_connection(request("localhost:8000"), local)
