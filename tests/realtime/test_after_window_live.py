"""The after-window over real sockets and a real server process: while it is open, the console,
the projector and the phones get how many rated and never the figures (live and on a fresh
connection); closed, everyone gets them. And a window whose time passed while the server was down
closes at start-up, logged like any command.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from app.clock import utcnow
from app.db import make_engine, session_scope
from app.realtime.models import Event
from app.workshops.models import AgreementRound
from tests.realtime.helpers import facilitator_client, goto, join, participant_clients
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server
from tests.workshops.scripted import new_room

ROOM = [("Annie", "inwoner"), ("Bram", "inwoner"), ("Chantal", "inwoner")]


def window_rounds(client: RoomClient, window_id: int) -> list[dict[str, Any]]:
    return [
        m["event"]["round"]
        for m in client.messages
        if m["type"] == "event" and "round" in m["event"] and m["event"]["round"]["id"] == window_id
    ]


@pytest.mark.anyio
async def test_every_screen_gets_the_count_and_no_figures_until_it_closes(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    room = await participant_clients(server, workshop, ROOM)
    await goto(fac, "waarom")
    made = await fac.command("proposal.create", kind="waarom", text="Ontmoeten dichtbij")
    pid = made["result"]["proposal_id"]
    rid = (await fac.command("round.open", kind="waarom"))["result"]["round_id"]
    for person in room:
        await person.command("rating.give", round_id=rid, proposal_id=pid, score=5)
    await fac.command("round.close", round_id=rid)
    until = (utcnow() + timedelta(days=2)).isoformat()
    wid = (await fac.command("window.open", until=until))["result"]["round_id"]
    with pytest.raises(Rejected) as refused:
        await room[0].command("rating.give", round_id=wid, proposal_id=pid, score=1, reason="x")
    assert refused.value.error["code"] == "already_rated"
    late = []
    for name in ("Dirk", "Esra", "Fleur"):
        token = join(server, workshop["join_code"], name, "inwoner")["token"]
        late.append(await RoomClient.connect(server.ws_url, workshop["id"], token=token))
    for person, score in zip(late, (4, 2, 1), strict=True):
        await person.command(
            "rating.give", round_id=wid, proposal_id=pid, score=score, reason="Te vaag"
        )
    await fac.until_seq(late[-1].last_seq)
    await screen.until_seq(late[-1].last_seq)
    fresh = await facilitator_client(server, workshop, facilitator.cookie_header)
    everyone = [fac, screen, *room, *late, fresh]
    for client in everyone:
        assert client.state is not None
        shown = client.state["rounds"][str(wid)]
        assert shown["figures"] == {} and shown["raters"] == 3, client.name
        assert all(r["figures"] == {} for r in window_rounds(client, wid)), client.name
    api = f"/api/workshops/{workshop['id']}/after-window"
    (open_record,) = facilitator.get(api)
    assert open_record["is_open"] and open_record["proposals"] == []
    await fac.command("window.close")
    (record,) = facilitator.get(api)
    together = record["proposals"][0]["together"]
    assert (record["raters"], together["raters"], together["objections"]) == (3, 6, 1)
    assert together["converged"] is False and record["objection_rule"] == "counts"
    page = facilitator.http.get(f"/trajectories/{workshop['trajectory_id']}").text
    assert "3 mensen gaven na afloop hun oordeel." in page
    assert "In de zaal 100%, na afloop 33%, samen 67% eens: niet gedragen." in page
    for client in everyone:
        await client.until_seq(fac.last_seq)
        closed = client.state["rounds"][str(wid)]  # type: ignore[index]
        assert closed["figures"][str(pid)]["objections"] == 1, client.name
        assert closed["closed_at"] is not None
    for client in everyone:
        await client.close()


def test_a_window_that_ended_while_the_server_was_down_closes_at_start_up(
    db_url: str, make_server: Any
):
    engine = make_engine(db_url)
    room = new_room(engine, ["inwoner"])
    person = room.join("Annie", "inwoner")
    room.phase("waarom")
    pid = room.do(person, type="proposal.create", kind="waarom", text="W")["proposal_id"]
    rid = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    room.do(person, type="rating.give", round_id=rid, proposal_id=pid, score=4)
    room.do(room.facilitator, type="round.close", round_id=rid)
    until = (utcnow() + timedelta(days=1)).isoformat()
    wid = room.do(room.facilitator, type="window.open", until=until)["round_id"]
    with session_scope(engine) as session:  # the day passed while no server ran
        window = session.get(AgreementRound, wid)
        assert window is not None
        window.window_until = utcnow() - timedelta(hours=1)
        session.add(window)
    server = make_server()
    server.start()
    closed = False
    for _ in range(60):  # bounded: the sweep runs at start-up
        with session_scope(engine) as session:
            window = session.get(AgreementRound, wid)
            closed = window is not None and not window.is_open
        if closed:
            break
        time.sleep(0.5)
    assert closed, server.log()
    with session_scope(engine) as session:
        last = session.exec(
            select(Event)
            .where(Event.workshop_id == room.workshop_id)
            .order_by(col(Event.seq).desc())
        ).first()
    assert last is not None and last.type == "window.closed"
    engine.dispose()
