"""Every per-address limit counts an IPv6 address by its /64; sockets before ``hello`` are capped.

The module's server listens on ``::1``, so its requests come from a real IPv6 peer, and it
trusts ``::1`` as a reverse proxy: a request presents any address with ``X-Forwarded-For``, as
behind a proxy, so many addresses of one /64 can be tried from here (the way
``test_joining_behind_one_address.py`` presents many IPv4 addresses). Each test uses /64s of its
own (``2001:db8:<test>:…``), so the tests share the server without sharing a count.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from app.web.client import address_key
from tests.support.databases import MigratedTemplate, unavailable
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

WRONG = "ZZZZZZ"  # a valid-looking code that no workshop here has (asserted where it matters)
SETTINGS = {
    "ATELIER_HOST": "::1",
    "ATELIER_TRUSTED_PROXIES": '["::1"]',
    "ATELIER_JOIN_WRONG_CODE_DELAY_SECONDS": "0.01",
    "ATELIER_LOGIN_FAILURES_PER_ADDRESS": "3",
    "ATELIER_JOINS_PER_ADDRESS": "5",
    "ATELIER_SOCKETS_BEFORE_HELLO_PER_ADDRESS": "4",
}


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: MigratedTemplate
) -> Iterator[Server]:
    """The module's server, on ``http://[::1]:port``, with the limits lowered (``SETTINGS``)."""
    if not ipv6_loopback():
        unavailable("the IPv6 loopback address ::1")
    folder = tmp_path_factory.mktemp("ipv6")
    with migrated_template.copy(folder) as url:
        started = Server(data_dir=folder, database_url=url, **SETTINGS)
        started.url = f"http://[::1]:{started.port}"
        started.ws_url = f"ws://[::1]:{started.port}"
        started.start()
        try:
            yield started
        finally:
            started.stop()


def at(address: str) -> dict[str, str]:
    """Headers that present ``address``, as the trusted proxy would."""
    return {"X-Forwarded-For": address}


def test_one_key_per_ipv4_address_and_per_ipv6_64():
    assert address_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64"
    assert address_key("2001:DB8:1:2:0:0:0:AB") == "2001:db8:1:2::/64", "written any way"
    assert address_key("2001:db8:1:3::1") == "2001:db8:1:3::/64", "the next /64 is someone else"
    assert address_key("fe80::1%eth0") == "fe80::/64"
    assert address_key("::ffff:192.0.2.7") == "192.0.2.7", "an IPv4 peer of a dual-stack socket"
    assert address_key("192.0.2.7") == "192.0.2.7"
    assert address_key("192.0.2.8") == "192.0.2.8", "IPv4 addresses stay apart"
    assert address_key("unknown") == "unknown"


def test_wrong_join_codes_from_one_64_share_one_count(server: Server, workshop: dict[str, Any]):
    assert workshop["join_code"] != WRONG

    def wrong_code(address: str) -> int:
        answer = httpx.post(
            f"{server.url}/api/join",
            json={"code": WRONG, "stakeholder_group": "inwoner"},
            headers=at(address),
            timeout=30,
        )
        return answer.status_code

    statuses = [wrong_code(f"2001:db8:a:1::{n:x}") for n in range(1, 15)]
    assert statuses == [404] * 10 + [429] * 4, "fourteen addresses of one /64 are one guesser"
    assert wrong_code("2001:db8:a:2::1") == 404, "the neighbouring /64 has a count of its own"
    assert wrong_code("192.0.2.10") == 404


def test_wrong_pairing_codes_from_one_64_share_one_count(server: Server):
    client = httpx.Client(base_url=server.url, timeout=30)
    page = client.get("/screen", headers=at("2001:db8:b:1::1"))
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and found is not None

    def wrong_code(address: str) -> int:
        answer = client.post(
            "/screen",
            data={"csrf_token": found.group(1), "code": "ABCD-EFGH"},
            headers=at(address),
        )
        return answer.status_code

    try:
        statuses = [wrong_code(f"2001:db8:b:1::{n:x}") for n in range(1, 12)]
        assert statuses == [404] * 10 + [429]
        assert wrong_code("2001:db8:b:2::1") == 404
    finally:
        client.close()


def test_wrong_passwords_from_one_64_share_the_address_limit(server: Server):
    """Three wrong passwords per address (``SETTINGS``), each for another e-mail address, so the
    per-account lock plays no part."""

    def log_in(address: str, n: int) -> int:
        with httpx.Client(base_url=server.url, timeout=30, headers=at(address)) as client:
            token = client.get("/api/csrf").json()["csrf_token"]
            answer = client.post(
                "/api/session",
                json={"email": f"gok{n}@gemeente.example", "password": "raden-maar-raden"},
                headers={"X-CSRF-Token": token},
            )
            return answer.status_code

    statuses = [log_in(f"2001:db8:c:1::{n:x}", n) for n in range(1, 5)]
    assert statuses == [401, 401, 401, 429]
    assert log_in("2001:db8:c:2::1", 9) == 401, "the neighbouring /64 has a count of its own"


def test_joins_with_the_right_code_from_one_64_share_one_count(
    server: Server, workshop: dict[str, Any]
):
    """Five joins per address (``SETTINGS``); addresses of one /64 are one address."""

    def join(address: str) -> httpx.Response:
        return httpx.post(
            f"{server.url}/api/join",
            json={"code": workshop["join_code"], "stakeholder_group": "inwoner"},
            headers=at(address),
            timeout=30,
        )

    assert [join(f"2001:db8:d:1::{n:x}").status_code for n in range(1, 6)] == [201] * 5
    refused = join("2001:db8:d:1::99")
    assert refused.status_code == 429
    assert refused.json()["detail"] == (
        "Many people are joining at once. Wait a few minutes, then try again."
    )
    assert int(refused.headers["retry-after"]) >= 1
    assert join("2001:db8:d:2::1").status_code == 201


async def opened(server: Server, workshop_id: int, address: str | None = None) -> Any:
    """A socket that has not said hello (from ``::1``, or presenting ``address``)."""
    return await websockets.connect(
        f"{server.ws_url}/ws/workshops/{workshop_id}",
        additional_headers=at(address) if address else {},
        open_timeout=10,
    )


async def close_code(ws: Any) -> int | None:
    await asyncio.wait_for(ws.wait_closed(), 10)
    return ws.close_code


async def still_waiting_for_hello(ws: Any) -> bool:
    """The socket was let in and waits for hello: a hello without credentials is answered
    (refused, 4001), which also gives its slot back."""
    await ws.send('{"type": "hello", "token": null, "last_seq": null}')
    return await close_code(ws) == 4001


async def test_sockets_that_never_say_hello_are_capped_per_address_and_per_64(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    """Four sockets before hello per address (``SETTINGS``): from ``::1`` itself, and from
    addresses of one /64 presented by the proxy."""
    wid = workshop["id"]
    mine = [await opened(server, wid) for _ in range(4)]  # ::1, a real IPv6 peer
    refused = await opened(server, wid)
    assert await close_code(refused) == 4029, "a fifth from the same address is closed at once"
    assert refused.close_reason == "too many sockets opening here"

    one_64 = [await opened(server, wid, f"2001:db8:e:1::{n:x}") for n in range(1, 5)]
    also_refused = await opened(server, wid, "2001:db8:e:1::99")
    assert await close_code(also_refused) == 4029, "the same /64: one address"
    neighbour = await opened(server, wid, "2001:db8:e:2::1")

    assert all([await still_waiting_for_hello(ws) for ws in [*mine, *one_64, neighbour]])
    # Each hello gave its slot back: the address may open sockets again.
    again = await opened(server, wid)
    assert await still_waiting_for_hello(again)
