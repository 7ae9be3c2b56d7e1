"""Representation against what the trajectory intended, and the join question's new voices.

A room of 24 in 5 groups, one of them (Jongeren, 2 people) below k = 3, and one expected group
(Ondernemers) absent. Real server, real sockets: the console, the projector and a phone, each
checked on what it received; every figure below is worked out by hand in the comments.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx
import pytest

from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

EXPECTED = ["inwoner", "ketenpartner", "beleid", "ervaringsdeskundige", "Jongeren", "Ondernemers"]
TARGETS = {
    "inwoner": 6,
    "ketenpartner": 8,
    "ervaringsdeskundige": 4,
    "Jongeren": 4,
    "Ondernemers": 3,
}
# beleid has no target; Jongeren and Ondernemers are often missing.
OFTEN_MISSING = ["Jongeren", "Ondernemers"]

# 24 people in 5 groups: per group, the answers to "Was je eerder bij een bijeenkomst van dit
# traject?" (None: not answered).
ROOM: dict[str, list[str | None]] = {
    "inwoner": ["nee", "nee", "nee", "ja", "ja", "weet_niet", None, "nee"],  # 8
    "ketenpartner": ["ja", "ja", "ja", "nee", None, "ja"],  # 6
    "beleid": ["ja", "ja", "ja", "ja", "nee"],  # 5
    "ervaringsdeskundige": ["nee", "nee", "weet_niet"],  # 3
    "Jongeren": ["nee", "nee"],  # 2: below k
}


def trajectory_with_targets(facilitator: Facilitator) -> dict[str, Any]:
    trajectory = facilitator.post(
        "/api/trajectories",
        {
            "theme": "Jongeren en de dorpskern",
            "expected_groups": EXPECTED,
            # a target for a group that is not expected is dropped
            "group_targets": {**TARGETS, "Toeristen": 5},
            "often_missing": OFTEN_MISSING,
        },
    )
    return facilitator.post(
        f"/api/trajectories/{trajectory['id']}/workshops", {"title": "Dorpsavond"}
    )


def join_room(server: Server, workshop: dict[str, Any]) -> list[dict[str, Any]]:
    joined = []
    for group, answers in ROOM.items():
        for n, answer in enumerate(answers):
            extra = {} if answer is None else {"been_before": answer}
            joined.append(join(server, workshop["join_code"], f"{group} {n}", group, **extra))
    return joined


async def proposal_ready(fac: RoomClient, phone: RoomClient) -> int:
    """A waarom proposal, posted from a phone. No round measured it, so adopting it needs a
    written reason as well (which the tests give): the question here is only about who is
    at the table."""
    await goto(fac, "waarom")
    made = await phone.command(
        "proposal.create", kind="waarom", text="Een dorp waar jongeren blijven."
    )
    return int(made["result"]["proposal_id"])


async def test_the_room_sees_each_group_against_its_target_and_adopting_asks_first(
    server: Server, facilitator: Facilitator
) -> None:
    workshop = trajectory_with_targets(facilitator)
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    first = fac.snapshot
    assert first is not None
    joined = join_room(server, workshop)  # the console and the screen see the joins live
    phone = await RoomClient.connect(
        server.ws_url, workshop["id"], token=joined[0]["token"], name="phone"
    )
    for client in (fac, screen, phone):
        shown = client.state["workshop"]  # type: ignore[index]
        assert shown["expected_groups"] == EXPECTED
        assert shown["group_targets"] == TARGETS  # Toeristen is not expected: dropped
        assert shown["often_missing"] == OFTEN_MISSING

    proposal_id = await proposal_ready(fac, phone)
    before = fac.last_seq
    # By hand: inwoner 8 of 6 (met), ketenpartner 6 of 8, beleid 5 (no target: present is
    # enough), ervaringsdeskundige 3 of 4, Jongeren 2 of 4, Ondernemers 0 of 3.
    with pytest.raises(Rejected) as refused:
        await fac.command("proposal.adopt", proposal_id=proposal_id, reason="Tijd is op")
    assert refused.value.code == "representation_unconfirmed"
    for part in ("ketenpartner: 6 of 8", "ervaringsdeskundige: 3 of 4", "Jongeren: 2 of 4"):
        assert part in refused.value.error["message"]
    assert "Ondernemers: 0 of 3" in refused.value.error["message"]
    assert "inwoner" not in refused.value.error["message"]
    with pytest.raises(Rejected) as refused:  # false is no confirmation
        await fac.command(
            "proposal.adopt",
            proposal_id=proposal_id,
            reason="Tijd is op",
            representation_confirmed=False,
        )
    assert refused.value.code == "representation_unconfirmed"
    with pytest.raises(Rejected) as refused:  # not a boolean: malformed, refused as such
        await fac.command(
            "proposal.adopt", proposal_id=proposal_id, reason="Tijd", representation_confirmed="ja"
        )
    assert refused.value.code != "representation_unconfirmed"
    ping = await fac.command("timer.start", seconds=300)  # a barrier: nothing came in between
    assert ping["seq"] == before + 1
    assert fac.state["proposals"][str(proposal_id)]["status"] == "open"  # type: ignore[index]

    await fac.command(
        "proposal.adopt",
        proposal_id=proposal_id,
        reason="Tijd is op",
        representation_confirmed=True,
    )
    await screen.until_seq(fac.last_seq)
    adopted = screen.state["proposals"][str(proposal_id)]  # type: ignore[index]
    assert adopted["status"] == "adopted"
    assert adopted["adopted_short"] == [
        {"group": "ketenpartner", "here": 6, "target": 8},
        {"group": "ervaringsdeskundige", "here": 3, "target": 4},
        {"group": "Jongeren", "here": 2, "target": 4},
        {"group": "Ondernemers", "here": 0, "target": 3},
    ]

    # The record says so, in the words of the issue (Dutch is the record's default language).
    await goto(fac, "opgave")
    opgave = await phone.command("proposal.create", kind="opgave", text="Een plek voor jongeren.")
    await fac.command(
        "proposal.adopt",
        proposal_id=opgave["result"]["proposal_id"],
        reason="Tijd",
        representation_confirmed=True,
    )
    await goto(fac, "afronding")
    await fac.command("vertrekpunt.save")
    record = facilitator.get(f"/api/trajectories/{workshop['trajectory_id']}")["vertrekpunt"][
        "record"
    ]
    assert record["waarom"]["adopted_short"] == adopted["adopted_short"]
    markdown = facilitator.http.get(f"/api/workshops/{workshop['id']}/export.md").text
    assert (
        "Aangenomen terwijl Ketenpartner (6 van 8), Ervaringsdeskundige (3 van 4), "
        "Jongeren (2 van 4) en Ondernemers (0 van 3) onder het doel zaten." in markdown
    ), markdown

    # New voices per group, k = 3: Jongeren (2) is below k and pools with the smallest named
    # group (ervaringsdeskundige, 3) as "overige groepen" (5 people). By hand:
    #   inwoner: nee 4, ja 2, weet_niet 1, none 1
    #   ketenpartner: ja 4, nee 1, none 1
    #   beleid: ja 4, nee 1
    #   overige groepen: nee 4 (2 + 2), weet_niet 1
    voices = record["representation"]["new_voices"]
    assert voices["by_group"] == {
        "beleid": {"ja": 1 * 4, "nee": 1, "weet_niet": 0, "geen_antwoord": 0},
        "inwoner": {"ja": 2, "nee": 4, "weet_niet": 1, "geen_antwoord": 1},
        "ketenpartner": {"ja": 4, "nee": 1, "weet_niet": 0, "geen_antwoord": 1},
        "overige groepen": {"ja": 0, "nee": 4, "weet_niet": 1, "geen_antwoord": 0},
    }
    assert voices["total"] == {"ja": 10, "nee": 10, "weet_niet": 2, "geen_antwoord": 2}
    assert "Jongeren" not in json.dumps(voices)  # below k: never on its own
    assert record["representation"]["targets"] == TARGETS
    # The trajectory page reads the record: the same sentence, the same pooled new voices.
    page = facilitator.http.get(f"/trajectories/{workshop['trajectory_id']}").text
    shown = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    assert (
        "Aangenomen terwijl deze groepen onder het doel zaten: Ketenpartner (6 van 8), "
        "Ervaringsdeskundige (3 van 4), Jongeren (2 van 4), Ondernemers (0 van 3)" in shown
    )
    assert (
        "Beleid: 1 voor het eerst; Inwoner: 4 voor het eerst; Ketenpartner: 1 voor het eerst; "
        "Overige groepen: 4 voor het eerst" in shown
    )

    # The join answer never reaches a client per person: not in any snapshot or event.
    for client in (fac, screen, phone):
        assert "been_before" not in json.dumps(client.messages), client.name
    # Nor in a replay (a console that comes back from before the joins) ...
    again = await RoomClient.connect(
        server.ws_url,
        workshop["id"],
        cookie=facilitator.cookie_header,
        last_seq=first["seq"],
        state=first["state"],
        epoch=first["epoch"],
        name="again",
    )
    assert again.snapshot is None, "replayed, not re-snapshotted"
    replayed = json.dumps(again.messages)
    assert replayed.count('"participant.joined"') == 24
    assert "been_before" not in replayed
    # ... nor in any export, nor in the server's log.
    for ext in ("json", "md", "html", "csv"):
        body = facilitator.http.get(f"/api/workshops/{workshop['id']}/export.{ext}")
        if body.status_code == 200:
            assert "been_before" not in body.text, ext
    assert "been_before" not in server.log()
    for client in (fac, screen, phone, again):
        await client.close()


async def test_a_trajectory_that_states_no_intent_adopts_as_before(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> None:
    """The fixture's trajectory only lists expected groups (as every one from before does):
    nobody of them here, and adopting asks nothing."""
    joined = join(server, workshop["join_code"], "Annie", "inwoner")
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    phone = await RoomClient.connect(
        server.ws_url, workshop["id"], token=joined["token"], name="phone"
    )
    proposal_id = await proposal_ready(fac, phone)
    await fac.command("proposal.adopt", proposal_id=proposal_id, reason="Tijd")
    assert fac.state["proposals"][str(proposal_id)]["adopted_short"] is None  # type: ignore[index]
    await fac.close()
    await phone.close()


def test_a_join_answer_that_is_not_one_of_the_three_is_refused(
    server: Server, workshop: dict[str, Any]
) -> None:
    response = httpx.post(
        f"{server.url}/api/join",
        json={
            "code": workshop["join_code"],
            "stakeholder_group": "inwoner",
            "been_before": "misschien",
        },
        timeout=10,
    )
    assert response.status_code == 422
