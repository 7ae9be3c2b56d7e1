"""Delivery rules: coalesced tallies, live presence outside the log, slow clients cut loose."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import pytest

from app.realtime.commands import Actor
from app.realtime.connection import Connection
from app.realtime.protocol import CLOSE_TOO_SLOW
from app.types import Role
from tests.realtime.helpers import PEOPLE, facilitator_client, goto, participant_clients
from tests.support.client import RoomClient
from tests.support.server import Facilitator, Server, facilitator_with_workshop

pytestmark = pytest.mark.anyio


async def test_vote_burst_is_coalesced_and_secret(make_server, tmp_path):
    interval = 2.0
    server = make_server(ATELIER_TALLY_INTERVAL_SECONDS=str(interval))
    server.start()
    http, workshop = facilitator_with_workshop(server)
    fac = await facilitator_client(server, workshop, http.cookie_header)
    people = await participant_clients(server, workshop)
    screen = await RoomClient.connect(server.ws_url, workshop["id"], token=workshop["screen_token"])
    await goto(fac, "factoren")
    card = await people[0].command("card.post", kind="factor", text="Buurthuis dicht")
    await goto(fac, "prioriteren")
    await fac.command("vote.open", budget=5)
    await screen.until_seq(fac.last_seq)
    start_index = len(screen.messages)
    started = time.monotonic()
    votes = 0
    for _ in range(5):
        for person in people:
            await person.command(
                "vote.cast", target_type="card", target_id=card["result"]["card_id"]
            )
            votes += 1
    final = await screen.wait_for(
        lambda m: m["type"] == "tally" and m["dots"] == votes,
        start=start_index,
        timeout=3 * interval + 5,
    )
    elapsed = time.monotonic() - started
    seen = screen.messages[start_index:]
    tallies = [m for m in seen if m["type"] == "tally"]
    assert final["voters"] == len(PEOPLE)
    # At most one tally per interval, however many votes: the bound is on rate, not on speed.
    assert len(tallies) <= math.ceil(elapsed / interval) + 1 < votes
    # Nobody but the voter hears about a vote, and nobody learns what was voted for.
    assert not [m for m in seen if m["type"] == "event"]
    assert all(set(t) == {"type", "vote_id", "voters", "dots"} for t in tallies)
    others = [
        m
        for m in people[1].messages
        if m["type"] == "event" and m["event"]["type"] == "my_dots.changed"
    ]
    assert {m["event"]["dots"][0]["count"] for m in others} == {1, 2, 3, 4, 5}
    for client in (fac, screen, *people):
        await client.close()
    http.close()


async def test_presence_is_live_and_never_logged(
    server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    annie, bram = await participant_clients(
        server, workshop, [("Annie", "inwoner"), ("Bram", "beleid")]
    )
    await fac.wait_for(lambda m: m["type"] == "presence" and m["participants"] == 2)
    seq = fac.last_seq
    await bram.close()
    gone = await fac.wait_for(lambda m: m["type"] == "presence" and m["participants"] == 1)
    assert gone["by_group"] == {"inwoner": 1} and gone["facilitators"] == 1
    assert fac.last_seq == seq, "presence changes are not events"
    for client in (fac, annie):
        await client.close()


class StuckSocket:
    """A peer that never reads: every send waits forever, as with a phone behind a dead link."""

    def __init__(self) -> None:
        from starlette.websockets import WebSocketState

        self.application_state = WebSocketState.CONNECTED
        self.sent = 0
        self.closed_with: int | None = None

    async def send_text(self, _text: str) -> None:
        self.sent += 1
        await asyncio.Event().wait()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed_with = code


async def test_a_client_too_slow_to_keep_up_is_disconnected():
    socket = StuckSocket()
    connection = Connection(
        socket,  # type: ignore[arg-type]
        workshop_id=1,
        actor=Actor(Role.SCREEN),
        stakeholder_group=None,
        queue_size=8,
    )
    for i in range(20):
        connection.offer(f'{{"n": {i}}}')
    await asyncio.wait_for(connection.closed.wait(), 5)
    assert socket.closed_with == CLOSE_TOO_SLOW
    connection.offer("after close is ignored")
    await connection.stop()


async def test_events_delivered_as_committed_are_the_ones_the_log_replays(server: Server):
    """The process that commits a batch delivers its events from memory, without reading them
    back; a phone catching up later reads them from the log. Both must get the same stream."""
    http, workshop = facilitator_with_workshop(server)
    fac = await facilitator_client(server, workshop, http.cookie_header)
    annie, bram = await participant_clients(server, workshop, PEOPLE[:2])
    await goto(fac, "factoren")
    await annie.until_seq(fac.last_seq)
    state, since = annie.state, annie.last_seq
    seen_from = len(annie.messages)

    cards = [
        (await person.command("card.post", kind="factor", text=f"Kaart {n}"))["result"]["card_id"]
        for n in range(3)
        for person in (annie, bram)
    ]
    await goto(fac, "prioriteren")
    await fac.command("vote.open", budget=3)
    for card_id in cards[:3]:
        await annie.command("vote.cast", target_type="card", target_id=card_id)
        await bram.command("vote.cast", target_type="card", target_id=card_id)
    await annie.command("vote.retract", target_type="card", target_id=cards[0])
    await annie.until_seq(fac.last_seq)

    live = [m for m in annie.messages[seen_from:] if m["type"] == "event"]
    again = await RoomClient.connect(
        server.ws_url,
        workshop["id"],
        token=annie.token,
        last_seq=since,
        state=state,
        epoch=annie.epoch,
        name="again",
    )
    replayed = [m for m in again.messages if m["type"] == "event"]
    assert again.snapshot is None and len(replayed) >= 10
    assert replayed == live
    mine = [m["event"]["dots"] for m in live if m["event"]["type"] == "my_dots.changed"]
    assert [sum(d["count"] for d in dots) for dots in mine] == [1, 2, 3, 2]
    for client in (fac, annie, bram, again):
        await client.close()
    http.close()
