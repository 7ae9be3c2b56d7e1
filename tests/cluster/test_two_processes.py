"""One room spread over two server processes: delivery, presence and rate limits are shared.

Both processes use one PostgreSQL database and one Redis; phones join over HTTP on either and
open their socket on either (no sticky sessions). Rooms poll the database only every 60 s here,
so whatever crosses within seconds was carried by the PostgreSQL notices, and presence that
adds up the two processes was shared through Redis.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.accounts.factories import make_facilitator, migrated_engine
from tests.cluster.helpers import (
    FACILITATOR_EMAIL,
    FACILITATOR_PASSWORD,
    NOTICE_SECONDS,
    Member,
    bounded,
    connect,
    event_log,
    everyone_reaches,
    factor_texts,
    join,
    open_room,
    spread,
    wait_presence,
)
from tests.realtime.helpers import goto
from tests.support.client import RoomClient
from tests.support.server import Server

pytestmark = pytest.mark.anyio

PHONES = 20
#: One pair of processes serves every test here (each in a workshop of its own), set up for all:
#: few wrong passwords per account, and a small frame budget (a phone here sends at most three
#: frames in a test; a facilitator has ten times the budget).
FRAMES_PER_SECOND, FRAMES_BURST = 1, 6
CLUSTER_ENV = {
    "ATELIER_LOGIN_FAILURES_PER_ACCOUNT": "3",
    "ATELIER_FRAMES_PER_SECOND": str(FRAMES_PER_SECOND),
    "ATELIER_FRAMES_BURST": str(FRAMES_BURST),
}


@bounded(120)
async def test_cards_from_either_process_reach_every_socket_in_order(shared_cluster):
    c = shared_cluster.with_new_workshop()
    room = await open_room(c, spread(c, PHONES))
    assert len(room.phones_on(c.a)) == len(room.phones_on(c.b)) == PHONES // 2
    await goto(room.console.client, "factoren")

    # One card each way, timed: the other process hears of it at once, not at its 60 s poll.
    for author, other in ((room.phones_on(c.a)[0], c.b), (room.phones_on(c.b)[0], c.a)):
        ack = await author.client.command("card.post", kind="factor", text=f"Eerst {author.name}")
        await everyone_reaches(room.clients(other), ack["seq"], within=NOTICE_SECONDS)

    # Then everybody at once, on both processes: two cards from each phone, five from the console.
    async def post(member: Member, count: int) -> list[dict[str, Any]]:
        return [
            await member.client.command("card.post", kind="factor", text=f"{member.name}: {i}")
            for i in range(count)
        ]

    batches = await asyncio.gather(*(post(p, 2) for p in room.phones), post(room.console, 5))
    last = max(ack["seq"] for batch in batches for ack in batch)
    seqs, logged = event_log(c.db_url, c.workshop_id)
    assert logged == last and seqs == list(range(1, last + 1))
    await everyone_reaches(room.clients(), last, within=NOTICE_SECONDS)

    for member in room.members():
        member.assert_complete()  # every socket: seq rising, each prev the one before, no gap
    # What each socket built from its stream is what a fresh snapshot on the other process shows.
    for member in room.members():
        fresh = await member.fresh(c.other(member.node))
        assert fresh.last_seq == last
        assert member.client.state == fresh.state, member.name
    posted = [f"Eerst {m.name}" for m in (room.phones_on(c.a)[0], room.phones_on(c.b)[0])]
    posted += [f"{m.name}: {i}" for m in room.phones for i in range(2)]
    posted += [f"console: {i}" for i in range(5)]
    assert Counter(factor_texts(room.console.client.state)) == Counter(posted)


@bounded(120)
async def test_presence_adds_up_both_processes_and_drops_when_phones_go(shared_cluster):
    c = shared_cluster.with_new_workshop()
    room = await open_room(c, spread(c, PHONES))  # the console on A, the projector on B
    console, everyone = room.console.client, room.participant_ids()
    on_a = room.participant_ids(c.a)

    seen = await wait_presence(console, lambda m: m["participants"] == PHONES)
    assert set(seen["participant_ids"]) == everyone
    assert sum(seen["by_group"].values()) == PHONES
    seen = await wait_presence(room.projector.client, lambda m: m["participants"] == PHONES)
    assert seen["participant_ids"] is None  # who exactly is the facilitator's to see only

    mark, screen_mark = len(console.messages), len(room.projector.client.messages)
    for phone in room.phones_on(c.b):
        await phone.client.close()
    seen = await wait_presence(console, lambda m: m["participants"] == len(on_a), start=mark)
    assert set(seen["participant_ids"]) == on_a
    await wait_presence(
        room.projector.client, lambda m: m["participants"] == len(on_a), start=screen_mark
    )


async def log_in(node: Server, email: str, password: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=node.url, timeout=30) as http:
        token = (await http.get("/api/csrf")).json()["csrf_token"]
        return await http.post(
            "/api/session",
            json={"email": email, "password": password},
            headers={"X-CSRF-Token": token},
        )


@bounded(90)
async def test_wrong_passwords_on_both_processes_count_against_one_account(shared_cluster):
    c = shared_cluster
    email, password = "sanne@gemeente.example", "een-ander-lang-wachtwoord"
    with migrated_engine(c.db_url) as engine:
        make_facilitator(engine, email=email, name="Sanne", password=password)

    wrong = [await log_in(node, email, "fout-wachtwoord") for node in (c.a, c.b, c.a)]
    assert [r.status_code for r in wrong] == [401, 401, 401]
    # A has counted two failures and B one: only a count shared by both reaches the limit (3).
    for node in (c.b, c.a):
        locked = await log_in(node, email, password)
        assert locked.status_code == 429, f"{node.label}: {locked.status_code} {locked.text}"
        assert int(locked.headers["Retry-After"]) > 0
    # The lock is that account's only.
    assert (await log_in(c.b, FACILITATOR_EMAIL, FACILITATOR_PASSWORD)).status_code == 200


async def answer(client: RoomClient, cid: str) -> dict[str, Any]:
    return await client.wait_for(lambda m: m.get("cid") == cid and m["type"] in ("ack", "error"))


@bounded(90)
async def test_one_senders_frame_budget_is_shared_by_its_sockets_on_both(shared_cluster):
    c, rate, burst, each = shared_cluster.with_new_workshop(), FRAMES_PER_SECOND, FRAMES_BURST, 8
    joined = await join(c.a, c.workshop["join_code"], "Annie", "inwoner")
    sockets = [
        await connect(node, c.workshop_id, name=f"Annie.{node.label}", token=joined["token"])
        for node in (c.a, c.b)
    ]
    # In the lobby a card is refused with wrong_phase: an answer that costs one frame and writes
    # nothing. Over the budget the answer is rate_limited instead.
    loop = asyncio.get_running_loop()
    started = loop.time()
    cids = []
    for i in range(each):
        for client in sockets:
            cid = f"{client.name}-{i}"
            await client.send(
                {"type": "card.post", "cid": cid, "kind": "factor", "text": "Te vroeg"}
            )
            cids.append((client, cid))
    replies = [await answer(client, cid) for client, cid in cids]
    elapsed = loop.time() - started
    codes = Counter(reply.get("code", reply["type"]) for reply in replies)
    assert set(codes) <= {"wrong_phase", "rate_limited"}, codes
    allowed = codes["wrong_phase"]
    # One budget for both sockets: its burst and what refilled meanwhile (a budget per process
    # would have let 2 x 6 = 12 through).
    assert 1 <= allowed <= burst + math.ceil(elapsed * rate) + 1, (codes, elapsed)
