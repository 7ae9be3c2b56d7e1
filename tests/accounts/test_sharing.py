"""Co-facilitation: sharing a trajectory, who may see and run it, and one console driving.

The routes and the access matrix run in-process; the sockets against a real server with real
``websockets`` clients.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.accounts.models import Facilitator
from app.db import session_scope
from app.workshops.models import Trajectory
from app.workshops.routes import create_workshop_row
from app.workshops.sharing import UNKNOWN_PER_HOUR, TrajectoryShare
from tests.accounts.factories import make_facilitator
from tests.accounts.web import browser, csrf_from, log_in
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator as HttpFacilitator
from tests.support.server import Server

pytestmark = pytest.mark.anyio

SANNE = "sanne@provincie.example"
VREEMD = "vreemd@elders.example"


@pytest.fixture
def room(engine: Engine, fenna: Facilitator) -> dict[str, int]:
    """Fenna's trajectory with one workshop, and two more accounts: Sanne and a stranger."""
    make_facilitator(engine, email=SANNE, name="Sanne")
    make_facilitator(engine, email=VREEMD, name="Vreemd")
    assert fenna.id is not None
    with session_scope(engine) as session:
        trajectory = Trajectory(owner_id=fenna.id, theme="Meer groen in Grou")
        session.add(trajectory)
        session.flush()
        trajectory_id = trajectory.id
    assert trajectory_id is not None
    workshop, _ = create_workshop_row(engine, trajectory_id=trajectory_id, title="Buurtsessie")
    assert workshop.id is not None
    return {"trajectory": trajectory_id, "workshop": workshop.id}


@asynccontextmanager
async def _logged_in(app: Any, email: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """Another browser, logged in as ``email``; with the CSRF token of its home page."""
    async with browser(app) as client:
        yield client, await log_in(client, email=email)


async def _share(client: httpx.AsyncClient, trajectory_id: int, email: str) -> httpx.Response:
    page = await client.get(f"/trajectories/{trajectory_id}")
    return await client.post(
        f"/trajectories/{trajectory_id}/shares",
        data={"email": email, "csrf_token": csrf_from(page.text)},
    )


def _shared_with(engine: Engine, trajectory_id: int) -> list[int]:
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(TrajectoryShare.account_id).where(
                    TrajectoryShare.trajectory_id == trajectory_id
                )
            ).all()
        )


def _account(engine: Engine, email: str) -> int:
    with session_scope(engine) as session:
        account = session.exec(select(Facilitator).where(Facilitator.email == email)).one()
        assert account.id is not None
        return account.id


# ----------------------------------------------------------------------------- the routes


async def test_the_owner_shares_by_email_and_stops_sharing(app, engine, client, room):
    trajectory = room["trajectory"]
    await log_in(client)
    shared = await _share(client, trajectory, "  Sanne@Provincie.example ")
    assert shared.status_code == 303
    assert shared.headers["location"] == f"/trajectories/{trajectory}?share=added#sharing"
    page = (await client.get(shared.headers["location"])).text
    assert "Gedeeld. Die persoon kan dit traject nu openen" in page
    assert "Sanne" in page and SANNE in page and "Delen stoppen" in page
    assert (
        (await _share(client, trajectory, SANNE))
        .headers["location"]
        .endswith("share=already#sharing")
    )
    own = await _share(client, trajectory, "fenna@gemeente.example")
    assert own.headers["location"].endswith("share=owner#sharing")
    assert _shared_with(engine, trajectory) == [_account(engine, SANNE)]

    async with _logged_in(app, SANNE) as (sanne, _):
        home = (await sanne.get("/")).text
        assert "Met jou gedeeld" in home and "Meer groen in Grou" in home
        page = (await sanne.get(f"/trajectories/{trajectory}")).text
        assert "Dit traject is van Fenna, die het met jou heeft gedeeld" in page
        assert SANNE not in page and "fenna@gemeente.example" not in page, "no addresses"
        assert f"/trajectories/{trajectory}/shares" not in page, "no share form for her"

        page = (await client.get(f"/trajectories/{trajectory}")).text
        removed = await client.post(
            f"/trajectories/{trajectory}/shares/{_account(engine, SANNE)}/delete",
            data={"csrf_token": csrf_from(page)},
        )
        assert removed.status_code == 303 and removed.headers["location"].endswith(
            "share=removed#sharing"
        )
        assert _shared_with(engine, trajectory) == []
        assert (await sanne.get(f"/trajectories/{trajectory}")).status_code == 404
        assert "Meer groen in Grou" not in (await sanne.get("/")).text


async def test_only_the_owner_may_share_or_unshare(app, engine, client, room):
    trajectory = room["trajectory"]
    await log_in(client)
    await _share(client, trajectory, SANNE)
    async with (
        _logged_in(app, SANNE) as (sanne, sanne_csrf),
        _logged_in(app, VREEMD) as (stranger, stranger_csrf),
    ):
        by_sanne = await sanne.post(
            f"/trajectories/{trajectory}/shares", data={"email": VREEMD, "csrf_token": sanne_csrf}
        )
        assert by_sanne.status_code == 403, "a co-facilitator does not share further"
        by_stranger = await stranger.post(
            f"/trajectories/{trajectory}/shares",
            data={"email": VREEMD, "csrf_token": stranger_csrf},
        )
        assert by_stranger.status_code == 404, "a stranger learns nothing of the trajectory"
        sanne_id = _account(engine, SANNE)
        unshare = f"/trajectories/{trajectory}/shares/{sanne_id}/delete"
        assert (await sanne.post(unshare, data={"csrf_token": sanne_csrf})).status_code == 403
        assert (await stranger.post(unshare, data={"csrf_token": stranger_csrf})).status_code == 404
    assert _shared_with(engine, trajectory) == [sanne_id]
    page = (await client.get(f"/trajectories/{trajectory}")).text
    nobody = await client.post(
        f"/trajectories/{trajectory}/shares/{_account(engine, VREEMD)}/delete",
        data={"csrf_token": csrf_from(page)},
    )
    assert nobody.status_code == 404


async def test_sharing_needs_the_csrf_token_and_a_login(app, engine, client, room):
    trajectory = room["trajectory"]
    await log_in(client)
    forged = await client.post(f"/trajectories/{trajectory}/shares", data={"email": SANNE})
    assert forged.status_code == 403
    wrong = await client.post(
        f"/trajectories/{trajectory}/shares", data={"email": SANNE, "csrf_token": "x" * 40}
    )
    assert wrong.status_code == 403
    async with browser(app) as anonymous:
        token = csrf_from((await anonymous.get("/login")).text)
        refused = await anonymous.post(
            f"/trajectories/{trajectory}/shares", data={"email": SANNE, "csrf_token": token}
        )
        assert refused.status_code in (401, 403)
    assert _shared_with(engine, trajectory) == []


async def test_unknown_and_disabled_addresses_get_one_answer_and_are_limited(engine, client, room):
    trajectory = room["trajectory"]
    with session_scope(engine) as session:
        account = session.exec(select(Facilitator).where(Facilitator.email == VREEMD)).one()
        account.disabled_at = datetime.now(UTC)
        session.add(account)
    await log_in(client)
    unknown = await _share(client, trajectory, "niemand@nergens.example")
    disabled = await _share(client, trajectory, VREEMD)
    assert unknown.headers["location"] == disabled.headers["location"]
    assert unknown.headers["location"].endswith("share=unknown#sharing")
    page = (await client.get(unknown.headers["location"])).text
    assert "Er is geen facilitatoraccount gevonden met dat e-mailadres" in page
    assert 'role="alert"' in page
    for _ in range(UNKNOWN_PER_HOUR - 2):
        await _share(client, trajectory, "niemand@nergens.example")
    limited = await _share(client, trajectory, SANNE)
    assert limited.headers["location"].endswith("share=wait#sharing"), "even a right one waits"
    assert _shared_with(engine, trajectory) == []


async def test_an_outcome_in_the_url_is_only_said_to_the_owner(app, client, room):
    trajectory = room["trajectory"]
    await log_in(client)
    await _share(client, trajectory, SANNE)
    async with _logged_in(app, SANNE) as (sanne, _):
        page = (await sanne.get(f"/trajectories/{trajectory}?share=unknown")).text
        assert "Er is geen facilitatoraccount" not in page
    page = (await client.get(f"/trajectories/{trajectory}?share=<script>")).text
    assert "<script>" not in page.split("<main", 1)[1]


# ----------------------------------------------------------------------------- who sees what


async def test_owner_and_shared_may_act_a_stranger_gets_404_everywhere(app, client, room):
    trajectory, workshop = room["trajectory"], room["workshop"]
    await log_in(client)
    await _share(client, trajectory, SANNE)
    paths = [
        f"/trajectories/{trajectory}",
        f"/api/trajectories/{trajectory}",
        f"/console/{workshop}",
        f"/api/workshops/{workshop}",
        f"/api/workshops/{workshop}/export.html",
        f"/api/workshops/{workshop}/export.json",
    ]
    async with _logged_in(app, SANNE) as (sanne, _), _logged_in(app, VREEMD) as (stranger, _):
        for path in paths:
            codes = [(await c.get(path)).status_code for c in (client, sanne, stranger)]
            assert codes == [200, 200, 404], path
        console = (await sanne.get(f"/console/{workshop}")).text
        assert "data-facilitators=" in console and "Fenna" in console and "Sanne" in console
        # Sanne runs the trajectory like its owner: a new workshop, a step, an edit.
        page = (await sanne.get(f"/trajectories/{trajectory}")).text
        made = await sanne.post(
            f"/trajectories/{trajectory}/workshops",
            data={"csrf_token": csrf_from(page), "title": "Tweede sessie"},
        )
        assert made.status_code == 303 and made.headers["location"].startswith("/console/")
        step = await sanne.post(
            f"/trajectories/{trajectory}/step", data={"csrf_token": csrf_from(page), "ssd_step": 2}
        )
        assert step.status_code == 303
        page = (await stranger.get("/")).text
        made = await stranger.post(
            f"/trajectories/{trajectory}/workshops",
            data={"csrf_token": csrf_from(page), "title": "Ingebroken"},
        )
        assert made.status_code == 404
        assert "Meer groen in Grou" not in page
    assert "Tweede sessie" in (await client.get(f"/trajectories/{trajectory}")).text


# ----------------------------------------------------------------------------- one console drives


def _make_account(server: Server, email: str, name: str) -> HttpFacilitator:
    password = "een-lang-wachtwoord"
    result = server.run_cli(
        "create-facilitator", "--email", email, "--name", name, "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return HttpFacilitator(server, email=email, password=password)


async def test_one_console_drives_the_other_watches_and_can_take_over(
    make_server: Any,
):
    server = make_server(ATELIER_SESSION_RECHECK_SECONDS="1", ATELIER_ROOM_POLL_SECONDS="0.5")
    server.start()
    fenna = _make_account(server, "fenna@gemeente.example", "Fenna")
    sanne = _make_account(server, SANNE, "Sanne")
    stranger = _make_account(server, VREEMD, "Vreemd")
    trajectory = fenna.post("/api/trajectories", {"theme": "Meer groen in Grou"})
    workshop = fenna.post(f"/api/trajectories/{trajectory['id']}/workshops", {"title": "Sessie"})
    shared = fenna.http.post(f"/trajectories/{trajectory['id']}/shares", data={"email": SANNE})
    assert shared.status_code == 303 and "share=added" in shared.headers["location"]

    intruder = await RoomClient.connect(
        server.ws_url, workshop["id"], cookie=stranger.cookie_header, name="stranger"
    )
    assert (await intruder.errors())[0]["code"] == "unauthorised"
    assert await intruder.closed() == 4001

    one = await RoomClient.connect(
        server.ws_url, workshop["id"], cookie=fenna.cookie_header, name="fenna"
    )
    two = await RoomClient.connect(
        server.ws_url, workshop["id"], cookie=sanne.cookie_header, name="sanne"
    )
    assert one.welcome["role"] == two.welcome["role"] == "facilitator"  # type: ignore[index]
    fenna_id = one.state["driver_id"]  # type: ignore[index]
    assert fenna_id is not None and two.state["driver_id"] == fenna_id  # type: ignore[index]

    await one.command("phase.set", index=1)
    with pytest.raises(Rejected) as refused:
        await two.command("phase.set", index=2)
    assert refused.value.code == "not_driver"
    assert two.state["workshop"]["phase_index"] == 1  # type: ignore[index]

    took = await two.command("console.take_over")
    await one.until_seq(took["seq"])
    sanne_id = two.state["driver_id"]  # type: ignore[index]
    assert sanne_id not in (None, fenna_id) and one.state["driver_id"] == sanne_id  # type: ignore[index]
    with pytest.raises(Rejected) as refused:
        await one.command("phase.set", index=0)
    assert refused.value.code == "not_driver"
    await two.command("phase.set", index=2)
    took = await one.command("console.take_over")
    await two.until_seq(took["seq"])
    assert two.state["driver_id"] == fenna_id  # type: ignore[index]

    # Removing the share closes Sanne's console; Fenna's stays.
    page = fenna.http.get(f"/trajectories/{trajectory['id']}")
    sanne_account = next(
        int(part.split("/")[0])
        for part in page.text.split(f"/trajectories/{trajectory['id']}/shares/")[1:]
    )
    removed = fenna.http.post(f"/trajectories/{trajectory['id']}/shares/{sanne_account}/delete")
    assert removed.status_code == 303
    assert await two.closed() == 4001
    assert one.close_code is None
    again = await RoomClient.connect(
        server.ws_url, workshop["id"], cookie=sanne.cookie_header, name="sanne-again"
    )
    assert await again.closed() == 4001
    assert sanne.http.get(f"/api/workshops/{workshop['id']}/export.json").status_code == 404
    await one.close()
    for person in (fenna, sanne, stranger):
        person.close()
