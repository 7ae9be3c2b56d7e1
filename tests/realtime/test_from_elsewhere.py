"""Taking part from elsewhere: "Ik ben er niet bij in de zaal" on the join form.

Real server, real sockets. A room of 13 in 4 groups, 6 of them from elsewhere; k = 3, so beleid
(2) and ervaringsdeskundige (2) are counted together as "overige groepen" (4). The console gets
the counts per shown group, live; the projector and the phones never get anyone's answer, and a
phone from elsewhere receives exactly what a phone in the room receives. The record, the
trajectory page and the exports count them per group as well. Every figure is worked out by hand
in the comments.
"""

from __future__ import annotations

import html
import io
import json
import re
from typing import Any

import httpx
import pytest

from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

# Per group, who is from elsewhere (True) and who is in the room (False).
ROOM: dict[str, list[bool]] = {
    "inwoner": [True, True, True, False, False],  # 5, 3 from elsewhere
    "ketenpartner": [True, False, False, False],  # 4, 1 from elsewhere
    "beleid": [True, False],  # 2: below k, pooled
    "ervaringsdeskundige": [True, False],  # 2: below k, pooled with beleid (4 together)
}
# By hand: inwoner 3, ketenpartner 1, overige groepen 1 + 1 = 2; in total 6.
EXPECTED = {"by_group": {"inwoner": 3, "ketenpartner": 1, "overige groepen": 2}, "total": 6}


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def words(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def remote_marks(messages: list[dict[str, Any]]) -> int:
    """How often ``"remote": true`` occurs in what a client received."""
    return json.dumps(messages).count('"remote": true')


async def test_from_elsewhere_is_counted_per_group_and_never_sent_per_person(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> None:
    code = workshop["join_code"]
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    first = fac.snapshot
    assert first is not None
    joined = []
    for group, elsewhere in ROOM.items():
        for n, remote in enumerate(elsewhere):
            joined.append(join(server, code, f"{group} {n}", group, remote=remote))
    away, here = joined[0], joined[3]  # both inwoner: one from elsewhere, one in the room
    remote_phone = await RoomClient.connect(
        server.ws_url, workshop["id"], token=away["token"], name="remote-phone"
    )
    room_phone = await RoomClient.connect(
        server.ws_url, workshop["id"], token=here["token"], name="room-phone"
    )
    # Each phone knows its own answer, and nothing of anyone else.
    for phone, mine, is_remote in ((remote_phone, away, True), (room_phone, here, False)):
        people = phone.state["participants"]  # type: ignore[index]
        assert list(people) == [str(mine["participant_id"])]
        assert people[str(mine["participant_id"])]["remote"] is is_remote

    # The console: counted per shown group, live, as people join (presence, facilitators only).
    shown = await fac.wait_for(
        lambda m: m["type"] == "presence" and m.get("from_elsewhere") == EXPECTED, timeout=20
    )
    assert "beleid" not in json.dumps(shown["from_elsewhere"])
    # Someone from elsewhere leaves: the console counts who takes part now.
    await remote_phone.close()
    leaver = await RoomClient.connect(
        server.ws_url, workshop["id"], token=joined[5]["token"], name="leaver"
    )  # ketenpartner 0, from elsewhere
    await leaver.command("participant.leave")
    await fac.wait_for(
        lambda m: (
            m["type"] == "presence"
            and m.get("from_elsewhere")
            == {"by_group": {"inwoner": 3, "overige groepen": 2}, "total": 5}
        ),
        timeout=20,
    )
    await leaver.close()

    # Live, the room goes on; a phone from elsewhere and one in the room receive the same.
    remote_phone = await RoomClient.connect(
        server.ws_url, workshop["id"], token=away["token"], name="remote-again"
    )
    start = {p: len(p.messages) for p in (remote_phone, room_phone)}
    await goto(fac, "factoren")
    posted = await room_phone.command("card.post", kind="factor", text="Weinig bussen")
    await remote_phone.command("card.post", kind="factor", text="Geen buurthuis")
    await fac.command("card.spotlight", card_id=posted["result"]["card_id"])
    await fac.command("screen.view", focus={"kind": "card", "id": posted["result"]["card_id"]})
    late = join(server, code, "Laat", "inwoner", remote=True)
    barrier = await fac.command("timer.start", seconds=60)
    for phone in (remote_phone, room_phone):
        await phone.until_seq(barrier["seq"])

    def live(phone: RoomClient) -> list[tuple[str, str]]:
        return [
            (m["type"], m["event"]["type"] if m["type"] == "event" else "")
            for m in phone.messages[start[phone] :]
            if m["type"] in ("event", "presence", "tally", "snapshot")
        ]

    assert live(remote_phone) == live(room_phone)
    assert not any(kind == "presence" for kind, _ in live(remote_phone)), "staff only"
    for phone in (remote_phone, room_phone):
        received = json.dumps(phone.messages)
        assert str(late["participant_id"]) not in re.findall(r'"id": (\d+)', received)
    # The snapshots: the same room, but for the own profile.
    snap_remote, snap_room = remote_phone.snapshot, room_phone.snapshot
    assert snap_remote is not None and snap_room is not None
    assert set(snap_remote["state"]) == set(snap_room["state"])
    assert snap_remote["state"]["cards"].keys() == snap_room["state"]["cards"].keys()

    # Nobody but the person gets it per person: not the console, not the projector ...
    assert remote_marks(fac.messages) == 0
    assert remote_marks(screen.messages) == 0
    assert all(m.get("from_elsewhere") is None for m in screen.messages if m["type"] == "presence")
    assert remote_marks(room_phone.messages) == 0
    # ... nor in a replay: a console and a phone from elsewhere that come back from before.
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
    assert json.dumps(again.messages).count('"participant.joined"') == 14
    assert remote_marks(again.messages) == 0
    assert snap_remote is not None
    replays = []
    for token, name in ((away["token"], "remote-replay"), (here["token"], "room-replay")):
        client = await RoomClient.connect(
            server.ws_url,
            workshop["id"],
            token=token,
            last_seq=snap_remote["seq"],
            state=snap_remote["state"],
            epoch=snap_remote["epoch"],
            name=name,
        )
        assert client.snapshot is None
        replays.append([m["event"]["type"] for m in client.messages if m["type"] == "event"])
        assert remote_marks(client.messages) == 0
        await client.close()
    assert replays[0] == replays[1]

    # The record, the trajectory page and every export: per shown group, never per person.
    for kind in ("waarom", "opgave"):  # adopted with a reason: no round measured them
        await goto(fac, kind)
        made = await room_phone.command("proposal.create", kind=kind, text=f"Een {kind}")
        await fac.command(
            "proposal.adopt", proposal_id=made["result"]["proposal_id"], reason="Tijd is op"
        )
    await goto(fac, "afronding")
    await fac.command("vertrekpunt.save")
    trajectory = facilitator.get(f"/api/trajectories/{workshop['trajectory_id']}")
    record = trajectory["vertrekpunt"]["record"]
    # Everyone let in counts, also who left (ketenpartner 0); the late one is inwoner.
    in_record = {"by_group": {"inwoner": 4, "ketenpartner": 1, "overige groepen": 2}, "total": 7}
    assert record["representation"]["from_elsewhere"] == in_record
    page = words(facilitator.http.get(f"/trajectories/{workshop['trajectory_id']}").text)
    assert "Van elders" in page and "Inwoner 4, Ketenpartner 1, Overige groepen 2" in page
    summary = facilitator.get(f"/api/workshops/{workshop['id']}/export.json")
    assert summary["from_elsewhere"] == in_record
    markdown = facilitator.http.get(f"/api/workshops/{workshop['id']}/export.md").text
    assert "### Van elders" in markdown, markdown
    assert re.search(r"\|\s*Inwoner\s*\|\s*4\s*\|", markdown), markdown
    assert re.search(r"\|\s*Totaal\s*\|\s*7\s*\|", markdown), markdown
    english = facilitator.http.get(f"/api/workshops/{workshop['id']}/export.md?lang=en").text
    assert "### From elsewhere" in english
    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(facilitator.http.get(f"/api/workshops/{workshop['id']}/export.xlsx").content)
    )
    rows = [list(r) for r in book["Van elders"].iter_rows(values_only=True)]
    assert rows == [
        ["Groep belanghebbenden", "Van elders"],
        ["Inwoner", 4],
        ["Ketenpartner", 1],
        ["Overige groepen", 2],
        ["Totaal", 7],
    ], rows
    for ext in ("pdf", "docx", "odt", "html"):
        assert (
            facilitator.http.get(f"/api/workshops/{workshop['id']}/export.{ext}").status_code == 200
        )
    assert "beleid 0" not in markdown.lower()
    for client in (fac, screen, remote_phone, room_phone, again):
        await client.close()


def test_the_join_form_asks_and_refuses_what_no_checkbox_sends(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> None:
    code = workshop["join_code"]
    form = httpx.get(f"{server.url}/join/{code}", timeout=10)
    box = re.search(r'<input id="remote"[^>]*>', form.text)
    assert box is not None and "checked" not in box.group(0), "in the room unless ticked"
    assert "Ik ben er niet bij in de zaal" in words(form.text)
    english = httpx.get(f"{server.url}/join/{code}?lang=en", timeout=10)
    assert "I am not in the room" in words(english.text)

    def count() -> int:
        return len(facilitator.get(f"/api/workshops/{workshop['id']}/export.json")["participants"])

    with httpx.Client(base_url=server.url, timeout=10) as phone:
        page = phone.get(f"/join/{code}")
        forged = phone.post(
            f"/join/{code}",
            data={"csrf_token": csrf(page.text), "stakeholder_group": "inwoner", "remote": "ja"},
        )
        assert forged.status_code == 400
        assert count() == 0, "nobody joined"
        ticked = phone.post(
            f"/join/{code}",
            data={"csrf_token": csrf(page.text), "stakeholder_group": "inwoner", "remote": "on"},
        )
        assert ticked.status_code == 303
    for bad in ("ja", 1, "true", None):
        refused = httpx.post(
            f"{server.url}/api/join",
            json={"code": code, "stakeholder_group": "inwoner", "remote": bad},
            timeout=10,
        )
        assert refused.status_code == 422, (bad, refused.text)
    assert count() == 1
