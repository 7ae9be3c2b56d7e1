"""Uploading beelden over HTTP to a real server: stored safely, announced, served with rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.images import samples
from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import RoomClient
from tests.support.server import Facilitator, Server, facilitator_with_workshop

pytestmark = pytest.mark.anyio


def upload(
    server: Server,
    workshop_id: int,
    token: str,
    data: bytes,
    *,
    cid: str,
    caption: str = "Een leeg bankje",
    name: str = "photo.jpg",
) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/workshops/{workshop_id}/beelden",
        headers={"Authorization": f"Bearer {token}"},
        files={"photo": (name, data, "image/jpeg")},
        data={"caption": caption, "cid": cid},
        timeout=30,
    )


def stored_files(server: Server) -> list[Path]:
    root = server.data_dir / "images"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def test_photo_upload_is_announced_and_served_to_the_room_only(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    screen = await RoomClient.connect(server.ws_url, workshop["id"], token=workshop["screen_token"])
    await goto(fac, "beelden")

    response = upload(
        server, workshop["id"], annie["token"], samples.jpeg_with_gps_rotated(), cid="up-1"
    )
    assert response.status_code == 201, response.text
    ack = response.json()
    assert ack["type"] == "ack" and ack["result"]["card_id"]
    await screen.until_seq(ack["seq"])
    card = screen.state["cards"][str(ack["result"]["card_id"])]
    assert card["kind"] == "beeld" and card["text"] == "Een leeg bankje"
    assert card["image"]["width"] == 200 and card["image"]["height"] == 300

    again = upload(
        server, workshop["id"], annie["token"], samples.jpeg_with_gps_rotated(), cid="up-1"
    )
    assert again.status_code == 200 and again.json() == ack, "a retried upload is applied once"
    assert len(stored_files(server)) == 2  # display + thumb of the one card

    url = f"{server.url}{card['image']['display_url']}"
    member = httpx.get(url, cookies={f"atelier_participant_{workshop['id']}": annie["token"]})
    assert member.status_code == 200 and member.headers["content-type"] == "image/jpeg"
    assert member.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in member.headers["content-security-policy"]
    assert b"GPS" not in member.content and b"PhoneMaker" not in member.content
    assert httpx.get(url).status_code == 404, "strangers get nothing, even with the URL"
    assert httpx.get(url, headers={"Cookie": facilitator.cookie_header}).status_code == 200

    # The projector trades its token for a cookie so that <img> requests carry it.
    screen_http = httpx.Client(base_url=server.url)
    exchange = screen_http.post(
        f"/api/workshops/{workshop['id']}/screen-session",
        headers={"Authorization": f"Bearer {workshop['screen_token']}"},
    )
    assert exchange.status_code == 204
    kept = exchange.headers["set-cookie"].lower()
    assert kept.startswith(f"atelier_screen_{workshop['id']}=")
    assert "httponly" in kept and "samesite=strict" in kept and "max-age=86400" in kept
    assert screen_http.get(card["image"]["thumb_url"]).status_code == 200
    screen_http.close()

    # Withdrawing the card deletes its files.
    owner = await RoomClient.connect(server.ws_url, workshop["id"], token=annie["token"])
    await owner.command("card.withdraw", card_id=card["id"])
    assert stored_files(server) == []
    assert httpx.get(url, headers={"Cookie": facilitator.cookie_header}).status_code == 404
    for client in (fac, screen, owner):
        await client.close()


async def test_hostile_uploads_are_refused_and_nothing_is_stored(make_server, tmp_path):
    server = make_server(ATELIER_MAX_UPLOAD_BYTES=str(400_000), ATELIER_UPLOADS_PER_MINUTE="100")
    server.start()
    http, workshop = facilitator_with_workshop(server)
    other = http.post(
        f"/api/trajectories/{workshop['trajectory_id']}/workshops", {"title": "Andere"}
    )
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    stranger = join(server, other["join_code"], "Zeno", "inwoner")
    fac = await facilitator_client(server, workshop, http.cookie_header)

    early = upload(server, workshop["id"], annie["token"], samples.webp(), cid="early")
    assert early.status_code == 409 and early.json()["code"] == "wrong_phase"
    await goto(fac, "beelden")
    seq = fac.last_seq

    cases = [
        (samples.TEXT_AS_JPEG, "photo.jpg", 422, "not_an_image"),
        (samples.truncated_jpeg(), "photo.jpg", 422, "broken_image"),
        (samples.SVG, "drawing.svg", 422, "not_an_image"),
        (samples.decompression_bomb(), "bomb.png", 422, "too_many_pixels"),
        (samples.large_jpeg(1600, 1200), "huge.jpg", 413, "too_large"),
    ]
    for index, (data, name, status, code) in enumerate(cases):
        response = upload(
            server, workshop["id"], annie["token"], data, cid=f"bad-{index}", name=name
        )
        assert (response.status_code, response.json()["code"]) == (status, code), name
        assert response.json()["message"]
    foreign = upload(server, workshop["id"], stranger["token"], samples.webp(), cid="foreign")
    assert foreign.status_code == 401 and foreign.json()["code"] == "unauthorised"
    forged = upload(server, workshop["id"], "forged-token", samples.webp(), cid="forged")
    assert forged.status_code == 401
    no_caption = httpx.post(
        f"{server.url}/api/workshops/{workshop['id']}/beelden",
        headers={"Authorization": f"Bearer {annie['token']}"},
        files={"photo": ("p.webp", samples.webp(), "image/webp")},
        data={"cid": "x"},
    )
    assert no_caption.status_code == 422, "a caption is required: it is the text alternative"

    assert stored_files(server) == []
    fresh = await RoomClient.connect(server.ws_url, workshop["id"], cookie=http.cookie_header)
    assert fresh.snapshot["seq"] == seq and fresh.state["cards"] == {}
    for client in (fac, fresh):
        await client.close()
    http.close()


@pytest.mark.parametrize(
    ("env", "status", "code"),
    [
        (
            {"ATELIER_IMAGES_PER_PARTICIPANT": "2", "ATELIER_UPLOADS_PER_MINUTE": "100"},
            409,
            "quota",
        ),
        (
            {"ATELIER_IMAGES_PER_PARTICIPANT": "100", "ATELIER_UPLOADS_PER_MINUTE": "2"},
            429,
            "rate_limited",
        ),
    ],
    ids=["quota", "rate-limit"],
)
async def test_uploads_have_a_quota_and_a_rate_limit(make_server, env, status, code):
    server = make_server(**env)
    server.start()
    http, workshop = facilitator_with_workshop(server)
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    bram = join(server, workshop["join_code"], "Bram", "inwoner")
    fac = await facilitator_client(server, workshop, http.cookie_header)
    await goto(fac, "beelden")
    for index in range(2):
        assert (
            upload(
                server, workshop["id"], annie["token"], samples.webp(), cid=f"ok-{index}"
            ).status_code
            == 201
        )
    refused = upload(server, workshop["id"], annie["token"], samples.webp(), cid="one-too-many")
    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert (
        upload(server, workshop["id"], bram["token"], samples.webp(), cid="other").status_code
        == 201
    ), "limits are per participant"
    await fac.close()
    http.close()


async def test_a_hidden_photo_is_served_to_the_facilitator_only(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    await goto(fac, "beelden")
    posted = upload(server, workshop["id"], annie["token"], samples.webp(), cid="bankje")
    assert posted.status_code == 201, posted.text
    card_id = posted.json()["result"]["card_id"]
    await fac.until_seq(posted.json()["seq"])
    image = fac.state["cards"][str(card_id)]["image"]
    urls = [f"{server.url}{image['display_url']}", f"{server.url}{image['thumb_url']}"]
    viewers = {
        "phone": {"Authorization": f"Bearer {annie['token']}"},  # the author's own phone, even
        "screen": {"Authorization": f"Bearer {workshop['screen_token']}"},
        "facilitator": {"Cookie": facilitator.cookie_header},
    }

    def statuses() -> dict[str, list[int]]:
        return {
            who: [httpx.get(url, headers=headers, timeout=10).status_code for url in urls]
            for who, headers in viewers.items()
        }

    assert statuses() == {"phone": [200, 200], "screen": [200, 200], "facilitator": [200, 200]}
    await fac.command("card.hide", card_id=card_id, hidden=True)
    assert statuses() == {"phone": [404, 404], "screen": [404, 404], "facilitator": [200, 200]}
    await fac.command("card.hide", card_id=card_id, hidden=False)
    assert statuses() == {"phone": [200, 200], "screen": [200, 200], "facilitator": [200, 200]}
    await fac.close()
