"""Joining by code, coming back with the same token, leaving, and the screen capability."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.realtime.helpers import facilitator_client, join
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio


async def test_join_code_is_forgiving_and_the_token_is_the_participant(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    code = workshop["join_code"]
    assert len(code) == 6 and not set(code) & set("0O1IL")
    typed = f" {code[:3].lower()}-{code[3:]} "
    info = httpx.get(f"{server.url}/api/join/{typed.strip()}").json()
    assert info["workshop_id"] == workshop["id"] and "inwoner" in info["stakeholder_groups"]
    joined = join(
        server,
        typed,
        "Annie",
        "Inwoner",
        drijfveer="Mijn moeder woont alleen",
        contribution="aan_tafel",
    )
    first = await RoomClient.connect(server.ws_url, workshop["id"], token=joined["token"])
    me = first.state["participants"][str(joined["participant_id"])]
    assert me["stakeholder_group"] == "inwoner" and me["contribution"] == "aan_tafel"
    await first.close()
    # A phone that reloads or comes back later is the same participant (cookie or token).
    again = await RoomClient.connect(
        server.ws_url,
        workshop["id"],
        cookie=f"atelier_participant_{workshop['id']}={joined['token']}",
    )
    assert again.welcome["participant_id"] == joined["participant_id"]
    await again.close()


async def test_leaving_stops_the_token_and_keeps_the_contributions(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    bram = join(server, workshop["join_code"], "Bram", "beleid")
    left = httpx.post(
        f"{server.url}/api/workshops/{workshop['id']}/leave",
        headers={"Authorization": f"Bearer {annie['token']}"},
        json={"cid": "bye"},
    )
    assert left.status_code == 200 and left.json()["type"] == "ack"
    await fac.wait_for(
        lambda _m: fac.state["participants"].get(str(annie["participant_id"]), {}).get("left")
    )
    refused = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"])
    assert refused.messages[-1]["code"] == "unauthorised"

    socket = await RoomClient.connect(server.ws_url, workshop["id"], token=bram["token"])
    await socket.command("participant.leave")
    with pytest.raises(ConnectionError):
        await socket.wait_for(lambda _m: False)
    assert socket.close_code == 4010
    again = await RoomClient.connect(server.ws_url, workshop["id"], token=bram["token"])
    assert again.messages[-1]["code"] == "unauthorised"
    await fac.until_seq(fac.last_seq)
    assert sum(p["left"] for p in fac.state["participants"].values()) == 2
    await fac.close()


async def test_screen_token_is_read_only_and_can_be_replaced(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    screen = await RoomClient.connect(server.ws_url, workshop["id"], token=workshop["screen_token"])
    assert screen.welcome["role"] == "screen"
    with pytest.raises(Rejected) as refused:
        await screen.command("phase.set", index=1)
    assert refused.value.code == "forbidden"
    new = facilitator.post(f"/api/workshops/{workshop['id']}/screen-token", {})["screen_token"]
    old = await RoomClient.connect(server.ws_url, workshop["id"], token=workshop["screen_token"])
    assert old.messages[-1]["code"] == "unauthorised"
    fresh = await RoomClient.connect(server.ws_url, workshop["id"], token=new)
    assert fresh.welcome["role"] == "screen"
    for client in (screen, fresh):
        await client.close()
