"""What the room engine records: sockets, rooms, joins, commands, delivery, slow clients, broker.

Real servers and real sockets; the values are read from ``/metrics`` as Prometheus would.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from prometheus_client import REGISTRY

from app.realtime.commands import Actor
from app.realtime.connection import Connection
from app.realtime.protocol import CLOSE_TOO_SLOW
from app.types import Role
from tests.observability.scrape import Scrape, scrape
from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import Rejected, RoomClient
from tests.support.databases import POSTGRES_ADMIN, postgres_database
from tests.support.server import Server, facilitator_with_workshop

pytestmark = pytest.mark.anyio


async def eventually(
    server: Server, check: Callable[[Scrape], bool], timeout: float = 10.0
) -> Scrape:
    """Scrape until ``check`` holds (sockets close and rooms empty a moment after the client)."""
    deadline = time.monotonic() + timeout
    while True:
        result = scrape(server)
        if check(result) or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.1)


async def test_open_sockets_rooms_and_joins(make_server: Callable[..., Server]):
    server = make_server()
    server.start()
    _, workshop = facilitator_with_workshop(server)
    people = []
    for name in ("Annie", "Bram"):
        joined = join(server, workshop["join_code"], name, "inwoner")
        people.append(
            await RoomClient.connect(
                server.ws_url, workshop["id"], token=joined["token"], name=name
            )
        )
    both = await eventually(
        server, lambda s: s.value("atelier_open_sockets", role="participant") == 2
    )
    assert both.value("atelier_open_sockets", role="participant") == 2
    assert both.value("atelier_open_sockets", role="facilitator") == 0
    assert both.value("atelier_open_rooms") == 1
    assert both.value("atelier_joins_total") == 2

    await people[0].close()
    one = await eventually(
        server, lambda s: s.value("atelier_open_sockets", role="participant") == 1
    )
    assert one.value("atelier_open_sockets", role="participant") == 1
    assert one.value("atelier_open_rooms") == 1

    await people[1].close()
    none = await eventually(server, lambda s: s.value("atelier_open_rooms") == 0)
    assert none.value("atelier_open_sockets", role="participant") == 0
    assert none.value("atelier_open_rooms") == 0


async def test_commands_are_counted_by_type_and_outcome_and_timed(
    make_server: Callable[..., Server],
):
    server = make_server()
    server.start()
    http, workshop = facilitator_with_workshop(server)
    fac = await facilitator_client(server, workshop, http.cookie_header)
    joined = join(server, workshop["join_code"], "Annie", "inwoner")
    annie = await RoomClient.connect(server.ws_url, workshop["id"], token=joined["token"], name="a")
    before = scrape(server)
    assert not before.value("atelier_commands_total", type="card.post")

    with pytest.raises(Rejected):  # still in the lobby: wrong phase
        await annie.command("card.post", kind="factor", text="Te vroeg")
    await goto(fac, "factoren")
    await annie.command("card.post", cid="card-1", kind="factor", text="Buurthuis dicht")
    await annie.command("card.post", cid="card-1", kind="factor", text="Buurthuis dicht")

    after = await eventually(
        server, lambda s: (s.value("atelier_delivery_lag_seconds_count") or 0) >= 2
    )
    applied = after.value("atelier_commands_total", type="card.post", outcome="applied")
    assert applied == 1
    assert after.value("atelier_commands_total", type="card.post", outcome="repeated") == 1
    assert after.value("atelier_commands_total", type="card.post", outcome="refused") == 1
    assert after.value("atelier_commands_total", type="phase.set", outcome="applied") == 1
    assert (after.value("atelier_command_duration_seconds_count") or 0) >= 4
    # phase.set's and card.post's events reached the room: two sockets each.
    assert (after.value("atelier_delivery_lag_seconds_count") or 0) >= 2
    assert (after.value("atelier_event_messages_total") or 0) >= 4
    # Labels are command types and outcomes: never a cid, never a text.
    assert "card-1" not in after.text and "Buurthuis" not in after.text
    for client in (fac, annie):
        await client.close()


async def test_rate_limited_commands_are_counted(make_server: Callable[..., Server]):
    server = make_server(ATELIER_FRAMES_PER_SECOND="0.5", ATELIER_FRAMES_BURST="2")
    server.start()
    _, workshop = facilitator_with_workshop(server)
    joined = join(server, workshop["join_code"], "Annie", "inwoner")
    annie = await RoomClient.connect(server.ws_url, workshop["id"], token=joined["token"], name="a")
    codes = []
    for _ in range(4):
        try:
            await annie.command("card.post", kind="factor", text="Snel")
        except Rejected as refused:
            codes.append(refused.code)
    assert "rate_limited" in codes
    result = scrape(server)
    limited = result.value("atelier_commands_total", type="card.post", outcome="rate_limited")
    assert limited == codes.count("rate_limited")
    await annie.close()


class StuckSocket:
    """A peer that never reads (as in tests/realtime/test_delivery.py)."""

    def __init__(self) -> None:
        from starlette.websockets import WebSocketState

        self.application_state = WebSocketState.CONNECTED
        self.closed_with: int | None = None

    async def send_text(self, _text: str) -> None:
        await asyncio.Event().wait()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed_with = code


async def test_a_slow_client_disconnect_is_counted():
    def counted() -> float:
        return REGISTRY.get_sample_value("atelier_slow_client_disconnects_total") or 0.0

    before = counted()
    socket = StuckSocket()
    connection = Connection(
        socket,  # type: ignore[arg-type]
        workshop_id=1,
        actor=Actor(Role.SCREEN),
        stakeholder_group=None,
        queue_size=4,
    )
    for i in range(10):
        connection.offer(f'{{"n": {i}}}')
    await asyncio.wait_for(connection.closed.wait(), 5)
    assert socket.closed_with == CLOSE_TOO_SLOW
    assert counted() == before + 1
    await connection.stop()


async def test_broker_notices_and_reconnects_on_postgres(tmp_path: Path):
    """PostgreSQL's listener: a notice per commit, and a reconnect when its connection is cut."""
    with postgres_database() as url:
        server = Server(data_dir=tmp_path, database_url=url)
        try:
            server.start()
            http, workshop = facilitator_with_workshop(server)
            fac = await facilitator_client(server, workshop, http.cookie_header)
            await goto(fac, "factoren")
            noticed = await eventually(
                server, lambda s: (s.value("atelier_broker_notices_total") or 0) >= 1
            )
            assert (noticed.value("atelier_broker_notices_total") or 0) >= 1
            assert not noticed.value("atelier_broker_reconnects_total")

            name = url.rsplit("/", 1)[1]
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
                # As a restart of the database would: every connection of the server is cut.
                cut = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                ).fetchall()
            assert cut
            again = await eventually(
                server,
                lambda s: (
                    (s.value("atelier_broker_reconnects_total", backend="postgres") or 0) >= 1
                ),
                timeout=20,
            )
            assert again.value("atelier_broker_reconnects_total", backend="postgres") == 1
            await fac.close()
        finally:
            server.stop()
