"""Equal voice over real sockets: who has not contributed yet reaches the staff's screens only
(names for the facilitator alone, never an anonymous person's), and a check-out answer reaches
no other client, in any message, while the closed figures reach everyone, pooled by the k rule.

The room: inwoner Annie, Bram (anonymous) and Chantal; beleid Dirk, Esra and Fatma (k = 3).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.privacy import OTHER_GROUPS
from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

PEOPLE = [
    ("Annie", "inwoner"),
    (None, "inwoner"),
    ("Chantal", "inwoner"),
    ("Dirk", "beleid"),
    ("Esra", "beleid"),
    ("Fatma", "beleid"),
]


async def room(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> tuple[RoomClient, RoomClient, list[RoomClient], list[int]]:
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    phones, ids = [], []
    for n, (name, group) in enumerate(PEOPLE):
        joined = join(server, workshop["join_code"], name, group)
        phones.append(
            await RoomClient.connect(
                server.ws_url, workshop["id"], token=joined["token"], name=f"phone{n}"
            )
        )
        ids.append(joined["participant_id"])
    return fac, screen, phones, ids


def presence(client: RoomClient, **wanted: Any):
    """Wait for a presence message with these fields (presence is coalesced)."""
    return client.wait_for(
        lambda m: m["type"] == "presence" and all(m.get(k) == v for k, v in wanted.items())
    )


async def test_who_has_not_contributed_yet_reaches_the_staff_only(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac, screen, phones, ids = await room(server, facilitator, workshop)
    annie, bram, _, dirk, _, _ = phones
    await goto(fac, "factoren")  # the labels are decided: inwoner 3, beleid 3
    await annie.command("card.post", kind="factor", text="Buurthuis dicht")
    ack = await dirk.command("card.post", kind="factor", text="Geen bus op zondag")
    for client in (fac, screen):
        await client.until_seq(ack["seq"])
    # Chantal, Esra and Fatma are named; Bram took part anonymously: only counted.
    await presence(
        fac, not_yet={"beleid": 2, "inwoner": 2}, not_yet_ids=sorted([ids[2], ids[4], ids[5]])
    )
    await presence(screen, not_yet={"beleid": 2, "inwoner": 2}, not_yet_ids=None)
    # Bram posts: the count drops, and the list of names never held him.
    await bram.command("card.post", kind="factor", text="Te weinig bankjes")
    await presence(fac, not_yet={"beleid": 2, "inwoner": 1})
    assert all(
        ids[1] not in (m.get("not_yet_ids") or []) for m in fac.messages if m["type"] == "presence"
    )
    for phone in phones:
        assert not any(m["type"] == "presence" for m in phone.messages)
    for client in (fac, screen, *phones):
        await client.close()


async def test_a_check_out_answer_reaches_no_one_else_and_the_figures_are_pooled(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac, screen, phones, _ = await room(server, facilitator, workshop)
    annie, bram, chantal, dirk, esra, fatma = phones
    with pytest.raises(Rejected) as refused:
        await annie.command("checkout.answer", score=4)
    assert refused.value.code == "not_open"
    with pytest.raises(Rejected) as refused:
        await annie.command("checkout.open")
    assert refused.value.code == "forbidden"
    with pytest.raises(Rejected) as refused:
        await fac.command("checkout.open")  # in the lobby: nobody has been heard yet
    assert refused.value.code == "wrong_phase"
    await goto(fac, "afronding")
    opened = await fac.command("checkout.open")
    for client in (screen, *phones):
        await client.until_seq(opened["seq"])
        assert client.state is not None and client.state["check_out"] == {
            "open": True,
            "figures": None,
        }
    scores = {annie: 5, bram: 4, chantal: 2, dirk: 3}
    await annie.command("checkout.answer", score=1)  # changed below: only the last counts
    for phone, score in scores.items():
        await phone.command("checkout.answer", score=score)
    for bad in (0, 6, 2.5, None):
        with pytest.raises(Rejected) as refused:
            await esra.command("checkout.answer", score=bad)
        assert refused.value.code == "invalid"
    await presence(fac, checked_out=4)
    await presence(screen, checked_out=4)
    closed = await fac.command("checkout.close")
    for client in (fac, screen, *phones):
        await client.until_seq(closed["seq"])
    figures = fac.state["check_out"]["figures"]  # type: ignore[index]
    # Four answers: 5 4 2 3 (average 3.5). Answered per group: inwoner 3, beleid 1 — beleid
    # alone is below k, the pool takes in inwoner: one row, never beleid's single answer.
    assert figures["answers"] == 4
    assert figures["total"] == {
        "group": "",
        "answers": 4,
        "average": 3.5,
        "counts": [0, 1, 1, 1, 1],
    }
    assert figures["groups"] == [
        {"group": OTHER_GROUPS, "answers": 4, "average": 3.5, "counts": [0, 1, 1, 1, 1]}
    ]
    for client in (screen, *phones):
        assert client.state is not None and client.state["check_out"]["figures"] == figures
    # Each phone holds its own answer only; nobody else ever got one, in any message.
    for phone in phones:
        own = [
            m["event"]["score"]
            for m in phone.messages
            if m["type"] == "event" and m["event"]["type"] == "my_checkout.given"
        ]
        assert own[-1:] == ([scores[phone]] if phone in scores else [])
        assert phone.state is not None and phone.state["my_check_out"] == scores.get(phone)
        others = [
            m
            for m in phone.messages
            if not (m["type"] == "event" and m["event"]["type"] == "my_checkout.given")
        ]
        assert '"score"' not in json.dumps(others), phone.name
    for client in (fac, screen):
        assert '"score"' not in json.dumps(client.messages), client.name
        assert client.state is not None and client.state["my_check_out"] is None
    with pytest.raises(Rejected) as refused:
        await esra.command("checkout.answer", score=4)
    assert refused.value.code == "closed"
    with pytest.raises(Rejected) as refused:
        await fac.command("checkout.open")
    assert refused.value.code == "closed"
    # A phone that comes back gets its own answer in the snapshot, and the others' nowhere.
    await dirk.close()
    token = join(server, workshop["join_code"], "Gijs", "beleid")["token"]
    gijs = await RoomClient.connect(server.ws_url, workshop["id"], token=token, name="gijs")
    assert gijs.state is not None and gijs.state["my_check_out"] is None
    assert gijs.state["check_out"]["figures"] == figures
    for client in (fac, screen, gijs, annie, bram, chantal, esra, fatma):
        await client.close()
