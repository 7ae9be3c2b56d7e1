"""The admit step and removing several at once, over real sockets.

With the workshop's ``admit`` setting on, a join waits in the lobby until the facilitator lets
it in: meanwhile it can neither post, nor rate, nor vote, and it is not counted as present
(presence, a round's ``eligible``). The console can take several people out in one command.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio


def presences(client: RoomClient, start: int) -> list[dict[str, Any]]:
    return [m for m in client.messages[start:] if m["type"] == "presence"]


async def test_with_the_admit_step_a_join_waits_until_it_is_let_in(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    code = workshop["join_code"]
    bram = join(server, code, "Bram", "beleid")  # before the step is on: in at once
    b = await RoomClient.connect(server.ws_url, workshop["id"], token=bram["token"], name="bram")
    bram_id = bram["participant_id"]
    await fac.wait_for(lambda m: m["type"] == "presence" and m["participant_ids"] == [bram_id])
    settings = {**fac.state["workshop"]["settings"], "admit": True}
    await fac.command("workshop.configure", settings=settings)

    annie = join(server, code, "Annie", "inwoner")
    annie_id = annie["participant_id"]
    since = len(fac.messages)
    a = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"], name="annie")
    assert a.state["participants"][str(annie_id)]["waiting"] is True
    assert b.state["participants"][str(bram_id)]["waiting"] is False
    await fac.until_seq(a.last_seq)
    assert fac.state["participants"][str(annie_id)]["waiting"] is True
    await fac.wait_for(lambda m: m["type"] == "presence", start=since)  # her socket was seen

    await goto(fac, "waarom")
    with pytest.raises(Rejected) as posting:
        await a.command("proposal.create", kind="waarom", text="Niemand hoort er nog bij")
    assert posting.value.code == "waiting"
    made = await b.command("proposal.create", kind="waarom", text="Samen ontmoeten, dichtbij")
    proposal_id = made["result"]["proposal_id"]
    opened = await fac.command("round.open", kind="waarom")
    round_id = opened["result"]["round_id"]
    assert fac.state["rounds"][str(round_id)]["eligible"] == 1, "only who is let in is present"
    with pytest.raises(Rejected) as rating:
        await a.command("rating.give", round_id=round_id, proposal_id=proposal_id, score=5)
    assert rating.value.code == "waiting"
    waited = presences(fac, since)
    assert waited and all(m["participant_ids"] == [bram_id] for m in waited), waited
    assert all(m["participants"] == 1 for m in waited)

    # Let in: her phone is told, she takes part and counts from now on.
    admitted = await fac.command("participant.admit", participant_ids=[annie_id])
    assert admitted["result"] == {"admitted": 1}
    await a.until_seq(admitted["seq"])
    assert a.state["participants"][str(annie_id)]["waiting"] is False
    await a.command("rating.give", round_id=round_id, proposal_id=proposal_id, score=5)
    await fac.wait_for(
        lambda m: m["type"] == "presence" and m["participant_ids"] == sorted([annie_id, bram_id])
    )
    told = [m for m in b.messages if m["type"] == "event"]
    assert "participant.admitted" not in {m["event"]["type"] for m in told}, "not about Bram"

    # A second tap, or "everyone" with people already in, changes nothing.
    again = await fac.command("participant.admit", participant_ids=[annie_id, bram_id])
    assert again["result"] == {"admitted": 0} and again["seq"] is None
    with pytest.raises(Rejected) as stranger:
        await fac.command("participant.admit", participant_ids=[annie_id, 999_999])
    assert stranger.value.code == "not_found"
    with pytest.raises(Rejected) as phone:
        await b.command("participant.admit", participant_ids=[annie_id])
    assert phone.value.code == "forbidden"
    for client in (fac, a, b):
        await client.close()


async def test_a_waiting_participant_may_leave(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    settings = {**fac.state["workshop"]["settings"], "admit": True}
    await fac.command("workshop.configure", settings=settings)
    dirk = join(server, workshop["join_code"], "Dirk", "inwoner")
    d = await RoomClient.connect(server.ws_url, workshop["id"], token=dirk["token"], name="dirk")
    await d.command("participant.leave")
    assert await d.closed() == 4010
    await fac.close()


async def test_the_facilitator_removes_several_participants_at_once(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    people = [
        join(server, workshop["join_code"], name, group)
        for name, group in (("Annie", "inwoner"), ("Bram", "beleid"), ("Chantal", "ketenpartner"))
    ]
    annie, bram, chantal = (p["participant_id"] for p in people)
    phones = [
        await RoomClient.connect(server.ws_url, workshop["id"], token=p["token"]) for p in people
    ]
    with pytest.raises(Rejected) as refused:
        await phones[2].command("participant.remove_many", participant_ids=[annie])
    assert refused.value.code == "forbidden"
    with pytest.raises(Rejected) as stranger:
        await fac.command("participant.remove_many", participant_ids=[annie, 999_999])
    assert stranger.value.code == "not_found", "one wrong id: nobody is removed"
    assert fac.state["participants"][str(annie)]["left"] is False

    ack = await fac.command("participant.remove_many", participant_ids=[annie, bram])
    assert ack["result"] == {"removed": 2}
    assert [await phone.closed() for phone in phones[:2]] == [4011, 4011]
    await fac.until_seq(ack["seq"])
    left = {int(pid): p["left"] for pid, p in fac.state["participants"].items()}
    assert left == {annie: True, bram: True, chantal: False}
    assert phones[2].close_code is None, "the others stay"
    again = await fac.command("participant.remove_many", participant_ids=[annie, chantal])
    assert again["result"] == {"removed": 1}, "who has gone already is passed over"
    assert await phones[2].closed() == 4011
    await fac.close()
