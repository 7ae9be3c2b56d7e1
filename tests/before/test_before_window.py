"""The before-window: posting in the lobby while it is open, nothing outside it, and privacy.

Real server, real sockets. The window is set around the real "now" with ``workshop.configure``
(the server's clock is not stubbed): an hour ago until an hour from now is open, tomorrow is
not yet, yesterday is over. Every message a client received is searched as raw JSON, so a held
card that leaks through any path (snapshot, live event, replay) fails the test.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

ANNIE_FACTOR = "De bus naar het dorpshuis rijdt na zes uur niet meer"
ANNIE_BEELD = "Het bankje bij de bushalte staat in de brandnetels"
BRAM_FACTOR = "Mantelzorgers hebben geen tijd voor de koffieochtend"


def moment(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


async def set_window(fac: RoomClient, opens: float | None, closes: float | None) -> dict:
    settings = {
        **fac.state["workshop"]["settings"],  # type: ignore[index]
        "before_opens_at": None if opens is None else moment(opens),
        "before_closes_at": None if closes is None else moment(closes),
    }
    return await fac.command("workshop.configure", settings=settings)


def heard(client: RoomClient) -> str:
    return json.dumps(client.messages, ensure_ascii=False)


async def connect_phone(server: Server, workshop: dict[str, Any], name: str, group: str):
    joined = join(server, workshop["join_code"], name, group)
    client = await RoomClient.connect(
        server.ws_url, workshop["id"], token=joined["token"], name=name
    )
    return client, joined


async def test_the_window_is_validated_and_only_the_facilitator_sets_it(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    phone, _ = await connect_phone(server, workshop, "Annie", "inwoner")
    base = fac.state["workshop"]["settings"]
    nonsense = [
        {"before_opens_at": moment(2), "before_closes_at": moment(1)},  # closes before it opens
        {"before_opens_at": moment(1), "before_closes_at": None},  # only one of the two
        {"before_opens_at": "2026-05-12T09:00", "before_closes_at": moment(1)},  # no zone
        {"before_opens_at": "dinsdag", "before_closes_at": moment(1)},
        {"before_opens_at": moment(0), "before_closes_at": moment(24 * 400)},  # over a year
    ]
    seq = fac.last_seq
    for window in nonsense:
        with pytest.raises(Rejected) as refused:
            await fac.command("workshop.configure", settings={**base, **window})
        assert refused.value.error["code"] == "invalid"
        assert "before" in refused.value.error["message"] or "ISO" in refused.value.error["message"]
    with pytest.raises(Rejected) as refused:
        window = {"before_opens_at": moment(0), "before_closes_at": moment(1)}
        await phone.command("workshop.configure", settings={**base, **window})
    assert refused.value.error["code"] == "forbidden"
    assert fac.last_seq == seq and fac.state["workshop"]["settings"]["before_opens_at"] is None
    # A moment in another zone is kept in UTC.
    settings = {
        **base,
        "before_opens_at": "2026-05-12T09:00:00+02:00",
        "before_closes_at": "2026-05-14T19:00:00+02:00",
    }
    await fac.command("workshop.configure", settings=settings)
    kept = fac.state["workshop"]["settings"]
    assert kept["before_opens_at"] == "2026-05-12T07:00:00Z"
    assert kept["before_closes_at"] == "2026-05-14T17:00:00Z"
    for client in (fac, phone):
        await client.close()


async def test_posts_outside_the_window_are_refused_and_change_nothing(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    phone, _ = await connect_phone(server, workshop, "Annie", "inwoner")

    async def refused_with(code: str) -> None:
        seq = fac.last_seq
        with pytest.raises(Rejected) as refused:
            await phone.command("card.post", kind="factor", text=ANNIE_FACTOR)
        assert refused.value.error["code"] == code
        assert fac.last_seq == seq and fac.state["cards"] == {}

    await refused_with("wrong_phase")  # no window: the lobby is for joining only
    await set_window(fac, 20, 44)  # opens tomorrow
    await refused_with("window_closed")
    await set_window(fac, -48, -24)  # closed yesterday
    await refused_with("window_closed")
    await set_window(fac, -1, 1)  # open now, but the projector posts nothing
    with pytest.raises(Rejected) as refused:
        await screen.command("card.post", kind="factor", text=ANNIE_FACTOR)
    assert refused.value.error["code"] == "forbidden"
    ack = await phone.command("card.post", kind="factor", text=ANNIE_FACTOR)
    card = phone.state["cards"][str(ack["result"]["card_id"])]
    assert card["channel"] == "before" and card["held"] is True and card["mine"] is True
    # The room started: the lobby again is not the window again.
    await goto(fac, "beelden")
    await goto(fac, "lobby")
    await refused_with_count(phone, fac, "window_closed", cards=1)
    for client in (fac, screen, phone):
        await client.close()


async def refused_with_count(phone: RoomClient, fac: RoomClient, code: str, *, cards: int) -> None:
    seq = fac.last_seq
    with pytest.raises(Rejected) as refused:
        await phone.command("card.post", kind="beeld", text=ANNIE_BEELD)
    assert refused.value.error["code"] == code
    assert fac.last_seq == seq and len(fac.state["cards"]) == cards


async def test_held_cards_reach_only_their_author_and_the_facilitator_until_the_room_starts(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    await set_window(fac, -1, 1)
    annie, _ = await connect_phone(server, workshop, "Annie", "inwoner")
    bram, bram_joined = await connect_phone(server, workshop, "Bram", "ervaringsdeskundige")
    bram_before, bram_seq = copy.deepcopy(bram.state), bram.last_seq
    posted = await annie.command("card.post", kind="factor", text=ANNIE_FACTOR)
    other = await annie.command("card.post", kind="beeld", text=ANNIE_BEELD)
    await bram.command("card.post", kind="factor", text=BRAM_FACTOR)
    # The author edits and withdraws her own while the window is open; Bram cannot touch hers.
    await annie.command("card.edit", card_id=posted["result"]["card_id"], text=ANNIE_FACTOR + "!")
    with pytest.raises(Rejected) as refused:
        await bram.command("card.edit", card_id=posted["result"]["card_id"], text="weg")
    assert refused.value.error["code"] == "forbidden"
    # The facilitator moderates in the lobby: a hidden held card stays away from the room too.
    hide = await fac.command("card.hide", card_id=other["result"]["card_id"], hidden=True)
    with pytest.raises(Rejected) as refused:  # not on the projector before the room starts
        await fac.command("card.spotlight", card_id=posted["result"]["card_id"])
    assert refused.value.error["code"] == "invalid"
    await annie.until_seq(hide["seq"])  # the hiding reaches her; Bram and the projector nothing

    # Live: Annie has her own two, Bram his own one, the projector none; the console all three.
    # Withdrawing a held card: only she and the console hear of it.
    gone = await annie.command("card.post", kind="factor", text="Toch niet")
    await annie.command("card.withdraw", card_id=gone["result"]["card_id"])
    await fac.wait_for(lambda _m: str(gone["result"]["card_id"]) not in fac.state["cards"])
    assert {c["text"] for c in annie.state["cards"].values()} == {ANNIE_FACTOR + "!", ""}
    assert all(c["mine"] and c["held"] for c in annie.state["cards"].values())
    assert [c["text"] for c in bram.state["cards"].values()] == [BRAM_FACTOR]
    assert screen.state["cards"] == {}
    assert len(fac.state["cards"]) == 3
    for client in (bram, screen):
        assert ANNIE_FACTOR not in heard(client) and ANNIE_BEELD not in heard(client)
        assert "card.withdrawn" not in heard(client)
    assert BRAM_FACTOR not in heard(annie) and BRAM_FACTOR not in heard(screen)
    # Snapshot: a fresh phone and projector, the same.
    fresh_bram = await RoomClient.connect(
        server.ws_url, workshop["id"], token=bram_joined["token"], name="fresh bram"
    )
    fresh_screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="fresh screen"
    )
    assert [c["text"] for c in fresh_bram.state["cards"].values()] == [BRAM_FACTOR]
    assert fresh_screen.state["cards"] == {}
    assert ANNIE_FACTOR not in heard(fresh_bram) + heard(fresh_screen)
    # Replay: Bram's phone resuming from before Annie posted, the same.
    resumed = await RoomClient.connect(
        server.ws_url,
        workshop["id"],
        token=bram_joined["token"],
        last_seq=bram_seq,
        state=bram_before,
        epoch=bram.epoch,
        name="resumed bram",
    )
    assert resumed.snapshot is None
    assert ANNIE_FACTOR not in heard(resumed) and ANNIE_BEELD not in heard(resumed)
    assert resumed.state == fresh_bram.state
    for client in (fresh_bram, fresh_screen, resumed):
        await client.close()

    # The room starts: the held cards go on the wall (the hidden one without its text).
    moved = await fac.command("phase.set", index=1)
    for client in (screen, annie, bram):
        await client.until_seq(moved["seq"])
    for client in (screen, bram):
        cards = {c["text"]: c for c in client.state["cards"].values()}
        assert set(cards) == {ANNIE_FACTOR + "!", BRAM_FACTOR, ""}
        assert all(c["channel"] == "before" and not c["held"] for c in cards.values())
        assert ANNIE_BEELD not in heard(client)
    # And a fresh snapshot and a replay from before the room started agree with the live state.
    for name, credentials in (("bram", bram_joined["token"]), ("screen", workshop["screen_token"])):
        fresh = await RoomClient.connect(
            server.ws_url, workshop["id"], token=credentials, name=f"after {name}"
        )
        live = bram if name == "bram" else screen
        assert fresh.state == live.state
        await fresh.close()
    resumed = await RoomClient.connect(
        server.ws_url,
        workshop["id"],
        token=bram_joined["token"],
        last_seq=bram_seq,
        state=bram_before,
        epoch=bram.epoch,
        name="resumed bram after",
    )
    assert resumed.state == bram.state
    assert ANNIE_BEELD not in heard(resumed)
    # Once the room runs, a card sent in beforehand changes only in its own phase, as any card.
    with pytest.raises(Rejected) as refused:
        await annie.command("card.edit", card_id=posted["result"]["card_id"], text="later")
    assert refused.value.error["code"] == "wrong_phase"
    for client in (fac, screen, annie, bram, resumed):
        await client.close()


async def test_after_the_window_closes_its_cards_stay_but_cannot_change(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    await set_window(fac, -1, 1)
    annie, _ = await connect_phone(server, workshop, "Annie", "inwoner")
    posted = await annie.command("card.post", kind="factor", text=ANNIE_FACTOR)
    card_id = posted["result"]["card_id"]
    await set_window(fac, -2, -1)
    seq = fac.last_seq
    for command, fields in (
        ("card.edit", {"card_id": card_id, "text": "anders"}),
        ("card.withdraw", {"card_id": card_id}),
        ("card.post", {"kind": "factor", "text": "nog een"}),
    ):
        with pytest.raises(Rejected) as refused:
            await annie.command(command, **fields)
        assert refused.value.error["code"] == "window_closed", command
    assert fac.last_seq == seq
    assert fac.state["cards"][str(card_id)]["text"] == ANNIE_FACTOR
    # The facilitator still moderates it (merge needs two of a kind: hide here).
    await fac.command("card.hide", card_id=card_id, hidden=True)
    for client in (fac, annie):
        await client.close()


async def test_the_trajectory_page_lists_what_came_in_and_moderates_it(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    await set_window(fac, -1, 1)
    annie, _ = await connect_phone(server, workshop, "Annie", "inwoner")
    first = await annie.command("card.post", kind="factor", text=ANNIE_FACTOR)
    twice = await annie.command("card.post", kind="factor", text="Na zessen rijdt er geen bus")
    await annie.command("card.post", kind="beeld", text=ANNIE_BEELD)
    trajectory_id = fac.state["workshop"]["trajectory_id"]
    page = facilitator.http.get(f"/trajectories/{trajectory_id}")
    assert page.status_code == 200
    assert f'id="before-{workshop["id"]}"' in page.text and ANNIE_BEELD in page.text
    first_id, twice_id = first["result"]["card_id"], twice["result"]["card_id"]

    # Hide, through the command path: the console and the author's phone hear it at once.
    hide = facilitator.http.post(
        f"/workshops/{workshop['id']}/before/hide", data={"card_id": first_id, "hidden": "true"}
    )
    assert hide.status_code == 303 and "before=done" in hide.headers["location"]
    await fac.wait_for(
        lambda m: (
            m["type"] == "event"
            and m["event"].get("card", {}).get("id") == first_id
            and m["event"]["card"]["hidden"]
        )
    )
    await annie.wait_for(lambda _m: annie.state["cards"][str(first_id)]["hidden"])
    assert annie.state["cards"][str(first_id)]["text"] == ""
    # Merge the duplicate.
    merge = facilitator.http.post(
        f"/workshops/{workshop['id']}/before/merge",
        data={"card_id": twice_id, "into_id": first_id},
    )
    assert merge.status_code == 303
    await fac.wait_for(lambda _m: fac.state["cards"][str(twice_id)]["merged_into_id"] == first_id)
    again = facilitator.http.get(merge.headers["location"])
    assert '<p class="ok" role="status">Gedaan</p>' in again.text
    # Refused commands say so and change nothing: a card merged into itself.
    seq = fac.last_seq
    refused = facilitator.http.post(
        f"/workshops/{workshop['id']}/before/merge", data={"card_id": first_id, "into_id": first_id}
    )
    assert "before=invalid" in refused.headers["location"]
    # Without the CSRF token, or for a facilitator the trajectory is not shared with: nothing.
    bare = httpx.Client(base_url=server.url, cookies=facilitator.http.cookies, timeout=10)
    forged = bare.post(
        f"/workshops/{workshop['id']}/before/hide", data={"card_id": first_id, "hidden": "false"}
    )
    assert forged.status_code == 403
    bare.close()
    email = server.add_facilitator(name="Gijs", password="een-ander-lang-wachtwoord")
    stranger = Facilitator(server, email=email, password="een-ander-lang-wachtwoord")
    outside = stranger.http.post(
        f"/workshops/{workshop['id']}/before/hide", data={"card_id": first_id, "hidden": "false"}
    )
    assert outside.status_code == 404
    stranger.close()
    assert fac.last_seq == seq and fac.state["cards"][str(first_id)]["hidden"]
    for client in (fac, annie):
        await client.close()
