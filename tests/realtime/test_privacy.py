"""Each role receives only what it needs: a phone never gets another person's details.

Real server, real sockets. Every message a client received is searched as raw JSON, so a detail
that leaks through any field (snapshot, event, presence) fails the test.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

ANNIE_DRIJFVEER = "Mijn moeder woont alleen in Purmerend"
ANNIE_ORGANISATION = "Buurtzorg Oost"
BRAM_DRIJFVEER = "Ik was zelf jaren eenzaam"
BRAM_ORGANISATION = "GGD Zaanstreek"
HIDDEN_TEXT = "Die buurman van nummer 12 is een sukkel"


def received(client: RoomClient) -> str:
    return json.dumps(client.messages, ensure_ascii=False)


def all_cards(client: RoomClient) -> list[dict[str, Any]]:
    assert client.state is not None
    return list(client.state["cards"].values())


async def room_with_three(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> dict[str, Any]:
    """Annie (named), Bram (ticked 'anonymous' in a named workshop), a screen and the console.

    Each participant posts a factor; the facilitator hides one of Annie's.
    """
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    annie = join(
        server,
        workshop["join_code"],
        "Annie",
        "inwoner",
        organisation=ANNIE_ORGANISATION,
        drijfveer=ANNIE_DRIJFVEER,
    )
    bram = join(
        server,
        workshop["join_code"],
        None,
        "ervaringsdeskundige",
        organisation=BRAM_ORGANISATION,
        drijfveer=BRAM_DRIJFVEER,
        contribution="aan_tafel",
    )
    a = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"], name="a")
    b = await RoomClient.connect(server.ws_url, workshop["id"], token=bram["token"], name="b")
    await goto(fac, "factoren")
    await a.command("card.post", kind="factor", text="Buurthuis dicht")
    hidden = await a.command("card.post", kind="factor", text=HIDDEN_TEXT)
    await b.command("card.post", kind="factor", text="Geen bus meer op zondag")
    ack = await fac.command("card.hide", card_id=hidden["result"]["card_id"], hidden=True)
    for client in (fac, screen, a, b):
        await client.until_seq(ack["seq"])
    # Presence is coalesced, and for the staff's screens only: wait until they see us online.
    for client in (fac, screen):
        await client.wait_for(lambda m: m["type"] == "presence" and m["participants"] == 2)
    return {
        "fac": fac,
        "screen": screen,
        "a": a,
        "b": b,
        "annie": annie,
        "bram": bram,
        "hidden_id": hidden["result"]["card_id"],
        "screen_token": workshop["screen_token"],
    }


async def test_a_phone_gets_its_own_profile_and_nobody_elses(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    room = await room_with_three(server, facilitator, workshop)
    a, b, annie, bram = room["a"], room["b"], room["annie"], room["bram"]

    # Annie's phone: her own profile whole, and no one else's — not even a name or a group.
    me = a.state["participants"][str(annie["participant_id"])]
    assert me["drijfveer"] == ANNIE_DRIJFVEER and me["organisation"] == ANNIE_ORGANISATION
    assert list(a.state["participants"]) == [str(annie["participant_id"])]
    assert list(b.state["participants"]) == [str(bram["participant_id"])]
    everything_a_got = received(a)
    assert BRAM_DRIJFVEER not in everything_a_got and BRAM_ORGANISATION not in everything_a_got
    for phone, own in ((a, annie), (b, bram)):  # nobody else's coming or going, either
        about = {
            m["event"].get("participant", {}).get("id", m["event"].get("participant_id"))
            for m in phone.messages
            if m["type"] == "event" and m["event"]["type"].startswith("participant.")
        }
        assert about <= {own["participant_id"]}
    everything_b_got = received(b)
    assert ANNIE_DRIJFVEER not in everything_b_got
    assert ANNIE_ORGANISATION not in everything_b_got
    assert '"Annie"' not in everything_b_got
    # A phone that connects afresh (snapshot) gets the same: itself only.
    again = await RoomClient.connect(
        server.ws_url, a.state["workshop"]["id"], token=annie["token"], name="again"
    )
    assert list(again.state["participants"]) == [str(annie["participant_id"])]
    await again.close()

    # Authorship reaches a phone as "mine", never as anyone's id.
    for phone, who in ((a, annie), (b, bram)):
        for card in all_cards(phone):
            assert card["author_id"] is None and card["author_named"] is False
        for message in phone.messages:
            if message["type"] == "event" and "card" in message["event"]:
                assert message["event"]["card"]["author_id"] is None
        mine = {c["text"] for c in all_cards(phone) if c["mine"]}
        expected = {"Buurthuis dicht", ""} if who is annie else {"Geen bus meer op zondag"}
        assert mine == expected  # Annie's hidden card is hers, but its text is gone
    # Who is online, and how many: for the staff's screens, not for phones.
    for phone in (a, b):
        assert not [m for m in phone.messages if m["type"] in ("presence", "tally")]
    screen_presence = [m for m in room["screen"].messages if m["type"] == "presence"]
    assert screen_presence and all(m["participant_ids"] is None for m in screen_presence)
    for client in (room["fac"], room["screen"], a, b):
        await client.close()


async def test_the_projector_shows_no_drijfveer_no_author_and_no_hidden_text(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    room = await room_with_three(server, facilitator, workshop)
    screen, fac = room["screen"], room["fac"]
    seen = received(screen)
    for secret in (ANNIE_DRIJFVEER, BRAM_DRIJFVEER, ANNIE_ORGANISATION, BRAM_ORGANISATION):
        assert secret not in seen
    # The card was on the wall before the facilitator hid it; after that its text goes nowhere.
    for client in (screen, room["a"], room["b"]):
        assert _only_before_hiding(client), client.name
    hidden = screen.state["cards"][str(room["hidden_id"])]
    assert hidden["hidden"] and hidden["text"] == "" and hidden["image"] is None
    assert all(c["author_id"] is None and not c["mine"] for c in all_cards(screen))
    # A fresh projector (snapshot) gets the same: nothing hidden, nobody's details.
    again = await RoomClient.connect(
        server.ws_url, room["fac"].state["workshop"]["id"], token=_screen_token(room)
    )
    assert HIDDEN_TEXT not in received(again) and ANNIE_DRIJFVEER not in received(again)
    # The facilitator moderates, so the console still has the hidden card's text.
    assert fac.state["cards"][str(room["hidden_id"])]["text"] == HIDDEN_TEXT
    for client in (fac, screen, room["a"], room["b"], again):
        await client.close()


def _screen_token(room: dict[str, Any]) -> str:
    return room["screen_token"]


def _only_before_hiding(phone: RoomClient) -> bool:
    """The hidden text may have reached phones while it was visible, never after the hiding."""
    hid = False
    for message in phone.messages:
        text = json.dumps(message, ensure_ascii=False)
        if message["type"] == "event" and message["event"].get("card", {}).get("hidden"):
            hid = True
        elif hid and HIDDEN_TEXT in text:
            return False
    return True


async def test_the_console_names_only_authors_who_chose_a_name(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    room = await room_with_three(server, facilitator, workshop)
    fac, annie, bram = room["fac"], room["annie"], room["bram"]
    by_text = {c["text"]: c for c in all_cards(fac)}
    assert by_text["Buurthuis dicht"]["author_id"] == annie["participant_id"]
    assert by_text["Geen bus meer op zondag"]["author_id"] is None
    # Taking part anonymously means no organisation either, for anyone: it is not even stored.
    bram_seen = fac.state["participants"][str(bram["participant_id"])]
    assert bram_seen["display_name"] is None and bram_seen["organisation"] == ""
    assert BRAM_ORGANISATION not in received(fac)
    # The facilitator does see who is online and each person's drijfveer.
    assert bram_seen["drijfveer"] == BRAM_DRIJFVEER
    presences = [m for m in fac.messages if m["type"] == "presence"]
    assert sorted(presences[-1]["participant_ids"]) == sorted(
        [annie["participant_id"], bram["participant_id"]]
    )
    for client in (fac, room["screen"], room["a"], room["b"]):
        await client.close()


async def test_in_an_anonymous_workshop_not_even_the_facilitator_learns_who_wrote_what(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    settings = {**fac.state["workshop"]["settings"], "anonymous": True}
    await fac.command("workshop.configure", settings=settings)
    annie = join(server, workshop["join_code"], "Annie", "inwoner", organisation="Buurtzorg")
    a = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"], name="a")
    await goto(fac, "factoren")
    ack = await a.command("card.post", kind="factor", text="Buurthuis dicht")
    await fac.until_seq(ack["seq"])
    assert all(c["author_id"] is None for c in all_cards(fac))
    assert "Annie" not in received(fac) and "Buurtzorg" not in received(fac)
    assert [c["mine"] for c in all_cards(a)] == [True]
    await fac.close()
    await a.close()


async def test_private_events_leave_a_gap_that_prev_accounts_for(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    """Bram's own dots are not Annie's to see: her stream skips them, and says so with prev."""
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    bram = join(server, workshop["join_code"], "Bram", "beleid")
    a = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"], name="a")
    b = await RoomClient.connect(server.ws_url, workshop["id"], token=bram["token"], name="b")
    await goto(fac, "factoren")
    card = await a.command("card.post", kind="factor", text="Buurthuis dicht")
    await goto(fac, "prioriteren")
    await fac.command("vote.open")
    dot = await b.command("vote.cast", target_type="card", target_id=card["result"]["card_id"])
    ack = await fac.command("timer.start", seconds=60)
    await a.until_seq(ack["seq"])
    timer = next(
        m
        for m in a.messages
        if m["type"] == "event" and m["event"]["type"] == "timer.changed" and m["seq"] == ack["seq"]
    )
    # The event before the timer (Bram's dot, seq ack-1) never reached Annie; prev skips it.
    assert dot["seq"] == ack["seq"] - 1
    assert timer["prev"] == dot["seq"] - 1
    assert dot["seq"] not in a.seqs
    for client in (fac, a, b):
        await client.close()


async def test_a_resume_larger_than_the_send_queue_becomes_a_snapshot(make_server: Any):
    """A phone cut off (4008) can always come back: a replay that would overflow is a snapshot."""
    server = make_server(ATELIER_SEND_QUEUE_SIZE="40")
    server.start()
    from tests.support.server import facilitator_with_workshop

    fac_http, workshop = facilitator_with_workshop(server)
    fac = await facilitator_client(server, workshop, fac_http.cookie_header)
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    a = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"], name="a")
    state, seq, epoch = a.state, a.last_seq, a.epoch
    await a.close()
    await goto(fac, "factoren")
    last = None
    for n in range(30):
        last = await fac.command("card.post", kind="factor", text=f"Kaart {n}")
    assert last is not None
    back = await RoomClient.connect(
        server.ws_url,
        workshop["id"],
        token=annie["token"],
        last_seq=seq,
        state=state,
        epoch=epoch,
        name="a2",
    )
    assert back.snapshot is not None and back.snapshot["recovered"] is False
    assert back.close_code is None and back.last_seq >= last["seq"]
    assert len(back.state["cards"]) == 30
    await back.close()
    await fac.close()
    fac_http.close()


async def open_vote_with_one_dot(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> tuple[RoomClient, RoomClient, int, int]:
    """Annie posts two factors and puts a dot on the first while the vote is open."""
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    a = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"], name="a")
    await goto(fac, "factoren")
    voted = (await a.command("card.post", kind="factor", text="Met stip"))["result"]["card_id"]
    unvoted = (await a.command("card.post", kind="factor", text="Zonder stip"))["result"]["card_id"]
    await goto(fac, "prioriteren")
    await fac.command("vote.open")
    await a.command("vote.cast", target_type="card", target_id=voted)
    return fac, a, voted, unvoted


async def test_the_secret_ballot_freezes_every_target_alike(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac, a, voted, unvoted = await open_vote_with_one_dot(server, facilitator, workshop)
    answers = []
    for card_id in (voted, unvoted):
        for client, command in ((a, "card.withdraw"), (fac, "card.withdraw")):
            with pytest.raises(Rejected) as refused:
                await client.command(command, card_id=card_id)
            answers.append((refused.value.code, refused.value.error["message"]))
        with pytest.raises(Rejected) as refused:
            await fac.command("card.merge", card_id=card_id, into_id=voted ^ unvoted ^ card_id)
        answers.append((refused.value.code, refused.value.error["message"]))
    # Same answer whether or not the target has dots: nothing to learn from refusals.
    assert answers[:3] == answers[3:] and {code for code, _ in answers} == {"vote_open"}

    # Leaving the phase asks first; closing the vote puts it in the log before the phase changes.
    with pytest.raises(Rejected) as refused:
        await goto_ack(fac, "waarom")
    assert refused.value.code == "open_items"
    ack = await goto_ack(fac, "waarom", open_items="close")
    events = [m["event"] for m in fac.messages if m["type"] == "event"]
    kinds = [e["type"] for e in events]
    closed_at = kinds.index("vote.closed")
    assert kinds[closed_at + 1] == "phase.changed"
    assert events[closed_at]["vote"]["results"][0]["target_id"] == voted
    assert not any(v["is_open"] for v in fac.state["votes"].values())
    assert ack["result"]["phase_index"] == fac.state["workshop"]["phase_index"]
    for client in (fac, a):
        await client.close()


async def goto_ack(facilitator: RoomClient, phase: str, **fields: Any) -> dict[str, Any]:
    agenda = facilitator.state["workshop"]["agenda"]  # type: ignore[index]
    return await facilitator.command("phase.set", index=agenda.index(phase), **fields)


async def test_after_a_vote_closes_a_voted_card_says_in_use_and_an_unvoted_one_goes(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    """Once results are public, refusing only voted targets reveals nothing more."""
    fac, a, voted, unvoted = await open_vote_with_one_dot(server, facilitator, workshop)
    await fac.command("vote.close")
    with pytest.raises(Rejected) as refused:
        await fac.command("card.withdraw", card_id=voted)
    assert refused.value.code == "in_use"
    await fac.command("card.withdraw", card_id=unvoted)
    for client in (fac, a):
        await client.close()


async def test_leaving_closes_every_socket_of_that_person_at_once(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    phone = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"])
    tablet = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"])
    ack = await phone.command("participant.leave")
    assert ack["type"] == "ack"
    assert await tablet.closed() == 4010
    assert await phone.closed() == 4010
    # The token no longer opens the room.
    again = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"])
    assert await again.closed() == 4001
    await fac.close()


async def test_the_facilitator_can_remove_a_participant_and_their_sockets_close(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    bram = join(server, workshop["join_code"], "Bram", "beleid")
    phones = [
        await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"])
        for _ in range(2)
    ]
    b = await RoomClient.connect(server.ws_url, workshop["id"], token=bram["token"])
    # A participant cannot remove anyone.
    with pytest.raises(Rejected) as refused:
        await b.command("participant.remove", participant_id=annie["participant_id"])
    assert refused.value.code == "forbidden"
    ack = await fac.command("participant.remove", participant_id=annie["participant_id"])
    for phone in phones:
        assert await phone.closed() == 4011
    await fac.until_seq(ack["seq"])
    assert fac.state["participants"][str(annie["participant_id"])]["left"] is True
    # Bram's phone never knew Annie was there, so it is not told she left; it stays open.
    assert str(annie["participant_id"]) not in b.state["participants"]
    assert b.close_code is None
    again = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"])
    assert await again.closed() == 4001
    with pytest.raises(Rejected) as twice:
        await fac.command("participant.remove", participant_id=annie["participant_id"])
    assert twice.value.code == "gone"
    for client in (fac, b):
        await client.close()


async def test_a_renewed_screen_link_disconnects_the_old_projector(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    old = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="old"
    )
    renewed = facilitator.post(f"/api/workshops/{workshop['id']}/screen-token", {})
    assert await old.closed() == 4003
    stale = await RoomClient.connect(server.ws_url, workshop["id"], token=workshop["screen_token"])
    assert await stale.closed() == 4001
    fresh = await RoomClient.connect(server.ws_url, workshop["id"], token=renewed["screen_token"])
    assert fresh.close_code is None and fresh.state is not None
    await fresh.close()


async def test_deleting_a_workshop_disconnects_everyone_in_it(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    phone = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"])
    screen = await RoomClient.connect(server.ws_url, workshop["id"], token=workshop["screen_token"])
    response = facilitator.http.delete(f"/api/workshops/{workshop['id']}")
    assert response.status_code == 204
    for client in (phone, screen):
        assert await client.closed() == 4004


async def test_one_token_keeps_at_most_a_few_sockets_the_newest_win(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    sockets = [
        await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"], name=f"s{n}")
        for n in range(6)
    ]
    for old in sockets[:2]:
        assert await old.closed() == 4009
    for kept in sockets[2:]:
        assert kept.close_code is None
        await kept.close()


async def test_the_command_budget_is_per_participant_across_sockets_and_counts_every_frame(
    make_server: Any,
):
    server = make_server(ATELIER_FRAMES_BURST="6", ATELIER_FRAMES_PER_SECOND="0.01")
    server.start()
    from tests.support.server import facilitator_with_workshop

    fac_http, workshop = facilitator_with_workshop(server)
    fac = await facilitator_client(server, workshop, fac_http.cookie_header)
    await goto(fac, "factoren")
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    one = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"], name="x")
    two = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"], name="y")
    # Pings and garbage count too: three of them leave three of the six frames.
    await one.send({"type": "ping"})
    await two.send("not json")
    await one.send({"type": "ping"})
    await one.wait_for(lambda m: m["type"] == "pong")
    outcomes = []
    for n in range(6):
        client = (one, two)[n % 2]
        try:
            await client.command("card.post", kind="factor", text=f"Kaart {n}")
            outcomes.append("ack")
        except Rejected as refused:
            outcomes.append(refused.code)
    assert outcomes == ["ack"] * 3 + ["rate_limited"] * 3
    assert len(fac.state["cards"]) <= 3
    for client in (fac, one, two):
        await client.close()
    fac_http.close()


async def test_json_nested_too_deep_is_an_error_not_a_crash(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    deep = "[" * 5000 + "]" * 5000
    before_hello = await RoomClient.connect(server.ws_url, workshop["id"], hello=False)
    await before_hello.send(deep)
    error = await before_hello.wait_for(lambda m: m["type"] == "error")
    assert error["code"] == "bad_json"
    assert await before_hello.closed() == 1008
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    after = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"])
    await after.send(deep)
    error = await after.wait_for(lambda m: m["type"] == "error")
    assert error["code"] == "bad_json"
    await after.send({"type": "ping"})
    await after.wait_for(lambda m: m["type"] == "pong")
    assert "Traceback" not in server.log()
    await after.close()
    assert httpx.get(f"{server.url}/healthz").status_code == 200


async def test_the_phone_page_carries_only_what_the_phone_may_see(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    """The room state rendered into the phone page follows the same rule as the socket."""
    room = await room_with_three(server, facilitator, workshop)
    cookie = {f"atelier_participant_{workshop['id']}": room["bram"]["token"]}
    page = httpx.get(f"{server.url}/w/{workshop['id']}", cookies=cookie, timeout=10)
    assert page.status_code == 200
    assert BRAM_DRIJFVEER in page.text  # his own
    for secret in (ANNIE_DRIJFVEER, ANNIE_ORGANISATION, HIDDEN_TEXT):
        assert secret not in page.text
    assert f'"author_id": {room["annie"]["participant_id"]}' not in page.text
    assert '"author_id":' + str(room["annie"]["participant_id"]) not in page.text
    for client in (room["fac"], room["screen"], room["a"], room["b"]):
        await client.close()


async def test_logging_out_closes_the_facilitators_open_sockets(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    console = await facilitator_client(server, workshop, facilitator.cookie_header)
    assert console.welcome is not None and console.welcome["role"] == "facilitator"
    assert facilitator.http.delete("/api/session").status_code == 204
    assert await console.closed() == 4001


async def test_another_process_closes_its_sockets_when_a_credential_ends_elsewhere(
    make_server: Any,
):
    """Two server processes on one database: what one revokes, the other stops serving soon."""
    fast = {"ATELIER_SESSION_RECHECK_SECONDS": "1", "ATELIER_ROOM_POLL_SECONDS": "0.5"}
    first = make_server(**fast)
    first.start()
    from tests.support.server import facilitator_with_workshop

    fac_http, workshop = facilitator_with_workshop(first)
    second = make_server(**fast)
    second.start()
    console = await RoomClient.connect(
        second.ws_url, workshop["id"], cookie=fac_http.cookie_header, name="console"
    )
    screen = await RoomClient.connect(
        second.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    assert console.welcome["role"] == "facilitator" and screen.welcome["role"] == "screen"
    fac_http.post(f"/api/workshops/{workshop['id']}/screen-token", {})
    assert await screen.closed() == 4003
    assert console.close_code is None
    assert fac_http.http.delete("/api/session").status_code == 204
    assert await console.closed() == 4001
    fac_http.close()
