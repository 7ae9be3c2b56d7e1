""" "Every group must carry it" over the wire: the projector and phones learn which groups do not
carry a proposal yet, by the labels the round's figures use, in every message they get; the
facilitator turns the rule on and off mid-round; bad settings change nothing.

Real server, real sockets: a console, a projector and eleven phones.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from app.privacy import OTHER_GROUPS
from tests.realtime.helpers import facilitator_client, goto, participant_clients
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

#: Eleven people. bestuur (1) is below k = 3; pooled alone it would still be, so the smallest
#: named group (ervaringsdeskundige 3, before ketenpartner 3 by name) joins it: the labels are
#: inwoner, ketenpartner and "overige groepen" (4).
PEOPLE = (
    [(f"Inwoner{n}", "inwoner") for n in range(4)]
    + [(f"Keten{n}", "ketenpartner") for n in range(3)]
    + [(f"Ervaring{n}", "ervaringsdeskundige") for n in range(3)]
    + [("Bestuurder", "bestuur")]
)
#: inwoner 4/4, ketenpartner 1/3, overige groepen 4/4: the room 9/11 (82%) carries it, the
#: ketenpartners (33%) do not.
SCORES = [5, 5, 4, 4, 4, 2, 2, 4, 4, 5, 4]
HIDDEN = ("bestuur", "ervaringsdeskundige")


async def configure(fac: RoomClient, **settings: Any) -> dict[str, Any]:
    current = fac.state["workshop"]["settings"]  # type: ignore[index]
    return await fac.command("workshop.configure", settings={**current, **settings})


def round_messages(client: RoomClient, round_id: int) -> list[dict[str, Any]]:
    """Every round event this socket received about the round, in order."""
    return [
        m["event"]["round"]
        for m in client.messages
        if m["type"] == "event"
        and m["event"]["type"] in ("round.opened", "round.updated")
        and m["event"]["round"]["id"] == round_id
    ]


async def test_the_projector_names_only_shown_groups_not_yet_carrying(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    await configure(fac, carried_by_every_group=True, group_agree_share=0.6)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    phones = await participant_clients(server, workshop, PEOPLE)
    await goto(fac, "waarom")
    proposal = (await phones[0].command("proposal.create", kind="waarom", text="Samen"))["result"][
        "proposal_id"
    ]
    round_id = (await fac.command("round.open", kind="waarom", reveal="live"))["result"]["round_id"]
    for phone, score in zip(phones, SCORES, strict=True):
        last = await phone.command(
            "rating.give", round_id=round_id, proposal_id=proposal, score=score
        )
    for client in (fac, screen, *phones):
        await client.until_seq(last["seq"])
    figures = screen.state["rounds"][str(round_id)]["figures"][str(proposal)]  # type: ignore[index]
    assert figures == fac.state["rounds"][str(round_id)]["figures"][str(proposal)]  # type: ignore[index]
    assert figures["agree_share"] == round(9 / 11, 4) and figures["participation"] == 1.0
    assert figures["lowest_group_share"] == round(1 / 3, 4)
    assert figures["not_carried"] == ["ketenpartner"] and not figures["converged"]

    # Every message the projector and a phone got about the round — one per rating — names
    # only the round's labels, and says "not carried" only of them.
    labels = {"inwoner", "ketenpartner", OTHER_GROUPS}
    seen = round_messages(screen, round_id)
    assert len(seen) == 1 + len(SCORES)
    for message in seen + round_messages(phones[-1], round_id):
        shown = message["figures"].get(str(proposal))
        assert shown is not None
        assert set(shown["not_carried"]) <= labels
        assert {g["group"] for g in shown["by_group"]} <= labels
        assert not any(group in json.dumps(message) for group in HIDDEN)
        if shown["raters"] < 3:  # nothing per group yet: every label, whatever the scores
            assert shown["by_group"] == [] and shown["not_carried"] == sorted(labels)

    # Off: the same ratings converge, and the open round says so to everyone at once.
    turned = await configure(fac, carried_by_every_group=False)
    await screen.until_seq(turned["seq"])
    figures = screen.state["rounds"][str(round_id)]["figures"][str(proposal)]  # type: ignore[index]
    assert figures["converged"] and figures["not_carried"] == []
    assert figures["lowest_group_share"] == round(1 / 3, 4), "the figure is there either way"

    # On again, with a bar the ketenpartners reach (a third): every group carries it.
    turned = await configure(fac, carried_by_every_group=True, group_agree_share=0.33)
    await screen.until_seq(turned["seq"])
    figures = screen.state["rounds"][str(round_id)]["figures"][str(proposal)]  # type: ignore[index]
    assert figures["converged"] and figures["not_carried"] == []

    # Back to 60% and closed: rounds.csv carries the group-aware figure and the groups not
    # carried along, by the round's labels only.
    await configure(fac, carried_by_every_group=True, group_agree_share=0.6)
    await fac.command("round.close", round_id=round_id)
    text = facilitator.http.get(f"/api/workshops/{workshop['id']}/export/rounds.csv").text
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["agree_share"] == str(round(9 / 11, 4)) and row["converged"] == "False"
    assert row["lowest_group_share"] == str(round(1 / 3, 4))
    assert row["not_carried"] == "ketenpartner"
    assert not any(group in text for group in HIDDEN)


async def test_bad_group_settings_change_nothing(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    (phone,) = await participant_clients(server, workshop, [("Annie", "inwoner")])
    before = dict(fac.state["workshop"]["settings"])  # type: ignore[index]
    assert before["carried_by_every_group"] is False and before["group_agree_share"] == 0.6
    for bad in (
        {"group_agree_share": 0},
        {"group_agree_share": 1.5},
        {"group_agree_share": "zestig"},
        {"carried_by_every_group": "ja"},
        {"carried_by_every_group": True, "every_group": True},
    ):
        with pytest.raises(Rejected) as refused:
            await configure(fac, **bad)
        assert refused.value.code == "invalid", bad
    with pytest.raises(Rejected) as refused:
        await phone.command(
            "workshop.configure", settings={**before, "carried_by_every_group": True}
        )
    assert refused.value.code == "forbidden"
    barrier = await fac.command("timer.start", seconds=60)
    await fac.until_seq(barrier["seq"])
    assert fac.state["workshop"]["settings"] == before  # type: ignore[index]
