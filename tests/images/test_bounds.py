"""What photos may cost: pixels, parallel decodes, and how many per person and per workshop."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio import CapacityLimiter
from fastapi import FastAPI
from PIL import Image

from app.db import make_engine, migrate
from app.images import routes as image_routes
from app.images.pipeline import ImageRefused, Processed, process
from app.main import create_app
from app.settings import Settings
from app.workshops.routes import create_workshop_row
from app.workshops.runner import Runner
from tests.images import samples
from tests.images.test_upload import upload
from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.server import Server, facilitator_with_workshop
from tests.workshops.scripted import facilitator_and_trajectory

pytestmark = pytest.mark.anyio


def big_png(edge: int = 6300) -> bytes:
    """A 128 KB-ish PNG of edge×edge pixels: tiny on the wire, ~120 MB+ once decoded."""
    out = io.BytesIO()
    Image.new("L", (edge, edge), 0).save(out, format="PNG", optimize=True)
    return out.getvalue()


def test_a_small_file_with_many_pixels_is_refused():
    data = big_png()
    assert len(data) < 200_000
    with pytest.raises(ImageRefused) as refused:
        process(data)
    assert refused.value.code == "too_many_pixels"


def test_the_size_is_checked_before_any_pixel_is_decoded():
    """Only the header of this PNG is intact: decoding would fail as broken, not as too big."""
    data = big_png(5500)  # 30 MP: under the old cap, over the new one
    with pytest.raises(ImageRefused) as refused:
        process(data[:200])
    assert refused.value.code == "too_many_pixels"


def test_a_phone_sized_photo_is_well_within_the_cap():
    """The phone page sends at most 2048 px on the long side (app/static/js/upload.js)."""
    result = process(samples.large_jpeg(2048, 1536))
    assert result.width == 2048
    with pytest.raises(ImageRefused):
        process(samples.webp(), max_pixels=100)


# ----------------------------------------------------------------------------- real server


async def test_a_workshop_has_a_photo_quota_besides_each_person(make_server: Any):
    server: Server = make_server(
        ATELIER_IMAGES_PER_WORKSHOP="2",
        ATELIER_IMAGES_PER_PARTICIPANT="5",
        ATELIER_UPLOADS_PER_MINUTE="100",
    )
    server.start()
    http, workshop = facilitator_with_workshop(server)
    people = [join(server, workshop["join_code"], name, "inwoner") for name in "ABC"]
    fac = await facilitator_client(server, workshop, http.cookie_header)
    await goto(fac, "beelden")
    for index, person in enumerate(people[:2]):
        ok = upload(server, workshop["id"], person["token"], samples.webp(), cid=f"ok-{index}")
        assert ok.status_code == 201, ok.text
    refused = upload(server, workshop["id"], people[2]["token"], samples.webp(), cid="third")
    assert (refused.status_code, refused.json()["code"]) == (409, "workshop_quota")
    assert refused.json()["message"] == "Deze workshop heeft al 2 foto's. Meer kan er niet bij."
    retried = httpx.post(
        f"{server.url}/api/workshops/{workshop['id']}/beelden?cid=ok-0",
        headers={"Authorization": f"Bearer {people[0]['token']}"},
        files={"photo": ("p.webp", samples.webp(), "image/webp")},
        data={"caption": "Een leeg bankje", "cid": "ok-0"},
        timeout=30,
    )
    assert retried.status_code == 200, "a retry naming its cid gets its ack, quota or not"
    await fac.close()
    http.close()


async def test_leaving_and_joining_again_does_not_reset_the_quota(make_server: Any):
    server: Server = make_server(
        ATELIER_IMAGES_PER_PARTICIPANT="2", ATELIER_UPLOADS_PER_MINUTE="100"
    )
    server.start()
    http, workshop = facilitator_with_workshop(server)
    fac = await facilitator_client(server, workshop, http.cookie_header)
    await goto(fac, "beelden")
    phone = httpx.Client(base_url=server.url, timeout=30)  # keeps its cookies, like a browser

    def join_phone() -> str:
        response = phone.post(
            "/api/join", json={"code": workshop["join_code"], "stakeholder_group": "inwoner"}
        )
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    def post(token: str, cid: str) -> httpx.Response:
        return phone.post(
            f"/api/workshops/{workshop['id']}/beelden",
            headers={"Authorization": f"Bearer {token}"},
            files={"photo": ("p.webp", samples.webp(), "image/webp")},
            data={"caption": "Een bankje", "cid": cid},
        )

    first = join_phone()
    assert [post(first, f"a{n}").status_code for n in range(2)] == [201, 201]
    left = phone.post(
        f"/api/workshops/{workshop['id']}/leave", headers={"Authorization": f"Bearer {first}"}
    )
    assert left.status_code == 200, left.text
    again = join_phone()
    assert again != first
    refused = post(again, "b0")
    assert (refused.status_code, refused.json()["code"]) == (409, "quota")

    stored = sorted((server.data_dir / "images" / str(workshop["id"])).glob("*-display.jpg"))
    assert len(stored) == 2
    served = phone.get(
        f"/images/{workshop['id']}/{stored[0].name}", headers={"Authorization": f"Bearer {again}"}
    )
    assert served.status_code == 200 and served.headers["cache-control"] == "no-store"
    other = join(server, workshop["join_code"], "Ander", "inwoner")  # another phone: own quota
    assert upload(server, workshop["id"], other["token"], samples.webp(), cid="c0").is_success
    phone.close()
    await fac.close()
    http.close()


# ----------------------------------------------------------------------------- decodes at once


@pytest.fixture
async def app_in_beelden(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[FastAPI, int, str]]:
    """The app in the test's event loop (see tests/accounts/conftest.py), a workshop in beelden."""
    migrate(db_url)
    engine = make_engine(db_url)
    facilitator_id, trajectory_id = facilitator_and_trajectory(engine, ["inwoner"])
    workshop, _ = create_workshop_row(engine, trajectory_id=trajectory_id, title="Beelden")
    Runner(engine, workshop, facilitator_id).phase("beelden")
    engine.dispose()
    settings = Settings(
        data_dir=tmp_path, database_url=db_url, image_decodes_at_once=2, uploads_per_minute=100
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        assert workshop.id is not None
        yield app, workshop.id, workshop.join_code


async def test_at_most_the_configured_number_of_photos_is_decoded_at_once(
    app_in_beelden: tuple[FastAPI, int, str], monkeypatch: pytest.MonkeyPatch
):
    app, workshop_id, code = app_in_beelden
    running = 0
    most = 0
    lock = threading.Lock()
    go_on = threading.Event()

    def watched(data: bytes, *, max_pixels: int) -> Processed:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        go_on.wait(30)
        with lock:
            running -= 1
        return process(data, max_pixels=max_pixels)

    monkeypatch.setattr(image_routes, "process", watched)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        tokens = []
        for n in range(5):
            joined = await client.post(
                "/api/join", json={"code": code, "stakeholder_group": f"g{n}"}
            )
            assert joined.status_code == 201, joined.text
            tokens.append(joined.json()["token"])

        async def send(token: str, n: int) -> int:
            response = await client.post(
                f"/api/workshops/{workshop_id}/beelden",
                headers={"Authorization": f"Bearer {token}"},
                files={"photo": ("p.webp", samples.webp(), "image/webp")},
                data={"caption": "Bankje", "cid": f"c{n}"},
            )
            return response.status_code

        uploads = [asyncio.create_task(send(t, n)) for n, t in enumerate(tokens)]
        limiter: CapacityLimiter = app.state.image_decodes
        for _ in range(1500):  # bounded by count (and so by time): at most ~30 s
            if limiter.statistics().tasks_waiting >= 3:
                break
            await asyncio.sleep(0.02)
        waiting = limiter.statistics().tasks_waiting
        go_on.set()
        statuses = await asyncio.gather(*uploads)
    assert waiting == 3, "three uploads wait for a decode slot"
    assert most == 2, "never more than two decodes at once"
    assert sorted(statuses) == [201] * 5
