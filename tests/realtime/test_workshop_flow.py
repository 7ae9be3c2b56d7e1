"""A whole workshop over a real server and real sockets: lobby to saved vertrekpunt."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.realtime.helpers import facilitator_client, goto, participant_clients
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio


async def test_full_workshop(server: Server, facilitator: Facilitator, workshop: dict[str, Any]):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    people = await participant_clients(server, workshop)
    annie, bram, chantal, dirk, esra = people
    assert fac.welcome["role"] == "facilitator"
    assert screen.welcome["role"] == "screen"
    assert annie.welcome["role"] == "participant"

    # Lobby: the room sees who joined, per stakeholder group (presence is live, not logged).
    presence = await screen.wait_for(lambda m: m["type"] == "presence" and m["participants"] == 5)
    assert presence["by_group"] == {
        "beleid": 1,
        "ervaringsdeskundige": 1,
        "inwoner": 2,
        "ketenpartner": 1,
    }
    await screen.wait_for(lambda _m: len(screen.state["participants"]) == 5)

    # Beelden
    await goto(fac, "beelden")
    beeld = await annie.command("card.post", kind="beeld", text="Een bankje in het park, leeg")
    beeld2 = await bram.command("card.post", kind="beeld", text="Deurbel die niemand meer gebruikt")
    with pytest.raises(Rejected) as refused:
        await chantal.command("card.post", kind="factor", text="te vroeg")
    assert refused.value.code == "wrong_phase"

    # Factoren
    await goto(fac, "factoren")
    f1 = await chantal.command("card.post", kind="factor", text="Buurthuis is gesloten")
    f2 = await dirk.command("card.post", kind="factor", text="Kinderen wonen ver weg")
    f3 = await esra.command("card.post", kind="factor", text="Geen vervoer op zondag")
    dup = await annie.command("card.post", kind="factor", text="Het buurthuis ging dicht")
    await annie.command(
        "card.edit", card_id=dup["result"]["card_id"], text="Buurthuis dicht sinds 2023"
    )
    await fac.command(
        "card.merge", card_id=dup["result"]["card_id"], into_id=f1["result"]["card_id"]
    )

    # Consequenties, linked to factoren
    await goto(fac, "consequenties")
    c1 = await bram.command(
        "card.post",
        kind="consequentie",
        text="Dagen zonder een gesprek",
        world="leefwereld",
        factor_ids=[f1["result"]["card_id"], f2["result"]["card_id"]],
    )
    c2 = await esra.command(
        "card.post",
        kind="consequentie",
        text="Meer vraag naar thuiszorg",
        world="systeemwereld",
        factor_ids=[f3["result"]["card_id"]],
    )

    # Clusteren + tags
    await goto(fac, "clusteren")
    cl1 = await fac.command(
        "cluster.create",
        title="Ontmoeten",
        card_ids=[f1["result"]["card_id"], c1["result"]["card_id"], beeld["result"]["card_id"]],
    )
    cl2 = await fac.command(
        "cluster.create", title="Bereikbaarheid", card_ids=[f3["result"]["card_id"]]
    )
    await fac.command(
        "cluster.assign", card_id=c2["result"]["card_id"], cluster_id=cl2["result"]["cluster_id"]
    )
    await fac.command("cluster.tag", cluster_id=cl1["result"]["cluster_id"], tags=["angel"])
    await fac.command("card.tag", card_id=f2["result"]["card_id"], tags=["kiem"])
    await fac.command("cluster.tag", cluster_id=cl2["result"]["cluster_id"], tags=["hefboom"])
    with pytest.raises(Rejected) as refused:
        await annie.command("cluster.create", title="Mag niet")
    assert refused.value.code == "forbidden"

    # Prioriteren: dots hidden until the vote closes; tallies coalesced.
    await goto(fac, "prioriteren")
    vote = await fac.command("vote.open", budget=3)
    target = {"target_type": "cluster", "target_id": cl1["result"]["cluster_id"]}
    other = {"target_type": "cluster", "target_id": cl2["result"]["cluster_id"]}
    for person in people:
        await person.command("vote.cast", **target)
    await annie.command("vote.cast", **other)
    await bram.command("vote.cast", **other)
    tally = await screen.wait_for(lambda m: m["type"] == "tally" and m["dots"] == 7)
    assert tally["voters"] == 5
    assert screen.state["votes"][str(vote["result"]["vote_id"])]["results"] is None
    assert annie.state["my_dots"][str(vote["result"]["vote_id"])] == [
        {"target_type": "cluster", "target_id": cl1["result"]["cluster_id"], "count": 1},
        {"target_type": "cluster", "target_id": cl2["result"]["cluster_id"], "count": 1},
    ]
    assert screen.state["my_dots"] == {}
    await fac.command("vote.close")
    await screen.until_seq(fac.last_seq)
    results = screen.state["votes"][str(vote["result"]["vote_id"])]["results"]
    assert results[0] == {**target, "dots": 5}
    assert results[1] == {**other, "dots": 2}

    # Waarom: round 1 does not converge; an amendment converges in round 2.
    await goto(fac, "waarom")
    w1 = await chantal.command(
        "proposal.create",
        kind="waarom",
        text="Iedereen hoort erbij.",
        cited_card_ids=[c1["result"]["card_id"], beeld["result"]["card_id"]],
    )
    r1 = await fac.command("round.open", kind="waarom", reveal="live")
    w1_id = w1["result"]["proposal_id"]
    for person, score in zip(people, [5, 4, 3, 2, 1], strict=True):
        reason = "Te vaag, zegt niets over ontmoeten" if score == 1 else ""
        await person.command(
            "rating.give",
            round_id=r1["result"]["round_id"],
            proposal_id=w1_id,
            score=score,
            reason=reason,
        )
    await fac.command("round.close", round_id=r1["result"]["round_id"])
    await screen.until_seq(fac.last_seq)
    figures = screen.state["rounds"][str(r1["result"]["round_id"])]["figures"][str(w1_id)]
    assert figures["converged"] is False
    assert figures["counts"] == [1, 1, 1, 1, 1]
    assert figures["objection_reasons"] == ["Te vaag, zegt niets over ontmoeten"]
    w2 = await chantal.command(
        "proposal.amend",
        proposal_id=w1_id,
        text="Iedere oudere in onze gemeente heeft iemand om mee te praten en een plek om te komen.",
        cited_card_ids=[c1["result"]["card_id"], f1["result"]["card_id"]],
    )
    r2 = await fac.command("round.open", kind="waarom", reveal="live")
    w2_id = w2["result"]["proposal_id"]
    for person, score in zip(people, [5, 5, 4, 4, 3], strict=True):
        await person.command(
            "rating.give", round_id=r2["result"]["round_id"], proposal_id=w2_id, score=score
        )
    round2 = await screen.wait_for(
        lambda m: (
            m["type"] == "event"
            and m["event"]["type"] == "round.updated"
            and m["event"]["round"]["figures"].get(str(w2_id), {}).get("raters") == 5
        )
    )
    assert round2["event"]["round"]["figures"][str(w2_id)]["converged"] is True
    await fac.command("round.close", round_id=r2["result"]["round_id"])
    await fac.command("proposal.adopt", proposal_id=w2_id)

    # Opgave: the same, with scope and core themes.
    await goto(fac, "opgave")
    scope = {
        "in_scope": ["ontmoeting in de wijk", "vervoer naar activiteiten"],
        "out_of_scope": ["zorgindicaties"],
        "core_themes": ["ontmoeten", "bereikbaarheid"],
    }
    o1 = await esra.command(
        "proposal.create",
        kind="opgave",
        text="Minder eenzaamheid.",
        cited_card_ids=[c2["result"]["card_id"]],
        **scope,
    )
    r3 = await fac.command("round.open", kind="opgave", reveal="live")
    for person, score in zip(people, [4, 3, 3, 2, 4], strict=True):
        await person.command(
            "rating.give",
            round_id=r3["result"]["round_id"],
            proposal_id=o1["result"]["proposal_id"],
            score=score,
        )
    await fac.command("round.close", round_id=r3["result"]["round_id"])
    with pytest.raises(Rejected) as refused:
        await fac.command("proposal.adopt", proposal_id=o1["result"]["proposal_id"])
    assert refused.value.code == "reason_required"
    o2 = await fac.command(
        "proposal.amend",
        proposal_id=o1["result"]["proposal_id"],
        text="Samen met inwoners zorgen dat ouderen in drie wijken elkaar weer ontmoeten.",
        cited_card_ids=[c2["result"]["card_id"], f3["result"]["card_id"]],
        **scope,
    )
    r4 = await fac.command("round.open", kind="opgave", reveal="live")
    for person in people:
        await person.command(
            "rating.give",
            round_id=r4["result"]["round_id"],
            proposal_id=o2["result"]["proposal_id"],
            score=5,
        )
    await fac.command("round.close", round_id=r4["result"]["round_id"])
    await fac.command("proposal.adopt", proposal_id=o2["result"]["proposal_id"])

    # Afronding: save the vertrekpunt on the trajectory.
    await goto(fac, "afronding")
    saved = await fac.command("vertrekpunt.save")
    await asyncio.gather(*(p.until_seq(fac.last_seq) for p in [screen]))
    assert screen.state["vertrekpunt_id"] == saved["result"]["vertrekpunt_id"]

    trajectory = facilitator.get(f"/api/trajectories/{workshop['trajectory_id']}")
    record = trajectory["vertrekpunt"]["record"]
    assert record["waarom"]["text"].startswith("Iedere oudere")
    assert record["waarom"]["adopted_reason"] is None
    assert [r["round"] for r in record["waarom"]["rounds"]] == [1, 2]
    assert [r["converged"] for r in record["waarom"]["rounds"]] == [False, True]
    assert record["waarom"]["history"][0]["id"] == w1_id
    assert record["opgave"]["in_scope"] == scope["in_scope"]
    assert record["opgave"]["out_of_scope"] == scope["out_of_scope"]
    assert record["opgave"]["core_themes"] == scope["core_themes"]
    kinds = [card["kind"] for card in record["chain"]]
    assert kinds == sorted(kinds, key=["beeld", "factor", "consequentie"].index)
    chain_ids = {card["id"] for card in record["chain"]}
    assert {
        beeld["result"]["card_id"],
        f1["result"]["card_id"],
        f2["result"]["card_id"],
        f3["result"]["card_id"],
        c1["result"]["card_id"],
        c2["result"]["card_id"],
    } <= chain_ids
    assert beeld2["result"]["card_id"] not in chain_ids
    assert record["representation"]["present"] == {
        "beleid": 1,
        "ervaringsdeskundige": 1,
        "inwoner": 2,
        "ketenpartner": 1,
    }
    assert record["representation"]["missing"] == []
    assert record["dot_vote"][0]["dots"] == 5
    assert {c["title"]: c["tags"] for c in record["clusters"]} == {
        "Ontmoeten": ["angel"],
        "Bereikbaarheid": ["hefboom"],
    }

    # What every live client built from events equals what a fresh connection gets.
    for client in [fac, screen, *people]:
        await client.until_seq(fac.last_seq if client is not fac else 0)
    for client, kwargs in [
        (fac, {"cookie": facilitator.cookie_header}),
        (screen, {"token": workshop["screen_token"]}),
        (annie, {"token": annie.token}),
    ]:
        fresh = await RoomClient.connect(server.ws_url, workshop["id"], name="fresh", **kwargs)
        assert fresh.snapshot["recovered"] is True
        assert client.state == fresh.state
        await fresh.close()
    for client in [fac, screen, *people]:
        await client.close()
