"""Two server processes when things break: a process killed, Redis gone, database connections
cut. Nothing acknowledged is lost or doubled, and the room goes on.

Rooms poll the database only every 60 s here, so a test that passes within its bounds proves the
PostgreSQL notices and the listener's reconnection, not the poll.

The PostgreSQL cluster itself is never restarted: other tests share it. Its loss is played from
the SQL side instead — every connection of the test's database ended with
``pg_terminate_backend``, as a restart does to them, and new connections refused for a while
(``ALLOW_CONNECTIONS false``), as a database that is down refuses them.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from tests.cluster.helpers import (
    NOTICE_SECONDS,
    RECONNECT_SECONDS,
    Cluster,
    Member,
    Node,
    Room,
    bounded,
    connections_refused,
    database_ports,
    event_log,
    everyone_reaches,
    factor_texts,
    open_room,
    terminate_backends,
    wait_presence,
)
from tests.realtime.helpers import goto

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

#: Presence of a process that died without a word disappears when its heartbeats expire.
EXPIRY_SECONDS = 30.0


class Cards:
    """Cards posted in a test, by text, with their acknowledgements."""

    def __init__(self) -> None:
        self.acked: dict[str, dict[str, Any]] = {}

    async def post(self, member: Member, text: str) -> dict[str, Any]:
        ack = await member.client.command("card.post", kind="factor", text=text)
        self.acked[text] = ack
        return ack

    async def cross(self, room: Room, author: Member, text: str, *, within: float) -> None:
        """Post on the author's process; every socket on the other one applies it in time."""
        ack = await self.post(author, text)
        other = room.cluster.other(author.node)
        await everyone_reaches(room.clients(other), ack["seq"], within=within)

    async def assert_all_kept(self, room: Room, node: Node) -> None:
        """Every acknowledged card is in the room exactly once (a fresh snapshot on ``node``,
        and the console's own state), the log is gap-free, and every socket had it all."""
        c = room.cluster
        seqs, last = event_log(c.db_url, c.workshop_id)
        assert seqs == list(range(1, last + 1)), "the event log has a gap"
        await everyone_reaches(room.clients(), last, within=NOTICE_SECONDS)
        fresh = await room.console.fresh(node)
        state = fresh.state
        assert state is not None
        texts = Counter(factor_texts(state))
        doubled = {text: n for text, n in texts.items() if n > 1}
        lost, extra = set(self.acked) - set(texts), set(texts) - set(self.acked)
        assert not doubled and not lost and not extra, (doubled, lost, extra)
        for text, ack in self.acked.items():
            assert state["cards"][str(ack["result"]["card_id"])]["text"] == text
        assert room.console.client.state == state
        for member in room.members():
            member.assert_complete()


async def factoren_room(c: Cluster, phones: int = 2) -> tuple[Room, Cards]:
    """A room in the factoren phase: the console on A, the projector on B, and ``phones``
    phones on each process; presence already adds up both."""
    room = await open_room(c, [c.a] * phones + [c.b] * phones)
    await goto(room.console.client, "factoren")
    await wait_presence(room.console.client, lambda m: m["participants"] == 2 * phones)
    cards = Cards()
    await cards.cross(room, room.phones_on(c.a)[0], "Vooraf van A", within=NOTICE_SECONDS)
    await cards.cross(room, room.phones_on(c.b)[0], "Vooraf van B", within=NOTICE_SECONDS)
    return room, cards


CARDS_EACH = 25
KILL_AFTER = 50


@bounded(150)
async def test_sigkill_of_one_process_mid_burst_loses_and_doubles_nothing(cluster):
    c = cluster()
    room = await open_room(c, [c.a] * 4 + [c.b] * 4)
    await goto(room.console.client, "factoren")
    cards = Cards()
    halfway = asyncio.Event()

    async def keep_posting(phone: Member) -> None:
        """As fast as acks come back; what was not acknowledged goes again with its cid."""
        for i in range(CARDS_EACH):
            cid, text = f"{phone.name}-{i}", f"{phone.name}, kaart {i}"
            cards.acked[text] = await phone.send_until_acked(
                "card.post", cid=cid, fallback=c.b, kind="factor", text=text
            )
            if len(cards.acked) >= KILL_AFTER:
                halfway.set()

    async def kill_a_midway() -> int:
        await halfway.wait()
        await asyncio.to_thread(c.a.kill)
        return len(cards.acked)

    posting = asyncio.gather(*map(keep_posting, room.phones))
    killed_at, _ = await asyncio.gather(kill_a_midway(), posting)
    total = len(room.phones) * CARDS_EACH
    assert len(cards.acked) == total and killed_at < total - len(room.phones)
    assert [p for p in room.phones if len(p.sockets) > 1], (
        "no phone on A had to resume on B: A died after the burst, not in it"
    )
    for member in room.members():  # the console (and any phone that was done) come back too
        if member.node is c.a:
            await member.connect(c.b, resume=True)
    for member in room.members():
        for client, resumed_from in member.sockets[1:]:
            assert resumed_from is not None and client.snapshot is None, (
                f"{client.name}: resumed by replay from the shared log, not a new snapshot"
            )
    await cards.assert_all_kept(room, c.b)
    assert room.projector.client.state == (await room.projector.fresh(c.b)).state


@bounded(90)
async def test_presence_of_a_killed_process_expires(cluster):
    c = cluster()
    room = await open_room(c, [c.a, c.a, c.a, c.b], console_on=c.b)
    console = room.console.client
    await wait_presence(console, lambda m: m["participants"] == 4)
    mark = len(console.messages)
    await asyncio.to_thread(c.a.kill)  # no goodbye from A: only the expiry can tell
    seen = await wait_presence(
        console, lambda m: m["participants"] == 1, within=EXPIRY_SECONDS, start=mark
    )
    assert set(seen["participant_ids"]) == room.participant_ids(c.b)


@bounded(120)
async def test_room_works_through_a_redis_restart(cluster):
    c = cluster()
    redis = c.redis
    room, cards = await factoren_room(c)
    a_phone, b_phone = room.phones_on(c.a)[0], room.phones_on(c.b)[0]

    redis.kill()
    # Without Redis, commands are still acknowledged on both processes and cards still cross:
    # the notices travel through PostgreSQL.
    await cards.cross(room, a_phone, "Zonder Redis van A", within=NOTICE_SECONDS)
    await cards.cross(room, b_phone, "Zonder Redis van B", within=NOTICE_SECONDS)
    newcomer = await room.add_phone(join_via=c.b, on=c.a)  # joining works too
    await cards.cross(room, newcomer, "Nieuw zonder Redis", within=NOTICE_SECONDS)

    redis.start()  # on the same port, empty
    mark = len(room.console.client.messages)
    await room.add_phone(join_via=c.a, on=c.b)
    everyone = room.participant_ids()
    seen = await wait_presence(
        room.console.client, lambda m: set(m["participant_ids"]) == everyone, start=mark
    )  # the console on A sees the phone that connected to B: presence is shared again
    assert seen["participants"] == len(everyone)
    await cards.cross(room, a_phone, "Na Redis van A", within=NOTICE_SECONDS)
    await cards.cross(room, b_phone, "Na Redis van B", within=NOTICE_SECONDS)
    await cards.assert_all_kept(room, c.b)


@bounded(120)
async def test_room_works_after_every_database_connection_is_ended(cluster):
    c = cluster()
    room, cards = await factoren_room(c)
    a_phone, b_phone = room.phones_on(c.a)[0], room.phones_on(c.b)[0]
    ports = {node.label: database_ports(node.pid) for node in (c.a, c.b)}
    assert all(ports.values()), f"each process holds a connection, its listener at least: {ports}"

    ended = terminate_backends(c.db_url)  # the listeners, the pools: all of them
    for label, held in ports.items():
        assert any(b.client_port in held for b in ended), f"nothing of {label} ended: {ended}"
    # Commands work at once (the pool replaces dead connections), and the notices come back:
    # the listeners reconnect and catch up.
    await cards.cross(room, a_phone, "Na het verbreken van A", within=RECONNECT_SECONDS)
    await cards.cross(room, b_phone, "Na het verbreken van B", within=RECONNECT_SECONDS)
    # Settled: at the speed of notices again, both ways.
    await cards.cross(room, a_phone, "Daarna van A", within=NOTICE_SECONDS)
    await cards.cross(room, b_phone, "Daarna van B", within=NOTICE_SECONDS)
    await cards.assert_all_kept(room, c.a)


@bounded(120)
async def test_card_committed_while_a_listener_is_down_arrives_after_it_reconnects(cluster):
    c = cluster()
    room, cards = await factoren_room(c)
    a_phone, b_phone = room.phones_on(c.a)[0], room.phones_on(c.b)[0]
    # Several commands at once leave A's pool with connections open for what follows.
    await asyncio.gather(*(cards.post(p, f"Warm {p.name}") for p in room.phones))

    with connections_refused(c.db_url):
        ended = terminate_backends(c.db_url, client_ports=database_ports(c.b.pid))
        assert ended, "B held no database connection"
        # B has lost its listener (and every other connection) and cannot get a new one; A
        # commits on a connection it already had, and delivers to its own sockets.
        ack = await cards.post(a_phone, "Terwijl B niet luistert")
        await everyone_reaches(room.clients(c.a), ack["seq"], within=NOTICE_SECONDS)
        await asyncio.sleep(1.0)
        assert all(client.last_seq < ack["seq"] for client in room.clients(c.b)), (
            "B could not have read the card: it had no database connection"
        )
    # Connections are accepted again: B's listener reconnects and catches up from the log,
    # long before its room's 60 s poll.
    await everyone_reaches(room.clients(c.b), ack["seq"], within=RECONNECT_SECONDS)
    await cards.cross(room, b_phone, "B weer terug", within=RECONNECT_SECONDS)
    await cards.cross(room, a_phone, "Daarna van A", within=NOTICE_SECONDS)
    await cards.cross(room, b_phone, "Daarna van B", within=NOTICE_SECONDS)
    await cards.assert_all_kept(room, c.b)
