"""Redraft and rank over real sockets: a proposal that did not converge is rewritten as variants,
seven phones rank them in a Condorcet cycle, Schulze's winner (checked by hand) goes to the next
round; bad input is refused and changes nothing; nobody receives another person's ranking."""

from __future__ import annotations

from typing import Any

import pytest

from tests.realtime.helpers import facilitator_client, goto, participant_clients
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

#: Seven phones: inwoner and beleid of three each, one ketenpartner (below k = 3: pooled).
PEOPLE = [(f"Inwoner{n}", "inwoner") for n in range(3)] + [
    (f"Beleid{n}", "beleid") for n in range(3)
]
PEOPLE.append(("Eenling", "ketenpartner"))


async def refused(client: RoomClient, code: str, type_: str, **fields: Any) -> None:
    seq = client.last_seq
    with pytest.raises(Rejected) as caught:
        await client.command(type_, **fields)
    assert caught.value.code == code, caught.value.error
    assert client.last_seq == seq  # nothing was logged


async def rated_round(
    fac: RoomClient, phones: list[RoomClient], proposal: int, scores: list[int]
) -> int:
    round_id = (await fac.command("round.open", kind="waarom"))["result"]["round_id"]
    for phone, score in zip(phones, scores, strict=True):
        reason = f"Bezwaar van {phone.name}" if score == 1 else ""
        await phone.command(
            "rating.give", round_id=round_id, proposal_id=proposal, score=score, reason=reason
        )
    await fac.command("round.close", round_id=round_id)
    return round_id


async def test_a_redraft_ranked_in_a_cycle_sends_the_schulze_winner_to_the_next_round(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    phones = await participant_clients(server, workshop, PEOPLE)
    await goto(fac, "waarom")
    made = await phones[0].command("proposal.create", kind="waarom", text="Eenzaamheid aanpakken")
    proposal = made["result"]["proposal_id"]
    await refused(fac, "invalid", "redraft.open", proposal_id=proposal)  # never rated yet
    first = await rated_round(fac, phones, proposal, [5, 4, 1, 2, 3, 4, 1])

    # Out of role, wrong proposal: refused, nothing logged.
    await refused(phones[0], "forbidden", "redraft.open", proposal_id=proposal)
    await refused(fac, "not_found", "redraft.open", proposal_id=9999)
    opened = await fac.command("redraft.open", proposal_id=proposal, phones_write=False)
    redraft = opened["result"]["redraft_id"]
    await screen.until_seq(opened["seq"])
    objections = screen.state["redrafts"][str(redraft)]["objections"]  # type: ignore[index]
    assert objections == ["Bezwaar van Eenling", "Bezwaar van Inwoner2"]  # sorted, as the round
    await refused(fac, "invalid", "redraft.open", proposal_id=proposal)  # one at a time
    await refused(fac, "redraft_open", "round.open", kind="waarom")

    # Writing: the phones may not (the facilitator did not allow it); answers must name objections.
    await refused(
        phones[1], "forbidden", "variant.create", redraft_id=redraft, text="X", answers=[0]
    )
    await refused(fac, "answers_required", "variant.create", redraft_id=redraft, text="X")
    await refused(fac, "invalid", "variant.create", redraft_id=redraft, text="X", answers=[2])
    await refused(phones[0], "wrong_stage", "ranking.give", redraft_id=redraft, order=[1])
    texts = ["Ontmoeten in de buurt", "Samen eten", "Een maatje voor wie alleen is"]
    ids = []
    for n, text in enumerate(texts):
        ack = await fac.command("variant.create", redraft_id=redraft, text=text, answers=[n % 2])
        ids.append(ack["result"]["variant_id"])
    extra = await fac.command("variant.create", redraft_id=redraft, text="Weg", answers=[0, 1])
    await fac.command("variant.withdraw", variant_id=extra["result"]["variant_id"])
    await refused(phones[0], "forbidden", "ranking.open", redraft_id=redraft)
    ranking = await fac.command("ranking.open", redraft_id=redraft)
    await refused(fac, "wrong_stage", "variant.create", redraft_id=redraft, text="Y", answers=[0])
    await refused(fac, "no_rankings", "redraft.close", redraft_id=redraft)
    await screen.until_seq(ranking["seq"])
    shown = screen.state["redrafts"][str(redraft)]  # type: ignore[index]
    assert [v["id"] for v in shown["variants"]] == ids and shown["stage"] == "ranking"
    assert [v["answers"] for v in shown["variants"]] == [[0], [1], [0]]

    # Bad rankings: not a permutation, an unknown variant, from the facilitator.
    c, a, b = ids  # written C, A, B: the cycle's A is the variant written second
    await refused(phones[0], "invalid", "ranking.give", redraft_id=redraft, order=[a, a, b])
    await refused(phones[0], "invalid", "ranking.give", redraft_id=redraft, order=[a, b])
    await refused(phones[0], "not_found", "ranking.give", redraft_id=redraft, order=[a, b, 9999])
    await refused(fac, "forbidden", "ranking.give", redraft_id=redraft, order=[a, b, c])

    # The cycle of the hand count (tests/workshops/test_schulze.py): 3 ABC, 2 BCA, 2 CAB —
    # C beats A 4:3 head to head, yet Schulze ranks A > B > C. Phone 0 first ranks otherwise:
    # ranking again replaces it.
    await phones[0].command("ranking.give", redraft_id=redraft, order=[c, b, a])
    orders = [[a, b, c]] * 3 + [[b, c, a]] * 2 + [[c, a, b]] * 2
    last = None
    for phone, order in zip(phones, orders, strict=True):
        last = await phone.command("ranking.give", redraft_id=redraft, order=order)
    assert last is not None
    await screen.until_seq(last["seq"])
    during = screen.state["redrafts"][str(redraft)]  # type: ignore[index]
    assert during["rankers"] == 7 and during["result"] is None
    closed = await fac.command("redraft.close", redraft_id=redraft)
    winner_proposal = closed["result"]["proposal_id"]
    assert closed["result"]["variant_id"] == a
    for client in (fac, screen, *phones):
        await client.until_seq(closed["seq"])
        result = client.state["redrafts"][str(redraft)]["result"]  # type: ignore[index]
        assert result["order"] == [a, b, c] and result["winner_id"] == a, client.name
        assert result["variant_ids"] == [c, a, b] and not result["ties_broken"]
        # pairwise[i][j] over the written order C, A, B (7 rankers ≥ k: shown).
        assert result["pairwise"] == [[0, 4, 2], [3, 0, 5], [5, 2, 0]]
        proposals = client.state["proposals"]  # type: ignore[index]
        assert proposals[str(proposal)]["status"] == "superseded"
        assert proposals[str(winner_proposal)]["text"] == texts[1]
        assert proposals[str(winner_proposal)]["amends_id"] == proposal
    await refused(fac, "wrong_stage", "redraft.close", redraft_id=redraft)

    # The winner goes to the next round; the room now agrees.
    second = await rated_round(fac, phones, winner_proposal, [5, 4, 4, 5, 4, 5, 4])
    await screen.until_seq(fac.last_seq)
    rounds = screen.state["rounds"]  # type: ignore[index]
    assert rounds[str(second)]["proposal_ids"] == [winner_proposal]
    assert rounds[str(second)]["figures"][str(winner_proposal)]["converged"]
    assert not rounds[str(first)]["figures"][str(proposal)]["converged"]
    await refused(fac, "converged", "redraft.open", proposal_id=winner_proposal)

    # Privacy: each phone got its own ranking and no one else's; the staff got none at all.
    for phone, order in zip(phones, orders, strict=True):
        given = [
            m["event"]["ranking"]["order"]
            for m in phone.messages
            if m["type"] == "event" and m["event"]["type"] == "my_ranking.given"
        ]
        assert given[-1] == order and phone.state["my_rankings"] == {str(redraft): order}  # type: ignore[index]
        assert len(given) == (2 if phone is phones[0] else 1)
    for staff in (fac, screen):
        assert not [m for m in staff.messages if "my_ranking.given" in str(m)], staff.name
        assert staff.state["my_rankings"] == {}  # type: ignore[index]
    # A fresh snapshot and a replay from before the ranking hold only one's own ranking too.
    again = await RoomClient.connect(
        server.ws_url,
        workshop["id"],
        token=phones[3].token,
        name="again",  # type: ignore[attr-defined]
    )
    assert again.state["my_rankings"] == {str(redraft): orders[3]}  # type: ignore[index]
    replay = await RoomClient.connect(
        server.ws_url,
        workshop["id"],
        token=phones[4].token,  # type: ignore[attr-defined]
        last_seq=opened["seq"],
        state=phones[4].snapshot["state"],  # type: ignore[index]
        epoch=phones[4].epoch,
        name="replay",
    )
    replayed = [m["event"] for m in replay.messages if m["type"] == "event"]
    assert replayed, "the resume replayed nothing: the check below would prove nothing"
    mine = [e["ranking"]["order"] for e in replayed if e["type"] == "my_ranking.given"]
    assert mine == [orders[4]]
    for client in (fac, screen, again, replay, *phones):
        for variant in client.state["redrafts"][str(redraft)]["variants"]:  # type: ignore[index]
            assert variant["author_id"] is None  # the facilitator wrote them all
        await client.close()


async def test_phones_may_write_when_allowed_and_leaving_the_phase_drops_the_redraft(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    phones = await participant_clients(server, workshop, PEOPLE[:4])
    await goto(fac, "waarom")
    made = await fac.command("proposal.create", kind="waarom", text="Samen minder alleen")
    proposal = made["result"]["proposal_id"]
    await rated_round(fac, phones, proposal, [2, 3, 3, 4])  # no objection, but no agreement
    redraft = (await fac.command("redraft.open", proposal_id=proposal, phones_write=True))[
        "result"
    ]["redraft_id"]
    # No objections in the round: a variant answers none, and may say so.
    mine = await phones[0].command("variant.create", redraft_id=redraft, text="Buren kennen")
    await refused(
        phones[1], "forbidden", "variant.withdraw", variant_id=mine["result"]["variant_id"]
    )
    ids = []
    for n in range(3):
        ack = await phones[n + 1].command("variant.create", redraft_id=redraft, text=f"Nr {n}")
        ids.append(ack["result"]["variant_id"])
    await refused(phones[0], "invalid", "variant.create", redraft_id=redraft, text="Vijfde")
    gone = await phones[0].command("variant.withdraw", variant_id=mine["result"]["variant_id"])
    # The facilitator sees who wrote a version (they took part with a name); no phone does.
    for client in (fac, *phones):
        await client.until_seq(gone["seq"])
    shown = fac.state["redrafts"][str(redraft)]["variants"]  # type: ignore[index]
    assert [v["author_id"] for v in shown] == [p.welcome["participant_id"] for p in phones[1:4]]  # type: ignore[index]
    for phone in phones:
        assert {v["author_id"] for v in phone.state["redrafts"][str(redraft)]["variants"]} == {None}  # type: ignore[index]
    await fac.command("ranking.open", redraft_id=redraft)
    await phones[2].command("ranking.give", redraft_id=redraft, order=ids[::-1])
    # Leaving the phase asks first, then drops the unfinished redraft with its rankings.
    agenda = fac.state["workshop"]["agenda"]  # type: ignore[index]
    await refused(fac, "open_items", "phase.set", index=agenda.index("opgave"))
    gone = await fac.command("phase.set", index=agenda.index("opgave"), open_items="close")
    await phones[2].until_seq(gone["seq"])
    assert phones[2].state["redrafts"] == {} and phones[2].state["my_rankings"] == {}  # type: ignore[index]
    for client in (fac, *phones):
        await client.close()
