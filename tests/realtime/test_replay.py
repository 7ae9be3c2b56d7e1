"""A resume replays the room as it is now: nothing hidden, withdrawn or replaced comes back."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.images import samples
from tests.images.test_upload import upload
from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

WITHDRAWN = "Jan Jansen, Dorpsstraat 12"
HIDDEN = "Te verbergen opmerking"
BEFORE_EDIT = "Eerste versie van de factor"
AFTER_EDIT = "Tweede versie van de factor"
PHOTO_CAPTION = "Het bankje bij de bushalte"


async def test_a_resume_from_seq_0_replays_what_each_viewer_may_see_now(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name="screen"
    )
    assert fac.last_seq == screen.last_seq == 0, "a new workshop has no events yet"
    # What each held at seq 0 (a phone there would hold the screen's state: an empty room).
    staff_at_0, room_at_0 = copy.deepcopy(fac.state), copy.deepcopy(screen.state)
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    bram = join(server, workshop["join_code"], "Bram", "beleid")
    author = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"])

    await goto(fac, "beelden")
    photo = upload(
        server,
        workshop["id"],
        annie["token"],
        samples.jpeg_with_gps_rotated(),
        cid="photo",
        caption=PHOTO_CAPTION,
    )
    assert photo.status_code == 201, photo.text
    photo_id = photo.json()["result"]["card_id"]
    await goto(fac, "factoren")
    ids = {}
    for text in (WITHDRAWN, HIDDEN, BEFORE_EDIT, "Blijft gewoon staan"):
        ack = await author.command("card.post", kind="factor", text=text)
        ids[text] = ack["result"]["card_id"]
    await fac.until_seq(author.last_seq)
    image_key = fac.state["cards"][str(photo_id)]["image"]["display_url"]
    await fac.command("card.hide", card_id=ids[HIDDEN], hidden=True)
    await fac.command("card.hide", card_id=photo_id, hidden=True)
    await author.command("card.withdraw", card_id=ids[WITHDRAWN])
    await author.command("card.edit", card_id=ids[BEFORE_EDIT], text=AFTER_EDIT)
    await fac.until_seq(author.last_seq)
    for client in (fac, screen, author):
        await client.close()

    credentials: dict[str, dict[str, str]] = {
        "phone": {"token": bram["token"]},
        "screen": {"token": workshop["screen_token"]},
        "facilitator": {"cookie": facilitator.cookie_header},
    }
    resumed = {
        role: await RoomClient.connect(
            server.ws_url,
            workshop["id"],
            last_seq=0,
            state=staff_at_0 if role == "facilitator" else room_at_0,
            epoch=fac.epoch,
            name=role,
            **credentials[role],
        )
        for role in credentials
    }
    for role, client in resumed.items():
        assert client.snapshot is None, f"{role}: replayed, not re-snapshotted"
        heard = json.dumps(client.messages, ensure_ascii=False)
        assert WITHDRAWN not in heard, f"{role} got a withdrawn card's text back"
        assert BEFORE_EDIT not in heard, f"{role} got a card's text from before its edit"
        assert AFTER_EDIT in heard
        if role == "facilitator":
            assert HIDDEN in heard and image_key in heard, "the facilitator moderates hidden cards"
        else:
            assert HIDDEN not in heard, f"{role} got a hidden card's text back"
            assert PHOTO_CAPTION not in heard and image_key not in heard, f"{role}: hidden photo"
        fresh = await RoomClient.connect(
            server.ws_url, workshop["id"], name=f"fresh {role}", **credentials[role]
        )
        assert client.state == fresh.state, f"{role}: the replay ends where a snapshot starts"
        for socket in (client, fresh):
            await socket.close()
