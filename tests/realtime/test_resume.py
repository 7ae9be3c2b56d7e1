"""Nothing lost: reconnects, clients far behind, resent commands, and a SIGKILLed server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.realtime.helpers import facilitator_client, goto, join, participant_clients
from tests.support.client import RoomClient
from tests.support.server import Facilitator, Server, facilitator_with_workshop

pytestmark = pytest.mark.anyio


async def test_reconnect_misses_nothing_and_doubles_nothing(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    annie, bram = await participant_clients(
        server, workshop, [("Annie", "inwoner"), ("Bram", "beleid")]
    )
    await goto(fac, "factoren")
    await bram.until_seq(fac.last_seq)
    state, last, epoch = bram.state, bram.last_seq, bram.epoch
    await bram.close()

    for i in range(20):  # 20 events while Bram is away
        await annie.command("card.post", kind="factor", text=f"Factor {i}")
    # Annie's ack says her socket has the events, not that the console's has: it may lag.
    await fac.until_seq(annie.last_seq)
    assert fac.last_seq - last >= 20

    back = await RoomClient.connect(
        server.ws_url,
        workshop["id"],
        token=bram.token,
        last_seq=last,
        state=state,
        epoch=epoch,
        name="Bram2",
    )
    synced = next(m for m in back.messages if m["type"] == "synced")
    assert back.snapshot is None, "a short absence is replayed, not re-snapshotted"
    assert synced["replayed"] == 20 and back.seqs == list(range(last + 1, last + 21))
    fresh = await RoomClient.connect(server.ws_url, workshop["id"], token=bram.token, name="fresh")
    assert back.state == fresh.state
    assert len([c for c in back.state["cards"].values() if c["kind"] == "factor"]) == 20
    for client in (fac, annie, back, fresh):
        await client.close()


async def test_far_behind_gets_a_snapshot_marked_not_recovered(make_server, tmp_path):
    server = make_server(ATELIER_MAX_REPLAY_EVENTS="5")
    server.start()
    fac_http, workshop = facilitator_with_workshop(server)
    fac = await facilitator_client(server, workshop, fac_http.cookie_header)
    old = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="old"
    )
    state, last, epoch = old.state, old.last_seq, old.epoch
    await old.close()
    await goto(fac, "factoren")
    for i in range(6):
        await fac.command("card.post", kind="factor", text=f"F{i}")
    behind = await RoomClient.connect(
        server.ws_url,
        workshop["id"],
        token=workshop["screen_token"],
        last_seq=last,
        state=state,
        epoch=epoch,
    )
    assert behind.snapshot is not None and behind.snapshot["recovered"] is False
    assert len(behind.state["cards"]) == 6
    ahead = await RoomClient.connect(  # a seq from the future (e.g. another database) too
        server.ws_url,
        workshop["id"],
        token=workshop["screen_token"],
        last_seq=10_000,
        state=state,
        epoch=epoch,
    )
    assert ahead.snapshot is not None and ahead.snapshot["recovered"] is False
    for client in (fac, behind, ahead):
        await client.close()
    fac_http.close()


async def test_resent_command_after_drop_is_applied_once(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    (annie,) = await participant_clients(server, workshop, [("Annie", "inwoner")])
    await goto(fac, "factoren")
    # Send, and drop the connection before reading the ack: the phone does not know it landed.
    await annie.send({"type": "card.post", "cid": "phone-42", "kind": "factor", "text": "Eén keer"})
    await annie.ws.close()
    again = await RoomClient.connect(server.ws_url, workshop["id"], token=annie.token, name="again")
    first = await again.command("card.post", cid="phone-42", kind="factor", text="Eén keer")
    second = await again.command("card.post", cid="phone-42", kind="factor", text="Eén keer")
    assert first == second
    await fac.until_seq(again.last_seq)
    texts = [c["text"] for c in fac.state["cards"].values()]
    assert texts.count("Eén keer") == 1
    for client in (fac, again):
        await client.close()


@pytest.mark.own_server()  # it kills the server
async def test_sigkill_mid_workshop_keeps_every_acknowledged_event(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    people = await participant_clients(server, workshop, [("Annie", "inwoner"), ("Bram", "beleid")])
    await goto(fac, "factoren")
    acked = []
    for i in range(15):
        for person in people:
            ack = await person.command("card.post", kind="factor", text=f"{person.name} {i}")
            acked.append(ack["result"]["card_id"])
    last = people[0].last_seq
    state = people[0].state

    server.kill()
    server.start()

    back = await RoomClient.connect(
        server.ws_url,
        workshop["id"],
        token=people[0].token,
        last_seq=last,
        state=state,
        epoch=people[0].epoch,
        name="back",
    )
    assert back.snapshot is None and back.last_seq >= last
    assert {int(k) for k in back.state["cards"]} == set(acked)
    fac2 = await RoomClient.connect(server.ws_url, workshop["id"], cookie=facilitator.cookie_header)
    assert fac2.state == fac2.snapshot["state"]
    assert set(map(int, fac2.state["cards"])) == set(acked)
    # The room goes on where it was: same phase, and new commands continue the seq.
    assert fac2.state["workshop"]["phase"] == "factoren"
    seq_before = fac2.last_seq
    ack = await back.command("card.post", kind="factor", text="Na de herstart")
    assert ack["seq"] == seq_before + 1
    await fac2.until_seq(ack["seq"])
    # Participants (tokens) and sessions survive too: a new join works, old tokens still do.
    join(server, workshop["join_code"], "Chantal", "ketenpartner")
    for client in (back, fac2):
        await client.close()
