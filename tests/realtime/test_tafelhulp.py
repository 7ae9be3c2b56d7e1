"""Tafelhulp over a real server and real sockets: the one-time helper code, a helper entering a
card and a rating for a person without a phone, who may act for whom, what each role sees, and
the assisted figures in the record and its exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select
from websockets.exceptions import ConnectionClosedError

from app.clock import utcnow
from app.workshops.models import HelperCode, Participant
from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio


def new_code(facilitator: Facilitator, workshop: dict[str, Any]) -> dict[str, Any]:
    made: dict[str, Any] = facilitator.post(f"/api/workshops/{workshop['id']}/helper-codes", {})
    return made


def redeem(server: Server, code: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/hulp", json={"code": code}, timeout=10)


def helper_token(response: httpx.Response, workshop_id: int) -> str:
    assert response.status_code == 201, response.text
    cookie = next(
        v for k, v in response.cookies.items() if k.endswith(f"participant_{workshop_id}")
    )
    return cookie


def helper_people(server: Server, workshop_id: int, token: str) -> dict[str, Any]:
    response = httpx.get(
        f"{server.url}/api/workshops/{workshop_id}/hulp",
        cookies={f"atelier_participant_{workshop_id}": token},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_helper_code_works_once_and_not_after_revoking_or_expiry(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    made = new_code(facilitator, workshop)
    assert len(made["code"]) == 9 and made["code"][4] == "-", "shown once, as XXXX-XXXX"
    first = redeem(server, made["code"].lower().replace("-", " "))
    assert first.status_code == 201, first.text
    assert first.json()["workshop_id"] == workshop["id"]
    again = redeem(server, made["code"])
    assert again.status_code == 410, "a code works once"

    revoked = new_code(facilitator, workshop)
    facilitator.post(f"/api/workshops/{workshop['id']}/helper-codes/{revoked['id']}/revoke", {})
    assert redeem(server, revoked["code"]).status_code == 410

    expired = new_code(facilitator, workshop)
    engine = create_engine(server.database_url)
    with Session(engine) as session:
        row = session.get(HelperCode, expired["id"])
        assert row is not None
        stored = row.code_hash
        row.expires_at = utcnow() - timedelta(minutes=1)
        session.add(row)
        session.commit()
        assert expired["code"].replace("-", "") not in stored, "only the hash is stored"
    assert redeem(server, expired["code"]).status_code == 410

    forged = redeem(server, "ABCD-EFGH")
    assert forged.status_code == 404, "a forged code names no workshop"
    states = {
        c["id"]: c["state"]
        for c in facilitator.get(f"/api/workshops/{workshop['id']}/helper-codes")
    }
    assert states == {made["id"]: "used", revoked["id"]: "revoked", expired["id"]: "expired"}
    assert all(
        "code" not in c for c in facilitator.get(f"/api/workshops/{workshop['id']}/helper-codes")
    )
    with Session(engine) as session:
        helpers = session.exec(
            select(Participant).where(
                Participant.workshop_id == workshop["id"],
                Participant.is_helper == True,  # noqa: E712
            )
        ).all()
        assert len(helpers) == 1, "one helper, from the one code that worked"
    engine.dispose()


async def test_a_helper_enters_for_their_person_only_and_is_never_counted(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    wid = workshop["id"]
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    a = await RoomClient.connect(server.ws_url, wid, token=annie["token"], name="annie")
    screen = await RoomClient.connect(
        server.ws_url, wid, token=workshop["screen_token"], name="screen"
    )
    token = helper_token(redeem(server, new_code(facilitator, workshop)["code"]), wid)
    h = await RoomClient.connect(server.ws_url, wid, token=token, name="helper")
    other_token = helper_token(redeem(server, new_code(facilitator, workshop)["code"]), wid)
    h2 = await RoomClient.connect(server.ws_url, wid, token=other_token, name="helper2")

    # The helpers are not present: presence counts Annie only.
    await fac.wait_for(
        lambda m: m["type"] == "presence" and m["participant_ids"] == [annie["participant_id"]]
    )

    added = await h.command(
        "assisted.add", display_name="Gerda", stakeholder_group="Inwoner", name_in_verslag=True
    )
    gerda = added["result"]["participant_id"]
    await fac.until_seq(h.last_seq)
    assert fac.state["participants"][str(gerda)]["assisted"] is True
    assert str(gerda) not in a.state["participants"], "a phone never sees another person"

    await goto(fac, "beelden")
    await goto(fac, "factoren")
    with pytest.raises(Rejected) as itself:
        await h.command("card.post", kind="factor", text="Ik als hulp")
    assert itself.value.code == "helper_only_for_others"
    posted = await h.command(
        "card.post", kind="factor", text="De bus rijdt niet meer", on_behalf_of=gerda
    )
    card_id = posted["result"]["card_id"]
    with pytest.raises(Rejected) as other_helper:
        await h2.command("card.post", kind="factor", text="Niet van mij", on_behalf_of=gerda)
    assert other_helper.value.code == "not_your_person"
    with pytest.raises(Rejected) as participant:
        await a.command("card.post", kind="factor", text="Namens Gerda", on_behalf_of=gerda)
    assert participant.value.code == "not_your_person"
    with pytest.raises(Rejected) as self_as_other:
        await h.command("card.post", kind="factor", text="x", on_behalf_of=annie["participant_id"])
    assert self_as_other.value.code == "not_your_person"

    await fac.until_seq(h.last_seq)
    await a.until_seq(h.last_seq)
    assert fac.state["cards"][str(card_id)]["assisted"] is True
    assert fac.state["cards"][str(card_id)]["author_id"] == gerda, "named: the console sees who"
    seen = a.state["cards"][str(card_id)]
    assert seen["assisted"] is True and seen["author_id"] is None and seen["mine"] is False
    assert h.state["cards"][str(card_id)]["author_id"] is None
    await screen.until_seq(h.last_seq)
    on_wall = screen.state["cards"][str(card_id)]
    assert on_wall["assisted"] is True and on_wall["author_id"] is None, "marked, never by whom"
    shown = json.dumps(screen.messages)
    assert "assisted_by" not in shown  # who helped whom: in no message
    assert screen.state["participants"][str(gerda)]["assisted"] is True
    assert all("assisted_by" not in json.dumps(m) for m in h.messages), (
        "the helper's socket never names a helper"
    )

    # The facilitator enters for someone too, from the console.
    by_console = await fac.command("assisted.add", stakeholder_group="beleid")
    kees = by_console["result"]["participant_id"]
    await fac.command("card.post", kind="factor", text="Geen loket meer", on_behalf_of=kees)
    with pytest.raises(Rejected) as not_assisted:
        await fac.command(
            "card.post", kind="factor", text="x", on_behalf_of=annie["participant_id"]
        )
    assert not_assisted.value.code == "not_your_person"

    await goto(fac, "waarom")
    made = await a.command("proposal.create", kind="waarom", text="Samen dichtbij")
    opened = await fac.command("round.open", kind="waarom")
    round_id = opened["result"]["round_id"]
    eligible = fac.state["rounds"][str(round_id)]["eligible"]
    assert eligible == 3, "Annie, and Gerda and Kees through a helper; no helper itself"
    with pytest.raises(Rejected):
        await h.command(
            "rating.give", round_id=round_id, proposal_id=made["result"]["proposal_id"], score=4
        )
    await h.command(
        "rating.give",
        round_id=round_id,
        proposal_id=made["result"]["proposal_id"],
        score=4,
        on_behalf_of=gerda,
    )
    await fac.until_seq(h.last_seq)
    assert fac.state["rounds"][str(round_id)]["raters"] == 1

    # The helper's own list: only Gerda, and only her entries; the other helper sees nobody.
    mine = helper_people(server, wid, token)
    assert [p["id"] for p in mine["people"]] == [gerda]
    assert [c["text"] for c in mine["people"][0]["cards"]] == ["De bus rijdt niet meer"]
    assert mine["people"][0]["ratings"][0]["score"] == 4
    assert "inwoner" in [g.lower() for g in mine["groups"]]
    assert helper_people(server, wid, other_token)["people"] == []
    participant_view = httpx.get(
        f"{server.url}/api/workshops/{wid}/hulp",
        cookies={f"atelier_participant_{wid}": annie["token"]},
        timeout=10,
    )
    assert participant_view.status_code == 403

    await fac.command("round.close", round_id=round_id)
    await goto(fac, "opgave")
    # The record: helpers are nobody in it; the assisted entries counted per shown group.
    summary = facilitator.get(f"/api/workshops/{wid}/export.json")
    assert all(p["stakeholder_group"] != "tafelhulp" for p in summary["participants"])
    assert len(summary["participants"]) == 3
    assert summary["assisted"]["total"] == {"group": None, "people": 2, "cards": 2, "ratings": 1}
    assert [c["assisted"] for c in summary["cards"]] == [True, True]
    text = facilitator.http.get(f"/api/workshops/{wid}/export/assisted.csv").text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["stakeholder_group", "people", "cards", "ratings"]
    assert rows[-1] == ["", "2", "2", "1"]
    md = facilitator.http.get(f"/api/workshops/{wid}/export.md").text
    assert "Ingevoerd door tafelhulp" in md or "ingevoerd door tafelhulp" in md
    named = [p["display_name"] for p in summary["participants"] if p["display_name"]]
    assert named == ["Annie", "Gerda"] or named == ["Gerda"], "a name only with consent"
    assert "Gerda" in json.dumps(summary["cards"]), "her card, with her consent"
    for client in (fac, a, h, h2, screen):
        await client.close()


async def test_revoking_a_used_code_takes_its_helper_out_and_keeps_their_people(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    wid = workshop["id"]
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    made = new_code(facilitator, workshop)
    token = helper_token(redeem(server, made["code"]), wid)
    h = await RoomClient.connect(server.ws_url, wid, token=token, name="helper")
    added = await h.command("assisted.add", display_name="", stakeholder_group="Inwoner")
    gerda = added["result"]["participant_id"]
    await goto(fac, "beelden")
    await goto(fac, "factoren")
    await h.command("card.post", kind="factor", text="Geen bankje bij de halte", on_behalf_of=gerda)

    answer = facilitator.post(f"/api/workshops/{wid}/helper-codes/{made['id']}/revoke", {})
    assert answer["state"] == "revoked" and answer["helper_id"] is not None
    assert await h.closed(timeout=30) is not None, "the helper's socket is closed"
    refused = httpx.get(
        f"{server.url}/api/workshops/{wid}/hulp",
        cookies={f"atelier_participant_{wid}": token},
        timeout=10,
    )
    assert refused.status_code in (401, 403), refused.text
    again: RoomClient | None = None
    # The token no longer opens the room: closed with 4001, whichever side notices it first.
    with pytest.raises((ConnectionClosedError, ConnectionError)) as closed:
        again = await RoomClient.connect(server.ws_url, wid, token=token, name="helper again")
        await again.command("card.post", kind="factor", text="Nog eentje", on_behalf_of=gerda)
    if isinstance(closed.value, ConnectionClosedError):
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001
    else:
        assert again is not None and again.close_code == 4001
    # Revoking it again changes nothing; Gerda and her card stay, and the console enters for her.
    assert (
        facilitator.post(f"/api/workshops/{wid}/helper-codes/{made['id']}/revoke", {})["state"]
        == "revoked"
    )
    await fac.command("card.post", kind="factor", text="Te ver lopen", on_behalf_of=gerda)
    await fac.until_seq(fac.last_seq)
    texts = sorted(c["text"] for c in fac.state["cards"].values() if c["assisted"])
    assert texts == ["Geen bankje bij de halte", "Te ver lopen"]
    await fac.close()


async def test_a_paper_card_photographed_in_becomes_their_beeld(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    from tests.images import samples

    wid = workshop["id"]
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    token = helper_token(redeem(server, new_code(facilitator, workshop)["code"]), wid)
    h = await RoomClient.connect(server.ws_url, wid, token=token, name="helper")
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    gerda = (await h.command("assisted.add", stakeholder_group="inwoner"))["result"][
        "participant_id"
    ]
    await goto(fac, "beelden")

    def upload(bearer: str, cid: str, on_behalf_of: int | None) -> httpx.Response:
        data = {"caption": "Een leeg bankje bij de bushalte", "cid": cid}
        if on_behalf_of is not None:
            data["on_behalf_of"] = str(on_behalf_of)
        return httpx.post(
            f"{server.url}/api/workshops/{wid}/beelden",
            headers={"Authorization": f"Bearer {bearer}"},
            files={"photo": ("kaart.jpg", samples.jpeg_with_gps_rotated(), "image/jpeg")},
            data=data,
            timeout=30,
        )

    posted = upload(token, "paper-1", gerda)
    assert posted.status_code == 201, posted.text
    card_id = posted.json()["result"]["card_id"]
    refused = upload(annie["token"], "paper-2", gerda)
    assert (refused.status_code, refused.json()["code"]) == (400, "not_your_person")
    itself = upload(token, "paper-3", None)
    assert (itself.status_code, itself.json()["code"]) == (400, "helper_only_for_others")
    await fac.wait_for(
        lambda m: (
            m["type"] == "event"
            and m["event"]["type"] == "card.posted"
            and m["event"]["card"]["id"] == card_id
        ),
        start=0,
    )
    card = fac.state["cards"][str(card_id)]
    assert card["kind"] == "beeld" and card["image"] and card["assisted"] is True
    mine = helper_people(server, wid, token)["people"][0]["cards"]
    assert [(c["kind"], c["image"]) for c in mine] == [("beeld", True)]
    await fac.close()
    await h.close()


async def test_the_record_counts_assisted_entries_per_shown_group(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    """Groups of at least k people are shown by name; the assisted entries are counted in them,
    in the summary, the spreadsheet's sheet, the CSV table and the document exports."""
    wid = workshop["id"]
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    for name, group in (("Annie", "inwoner"), ("Dirk", "inwoner"), ("Esra", "beleid"),
                        ("Fons", "beleid")):  # fmt: skip
        join(server, workshop["join_code"], name, group)
    gerda = (await fac.command("assisted.add", stakeholder_group="inwoner"))["result"]
    kees = (await fac.command("assisted.add", stakeholder_group="beleid"))["result"]
    await goto(fac, "beelden")
    await goto(fac, "factoren")
    for who, text in ((gerda, "De bus rijdt niet meer"), (kees, "Geen loket"),
                      (kees, "Formulieren alleen online")):  # fmt: skip
        await fac.command("card.post", kind="factor", text=text, on_behalf_of=who["participant_id"])
    summary = facilitator.get(f"/api/workshops/{wid}/export.json")
    lines = {line["group"]: line for line in summary["assisted"]["groups"]}
    assert lines["inwoner"] | {"group": None} == {
        "group": None,
        "people": 1,
        "cards": 1,
        "ratings": 0,
    }
    assert lines["beleid"]["cards"] == 2 and lines["beleid"]["people"] == 1
    assert summary["assisted"]["total"]["cards"] == 3
    rows = list(csv.reader(io.StringIO(
        facilitator.http.get(f"/api/workshops/{wid}/export/assisted.csv").text
    )))  # fmt: skip
    assert ["beleid", "1", "2", "0"] in rows and ["inwoner", "1", "1", "0"] in rows
    md = facilitator.http.get(f"/api/workshops/{wid}/export.md").text
    assert "## Ingevoerd door tafelhulp" in md
    assert md.count("ingevoerd door tafelhulp") >= 3, "each assisted card is marked"
    await fac.close()
