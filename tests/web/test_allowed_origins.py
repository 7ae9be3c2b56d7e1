"""``ATELIER_ALLOWED_ORIGINS``: the addresses, beside the public URL, the app may be opened under.

Against a real server: a socket whose ``Origin`` is an allowed origin is accepted and another is
refused; a page opened under an allowed origin's host is not sent elsewhere. As functions: the
entries are normalised, bad ones fail when the settings are read, and same-site posts count them.
The server is on loopback: the other addresses only appear in ``Host`` and ``Origin`` headers.
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

from app.settings import Settings, normalised_origin
from app.web.address import accepted_origins, misdirected, origin_accepted, same_site_post
from tests.realtime.helpers import join
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
        with pytest.raises(websockets.InvalidStatus) as refused:
            await RoomClient.connect(server.ws_url, workshop["id"], token=token, origin=origin)
        assert refused.value.response.status_code == 403, origin


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
