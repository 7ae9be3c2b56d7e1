"""The room at work: moving many cards, phones' suggestions, the projector's view, rounds that
reveal at close, agreement per group, and leaving a phase with something still open.

Real server, real sockets: a console, a projector and phones, each checked on what it received.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.realtime.helpers import facilitator_client, goto, participant_clients
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server, facilitator_with_workshop

pytestmark = pytest.mark.anyio


async def refused(client: RoomClient, code: str, type_: str, **fields: Any) -> dict[str, Any]:
    with pytest.raises(Rejected) as caught:
        await client.command(type_, **fields)
    assert caught.value.code == code, caught.value.error
    return caught.value.error


async def open_room(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any], **settings: Any
) -> tuple[RoomClient, RoomClient, list[RoomClient]]:
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    if settings:
        current = fac.state["workshop"]["settings"]  # type: ignore[index]
        await fac.command("workshop.configure", settings={**current, **settings})
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    phones = await participant_clients(server, workshop)
    return fac, screen, phones


async def post_factors(phones: list[RoomClient], count: int) -> list[int]:
    ids = []
    for n in range(count):
        ack = await phones[n % len(phones)].command(
            "card.post", kind="factor", text=f"Factor nummer {n}"
        )
        ids.append(ack["result"]["card_id"])
    return ids


async def everyone_at(clients: list[RoomClient], seq: int | None) -> None:
    assert seq is not None
    for client in clients:
        await client.until_seq(seq)


async def settle(fac: RoomClient, clients: list[RoomClient]) -> None:
    """Wait until ``clients`` have everything before now, also when its last events were not
    for them (facilitator-only): a visible event sent after it is the barrier."""
    barrier = await fac.command("timer.start", seconds=60)
    await everyone_at(clients, barrier["seq"])


async def test_moving_many_cards_and_unmerging(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac, screen, phones = await open_room(server, facilitator, workshop)
    await goto(fac, "factoren")
    ids = await post_factors(phones, 12)
    merged = await fac.command("card.merge", card_id=ids[1], into_id=ids[0])
    await everyone_at([screen], merged["seq"])
    assert screen.state["cards"][str(ids[1])]["merged_into_id"] == ids[0]  # type: ignore[index]
    apart = await fac.command("card.unmerge", card_id=ids[1])
    await everyone_at([screen, phones[1]], apart["seq"])
    assert screen.state["cards"][str(ids[1])]["merged_into_id"] is None  # type: ignore[index]
    await refused(fac, "invalid", "card.unmerge", card_id=ids[1])

    await goto(fac, "clusteren")
    cluster = (await fac.command("cluster.create", title="Ontmoeten"))["result"]["cluster_id"]
    moved = await fac.command("cluster.move", card_ids=ids[:10], cluster_id=cluster)
    assert moved["result"] == {"moved": 10}
    await everyone_at([screen, *phones], moved["seq"])
    for client in (screen, *phones):
        in_cluster = [c for c in client.state["cards"].values() if c["cluster_id"] == cluster]  # type: ignore[union-attr]
        assert len(in_cluster) == 10
    again = await fac.command("cluster.move", card_ids=ids[:12], cluster_id=cluster)
    assert again["result"] == {"moved": 2}, "only the cards that were elsewhere move"
    await refused(fac, "invalid", "cluster.move", card_ids=ids[:3], cluster_id=cluster)
    back = await fac.command("cluster.move", card_ids=ids[:3], cluster_id=None)
    assert back["result"] == {"moved": 3}
    # Bad input changes nothing: a foreign card, an unknown cluster, a phone, an empty list.
    before = fac.last_seq
    await refused(fac, "not_found", "cluster.move", card_ids=[ids[5], 99999], cluster_id=None)
    await refused(fac, "not_found", "cluster.move", card_ids=[ids[5]], cluster_id=99999)
    await refused(phones[0], "forbidden", "cluster.move", card_ids=[ids[5]], cluster_id=None)
    await refused(fac, "invalid", "cluster.move", card_ids=[], cluster_id=None)
    await refused(phones[0], "forbidden", "cluster.create", title="Zelf geclusterd")
    assert fac.last_seq == before


async def test_placing_many_cards_each_in_its_own_cluster_is_one_step(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    """``cluster.place`` (the console's "Plaats alle zekere"): all of them or none."""
    fac, screen, phones = await open_room(server, facilitator, workshop)
    await goto(fac, "factoren")
    ids = await post_factors(phones, 8)
    hidden, merged = ids[6], ids[7]
    await fac.command("card.hide", card_id=hidden, hidden=True)
    await fac.command("card.merge", card_id=merged, into_id=ids[5])
    # Another workshop's card and cluster.
    stranger, theirs = facilitator_with_workshop(server)
    their_desk = await facilitator_client(server, theirs, stranger.cookie_header)
    their_phones = await participant_clients(server, theirs, [("Dirk", "inwoner")])
    await goto(their_desk, "factoren")
    their_card = (
        await their_phones[0].command("card.post", kind="factor", text="Elders geschreven")
    )["result"]["card_id"]
    await goto(their_desk, "clusteren")
    their_cluster = (await their_desk.command("cluster.create", title="Elders"))["result"][
        "cluster_id"
    ]

    one = [{"card_id": ids[0], "cluster_id": their_cluster}]
    await refused(fac, "wrong_phase", "cluster.place", placements=one)
    await goto(fac, "clusteren")
    first = (await fac.command("cluster.create", title="Eerste", card_ids=[ids[0]]))["result"][
        "cluster_id"
    ]
    second = (await fac.command("cluster.create", title="Tweede", card_ids=[ids[1]]))["result"][
        "cluster_id"
    ]
    place = [
        {"card_id": ids[2], "cluster_id": first},
        {"card_id": ids[3], "cluster_id": second},
        {"card_id": ids[4], "cluster_id": first},
    ]
    # Bad input changes nothing, and a phone may not place.
    before = fac.last_seq
    for bad, code in [
        ([*place, {"card_id": 99_999, "cluster_id": first}], "not_found"),
        ([*place, {"card_id": ids[5], "cluster_id": 99_999}], "not_found"),
        ([*place, {"card_id": their_card, "cluster_id": first}], "not_found"),
        ([*place, {"card_id": ids[5], "cluster_id": their_cluster}], "not_found"),
        ([*place, {"card_id": hidden, "cluster_id": first}], "invalid"),
        ([*place, {"card_id": merged, "cluster_id": first}], "invalid"),
        ([*place, {"card_id": ids[2], "cluster_id": second}], "invalid"),  # one card, two places
        ([], "invalid"),
    ]:
        await refused(fac, code, "cluster.place", placements=bad)
    await refused(phones[0], "forbidden", "cluster.place", placements=place)
    await refused(their_desk, "not_found", "cluster.place", placements=place)
    await settle(fac, [screen, *phones])
    assert fac.last_seq == before + 1  # only the barrier
    for client in (fac, screen, *phones):
        assert [c["cluster_id"] for c in (client.state["cards"][str(i)] for i in ids[2:5])] == [  # type: ignore[index]
            None,
            None,
            None,
        ]

    placed = await fac.command("cluster.place", placements=place)
    assert placed["result"] == {"moved": 3}
    await everyone_at([screen, *phones], placed["seq"])
    for client in (fac, screen, *phones):
        cards = client.state["cards"]  # type: ignore[index]
        assert [cards[str(i)]["cluster_id"] for i in ids[2:5]] == [first, second, first]
    # Again with one more: only what is elsewhere moves; all already there is refused.
    again = await fac.command(
        "cluster.place", placements=[*place, {"card_id": ids[5], "cluster_id": second}]
    )
    assert again["result"] == {"moved": 1}
    await refused(fac, "invalid", "cluster.place", placements=place)
    # The console's undo of the step: one cluster.move back to the pool.
    back = await fac.command("cluster.move", card_ids=[*ids[2:6]], cluster_id=None)
    assert back["result"] == {"moved": 4}
    for client in [fac, screen, *phones, their_desk, *their_phones]:
        await client.close()
    stranger.close()


async def test_phones_suggest_and_only_the_console_hears_it(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac, screen, phones = await open_room(server, facilitator, workshop)
    annie, bram, chantal = phones[:3]
    await goto(fac, "factoren")
    ids = await post_factors(phones, 6)
    await goto(fac, "clusteren")
    cluster = (await fac.command("cluster.create", title="Vervoer", card_ids=[ids[0]]))["result"][
        "cluster_id"
    ]
    target = {"kind": "cluster", "id": cluster}
    # The setting is off: phones may not suggest.
    await refused(annie, "forbidden", "suggestion.make", card_id=ids[1], target=target)

    current = fac.state["workshop"]["settings"]  # type: ignore[index]
    await fac.command("workshop.configure", settings={**current, "participants_cluster": True})
    first = await annie.command("suggestion.make", card_id=ids[1], target=target)
    second = await bram.command("suggestion.make", card_id=ids[1], target=target)
    assert first["result"] == second["result"], "the same suggestion is counted, not repeated"
    suggestion_id = first["result"]["suggestion_id"]
    await everyone_at([fac], second["seq"])
    assert fac.state["suggestions"][str(suggestion_id)]["count"] == 2  # type: ignore[index]
    # Nonsense is refused and changes nothing.
    await refused(annie, "invalid", "suggestion.make", card_id=ids[0], target=target)
    await refused(
        annie, "invalid", "suggestion.make", card_id=ids[2], target={"kind": "card", "id": ids[2]}
    )
    await refused(
        annie, "not_found", "suggestion.make", card_id=ids[2], target={"kind": "cluster", "id": 999}
    )
    await refused(annie, "forbidden", "suggestion.decide", suggestion_id=suggestion_id, accept=True)

    accepted = await fac.command("suggestion.decide", suggestion_id=suggestion_id, accept=True)
    assert accepted["result"] == {"cluster_id": cluster}
    await settle(fac, [screen])
    assert screen.state["cards"][str(ids[1])]["cluster_id"] == cluster  # type: ignore[index]
    assert fac.state["suggestions"][str(suggestion_id)]["status"] == "accepted"  # type: ignore[index]
    await refused(fac, "invalid", "suggestion.decide", suggestion_id=suggestion_id, accept=False)

    # Two loose cards: accepting makes a new cluster with both, titled from the target card.
    pair = await chantal.command(
        "suggestion.make", card_id=ids[3], target={"kind": "card", "id": ids[4]}
    )
    made = await fac.command(
        "suggestion.decide", suggestion_id=pair["result"]["suggestion_id"], accept=True
    )
    new_cluster = made["result"]["cluster_id"]
    await settle(fac, [screen])
    assert screen.state["clusters"][str(new_cluster)]["title"] == "Factor nummer 4"  # type: ignore[index]
    together = {c["id"] for c in screen.state["cards"].values() if c["cluster_id"] == new_cluster}  # type: ignore[union-attr]
    assert together == {ids[3], ids[4]}

    # Declining moves nothing.
    no = await bram.command("suggestion.make", card_id=ids[5], target=target)
    await fac.command(
        "suggestion.decide", suggestion_id=no["result"]["suggestion_id"], accept=False
    )
    # Only the console heard any of it.
    await settle(fac, [screen, *phones])
    assert screen.state["cards"][str(ids[5])]["cluster_id"] is None  # type: ignore[index]
    for client in (screen, *phones):
        assert client.state["suggestions"] == {}  # type: ignore[index]
        assert '"type": "suggestion.' not in json.dumps(client.messages), client.name


async def test_the_console_steers_the_projector(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac, screen, phones = await open_room(server, facilitator, workshop)
    await goto(fac, "factoren")
    ids = await post_factors(phones, 3)
    hidden = await fac.command("card.hide", card_id=ids[2], hidden=True)
    held = await fac.command("screen.view", page=2, focus=None)
    await everyone_at([screen], held["seq"])
    assert screen.state["workshop"]["screen"] == {"page": 2, "focus": None, "heard": None}  # type: ignore[index]
    focus = {"kind": "card", "id": ids[0]}
    shown = await fac.command("screen.view", page=None, focus=focus)
    await everyone_at([screen], shown["seq"])
    assert screen.state["workshop"]["screen"] == {"page": None, "focus": focus, "heard": None}  # type: ignore[index]
    before = fac.last_seq
    await refused(fac, "invalid", "screen.view", page=None, focus={"kind": "card", "id": ids[2]})
    await refused(fac, "not_found", "screen.view", page=None, focus={"kind": "cluster", "id": 9})
    await refused(fac, "invalid", "screen.view", page=-1, focus=None)
    await refused(phones[0], "forbidden", "screen.view", page=1, focus=None)
    await refused(screen, "forbidden", "screen.view", page=1, focus=None)
    assert fac.last_seq == before and hidden["seq"] < before
    # A new phase starts on the projector's own paging.
    await goto(fac, "consequenties")
    await everyone_at([screen], fac.last_seq)
    assert screen.state["workshop"]["screen"] == {"page": None, "focus": None, "heard": None}  # type: ignore[index]


async def test_leaving_a_phase_with_a_vote_open_asks_first(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac, screen, phones = await open_room(server, facilitator, workshop)
    await goto(fac, "prioriteren")
    error = await refused(fac, "nothing_to_vote", "vote.open")
    assert "nothing to vote on" in error["message"]
    await goto(fac, "factoren")
    ids = await post_factors(phones, 3)
    await goto(fac, "prioriteren")
    vote = (await fac.command("vote.open"))["result"]["vote_id"]
    cast = await phones[0].command("vote.cast", target_type="card", target_id=ids[0])
    agenda = fac.state["workshop"]["agenda"]  # type: ignore[index]
    before = fac.last_seq
    error = await refused(fac, "open_items", "phase.set", index=agenda.index("waarom"))
    assert "dot vote is still open" in error["message"] and fac.last_seq == before
    gone = await fac.command("phase.set", index=agenda.index("waarom"), open_items="cancel")
    await everyone_at([screen, phones[0]], gone["seq"])
    assert str(vote) not in screen.state["votes"]  # type: ignore[operator]
    assert phones[0].state["my_dots"] == {} and cast["seq"]  # type: ignore[index]
    # Back again: a vote left with "close" is counted, in the log, before the phase changes.
    await fac.command("phase.set", index=agenda.index("prioriteren"))
    await fac.command("vote.open")
    await phones[1].command("vote.cast", target_type="card", target_id=ids[1])
    closed = await fac.command("phase.set", index=agenda.index("waarom"), open_items="close")
    await everyone_at([screen], closed["seq"])
    (kept,) = screen.state["votes"].values()  # type: ignore[union-attr]
    assert kept["results"] == [{"target_type": "card", "target_id": ids[1], "dots": 1}]


async def test_a_round_reveals_at_close_and_per_group_only_for_large_groups(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    people = [(f"Inwoner{n}", "inwoner") for n in range(4)] + [
        (f"Beleid{n}", "beleid") for n in range(3)
    ]
    people.append(("Eenling", "ketenpartner"))
    phones = await participant_clients(server, workshop, people)
    await goto(fac, "waarom")
    proposal = (await phones[0].command("proposal.create", kind="waarom", text="Samen"))["result"][
        "proposal_id"
    ]
    round_id = (await fac.command("round.open", kind="waarom"))["result"]["round_id"]
    scores = [5, 5, 4, 1, 2, 2, 3, 5]
    for phone, score in zip(phones, scores, strict=True):
        last = await phone.command(
            "rating.give",
            round_id=round_id,
            proposal_id=proposal,
            score=score,
            reason="Te vaag" if score == 1 else "",
        )
    await everyone_at([fac, screen, *phones], last["seq"])
    key = str(round_id)
    for client in (screen, *phones):
        round_ = client.state["rounds"][key]  # type: ignore[index]
        assert round_["figures"] == {} and round_["raters"] == 8, client.name
        assert round_["reveal"] == "at_close"
    live = fac.state["rounds"][key]["figures"][str(proposal)]  # type: ignore[index]
    assert live["raters"] == 8
    closed = await fac.command("round.close", round_id=round_id)
    await everyone_at([screen, *phones], closed["seq"])
    figures = screen.state["rounds"][key]["figures"][str(proposal)]  # type: ignore[index]
    assert figures == phones[7].state["rounds"][key]["figures"][str(proposal)]  # type: ignore[index]
    # inwoner 5,5,4,1 → 3 of 4 agree, 1 objection; beleid 2,2,3 plus the lone ketenpartner's 5
    # pooled as "overige groepen" (a group of one is never shown on its own).
    assert figures["by_group"] == [
        {"group": "inwoner", "raters": 4, "agree_share": 0.75, "objections": 1},
        {"group": "overige groepen", "raters": 4, "agree_share": 0.25, "objections": 0},
    ]
    assert "ketenpartner" not in json.dumps(figures)


async def test_a_live_round_shows_the_room_its_figures(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac, screen, phones = await open_room(server, facilitator, workshop)
    await goto(fac, "waarom")
    proposal = (await phones[0].command("proposal.create", kind="waarom", text="Samen"))["result"][
        "proposal_id"
    ]
    round_id = (await fac.command("round.open", kind="waarom", reveal="live"))["result"]["round_id"]
    rated = await phones[1].command("rating.give", round_id=round_id, proposal_id=proposal, score=4)
    await everyone_at([screen], rated["seq"])
    figures = screen.state["rounds"][str(round_id)]["figures"][str(proposal)]  # type: ignore[index]
    assert figures["raters"] == 1 and figures["by_group"] == [], "one rater: no breakdown"
    # Leaving with the round open asks first; cancel discards it and the phones' own ratings.
    agenda = fac.state["workshop"]["agenda"]  # type: ignore[index]
    await refused(fac, "open_items", "phase.set", index=agenda.index("opgave"))
    gone = await fac.command("phase.set", index=agenda.index("opgave"), open_items="cancel")
    await everyone_at([screen, phones[1]], gone["seq"])
    assert screen.state["rounds"] == {} and phones[1].state["my_ratings"] == {}  # type: ignore[index]
