"""On https every cookie that carries a credential uses the ``__Host-`` prefix.

A ``__Host-`` cookie must be Secure, Path=/ and without Domain, so a sibling subdomain or a plain
http page cannot plant or overwrite it.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.engine import Engine

from app.workshops.routes import create_workshop_row
from tests.realtime.helpers import join
from tests.support.server import Server, facilitator_with_workshop
from tests.workshops.scripted import facilitator_and_trajectory


def test_participant_cookies_are_host_prefixed_on_https(make_server: Any, engine: Engine):
    # A workshop in the database (a Secure session cookie would not come back over plain http,
    # so no facilitator logs in to make it) ...
    _, trajectory_id = facilitator_and_trajectory(engine, ["inwoner"])
    made, _ = create_workshop_row(engine, trajectory_id=trajectory_id, title="Sessie")
    workshop = {"id": made.id, "join_code": made.join_code}
    # ... served as the https deployment it would be.
    server = make_server(ATELIER_PUBLIC_URL="https://atelier.example.nl")
    server.start()
    response = httpx.post(
        f"{server.url}/api/join",
        json={"code": workshop["join_code"], "display_name": None, "stakeholder_group": "inwoner"},
        timeout=10,
    )
    assert response.status_code == 201
    cookies = response.headers.get_list("set-cookie")
    participant = [c for c in cookies if "atelier_participant_" in c]
    assert participant and participant[0].startswith(
        f"__Host-atelier_participant_{workshop['id']}="
    )
    attributes = participant[0].lower()
    assert "secure" in attributes and "path=/" in attributes and "domain=" not in attributes


def test_on_plain_http_in_development_the_names_stay_plain(server: Server):
    facilitator, workshop = facilitator_with_workshop(server)
    joined = join(server, workshop["join_code"], None, "inwoner")
    page = httpx.get(
        f"{server.url}/w/{workshop['id']}",
        cookies={f"atelier_participant_{workshop['id']}": joined["token"]},
        timeout=10,
    )
    assert page.status_code == 200 and "join" not in str(page.url)
    facilitator.close()
