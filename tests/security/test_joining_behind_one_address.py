"""A whole room behind one address: wrong codes get slower, the right code always joins."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from app.limiting import RateLimits
from app.workshops.ratelimit import WrongCodeGate
from tests.support.server import Server, facilitator_with_workshop

pytestmark = pytest.mark.anyio

WRONG = "ZZZZZZ"  # a valid-looking code; that the workshop did not draw it is asserted below


def join_api(server: Server, code: str, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/join",
        json={"code": code, "stakeholder_group": "inwoner"},
        headers=headers,
        timeout=30,
    )


def started(make_server: Any, **env: str) -> tuple[Server, dict[str, Any]]:
    server: Server = make_server(ATELIER_JOIN_WRONG_CODE_DELAY_SECONDS="0.01", **env)
    server.start()
    http, workshop = facilitator_with_workshop(server)
    http.close()
    assert workshop["join_code"] != WRONG
    return server, workshop


def test_twenty_wrong_codes_then_the_right_one_joins(make_server: Any):
    server, workshop = started(make_server)
    statuses = [join_api(server, WRONG).status_code for _ in range(20)]
    assert statuses[:10] == [404] * 10
    assert set(statuses[10:]) == {429}, "after the limit, wrong codes are refused"

    joined = join_api(server, workshop["join_code"])
    assert joined.status_code == 201, joined.text
    assert joined.json()["workshop_id"] == workshop["id"]
    # The form path follows the same rule, and shares the count.
    assert httpx.get(f"{server.url}/join/{WRONG}", timeout=30).status_code == 429
    page = httpx.get(f"{server.url}/join/{workshop['join_code']}", timeout=30)
    assert page.status_code == 200
    assert httpx.get(f"{server.url}/api/join/{workshop['join_code']}", timeout=30).is_success


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(make_server: Any):
    server, _ = started(make_server)
    statuses = [
        join_api(server, WRONG, **{"X-Forwarded-For": f"198.51.100.{n}"}).status_code
        for n in range(12)
    ]
    assert statuses[-1] == 429, "every attempt counted against the real peer, 127.0.0.1"


def test_x_forwarded_for_from_a_configured_proxy_is_believed(make_server: Any):
    server, _ = started(make_server, ATELIER_TRUSTED_PROXIES='["127.0.0.1"]')
    statuses = [
        join_api(server, WRONG, **{"X-Forwarded-For": f"198.51.100.{n}"}).status_code
        for n in range(12)
    ]
    assert set(statuses) == {404}, "each forwarded address has its own count"
    same = [
        join_api(server, WRONG, **{"X-Forwarded-For": "203.0.113.9"}).status_code for _ in range(11)
    ]
    assert same[-1] == 429


BUSY = "Many people are joining at once. Wait a few minutes, then try again."
BUSY_NL = (
    "Er melden zich nu veel mensen tegelijk aan. Wacht een paar minuten en probeer het dan opnieuw."
)


def test_joins_with_the_right_code_are_limited_per_address_and_per_workshop(make_server: Any):
    """Four joins per address and six per workshop in the window, here; a whole room behind one
    address is what the defaults are sized for (docs/security.md, "Flooding and lockout")."""
    server, workshop = started(
        make_server,
        ATELIER_TRUSTED_PROXIES='["127.0.0.1"]',
        ATELIER_JOINS_PER_ADDRESS="4",
        ATELIER_JOINS_PER_WORKSHOP="6",
    )
    code = workshop["join_code"]
    venue = {"X-Forwarded-For": "198.51.100.20"}  # the town hall's one NAT address
    assert [join_api(server, code, **venue).status_code for _ in range(4)] == [201] * 4
    refused = join_api(server, code, **venue)
    assert refused.status_code == 429 and refused.json()["detail"] == BUSY
    assert int(refused.headers["retry-after"]) >= 1

    # The join form says so in Dutch, with 429, and keeps what was typed.
    form = httpx.Client(base_url=server.url, timeout=30, headers=venue)
    with form:
        page = form.get(f"/join/{code}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert page.status_code == 200 and csrf is not None
        again = form.post(
            f"/join/{code}",
            data={
                "csrf_token": csrf.group(1),
                "display_name": "Gerda",
                "stakeholder_group": "inwoner",
            },
        )
    assert again.status_code == 429 and BUSY_NL in again.text and 'role="alert"' in again.text
    assert 'value="Gerda"' in again.text and "retry-after" in again.headers

    # Other addresses go on, until the workshop has had six joins from all of them together.
    elsewhere = [
        join_api(server, code, **{"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(1, 4)
    ]
    assert elsewhere == [201, 201, 429], "six joins into the workshop, from any address"
    http, other = facilitator_with_workshop(server)
    http.close()
    assert join_api(server, other["join_code"], **{"X-Forwarded-For": "203.0.113.9"}).is_success


async def test_a_flood_of_parallel_wrong_codes_is_refused_before_lookup():
    """Slots per address bound how many codes are looked at at once (see WrongCodeGate)."""
    gate = WrongCodeGate(RateLimits(secret_key="s" * 40), limit=1, delay=0.0, max_pending=2)
    assert gate.admit("a") and gate.admit("a")
    assert not gate.admit("a"), "a third parallel attempt is refused without a lookup"
    assert gate.admit("b"), "other addresses are not affected"
    assert await gate.wrong("a") is False  # the first wrong code: under the limit
    assert await gate.wrong("a") is True  # the second: over it (answered after its turn)
    assert gate.admit("a"), "answered attempts give their slot back"
    gate.release("a")  # a right code gives it back without counting
    assert await gate.failures.blocked("a") and not await gate.failures.blocked("b")
